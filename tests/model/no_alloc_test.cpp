// The replay hot path does not allocate: once every site has been seen, an
// occurrence (dispatch, DISABLE, sink, policy) performs no heap allocation.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "model/monitor.h"

namespace {
long gAllocations = 0;
}  // namespace

// These replacements pair malloc with free; at -O3 GCC 12 inlines the library's
// new/delete pairs into static initialisers and wrongly reports a mismatch.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
  ++gAllocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace monsim {
namespace {

class DisableEveryOther final : public CallbackPolicy {
 public:
  CallbackAction onCallback(const Delivery& d) override {
    CallbackAction a;
    a.disable = d.tool.value % 2 == 0 && d.event != Event::CReturn;
    return a;
  }
};

TEST(NoAlloc, OccurrencesDoNotAllocate) {
  Monitor m(PyVersion::V3_14);
  const VersionProfile& p = m.profile();
  for (int t = 0; t < kToolCount; ++t) {
    m.step(ApiCall{UseToolId{PyInt{t}, PyStr{"t"}}});
    m.step(ApiCall{SetEvents{
        PyInt{t}, PyInt{(1 << p.bitOf(Event::Line)) | (1 << p.bitOf(Event::Call))}}});
    for (Event e : {Event::Line, Event::Call, Event::CReturn})
      m.step(ApiCall{
          RegisterCallback{PyInt{t}, PyInt{int64_t{1} << p.bitOf(e)}, CallableId{1}}});
  }
  DisableEveryOther policy;
  NullSink sink;
  m.step(FrameEnter{CodeId{0}});
  auto replay = [&] {
    for (int32_t off = 0; off < 64; off += 2)
      for (Event e : {Event::Line, Event::Call, Event::CReturn})
        m.step(Occurrence{e, CodeId{0}, off, 0, {}}, policy, sink);
  };
  replay();  // first DISABLE at each site materialises it
  m.step(ApiCall{RestartEvents{}});
  const long before = gAllocations;
  for (int i = 0; i < 100; ++i) {
    replay();
    m.step(ApiCall{RestartEvents{}});
  }
  EXPECT_GT(before, 0);  // the counter does count (set-up allocated)
  EXPECT_EQ(gAllocations - before, 0);
}

}  // namespace
}  // namespace monsim
