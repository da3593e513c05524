// predict(): the model replays the interpreter's own probe stream with the
// scenario's declared callbacks; each delivery it predicts names its record, the
// rule that made it and the clause that decided the callback's behaviour.
#include "check/replay.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "check/compare.h"
#include "interpreter/trace.h"
#include "tests/check/synthetic_traces.h"

namespace monsim::harness {
namespace {

using namespace synthetic;

TEST(Predict, LineToolGetsOneDeliveryPerProbeLineEvent) {
  const Scenario s =
      load(header("line-tool") + kProgram +
           "tools:\n  2: {name: cov, events: [LINE]}\nsteps:\n  - {call: f}\n");
  TraceBuilder b;
  b.code("f@1", "f", 1).setup(2, "cov", {"LINE"});
  const Call c = callF(b, 0, [&](size_t r) {
    if (b.trace().records[r].event == Event::Line) b.deliver(2);
  });
  const Prediction p = predict(s, b.trace(), kV);

  ASSERT_EQ(p.deliveries.size(), 3u);
  const size_t records[] = {c.line2, c.line3, c.line4};
  for (int i = 0; i < 3; ++i) {
    const PredictedDelivery& d = p.deliveries[i];
    EXPECT_EQ(d.tool, 2);
    EXPECT_EQ(d.event, Event::Line);
    EXPECT_EQ(d.code, "f@1");
    EXPECT_EQ(d.aux, i + 2);
    EXPECT_EQ(d.line, i + 2);
    EXPECT_EQ(d.record, records[i]);
    EXPECT_EQ(d.why, Reason::ActiveGlobal);
    EXPECT_EQ(d.result, CallbackOutcome::Returned);
    EXPECT_FALSE(d.clause);
  }
  EXPECT_EQ(p.deliveries[1].offset, 6);
  // The setup calls are replayed and agree with what the interpreter recorded.
  ASSERT_EQ(p.api.size(), 3u);
  for (const ApiCheck& a : p.api) {
    EXPECT_TRUE(a.modelled) << a.fn;
    EXPECT_EQ(a.mismatch, "") << a.fn;
    EXPECT_EQ(a.by, ApiCaller::Setup);
  }
  EXPECT_TRUE(p.notes.empty());
  EXPECT_TRUE(compare(s, b.trace(), p).agree());
}

TEST(Predict, EventsOutsideTheToolsSetsAreNotDelivered) {
  // Tool 2 has LINE only; tool 3 sets LINE but registers no callback for it.
  const Scenario s = load(header("not-set") + kProgram +
                          "tools:\n"
                          "  2: {name: cov, events: [LINE]}\n"
                          "  3: {name: mute, events: [LINE], auto_callbacks: false}\n"
                          "steps:\n  - {call: f}\n");
  TraceBuilder b;
  b.code("f@1", "f", 1).setup(2, "cov", {"LINE"});
  b.api(ApiCaller::Setup, "use_tool_id", args({3, "mute"}), nullptr);
  b.api(ApiCaller::Setup, "set_events", args({3, 32}), nullptr);
  const Call c = callF(b, 0, [&](size_t r) {
    if (b.trace().records[r].event == Event::Line) b.deliver(2);
  });
  const Prediction p = predict(s, b.trace(), kV);

  for (const PredictedDelivery& d : p.deliveries) {
    EXPECT_EQ(d.tool, 2);
    EXPECT_EQ(d.event, Event::Line);
  }
  EXPECT_EQ(p.deliveries.size(), 3u);
  const auto* start = p.reasonsAt(c.start);
  ASSERT_NE(start, nullptr);
  EXPECT_EQ((*start)[2], Reason::NotSet);
  EXPECT_EQ((*start)[kProbe], Reason::ActiveGlobal);  // the probe sees everything
  const auto* line = p.reasonsAt(c.line2);
  ASSERT_NE(line, nullptr);
  EXPECT_EQ((*line)[2], Reason::ActiveGlobal);
  EXPECT_EQ((*line)[3], Reason::NoCallback);
  EXPECT_EQ((*line)[0], Reason::NotSet);
  EXPECT_EQ(p.reasonsAt(c.line2 + 1), nullptr);  // a delivery record, not an occurrence
}

// PY_START/PY_RETURN drive the model's frame stack: toggling set_events while f runs
// revives f's disabled PY_START (FINDINGS F1), after f returned it does not.
const char kToggle[] =
    "program: |\n"
    "  import sys\n"
    "\n"
    "  def f(inside):\n"
    "      if inside:\n"
    "          sys.monitoring.set_events(2, 0)\n"
    "          sys.monitoring.set_events(2, sys.monitoring.events.PY_START)\n"
    "      return 1\n"
    "tools:\n"
    "  2:\n"
    "    name: t\n"
    "    events: [PY_START]\n"
    "    callbacks:\n"
    "      PY_START: {return: {$: DISABLE}}\n";

TEST(Predict, FramesFollowPyStartAndPyReturn) {
  const Scenario s = load(header("frames") + kToggle +
                          "steps:\n"
                          "  - {call: f, args: [false]}\n"
                          "  - {call: f, args: [true]}\n"
                          "  - {call: f, args: [false]}\n");
  size_t third = 0;
  auto trace = [&](bool inside) {
    TraceBuilder b;
    b.code("f@3", "f", 3).setup(2, "t", {"PY_START"});
    for (int i = 0; i < 3; ++i) {
      b.step(i);
      third = b.event("PY_START", "f@3", 0, 3);
      if (i == 0 || (i == 2 && inside)) b.deliver(2, Result::Disable);
      if (i == 1 && inside) {
        b.api(ApiCaller::Program, "set_events", args({2, 0}), nullptr);
        b.api(ApiCaller::Program, "set_events", args({2, 1}), nullptr);
      }
      b.event("PY_RETURN", "f@3", 30, 7, 1, {.value = val(1)});
      if (i == 1 && !inside) {  // the same toggle with f no longer running
        b.api(ApiCaller::Program, "set_events", args({2, 0}), nullptr);
        b.api(ApiCaller::Program, "set_events", args({2, 1}), nullptr);
      }
      b.stepEnd(i, 1);
    }
    return b.trace();
  };
  const Trace inside = trace(true);
  const Trace outside = trace(false);  // `third`: its third PY_START
  const Prediction pi = predict(s, inside, kV), po = predict(s, outside, kV);
  EXPECT_TRUE(pi.notes.empty());
  EXPECT_TRUE(po.notes.empty());
  ASSERT_EQ(pi.deliveries.size(), 2u);
  EXPECT_EQ(pi.deliveries[1].why, Reason::ActiveGlobal);
  ASSERT_EQ(po.deliveries.size(), 1u);
  EXPECT_EQ(po.deliveries[0].result, CallbackOutcome::ReturnedDisable);
  const auto* last = po.reasonsAt(third);
  ASSERT_NE(last, nullptr);
  EXPECT_EQ((*last)[2], Reason::DisabledAtSite);
  EXPECT_TRUE(compare(s, inside, pi).agree());
  EXPECT_TRUE(compare(s, outside, po).agree());
}

TEST(Predict, EventWithoutAFrameStartIsNotedAndGetsAFrame) {
  const Scenario s =
      load(header("no-start") + kProgram +
           "tools:\n  2: {name: cov, events: [LINE]}\nsteps:\n  - {call: f}\n");
  TraceBuilder b;
  b.code("f@1", "f", 1).setup(2, "cov", {"LINE"});
  b.step(0);
  const size_t line = b.event("LINE", "f@1", 2, 2);  // no PY_START seen
  b.deliver(2);
  b.event("PY_RETURN", "f@1", 14, 4);
  b.stepEnd(0, 3);
  const Prediction p = predict(s, b.trace(), kV);
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_EQ(p.notes[0], "record " + std::to_string(line) +
                            ": LINE in f@1 without a frame start seen by the probe; "
                            "assuming one");
  ASSERT_EQ(p.deliveries.size(), 1u);
  EXPECT_EQ(p.deliveries[0].record, line);
  EXPECT_TRUE(compare(s, b.trace(), p).agree());
}

TEST(Predict, CalleeFrameWithoutReturnIsLeftWhenDepthDrops) {
  // g's frame ends without a PY_RETURN record (depth tells): no note, f continues.
  const Scenario s =
      load(header("depth") + kProgram +
           "tools:\n  2: {name: cov, events: [LINE]}\nsteps:\n  - {call: f}\n");
  TraceBuilder b;
  b.code("f@1", "f", 1).code("g@6", "g", 6).setup(2, "cov", {"LINE"});
  b.step(0);
  b.event("PY_START", "f@1", 0, 1);
  b.event("PY_START", "g@6", 0, 6, 2);
  b.event("LINE", "g@6", 2, 7, 2);
  b.deliver(2);
  b.event("LINE", "f@1", 6, 3, 1);
  b.deliver(2);
  b.event("PY_RETURN", "f@1", 14, 4);
  b.stepEnd(0, 3);
  const Prediction p = predict(s, b.trace(), kV);
  EXPECT_TRUE(p.notes.empty()) << p.notes.front();
  ASSERT_EQ(p.deliveries.size(), 2u);
  EXPECT_EQ(p.deliveries[0].code, "g@6");
  EXPECT_EQ(p.deliveries[1].code, "f@1");
}

TEST(Predict, DisableFromNthClauseSilencesOnlyThatSite) {
  DisableRun r;
  disableRun(r);
  const Prediction p = predict(r.s, r.b.trace(), kV);
  ASSERT_EQ(p.deliveries.size(), 5u);
  EXPECT_EQ(p.deliveries[0].result, CallbackOutcome::Returned);
  EXPECT_FALSE(p.deliveries[0].clause);  // no clause matched: None
  EXPECT_EQ(p.deliveries[1].record, r.first.line3);
  EXPECT_EQ(p.deliveries[1].result, CallbackOutcome::ReturnedDisable);
  ASSERT_TRUE(p.deliveries[1].clause);
  EXPECT_EQ(p.deliveries[1].clause->str(), locOf(r.yaml, "when: {nth: 2}"));
  EXPECT_EQ(p.deliveries[2].record, r.first.line4);
  EXPECT_EQ(p.deliveries[2].result,
            CallbackOutcome::Returned);  // `return: 1` is not DISABLE
  ASSERT_TRUE(p.deliveries[2].clause);
  EXPECT_EQ(p.deliveries[2].clause->str(), locOf(r.yaml, "when: {lines: [4]}"));
  // The second call: lines 2 and 4 only.
  EXPECT_EQ(p.deliveries[3].record, r.second.line2);
  EXPECT_EQ(p.deliveries[4].record, r.second.line4);
  const auto* why = p.reasonsAt(r.second.line3);
  ASSERT_NE(why, nullptr);
  EXPECT_EQ((*why)[2], Reason::DisabledAtSite);
  // DISABLE does not change the event set.
  ASSERT_EQ(p.api.size(), 4u);
  EXPECT_EQ(p.api.back().predicted, "returns 32");
  EXPECT_EQ(p.api.back().mismatch, "");
  EXPECT_TRUE(compare(r.s, r.b.trace(), p).agree());
}

TEST(Predict, RaisingClauseStopsLowerToolsHighestIdFirst) {
  RaiseRun r;
  raiseRun(r);
  const Prediction p = predict(r.s, r.b.trace(), kV);
  ASSERT_EQ(p.deliveries.size(), 3u);
  EXPECT_EQ(p.deliveries[0].tool, 4);
  EXPECT_EQ(p.deliveries[1].tool, 2);
  EXPECT_EQ(p.deliveries[0].record, r.line2);
  EXPECT_EQ(p.deliveries[1].record, r.line2);
  EXPECT_EQ(p.deliveries[2].tool, 4);
  EXPECT_EQ(p.deliveries[2].record, r.line3);
  EXPECT_EQ(p.deliveries[2].result, CallbackOutcome::Raised);
  EXPECT_EQ(p.deliveries[2].raisedType, "ValueError");
  ASSERT_TRUE(p.deliveries[2].clause);
  EXPECT_EQ(p.deliveries[2].clause->str(), locOf(r.yaml, "when: {lines: [3]}"));
  // Tool 2 would get line 3 (the rules allow it): the raise, not a rule, stops it.
  const auto* why = p.reasonsAt(r.line3);
  ASSERT_NE(why, nullptr);
  EXPECT_EQ((*why)[2], Reason::ActiveGlobal);
  EXPECT_TRUE(compare(r.s, r.b.trace(), p).agree());
}

TEST(Predict, ApiActionsOfACallbackChangeLaterDeliveries) {
  const Scenario s = load(header("switcher") + kProgram + kSwitcher);
  TraceBuilder b;
  b.code("f@1", "f", 1).setup(2, "switcher", {"PY_START"}, {"PY_START", "LINE"});
  const Call c1 = callF(b, 0, [&](size_t rec) {
    const TraceRecord e = b.trace().records[rec];  // a copy: deliver() appends
    if (e.event == Event::PyStart) {
      const size_t d = b.deliver(2);
      b.trace().records[d].calls = {apiCall("set_events", args({2, 33}), nullptr)};
    } else if (e.event == Event::Line && e.line != 4) {
      const size_t d = b.deliver(2);
      if (e.line == 3)
        b.trace().records[d].calls = {apiCall("set_events", args({2, 1}), nullptr),
                                      apiCall("get_events", args({2}), 1)};
    }
  });
  const Call c2 = callF(b, 1, [&](size_t rec) {
    if (b.trace().records[rec].event == Event::PyStart) b.deliver(2);
  });
  const Prediction p = predict(s, b.trace(), kV);
  ASSERT_EQ(p.deliveries.size(), 4u);
  EXPECT_EQ(p.deliveries[0].event, Event::PyStart);
  ASSERT_EQ(p.deliveries[0].calls.size(), 1u);
  EXPECT_EQ(p.deliveries[0].calls[0].fn, "set_events");
  EXPECT_EQ(p.deliveries[0].calls[0].outcome, "returns None");
  EXPECT_NE(p.deliveries[0].calls[0].observed, nullptr);
  EXPECT_EQ(p.deliveries[0].calls[0].mismatch, "");
  EXPECT_EQ(p.deliveries[1].record, c1.line2);
  EXPECT_EQ(p.deliveries[2].record, c1.line3);
  ASSERT_EQ(p.deliveries[2].calls.size(), 2u);
  EXPECT_EQ(p.deliveries[2].calls[1].fn, "get_events");
  EXPECT_EQ(p.deliveries[2].calls[1].outcome, "returns 1");
  EXPECT_EQ(p.deliveries[2].calls[1].mismatch, "");
  EXPECT_EQ(p.deliveries[3].record, c2.start);
  const auto* why = p.reasonsAt(c1.line4);
  ASSERT_NE(why, nullptr);
  EXPECT_EQ((*why)[2], Reason::NotSet);
  EXPECT_TRUE(compare(s, b.trace(), p).agree());
}

TEST(Predict, StopIterationCarriesStopIteration) {
  const Scenario s =
      load(header("stop") +
           "program: |\n"
           "  def gen():\n"
           "      yield 1\n"
           "      return 'done'\n"
           "\n"
           "  def deleg():\n"
           "      r = yield from gen()\n"
           "      return r\n"
           "tools:\n  2: {name: t, events: [STOP_ITERATION]}\n"
           "steps:\n  - {call: deleg, store: d}\n  - {gen: d, op: iterate}\n");
  TraceBuilder b;
  b.code("gen@1", "gen", 1).code("deleg@5", "deleg", 5).setup(2, "t", {"STOP_ITERATION"});
  b.step(0, "deleg");
  b.stepEnd(0, nullptr);
  b.step(1, "d", "gen");
  b.event("PY_START", "deleg@5", 4, 5);
  b.event("PY_START", "gen@1", 4, 1, 2);
  b.event("PY_YIELD", "gen@1", 8, 2, 2);
  b.event("PY_YIELD", "deleg@5", 20, 6);
  b.event("PY_RESUME", "deleg@5", 22, 6);
  b.event("PY_RESUME", "gen@1", 10, 2, 2);
  b.event("PY_RETURN", "gen@1", 14, 3, 2);
  const size_t stop =
      b.event("STOP_ITERATION", "deleg@5", 40, 6, 1, {.exc = exception("StopIteration")});
  b.deliver(2);
  b.event("PY_RETURN", "deleg@5", 50, 7);
  b.stepEnd(1, nullptr);
  const Prediction p = predict(s, b.trace(), kV);
  ASSERT_EQ(p.deliveries.size(), 1u);
  EXPECT_EQ(p.deliveries[0].event, Event::StopIteration);
  EXPECT_EQ(p.deliveries[0].exc, "StopIteration");
  EXPECT_EQ(p.deliveries[0].record, stop);
  EXPECT_TRUE(p.notes.empty());
  EXPECT_TRUE(compare(s, b.trace(), p).agree());
}

TEST(Predict, CReturnGoesOnlyToToolsWithCallAtTheCallSite) {
  const Scenario s = load(header("c-return") +
                          "program: |\n"
                          "  def f(xs):\n"
                          "      return len(xs)\n"
                          "tools:\n"
                          "  2: {name: caller, events: [CALL, C_RETURN, C_RAISE]}\n"
                          "  4:\n"
                          "    name: c-only\n"
                          "    events: [PY_START]\n"
                          "    callbacks: {C_RETURN: [], C_RAISE: []}\n"
                          "steps:\n  - {call: f, args: [[1]]}\n");
  TraceBuilder b;
  b.code("f@1", "f", 1)
      .setup(2, "caller", {"CALL", "C_RETURN", "C_RAISE"})
      .setup(4, "c-only", {"PY_START"}, {"C_RETURN", "C_RAISE"});
  const EventArgs len{
      .callable = TraceValue{TraceValue::Kind::Object,
                             "builtin_function_or_method",
                             "<built-in function len>",
                             {},
                             std::nullopt},
      .arg0 = TraceValue{TraceValue::Kind::Object, "list", "[1]", {}, std::nullopt}};
  b.step(0);
  b.event("PY_START", "f@1", 0, 1);
  b.deliver(4);
  b.event("LINE", "f@1", 2, 2);
  const size_t call = b.event("CALL", "f@1", 14, 2, 1, len);
  b.deliver(2);
  const size_t ret = b.event("C_RETURN", "f@1", 14, 2, 1, len);
  b.deliver(2);
  b.event("PY_RETURN", "f@1", 22, 2);
  b.stepEnd(0, 1);
  const Prediction p = predict(s, b.trace(), kV);
  ASSERT_EQ(p.deliveries.size(), 3u);
  EXPECT_EQ(p.deliveries[0].tool, 4);
  EXPECT_EQ(p.deliveries[1].record, call);
  EXPECT_EQ(p.deliveries[2].record, ret);
  EXPECT_EQ(p.deliveries[2].event, Event::CReturn);
  EXPECT_EQ(p.deliveries[2].tool, 2);
  EXPECT_EQ(p.deliveries[2].why, Reason::ActiveViaCall);
  const auto* why = p.reasonsAt(ret);
  ASSERT_NE(why, nullptr);
  EXPECT_EQ((*why)[4], Reason::CallNotAtSite);
  EXPECT_TRUE(compare(s, b.trace(), p).agree());
}

}  // namespace
}  // namespace monsim::harness
