#pragma once
// Conformance scores: per feature area × interpreter × normative level, how many of
// the scenarios that apply pass. A known deviation counts as not passing (the
// interpreter departs from the documented spec, knowingly); an xpass passes.
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "reports/render/results.h"

namespace monsim::report {

struct Tally {
  int pass = 0, xpass = 0, known = 0, fail = 0, error = 0, skipped = 0;
  void add(Verdict v);  // in its column of spec/vocab/verdicts.def
  Tally& operator+=(const Tally& o);
  int passed() const { return pass + xpass; }
  // Scenarios that apply: everything but skipped.
  int applicable() const { return pass + xpass + known + fail + error; }
};

class Scores {
 public:
  explicit Scores(const ResultSet& rs);
  // "" for any area, nullopt for any level.
  Tally get(const std::string& area, const std::string& interpreter,
            std::optional<Level> level) const;

 private:
  std::map<std::tuple<std::string, std::string, std::optional<Level>>, Tally> cells_;
};

// "12/12 (100%)", plus ", 1 known deviation", ", 2 failing", ", 1 error"; "—" when
// nothing applies.
std::string cellText(const Tally& t);

}  // namespace monsim::report
