// verdicts.json: per scenario, the interpreters (or model versions) it got each verdict
// on. `monsim coverage` reads the published one (reports/verdicts.json) so that a
// citation counts only for a scenario that passes. Deterministic: keys and lists sorted,
// one scenario per line.
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "reports/render/render.h"

namespace monsim::report {

std::string verdictsJson(const ResultSet& rs, const RenderOptions& o) {
  std::map<std::string, std::map<std::string, std::set<std::string>>> by;
  for (const Record& r : rs.records)
    by[r.scenario][std::string(vocab::name(r.verdict))].insert(r.interpreter);
  std::ostringstream out;
  out << "{\n  \"generated_by\": " << nlohmann::json(o.regenerate).dump()
      << ",\n  \"scenarios\": {";
  bool first = true;
  for (const auto& [id, verdicts] : by) {
    nlohmann::json v = nlohmann::json::object();
    for (const auto& [verdict, interps] : verdicts) v[verdict] = interps;
    out << (first ? "\n    " : ",\n    ") << nlohmann::json(id).dump() << ": "
        << v.dump();
    first = false;
  }
  out << "\n  }\n}\n";
  return out.str();
}

}  // namespace monsim::report
