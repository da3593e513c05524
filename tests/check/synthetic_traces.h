#pragma once
// Hand-built traces for the differential checker's tests (replay_test.cpp,
// compare_test.cpp): typed records in the order the oracle records them
// (oracle/PROTOCOL.md §4), and the scenarios they are runs of.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/trace.h"
#include "scenario/loader.h"

namespace monsim::harness::synthetic {

using nlohmann::json;

inline constexpr PyVersion kV = PyVersion::V3_13;
inline constexpr int kProbe = 5;

// sys.monitoring.events on 3.13, as the oracle's hello reports them.
inline const std::map<std::string, int> kBits = {
    {"PY_START", 1},         {"PY_RESUME", 2},   {"PY_RETURN", 4},
    {"PY_YIELD", 8},         {"CALL", 16},       {"LINE", 32},
    {"INSTRUCTION", 64},     {"JUMP", 128},      {"BRANCH", 256},
    {"STOP_ITERATION", 512}, {"RAISE", 1024},    {"EXCEPTION_HANDLED", 2048},
    {"PY_UNWIND", 4096},     {"PY_THROW", 8192}, {"RERAISE", 16384},
    {"C_RETURN", 32768},     {"C_RAISE", 65536}};

inline Event ev(const std::string& name) {
  const auto e = eventNamed(name);
  EXPECT_TRUE(e) << name;
  return e.value_or(Event::PyStart);
}

// A plain value as the oracle normalises it (oracle/PROTOCOL.md §4.2).
inline TraceValue val(const json& v) {
  TraceValue x;
  if (v.is_null()) {
    x.type = "NoneType";
    x.repr = "None";
  } else if (v.is_boolean()) {
    x.type = "bool";
    x.repr = v.get<bool>() ? "True" : "False";
  } else if (v.is_number_integer()) {
    x.type = "int";
    x.repr = std::to_string(v.get<int64_t>());
  } else {
    x.type = "str";
    x.repr = "'" + v.get<std::string>() + "'";
  }
  return x;
}
inline std::vector<TraceValue> args(std::initializer_list<json> vs) {
  std::vector<TraceValue> a;
  for (const json& v : vs) a.push_back(val(v));
  return a;
}
inline TraceValue exception(const std::string& type,
                            std::optional<std::string> message = std::nullopt) {
  TraceValue x;
  x.kind = TraceValue::Kind::Exception;
  x.type = type;
  x.message = std::move(message);
  return x;
}
inline TraceValue declared() {  // a callback declared in `tools`
  TraceValue x;
  x.type = "handler";
  x.repr = "<tool>";
  return x;
}

enum class Result { Returned, Disable, Raised };

// What a delivery's callback did, in its outcome and its value fields.
inline void returns(TraceRecord& d, Result result, const std::string& raised = "") {
  d.returned.reset();
  d.raised.reset();
  if (result == Result::Raised) {
    d.outcome = CallbackOutcome::Raised;
    d.raised = exception(raised);
  } else if (result == Result::Disable) {
    d.outcome = CallbackOutcome::ReturnedDisable;
    d.returned = TraceValue{TraceValue::Kind::Disable, "", "", {}, std::nullopt};
  } else {
    d.outcome = CallbackOutcome::Returned;
    d.returned = val(nullptr);
  }
}

// An api record (`value`: its plain result).
inline TraceRecord apiRecord(ApiCaller by, const std::string& fn,
                             std::vector<TraceValue> a, const json& value) {
  TraceRecord r;
  r.kind = RecordKind::Api;
  r.by = by;
  r.fn = fn;
  r.args = std::move(a);
  r.result = val(value);
  r.plain = Literal{value};
  return r;
}
inline TraceRecord apiCall(const std::string& fn, std::vector<TraceValue> a,
                           const json& value) {
  return apiRecord(ApiCaller::Callback, fn, std::move(a), value);
}

// The event fields of a probe record beyond offset and line.
struct EventArgs {
  std::optional<TraceValue> value{}, callable{}, arg0{}, exc{};
};

// Builds a trace the way the oracle records it: probe `event` records, then the
// scenario tools' `delivery` records of that occurrence, highest id first.
class TraceBuilder {
 public:
  TraceBuilder() {
    t_.scenario = "synthetic";
    t_.probeTool = kProbe;
  }
  TraceBuilder& code(const std::string& id, const std::string& qualname, int firstLine) {
    t_.codes[id] = TraceCode{id, qualname, firstLine, true, {}};
    return *this;
  }
  // The oracle's setup of a declared tool: use_tool_id, a `<tool>` callback for
  // each of `callbacks` (then the events without one), set_events.
  TraceBuilder& setup(int tool, const std::string& name, std::vector<std::string> events,
                      std::vector<std::string> callbacks = {}) {
    api(ApiCaller::Setup, "use_tool_id", args({tool, name}), nullptr);
    for (const std::string& e : events)
      if (std::find(callbacks.begin(), callbacks.end(), e) == callbacks.end())
        callbacks.push_back(e);
    for (const std::string& e : callbacks) {
      auto a = args({tool, kBits.at(e)});
      a.push_back(declared());
      api(ApiCaller::Setup, "register_callback", a, nullptr);
    }
    int mask = 0;
    for (const std::string& e : events) mask |= kBits.at(e);
    if (!events.empty()) api(ApiCaller::Setup, "set_events", args({tool, mask}), nullptr);
    return *this;
  }
  size_t api(ApiCaller by, const std::string& fn, std::vector<TraceValue> a,
             const json& value) {
    return add(apiRecord(by, fn, std::move(a), value));
  }
  size_t step(int index, const std::string& target = "f",
              const std::string& action = "call") {
    TraceRecord r;
    r.kind = RecordKind::Step;
    r.index = index;
    r.action = action;
    r.target = target;
    return add(std::move(r));
  }
  size_t stepEnd(int index, const json& returned) {
    TraceRecord r;
    r.kind = RecordKind::StepEnd;
    r.index = index;
    r.returned = val(returned);
    return add(std::move(r));
  }
  size_t stepRaised(int index, const std::string& type, const std::string& message) {
    TraceRecord r;
    r.kind = RecordKind::StepEnd;
    r.index = index;
    r.raised = exception(type, message);
    return add(std::move(r));
  }
  size_t event(const std::string& e, const std::string& code, int offset,
               std::optional<int> line, int depth = 1, EventArgs extra = {}) {
    TraceRecord r;
    r.kind = RecordKind::Event;
    r.event = ev(e);
    r.code = code;
    r.offset = offset;
    r.line = line;
    r.depth = depth;
    r.value = extra.value;
    r.callable = extra.callable;
    r.arg0 = extra.arg0;
    r.exc = extra.exc;
    last_ = r;
    return add(std::move(r));
  }
  // A delivery of the last probe event to a declared tool.
  size_t deliver(int tool, Result result = Result::Returned,
                 const std::string& raised = "") {
    TraceRecord r = last_;
    r.kind = RecordKind::Delivery;
    r.depth.reset();
    r.tool = tool;
    r.callback = "tool";
    r.n = ++count_[{tool, last_.event}];
    returns(r, result, raised);
    return add(std::move(r));
  }
  Trace& trace() { return t_; }

 private:
  size_t add(TraceRecord r) {
    t_.records.push_back(std::move(r));
    return t_.records.size() - 1;
  }
  Trace t_;
  TraceRecord last_;
  std::map<std::pair<int, Event>, int> count_;
};

inline Scenario load(const std::string& yaml) {
  LoadResult r = loadScenarioText(yaml, "s.yaml");
  std::string diags;
  for (const Diagnostic& d : r.diagnostics) diags += d.str() + "\n";
  EXPECT_TRUE(r.scenario) << diags;
  return r.scenario ? *r.scenario : Scenario{};
}

// 1-based "s.yaml:line:col" of the first occurrence of `needle` in `text`.
inline std::string locOf(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  const size_t bol = text.rfind('\n', at);
  const int line = 1 + int(std::count(text.begin(), text.begin() + at, '\n'));
  const int col = int(at - (bol == std::string::npos ? 0 : bol + 1)) + 1;
  return "s.yaml:" + std::to_string(line) + ":" + std::to_string(col);
}

inline std::string header(const std::string& id) {
  return "id: " + id +
         "\ndescription: synthetic\nspec: \"behaviour §10.1\"\nfeatures: [LINE]\nlevel: "
         "must\n";
}

// f's three lines; every probe LINE event of one call, optionally delivered.
inline const char kProgram[] =
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
  c.ret = b.event("PY_RETURN", "f@1", 14, 4, 1, {.value = val(3)});
  deliver(c.ret);
  b.stepEnd(index, 3);
  return c;
}

// Tool 2 returns DISABLE from its second LINE callback and a plain 1 at line 4.
inline const char kDisableTools[] =
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
inline void disableRun(DisableRun& r) {
  r.yaml = header("disable-nth") + kProgram + kDisableTools;
  r.s = load(r.yaml);
  r.b.code("f@1", "f", 1).setup(2, "cov", {"LINE"});
  auto& b = r.b;
  r.first = callF(b, 0, [&](size_t rec) {
    const TraceRecord& e = b.trace().records[rec];
    if (e.event != Event::Line) return;
    b.deliver(2, e.line == 3 ? Result::Disable : Result::Returned);
  });
  r.second = callF(b, 1, [&](size_t rec) {
    const TraceRecord e = b.trace().records[rec];  // a copy: deliver() appends
    if (e.event == Event::Line && e.line != 3) b.deliver(2);
  });
  b.step(2, "get_events", "api");
  r.getEvents = b.api(ApiCaller::Step, "get_events", args({2}), 32);
  b.stepEnd(2, 32);
}

// Tools 4 and 2 have LINE; tool 4 raises at line 3.
inline const char kRaiseTools[] =
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

inline void raiseRun(RaiseRun& r) {
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
  b.event("RAISE", "f@1", 6, 3, 1, {.exc = exception("ValueError")});
  b.event("PY_UNWIND", "f@1", 6, 3, 1, {.exc = exception("ValueError")});
  b.stepRaised(0, "ValueError", "from tool 4");
}

// PY_START's first callback adds LINE, the second LINE callback takes it away again.
inline const char kSwitcher[] =
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

}  // namespace monsim::harness::synthetic
