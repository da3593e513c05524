#pragma once
// The results stream of a conformance run (reports/schema/results.schema.json):
// a header (suite commit, interpreters with their build and capabilities), one
// record per scenario × interpreter in file order, and a footer with the totals.
#include <string>

#include "runner/suite.h"

namespace monsim::harness {

struct StreamInfo {
  std::string root;      // the suite's checkout (for suite_commit / suite_dirty)
  size_t scenarios = 0;  // scenarios loaded
  size_t loadErrors = 0;
};

// The header line: the interpreters with their build and capabilities where `hellos`
// has them.
nlohmann::json streamHeader(const std::vector<Interpreter>& interps,
                            const std::vector<std::optional<nlohmann::json>>& hellos,
                            const StreamInfo& info, const std::string& started);

// Replaces `path` with the whole stream (records in file order, the footer); false,
// with `error`, when the file cannot be written.
bool writeResultsStream(const std::string& path, const SuiteRun& run,
                        const std::vector<Interpreter>& interps, const StreamInfo& info,
                        std::string& error);

}  // namespace monsim::harness
