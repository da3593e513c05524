#pragma once
// What a DISABLE return value does, per event and version (behaviour §10.1,
// §10.4–§10.6, §10.3; FINDINGS F5).
#include "model/mutant.h"
#include "model/version_profile.h"

namespace monsim {

enum class DisableEffect : uint8_t {
  RemoveFromSite,           // instrumented events: the tool leaves that site's tool set
  ClearLocalBit,            // 3.15 exception events: L[c][t] −= e, no error (F5)
  RejectAndRemoveCallback,  // ValueError "Cannot disable …", callback deleted
                            // (§10.5/§10.6)
};

// Departs from docs: "DISABLE … can be returned by any callback" — 3.15 exception
// events accept it silently and only clear the tool's local bit on that code (F5);
// from a global-only exception event it is a no-op.
constexpr DisableEffect disableEffect(const VersionProfile& p, Event e) {
  if (e == Event::StopIteration && mutant(Mutant::StopIterationDisableRefused))
    return DisableEffect::RejectAndRemoveCallback;
  switch (p.disableRule(e)) {
    case spec::DisableRule::Site:
      return DisableEffect::RemoveFromSite;
    case spec::DisableRule::Local:
      return DisableEffect::ClearLocalBit;
    case spec::DisableRule::Error:
      break;
  }
  return DisableEffect::RejectAndRemoveCallback;
}

}  // namespace monsim
