#pragma once
// Argument conversion and validation of the API (behaviour §5.1 tool ids, §6.1
// set_events order, §6.2 C_RETURN/C_RAISE pairing, §7.1–§7.2 local sets, §8.1
// register_callback). Each function returns the normalised value or the
// exception the call raises.
#include <cstdint>
#include <variant>

#include "model/event_set.h"
#include "model/py_value.h"
#include "model/version_profile.h"

namespace monsim {

template <class T>
using Checked = std::variant<T, PyError>;

template <class T>
constexpr const PyError* errorOf(const Checked<T>& c) {
  return std::get_if<PyError>(&c);
}

// PyLong_AsInt: bool → 0/1, non-int → TypeError, outside C int → OverflowError.
Checked<int32_t> toCInt(const VersionProfile& p, const PyArg& arg);
// check_valid_tool: 0 ≤ tool < 6.
std::optional<PyError> checkToolRange(const VersionProfile& p, int32_t tool);
// set_events steps 2–5: range, pairing, strip C bits, map BRANCH (3.14+).
Checked<EventSet> normalizeGlobalSet(const VersionProfile& p, int32_t set);
// set_local_events steps 3–6: pairing, strip, map BRANCH, local-capable check.
Checked<EventSet> normalizeLocalSet(const VersionProfile& p, int32_t set);
// register_callback steps 2–3: exactly one bit naming an event; returns its number.
Checked<int> callbackEventBit(const VersionProfile& p, int32_t event);

}  // namespace monsim
