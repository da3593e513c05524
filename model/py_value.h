#pragma once
// Python values crossing the API boundary (behaviour §5.1, §7.2, §8.1): arguments
// exactly as a program could pass them, and results/exceptions as values.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/ids.h"

namespace monsim {

struct PyNone {
  bool operator==(const PyNone&) const = default;
};
struct PyInt {  // any Python int the model can hold; beyond C int → OverflowError
  int64_t value = 0;
  bool operator==(const PyInt&) const = default;
};
struct PyBool {  // True converts to 1, False to 0
  bool value = false;
  bool operator==(const PyBool&) const = default;
};
struct PyStr {
  std::string value;
  bool operator==(const PyStr&) const = default;
};
struct PyObj {  // any other object; only its type name is observable
  std::string typeName;
  bool operator==(const PyObj&) const = default;
};
using PyArg = std::variant<PyInt, PyBool, PyStr, PyNone, PyObj>;

// The code argument of set_local_events / get_local_events.
struct NotCode {
  std::string typeName;
  bool operator==(const NotCode&) const = default;
};
using CodeArg = std::variant<CodeId, NotCode>;

// register_callback's func: a callable handle, or None (unregister).
using CallableArg = std::optional<CallableId>;

// An exception as the program sees it: exact type name and message.
struct PyError {
  std::string type;
  std::string message;
  bool operator==(const PyError&) const = default;
};

struct IntValue {
  int64_t value = 0;
  bool operator==(const IntValue&) const = default;
};
struct StrValue {
  std::string value;
  bool operator==(const StrValue&) const = default;
};
struct EventToolMask {
  std::string_view event;
  uint8_t tools = 0;
  bool operator==(const EventToolMask&) const = default;
};
struct AllEventsValue {  // _all_events(): non-zero global entries (behaviour §2.5)
  std::vector<EventToolMask> entries;
  bool operator==(const AllEventsValue&) const = default;
};

// Result of an occurrence: how many callbacks ran and the exception that now
// propagates from the instrumented instruction, if any (behaviour §9.6, §10.5).
struct Dispatched {
  uint32_t deliveries = 0;
  std::optional<PyError> raised;
  bool suppressed = false;  // arrived while a callback was running (behaviour §9.5)
  bool operator==(const Dispatched&) const = default;
};

// The input itself is malformed (not a Python-level error): e.g. an occurrence
// in a code object with no frame on the stack.
struct InvalidInput {
  std::string_view reason;
  bool operator==(const InvalidInput&) const = default;
};

using Outcome = std::variant<PyNone, IntValue, StrValue, CallableId, AllEventsValue,
                             PyError, Dispatched, InvalidInput>;

inline PyArg pyInt(int64_t v) { return PyInt{v}; }

}  // namespace monsim
