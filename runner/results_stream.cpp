#include "runner/results_stream.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <numeric>

#include "check/result_json.h"
#include "interpreter/process.h"

namespace monsim::harness {

namespace {

std::string gitCommit(const std::string& root) {
  auto r =
      runCommand({"git", "-C", root, "rev-parse", "HEAD"}, "", std::chrono::seconds(5));
  std::string s = r.out;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return r.status == "exit 0" ? s : "unknown";
}

// Whether the suite (spec/) has uncommitted changes, so suite_commit alone does not
// say which scenarios ran.
bool suiteDirty(const std::string& root) {
  auto r = runCommand({"git", "-C", root, "status", "--porcelain", "--", "spec"}, "",
                      std::chrono::seconds(5));
  return r.status == "exit 0" && !r.out.empty();
}

}  // namespace

nlohmann::json streamHeader(const std::vector<Interpreter>& interps,
                            const std::vector<std::optional<nlohmann::json>>& hellos,
                            const StreamInfo& info, const std::string& started) {
  nlohmann::json head{{"kind", "header"},
                      {"format", 1},
                      {"monsim", MONSIM_VERSION},
                      {"suite_commit", gitCommit(info.root)},
                      {"seed", nullptr},
                      {"scenarios", info.scenarios},
                      {"suite_dirty", suiteDirty(info.root)},
                      {"root", info.root},
                      {"date", started}};
  nlohmann::json is = nlohmann::json::array();
  for (size_t k = 0; k < interps.size(); ++k) {
    const auto& i = interps[k];
    nlohmann::json e{
        {"id", i.id},           {"kind", i.kind}, {"implementation", i.implementation},
        {"version", i.version}, {"path", i.path}, {"provenance", i.provenance}};
    if (k < hellos.size() && hellos[k]) {
      e["build"] = hellos[k]->value("implementation", nlohmann::json::object());
      e["capabilities"] = hellos[k]->value("capabilities", nlohmann::json::object());
    }
    is.push_back(std::move(e));
  }
  head["interpreters"] = std::move(is);
  return head;
}

bool writeResultsStream(const std::string& path, const SuiteRun& run,
                        const std::vector<Interpreter>& interps, const StreamInfo& info,
                        std::string& error) {
  // Written beside it, then renamed over it: a kill while writing leaves the journal of
  // the run (runner/journal.h) as it was.
  const std::string tmp = path + ".tmp";
  std::ofstream o(tmp);
  if (!o) {
    error = "cannot write the results stream to " + path;
    return false;
  }
  o << streamHeader(interps, run.hellos, info, run.started).dump() << "\n";
  std::vector<size_t> order(run.tasks.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return std::tie(run.results[x].file, run.results[x].interpreter) <
           std::tie(run.results[y].file, run.results[y].interpreter);
  });
  for (size_t i : order)
    o << (run.kept[i].is_null() ? toJson(run.results[i], *run.tasks[i].scenario)
                                : run.kept[i])
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
      << "\n";
  nlohmann::json totals = nlohmann::json::object();
  for (const auto& [v, n] : run.counts) totals[std::string(verdictName(v))] = n;
  o << nlohmann::json{{"kind", "footer"},
                      {"totals", totals},
                      {"seconds", run.seconds},
                      {"load_errors", info.loadErrors}}
           .dump()
    << "\n";
  o.close();
  if (!o || std::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "writing the results stream to " + path + " failed";
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace monsim::harness
