#pragma once
// How strong are the suite and the stored fuzz cases? Each seeded mutant of the model
// (model/mutant.h, the mutants build) is checked on the same stored answers as the real
// model: the suite from recordings (interpreter/recordings.h) and the corpus of generated
// cases with their traces (tests/traces/). A mutant is killed by every result whose
// verdict differs from the real model's.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/mutant.h"
#include "runner/suite.h"

namespace monsim::harness {

// A generated case with the traces an interpreter gave (`monsim fuzz --save-traces`).
struct CorpusCase {
  std::string where;  // "file:line"
  std::string token, interpreter;
  PyVersion version = PyVersion::V3_13;
  Scenario scenario;
  Trace on;
  std::optional<Trace> off;
};

// Reads corpus files (JSON lines: token, interpreter, version, yaml, on, off). Problems
// ("file:line: message") are appended and the line is skipped.
std::vector<CorpusCase> loadCorpus(const std::vector<std::string>& files,
                                   std::vector<std::string>& problems);

struct MutantResult {
  MutantRow mutant;
  std::vector<std::string> suiteKills;   // "scenario on interpreter: verdict"
  std::vector<std::string> corpusKills;  // "file:line (token): verdict"
  double seconds = 0;
  bool killedBySuite() const { return !suiteKills.empty(); }
  bool killed() const { return killedBySuite() || !corpusKills.empty(); }
};

struct MutationRun {
  std::vector<MutantResult> mutants;
  size_t suiteResults = 0, corpusCases = 0;  // what each mutant was checked on
  int baselineBad = 0;  // real-model results that fail: the store disagrees with it
  int killedBySuite() const;
  int killed() const;
};

// Checks the real model, then each mutant of `only` (all when empty), on the suite
// (the oracles of `options`, normally stored ones) and the corpus. `onMutant` is called
// after each mutant. Only in the mutants build (kMutantsBuild); elsewhere returns no
// mutant.
MutationRun runMutants(const std::vector<Scenario>& scenarios,
                       const std::vector<Interpreter>& interps,
                       const SuiteOptions& options, const std::vector<CorpusCase>& corpus,
                       const std::vector<Mutant>& only,
                       const std::function<void(const MutantResult&)>& onMutant);

// The report: the score, then per mutant its rule and what killed it.
std::string mutantsMarkdown(const MutationRun& run, const std::string& command);

}  // namespace monsim::harness
