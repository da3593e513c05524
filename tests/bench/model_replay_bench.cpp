// Replay throughput of the model (Monitor::replay, the dispatch loop compiled for this
// policy and sink): synthetic streams of 10^7 occurrences over 6 tools with mixed
// global/local events and DISABLEs (periodic restart_events keeps DISABLEd sites
// coming back). Prints "model-replay: <N> occurrences/s" for a program-shaped stream
// and "model-replay-random-stream: ..." for events drawn at random.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "model/dispatch_loop.h"
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

uint64_t gRandom = 0x9e3779b97f4a7c15ull;
uint64_t next() {
  gRandom ^= gRandom << 13;
  gRandom ^= gRandom >> 7;
  gRandom ^= gRandom << 17;
  return gRandom;
}

constexpr Event kBody[] = {Event::Line,         Event::Call, Event::CReturn,
                           Event::Line,         Event::Jump, Event::BranchLeft,
                           Event::BranchRight,  Event::Line, Event::Raise,
                           Event::StopIteration};

// Shaped like a program: each code object has fixed instructions (an offset always
// reports the same event; a CALL's C_RETURN comes from the same offset; a branch
// site goes left or right), and a call runs its body in a loop of 1–16 iterations.
// Calls go to random code objects.
std::vector<Rec> makeProgramStream(int64_t occurrences) {
  gRandom = 0x9e3779b97f4a7c15ull;
  std::vector<std::vector<Rec>> bodies(kCodes);
  for (uint16_t c = 0; c < kCodes; ++c) {
    const int sites = 8 + static_cast<int>(next() % 24);
    for (int i = 0; i < sites; ++i) {
      Event e = kBody[next() % std::size(kBody)];
      const int32_t at = 2 + 2 * i;
      if (e == Event::CReturn) e = Event::Call;  // a C call: CALL, then C_RETURN there
      if (e == Event::BranchRight) e = Event::BranchLeft;
      bodies[c].push_back({Kind::Fire, e, c, at});
      if (e == Event::Call) bodies[c].push_back({Kind::Fire, Event::CReturn, c, at});
    }
  }
  std::vector<Rec> out;
  out.reserve(static_cast<size_t>(occurrences * 11 / 10));
  int64_t n = 0, sinceRestart = 0;
  while (n < occurrences) {
    const auto code = static_cast<uint16_t>(next() % kCodes);
    out.push_back({Kind::Enter, Event::PyStart, code, 0});
    out.push_back({Kind::Fire, Event::PyStart, code, 0});
    ++n;
    const int loops = 1 + static_cast<int>(next() % 16);
    for (int i = 0; i < loops; ++i)
      for (Rec r : bodies[code]) {
        if (n >= occurrences) break;
        if (r.event == Event::BranchLeft && i % 3 == 0) r.event = Event::BranchRight;
        out.push_back(r);
        ++n;
        ++sinceRestart;
      }
    if (n < occurrences) {
      out.push_back({Kind::Fire, Event::PyReturn, code, 90});
      ++n;
    }
    out.push_back({Kind::Exit, Event::PyStart, code, 0});
    if (sinceRestart > 200'000) {
      out.push_back({Kind::Restart, Event::PyStart, 0, 0});
      sinceRestart = 0;
    }
  }
  return out;
}

// Events drawn at random per occurrence (the same offset may report any event): no
// program does this, and it defeats the branch predictor; kept as a worst case.
std::vector<Rec> makeRandomStream(int64_t occurrences) {
  gRandom = 0x9e3779b97f4a7c15ull;
  std::vector<Rec> out;
  out.reserve(static_cast<size_t>(occurrences * 11 / 10));
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
// Answered from a table, as a replay answers from a recorded trace: the policy's own
// branches on tool and event would be the branch predictor's to miss, not the model's.
// (The fields are read one by one: GCC otherwise reads tool and event with one wide load
// across the loop's two narrower stores, which stalls store forwarding.)
class BenchPolicy final : public CallbackPolicy {
 public:
  CallbackAction onCallback(const Delivery& d) override {
    const int tool = d.tool.value;
    const auto event = static_cast<uint32_t>(d.event);
    const uint32_t evenLine = uint32_t{event == lineEvent_} & ~(d.offset >> 1) & 1;
    CallbackAction a;
    a.disable = (disables_[tool] >> event) & 1 & ~evenLine;  // LINE: every other site
    return a;
  }

 private:
  static constexpr uint32_t bit(Event e) { return 1u << static_cast<uint32_t>(e); }
  static_assert(spec::kEventCount <= 32);
  const uint32_t lineEvent_ = static_cast<uint32_t>(Event::Line);
  const std::array<uint32_t, kDispatchToolCount> disables_ = {
      0, bit(Event::Jump) | bit(Event::BranchLeft), 0, 0, bit(Event::Line), 0, 0, 0};
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

struct Figures {
  double occurrencesPerSecond = 0;  // the best of the iterations
  double deliveriesPerOccurrence = 0;
};
Figures gProgram, gRandomStream;

void replay(benchmark::State& state, const std::vector<Rec>& stream, Figures& best) {
  BenchPolicy policy;
  CountingSink sink;
  // One occurrence filled in per record, as a replayer reading a trace would: its
  // other fields keep their defaults.
  Occurrence o;
  for (auto _ : state) {
    Monitor m(PyVersion::V3_14);
    setUp(m);
    sink.count = 0;
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
          o.event = r.event;
          o.code = CodeId{r.code};
          o.offset = r.offset;
          auto out = m.replay(o, policy, sink);
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
    best.occurrencesPerSecond =
        std::max(best.occurrencesPerSecond, static_cast<double>(kOccurrences) / secs);
    best.deliveriesPerOccurrence =
        static_cast<double>(sink.count) / static_cast<double>(kOccurrences);
  }
  state.counters["occurrences/s"] = benchmark::Counter(
      static_cast<double>(kOccurrences) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
  state.counters["deliveries/occurrence"] = best.deliveriesPerOccurrence;
}

void BM_ModelReplay(benchmark::State& state) {
  replay(state, makeProgramStream(kOccurrences), gProgram);
}
BENCHMARK(BM_ModelReplay)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ModelReplayRandomStream(benchmark::State& state) {
  replay(state, makeRandomStream(kOccurrences), gRandomStream);
}
BENCHMARK(BM_ModelReplayRandomStream)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace monsim

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  using monsim::gProgram, monsim::gRandomStream;
  std::printf(
      "model-replay: %.0f occurrences/s (%.0f deliveries/s; a program-shaped stream)\n",
      gProgram.occurrencesPerSecond,
      gProgram.occurrencesPerSecond * gProgram.deliveriesPerOccurrence);
  std::printf(
      "model-replay-random-stream: %.0f occurrences/s (%.0f deliveries/s; events drawn "
      "at random per occurrence)\n",
      gRandomStream.occurrencesPerSecond,
      gRandomStream.occurrencesPerSecond * gRandomStream.deliveriesPerOccurrence);
  return 0;
}
