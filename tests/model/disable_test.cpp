// DISABLE per (tool, event, site) and its lifetime (behaviour §10.1–§10.2, §10.4–§10.6,
// §10.8, §11.1, §11.5; FINDINGS F1–F4): which operations bring a DISABLEd site back, on
// every version.
#include <gtest/gtest.h>

#include "tests/model/model_test_util.h"

namespace monsim::testing {
namespace {

constexpr uint32_t kF = 0;       // the code object under test
constexpr uint32_t kCaller = 1;  // a function that calls f ("inside" operations)

class Disable : public ::testing::TestWithParam<PyVersion> {
 protected:
  // Tool 2 has PY_START (global, local or both) and always returns DISABLE.
  void install(Harness& h, bool global, bool local, Event e = Event::PyStart) {
    h.use(2);
    if (global) h.setEvents(2, h.ev(e));
    if (local) h.setLocal(2, kF, h.ev(e));
    h.reg(2, h.ev(e), 1);
    h.policy.decide = [](const Delivery&) { return ScriptedPolicy::Reply{true, "", {}}; };
  }
  // One call of f: enter, fire e at offset 0, exit. Returns deliveries.
  size_t run(Harness& h, Event e = Event::PyStart, int32_t offset = 0) {
    h.enter(kF);
    const size_t n = h.count(e, kF, offset);
    h.exit(kF);
    return n;
  }
  // Disables the site: first run delivers, second does not.
  void disableSite(Harness& h, Event e = Event::PyStart) {
    ASSERT_EQ(run(h, e), 1u);
    ASSERT_EQ(run(h, e), 0u);
  }
};
INSTANTIATE_TEST_SUITE_P(AllVersions, Disable, ::testing::ValuesIn(kAllVersions));

TEST_P(Disable, PerToolPerSite) {
  Harness h(GetParam());
  install(h, true, false, Event::Line);
  h.use(3);
  h.setEvents(3, h.ev(Event::Line));
  h.reg(3, h.ev(Event::Line), 3);
  h.policy.decide = [](const Delivery& d) {
    return ScriptedPolicy::Reply{d.tool.value == 2, "", {}};
  };
  h.enter(kF);
  h.fire(Event::Line, kF, 4, 10);
  h.sink.log.clear();
  h.fire(Event::Line, kF, 4, 10);  // same line-start instruction: only tool 3
  h.fire(Event::Line, kF, 8, 10);  // another line-start instruction of the same line
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{3, 3, 2}));
  EXPECT_EQ(intOf(h.api(GetEvents{pyInt(2)})), h.ev(Event::Line));  // sets unchanged
}

TEST_P(Disable, GlobalOffOnOutsideDoesNotReEnable) {
  Harness h(GetParam());
  install(h, true, false);
  disableSite(h);
  h.setEvents(2, 0);
  h.setEvents(2, h.ev(Event::PyStart));
  EXPECT_EQ(run(h), 0u);
}

TEST_P(Disable, GlobalOffOnInsideReEnables) {
  Harness h(GetParam());
  install(h, true, false);
  disableSite(h);
  h.enter(kCaller);
  h.enter(kF);
  h.setEvents(2, 0);
  h.setEvents(2, h.ev(Event::PyStart));
  h.exit(kF);
  h.exit(kCaller);
  EXPECT_EQ(run(h), 1u);
}

TEST_P(Disable, GlobalOffRunOnReEnables) {
  Harness h(GetParam());
  install(h, true, false);
  disableSite(h);
  h.setEvents(2, 0);
  EXPECT_EQ(run(h), 0u);
  h.setEvents(2, h.ev(Event::PyStart));
  EXPECT_EQ(run(h), 1u);
}

TEST_P(Disable, AddingOtherEventsDoesNotReEnable) {
  Harness h(GetParam());
  install(h, true, false);
  disableSite(h);
  h.setEvents(2, h.ev(Event::PyStart) | h.ev(Event::PyReturn));
  EXPECT_EQ(run(h), 0u);
}

TEST_P(Disable, LocalOffOnReEnables) {
  Harness h(GetParam());
  install(h, false, true);
  disableSite(h);
  h.setLocal(2, kF, 0);
  h.setLocal(2, kF, h.ev(Event::PyStart));
  EXPECT_EQ(run(h), 1u);
}

TEST_P(Disable, LocalOffOnWithGlobalDoesNotReEnable) {
  Harness h(GetParam());
  install(h, true, true);
  disableSite(h);
  h.setLocal(2, kF, 0);
  h.setLocal(2, kF, h.ev(Event::PyStart));
  EXPECT_EQ(run(h), 0u);
  h.setEvents(2, 0);  // the local set still holds it: stays disabled
  EXPECT_EQ(run(h), 0u);
}

TEST_P(Disable, LocalOnOtherCodeDoesNotReEnable) {
  Harness h(GetParam());
  install(h, false, true);
  disableSite(h);
  h.setLocal(2, 7, h.ev(Event::PyStart));
  EXPECT_EQ(run(h), 0u);
}

TEST_P(Disable, RegisterCallbackOffOnDoesNotReEnable) {
  Harness h(GetParam());
  install(h, true, false);
  disableSite(h);
  h.reg(2, h.ev(Event::PyStart), std::nullopt);
  h.reg(2, h.ev(Event::PyStart), 1);
  EXPECT_EQ(run(h), 0u);
}

TEST_P(Disable, OtherToolDoesNotReEnable) {
  Harness h(GetParam());
  install(h, true, false);
  disableSite(h);
  h.use(3);
  h.setEvents(3, h.ev(Event::PyStart));
  h.policy.decide = [](const Delivery& d) {
    return ScriptedPolicy::Reply{d.tool.value == 2, "", {}};
  };
  h.reg(3, h.ev(Event::PyStart), 3);
  h.enter(kF);
  h.fire(Event::PyStart, kF, 0);
  EXPECT_EQ(h.sink.log.back().tool, 3);
  EXPECT_EQ(h.sink.log.size(), 2u);  // first run's delivery + tool 3
}

TEST_P(Disable, RestartEventsReEnablesEverything) {
  Harness h(GetParam());
  install(h, true, true);
  disableSite(h);
  h.api(RestartEvents{});
  EXPECT_EQ(run(h), 1u);
}

TEST_P(Disable, RestartEventsReEnablesRunningCodeAtOnce) {
  Harness h(GetParam());
  install(h, true, false, Event::Line);
  h.enter(kF);
  EXPECT_EQ(h.count(Event::Line, kF, 2), 1u);
  EXPECT_EQ(h.count(Event::Line, kF, 2), 0u);
  h.api(RestartEvents{});
  EXPECT_EQ(h.count(Event::Line, kF, 2), 1u);
}

TEST_P(Disable, CallSiteDisableIsPerSite) {
  Harness h(GetParam());
  install(h, true, false, Event::Call);
  h.enter(kF);
  EXPECT_EQ(h.count(Event::Call, kF, 10), 1u);
  EXPECT_EQ(h.count(Event::Call, kF, 10), 0u);
  EXPECT_EQ(h.count(Event::Call, kF, 20), 1u);
}

TEST_P(Disable, StopIterationIsPerSite) {
  Harness h(GetParam());
  install(h, true, false, Event::StopIteration);
  h.enter(kF);
  EXPECT_EQ(h.count(Event::StopIteration, kF, 10), 1u);
  EXPECT_EQ(h.count(Event::StopIteration, kF, 10), 0u);
  EXPECT_EQ(h.count(Event::StopIteration, kF, 30), 1u);
}

// FINDINGS F3: the first single→multi-tool transition resets every line site's
// tool set; the disabled lines come back once a tool is added to LINE.
TEST_P(Disable, LineQuirkRevivesOnFirstMultiTool) {
  Harness h(GetParam());
  install(h, true, false, Event::Line);
  h.setEvents(2, h.ev(Event::Line) | h.ev(Event::PyReturn));
  h.enter(kF);
  EXPECT_EQ(h.count(Event::Line, kF, 2), 1u);
  EXPECT_EQ(h.count(Event::Line, kF, 2), 0u);
  h.exit(kF);
  h.use(3);
  h.setEvents(3, h.ev(Event::PyReturn));  // multi via another event: lines still off
  h.enter(kF);
  EXPECT_EQ(h.count(Event::Line, kF, 2), 0u);
  h.exit(kF);
  h.use(4);
  h.setEvents(4, h.ev(Event::Line));  // a tool added to LINE: tool 2's lines are back
  h.reg(4, h.ev(Event::Line), 4);
  h.policy.decide = [](const Delivery&) { return ScriptedPolicy::Reply{}; };
  h.enter(kF);
  h.sink.log.clear();
  h.fire(Event::Line, kF, 2);
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{4, 2}));
}

TEST_P(Disable, LineQuirkDoesNotApplyWhenAlreadyMultiTool) {
  Harness h(GetParam());
  h.use(2);
  h.use(3);
  h.setEvents(2, h.ev(Event::Line));
  h.setEvents(3, h.ev(Event::Line));
  h.reg(2, h.ev(Event::Line), 2);
  h.reg(3, h.ev(Event::Line), 3);
  h.enter(kF);
  h.exit(kF);
  h.setEvents(3, 0);
  h.policy.decide = [](const Delivery& d) {
    return ScriptedPolicy::Reply{d.tool.value == 2, "", {}};
  };
  h.enter(kF);
  h.fire(Event::Line, kF, 2);
  h.exit(kF);
  h.setEvents(3, h.ev(Event::Line));
  h.enter(kF);
  h.sink.log.clear();
  h.fire(Event::Line, kF, 2);
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{3}));
}

// FINDINGS F4: the first single→multi transition drops existing INSTRUCTION tools.
TEST_P(Disable, InstructionQuirkDropsExistingTools) {
  Harness h(GetParam());
  h.use(2);
  h.setEvents(2, h.ev(Event::Instruction) | h.ev(Event::PyReturn));
  h.reg(2, h.ev(Event::Instruction), 2);
  h.enter(kF);
  EXPECT_EQ(h.count(Event::Instruction, kF, 4), 1u);
  h.exit(kF);
  h.use(3);
  h.setEvents(3, h.ev(Event::PyReturn));
  h.enter(kF);
  EXPECT_EQ(h.count(Event::Instruction, kF, 4), 0u);
  h.exit(kF);
  h.use(4);
  h.setEvents(4, h.ev(Event::Instruction));
  h.reg(4, h.ev(Event::Instruction), 4);
  h.enter(kF);
  h.sink.log.clear();
  h.fire(Event::Instruction, kF, 4);
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{4}));
  h.api(RestartEvents{});
  h.sink.log.clear();
  h.fire(Event::Instruction, kF, 4);
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{4, 2}));
}

TEST(Disable, BranchIsOneSiteBefore314) {
  for (PyVersion v : {PyVersion::V3_12, PyVersion::V3_13}) {
    Harness h(v);
    h.use(2);
    h.setEvents(2, h.ev(Event::Branch));
    h.reg(2, h.ev(Event::Branch), 2);
    h.policy.decide = [](const Delivery& d) {
      return ScriptedPolicy::Reply{d.aux == 20, "", {}};
    };
    h.enter(kF);
    h.fire(Event::Branch, kF, 10, 20);              // taken → DISABLE
    EXPECT_EQ(h.count(Event::Branch, kF, 10), 0u);  // not-taken silenced too
    EXPECT_TRUE(std::holds_alternative<InvalidInput>(h.fire(Event::BranchLeft, kF, 10)));
  }
}

TEST(Disable, BranchLeftAndRightSeparateFrom314) {
  for (PyVersion v : {PyVersion::V3_14, PyVersion::V3_15}) {
    Harness h(v);
    h.use(2);
    h.setEvents(2, 1 << 18);
    h.reg(2, h.ev(Event::BranchLeft), 2);
    h.reg(2, h.ev(Event::BranchRight), 3);
    h.policy.decide = [](const Delivery& d) {
      return ScriptedPolicy::Reply{d.event == Event::BranchRight, "", {}};
    };
    h.enter(kF);
    h.fire(Event::BranchRight, kF, 10, 40);
    EXPECT_EQ(h.count(Event::BranchRight, kF, 10), 0u);
    EXPECT_EQ(h.count(Event::BranchLeft, kF, 10), 1u);
    EXPECT_TRUE(std::holds_alternative<InvalidInput>(h.fire(Event::Branch, kF, 10)));
  }
}

TEST(Disable, FreeAndUseAgainRevivesOnlyFrom314Inside) {
  for (PyVersion v : kAllVersions) {
    Harness h(v);
    h.use(2);
    h.setEvents(2, h.ev(Event::PyStart));
    h.reg(2, h.ev(Event::PyStart), 1);
    h.policy.decide = [](const Delivery&) { return ScriptedPolicy::Reply{true, "", {}}; };
    for (int i = 0; i < 2; ++i) {
      h.enter(kF);
      h.fire(Event::PyStart, kF, 0);
      h.exit(kF);
    }
    h.enter(kCaller);
    h.enter(kF);
    h.api(FreeToolId{pyInt(2)});
    h.use(2);
    h.setEvents(2, h.ev(Event::PyStart));
    h.reg(2, h.ev(Event::PyStart), 1);
    h.exit(kF);
    h.exit(kCaller);
    h.sink.log.clear();
    h.enter(kF);
    h.fire(Event::PyStart, kF, 0);
    const bool clears = v == PyVersion::V3_14 || v == PyVersion::V3_15;
    EXPECT_EQ(h.sink.log.size(), clears ? 1u : 0u) << versionName(v);
  }
}

}  // namespace
}  // namespace monsim::testing

namespace monsim::testing {
namespace {

// FINDINGS F6: the 3.14+ legacy BRANCH wrapper swallows a direction whose `src`
// instruction is no longer instrumented (POP_JUMP reports RIGHT, FOR_ITER LEFT).
class LegacyBranch : public ::testing::TestWithParam<PyVersion> {
 protected:
  static constexpr int32_t kSrc = 10;
  void install(Harness& h, int64_t events) {
    h.use(2);
    h.setEvents(2, events);
    h.reg(2, 1 << 18, 9);
    h.enter(0);
  }
  size_t fire(Harness& h, Event e, BranchSource src) {
    const size_t before = h.sink.log.size();
    h.m.step(Occurrence{e, CodeId{0}, kSrc, 0, {}, src}, h.policy, h.sink);
    return h.sink.log.size() - before;
  }
};
INSTANTIATE_TEST_SUITE_P(From314, LegacyBranch,
                         ::testing::Values(PyVersion::V3_14, PyVersion::V3_15));

TEST_P(LegacyBranch, DisablingTakenSilencesNotTakenOfAnIf) {
  Harness h(GetParam());
  install(h, 1 << 18);
  h.policy.decide = [](const Delivery& d) {
    return ScriptedPolicy::Reply{d.event == Event::BranchRight, "", {}};
  };
  const auto popJump = BranchSource::ReportsRight;
  EXPECT_EQ(fire(h, Event::BranchLeft, popJump), 1u);   // i=0
  EXPECT_EQ(fire(h, Event::BranchRight, popJump), 1u);  // i=1: DISABLE
  EXPECT_TRUE(h.sink.log.back().result == CallbackResult::ReturnedDisable);
  EXPECT_EQ(fire(h, Event::BranchLeft, popJump), 0u);  // i=2: swallowed
  EXPECT_EQ(fire(h, Event::BranchRight, popJump), 0u);
  EXPECT_EQ(fire(h, Event::BranchLeft, popJump), 0u);
}

TEST_P(LegacyBranch, DisablingNotTakenKeepsTaken) {
  Harness h(GetParam());
  install(h, 1 << 18);
  h.policy.decide = [](const Delivery& d) {
    return ScriptedPolicy::Reply{d.event == Event::BranchLeft, "", {}};
  };
  const auto popJump = BranchSource::ReportsRight;
  EXPECT_EQ(fire(h, Event::BranchLeft, popJump), 1u);
  EXPECT_EQ(fire(h, Event::BranchRight, popJump), 1u);
  EXPECT_EQ(fire(h, Event::BranchLeft, popJump), 0u);
  EXPECT_EQ(fire(h, Event::BranchRight, popJump), 1u);
}

TEST_P(LegacyBranch, OnlyLeftEnabledNeverDeliversIfLeftButDeliversForLeft) {
  Harness h(GetParam());
  install(h, h.ev(Event::BranchLeft));
  EXPECT_EQ(fire(h, Event::BranchLeft, BranchSource::ReportsRight), 0u);
  EXPECT_EQ(fire(h, Event::BranchLeft, BranchSource::ReportsRight), 0u);
  Harness g(GetParam());
  install(g, g.ev(Event::BranchLeft));
  EXPECT_EQ(fire(g, Event::BranchLeft, BranchSource::ReportsLeft), 1u);
}

TEST_P(LegacyBranch, AnotherToolKeepingTheSourceInstrumentedKeepsItCalled) {
  Harness h(GetParam());
  install(h, 1 << 18);
  h.use(3);
  h.setEvents(3, h.ev(Event::BranchRight));  // helper keeps the POP_JUMP instrumented
  h.policy.decide = [](const Delivery& d) {
    return ScriptedPolicy::Reply{d.event == Event::BranchRight, "", {}};
  };
  const auto popJump = BranchSource::ReportsRight;
  fire(h, Event::BranchRight, popJump);
  EXPECT_EQ(fire(h, Event::BranchLeft, popJump), 1u);
  EXPECT_EQ(fire(h, Event::BranchLeft, popJump), 1u);
}

}  // namespace
}  // namespace monsim::testing
