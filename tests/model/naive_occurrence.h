#pragma once
// The naive reference's view of the occurrence rules R3–R8 (behaviour §14.3): the
// facts a harness attaches to an occurrence, and one FOR_ITER's specialisation (R4)
// answered from the log of its executions (the model keeps CPython's adaptive counter,
// model/for_iter.h).
#include <cstdint>
#include <vector>

namespace monsim::naive {

// What the harness knows about an occurrence beyond (event, code, offset), spelled out
// for the reference. forIterEnd: 0 none, 1 start, 2 next, 3 exhausted, 4 stop value,
// 5 raised, 6 unwind.
struct Facts {
  int forIterEnd = 0;
  int32_t forIterSite = -1, endFor = -1;
  bool forIterLineSite = false, generator = false;
  // 5: the generator raised before its RESUME ran (a trace function raising at its
  // 'call'): the generic FOR_ITER's location, specialised or not.
  bool raisedAtStart = false;
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

// R4, stated over one FOR_ITER's executions rather than its adaptive counter. An
// execution is blocked when a tool instruments the FOR_ITER then (3.12: or an
// instrumented LINE/INSTRUCTION started it). A blocked execution runs generic. In a run
// of unblocked executions, the first runs generic (warm-up); the second specialises for
// its kind (generator or not); after a specialisation an execution of that kind hits,
// one of the other kind misses and runs generic, and the 53rd miss since the
// specialisation specialises again, for its own kind.
struct ForIterExecution {
  bool blocked = false, generator = false;
};
struct ForIter {
  std::vector<ForIterExecution> executions;
  bool startInstrumented = false;  // an instrumented start since the last execution
  bool ahead = false;              // the RAISE(StopIteration) decided the exit already
  bool last = false;               // the latest execution ran FOR_ITER_GEN
};
// Whether execution k ran specialised for a generator (FOR_ITER_GEN).
inline bool ranForGenerator(const std::vector<ForIterExecution>& x, size_t k) {
  if (x[k].blocked) return false;
  size_t first = k;
  while (first > 0 && !x[first - 1].blocked) --first;
  if (k == first) return false;  // warm-up
  bool forGenerator = x[first + 1].generator;
  bool hit = true;  // execution first + 1 specialises for its own kind
  int misses = 0;
  for (size_t i = first + 2; i <= k; ++i) {
    hit = x[i].generator == forGenerator;
    if (hit) continue;
    if (++misses == 53) {
      forGenerator = x[i].generator;
      misses = 0;
      hit = true;
    }
  }
  return hit && forGenerator;
}
// One execution ends: logged, and whether it ran FOR_ITER_GEN.
inline bool runForIter(ForIter& f, bool instrumented, bool generator, bool startCounts) {
  f.executions.push_back(
      {instrumented || (!startCounts && f.startInstrumented), generator});
  f.startInstrumented = false;
  return f.last = ranForGenerator(f.executions, f.executions.size() - 1);
}

}  // namespace monsim::naive
