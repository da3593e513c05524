// monsim coverage on the miniature tree tests/scenario/coverage/, and the check
// that the committed spec/scenarios/COVERAGE.md is what the command writes now.
#include "scenario/coverage.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "interpreter/discovery.h"
#include "interpreter/process.h"

namespace monsim::harness {
namespace {

namespace fs = std::filesystem;

std::string fixtureRoot() { return sourceRoot() + "/tests/scenario/coverage"; }

std::vector<std::string> ids(const Coverage& c,
                             const std::map<std::string, std::vector<size_t>>& m,
                             const std::string& key) {
  std::vector<std::string> out;
  auto it = m.find(key);
  if (it != m.end())
    for (size_t i : it->second) out.push_back(c.scenarios[i].scenario.id);
  return out;
}

bool hasLine(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (l == line) return true;
  return false;
}

TEST(Coverage, FixtureMapsClausesTestsAndRules) {
  const CoverageSources src = defaultCoverageSources(fixtureRoot());
  const Coverage c = computeCoverage(src);
  ASSERT_TRUE(c.errors.empty()) << c.errors.front().str();
  EXPECT_EQ(c.clauses.size(), 6u);
  // Three catalogues, in kTestModules order.
  ASSERT_EQ(c.tests.size(), 9u);
  EXPECT_EQ(c.tests[3].status, TestStatus::Partly);
  EXPECT_EQ(c.tests[5].citation(), "test_sys_settrace: TraceTestCase.test_x");
  EXPECT_EQ(c.tests[6].status, TestStatus::Uncovered);
  EXPECT_EQ(c.tests[6].reason, "nothing checks it yet");
  EXPECT_FALSE(c.tests[7].inScope());
  EXPECT_EQ(c.tests[8].module, "test_sys_setprofile");
  // Levels: a cited partly test that passes is partly covered; one cited only by a
  // scenario that never passes is only failing; an uncited one is not covered.
  EXPECT_EQ(c.level(c.tests[0]), CoverageLevel::Covered);
  EXPECT_EQ(c.level(c.tests[1]), CoverageLevel::NotCovered);
  EXPECT_EQ(c.level(c.tests[3]), CoverageLevel::Partly);
  EXPECT_EQ(c.level(c.tests[4]), CoverageLevel::OnlyFailing);
  EXPECT_EQ(c.level(c.clauses[1]), CoverageLevel::Partly);
  EXPECT_EQ(c.level(c.clauses[2]), CoverageLevel::NotCovered);
  EXPECT_EQ(c.level(c.clauses[5]), CoverageLevel::OnlyFailing);
  EXPECT_EQ(c.scenarios.size(), 3u);
  using V = std::vector<std::string>;
  EXPECT_EQ(ids(c, c.byClause, "a.one"), (V{"s1", "s3"}));
  EXPECT_EQ(ids(c, c.byClause, "a.two"), (V{"s2"}));
  EXPECT_EQ(ids(c, c.byTest, "test_monitoring: T.test_a"), (V{"s1"}));
  EXPECT_EQ(ids(c, c.byTest, "test_monitoring: T.test_c"), (V{"s3"}));
  EXPECT_EQ(ids(c, c.byTest, "test_sys_settrace: TraceTestCase.test_x"), (V{"s2"}));
  EXPECT_EQ(ids(c, c.byTest, "test_sys_setprofile: ProfileHookTestCase.test_p"),
            (V{"s1"}));
  EXPECT_EQ(ids(c, c.byTest, "test_sys_settrace: TraceTestCase.test_y"), V{});
  EXPECT_EQ(ids(c, c.byRule, "by-feature"), (V{"s1"}));
  EXPECT_EQ(ids(c, c.byRule, "by-clause"), (V{"s1", "s2", "s3"}));
  EXPECT_EQ(ids(c, c.byRule, "by-behaviour"), (V{"s2"}));
  EXPECT_EQ(ids(c, c.byRule, "nothing"), V{});
  // a.three is stated by 3.12 and 3.13, and s3 runs on 3.13 only, where it never
  // passes (a known deviation in the fixture's verdicts): covered on neither.
  EXPECT_EQ(c.uncoveredVersions(c.clauses[2]),
            (std::vector<PyVersion>{PyVersion::V3_12, PyVersion::V3_13}));
  EXPECT_TRUE(c.uncoveredVersions(c.clauses[0]).empty());
  // r.one has only a ru source: it is stated for every version, and s1 runs on all.
  EXPECT_EQ(
      c.clauses[4].versions,
      (std::vector<PyVersion>{PyVersion::V3_12, PyVersion::V3_13, PyVersion::V3_14}));
  EXPECT_TRUE(c.uncoveredVersions(c.clauses[4]).empty());
}

TEST(Coverage, FixtureReportTables) {
  const CoverageSources src = defaultCoverageSources(fixtureRoot());
  const std::string md = renderCoverage(computeCoverage(src), src);
  // Summary.
  // Summary: covered, partly, only failing, not covered, of, % covered.
  EXPECT_TRUE(hasLine(md,
                      "| | covered | partly | only failing | not covered | of | % "
                      "covered |"))
      << md;
  EXPECT_TRUE(hasLine(md,
                      "| test_monitoring tests (in scope) | 1 | 1 | 1 | 1 | 4 | "
                      "25.0% |"));
  EXPECT_TRUE(
      hasLine(md, "| test_sys_settrace tests (in scope) | 1 | 0 | 0 | 1 | 2 | 50.0% |"));
  EXPECT_TRUE(hasLine(
      md, "| test_sys_setprofile tests (in scope) | 1 | 0 | 0 | 0 | 1 | 100.0% |"));
  EXPECT_TRUE(hasLine(md,
                      "| documentation clauses (testable, every version that states "
                      "them) | 2 | 1 | 1 | 1 | 5 | 40.0% |"));
  EXPECT_TRUE(hasLine(md, "| model rules | 3 | | | 1 | 4 | 75.0% |"));
  // (a) tests with their level; partly (why), only failing (by whom), not covered.
  EXPECT_TRUE(hasLine(md, "| `T.test_a` | 3.12, 3.13, 3.14 | covered | s1 |"));
  EXPECT_TRUE(hasLine(md, "| `T.test_b` | 3.14 | not covered | — |"));
  EXPECT_TRUE(hasLine(md, "| `T.test_d` | 3.13 | partly | s1 |"));
  EXPECT_TRUE(hasLine(md, "| `T.test_e` | 3.13 | only failing | s3 (never passes) |"));
  EXPECT_TRUE(hasLine(md, "- `T.test_b`"));
  EXPECT_TRUE(hasLine(md, "- `T.test_d`: no offsets are checked"));
  EXPECT_TRUE(hasLine(md, "- `T.test_e`: cited only by s3 (never passes)"));
  EXPECT_TRUE(hasLine(md, "| `T.test_c` | 3.13, 3.14 | needs _testcapi | s3 |"));
  // The other catalogues, each under its own heading; an uncovered test with its reason.
  EXPECT_TRUE(hasLine(md, "### test_sys_settrace"));
  EXPECT_TRUE(
      hasLine(md, "| `TraceTestCase.test_x` | 3.12, 3.13, 3.14 | covered | s2 |"));
  EXPECT_TRUE(hasLine(md, "- `TraceTestCase.test_y`: nothing checks it yet"));
  EXPECT_TRUE(hasLine(md, "| `JumpTestCase.test_j` | 3.12 | frame mutation | — |"));
  EXPECT_TRUE(
      hasLine(md, "| `ProfileHookTestCase.test_p` | 3.12, 3.13, 3.14 | covered | s1 |"));
  // (b) clauses per version; '|' in a clause's text is escaped.
  EXPECT_TRUE(hasLine(md,
                      "| `a.one` | Section A | The first clause \\| with a bar. | s1 | "
                      "s1 (not counted: s3 (never passes)) | s1 |  |"))
      << md;
  EXPECT_TRUE(hasLine(md, "| `a.two` | Section A | A 3.14 clause. | · | · | s2 |  |"));
  EXPECT_TRUE(hasLine(md,
                      "| `a.three` | Section B | A clause covered on 3.13 only. | "
                      "**none** | **none** (not counted: s3 (never passes)) | · |  |"));
  EXPECT_TRUE(hasLine(md, "- `a.three` (Section B): no passing scenario on 3.12, 3.13"));
  EXPECT_TRUE(
      hasLine(md, "- `a.two` (Section A): the scenarios do not check the second half"));
  EXPECT_TRUE(hasLine(md, "- `a.five` (Section C): no passing scenario on 3.13"));
  EXPECT_LT(md.find("\n### Only failing"), md.find("- `a.five`"));
  EXPECT_LT(md.find("- `a.five`"), md.find("\n### Not covered"));
  EXPECT_TRUE(hasLine(md, "| `a.four` | Section B | 3.13 | C only |"));
  EXPECT_TRUE(hasLine(md,
                      "| `r.one` | Tutorial | A version-independent clause. | s1 | s1 | "
                      "s1 |  |"));
  // (c) rules.
  EXPECT_TRUE(
      hasLine(md, "| rule found by clause prefix | `model/y.h` | 3: s1, s2, s3 |"));
  EXPECT_TRUE(hasLine(md, "| rule without scenarios | `model/w.h` | 0: — |"));
  // (d) no problems; nothing depends on where the tree is.
  EXPECT_NE(md.find("## (d) Problems"), std::string::npos);
  EXPECT_EQ(md.find(fixtureRoot()), std::string::npos);
}

// Without verdicts every citation counts (s3 covers a.three on 3.13); verdicts that
// cannot be read are an error, not a silent fallback.
TEST(Coverage, VerdictsDecideWhichCitationsCount) {
  CoverageSources src = defaultCoverageSources(fixtureRoot());
  src.verdicts = "";
  const Coverage blind = computeCoverage(src);
  ASSERT_TRUE(blind.errors.empty()) << blind.errors.front().str();
  EXPECT_EQ(blind.uncoveredVersions(blind.clauses[2]),
            std::vector<PyVersion>{PyVersion::V3_12});
  EXPECT_NE(renderCoverage(blind, src).find("No verdicts were read"), std::string::npos);
  src.verdicts = fixtureRoot() + "/reports/no-such-verdicts.json";
  const Coverage missing = computeCoverage(src);
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_NE(missing.errors[0].message.find("cannot read the published verdicts"),
            std::string::npos);
}

TEST(Coverage, UnknownCitationsAreErrorsAtTheirEntry) {
  CoverageSources src = defaultCoverageSources(fixtureRoot());
  src.suite = {fixtureRoot() + "/unknown"};
  const Coverage c = computeCoverage(src);
  std::vector<std::string> got;
  for (const auto& d : c.errors) got.push_back(d.str());
  const std::string file = fixtureRoot() + "/unknown/cites-unknown.yaml";
  EXPECT_EQ(
      got,
      (std::vector<std::string>{
          fixtureRoot() + "/spec/test_sys_settrace.yaml:3:5: error: test "
                          "'TraceTestCase.test_y' is marked uncovered but cites-unknown "
                          "cites it: mark it covered",
          file + ":6:5: error: unknown documentation clause 'a.nope' (spec/clauses.yaml)",
          file + ":7:5: error: unknown test_monitoring test 'T.test_nope' "
                 "(spec/test_monitoring.yaml)",
          file + ":8:5: error: clause 'a.four' is marked not testable in "
                 "spec/clauses.yaml (C only)",
          file + ":9:5: error: unknown test_sys_settrace test 'TraceTestCase.test_nope' "
                 "(spec/test_sys_settrace.yaml)"}));
  EXPECT_EQ(ids(c, c.byClause, "a.one"), std::vector<std::string>{"cites-unknown"});
}

TEST(Coverage, MalformedCatalogueIsReportedWithPositions) {
  const fs::path dir = fs::temp_directory_path() / "monsim-coverage-test";
  fs::create_directories(dir);
  {
    std::ofstream(dir / "clauses.yaml") << "clauses:\n"
                                           "  - id: Bad Id\n"
                                           "    section: S\n"
                                           "    versions: [3.11]\n"
                                           "    text: t\n"
                                           "    sources: {es: x}\n"
                                           "    testable: false\n";
  }
  CoverageSources src = defaultCoverageSources(fixtureRoot());
  src.clauses = (dir / "clauses.yaml").string();
  src.suite = {};
  const Coverage c = computeCoverage(src);
  std::vector<std::string> got;
  for (const auto& d : c.errors) got.push_back(d.str());
  const std::string f = (dir / "clauses.yaml").string();
  EXPECT_EQ(
      got, (std::vector<std::string>{
               f + ":2:5: error: clause 'Bad Id' is not testable: say why in 'reason'",
               f + ":2:9: error: clause id 'Bad Id' is not a slug ([a-z0-9][a-z0-9._-]*)",
               f + ":4:16: error: a clause version is 3.12, 3.13 or 3.14 (the seed "
                   "documentation)"}));
  fs::remove_all(dir);
}

TEST(Coverage, MalformedTestCatalogueIsReportedWithPositions) {
  const fs::path dir = fs::temp_directory_path() / "monsim-coverage-tests-test";
  fs::create_directories(dir);
  {
    std::ofstream(dir / "test_sys_setprofile.yaml")
        << "tests:\n"
           "  - {test: A.test_1, status: maybe}\n"
           "  - {test: A.test_2, status: out-of-scope}\n"
           "  - {test: A.test_3, status: uncovered}\n"
           "  - {test: A.test_3, status: covered}\n";
  }
  CoverageSources src = defaultCoverageSources(fixtureRoot());
  src.tests.back().file = (dir / "test_sys_setprofile.yaml").string();
  src.suite = {};
  const Coverage c = computeCoverage(src);
  std::vector<std::string> got;
  for (const auto& d : c.errors) got.push_back(d.str());
  const std::string f = (dir / "test_sys_setprofile.yaml").string();
  EXPECT_EQ(got,
            (std::vector<std::string>{
                f + ":2:30: error: status must be covered, partly, uncovered or "
                    "out-of-scope",
                f + ":3:5: error: test 'A.test_2' is out of scope: say why in 'reason'",
                f + ":5:5: error: test 'A.test_3' is also listed at " + f + ":4:5"}));
  // The valid entry is kept, under its module.
  ASSERT_EQ(c.tests.size(), 9u);
  EXPECT_EQ(c.tests.back().citation(), "test_sys_setprofile: A.test_3");
  fs::remove_all(dir);
}

TEST(Coverage, CommandExitsOneOnUnknownCitations) {
  const char* exe = std::getenv("MONSIM_EXE");
  if (!exe || !*exe) GTEST_SKIP() << "MONSIM_EXE is not set (run through meson test)";
  const auto ok = runCommand({exe, "coverage", "--root", fixtureRoot()}, "",
                             std::chrono::seconds(60));
  EXPECT_EQ(ok.status, "exit 0") << ok.err;
  EXPECT_TRUE(hasLine(ok.out, "| model rules | 3 | | | 1 | 4 | 75.0% |"));
  const auto bad = runCommand(
      {exe, "coverage", "--root", fixtureRoot(), "--suite", fixtureRoot() + "/unknown"},
      "", std::chrono::seconds(60));
  EXPECT_EQ(bad.status, "exit 1");
  EXPECT_NE(bad.err.find(
                "cites-unknown.yaml:6:5: error: unknown documentation clause 'a.nope'"),
            std::string::npos)
      << bad.err;
}

// The committed report must be the command's output for the current suite.
TEST(CoverageReport, CommittedCoverageMdIsUpToDate) {
  const std::string root = sourceRoot();
  const CoverageSources src = defaultCoverageSources(root);
  const std::string now = renderCoverage(computeCoverage(src), src);
  std::ifstream in(root + "/spec/scenarios/COVERAGE.md", std::ios::binary);
  std::stringstream committed;
  committed << in.rdbuf();
  EXPECT_TRUE(in.good() && committed.str() == now)
      << "spec/scenarios/COVERAGE.md is out of date; run: build/monsim coverage -o "
         "spec/scenarios/COVERAGE.md";
}

}  // namespace
}  // namespace monsim::harness
