// The trace invariants (check/invariants.h): each one catches a mutation of a
// hand-written trace that breaks it and accepts the narrowings it documents, and
// the suite's scenarios recorded on every interpreter found break none of them.
#include "check/invariants.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "check/check.h"
#include "interpreter/oracle_driver.h"
#include "scenario/expectations.h"
#include "scenario/loader.h"
#include "tests/live_interpreters.h"

namespace monsim::harness {
namespace {

using nlohmann::json;

constexpr int kProbe = 5;
const TraceValue kNone{TraceValue::Kind::Object, "NoneType", "None", {}, std::nullopt};
const TraceValue kDisable{TraceValue::Kind::Disable, "", "", {}, std::nullopt};
const TraceValue kKeyError{TraceValue::Kind::Exception, "KeyError", "", {}, std::nullopt};

TraceValue intValue(int v) {
  return {TraceValue::Kind::Object, "int", std::to_string(v), {}, std::nullopt};
}

// Builds a trace the way the oracle records it (oracle/PROTOCOL.md §4): the probe's
// `event` record, then the deliveries of that occurrence, highest tool id first.
class TraceBuilder {
 public:
  TraceBuilder() {
    t_.scenario = "synthetic";
    t_.probeTool = kProbe;
    t_.interpreter = {"cpython", "3.13.0", "linux", 0x30d00f0};
    t_.codes["f@1"] = TraceCode{"f@1", "f", 1, true, {}};
  }
  size_t add(TraceRecord r) {
    t_.records.push_back(std::move(r));
    return t_.records.size() - 1;
  }
  size_t event(const std::string& e, int offset) {
    TraceRecord r;
    r.kind = RecordKind::Event;
    r.event = eventNamed(e).value();
    r.code = "f@1";
    r.offset = offset;
    r.line = 1;
    r.depth = 1;
    return add(std::move(r));
  }
  size_t deliver(int tool, const TraceValue& returned = kNone) {
    TraceRecord d = t_.records[lastEvent()];
    d.depth.reset();
    d.kind = RecordKind::Delivery;
    d.tool = tool;
    d.callback = "tool";
    d.n = 1;
    d.returned = returned;
    d.outcome = returned.kind == TraceValue::Kind::Disable
                    ? CallbackOutcome::ReturnedDisable
                    : CallbackOutcome::Returned;
    return add(std::move(d));
  }
  // One occurrence, delivered to `tools` (highest first); `disabler` returns DISABLE.
  size_t occur(const std::string& e, int offset, std::vector<int> tools = {3, 2},
               int disabler = -1) {
    const size_t r = event(e, offset);
    for (int t : tools) deliver(t, t == disabler ? kDisable : kNone);
    return r;
  }
  void api(const std::string& fn, std::vector<TraceValue> args) {
    add(apiRecord(ApiCaller::Step, fn, std::move(args)));
  }
  static TraceRecord apiRecord(ApiCaller by, const std::string& fn,
                               std::vector<TraceValue> args) {
    TraceRecord r;
    r.kind = RecordKind::Api;
    r.by = by;
    r.fn = fn;
    r.args = std::move(args);
    r.result = kNone;
    r.plain = Literal{nullptr};
    return r;
  }
  Trace& trace() { return t_; }

 private:
  size_t lastEvent() const {
    for (size_t i = t_.records.size(); i-- > 0;)
      if (t_.records[i].kind == RecordKind::Event) return i;
    return 0;
  }
  Trace t_;
};

// Records of one call of f: PY_START, LINE at 2 and 8, PY_RETURN.
struct Call {
  size_t start, line2, line8, ret;
};
Call callF(TraceBuilder& b, std::vector<int> line2Tools, int disabler = -1) {
  Call c;
  c.start = b.occur("PY_START", 0);
  c.line2 = b.occur("LINE", 2, line2Tools, disabler);
  c.line8 = b.occur("LINE", 8);
  c.ret = b.occur("PY_RETURN", 10);
  return c;
}

// Tools 3 and 2 on PY_START|LINE|PY_RETURN; tool 2 DISABLEs the line at offset 2,
// which keeps firing for tool 3; restart_events() brings it back for tool 2.
struct Recorded {
  TraceBuilder b;
  Call first, second, third;
};
Recorded disableThenRestart() {
  Recorded r;
  r.first = callF(r.b, {3, 2}, 2);
  r.second = callF(r.b, {3});
  r.b.api("restart_events", {});
  r.third = callF(r.b, {3, 2});
  return r;
}

std::string report(const std::vector<InvariantViolation>& vs) {
  std::string s;
  for (const auto& v : vs) s += v.str() + "\n";
  return s;
}

// The violations of one invariant.
std::vector<InvariantViolation> named(const std::vector<InvariantViolation>& vs,
                                      Invariant invariant) {
  std::vector<InvariantViolation> out;
  std::copy_if(vs.begin(), vs.end(), std::back_inserter(out),
               [&](const auto& v) { return v.invariant == invariant; });
  return out;
}

TEST(Invariants, AWellFormedTraceHasNoViolation) {
  Recorded r = disableThenRestart();
  EXPECT_EQ(report(checkInvariants(r.b.trace())), "");
}

TEST(Invariants, FireOnceCatchesADuplicatedDelivery) {
  Recorded r = disableThenRestart();
  auto& recs = r.b.trace().records;
  recs.insert(recs.begin() + r.first.line8 + 2, recs[r.first.line8 + 1]);
  const auto vs = named(checkInvariants(r.b.trace()), Invariant::FireOnce);
  ASSERT_EQ(vs.size(), 1u) << report(vs);
  EXPECT_EQ(vs[0].record, r.first.line8 + 2);
  EXPECT_NE(vs[0].message.find("tool 3 got its LINE callback twice"), std::string::npos)
      << vs[0].message;
}

TEST(Invariants, DisableLocalityCatchesAnotherToolLosingTheSite) {
  Recorded r = disableThenRestart();
  auto& recs = r.b.trace().records;
  recs.erase(recs.begin() + r.second.line2 + 1);  // tool 3's LINE after tool 2's DISABLE
  const auto vs = checkInvariants(r.b.trace());
  const auto loc = named(vs, Invariant::DisableLocality);
  ASSERT_EQ(loc.size(), 1u) << report(vs);
  EXPECT_EQ(loc[0].record, r.second.line2);
  EXPECT_NE(loc[0].message.find("tool 3 received LINE in f@1 at offset 2"),
            std::string::npos)
      << loc[0].message;
  EXPECT_NE(loc[0].message.find("tool 2 returned DISABLE for LINE in f@1 at offset 2"),
            std::string::npos)
      << loc[0].message;
}

TEST(Invariants, DisableLocalityCatchesTheToolLosingAnotherSite) {
  Recorded r = disableThenRestart();
  auto& recs = r.b.trace().records;
  recs.erase(recs.begin() + r.second.line8 + 2);  // tool 2's LINE at offset 8
  const auto vs = named(checkInvariants(r.b.trace()), Invariant::DisableLocality);
  ASSERT_EQ(vs.size(), 1u) << report(vs);
  EXPECT_EQ(vs[0].record, r.second.line8);
  EXPECT_NE(vs[0].message.find("tool 2 received LINE in f@1 at offset 8"),
            std::string::npos)
      << vs[0].message;
}

TEST(Invariants, DisableLocalityCatchesADisabledSiteFiringAgain) {
  Recorded r = disableThenRestart();
  auto& recs = r.b.trace().records;
  TraceRecord again = recs[r.second.line2 + 1];
  again.tool = 2;
  recs.insert(recs.begin() + r.second.line2 + 2, again);
  const auto vs = named(checkInvariants(r.b.trace()), Invariant::DisableLocality);
  ASSERT_EQ(vs.size(), 1u) << report(vs);
  EXPECT_EQ(vs[0].record, r.second.line2 + 2);
  EXPECT_NE(vs[0].message.find("receives the site again"), std::string::npos)
      << vs[0].message;
}

TEST(Invariants, DisableLocalityAllowsAnEventsChangeToReviveTheSite) {
  // FINDINGS F1/F3: re-instrumentation can revive a disabled site.
  TraceBuilder b;
  callF(b, {3, 2}, 2);
  b.api("set_events", {intValue(4), intValue(32)});
  callF(b, {3, 2});
  EXPECT_EQ(report(checkInvariants(b.trace())), "");
}

TEST(Invariants, StableDeliveryIgnoresToolsARaisingCallbackCutOff) {
  TraceBuilder b;
  callF(b, {3, 2});
  b.occur("PY_START", 0);
  b.event("LINE", 2);
  const size_t raised = b.deliver(3);
  b.trace().records[raised].returned.reset();
  b.trace().records[raised].raised = kKeyError;  // §9.4: tool 2 is not called
  b.trace().records[raised].outcome = CallbackOutcome::Raised;
  b.occur("RAISE", 2);
  b.occur("PY_UNWIND", 2);
  EXPECT_EQ(report(checkInvariants(b.trace())), "");
}

TEST(Invariants, StableDeliveryIgnoresAToolSwitchedOffByACallback) {
  TraceBuilder b;
  callF(b, {3, 2});
  b.event("PY_START", 0);
  const size_t d = b.deliver(3);
  b.deliver(2);  // §9.3: still called for this occurrence
  b.trace().records[d].calls = {TraceBuilder::apiRecord(ApiCaller::Callback, "set_events",
                                                        {intValue(2), intValue(0)})};
  b.occur("LINE", 2, {3});
  b.occur("LINE", 8, {3});
  b.occur("PY_RETURN", 10, {3});
  EXPECT_EQ(report(checkInvariants(b.trace())), "");
}

TEST(Invariants, StableDeliveryCatchesALostDeliveryWithoutDisable) {
  TraceBuilder b;
  callF(b, {3, 2});
  const Call c = callF(b, {3});
  const auto vs = checkInvariants(b.trace());
  ASSERT_EQ(vs.size(), 1u) << report(vs);
  EXPECT_EQ(vs[0].invariant, Invariant::StableDelivery);
  EXPECT_EQ(vs[0].record, c.line2);
}

TEST(Invariants, RestartRestoresCatchesADisabledSiteStayingOff) {
  Recorded r = disableThenRestart();
  auto& recs = r.b.trace().records;
  recs.erase(recs.begin() + r.third.line2 + 2);  // tool 2's LINE after the restart
  const auto vs = checkInvariants(r.b.trace());
  ASSERT_EQ(vs.size(), 1u) << report(vs);
  EXPECT_EQ(vs[0].invariant, Invariant::RestartRestores);
  EXPECT_EQ(vs[0].record, r.third.line2);
  EXPECT_NE(vs[0].message.find("tool 2 returned DISABLE for LINE in f@1 at offset 2"),
            std::string::npos)
      << vs[0].message;
}

TEST(Invariants, RestartRestoresAllowsTheToolToChangeItsEvents) {
  Recorded r = disableThenRestart();
  auto& recs = r.b.trace().records;
  recs.erase(recs.begin() + r.third.line2 + 2);
  const TraceRecord api = TraceBuilder::apiRecord(ApiCaller::Step, "set_events",
                                                  {intValue(2), intValue(1 | 4)});
  recs.insert(recs.begin() + r.third.start, api);
  const auto vs = checkInvariants(r.b.trace());
  EXPECT_TRUE(named(vs, Invariant::RestartRestores).empty()) << report(vs);
}

TEST(Invariants, BalancedCatchesADroppedPyReturn) {
  Recorded r = disableThenRestart();
  auto& recs = r.b.trace().records;
  recs.erase(recs.begin() + r.third.ret, recs.begin() + r.third.ret + 3);
  const auto vs = checkInvariants(r.b.trace());
  ASSERT_EQ(vs.size(), 1u) << report(vs);
  EXPECT_EQ(vs[0].invariant, Invariant::Balanced);
  EXPECT_NE(vs[0].message.find("f@1: 3 frame entries"), std::string::npos)
      << vs[0].message;
}

TEST(Invariants, BalancedCatchesAnExitBeforeItsEntry) {
  TraceBuilder b;
  const size_t ret = b.occur("PY_RETURN", 10);
  b.occur("PY_START", 0);
  const auto vs = checkInvariants(b.trace());
  ASSERT_EQ(vs.size(), 1u) << report(vs);
  EXPECT_EQ(vs[0].invariant, Invariant::Balanced);
  EXPECT_EQ(vs[0].record, ret);
}

TEST(Invariants, BalancedCatchesAnUnraisedHandledException) {
  TraceBuilder b;
  b.occur("PY_START", 0);
  const size_t handled = b.occur("EXCEPTION_HANDLED", 4, {});
  b.occur("PY_RETURN", 10);
  const auto vs = checkInvariants(b.trace());
  ASSERT_EQ(vs.size(), 1u) << report(vs);
  EXPECT_EQ(vs[0].invariant, Invariant::Balanced);
  EXPECT_EQ(vs[0].record, handled);
}

TEST(Invariants, BalancedSkipsTheEndOfATruncatedTrace) {
  TraceBuilder b;
  b.occur("PY_START", 0);
  b.trace().truncated = true;
  EXPECT_EQ(report(checkInvariants(b.trace())), "");
}

TEST(Invariants, QuietCallbacksCatchesAnEventReportedInsideACallback) {
  TraceBuilder b;
  b.occur("PY_START", 0);
  b.event("LINE", 2);
  const size_t d = b.deliver(3);
  TraceRecord action;
  action.kind = RecordKind::Action;
  TraceRecord inner;  // the program code the callback ran, reported to the probe
  inner.kind = RecordKind::Event;
  inner.event = Event::PyStart;
  inner.code = "f@1";
  b.trace().records[d].calls = {action, inner};
  b.occur("PY_RETURN", 10);
  const auto vs = named(checkInvariants(b.trace()), Invariant::QuietCallbacks);
  ASSERT_EQ(vs.size(), 1u) << report(checkInvariants(b.trace()));
  EXPECT_EQ(vs[0].record, d);
  // A C API fire is delivered inside callbacks (§13.4): not a violation.
  b.trace().records[d].calls[1].capi = true;
  EXPECT_TRUE(named(checkInvariants(b.trace()), Invariant::QuietCallbacks).empty());
}

// One record for MONSIM_INVARIANT_DUMP: the fields the invariants read.
std::string describe(const TraceRecord& r) {
  switch (r.kind) {
    case RecordKind::Event:
    case RecordKind::Delivery: {
      std::string s = r.kind == RecordKind::Event
                          ? "event "
                          : "delivery tool " + std::to_string(r.tool) + " ";
      s +=
          std::string(eventName(r.event)) + " " + r.code + ":" + std::to_string(r.offset);
      if (r.kind == RecordKind::Delivery)
        s += " -> " + std::string(outcomeName(r.outcome)) + ", " +
             std::to_string(r.calls.size()) + " call(s)";
      return s;
    }
    case RecordKind::Api:
      return "api " + std::string(callerName(r.by)) + " " + r.fn;
    default:
      return "other";
  }
}

// Every program scenario of the suite (a few seconds per interpreter);
// MONSIM_INVARIANT_SCENARIOS: a scenario file or folder to check instead, and
// MONSIM_INVARIANT_DUMP=1 prints the records of a violating trace.
std::vector<std::string> scenarioRoots() {
  if (const char* only = std::getenv("MONSIM_INVARIANT_SCENARIOS")) return {only};
  return {sourceRoot() + "/spec/scenarios"};
}

class InvariantsLive : public ::testing::TestWithParam<PyVersion> {};

TEST_P(InvariantsLive, SuiteTracesKeepEveryInvariant) {
  const auto interp = live::interpreterFor(GetParam());
  if (!interp) GTEST_SKIP() << live::missingMessage(GetParam());
  OracleWorker w(*interp);
  std::string why;
  const auto hello = w.hello(&why);
  ASSERT_TRUE(hello) << why;
  const json caps = hello->value("capabilities", json::object());
  const std::vector<std::string> roots = scenarioRoots();
  std::vector<Diagnostic> missing;
  std::string found;
  // Known deviations are checked too: what they deviate in is a verdict, and no
  // interpreter's trace breaks an invariant there either. Not checked, and counted:
  // hostile programs stated to end without a trace, and scenarios that need a
  // capability this interpreter lacks.
  int checked = 0, known = 0, hostile = 0, lacking = 0;
  std::vector<Diagnostic> expDiags;
  const auto expectations =
      loadExpectations(sourceRoot() + "/spec/expectations", expDiags);
  for (const std::string& file : findScenarioFiles(roots, missing)) {
    const LoadResult l = loadScenarioFile(file);
    ASSERT_TRUE(l.scenario) << file;
    const Scenario& s = *l.scenario;
    if (s.kind != Scenario::Kind::Program || !s.python.contains(GetParam())) continue;
    if (s.outcome && s.outcome->verdict != vocab::Verdict::Pass) {
      ++hostile;
      continue;
    }
    if (std::any_of(s.requires_.begin(), s.requires_.end(),
                    [&](const std::string& c) { return !caps.value(c, false); })) {
      ++lacking;
      continue;
    }
    auto record = [&](bool probe) -> std::optional<Trace> {
      const RunOutcome o = w.run(s.oracle, runOptions(s, probe));
      if (o.kind != RunOutcome::Kind::Result) return std::nullopt;
      return traceFromJson(o.message.value("trace", json::object()));
    };
    const auto on = record(true);
    if (!on) {
      found += s.id + ": the oracle run did not give a result\n";
      continue;
    }
    ++checked;
    known += findDeviation(expectations,
                           {interp->id, interp->implementation + "-" + interp->version},
                           s.id) != nullptr;
    for (const auto& v : checkInvariants(*on)) {
      found += s.id + " (" + s.file + "): " + v.str() + "\n";
      if (std::getenv("MONSIM_INVARIANT_DUMP"))
        for (size_t i = 0; i < on->records.size(); ++i)
          std::cerr << i << " " << describe(on->records[i]) << "\n";
    }
  }
  std::cout << "[ checked ] " << checked << " scenarios on " << interp->id << " ("
            << known << " of them known deviations); [ exempt ] " << hostile
            << " hostile without a trace, " << lacking << " lacking a capability\n";
  EXPECT_TRUE(missing.empty());
  // The whole suite, or the folder MONSIM_INVARIANT_SCENARIOS names.
  EXPECT_GT(checked, std::getenv("MONSIM_INVARIANT_SCENARIOS") ? 0 : 300);
  EXPECT_TRUE(expDiags.empty());
  EXPECT_EQ(found, "") << interp->id << ": " << checked << " scenarios checked";
}

// The first record at or after `from` that `pred` accepts.
template <typename Pred>
size_t findRecord(const Trace& t, size_t from, Pred pred) {
  for (size_t i = from; i < t.records.size(); ++i)
    if (pred(t.records[i])) return i;
  return kNoRecord;
}
bool isDelivery(const TraceRecord& r, int tool) {
  return r.kind == RecordKind::Delivery && r.tool == tool;
}

// The hand-written mutations, on traces a real interpreter recorded.
TEST_P(InvariantsLive, MutatedRealTracesBreakTheirInvariant) {
  const auto interp = live::interpreterFor(GetParam());
  if (!interp) GTEST_SKIP() << live::missingMessage(GetParam());
  OracleWorker w(*interp);
  auto scenario = [](const std::string& rel) {
    return *loadScenarioFile(sourceRoot() + "/spec/scenarios/" + rel).scenario;
  };
  auto record = [&](const Scenario& s, bool probe) {
    const RunOutcome o = w.run(s.oracle, runOptions(s, probe));
    EXPECT_EQ(o.kind, RunOutcome::Kind::Result) << s.id << ": " << o.detail;
    return traceFromJson(o.message.value("trace", json::object()));
  };
  auto expectCaught = [](const Scenario& s, const Trace& on, Invariant invariant,
                         const std::string& mutation) {
    const auto vs = checkInvariants(on);
    EXPECT_FALSE(named(vs, invariant).empty())
        << s.id << ", " << mutation << ": no " << invariantName(invariant)
        << " violation in\n"
        << report(vs);
  };

  // Tool 2 DISABLEs f1's PY_START, tool 3 keeps it.
  const Scenario two = scenario("disable/two-tools-one-disables.yaml");
  const Trace on = record(two, true);
  ASSERT_EQ(report(checkInvariants(on)), "");
  const size_t first =
      findRecord(on, 0, [](const TraceRecord& r) { return isDelivery(r, 3); });
  const size_t disable = findRecord(on, 0, [](const TraceRecord& r) {
    return isDelivery(r, 2) && r.outcome == CallbackOutcome::ReturnedDisable;
  });
  ASSERT_NE(disable, kNoRecord);
  const size_t later = findRecord(on, disable + 1, [&](const TraceRecord& r) {
    return isDelivery(r, 3) && r.code == on.records[disable].code;
  });
  ASSERT_NE(later, kNoRecord);
  Trace m = on;
  m.records.insert(m.records.begin() + first, m.records[first]);
  expectCaught(two, m, Invariant::FireOnce, "a delivery duplicated");
  m = on;
  m.records.erase(m.records.begin() + later);
  expectCaught(two, m, Invariant::DisableLocality,
               "tool 3's delivery after the DISABLE dropped");
  m = on;
  const size_t ret = findRecord(m, 0, [](const TraceRecord& r) {
    return r.kind == RecordKind::Event && r.event == Event::PyReturn;
  });
  ASSERT_NE(ret, kNoRecord);
  m.records.erase(m.records.begin() + ret);
  expectCaught(two, m, Invariant::Balanced, "a PY_RETURN dropped");

  // Tools 2 and 3 DISABLE f's PY_START; restart_events brings it back.
  const Scenario restart = scenario("restart/restart-reenables-every-tool.yaml");
  m = record(restart, true);
  ASSERT_EQ(report(checkInvariants(m)), "");
  const size_t api = findRecord(m, 0, [](const TraceRecord& r) {
    return r.kind == RecordKind::Api && r.fn == "restart_events";
  });
  ASSERT_NE(api, kNoRecord);
  const size_t back =
      findRecord(m, api, [](const TraceRecord& r) { return isDelivery(r, 2); });
  ASSERT_NE(back, kNoRecord);
  m.records.erase(m.records.begin() + back);
  expectCaught(restart, m, Invariant::RestartRestores,
               "tool 2's delivery after restart_events dropped");
}

INSTANTIATE_TEST_SUITE_P(Versions, InvariantsLive, live::allVersions(),
                         live::versionTestName);

}  // namespace
}  // namespace monsim::harness
