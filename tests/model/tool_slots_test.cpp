// Tool ids and tool management (behaviour §5): exact errors per version.
#include <gtest/gtest.h>

#include "tests/model/model_test_util.h"

namespace monsim::testing {
namespace {

class ToolIds : public ::testing::TestWithParam<PyVersion> {};
INSTANTIATE_TEST_SUITE_P(AllVersions, ToolIds, ::testing::ValuesIn(kAllVersions));

TEST_P(ToolIds, OutOfRangeIsValueError) {
  Harness h(GetParam());
  EXPECT_EQ(errorOf(h.use(6)),
            err("ValueError", "invalid tool 6 (must be between 0 and 5)"));
  EXPECT_EQ(errorOf(h.api(GetTool{pyInt(-1)})),
            err("ValueError", "invalid tool -1 (must be between 0 and 5)"));
  EXPECT_EQ(errorOf(h.api(GetEvents{pyInt(7)})),
            err("ValueError", "invalid tool 7 (must be between 0 and 5)"));
  EXPECT_EQ(errorOf(h.reg(6, 1, 1)),
            err("ValueError", "invalid tool 6 (must be between 0 and 5)"));
  EXPECT_EQ(errorOf(h.api(FreeToolId{pyInt(6)})),
            err("ValueError", "invalid tool 6 (must be between 0 and 5)"));
}

TEST_P(ToolIds, IntegerConversionComesFirst) {
  Harness h(GetParam());
  EXPECT_EQ(h.use(0, "x"), Outcome(PyNone{}));
  EXPECT_EQ(errorOf(h.api(GetTool{pyInt(int64_t{1} << 40)})),
            err("OverflowError", "Python int too large to convert to C int"));
  EXPECT_EQ(errorOf(h.api(GetTool{PyStr{"a"}})),
            err("TypeError", "'str' object cannot be interpreted as an integer"));
  EXPECT_EQ(errorOf(h.api(GetTool{PyNone{}})),
            err("TypeError", "'NoneType' object cannot be interpreted as an integer"));
  EXPECT_EQ(errorOf(h.api(GetTool{PyObj{"float"}})),
            err("TypeError", "'float' object cannot be interpreted as an integer"));
  // The event-set argument is converted before the tool id is range-checked.
  EXPECT_EQ(errorOf(h.api(SetEvents{pyInt(9), PyStr{"x"}})),
            err("TypeError", "'str' object cannot be interpreted as an integer"));
}

TEST_P(ToolIds, TrueIsToolOne) {
  Harness h(GetParam());
  h.use(1, "cov");
  EXPECT_EQ(h.api(GetTool{PyBool{true}}), Outcome(StrValue{"cov"}));
}

TEST_P(ToolIds, UseToolIdNeedsStrNameAndFreeId) {
  Harness h(GetParam());
  EXPECT_EQ(errorOf(h.api(UseToolId{pyInt(2), PyInt{3}})),
            err("ValueError", "tool name must be a str"));
  EXPECT_EQ(h.use(2, "a"), Outcome(PyNone{}));
  EXPECT_EQ(errorOf(h.use(2, "b")), err("ValueError", "tool 2 is already in use"));
  EXPECT_EQ(h.api(GetTool{pyInt(2)}), Outcome(StrValue{"a"}));
  EXPECT_EQ(h.api(GetTool{pyInt(3)}), Outcome(PyNone{}));
}

TEST_P(ToolIds, SetEventsNeedsToolInUseOthersDoNot) {
  Harness h(GetParam());
  EXPECT_EQ(errorOf(h.setEvents(3, 0)), err("ValueError", "tool 3 is not in use"));
  EXPECT_EQ(errorOf(h.setLocal(3, 0, 0)), err("ValueError", "tool 3 is not in use"));
  EXPECT_EQ(h.reg(3, 1, 7), Outcome(PyNone{}));
  EXPECT_EQ(intOf(h.api(GetEvents{pyInt(3)})), 0);
  EXPECT_EQ(intOf(h.getLocal(3, 0)), 0);
  EXPECT_EQ(h.api(FreeToolId{pyInt(3)}), Outcome(PyNone{}));  // free of a free id: no-op
}

TEST(ToolIds, ClearToolIdMissingBefore314) {
  for (PyVersion v : {PyVersion::V3_12, PyVersion::V3_13}) {
    Harness h(v);
    EXPECT_EQ(errorOf(h.api(ClearToolId{pyInt(0)})),
              err("AttributeError",
                  "module 'sys.monitoring' has no attribute 'clear_tool_id'"));
  }
  Harness h(PyVersion::V3_14);
  EXPECT_EQ(h.api(ClearToolId{pyInt(0)}), Outcome(PyNone{}));
}

TEST(ToolIds, FreeToolIdOnlyForgetsTheNameBefore314) {
  for (PyVersion v : {PyVersion::V3_12, PyVersion::V3_13}) {
    Harness h(v);
    h.use(2);
    h.setEvents(2, h.ev(Event::PyStart));
    h.reg(2, h.ev(Event::PyStart), 11);
    h.setLocal(2, 0, h.ev(Event::Line));
    h.api(FreeToolId{pyInt(2)});
    EXPECT_EQ(h.api(GetTool{pyInt(2)}), Outcome(PyNone{}));
    h.enter(0);
    EXPECT_EQ(h.count(Event::PyStart, 0, 0), 1u);  // still fires
    EXPECT_EQ(errorOf(h.setEvents(2, 0)), err("ValueError", "tool 2 is not in use"));
    h.use(2);
    EXPECT_EQ(intOf(h.api(GetEvents{pyInt(2)})), h.ev(Event::PyStart));
    EXPECT_EQ(intOf(h.getLocal(2, 0)), h.ev(Event::Line));
    EXPECT_EQ(h.reg(2, h.ev(Event::PyStart), std::nullopt), Outcome(CallableId{11}));
  }
}

TEST(ToolIds, FreeToolIdClearsFrom314) {
  for (PyVersion v : {PyVersion::V3_14, PyVersion::V3_15}) {
    Harness h(v);
    h.use(2);
    h.setEvents(2, h.ev(Event::PyStart));
    h.reg(2, h.ev(Event::PyStart), 11);
    h.api(FreeToolId{pyInt(2)});
    h.use(2);
    EXPECT_EQ(intOf(h.api(GetEvents{pyInt(2)})), 0);
    EXPECT_EQ(h.reg(2, h.ev(Event::PyStart), std::nullopt), Outcome(PyNone{}));
    h.enter(0);
    EXPECT_EQ(h.count(Event::PyStart, 0, 0), 0u);
  }
}

TEST(ToolIds, ClearToolIdKeepsTheNameAndStopsLocalEvents) {
  Harness h(PyVersion::V3_14);
  h.use(2, "t");
  h.setLocal(2, 0, h.ev(Event::Line));
  h.reg(2, h.ev(Event::Line), 5);
  h.enter(0);
  EXPECT_EQ(h.count(Event::Line, 0, 2), 1u);
  h.api(ClearToolId{pyInt(2)});
  EXPECT_EQ(h.api(GetTool{pyInt(2)}), Outcome(StrValue{"t"}));
  EXPECT_EQ(errorOf(h.use(2)), err("ValueError", "tool 2 is already in use"));
  h.reg(2, h.ev(Event::Line), 5);
  EXPECT_EQ(h.count(Event::Line, 0, 2), 0u);  // the running code lost the tool at once
}

// FINDINGS F7: get_local_events reports the stale set until c is re-instrumented.
TEST(ToolIds, StaleLocalEventsUntilReinstrumented) {
  Harness h(PyVersion::V3_14);
  h.use(2);
  h.use(3);
  h.setLocal(2, 0, h.ev(Event::Line));
  h.api(ClearToolId{pyInt(2)});
  EXPECT_EQ(intOf(h.getLocal(2, 0)), h.ev(Event::Line));
  h.setLocal(3, 1, h.ev(Event::Line));  // another code: still stale
  EXPECT_EQ(intOf(h.getLocal(2, 0)), h.ev(Event::Line));
  h.setLocal(3, 0, h.ev(Event::Line));  // same code: re-instrumented, dropped
  EXPECT_EQ(intOf(h.getLocal(2, 0)), 0);
}

TEST(ToolIds, ReSettingAStaleLocalSetRevivesIt) {
  Harness h(PyVersion::V3_15);
  h.use(2);
  h.setLocal(2, 0, h.ev(Event::Line));
  h.api(ClearToolId{pyInt(2)});
  h.reg(2, h.ev(Event::Line), 5);
  h.setLocal(2, 0, h.ev(Event::Line));
  h.enter(0);
  EXPECT_EQ(intOf(h.getLocal(2, 0)), h.ev(Event::Line));
  EXPECT_EQ(h.count(Event::Line, 0, 2), 1u);
}

TEST(ToolIds, EnteringTheCodeDropsAStaleSet) {
  Harness h(PyVersion::V3_14);
  h.use(2);
  h.setLocal(2, 0, h.ev(Event::Line));
  h.api(FreeToolId{pyInt(2)});
  h.use(2);
  h.reg(2, h.ev(Event::Line), 5);
  h.enter(0);
  EXPECT_EQ(intOf(h.getLocal(2, 0)), 0);
  EXPECT_EQ(h.count(Event::Line, 0, 2), 0u);
}

}  // namespace
}  // namespace monsim::testing
