#pragma once
// FOR_ITER specialisation (behaviour §14.3 R4). A FOR_ITER that no tool instruments
// specialises after a warm-up; over a generator (FOR_ITER_GEN) the generator's frame
// is pushed inline, which changes what the looping frame reports: exhaustion becomes
// STOP_ITERATION at the END_FOR (no RAISE(StopIteration) at the FOR_ITER), and an
// exception from the generator is reported at another offset. An instrumented
// FOR_ITER (a tool with BRANCH / BRANCH_LEFT or INSTRUCTION there, or LINE where the
// FOR_ITER is a line site) never specialises. One ForIterSite per FOR_ITER executed.
#include <cstdint>

#include "model/mutant.h"

namespace monsim {

// What specialisation decided for one execution of the FOR_ITER.
class ForIterSite {
 public:
  explicit ForIterSite(int32_t offset) : offset_(offset) {}
  int32_t offset() const { return offset_; }

  // The LINE (a line site only) or INSTRUCTION before an execution: whether the site
  // was instrumented as the execution started (3.12: a DISABLE there counts from the
  // next one). The first of them tells: the LINE's callbacks may have unarmed it.
  void noteStart(bool instrumented) { startInstrumented_ |= instrumented; }
  // One execution ends: `instrumented` now, `generator` whether it iterated a
  // generator; `startCounts` false on 3.12 (see noteStart). Returns whether this
  // execution ran specialised for a generator (FOR_ITER_GEN).
  bool execute(bool instrumented, bool generator, bool startCounts);
  // The RAISE(StopIteration) before the exit branch decides for the branch too.
  bool decideAhead(bool instrumented, bool generator, bool startCounts) {
    ahead_ = true;
    return last_ = execute(instrumented, generator, startCounts);
  }
  bool takeAhead() {
    const bool had = ahead_;
    ahead_ = false;
    return had;
  }
  bool lastSpecialised() const { return last_; }

 private:
  // CPython's adaptive counter for the site: warm-up 1, cool-down 52 (pycore_code.h).
  static constexpr uint8_t kWarmup = 1, kCooldown = 52;
  enum class Spec : uint8_t { None, Generator, Other };
  int32_t offset_;
  uint8_t counter_ = kWarmup;
  Spec spec_ = Spec::None;
  bool blocked_ = false;  // instrumented at the previous execution
  bool startInstrumented_ = false;
  bool ahead_ = false;
  bool last_ = false;
};

inline bool ForIterSite::execute(bool instrumented, bool generator, bool startCounts) {
  const bool blocked = instrumented || (!startCounts && startInstrumented_);
  startInstrumented_ = false;
  if (blocked) {  // INSTRUMENTED_FOR_ITER (or behind LINE/INSTRUCTION): generic
    spec_ = Spec::None;
    blocked_ = true;
    return last_ = false;
  }
  if (blocked_) {  // de-instrumenting resets the warm-up
    counter_ = kWarmup;
    blocked_ = false;
  }
  if (spec_ == Spec::Generator && generator) return last_ = true;
  if (spec_ == Spec::Other && !generator) return last_ = false;
  // Warming up, or a miss of the other kind.
  if (counter_ > 0 && !(spec_ == Spec::None && mutant(Mutant::R4NoWarmup))) {
    --counter_;
    return last_ = false;
  }
  spec_ = generator ? Spec::Generator : Spec::Other;
  counter_ = kCooldown;
  return last_ = generator;
}

}  // namespace monsim
