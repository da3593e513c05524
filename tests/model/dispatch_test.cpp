// Dispatch (behaviour §9.1, §9, §9.5, §9.6, §3.3): order, snapshot, fire-once,
// raising callbacks, re-entrancy, C_RETURN/C_RAISE fan-out.
#include <gtest/gtest.h>

#include "model/equivalence.h"
#include "tests/model/model_test_util.h"

namespace monsim::testing {
namespace {

class Dispatch : public ::testing::TestWithParam<PyVersion> {
 protected:
  // Tools 0, 2, 4 use PY_START globally, callbacks 100+t; frame of code 0 entered.
  void threeTools(Harness& h) {
    for (int t : {0, 2, 4}) {
      h.use(t);
      h.setEvents(t, h.ev(Event::PyStart));
      h.reg(t, h.ev(Event::PyStart), 100 + t);
    }
    h.enter(0);
  }
};
INSTANTIATE_TEST_SUITE_P(AllVersions, Dispatch, ::testing::ValuesIn(kAllVersions));

TEST_P(Dispatch, HighestToolIdFirst) {
  Harness h(GetParam());
  threeTools(h);
  EXPECT_EQ(h.fire(Event::PyStart, 0, 0), Outcome(Dispatched{3, std::nullopt, false}));
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{4, 2, 0}));
}

TEST_P(Dispatch, FireOnceForGlobalAndLocal) {
  Harness h(GetParam());
  h.use(1);
  h.setEvents(1, h.ev(Event::Line));
  h.setLocal(1, 0, h.ev(Event::Line));
  h.reg(1, h.ev(Event::Line), 1);
  h.enter(0);
  EXPECT_EQ(h.count(Event::Line, 0, 2), 1u);
}

TEST_P(Dispatch, LocalEventsBelongToOneCode) {
  Harness h(GetParam());
  h.use(1);
  h.setLocal(1, 0, h.ev(Event::Line));
  h.reg(1, h.ev(Event::Line), 1);
  h.enter(0);
  h.enter(1);
  EXPECT_EQ(h.count(Event::Line, 1, 2), 0u);
  EXPECT_EQ(h.count(Event::Line, 0, 2), 1u);
}

TEST_P(Dispatch, UnregisteringALowerToolFromAHigherCallbackPreventsItsCall) {
  Harness h(GetParam());
  threeTools(h);
  h.policy.decide = [&](const Delivery& d) {
    ScriptedPolicy::Reply r;
    if (d.tool.value == 4)
      r.calls.push_back(
          RegisterCallback{pyInt(2), pyInt(h.ev(Event::PyStart)), std::nullopt});
    return r;
  };
  h.fire(Event::PyStart, 0, 0);
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{4, 0}));
  EXPECT_EQ(h.sink.log[0].effects.front(), Outcome(CallableId{102}));
}

TEST_P(Dispatch, SwappingACallableCallsTheNewOne) {
  Harness h(GetParam());
  threeTools(h);
  h.policy.decide = [&](const Delivery& d) {
    ScriptedPolicy::Reply r;
    if (d.tool.value == 4)
      r.calls.push_back(
          RegisterCallback{pyInt(2), pyInt(h.ev(Event::PyStart)), CallableId{7}});
    return r;
  };
  h.fire(Event::PyStart, 0, 0);
  ASSERT_EQ(h.sink.log.size(), 3u);
  EXPECT_EQ(h.sink.log[1].callable, 7u);
}

TEST_P(Dispatch, ToolSetFixedAtDispatchStart) {
  Harness h(GetParam());
  threeTools(h);
  h.use(1);
  h.reg(1, h.ev(Event::PyStart), 101);
  h.policy.decide = [&](const Delivery& d) {
    ScriptedPolicy::Reply r;
    if (d.tool.value == 4) {
      r.calls.push_back(SetEvents{pyInt(2), pyInt(0)});  // still called
      r.calls.push_back(SetEvents{pyInt(1), pyInt(h.ev(Event::PyStart))});  // not called
    }
    return r;
  };
  h.fire(Event::PyStart, 0, 0);
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{4, 2, 0}));
  h.policy.decide = [](const Delivery&) { return ScriptedPolicy::Reply{}; };
  h.sink.log.clear();
  h.fire(Event::PyStart, 0, 0);
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{4, 1, 0}));
}

TEST_P(Dispatch, RaisingCallbackStopsLowerTools) {
  Harness h(GetParam());
  threeTools(h);
  h.policy.decide = [](const Delivery& d) {
    ScriptedPolicy::Reply r;
    if (d.tool.value == 2) r.raiseType = "KeyError";
    return r;
  };
  const auto out = std::get<Dispatched>(h.fire(Event::PyStart, 0, 0));
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{4, 2}));
  EXPECT_EQ(out.raised->type, "KeyError");
  EXPECT_EQ(h.sink.log[1].result, CallbackResult::Raised);
}

TEST_P(Dispatch, NoEventsWhileACallbackRuns) {
  Harness h(GetParam());
  threeTools(h);
  std::vector<Outcome> nested;
  h.policy.decide = [&](const Delivery&) {
    nested.push_back(h.fire(Event::PyStart, 0, 0));
    return ScriptedPolicy::Reply{};
  };
  h.fire(Event::PyStart, 0, 0);
  EXPECT_EQ(h.sink.log.size(), 3u);
  ASSERT_EQ(nested.size(), 3u);
  EXPECT_TRUE(std::get<Dispatched>(nested[0]).suppressed);
}

TEST_P(Dispatch, OccurrenceNeedsAFrameOnTheStack) {
  Harness h(GetParam());
  threeTools(h);
  EXPECT_TRUE(std::holds_alternative<InvalidInput>(h.fire(Event::PyStart, 3, 0)));
  EXPECT_TRUE(std::holds_alternative<InvalidInput>(h.exit(3)));
}

TEST_P(Dispatch, CReturnOnlyToToolsWithCallAtTheSite) {
  Harness h(GetParam());
  h.use(2);
  h.use(3);
  h.setEvents(2, h.ev(Event::Call));
  h.setLocal(3, 0, h.ev(Event::Call));
  h.reg(2, h.ev(Event::CReturn), 20);
  h.reg(3, h.ev(Event::CReturn), 30);
  h.use(4);
  h.reg(4, h.ev(Event::CReturn), 40);  // no CALL: never gets C_RETURN
  h.enter(0);
  h.fire(Event::CReturn, 0, 8);
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{3, 2}));
  h.enter(1);
  h.sink.log.clear();
  h.fire(Event::CReturn, 1, 8);
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{2}));
}

// Behaviour §10.8 and §14.3 R2: a DISABLE of CALL de-instruments the call site for later
// calls; the call in flight still reports C_RETURN in single-tool code, to the code's
// CALL tools, and not in multi-tool code, where the site's own tool set decides.
TEST_P(Dispatch, CallDisableStopsCReturnAtThatSiteFromTheNextCallOn) {
  Harness h(GetParam());
  h.use(2);
  h.setEvents(2, h.ev(Event::Call));
  h.reg(2, h.ev(Event::Call), 1);
  h.reg(2, h.ev(Event::CReturn), 2);
  h.policy.decide = [](const Delivery& d) {
    ScriptedPolicy::Reply r;
    r.disable = d.event == Event::Call;
    return r;
  };
  h.enter(0);
  EXPECT_EQ(h.count(Event::Call, 0, 8), 1u);     // returns DISABLE
  EXPECT_EQ(h.count(Event::CReturn, 0, 8), 1u);  // the call whose CALL was disabled
  EXPECT_EQ(h.count(Event::Call, 0, 8), 0u);     // the next call: not instrumented
  EXPECT_EQ(h.count(Event::CReturn, 0, 8), 0u);
  EXPECT_EQ(h.count(Event::Call, 0, 20), 1u);  // another site
  EXPECT_EQ(h.count(Event::CReturn, 0, 20), 1u);
}

TEST_P(Dispatch, CallDisableInMultiToolCodeEndsTheCallsOwnCReturn) {
  Harness h(GetParam());
  h.use(2);
  h.use(3);
  h.setEvents(2, h.ev(Event::Call));
  h.setEvents(3, h.ev(Event::Call));
  h.reg(2, h.ev(Event::Call), 1);
  h.reg(2, h.ev(Event::CReturn), 2);
  h.reg(3, h.ev(Event::CReturn), 3);
  h.policy.decide = [](const Delivery& d) {
    ScriptedPolicy::Reply r;
    r.disable = d.event == Event::Call && d.tool.value == 2;
    return r;
  };
  h.enter(0);
  h.fire(Event::Call, 0, 8);
  h.fire(Event::CReturn, 0, 8);
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{2, 3}));  // CALL to 2; C_RETURN to 3 only
}

// §14.3 R2: a CALL turned on while the call runs does not add its C_RETURN.
TEST_P(Dispatch, NoCReturnAfterACallThatStartedUninstrumented) {
  Harness h(GetParam());
  h.use(2);
  h.reg(2, h.ev(Event::CReturn), 2);
  h.enter(0);
  h.fire(Event::Call, 0, 8);  // no tool has CALL yet
  h.setEvents(2, h.ev(Event::Call));
  EXPECT_EQ(h.count(Event::CReturn, 0, 8), 0u);
  h.fire(Event::Call, 0, 8);
  EXPECT_EQ(h.count(Event::CReturn, 0, 8), 1u);
}

TEST_P(Dispatch, DisableFromCReturnRaisesAndRemovesCallback) {
  Harness h(GetParam());
  h.use(2);
  h.use(1);
  for (int t : {1, 2}) {
    h.setEvents(t, h.ev(Event::Call));
    h.reg(t, h.ev(Event::CReturn), t);
  }
  h.policy.decide = [](const Delivery& d) {
    ScriptedPolicy::Reply r;
    r.disable = d.tool.value == 2;
    return r;
  };
  h.enter(0);
  const auto out = std::get<Dispatched>(h.fire(Event::CReturn, 0, 8));
  EXPECT_EQ(out.raised,
            err("ValueError", "Cannot disable C_RETURN events. Callback removed."));
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{2}));  // dispatch stopped
  EXPECT_EQ(h.sink.log[0].result, CallbackResult::DisableRejected);
  EXPECT_EQ(h.reg(2, h.ev(Event::CReturn), std::nullopt), Outcome(PyNone{}));
  const auto out2 = std::get<Dispatched>(h.fire(Event::CRaise, 0, 8));
  EXPECT_EQ(out2.deliveries, 0u);  // no C_RAISE callbacks
}

TEST_P(Dispatch, DisableFromCRaiseNamesIt) {
  Harness h(GetParam());
  h.use(2);
  h.setEvents(2, h.ev(Event::Call));
  h.reg(2, h.ev(Event::CRaise), 1);
  h.policy.decide = [](const Delivery&) { return ScriptedPolicy::Reply{true, "", {}}; };
  h.enter(0);
  EXPECT_EQ(std::get<Dispatched>(h.fire(Event::CRaise, 0, 8)).raised,
            err("ValueError", "Cannot disable C_RAISE events. Callback removed."));
}

TEST(Dispatch, DisableFromExceptionEventRaisesBefore315) {
  for (PyVersion v : {PyVersion::V3_12, PyVersion::V3_13, PyVersion::V3_14}) {
    for (auto [e, name] :
         {std::pair{Event::Raise, "RAISE"}, std::pair{Event::PyUnwind, "PY_UNWIND"},
          std::pair{Event::ExceptionHandled, "EXCEPTION_HANDLED"},
          std::pair{Event::Reraise, "RERAISE"}, std::pair{Event::PyThrow, "PY_THROW"}}) {
      Harness h(v);
      h.use(2);
      h.use(3);
      h.setEvents(2, h.ev(e));
      h.setEvents(3, h.ev(e));
      h.reg(2, h.ev(e), 2);
      h.reg(3, h.ev(e), 3);
      h.policy.decide = [](const Delivery& d) {
        return ScriptedPolicy::Reply{d.tool.value == 3, "", {}};
      };
      h.enter(0);
      EXPECT_EQ(std::get<Dispatched>(h.fire(e, 0, 4, 0, "KeyError")).raised,
                err("ValueError", std::string("Cannot disable ") + name +
                                      " events. Callback removed."));
      h.sink.log.clear();
      h.fire(e, 0, 4, 0, "KeyError");
      EXPECT_EQ(h.sink.tools(),
                (std::vector<int>{2}));  // only the disabling tool lost it
    }
  }
}

// FINDINGS F5.4, F8: 3.15 global exception-event DISABLE is a silent no-op.
TEST(Dispatch, ExceptionEventDisableGlobalIsSilentIn315) {
  Harness h(PyVersion::V3_15);
  h.use(2);
  h.setEvents(2, h.ev(Event::Raise));
  h.reg(2, h.ev(Event::Raise), 2);
  h.policy.decide = [](const Delivery&) { return ScriptedPolicy::Reply{true, "", {}}; };
  h.enter(0);
  EXPECT_EQ(h.fire(Event::Raise, 0, 4), Outcome(Dispatched{1, std::nullopt, false}));
  EXPECT_EQ(h.count(Event::Raise, 0, 4), 1u);
}

// FINDINGS F5.2–F5.5: a local exception event's DISABLE clears the local bit.
TEST(Dispatch, ExceptionEventDisableClearsLocalBitIn315) {
  Harness h(PyVersion::V3_15);
  h.use(2);
  h.use(3);
  const int64_t raise = h.ev(Event::Raise), line = h.ev(Event::Line);
  h.setLocal(2, 0, raise | line);
  h.setLocal(2, 1, raise);
  h.setLocal(3, 0, raise);
  h.reg(2, raise, 2);
  h.reg(3, raise, 3);
  h.policy.decide = [](const Delivery& d) {
    return ScriptedPolicy::Reply{d.tool.value == 2, "", {}};
  };
  h.enter(0);
  h.fire(Event::Raise, 0, 26);
  h.sink.log.clear();
  h.fire(Event::Raise, 0, 84);  // other site, same code: gone too
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{3}));
  EXPECT_EQ(intOf(h.getLocal(2, 0)), line);
  EXPECT_EQ(intOf(h.getLocal(2, 1)), raise);
  h.api(RestartEvents{});
  EXPECT_EQ(intOf(h.getLocal(2, 0)), line);  // not restored by restart_events
  EXPECT_EQ(h.reg(2, raise, std::nullopt), Outcome(CallableId{2}));  // callback kept
}

TEST(Dispatch, ExceptionEventsAreGlobalOnlyBefore315) {
  Harness h(PyVersion::V3_14);
  h.use(2);
  h.setEvents(2, h.ev(Event::Raise));
  h.reg(2, h.ev(Event::Raise), 2);
  h.enter(0);
  h.enter(1);
  EXPECT_EQ(h.count(Event::Raise, 1, 4), 1u);
  EXPECT_EQ(h.count(Event::Raise, 0, 4), 1u);
}

// R4, 3.13: a specialised generator loop's exhaustion reports STOP_ITERATION at the
// END_FOR, then runs (and reports) the INSTRUCTION of the POP_TOP after it. When that
// INSTRUCTION's callback raises, the outcome counts the STOP_ITERATION's delivery too
// (a model bug the naive reference found: it counted only the INSTRUCTION's).
TEST(Dispatch, GeneratorExhaustionCountsItsStopIterationWhenTheNextInstructionRaises) {
  Harness h(PyVersion::V3_13);
  h.use(2);
  h.setEvents(2, h.ev(Event::StopIteration));
  h.reg(2, h.ev(Event::StopIteration), 1);
  h.reg(2, h.ev(Event::Instruction), 2);
  h.policy.decide = [&](const Delivery& d) {
    ScriptedPolicy::Reply r;
    if (d.event ==
        Event::StopIteration)  // turns INSTRUCTION on, for the running frame too
      r.calls.push_back(SetEvents{
          pyInt(2), pyInt(h.ev(Event::StopIteration) | h.ev(Event::Instruction))});
    if (d.event == Event::Instruction) r.raiseType = "ValueError";
    return r;
  };
  h.enter(0);
  auto loop = [&](ForIterEnd end) {
    Occurrence o{Event::Branch, CodeId{0}, 2, 10, {}};
    o.forIter = {end, 2, 6, false, true, false};
    return h.m.step(Input{o}, h.policy, h.sink);
  };
  for (int i = 0; i < 3; ++i) loop(ForIterEnd::Next);  // warmed up: FOR_ITER_GEN
  const Outcome out = loop(ForIterEnd::Exhausted);
  const auto* d = std::get_if<Dispatched>(&out);
  ASSERT_NE(d, nullptr);
  ASSERT_TRUE(d->raised.has_value());
  EXPECT_EQ(d->raised->type, "ValueError");
  EXPECT_EQ(d->deliveries, 2u);
  ASSERT_EQ(h.sink.log.size(), 2u);
  EXPECT_EQ(h.sink.log[0].event, Event::StopIteration);
  EXPECT_EQ(h.sink.log[0].offset, 6);
  EXPECT_EQ(h.sink.log[1].event, Event::Instruction);
  EXPECT_EQ(h.sink.log[1].offset, 8);
}

TEST(Dispatch, StopIterationEquivalentToRaiseOfStopIteration) {
  EXPECT_TRUE(equivalentEvents(Event::StopIteration, "", Event::Raise, "StopIteration"));
  EXPECT_TRUE(equivalentEvents(Event::Raise, "StopIteration", Event::StopIteration,
                               "StopIteration"));
  EXPECT_FALSE(equivalentEvents(Event::StopIteration, "", Event::Raise, "KeyError"));
  EXPECT_FALSE(
      equivalentEvents(Event::StopIteration, "", Event::Reraise, "StopIteration"));
}

}  // namespace
}  // namespace monsim::testing

namespace monsim::testing {
namespace {

// Reference §7.3 / §9.7.1: changes made from a callback apply at once to the
// running frame (it is on the stack, so it is re-instrumented eagerly).
TEST_P(Dispatch, ChangesFromACallbackApplyToTheRunningFrame) {
  for (bool local : {false, true}) {
    Harness h(GetParam());
    h.use(2);
    h.setEvents(2, h.ev(Event::PyStart));
    h.reg(2, h.ev(Event::PyStart), 1);
    h.reg(2, h.ev(Event::Line), 2);
    h.policy.decide = [&](const Delivery& d) {
      ScriptedPolicy::Reply r;
      if (d.event != Event::PyStart) return r;
      if (local)
        r.calls.push_back(SetLocalEvents{pyInt(2), CodeId{0}, pyInt(h.ev(Event::Line))});
      else
        r.calls.push_back(
            SetEvents{pyInt(2), pyInt(h.ev(Event::PyStart) | h.ev(Event::Line))});
      return r;
    };
    h.enter(0);
    EXPECT_EQ(h.count(Event::Line, 0, 2), 0u);
    h.fire(Event::PyStart, 0, 0);
    EXPECT_EQ(h.sink.log.back().effects.front(), Outcome(PyNone{}));
    EXPECT_EQ(h.count(Event::Line, 0, 2), 1u) << (local ? "local" : "global");
  }
}

TEST_P(Dispatch, FailingApiCallInACallbackIsRecorded) {
  Harness h(GetParam());
  h.use(2);
  h.setEvents(2, h.ev(Event::PyStart));
  h.reg(2, h.ev(Event::PyStart), 1);
  h.policy.decide = [](const Delivery&) {
    ScriptedPolicy::Reply r;
    r.calls.push_back(SetEvents{pyInt(4), pyInt(1)});
    return r;
  };
  h.enter(0);
  h.fire(Event::PyStart, 0, 0);
  EXPECT_EQ(errorOf(h.sink.log.back().effects.front()),
            err("ValueError", "tool 4 is not in use"));
}

}  // namespace
}  // namespace monsim::testing

namespace monsim::testing {
namespace {

// A Monitor is a value: copies evolve independently (snapshots for checkers).
TEST(Dispatch, MonitorIsARegularValue) {
  Monitor a(PyVersion::V3_13);
  a.step(ApiCall{UseToolId{PyInt{1}, PyStr{"x"}}});
  Monitor b = a;
  b.step(ApiCall{FreeToolId{PyInt{1}}});
  EXPECT_EQ(a.toolName(ToolId{1}), std::optional<std::string_view>("x"));
  EXPECT_EQ(b.toolName(ToolId{1}), std::nullopt);
  b = Monitor(PyVersion::V3_15);
  EXPECT_EQ(b.profile().version(), PyVersion::V3_15);
}

}  // namespace
}  // namespace monsim::testing
