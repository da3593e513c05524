// The dispatch loop of one occurrence (behaviour §9): which tools an occurrence
// reaches (global ∪ local, CALL-site gating of C_RETURN/C_RAISE), highest id first,
// the tool set fixed at the start, each callable read at its turn, a raising
// callback ending the loop, and what a DISABLE does to the site (behaviour §10).
// Declared in monitor.h; the types it works with are in dispatch.h.
#include <array>
#include <bit>
#include <optional>
#include <utility>

#include "model/disable.h"
#include "model/error_format.h"
#include "model/monitor.h"
#include "model/mutant.h"

namespace monsim {

using spec::Error;

// --- Dispatch (behaviour §9.1, §9, §10, §9.6; FINDINGS F5) ---

uint8_t Monitor::dispatchTools(int bit, const CodeInstrumentation& c,
                               int32_t offset) const {
  switch (bitKind_[bit]) {
    case BitKind::Site:
      return c.siteTools(bit, offset);
    case BitKind::CallSite:
      if (mutant(Mutant::CEventsGatedByCode)) return c.activeTools(callBit_);
      if (mutant(Mutant::CEventsGlobalCallOnly))
        return uint8_t(c.siteTools(callBit_, offset) & globalTools_[callBit_]);
      if (mutant(Mutant::CRaiseUngated) &&
          bit == eventBit_[static_cast<int>(Event::CRaise)])
        return globalTools_[bit];
      return c.siteTools(callBit_, offset);
    case BitKind::Global:
      return globalTools_[bit];
    case BitKind::GlobalOrLocal:
      break;
  }
  if (mutant(Mutant::LocalIgnored)) return globalTools_[bit];
  return uint8_t(globalTools_[bit] | c.localTools(bit));
}

uint8_t Monitor::activeTools(Event event, CodeId code, int32_t offset) const {
  const int bit = eventBit_[static_cast<int>(event)];
  if (bit < 0 || code.value >= codes_.size()) return 0;
  return dispatchTools(bit, codes_[code.value], offset);
}

bool Monitor::branchSourceInstrumented(const Occurrence& o, int32_t given) const {
  if (mutant(Mutant::R3WrapperIgnoresSource)) return true;
  const CodeInstrumentation& c = codes_[o.code.value];
  // The wrapper looks at the source it is given: unwrapped (R6), the instruction before.
  const int32_t src = mutant(Mutant::R3WrapperChecksReporter) ? o.offset : given;
  const bool moved = src != o.offset;
  int own = -1;
  switch (moved ? o.unwrappedSourceKind : o.branchSource) {
    case BranchSource::Unknown:
      return true;
    case BranchSource::ReportsLeft:
      own = eventBit_[static_cast<int>(Event::BranchLeft)];
      break;
    case BranchSource::ReportsRight:
      own = eventBit_[static_cast<int>(Event::BranchRight)];
      break;
    case BranchSource::NoBranch:
      break;
  }
  // LINE (where `src` is a line site, R3) and an installed INSTRUCTION count too.
  const int instruction = eventBit_[static_cast<int>(Event::Instruction)];
  uint8_t tools = c.instructionInstalled(instruction, src) ? uint8_t(1) : uint8_t(0);
  if (moved ? o.unwrappedLineSite : o.lineSite)
    tools |= c.siteTools(eventBit_[static_cast<int>(Event::Line)], src);
  if (own >= 0) tools |= c.siteTools(own, src);
  return tools != 0;
}

uint32_t Monitor::occurrenceRules(const Occurrence& o, int bit, uint32_t tools,
                                  const Frame& top) const {
  // R2: C_RETURN/C_RAISE come from the CALL instruction as it started: none if it was
  // not instrumented then; in single-tool code, the code's CALL tools (a DISABLE at
  // the site de-instruments it for later calls only).
  if (bitKind_[bit] == BitKind::CallSite && top.callOffset == o.offset) {
    if (!top.callInstrumented && !mutant(Mutant::R2DecidedAtFire)) return 0;
    const CodeInstrumentation& c = codes_[o.code.value];
    if (mutant(Mutant::R2SiteInSingleToolCode)) return tools;
    return c.multiTool() ? tools : c.activeTools(callBit_);
  }
  // R5: a branch reported after a frame below ran: its instruction as dispatched.
  if (top.dispatchSite == o.offset && top.dispatchEvent == o.event &&
      !mutant(Mutant::R5Dropped)) {
    if (!top.dispatchInstrumented) return 0;
    const CodeInstrumentation& c = codes_[o.code.value];
    return c.multiTool() ? tools : c.activeTools(bit);
  }
  // R1: the def line's LINE right after a RESUME that ran uninstrumented.
  if (o.event == Event::Line && o.lineAfterResume &&
      profile_->plainResumeHidesItsLine() && !top.resumeInstrumented &&
      !mutant(Mutant::R1Dropped))
    return 0;
  return tools;
}

bool Monitor::closeSkipsThrow(const Occurrence& o) const {
  if (!o.closeAtDepth1Yield || mutant(Mutant::R7Dropped)) return false;
  const int unwind = eventBit_[static_cast<int>(Event::PyUnwind)];
  const CodeInstrumentation& c = codes_[o.code.value];
  using Mode = VersionProfile::CloseShortcut;
  switch (profile_->closeShortcut()) {
    case Mode::Never:
      return false;
    case Mode::Always:
      return true;
    case Mode::UnlessGlobalUnwind:
      return globalTools_[unwind] == 0;
    case Mode::UnlessCodeUnwind: {
      const Frame* top = topFrameOf(o.code);
      return (top                    ? top->unwindAtEntry
              : c.everInstrumented() ? c.unwindTools()
                                     : globalTools_[unwind]) == 0;
    }
  }
  return false;
}

int32_t Monitor::branchSourceReported(const Occurrence& o) const {
  if (o.unwrappedSource < 0 || mutant(Mutant::R6Dropped)) return o.offset;
  const CodeInstrumentation& c = codes_[o.code.value];
  const int line = eventBit_[static_cast<int>(Event::Line)];
  const int instruction = eventBit_[static_cast<int>(Event::Instruction)];
  const bool wrapped = (o.lineSite && c.siteTools(line, o.offset)) ||
                       c.instructionInstalled(instruction, o.offset);
  return wrapped ? o.offset : o.unwrappedSource;
}

bool Monitor::forIterInstrumented(const CodeInstrumentation& c,
                                  const ForIterFacts& f) const {
  auto at = [&](Event e) {
    const int b = eventBit_[static_cast<int>(e)];
    return b < 0 ? uint8_t(0) : c.siteTools(b, f.site);
  };
  // 3.14+: BRANCH is BRANCH_LEFT|BRANCH_RIGHT, and only LEFT is reported by FOR_ITER.
  uint8_t tools = uint8_t(at(Event::Branch) | at(Event::BranchLeft));
  if (f.lineSite) tools |= at(Event::Line);
  return tools != 0 ||
         c.instructionInstalled(eventBit_[static_cast<int>(Event::Instruction)], f.site);
}

// R4 (behaviour §14.3): runs `site`'s warm-up for the execution the occurrence ends.
Monitor::ForIterEffect Monitor::forIterEffect(const Occurrence& o,
                                              ForIterSite& site) const {
  const ForIterFacts& f = o.forIter;
  const bool instrumented = forIterInstrumented(codes_[o.code.value], f);
  const bool counts = profile_->forIterStartCounts();
  ForIterEffect e;
  switch (f.end) {
    case ForIterEnd::None:
      break;
    case ForIterEnd::Start:
      if (o.event == Event::Instruction && mutant(Mutant::R4InstructionStartIgnored))
        break;
      site.noteStart(instrumented);
      break;
    case ForIterEnd::Next:
      site.execute(instrumented, f.generator, counts);
      break;
    case ForIterEnd::StopValue:
      e.drop = site.decideAhead(instrumented, f.generator, counts);
      break;
    case ForIterEnd::Exhausted:
      e.addStop = site.takeAhead() ? site.lastSpecialised()
                                   : site.execute(instrumented, f.generator, counts);
      break;
    case ForIterEnd::Raised:
      if (site.execute(instrumented, f.generator, counts) &&
          (!f.raisedAtStart || mutant(Mutant::R4GenStartRaiseMoves)))
        e.offset = profile_->forIterGenRaiseAt(f.site);
      break;
    case ForIterEnd::Unwind:
      if (site.lastSpecialised()) e.offset = profile_->forIterGenRaiseAt(f.site);
      break;
  }
  return e;
}

Outcome Monitor::onOccurrence(const Occurrence& o, CallbackPolicy& policy,
                              DeliverySink& sink) {
  // No events while a callback runs (§9.5): code called from a callback is not monitored.
  if (inCallback_)
    return [] {
      Dispatched d;
      d.suppressed = true;
      return d;
    }();
  const int bit = eventBit_[static_cast<int>(o.event)];
  if (bit < 0) return InvalidInput{"event does not exist in this version"};
  const DispatchScope scope(*this, policy, sink);  // for C API fires by callbacks
  if (o.code.value >= codes_.size() || codes_[o.code.value].frames == 0)
    return InvalidInput{"occurrence in a code object with no frame on the stack"};
  if (o.offset < 0) return InvalidInput{"negative offset"};
  // R7: close() skipped the throw into this frame: none of it happens.
  if (!stack_.empty() && stack_.back().code == o.code) {
    Frame& top = stack_.back();
    if (o.closeAtDepth1Yield && !top.closing && closeSkipsThrow(o)) top.closing = true;
    if (top.closing) return Dispatched{};
    // R8: this execution's INSTRUCTION after its LINE lost its last tool.
    const bool skip = o.event == Event::Instruction && top.skipInstructionAt == o.offset;
    top.skipInstructionAt = -1;
    if (skip) return Dispatched{};
  }
  const int lineBit = eventBit_[static_cast<int>(Event::Line)];
  const bool lineArmed =
      o.event == Event::Line && codes_[o.code.value].siteTools(lineBit, o.offset) != 0;
  // R4: a FOR_ITER execution that ran specialised for a generator.
  ForIterEffect fi;
  if (o.forIter.end != ForIterEnd::None) {
    fi = forIterEffect(o, codes_[o.code.value].forIter(o.forIter.site));
    if (fi.drop && !mutant(Mutant::GenStopKeepsRaise)) return Dispatched{};
  }
  uint32_t stopDeliveries = 0;
  if (fi.addStop) {
    Occurrence stop;
    stop.event =
        mutant(Mutant::GenExhaustionAsRaise) ? Event::Raise : Event::StopIteration;
    stop.code = o.code;
    stop.offset = o.forIter.endFor;
    stop.exception = "StopIteration";
    Outcome s = onOccurrence(stop, policy, sink);
    if (auto* d = std::get_if<Dispatched>(&s)) {
      if (d->raised) return s;  // the exit branch does not happen
      stopDeliveries = d->deliveries;
    }
    // 3.13: the generator returns to the instruction after the END_FOR, which the
    // generic FOR_ITER jumps over: only a specialised exhaustion runs (and reports) it.
    if (const int32_t at = profile_->forIterGenExitRunsAt(o.forIter.endFor);
        at >= 0 && !mutant(Mutant::R4GenExitInstructionDropped)) {
      Occurrence next;
      next.event = Event::Instruction;
      next.code = o.code;
      next.offset = at;
      Outcome n = onOccurrence(next, policy, sink);
      if (auto* d = std::get_if<Dispatched>(&n)) {
        stopDeliveries += d->deliveries;
        if (d->raised) {
          d->deliveries = stopDeliveries;  // the STOP_ITERATION's deliveries too
          return n;
        }
      }
    }
  }
  // The tool set is fixed now (§9.3); callables are read at each tool's turn.
  // Site events (the common case) read the site without the call.
  const CodeInstrumentation& ci = codes_[o.code.value];
  uint32_t tools =
      occurrenceTools(o, bit,
                      bitKind_[bit] == BitKind::Site ? ci.siteTools(bit, o.offset)
                                                     : dispatchTools(bit, ci, o.offset));
  // What the occurrence rules need to know later of the instruction starting now.
  if (!stack_.empty() && stack_.back().code == o.code) {
    Frame& top = stack_.back();
    top.dispatchSite = -1;  // R5: the dispatched instruction has reported
    if (o.event == Event::PyStart || o.event == Event::PyResume) {
      top.resumeInstrumented = tools != 0;
      codes_[o.code.value].noteResume(o.offset, tools != 0);
    } else if (o.event == Event::PyThrow) {
      // A throw into the frame leaves it at its RESUME without running it: the LINE
      // after it is hidden only if that RESUME has quickened itself (R1).
      const CodeInstrumentation& c = codes_[o.code.value];
      const int resume = eventBit_[static_cast<int>(Event::PyResume)];
      top.resumeInstrumented =
          c.siteTools(resume, o.offset) != 0 || !c.resumeQuickened(o.offset);
    } else if (o.event == Event::Call) {
      top.callOffset = o.offset;
      top.callInstrumented = tools != 0;
    }
  }
  uint32_t delivered = stopDeliveries;
  // The offset the callbacks are given, fixed as the event fires (R4, R6).
  const int32_t reportedAt = fi.offset               ? *fi.offset
                             : o.unwrappedSource < 0 ? o.offset
                                                     : branchSourceReported(o);
  // Builds the outcome only at the end: the hot path stays free of PyError storage.
  auto finish = [&](std::optional<PyError> raised) {
    Dispatched out;
    out.deliveries = delivered;
    out.raised = std::move(raised);
    return out;
  };
  // Mutant state (constant in the normal build): a second pass over the tools that
  // have the event both globally and locally; callables read up front; an exception
  // held back until the lower tools have run.
  uint32_t localPass = 0;
  if (mutant(Mutant::GlobalLocalTwice))
    localPass = tools & globalTools_[bit] & codes_[o.code.value].localTools(bit);
  std::optional<std::array<CallbackSlot, kDispatchToolCount>> early;  // one store
  if (mutant(Mutant::CallableSnapshotted)) {
    early.emplace();
    for (int t = 0; t < kDispatchToolCount; ++t) (*early)[t] = tools_[t].callbacks[bit];
  }
  std::optional<PyError> heldBack;
  // What every tool's call has in common; the loop fills in the tool's own part.
  Delivery d;
  d.event = o.event;
  d.code = o.code;
  d.offset = reportedAt;
  d.aux = o.aux;
  d.exception = o.exception;
  while (tools || localPass) {
    if (!tools) tools = std::exchange(localPass, 0);
    const int t = mutant(Mutant::LowestToolFirst)
                      ? std::countr_zero(tools)
                      : 31 - std::countl_zero(tools);  // highest tool id first (§9.2)
    tools &= ~(1u << t);
    d.tool = ToolId{t};
    d.callable = CallableId{};
    d.viaBranchWrapper = false;
    d.legacy = LegacyEvent::Call;
    d.result = CallbackResult::Returned;
    d.effects = {};
    if (isHookTool(t)) {
      CallbackAction action;
      switch (dispatchHook(t, o, d, policy, action)) {
        case HookResult::Silent:
          continue;
        case HookResult::Disable:
          codes_[o.code.value].disableAt(ToolId{t}, bit, o.offset);
          continue;
        case HookResult::Delivered:
          ++delivered;
          sink.onDelivery(d);
          continue;
        case HookResult::Raised:
          ++delivered;
          sink.onDelivery(d);
          return finish(
              PyError{std::string(action.raiseType), std::string(action.raiseMessage)});
      }
    }
    const CallbackSlot& slot =
        mutant(Mutant::CallableSnapshotted) ? (*early)[t] : tools_[t].callbacks[bit];
    if (!slot.callable) continue;  // unregistered (possibly by a higher tool's callback)
    d.callable = *slot.callable;
    d.viaBranchWrapper = slot.branchWrapper;
    if (slot.branchWrapper && !branchSourceInstrumented(o, reportedAt)) {
      // FINDINGS F6 / behaviour §10.3: the legacy BRANCH wrapper returns DISABLE
      // without calling the handler; that removes this direction for the tool.
      codes_[o.code.value].disableAt(ToolId{t}, bit, o.offset);
      continue;
    }
    inCallback_ = true;
    CallbackAction action = policy.onCallback(d);
    if (!action.calls.empty()) d.effects = applyEffects(action);  // most make none
    inCallback_ = false;
    ++delivered;
    if (mutant(Mutant::ToolSetNotSnapshotted))
      tools =
          occurrenceTools(o, bit, dispatchTools(bit, codes_[o.code.value], o.offset)) &
          ((1u << t) - 1);
    if (!action.raiseType.empty()) {
      // §9.4/§9.6: lower tools are not called; the exception propagates.
      d.result = CallbackResult::Raised;
      sink.onDelivery(d);
      if (mutant(Mutant::RaiseContinuesLoop)) {
        if (!heldBack)
          heldBack =
              PyError{std::string(action.raiseType), std::string(action.raiseMessage)};
        continue;
      }
      return finish(
          PyError{std::string(action.raiseType), std::string(action.raiseMessage)});
    }
    if (!action.disable) {
      sink.onDelivery(d);
      continue;
    }
    // codes_ may have grown during the callback: look the code up again.
    CodeInstrumentation& c = codes_[o.code.value];
    switch (disableEffect(*profile_, o.event)) {
      case DisableEffect::RemoveFromSite:
        // BRANCH (3.12/3.13) is one site for both directions; C_RETURN/C_RAISE
        // never get here (they reject DISABLE).
        if (mutant(Mutant::DisableAllToolsAtSite))
          for (int u = 0; u < kDispatchToolCount; ++u)
            c.disableAt(ToolId{u}, bit, o.offset);
        c.disableAt(ToolId{t}, bit, o.offset);
        d.result = CallbackResult::ReturnedDisable;
        break;
      case DisableEffect::ClearLocalBit:
        c.clearLocalBit(ToolId{t}, bit);
        d.result = CallbackResult::ReturnedDisable;
        break;
      case DisableEffect::RejectAndRemoveCallback:
        // §10.5/§10.6: the callback is deleted and the ValueError replaces the
        // exception in flight; dispatch stops.
        if (mutant(Mutant::NonLocalDisableIgnored)) break;
        if (!mutant(Mutant::RefusedDisableKeepsCallback))
          tools_[t].callbacks[bit] = CallbackSlot{};
        d.result = CallbackResult::DisableRejected;
        sink.onDelivery(d);
        if (mutant(Mutant::RefusedDisableContinuesLoop)) {
          if (!heldBack)
            heldBack = makeError(*profile_, Error::CannotDisable,
                                 nameField(profile_->name(o.event)));
          continue;
        }
        return finish(makeError(*profile_, Error::CannotDisable,
                                nameField(profile_->name(o.event))));
    }
    sink.onDelivery(d);
  }
  // R8: de-instrumenting the LINE (no tool left at the site) makes the interpreter run
  // the bare instruction this once, without its INSTRUCTION instrumentation.
  if (lineArmed && codes_[o.code.value].siteTools(lineBit, o.offset) == 0 &&
      !stack_.empty() && stack_.back().code == o.code && !mutant(Mutant::R8Dropped))
    stack_.back().skipInstructionAt = o.offset;
  return finish(std::move(heldBack));
}

}  // namespace monsim
