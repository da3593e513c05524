// compare(): every difference between the model's deliveries and API outcomes and
// the interpreter's is classified and names the model rule behind it; the views
// `expect` checks, and the run without the probe against its own prediction.
#include "check/compare.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "check/replay.h"
#include "interpreter/trace.h"
#include "tests/check/synthetic_traces.h"

namespace monsim::harness {
namespace {

using namespace synthetic;

TEST(Compare, AgreementHasNoDivergencesAndNoReport) {
  DisableRun r;
  disableRun(r);
  const Comparison c = compare(r.s, r.b.trace(), predict(r.s, r.b.trace(), kV));
  EXPECT_TRUE(c.agree());
  EXPECT_TRUE(c.divergences.empty());
  EXPECT_EQ(c.report, "");
}

TEST(Compare, MissingDeliveryNamesTheRuleThatPredictedIt) {
  DisableRun r;
  disableRun(r);
  Trace& t = r.b.trace();
  // The interpreter did not call tool 2 for the second call's line 2.
  ASSERT_EQ(t.records[r.second.line2 + 1].kind, RecordKind::Delivery);
  t.records.erase(t.records.begin() + long(r.second.line2 + 1));
  const Comparison c = compare(r.s, t, predict(r.s, t, kV));
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  const Divergence& d = c.divergences[0];
  EXPECT_EQ(d.kind, Divergence::Kind::Missing);
  EXPECT_EQ(d.record, r.second.line2);
  EXPECT_EQ(d.tool, 2);
  EXPECT_EQ(d.rule.text(), reasonText(Reason::ActiveGlobal));
  EXPECT_EQ(d.modelText(),
            "tool 2 LINE in f@1 at offset 2 (line 2), returns (not DISABLE)");
  EXPECT_EQ(d.interpreterText(), "no call for tool 2");
  const std::string occurrence =
      "#" + std::to_string(r.second.line2) + " LINE f@1:2 line 2";
  EXPECT_EQ(d.where(), occurrence);
  EXPECT_NE(c.report.find("first divergence (missing) at " + occurrence + "\n"),
            std::string::npos)
      << c.report;
  EXPECT_NE(
      c.report.find("  model rule:  " + std::string(reasonText(Reason::ActiveGlobal))),
      std::string::npos);
  EXPECT_NE(c.report.find("  source:      2 |     a = 1\n"), std::string::npos)
      << c.report;
  EXPECT_NE(c.report.find("> " + occurrence), std::string::npos) << c.report;
  EXPECT_NE(c.report.find("1 divergence(s): 1 missing"), std::string::npos) << c.report;
}

TEST(Compare, ExtraDeliveryAtADisabledSiteNamesDisable) {
  DisableRun r;
  disableRun(r);
  Trace& t = r.b.trace();
  TraceRecord extra = t.records[r.first.line3 + 1];  // tool 2's line-3 delivery
  returns(extra, Result::Returned);
  t.records.insert(t.records.begin() + long(r.second.line3 + 1), extra);
  const Comparison c = compare(r.s, t, predict(r.s, t, kV));
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  const Divergence& d = c.divergences[0];
  EXPECT_EQ(d.kind, Divergence::Kind::Extra);
  EXPECT_EQ(d.record, r.second.line3);
  EXPECT_EQ(d.tool, 2);
  EXPECT_EQ(d.rule.text(), reasonText(Reason::DisabledAtSite));
  EXPECT_NE(d.rule.text().find("DISABLE"), std::string::npos);
  EXPECT_EQ(d.modelText(), "no call for tool 2");
  EXPECT_EQ(d.interpreterText(), "tool 2 LINE in f@1 at offset 6 (line 3), returns None");
  EXPECT_NE(c.report.find("first divergence (extra)"), std::string::npos);
  EXPECT_NE(c.report.find("  source:      3 |     b = 2\n"), std::string::npos)
      << c.report;
}

TEST(Compare, SwappedToolsAreReorderedAgainstHighestIdFirst) {
  RaiseRun r;
  raiseRun(r);
  Trace& t = r.b.trace();
  std::swap(t.records[r.line2 + 1], t.records[r.line2 + 2]);  // tool 2 before tool 4
  const Comparison c = compare(r.s, t, predict(r.s, t, kV));
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  const Divergence& d = c.divergences[0];
  EXPECT_EQ(d.kind, Divergence::Kind::Reordered);
  EXPECT_EQ(d.record, r.line2);
  EXPECT_EQ(d.tool, -1);
  EXPECT_EQ(d.modelText(), "4:LINE  2:LINE");
  EXPECT_EQ(d.interpreterText(), "2:LINE  4:LINE");
  EXPECT_NE(d.rule.text().find("highest id"), std::string::npos) << d.rule.text();
  EXPECT_NE(c.report.find("first divergence (reordered)"), std::string::npos);
}

TEST(Compare, ObservedDisableWhereTheClauseReturnsNamesTheClause) {
  DisableRun r;
  disableRun(r);
  Trace& t = r.b.trace();
  returns(t.records[r.first.line4 + 1], Result::Disable);
  const Comparison c = compare(r.s, t, predict(r.s, t, kV));
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  const Divergence& d = c.divergences[0];
  EXPECT_EQ(d.kind, Divergence::Kind::WrongResult);
  EXPECT_EQ(d.record, r.first.line4);
  EXPECT_EQ(d.modelText(),
            "tool 2 LINE in f@1 at offset 10 (line 4), returns (not DISABLE)");
  EXPECT_EQ(d.interpreterText(),
            "tool 2 LINE in f@1 at offset 10 (line 4), returns DISABLE");
  EXPECT_EQ(d.rule.text(), "the callback as the scenario declares it (" +
                               locOf(r.yaml, "when: {lines: [4]}") + ")");
}

TEST(Compare, DifferentLineIsAWrongArgument) {
  DisableRun r;
  disableRun(r);
  Trace& t = r.b.trace();
  t.records[r.first.line2 + 1].line = 7;
  const Comparison c = compare(r.s, t, predict(r.s, t, kV));
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  EXPECT_EQ(c.divergences[0].kind, Divergence::Kind::WrongArgument);
  EXPECT_EQ(c.divergences[0].rule.text(),
            std::string(reasonText(Reason::ActiveGlobal)) + " (differs in line)");
}

TEST(Compare, RecordedApiResultThatDiffersIsAnApiOutcome) {
  DisableRun r;
  disableRun(r);
  Trace& t = r.b.trace();
  t.records[r.getEvents].plain = Literal{99};
  t.records[r.getEvents].result = val(99);
  const Comparison c = compare(r.s, t, predict(r.s, t, kV));
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  const Divergence& d = c.divergences[0];
  EXPECT_EQ(d.kind, Divergence::Kind::ApiOutcome);
  EXPECT_EQ(d.record, r.getEvents);
  EXPECT_EQ(d.tool, -1);
  EXPECT_EQ(d.modelText(), "get_events by step returns 32");
  EXPECT_EQ(d.interpreterText(), "the model returns 32, the interpreter returns 99");
  EXPECT_NE(d.rule.text().find("API semantics"), std::string::npos);
  EXPECT_NE(c.report.find("first divergence (api-outcome)"), std::string::npos);
}

TEST(Compare, CallbackApiCallThatDiffersIsAnApiOutcome) {
  const Scenario s = load(header("switcher") + kProgram + kSwitcher);
  TraceBuilder b;
  b.code("f@1", "f", 1).setup(2, "switcher", {"PY_START"}, {"PY_START", "LINE"});
  callF(b, 0, [&](size_t rec) {
    const TraceRecord e = b.trace().records[rec];  // a copy: deliver() appends
    if (e.event == Event::PyStart) {
      const size_t d = b.deliver(2);
      b.trace().records[d].calls = {apiCall("set_events", args({2, 33}), nullptr)};
    } else if (e.event == Event::Line && e.line != 4) {
      const size_t d = b.deliver(2);
      if (e.line == 3)  // the interpreter says LINE is still set
        b.trace().records[d].calls = {apiCall("set_events", args({2, 1}), nullptr),
                                      apiCall("get_events", args({2}), 33)};
    }
  });
  const Comparison c = compare(s, b.trace(), predict(s, b.trace(), kV));
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  EXPECT_EQ(c.divergences[0].kind, Divergence::Kind::ApiOutcome);
  EXPECT_EQ(c.divergences[0].tool, 2);
  EXPECT_EQ(c.divergences[0].modelText(), "get_events returns 1");
  EXPECT_EQ(c.divergences[0].interpreterText(),
            "the model returns 1, the interpreter returns 33");
}

TEST(Compare, DivergencesAreSortedByRecord) {
  DisableRun r;
  disableRun(r);
  Trace& t = r.b.trace();
  t.records[r.getEvents].plain = Literal{0};
  t.records[r.getEvents].result = val(0);
  returns(t.records[r.first.line4 + 1], Result::Disable);
  const Comparison c = compare(r.s, t, predict(r.s, t, kV));
  ASSERT_EQ(c.divergences.size(), 2u) << c.report;
  EXPECT_EQ(c.divergences[0].kind, Divergence::Kind::WrongResult);
  EXPECT_EQ(c.divergences[1].kind, Divergence::Kind::ApiOutcome);
  EXPECT_NE(c.report.find("2 divergence(s): 1 api-outcome 1 wrong-result"),
            std::string::npos)
      << c.report;
}

// ---------------------------------------------------------------------------------
// The views `expect` checks, and observer independence.

TEST(SeenDeliveries, TraceAndAgreeingPredictionLookTheSame) {
  DisableRun r;
  disableRun(r);
  const Trace& t = r.b.trace();
  const auto seen = seenDeliveries(t);
  const auto model = seenDeliveries(t, predict(r.s, t, kV));
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[1].text(), "tool 2 LINE f:3 -> disable");
  EXPECT_EQ(seen[1].function, "f");
  EXPECT_EQ(seen[1].firstLine, 1);
  EXPECT_EQ(seen[1].code, "f@1");
  ASSERT_EQ(model.size(), seen.size());
  for (size_t i = 0; i < seen.size(); ++i)
    EXPECT_EQ(model[i].text(), seen[i].text()) << i;
}

TEST(SeenSteps, StepsEndWithTheirValueOrException) {
  DisableRun r;
  disableRun(r);
  r.b.step(3);
  r.b.stepRaised(3, "ValueError", "boom");
  const auto steps = seenSteps(r.b.trace());
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0].step, 0);
  EXPECT_EQ(steps[0].resultRepr, "3");
  EXPECT_FALSE(steps[0].result);  // a call's value is only a repr
  EXPECT_EQ(steps[2].step, 2);
  ASSERT_TRUE(steps[2].result);
  EXPECT_EQ(steps[2].result->json, json(32));  // an api step's plain value
  EXPECT_EQ(steps[3].raised, "ValueError");
  EXPECT_EQ(steps[3].message, "boom");
}

// The same run as if recorded without the probe: no probe, no event records.
Trace withoutProbe(const Trace& on) {
  Trace off = on;
  off.probeTool = -1;
  std::erase_if(off.records,
                [](const TraceRecord& x) { return x.kind == RecordKind::Event; });
  return off;
}

std::vector<TraceRecord>::reverse_iterator lastDelivery(Trace& t) {
  return std::find_if(t.records.rbegin(), t.records.rend(), [](const TraceRecord& x) {
    return x.kind == RecordKind::Delivery;
  });
}

Comparison alone(DisableRun& r, const Trace& off) {
  const Trace& on = r.b.trace();
  return compareAlone(r.s, on, off, predict(r.s, on, kV, Run::Alone));
}

TEST(CompareAlone, TheRunWithoutTheProbeAgreesWithItsOwnPrediction) {
  DisableRun r;
  disableRun(r);
  const Comparison c = alone(r, withoutProbe(r.b.trace()));
  EXPECT_TRUE(c.agree()) << c.report;
  EXPECT_EQ(c.report, "");
}

TEST(CompareAlone, ADeliveryMissingWithoutTheProbeIsPlacedAtItsProbeOnOccurrence) {
  DisableRun r;
  disableRun(r);
  Trace off = withoutProbe(r.b.trace());
  // Without the probe the second call's line 2 is not delivered (the 4th delivery).
  size_t n = 0;
  auto it = std::find_if(
      off.records.begin(), off.records.end(),
      [&](const TraceRecord& x) { return x.kind == RecordKind::Delivery && ++n == 4; });
  ASSERT_NE(it, off.records.end());
  off.records.erase(it);
  const Comparison c = alone(r, off);
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  const Divergence& d = c.divergences[0];
  EXPECT_EQ(d.kind, Divergence::Kind::Missing);
  EXPECT_TRUE(d.alone);
  EXPECT_FALSE(d.offTrace);
  EXPECT_EQ(d.record, r.second.line2);
  EXPECT_EQ(d.tool, 2);
  EXPECT_NE(c.report.find("first divergence without the probe (missing) at #" +
                          std::to_string(r.second.line2) + " LINE f@1:2 line 2"),
            std::string::npos)
      << c.report;
}

TEST(CompareAlone, AnExtraDeliveryIsNamedByItsOwnRecord) {
  DisableRun r;
  disableRun(r);
  Trace off = withoutProbe(r.b.trace());
  auto last = lastDelivery(off);
  TraceRecord again = *last;
  const size_t at = size_t(std::distance(off.records.begin(), std::next(last).base()));
  off.records.insert(off.records.begin() + long(at) + 1, again);
  const Comparison c = alone(r, off);
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  const Divergence& d = c.divergences[0];
  EXPECT_EQ(d.kind, Divergence::Kind::Extra);
  EXPECT_TRUE(d.offTrace);
  EXPECT_EQ(d.record, at + 1);
  EXPECT_EQ(d.where(), "off#" + std::to_string(at + 1) + " LINE f@1:10 line 4");
}

// An offset moved without the probe is a wrong argument of a paired delivery, not a
// missing and an extra one.
TEST(CompareAlone, AMovedOffsetIsAWrongArgument) {
  DisableRun r;
  disableRun(r);
  Trace off = withoutProbe(r.b.trace());
  auto last = lastDelivery(off);
  last->offset = 12;
  const Comparison c = alone(r, off);
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  EXPECT_EQ(c.divergences[0].kind, Divergence::Kind::WrongArgument);
  EXPECT_EQ(c.divergences[0].rule.differsIn, DeliveryField::Offset);
}

TEST(CompareAlone, GarbageOffsetsAreEqual) {
  DisableRun r;
  disableRun(r);
  Trace on = r.b.trace();
  Trace off = withoutProbe(on);
  lastDelivery(off)->offset = -81848306;
  // The same occurrence with another garbage offset in the probe-on run: its last
  // delivery and the event record before it.
  auto d = lastDelivery(on);
  d->offset = 2046993128;
  auto ev = std::find_if(d, on.records.rend(), [](const TraceRecord& x) {
    return x.kind == RecordKind::Event;
  });
  ASSERT_NE(ev, on.records.rend());
  ev->offset = 2046993128;
  const Comparison c = compareAlone(r.s, on, off, predict(r.s, on, kV, Run::Alone));
  EXPECT_TRUE(c.agree()) << c.report;
}

// Past the point where the runs take different paths nothing is compared.
TEST(CompareAlone, NothingIsComparedPastTheCut) {
  DisableRun r;
  disableRun(r);
  const Trace& on = r.b.trace();
  Trace off = withoutProbe(on);
  auto last = lastDelivery(off);
  off.records.erase(std::next(last).base());
  const Prediction p = predict(r.s, on, kV, Run::Alone);
  EXPECT_FALSE(compareAlone(r.s, on, off, p).agree());
  EXPECT_TRUE(compareAlone(r.s, on, off, p, r.second.line3).agree());
}

// A cut before the first predicted delivery leaves nothing the run recorded to pair
// with: none of it is compared (it may all be the other path).
TEST(CompareAlone, ACutBeforeAnyPredictionComparesNothingRecorded) {
  DisableRun r;
  disableRun(r);
  const Trace& on = r.b.trace();
  Trace off = withoutProbe(on);
  off.records.push_back(*lastDelivery(off));
  const Prediction p = predict(r.s, on, kV, Run::Alone);
  EXPECT_TRUE(compareAlone(r.s, on, off, p, 0).agree());
}

}  // namespace
}  // namespace monsim::harness
