#pragma once
// Pieces the Markdown reports share.
#include <string>

#include "reports/render/render.h"
#include "reports/render/results.h"

namespace monsim::report {

// A link to a file under the source root, or the path as code when not linkable.
std::string mdLink(const RenderOptions& o, const std::string& path,
                   const std::string& text);
std::string folderOf(const std::string& file);  // "a/b/c.yaml" -> "a/b/"
std::string firstLine(const std::string& s);
// The first thing that went wrong, in one line: divergence, unmet expectation, detail.
std::string firstProblem(const Record& r);
// The anchor GitHub gives a heading: "free-clears-tool-3.14" -> "free-clears-tool-314".
std::string mdAnchor(const std::string& heading);
// "# title" and the provenance line (monsim version, suite commit, scenarios).
std::string mdHeader(const ResultSet& rs, const RenderOptions& o,
                     const std::string& title);

}  // namespace monsim::report
