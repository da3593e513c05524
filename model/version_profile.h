#pragma once
// Version profiles: everything that differs between Python 3.12 … 3.15 in the
// dispatch layer, derived from the generated spec tables (spec/*.yaml), so the
// model has no scattered `if (version >= …)`.
#include <array>
#include <optional>
#include <string_view>
#include <type_traits>

#include "model/event_set.h"
#include "model/mutant.h"
#include "spec/spec_tables.h"

namespace monsim {

using spec::Event;

enum class PyVersion : uint8_t { V3_12, V3_13, V3_14, V3_15 };
static_assert(spec::kVersionCount == 4, "PyVersion must list every spec version");

std::optional<PyVersion> parseVersion(std::string_view text);  // "3.13", "3.13.0"

// The event spelled `name` in spec/events.yaml ("LINE"), in any version.
constexpr std::optional<Event> eventNamed(std::string_view name) {
  for (int e = 0; e < spec::kEventCount; ++e)
    if (spec::kEvents[e].name == name) return static_cast<Event>(e);
  return std::nullopt;
}
// The event's name in spec/events.yaml, the same in every version.
constexpr std::string_view eventName(Event e) {
  return spec::kEvents[static_cast<int>(e)].name;
}
std::string_view versionName(PyVersion v);

class VersionProfile {
 public:
  explicit constexpr VersionProfile(PyVersion v) : v_(static_cast<int>(v)) {
    for (int e = 0; e < spec::kEventCount; ++e) {
      const auto& row = spec::kEvents[e];
      const int b = row.bit[v_];
      if (b < 0) continue;
      eventOfBit_[b] = static_cast<Event>(e);
      if (b + 1 > bitLimit_) bitLimit_ = b + 1;
      if (row.alias[v_]) {
        aliasBits_ |= EventSet::bit(b);
        continue;
      }
      realBits_ |= EventSet::bit(b);
      if (row.local[v_]) localBits_ |= EventSet::bit(b);
      if (row.disable[v_] == spec::DisableRule::Site) siteBits_ |= EventSet::bit(b);
      if (row.group == spec::Group::Ancillary) ancillaryBits_ |= EventSet::bit(b);
    }
  }

  constexpr PyVersion version() const { return static_cast<PyVersion>(v_); }
  constexpr int index() const { return v_; }
  // Event numbers are < bitLimit(); set_events rejects values >= 1 << bitLimit().
  constexpr int bitLimit() const { return bitLimit_; }
  constexpr bool has(Event e) const { return bitOf(e) >= 0; }
  constexpr int bitOf(Event e) const {
    return spec::kEvents[static_cast<int>(e)].bit[v_];
  }
  constexpr EventSet setOf(Event e) const {
    return has(e) ? EventSet::bit(bitOf(e)) : EventSet();
  }
  constexpr std::optional<Event> eventOfBit(int b) const {
    if (b < 0 || b >= bitLimit_) return std::nullopt;
    return eventOfBit_[b];
  }
  constexpr std::string_view name(Event e) const {
    return spec::kEvents[static_cast<int>(e)].name;
  }
  // Bits of real (non-alias) events, those that may be local, and C_RETURN|C_RAISE.
  constexpr EventSet realEvents() const { return realBits_; }
  constexpr EventSet localEvents() const {
    // Mutant: 3.14 takes 3.15's local exception events.
    if (!std::is_constant_evaluated() && v_ == 2 &&
        mutant(Mutant::LocalExceptionEventsOn314))
      return localBits_ | EventSet(0x1fu << bitOf(Event::Raise));
    return localBits_;
  }
  constexpr EventSet ancillaryEvents() const { return ancillaryBits_; }
  constexpr EventSet aliasBits() const { return aliasBits_; }
  constexpr bool isAlias(Event e) const {
    return spec::kEvents[static_cast<int>(e)].alias[v_];
  }
  constexpr std::array<Event, 2> aliasOf(Event e) const {
    return spec::kEvents[static_cast<int>(e)].aliasOf;
  }
  constexpr bool mayBeLocal(Event e) const {
    return spec::kEvents[static_cast<int>(e)].local[v_];
  }
  constexpr bool disableIsPerSite(Event e) const {
    return spec::kEvents[static_cast<int>(e)].disable[v_] == spec::DisableRule::Site;
  }
  constexpr spec::DisableRule disableRule(Event e) const {
    return spec::kEvents[static_cast<int>(e)].disable[v_];
  }
  // Events instrumented per site (behaviour §10.1): each site keeps its own tool set.
  constexpr EventSet siteEvents() const { return siteBits_; }
  // Local-capable events that are not per site (3.15 exception events, FINDINGS F5).
  constexpr EventSet localNonSiteEvents() const { return localBits_.without(siteBits_); }
  // clear_tool_id exists and free_tool_id clears (3.14+, behaviour §5.7): tools carry a
  // version that invalidates their local sets (FINDINGS F2 toolver, F7).
  constexpr bool toolsClearable() const { return hasApi(spec::ApiFn::ClearToolId); }
  // 3.13+: a RESUME that runs uninstrumented quickens itself (RESUME_CHECK), so a LINE
  // on its own line right after it is no longer reported (behaviour §14.3 rule R1).
  constexpr bool plainResumeHidesItsLine() const { return v_ >= 1; }
  // R4: where the looping frame reports an exception from the iterator, with the
  // generic FOR_ITER and with FOR_ITER_GEN (its saved instruction pointer).
  constexpr int32_t forIterRaiseAt(int32_t site) const {
    return v_ == 0 ? site : site + 2;
  }
  constexpr int32_t forIterGenRaiseAt(int32_t site) const {
    return v_ == 0 ? site + 2 : site - 2;
  }
  // R4, 3.13: FOR_ITER_GEN's generator returns to the POP_TOP after the END_FOR, which
  // the generic FOR_ITER's exhaustion jumps over (JUMPBY(oparg + 2)): that instruction
  // runs only when the loop ran specialised. -1: no such instruction.
  constexpr int32_t forIterGenExitRunsAt(int32_t endFor) const {
    return v_ == 1 ? endFor + 2 : -1;
  }
  // R4: 3.13+: the execution whose LINE de-instruments the FOR_ITER counts towards
  // the warm-up (3.12: from the next one on).
  constexpr bool forIterStartCounts() const { return v_ >= 1; }
  // R7: RESUME's DEPTH1 flag (a yield outside any try/with), and when close() of a
  // generator suspended there skips the throw: 3.12 never (gh-111107), 3.13 always,
  // 3.14 unless a tool has PY_UNWIND globally, 3.15 unless the code has a PY_UNWIND
  // tool as of its last re-instrumentation.
  enum class CloseShortcut : uint8_t {
    Never,
    Always,
    UnlessGlobalUnwind,
    UnlessCodeUnwind
  };
  // Behaviour §12.3: the profile function gets 'c_call' for a bound method of a
  // builtin from 3.13 on (gh-122029).
  constexpr bool profileSeesBoundCMethodCall() const {
    if (!std::is_constant_evaluated() && mutant(Mutant::BoundCMethodCallOn312))
      return v_ >= 0;
    return v_ >= 1;
  }
  // R5: 3.12's POP_JUMP_IF_TRUE/FALSE call __bool__ themselves, before reporting BRANCH.
  constexpr bool popJumpRunsCode() const { return v_ == 0; }
  constexpr int32_t resumeDepth1Mask() const { return v_ == 0 ? 0 : v_ == 3 ? 8 : 4; }
  constexpr CloseShortcut closeShortcut() const {
    return v_ == 0   ? CloseShortcut::Never
           : v_ == 1 ? CloseShortcut::Always
           : v_ == 2 ? CloseShortcut::UnlessGlobalUnwind
                     : CloseShortcut::UnlessCodeUnwind;
  }
  constexpr spec::Group group(Event e) const {
    return spec::kEvents[static_cast<int>(e)].group;
  }
  // The monitoring C API (3.13+, behaviour §13) and its fire functions.
  constexpr bool hasCapi() const { return spec::kCapi.fire[v_] != 0; }
  constexpr bool hasCapiFire(Event e) const {
    return (spec::kCapi.fire[v_] >> static_cast<int>(e)) & 1;
  }
  constexpr bool hasApi(spec::ApiFn f) const {
    if (!std::is_constant_evaluated() && mutant(Mutant::ClearToolIdOn313) &&
        f == spec::ApiFn::ClearToolId)
      return v_ >= 1;
    return spec::kApi[static_cast<int>(f)].present[v_];
  }
  constexpr std::string_view errorMessage(spec::Error e) const {
    return spec::kErrors[static_cast<int>(e)].message[v_];
  }
  constexpr std::string_view errorType(spec::Error e) const {
    return spec::kErrors[static_cast<int>(e)].type;
  }

 private:
  int v_;
  int bitLimit_ = 0;
  EventSet realBits_, localBits_, ancillaryBits_, aliasBits_, siteBits_;
  std::array<Event, 32> eventOfBit_{};
};

inline constexpr std::array<VersionProfile, 4> kProfiles{
    VersionProfile(PyVersion::V3_12), VersionProfile(PyVersion::V3_13),
    VersionProfile(PyVersion::V3_14), VersionProfile(PyVersion::V3_15)};

constexpr const VersionProfile& profile(PyVersion v) {
  return kProfiles[static_cast<int>(v)];
}

}  // namespace monsim
