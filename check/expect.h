#pragma once
// Checks a scenario's hand-written `expect` against one run's deliveries and step
// outcomes, FileCheck-style (spec/SCENARIO-FORMAT.md §Expectations): ordered by
// default, `unordered` groups, `absent` patterns, `match: exact|contains`. Works on
// an offset-free view, so the same expectations hold on any implementation.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/trace.h"
#include "scenario/scenario.h"

namespace monsim::harness {

// One delivery as the expectations see it (from a trace or from the model): `line`
// is the event's line (LINE: its argument), and offsets are not looked at.
struct SeenDelivery : Delivery {
  std::string function;  // qualname
  int firstLine = 0;     // the code's first line (for "+N" patterns)
  std::string_view eventText() const { return eventName(event); }
  std::string_view resultText() const { return outcomeName(result); }
  std::string text() const;  // one readable line, e.g. "tool 2 LINE f:4 -> disable"
};

// What a step ended with.
struct SeenStep {
  int step = 0;
  std::optional<Literal> result;      // plain JSON value when the step returned one
  std::string resultRepr;             // repr of the returned value
  std::optional<std::string> raised;  // exception type
  std::string message;                // exception message, if known
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
