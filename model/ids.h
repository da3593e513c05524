#pragma once
// Identities the API hands around (behaviour §5.1, §2.4): public tool ids 0–5,
// code objects, and callables as opaque handles compared by identity.
#include <compare>
#include <cstdint>

#include "spec/spec_tables.h"

namespace monsim {

inline constexpr int kToolCount = spec::kToolCount;
inline constexpr uint8_t kAllTools = (1u << kToolCount) - 1;

struct ToolId {
  int value = 0;
  auto operator<=>(const ToolId&) const = default;
};

struct CodeId {
  uint32_t value = 0;
  auto operator<=>(const CodeId&) const = default;
};

// A callable object as the program registered it; the model never calls it, the
// CallbackPolicy decides what it does.
struct CallableId {
  uint32_t value = 0;
  auto operator<=>(const CallableId&) const = default;
};

}  // namespace monsim
