#pragma once
// What the harness tells the model about a recorded occurrence beyond (event, code,
// offset): the facts the occurrence rules read (behaviour §14.3), from the code's
// instructions (oracle `codes.*.instructions`, read once per code object) and from
// the frames around the occurrence in the probe-on stream.
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "interpreter/trace.h"
#include "model/input.h"
#include "model/version_profile.h"

namespace monsim::harness {

class OccurrenceFacts {
 public:
  OccurrenceFacts(const Trace& t, const VersionProfile& p);

  // Fills the facts of an occurrence record whose frame is the innermost of `depth`
  // frames. Called once per occurrence, in order (it follows the frames).
  void fill(const TraceRecord& rec, size_t depth, Occurrence& o);
  // R5: the branch the caller reports after the frame entered at record `index`,
  // when the caller's instruction runs that frame (-1: none).
  std::pair<int32_t, Event> callerBranch(size_t index) const;

 private:
  ForIterFacts forIterFacts(const TraceRecord& rec, bool generatorBelow,
                            bool raisedAtStart) const;

  const Trace& t_;
  const VersionProfile& p_;
  std::vector<size_t> nextInCaller_;  // per frame-entry record: the caller's next event
  // R1, per frame depth: the line of the RESUME the frame last entered at (its
  // PY_START, PY_RESUME or PY_THROW), and whether a LINE came since.
  struct Entry {
    std::optional<int> line;
    bool lineSince = true;
  };
  std::vector<Entry> entry_;
  std::vector<bool> genBelow_;  // R4, per frame depth: a generator frame ran below it
  std::vector<bool> genStartRaised_;  // R4: that frame raised at its RESUME
};

}  // namespace monsim::harness
