// Compact event records on real interpreters (PROTOCOL §4.5): every program scenario of
// the suite, run by one worker with and without options.compact_events, gives the same
// trace once the driver has expanded the compact records. Missing interpreters skip.
#include <gtest/gtest.h>

#include <algorithm>

#include "interpreter/oracle_driver.h"
#include "scenario/loader.h"
#include "tests/live_interpreters.h"

namespace monsim::harness {
namespace {

using nlohmann::json;

class CompactEventsLive : public ::testing::TestWithParam<PyVersion> {};

TEST_P(CompactEventsLive, ExpandedTracesEqualThoseWithoutTheOption) {
  const auto interp = live::interpreterFor(GetParam());
  if (!interp) GTEST_SKIP() << live::missingMessage(GetParam());
  OracleWorker w(*interp);
  std::string why;
  const auto hello = w.hello(&why);
  ASSERT_TRUE(hello) << why;
  const json caps = hello->value("capabilities", json::object());
  if (!caps.value("compact_events", false))
    GTEST_SKIP() << interp->id << " does not offer compact_events";
  std::vector<Diagnostic> missing;
  int compared = 0, events = 0;
  for (const std::string& file :
       findScenarioFiles({sourceRoot() + "/spec/scenarios"}, missing)) {
    const LoadResult l = loadScenarioFile(file);
    ASSERT_TRUE(l.scenario) << file;
    const Scenario& s = *l.scenario;
    if (s.kind != Scenario::Kind::Program || s.outcome ||
        std::any_of(s.requires_.begin(), s.requires_.end(),
                    [&](const std::string& c) { return !caps.value(c, false); }))
      continue;
    for (const bool probe : {true, false}) {
      json options = runOptions(s, probe);
      // The driver adds the option a hello offers unless the caller chose.
      const RunOutcome with = w.run(s.oracle, options);
      options["compact_events"] = false;
      const RunOutcome without = w.run(s.oracle, options);
      ASSERT_EQ(with.kind, without.kind) << file << ": " << with.detail << without.detail;
      if (with.kind != RunOutcome::Kind::Result) continue;
      json a = with.message["trace"], b = without.message["trace"];
      // Runs that vary on their own (PROTOCOL §7) are not compared.
      if (a["variable"].dump().find("threads") != std::string::npos ||
          a["variable"].dump().find("gc_timing") != std::string::npos)
        continue;
      ++compared;
      for (const json& r : a["records"]) events += r.value("kind", "") == "event";
      EXPECT_EQ(a, b) << interp->id << " " << file
                      << (probe ? " probe on" : " probe off");
    }
  }
  EXPECT_GT(compared, 100) << interp->id;
  EXPECT_GT(events, 1000) << interp->id;
  w.stop();
}

INSTANTIATE_TEST_SUITE_P(Versions, CompactEventsLive, live::allVersions(),
                         live::versionTestName);

}  // namespace
}  // namespace monsim::harness
