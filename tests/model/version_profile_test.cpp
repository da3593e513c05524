// Version profiles derived from the spec tables (docs: "Events" per version).
#include "model/version_profile.h"

#include <gtest/gtest.h>

namespace monsim {
namespace {

TEST(VersionProfile, ParsesReleaseAndPreReleaseNames) {
  EXPECT_EQ(parseVersion("3.13"), PyVersion::V3_13);
  EXPECT_EQ(parseVersion("3.12.1"), PyVersion::V3_12);
  EXPECT_EQ(parseVersion("3.15.0rc1"), PyVersion::V3_15);
  EXPECT_EQ(parseVersion("3.130"), std::nullopt);
  EXPECT_EQ(parseVersion("3.11.7"), std::nullopt);
}

TEST(VersionProfile, EventsRenumberedIn314) {
  EXPECT_EQ(profile(PyVersion::V3_13).bitOf(Event::Raise), 10);
  EXPECT_EQ(profile(PyVersion::V3_14).bitOf(Event::Raise), 11);
  EXPECT_FALSE(profile(PyVersion::V3_13).has(Event::BranchLeft));
  EXPECT_TRUE(profile(PyVersion::V3_14).isAlias(Event::Branch));
  EXPECT_FALSE(profile(PyVersion::V3_13).isAlias(Event::Branch));
}

TEST(VersionProfile, SetEventsLimitIsOneShiftEventCount) {
  EXPECT_EQ(profile(PyVersion::V3_12).bitLimit(), 17);
  EXPECT_EQ(profile(PyVersion::V3_14).bitLimit(), 19);
  EXPECT_EQ(profile(PyVersion::V3_15).bitLimit(), 19);
}

TEST(VersionProfile, LocalEventMasks) {
  EXPECT_EQ(profile(PyVersion::V3_12).localEvents().bits(), 0x3ffu);
  EXPECT_EQ(profile(PyVersion::V3_14).localEvents().bits(), 0x7ffu);
  // 3.15.0rc1 accepts the exception events locally too.
  EXPECT_EQ(profile(PyVersion::V3_15).localEvents().bits(), 0xffffu);
}

TEST(VersionProfile, ClearToolIdFrom314) {
  EXPECT_FALSE(profile(PyVersion::V3_13).hasApi(spec::ApiFn::ClearToolId));
  EXPECT_TRUE(profile(PyVersion::V3_14).hasApi(spec::ApiFn::ClearToolId));
}

}  // namespace
}  // namespace monsim
