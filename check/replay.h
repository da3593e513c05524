#pragma once
// Predicts what a scenario's tools receive: the model is fed the interpreter's own
// raw event stream (the probe's records), the API calls the steps and the program
// made, and the frame changes derived from PY_START/RESUME/THROW and
// RETURN/YIELD/UNWIND; callbacks behave as the scenario declares (ScenarioPolicy).
#include <array>
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
  std::string outcome;                    // outcomeText
  std::optional<Outcome> result;          // the model's outcome (compared later too)
  const TraceRecord* observed = nullptr;  // the interpreter's record, if paired
  std::string mismatch;                   // "" when they agree
};

// A delivery the model predicts (`record`: the probe event record it replays; aux
// only for LINE, JUMP and BRANCH*), with why the model made it.
struct PredictedDelivery : Delivery {
  std::vector<PredictedCall> calls;
  Reason why = Reason::ActiveGlobal;
  std::optional<SourceLoc> clause;  // the scenario clause that decided the behaviour
  bool raises = false;  // an exception leaves the callback (it raised, or its DISABLE
                        // was rejected with ValueError): the program's path changes
};

// A top-level API call (setup, step or program code) replayed on the model.
struct ApiCheck {
  size_t record = 0;
  std::string fn;
  ApiCaller by = ApiCaller::Step;
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
  // the probe should have been called: the interpreter skipped a tool. Each is the
  // probe's delivery the model predicts (offset: the model's).
  std::vector<Delivery> probeMissed;
  std::vector<std::string> callableReprs;  // per CallableId: the oracle's repr
  const std::array<Reason, 6>* reasonsAt(size_t record) const;
  std::string reprOf(CallableId c) const {
    return c.value < callableReprs.size() ? callableReprs[c.value] : "?";
  }
};

// Which run of a program scenario the model predicts. Both are predicted from the
// probe-on run's raw stream: with the probe, every code object has the probe's
// events too; alone, only the scenario's tools (what a user's lone tool gets).
enum class Run : uint8_t { WithProbe, Alone };

// For program scenarios: `trace` is the interpreter's probe-on run.
// `opcodeTraceSticky`: how 3.12's f_trace_opcodes flag stood when the predicted run
// started (the run without the probe follows the probe-on run in one process).
Prediction predict(const Scenario& s, const Trace& trace, PyVersion v,
                   Run run = Run::WithProbe,
                   std::optional<bool> opcodeTraceSticky = std::nullopt);
// For script scenarios: the script's own occurrences; ApiCheck::record is the
// script step index and nothing is compared.
Prediction predictScript(const Scenario& s, PyVersion v);

}  // namespace monsim::harness
