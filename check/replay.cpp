#include "check/replay.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "check/api_values.h"
#include "model/monitor.h"

namespace monsim::harness {

using nlohmann::json;

const std::array<Reason, 6>* Prediction::reasonsAt(size_t record) const {
  auto it = std::lower_bound(reasons.begin(), reasons.end(), record,
                             [](const auto& p, size_t r) { return p.first < r; });
  return it != reasons.end() && it->first == record ? &it->second : nullptr;
}

namespace {

const json& callsOf(const json& rec) {
  static const json kNone = json::array();
  auto it = rec.find("calls");
  return it != rec.end() && it->is_array() ? *it : kNone;
}

bool isEntry(std::string_view e) {
  return e == "PY_START" || e == "PY_RESUME" || e == "PY_THROW";
}
bool isExit(std::string_view e) {
  return e == "PY_RETURN" || e == "PY_YIELD" || e == "PY_UNWIND";
}

// What a registered callable is, so the policy knows how it behaves.
struct CallableInfo {
  enum class Kind { Declared, Handler, Program, Probe };
  Kind kind = Kind::Program;
  std::string repr;  // as the oracle records it
  const Callback* clauses = nullptr;
  int calls = 0;  // the oracle's `n`: per registration
};

// Replays one trace on a Monitor; the CallbackPolicy and DeliverySink of that run.
class Replayer final : public CallbackPolicy, public DeliverySink {
 public:
  Replayer(const Scenario& s, const Trace& t, PyVersion v)
      : s_(s), t_(t), m_(v), p_(m_.profile()) {
    resolver_.code = [this](const json& v) { return codeArg(v); };
    resolver_.callable = [this](const json& v) { return callableArg(v); };
    for (const ToolSpec& tool : s.tools) tools_[tool.id] = &tool;
  }

  Prediction run();
  Prediction runScript();
  void setupTools();

  CallbackAction onCallback(const Delivery& d) override;
  void onDelivery(const Delivery& d) override;

 private:
  CodeId codeId(const std::string& id);
  std::optional<CodeId> codeArg(const json& v);
  CallableArg callableArg(const json& v);
  CallableId newCallable(CallableInfo info);
  std::string reprOf(CallableId c) const {
    return c.value < callables_.size() ? callables_[c.value].repr : "?";
  }
  const Callback* declaredClauses(int tool, const std::string& event) const;
  void associateObserved();
  void startProbe();
  void replayApi(size_t index, const json& rec);
  void replayEvent(size_t index, const json& rec);
  void syncFrames(const std::string& event, CodeId code, int depth);
  void exitFrame();
  void feed(const Occurrence& o, size_t record, std::optional<int> line);
  const Clause* pickClause(const Callback& cb, int n, const Delivery& d) const;
  std::optional<ApiCall> callFor(const json& action, bool literal);

  const Scenario& s_;
  const Trace& t_;
  Monitor m_;
  const VersionProfile& p_;
  ArgResolver resolver_;
  std::array<const ToolSpec*, 6> tools_{};
  std::map<std::string, CodeId> codeIds_;
  std::vector<std::string> codeNames_;
  std::vector<CallableInfo> callables_;
  std::map<std::pair<size_t, int>, const json*> observed_;  // (event record, tool)
  std::set<size_t> unseen_;  // occurrences the probe missed, keyed by a delivery record
  std::vector<CodeId> stack_;
  bool probeStarted_ = false;
  bool synthetic_ = false;  // the occurrence comes from a delivery, not the probe
  int32_t rawOffset_ = 0;   // the recorded offset of the occurrence being dispatched
  Prediction out_;
  // The occurrence being dispatched.
  size_t record_ = 0;
  std::optional<int> line_;
  std::array<Reason, 6> why_{};
  // Storage behind the last CallbackAction (valid until the next onCallback).
  std::vector<ApiCall> calls_;
  std::string raiseType_, raiseMessage_;
  std::array<std::optional<SourceLoc>, 6> clauseOf_{};
};

CodeId Replayer::codeId(const std::string& id) {
  auto [it, added] = codeIds_.emplace(id, CodeId{uint32_t(codeNames_.size())});
  if (added) codeNames_.push_back(id);
  return it->second;
}

std::optional<CodeId> Replayer::codeArg(const json& v) {
  if (v.is_object() && v.value("type", "") == "code" && v.contains("code"))
    return codeId(v["code"].get<std::string>());
  if (v.is_object() && v.value("$", "") == "code") {
    if (v.contains("id")) return codeId(v["id"].get<std::string>());
    const std::string of = v.value("of", "");
    for (const auto& [id, c] : t_.codes)
      if (c.program && c.qualname == of) return codeId(id);
    for (const auto& [name, line] : s_.scriptFunctions)
      if (name == of) return codeId(name);
  }
  return std::nullopt;
}

CallableId Replayer::newCallable(CallableInfo info) {
  callables_.push_back(std::move(info));
  return CallableId{uint32_t(callables_.size() - 1)};
}

const Callback* Replayer::declaredClauses(int tool, const std::string& event) const {
  if (tool < 0 || tool > 5 || !tools_[tool]) return nullptr;
  auto it = tools_[tool]->callbacks.find(event);
  return it == tools_[tool]->callbacks.end() ? nullptr : &it->second;
}

CallableArg Replayer::callableArg(const json& v) {
  if (v.is_null()) return std::nullopt;
  CallableInfo info;
  if (v.is_object() && v.contains("$")) {  // a scenario literal (callback action)
    const std::string m = v["$"].get<std::string>();
    if (m == "handler") {
      const std::string name = v.value("name", "");
      info.kind = CallableInfo::Kind::Handler;
      info.repr = "<handler:" + name + ">";
      auto it = s_.handlers.find(name);
      info.clauses = it == s_.handlers.end() ? nullptr : &it->second;
    } else {
      info.repr = "<" + typeNameOf(v, true) + ">";
    }
    return newCallable(std::move(info));
  }
  if (v.is_object() && v.value("type", "") == "NoneType") return std::nullopt;
  info.repr = v.value("repr", "?");
  if (v.value("type", "") == "handler") {
    info.kind = CallableInfo::Kind::Handler;
    if (info.repr.starts_with("<handler:")) {
      auto it = s_.handlers.find(info.repr.substr(9, info.repr.size() - 10));
      if (it != s_.handlers.end()) info.clauses = &it->second;
    } else {
      info.kind = CallableInfo::Kind::Declared;  // "<tool>": set up per (tool, event)
    }
  }
  return newCallable(std::move(info));
}

void Replayer::associateObserved() {
  for (const ObservedDelivery& d : associateDeliveries(t_)) {
    if (d.unseen) unseen_.insert(d.occurrence);
    if (d.occurrence != kNoRecord)
      observed_.emplace(std::make_pair(d.occurrence, d.record->value("tool", -1)),
                        d.record);
  }
}

void Replayer::startProbe() {
  probeStarted_ = true;
  const int probe = t_.probeTool;
  m_.step(ApiCall{UseToolId{PyInt{probe}, PyStr{"monsim-probe"}}});
  EventSet mask;
  const bool instruction = t_.options.value("instruction", false);
  for (int b = 0; b < p_.bitLimit(); ++b) {
    const auto ev = p_.eventOfBit(b);
    if (!ev || !p_.realEvents().has(b)) continue;
    if (*ev == Event::Instruction && !instruction) continue;
    CallableInfo info;
    info.kind = CallableInfo::Kind::Probe;
    info.repr = "<probe>";
    const CallableId id = newCallable(info);
    m_.step(ApiCall{RegisterCallback{PyInt{probe}, PyInt{int64_t(1) << b}, id}});
    mask |= EventSet::bit(b);
  }
  m_.step(ApiCall{SetEvents{PyInt{probe}, PyInt{mask.bits()}}});
}

void Replayer::replayApi(size_t index, const json& rec) {
  ApiCheck check;
  check.record = index;
  check.fn = rec.value("fn", "?");
  check.by = rec.value("by", "?");
  std::string why;
  std::optional<ApiCall> call;
  if (rec.contains("kwargs"))
    why = "keyword arguments are not modelled";
  else
    call = makeApiCall(check.fn, rec.value("args", json::array()), false, p_, resolver_,
                       why);
  if (!call) {
    check.modelled = false;
    check.predicted = why;
    out_.api.push_back(std::move(check));
    return;
  }
  if (auto* reg = std::get_if<RegisterCallback>(&*call); reg && reg->func) {
    CallableInfo& info = callables_[reg->func->value];
    if (info.kind == CallableInfo::Kind::Declared) {
      const auto* tool = std::get_if<PyInt>(&reg->tool);
      const auto* ev = std::get_if<PyInt>(&reg->event);
      if (tool && ev && ev->value > 0 && (ev->value & (ev->value - 1)) == 0) {
        const auto e = p_.eventOfBit(std::countr_zero(uint64_t(ev->value)));
        if (e) info.clauses = declaredClauses(int(tool->value), std::string(p_.name(*e)));
      }
    }
  }
  Outcome o = m_.step(*call);
  if (auto* all = std::get_if<AllEventsValue>(&o); all && t_.probeTool >= 0) {
    // The oracle hides its probe from _all_events (oracle/PROTOCOL.md).
    std::vector<EventToolMask> kept;
    for (EventToolMask e : all->entries) {
      e.tools &= uint8_t(~(1u << t_.probeTool));
      if (e.tools) kept.push_back(e);
    }
    all->entries = std::move(kept);
  }
  auto repr = [this](CallableId c) { return reprOf(c); };
  check.predicted = outcomeText(o, repr);
  check.mismatch = compareOutcome(o, rec, repr);
  check.outcome = std::move(o);
  out_.api.push_back(std::move(check));
}

void Replayer::exitFrame() {
  m_.step(FrameExit{stack_.back()});
  stack_.pop_back();
}

// Keeps the model's frame stack equal to the interpreter's: `depth` counts the
// program-visible frames up to the one the event happens in.
void Replayer::syncFrames(const std::string& event, CodeId code, int depth) {
  if (isEntry(event)) {
    while (int(stack_.size()) > depth - 1 && !stack_.empty()) exitFrame();
    m_.step(FrameEnter{code});
    stack_.push_back(code);
    return;
  }
  while (int(stack_.size()) > depth && !stack_.empty()) exitFrame();
  if (stack_.empty() || stack_.back() != code) {
    out_.notes.push_back("record " + std::to_string(record_) + ": " + event + " in " +
                         codeNames_[code.value] +
                         " without a frame start seen by the probe; assuming one");
    if (!stack_.empty() && int(stack_.size()) == depth) exitFrame();
    m_.step(FrameEnter{code});
    stack_.push_back(code);
  }
}

void Replayer::feed(const Occurrence& o, size_t record, std::optional<int> line) {
  record_ = record;
  line_ = line;
  for (int t = 0; t < 6; ++t) why_[t] = m_.explain(ToolId{t}, o.event, o.code, o.offset);
  out_.reasons.emplace_back(record, why_);
  clauseOf_.fill(std::nullopt);
  m_.step(o, *this, *this);
}

void Replayer::replayEvent(size_t index, const json& rec) {
  const std::string name = rec.value("event", "");
  const auto ev = eventNamed(name);
  if (!ev) {
    out_.notes.push_back("record " + std::to_string(index) + ": unknown event " + name);
    return;
  }
  if (!probeStarted_ && t_.probeTool >= 0) startProbe();
  const CodeId code = codeId(rec.value("code", ""));
  record_ = index;
  syncFrames(name, code,
             rec.value("depth", int(stack_.size()) + (isEntry(name) ? 1 : 0)));
  Occurrence o;
  o.event = *ev;
  o.code = code;
  // CPython ≤3.14 can report a garbage (negative) offset for the RAISE of a raising
  // JUMP callback; the model takes offset 0, the comparison keeps the recorded one.
  rawOffset_ = rec.value("offset", 0);
  o.offset = std::max(rawOffset_, 0);
  std::optional<int> line;
  if (rec.contains("line") && rec["line"].is_number_integer())
    line = rec["line"].get<int>();
  if (*ev == Event::Line) o.aux = line.value_or(0);
  if (rec.contains("dest") && rec["dest"].is_number_integer())
    o.aux = rec["dest"].get<int>();
  std::string exc;
  if (rec.contains("exc") && rec["exc"].is_object()) exc = rec["exc"].value("type", "");
  if (*ev == Event::StopIteration) exc = "StopIteration";
  o.exception = exc;
  feed(o, index, line);
  if (isExit(name) && !stack_.empty()) exitFrame();
}

const Clause* Replayer::pickClause(const Callback& cb, int n, const Delivery& d) const {
  const std::string& id = codeNames_[d.code.value];
  const TraceCode* tc = t_.code(id);
  const std::string qualname = tc ? tc->qualname : id;
  for (const Clause& c : cb) {
    const When& w = c.when;
    auto in = [](const auto& v, const auto& x) {
      return v.empty() || std::find(v.begin(), v.end(), x) != v.end();
    };
    if (!in(w.nth, n)) continue;
    if (w.fromNth && n < *w.fromNth) continue;
    if (!w.functions.empty() && !in(w.functions, qualname) && !in(w.functions, id))
      continue;
    if (!w.lines.empty() && (!line_ || !in(w.lines, *line_))) continue;
    if (!in(w.offsets, d.offset)) continue;
    return &c;
  }
  return nullptr;
}

std::optional<ApiCall> Replayer::callFor(const json& action, bool literal) {
  std::string why;
  auto call =
      makeApiCall(action.value(literal ? "api" : "fn", ""),
                  action.value("args", json::array()), literal, p_, resolver_, why);
  if (!call) out_.notes.push_back("record " + std::to_string(record_) + ": " + why);
  return call;
}

CallbackAction Replayer::onCallback(const Delivery& d) {
  calls_.clear();
  CallableInfo& info = callables_[d.callable.value];
  ++info.calls;
  const int t = d.tool.value;
  auto obs = observed_.find({record_, t});
  const json* seen = obs == observed_.end() ? nullptr : obs->second;
  CallbackAction a;
  if (info.kind == CallableInfo::Kind::Probe) return a;
  if (info.kind == CallableInfo::Kind::Program || !info.clauses) {
    if (info.kind == CallableInfo::Kind::Program && seen) {
      // Program code decides; the model takes what it did from the record.
      if (seen->contains("raised")) {
        raiseType_ = (*seen)["raised"].value("type", "Exception");
        raiseMessage_.clear();
        a.raiseType = raiseType_;
      }
      const json ret = seen->value("returned", json());
      a.disable = ret.is_object() && ret.value("marker", "") == "DISABLE";
      for (const json& c : callsOf(*seen))
        if (c.value("kind", "") == "api")
          if (auto call = callFor(c, false)) calls_.push_back(std::move(*call));
    }
    a.calls = calls_;
    return a;
  }
  const Clause* c = pickClause(*info.clauses, info.calls, d);
  if (!c) return a;
  clauseOf_[t] = c->loc;
  const bool onlyApi = std::all_of(c->actions.begin(), c->actions.end(),
                                   [](const json& x) { return x.contains("api"); });
  if (onlyApi) {
    for (const json& x : c->actions)
      if (auto call = callFor(x, true)) calls_.push_back(std::move(*call));
  } else if (seen) {
    // Actions that run program code: its API calls come from the record.
    for (const json& x : callsOf(*seen))
      if (x.value("kind", "") == "api")
        if (auto call = callFor(x, false)) calls_.push_back(std::move(*call));
  }
  if (c->raise) {
    raiseType_ = c->raise->value("type", "Exception");
    const json args = c->raise->value("args", json::array());
    raiseMessage_ =
        args.size() == 1 && args[0].is_string() ? args[0].get<std::string>() : "";
    a.raiseType = raiseType_;
    a.raiseMessage = raiseMessage_;
  }
  a.disable = c->returnsDisable;
  a.calls = calls_;
  return a;
}

void Replayer::onDelivery(const Delivery& d) {
  const int t = d.tool.value;
  if (t == t_.probeTool) {
    if (synthetic_)
      out_.probeMissed.emplace_back(
          record_, std::string(p_.name(d.event)) + " in " + codeNames_[d.code.value] +
                       " at offset " + std::to_string(d.offset));
    return;
  }
  PredictedDelivery p;
  p.tool = t;
  p.event = d.viaBranchWrapper ? "BRANCH" : std::string(p_.name(d.event));
  p.code = codeNames_[d.code.value];
  p.offset = rawOffset_;
  p.aux = d.aux;
  p.line = line_;
  p.exc = std::string(d.exception);
  switch (d.result) {
    case CallbackResult::Returned:
      p.result = "returned";
      break;
    case CallbackResult::ReturnedDisable:
    case CallbackResult::DisableRejected:
      p.result = "disable";
      break;
    case CallbackResult::Raised:
      p.result = "raised";
      p.raisedType = raiseType_;
      break;
  }
  p.record = record_;
  p.why = why_[t];
  p.clause = clauseOf_[t];
  auto repr = [this](CallableId c) { return reprOf(c); };
  for (const EffectRecord& e : d.effects)
    p.calls.push_back(
        {std::string(apiName(*e.call)), outcomeText(e.outcome, repr), nullptr, ""});
  // Pair the model's calls with the interpreter's, in order.
  auto obs = observed_.find({record_, t});
  if (obs != observed_.end()) {
    std::vector<const json*> seen;
    for (const json& c : callsOf(*obs->second))
      if (c.value("kind", "") == "api") seen.push_back(&c);
    for (size_t i = 0; i < p.calls.size() && i < seen.size(); ++i) {
      p.calls[i].observed = seen[i];
      p.calls[i].mismatch = compareOutcome(d.effects[i].outcome, *seen[i], repr);
      if (seen[i]->value("fn", "") != p.calls[i].fn)
        p.calls[i].mismatch = "the model calls " + p.calls[i].fn + ", the interpreter " +
                              seen[i]->value("fn", "?");
    }
  }
  out_.deliveries.push_back(std::move(p));
}

Prediction Replayer::run() {
  associateObserved();
  for (size_t i = 0; i < t_.records.size(); ++i) {
    const json& r = t_.records[i];
    const std::string kind = r.value("kind", "");
    if (kind == "delivery" && unseen_.count(i) && r.value("event", "") != "BRANCH") {
      // An occurrence the probe missed: taken from the first tool that got it.
      json e = r;
      e["kind"] = "event";
      const std::string code = r.value("code", "");
      const bool here = !stack_.empty() && codeNames_[stack_.back().value] == code;
      e["depth"] = int(stack_.size()) + (here ? 0 : 1);
      out_.notes.push_back("record " + std::to_string(i) + ": " + r.value("event", "") +
                           " in " + code + " was not seen by the probe; fed from tool " +
                           std::to_string(r.value("tool", -1)) + "'s delivery");
      synthetic_ = true;
      replayEvent(i, e);
      synthetic_ = false;
    } else if (kind == "api") {
      replayApi(i, r);
    } else if (kind == "step") {
      if (!probeStarted_ && t_.probeTool >= 0) startProbe();
    } else if (kind == "event") {
      replayEvent(i, r);
    }
  }
  return std::move(out_);
}

// The oracle's tool setup (oracle/monsim_oracle/runner.py setup_tools), for scripts.
void Replayer::setupTools() {
  for (const ToolSpec& tool : s_.tools) {
    auto api = [&](const std::string& fn, json args) {
      json rec{{"kind", "api"}, {"by", "setup"}, {"fn", fn}, {"args", std::move(args)}};
      std::string why;
      if (auto call = makeApiCall(fn, rec["args"], true, p_, resolver_, why))
        m_.step(*call);
    };
    if (tool.use) api("use_tool_id", json::array({tool.id, tool.name}));
    std::vector<std::string> names;
    for (const auto& [ev, cb] : tool.callbacks) names.push_back(ev);
    if (tool.autoCallbacks) {
      auto add = [&](const std::string& n) {
        if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
      };
      for (const auto& n : tool.events) add(n);
      for (const auto& [fn, evs] : tool.local)
        for (const auto& n : evs) add(n);
    }
    for (const std::string& n : names) {
      CallableInfo info;
      info.kind = CallableInfo::Kind::Declared;
      info.repr = "<tool>";
      info.clauses = declaredClauses(tool.id, n);
      const CallableId id = newCallable(info);
      const auto ev = eventNamed(n);
      if (!ev || !p_.has(*ev)) continue;
      m_.step(ApiCall{
          RegisterCallback{PyInt{tool.id}, PyInt{int64_t(1) << p_.bitOf(*ev)}, id}});
    }
    auto events = [](const std::vector<std::string>& names) {
      return json{{"$", "events"}, {"names", names}};
    };
    if (!tool.events.empty())
      api("set_events", json::array({tool.id, events(tool.events)}));
    for (const auto& [fn, evs] : tool.local)
      api("set_local_events",
          json::array({tool.id, json{{"$", "code"}, {"of", fn}}, events(evs)}));
  }
}

Prediction Replayer::runScript() {
  for (const auto& [name, line] : s_.scriptFunctions) codeId(name);
  setupTools();
  for (size_t i = 0; i < s_.script.size(); ++i) {
    const ScriptStep& st = s_.script[i];
    record_ = i;
    switch (st.kind) {
      case ScriptStep::Kind::Api: {
        ApiCheck check;
        check.record = i;
        check.fn = st.fn;
        check.by = "step";
        std::string why;
        auto call = makeApiCall(st.fn, st.args, true, p_, resolver_, why);
        if (!call) {
          check.modelled = false;
          check.predicted = why;
        } else {
          Outcome o = m_.step(*call);
          check.predicted = outcomeText(o, [this](CallableId c) { return reprOf(c); });
          check.outcome = std::move(o);
        }
        out_.api.push_back(std::move(check));
        break;
      }
      case ScriptStep::Kind::Enter:
        m_.step(FrameEnter{codeId(st.function)});
        stack_.push_back(codeId(st.function));
        break;
      case ScriptStep::Kind::Exit:
        if (stack_.empty() || stack_.back() != codeId(st.function)) {
          out_.notes.push_back(st.loc.str() + ": exit of " + st.function +
                               ", which is not the innermost frame");
          break;
        }
        exitFrame();
        break;
      case ScriptStep::Kind::Event: {
        const auto ev = eventNamed(st.event);
        if (!ev) break;
        const CodeId code = codeId(st.function);
        if (std::find(stack_.begin(), stack_.end(), code) == stack_.end()) {
          out_.notes.push_back(st.loc.str() + ": " + st.event + " in " + st.function +
                               ", which has no frame (add an `enter` step)");
          break;
        }
        Occurrence o;
        o.event = *ev;
        o.code = code;
        o.offset = st.offset;
        if (*ev == Event::Line) o.aux = st.line.value_or(0);
        if (st.dest) o.aux = *st.dest;
        std::string exc =
            st.exc.value_or(*ev == Event::StopIteration ? "StopIteration" : "");
        o.exception = exc;
        rawOffset_ = o.offset;
        feed(o, i, st.line);
        break;
      }
    }
  }
  return std::move(out_);
}

}  // namespace

Prediction predictScript(const Scenario& s, PyVersion v) {
  Trace t;
  t.scenario = s.id;
  for (const auto& [name, line] : s.scriptFunctions)
    t.codes[name] = TraceCode{name, name, line, true};
  Replayer r(s, t, v);
  return r.runScript();
}

Prediction predict(const Scenario& s, const Trace& trace, PyVersion v) {
  Replayer r(s, trace, v);
  return r.run();
}

}  // namespace monsim::harness
