// Recording on every interpreter found: trace structure, determinism (the same
// scenario twice gives the same trace) and observer independence (the probe
// tool does not change what scenario tools receive). Missing interpreters skip.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "interpreter/compact_events.h"
#include "interpreter/oracle_driver.h"
#include "tests/live_interpreters.h"

namespace monsim::harness {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<json> examples() {
  std::vector<json> out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(sourceRoot() + "/oracle/examples"))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) out.push_back(json::parse(std::ifstream(f)));
  return out;
}

// What scenario tools saw, without the probe's raw events.
json observed(const json& trace) {
  json out = json::array();
  for (const auto& r : trace["records"])
    if (r["kind"] != "event") out.push_back(r);
  return out;
}

class OracleLive : public ::testing::TestWithParam<PyVersion> {
 protected:
  void SetUp() override {
    interp_ = live::interpreterFor(GetParam());
    if (!interp_) GTEST_SKIP() << live::missingMessage(GetParam());
  }

  // The trace with its compact events as objects (PROTOCOL §4.5).
  json record(OracleWorker& w, const json& scenario, bool probe) {
    auto r = w.run(scenario, {{"probe", probe}});
    EXPECT_EQ(r.kind, RunOutcome::Kind::Result)
        << interp_->id << " " << scenario["id"] << ": " << r.detail << r.message.dump();
    EXPECT_EQ(expandCompactEvents(r.message), std::nullopt);
    return r.message.value("trace", json::object());
  }

  std::optional<Interpreter> interp_;
};

TEST_P(OracleLive, TracesAreWellFormed) {
  OracleWorker w(*interp_);
  const std::set<std::string> kinds{"api",      "step", "step_end", "event",
                                    "delivery", "load", "legacy"};
  for (const auto& s : examples()) {
    const json t = record(w, s, true);
    ASSERT_TRUE(t.contains("records") && t.contains("codes")) << s["id"];
    int steps = 0, ends = 0, events = 0;
    for (const auto& r : t["records"]) {
      const std::string kind = r.value("kind", "");
      EXPECT_TRUE(kinds.count(kind) || kind.rfind("x-", 0) == 0)
          << s["id"] << ": kind " << kind;
      if (r.contains("code") && r["code"].is_string()) {
        EXPECT_TRUE(t["codes"].contains(r["code"].get<std::string>()))
            << s["id"] << ": unknown code " << r["code"];
      }
      steps += kind == "step";
      ends += kind == "step_end";
      events += kind == "event";
    }
    EXPECT_EQ(steps, static_cast<int>(s["steps"].size())) << s["id"];
    EXPECT_LE(ends, steps) << s["id"];
    EXPECT_GT(events, 0) << s["id"] << ": the probe saw nothing";
    // No object identity in a trace.
    EXPECT_EQ(t.dump().find(" at 0x"), std::string::npos) << s["id"];
  }
}

TEST_P(OracleLive, RecordingTwiceGivesTheSameTrace) {
  OracleWorker w(*interp_);
  for (const auto& s : examples()) {
    const json a = record(w, s, true);
    const json b = record(w, s, true);
    EXPECT_EQ(a["records"], b["records"]) << interp_->id << " " << s["id"];
    EXPECT_EQ(a["codes"], b["codes"]) << interp_->id << " " << s["id"];
  }
}

// Whether the example documents a CPython observer effect on this version
// (meta.observer_dependent: a reason for every version, or {versions, why}).
bool observerDependent(const json& s, PyVersion v) {
  const json meta = s.value("meta", json::object());
  if (!meta.contains("observer_dependent")) return false;
  const json& od = meta["observer_dependent"];
  if (!od.is_object()) return true;
  for (const auto& ver : od.value("versions", json::array()))
    if (parseVersion(ver.get<std::string>()) == v) return true;
  return false;
}

TEST_P(OracleLive, ProbeDoesNotChangeDeliveries) {
  OracleWorker w(*interp_);
  for (const auto& s : examples()) {
    const json with = record(w, s, true);
    const json without = record(w, s, false);
    for (const auto& r : without["records"]) EXPECT_NE(r["kind"], "event") << s["id"];
    if (observerDependent(s, GetParam())) {
      // A documented interpreter observer effect must still reproduce, or the
      // example (and the finding) is stale.
      EXPECT_NE(observed(with), observed(without)) << interp_->id << " " << s["id"];
    } else {
      EXPECT_EQ(observed(with), observed(without)) << interp_->id << " " << s["id"];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, OracleLive, live::allVersions(),
                         live::versionTestName);

}  // namespace
}  // namespace monsim::harness
