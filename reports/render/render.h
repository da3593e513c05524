#pragma once
// The report files `monsim report` writes, each rendered from a merged ResultSet.
#include <string>

#include "reports/render/results.h"

namespace monsim::report {

struct RenderOptions {
  // From the output folder to the source root, for links to scenario files
  // ("../" for reports/); empty: paths are shown, not linked.
  std::string rootLink;
  // The command that regenerates the file, named in its header.
  std::string regenerate = "monsim report";
};

// Feature area × interpreter matrices per normative level, the model's self-check,
// then every failure with its first divergence.
std::string summaryMarkdown(const ResultSet& rs, const RenderOptions& o);
// Every place an interpreter departs from the documented spec (deviations.h).
std::string deviationsMarkdown(const ResultSet& rs, const RenderOptions& o);
// One testsuite per interpreter, a testcase per scenario (Ant/Jenkins JUnit shape).
std::string junitXml(const ResultSet& rs);
// A static, self-contained page: the matrix, filters, per-scenario drill-down.
std::string htmlPage(const ResultSet& rs, const RenderOptions& o);
// Per scenario, the interpreters it got each verdict on (read by `monsim coverage`).
std::string verdictsJson(const ResultSet& rs, const RenderOptions& o);

}  // namespace monsim::report
