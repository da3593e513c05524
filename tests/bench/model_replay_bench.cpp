// Replay throughput of the model: a synthetic stream of 10^7 occurrences over 6
// tools with mixed global/local events and DISABLEs (periodic restart_events
// keeps DISABLEd sites coming back). Prints "model-replay: <N> occurrences/s".
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "model/monitor.h"

namespace monsim {
namespace {

// MONSIM_BENCH_OCCURRENCES shortens the stream for a profiler run (callgrind).
const int64_t kOccurrences = [] {
  const char* e = std::getenv("MONSIM_BENCH_OCCURRENCES");
  return e ? std::max<int64_t>(1000, std::atoll(e)) : int64_t{10'000'000};
}();
constexpr uint32_t kCodes = 64;

enum class Kind : uint8_t { Enter, Exit, Fire, Restart };
struct Rec {
  Kind kind;
  Event event;
  uint16_t code;
  int32_t offset;
};

// A deterministic synthetic program: calls of random code objects, each running
// a loop body of LINE/CALL/C_RETURN/JUMP/BRANCH_*/RAISE occurrences.
std::vector<Rec> makeStream(int64_t occurrences) {
  std::vector<Rec> out;
  out.reserve(static_cast<size_t>(occurrences * 11 / 10));
  uint64_t x = 0x9e3779b97f4a7c15ull;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  static constexpr Event kBody[] = {Event::Line,         Event::Call, Event::CReturn,
                                    Event::Line,         Event::Jump, Event::BranchLeft,
                                    Event::BranchRight,  Event::Line, Event::Raise,
                                    Event::StopIteration};
  int64_t n = 0;
  int64_t sinceRestart = 0;
  while (n < occurrences) {
    const auto code = static_cast<uint16_t>(next() % kCodes);
    out.push_back({Kind::Enter, Event::PyStart, code, 0});
    out.push_back({Kind::Fire, Event::PyStart, code, 0});
    ++n;
    const int body = 8 + static_cast<int>(next() % 24);
    for (int i = 0; i < body && n < occurrences; ++i, ++n) {
      const uint64_t r = next();
      const Event e = kBody[r % std::size(kBody)];
      out.push_back({Kind::Fire, e, code, static_cast<int32_t>(2 + 2 * ((r >> 8) % 40))});
    }
    if (n < occurrences) {
      out.push_back({Kind::Fire, Event::PyReturn, code, 90});
      ++n;
    }
    out.push_back({Kind::Exit, Event::PyStart, code, 0});
    sinceRestart += body;
    if (sinceRestart > 200'000) {
      out.push_back({Kind::Restart, Event::PyStart, 0, 0});
      sinceRestart = 0;
    }
  }
  return out;
}

// Tool 4 disables LINE at every other site and tool 1 JUMP/BRANCH; others return None.
class BenchPolicy final : public CallbackPolicy {
 public:
  CallbackAction onCallback(const Delivery& d) override {
    CallbackAction a;
    a.disable =
        (d.tool.value == 4 && d.event == Event::Line && (d.offset & 2)) ||
        (d.tool.value == 1 && (d.event == Event::Jump || d.event == Event::BranchLeft));
    return a;
  }
};

class CountingSink final : public DeliverySink {
 public:
  void onDelivery(const Delivery& d) override {
    count += 1 + (d.result == CallbackResult::Raised);
  }
  uint64_t count = 0;
};

void setUp(Monitor& m) {
  const VersionProfile& p = m.profile();
  auto bit = [&](Event e) { return int64_t{1} << p.bitOf(e); };
  for (int t = 0; t < kToolCount; ++t) {
    m.step(ApiCall{UseToolId{PyInt{t}, PyStr{"bench"}}});
    for (Event e : {Event::PyStart, Event::PyReturn, Event::Line, Event::Call,
                    Event::CReturn, Event::Jump, Event::BranchLeft, Event::BranchRight,
                    Event::Raise, Event::StopIteration})
      m.step(ApiCall{
          RegisterCallback{PyInt{t}, PyInt{bit(e)},
                           CallableId{static_cast<uint32_t>(t * 100 + p.bitOf(e))}}});
  }
  // Global: tools 0–2; local: tools 3–5 on a third of the code objects each.
  m.step(ApiCall{SetEvents{PyInt{0}, PyInt{bit(Event::PyStart) | bit(Event::Line)}}});
  m.step(ApiCall{SetEvents{
      PyInt{1}, PyInt{bit(Event::Jump) | (int64_t{1} << 18) | bit(Event::Raise)}}});
  m.step(ApiCall{SetEvents{PyInt{2}, PyInt{bit(Event::Call) | bit(Event::CReturn) |
                                           bit(Event::CRaise) | bit(Event::PyReturn)}}});
  for (uint32_t c = 0; c < kCodes; ++c) {
    const int t = 3 + static_cast<int>(c % 3);
    m.step(ApiCall{SetLocalEvents{
        PyInt{t}, CodeId{c},
        PyInt{bit(Event::Line) | bit(Event::PyStart) | bit(Event::StopIteration)}}});
  }
}

double gBestRate = 0;

void BM_ModelReplay(benchmark::State& state) {
  const std::vector<Rec> stream = makeStream(kOccurrences);
  BenchPolicy policy;
  CountingSink sink;
  for (auto _ : state) {
    Monitor m(PyVersion::V3_14);
    setUp(m);
    const auto start = std::chrono::steady_clock::now();
    for (const Rec& r : stream) {
      switch (r.kind) {
        case Kind::Enter:
          m.step(FrameEnter{CodeId{r.code}});
          break;
        case Kind::Exit:
          m.step(FrameExit{CodeId{r.code}});
          break;
        case Kind::Fire: {
          auto out =
              m.step(Occurrence{r.event, CodeId{r.code}, r.offset, 0, {}}, policy, sink);
          benchmark::DoNotOptimize(out);
          break;
        }
        case Kind::Restart:
          m.step(ApiCall{RestartEvents{}});
          break;
      }
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    gBestRate = std::max(gBestRate, static_cast<double>(kOccurrences) / secs);
  }
  state.counters["occurrences/s"] = benchmark::Counter(
      static_cast<double>(kOccurrences) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
  state.counters["deliveries"] = static_cast<double>(sink.count);
}
BENCHMARK(BM_ModelReplay)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace monsim

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::printf("model-replay: %.0f occurrences/s\n", monsim::gBestRate);
  return 0;
}
