#pragma once
// The model's input for a scenario's `capi` action (behaviour §13): code-like
// objects become runs of PyMonitoringState numbers and version cells, in the order
// the scenario declares them.
#include <functional>
#include <optional>
#include <string>

#include "interpreter/trace.h"
#include "model/input.h"
#include "scenario/scenario.h"

namespace monsim::harness {

// The C function a call names ("PyMonitoring_FireCReturnEvent"); else apiName.
std::string callName(const ApiCall& call);

// `action` (oracle JSON, kept alive by the caller: the call views its strings) as
// the model's call; nullopt with `why` for one the model cannot take.
std::optional<ApiCall> capiCall(const nlohmann::json& action, const Scenario& s,
                                const std::function<CodeId(const std::string&)>& codeId,
                                std::string& why);

}  // namespace monsim::harness
