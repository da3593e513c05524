#pragma once
// Two interpreters' raw event streams for one scenario (the probe's records: every
// occurrence each emitted), aligned per occurrence: what one emits that the other does
// not, where. For `monsim diff` (is pyodide's 3.12.1 the native 3.12.1? what changed
// between 3.12.1 and 3.12.7?).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/trace.h"

namespace monsim::harness {

// One occurrence as both sides can name it: code ids are stable across interpreters
// (QUALNAME@FIRSTLINENO), offsets may differ by version (a difference of its own).
struct StreamEvent {
  Event event = Event::PyStart;
  std::string code;
  int64_t offset = 0;
  std::optional<int> line;
  std::string detail;  // the exception type, or the JUMP/BRANCH destination
  size_t record = 0;   // in its trace
  bool operator==(const StreamEvent& o) const {
    return event == o.event && code == o.code && offset == o.offset && line == o.line &&
           detail == o.detail;
  }
  std::string str() const;
};

// What of an event two versions are compared on.
struct StreamView {
  // false: offsets and destinations left out (0, no "to N"), to compare versions whose
  // compilers lay out the same code differently.
  bool offsets = true;
  // true: BRANCH_LEFT and BRANCH_RIGHT (3.14+) read as BRANCH (3.12, 3.13), to compare
  // across the renaming and see what else changed.
  bool branchAsOne = false;
  // The command-line flags that ask for this view (" --ignore-offsets …", or "").
  std::string flags() const;
};

// The probe's event records of a trace, in order, as `view` sees them.
std::vector<StreamEvent> eventStream(const Trace& t, StreamView view = {});

struct StreamDiff {
  size_t left = 0, right = 0, common = 0;  // events on each side, and paired
  std::vector<StreamEvent> onlyLeft, onlyRight;
  bool same() const { return onlyLeft.empty() && onlyRight.empty(); }
};

// A longest common subsequence of the two streams (greedy with a look-ahead beyond
// `maxCells` table cells), and what is left on either side.
StreamDiff diffStreams(const std::vector<StreamEvent>& left,
                       const std::vector<StreamEvent>& right,
                       size_t maxCells = 16u << 20);

}  // namespace monsim::harness
