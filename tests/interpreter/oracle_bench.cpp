// Oracle throughput per interpreter found (./run bench): probe events recorded
// per second, next to the ceiling (the same interpreter delivering the same loop's
// events to a trivial callback, tests/bench/delivery_ceiling.py) as a share of it,
// and scenarios per second with one long-lived worker versus a fresh interpreter
// per scenario. MONSIM_BENCH_PYTHON=ID measures that interpreter only.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "interpreter/discovery.h"
#include "interpreter/oracle_driver.h"
#include "interpreter/process.h"
#include "interpreter/trace.h"

using namespace monsim::harness;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

json loopScenario(int n) {
  return {{"id", "bench-loop"},
          {"program",
           "def work(n):\n    total = 0\n    for i in range(n):\n        if i % 3:\n"
           "            total += len([i])\n    return total\n"},
          {"tools", json::object()},
          {"steps", json::array({{{"call", "work"}, {"args", json::array({n})}}})}};
}

json smallScenario(int i) {
  return {
      {"id", "bench-small-" + std::to_string(i)},
      {"program", "def f(x):\n    return x + 1\n"},
      {"tools", {{"2", {{"name", "t"}, {"events", json::array({"PY_START", "LINE"})}}}}},
      {"steps", json::array({{{"call", "f"}, {"args", json::array({i})}}})}};
}

// Events per second the interpreter delivers to a counting callback; 0 if unknown.
double ceiling(const Interpreter& in, int n) {
  std::vector<std::string> argv = in.command;
  argv.push_back(sourceRoot() + "/tests/bench/delivery_ceiling.py");
  argv.push_back(std::to_string(n));
  const RunResult r = runCommand(argv, "", std::chrono::milliseconds(300000));
  double events = 0, rate = 0;
  if (r.status != "exit 0" || std::sscanf(r.out.c_str(), "%lf %lf", &events, &rate) != 2)
    return 0;
  return rate;
}

// The loop's length: ~7 events an iteration, so ~175k events (under max_records), and
// the fixed cost of a run is a small part of the figure.
constexpr int kLoop = 25000;

double seconds(Clock::time_point a) {
  return std::chrono::duration<double>(Clock::now() - a).count();
}

}  // namespace

int main() {
  const auto interps = discoverInterpreters();
  if (interps.empty()) std::printf("oracle-bench: no interpreter found\n");
  const char* only = std::getenv("MONSIM_BENCH_PYTHON");
  for (const auto& in : interps) {
    if (only && in.id != only) continue;
    OracleOptions opts;
    opts.runTimeout = std::chrono::milliseconds(120000);
    OracleWorker w(in, opts);
    if (!w.hello()) {
      std::printf("oracle-record %s: worker does not start\n", in.id.c_str());
      continue;
    }
    // The steady rate: one run first (not counted) pays what a worker pays once (its
    // first compilation, the reply reader's buffers growing to a reply this size), then
    // the median of three runs.
    RunOutcome r;
    std::vector<double> runs;
    for (int k = 0; k < 4; ++k) {
      const auto t = Clock::now();
      r = w.run(loopScenario(kLoop));  // the previous reply is freed in the time too
      if (k > 0) runs.push_back(seconds(t));
    }
    std::sort(runs.begin(), runs.end());
    const double dt = runs[1];
    size_t events = 0;
    if (r.kind == RunOutcome::Kind::Result)
      for (const TraceRecord& rec : traceFromJson(r.message["trace"]).records)
        events += rec.kind == RecordKind::Event;
    std::printf(
        "oracle-record %s: %.0f events/s (%zu events in %.3f s, the median of 3 runs "
        "after one not counted)\n",
        in.id.c_str(), events / dt, events, dt);
    if (in.monitoring && in.implementation == "cpython") {
      if (const double c = ceiling(in, kLoop); c > 0) {
        std::printf(
            "oracle-ceiling %s: %.0f events/s (the loop's events to a counting "
            "callback)\n",
            in.id.c_str(), c);
        std::printf("oracle-vs-ceiling %s: %.1f%%\n", in.id.c_str(),
                    100 * events / dt / c);
      } else {
        std::printf("oracle-ceiling %s: not measured (delivery_ceiling.py failed)\n",
                    in.id.c_str());
      }
    }

    const int nWorker = 40;  // small scenarios, one worker
    auto t = Clock::now();
    for (int i = 0; i < nWorker; ++i) w.run(smallScenario(i));
    const double worker = nWorker / seconds(t);
    w.stop();

    const int nProcess = in.kind == "pyodide" ? 2 : 10;
    t = Clock::now();
    for (int i = 0; i < nProcess; ++i) {
      OracleWorker fresh(in, opts);
      fresh.run(smallScenario(i));
    }
    const double process = nProcess / seconds(t);
    std::printf(
        "oracle-scenarios %s: %.1f scenarios/s worker, %.2f scenarios/s "
        "process-per-scenario\n",
        in.id.c_str(), worker, process);
    std::fflush(stdout);
  }
  return 0;
}
