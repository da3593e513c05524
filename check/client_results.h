#pragma once
// A real client's own results (a scenario's `clients.results` steps: pstats counts,
// trace counts, a debugger's stops) must come out of the recorded runs as they come
// out of a run without any recording (oracle option `record: false`): else the
// recording, or the probe, changed what the client did.
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/trace.h"
#include "scenario/scenario.h"

namespace monsim::harness {

struct RecordedRun {
  const Trace* trace = nullptr;
  std::string_view name;  // "with the probe", "without the probe"
};

struct ClientResults {
  int compared = 0;                     // step outcomes compared, over the runs
  std::vector<std::string> mismatches;  // one line each: step, run, both outcomes
};

// The outcome of each `clients.results` step in every recorded run against the
// unrecorded run's.
ClientResults compareClientResults(const Scenario& s, const Trace& unrecorded,
                                   const std::vector<RecordedRun>& recorded);

}  // namespace monsim::harness
