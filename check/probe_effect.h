#pragma once
// What the probe changes, as the model sees it: the model predicts the run with the
// probe and the run without it from the same raw stream, so where the two predictions
// differ for a scenario tool, the reasons on each side name the rule that makes a
// passive extra tool change what that tool receives (behaviour §14).
#include <cstddef>
#include <string>
#include <vector>

#include "check/replay.h"
#include "interpreter/trace.h"

namespace monsim::harness {

// One difference between the predictions: (record, tool) delivered in one run only,
// or with another result or offset; each side's reason is the model rule behind it.
struct ProbeEffect {
  size_t record = 0;
  int tool = -1;
  Event event = Event::PyStart;
  std::string code;
  int64_t offset = 0;
  bool withProbe = false, alone = false;  // delivered in that run
  int64_t offsetAlone = 0;                // both delivered: each run's offset
  Reason whyWithProbe = Reason::NotSet, whyAlone = Reason::NotSet;
  std::string text() const;  // one line
};

struct ProbeComparison {
  // The probe-on record from which the run without the probe takes another path: the
  // first occurrence where a scenario callback raises in one prediction and not in the
  // other (the program's control flow changes there, so the probe-on stream no longer
  // describes the other run). kNoRecord: the same path throughout.
  size_t split = kNoRecord;
  std::vector<ProbeEffect> effects;  // up to `split`, in record order
};
ProbeComparison compareProbeRuns(const Prediction& withProbe, const Prediction& alone);

}  // namespace monsim::harness
