#pragma once
// The coverage of the conformance suite (issues 6 and 15): which scenarios check
// each documented clause (spec/clauses.yaml), each test of CPython's
// Lib/test/test_monitoring.py, test_sys_settrace.py and test_sys_setprofile.py
// (spec/<module>.yaml) and each model rule (spec/rules.yaml), rendered as
// spec/scenarios/COVERAGE.md. Scenarios cite a clause as "doc: <id>" and a test as
// "<module>: Class.test_name" (e.g. "test_sys_settrace: TraceTestCase.test_06_call")
// in `spec:`; citing one that does not exist is an error at that entry's position.
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/loader.h"
#include "scenario/scenario.h"

namespace monsim::harness {

// The documentation versions the seed translations cover (es 3.12, zh 3.13, de 3.14;
// the ru sys.settrace tutorial is version-independent: it states its clauses for all).
inline constexpr PyVersion kDocVersions[] = {PyVersion::V3_12, PyVersion::V3_13,
                                             PyVersion::V3_14};

struct DocClause {
  std::string id, section, text, note, reason;
  // What the citing scenarios do not check of the clause ("": they check all of it).
  std::string partly;
  std::vector<PyVersion> versions;  // the seed versions that state it
  bool testable = true;
  SourceLoc loc;
};

// The CPython test modules whose tests are catalogued, each in spec/<module>.yaml.
inline constexpr std::string_view kTestModules[] = {
    "test_monitoring", "test_sys_settrace", "test_sys_setprofile"};

// `status:` of a catalogued test. Covered, Partly and Uncovered tests are in scope:
// scenarios cite a Covered one; they cite a Partly one but do not check all it asserts
// (`reason` says what they leave out); none cites an Uncovered one yet (`reason` may
// say what is missing; citing it is an error until it is marked covered); OutOfScope
// tests say why in `reason` and may be cited all the same.
enum class TestStatus { Covered, Partly, Uncovered, OutOfScope };

// How far the suite covers a test or clause, as COVERAGE.md counts it: Covered and
// Partly need a citing scenario that passes (Partly: it checks only some of what the
// test or clause asserts, the catalogue says what not); OnlyFailing: every citing
// scenario fails (or has no verdict yet); NotCovered: nothing cites it.
enum class CoverageLevel { Covered, Partly, OnlyFailing, NotCovered };
inline constexpr CoverageLevel kCoverageLevels[] = {
    CoverageLevel::Covered, CoverageLevel::Partly, CoverageLevel::OnlyFailing,
    CoverageLevel::NotCovered};
std::string_view coverageLevelName(CoverageLevel l);

struct CpythonTest {
  std::string module;    // "test_sys_settrace"
  std::string test;      // "Class.test_name"
  std::string versions;  // as written, for the report
  TestStatus status = TestStatus::Covered;
  std::string reason;
  SourceLoc loc;
  bool inScope() const { return status != TestStatus::OutOfScope; }
  // How scenarios cite it, and its key in Coverage::byTest: "module: Class.test_name".
  std::string citation() const { return module + ": " + test; }
};

// A row of README's "rule → file → doc clause" table and how to find its scenarios.
struct ModelRule {
  std::string id, title;
  std::vector<std::string> files;
  std::vector<std::string> features;   // scenario `features:` tags
  std::vector<std::string> clauses;    // clause ids; a trailing '.' or '*' makes a prefix
  std::vector<std::string> behaviour;  // "9.6" matches "behaviour §9.6" and §9.6.x
  std::vector<std::string> spec;       // substrings of `spec:` entries
  SourceLoc loc;
};

struct TestCatalogue {
  std::string module;  // one of kTestModules
  std::string file;    // its spec/<module>.yaml
};

struct CoverageSources {
  std::string root;  // paths in the report are relative to it
  std::string clauses, rules;
  std::vector<TestCatalogue> tests;  // in kTestModules order
  std::vector<std::string> suite;    // scenario files or directories
  // The published verdicts (reports/verdicts.json, `./run check --publish`): a citation
  // counts only for a scenario that passes. "": not read (every citation counts).
  std::string verdicts;
};
// ROOT/spec/{clauses,rules}.yaml, ROOT/spec/<module>.yaml for each of kTestModules,
// ROOT/spec/scenarios and ROOT/reports/verdicts.json.
CoverageSources defaultCoverageSources(const std::string& root);

struct CitedScenario {
  Scenario scenario;
  std::vector<SourceLoc> specLocs;  // per specRefs[i]
};

struct Coverage {
  std::vector<DocClause> clauses;
  std::vector<CpythonTest> tests;  // every catalogue's, in catalogue order
  std::vector<ModelRule> rules;
  std::vector<CitedScenario> scenarios;  // in file order
  // id -> indices into `scenarios`, each list in scenario-id order; byTest is keyed
  // by CpythonTest::citation().
  std::map<std::string, std::vector<size_t>> byClause, byTest, byRule;
  // Unreadable or malformed inputs, citations of unknown clauses or tests, and cited
  // tests marked uncovered.
  std::vector<Diagnostic> errors;

  // From the verdicts file: scenario id -> the interpreters it passed on ("model-3.13"
  // for a script scenario), and the ids it has any verdict for.
  bool haveVerdicts = false;
  std::map<std::string, std::vector<std::string>> passedOn;
  std::set<std::string> judged;

  // A scenario counts for a citation when it passes on some interpreter (on one of
  // version v, for a clause's version), or when no verdicts were read.
  bool passes(size_t scenario) const;
  bool passesOn(size_t scenario, PyVersion v) const;
  // Why a citing scenario does not count: "never passes" (judged, no pass) or "no
  // verdict" (not in the verdicts file: published before it existed); "" when it counts.
  std::string notCounting(size_t scenario) const;

  // A testable clause is covered when every version that states it has a citing
  // scenario that runs and passes on that version.
  std::vector<PyVersion> uncoveredVersions(const DocClause& c) const;
  std::vector<size_t> citing(const DocClause& c, PyVersion v) const;
  // The citing scenarios that run on v but do not pass there.
  std::vector<size_t> citingNotPassing(const DocClause& c, PyVersion v) const;
  // A test is covered when a citing scenario passes.
  bool testCovered(const CpythonTest& t) const;
  // The level of a test in scope, and of a testable clause (the worst over the
  // versions that state it).
  CoverageLevel level(const CpythonTest& t) const;
  CoverageLevel level(const DocClause& c) const;
};

Coverage computeCoverage(const CoverageSources& src);
// The COVERAGE.md text: deterministic (no dates, paths relative to `src.root`).
std::string renderCoverage(const Coverage& c, const CoverageSources& src);

}  // namespace monsim::harness
