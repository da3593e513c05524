#pragma once
// The monitoring C API (3.13+, behaviour §13) as inputs to Monitor::step: an
// extension's PyMonitoringState arrays and version cells, PyMonitoring_EnterScope /
// ExitScope, and the PyMonitoring_Fire*Event functions. States and version cells are
// numbered by the caller (a scenario's code-like objects); the model keeps their
// contents.
#include <array>
#include <cstdint>
#include <string_view>

#include "model/ids.h"
#include "spec/spec_tables.h"

namespace monsim {

using spec::Event;

// More events than any scope of the suite names; a scope is a fixed-size input.
inline constexpr int kCapiMaxScopeEvents = 16;

// PyMonitoring_EnterScope(&states[first], &versions[version], events, count): unless
// the version cell holds the interpreter's global version, state first+i gets the
// tools that have events[i] set globally, and the cell the global version.
struct CapiEnterScope {
  static constexpr std::string_view kName = "PyMonitoring_EnterScope";
  uint16_t firstState = 0;
  uint16_t version = 0;
  std::array<Event, kCapiMaxScopeEvents> events{};
  uint8_t count = 0;
};

// PyMonitoring_ExitScope(): nothing to do (CPython 3.13–3.15).
struct CapiExitScope {
  static constexpr std::string_view kName = "PyMonitoring_ExitScope";
};

// PyMonitoring_Fire<event>Event(&states[state], codelike, offset, ...). `code` is the
// code-like object the callbacks receive; `aux` LINE's line number or an int target;
// `exception` the exception the callbacks receive (its type name; exception events:
// empty when no exception is set; STOP_ITERATION: always "StopIteration").
struct CapiFire {
  static constexpr std::string_view kName = "PyMonitoring_Fire";
  Event event = Event::PyStart;
  uint16_t state = 0;
  CodeId code;
  int32_t offset = 0;
  int32_t aux = 0;
  std::string_view exception;
};

// The fire function's arguments after (state, codelike, offset), per event.
constexpr int capiArgCount(Event e) {
  const auto& a = spec::kCapi.args[static_cast<int>(e)];
  return (a[0] >= 0) + (a[1] >= 0);
}
constexpr spec::CapiArg capiArg(Event e, int i) {
  return static_cast<spec::CapiArg>(spec::kCapi.args[static_cast<int>(e)][i]);
}
// Whether the event's fire function takes the current exception (none: ValueError).
constexpr bool capiTakesException(Event e) {
  return spec::kCapi.args[static_cast<int>(e)][0] == static_cast<int>(spec::CapiArg::Exc);
}

}  // namespace monsim
