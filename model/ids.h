#pragma once
// Identities the API hands around (behaviour §5.1, §2.4): public tool ids 0–5,
// code objects, and callables as opaque handles compared by identity.
#include <compare>
#include <cstdint>

#include "spec/spec_tables.h"

namespace monsim {

// Tool ids the Python API accepts (0–5).
inline constexpr int kToolCount = spec::kToolCount;
inline constexpr uint8_t kAllTools = (1u << kToolCount) - 1;
// Tools the dispatch layer has: 0–5 and the legacy hooks, sys.setprofile (6) and
// sys.settrace (7), which only the interpreter itself can set (behaviour §12).
inline constexpr int kDispatchToolCount = 8;
inline constexpr uint8_t kAllDispatchTools = 0xFF;

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
