#pragma once
// The differential check (style guide §8): the model's deliveries and API outcomes
// against the interpreter's, aligned per occurrence (the probe's record of it, so
// per (code, offset, event)); each divergence is classified and explained by the
// model rule that produced the expected side.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "check/expect.h"
#include "check/replay.h"
#include "interpreter/trace.h"
#include "scenario/scenario.h"

namespace monsim::harness {

struct Divergence {
  using Kind = vocab::DivergenceKind;  // spec/vocab/divergences.def
  Kind kind = Kind::Missing;
  size_t record = 0;  // trace record of the occurrence or API call
  int tool = -1;
  std::string model;        // the model's side, one line
  std::string interpreter;  // the interpreter's side, one line
  std::string rule;         // the model rule behind the model's side
  std::string where;        // "f@1 offset 6 (line 3)"
  std::string event;        // the occurrence's event, or the API function's name
};
inline std::string_view kindName(Divergence::Kind k) { return vocab::name(k); }

struct Comparison {
  std::vector<Divergence> divergences;
  std::string report;  // first divergence with context; "" when none
  bool agree() const { return divergences.empty(); }
};

Comparison compare(const Scenario& s, const Trace& t, const Prediction& p);

// The deliveries of a trace / a prediction, offset-free, for `expect`.
std::vector<SeenDelivery> seenDeliveries(const Trace& t);
std::vector<SeenDelivery> seenDeliveries(const Trace& t, const Prediction& p);
std::vector<SeenStep> seenSteps(const Trace& t);
std::vector<SeenStep> seenSteps(const Prediction& p);  // script scenarios

// Observer independence: "" when the scenario tools got the same deliveries with and
// without the probe, else the first difference.
std::string observerDifference(const Trace& withProbe, const Trace& withoutProbe);

}  // namespace monsim::harness
