#pragma once
// Per-implementation expectations files (spec/expectations/*.yaml): the scenarios
// an interpreter is known to fail, each with the verdict it gets, the reason and
// the upstream issue. Strict: a listed scenario that passes is an `xpass`.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/loader.h"
#include "scenario/scenario.h"

namespace monsim::harness {

struct KnownDeviation {
  std::string verdict;  // "fail" | "expect-fail" | "error"
  std::string reason;
  std::string issue;  // URL, may be empty
  SourceLoc loc;
};

// A fuzz-divergence signature (generators/campaign.h) already triaged: the suite
// scenario that reproduces it and why. `monsim fuzz` counts these, not reports them.
struct KnownSignature {
  std::string signature;  // exact signature
  std::string scenario;   // the suite scenario that documents it
  std::string reason;
  SourceLoc loc;
};

struct Expectations {
  std::string interpreter;  // an interpreter id prefix, e.g. "cpython-3.13"
  std::string file;
  std::map<std::string, KnownDeviation> deviations;  // by scenario id
  std::vector<KnownSignature> fuzz;                  // `fuzz_signatures`
};

// Every *.yaml file of `dir`; problems as diagnostics (file:line:col).
std::vector<Expectations> loadExpectations(const std::string& dir,
                                           std::vector<Diagnostic>& diags);
// One expectations file's text (`file` names it in diagnostics); nullopt when it
// yields no entry.
std::optional<Expectations> loadExpectationsText(std::string_view yaml,
                                                 const std::string& file,
                                                 std::vector<Diagnostic>& diags);
// The entry for (interpreter, scenario id) from the first file whose `interpreter`
// prefixes one of `names` at a '-' or '.' boundary ("cpython-3.13" matches
// "cpython-3.13.0"). `names`: the interpreter's id and the implementation and version
// it runs ("pyodide-3.12.1" runs "cpython-3.12.1": CPython's deviations are its too).
const KnownDeviation* findDeviation(const std::vector<Expectations>& all,
                                    const std::vector<std::string>& names,
                                    const std::string& scenarioId);

const KnownSignature* findKnownSignature(const std::vector<Expectations>& all,
                                         const std::vector<std::string>& names,
                                         const std::string& signature);

}  // namespace monsim::harness
