#pragma once
// The differential check (style guide §8): the model's deliveries and API outcomes
// against the interpreter's, aligned per occurrence (the probe's record of it, so
// per (code, offset, event)); each divergence is classified and explained by the
// model rule that produced the expected side.
#include <optional>
#include <string>
#include <vector>

#include "check/expect.h"
#include "check/replay.h"
#include "interpreter/trace.h"
#include "scenario/scenario.h"

namespace monsim::harness {

// The argument of a delivery two sides differ in.
enum class DeliveryField : uint8_t {
  Event,
  Code,
  Offset,
  Line,
  Destination,
  Exception,
  Function,  // tools 6/7: which trace or profile function was called
};

// The model rule behind a divergence's model side.
struct DivergenceRule {
  enum class Kind : uint8_t {
    ToolReason,        // why the model does (not) call the tool: `reason`
    DeclaredCallback,  // the callback as the scenario declares it: `clause`
    CallbackApi,       // an API call made by a callback (behaviour §9.7)
    DispatchOrder,     // tools from the highest id down (behaviour §9.2)
    ApiSemantics,      // API semantics and error messages (behaviour §5–§8)
    NoDecision,        // the replay recorded no decision for the occurrence
    ProbeGlobal,       // the probe has every event globally
  };
  Kind kind = Kind::ToolReason;
  Reason reason = Reason::ActiveGlobal;    // ToolReason
  std::optional<DeliveryField> differsIn;  // ToolReason of a wrong argument
  std::optional<SourceLoc> clause;         // DeclaredCallback, when one matched
  // One line; `withPlace` false leaves out where the clause is (fuzz signatures).
  std::string text(bool withPlace = true) const;
};

struct Divergence {
  using Kind = vocab::DivergenceKind;  // spec/vocab/divergences.def
  Kind kind = Kind::Missing;
  size_t record = 0;  // trace record of the occurrence or API call
  int tool = -1;
  // That record, as far as a reader is shown it (unset `event`: not an occurrence).
  bool inTrace = false;
  std::optional<Event> event;  // the occurrence's event
  std::string fn;              // an API call's function
  std::string code;
  int64_t offset = 0;
  std::optional<int> line;
  // The sides. Deliveries: Missing has the model's (`probe`: the probe's, so the
  // interpreter skipped a tool), Extra the interpreter's, Wrong* both. Reordered:
  // each side's deliveries of the occurrence, in order. ApiOutcome: the call as the
  // model made it and why the interpreter's outcome differs.
  std::optional<Delivery> model, interpreter;
  bool probe = false;
  std::vector<Delivery> modelOrder, interpreterOrder;
  std::string apiFn, apiPredicted, apiMismatch;
  std::optional<ApiCaller> apiBy;  // a top-level call's caller
  DivergenceRule rule;
  // In the run without the probe (compared with the model's prediction for it);
  // `offTrace`: `record` is that run's own record (no probe record predicts it).
  bool alone = false, offTrace = false;
  size_t order = 0;  // the probe-on record it is at or after

  std::string modelText() const;        // the model's side, one line
  std::string interpreterText() const;  // the interpreter's side, one line
  std::string where() const;            // "#12 LINE f@1:6 line 3"
  std::string subject() const;  // the occurrence's event, or the API function's name
};
inline std::string_view kindName(Divergence::Kind k) { return vocab::name(k); }

struct Comparison {
  std::vector<Divergence> divergences;
  std::string report;  // first divergence with context; "" when none
  bool agree() const { return divergences.empty(); }
};

Comparison compare(const Scenario& s, const Trace& t, const Prediction& p);
// The run without the probe (`off`) against the model's prediction for it, made from
// the probe-on run `on` (predict(…, Run::Alone)). The runs have no common records, so
// occurrences are aligned as sequences (a delivery group per occurrence, paired by
// event and code, exact arguments preferred). Past `until` (a probe-on record) the
// prediction is not compared: there the two runs take different paths.
Comparison compareAlone(const Scenario& s, const Trace& on, const Trace& off,
                        const Prediction& alone, size_t until = kNoRecord);

// The deliveries of a trace / a prediction, offset-free, for `expect`.
std::vector<SeenDelivery> seenDeliveries(const Trace& t);
std::vector<SeenDelivery> seenDeliveries(const Trace& t, const Prediction& p);
std::vector<SeenStep> seenSteps(const Trace& t);
std::vector<SeenStep> seenSteps(const Prediction& p);  // script scenarios

}  // namespace monsim::harness
