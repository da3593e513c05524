#include "reports/render/deviations.h"

#include <map>
#include <tuple>

namespace monsim::report {

bool DeviationEntry::triaged() const {
  for (const auto& g : groups)
    if (!g.known()) return false;
  return true;
}

namespace {

// Known deviations and failures: the verdicts scored as applying but not passing,
// other than errors (no trustworthy trace).
bool deviates(const Record& r) {
  const vocab::Tally t = vocab::tallyOf(r.verdict);
  return t == vocab::Tally::known || t == vocab::Tally::fail;
}

bool conforms(const Record& r) {
  const vocab::Tally t = vocab::tallyOf(r.verdict);
  return t == vocab::Tally::pass || t == vocab::Tally::xpass;
}

bool modelRecord(const ResultSet& rs, const Record& r) {
  const Interpreter* i = rs.interpreter(r.interpreter);
  return i && i->isModel();
}

}  // namespace

std::vector<DeviationEntry> collectDeviations(const ResultSet& rs) {
  std::vector<DeviationEntry> out;
  // Records are sorted by area, scenario, interpreter: one pass, one scenario at a time.
  for (size_t i = 0; i < rs.records.size();) {
    size_t end = i;
    while (end < rs.records.size() && rs.records[end].scenario == rs.records[i].scenario)
      ++end;
    DeviationEntry e;
    std::map<std::tuple<Verdict, std::string, std::string>, size_t> groupOf;
    for (size_t k = i; k < end; ++k) {
      const Record& r = rs.records[k];
      if (modelRecord(rs, r)) continue;
      if (!e.first) e.first = &r;
      if (deviates(r)) {
        const std::string issue = r.known ? r.known->issue : "";
        const auto key = std::make_tuple(r.verdict, r.reason, issue);
        auto [it, fresh] = groupOf.emplace(key, e.groups.size());
        if (fresh) e.groups.push_back({{}, r.verdict, r.reason, issue, {}});
        DeviationGroup& g = e.groups[it->second];
        g.records.push_back(&r);
        if (r.known) g.listedAt.push_back(r.known->at);
      } else if (conforms(r)) {
        e.conforming.push_back(&r);
      } else if (vocab::tallyOf(r.verdict) == vocab::Tally::skipped) {
        e.notApplicable.push_back(&r);
      } else {
        e.errored.push_back(&r);
      }
    }
    if (!e.groups.empty()) out.push_back(std::move(e));
    i = end;
  }
  return out;
}

std::vector<const Record*> staleExpectations(const ResultSet& rs) {
  std::vector<const Record*> out;
  for (const Record& r : rs.records)
    if (r.verdict == Verdict::XPass) out.push_back(&r);
  return out;
}

std::string interpreterList(const std::vector<const Record*>& rs) {
  std::string out;
  for (const Record* r : rs) out += (out.empty() ? "" : ", ") + r->interpreter;
  return out;
}

}  // namespace monsim::report
