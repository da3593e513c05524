// compareProbeRuns: where the two predictions differ, and where the run without the
// probe leaves the probe-on run's path (a callback raises in one run only).
#include "check/probe_effect.h"

#include <gtest/gtest.h>

namespace monsim::harness {
namespace {

PredictedDelivery delivery(size_t record, int tool, bool raises = false,
                           int64_t offset = 2) {
  PredictedDelivery d;
  d.record = record;
  d.tool = tool;
  d.event = Event::Line;
  d.code = "f@1";
  d.offset = offset;
  d.raises = raises;
  d.result = raises ? CallbackOutcome::Raised : CallbackOutcome::Returned;
  return d;
}

TEST(CompareProbeRuns, EqualPredictionsDifferNowhere) {
  Prediction on, alone;
  on.deliveries = alone.deliveries = {delivery(3, 2), delivery(5, 2)};
  const ProbeComparison c = compareProbeRuns(on, alone);
  EXPECT_EQ(c.split, kNoRecord);
  EXPECT_TRUE(c.effects.empty());
}

TEST(CompareProbeRuns, ADeliveryInOneRunOnlyIsAnEffectWithBothSides) {
  Prediction on, alone;
  on.deliveries = {delivery(3, 2)};
  alone.deliveries = {delivery(3, 2), delivery(5, 2)};
  const ProbeComparison c = compareProbeRuns(on, alone);
  ASSERT_EQ(c.effects.size(), 1u);
  EXPECT_EQ(c.effects[0].record, 5u);
  EXPECT_TRUE(c.effects[0].alone);
  EXPECT_FALSE(c.effects[0].withProbe);
  EXPECT_NE(c.effects[0].text().find("tool 2 alone gets it"), std::string::npos)
      << c.effects[0].text();
}

TEST(CompareProbeRuns, AMovedOffsetSaysBothOffsets) {
  Prediction on, alone;
  on.deliveries = {delivery(3, 2, false, 8)};
  alone.deliveries = {delivery(3, 2, false, 6)};
  const ProbeComparison c = compareProbeRuns(on, alone);
  ASSERT_EQ(c.effects.size(), 1u);
  EXPECT_NE(c.effects[0].text().find("at offset 6 alone"), std::string::npos)
      << c.effects[0].text();
}

// The first record where a callback raises in one run only ends the comparison:
// nothing after it counts as an effect.
TEST(CompareProbeRuns, ARaiseInOneRunOnlySplitsThePaths) {
  Prediction on, alone;
  on.deliveries = {delivery(3, 2, true), delivery(9, 2)};
  alone.deliveries = {delivery(3, 2), delivery(7, 2)};
  const ProbeComparison c = compareProbeRuns(on, alone);
  EXPECT_EQ(c.split, 3u);
  ASSERT_EQ(c.effects.size(), 1u);  // #3's result; #7 and #9 are past the split
  EXPECT_EQ(c.effects[0].record, 3u);
  alone.deliveries[0].raises = true;
  alone.deliveries[0].result = CallbackOutcome::Raised;
  EXPECT_EQ(compareProbeRuns(on, alone).split, kNoRecord);  // both raise: one path
}

}  // namespace
}  // namespace monsim::harness
