#pragma once
// `monsim report diff OLD NEW`: what changed between two runs, per scenario ×
// interpreter. A regression is a result that makes the run fail now and did not
// before (including a new scenario that fails on an interpreter both runs had); a
// fix is the reverse. Interpreters only one run has are listed, not compared.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reports/render/results.h"

namespace monsim::report {

struct VerdictChange {
  std::string scenario, interpreter;
  std::optional<Verdict> before;  // nullopt for a new scenario
  Verdict after = Verdict::Pass;
  std::string reason;  // the new (or old, if gone) reason
};

struct RunDiff {
  std::vector<VerdictChange> regressions, fixes, changes;
  std::vector<VerdictChange> differently;   // bad before and after, for another reason
  std::vector<std::string> added, removed;  // scenario ids
  std::vector<std::string> interpretersAdded, interpretersRemoved;
  std::vector<std::string> interpreters;  // in both runs, in column order
  // Per interpreter in both runs: (before, after) -> results, unchanged ones included.
  std::map<std::string, std::map<std::pair<Verdict, Verdict>, int>> transitions;
};

RunDiff diffResults(const ResultSet& before, const ResultSet& after);
// Markdown for a terminal or a pull-request comment.
std::string diffMarkdown(const RunDiff& d, const ResultSet& before,
                         const ResultSet& after);

}  // namespace monsim::report
