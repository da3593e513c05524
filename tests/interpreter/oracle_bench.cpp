// Oracle throughput per interpreter found (./run bench): probe events recorded
// per second, and scenarios per second with one long-lived worker versus a
// fresh interpreter per scenario.
#include <chrono>
#include <cstdio>

#include "interpreter/oracle_driver.h"

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

double seconds(Clock::time_point a) {
  return std::chrono::duration<double>(Clock::now() - a).count();
}

}  // namespace

int main() {
  const auto interps = discoverInterpreters();
  if (interps.empty()) std::printf("oracle-bench: no interpreter found\n");
  for (const auto& in : interps) {
    OracleOptions opts;
    opts.runTimeout = std::chrono::milliseconds(120000);
    OracleWorker w(in, opts);
    if (!w.hello()) {
      std::printf("oracle-record %s: worker does not start\n", in.id.c_str());
      continue;
    }
    auto t = Clock::now();
    const auto r = w.run(loopScenario(3000));
    const double dt = seconds(t);
    size_t events = 0;
    if (r.kind == RunOutcome::Kind::Result)
      for (const auto& rec : r.message["trace"]["records"])
        events += rec["kind"] == "event";
    std::printf("oracle-record %s: %.0f events/s (%zu events in %.2f s)\n", in.id.c_str(),
                events / dt, events, dt);

    const int nWorker = 40;  // small scenarios, one worker
    t = Clock::now();
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
