// monsim check: the conformance run. Each scenario × interpreter is recorded by
// the oracle, predicted by the model from the interpreter's own raw stream,
// compared, and checked against its expectations; script scenarios run on the
// model for each selected version. Verdicts, a summary line and a results stream.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "check.h"
#include "commands.h"
#include "scenario_loader.h"

namespace monsim::cli {

namespace {

struct CheckArgs {
  std::vector<std::string> paths;
  std::vector<std::string> python{"all"};
  int jobs = 2;
  std::string results;
  std::string expectations;
  double timeout = 20;
  bool noObserver = false;
  bool quiet = false;
};

struct Task {
  const harness::Scenario* scenario = nullptr;
  int interp = -1;  // index into interpreters; -1: script on the model
  PyVersion version = PyVersion::V3_12;
};

std::string gitCommit(const std::string& root) {
  auto r = harness::runCommand({"git", "-C", root, "rev-parse", "HEAD"}, "",
                               std::chrono::seconds(5));
  std::string s = r.out;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return r.status == "exit 0" ? s : "unknown";
}

// Whether the suite (spec/) has uncommitted changes, so suite_commit alone does not
// say which scenarios ran.
bool suiteDirty(const std::string& root) {
  auto r = harness::runCommand({"git", "-C", root, "status", "--porcelain", "--", "spec"},
                               "", std::chrono::seconds(5));
  return r.status == "exit 0" && !r.out.empty();
}

std::string utcNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int check(const CheckArgs& a) {
  const std::string root = harness::sourceRoot();
  std::vector<std::string> paths = a.paths;
  if (paths.empty()) paths.push_back(root + "/spec/scenarios");
  std::vector<harness::Diagnostic> diags;
  const auto files = harness::findScenarioFiles(paths, diags);
  std::vector<harness::Scenario> scenarios;
  std::map<std::string, std::string> ids;
  for (const std::string& f : files) {
    auto r = harness::loadScenarioFile(f);
    diags.insert(diags.end(), r.diagnostics.begin(), r.diagnostics.end());
    if (!r.scenario) continue;
    auto [it, fresh] = ids.emplace(r.scenario->id, f);
    if (!fresh) {
      diags.push_back({r.scenario->loc, "scenario id '" + r.scenario->id +
                                            "' is also used by " + it->second});
      continue;
    }
    scenarios.push_back(std::move(*r.scenario));
  }
  const auto expectations = harness::loadExpectations(
      a.expectations.empty() ? root + "/spec/expectations" : a.expectations, diags);
  for (const auto& d : diags) std::cerr << d.str() << "\n";

  std::vector<std::string> unknown;
  const auto interps = harness::selectInterpreters(a.python, unknown);
  for (const auto& u : unknown) std::cerr << "monsim check: no interpreter matches '" << u << "'\n";
  std::set<PyVersion> versions;
  for (const auto& i : interps)
    if (auto v = parseVersion(i.version)) versions.insert(*v);

  std::vector<Task> tasks;
  for (size_t i = 0; i < interps.size(); ++i)
    for (const auto& s : scenarios)
      if (s.kind == harness::Scenario::Kind::Program) tasks.push_back({&s, int(i)});
  for (const auto& s : scenarios)
    if (s.kind == harness::Scenario::Kind::Script)
      for (PyVersion v : versions) tasks.push_back({&s, -1, v});

  harness::CheckContext ctx;
  ctx.expectations = &expectations;
  ctx.observerCheck = !a.noObserver;
  harness::OracleOptions oo;
  oo.runTimeout = std::chrono::milliseconds(static_cast<long>(a.timeout * 1000));

  // Work is handed out per interpreter so each thread keeps few workers alive.
  std::mutex mu;
  std::vector<std::vector<size_t>> queues(interps.size() + 1);
  for (size_t t = 0; t < tasks.size(); ++t)
    queues[tasks[t].interp < 0 ? interps.size() : size_t(tasks[t].interp)].push_back(t);
  for (auto& q : queues) std::reverse(q.begin(), q.end());
  std::vector<harness::CheckResult> results(tasks.size());
  // Each interpreter's hello (build, capabilities) for the results header.
  std::vector<std::optional<nlohmann::json>> hellos(interps.size());
  const std::string started = utcNow();
  std::atomic<size_t> done{0};
  std::map<std::string, int> counts;
  const bool tty = isatty(STDERR_FILENO);
  const auto t0 = std::chrono::steady_clock::now();

  auto report = [&](const harness::CheckResult& r) {
    std::lock_guard<std::mutex> lock(mu);
    ++counts[std::string(harness::verdictName(r.verdict))];
    const size_t n = ++done;
    if (tty) std::cerr << "\r\033[K";
    if (r.verdict != harness::Verdict::Pass && r.verdict != harness::Verdict::Skipped &&
        !(a.quiet && r.verdict == harness::Verdict::KnownDeviation)) {
      std::cout << harness::verdictName(r.verdict) << ": " << r.scenario << " on "
                << r.interpreter << " — " << r.reason << "\n  (" << r.file << ")\n";
      if (harness::isBad(r.verdict) && !r.detail.empty()) std::cout << r.detail;
      std::cout.flush();
    }
    if (tty) {
      std::cerr << "[" << n << "/" << tasks.size() << "]";
      for (const auto& [k, c] : counts) std::cerr << " " << k << " " << c;
      std::cerr.flush();
    }
  };
  auto worker = [&] {
    std::map<int, std::unique_ptr<harness::OracleWorker>> workers;
    for (;;) {
      std::vector<size_t> batch;
      int which = -1;
      {
        std::lock_guard<std::mutex> lock(mu);
        // Prefer an interpreter this thread already runs, else the longest queue.
        size_t best = queues.size();
        for (size_t q = 0; q < queues.size(); ++q) {
          if (queues[q].empty()) continue;
          if (workers.count(int(q))) {
            best = q;
            break;
          }
          if (best == queues.size() || queues[q].size() > queues[best].size()) best = q;
        }
        if (best == queues.size()) break;
        which = int(best);
        for (int k = 0; k < 8 && !queues[best].empty(); ++k) {
          batch.push_back(queues[best].back());
          queues[best].pop_back();
        }
      }
      for (size_t t : batch) {
        const Task& task = tasks[t];
        if (task.interp < 0) {
          results[t] = harness::checkScript(*task.scenario, task.version, ctx);
        } else {
          auto& w = workers[which];
          if (!w) w = std::make_unique<harness::OracleWorker>(interps[task.interp], oo);
          results[t] = harness::checkOnInterpreter(*task.scenario, *w, ctx);
          if (w->starts() > 0 && !hellos[task.interp]) {
            auto h = w->hello();
            std::lock_guard<std::mutex> lock(mu);
            hellos[task.interp] = std::move(h);
          }
        }
        report(results[t]);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int j = 0; j < std::max(1, a.jobs); ++j) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (tty) std::cerr << "\r\033[K";
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  if (!a.results.empty()) {
    std::ofstream o(a.results);
    nlohmann::json head{{"kind", "header"},
                        {"format", 1},
                        {"monsim", MONSIM_VERSION},
                        {"suite_commit", gitCommit(root)},
                        {"seed", nullptr},
                        {"scenarios", scenarios.size()},
                        {"suite_dirty", suiteDirty(root)},
                        {"root", root},
                        {"date", started}};
    nlohmann::json is = nlohmann::json::array();
    for (size_t k = 0; k < interps.size(); ++k) {
      const auto& i = interps[k];
      nlohmann::json e{
          {"id", i.id},           {"kind", i.kind}, {"implementation", i.implementation},
          {"version", i.version}, {"path", i.path}, {"provenance", i.provenance}};
      if (hellos[k]) {
        e["build"] = hellos[k]->value("implementation", nlohmann::json::object());
        e["capabilities"] = hellos[k]->value("capabilities", nlohmann::json::object());
      }
      is.push_back(std::move(e));
    }
    head["interpreters"] = std::move(is);
    o << head.dump() << "\n";
    std::vector<size_t> order(tasks.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
      return std::tie(results[x].file, results[x].interpreter) <
             std::tie(results[y].file, results[y].interpreter);
    });
    for (size_t i : order) o << results[i].toJson(*tasks[i].scenario).dump() << "\n";
    o << nlohmann::json{{"kind", "footer"}, {"totals", counts}, {"seconds", seconds},
                        {"load_errors", diags.size()}}
             .dump()
      << "\n";
  }
  int passed = counts["pass"] + counts["known-deviation"];
  int failed = counts["fail"] + counts["expect-fail"] + counts["xpass"] + counts["error"] +
               int(diags.size());
  std::cout << "verdicts:";
  for (const auto& [k, c] : counts)
    if (c) std::cout << " " << k << " " << c;
  if (!diags.empty()) std::cout << " load-error " << diags.size();
  std::cout << " (" << scenarios.size() << " scenarios, " << interps.size()
            << " interpreters, " << static_cast<int>(seconds * 10) / 10.0 << " s)\n";
  std::cout << passed << " passed, " << failed << " failed, " << counts["skipped"]
            << " skipped\n";
  if (scenarios.empty() && diags.empty()) {
    std::cerr << "monsim check: no scenarios found\n";
    return 2;
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace

void addCheck(CLI::App& app) {
  auto a = std::make_shared<CheckArgs>();
  auto* c = app.add_subcommand(
      "check", "Run scenarios on interpreters and the model; report verdicts");
  c->add_option("paths", a->paths, "Scenario files or folders (default: the suite)");
  c->add_option("--python", a->python,
                "Interpreter id, version prefix, path, or 'all' (default: all found)")
      ->take_all();
  c->add_option("--jobs,-j", a->jobs, "Parallel workers (default 2)");
  c->add_option("--results", a->results, "Write the results stream (JSON lines) here");
  c->add_option("--expectations", a->expectations,
                "Folder of expectations files (default: spec/expectations)");
  c->add_option("--timeout", a->timeout, "Seconds per scenario run (default 20)");
  c->add_flag("--no-observer-check", a->noObserver,
              "Skip the second run without the probe");
  c->add_flag("--quiet,-q", a->quiet, "Do not list known deviations");
  c->callback([a] { setExitCode(check(*a)); });
}

}  // namespace monsim::cli
