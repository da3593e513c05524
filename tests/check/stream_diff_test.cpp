// Two interpreters' event streams aligned per occurrence (check/stream_diff.h).
#include "check/stream_diff.h"

#include <gtest/gtest.h>

namespace monsim::harness {
namespace {

StreamEvent ev(Event e, std::string code, int64_t off) {
  return StreamEvent{e, std::move(code), off, std::nullopt, "", 0};
}

TEST(StreamDiff, IdenticalStreamsAreTheSame) {
  const std::vector<StreamEvent> s = {ev(Event::PyStart, "f@1", 0),
                                      ev(Event::Line, "f@1", 2),
                                      ev(Event::PyReturn, "f@1", 4)};
  const StreamDiff d = diffStreams(s, s);
  EXPECT_TRUE(d.same());
  EXPECT_EQ(d.common, 3u);
}

TEST(StreamDiff, AnEventOnlyOneSideEmitsIsListedOnItsSide) {
  const std::vector<StreamEvent> a = {ev(Event::PyStart, "f@1", 0),
                                      ev(Event::Call, "f@1", 4),
                                      ev(Event::PyReturn, "f@1", 8)};
  const std::vector<StreamEvent> b = {ev(Event::PyStart, "f@1", 0),
                                      ev(Event::PyReturn, "f@1", 8)};
  const StreamDiff d = diffStreams(a, b);
  ASSERT_EQ(d.onlyLeft.size(), 1u);
  EXPECT_EQ(d.onlyLeft[0].event, Event::Call);
  EXPECT_TRUE(d.onlyRight.empty());
  EXPECT_EQ(d.common, 2u);
}

TEST(StreamDiff, AMovedOffsetIsOneEventOnEachSide) {
  const std::vector<StreamEvent> a = {ev(Event::Raise, "g@3", 8)};
  const std::vector<StreamEvent> b = {ev(Event::Raise, "g@3", 4)};
  const StreamDiff d = diffStreams(a, b);
  ASSERT_EQ(d.onlyLeft.size(), 1u);
  ASSERT_EQ(d.onlyRight.size(), 1u);
  EXPECT_EQ(d.onlyLeft[0].offset, 8);
  EXPECT_EQ(d.onlyRight[0].offset, 4);
}

TEST(StreamDiff, WithoutTheTableTheWindowPairsTheSameWay) {
  std::vector<StreamEvent> a, b;
  for (int i = 0; i < 50; ++i) {
    a.push_back(ev(Event::Line, "f@1", 2 * i));
    if (i != 20) b.push_back(ev(Event::Line, "f@1", 2 * i));
  }
  b.insert(b.begin() + 30, ev(Event::Jump, "f@1", 99));
  const StreamDiff table = diffStreams(a, b);
  const StreamDiff window = diffStreams(a, b, /*maxCells=*/1);
  for (const StreamDiff* d : {&table, &window}) {
    ASSERT_EQ(d->onlyLeft.size(), 1u);
    EXPECT_EQ(d->onlyLeft[0].offset, 40);
    ASSERT_EQ(d->onlyRight.size(), 1u);
    EXPECT_EQ(d->onlyRight[0].event, Event::Jump);
    EXPECT_EQ(d->common, 49u);
  }
}

TEST(StreamDiff, WithoutOffsetsTheSameEventsAtShiftedOffsetsAgree) {
  auto trace = [](int64_t offset, int dest) {
    Trace t;
    TraceRecord r;
    r.kind = RecordKind::Event;
    r.event = Event::Jump;
    r.code = "f@1";
    r.offset = offset;
    r.dest = dest;
    r.line = 3;
    t.records.push_back(r);
    return t;
  };
  const Trace a = trace(104, 108), b = trace(106, 110);
  EXPECT_FALSE(diffStreams(eventStream(a), eventStream(b)).same());
  EXPECT_TRUE(
      diffStreams(eventStream(a, {.offsets = false}), eventStream(b, {.offsets = false}))
          .same());
}

TEST(StreamDiff, BranchAsOneComparesBranchLeftAndRightAsBranch) {
  auto trace = [](Event e) {
    Trace t;
    TraceRecord r;
    r.kind = RecordKind::Event;
    r.event = e;
    r.code = "f@1";
    r.offset = 20;
    r.line = 2;
    t.records.push_back(r);
    return t;
  };
  const Trace v313 = trace(Event::Branch), left = trace(Event::BranchLeft),
              right = trace(Event::BranchRight), jump = trace(Event::Jump);
  EXPECT_FALSE(diffStreams(eventStream(v313), eventStream(left)).same());
  EXPECT_TRUE(diffStreams(eventStream(v313, {.branchAsOne = true}),
                          eventStream(left, {.branchAsOne = true}))
                  .same());
  EXPECT_TRUE(diffStreams(eventStream(v313, {.branchAsOne = true}),
                          eventStream(right, {.branchAsOne = true}))
                  .same());
  EXPECT_FALSE(diffStreams(eventStream(v313, {.branchAsOne = true}),
                           eventStream(jump, {.branchAsOne = true}))
                   .same());
}

}  // namespace
}  // namespace monsim::harness
