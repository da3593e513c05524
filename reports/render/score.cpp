#include "reports/render/score.h"

#include "reports/render/text.h"

namespace monsim::report {

void Tally::add(Verdict v) {
  switch (vocab::tallyOf(v)) {
    case vocab::Tally::pass:
      ++pass;
      break;
    case vocab::Tally::xpass:
      ++xpass;
      break;
    case vocab::Tally::known:
      ++known;
      break;
    case vocab::Tally::fail:
      ++fail;
      break;
    case vocab::Tally::error:
      ++error;
      break;
    case vocab::Tally::skipped:
      ++skipped;
      break;
  }
}

Tally& Tally::operator+=(const Tally& o) {
  pass += o.pass;
  xpass += o.xpass;
  known += o.known;
  fail += o.fail;
  error += o.error;
  skipped += o.skipped;
  return *this;
}

Scores::Scores(const ResultSet& rs) {
  for (const Record& r : rs.records)
    for (const std::string& area : {r.area, std::string()})
      for (const std::optional<Level> level :
           {std::optional(r.level), std::optional<Level>()})
        cells_[{area, r.interpreter, level}].add(r.verdict);
}

Tally Scores::get(const std::string& area, const std::string& interp,
                  std::optional<Level> level) const {
  auto it = cells_.find({area, interp, level});
  return it == cells_.end() ? Tally{} : it->second;
}

std::string cellText(const Tally& t) {
  if (t.applicable() == 0) return "—";
  std::string s = std::to_string(t.passed()) + "/" + std::to_string(t.applicable()) +
                  " (" + percent(t.passed(), t.applicable()) + ")";
  if (t.known) s += ", " + std::to_string(t.known) + " known";
  if (t.fail) s += ", " + std::to_string(t.fail) + " failing";
  if (t.error) s += ", " + std::to_string(t.error) + " error" + (t.error > 1 ? "s" : "");
  return s;
}

}  // namespace monsim::report
