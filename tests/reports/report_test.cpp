// The report renderers on the committed fixture (tests/reports/fixtures/small.jsonl:
// real results of four interpreters plus one fail, error, expect-fail and xpass) and
// on small streams written here.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "reports/page_assets.h"
#include "reports/render/deviations.h"
#include "reports/render/diff.h"
#include "reports/render/render.h"
#include "reports/render/results.h"
#include "reports/render/score.h"
#include "reports/render/text.h"

namespace monsim::report {
namespace {

std::string fixture() {
  const char* root = std::getenv("MONSIM_ROOT");
  return std::string(root ? root : ".") + "/tests/reports/fixtures/small.jsonl";
}

ResultSet loadFixture() {
  std::vector<std::string> errors;
  ResultSet rs = loadResults({fixture()}, errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  return rs;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string header() {
  return R"({"kind":"header","format":1,"monsim":"0.1.0","suite_commit":"abc","seed":null,)"
         R"("scenarios":2,"root":"/r","interpreters":[{"id":"cpython-3.13.0","kind":"native",)"
         R"("implementation":"cpython","version":"3.13.0","path":"p","provenance":"q"}]})"
         "\n";
}

std::string result(const std::string& scenario, const std::string& verdict,
                   const std::string& level = "must",
                   const std::string& interp = "cpython-3.13.0") {
  return R"({"kind":"result","scenario":")" + scenario +
         R"(","file":"/r/spec/scenarios/tools/)" + scenario +
         R"(.yaml","interpreter":")" + interp + R"(","version":"3.13.0","verdict":")" +
         verdict + R"(","reason":"why )" + scenario + R"(","level":")" + level +
         R"(","features":["tools"],"spec":["behaviour §5"],"seconds":0.5,"divergences":[],)"
         R"("expect_failures":[]})"
         "\n";
}

const std::string kFooter = R"({"kind":"footer","totals":{},"seconds":1,"load_errors":0})"
                            "\n";

ResultSet parse(const std::string& text, std::vector<std::string>* errorsOut = nullptr) {
  std::vector<std::string> errors;
  ResultSet rs = parseResults({{"t.jsonl", text}}, errors);
  if (errorsOut) *errorsOut = errors;
  return rs;
}

TEST(Results, PathsUnderTheRootBecomeRelative) {
  const ResultSet rs = loadFixture();
  ASSERT_FALSE(rs.records.empty());
  for (const Record& r : rs.records) {
    EXPECT_TRUE(r.file.starts_with("spec/scenarios/")) << r.file;
    EXPECT_EQ(r.detail.find("/src/monsim/"), std::string::npos) << r.detail;
    if (r.known) {
      EXPECT_TRUE(r.known->at.starts_with("spec/expectations/")) << r.known->at;
    }
  }
}

TEST(Results, AreaIsTheScenarioFolder) {
  const ResultSet rs = parse(header() + result("a", "pass") + kFooter);
  ASSERT_EQ(rs.records.size(), 1u);
  EXPECT_EQ(rs.records[0].area, "tools");
  EXPECT_EQ(rs.records[0].file, "spec/scenarios/tools/a.yaml");
}

TEST(Results, ModelColumnsFollowTheInterpreters) {
  const ResultSet rs = loadFixture();
  const auto cols = rs.columns(true);
  ASSERT_EQ(cols.size(), 8u);
  EXPECT_EQ(cols[0]->id, "cpython-3.12.1");
  EXPECT_EQ(cols[3]->id, "pyodide-3.15.0rc1");
  EXPECT_EQ(cols[4]->id, "model-3.12");
  EXPECT_TRUE(cols[4]->isModel());
  EXPECT_EQ(rs.columns(false).size(), 4u);
}

TEST(Results, LaterStreamReplacesTheSameScenarioOnTheSameInterpreter) {
  std::vector<std::string> errors;
  const ResultSet rs = parseResults(
      {{"old", header() + result("a", "fail") + result("b", "pass") + kFooter},
       {"new", header() + result("a", "pass") + kFooter}},
      errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(rs.records.size(), 2u);
  EXPECT_EQ(rs.find("a", "cpython-3.13.0")->verdict, Verdict::Pass);
  EXPECT_EQ(rs.runs.size(), 2u);
}

TEST(Results, ProblemsNameFileAndLine) {
  std::vector<std::string> errors;
  parse(header() + "{not json\n" +
            R"({"kind":"result","scenario":"x"})"
            "\n",
        &errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_TRUE(errors[0].starts_with("t.jsonl:2: not JSON")) << errors[0];
  EXPECT_TRUE(errors[1].starts_with("t.jsonl:3: result without 'file'")) << errors[1];
  EXPECT_TRUE(has(errors[2], "no footer")) << errors[2];
}

TEST(Results, VerdictLevelAndDivergenceKindOutsideTheVocabularyAreErrors) {
  auto replaced = [](std::string s, const std::string& from, const std::string& to) {
    return s.replace(s.find(from), from.size(), to);
  };
  const std::string divergence =
      replaced(result("d", "fail"), R"("divergences":[])",
               R"("divergences":[{"kind":"missing"},{"kind":"odd"}])");
  const std::string known =
      replaced(result("k", "known-deviation"), R"("expect_failures":[])",
               R"("expect_failures":[],"known":{"verdict":"failed"})");
  std::vector<std::string> errors;
  const ResultSet rs =
      parse(header() + result("a", "passed") + result("b", "pass", "may") + divergence +
                known + result("ok", "xpass") + kFooter,
            &errors);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0], "t.jsonl:2: unknown verdict 'passed'");
  EXPECT_EQ(errors[1], "t.jsonl:3: unknown level 'may'");
  EXPECT_EQ(errors[2], "t.jsonl:4: unknown kind 'odd' in divergences[1]");
  EXPECT_EQ(errors[3], "t.jsonl:5: unknown verdict 'failed' in known");
  // The lines in error are left out; the rest is read.
  ASSERT_EQ(rs.records.size(), 1u);
  EXPECT_EQ(rs.records[0].verdict, Verdict::XPass);
}

TEST(Results, EveryVocabularyWordReadsBack) {
  for (const Verdict v : vocab::kVerdicts)
    for (const Level l : vocab::kLevels) {
      std::vector<std::string> errors;
      const ResultSet rs = parse(
          header() +
              result("a", std::string(vocab::name(v)), std::string(vocab::name(l))) +
              kFooter,
          &errors);
      ASSERT_TRUE(errors.empty()) << errors.front();
      ASSERT_EQ(rs.records.size(), 1u);
      EXPECT_EQ(rs.records[0].verdict, v);
      EXPECT_EQ(rs.records[0].level, l);
    }
}

TEST(Score, KnownDeviationCountsAsNotPassedAndSkippedNotAtAll) {
  const ResultSet rs =
      parse(header() + result("a", "pass") + result("b", "known-deviation") +
            result("c", "skipped") + result("d", "xpass", "should") + kFooter);
  const Scores sc(rs);
  const Tally all = sc.get("", "cpython-3.13.0", std::nullopt);
  EXPECT_EQ(all.applicable(), 3);
  EXPECT_EQ(all.passed(), 2);
  EXPECT_EQ(cellText(all), "2/3 (66.6%), 1 known");
  EXPECT_EQ(cellText(sc.get("tools", "cpython-3.13.0", Level::Should)), "1/1 (100%)");
  EXPECT_EQ(cellText(sc.get("tools", "cpython-3.13.0", Level::ImplementationDefined)),
            "—");
}

TEST(Score, PercentRoundsDownSoOnlyAllPassingReads100) {
  EXPECT_EQ(percent(199, 200), "99.5%");
  EXPECT_EQ(percent(1999, 2000), "99.9%");
  EXPECT_EQ(percent(2, 3), "66.6%");
  EXPECT_EQ(percent(1, 2), "50%");
  EXPECT_EQ(percent(0, 0), "—");
}

TEST(Summary, LevelsAreScoredSeparately) {
  const std::string md = summaryMarkdown(loadFixture(), {});
  EXPECT_TRUE(has(md, "### must: feature area × interpreter")) << md;
  EXPECT_TRUE(has(md, "### implementation-defined: feature area × interpreter"));
  EXPECT_TRUE(has(md,
                  "| level | cpython-3.12.1 | cpython-3.13.0 | pyodide-3.14.2 | "
                  "pyodide-3.15.0rc1 |"));
  EXPECT_TRUE(has(md, "## The model's self-check (script scenarios)"));
}

TEST(Summary, FailuresShowTheirFirstDivergence) {
  const std::string md = summaryMarkdown(loadFixture(), {"../", "x"});
  EXPECT_TRUE(has(md, "### `highest-tool-id-first` on pyodide-3.14.2: fail")) << md;
  EXPECT_TRUE(has(md,
                  "first divergence (reordered) at f@1 offset 0 (line 2) PY_START: model "
                  "`tools 5, 2, 0`, interpreter `tools 0, 2, 5`"));
  EXPECT_TRUE(has(md, "### `restart-reenables-local-lines` on cpython-3.13.0: error"));
  EXPECT_TRUE(
      has(md, "### `every-tool-id-receives-events` on cpython-3.12.1: expect-fail"));
  EXPECT_TRUE(has(md, "first unmet expectation at `spec/scenarios/tools/"));
  EXPECT_TRUE(has(md, "### `free-clears-tool-3.14` on pyodide-3.15.0rc1: xpass"));
  EXPECT_TRUE(has(md,
                  "[spec/scenarios/dispatch-order/highest-tool-id-first.yaml]"
                  "(../spec/scenarios/dispatch-order/highest-tool-id-first.yaml)"));
}

TEST(Deviations, InterpretersThatDeviateAlikeAreOneGroup) {
  const ResultSet rs = loadFixture();
  const auto entries = collectDeviations(rs);
  const DeviationEntry* free = nullptr;
  for (const auto& e : entries)
    if (e.first->scenario == "free-clears-tool-3.14") free = &e;
  ASSERT_NE(free, nullptr);
  // pyodide-3.15 is an xpass in the fixture: conforming, not deviating.
  ASSERT_EQ(free->groups.size(), 1u);
  EXPECT_EQ(interpreterList(free->groups[0].records), "pyodide-3.14.2");
  EXPECT_TRUE(free->triaged());
  EXPECT_EQ(interpreterList(free->conforming), "pyodide-3.15.0rc1");
  EXPECT_EQ(interpreterList(free->notApplicable), "cpython-3.12.1, cpython-3.13.0");
}

TEST(Deviations, EveryEntryHasClauseScenarioVersionsAndIssue) {
  const std::string md = deviationsMarkdown(loadFixture(), {"../", "x"});
  EXPECT_TRUE(has(md, "## disable-global-raise-3.15")) << md;
  EXPECT_TRUE(has(md, "- **Doc clause:** 3.15 sys.monitoring §Local events"));
  EXPECT_TRUE(has(md,
                  "- **Minimal scenario:** [spec/scenarios/disable/"
                  "disable-global-raise-3.15.yaml](../spec/scenarios/disable/"));
  EXPECT_TRUE(has(md,
                  "- **Versions affected:** pyodide-3.15.0rc1 (CPython 3.15.0rc1, "
                  "WebAssembly)"));
  EXPECT_TRUE(
      has(md, "- **Upstream issue:** <https://github.com/python/cpython/issues/142186>"));
  EXPECT_TRUE(has(md, "**What the interpreter does:** The 3.15 docs"));
  // Untriaged failures are deviations too, marked as such; the model's are not.
  EXPECT_TRUE(has(md, "### Not yet triaged (fail): pyodide-3.14.2"));
  EXPECT_TRUE(has(md, "### Not yet triaged (expect-fail): cpython-3.12.1"));
  EXPECT_FALSE(has(md, "model-3.1"));
  EXPECT_TRUE(has(md, "## Listed but no longer reproduced"));
  EXPECT_TRUE(has(md, "[disable-global-raise-3.15](#disable-global-raise-315)"));
}

TEST(Junit, OneSuitePerInterpreterWithCounts) {
  const std::string x = junitXml(loadFixture());
  EXPECT_TRUE(x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
  EXPECT_TRUE(has(x, "<testsuite name=\"pyodide-3.14.2\" tests=\"")) << x;
  EXPECT_TRUE(has(x, "<failure message=\"model and interpreter disagree: reordered"));
  EXPECT_TRUE(has(x, "<error message=\"timeout\" type=\"error\">"));
  EXPECT_TRUE(has(x, "<skipped message=\"known deviation (spec/expectations/"));
  EXPECT_TRUE(has(x, "classname=\"pyodide-3_14_2.dispatch-order\""));
}

TEST(Text, EscapingForEachFormat) {
  EXPECT_EQ(escapeHtml("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  EXPECT_EQ(escapeXml(std::string("a\x01<b>\n")), "a?&lt;b&gt;&#10;");
  EXPECT_EQ(mdCell("a|b\nc"), "a\\|b<br>c");
  EXPECT_EQ(mdCode("x`y"), "``x`y``");
}

TEST(Html, SelfContainedWithFiltersAndDrillDown) {
  const std::string h = htmlPage(loadFixture(), {"../", "x"});
  EXPECT_FALSE(has(h, "src=\"http"));
  EXPECT_FALSE(has(h, "<link "));
  EXPECT_TRUE(has(h, "id=\"f-verdict-known-deviation\""));
  EXPECT_TRUE(has(h, "id=\"f-interp-pyodide-3.15.0rc1\""));
  EXPECT_TRUE(has(h, "<details class=\"scenario\" id=\"s-highest-tool-id-first\""));
  // The aligned divergence report, escaped, in the drill-down.
  EXPECT_TRUE(
      has(h, "<pre>first divergence (reordered) at f@1 offset 0 (line 2) PY_START\n"));
  EXPECT_TRUE(has(h, "<td class=\"mono\">tools 5, 2, 0</td>"));
}

// embed.py reads spec/vocab/*.def into the page's script as C++ reads them here.
TEST(Html, ScriptCarriesTheVocabularyTables) {
  auto tallyName = [](vocab::Tally t) {
    switch (t) {
      case vocab::Tally::pass:
        return "pass";
      case vocab::Tally::xpass:
        return "xpass";
      case vocab::Tally::known:
        return "known";
      case vocab::Tally::fail:
        return "fail";
      case vocab::Tally::error:
        return "error";
      case vocab::Tally::skipped:
        return "skipped";
    }
    return "?";
  };
  std::string verdicts, levels;
  for (const Verdict v : vocab::kVerdicts)
    verdicts += "    {name: \"" + std::string(vocab::name(v)) + "\", tally: \"" +
                tallyName(vocab::tallyOf(v)) +
                "\", bad: " + (vocab::isBad(v) ? "true" : "false") + "},\n";
  for (const Level l : vocab::kLevels)
    levels += "    [\"" + std::string(vocab::name(l)) + "\", \"" +
              std::string(vocab::shortName(l)) + "\"],\n";
  const std::string js(kPageJs);
  EXPECT_TRUE(has(js, "const MONSIM_VOCAB = {\n  verdicts: [\n" + verdicts +
                          "  ],\n  levels: [\n" + levels + "  ],\n};\n"))
      << js.substr(0, 800);
  EXPECT_TRUE(has(htmlPage(loadFixture(), {}), js));
}

TEST(Diff, RegressionsFixesAndScenarioChanges) {
  const ResultSet before = parse(header() + result("a", "pass") + result("b", "fail") +
                                 result("c", "pass") + result("gone", "pass") + kFooter);
  const ResultSet after = parse(header() + result("a", "fail") + result("b", "pass") +
                                result("c", "known-deviation") + result("new", "error") +
                                result("new2", "pass") + kFooter);
  const RunDiff d = diffResults(before, after);
  ASSERT_EQ(d.regressions.size(), 2u);
  EXPECT_EQ(d.regressions[0].scenario, "a");
  EXPECT_EQ(d.regressions[1].scenario, "new");  // a new scenario that fails
  EXPECT_EQ(d.regressions[1].before, std::nullopt);
  ASSERT_EQ(d.fixes.size(), 1u);
  EXPECT_EQ(d.fixes[0].scenario, "b");
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_EQ(d.changes[0].after, Verdict::KnownDeviation);
  EXPECT_EQ(d.added, (std::vector<std::string>{"new", "new2"}));
  EXPECT_EQ(d.removed, (std::vector<std::string>{"gone"}));
  const std::string md = diffMarkdown(d, before, after);
  EXPECT_TRUE(has(md,
                  "2 regression(s), 1 fix(es), 1 other verdict change(s), 2 new "
                  "scenario(s), 1 removed scenario(s)"))
      << md;
  EXPECT_TRUE(has(md, "- `a` on cpython-3.13.0: pass → fail — why a"));
  EXPECT_TRUE(has(md, "pass → fail 1; pass → known-deviation 1"));
}

TEST(Diff, InterpretersOnlyOneRunHasAreListedNotCompared) {
  const ResultSet before = parse(header() + result("a", "pass") + kFooter);
  const ResultSet after = parse(header() + result("a", "pass") +
                                result("a", "fail", "must", "model-3.13") + kFooter);
  const RunDiff d = diffResults(before, after);
  EXPECT_TRUE(d.regressions.empty());
  EXPECT_EQ(d.interpretersAdded, (std::vector<std::string>{"model-3.13"}));
}

}  // namespace
}  // namespace monsim::report
