#pragma once
// The naive reference's view of the occurrence rules R3–R8 (behaviour §14.3): the
// facts a harness attaches to an occurrence, and one FOR_ITER's adaptive warm-up (R4),
// written out apart from the model's model/for_iter.h.
#include <cstdint>

namespace monsim::naive {

// What the harness knows about an occurrence beyond (event, code, offset), spelled out
// for the reference. forIterEnd: 0 none, 1 start, 2 next, 3 exhausted, 4 stop value,
// 5 raised, 6 unwind.
struct Facts {
  int forIterEnd = 0;
  int32_t forIterSite = -1, endFor = -1;
  bool forIterLineSite = false, generator = false;
  int32_t unwrappedSource = -1;
  bool lineSite = true;
  bool closeAtDepth1Yield = false;
  // R3 (FINDINGS F6): the event the branch's source instruction reports itself:
  // 0 unknown (no check), 1 BRANCH_LEFT, 2 BRANCH_RIGHT, 3 neither.
  int branchSource = 0;
  // The same two facts of the instruction at `unwrappedSource` (R3 checks the source
  // the wrapper is given).
  int unwrappedSourceKind = 0;
  bool unwrappedLineSite = true;
};

// R4: one FOR_ITER's adaptive state.
struct ForIter {
  int counter = 1;  // warm-up 1, cool-down 52
  int spec = 0;     // 0 none, 1 generator, 2 other
  bool wasBlocked = false, startInstr = false, ahead = false, last = false;
};
inline bool runForIter(ForIter& f, bool instrumented, bool generator, bool startCounts) {
  const bool blocked = instrumented || (!startCounts && f.startInstr);
  f.startInstr = false;
  if (blocked) {
    f.spec = 0;
    f.wasBlocked = true;
    return f.last = false;
  }
  if (f.wasBlocked) {
    f.counter = 1;
    f.wasBlocked = false;
  }
  if ((f.spec == 1 && generator) || (f.spec == 2 && !generator))
    return f.last = f.spec == 1;
  if (f.counter > 0) {
    --f.counter;
    return f.last = false;
  }
  f.spec = generator ? 1 : 2;
  f.counter = 52;
  return f.last = generator;
}

}  // namespace monsim::naive
