// model/branchless.h: choose(c, a, b) is c ? a : b, for every integer width, signed
// values and bools (the replay hot path selects with it).
#include "model/branchless.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace monsim {
namespace {

TEST(Branchless, ChoosesTheFirstWhenTrueAndTheSecondWhenFalse) {
  EXPECT_EQ(choose(true, int32_t{-1}, int32_t{7}), -1);
  EXPECT_EQ(choose(false, int32_t{-1}, int32_t{7}), 7);
  EXPECT_EQ(choose(true, uint8_t{0x80}, uint8_t{0x7f}), 0x80);
  EXPECT_EQ(choose(false, uint8_t{0x80}, uint8_t{0x7f}), 0x7f);
  constexpr int64_t lo = std::numeric_limits<int64_t>::min();
  constexpr int64_t hi = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(choose(true, lo, hi), lo);
  EXPECT_EQ(choose(false, lo, hi), hi);
  static_assert(choose(true, 3u, 4u) == 3u && choose(false, 3u, 4u) == 4u);
}

TEST(Branchless, ChoosesBools) {
  for (const bool c : {false, true})
    for (const bool a : {false, true})
      for (const bool b : {false, true}) EXPECT_EQ(choose(c, a, b), c ? a : b);
}

}  // namespace
}  // namespace monsim
