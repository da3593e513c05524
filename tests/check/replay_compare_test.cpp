// The differential checker: predict() replays the interpreter's own probe stream on
// the model with the scenario's declared callbacks, and compare() classifies every
// difference from the observed deliveries and names the model rule behind it.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "check/compare.h"
#include "check/replay.h"
#include "interpreter/trace.h"
#include "scenario/loader.h"

namespace monsim::harness {
namespace {

using nlohmann::json;

constexpr PyVersion kV = PyVersion::V3_13;
constexpr int kProbe = 5;

// sys.monitoring.events on 3.13, as the oracle's hello reports them.
const std::map<std::string, int> kBits = {
    {"PY_START", 1},         {"PY_RESUME", 2},   {"PY_RETURN", 4},
    {"PY_YIELD", 8},         {"CALL", 16},       {"LINE", 32},
    {"INSTRUCTION", 64},     {"JUMP", 128},      {"BRANCH", 256},
    {"STOP_ITERATION", 512}, {"RAISE", 1024},    {"EXCEPTION_HANDLED", 2048},
    {"PY_UNWIND", 4096},     {"PY_THROW", 8192}, {"RERAISE", 16384},
    {"C_RETURN", 32768},     {"C_RAISE", 65536}};

// A value as the oracle normalises it (oracle/PROTOCOL.md §4.2).
json val(const json& v) {
  if (v.is_null()) return {{"type", "NoneType"}, {"repr", "None"}};
  if (v.is_boolean())
    return {{"type", "bool"}, {"repr", v.get<bool>() ? "True" : "False"}};
  if (v.is_number_integer())
    return {{"type", "int"}, {"repr", std::to_string(v.get<int64_t>())}};
  return {{"type", "str"}, {"repr", "'" + v.get<std::string>() + "'"}};
}
json args(std::initializer_list<json> vs) {
  json a = json::array();
  for (const json& v : vs) a.push_back(val(v));
  return a;
}
const json kDeclared = {{"type", "handler"}, {"repr", "<tool>"}};

enum class Result { Returned, Disable, Raised };

// Builds a trace the way the oracle records it: probe `event` records, then the
// scenario tools' `delivery` records of that occurrence, highest id first.
class TraceBuilder {
 public:
  TraceBuilder() {
    t_.scenario = "synthetic";
    t_.probeTool = kProbe;
    t_.options = {{"probe", true}, {"instruction", false}, {"probe_tool", nullptr}};
  }
  TraceBuilder& code(const std::string& id, const std::string& qualname, int firstLine) {
    t_.codes[id] = TraceCode{id, qualname, firstLine, true};
    return *this;
  }
  // The oracle's setup of a declared tool: use_tool_id, a `<tool>` callback for
  // each of `callbacks` (then the events without one), set_events.
  TraceBuilder& setup(int tool, const std::string& name, std::vector<std::string> events,
                      std::vector<std::string> callbacks = {}) {
    api("setup", "use_tool_id", args({tool, name}), nullptr);
    for (const std::string& e : events)
      if (std::find(callbacks.begin(), callbacks.end(), e) == callbacks.end())
        callbacks.push_back(e);
    for (const std::string& e : callbacks) {
      json a = args({tool, kBits.at(e)});
      a.push_back(kDeclared);
      api("setup", "register_callback", a, nullptr);
    }
    int mask = 0;
    for (const std::string& e : events) mask |= kBits.at(e);
    if (!events.empty()) api("setup", "set_events", args({tool, mask}), nullptr);
    return *this;
  }
  size_t api(const std::string& by, const std::string& fn, json a, const json& value) {
    return add({{"kind", "api"},
                {"by", by},
                {"fn", fn},
                {"args", std::move(a)},
                {"result", val(value)},
                {"value", value}});
  }
  size_t step(int index, const std::string& target = "f",
              const std::string& action = "call") {
    return add(
        {{"kind", "step"}, {"index", index}, {"action", action}, {"target", target}});
  }
  size_t stepEnd(int index, const json& returned) {
    return add({{"kind", "step_end"}, {"index", index}, {"returned", val(returned)}});
  }
  size_t event(const std::string& ev, const std::string& code, int offset,
               std::optional<int> line, int depth = 1, json extra = json::object()) {
    json r{{"kind", "event"},  {"event", ev},    {"code", code},
           {"offset", offset}, {"depth", depth}, {"line", line ? json(*line) : json()}};
    r.update(extra);
    last_ = r;
    return add(std::move(r));
  }
  // A delivery of the last probe event to a declared tool.
  size_t deliver(int tool, Result result = Result::Returned,
                 const std::string& raised = "") {
    json r = last_;
    r.erase("depth");
    r["kind"] = "delivery";
    r["tool"] = tool;
    r["callback"] = "tool";
    r["n"] = ++count_[{tool, last_["event"].get<std::string>()}];
    if (result == Result::Raised)
      r["raised"] = {{"type", raised}, {"args", json::array()}};
    else
      r["returned"] =
          result == Result::Disable ? json{{"marker", "DISABLE"}} : val(nullptr);
    return add(std::move(r));
  }
  Trace& trace() { return t_; }

 private:
  size_t add(json r) {
    t_.records.push_back(std::move(r));
    return t_.records.size() - 1;
  }
  Trace t_;
  json last_;
  std::map<std::pair<int, std::string>, int> count_;
};

Scenario load(const std::string& yaml) {
  LoadResult r = loadScenarioText(yaml, "s.yaml");
  std::string diags;
  for (const Diagnostic& d : r.diagnostics) diags += d.str() + "\n";
  EXPECT_TRUE(r.scenario) << diags;
  return r.scenario ? *r.scenario : Scenario{};
}

// 1-based "s.yaml:line:col" of the first occurrence of `needle` in `text`.
std::string locOf(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  const size_t bol = text.rfind('\n', at);
  const int line = 1 + int(std::count(text.begin(), text.begin() + at, '\n'));
  const int col = int(at - (bol == std::string::npos ? 0 : bol + 1)) + 1;
  return "s.yaml:" + std::to_string(line) + ":" + std::to_string(col);
}

std::string header(const std::string& id) {
  return "id: " + id +
         "\ndescription: synthetic\nspec: \"behaviour §10.1\"\nfeatures: [LINE]\nlevel: "
         "must\n";
}

// f's three lines; every probe LINE event of one call, optionally delivered.
const char kProgram[] =
    "program: |\n"
    "  def f():\n"
    "      a = 1\n"
    "      b = 2\n"
    "      return a + b\n";

struct Call {
  size_t start, line2, line3, line4, ret;
};
// One `call f` step; `deliver(record)` adds that occurrence's deliveries.
template <typename F>
Call callF(TraceBuilder& b, int index, F deliver) {
  Call c;
  b.step(index);
  c.start = b.event("PY_START", "f@1", 0, 1);
  deliver(c.start);
  c.line2 = b.event("LINE", "f@1", 2, 2);
  deliver(c.line2);
  c.line3 = b.event("LINE", "f@1", 6, 3);
  deliver(c.line3);
  c.line4 = b.event("LINE", "f@1", 10, 4);
  deliver(c.line4);
  c.ret = b.event("PY_RETURN", "f@1", 14, 4, 1, {{"value", val(3)}});
  deliver(c.ret);
  b.stepEnd(index, 3);
  return c;
}

// ---------------------------------------------------------------------------------
// predict()

TEST(Predict, LineToolGetsOneDeliveryPerProbeLineEvent) {
  const Scenario s =
      load(header("line-tool") + kProgram +
           "tools:\n  2: {name: cov, events: [LINE]}\nsteps:\n  - {call: f}\n");
  TraceBuilder b;
  b.code("f@1", "f", 1).setup(2, "cov", {"LINE"});
  const Call c = callF(b, 0, [&](size_t r) {
    if (b.trace().records[r]["event"] == "LINE") b.deliver(2);
  });
  const Prediction p = predict(s, b.trace(), kV);

  ASSERT_EQ(p.deliveries.size(), 3u);
  const size_t records[] = {c.line2, c.line3, c.line4};
  for (int i = 0; i < 3; ++i) {
    const PredictedDelivery& d = p.deliveries[i];
    EXPECT_EQ(d.tool, 2);
    EXPECT_EQ(d.event, "LINE");
    EXPECT_EQ(d.code, "f@1");
    EXPECT_EQ(d.aux, i + 2);
    EXPECT_EQ(d.line, i + 2);
    EXPECT_EQ(d.record, records[i]);
    EXPECT_EQ(d.why, Reason::ActiveGlobal);
    EXPECT_EQ(d.result, "returned");
    EXPECT_FALSE(d.clause);
  }
  EXPECT_EQ(p.deliveries[1].offset, 6);
  // The setup calls are replayed and agree with what the interpreter recorded.
  ASSERT_EQ(p.api.size(), 3u);
  for (const ApiCheck& a : p.api) {
    EXPECT_TRUE(a.modelled) << a.fn;
    EXPECT_EQ(a.mismatch, "") << a.fn;
    EXPECT_EQ(a.by, "setup");
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
  b.api("setup", "use_tool_id", args({3, "mute"}), nullptr);
  b.api("setup", "set_events", args({3, 32}), nullptr);
  const Call c = callF(b, 0, [&](size_t r) {
    if (b.trace().records[r]["event"] == "LINE") b.deliver(2);
  });
  const Prediction p = predict(s, b.trace(), kV);

  for (const PredictedDelivery& d : p.deliveries) {
    EXPECT_EQ(d.tool, 2);
    EXPECT_EQ(d.event, "LINE");
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
        b.api("program", "set_events", args({2, 0}), nullptr);
        b.api("program", "set_events", args({2, 1}), nullptr);
      }
      b.event("PY_RETURN", "f@3", 30, 7, 1, {{"value", val(1)}});
      if (i == 1 && !inside) {  // the same toggle with f no longer running
        b.api("program", "set_events", args({2, 0}), nullptr);
        b.api("program", "set_events", args({2, 1}), nullptr);
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
  EXPECT_EQ(po.deliveries[0].result, "disable");
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

// Tool 2 returns DISABLE from its second LINE callback and a plain 1 at line 4.
const char kDisableTools[] =
    "tools:\n"
    "  2:\n"
    "    name: cov\n"
    "    events: [LINE]\n"
    "    callbacks:\n"
    "      LINE:\n"
    "        - when: {nth: 2}\n"
    "          return: {$: DISABLE}\n"
    "        - when: {lines: [4]}\n"
    "          return: 1\n"
    "steps:\n"
    "  - {call: f}\n"
    "  - {call: f}\n"
    "  - {api: get_events, args: [2]}\n";

struct DisableRun {
  std::string yaml;
  Scenario s;
  TraceBuilder b;
  Call first, second;
  size_t getEvents = 0;
};

// The interpreter's run of kDisableTools, agreeing with the model.
void disableRun(DisableRun& r) {
  r.yaml = header("disable-nth") + kProgram + kDisableTools;
  r.s = load(r.yaml);
  r.b.code("f@1", "f", 1).setup(2, "cov", {"LINE"});
  auto& b = r.b;
  r.first = callF(b, 0, [&](size_t rec) {
    if (b.trace().records[rec]["event"] != "LINE") return;
    b.deliver(2,
              b.trace().records[rec]["line"] == 3 ? Result::Disable : Result::Returned);
  });
  r.second = callF(b, 1, [&](size_t rec) {
    const json e = b.trace().records[rec];  // a copy: deliver() appends
    if (e["event"] == "LINE" && e["line"] != 3) b.deliver(2);
  });
  b.step(2, "get_events", "api");
  r.getEvents = b.api("step", "get_events", args({2}), 32);
  b.stepEnd(2, 32);
}

TEST(Predict, DisableFromNthClauseSilencesOnlyThatSite) {
  DisableRun r;
  disableRun(r);
  const Prediction p = predict(r.s, r.b.trace(), kV);
  ASSERT_EQ(p.deliveries.size(), 5u);
  EXPECT_EQ(p.deliveries[0].result, "returned");
  EXPECT_FALSE(p.deliveries[0].clause);  // no clause matched: None
  EXPECT_EQ(p.deliveries[1].record, r.first.line3);
  EXPECT_EQ(p.deliveries[1].result, "disable");
  ASSERT_TRUE(p.deliveries[1].clause);
  EXPECT_EQ(p.deliveries[1].clause->str(), locOf(r.yaml, "when: {nth: 2}"));
  EXPECT_EQ(p.deliveries[2].record, r.first.line4);
  EXPECT_EQ(p.deliveries[2].result, "returned");  // `return: 1` is not DISABLE
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

// Tools 4 and 2 have LINE; tool 4 raises at line 3.
const char kRaiseTools[] =
    "tools:\n"
    "  2: {name: lower, events: [LINE]}\n"
    "  4:\n"
    "    name: raiser\n"
    "    events: [LINE]\n"
    "    callbacks:\n"
    "      LINE:\n"
    "        - when: {lines: [3]}\n"
    "          raise: {type: ValueError, args: [from tool 4]}\n"
    "steps:\n"
    "  - {call: f}\n";

struct RaiseRun {
  std::string yaml;
  Scenario s;
  TraceBuilder b;
  size_t line2 = 0, line3 = 0;
};

void raiseRun(RaiseRun& r) {
  r.yaml = header("raise") + kProgram + kRaiseTools;
  r.s = load(r.yaml);
  auto& b = r.b;
  b.code("f@1", "f", 1).setup(2, "lower", {"LINE"}).setup(4, "raiser", {"LINE"});
  b.step(0);
  b.event("PY_START", "f@1", 0, 1);
  r.line2 = b.event("LINE", "f@1", 2, 2);
  b.deliver(4);
  b.deliver(2);
  r.line3 = b.event("LINE", "f@1", 6, 3);
  b.deliver(4, Result::Raised, "ValueError");
  b.event("RAISE", "f@1", 6, 3, 1,
          {{"exc", {{"type", "ValueError"}, {"args", json::array()}}}});
  b.event("PY_UNWIND", "f@1", 6, 3, 1,
          {{"exc", {{"type", "ValueError"}, {"args", json::array()}}}});
  b.trace().records.push_back(
      {{"kind", "step_end"},
       {"index", 0},
       {"raised", {{"type", "ValueError"}, {"message", "from tool 4"}}}});
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
  EXPECT_EQ(p.deliveries[2].result, "raised");
  EXPECT_EQ(p.deliveries[2].raisedType, "ValueError");
  ASSERT_TRUE(p.deliveries[2].clause);
  EXPECT_EQ(p.deliveries[2].clause->str(), locOf(r.yaml, "when: {lines: [3]}"));
  // Tool 2 would get line 3 (the rules allow it): the raise, not a rule, stops it.
  const auto* why = p.reasonsAt(r.line3);
  ASSERT_NE(why, nullptr);
  EXPECT_EQ((*why)[2], Reason::ActiveGlobal);
  EXPECT_TRUE(compare(r.s, r.b.trace(), p).agree());
}

// PY_START's first callback adds LINE, the second LINE callback takes it away again.
const char kSwitcher[] =
    "tools:\n"
    "  2:\n"
    "    name: switcher\n"
    "    events: [PY_START]\n"
    "    callbacks:\n"
    "      PY_START:\n"
    "        - when: {nth: 1}\n"
    "          actions:\n"
    "            - {api: set_events, args: [2, {$: events, names: [PY_START, LINE]}]}\n"
    "      LINE:\n"
    "        - when: {nth: 2}\n"
    "          actions:\n"
    "            - {api: set_events, args: [2, {$: events, names: [PY_START]}]}\n"
    "            - {api: get_events, args: [2]}\n"
    "steps:\n"
    "  - {call: f}\n"
    "  - {call: f}\n";

json apiCall(const std::string& fn, json a, const json& value) {
  return {{"kind", "api"},        {"by", "callback"},     {"fn", fn},
          {"args", std::move(a)}, {"result", val(value)}, {"value", value}};
}

TEST(Predict, ApiActionsOfACallbackChangeLaterDeliveries) {
  const Scenario s = load(header("switcher") + kProgram + kSwitcher);
  TraceBuilder b;
  b.code("f@1", "f", 1).setup(2, "switcher", {"PY_START"}, {"PY_START", "LINE"});
  const Call c1 = callF(b, 0, [&](size_t rec) {
    const json e = b.trace().records[rec];  // a copy: deliver() appends
    if (e["event"] == "PY_START") {
      const size_t d = b.deliver(2);
      b.trace().records[d]["calls"] = {apiCall("set_events", args({2, 33}), nullptr)};
    } else if (e["event"] == "LINE" && e["line"] != 4) {
      const size_t d = b.deliver(2);
      if (e["line"] == 3)
        b.trace().records[d]["calls"] = {apiCall("set_events", args({2, 1}), nullptr),
                                         apiCall("get_events", args({2}), 1)};
    }
  });
  const Call c2 = callF(b, 1, [&](size_t rec) {
    if (b.trace().records[rec]["event"] == "PY_START") b.deliver(2);
  });
  const Prediction p = predict(s, b.trace(), kV);
  ASSERT_EQ(p.deliveries.size(), 4u);
  EXPECT_EQ(p.deliveries[0].event, "PY_START");
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
      b.event("STOP_ITERATION", "deleg@5", 40, 6, 1,
              {{"exc", {{"type", "StopIteration"}, {"args", {val("done")}}}}});
  b.deliver(2);
  b.event("PY_RETURN", "deleg@5", 50, 7);
  b.stepEnd(1, nullptr);
  const Prediction p = predict(s, b.trace(), kV);
  ASSERT_EQ(p.deliveries.size(), 1u);
  EXPECT_EQ(p.deliveries[0].event, "STOP_ITERATION");
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
  const json len = {
      {"callable",
       {{"type", "builtin_function_or_method"}, {"repr", "<built-in function len>"}}},
      {"arg0", {{"type", "list"}, {"repr", "[1]"}}}};
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
  EXPECT_EQ(p.deliveries[2].event, "C_RETURN");
  EXPECT_EQ(p.deliveries[2].tool, 2);
  EXPECT_EQ(p.deliveries[2].why, Reason::ActiveViaCall);
  const auto* why = p.reasonsAt(ret);
  ASSERT_NE(why, nullptr);
  EXPECT_EQ((*why)[4], Reason::CallNotAtSite);
  EXPECT_TRUE(compare(s, b.trace(), p).agree());
}

// ---------------------------------------------------------------------------------
// compare()

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
  ASSERT_EQ(t.records[r.second.line2 + 1]["kind"], "delivery");
  t.records.erase(t.records.begin() + long(r.second.line2 + 1));
  const Comparison c = compare(r.s, t, predict(r.s, t, kV));
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  const Divergence& d = c.divergences[0];
  EXPECT_EQ(d.kind, Divergence::Kind::Missing);
  EXPECT_EQ(d.record, r.second.line2);
  EXPECT_EQ(d.tool, 2);
  EXPECT_EQ(d.rule, reasonText(Reason::ActiveGlobal));
  EXPECT_EQ(d.model, "tool 2 LINE in f@1 at offset 2 (line 2), returns (not DISABLE)");
  EXPECT_EQ(d.interpreter, "no call for tool 2");
  const std::string occurrence =
      "#" + std::to_string(r.second.line2) + " LINE f@1:2 line 2";
  EXPECT_EQ(d.where, occurrence);
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
  json extra = t.records[r.first.line3 + 1];  // tool 2's line-3 delivery
  extra["returned"] = val(nullptr);
  t.records.insert(t.records.begin() + long(r.second.line3 + 1), extra);
  const Comparison c = compare(r.s, t, predict(r.s, t, kV));
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  const Divergence& d = c.divergences[0];
  EXPECT_EQ(d.kind, Divergence::Kind::Extra);
  EXPECT_EQ(d.record, r.second.line3);
  EXPECT_EQ(d.tool, 2);
  EXPECT_EQ(d.rule, reasonText(Reason::DisabledAtSite));
  EXPECT_NE(d.rule.find("DISABLE"), std::string::npos);
  EXPECT_EQ(d.model, "no call for tool 2");
  EXPECT_EQ(d.interpreter, "tool 2 LINE in f@1 at offset 6 (line 3), returns None");
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
  EXPECT_EQ(d.model, "4:LINE  2:LINE");
  EXPECT_EQ(d.interpreter, "2:LINE  4:LINE");
  EXPECT_NE(d.rule.find("highest id"), std::string::npos) << d.rule;
  EXPECT_NE(c.report.find("first divergence (reordered)"), std::string::npos);
}

TEST(Compare, ObservedDisableWhereTheClauseReturnsNamesTheClause) {
  DisableRun r;
  disableRun(r);
  Trace& t = r.b.trace();
  t.records[r.first.line4 + 1]["returned"] = {{"marker", "DISABLE"}};
  const Comparison c = compare(r.s, t, predict(r.s, t, kV));
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  const Divergence& d = c.divergences[0];
  EXPECT_EQ(d.kind, Divergence::Kind::WrongResult);
  EXPECT_EQ(d.record, r.first.line4);
  EXPECT_EQ(d.model, "tool 2 LINE in f@1 at offset 10 (line 4), returns (not DISABLE)");
  EXPECT_EQ(d.interpreter, "tool 2 LINE in f@1 at offset 10 (line 4), returns DISABLE");
  EXPECT_EQ(d.rule, "the callback as the scenario declares it (" +
                        locOf(r.yaml, "when: {lines: [4]}") + ")");
}

TEST(Compare, DifferentLineIsAWrongArgument) {
  DisableRun r;
  disableRun(r);
  Trace& t = r.b.trace();
  t.records[r.first.line2 + 1]["line"] = 7;
  const Comparison c = compare(r.s, t, predict(r.s, t, kV));
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  EXPECT_EQ(c.divergences[0].kind, Divergence::Kind::WrongArgument);
  EXPECT_EQ(c.divergences[0].rule,
            std::string(reasonText(Reason::ActiveGlobal)) + " (differs in line)");
}

TEST(Compare, RecordedApiResultThatDiffersIsAnApiOutcome) {
  DisableRun r;
  disableRun(r);
  Trace& t = r.b.trace();
  t.records[r.getEvents]["value"] = 99;
  t.records[r.getEvents]["result"] = val(99);
  const Comparison c = compare(r.s, t, predict(r.s, t, kV));
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  const Divergence& d = c.divergences[0];
  EXPECT_EQ(d.kind, Divergence::Kind::ApiOutcome);
  EXPECT_EQ(d.record, r.getEvents);
  EXPECT_EQ(d.tool, -1);
  EXPECT_EQ(d.model, "get_events by step returns 32");
  EXPECT_EQ(d.interpreter, "the model returns 32, the interpreter returns 99");
  EXPECT_NE(d.rule.find("API semantics"), std::string::npos);
  EXPECT_NE(c.report.find("first divergence (api-outcome)"), std::string::npos);
}

TEST(Compare, CallbackApiCallThatDiffersIsAnApiOutcome) {
  const Scenario s = load(header("switcher") + kProgram + kSwitcher);
  TraceBuilder b;
  b.code("f@1", "f", 1).setup(2, "switcher", {"PY_START"}, {"PY_START", "LINE"});
  callF(b, 0, [&](size_t rec) {
    const json e = b.trace().records[rec];  // a copy: deliver() appends
    if (e["event"] == "PY_START") {
      const size_t d = b.deliver(2);
      b.trace().records[d]["calls"] = {apiCall("set_events", args({2, 33}), nullptr)};
    } else if (e["event"] == "LINE" && e["line"] != 4) {
      const size_t d = b.deliver(2);
      if (e["line"] == 3)  // the interpreter says LINE is still set
        b.trace().records[d]["calls"] = {apiCall("set_events", args({2, 1}), nullptr),
                                         apiCall("get_events", args({2}), 33)};
    }
  });
  const Comparison c = compare(s, b.trace(), predict(s, b.trace(), kV));
  ASSERT_EQ(c.divergences.size(), 1u) << c.report;
  EXPECT_EQ(c.divergences[0].kind, Divergence::Kind::ApiOutcome);
  EXPECT_EQ(c.divergences[0].tool, 2);
  EXPECT_EQ(c.divergences[0].model, "get_events returns 1");
  EXPECT_EQ(c.divergences[0].interpreter,
            "the model returns 1, the interpreter returns 33");
}

TEST(Compare, DivergencesAreSortedByRecord) {
  DisableRun r;
  disableRun(r);
  Trace& t = r.b.trace();
  t.records[r.getEvents]["value"] = 0;
  t.records[r.getEvents]["result"] = val(0);
  t.records[r.first.line4 + 1]["returned"] = {{"marker", "DISABLE"}};
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
  Trace& t = r.b.trace();
  t.records.push_back(
      {{"kind", "step"}, {"index", 3}, {"action", "call"}, {"target", "f"}});
  t.records.push_back({{"kind", "step_end"},
                       {"index", 3},
                       {"raised", {{"type", "ValueError"}, {"message", "boom"}}}});
  const auto steps = seenSteps(t);
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0].step, 0);
  EXPECT_EQ(steps[0].resultRepr, "3");
  EXPECT_FALSE(steps[0].result);  // a call's value is only a repr
  EXPECT_EQ(steps[2].step, 2);
  ASSERT_TRUE(steps[2].result);
  EXPECT_EQ(*steps[2].result, json(32));  // an api step's plain value
  EXPECT_EQ(steps[3].raised, "ValueError");
  EXPECT_EQ(steps[3].message, "boom");
}

TEST(ObserverDifference, SameDeliveriesWithoutTheProbeAreIndependent) {
  DisableRun r;
  disableRun(r);
  const Trace& on = r.b.trace();
  Trace off = on;
  off.probeTool = -1;
  std::erase_if(off.records, [](const json& x) { return x["kind"] == "event"; });
  EXPECT_EQ(observerDifference(on, off), "");

  // Without the probe the second call's line 2 is not delivered.
  size_t n = 0;
  auto it = std::find_if(off.records.begin(), off.records.end(), [&](const json& x) {
    return x["kind"] == "delivery" && ++n == 4;
  });
  ASSERT_NE(it, off.records.end());
  off.records.erase(it);
  EXPECT_EQ(observerDifference(on, off),
            "delivery #3: with the probe tool 2 LINE in f@1 at offset 2 (line 2), "
            "returns None; "
            "without it tool 2 LINE in f@1 at offset 10 (line 4), returns None");
}

// "returns" alone read as a cut-off sentence: a recorded delivery says what came back.
TEST(ObserverDifference, SaysWhatTheCallbackReturned) {
  DisableRun r;
  disableRun(r);
  const Trace& on = r.b.trace();
  Trace off = on;
  off.probeTool = -1;
  std::erase_if(off.records, [](const json& x) { return x["kind"] == "event"; });
  auto last = std::find_if(off.records.rbegin(), off.records.rend(),
                           [](const json& x) { return x["kind"] == "delivery"; });
  (*last)["returned"] = val(7);
  EXPECT_EQ(observerDifference(on, off),
            "delivery #4: with the probe tool 2 LINE in f@1 at offset 10 (line 4), "
            "returns None; without it tool 2 LINE in f@1 at offset 10 (line 4), "
            "returns 7");
}

TEST(ObserverDifference, AMissingLastDeliveryIsNamed) {
  DisableRun r;
  disableRun(r);
  const Trace& on = r.b.trace();
  Trace off = on;
  off.probeTool = -1;
  std::erase_if(off.records, [](const json& x) { return x["kind"] == "event"; });
  auto last = std::find_if(off.records.rbegin(), off.records.rend(),
                           [](const json& x) { return x["kind"] == "delivery"; });
  off.records.erase(std::next(last).base());
  EXPECT_EQ(observerDifference(on, off),
            "delivery #4: with the probe tool 2 LINE in f@1 at offset 10 (line 4), "
            "returns None; "
            "without it (none)");
}

}  // namespace
}  // namespace monsim::harness
