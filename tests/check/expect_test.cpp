// The expectation checker follows spec/SCENARIO-FORMAT.md §Expectations, and every
// failure points at the expectation's file:line:col and the delivery stream position.
#include "check/expect.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace monsim::harness {
namespace {

SourceLoc at(int line, int col = 7) { return {"expect.yaml", line, col}; }

// A delivery in `f`, whose code starts on line 10.
SeenDelivery d(int tool, const std::string& event, std::optional<int> line = std::nullopt,
               std::string exc = "") {
  SeenDelivery s;
  s.tool = tool;
  s.event = eventNamed(event).value();
  s.code = "f@10";
  s.function = "f";
  s.firstLine = 10;
  s.line = line;
  s.exc = std::move(exc);
  return s;
}

DeliveryPattern p(std::optional<int> tool, std::optional<std::string> event,
                  int yamlLine) {
  DeliveryPattern x;
  x.tool = tool;
  x.event = std::move(event);
  x.loc = at(yamlLine);
  return x;
}

ExpectItem one(DeliveryPattern x) {
  ExpectItem i;
  i.loc = x.loc;
  i.unordered = {std::move(x)};
  return i;
}

ExpectItem group(int yamlLine, std::vector<DeliveryPattern> xs) {
  ExpectItem i;
  i.unordered = std::move(xs);
  i.isGroup = true;
  i.loc = at(yamlLine, 7);
  return i;
}

Expect expect(MatchMode mode, std::vector<ExpectItem> items) {
  Expect e;
  e.present = true;
  e.mode = mode;
  e.deliveries = std::move(items);
  e.loc = at(1, 1);
  return e;
}

std::string all(const std::vector<ExpectFailure>& fs) {
  std::string out;
  for (const auto& f : fs) out += f.message + "\n";
  return out;
}

const std::vector<int> kTools = {1, 2};
constexpr PyVersion kV = PyVersion::V3_13;

std::vector<ExpectFailure> check(const Expect& e, const std::vector<SeenDelivery>& ds) {
  return checkExpect(e, kTools, ds, {}, kV);
}

TEST(SeenDelivery, TextIsOneReadableLine) {
  auto x = d(2, "LINE", 4);
  x.result = CallbackOutcome::ReturnedDisable;
  EXPECT_EQ(x.text(), "tool 2 LINE f:4 -> disable");
  EXPECT_EQ(d(1, "RAISE", 12, "ValueError").text(),
            "tool 1 RAISE f:12 ValueError -> returned");
}

TEST(DeliveryPattern, UnsetFieldsMatchAnything) {
  EXPECT_TRUE(matches(DeliveryPattern{}, d(3, "PY_START")));
  EXPECT_TRUE(matches(DeliveryPattern{}, d(1, "RAISE", 4, "KeyError")));
}

TEST(DeliveryPattern, EverySetFieldMustBeEqual) {
  auto x = d(2, "RAISE", 12, "ValueError");
  x.result = CallbackOutcome::ReturnedDisable;
  DeliveryPattern q;
  q.tool = 2;
  q.event = "RAISE";
  q.function = "f";
  q.line = 12;
  q.exc = "ValueError";
  q.result = "disable";
  EXPECT_TRUE(matches(q, x));
  for (auto change : std::vector<void (*)(DeliveryPattern&)>{
           [](DeliveryPattern& c) { c.tool = 1; },
           [](DeliveryPattern& c) { c.event = "RERAISE"; },
           [](DeliveryPattern& c) { c.function = "g"; },
           [](DeliveryPattern& c) { c.line = 13; },
           [](DeliveryPattern& c) { c.exc = "KeyError"; },
           [](DeliveryPattern& c) { c.result = "returned"; },
       }) {
    auto c = q;
    change(c);
    EXPECT_FALSE(matches(c, x));
  }
}

TEST(DeliveryPattern, RelativeLineCountsFromTheCodesFirstLine) {
  DeliveryPattern q;
  q.relLine = 2;
  EXPECT_TRUE(matches(q, d(1, "LINE", 12)));
  EXPECT_FALSE(matches(q, d(1, "LINE", 2)));
  EXPECT_FALSE(matches(q, d(1, "PY_START")));  // no line at all
}

TEST(DeliveryPattern, AbsoluteLineNeedsADeliveryWithALine) {
  DeliveryPattern q;
  q.line = 0;
  EXPECT_FALSE(matches(q, d(1, "PY_START")));
}

TEST(DeliveryPattern, CallableIsASubstringOfTheRepr) {
  auto x = d(1, "CALL", 11);
  x.callable = "<built-in function len>";
  DeliveryPattern q;
  q.callable = "len";
  EXPECT_TRUE(matches(q, x));
  q.callable = "print";
  EXPECT_FALSE(matches(q, x));
}

// arg0 and value are the whole repr (MISSING by name), not a substring.
TEST(DeliveryPattern, Arg0AndValueMatchTheWholeRepr) {
  auto x = d(1, "CALL", 11);
  x.arg0 = "MISSING";
  DeliveryPattern q;
  q.arg0 = "MISSING";
  EXPECT_TRUE(matches(q, x));
  x.arg0 = "[2]";
  EXPECT_FALSE(matches(q, x));
  q.arg0 = "2";
  EXPECT_FALSE(matches(q, x));
  q.arg0 = "[2]";
  EXPECT_TRUE(matches(q, x));
  auto r = d(1, "PY_RETURN", 12);
  r.value = "None";
  DeliveryPattern v;
  v.value = "None";
  EXPECT_TRUE(matches(v, r));
  v.value = "0";
  EXPECT_FALSE(matches(v, r));
  EXPECT_FALSE(matches(v, d(1, "PY_RETURN", 12)));  // no value recorded
}

TEST(DeliveryPattern, StopIterationMatchesRaiseOfStopIteration) {
  auto q = p(1, "STOP_ITERATION", 3);
  EXPECT_TRUE(matches(q, d(1, "RAISE", 11, "StopIteration")));
  EXPECT_FALSE(matches(q, d(1, "RAISE", 11, "ValueError")));
  q.exc = "StopIteration";
  EXPECT_TRUE(matches(q, d(1, "RAISE", 11, "StopIteration")));
}

TEST(DeliveryPattern, RaiseOfStopIterationMatchesStopIteration) {
  auto q = p(1, "RAISE", 3);
  q.exc = "StopIteration";
  EXPECT_TRUE(matches(q, d(1, "STOP_ITERATION", 11)));
  // A STOP_ITERATION delivery's exception is StopIteration whatever it carries.
  EXPECT_TRUE(matches(q, d(1, "STOP_ITERATION", 11, "something else")));
}

TEST(DeliveryPattern, RaiseWithoutExcDoesNotMatchStopIteration) {
  EXPECT_FALSE(matches(p(1, "RAISE", 3), d(1, "STOP_ITERATION", 11)));
  auto q = p(1, "RAISE", 3);
  q.exc = "ValueError";
  EXPECT_FALSE(matches(q, d(1, "STOP_ITERATION", 11)));
}

TEST(ExactMatch, StreamInOrderPasses) {
  const auto e = expect(MatchMode::Exact, {one(p(1, "PY_START", 3)), one(p(1, "LINE", 4)),
                                           one(p(2, "LINE", 5))});
  EXPECT_TRUE(check(e, {d(1, "PY_START"), d(1, "LINE", 11), d(2, "LINE", 11)}).empty());
}

TEST(ExactMatch, OutOfOrderFailsAtTheFirstMismatch) {
  const auto e = expect(MatchMode::Exact, {one(p(1, "PY_START", 3)), one(p(1, "LINE", 4)),
                                           one(p(2, "LINE", 5))});
  const auto fs = check(e, {d(1, "PY_START"), d(2, "LINE", 11), d(1, "LINE", 11)});
  ASSERT_EQ(fs.size(), 1u) << all(fs);
  EXPECT_EQ(fs[0].loc.line, 4);
  EXPECT_NE(fs[0].message.find("expect.yaml:4:7: expected {tool: 1, event: LINE} but got "
                               "tool 2 LINE f:11 -> returned "
                               "at delivery #1"),
            std::string::npos)
      << fs[0].message;
}

TEST(ExactMatch, MissingDeliveryReportsTheStreamEnded) {
  const auto e =
      expect(MatchMode::Exact, {one(p(1, "PY_START", 3)), one(p(1, "LINE", 4))});
  const auto fs = check(e, {d(1, "PY_START")});
  ASSERT_EQ(fs.size(), 1u) << all(fs);
  EXPECT_NE(fs[0].message.find("expect.yaml:4:7: expected {tool: 1, event: LINE} but the "
                               "stream ended"),
            std::string::npos)
      << fs[0].message;
  EXPECT_NE(fs[0].message.find("<end of stream>"), std::string::npos) << fs[0].message;
}

TEST(ExactMatch, ExtraDeliveryAfterTheLastExpectationFails) {
  const auto e = expect(MatchMode::Exact, {one(p(1, "PY_START", 3))});
  const auto fs = check(e, {d(1, "PY_START"), d(1, "PY_RETURN", 12)});
  ASSERT_EQ(fs.size(), 1u) << all(fs);
  EXPECT_NE(
      fs[0].message.find("unexpected extra delivery tool 1 PY_RETURN f:12 -> returned at "
                         "delivery #1 after the last expectation"),
      std::string::npos)
      << fs[0].message;
}

TEST(ExactMatch, EmptyDeliveryListLeavesTheStreamUnchecked) {
  EXPECT_TRUE(check(expect(MatchMode::Exact, {}), {d(1, "PY_START")}).empty());
}

TEST(ExactMatch, UnorderedGroupAcceptsEveryPermutation) {
  const auto e = expect(MatchMode::Exact,
                        {one(p(1, "PY_START", 3)),
                         group(4, {p(1, "RAISE", 5), p(2, "RAISE", 6), p(1, "LINE", 7)}),
                         one(p(1, "PY_RETURN", 8))});
  std::vector<SeenDelivery> block = {d(1, "RAISE", 11, "E"), d(2, "RAISE", 11, "E"),
                                     d(1, "LINE", 12)};
  std::vector<int> order = {0, 1, 2};
  do {
    std::vector<SeenDelivery> s = {d(1, "PY_START")};
    for (int i : order) s.push_back(block[i]);
    s.push_back(d(1, "PY_RETURN", 12));
    EXPECT_TRUE(check(e, s).empty()) << all(check(e, s));
  } while (std::ranges::next_permutation(order).found);
}

TEST(ExactMatch, UnorderedGroupNeedsABlockOfItsSize) {
  const auto e = expect(MatchMode::Exact, {group(4, {p(1, "RAISE", 5), p(2, "RAISE", 6)}),
                                           one(p(1, "PY_RETURN", 8))});
  // Tool 2's RAISE comes after PY_RETURN: outside the group's block.
  const auto fs =
      check(e, {d(1, "RAISE", 11, "E"), d(1, "PY_RETURN", 12), d(2, "RAISE", 11, "E")});
  ASSERT_EQ(fs.size(), 1u) << all(fs);
  EXPECT_EQ(fs[0].loc.line, 6);
  EXPECT_NE(
      fs[0].message.find("expect.yaml:6:7: expected {tool: 2, event: RAISE} (one of "
                         "an unordered group of 2 at expect.yaml:4:7) but got tool 1 "
                         "PY_RETURN f:12 -> returned at delivery #1"),
      std::string::npos)
      << fs[0].message;
  // The stream ending inside the group's block is reported as such.
  const auto short_ = check(e, {d(2, "RAISE", 11, "E")});
  ASSERT_EQ(short_.size(), 1u) << all(short_);
  EXPECT_NE(short_[0].message.find("but the stream ended"), std::string::npos)
      << short_[0].message;
}

TEST(ExactMatch, UnorderedGroupUsesEachPatternOnce) {
  const auto e =
      expect(MatchMode::Exact, {group(4, {p(1, "RAISE", 5), p(2, "RAISE", 6)})});
  const auto fs = check(e, {d(1, "RAISE", 11, "E"), d(1, "RAISE", 11, "E")});
  ASSERT_EQ(fs.size(), 1u) << all(fs);
  EXPECT_NE(fs[0].message.find("at delivery #1"), std::string::npos) << fs[0].message;
}

TEST(ExactMatch, UnorderedGroupFindsAnAssignmentGreedyWouldMiss) {
  // Greedy would give tool 1's RAISE to the first (looser) pattern and strand the second.
  const auto e = expect(MatchMode::Exact,
                        {group(4, {p(std::nullopt, "RAISE", 5), p(1, "RAISE", 6)})});
  EXPECT_TRUE(check(e, {d(1, "RAISE", 11, "E"), d(2, "RAISE", 11, "E")}).empty());
}

TEST(ContainsMatch, OtherDeliveriesMayComeBetween) {
  const auto e =
      expect(MatchMode::Contains, {one(p(1, "PY_START", 3)), one(p(1, "LINE", 4))});
  EXPECT_TRUE(check(e, {d(2, "PY_START"), d(1, "PY_START"), d(2, "LINE", 11),
                        d(1, "CALL", 11), d(1, "LINE", 11), d(1, "PY_RETURN", 12)})
                  .empty());
}

TEST(ContainsMatch, OrderStillMatters) {
  const auto e =
      expect(MatchMode::Contains, {one(p(1, "LINE", 3)), one(p(1, "PY_START", 4))});
  const auto fs = check(e, {d(1, "PY_START"), d(2, "CALL", 11), d(1, "LINE", 11)});
  ASSERT_EQ(fs.size(), 1u) << all(fs);
  EXPECT_EQ(fs[0].loc.line, 4);
  EXPECT_NE(
      fs[0].message.find("expect.yaml:4:7: expected {tool: 1, event: PY_START} after "
                         "delivery #2 (tool 1 LINE f:11 -> returned), not found"),
      std::string::npos)
      << fs[0].message;
  // The out-of-order hit is pointed out.
  EXPECT_NE(fs[0].message.find("it matches delivery #0"), std::string::npos)
      << fs[0].message;
}

TEST(ContainsMatch, FirstItemMissingSaysFromTheStart) {
  const auto e = expect(MatchMode::Contains, {one(p(1, "BRANCH", 3))});
  const auto fs = check(e, {d(1, "PY_START")});
  ASSERT_EQ(fs.size(), 1u) << all(fs);
  EXPECT_NE(fs[0].message.find("expected {tool: 1, event: BRANCH} from the start of the "
                               "stream, not found"),
            std::string::npos)
      << fs[0].message;
}

TEST(ContainsMatch, UnorderedGroupSpansGapsAndTheNextItemFollowsItsLast) {
  const auto e =
      expect(MatchMode::Contains,
             {group(3, {p(1, "RAISE", 4), p(2, "RAISE", 5)}), one(p(1, "PY_UNWIND", 6))});
  EXPECT_TRUE(check(e, {d(2, "RAISE", 11, "E"), d(1, "LINE", 12), d(1, "RAISE", 11, "E"),
                        d(1, "PY_UNWIND", 12)})
                  .empty());
  // PY_UNWIND before the group's last delivery does not count.
  const auto fs =
      check(e, {d(2, "RAISE", 11, "E"), d(1, "PY_UNWIND", 12), d(1, "RAISE", 11, "E")});
  ASSERT_EQ(fs.size(), 1u) << all(fs);
  EXPECT_NE(
      fs[0].message.find("expect.yaml:6:7: expected {tool: 1, event: PY_UNWIND} after "
                         "delivery #2"),
      std::string::npos)
      << fs[0].message;
}

TEST(ContainsMatch, UnorderedGroupNeedsDistinctDeliveries) {
  const auto e =
      expect(MatchMode::Contains,
             {group(3, {p(std::nullopt, "RAISE", 4), p(std::nullopt, "RAISE", 5)})});
  const auto fs = check(e, {d(1, "PY_START"), d(1, "RAISE", 11, "E")});
  ASSERT_EQ(fs.size(), 1u) << all(fs);
  EXPECT_NE(fs[0].message.find("taken by the other patterns of its group"),
            std::string::npos)
      << fs[0].message;
  EXPECT_TRUE(check(e, {d(1, "RAISE", 11, "E"), d(2, "RAISE", 11, "E")}).empty());
}

TEST(Absent, AMatchAnywhereFailsEvenOutOfScope) {
  auto e = expect(MatchMode::Exact, {one(p(1, "PY_START", 3))});
  e.scopeTools = {1};
  DeliveryPattern never;
  never.event = "LINE";
  never.relLine = 2;
  never.loc = at(9);
  e.absent = {never};
  const auto fs =
      check(e, {d(1, "PY_START"), d(2, "LINE", 11), d(2, "LINE", 12), d(4, "LINE", 12)});
  ASSERT_EQ(fs.size(), 1u) << all(fs);
  EXPECT_EQ(fs[0].loc.line, 9);
  EXPECT_NE(fs[0].message.find(
                "expect.yaml:9:7: delivery #2 tool 2 LINE f:12 -> returned matches "
                "absent pattern {event: LINE, line: +2} (and 1 more)"),
            std::string::npos)
      << fs[0].message;
}

TEST(Absent, NoMatchPasses) {
  auto e = expect(MatchMode::Exact, {});
  e.absent = {p(1, "BRANCH", 9)};
  EXPECT_TRUE(check(e, {d(1, "PY_START"), d(2, "BRANCH", 11)}).empty());
}

TEST(Scope, DefaultsToTheScenariosTools) {
  const auto e = expect(MatchMode::Exact, {one(p(1, "PY_START", 3))});
  // Tool 5 is not one of kTools.
  EXPECT_TRUE(check(e, {d(5, "PY_START"), d(1, "PY_START"), d(5, "LINE", 11)}).empty());
  EXPECT_EQ(check(e, {d(1, "PY_START"), d(2, "LINE", 11)}).size(), 1u);
}

TEST(Scope, ToolsOverrideTheDefault) {
  auto e = expect(MatchMode::Exact, {one(p(2, "LINE", 3))});
  e.scopeTools = {2};
  EXPECT_TRUE(check(e, {d(1, "PY_START"), d(2, "LINE", 11), d(1, "LINE", 11)}).empty());
}

TEST(Scope, EventsLimitTheStream) {
  auto e = expect(MatchMode::Exact, {one(p(1, "LINE", 3)), one(p(1, "LINE", 4))});
  e.scopeEvents = {"LINE"};
  EXPECT_TRUE(
      check(e, {d(1, "PY_START"), d(1, "LINE", 11), d(1, "CALL", 11), d(1, "LINE", 12)})
          .empty());
}

TEST(Scope, RaiseIncludesStopIteration) {
  auto e = expect(MatchMode::Exact, {one(p(1, "STOP_ITERATION", 3))});
  e.scopeEvents = {"RAISE"};
  EXPECT_TRUE(check(e, {d(1, "LINE", 11), d(1, "STOP_ITERATION", 11)}).empty());
}

TEST(Scope, StopIterationIncludesRaiseOfStopIteration) {
  auto e = expect(MatchMode::Exact, {one(p(1, "STOP_ITERATION", 3))});
  e.scopeEvents = {"STOP_ITERATION"};
  EXPECT_TRUE(
      check(e, {d(1, "RAISE", 11, "ValueError"), d(1, "RAISE", 11, "StopIteration")})
          .empty());
}

TEST(Scope, OutOfScopeNeighboursAreMarkedInTheContext) {
  auto e = expect(MatchMode::Exact, {one(p(1, "PY_START", 3)), one(p(1, "LINE", 4))});
  e.scopeTools = {1};
  const auto fs = check(e, {d(1, "PY_START"), d(2, "LINE", 11), d(1, "CALL", 11)});
  ASSERT_EQ(fs.size(), 1u) << all(fs);
  EXPECT_NE(fs[0].message.find("at delivery #2"), std::string::npos) << fs[0].message;
  EXPECT_NE(fs[0].message.find("    #1 tool 2 LINE f:11 -> returned  (not in scope)"),
            std::string::npos)
      << fs[0].message;
  EXPECT_NE(fs[0].message.find("  > #2 tool 1 CALL f:11"), std::string::npos)
      << fs[0].message;
}

TEST(FailureMessage, ShowsNeighbouringDeliveries) {
  const auto e = expect(MatchMode::Exact, {one(p(1, "PY_START", 3)), one(p(1, "LINE", 4)),
                                           one(p(1, "LINE", 5)), one(p(1, "LINE", 6)),
                                           one(p(1, "PY_RETURN", 7))});
  const auto fs = check(e, {d(1, "PY_START"), d(1, "LINE", 11), d(1, "LINE", 12),
                            d(1, "CALL", 12), d(1, "PY_RETURN", 13), d(1, "LINE", 14)});
  ASSERT_EQ(fs.size(), 1u) << all(fs);
  const auto& m = fs[0].message;
  EXPECT_NE(m.find("deliveries around #3:\n"
                   "    #1 tool 1 LINE f:11 -> returned\n"
                   "    #2 tool 1 LINE f:12 -> returned\n"
                   "  > #3 tool 1 CALL f:12 -> returned\n"
                   "    #4 tool 1 PY_RETURN f:13 -> returned\n"
                   "    #5 tool 1 LINE f:14 -> returned"),
            std::string::npos)
      << m;
  EXPECT_EQ(m.find("#0 "), std::string::npos) << m;
}

TEST(FailureMessage, PatternPrintsEveryFieldReadably) {
  DeliveryPattern q;
  q.tool = 2;
  q.event = "LINE";
  q.function = "f";
  q.relLine = 1;
  q.loc = at(3);
  const auto fs = check(expect(MatchMode::Exact, {one(q)}), {});
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_NE(fs[0].message.find("expected {tool: 2, event: LINE, function: f, line: +1}"),
            std::string::npos)
      << fs[0].message;
}

TEST(FailureMessage, RelativeLineMissShowsTheDeliverysRelativeLine) {
  DeliveryPattern q;
  q.event = "LINE";
  q.relLine = 2;
  q.loc = at(3);
  const auto fs = check(expect(MatchMode::Exact, {one(q)}), {d(1, "LINE", 11)});
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_NE(
      fs[0].message.find("but got tool 1 LINE f:11 -> returned at delivery #0 (line +1)"),
      std::string::npos)
      << fs[0].message;
}

TEST(Expect, NotPresentChecksNothing) {
  Expect e;
  e.absent = {p(1, "PY_START", 3)};
  EXPECT_TRUE(checkExpect(e, kTools, {d(1, "PY_START")}, {}, kV).empty());
}

StepExpect stepExpect(int step) {
  StepExpect x;
  x.step = step;
  x.loc = at(20 + step, 7);
  return x;
}

SeenStep returned(int step, nlohmann::json value) {
  SeenStep s;
  s.step = step;
  s.result = Literal{std::move(value)};
  return s;
}

SeenStep raised(int step, std::string type, std::string message) {
  SeenStep s;
  s.step = step;
  s.raised = std::move(type);
  s.message = std::move(message);
  return s;
}

std::vector<ExpectFailure> checkSteps(std::vector<StepExpect> xs,
                                      const std::vector<SeenStep>& seen,
                                      PyVersion v = kV) {
  auto e = expect(MatchMode::Exact, {});
  e.steps = std::move(xs);
  return checkExpect(e, kTools, {}, seen, v);
}

TEST(Steps, AStepThatDidNotRunFails) {
  const auto fs = checkSteps({stepExpect(3)}, {returned(0, nullptr)});
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].loc.line, 23);
  EXPECT_EQ(fs[0].message, "expect.yaml:23:7: step 3 did not run");
}

TEST(Steps, RaisesNamesTheExceptionType) {
  auto x = stepExpect(1);
  x.raises = "ValueError";
  EXPECT_TRUE(checkSteps({x}, {raised(1, "ValueError", "invalid tool 7")}).empty());
  const auto wrong = checkSteps({x}, {raised(1, "TypeError", "bad")});
  ASSERT_EQ(wrong.size(), 1u);
  EXPECT_EQ(wrong[0].message,
            "expect.yaml:21:7: step 1: expected it to raise ValueError but it raised "
            "TypeError: bad");
  const auto none = checkSteps({x}, {returned(1, 32)});
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(
      none[0].message,
      "expect.yaml:21:7: step 1: expected it to raise ValueError but it returned 32");
}

TEST(Steps, MessageMustBeEqualWhenGiven) {
  auto x = stepExpect(2);
  x.raises = "ValueError";
  x.message = "invalid tool 7 (must be between 0 and 5)";
  EXPECT_TRUE(checkSteps({x}, {raised(2, "ValueError",
                                      "invalid tool 7 (must be between 0 and 5)")})
                  .empty());
  const auto fs = checkSteps({x}, {raised(2, "ValueError", "invalid tool 7")});
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_NE(fs[0].message.find("said \"invalid tool 7\""), std::string::npos)
      << fs[0].message;
}

TEST(Steps, ResultIsJsonEqual) {
  auto x = stepExpect(1);
  x.result = nlohmann::json{{"a", 1}};
  EXPECT_TRUE(checkSteps({x}, {returned(1, {{"a", 1}})}).empty());
  const auto fs = checkSteps({x}, {returned(1, {{"a", 2}})});
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].message,
            "expect.yaml:21:7: step 1: expected result {\"a\":1} but got "
            "{\"a\":2}");
  x.result = true;
  EXPECT_EQ(checkSteps({x}, {returned(1, 1)}).size(), 1u);  // True is not 1 here
}

TEST(Steps, EventsMarkerInAResultIsTheMaskOnTheVersionChecked) {
  auto x = stepExpect(1);
  x.result = nlohmann::json{{"$", "events"}, {"names", {"BRANCH"}}};  // bit 8, 3.14: 18
  EXPECT_TRUE(checkSteps({x}, {returned(1, 256)}, PyVersion::V3_13).empty());
  EXPECT_TRUE(checkSteps({x}, {returned(1, 1 << 18)}, PyVersion::V3_14).empty());
  const auto fs = checkSteps({x}, {returned(1, 256)}, PyVersion::V3_14);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].message,
            "expect.yaml:21:7: step 1: expected result 262144 but got 256");
  SeenStep repr;  // a step known only by its repr compares the mask's repr
  repr.step = 1;
  repr.resultRepr = "256";
  EXPECT_TRUE(checkSteps({x}, {repr}, PyVersion::V3_12).empty());
}

// JSON parses an int beyond 64 bits as a float; only the repr says it exactly.
TEST(Steps, ResultBeyond64BitsComparesTheRepr) {
  auto x = stepExpect(1);
  x.result = nlohmann::json{{"$", "int"}, {"value", "1180591620717411303424"}};
  SeenStep s = returned(1, nlohmann::json::parse("1180591620717411303424"));
  s.resultRepr = "1180591620717411303424";
  EXPECT_TRUE(checkSteps({x}, {s}).empty());
  s.resultRepr = "1180591620717411303425";
  const auto fs = checkSteps({x}, {s});
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].message,
            "expect.yaml:21:7: step 1: expected result 1180591620717411303424 (repr) but "
            "got 1180591620717411303425");
}

TEST(Steps, ResultFallsBackToThePythonRepr) {
  const std::vector<std::pair<nlohmann::json, std::string>> cases = {
      {"x", "'x'"},
      {"it's", "\"it's\""},
      {32, "32"},
      {true, "True"},
      {false, "False"},
      {nullptr, "None"},
      {nlohmann::json::array({1, "a"}), "[1, 'a']"},
  };
  for (const auto& [value, repr] : cases) {
    auto x = stepExpect(1);
    x.result = value;
    SeenStep s;
    s.step = 1;
    s.resultRepr = repr;
    EXPECT_TRUE(checkSteps({x}, {s}).empty()) << repr;
    s.resultRepr = "<object>";
    EXPECT_EQ(checkSteps({x}, {s}).size(), 1u) << repr;
  }
}

TEST(Steps, AnUnexpectedRaiseFails) {
  auto x = stepExpect(1);
  x.result = 32;
  const auto fs = checkSteps({x}, {raised(1, "ValueError", "nope")});
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].message,
            "expect.yaml:21:7: step 1: expected it to return 32 but it raised "
            "ValueError: nope");
}

}  // namespace
}  // namespace monsim::harness
