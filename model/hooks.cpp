// The legacy hooks as tools 6 and 7 (behaviour §12): sys.setprofile / sys.settrace,
// the handlers that turn an occurrence into a call of the profile or trace function,
// and the frame's trace attributes. Declared in monitor.h.
#include <algorithm>

#include "model/monitor.h"
#include "model/mutant.h"

namespace monsim {

std::span<const EffectRecord> Monitor::applyEffects(CallbackAction& action) {
  if (action.calls.empty()) return {};  // most callbacks make no API call
  // One record list per nesting level: a C API fire among the calls runs callbacks
  // that apply their own calls before this list is complete.
  const size_t level = effectDepth_++;
  if (effectLevels_.size() <= level) effectLevels_.resize(level + 1);  // a deque: stable
  EffectLevel& here = effectLevels_[level];
  here.records.clear();
  if (std::any_of(action.calls.begin(), action.calls.end(),
                  [](const ApiCall& c) { return std::holds_alternative<CapiFire>(c); })) {
    // The fire's callbacks ask the policy again, which may reuse the storage behind
    // this action (valid only until its next answer): keep what is needed here.
    here.calls.assign(action.calls.begin(), action.calls.end());
    here.raiseType.assign(action.raiseType);
    here.raiseMessage.assign(action.raiseMessage);
    action.calls = here.calls;
    action.raiseType = here.raiseType;
    action.raiseMessage = here.raiseMessage;
  }
  for (const ApiCall& call : action.calls) {
    Outcome outcome = step(call);
    here.records.push_back({&call, std::move(outcome)});
  }
  --effectDepth_;
  return here.records;
}

void Monitor::setOpcodeTrace(CodeId c, bool on) {
  CodeInstrumentation& ci = code(c);
  const EventSet s = ci.localSet(ToolId{kTraceTool});
  const EventSet instruction = profile_->setOf(Event::Instruction);
  const EventSet next = on ? (s | instruction) : s.without(instruction);
  if (next != s) ci.setLocal(*profile_, g_, ToolId{kTraceTool}, next);
}

// §12.2: the hook's events while any function is set, none once it is unset.
// 3.13+: settrace() from a frame with f_trace_opcodes first adds INSTRUCTION to that
// frame's code (a callback's own frame is never traced, so only the program's call).
void Monitor::setHook(int tool, std::optional<CallableId> func) {
  (tool == kTraceTool ? traceFn_ : profileFn_) = func;
  if (tool == kTraceTool && func && !inCallback_ && !stack_.empty() &&
      stack_.back().trace.opcodes && opcodeTrace(*profile_) == spec::OpcodeTrace::Local)
    setOpcodeTrace(stack_.back().code, true);
  EventSet s;
  if (func) {
    s = hookEvents(*profile_, tool);
    if (tool == kTraceTool && opcodesEverSet_ &&
        opcodeTrace(*profile_) == spec::OpcodeTrace::Global)
      s |= profile_->setOf(Event::Instruction);
  }
  storeGlobal(tool, s);
}

Outcome Monitor::onApi(const SetTrace& c) {
  setHook(kTraceTool, c.func);
  return PyNone{};
}

Outcome Monitor::onApi(const SetProfile& c) {
  setHook(kProfileTool, c.func);
  return PyNone{};
}

// The frame attributes apply to the innermost frame: inside a trace function or a
// callback, the frame of the occurrence; at the top level there is none to set.
Outcome Monitor::onApi(const SetFrameTrace& c) {
  if (!stack_.empty()) stack_.back().trace.local = c.func;
  return PyNone{};
}

Outcome Monitor::onApi(const SetFrameTraceLines& c) {
  if (!stack_.empty()) stack_.back().trace.lines = c.on;
  return PyNone{};
}

// §12.5: 3.12 — the first True anywhere lets the next settrace() add INSTRUCTION
// (with no frame: some frame of the process had it before); 3.13+ — True adds
// INSTRUCTION to the code's local set if the frame has a local trace function,
// False removes it.
Outcome Monitor::onApi(const SetFrameTraceOpcodes& c) {
  if (opcodeTrace(*profile_) == spec::OpcodeTrace::Global) opcodesEverSet_ |= c.on;
  if (stack_.empty()) return PyNone{};
  Frame& top = stack_.back();
  top.trace.opcodes = c.on;
  switch (opcodeTrace(*profile_)) {
    case spec::OpcodeTrace::None:
      break;
    case spec::OpcodeTrace::Global:
      break;
    case spec::OpcodeTrace::Local:
      if (!c.on || (top.trace.local && !mutant(Mutant::OpcodesFlagIgnored)))
        setOpcodeTrace(top.code, c.on);
      break;
  }
  return PyNone{};
}

// §12.3: which function the handler calls, if any. JUMP is a 'line' only backwards
// within one line (else DISABLE: the target's LINE reports it); LINE and JUMP need
// f_trace_lines; INSTRUCTION needs f_trace_opcodes (3.13+: else the code's local
// INSTRUCTION is removed); every other trace event first adds INSTRUCTION locally
// for a frame with f_trace_opcodes. 'call' goes to the global trace function, the
// rest to frame.f_trace; the profile function gets everything, C callables only
// when they are builtins or method descriptors with a self argument.
Monitor::HookResult Monitor::dispatchHook(int t, const Occurrence& o, Delivery& d,
                                          CallbackPolicy& policy,
                                          CallbackAction& action) {
  const std::optional<LegacyEvent> ev = legacyEventOf(t, o.event);
  if (!ev) return HookResult::Silent;
  Frame* top = !stack_.empty() && stack_.back().code == o.code ? &stack_.back() : nullptr;
  const FrameTrace state = top ? top->trace : FrameTrace{};
  const bool local = opcodeTrace(*profile_) == spec::OpcodeTrace::Local;
  std::optional<CallableId> fn;
  if (t == kProfileTool) {
    if (!profileFn_) return HookResult::Silent;
    const bool cEvent = *ev == LegacyEvent::CCall || *ev == LegacyEvent::CReturn ||
                        *ev == LegacyEvent::CException;
    if (cEvent && !profileReports(o.callable, *profile_)) return HookResult::Silent;
    if (*ev == LegacyEvent::CCall && mutant(Mutant::ProfileNoCCall))
      return HookResult::Silent;
    fn = profileFn_;
  } else {
    // INSTRUCTION first: with no trace function it also removes itself (3.13+).
    if (o.event == Event::Instruction && (!traceFn_ || !state.opcodes)) {
      if (local) setOpcodeTrace(o.code, false);
      return HookResult::Silent;
    }
    if (!traceFn_) return HookResult::Silent;
    switch (o.event) {
      case Event::Jump:
        if (o.aux > o.offset || !o.jumpSameLine) return HookResult::Disable;
        if (!state.lines) return HookResult::Silent;
        break;
      case Event::Line:
        if (!state.lines && !mutant(Mutant::TraceIgnoresLines)) return HookResult::Silent;
        break;
      case Event::Instruction:
        break;
      default:
        if (state.opcodes && local) setOpcodeTrace(o.code, true);
        break;
    }
    fn = *ev == LegacyEvent::Call ? traceFn_ : state.local;
    if (!fn) return HookResult::Silent;
  }
  d.callable = *fn;
  d.legacy = *ev;
  inCallback_ = true;
  action = policy.onCallback(d);
  d.effects = applyEffects(action);
  inCallback_ = false;
  // The frame is still the innermost one: callbacks do not change the stack.
  top = !stack_.empty() && stack_.back().code == o.code ? &stack_.back() : nullptr;
  if (!action.raiseType.empty()) {
    // §12.6: the hook is unset (and the frame's f_trace cleared), and the exception
    // is raised in the frame; lower tools are not called.
    d.result = CallbackResult::Raised;
    setHook(t, std::nullopt);
    if (t == kTraceTool && top) top->trace.local = std::nullopt;
    return HookResult::Raised;
  }
  if (t == kTraceTool && action.traceReturn && top &&
      (*ev == LegacyEvent::Call || !mutant(Mutant::LocalTraceReturnIgnored)))
    top->trace.local = action.traceReturn;
  return HookResult::Delivered;
}

}  // namespace monsim
