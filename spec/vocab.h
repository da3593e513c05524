#pragma once
// The project's vocabularies, each defined once in spec/vocab/*.def: verdicts,
// normative levels, divergence kinds. The harness, the report renderers, the
// HTML page's script (generated) and reports/schema/results.schema.json (checked by
// a test) all use these tables.
#include <optional>
#include <string_view>

namespace monsim::vocab {

enum class Verdict {
#define MONSIM_VERDICT(e, name, tally, bad, doc) e,
#include "spec/vocab/verdicts.def"
#undef MONSIM_VERDICT
};

// The score column a verdict counts in.
enum class Tally { pass, xpass, known, fail, error, skipped };

enum class Level {
#define MONSIM_LEVEL(e, name, shortName) e,
#include "spec/vocab/levels.def"
#undef MONSIM_LEVEL
};

enum class DivergenceKind {
#define MONSIM_DIVERGENCE(e, name, doc) e,
#include "spec/vocab/divergences.def"
#undef MONSIM_DIVERGENCE
};

inline constexpr Verdict kVerdicts[] = {
#define MONSIM_VERDICT(e, name, tally, bad, doc) Verdict::e,
#include "spec/vocab/verdicts.def"
#undef MONSIM_VERDICT
};
inline constexpr Level kLevels[] = {
#define MONSIM_LEVEL(e, name, shortName) Level::e,
#include "spec/vocab/levels.def"
#undef MONSIM_LEVEL
};
inline constexpr DivergenceKind kDivergenceKinds[] = {
#define MONSIM_DIVERGENCE(e, name, doc) DivergenceKind::e,
#include "spec/vocab/divergences.def"
#undef MONSIM_DIVERGENCE
};

constexpr std::string_view name(Verdict v) {
  switch (v) {
#define MONSIM_VERDICT(e, name, tally, bad, doc) \
  case Verdict::e:                               \
    return name;
#include "spec/vocab/verdicts.def"
#undef MONSIM_VERDICT
  }
  return "?";
}

constexpr Tally tallyOf(Verdict v) {
  switch (v) {
#define MONSIM_VERDICT(e, name, tally, bad, doc) \
  case Verdict::e:                               \
    return Tally::tally;
#include "spec/vocab/verdicts.def"
#undef MONSIM_VERDICT
  }
  return Tally::error;
}

// Makes a run fail.
constexpr bool isBad(Verdict v) {
  switch (v) {
#define MONSIM_VERDICT(e, name, tally, bad, doc) \
  case Verdict::e:                               \
    return bad;
#include "spec/vocab/verdicts.def"
#undef MONSIM_VERDICT
  }
  return true;
}

constexpr std::string_view name(Level l) {
  switch (l) {
#define MONSIM_LEVEL(e, name, shortName) \
  case Level::e:                         \
    return name;
#include "spec/vocab/levels.def"
#undef MONSIM_LEVEL
  }
  return "?";
}

constexpr std::string_view shortName(Level l) {
  switch (l) {
#define MONSIM_LEVEL(e, name, shortName) \
  case Level::e:                         \
    return shortName;
#include "spec/vocab/levels.def"
#undef MONSIM_LEVEL
  }
  return "?";
}

constexpr std::string_view name(DivergenceKind k) {
  switch (k) {
#define MONSIM_DIVERGENCE(e, name, doc) \
  case DivergenceKind::e:               \
    return name;
#include "spec/vocab/divergences.def"
#undef MONSIM_DIVERGENCE
  }
  return "?";
}

constexpr std::optional<Verdict> verdictNamed(std::string_view s) {
  for (Verdict v : kVerdicts)
    if (name(v) == s) return v;
  return std::nullopt;
}

constexpr std::optional<Level> levelNamed(std::string_view s) {
  for (Level l : kLevels)
    if (name(l) == s) return l;
  return std::nullopt;
}

constexpr std::optional<DivergenceKind> divergenceKindNamed(std::string_view s) {
  for (DivergenceKind k : kDivergenceKinds)
    if (name(k) == s) return k;
  return std::nullopt;
}

}  // namespace monsim::vocab
