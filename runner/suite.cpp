#include "runner/suite.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <mutex>
#include <set>

#include "check/result_json.h"
#include "model/version_profile.h"
#include "runner/lanes.h"

namespace monsim::harness {

namespace {

std::string utcNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

size_t SuiteRun::checked() const {
  std::set<std::string> ids;
  for (const CheckResult& r : results)
    if (r.verdict != Verdict::Skipped) ids.insert(r.scenario);
  return ids.size();
}

std::vector<SuiteTask> suiteTasks(const std::vector<Scenario>& scenarios,
                                  const std::vector<Interpreter>& interps) {
  std::set<PyVersion> versions;
  for (const auto& i : interps)
    if (auto v = parseVersion(i.version)) versions.insert(*v);
  std::vector<SuiteTask> tasks;
  for (size_t i = 0; i < interps.size(); ++i)
    for (const auto& s : scenarios)
      if (s.kind == Scenario::Kind::Program) tasks.push_back({&s, int(i)});
  for (const auto& s : scenarios)
    if (s.kind == Scenario::Kind::Script)
      for (PyVersion v : versions) tasks.push_back({&s, -1, v});
  return tasks;
}

RecordKey taskKey(const SuiteTask& t, const std::vector<Interpreter>& interps) {
  return {t.scenario->id, t.interp >= 0 ? interps[size_t(t.interp)].id
                                        : "model-" + std::string(versionName(t.version))};
}

namespace {

// Takes task t's record from an earlier run, if it has one: its verdict counts, and the
// stream gets the record as it was.
bool keep(SuiteRun& run, size_t t, const RecordKey& key,
          const std::map<RecordKey, nlohmann::json>& earlier) {
  const auto it = earlier.find(key);
  if (it == earlier.end()) return false;
  const auto verdict = vocab::verdictNamed(it->second.value("verdict", ""));
  if (!verdict) return false;  // not a verdict of ours: check again
  CheckResult& r = run.results[t];
  r.scenario = key.first;
  r.interpreter = key.second;
  r.file = it->second.value("file", run.tasks[t].scenario->file);
  r.verdict = *verdict;
  r.reason = it->second.value("reason", "");
  run.kept[t] = it->second;
  ++run.counts[r.verdict];
  return true;
}

}  // namespace

SuiteRun runSuite(
    const std::vector<Scenario>& scenarios, const std::vector<Interpreter>& interps,
    const SuiteOptions& options,
    const std::function<void(const SuiteRun&, const CheckResult&)>& onResult) {
  SuiteRun run;
  run.tasks = suiteTasks(scenarios, interps);
  run.results.resize(run.tasks.size());
  run.kept.resize(run.tasks.size());
  run.hellos.resize(interps.size());
  run.started = utcNow();
  const auto t0 = std::chrono::steady_clock::now();

  // Lane k < interps.size(): interpreter k; the last lane: scripts on the model.
  std::vector<std::vector<size_t>> queues(interps.size() + 1);
  for (size_t t = 0; t < run.tasks.size(); ++t) {
    if (options.earlier && keep(run, t, taskKey(run.tasks[t], interps), *options.earlier))
      continue;
    const int i = run.tasks[t].interp;
    queues[i < 0 ? interps.size() : size_t(i)].push_back(t);
  }
  std::vector<Lane> lanes;
  for (size_t q = 0; q < queues.size(); ++q) {
    std::reverse(queues[q].begin(), queues[q].end());
    Lane lane;
    lane.interpreter = q < interps.size() ? &interps[q] : nullptr;
    lane.next = [&queues, q]() -> std::optional<size_t> {
      if (queues[q].empty()) return std::nullopt;
      const size_t t = queues[q].back();
      queues[q].pop_back();
      return t;
    };
    lane.remaining = [&queues, q] { return queues[q].size(); };
    lanes.push_back(std::move(lane));
  }
  std::mutex mu;
  runLanes(lanes, options.jobs,
           options.oracles ? options.oracles : liveOracles(options.oracle),
           [&](size_t lane, size_t t, Oracle* w, std::optional<size_t> next) {
             const SuiteTask& task = run.tasks[t];
             // The worker starts the next scenario's runs while this one is judged.
             if (w && next && prefetchRuns(*task.scenario, *w, options.context))
               prefetchRuns(*run.tasks[*next].scenario, *w, options.context);
             CheckResult r =
                 w ? checkOnInterpreter(*task.scenario, *w, options.context)
                   : checkScript(*task.scenario, task.version, options.context);
             std::lock_guard<std::mutex> lock(mu);
             // The build and capabilities of each interpreter that started (its hello is
             // kept by the worker, so asking again costs nothing), for the header.
             if (w && w->starts() > 0 && !run.hellos[lane]) run.hellos[lane] = w->hello();
             run.results[t] = std::move(r);
             ++run.counts[run.results[t].verdict];
             if (options.journal)
               options.journal->append(toJson(run.results[t], *task.scenario));
             if (onResult) onResult(run, run.results[t]);
           });
  run.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return run;
}

}  // namespace monsim::harness
