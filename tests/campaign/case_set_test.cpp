// What a resumed campaign skips: the finished case numbers of one shard, kept as a
// bound and the few finished out of order.
#include <gtest/gtest.h>

#include "campaign/run.h"

namespace monsim::gen {
namespace {

TEST(CaseSet, CasesFinishedInOrderMoveTheBound) {
  CaseSet s;
  for (long n : {0, 1, 2}) s.add(n, 0, 1);
  EXPECT_EQ(s.below, 3);
  EXPECT_TRUE(s.also.empty());
  EXPECT_TRUE(s.has(2));
  EXPECT_FALSE(s.has(3));
}

TEST(CaseSet, CasesFinishedOutOfOrderWaitAboveTheBoundUntilTheGapCloses) {
  CaseSet s;
  s.add(1, 0, 1);
  s.add(3, 0, 1);
  EXPECT_EQ(s.below, 0);
  EXPECT_TRUE(s.has(3));
  EXPECT_FALSE(s.has(0));
  EXPECT_FALSE(s.has(2));
  s.add(0, 0, 1);
  EXPECT_EQ(s.below, 2);
  s.add(2, 0, 1);
  EXPECT_EQ(s.below, 4);
  EXPECT_TRUE(s.also.empty());
}

// Shard 1 of 3 runs cases 1, 4, 7, …: the bound steps by 3 from the shard's first.
TEST(CaseSet, AShardsBoundStepsOverTheOtherShardsCases) {
  CaseSet s;
  s.add(4, 1, 3);
  EXPECT_EQ(s.below, 1);
  s.add(1, 1, 3);
  EXPECT_EQ(s.below, 7);
  EXPECT_TRUE(s.also.empty());
  EXPECT_FALSE(s.has(7));
}

}  // namespace
}  // namespace monsim::gen
