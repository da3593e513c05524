#pragma once
// Values between the oracle's JSON and the model's API inputs/outcomes: recorded
// arguments (normaliser JSON, oracle/PROTOCOL.md) and scenario literals become
// PyArg; model outcomes are compared with recorded results and errors.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/input.h"
#include "model/py_value.h"
#include "model/version_profile.h"

namespace monsim::harness {

// How a caller turns code and callable arguments into model handles.
struct ArgResolver {
  std::function<std::optional<CodeId>(const nlohmann::json&)> code;  // nullopt: not code
  std::function<CallableArg(const nlohmann::json&)> callable;
};

// An API call from its function name and argument values; `literal` says the
// values are scenario literals ({"$": …} markers) rather than recorded values.
// nullopt when the call is outside the model (unknown function, wrong arity,
// keyword arguments); `why` says which.
std::optional<ApiCall> makeApiCall(const std::string& fn, const nlohmann::json& args,
                                   bool literal, const VersionProfile& p,
                                   const ArgResolver& r, std::string& why);

PyArg argFromRecorded(const nlohmann::json& v);
PyArg argFromLiteral(const nlohmann::json& v, const VersionProfile& p);
// The type name a recorded or literal value has in Python.
std::string typeNameOf(const nlohmann::json& v, bool literal);

// "" when the model's outcome agrees with a recorded api record, else why not.
// `callableRepr` gives the repr the oracle recorded for a callable handle.
std::string compareOutcome(const Outcome& predicted, const nlohmann::json& record,
                           const std::function<std::string(CallableId)>& callableRepr);
// The outcome as one line: "returns 32", "raises ValueError: …".
std::string outcomeText(const Outcome& o,
                        const std::function<std::string(CallableId)>& callableRepr);
std::string recordedOutcomeText(const nlohmann::json& record);

}  // namespace monsim::harness
