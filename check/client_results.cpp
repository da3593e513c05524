#include "check/client_results.h"

#include <map>

#include "check/compare.h"
#include "check/expect.h"

namespace monsim::harness {
namespace {

// What a step's end says: "returned REPR" or "raised TYPE: MESSAGE".
std::map<int, std::string> outcomes(const Trace& t) {
  std::map<int, std::string> out;
  for (const SeenStep& s : seenSteps(t))
    out[s.step] =
        s.raised ? "raised " + *s.raised + (s.message.empty() ? "" : ": " + s.message)
                 : "returned " + s.resultRepr;
  return out;
}

}  // namespace

ClientResults compareClientResults(const Scenario& s, const Trace& unrecorded,
                                   const std::vector<RecordedRun>& recorded) {
  ClientResults r;
  if (!s.clients) return r;
  const std::map<int, std::string> bare = outcomes(unrecorded);
  for (const RecordedRun& run : recorded) {
    if (!run.trace) continue;
    const std::map<int, std::string> seen = outcomes(*run.trace);
    for (int step : s.clients->results) {
      const auto b = bare.find(step);
      const auto x = seen.find(step);
      const std::string want = b == bare.end() ? "did not end" : b->second;
      const std::string got = x == seen.end() ? "did not end" : x->second;
      ++r.compared;
      if (want != got)
        r.mismatches.push_back("step " + std::to_string(step) + " " + got + " " +
                               std::string(run.name) + ", but " + want +
                               " without recording");
    }
  }
  return r;
}

}  // namespace monsim::harness
