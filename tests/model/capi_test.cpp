// The C API (behaviour §13): scopes refresh states from the global sets when the
// global version moved; fires call the state's tools, honour DISABLE per state, refuse
// DISABLE for non-local events, check exception and offset, and nest in callbacks.
#include <gtest/gtest.h>

#include "tests/model/model_test_util.h"

namespace monsim::testing {
namespace {

// 3.13+: the C API exists.
const PyVersion kCapiVersions[] = {PyVersion::V3_13, PyVersion::V3_14, PyVersion::V3_15};

class Capi : public ::testing::TestWithParam<PyVersion> {
 protected:
  // A scope over `events` on states `first`…, version cell `cell`.
  static CapiEnterScope scope(std::initializer_list<Event> events, uint16_t first = 0,
                              uint16_t cell = 0) {
    CapiEnterScope c;
    c.firstState = first;
    c.version = cell;
    for (Event e : events) c.events[c.count++] = e;
    return c;
  }
  static CapiFire fire(Event e, uint16_t state = 0, std::string_view exc = "") {
    CapiFire f;
    f.event = e;
    f.state = state;
    f.code = CodeId{50};
    f.exception = exc;
    return f;
  }
  // Tool t has `e` globally, callback 100 + t.
  static void tool(Harness& h, int t, Event e) {
    h.use(t);
    h.setEvents(t, h.ev(e));
    h.reg(t, h.ev(e), 100 + t);
  }
};
INSTANTIATE_TEST_SUITE_P(Versions, Capi, ::testing::ValuesIn(kCapiVersions));

TEST_P(Capi, ScopeTakesGlobalToolsOnly) {
  Harness h(GetParam());
  tool(h, 0, Event::PyStart);
  h.use(1);
  h.setLocal(1, 0, h.ev(Event::PyStart));  // local: not in the state
  h.reg(1, h.ev(Event::PyStart), 101);
  h.api(scope({Event::PyStart}));
  EXPECT_EQ(h.api(fire(Event::PyStart)), Outcome(IntValue{1}));
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{0}));
}

TEST_P(Capi, StateIsStaleUntilTheScopeIsEnteredAgain) {
  Harness h(GetParam());
  tool(h, 0, Event::PyStart);
  h.api(scope({Event::PyStart}));
  tool(h, 2, Event::PyStart);
  EXPECT_EQ(h.api(fire(Event::PyStart)), Outcome(IntValue{1}));
  h.api(scope({Event::PyStart}));
  EXPECT_EQ(h.api(fire(Event::PyStart)), Outcome(IntValue{5}));
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{0, 2, 0}));
}

TEST_P(Capi, UnchangedVersionKeepsStatesEvenForAnotherEvent) {
  Harness h(GetParam());
  tool(h, 0, Event::PyStart);
  h.api(scope({Event::PyStart}));
  h.api(scope({Event::PyReturn}));  // nothing moved: state 0 keeps PY_START's tools
  EXPECT_EQ(h.api(fire(Event::PyStart)), Outcome(IntValue{1}));
}

TEST_P(Capi, InactiveStateReturnsBeforeAnyCheck) {
  Harness h(GetParam());
  CapiFire f = fire(Event::Raise);  // no exception, negative offset: not looked at
  f.offset = -1;
  EXPECT_EQ(h.api(f), Outcome(IntValue{0}));
}

TEST_P(Capi, ExceptionEventWithoutExceptionNamesTheEventNumber) {
  Harness h(GetParam());
  tool(h, 0, Event::Raise);
  h.api(scope({Event::Raise}));
  const Outcome o = h.api(fire(Event::Raise));
  const std::string n = GetParam() == PyVersion::V3_13 ? "10" : "11";
  EXPECT_EQ(
      o, Outcome(PyError{"ValueError", "Firing event " + n + " with no exception set"}));
  EXPECT_TRUE(h.sink.log.empty());
}

TEST_P(Capi, NegativeOffsetIsRefusedAfterTheExceptionCheck) {
  Harness h(GetParam());
  tool(h, 0, Event::Raise);
  h.api(scope({Event::Raise}));
  CapiFire f = fire(Event::Raise, 0, "KeyError");
  f.offset = -3;
  EXPECT_EQ(h.api(f), Outcome(PyError{"ValueError", "offset must be non-negative"}));
}

TEST_P(Capi, DisableClearsTheToolInThatStateOnly) {
  Harness h(GetParam());
  tool(h, 0, Event::PyStart);
  tool(h, 1, Event::PyStart);
  h.api(scope({Event::PyStart, Event::PyStart}));
  h.policy.decide = [](const Delivery& d) {
    return ScriptedPolicy::Reply{d.tool.value == 1, "", {}};
  };
  EXPECT_EQ(h.api(fire(Event::PyStart, 0)), Outcome(IntValue{1}));
  EXPECT_EQ(h.api(fire(Event::PyStart, 0)), Outcome(IntValue{1}));
  h.policy.decide = [](const Delivery&) { return ScriptedPolicy::Reply{}; };
  EXPECT_EQ(h.api(fire(Event::PyStart, 1)), Outcome(IntValue{3}));
  h.api(scope({Event::PyStart, Event::PyStart}));  // no version move: still cleared
  EXPECT_EQ(h.api(fire(Event::PyStart, 0)), Outcome(IntValue{1}));
  h.api(RestartEvents{});
  h.api(scope({Event::PyStart, Event::PyStart}));
  EXPECT_EQ(h.api(fire(Event::PyStart, 0)), Outcome(IntValue{3}));
}

TEST_P(Capi, DisableFromANonLocalEventRemovesTheCallbackAndStops) {
  Harness h(GetParam());
  tool(h, 0, Event::Raise);
  tool(h, 3, Event::Raise);
  h.api(scope({Event::Raise}));
  h.policy.decide = [](const Delivery&) { return ScriptedPolicy::Reply{true, "", {}}; };
  EXPECT_EQ(
      h.api(fire(Event::Raise, 0, "KeyError")),
      Outcome(PyError{"ValueError", "Cannot disable RAISE events. Callback removed."}));
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{3}));
  EXPECT_EQ(h.reg(3, h.ev(Event::Raise), std::nullopt), Outcome(PyNone{}));
}

TEST_P(Capi, RaisingCallbackEndsTheFire) {
  Harness h(GetParam());
  tool(h, 0, Event::PyStart);
  tool(h, 4, Event::PyStart);
  h.api(scope({Event::PyStart}));
  h.policy.decide = [](const Delivery&) {
    return ScriptedPolicy::Reply{false, "OSError", {}};
  };
  EXPECT_EQ(h.api(fire(Event::PyStart)), Outcome(PyError{"OSError", ""}));
  EXPECT_EQ(h.sink.tools(), (std::vector<int>{4}));
}

TEST_P(Capi, FireInsideACallbackIsDelivered) {
  Harness h(GetParam());
  tool(h, 0, Event::PyStart);
  tool(h, 1, Event::Line);
  h.api(scope({Event::PyStart, Event::Line}));
  CapiFire line = fire(Event::Line, 1);
  line.aux = 7;
  h.policy.decide = [line](const Delivery& d) {
    ScriptedPolicy::Reply r;
    if (d.event == Event::PyStart) r.calls = {line};
    return r;
  };
  EXPECT_EQ(h.api(fire(Event::PyStart)), Outcome(IntValue{1}));
  // The nested LINE's callback returns before the PY_START callback that fired it.
  ASSERT_EQ(h.sink.log.size(), 2u);
  EXPECT_EQ(h.sink.log[0].event, Event::Line);
  EXPECT_EQ(h.sink.log[0].aux, 7);
  EXPECT_EQ(h.sink.log[1].event, Event::PyStart);
  EXPECT_EQ(h.sink.log[1].effects, (std::vector<Outcome>{IntValue{2}}));
}

TEST_P(Capi, HookToolsInAStateAreNotModelled) {
  Harness h(GetParam());
  h.api(SetTrace{CallableId{9}});
  h.api(scope({Event::PyStart}));
  EXPECT_EQ(h.api(fire(Event::PyStart)), Outcome(IntValue{1 << 7}));
  EXPECT_TRUE(h.sink.log.empty());
}

TEST(CapiVersions, ThereIsNoCApiIn312) {
  Harness h(PyVersion::V3_12);
  EXPECT_TRUE(std::holds_alternative<InvalidInput>(h.api(CapiEnterScope{})));
  EXPECT_TRUE(std::holds_alternative<InvalidInput>(h.api(CapiFire{})));
}

}  // namespace
}  // namespace monsim::testing
