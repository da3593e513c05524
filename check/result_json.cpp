#include "check/result_json.h"

namespace monsim::harness {

using nlohmann::json;

json toJson(const CheckResult& r, const Scenario& s) {
  json j{{"kind", "result"},
         {"scenario", r.scenario},
         {"file", r.file},
         {"interpreter", r.interpreter},
         {"version", r.version},
         {"verdict", verdictName(r.verdict)},
         {"reason", r.reason},
         {"level", levelName(s.level)},
         {"features", s.features},
         {"spec", s.specRefs},
         {"description", s.description},
         {"python", s.python.text},
         {"seconds", r.seconds}};
  if (!r.detail.empty()) j["detail"] = r.detail;
  if (!r.missing.empty()) j["missing"] = r.missing;
  if (r.error.kind != ErrorKind::None) j["error"] = vocab::name(r.error.kind);
  json divs = json::array();
  for (const Divergence& d : r.divergences)
    divs.push_back({{"kind", kindName(d.kind)},
                    {"record", d.record},
                    {"tool", d.tool},
                    {"where", d.where()},
                    {"model", d.modelText()},
                    {"interpreter", d.interpreterText()},
                    {"rule", d.rule.text()},
                    {"run", d.alone ? "alone" : "with-probe"}});
  j["divergences"] = std::move(divs);
  json ef = json::array();
  for (const ExpectFailure& f : r.expectFailures)
    ef.push_back({{"at", f.loc.str()}, {"message", f.message}});
  j["expect_failures"] = std::move(ef);
  if (!r.probeEffects.empty()) j["probe_effects"] = r.probeEffects;
  if (!r.pathSplit.empty()) j["path_split"] = r.pathSplit;
  if (r.clientResultsCompared > 0)
    j["client_results"] = {{"compared", r.clientResultsCompared},
                           {"differ", r.clientMismatches}};
  if (r.deviation) {
    j["known"] = {{"verdict", r.deviation->verdict},
                  {"reason", r.deviation->reason},
                  {"issue", r.deviation->issue},
                  {"at", r.deviation->loc.str()}};
  }
  return j;
}

}  // namespace monsim::harness
