// set_events/get_events, set_local_events/get_local_events and register_callback
// validation (behaviour §6, §7, §8): exact errors and normalisation per version.
#include <gtest/gtest.h>

#include "tests/model/model_test_util.h"

namespace monsim::testing {
namespace {

class EventSets : public ::testing::TestWithParam<PyVersion> {};
INSTANTIATE_TEST_SUITE_P(AllVersions, EventSets, ::testing::ValuesIn(kAllVersions));

TEST_P(EventSets, NegativeSetPrintsUnsigned) {
  Harness h(GetParam());
  h.use(0);
  EXPECT_EQ(errorOf(h.setEvents(0, -1)),
            err("ValueError", "invalid event set 0xffffffff"));
}

TEST_P(EventSets, CReturnAloneIsRejected) {
  Harness h(GetParam());
  h.use(0);
  const auto msg =
      err("ValueError", "cannot set C_RETURN or C_RAISE events independently");
  EXPECT_EQ(errorOf(h.setEvents(0, h.ev(Event::CReturn))), msg);
  EXPECT_EQ(errorOf(h.setEvents(0, h.ev(Event::CRaise))), msg);
  EXPECT_EQ(errorOf(h.setEvents(0, h.ev(Event::Call) | h.ev(Event::CReturn))), msg);
}

TEST_P(EventSets, CBitsAreStripped) {
  Harness h(GetParam());
  h.use(0);
  h.setEvents(0, h.ev(Event::Call) | h.ev(Event::CReturn) | h.ev(Event::CRaise));
  EXPECT_EQ(intOf(h.api(GetEvents{pyInt(0)})), 16);
}

TEST_P(EventSets, BadSetBeatsNotInUseInvalidToolBeatsBadSet) {
  Harness h(GetParam());
  EXPECT_EQ(errorOf(h.setEvents(3, -1)),
            err("ValueError", "invalid event set 0xffffffff"));
  EXPECT_EQ(errorOf(h.setEvents(3, h.ev(Event::CReturn))),
            err("ValueError", "cannot set C_RETURN or C_RAISE events independently"));
  EXPECT_EQ(errorOf(h.setEvents(9, -1)),
            err("ValueError", "invalid tool 9 (must be between 0 and 5)"));
}

TEST_P(EventSets, LocalNeedsCodeObjectFirst) {
  Harness h(GetParam());
  EXPECT_EQ(errorOf(h.api(SetLocalEvents{pyInt(9), NotCode{"int"}, pyInt(0)})),
            err("TypeError", "code must be a code object"));
  EXPECT_EQ(errorOf(h.api(GetLocalEvents{pyInt(9), NotCode{"function"}})),
            err("TypeError", "code must be a code object"));
}

TEST_P(EventSets, CallbackOneEventAtATime) {
  Harness h(GetParam());
  const auto msg =
      err("ValueError", "The callback can only be set for one event at a time");
  EXPECT_EQ(errorOf(h.reg(0, 0, 1)), msg);
  EXPECT_EQ(errorOf(h.reg(0, -1, 1)), msg);
  EXPECT_EQ(errorOf(h.reg(0, 3, 1)), msg);
}

TEST_P(EventSets, RegisterReturnsPreviousCallable) {
  Harness h(GetParam());
  EXPECT_EQ(h.reg(0, 1, 10), Outcome(PyNone{}));
  EXPECT_EQ(h.reg(0, 1, 11), Outcome(CallableId{10}));
  EXPECT_EQ(h.reg(0, 1, std::nullopt), Outcome(CallableId{11}));
  EXPECT_EQ(h.reg(0, 1, std::nullopt), Outcome(PyNone{}));
}

TEST(EventSets, RangeLimitPerVersion) {
  for (PyVersion v : {PyVersion::V3_12, PyVersion::V3_13}) {
    Harness h(v);
    h.use(0);
    EXPECT_EQ(errorOf(h.setEvents(0, 1 << 17)),
              err("ValueError", "invalid event set 0x20000"));
    h.setEvents(0, (1 << 17) - 1);
    EXPECT_EQ(intOf(h.api(GetEvents{pyInt(0)})), 0x7fff);
    EXPECT_EQ(errorOf(h.reg(0, 1 << 17, 1)), err("ValueError", "invalid event 131072"));
  }
  for (PyVersion v : {PyVersion::V3_14, PyVersion::V3_15}) {
    Harness h(v);
    h.use(0);
    EXPECT_EQ(errorOf(h.setEvents(0, 1 << 19)),
              err("ValueError", "invalid event set 0x80000"));
    h.setEvents(0, (1 << 19) - 1);
    EXPECT_EQ(intOf(h.api(GetEvents{pyInt(0)})), 0xffff);
    EXPECT_EQ(errorOf(h.reg(0, 1 << 19, 1)), err("ValueError", "invalid event 524288"));
  }
}

TEST(EventSets, BranchMapsToLeftAndRightFrom314) {
  for (PyVersion v : {PyVersion::V3_14, PyVersion::V3_15}) {
    Harness h(v);
    h.use(0);
    h.setEvents(0, 1 << 18);
    EXPECT_EQ(intOf(h.api(GetEvents{pyInt(0)})), 768);
    h.setLocal(0, 0, 1 << 18);
    EXPECT_EQ(intOf(h.getLocal(0, 0)), 768);
  }
  Harness h(PyVersion::V3_13);
  h.use(0);
  h.setEvents(0, 1 << 8);
  EXPECT_EQ(intOf(h.api(GetEvents{pyInt(0)})), 256);
}

TEST(EventSets, NonLocalEventsRejectedLocallyBefore315) {
  {
    Harness h(PyVersion::V3_12);
    h.use(0);
    EXPECT_EQ(errorOf(h.setLocal(0, 0, 1 << 10)),
              err("ValueError", "invalid local event set 0x400"));
    EXPECT_EQ(errorOf(h.setLocal(0, 0, -1)),
              err("ValueError", "invalid local event set 0xfffe7fff"));
    h.setLocal(0, 0, 0x3ff);
    EXPECT_EQ(intOf(h.getLocal(0, 0)), 0x3ff);
  }
  {
    Harness h(PyVersion::V3_13);
    h.use(0);
    EXPECT_EQ(errorOf(h.setLocal(0, 0, 1 << 10)),
              err("ValueError", "invalid local event set 0x400"));
  }
  {
    Harness h(PyVersion::V3_14);
    h.use(0);
    EXPECT_EQ(errorOf(h.setLocal(0, 0, 1 << 11)),
              err("ValueError", "invalid local event set 0x800"));
    EXPECT_EQ(errorOf(h.setLocal(0, 0, -1)),
              err("ValueError", "invalid local event set 0xfff8ffff"));
    h.setLocal(0, 0, 0x7ff);
    EXPECT_EQ(intOf(h.getLocal(0, 0)), 0x7ff);
  }
}

// FINDINGS F5.1: 3.15 accepts the exception events locally.
TEST(EventSets, ExceptionEventsLocalIn315) {
  Harness h(PyVersion::V3_15);
  h.use(0);
  EXPECT_EQ(h.setLocal(0, 0, 0x800), Outcome(PyNone{}));
  EXPECT_EQ(intOf(h.getLocal(0, 0)), 2048);
  h.setLocal(0, 0, 0xffff);
  EXPECT_EQ(intOf(h.getLocal(0, 0)), 0xffff);
  EXPECT_EQ(errorOf(h.setLocal(0, 0, -1)),
            err("ValueError", "invalid local event set 0xfff8ffff"));
  EXPECT_EQ(errorOf(h.setLocal(0, 0, 1 << 19)),
            err("ValueError", "invalid local event set 0x80000"));
  EXPECT_EQ(errorOf(h.setLocal(0, 0, 1 << 16)),
            err("ValueError", "cannot set C_RETURN or C_RAISE events independently"));
}

TEST(EventSets, LocalSetsAreNotInGetEvents) {
  Harness h(PyVersion::V3_13);
  h.use(0);
  h.setLocal(0, 4, h.ev(Event::Line));
  EXPECT_EQ(intOf(h.api(GetEvents{pyInt(0)})), 0);
  EXPECT_EQ(intOf(h.getLocal(0, 5)), 0);
}

// Reference §8.3: the BRANCH wrapper fills both slots and is never handed out.
TEST(EventSets, BranchRegistrationFillsBothSlotsFrom314) {
  Harness h(PyVersion::V3_14);
  EXPECT_EQ(h.reg(0, 1 << 18, 42), Outcome(PyNone{}));
  EXPECT_EQ(h.reg(0, h.ev(Event::BranchLeft), std::nullopt), Outcome(CallableId{42}));
  EXPECT_EQ(h.reg(0, h.ev(Event::BranchRight), std::nullopt), Outcome(CallableId{42}));
  h.reg(0, 1 << 18, 43);
  EXPECT_EQ(h.reg(0, 1 << 18, std::nullopt), Outcome(CallableId{43}));
  EXPECT_EQ(h.reg(0, h.ev(Event::BranchRight), std::nullopt), Outcome(PyNone{}));
}

TEST(EventSets, AllEventsListsGlobalEntriesOnly) {
  Harness h(PyVersion::V3_14);
  h.use(2);
  h.use(3);
  h.setEvents(2, h.ev(Event::PyStart) | h.ev(Event::Call) | h.ev(Event::CReturn) |
                     h.ev(Event::CRaise));
  h.setEvents(3, (1 << 18) | h.ev(Event::PyStart));
  h.setLocal(2, 0, h.ev(Event::Line));
  const auto all = std::get<AllEventsValue>(h.api(AllEvents{}));
  const std::vector<EventToolMask> expected{
      {"PY_START", 12}, {"CALL", 4}, {"BRANCH_LEFT", 8}, {"BRANCH_RIGHT", 8}};
  EXPECT_EQ(all.entries, expected);
}

}  // namespace
}  // namespace monsim::testing
