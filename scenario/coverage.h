#pragma once
// The coverage of the conformance suite (issue 6): which scenarios check each
// documented clause (spec/clauses.yaml), each test of CPython's
// Lib/test/test_monitoring.py (spec/test_monitoring.yaml) and each model rule
// (spec/rules.yaml), rendered as spec/scenarios/COVERAGE.md. Scenarios cite a
// clause as "doc: <id>" and a test as "test_monitoring: Class.test_name" in
// `spec:`; citing one that does not exist is an error at that entry's position.
#include <map>
#include <string>
#include <vector>

#include "scenario/loader.h"
#include "scenario/scenario.h"

namespace monsim::harness {

// The documentation versions the seed translations cover (es 3.12, zh 3.13, de 3.14).
inline constexpr PyVersion kDocVersions[] = {PyVersion::V3_12, PyVersion::V3_13,
                                             PyVersion::V3_14};

struct DocClause {
  std::string id, section, text, note, reason;
  std::vector<PyVersion> versions;  // the seed versions that state it
  bool testable = true;
  SourceLoc loc;
};

struct MonitoringTest {
  std::string test;      // "Class.test_name"
  std::string versions;  // as written, for the report
  bool outOfScope = false;
  std::string reason;
  SourceLoc loc;
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

struct CoverageSources {
  std::string root;  // paths in the report are relative to it
  std::string clauses, tests, rules;
  std::vector<std::string> suite;  // scenario files or directories
};
// ROOT/spec/{clauses,test_monitoring,rules}.yaml and ROOT/spec/scenarios.
CoverageSources defaultCoverageSources(const std::string& root);

struct CitedScenario {
  Scenario scenario;
  std::vector<SourceLoc> specLocs;  // per specRefs[i]
};

struct Coverage {
  std::vector<DocClause> clauses;
  std::vector<MonitoringTest> tests;
  std::vector<ModelRule> rules;
  std::vector<CitedScenario> scenarios;  // in file order
  // id -> indices into `scenarios`, each list in scenario-id order.
  std::map<std::string, std::vector<size_t>> byClause, byTest, byRule;
  // Unreadable or malformed inputs, and citations of unknown clauses or tests.
  std::vector<Diagnostic> errors;

  // A testable clause is covered when every version that states it has a citing
  // scenario that runs on that version.
  std::vector<PyVersion> uncoveredVersions(const DocClause& c) const;
  std::vector<size_t> citing(const DocClause& c, PyVersion v) const;
};

Coverage computeCoverage(const CoverageSources& src);
// The COVERAGE.md text: deterministic (no dates, paths relative to `src.root`).
std::string renderCoverage(const Coverage& c, const CoverageSources& src);

}  // namespace monsim::harness
