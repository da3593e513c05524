// Compact event records on real interpreters (PROTOCOL §4.5): every program scenario of
// the suite gives, with options.compact_events, the typed records (traceFromJson) and,
// expanded, the trace it gives without (runs that vary on their own aside). Missing
// interpreters skip.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "interpreter/compact_events.h"
#include "interpreter/oracle_driver.h"
#include "interpreter/trace.h"
#include "scenario/loader.h"
#include "tests/live_interpreters.h"

namespace monsim::harness {
namespace {

using nlohmann::json;

class CompactEventsLive : public ::testing::TestWithParam<PyVersion> {};

TEST_P(CompactEventsLive, TypedAndExpandedTracesEqualThoseWithoutTheOption) {
  const auto interp = live::interpreterFor(GetParam());
  if (!interp) GTEST_SKIP() << live::missingMessage(GetParam());
  setenv("PYTHONHASHSEED", "0", 1);  // the workers' set and dict orders alike
  // Two workers without the option tell a run's own variation (addresses, timings, a
  // process's first run) from a difference the option makes; the third has it.
  OracleWorker plain(*interp), again(*interp), compact(*interp);
  std::string why;
  const auto hello = compact.hello(&why);
  ASSERT_TRUE(hello) << why;
  const json caps = hello->value("capabilities", json::object());
  if (!caps.value("compact_events", false))
    GTEST_SKIP() << interp->id << " does not offer compact_events";
  std::vector<Diagnostic> missing;
  int compared = 0, varying = 0, arrays = 0;
  for (const std::string& file :
       findScenarioFiles({sourceRoot() + "/spec/scenarios"}, missing)) {
    const LoadResult l = loadScenarioFile(file);
    ASSERT_TRUE(l.scenario) << file;
    const Scenario& s = *l.scenario;
    // An audit hook outlives its run (PROTOCOL §8) and keeps what it is handed: the
    // frames the Python probe's sys._getframe calls hand it, and with them the locals
    // of later runs of its worker, which the C probe's frames are not.
    if (s.kind != Scenario::Kind::Program || s.outcome ||
        s.oracle.value("program", "").find("addaudithook") != std::string::npos ||
        std::any_of(s.requires_.begin(), s.requires_.end(),
                    [&](const std::string& c) { return !caps.value(c, false); }))
      continue;
    for (const bool probe : {true, false}) {
      json options = runOptions(s, probe);
      // The driver adds the option a hello offers unless the caller chose.
      RunOutcome with = compact.run(s.oracle, options);
      options["compact_events"] = false;
      const RunOutcome a = plain.run(s.oracle, options), b = again.run(s.oracle, options);
      const std::string where =
          interp->id + " " + file + (probe ? " probe on" : " probe off");
      if (a.kind != b.kind ||
          a.message.value("trace", json()) != b.message.value("trace", json())) {
        ++varying;
        continue;
      }
      // What a trace says may still differ between processes (PROTOCOL §7 `variable`:
      // the order of str-keyed sets where the hash seed is not fixed, as under pyodide)
      // is set aside when it does differ: two runs without the option may agree by
      // chance.
      const bool mayVary = a.kind == RunOutcome::Kind::Result &&
                           !traceFromJson(a.message["trace"]).variable.empty();
      if (mayVary &&
          (with.kind != a.kind || traceFromJson(with.message["trace"]).records !=
                                      traceFromJson(a.message["trace"]).records)) {
        ++varying;
        continue;
      }
      ASSERT_EQ(with.kind, a.kind) << where << ": " << with.detail << a.detail;
      if (a.kind != RunOutcome::Kind::Result) continue;
      ++compared;
      const json& t = with.message["trace"];
      json written = t;  // packed runs as the arrays the worker wrote
      unpackCompactRecords(written);
      for (const json& r : written["records"]) arrays += r.is_array();
      // What the checker reads: compact records typed straight from their packed runs.
      EXPECT_EQ(traceFromJson(t).records, traceFromJson(a.message["trace"]).records)
          << where;
      // What a worker without the option writes: the expansion.
      ASSERT_EQ(expandCompactEvents(with.message), std::nullopt) << where;
      EXPECT_EQ(with.message["trace"], a.message["trace"])
          << where << ": "
          << json::diff(with.message["trace"], a.message["trace"]).dump().substr(0, 2000);
    }
  }
  EXPECT_GT(compared, 300) << interp->id << " (" << varying << " varied on their own)";
  EXPECT_GT(arrays, 1000) << interp->id;
  std::printf("%s: %d runs compared, %d varied on their own, %d compact records\n",
              interp->id.c_str(), compared, varying, arrays);
}

INSTANTIATE_TEST_SUITE_P(Versions, CompactEventsLive, live::allVersions(),
                         live::versionTestName);

}  // namespace
}  // namespace monsim::harness
