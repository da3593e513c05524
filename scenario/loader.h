#pragma once
// Loads a scenario file (spec/SCENARIO-FORMAT.md) into a Scenario. Everything the
// format defines is checked and every problem is reported, each with the
// `file:line:col` it is about; nothing throws, whatever the input.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"

namespace monsim::harness {

struct Diagnostic {
  SourceLoc loc;
  std::string message;
  std::string str() const;  // "file:line:col: error: message"
};

// `scenario` is set exactly when `diagnostics` is empty. Diagnostics are in
// source order.
struct LoadResult {
  std::optional<Scenario> scenario;
  std::vector<Diagnostic> diagnostics;
};

// `fileName` is only used in positions.
LoadResult loadScenarioText(std::string_view yaml, const std::string& fileName);
// An unreadable file gives one diagnostic at `path:1:1`.
LoadResult loadScenarioFile(const std::string& path);

// Files are taken as given; directories are searched recursively for `*.yaml`,
// skipping `bad-*.yaml` (the loader's negative tests), each directory's files
// sorted. No duplicates. A path that does not exist adds to `missing`.
std::vector<std::string> findScenarioFiles(const std::vector<std::string>& paths,
                                           std::vector<Diagnostic>& missing);

// A suite: the scenario files found under `paths` (findScenarioFiles), each loaded;
// a scenario whose id another file already uses is a diagnostic, not loaded.
// `files` counts the files found.
struct Suite {
  std::vector<Scenario> scenarios;
  std::vector<Diagnostic> diagnostics;
  size_t files = 0;
};
Suite loadSuite(const std::vector<std::string>& paths);

// `python:` ranges: comma-separated `>=3.N`, `<3.N` or `3.N` (= `>=3.N,<3.N+1`).
// Lower bounds and `3.N` need a spec version; an upper bound past the last one is
// no bound. nullopt, with `why`, on bad syntax, unknown versions or an empty range.
std::optional<VersionRange> parseVersionRange(std::string_view text, std::string& why);

}  // namespace monsim::harness
