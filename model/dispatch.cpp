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
#include "model/dispatch_loop.h"
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
  return outcomeOf(dispatchOccurrence(o, policy, sink));
}

Outcome Monitor::outcomeOf(const Replayed& r) {
  if (r.invalid) return InvalidInput{r.invalid};
  Dispatched d;
  d.deliveries = r.deliveries;
  d.suppressed = r.suppressed;
  if (r.raised) d.raised = takeRaised();
  return d;
}

}  // namespace monsim
