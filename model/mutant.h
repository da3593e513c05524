#pragma once
// Seeded one-rule mutations of the model, to measure what the suite and the stored fuzz
// cases catch (`monsim mutants`). Each mutant breaks one rule of spec/rules.yaml in one
// place, guarded by `if (mutant(Mutant::X))`. Compiled in only by the mutants build
// (meson -Dmutants=true, defining MONSIM_MUTANTS); in every other build mutant() is the
// constant false and the guarded code is dead, so the release model pays nothing.
//
// The list is mutants_*.def: X(Name, "rule id", "what the mutant does wrong"), one file
// per group of model files.
#include <cstdint>
#include <string_view>

namespace monsim {

enum class Mutant : uint8_t {
  None,
#define X(name, rule, text) name,
#include "model/mutants_api.def"
#include "model/mutants_dispatch.def"
#undef X
  Count
};

struct MutantRow {
  Mutant id;
  std::string_view name, rule, text;
};

inline constexpr MutantRow kMutants[] = {
#define X(name, rule, text) {Mutant::name, #name, rule, text},
#include "model/mutants_api.def"
#include "model/mutants_dispatch.def"
#undef X
};

#ifdef MONSIM_MUTANTS
// The mutant the model runs (None: the real model); set before any check starts.
inline Mutant& activeMutant() {
  static Mutant m = Mutant::None;
  return m;
}
inline bool mutant(Mutant m) { return activeMutant() == m; }
inline constexpr bool kMutantsBuild = true;
#else
constexpr bool mutant(Mutant) { return false; }
inline constexpr bool kMutantsBuild = false;
#endif

// Makes the model run mutant `m` (None: the real model); no effect outside the
// mutants build.
inline void useMutant([[maybe_unused]] Mutant m) {
#ifdef MONSIM_MUTANTS
  activeMutant() = m;
#endif
}

}  // namespace monsim
