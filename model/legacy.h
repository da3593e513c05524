#pragma once
// The legacy hooks (behaviour §12): sys.settrace and sys.setprofile are tools 7
// and 6 of the dispatch layer, with handlers that turn an occurrence into a call
// of the trace or profile function ('call', 'line', 'return', …). Which events each
// hook sets, and how each maps, is spec data (spec/events.yaml `hooks`).
#include <cstdint>
#include <optional>
#include <string_view>

#include "model/event_set.h"
#include "model/ids.h"
#include "model/version_profile.h"

namespace monsim {

using spec::LegacyEvent;

inline constexpr int kProfileTool = 6;
inline constexpr int kTraceTool = 7;

constexpr bool isHookTool(int tool) { return tool == kProfileTool || tool == kTraceTool; }

// How scenarios, traces and reports name a hook ("trace", "profile"); the oracle
// labels the functions it installs "trace:NAME" / "profile:NAME".
constexpr std::string_view hookName(int tool) {
  return tool == kTraceTool ? "trace" : "profile";
}
constexpr std::optional<int> hookNamed(std::string_view name) {
  if (name == hookName(kTraceTool)) return kTraceTool;
  if (name == hookName(kProfileTool)) return kProfileTool;
  return std::nullopt;
}

constexpr const spec::HookRow& hookRow(int tool) {
  for (const spec::HookRow& h : spec::kHooks)
    if (h.tool == tool) return h;
  return spec::kHooks[0];
}

// The trace event an occurrence of `e` becomes for hook `tool`; nullopt: the
// handler reports nothing (the event is set but silent, or not the hook's).
constexpr std::optional<LegacyEvent> legacyEventOf(int tool, Event e) {
  const int8_t m = hookRow(tool).map[static_cast<int>(e)];
  if (m < 0) return std::nullopt;
  return static_cast<LegacyEvent>(m);
}

constexpr std::string_view legacyEventName(LegacyEvent e) {
  return spec::kLegacyEventNames[static_cast<int>(e)];
}
constexpr std::optional<LegacyEvent> legacyEventNamed(std::string_view name) {
  for (int i = 0; i < spec::kLegacyEventCount; ++i)
    if (spec::kLegacyEventNames[i] == name) return static_cast<LegacyEvent>(i);
  return std::nullopt;
}

// The hook's global event set on `p` while a function is set (without the
// INSTRUCTION that f_trace_opcodes adds).
constexpr EventSet hookEvents(const VersionProfile& p, int tool) {
  const uint64_t mask = hookRow(tool).events[p.index()];
  EventSet s;
  for (int e = 0; e < spec::kEventCount; ++e)
    if (((mask >> e) & 1u) && p.has(static_cast<Event>(e)))
      s |= p.setOf(static_cast<Event>(e));
  return s;
}

constexpr spec::OpcodeTrace opcodeTrace(const VersionProfile& p) {
  return hookRow(kTraceTool).opcodes[p.index()];
}

// What CPython's profile handler does with the callable of a CALL / C_RETURN /
// C_RAISE (behaviour §12.3): a builtin function is reported, a method descriptor
// called with a self argument is reported as the bound method, anything else
// (Python functions, types, a descriptor with no argument) is not.
enum class CallableKind : uint8_t {
  Other,
  CFunction,
  MethodDescriptor,       // with a self argument
  MethodDescriptorNoArg,  // arg0 is MISSING
  BoundCFunction,         // a bound method (PyMethodObject) of a builtin function
};
// 3.13+ also reports the CALL of a bound method wrapping a builtin, as the builtin
// (gh-122029; 3.12 reports only its C_RETURN/C_RAISE, whose callable is the builtin).
constexpr bool profileReports(CallableKind k, const VersionProfile& p) {
  return k == CallableKind::CFunction || k == CallableKind::MethodDescriptor ||
         (k == CallableKind::BoundCFunction && p.profileSeesBoundCMethodCall());
}

// The per-frame state the trace function sees (frame.f_trace, f_trace_lines,
// f_trace_opcodes).
struct FrameTrace {
  std::optional<CallableId> local;  // frame.f_trace
  bool lines = true;
  bool opcodes = false;
  bool operator==(const FrameTrace&) const = default;
};

}  // namespace monsim
