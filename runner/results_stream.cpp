#include "runner/results_stream.h"

#include <algorithm>
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

bool writeResultsStream(const std::string& path, const SuiteRun& run,
                        const std::vector<Interpreter>& interps, const StreamInfo& info,
                        std::string& error) {
  std::ofstream o(path);
  if (!o) {
    error = "cannot write the results stream to " + path;
    return false;
  }
  nlohmann::json head{{"kind", "header"},
                      {"format", 1},
                      {"monsim", MONSIM_VERSION},
                      {"suite_commit", gitCommit(info.root)},
                      {"seed", nullptr},
                      {"scenarios", info.scenarios},
                      {"suite_dirty", suiteDirty(info.root)},
                      {"root", info.root},
                      {"date", run.started}};
  nlohmann::json is = nlohmann::json::array();
  for (size_t k = 0; k < interps.size(); ++k) {
    const auto& i = interps[k];
    nlohmann::json e{
        {"id", i.id},           {"kind", i.kind}, {"implementation", i.implementation},
        {"version", i.version}, {"path", i.path}, {"provenance", i.provenance}};
    if (run.hellos[k]) {
      e["build"] = run.hellos[k]->value("implementation", nlohmann::json::object());
      e["capabilities"] = run.hellos[k]->value("capabilities", nlohmann::json::object());
    }
    is.push_back(std::move(e));
  }
  head["interpreters"] = std::move(is);
  o << head.dump() << "\n";
  std::vector<size_t> order(run.tasks.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return std::tie(run.results[x].file, run.results[x].interpreter) <
           std::tie(run.results[y].file, run.results[y].interpreter);
  });
  for (size_t i : order)
    o << toJson(run.results[i], *run.tasks[i].scenario).dump() << "\n";
  nlohmann::json totals = nlohmann::json::object();
  for (const auto& [v, n] : run.counts) totals[std::string(verdictName(v))] = n;
  o << nlohmann::json{{"kind", "footer"},
                      {"totals", totals},
                      {"seconds", run.seconds},
                      {"load_errors", info.loadErrors}}
           .dump()
    << "\n";
  if (!o) {
    error = "writing the results stream to " + path + " failed";
    return false;
  }
  return true;
}

}  // namespace monsim::harness
