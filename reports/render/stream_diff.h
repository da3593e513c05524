#pragma once
// The report of `monsim diff`: two interpreters' raw event streams over the same
// scenarios, per scenario the occurrences only one side emitted. Its own data (the
// reports layer does not read the harness's structs): the diff command fills it,
// writes it as JSON beside the pages, and these renderers turn it into Markdown and a
// self-contained HTML page styled like the conformance report.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace monsim::report {

struct StreamDiffRow {
  std::string scenario, description, file;
  std::string error;  // a side gave no trace (then the counts are 0)
  size_t onlyLeftCount = 0, onlyRightCount = 0, common = 0;
  std::vector<std::string> onlyLeft,
      onlyRight;  // the first ones, as "EVENT code@off line"
};

struct StreamDiffReport {
  std::string left, right;  // interpreter ids
  std::string command;      // how it was made
  bool ignoreOffsets = false;
  bool branchAsOne = false;
  int same = 0, skipped = 0;
  std::vector<StreamDiffRow> rows;  // scenarios that differ or have no trace on a side
  int differing() const;
  int errors() const;
};

nlohmann::json toJson(const StreamDiffReport& r);
// Throws nlohmann::json::exception on a malformed document.
StreamDiffReport streamDiffFromJson(const nlohmann::json& j);

std::string streamDiffMarkdown(const StreamDiffReport& r);
std::string streamDiffHtml(const StreamDiffReport& r);

}  // namespace monsim::report
