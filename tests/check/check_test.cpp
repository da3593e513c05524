// The verdicts of one scenario on one interpreter (check/check.cpp): every detail ends
// with a newline, and `{$: events}` in a step result is the mask on the version checked,
// for program scenarios as for script scenarios; a real client's results must not
// change with the recording.
#include "check/check.h"

#include <gtest/gtest.h>

#include "interpreter/discovery.h"
#include "scenario/loader.h"
#include "tests/live_interpreters.h"

namespace monsim::harness {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

Scenario load(const std::string& yaml) {
  LoadResult r = loadScenarioText(yaml, "t.yaml");
  std::string diags;
  for (const Diagnostic& d : r.diagnostics) diags += d.str() + "\n";
  EXPECT_TRUE(r.scenario) << diags;
  return r.scenario.value_or(Scenario{});
}

const std::string kHead =
    "id: bad\n"  // the id the fake worker misbehaves on
    "description: d\n"
    "spec: \"behaviour §2.2\"\n"
    "features: [tools]\n"
    "level: must\n";

// tests/interpreter/fake/worker.py, passing for a 3.13 interpreter.
OracleWorker fakeWorker(const std::string& mode) {
  Interpreter in;
  in.id = "fake-" + mode;
  in.version = "3.13.0";
  in.command = {"python3", sourceRoot() + "/tests/interpreter/fake/worker.py", mode};
  OracleOptions o;
  o.workerScript = "--";
  o.runTimeout = 1500ms;
  o.startTimeout = 1500ms;
  return OracleWorker(in, o);
}

// `monsim check` prints a verdict line, then the detail: without the newline the next
// verdict is glued to it ("…segfault imminentfail: d1-…").
TEST(CheckResult, ErrorDetailEndsWithANewline) {
  const Scenario s = load(kHead + "program: \"x = 1\"\nsteps: []\n");
  for (const std::string mode : {"crash", "garbage"}) {
    OracleWorker w = fakeWorker(mode);
    const CheckResult r = checkOnInterpreter(s, w, CheckContext{});
    EXPECT_EQ(r.verdict, Verdict::Error) << mode << ": " << r.reason;
    ASSERT_FALSE(r.detail.empty()) << mode;
    EXPECT_EQ(r.detail.back(), '\n') << mode << ": " << r.detail;
    EXPECT_EQ(r.detail.find('\n'), r.detail.size() - 1) << "one newline: " << r.detail;
  }
}

// A stated outcome (hostile programs) is what the check's verdict is held to: met, the
// verdict is pass; missed, expect-fail naming what differs.
TEST(CheckResult, AStatedOutcomeIsPassWhenMetAndExpectFailWhenMissed) {
  const std::string body = "program: \"x = 1\"\nsteps: []\n";
  struct Case {
    std::string mode, outcome;
    Verdict want;
    std::string reasonHas;
  };
  const std::vector<Case> cases = {
      {"crash", "{verdict: error, error: crashed, says: segfault imminent}",
       Verdict::Pass, "got its stated outcome, error (crashed)"},
      {"crash", "{verdict: error, error: timeout}", Verdict::ExpectFail,
       "does not hold: the error is crashed"},
      {"crash", "{verdict: error, says: no such text}", Verdict::ExpectFail,
       "its reason and detail do not say it"},
      {"good", "{verdict: error}", Verdict::ExpectFail, "the verdict is pass"},
      {"good", "{verdict: pass}", Verdict::Pass, "got its stated outcome, pass"},
  };
  for (const Case& c : cases) {
    const Scenario s = load(kHead + body + "outcome: " + c.outcome + "\n");
    OracleWorker w = fakeWorker(c.mode);
    const CheckResult r = checkOnInterpreter(s, w, CheckContext{});
    EXPECT_EQ(r.verdict, c.want) << c.mode << " " << c.outcome << ": " << r.reason;
    EXPECT_NE(r.reason.find(c.reasonHas), std::string::npos) << r.reason;
  }
}

// `limits.seconds` is the run's time limit where it is below the harness's.
TEST(CheckResult, LimitsSecondsIsTheRunsTimeLimit) {
  const Scenario s =
      load(kHead + "program: \"x = 1\"\nsteps: []\nlimits: {seconds: 1}\n");
  EXPECT_EQ(tighter(budgetOf(s), {20000ms, 0, 0}).time, 1000ms);
  EXPECT_EQ(tighter(budgetOf(s), {500ms, 0, 0}).time, 500ms);
  EXPECT_EQ(tighter(budgetOf(s), {0ms, 0, 0}).time, 1000ms);
  OracleWorker w = fakeWorker("hang");
  const auto t0 = std::chrono::steady_clock::now();
  const CheckResult r = checkOnInterpreter(s, w, CheckContext{});
  EXPECT_EQ(r.verdict, Verdict::Error);
  EXPECT_EQ(r.error.kind, ErrorKind::Timeout);
  EXPECT_NE(r.detail.find("no reply within 1000 ms"), std::string::npos) << r.detail;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1400ms);  // not the worker's 1500 ms
}

// A program scenario's recorded run: step i called fn(args) and returned `value`.
struct StepCall {
  std::string fn;
  json args;
  json value;
};

json normalised(const json& v) {
  if (v.is_null()) return {{"type", "NoneType"}, {"repr", "None"}};
  if (v.is_number_integer()) return {{"type", "int"}, {"repr", v.dump()}};
  return {{"type", "str"}, {"repr", "'" + v.get<std::string>() + "'"}};
}

// The oracle's trace object for these step calls, read as any trace is.
Trace recorded(const std::vector<StepCall>& calls) {
  json records = json::array();
  for (size_t i = 0; i < calls.size(); ++i) {
    json args = json::array();
    for (const json& a : calls[i].args) args.push_back(normalised(a));
    records.push_back({{"kind", "step"}, {"index", i}, {"action", "api"}});
    records.push_back({{"kind", "api"},
                       {"by", "step"},
                       {"fn", calls[i].fn},
                       {"args", args},
                       {"result", normalised(calls[i].value)},
                       {"value", calls[i].value}});
    records.push_back(
        {{"kind", "step_end"}, {"index", i}, {"returned", normalised(calls[i].value)}});
  }
  return traceFromJson({{"scenario", "bad"},
                        {"probe_tool", 5},
                        {"interpreter", {{"name", "cpython"}}},
                        {"options", {{"probe", true}}},
                        {"records", records}});
}

const std::string kGetEvents = kHead +
                               "program: \"x = 1\"\n"
                               "steps:\n"
                               "  - {api: use_tool_id, args: [2, cov]}\n"
                               "  - {api: set_events, args: [2, {$: events, names: "
                               "[RAISE]}]}\n"
                               "  - {api: get_events, args: [2]}\n"
                               "expect:\n"
                               "  steps:\n"
                               "    - {step: 2, result: {$: events, names: [RAISE]}}\n";

TEST(CheckTraces, EventsMarkerInAStepResultIsTheMaskOnTheTracesVersion) {
  const Scenario s = load(kGetEvents);
  const auto run = [&](int mask, PyVersion v) {
    return checkTraces(s,
                       recorded({{"use_tool_id", {2, "cov"}, nullptr},
                                 {"set_events", {2, mask}, nullptr},
                                 {"get_events", {2}, mask}}),
                       nullptr, "recorded", v, CheckContext{});
  };
  const CheckResult r13 = run(1 << 10, PyVersion::V3_13);  // RAISE: bit 10, 3.14+: 11
  EXPECT_EQ(r13.verdict, Verdict::Pass) << r13.reason << "\n" << r13.detail;
  const CheckResult r14 = run(1 << 11, PyVersion::V3_14);
  EXPECT_EQ(r14.verdict, Verdict::Pass) << r14.reason << "\n" << r14.detail;
}

TEST(CheckTraces, FailAndExpectFailDetailsEndWithANewline) {
  std::string yaml = kGetEvents;
  const std::string marker = "{$: events, names: [RAISE]}}";
  yaml.replace(yaml.rfind(marker), marker.size(), "7}");
  const Scenario s = load(yaml);
  const auto run = [&](int got) {
    return checkTraces(s,
                       recorded({{"use_tool_id", {2, "cov"}, nullptr},
                                 {"set_events", {2, 1024}, nullptr},
                                 {"get_events", {2}, got}}),
                       nullptr, "recorded", PyVersion::V3_13, CheckContext{});
  };
  const CheckResult expectFail = run(1024);
  EXPECT_EQ(expectFail.verdict, Verdict::ExpectFail) << expectFail.reason;
  const CheckResult fail = run(1);  // the model says 1024
  EXPECT_EQ(fail.verdict, Verdict::Fail) << fail.reason;
  for (const CheckResult* r : {&expectFail, &fail}) {
    ASSERT_FALSE(r->detail.empty()) << r->reason;
    EXPECT_EQ(r->detail.back(), '\n') << r->detail;
  }
}

TEST(CheckScript, EventsMarkerInAStepResultIsTheMaskOnTheModelsVersion) {
  const Scenario s = load(
      "id: s\ndescription: d\nspec: x\nfeatures: [tools]\nlevel: must\n"
      "functions: {f: 1}\n"
      "script:\n"
      "  - {api: use_tool_id, args: [2, cov]}\n"
      "  - {api: set_events, args: [2, {$: events, names: [RAISE]}]}\n"
      "  - {api: get_events, args: [2]}\n"
      "expect:\n"
      "  steps:\n"
      "    - {step: 2, result: {$: events, names: [RAISE]}}\n");
  for (const PyVersion v : {PyVersion::V3_12, PyVersion::V3_14}) {
    const CheckResult r = checkScript(s, v, CheckContext{});
    EXPECT_EQ(r.verdict, Verdict::Pass) << r.reason << "\n" << r.detail;
  }
}

// A literal int beyond 64 bits reaches the model as an int beyond C int, so its
// OverflowError is the interpreter's, whichever argument it is.
TEST(CheckScript, IntegersBeyond64BitsRaiseTheInterpretersOverflowError) {
  const Scenario s = load(
      "id: s\ndescription: d\nspec: x\nfeatures: [api-errors]\nlevel: must\n"
      "functions: {f: 1}\n"
      "script:\n"
      "  - {api: use_tool_id, args: [1180591620717411303424, cov]}\n"
      "  - {api: use_tool_id, args: [2, cov]}\n"
      "  - {api: set_events, args: [2, -1180591620717411303424]}\n"
      "  - {api: set_local_events, args: [2, {$: code, of: f}, 18446744073709551616]}\n"
      "  - {api: register_callback, args: [2, 0x40000000000000000, null]}\n"
      "expect:\n"
      "  steps:\n"
      "    - {step: 0, raises: OverflowError, message: "
      "\"Python int too large to convert to C int\"}\n"
      "    - {step: 1, result: null}\n"
      "    - {step: 2, raises: OverflowError, message: "
      "\"Python int too large to convert to C int\"}\n"
      "    - {step: 3, raises: OverflowError, message: "
      "\"Python int too large to convert to C int\"}\n"
      "    - {step: 4, raises: OverflowError, message: "
      "\"Python int too large to convert to C int\"}\n");
  for (const PyVersion v : {PyVersion::V3_12, PyVersion::V3_15}) {
    const CheckResult r = checkScript(s, v, CheckContext{});
    EXPECT_EQ(r.verdict, Verdict::Pass) << r.reason << "\n" << r.detail;
  }
}

// A real client's own results (clients.results) are compared with a run that records
// nothing: a result the recording changes (here: the type of sys.monitoring's
// functions, which the recording replaces with shims) fails the check and says which
// step and run; one it does not change passes, with the comparisons counted.
TEST(CheckResult, ARealClientsResultsMustBeTheSameWithoutRecording) {
  const auto interp = live::interpreterFor(PyVersion::V3_13);
  if (!interp) GTEST_SKIP() << live::missingMessage(PyVersion::V3_13);
  const std::string head =
      "id: client\ndescription: d\nspec: \"behaviour §16\"\nfeatures: [clients]\n"
      "level: must\nclients: {real: [cProfile], results: [0]}\n"
      "program: |\n  import sys\n  def kind():\n"
      "      return type(sys.monitoring.use_tool_id).__name__\n"
      "  def same():\n      return 42\n";
  OracleWorker w(*interp);
  const CheckResult changed =
      checkOnInterpreter(load(head + "steps: [{call: kind}]\n"), w, CheckContext{});
  EXPECT_EQ(changed.verdict, Verdict::Fail) << changed.reason;
  EXPECT_NE(changed.reason.find("the recording changed a real client's own results: "
                                "step 0 returned 'ApiShim' with the probe, but returned "
                                "'builtin_function_or_method' without recording"),
            std::string::npos)
      << changed.reason;
  EXPECT_EQ(changed.clientMismatches.size(), 2u);  // with and without the probe
  const CheckResult same =
      checkOnInterpreter(load(head + "steps: [{call: same}]\n"), w, CheckContext{});
  EXPECT_EQ(same.verdict, Verdict::Pass) << same.reason << same.detail;
  EXPECT_EQ(same.clientResultsCompared, 2);
  EXPECT_TRUE(same.clientMismatches.empty());
}

}  // namespace
}  // namespace monsim::harness
