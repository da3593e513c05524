#pragma once
// The project's vocabularies, each defined once in spec/vocab/*.def: verdicts,
// normative levels, divergence kinds, error kinds. The harness, the report renderers, the
// HTML page's script (generated) and reports/schema/results.schema.json (checked by
// a test) all use these tables. Each .def is expanded once, into an enum and a row
// table in the same order, so a value's row is its index.
#include <iterator>
#include <optional>
#include <string_view>

namespace monsim::vocab {

// The score column a verdict counts in.
enum class Tally { pass, xpass, known, fail, error, skipped };

enum class Verdict {
#define MONSIM_VERDICT(e, name, tally, bad, doc) e,
#include "spec/vocab/verdicts.def"
#undef MONSIM_VERDICT
};
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
// None: no error (a verdict other than `error`).
enum class ErrorKind : unsigned char {
  None,
#define MONSIM_ERROR(e, name, doc) e,
#include "spec/vocab/errors.def"
#undef MONSIM_ERROR
};

struct VerdictRow {
  Verdict value;
  std::string_view name;
  Tally tally;
  bool bad;  // makes a run fail
};
inline constexpr VerdictRow kVerdictRows[] = {
#define MONSIM_VERDICT(e, name, tally, bad, doc) {Verdict::e, name, Tally::tally, bad},
#include "spec/vocab/verdicts.def"
#undef MONSIM_VERDICT
};

struct LevelRow {
  Level value;
  std::string_view name, shortName;
};
inline constexpr LevelRow kLevelRows[] = {
#define MONSIM_LEVEL(e, name, shortName) {Level::e, name, shortName},
#include "spec/vocab/levels.def"
#undef MONSIM_LEVEL
};

struct DivergenceRow {
  DivergenceKind value;
  std::string_view name;
};
inline constexpr DivergenceRow kDivergenceRows[] = {
#define MONSIM_DIVERGENCE(e, name, doc) {DivergenceKind::e, name},
#include "spec/vocab/divergences.def"
#undef MONSIM_DIVERGENCE
};

struct ErrorRow {
  ErrorKind value;
  std::string_view name;
};
inline constexpr ErrorRow kErrorRows[] = {
    {ErrorKind::None, "none"},
#define MONSIM_ERROR(e, name, doc) {ErrorKind::e, name},
#include "spec/vocab/errors.def"
#undef MONSIM_ERROR
};

constexpr const VerdictRow& row(Verdict v) { return kVerdictRows[static_cast<int>(v)]; }
constexpr const LevelRow& row(Level l) { return kLevelRows[static_cast<int>(l)]; }
constexpr const DivergenceRow& row(DivergenceKind k) {
  return kDivergenceRows[static_cast<int>(k)];
}

constexpr std::string_view name(Verdict v) { return row(v).name; }
constexpr Tally tallyOf(Verdict v) { return row(v).tally; }
constexpr bool isBad(Verdict v) { return row(v).bad; }
constexpr std::string_view name(Level l) { return row(l).name; }
constexpr std::string_view shortName(Level l) { return row(l).shortName; }
constexpr std::string_view name(DivergenceKind k) { return row(k).name; }
constexpr std::string_view name(ErrorKind k) {
  return kErrorRows[static_cast<int>(k)].name;
}

// Every value of a vocabulary, in table order.
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

// A name read back (results streams, YAML); nullopt for a word not in the table.
constexpr std::optional<Verdict> verdictNamed(std::string_view s) {
  for (const VerdictRow& r : kVerdictRows)
    if (r.name == s) return r.value;
  return std::nullopt;
}
constexpr std::optional<Level> levelNamed(std::string_view s) {
  for (const LevelRow& r : kLevelRows)
    if (r.name == s) return r.value;
  return std::nullopt;
}
constexpr std::optional<ErrorKind> errorKindNamed(std::string_view s) {
  for (const ErrorRow& r : kErrorRows)
    if (r.value != ErrorKind::None && r.name == s) return r.value;
  return std::nullopt;
}
constexpr std::optional<DivergenceKind> divergenceKindNamed(std::string_view s) {
  for (const DivergenceRow& r : kDivergenceRows)
    if (r.name == s) return r.value;
  return std::nullopt;
}

// The tables are in enum order, so row(v) is v's row.
static_assert([] {
  for (int i = 0; i < static_cast<int>(std::size(kVerdictRows)); ++i)
    if (static_cast<int>(kVerdictRows[i].value) != i) return false;
  for (int i = 0; i < static_cast<int>(std::size(kLevelRows)); ++i)
    if (static_cast<int>(kLevelRows[i].value) != i) return false;
  for (int i = 0; i < static_cast<int>(std::size(kDivergenceRows)); ++i)
    if (static_cast<int>(kDivergenceRows[i].value) != i) return false;
  for (int i = 0; i < static_cast<int>(std::size(kErrorRows)); ++i)
    if (static_cast<int>(kErrorRows[i].value) != i) return false;
  return true;
}());

}  // namespace monsim::vocab
