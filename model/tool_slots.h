#pragma once
// Tool slots (behaviour §5 tool management, §8 callbacks): per tool its name and
// its callbacks per event number. Global sets and tool versions live in
// InstrumentationGlobals (code_instrumentation.h).
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "model/event_set.h"
#include "model/ids.h"
#include "model/mutant.h"

namespace monsim {

// One callback slot. 3.14+: registering BRANCH stores a wrapper around the
// handler in BRANCH_LEFT and BRANCH_RIGHT; the wrapper is never handed out.
struct CallbackSlot {
  std::optional<CallableId> callable;
  bool branchWrapper = false;
  bool operator==(const CallbackSlot&) const = default;
};

struct ToolSlot {
  std::optional<std::string> name;  // nullopt: not in use
  std::array<CallbackSlot, 32> callbacks{};
};

// exchange_callables: store `next`, return the previous callable unwrapped.
inline std::optional<CallableId> exchangeCallback(CallbackSlot& slot, CallbackSlot next) {
  const std::optional<CallableId> previous = slot.callable;
  slot = next;
  if (mutant(Mutant::RegisterReturnsNew)) return next.callable;
  return previous;
}

}  // namespace monsim
