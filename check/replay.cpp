#include "check/replay.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "check/api_values.h"
#include "check/capi_calls.h"
#include "check/occurrence_facts.h"
#include "model/monitor.h"

namespace monsim::harness {

using nlohmann::json;  // scenario literals (Clause::actions, the oracle's tool setup)
using ModelDelivery = monsim::Delivery;

const std::array<Reason, 6>* Prediction::reasonsAt(size_t record) const {
  auto it = std::lower_bound(reasons.begin(), reasons.end(), record,
                             [](const auto& p, size_t r) { return p.first < r; });
  return it != reasons.end() && it->first == record ? &it->second : nullptr;
}

namespace {

// What a registered callable is, so the policy knows how it behaves.
struct CallableInfo {
  enum class Kind { Declared, Handler, Program, Probe, Trace };
  Kind kind = Kind::Program;
  std::string repr;  // as the oracle records it
  const Callback* clauses = nullptr;
  int calls = 0;  // the oracle's `n`: per registration
};

// Replays one trace on a Monitor; the CallbackPolicy and DeliverySink of that run.
class Replayer final : public CallbackPolicy, public DeliverySink {
 public:
  Replayer(const Scenario& s, const Trace& t, PyVersion v, Run run = Run::WithProbe)
      : s_(s), t_(t), m_(v), p_(m_.profile()), run_(run), facts_(t, m_.profile()) {
    resolver_.code = [this](const CodeRef& c) { return codeArg(c); };
    resolver_.callable = [this](const CallableRef& c) { return callableArg(c); };
    for (const ToolSpec& tool : s.tools) tools_[tool.id] = &tool;
  }

  Prediction run();
  Prediction runScript();
  bool sticky = false;  // 3.12's f_trace_opcodes flag was set before the run
  void setupTools();

  CallbackAction onCallback(const ModelDelivery& d) override;
  void onDelivery(const ModelDelivery& d) override;

 private:
  CodeId codeId(const std::string& id);
  std::optional<CodeId> codeArg(const CodeRef& c);
  CallableArg callableArg(const CallableRef& c);
  CallableId newCallable(CallableInfo info);
  // A trace or profile function, by the oracle's label ("trace:T"): one handle per
  // label, as the oracle keeps one wrapper per function and hook.
  CallableId traceCallable(const std::string& label);
  CallbackAction traceCallback(const ModelDelivery& d, CallableInfo& info,
                               const TraceRecord* seen);
  // What program code did in a callback, from its record: its exception and its API
  // calls (into calls_).
  void actAsRecorded(const TraceRecord& seen, CallbackAction& a);
  // A declared clause: its actions (modelled ones directly; with program code, the API
  // calls from the record) and its exception.
  void actAsDeclared(const Clause& c, const TraceRecord* seen, CallbackAction& a);
  std::string reprOf(CallableId c) const {
    return c.value < callables_.size() ? callables_[c.value].repr : "?";
  }
  const Callback* declaredClauses(int tool, const std::string& event) const;
  void associateObserved();
  void startProbe();
  void replayApi(size_t index, const TraceRecord& rec);
  void replayCapi(size_t index, const TraceRecord& rec);
  void replayEvent(size_t index, const TraceRecord& rec);
  void syncFrames(Event event, CodeId code, int depth);
  // `offset` lies before the code's first RESUME: a generator that never ran.
  bool beforeStart(CodeId code, int64_t offset) const;
  void exitFrame(bool suspends = false);
  void feed(const Occurrence& o, size_t record, std::optional<int> line);
  const Clause* pickClause(const Callback& cb, int n, const ModelDelivery& d) const;
  std::optional<ApiCall> callFor(const json& action);  // a scenario `api` action
  // The model's calls for a scenario action the model knows (api, settrace,
  // setprofile, frame); false for one that runs program code.
  bool addCallsFor(const json& action);
  std::optional<ApiCall> callFor(const TraceRecord& api);

  const Scenario& s_;
  const Trace& t_;
  Monitor m_;
  const VersionProfile& p_;
  const Run run_;
  ArgResolver resolver_;
  std::array<const ToolSpec*, 6> tools_{};
  std::map<std::string, CodeId> codeIds_;
  std::vector<std::string> codeNames_;
  std::vector<bool> capiCode_;  // per CodeId: a C API code-like object (TraceCode::capi)
  std::vector<CallableInfo> callables_;
  std::map<std::string, CallableId> traceCallables_;
  // (event record, tool) -> the interpreter's delivery record
  std::map<std::pair<size_t, int>, const TraceRecord*> observed_;
  // The callbacks running, innermost last, each with the interpreter's record of it
  // (or null) and how many of the deliveries in its `calls` are taken: a C API fire
  // inside a callback delivers there (behaviour §13.4). Pushed by onCallback, popped
  // by onDelivery of the same delivery.
  struct Running {
    const TraceRecord* record = nullptr;
    size_t taken = 0;
  };
  std::vector<Running> running_;
  const TraceRecord* observedFor(int tool);
  std::set<size_t> unseen_;  // occurrences the probe missed, keyed by a delivery record
  std::vector<CodeId> stack_;
  OccurrenceFacts facts_;  // what the occurrence rules read (behaviour §14.3)
  int32_t fedOffset_ = 0;  // the occurrence as the model was given it
  Event fedEvent_ = Event::PyStart;
  int step_ = -1;  // the step running (its `step` record's index)
  bool probeStarted_ = false;
  bool synthetic_ = false;  // the occurrence comes from a delivery, not the probe
  bool raised_ = false;     // the last occurrence's dispatch ended with an exception
  uint64_t frameKey_ = 0;   // the yielding frame's identity (TraceRecord::frame)
  int64_t rawOffset_ = 0;   // the recorded offset of the occurrence being dispatched
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
  if (added) {
    codeNames_.push_back(id);
    const TraceCode* c = t_.code(id);
    capiCode_.push_back(c && c->capi);
  }
  return it->second;
}

std::optional<CodeId> Replayer::codeArg(const CodeRef& c) {
  if (!c.id.empty()) return codeId(c.id);
  for (const auto& [id, code] : t_.codes)
    if (code.program && code.qualname == c.function) return codeId(id);
  for (const auto& [name, line] : s_.scriptFunctions)
    if (name == c.function) return codeId(name);
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

CallableId Replayer::traceCallable(const std::string& label) {
  if (auto it = traceCallables_.find(label); it != traceCallables_.end())
    return it->second;
  CallableInfo info;
  info.repr = "<" + label + ">";
  info.kind = CallableInfo::Kind::Program;  // "trace:<f>": the program's function
  const size_t colon = label.find(':');
  if (colon != std::string::npos)
    if (auto it = s_.traceFunctions.find(label.substr(colon + 1));
        it != s_.traceFunctions.end()) {
      info.kind = CallableInfo::Kind::Trace;
      info.clauses = &it->second;
    }
  const CallableId id = newCallable(std::move(info));
  traceCallables_.emplace(label, id);
  return id;
}

CallableArg Replayer::callableArg(const CallableRef& c) {
  if (c.kind == CallableRef::Kind::None) return std::nullopt;
  if (c.kind == CallableRef::Kind::Trace) return traceCallable(c.handler);
  CallableInfo info;
  info.repr = c.repr;
  if (c.kind == CallableRef::Kind::Handler) {
    info.kind = CallableInfo::Kind::Handler;
    auto it = s_.handlers.find(c.handler);
    info.clauses = it == s_.handlers.end() ? nullptr : &it->second;
  } else if (c.kind == CallableRef::Kind::Declared) {
    info.kind = CallableInfo::Kind::Declared;  // "<tool>": set up per (tool, event)
  }
  return newCallable(std::move(info));
}

void Replayer::associateObserved() {
  for (const ObservedDelivery& d : associateDeliveries(t_)) {
    if (d.unseen) unseen_.insert(d.record);
    // Deliveries of fires made inside callbacks are found through those (running_).
    const bool nested = d.index < t_.records.size() && d.source != &t_.records[d.index];
    if (d.record != kNoRecord && !nested)
      observed_.emplace(std::make_pair(d.record, d.tool), d.source);
  }
}

void Replayer::startProbe() {
  probeStarted_ = true;
  if (run_ == Run::Alone) return;  // the same stream, without the probe's events
  const int probe = t_.probeTool;
  m_.step(ApiCall{UseToolId{PyInt{probe}, PyStr{"monsim-probe"}}});
  EventSet mask;
  const bool instruction = t_.instruction;
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

// A step's C API call (behaviour §13): the model's call is the scenario's action; a
// fire dispatches here, its deliveries keyed by this record.
void Replayer::replayCapi(size_t index, const TraceRecord& rec) {
  ApiCheck check;
  check.record = index;
  check.fn = rec.fn;
  check.by = rec.by;
  const json* steps = s_.oracle.contains("steps") ? &s_.oracle["steps"] : nullptr;
  std::string why = "a C API call not made by a step is not modelled";
  std::optional<ApiCall> call;
  if (rec.by == ApiCaller::Step && steps && step_ >= 0 && size_t(step_) < steps->size())
    call = capiCall((*steps)[size_t(step_)], s_,
                    [this](const std::string& c) { return codeId(c); }, why);
  if (!call) {
    check.modelled = false;
    check.predicted = why;
    out_.api.push_back(std::move(check));
    return;
  }
  record_ = index;
  line_ = std::nullopt;
  if (const auto* f = std::get_if<CapiFire>(&*call); f && f->event == Event::Line)
    line_ = f->aux;  // for `when.lines`
  Outcome o = m_.step(*call, *this, *this);
  auto repr = [this](CallableId c) { return reprOf(c); };
  check.predicted = outcomeText(o, repr);
  if (run_ == Run::WithProbe) check.mismatch = compareOutcome(o, rec, repr);
  check.outcome = std::move(o);
  out_.api.push_back(std::move(check));
}

void Replayer::replayApi(size_t index, const TraceRecord& rec) {
  if (rec.capi) return replayCapi(index, rec);
  ApiCheck check;
  check.record = index;
  check.fn = rec.fn.empty() ? "?" : rec.fn;
  check.by = rec.by;
  std::string why;
  std::optional<ApiCall> call;
  if (rec.kwargs)
    why = "keyword arguments are not modelled";
  else
    call = makeApiCall(check.fn, rec.args, p_, resolver_, why);
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
  if (run_ == Run::WithProbe) check.mismatch = compareOutcome(o, rec, repr);
  check.outcome = std::move(o);
  out_.api.push_back(std::move(check));
}

void Replayer::exitFrame(bool suspends) {
  m_.step(FrameExit{stack_.back(), suspends, suspends ? frameKey_ : 0});
  stack_.pop_back();
}

// Keeps the model's frame stack equal to the interpreter's: `depth` counts the
// program-visible frames up to the one the event happens in.
bool Replayer::beforeStart(CodeId code, int64_t offset) const {
  const TraceCode* c = t_.code(codeNames_[code.value]);
  if (!c) return false;
  for (const auto& [at, i] : c->instructions)
    if (i.op == Opcode::Resume) return offset < at;
  return false;
}

void Replayer::syncFrames(Event event, CodeId code, int depth) {
  if (isFrameEntry(event)) {
    while (int(stack_.size()) > depth - 1 && !stack_.empty()) exitFrame();
    FrameEnter enter{code};
    enter.frame = t_.records[record_].frame;
    std::tie(enter.callerBranch, enter.callerBranchEvent) = facts_.callerBranch(record_);
    // A suspended frame resumes; a throw into a generator that never started (before
    // its first RESUME) starts a fresh frame.
    enter.resumes =
        event == Event::PyResume ||
        (event == Event::PyThrow && !beforeStart(code, t_.records[record_].offset));
    m_.step(enter);
    stack_.push_back(code);
    return;
  }
  while (int(stack_.size()) > depth && !stack_.empty()) exitFrame();
  if (stack_.empty() || stack_.back() != code) {
    out_.notes.push_back("record " + std::to_string(record_) + ": " +
                         std::string(eventName(event)) + " in " + codeNames_[code.value] +
                         " without a frame start seen by the probe; assuming one");
    if (!stack_.empty() && int(stack_.size()) == depth) exitFrame();
    m_.step(FrameEnter{code});
    stack_.push_back(code);
  }
}

void Replayer::feed(const Occurrence& o, size_t record, std::optional<int> line) {
  record_ = record;
  fedOffset_ = o.offset;
  fedEvent_ = o.event;
  line_ = line;
  for (int t = 0; t < 6; ++t) why_[t] = m_.explain(ToolId{t}, o);
  out_.reasons.emplace_back(record, why_);
  clauseOf_.fill(std::nullopt);
  const Outcome out = m_.step(o, *this, *this);
  const auto* d = std::get_if<Dispatched>(&out);
  raised_ = d && d->raised;
}

void Replayer::replayEvent(size_t index, const TraceRecord& rec) {
  if (!probeStarted_ && t_.probeTool >= 0) startProbe();
  if (rec.capi) return;  // the probe's delivery of a C-fired event
  const CodeId code = codeId(rec.code);
  record_ = index;
  syncFrames(rec.event, code,
             rec.depth.value_or(int(stack_.size()) + (isFrameEntry(rec.event) ? 1 : 0)));
  Occurrence o;
  o.event = rec.event;
  o.code = code;
  // CPython ≤3.14 can report a garbage (negative) offset for the RAISE of a raising
  // JUMP callback; the model takes offset 0 (its offsets are 32-bit), the comparison
  // keeps the recorded one.
  rawOffset_ = rec.offset;
  o.offset = std::max(static_cast<int32_t>(rawOffset_), 0);
  if (rec.event == Event::Line) o.aux = rec.line.value_or(0);
  if (rec.dest) o.aux = *rec.dest;
  std::string exc;
  if (rec.exc) exc = rec.exc->type;
  if (rec.event == Event::StopIteration) exc = "StopIteration";
  o.exception = exc;
  facts_.fill(rec, stack_.size(), o);
  feed(o, index, rec.line);
  // A callback raising at PY_RETURN/PY_YIELD keeps the frame (behaviour §9.6): its
  // exception is raised at the return, in the frame.
  const bool stays = raised_ && rec.event != Event::PyUnwind;
  if (isFrameExit(rec.event) && !stack_.empty() && !stays) {
    frameKey_ = rec.frame;
    exitFrame(rec.event == Event::PyYield);
  }
}

const Clause* Replayer::pickClause(const Callback& cb, int n,
                                   const ModelDelivery& d) const {
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

std::optional<ApiCall> Replayer::callFor(const json& action) {
  std::string why;
  auto call = makeLiteralApiCall(action.value("api", ""),
                                 Literal{action.value("args", json::array())}, p_,
                                 resolver_, why);
  if (!call) out_.notes.push_back("record " + std::to_string(record_) + ": " + why);
  return call;
}

bool Replayer::addCallsFor(const json& action) {
  if (action.contains("capi")) {
    std::string why;
    auto id = [this](const std::string& c) { return codeId(c); };
    if (auto call = capiCall(action, s_, id, why))
      calls_.push_back(std::move(*call));
    else
      out_.notes.push_back("record " + std::to_string(record_) + ": " + why);
    return true;
  }
  if (action.contains("api")) {
    if (auto call = callFor(action)) calls_.push_back(std::move(*call));
    return true;
  }
  auto fn = [&](const json& name, int tool) -> CallableArg {
    if (!name.is_string()) return std::nullopt;
    return traceCallable(std::string(hookName(tool)) + ":" + name.get<std::string>());
  };
  if (action.contains("settrace")) {
    calls_.push_back(SetTrace{fn(action["settrace"], kTraceTool)});
    return true;
  }
  if (action.contains("setprofile")) {
    calls_.push_back(SetProfile{fn(action["setprofile"], kProfileTool)});
    return true;
  }
  if (action.contains("frame") && action["frame"].is_object()) {
    const json& f = action["frame"];  // the oracle's order: f_trace first
    if (f.contains("f_trace"))
      calls_.push_back(SetFrameTrace{fn(f["f_trace"], kTraceTool)});
    if (f.contains("f_trace_lines"))
      calls_.push_back(SetFrameTraceLines{f["f_trace_lines"] == true});
    if (f.contains("f_trace_opcodes"))
      calls_.push_back(SetFrameTraceOpcodes{f["f_trace_opcodes"] == true});
    return true;
  }
  return false;
}

std::optional<ApiCall> Replayer::callFor(const TraceRecord& api) {
  std::string why;
  auto call = makeApiCall(api.fn, api.args, p_, resolver_, why);
  if (!call) out_.notes.push_back("record " + std::to_string(record_) + ": " + why);
  return call;
}

const TraceRecord* Replayer::observedFor(int tool) {
  if (running_.empty()) {
    auto obs = observed_.find({record_, tool});
    return obs == observed_.end() ? nullptr : obs->second;
  }
  Running& outer = running_.back();  // a fire made by this callback
  if (!outer.record) return nullptr;
  const auto& calls = outer.record->calls;
  for (size_t i = outer.taken; i < calls.size(); ++i)
    if (calls[i].kind == RecordKind::Delivery && calls[i].tool == tool) {
      outer.taken = i + 1;
      return &calls[i];
    }
  return nullptr;
}

CallbackAction Replayer::onCallback(const ModelDelivery& d) {
  calls_.clear();
  CallableInfo& info = callables_[d.callable.value];
  ++info.calls;
  const int t = d.tool.value;
  const TraceRecord* seen = observedFor(t);
  running_.push_back({seen, 0});
  CallbackAction a;
  if (info.kind == CallableInfo::Kind::Probe) return a;
  if (isHookTool(t)) return traceCallback(d, info, seen);
  if (info.kind == CallableInfo::Kind::Program || !info.clauses) {
    if (info.kind == CallableInfo::Kind::Program && seen) {
      // Program code decides; the model takes what it did from the record.
      actAsRecorded(*seen, a);
      a.disable = seen->returned && seen->returned->kind == TraceValue::Kind::Disable;
    }
    a.calls = calls_;
    return a;
  }
  const Clause* c = pickClause(*info.clauses, info.calls, d);
  if (!c) return a;
  clauseOf_[t] = c->loc;
  actAsDeclared(*c, seen, a);
  a.disable = c->returnsDisable;
  a.calls = calls_;
  return a;
}

void Replayer::actAsRecorded(const TraceRecord& seen, CallbackAction& a) {
  if (seen.raised) {
    raiseType_ = seen.raised->type.empty() ? "Exception" : seen.raised->type;
    raiseMessage_.clear();
    a.raiseType = raiseType_;
  }
  for (const TraceRecord& x : seen.calls)
    if (x.kind == RecordKind::Api)
      if (auto call = callFor(x)) calls_.push_back(std::move(*call));
}

void Replayer::actAsDeclared(const Clause& c, const TraceRecord* seen,
                             CallbackAction& a) {
  const bool modelled =
      std::all_of(c.actions.begin(), c.actions.end(), [](const json& x) {
        return !x.contains("call") && !x.contains("gen") && !x.contains("delete");
      });
  if (modelled) {
    for (const json& x : c.actions) addCallsFor(x);
  } else {
    // Program code an action runs makes the API calls the record shows after that
    // action's record; the clause's own API actions are taken as declared, so a
    // clause acting at another delivery than in the recorded run (the run without
    // the probe counts `nth` differently) still does what it declares.
    std::vector<std::vector<const TraceRecord*>> byProgram;
    static const std::vector<TraceRecord> kNone;
    for (const TraceRecord& x : seen ? seen->calls : kNone) {
      if (x.kind == RecordKind::Action)
        byProgram.emplace_back();
      else if (x.kind == RecordKind::Api && x.by == ApiCaller::Program &&
               !byProgram.empty())
        byProgram.back().push_back(&x);
    }
    size_t program = 0;
    for (const json& x : c.actions) {
      if (x.contains("call") || x.contains("gen") || x.contains("delete")) {
        if (program < byProgram.size())
          for (const TraceRecord* r : byProgram[program])
            if (auto call = callFor(*r)) calls_.push_back(std::move(*call));
        ++program;
      } else {
        addCallsFor(x);
      }
    }
  }
  if (c.raise) {
    raiseType_ = c.raise->value("type", "Exception");
    const json args = c.raise->value("args", json::array());
    raiseMessage_ =
        args.size() == 1 && args[0].is_string() ? args[0].get<std::string>() : "";
    a.raiseType = raiseType_;
    a.raiseMessage = raiseMessage_;
  }
}

// A trace or profile function (behaviour §12): a declared one acts by the first
// clause whose `when` (with `events`) holds; the program's own did what its record
// says. What it returns matters when it is a trace function (the frame's next one).
CallbackAction Replayer::traceCallback(const ModelDelivery& d, CallableInfo& info,
                                       const TraceRecord* seen) {
  CallbackAction a;
  const Clause* c = nullptr;
  if (info.kind == CallableInfo::Kind::Trace && info.clauses) {
    const std::string_view ev = legacyEventName(d.legacy);
    for (const Clause& k : *info.clauses) {
      const auto& evs = k.when.events;
      if (!evs.empty() && std::find(evs.begin(), evs.end(), ev) == evs.end()) continue;
      if (pickClause(Callback{k}, info.calls, d)) {
        c = &k;
        break;
      }
    }
  }
  if (info.kind != CallableInfo::Kind::Trace) {
    if (!seen) return a;
    actAsRecorded(*seen, a);
    if (seen->returned && seen->returned->type == "trace_function")
      a.traceReturn = callableArg(callableOfRecorded(*seen->returned));
    a.calls = calls_;
    return a;
  }
  if (!c) return a;
  actAsDeclared(*c, seen, a);
  if (c->returns && c->returns->is_object() && c->returns->value("$", "") == "trace")
    a.traceReturn = traceCallable(std::string(hookName(kTraceTool)) + ":" +
                                  c->returns->value("name", ""));
  a.calls = calls_;
  return a;
}

void Replayer::onDelivery(const ModelDelivery& d) {
  const int t = d.tool.value;
  const TraceRecord* seen = nullptr;  // the interpreter's record of this delivery
  if (!running_.empty()) {
    seen = running_.back().record;
    running_.pop_back();
  }
  if (t == t_.probeTool) {
    if (synthetic_) {
      Delivery probe;
      probe.record = record_;
      probe.tool = t;
      probe.event = d.event;
      probe.code = codeNames_[d.code.value];
      probe.offset = d.offset;
      out_.probeMissed.push_back(std::move(probe));
    }
    return;
  }
  PredictedDelivery p;
  p.why = Reason::NotSet;
  p.record = record_;
  p.tool = t;
  p.event = d.viaBranchWrapper ? Event::Branch : d.event;
  p.code = codeNames_[d.code.value];
  p.offset = rawOffset_;
  p.line = line_;
  if (capiCode_[d.code.value]) {
    // A C-fired event (behaviour §13): its own arguments; LINE gets no offset.
    p.why = Reason::CapiState;
    p.offset = d.event == Event::Line ? 0 : d.offset;
    p.line = d.event == Event::Line ? std::optional<int>(d.aux) : std::nullopt;
  } else if (d.offset != fedOffset_ || d.event != fedEvent_) {
    // An occurrence rule moved the delivery (R4): its own offset and line.
    p.offset = d.offset;
    // R4 adds a STOP_ITERATION and moves a RAISE/PY_UNWIND; R6 moves a branch source.
    const bool branch = fedEvent_ == Event::BranchLeft || fedEvent_ == Event::BranchRight;
    p.why = branch && d.event == fedEvent_ ? Reason::UnwrappedBranchSource
                                           : Reason::ForIterSpecialised;
    const TraceCode* c = t_.code(p.code);
    const TraceInstruction* i = c ? c->instructionAt(d.offset) : nullptr;
    p.line = i ? i->line : std::nullopt;
  }
  const bool hasAux = p.event == Event::Line || p.event == Event::Jump ||
                      p.event == Event::Branch || p.event == Event::BranchLeft ||
                      p.event == Event::BranchRight;
  p.aux = hasAux ? d.aux : 0;
  p.exc = std::string(d.exception);
  switch (d.result) {
    case CallbackResult::Returned:
      p.result = CallbackOutcome::Returned;
      break;
    case CallbackResult::ReturnedDisable:
    case CallbackResult::DisableRejected:
      p.result = CallbackOutcome::ReturnedDisable;
      break;
    case CallbackResult::Raised:
      p.result = CallbackOutcome::Raised;
      p.raisedType = raiseType_;
      break;
  }
  if (isHookTool(t)) {
    p.legacy = d.legacy;
    if (d.legacy != LegacyEvent::Exception) p.exc.clear();  // only 'exception' has one
    // The frame's f_lineno: a 'line' from a backward jump reports the target's line.
    if (d.event == Event::Jump)
      if (const TraceCode* c = t_.code(p.code))
        if (const TraceInstruction* i = c->instructionAt(d.aux)) p.line = i->line;
    const std::string repr = reprOf(d.callable);
    p.hookFunction = repr.size() > 2 ? repr.substr(1, repr.size() - 2) : repr;
    if (p.why == Reason::NotSet) p.why = Reason::HookHandler;
  } else {
    if (p.why == Reason::NotSet) p.why = why_[t];
    p.clause = clauseOf_[t];
  }
  p.raises =
      d.result == CallbackResult::Raised || d.result == CallbackResult::DisableRejected;
  auto repr = [this](CallableId c) { return reprOf(c); };
  for (const EffectRecord& e : d.effects)
    p.calls.push_back(
        {callName(*e.call), outcomeText(e.outcome, repr), e.outcome, nullptr, ""});
  // Pair the model's calls with the interpreter's, in order (the run without the
  // probe is paired when its deliveries are aligned: compareAlone).
  if (run_ == Run::WithProbe && seen) {
    std::vector<const TraceRecord*> apis;
    for (const TraceRecord& c : seen->calls)
      if (c.kind == RecordKind::Api) apis.push_back(&c);
    for (size_t i = 0; i < p.calls.size() && i < apis.size(); ++i) {
      p.calls[i].observed = apis[i];
      p.calls[i].mismatch = compareOutcome(d.effects[i].outcome, *apis[i], repr);
      if (apis[i]->fn != p.calls[i].fn)
        p.calls[i].mismatch = "the model calls " + p.calls[i].fn + ", the interpreter " +
                              (apis[i]->fn.empty() ? "?" : apis[i]->fn);
    }
  }
  out_.deliveries.push_back(std::move(p));
}

Prediction Replayer::run() {
  associateObserved();
  // An earlier run set f_trace_opcodes on some frame (3.12's flag outlives runs).
  if (sticky) m_.step(ApiCall{SetFrameTraceOpcodes{true}});
  for (size_t i = 0; i < t_.records.size(); ++i) {
    const TraceRecord& r = t_.records[i];
    if (r.kind == RecordKind::Delivery && unseen_.count(i) && r.event != Event::Branch) {
      // An occurrence the probe missed: taken from the first tool that got it.
      TraceRecord e = r;
      e.kind = RecordKind::Event;
      // A trace function's 'line' at a backward jump: the jump stays on its line.
      if (r.legacy && r.event == Event::Jump) e.dest = int(r.offset);
      const bool here = !stack_.empty() && codeNames_[stack_.back().value] == r.code;
      e.depth = int(stack_.size()) + (here ? 0 : 1);
      out_.notes.push_back("record " + std::to_string(i) + ": " +
                           std::string(eventName(r.event)) + " in " + r.code +
                           " was not seen by the probe; fed from tool " +
                           std::to_string(r.tool) + "'s delivery");
      synthetic_ = true;
      replayEvent(i, e);
      synthetic_ = false;
    } else if (r.kind == RecordKind::Api) {
      replayApi(i, r);
    } else if (r.kind == RecordKind::Step) {
      if (!probeStarted_ && t_.probeTool >= 0) startProbe();
      step_ = r.index;
    } else if (r.kind == RecordKind::Event) {
      replayEvent(i, r);
    } else if (r.kind == RecordKind::Unknown && !r.unknownEvent.empty()) {
      out_.notes.push_back("record " + std::to_string(i) + ": unknown event " +
                           r.unknownEvent);
    }
  }
  for (const CallableInfo& c : callables_) out_.callableReprs.push_back(c.repr);
  return std::move(out_);
}

// The oracle's tool setup (oracle/monsim_oracle/runner.py setup_tools), for scripts.
void Replayer::setupTools() {
  for (const ToolSpec& tool : s_.tools) {
    auto api = [&](const std::string& fn, json args) {
      std::string why;
      if (auto call =
              makeLiteralApiCall(fn, Literal{std::move(args)}, p_, resolver_, why))
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
        check.by = ApiCaller::Step;
        std::string why;
        auto call = makeLiteralApiCall(st.fn, Literal{st.args}, p_, resolver_, why);
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
    t.codes[name] = TraceCode{name, name, line, true, {}};
  Replayer r(s, t, v);
  return r.runScript();
}

Prediction predict(const Scenario& s, const Trace& trace, PyVersion v, Run run,
                   std::optional<bool> opcodeTraceSticky) {
  Replayer r(s, trace, v, run);
  r.sticky = opcodeTraceSticky.value_or(trace.opcodeTraceSticky);
  return r.run();
}

}  // namespace monsim::harness
