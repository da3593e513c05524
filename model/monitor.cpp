#include "model/monitor.h"

#include <bit>
#include <utility>

#include "model/api_validation.h"
#include "model/disable.h"
#include "model/error_format.h"
#include "model/mutant.h"

namespace monsim {
namespace {

using spec::Error;

constexpr bool isCodeObject(const CodeArg& c) {
  return std::holds_alternative<CodeId>(c);
}

}  // namespace

Monitor::Monitor(PyVersion v)
    : profile_(&kProfiles[static_cast<int>(v)]), callBit_(profile_->bitOf(Event::Call)) {
  for (int e = 0; e < spec::kEventCount; ++e) {
    const auto ev = static_cast<Event>(e);
    eventBit_[e] = static_cast<int8_t>(
        profile_->has(ev) && !profile_->isAlias(ev) ? profile_->bitOf(ev) : -1);
  }
  for (int b = 0; b < 32; ++b) {
    if (profile_->siteEvents().has(b)) {
      bitKind_[b] = BitKind::Site;
    } else if (profile_->ancillaryEvents().has(b)) {
      // C_RETURN/C_RAISE use the CALL site's tool set (§10.8, rule 10).
      bitKind_[b] = BitKind::CallSite;
    } else if (profile_->localNonSiteEvents().has(b)) {
      bitKind_[b] = BitKind::GlobalOrLocal;  // 3.15 exception events (F5)
    } else {
      bitKind_[b] = BitKind::Global;
    }
  }
}

std::optional<std::string_view> Monitor::toolName(ToolId t) const {
  const auto& n = tools_[t.value].name;
  if (!n) return std::nullopt;
  return std::string_view(*n);
}

Outcome Monitor::step(const ApiCall& call) {
  return std::visit([&](const auto& c) { return onApi(c); }, call);
}

Outcome Monitor::step(const Input& input, CallbackPolicy& policy, DeliverySink& sink) {
  struct Visitor {
    Monitor& m;
    CallbackPolicy& policy;
    DeliverySink& sink;
    Outcome operator()(const ApiCall& c) { return m.step(c, policy, sink); }
    Outcome operator()(const Occurrence& o) { return m.onOccurrence(o, policy, sink); }
    Outcome operator()(const FrameEnter& f) { return m.onFrameEnter(f); }
    Outcome operator()(const FrameExit& f) { return m.onFrameExit(f); }
  };
  return std::visit(Visitor{*this, policy, sink}, input);
}

CodeInstrumentation& Monitor::code(CodeId c) {
  if (c.value >= codes_.size()) codes_.resize(c.value + 1);
  return codes_[c.value];
}

void Monitor::recomputeGlobalTools() {
  globalTools_.fill(0);
  for (int t = 0; t < kDispatchToolCount; ++t)
    for (int b = 0; b < 32; ++b)
      if (g_.global[t].has(b)) globalTools_[b] |= uint8_t(1u << t);
}

void Monitor::bumpVersionAndReinstrumentStack() {
  ++g_.version;
  // Every code with a frame on the stack is re-instrumented eagerly (F2).
  for (const Frame& f : stack_) {
    CodeInstrumentation& ci = codes_[f.code.value];
    if (!ci.upToDate(g_)) ci.reinstrument(*profile_, g_);
  }
}

void Monitor::storeGlobal(int tool, EventSet set) {
  if (g_.global[tool] == set) return;  // behaviour §6.4: no-op
  g_.global[tool] = set;
  recomputeGlobalTools();
  bumpVersionAndReinstrumentStack();
}

// 3.14+ clear_tool_id (behaviour §5.6; FINDINGS F2 trigger, F7).
void Monitor::clearTool(int tool) {
  for (CallbackSlot& s : tools_[tool].callbacks) s = CallbackSlot{};
  storeGlobal(tool, EventSet());
  g_.toolVersion[tool] = ++lastToolVersion_;
  bumpVersionAndReinstrumentStack();
}

// --- Tool management (behaviour §5) ---

Outcome Monitor::onApi(const UseToolId& c) {
  auto tool = toCInt(*profile_, c.tool);
  if (auto* e = errorOf(tool)) return *e;
  const int32_t t = std::get<int32_t>(tool);
  if (auto e = checkToolRange(*profile_, t)) return *e;
  const auto* name = std::get_if<PyStr>(&c.name);
  if (!name) return makeError(*profile_, Error::ToolNameNotStr);
  if (tools_[t].name && !mutant(Mutant::UseTakenToolId))
    return makeError(*profile_, Error::ToolInUse, toolField(t));
  tools_[t].name = name->value;
  return PyNone{};
}

Outcome Monitor::onApi(const FreeToolId& c) {
  auto tool = toCInt(*profile_, c.tool);
  if (auto* e = errorOf(tool)) return *e;
  const int32_t t = std::get<int32_t>(tool);
  if (auto e = checkToolRange(*profile_, t)) return *e;
  // Departs from docs: free_tool_id "should be called once a tool no longer needs
  // an id" — 3.12/3.13 only forget the name: events and callbacks keep firing (§5.5);
  // 3.14+ clear the tool first (§5.7).
  if (profile_->toolsClearable() && tools_[t].name) {
    if (mutant(Mutant::FreeKeepsEvents314)) {
      // Mutant: the callbacks go, the global set stays.
      for (CallbackSlot& s : tools_[t].callbacks) s = CallbackSlot{};
      g_.toolVersion[t] = ++lastToolVersion_;
      bumpVersionAndReinstrumentStack();
    } else {
      clearTool(t);
    }
  }
  if (mutant(Mutant::FreeClearsCallbacksBefore314) && !profile_->toolsClearable())
    for (CallbackSlot& s : tools_[t].callbacks) s = CallbackSlot{};
  tools_[t].name.reset();
  return PyNone{};
}

Outcome Monitor::onApi(const ClearToolId& c) {
  if (!profile_->hasApi(spec::ApiFn::ClearToolId))
    return makeError(*profile_, Error::NoClearToolId);
  auto tool = toCInt(*profile_, c.tool);
  if (auto* e = errorOf(tool)) return *e;
  const int32_t t = std::get<int32_t>(tool);
  if (auto e = checkToolRange(*profile_, t)) return *e;
  if (tools_[t].name) clearTool(t);  // a free id: nothing (§5.6)
  return PyNone{};
}

Outcome Monitor::onApi(const GetTool& c) {
  auto tool = toCInt(*profile_, c.tool);
  if (auto* e = errorOf(tool)) return *e;
  const int32_t t = std::get<int32_t>(tool);
  if (auto e = checkToolRange(*profile_, t)) return *e;
  if (!tools_[t].name) return PyNone{};
  return StrValue{*tools_[t].name};
}

// --- Global events (behaviour §6) ---

Outcome Monitor::onApi(const SetEvents& c) {
  auto tool = toCInt(*profile_, c.tool);
  if (auto* e = errorOf(tool)) return *e;
  auto set = toCInt(*profile_, c.events);
  if (auto* e = errorOf(set)) return *e;
  const int32_t t = std::get<int32_t>(tool);
  if (auto e = checkToolRange(*profile_, t)) return *e;
  auto events = normalizeGlobalSet(*profile_, std::get<int32_t>(set));
  if (auto* e = errorOf(events)) return *e;
  if (!tools_[t].name) return makeError(*profile_, Error::ToolNotInUse, toolField(t));
  const EventSet next = std::get<EventSet>(events);
  if (mutant(Mutant::SetEventsSameSetReinstruments) && g_.global[t] == next)
    bumpVersionAndReinstrumentStack();
  if (mutant(Mutant::SetEventsLazyOnStack) && g_.global[t] != next) {
    // Mutant: V moves, the frames on the stack are left as they are.
    g_.global[t] = next;
    recomputeGlobalTools();
    ++g_.version;
    return PyNone{};
  }
  storeGlobal(t, next);
  return PyNone{};
}

Outcome Monitor::onApi(const GetEvents& c) {
  auto tool = toCInt(*profile_, c.tool);
  if (auto* e = errorOf(tool)) return *e;
  const int32_t t = std::get<int32_t>(tool);
  if (auto e = checkToolRange(*profile_, t)) return *e;
  return IntValue{g_.global[t].bits()};
}

// --- Local events (behaviour §7) ---

Outcome Monitor::onApi(const SetLocalEvents& c) {
  auto tool = toCInt(*profile_, c.tool);
  if (auto* e = errorOf(tool)) return *e;
  auto set = toCInt(*profile_, c.events);
  if (auto* e = errorOf(set)) return *e;
  if (!isCodeObject(c.code)) return makeError(*profile_, Error::CodeNotCode);
  const int32_t t = std::get<int32_t>(tool);
  if (auto e = checkToolRange(*profile_, t)) return *e;
  auto events = normalizeLocalSet(*profile_, std::get<int32_t>(set));
  if (auto* e = errorOf(events)) return *e;
  // TODO(§7.2 step 6): shim code objects (SystemError, 3.13+) are not modelled.
  if (!tools_[t].name && !mutant(Mutant::LocalAcceptsFreeTool))
    return makeError(*profile_, Error::ToolNotInUse, toolField(t));
  code(std::get<CodeId>(c.code))
      .setLocal(*profile_, g_, ToolId{t}, std::get<EventSet>(events));
  return PyNone{};
}

Outcome Monitor::onApi(const GetLocalEvents& c) {
  auto tool = toCInt(*profile_, c.tool);
  if (auto* e = errorOf(tool)) return *e;
  if (!isCodeObject(c.code)) return makeError(*profile_, Error::CodeNotCode);
  const int32_t t = std::get<int32_t>(tool);
  if (auto e = checkToolRange(*profile_, t)) return *e;
  const CodeId id = std::get<CodeId>(c.code);
  if (mutant(Mutant::GetLocalEventsUnion)) {
    const EventSet local =
        id.value < codes_.size() ? codes_[id.value].localSet(ToolId{t}) : EventSet();
    return IntValue{(local | g_.global[t]).bits()};
  }
  if (id.value >= codes_.size()) return IntValue{0};
  // Raw L[c][t]: 3.14+ may report a cleared tool's stale set (§5.8, FINDINGS F7).
  return IntValue{codes_[id.value].localSet(ToolId{t}).bits()};
}

// --- Callbacks (behaviour §8) ---

Outcome Monitor::onApi(const RegisterCallback& c) {
  auto tool = toCInt(*profile_, c.tool);
  if (auto* e = errorOf(tool)) return *e;
  auto event = toCInt(*profile_, c.event);
  if (auto* e = errorOf(event)) return *e;
  const int32_t t = std::get<int32_t>(tool);
  if (auto e = checkToolRange(*profile_, t)) return *e;
  auto bit = callbackEventBit(*profile_, std::get<int32_t>(event));
  if (auto* e = errorOf(bit)) return *e;
  const int b = std::get<int>(bit);
  auto& slots = tools_[t].callbacks;
  std::optional<CallableId> previous;
  const auto ev = profile_->eventOfBit(b);
  if (ev && profile_->isAlias(*ev)) {
    // 3.14+ BRANCH: a wrapper in both direction slots; the LEFT slot's previous
    // handler is returned, unwrapped (§8.3).
    const CallbackSlot next{
        c.func, c.func.has_value() && !mutant(Mutant::BranchWrapperNotInstalled)};
    const auto [left, right] = profile_->aliasOf(*ev);
    if (!mutant(Mutant::BranchLeftSlotOnly))
      exchangeCallback(slots[profile_->bitOf(right)], next);
    previous = exchangeCallback(slots[profile_->bitOf(left)], next);
  } else {
    previous = exchangeCallback(slots[b], CallbackSlot{c.func, false});
  }
  if (!previous) return PyNone{};
  return *previous;
}

// --- restart_events (behaviour §11.5; FINDINGS F2) ---

// TODO(§11.5): "OverflowError: events set too many times" (3.13+) needs ~2^31
// version bumps and is not modelled.
Outcome Monitor::onApi(const RestartEvents&) {
  g_.restartVersion = g_.version + 1;
  g_.version = g_.restartVersion;  // bumped once more below: V := R + 1
  bumpVersionAndReinstrumentStack();
  return PyNone{};
}

Outcome Monitor::onApi(const AllEvents&) {
  AllEventsValue out;
  const uint32_t real = profile_->realEvents().bits();
  for (int b = 0; b < profile_->bitLimit(); ++b) {
    if (!((real >> b) & 1u) || globalTools_[b] == 0) continue;
    out.entries.push_back({profile_->name(*profile_->eventOfBit(b)), globalTools_[b]});
  }
  return out;
}

// --- Frames (FINDINGS F2 triggers) ---

Outcome Monitor::onFrameEnter(const FrameEnter& f) {
  // R5: the caller's instruction is dispatched now; whether it is instrumented for
  // its branch decides whether the branch happens once this frame is done.
  if (f.callerBranch >= 0 && !stack_.empty() && stack_.back().dispatchSite < 0 &&
      !inCallback_) {
    Frame& caller = stack_.back();
    const int b = eventBit_[static_cast<int>(f.callerBranchEvent)];
    caller.dispatchSite = f.callerBranch;
    caller.dispatchEvent = f.callerBranchEvent;
    caller.dispatchInstrumented =
        b >= 0 && codes_[caller.code.value].siteTools(b, f.callerBranch) != 0;
  }
  CodeInstrumentation& c = code(f.code);
  ++c.frames;
  stack_.push_back(Frame{f.code});
  if (f.resumes)
    for (auto it = suspended_.rbegin(); it != suspended_.rend(); ++it)
      if (it->code == f.code && (f.frame == 0 || it->frame == f.frame)) {
        stack_.back().trace = it->trace;
        suspended_.erase(std::next(it).base());
        break;
      }
  const int unwind = eventBit_[static_cast<int>(Event::PyUnwind)];
  stack_.back().unwindAtEntry =
      c.everInstrumented() ? c.unwindTools() : globalTools_[unwind];
  if (!c.upToDate(g_)) c.reinstrument(*profile_, g_);
  return PyNone{};
}

Outcome Monitor::onFrameExit(const FrameExit& f) {
  if (stack_.empty() || stack_.back().code != f.code)
    return InvalidInput{"FrameExit does not match the innermost frame"};
  if (f.suspends) suspended_.push_back({f.code, f.frame, stack_.back().trace});
  stack_.pop_back();
  --codes_[f.code.value].frames;
  return PyNone{};
}

Reason Monitor::explain(ToolId t, const Occurrence& o) const {
  const int bit = eventBit_[static_cast<int>(o.event)];
  const Frame* top = topFrameOf(o.code);
  if (inCallback_ || bit < 0 || !top) return explain(t, o.event, o.code, o.offset);
  const uint8_t mask = uint8_t(1u << t.value);
  const bool hasCallable = tools_[t.value].callbacks[bit].callable.has_value();
  if (bitKind_[bit] == BitKind::CallSite && top->callOffset == o.offset) {
    if (!top->callInstrumented) return Reason::CallNotInstrumented;
    const CodeInstrumentation& c = codes_[o.code.value];
    if (!c.multiTool())
      return !(c.activeTools(callBit_) & mask) ? Reason::CallNotAtSite
             : hasCallable                     ? Reason::ActiveViaCodeCall
                                               : Reason::NoCallback;
  }
  if (top->closing || closeSkipsThrow(o)) return Reason::CloseSkipsThrow;
  if (o.event == Event::Instruction && top->skipInstructionAt == o.offset)
    return Reason::InstructionAfterLineRemoved;
  if (top->dispatchSite == o.offset && top->dispatchEvent == o.event &&
      !top->dispatchInstrumented)
    return Reason::BranchNotInstrumented;
  const Reason r = explain(t, o.event, o.code, o.offset);
  if (delivers(r) && occurrenceTools(o, bit, mask) == 0)
    return o.event == Event::Line ? Reason::LineAfterPlainResume : Reason::NotSet;
  if (delivers(r) && tools_[t.value].callbacks[bit].branchWrapper &&
      !branchSourceInstrumented(o, branchSourceReported(o)))
    return Reason::BranchWrapperSwallows;
  if (delivers(r) && o.forIter.end == ForIterEnd::StopValue) {
    // R4, without changing the site: would this execution run specialised?
    const CodeInstrumentation& c = codes_[o.code.value];
    const ForIterSite* s = c.findForIter(o.forIter.site);
    ForIterSite copy = s ? *s : ForIterSite(o.forIter.site);
    if (forIterEffect(o, copy).drop) return Reason::ForIterSpecialised;
  }
  return r;
}

Reason Monitor::explain(ToolId t, Event event, CodeId code, int32_t offset) const {
  if (inCallback_) return Reason::InCallback;
  const int bit = eventBit_[static_cast<int>(event)];
  if (bit < 0) return Reason::NoSuchEvent;
  // The tool's events decide first (behaviour §9.1); a missing callable only matters
  // for an occurrence they would deliver (§8).
  auto active = [&](Reason r) {
    return tools_[t.value].callbacks[bit].callable ? r : Reason::NoCallback;
  };
  const uint8_t mask = uint8_t(1u << t.value);
  static const CodeInstrumentation kFresh;
  const CodeInstrumentation& c = code.value < codes_.size() ? codes_[code.value] : kFresh;
  const bool inGlobal = g_.global[t.value].has(bit);
  switch (bitKind_[bit]) {
    case BitKind::CallSite:
      if (c.siteTools(callBit_, offset) & mask) return active(Reason::ActiveViaCall);
      return Reason::CallNotAtSite;
    case BitKind::Global:
      return inGlobal ? active(Reason::ActiveGlobal) : Reason::NotSet;
    case BitKind::GlobalOrLocal:
      if (inGlobal) return active(Reason::ActiveGlobal);
      return (c.localTools(bit) & mask) ? active(Reason::ActiveLocal) : Reason::NotSet;
    case BitKind::Site:
      break;
  }
  const bool inLocal = c.localSet(t).has(bit);
  if (c.siteTools(bit, offset) & mask)
    return active(inGlobal ? Reason::ActiveGlobal : Reason::ActiveLocal);
  if (!(inGlobal || inLocal)) return Reason::NotSet;
  // Out of the site's set without a DISABLE there: the F4 drop took it.
  if (event == Event::Instruction && c.instructionDropped() &&
      !c.siteTouched(bit, offset))
    return Reason::InstructionDroppedByMultiTool;
  return Reason::DisabledAtSite;
}

}  // namespace monsim
