// Expectations files list an interpreter's known deviations strictly: every problem
// is a diagnostic with file:line:col, an entry turns its own verdict into
// known-deviation, and a listed scenario that passes is an xpass.
#include "scenario/expectations.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "check/check.h"
#include "check/result_json.h"

namespace monsim::harness {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the test's temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::path(testing::TempDir()) /
            (std::string("expectations_") + info->test_suite_name() + "_" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string p = (path_ / name).string();
    std::ofstream(p) << text;
    return p;
  }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

std::vector<std::string> strs(const std::vector<Diagnostic>& ds) {
  std::vector<std::string> out;
  for (const Diagnostic& d : ds) out.push_back(d.str());
  return out;
}

TEST(LoadExpectations, GoodFileGivesEveryField) {
  TempDir dir;
  const std::string good = dir.write("cpython-3.13.yaml",
                                     "# known deviations\n"
                                     "interpreter: cpython-3.13\n"
                                     "deviations:\n"
                                     "  - scenario: s1\n"
                                     "    verdict: expect-fail\n"
                                     "    reason: >-\n"
                                     "      folded\n"
                                     "      reason\n"
                                     "    issue: https://example.org/1\n"
                                     "  - scenario: s2\n"
                                     "    verdict: fail\n"
                                     "    reason: r2\n");
  dir.write("notes.txt", "interpreter: [not, yaml, for, us]\n");  // not *.yaml: ignored
  std::vector<Diagnostic> diags;
  const auto all = loadExpectations(dir.str(), diags);
  EXPECT_TRUE(diags.empty()) << strs(diags).front();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].interpreter, "cpython-3.13");
  EXPECT_EQ(all[0].file, good);
  ASSERT_EQ(all[0].deviations.size(), 2u);
  const KnownDeviation& s1 = all[0].deviations.at("s1");
  EXPECT_EQ(s1.verdict, "expect-fail");
  EXPECT_EQ(s1.reason, "folded reason");
  EXPECT_EQ(s1.issue, "https://example.org/1");
  EXPECT_EQ(s1.loc.str(), good + ":4:5");
  const KnownDeviation& s2 = all[0].deviations.at("s2");
  EXPECT_EQ(s2.verdict, "fail");
  EXPECT_EQ(s2.issue, "");
  EXPECT_EQ(s2.loc.str(), good + ":10:5");
}

TEST(LoadExpectations, FuzzSignaturesAreFoundByExactSignatureAndInterpreterPrefix) {
  TempDir dir;
  const std::string f =
      dir.write("cpython-3.13.yaml",
                "interpreter: cpython-3.13\n"
                "deviations: []\n"
                "fuzz_signatures:\n"
                "  - {signature: \"observer-effect LINE: only with the probe\",\n"
                "     scenario: line-x, reason: why}\n"
                "  - {signature: s, scenario: y, colour: red}\n");
  std::vector<Diagnostic> diags;
  const auto all = loadExpectations(dir.str(), diags);
  const auto msgs = strs(diags);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0], f + ":6:33: error: unknown key 'colour'");
  EXPECT_EQ(msgs[1], f + ":6:5: error: missing required key 'reason'");
  const KnownSignature* k = findKnownSignature(
      all, {"cpython-3.13.0"}, "observer-effect LINE: only with the probe");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->scenario, "line-x");
  EXPECT_EQ(k->loc.str(), f + ":4:5");
  EXPECT_EQ(findKnownSignature(all, {"cpython-3.12.1"}, k->signature), nullptr);
  EXPECT_EQ(findKnownSignature(all, {"cpython-3.13.0"}, "observer-effect LINE"), nullptr);
}

TEST(LoadExpectations, EveryProblemIsADiagnosticWithItsPosition) {
  TempDir dir;
  const std::string good = dir.write("a-good.yaml",
                                     "interpreter: cpython-3.12\n"
                                     "deviations:\n"
                                     "  - {scenario: s, verdict: error, reason: r}\n");
  const std::string bad = dir.write("b-bad.yaml",
                                    "interpreter: cpython-3.13\n"
                                    "deviations:\n"
                                    "  - scenario: s1\n"
                                    "    verdict: maybe\n"
                                    "    reason: r\n"
                                    "  - scenario: s2\n"
                                    "    verdict: fail\n"
                                    "    colour: red\n"
                                    "  - scenario: s1\n"
                                    "    verdict: fail\n"
                                    "    reason: again\n"
                                    "  - just a string\n"
                                    "owner: me\n");
  std::vector<Diagnostic> diags;
  const auto all = loadExpectations(dir.str(), diags);
  const std::vector<std::string> want = {
      bad + ":4:14: error: verdict must be fail, expect-fail or error",
      bad + ":8:5: error: unknown key 'colour'",
      bad + ":6:5: error: missing required key 'reason' (say why it deviates)",
      bad + ":9:5: error: scenario 's1' is listed twice",
      bad + ":12:5: error: a deviation is a mapping (scenario, verdict, reason, issue)",
      bad + ":13:1: error: unknown key 'owner' (or wrong type)",
  };
  EXPECT_EQ(strs(diags), want);
  // Files are read in name order; the good one is untouched by the bad one.
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].file, good);
  EXPECT_EQ(all[0].deviations.at("s").verdict, "error");
  EXPECT_EQ(all[1].file, bad);
}

TEST(LoadExpectations, MissingInterpreterBlamesTheDocument) {
  TempDir dir;
  const std::string f = dir.write("x.yaml",
                                  "deviations:\n"
                                  "  - {verdict: fail, reason: r}\n");
  std::vector<Diagnostic> diags;
  loadExpectations(dir.str(), diags);
  EXPECT_EQ(strs(diags), (std::vector<std::string>{
                             f + ":2:5: error: missing required key 'scenario'",
                             f + ":1:1: error: missing required key 'interpreter'",
                         }));
}

TEST(LoadExpectations, UnparsableYamlIsOneDiagnostic) {
  TempDir dir;
  const std::string f = dir.write("x.yaml", "interpreter: [unclosed\n");
  std::vector<Diagnostic> diags;
  const auto all = loadExpectations(dir.str(), diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].loc.file, f);
  EXPECT_GE(diags[0].loc.line, 1);
  EXPECT_TRUE(all.empty());
}

TEST(LoadExpectations, EmptyFileIsBlamedAtItsFirstLine) {
  TempDir dir;
  const std::string f = dir.write("x.yaml", "");
  std::vector<Diagnostic> diags;
  loadExpectations(dir.str(), diags);
  EXPECT_EQ(
      strs(diags),
      (std::vector<std::string>{
          f + ":1:1: error: an expectations file is a mapping with 'interpreter' and "
              "'deviations'"}));
}

TEST(LoadExpectations, NonStringKeyIsADiagnosticNotAnException) {
  TempDir dir;
  const std::string a = dir.write("a.yaml", "[x]: 1\ninterpreter: c\n");
  const std::string b = dir.write("b.yaml",
                                  "interpreter: c\ndeviations:\n  - {[k]: v, scenario: "
                                  "s, verdict: fail, reason: r}\n");
  std::vector<Diagnostic> diags;
  std::vector<Expectations> all;
  EXPECT_NO_THROW(all = loadExpectations(dir.str(), diags));
  EXPECT_EQ(strs(diags), (std::vector<std::string>{
                             a + ":1:1: error: a key must be a string",
                             b + ":3:6: error: a key must be a string",
                         }));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].deviations.at("s").reason, "r");
}

TEST(LoadExpectations, NoDirectoryIsNoExpectations) {
  std::vector<Diagnostic> diags;
  EXPECT_TRUE(loadExpectations("/nonexistent/monsim/expectations", diags).empty());
  EXPECT_TRUE(diags.empty());
}

Expectations listing(const std::string& interpreter, const std::string& scenario,
                     const std::string& verdict = "expect-fail") {
  Expectations e;
  e.interpreter = interpreter;
  e.file = interpreter + ".yaml";
  e.deviations[scenario] = KnownDeviation{verdict, "known", "", {e.file, 4, 5}};
  return e;
}

TEST(FindDeviation, InterpreterPrefixMatchesAtADotOrDash) {
  const std::vector<Expectations> all = {listing("cpython-3.13", "s")};
  EXPECT_NE(findDeviation(all, {"cpython-3.13"}, "s"), nullptr);
  EXPECT_NE(findDeviation(all, {"cpython-3.13.0"}, "s"), nullptr);
  EXPECT_NE(findDeviation(all, {"cpython-3.13-debug"}, "s"), nullptr);
  EXPECT_EQ(findDeviation(all, {"cpython-3.130"}, "s"), nullptr);
  EXPECT_EQ(findDeviation(all, {"cpython-3.1"}, "s"), nullptr);
  EXPECT_EQ(findDeviation(all, {"pyodide-3.13.0"}, "s"), nullptr);
  // The implementation a pyodide line runs: CPython's deviations are its too.
  EXPECT_NE(findDeviation(all, {"pyodide-3.13.0", "cpython-3.13.0"}, "s"), nullptr);
  EXPECT_EQ(findDeviation(all, {"cpython-3.13.0"}, "other"), nullptr);
}

TEST(FindDeviation, FirstMatchingFileWins) {
  const std::vector<Expectations> all = {listing("cpython-3.13.0", "s", "fail"),
                                         listing("cpython-3.13", "s", "error")};
  ASSERT_NE(findDeviation(all, {"cpython-3.13.0"}, "s"), nullptr);
  EXPECT_EQ(findDeviation(all, {"cpython-3.13.0"}, "s")->verdict, "fail");
  EXPECT_EQ(findDeviation(all, {"cpython-3.13.1"}, "s")->verdict, "error");
}

// A script scenario: tool 2 DISABLEs f's line 2; line 3 keeps firing.
std::string script(const std::string& expectSteps) {
  return "id: script-disable\n"
         "description: synthetic\n"
         "spec: \"behaviour §10.1\"\n"
         "features: [disable, LINE]\n"
         "level: must\n"
         "functions: {f: 1}\n"
         "tools:\n"
         "  2:\n"
         "    name: cov\n"
         "    events: [LINE]\n"
         "    callbacks:\n"
         "      LINE:\n"
         "        - when: {lines: [2]}\n"
         "          return: {$: DISABLE}\n"
         "script:\n"
         "  - {enter: f}\n"
         "  - {event: LINE, function: f, offset: 2, line: 2}\n"
         "  - {event: LINE, function: f, offset: 6, line: 3}\n"
         "  - {exit: f}\n"
         "  - {enter: f}\n"
         "  - {event: LINE, function: f, offset: 2, line: 2}\n"
         "  - {event: LINE, function: f, offset: 6, line: 3}\n"
         "  - {exit: f}\n"
         "  - {api: get_events, args: [2]}\n"
         "expect:\n"
         "  deliveries:\n"
         "    - {tool: 2, event: LINE, line: 2, result: disable}\n"
         "    - {tool: 2, event: LINE, line: 3}\n"
         "    - {tool: 2, event: LINE, line: 3}\n"
         "  steps:\n" +
         expectSteps;
}

Scenario load(const std::string& yaml) {
  LoadResult r = loadScenarioText(yaml, "script.yaml");
  std::string diags;
  for (const Diagnostic& d : r.diagnostics) diags += d.str() + "\n";
  EXPECT_TRUE(r.scenario) << diags;
  return r.scenario ? *r.scenario : Scenario{};
}

const std::string kHolds = "    - {step: 8, result: 32}\n";
const std::string kBroken = "    - {step: 8, result: 33}\n";  // line 31

TEST(CheckScript, PassesWhenTheExpectationsHold) {
  const Scenario s = load(script(kHolds));
  const CheckResult r = checkScript(s, PyVersion::V3_13, CheckContext{});
  EXPECT_EQ(r.verdict, Verdict::Pass) << r.reason << "\n" << r.detail;
  EXPECT_EQ(r.interpreter, "model-3.13");
  EXPECT_EQ(r.version, "3.13");
  EXPECT_EQ(r.scenario, "script-disable");
  EXPECT_EQ(r.file, "script.yaml");
  EXPECT_TRUE(r.expectFailures.empty());
  EXPECT_EQ(r.detail, "");  // no replay notes either
  EXPECT_FALSE(isBad(r.verdict));
}

TEST(CheckScript, FailingExpectationIsExpectFailAtItsLocation) {
  const Scenario s = load(script(kBroken));
  const CheckResult r = checkScript(s, PyVersion::V3_13, CheckContext{});
  EXPECT_EQ(r.verdict, Verdict::ExpectFail);
  EXPECT_TRUE(isBad(r.verdict));
  ASSERT_EQ(r.expectFailures.size(), 1u);
  EXPECT_EQ(r.expectFailures[0].loc.str(), "script.yaml:31:7");
  EXPECT_EQ(
      r.reason,
      "model and interpreter agree, but the expectation at script.yaml:31:7 does not "
      "hold");
  EXPECT_EQ(r.detail.rfind("script.yaml:31:7: ", 0), 0u) << r.detail;
  EXPECT_NE(r.detail.find("33"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("32"), std::string::npos) << r.detail;
}

TEST(CheckScript, WrongDeliveryExpectationNamesThePattern) {
  std::string yaml = script(kHolds);
  const std::string last = "    - {tool: 2, event: LINE, line: 3}\n  steps:";
  yaml.replace(yaml.find(last), last.size(),
               "    - {tool: 2, event: LINE, line: 2}\n  steps:");  // line 29
  const CheckResult r = checkScript(load(yaml), PyVersion::V3_13, CheckContext{});
  EXPECT_EQ(r.verdict, Verdict::ExpectFail);
  ASSERT_FALSE(r.expectFailures.empty());
  EXPECT_EQ(r.expectFailures[0].loc.str(), "script.yaml:29:7");
}

TEST(CheckScript, OutsideItsPythonRangeIsSkipped) {
  std::string yaml = script(kHolds);
  yaml.insert(yaml.find("functions:"), "python: \">=3.14\"\n");
  const CheckResult r = checkScript(load(yaml), PyVersion::V3_13, CheckContext{});
  EXPECT_EQ(r.verdict, Verdict::Skipped);
  EXPECT_EQ(r.reason, "scenario applies to python >=3.14");
}

TEST(CheckScript, ListedVerdictBecomesKnownDeviation) {
  const Scenario s = load(script(kBroken));
  const std::vector<Expectations> all = {listing("model-3.13", "script-disable")};
  const CheckResult r = checkScript(s, PyVersion::V3_13, CheckContext{&all, true});
  EXPECT_EQ(r.verdict, Verdict::KnownDeviation);
  EXPECT_FALSE(isBad(r.verdict));
  EXPECT_EQ(r.reason, "known");
  EXPECT_EQ(r.deviation, &all[0].deviations.at("script-disable"));
  EXPECT_EQ(toJson(r, s)["known"]["at"], "model-3.13.yaml:4:5");
}

TEST(CheckScript, ListedScenarioThatPassesIsAnXPass) {
  const Scenario s = load(script(kHolds));
  const std::vector<Expectations> all = {listing("model-3.13", "script-disable")};
  const CheckResult r = checkScript(s, PyVersion::V3_13, CheckContext{&all, true});
  EXPECT_EQ(r.verdict, Verdict::XPass);
  EXPECT_TRUE(isBad(r.verdict));
  EXPECT_EQ(
      r.reason,
      "listed as a known deviation (model-3.13.yaml:4:5) but passes now: remove the "
      "entry");
}

TEST(CheckScript, ListingWithAnotherVerdictDoesNotHideTheFailure) {
  const Scenario s = load(script(kBroken));
  const std::vector<Expectations> all = {listing("model-3.13", "script-disable", "fail")};
  const CheckResult r = checkScript(s, PyVersion::V3_13, CheckContext{&all, true});
  EXPECT_EQ(r.verdict, Verdict::ExpectFail);
  EXPECT_NE(r.deviation, nullptr);
}

TEST(CheckScript, ListingForAnotherVersionDoesNotApply) {
  const Scenario s = load(script(kBroken));
  const std::vector<Expectations> all = {listing("model-3.14", "script-disable")};
  const CheckResult r = checkScript(s, PyVersion::V3_13, CheckContext{&all, true});
  EXPECT_EQ(r.verdict, Verdict::ExpectFail);
  EXPECT_EQ(r.deviation, nullptr);
}

}  // namespace
}  // namespace monsim::harness
