#pragma once
// STOP_ITERATION and RAISE(StopIteration) are interchangeable (docs: "STOP_ITERATION";
// behaviour §3.8, gh-116090): a checker comparing deliveries normalises both sides.
#include <string_view>
#include <utility>

#include "model/input.h"

namespace monsim {

inline constexpr std::string_view kStopIteration = "StopIteration";

// STOP_ITERATION → (RAISE, "StopIteration"); everything else unchanged.
constexpr std::pair<Event, std::string_view> normalizeStopIteration(
    Event e, std::string_view exc) {
  if (e == Event::StopIteration) return {Event::Raise, kStopIteration};
  return {e, exc};
}

// True when two reports are the same event up to the STOP_ITERATION ≡ RAISE rule.
constexpr bool equivalentEvents(Event a, std::string_view excA, Event b,
                                std::string_view excB) {
  return normalizeStopIteration(a, excA) == normalizeStopIteration(b, excB);
}

}  // namespace monsim
