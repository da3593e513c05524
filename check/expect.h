#pragma once
// Checks a scenario's hand-written `expect` against one run's deliveries and step
// outcomes, FileCheck-style (spec/SCENARIO-FORMAT.md §Expectations): ordered by
// default, `unordered` groups, `absent` patterns, `match: exact|contains`. Works on
// an offset-free view, so the same expectations hold on any implementation.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace monsim::harness {

// One delivery as the expectations see it (from a trace or from the model).
struct SeenDelivery {
  int tool = 0;
  std::string event;
  std::string code;      // code id, e.g. "f@3"
  std::string function;  // qualname
  int firstLine = 0;     // the code's first line (for "+N" patterns)
  std::optional<int> line;
  std::string exc;           // exception type name, if any
  std::string callable;      // CALL/C_*: the callable's repr
  std::string result;        // "returned" | "disable" | "raised"
  std::string text() const;  // one readable line, e.g. "tool 2 LINE f:4 -> disable"
};

// What a step ended with.
struct SeenStep {
  int step = 0;
  std::optional<nlohmann::json> result;  // plain JSON value when the step returned one
  std::string resultRepr;                // repr of the returned value
  std::optional<std::string> raised;     // exception type
  std::string message;                   // exception message, if known
};

struct ExpectFailure {
  SourceLoc loc;        // the expectation that failed
  std::string message;  // what was expected, what was seen instead (with position)
};

bool matches(const DeliveryPattern& p, const SeenDelivery& d);

// All failures; empty when the expectations hold. `tools`: the scenario's tool
// ids (the default scope); `v`: the version checked, on which `{$: events}` markers in
// step results are resolved.
std::vector<ExpectFailure> checkExpect(const Expect& e, const std::vector<int>& tools,
                                       const std::vector<SeenDelivery>& deliveries,
                                       const std::vector<SeenStep>& steps, PyVersion v);

}  // namespace monsim::harness
