#pragma once
// The dispatch loop of one occurrence (behaviour §9): the tool set fixed at the start,
// highest id first, each callable read at its turn, a raising callback ending the loop,
// what a DISABLE does to the site (§10). A template over the policy and sink: step()
// instantiates it for the virtual interfaces (model/dispatch.cpp); a replay with
// concrete final ones (Monitor::replay) gets their calls inlined.
#include <array>
#include <bit>
#include <optional>
#include <utility>

#include "model/branchless.h"
#include "model/disable.h"
#include "model/error_format.h"
#include "model/monitor.h"
#include "model/mutant.h"

namespace monsim {

template <class Policy, class Sink>
Monitor::Replayed Monitor::dispatchOccurrence(const Occurrence& o, Policy& policy,
                                              Sink& sink) {
  // No events while a callback runs (§9.5): code called from a callback is not monitored.
  if (inCallback_) return Replayed{.suppressed = true};
  const int bit = eventBit_[static_cast<int>(o.event)];
  if (bit < 0) return Replayed{.invalid = "event does not exist in this version"};
  if (o.code.value >= codes_.size() || codes_[o.code.value].frames == 0)
    return Replayed{.invalid = "occurrence in a code object with no frame on the stack"};
  if (o.offset < 0) return Replayed{.invalid = "negative offset"};
  // R7: close() skipped the throw into this frame: none of it happens.
  if (!stack_.empty() && stack_.back().code == o.code) {
    Frame& top = stack_.back();
    if (o.closeAtDepth1Yield && !top.closing && closeSkipsThrow(o)) top.closing = true;
    if (top.closing) return Replayed{};
    // R8: this execution's INSTRUCTION after its LINE lost its last tool.
    const bool skip = o.event == Event::Instruction && top.skipInstructionAt == o.offset;
    top.skipInstructionAt = -1;
    if (skip) return Replayed{};
  }
  // R8: whether the occurrence is a LINE whose site has tools as it starts. Read here
  // before R4's dispatches; without them, from the site's tools read below (no branch
  // on the event: which event comes is data to the branch predictor).
  const int lineBit = eventBit_[static_cast<int>(Event::Line)];
  const bool r4 = o.forIter.end != ForIterEnd::None;
  bool lineArmed = r4 && o.event == Event::Line &&
                   codes_[o.code.value].siteTools(lineBit, o.offset) != 0;
  // R4: a FOR_ITER execution that ran specialised for a generator.
  ForIterEffect fi;
  if (r4) {
    fi = forIterEffect(o, codes_[o.code.value].forIter(o.forIter.site));
    if (fi.drop && !mutant(Mutant::GenStopKeepsRaise)) return Replayed{};
  }
  uint32_t stopDeliveries = 0;
  if (fi.addStop) {
    Occurrence stop;
    stop.event =
        mutant(Mutant::GenExhaustionAsRaise) ? Event::Raise : Event::StopIteration;
    stop.code = o.code;
    stop.offset = o.forIter.endFor;
    stop.exception = "StopIteration";
    const Replayed s = dispatchOccurrence(stop, policy, sink);
    if (s.raised) return s;  // the exit branch does not happen
    stopDeliveries = s.deliveries;
    // 3.13: the generator returns to the instruction after the END_FOR, which the
    // generic FOR_ITER jumps over: only a specialised exhaustion runs (and reports) it.
    if (const int32_t at = profile_->forIterGenExitRunsAt(o.forIter.endFor);
        at >= 0 && !mutant(Mutant::R4GenExitInstructionDropped)) {
      Occurrence next;
      next.event = Event::Instruction;
      next.code = o.code;
      next.offset = at;
      Replayed n = dispatchOccurrence(next, policy, sink);
      stopDeliveries += n.deliveries;
      if (n.raised) {
        n.deliveries = stopDeliveries;  // the STOP_ITERATION's deliveries too
        return n;
      }
    }
  }
  // The tool set is fixed now (§9.3); callables are read at each tool's turn.
  // Site events (the common case) read the site without the call.
  // Site events (the common case) read the site without the call, and of the
  // occurrence rules only R5 and R1 can apply to them: one branch on the kind.
  const CodeInstrumentation& ci = codes_[o.code.value];
  uint32_t tools;
  if (bitKind_[bit] == BitKind::Site) {
    const uint32_t atSite = ci.siteTools(bit, o.offset);
    if (!r4) lineArmed = (o.event == Event::Line) & (atSite != 0);  // bit is lineBit
    tools = occurrenceTools(o, bit, atSite);
  } else {
    tools = occurrenceTools(o, bit, dispatchTools(bit, ci, o.offset));
  }
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
    }
    // Selected, not branched on: which event comes is data to the branch predictor.
    const bool isCall = o.event == Event::Call;
    top.callOffset = choose(isCall, o.offset, top.callOffset);
    top.callInstrumented = choose(isCall, tools != 0, top.callInstrumented);
  }
  uint32_t delivered = stopDeliveries;
  if (!tools && !mutant(Mutant::GlobalLocalTwice))  // nothing to call (the common case)
    return Replayed{.deliveries = delivered};
  // The offset the callbacks are given, fixed as the event fires (R4, R6).
  const int32_t reportedAt = fi.offset               ? *fi.offset
                             : o.unwrappedSource < 0 ? o.offset
                                                     : branchSourceReported(o);
  // An exception is stored aside (raised_) only when one is raised: the hot path
  // keeps no PyError on its stack.
  auto raise = [&](PyError e) {
    raised_ = std::move(e);
    return Replayed{.deliveries = delivered, .raised = true};
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
  bool heldBack = false;  // raised_ has it
  // A DISABLE, an API call or a hook ran: only then may the LINE site have lost its
  // last tool (R8). Tested first, so the test of lineArmed (which follows the event)
  // is not made for most occurrences.
  bool siteMayChange = false;
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
      siteMayChange = true;
      const DispatchScope scope(*this, policy, sink);  // for C API fires it makes
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
          return raise(
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
      siteMayChange = true;
      continue;
    }
    inCallback_ = true;
    CallbackAction action = policy.onCallback(d);
    if (!action.calls.empty()) {                       // most make none
      const DispatchScope scope(*this, policy, sink);  // for C API fires among them
      d.effects = applyEffects(action);
      siteMayChange = true;
    }
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
        if (!std::exchange(heldBack, true))
          raised_ =
              PyError{std::string(action.raiseType), std::string(action.raiseMessage)};
        continue;
      }
      return raise(
          PyError{std::string(action.raiseType), std::string(action.raiseMessage)});
    }
    if (!action.disable) {
      sink.onDelivery(d);
      continue;
    }
    siteMayChange = true;
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
          if (!std::exchange(heldBack, true))
            raised_ = makeError(*profile_, spec::Error::CannotDisable,
                                nameField(profile_->name(o.event)));
          continue;
        }
        return raise(makeError(*profile_, spec::Error::CannotDisable,
                               nameField(profile_->name(o.event))));
    }
    sink.onDelivery(d);
  }
  // R8: de-instrumenting the LINE (no tool left at the site) makes the interpreter run
  // the bare instruction this once, without its INSTRUCTION instrumentation.
  if (siteMayChange && lineArmed &&
      codes_[o.code.value].siteTools(lineBit, o.offset) == 0 && !stack_.empty() &&
      stack_.back().code == o.code && !mutant(Mutant::R8Dropped))
    stack_.back().skipInstructionAt = o.offset;
  return Replayed{.deliveries = delivered, .raised = heldBack};
}

}  // namespace monsim
