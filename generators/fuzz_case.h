#pragma once
// A generated scenario: an event-control sequence over a generated program, for
// one Python version, rendered as a scenario YAML the loader reads like any suite
// file. A Token (version, seed, size, shrink path) regenerates a case exactly.
#include <rapidcheck.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "generators/controls.h"
#include "generators/program.h"
#include "model/version_profile.h"

namespace monsim::gen {

struct FuzzCase {
  Controls controls;  // first: shrinking tries the control sequence before the program
  Program program;
};

// `hooks`: every case installs trace or profile functions (genControls).
// `capi`: every case drives the C API too (genControls).
// `focus`: the bias of rule-guided campaigns (generators/focus.h).
rc::Gen<FuzzCase> genFuzzCase(PyVersion v, bool hooks = false, bool capi = false,
                              Focus focus = Focus::None);

// "313-<seed hex>-<size>[-<i>.<j>…]" ("313h-…" for a case of fuzz --legacy: hooks,
// "…f<N>-" with a focus): the
// shrink path lists, per step, which shrink of the previous case was taken.
struct Token {
  PyVersion version = PyVersion::V3_13;
  bool hooks = false;
  uint64_t seed = 0;
  int size = 100;
  std::vector<int> path;
  bool capi = false;          // "313c-…": a case of fuzz --capi
  Focus focus = Focus::None;  // "313f2-…", "313cf5-…": a rule-guided case's bias
  std::string str() const;
  static std::optional<Token> parse(std::string_view text);
};

// A case's seed: a fixed mix (splitmix64) of the campaign seed and the case number.
uint64_t caseSeed(uint64_t campaignSeed, uint64_t n);

// The case a token names, as a shrinkable (its shrinks() continue the search).
rc::Shrinkable<FuzzCase> caseAt(const Token& t);

struct ScenarioText {
  std::string yaml;
  std::vector<std::string> features;
};
// `id` must be a valid scenario id; `spec` is the scenario's spec reference.
ScenarioText renderScenario(const FuzzCase& c, PyVersion v, const std::string& id,
                            const std::string& description, const std::string& spec);

// Fragments and controls a case uses, for RC_CLASSIFY and campaign statistics.
std::vector<std::string> caseTags(const FuzzCase& c, PyVersion v);

// JSON as a YAML flow value, with plain scalars where YAML reads them back as strings.
std::string yamlFlow(const nlohmann::json& j);

}  // namespace monsim::gen
