#pragma once
// Predicts what a scenario's tools receive: the model is fed the interpreter's own
// raw event stream (the probe's records), the API calls the steps and the program
// made, and the frame changes derived from PY_START/RESUME/THROW and
// RETURN/YIELD/UNWIND; callbacks behave as the scenario declares (ScenarioPolicy).
#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/trace.h"
#include "model/explain.h"
#include "model/py_value.h"
#include "model/version_profile.h"
#include "scenario/scenario.h"

namespace monsim::harness {

// An API call's effect, as the model computed it.
struct PredictedCall {
  std::string fn;
  std::string outcome;                       // outcomeText
  const nlohmann::json* observed = nullptr;  // the interpreter's record, if paired
  std::string mismatch;                      // "" when they agree
};

struct PredictedDelivery {
  int tool = 0;
  std::string event;  // "BRANCH" for a 3.14+ legacy BRANCH callback
  std::string code;   // trace code id
  int32_t offset = 0;
  int32_t aux = 0;  // LINE: line; JUMP/BRANCH*: destination
  std::optional<int> line;
  std::string exc;
  std::string result;  // "returned" | "disable" | "raised"
  std::string raisedType;
  std::vector<PredictedCall> calls;
  size_t record = 0;  // index of the probe event record in Trace::records
  Reason why = Reason::ActiveGlobal;
  std::optional<SourceLoc> clause;  // the scenario clause that decided the behaviour
};

// A top-level API call (setup, step or program code) replayed on the model.
struct ApiCheck {
  size_t record = 0;
  std::string fn, by;
  std::string predicted;  // outcomeText, or why it is not modelled
  bool modelled = true;
  std::string mismatch;            // "" when the model agrees
  std::optional<Outcome> outcome;  // the model's, when modelled
};

struct Prediction {
  std::vector<PredictedDelivery> deliveries;
  std::vector<ApiCheck> api;
  // Per probe event record: why each tool would (not) get it, before dispatch.
  std::vector<std::pair<size_t, std::array<Reason, 6>>> reasons;
  std::vector<std::string> notes;  // replay anomalies worth a reader's attention
  // Occurrences the probe missed (fed from a tool's delivery) where the model says
  // the probe should have been called: the interpreter skipped a tool.
  std::vector<std::pair<size_t, std::string>> probeMissed;
  const std::array<Reason, 6>* reasonsAt(size_t record) const;
};

// For program scenarios: `trace` is the interpreter's probe-on run.
Prediction predict(const Scenario& s, const Trace& trace, PyVersion v);
// For script scenarios: the script's own occurrences; ApiCheck::record is the
// script step index and nothing is compared.
Prediction predictScript(const Scenario& s, PyVersion v);

}  // namespace monsim::harness
