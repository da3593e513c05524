#pragma once
// Properties every recorded oracle trace must have, whatever the model predicts:
// fire-once (behaviour §9.1), DISABLE locality and persistence (§10.1, FINDINGS F1),
// restart_events re-enabling (§11.5), balanced frame and exception events in the
// probe's stream (§3.8), nothing reported while a callback runs but C API fires (§9.5).
// (Whether a passive extra tool changes what a tool gets is not an invariant: the model
// predicts both runs, check/probe_effect.h.) A violation on a real interpreter is a
// finding about the interpreter (or the oracle), not the model.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/trace.h"
#include "scenario/scenario.h"

namespace monsim::harness {

enum class Invariant : uint8_t {
  FireOnce,
  DisableLocality,
  StableDelivery,
  RestartRestores,
  Balanced,
  QuietCallbacks,
};
// "fire-once", "disable-locality", "stable-delivery", "restart-restores", "balanced",
// "quiet-callbacks".
std::string_view invariantName(Invariant i);

struct InvariantViolation {
  Invariant invariant = Invariant::FireOnce;
  size_t record = kNoRecord;  // in the probe-on trace; kNoRecord: the trace as a whole
  std::string message;
  std::string str() const;  // "invariant (record N): message"
};

// `on`: the scenario recorded with the probe. Traces without the probe yield no
// violations.
std::vector<InvariantViolation> checkInvariants(const Trace& on);

}  // namespace monsim::harness
