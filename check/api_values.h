#pragma once
// Values between the oracle and the model's API inputs/outcomes: recorded
// arguments (TraceValue, oracle/PROTOCOL.md §4.2) and scenario literals (§3.5)
// become PyArg; model outcomes are compared with recorded results and errors.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/trace.h"
#include "model/input.h"
#include "model/py_value.h"
#include "model/version_profile.h"

namespace monsim::harness {

// A code object argument: by code id, or (a literal's `{$: code, of: f}`) by the
// name of the program function whose code it is.
struct CodeRef {
  std::string id;
  std::string function;
};

// A callable argument, as far as the replay needs to know how it behaves.
struct CallableRef {
  enum class Kind { None, Handler, Declared, Trace, Other };
  Kind kind = Kind::Other;  // Declared: a callback declared in `tools` ("<tool>")
  std::string handler;      // Handler: its name in `handlers`; Trace: the oracle's
                            // label ("trace:T", "profile:T", "trace:<f>" for a
                            // program function)
  std::string repr;         // as the oracle records it
};

// How a caller turns code and callable arguments into model handles.
struct ArgResolver {
  std::function<std::optional<CodeId>(const CodeRef&)> code;  // nullopt: unknown code
  std::function<CallableArg(const CallableRef&)> callable;
};

// An API call from its function name and recorded arguments; nullopt when the call
// is outside the model (unknown function, wrong arity, keyword arguments); `why`
// says which.
std::optional<ApiCall> makeApiCall(const std::string& fn,
                                   const std::vector<TraceValue>& args,
                                   const VersionProfile& p, const ArgResolver& r,
                                   std::string& why);
// The same from scenario literals ({"$": …} markers): `args` is their JSON array.
std::optional<ApiCall> makeLiteralApiCall(const std::string& fn, const Literal& args,
                                          const VersionProfile& p, const ArgResolver& r,
                                          std::string& why);

PyArg argFromRecorded(const TraceValue& v);
// What a recorded callable argument is (a handler, a trace function, None, …).
CallableRef callableOfRecorded(const TraceValue& v);
// The type name a recorded value has in Python.
std::string typeNameOf(const TraceValue& v);

// "" when the model's outcome agrees with a recorded api record, else why not.
// `callableRepr` gives the repr the oracle recorded for a callable handle.
std::string compareOutcome(const Outcome& predicted, const TraceRecord& record,
                           const std::function<std::string(CallableId)>& callableRepr);
// The outcome as one line: "returns 32", "raises ValueError: …".
std::string outcomeText(const Outcome& o,
                        const std::function<std::string(CallableId)>& callableRepr);
std::string recordedOutcomeText(const TraceRecord& record);

}  // namespace monsim::harness
