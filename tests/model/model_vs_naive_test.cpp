// The model against the naive reference dispatcher (naive_reference.h; its
// instrumentation answered from the whole history in naive_history.h, the legacy
// hooks in naive_hooks.h) over random sequences of API calls (sys.settrace,
// sys.setprofile and the frame's trace attributes included), frame changes
// (generators suspending and resuming) and occurrences with scripted callbacks and
// trace / profile functions: every outcome and every delivery must agree (rc::state).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "generators/model_inputs.h"
#include "model/for_iter.h"
#include "model/monitor.h"
#include "model/mutant.h"
#include "tests/model/naive_reference.h"
#include "tests/rc_reproduce.h"

namespace monsim {
namespace {

using gen::interestingBits;
using naive::HookFacts;
using naive::Reference;
using naive::Script;
using naive::ToolAction;

// ---- generators ----

uint64_t gDeliveries = 0, gDisables = 0, gFires = 0, gApis = 0, gApiErrors = 0,
         gAllEvents = 0, gHookDeliveries = 0, gHookRaised = 0, gCapiDeliveries = 0,
         gNestedFires = 0;
std::map<std::string, uint64_t> gLegacyEvents;  // trace/profile calls per event

const rc::Gen<ApiCall>& genApiCall(int eventCount) {
  static const rc::Gen<ApiCall> g17 = gen::genModelApiCall(17, naive::kCodes),
                                g19 = gen::genModelApiCall(19, naive::kCodes);
  return eventCount == 17 ? g17 : g19;
}

rc::Gen<ToolAction> makeGenToolAction(int eventCount) {
  return rc::gen::weightedOneOf<ToolAction>({
      {6, rc::gen::just(ToolAction{})},
      {6, rc::gen::just(ToolAction{true, false, std::nullopt, {}})},
      {1, rc::gen::just(ToolAction{false, true, std::nullopt, {}})},
      {2, rc::gen::apply(
              [](ApiCall c, bool disable) {
                return ToolAction{disable, false, c, {}};
              },
              genApiCall(eventCount), rc::gen::arbitrary<bool>())},
  });
}

const rc::Gen<ToolAction>& genToolAction(int eventCount) {
  static const rc::Gen<ToolAction> g17 = makeGenToolAction(17),
                                   g19 = makeGenToolAction(19);
  return eventCount == 17 ? g17 : g19;
}

// A trace or profile function: returns None or a callable (the frame's next f_trace),
// raises, or makes an API call first (often settrace / setprofile / a frame attribute).
rc::Gen<ToolAction> makeGenHookAction(int eventCount) {
  auto returns = [](CallableArg r) { return ToolAction{false, false, std::nullopt, r}; };
  return rc::gen::weightedOneOf<ToolAction>({
      {10, rc::gen::just(ToolAction{})},
      {10, rc::gen::map(gen::genHookCallable(), returns)},
      {1, rc::gen::just(ToolAction{false, true, std::nullopt, {}})},
      {6, rc::gen::apply(
              [](ApiCall c, CallableArg r) {
                return ToolAction{false, false, c, r};
              },
              rc::gen::weightedOneOf<ApiCall>(
                  {{2, gen::genHookApiCall()}, {1, genApiCall(eventCount)}}),
              gen::genHookCallable())},
      {1, rc::gen::map(gen::genHookApiCall(),
                       [](ApiCall c) {
                         return ToolAction{false, true, c, {}};
                       })},
  });
}

const rc::Gen<ToolAction>& genHookAction(int eventCount) {
  static const rc::Gen<ToolAction> g17 = makeGenHookAction(17),
                                   g19 = makeGenHookAction(19);
  return eventCount == 17 ? g17 : g19;
}

// ---- system under test ----

// The model and, beside it, the run-time copy of the reference (rc::state's own
// model copy only drives generation; comparing against a mirror avoids copies).
struct Sut final : CallbackPolicy, DeliverySink {
  Sut(PyVersion v, int minor) : monitor(v), reference(minor) {}
  CallbackAction onCallback(const Delivery& d) override {
    // A callback of a C API fire made by another callback returns None, as in the
    // reference (each callback's delivery follows its call: the count pairs them).
    if (open++ > 0) return {};
    const ToolAction& a = (*script)[d.tool.value];
    CallbackAction out;
    out.disable = a.disable;
    out.traceReturn = a.traceReturn;
    if (a.raise) {
      out.raiseType = "RuntimeError";
      out.raiseMessage = "boom";
    }
    if (a.call) out.calls = std::span<const ApiCall>(&*a.call, 1);
    return out;
  }
  void onDelivery(const Delivery& d) override {
    naive::NaiveDelivery r{d.tool.value,
                           monitor.profile().bitOf(d.event),
                           d.callable.value,
                           d.viaBranchWrapper,
                           0,
                           {},
                           d.offset,
                           {}};
    if (d.tool.value >= 6) {
      r.legacy = std::string(legacyEventName(d.legacy));
      ++gHookDeliveries;
      ++gLegacyEvents[(d.tool.value == 7 ? "T:" : "P:") + r.legacy];
      gHookRaised += d.result == CallbackResult::Raised;
    }
    switch (d.result) {
      case CallbackResult::Returned:
        r.result = 0;
        break;
      case CallbackResult::ReturnedDisable:
        r.result = 1;
        break;
      case CallbackResult::DisableRejected:
        r.result = 2;
        break;
      case CallbackResult::Raised:
        r.result = 3;
        break;
    }
    for (const EffectRecord& e : d.effects) r.effects.push_back(e.outcome);
    --open;
    ++gDeliveries;
    gDisables += r.result == 1 || r.result == 2;
    log.push_back(std::move(r));
  }
  Monitor monitor;
  Reference reference;
  const Script* script = nullptr;
  std::vector<naive::NaiveDelivery> log;
  int open = 0;  // callbacks called whose delivery has not come yet
};

using Command = rc::state::Command<Reference, Sut>;

bool sameOutcome(const Outcome& a, const Outcome& b) { return a == b; }

// sys.gettrace() and sys.getprofile() agree.
void checkHooks(const Sut& sut) {
  auto id = [](std::optional<CallableId> f) {
    return f ? std::optional<uint32_t>(f->value) : std::nullopt;
  };
  RC_ASSERT(id(sut.monitor.traceFunction()) == sut.reference.traceFunction());
  RC_ASSERT(id(sut.monitor.profileFunction()) == sut.reference.profileFunction());
}

std::string describe(const Outcome& o) {
  if (auto* e = std::get_if<PyError>(&o)) return e->type + ": " + e->message;
  if (auto* i = std::get_if<IntValue>(&o)) return "int " + std::to_string(i->value);
  if (auto* c = std::get_if<CallableId>(&o))
    return "callable " + std::to_string(c->value);
  if (auto* s = std::get_if<StrValue>(&o)) return "str " + s->value;
  if (auto* a = std::get_if<AllEventsValue>(&o)) {
    std::string out = "_all_events {";
    for (const auto& e : a->entries)
      out += " " + std::string(e.event) + ":" + std::to_string(e.tools);
    return out + " }";
  }
  if (auto* d = std::get_if<Dispatched>(&o))
    return "dispatched " + std::to_string(d->deliveries) +
           (d->raised ? " raised " + d->raised->message : "");
  return "None";
}

// A counterexample a person can read: "set_local_events(2, code#1, 0x40)".
std::string argText(const PyArg& a) {
  struct V {
    std::string operator()(const PyInt& i) const { return std::to_string(i.value); }
    std::string operator()(const PyBool& b) const { return b.value ? "True" : "False"; }
    std::string operator()(const PyStr& s) const { return "'" + s.value + "'"; }
    std::string operator()(const PyNone&) const { return "None"; }
    std::string operator()(const PyObj& o) const { return "<" + o.typeName + ">"; }
  };
  return std::visit(V{}, a);
}
std::string argText(const CodeArg& c) {
  if (const auto* id = std::get_if<CodeId>(&c))
    return "code#" + std::to_string(id->value);
  return "<" + std::get<NotCode>(c).typeName + ">";
}
std::string argText(Event e) { return std::string(spec::kEvents[int(e)].name); }
std::string argText(const std::array<Event, kCapiMaxScopeEvents>& events) {
  std::string out = "[";
  for (Event e : events) out += argText(e) + " ";
  return out + "]";
}
std::string argText(const CallableArg& f) {
  return f ? "callable#" + std::to_string(f->value) : "None";
}
std::string callText(const ApiCall& call) {
  std::string args;
  auto add = [&](const auto& a) { args += (args.empty() ? "" : ", ") + argText(a); };
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (requires { c.tool; }) add(c.tool);
        if constexpr (requires { c.name; }) add(c.name);
        if constexpr (requires { c.code; }) add(c.code);
        if constexpr (requires { c.event; }) add(c.event);
        if constexpr (requires { c.events; }) add(c.events);
        if constexpr (requires { c.func; }) add(c.func);
        if constexpr (requires { c.on; }) add(PyArg(PyBool{c.on}));
        (void)sizeof(T);
      },
      call);
  return std::string(apiName(call)) + "(" + args + ")";
}

struct CallApi : Command {
  ApiCall call;
  explicit CallApi(const Reference& m) : call(*genApiCall(m.eventCount())) {}
  explicit CallApi(ApiCall c) : call(std::move(c)) {}
  void apply(Reference& m) const override { m.api(call); }
  void run(const Reference&, Sut& sut) const override {
    const Outcome expected = sut.reference.api(call);
    const Outcome actual = sut.monitor.step(call);
    ++gApis;
    gApiErrors += std::holds_alternative<PyError>(actual);
    gAllEvents += std::holds_alternative<AllEventsValue>(actual) &&
                  !std::get<AllEventsValue>(actual).entries.empty();
    RC_ASSERT(describe(expected) == describe(actual));
    RC_ASSERT(sameOutcome(expected, actual));
    checkHooks(sut);
  }
  void show(std::ostream& os) const override { os << callText(call); }
};

// sys.settrace / sys.setprofile / a frame attribute, from the innermost frame.
struct CallHookApi : CallApi {
  explicit CallHookApi(const Reference&) : CallApi(*gen::genHookApiCall()) {}
};

// A C API call (3.13+): a scope over two states of one of two version cells, or a
// fire with one of four states; callbacks return None here (scenarios cover the rest).
Event capiEvent(const Reference& m) {
  const int b = *rc::gen::elementOf(interestingBits(m.eventCount()));
  for (int e = 0; e < spec::kEventCount; ++e)
    if (spec::kEvents[e].name == m.names()[b]) return static_cast<Event>(e);
  return Event::PyStart;
}
template <class EventGen>
CapiFire genCapiFire(const Reference& m, EventGen event);
ApiCall genCapiCall(const Reference& m) {
  const auto event = [&] { return capiEvent(m); };
  if (*rc::gen::inRange(0, 3) == 0) {
    CapiEnterScope c;
    c.version = *rc::gen::inRange<uint16_t>(0, 2);
    c.firstState = *rc::gen::inRange<uint16_t>(0, 3);
    c.count = *rc::gen::inRange<uint8_t>(1, 3);
    for (int i = 0; i < c.count; ++i) c.events[i] = event();
    return c;
  }
  return genCapiFire(m, event);
}
template <class EventGen>
CapiFire genCapiFire(const Reference& m, EventGen event) {
  CapiFire f;
  do f.event = event();
  while (!VersionProfile(PyVersion(m.minor() - 12)).hasCapiFire(f.event));
  f.state = *rc::gen::inRange<uint16_t>(0, 4);
  f.offset = *rc::gen::inRange<int32_t>(-1, 3);
  f.exception = *rc::gen::arbitrary<bool>() ? "ValueError" : "";
  return f;
}

struct CallCapi : CallApi {
  explicit CallCapi(const Reference& m) : CallApi(pre(m)) {}
  static ApiCall pre(const Reference& m) {
    RC_PRE(m.minor() >= 13);
    return genCapiCall(m);
  }
};

// A script as a counterexample shows it, per tool from 0: R raises, D returns DISABLE,
// - returns; +call: makes that API call first; >N: a trace function returns callable N.
void showScript(std::ostream& os, const Script& script, size_t tools) {
  os << " [";
  for (size_t t = 0; t < tools; ++t) {
    const ToolAction& a = script[t];
    os << (a.raise ? 'R' : a.disable ? 'D' : '-');
    if (a.call) os << "+" << callText(*a.call);
    if (a.traceReturn) os << ">" << a.traceReturn->value;
    os << " ";
  }
  os << "]";
}

// Every delivery of the latest step, field by field, the model's against the reference's.
void sameDeliveries(const Sut& sut) {
  const std::vector<naive::NaiveDelivery>& expected = sut.reference.lastDeliveries();
  RC_ASSERT(sut.log.size() == expected.size());
  for (size_t i = 0; i < sut.log.size(); ++i) {
    const auto& a = sut.log[i];
    const auto& b = expected[i];
    RC_ASSERT(a.tool == b.tool);
    RC_ASSERT(a.bit == b.bit);
    RC_ASSERT(a.legacy == b.legacy);
    RC_ASSERT(a.callable == b.callable);
    RC_ASSERT(a.wrapper == b.wrapper);
    RC_ASSERT(a.result == b.result);
    RC_ASSERT(a.offset == b.offset);
    RC_ASSERT(a.effects.size() == b.effects.size());
    for (size_t j = 0; j < a.effects.size(); ++j)
      RC_ASSERT(sameOutcome(a.effects[j], b.effects[j]));
  }
}

// A C API fire whose callbacks follow a script (DISABLE, raising, API calls), right
// after a scope entered for its state, so that the state is mostly active.
struct FireCapi : Command {
  CapiEnterScope scope;
  CapiFire fire;
  Script script;
  bool nested = false;  // every callback fires in turn
  explicit FireCapi(const Reference& m) {
    RC_PRE(m.minor() >= 13);
    fire = genCapiFire(m, [&] { return capiEvent(m); });
    if (*rc::gen::inRange(0, 4) != 0) fire.exception = "ValueError";
    if (*rc::gen::inRange(0, 4) != 0) fire.offset = *rc::gen::inRange<int32_t>(0, 3);
    scope.version = *rc::gen::inRange<uint16_t>(0, 2);
    scope.firstState = fire.state;
    scope.count = 1;
    scope.events[0] = fire.event;
    for (int t = 0; t < 6; ++t) script[size_t(t)] = *genToolAction(m.eventCount());
    // Callbacks that fire in turn (their callbacks return None): not suppressed.
    if (*rc::gen::inRange(0, 3) == 0) {
      CapiFire inner = fire;  // the state just entered: mostly active
      inner.exception = "ValueError";
      inner.offset = 0;
      nested = true;
      for (ToolAction& a : script) a.call = ApiCall{inner};
    }
  }
  void apply(Reference& m) const override {
    m.api(scope);
    m.capiFire(fire, script);
  }
  void run(const Reference&, Sut& sut) const override {
    ++gApis;
    const Outcome entered = sut.reference.api(scope);
    RC_ASSERT(describe(entered) == describe(sut.monitor.step(ApiCall{scope})));
    const Outcome expected = sut.reference.capiFire(fire, script);
    sut.log.clear();
    sut.script = &script;
    const Outcome actual = sut.monitor.step(ApiCall{fire}, sut, sut);
    gCapiDeliveries += sut.log.size();
    RC_ASSERT(sut.open == 0);
    for (const naive::NaiveDelivery& d : sut.log)
      if (nested && !d.effects.empty())
        gNestedFires += std::holds_alternative<IntValue>(d.effects[0]) &&
                        std::get<IntValue>(d.effects[0]).value != 0;
    RC_ASSERT(describe(expected) == describe(actual));
    sameDeliveries(sut);
    checkHooks(sut);
  }
  void show(std::ostream& os) const override {
    os << callText(ApiCall{scope}) << "; " << callText(ApiCall{fire});
    showScript(os, script, 6);
  }
};

// The branch event a FOR_ITER reports for its next item: BRANCH, 3.14+ BRANCH_LEFT.
int forIterBit(const Reference& m) {
  return m.bitOf(m.minor() >= 14 ? "BRANCH_LEFT" : "BRANCH");
}

struct Enter : Command {
  uint32_t code;
  int32_t callerBranch = -1;  // R5: the caller's instruction reports a branch there
  bool resumes = false;       // a suspended generator frame resumes (keeps f_trace)
  explicit Enter(const Reference& m)
      : code(*rc::gen::inRange<uint32_t>(0, naive::kCodes)) {
    RC_PRE(m.stack().size() < 6);
    if (*rc::gen::inRange(0, 3) == 0) callerBranch = *rc::gen::elementOf(naive::kOffsets);
    resumes = *rc::gen::inRange(0, 3) == 0;
  }
  void apply(Reference& m) const override {
    m.enter(code, callerBranch, forIterBit(m), resumes);
  }
  void run(const Reference& m, Sut& sut) const override {
    NullSink sink;
    ReturnNonePolicy policy;
    sut.reference.enter(code, callerBranch, forIterBit(m), resumes);
    FrameEnter f{CodeId{code}};
    f.callerBranch = callerBranch;
    f.callerBranchEvent = *sut.monitor.profile().eventOfBit(forIterBit(m));
    f.resumes = resumes;
    RC_ASSERT(sut.monitor.step(Input{f}, policy, sink) == Outcome(PyNone{}));
  }
  void show(std::ostream& os) const override {
    os << (resumes ? "resume " : "enter ") << code;
    if (callerBranch >= 0) os << " (caller branch at " << callerBranch << ")";
  }
};

struct Exit : Command {
  bool suspends = false;  // the frame yields: its f_trace lives on with the generator
  explicit Exit(const Reference& m) {
    RC_PRE(!m.stack().empty());
    suspends = *rc::gen::inRange(0, 3) == 0;
  }
  void checkPreconditions(const Reference& m) const override {
    RC_PRE(!m.stack().empty());
  }
  void apply(Reference& m) const override { m.exit(suspends); }
  void run(const Reference&, Sut& sut) const override {
    NullSink sink;
    ReturnNonePolicy policy;
    const uint32_t top = sut.reference.stack().back();
    sut.reference.exit(suspends);
    RC_ASSERT(sut.monitor.step(Input{FrameExit{CodeId{top}, suspends}}, policy, sink) ==
              Outcome(PyNone{}));
  }
  void show(std::ostream& os) const override { os << (suspends ? "suspend" : "exit"); }
};

// What a series of occurrences fixes of one of them (FireSeries); the rest is random.
struct Shape {
  int bit = -1;
  uint32_t code = 0;
  int32_t offset = -1;
  int forIterEnd = -1;  // with the FOR_ITER at `offset`
  bool generator = false;
};

struct Fire : Command {
  int bit;
  uint32_t code;
  int32_t offset;
  bool afterResume = false;  // LINE: right after the frame's RESUME (rule R1)
  naive::Facts facts;        // R4–R7
  HookFacts hookFacts;       // JUMP's target and line, CALL's callable (§12.3)
  Script script;
  // The facts a harness could attach to an occurrence of this event (behaviour §14.3).
  void genFacts(const Reference& m) {
    auto pick = [](int n) { return *rc::gen::inRange(0, n); };
    facts.lineSite = *rc::gen::arbitrary<bool>();
    facts.generator = *rc::gen::arbitrary<bool>();
    facts.forIterLineSite = *rc::gen::arbitrary<bool>();
    facts.endFor = *rc::gen::elementOf(naive::kOffsets);
    const bool branch =
        bit == forIterBit(m) || (m.minor() >= 14 && bit == m.bitOf("BRANCH_RIGHT"));
    const int32_t raisedFrom = m.minor() == 12 ? offset : offset - 2;
    if ((bit == 5 || bit == 6) && pick(2) == 0) {  // R4: the LINE / INSTRUCTION before
      facts.forIterEnd = 1;
      facts.forIterSite = offset;
    } else if (branch) {
      facts.forIterEnd = std::array{0, 2, 3}[size_t(pick(3))];
      facts.forIterSite = offset;
      if (m.minor() >= 14 && pick(2) == 0) {
        facts.unwrappedSource = *rc::gen::elementOf(naive::kOffsets);
        facts.unwrappedSourceKind = pick(4);
        facts.unwrappedLineSite = *rc::gen::arbitrary<bool>();
      }
      if (m.minor() >= 14) facts.branchSource = pick(4);
    } else if (bit == m.bitOf("RAISE")) {
      facts.forIterEnd = std::array{0, 4, 5}[size_t(pick(3))];
      facts.forIterSite = facts.forIterEnd == 5 ? raisedFrom : offset;
      facts.raisedAtStart = facts.forIterEnd == 5 && pick(3) == 0;
    } else if (bit == m.bitOf("PY_UNWIND") && pick(2) == 0) {
      facts.forIterEnd = 6;
      facts.forIterSite = raisedFrom;
    } else if (bit == m.bitOf("PY_THROW")) {
      facts.closeAtDepth1Yield = *rc::gen::arbitrary<bool>();
    }
    if (facts.forIterEnd != 0 && facts.forIterSite < 0) facts.forIterEnd = 0;
    if (bit == 7) {  // JUMP
      hookFacts.jumpTo = *rc::gen::elementOf(naive::kOffsets);
      hookFacts.jumpSameLine = *rc::gen::arbitrary<bool>();
    }
    if (bit == 4 || bit == m.bitOf("C_RETURN") || bit == m.bitOf("C_RAISE"))
      hookFacts.callable = pick(5);
  }
  Occurrence occurrence(const Sut& sut) const {
    Occurrence o{*sut.monitor.profile().eventOfBit(bit), CodeId{code}, offset, 0, {}};
    o.lineAfterResume = afterResume;
    if (facts.forIterEnd != 0) {
      o.forIter.end = static_cast<ForIterEnd>(facts.forIterEnd);
      o.forIter.site = facts.forIterSite;
      o.forIter.endFor = facts.endFor;
      o.forIter.lineSite = facts.forIterLineSite;
      o.forIter.generator = facts.generator;
      o.forIter.raisedAtStart = facts.raisedAtStart;
    }
    o.unwrappedSource = facts.unwrappedSource;
    o.lineSite = facts.lineSite;
    o.closeAtDepth1Yield = facts.closeAtDepth1Yield;
    o.branchSource = std::array{BranchSource::Unknown, BranchSource::ReportsLeft,
                                BranchSource::ReportsRight,
                                BranchSource::NoBranch}[size_t(facts.branchSource)];
    o.unwrappedSourceKind = std::array{
        BranchSource::Unknown, BranchSource::ReportsLeft, BranchSource::ReportsRight,
        BranchSource::NoBranch}[size_t(facts.unwrappedSourceKind)];
    o.unwrappedLineSite = facts.unwrappedLineSite;
    if (bit == 7) o.aux = hookFacts.jumpTo;
    o.jumpSameLine = hookFacts.jumpSameLine;
    o.callable =
        std::array{CallableKind::Other, CallableKind::CFunction,
                   CallableKind::MethodDescriptor, CallableKind::MethodDescriptorNoArg,
                   CallableKind::BoundCFunction}[size_t(hookFacts.callable)];
    return o;
  }
  explicit Fire(const Reference& m, const Shape& shape = {}) {
    RC_PRE(!m.stack().empty());
    std::vector<int> bits = interestingBits(m.eventCount());
    if (m.minor() >= 14) bits.pop_back();  // the BRANCH alias never occurs
    for (int b = 0; b < m.eventCount() - (m.minor() >= 14 ? 1 : 0); ++b)
      bits.push_back(b);
    // What the trace and profile functions see most: call, line, return, exception.
    for (const char* e : {"PY_START", "PY_RESUME", "LINE", "LINE", "LINE", "JUMP", "JUMP",
                          "INSTRUCTION", "PY_YIELD", "PY_THROW", "PY_UNWIND", "RAISE"})
      bits.push_back(m.bitOf(e));
    bit = *rc::gen::elementOf(bits);
    // Mostly the innermost frame: the frame whose trace attributes the hooks read.
    code =
        *rc::gen::inRange(0, 4) == 0 ? *rc::gen::elementOf(m.stack()) : m.stack().back();
    offset = *rc::gen::elementOf(naive::kOffsets);
    if (shape.bit >= 0) {
      bit = shape.bit;
      code = shape.code;
      offset = shape.offset;
    }
    if (bit == 5) afterResume = *rc::gen::arbitrary<bool>();
    genFacts(m);
    if (shape.forIterEnd >= 0) {
      facts.forIterEnd = shape.forIterEnd;
      facts.forIterSite = offset;
      facts.generator = shape.generator;
    }
    for (size_t t = 0; t < script.size(); ++t)
      script[t] =
          t >= 6 ? *genHookAction(m.eventCount()) : *genToolAction(m.eventCount());
  }
  void checkPreconditions(const Reference& m) const override {
    bool onStack = false;
    for (uint32_t c : m.stack()) onStack |= c == code;
    RC_PRE(onStack);
  }
  void apply(Reference& m) const override {
    m.fire(bit, code, offset, script, afterResume, facts, hookFacts);
  }
  void run(const Reference&, Sut& sut) const override {
    ++gFires;
    Reference& copy = sut.reference;
    const Dispatched expected =
        copy.fire(bit, code, offset, script, afterResume, facts, hookFacts);
    sut.log.clear();
    sut.script = &script;
    const Outcome actual = sut.monitor.step(Input{occurrence(sut)}, sut, sut);
    RC_ASSERT(describe(Outcome(expected)) == describe(actual));
    sameDeliveries(sut);
    checkHooks(sut);
  }
  void show(std::ostream& os) const override {
    os << "fire bit " << bit << " code " << code << " off " << offset
       << (afterResume ? " after-resume" : "");
    if (facts.forIterEnd)
      os << " for-iter " << facts.forIterEnd << "@" << facts.forIterSite << " end-for "
         << facts.endFor << (facts.generator ? " gen" : "")
         << (facts.raisedAtStart ? " raised-at-start" : "")
         << (facts.forIterLineSite ? " line-site" : "");
    if (facts.unwrappedSource >= 0)
      os << " unwrapped " << facts.unwrappedSource
         << (facts.lineSite ? " line-site" : "");
    if (facts.closeAtDepth1Yield) os << " close-depth1";
    if (facts.branchSource) os << " source-reports " << facts.branchSource;
    if (bit == 7)
      os << " to " << hookFacts.jumpTo << (hookFacts.jumpSameLine ? " same-line" : "");
    if (hookFacts.callable) os << " callable-kind " << hookFacts.callable;
    showScript(os, script, script.size());
  }
};

// Occurrences that matter only together, and are too rare by chance: a LINE and its
// site's INSTRUCTION (R8), a CALL and its C_RETURN / C_RAISE (R2), one FOR_ITER's
// executions over a loop, each maybe started by a LINE or INSTRUCTION, ending in
// exhaustion, maybe after the RAISE(StopIteration) (R4).
struct FireSeries : Command {
  std::vector<Fire> fires;
  explicit FireSeries(const Reference& m) {
    RC_PRE(!m.stack().empty());
    const uint32_t code = m.stack().back();
    const int32_t at = *rc::gen::elementOf(naive::kOffsets);
    auto add = [&](int bit, int forIterEnd = -1, bool generator = false) {
      fires.emplace_back(m, Shape{bit, code, at, forIterEnd, generator});
    };
    switch (*rc::gen::inRange(0, 4)) {
      case 0:
        add(5);
        add(6);
        break;
      case 1:
        add(4);
        add(m.bitOf(*rc::gen::element("C_RETURN", "C_RAISE")));
        break;
      default: {
        const bool generator = *rc::gen::weightedElement<bool>({{3, true}, {1, false}});
        const int n = *rc::gen::inRange(1, 5);
        for (int i = 0; i < n; ++i) {
          if (*rc::gen::inRange(0, 3) == 0) add(*rc::gen::element(5, 6), 1);
          add(forIterBit(m), 2, generator);
        }
        if (*rc::gen::arbitrary<bool>()) add(m.bitOf("RAISE"), 4, generator);
        add(forIterBit(m), 3, generator);
      }
    }
  }
  void checkPreconditions(const Reference& m) const override {
    for (const Fire& f : fires) f.checkPreconditions(m);
  }
  void apply(Reference& m) const override {
    for (const Fire& f : fires) f.apply(m);
  }
  void run(const Reference& m, Sut& sut) const override {
    for (const Fire& f : fires) f.run(m, sut);
  }
  void show(std::ostream& os) const override {
    os << "series:";
    for (const Fire& f : fires) {
      os << "\n    ";
      f.show(os);
    }
  }
};

void checkVersion(PyVersion v, int minor) {
  // Counted per version: each version's run must reach every kind of input itself.
  gDeliveries = gDisables = gFires = gApis = gApiErrors = gAllEvents = gHookDeliveries =
      gHookRaised = gCapiDeliveries = gNestedFires = 0;
  gLegacyEvents.clear();
  monsim::testing::checkWithReproduce([v, minor] {
    Reference model(minor);
    Sut sut(v, minor);
    // Start with tools 0–3 in use so that most calls get past validation.
    for (int t = 0; t < 4; ++t) {
      const ApiCall use = UseToolId{PyInt{t}, PyStr{"tool"}};
      model.api(use);
      sut.reference.api(use);
      sut.monitor.step(use);
      for (int b : interestingBits(model.eventCount())) {
        const ApiCall reg =
            RegisterCallback{PyInt{t}, PyInt{int64_t{1} << b},
                             CallableId{static_cast<uint32_t>(100 * t + b)}};
        model.api(reg);
        sut.reference.api(reg);
        sut.monitor.step(reg);
      }
    }
    rc::state::check(
        model, sut,
        rc::state::gen::execOneOfWithArgs<
            CallApi, CallApi, CallApi, CallHookApi, CallHookApi, CallCapi, FireCapi,
            Enter, Enter, Exit, Fire, Fire, Fire, Fire, Fire, FireSeries>());
  });
  std::printf(
      "compared: %llu API calls (%llu raised), %llu occurrences, %llu deliveries (%llu "
      "DISABLE), %llu non-empty _all_events()\n",
      static_cast<unsigned long long>(gApis), static_cast<unsigned long long>(gApiErrors),
      static_cast<unsigned long long>(gFires),
      static_cast<unsigned long long>(gDeliveries),
      static_cast<unsigned long long>(gDisables),
      static_cast<unsigned long long>(gAllEvents));
  std::printf(
      "  C API fires: %llu deliveries, %llu fires from a callback to active states\n",
      static_cast<unsigned long long>(gCapiDeliveries),
      static_cast<unsigned long long>(gNestedFires));
  std::printf("  hooks: %llu trace/profile calls (%llu raised)\n",
              static_cast<unsigned long long>(gHookDeliveries),
              static_cast<unsigned long long>(gHookRaised));
  for (const auto& [e, n] : gLegacyEvents)
    std::printf("    %s %llu\n", e.c_str(), static_cast<unsigned long long>(n));
  // Minimums per generated case, about a third of what a run reaches (100 cases:
  // ~1200 API calls, ~800 occurrences, ~260 deliveries, ~30 DISABLEs, ~200 hook
  // calls), so a generator change that stops producing a kind of input fails here
  // instead of passing vacuously.
  const uint64_t n =
      static_cast<uint64_t>(rc::detail::configuration().testParams.maxSuccess);
  EXPECT_GE(gApis, 4 * n);
  EXPECT_GE(gApiErrors, n / 2);
  EXPECT_GE(gFires, 5 * n / 2);
  EXPECT_GE(gDeliveries, n);
  EXPECT_GE(gDisables, n / 10);
  EXPECT_GE(gAllEvents, n / 20);
  EXPECT_GE(gHookDeliveries, n / 2);
  EXPECT_GE(gHookRaised, n / 50);
  EXPECT_GE(gLegacyEvents.size(), 6u);
  if (minor >= 13) {
    EXPECT_GE(gCapiDeliveries, n / 25);
    EXPECT_GE(gNestedFires, n / 60);
  }
}

// In the mutants build (meson -Dmutants=true) MONSIM_MUTANT=<name> runs the model as
// that mutant: which rule breaks the reference catches (README, "model mutants").
struct MutantFromEnvironment : ::testing::Environment {
  void SetUp() override {
    const char* name = std::getenv("MONSIM_MUTANT");
    if (!name) return;
    for (const MutantRow& m : kMutants)
      if (m.name == name) {
        if (!kMutantsBuild) GTEST_FAIL() << "MONSIM_MUTANT needs the mutants build";
        useMutant(m.id);
        return;
      }
    GTEST_FAIL() << "MONSIM_MUTANT: no mutant named " << name;
  }
};
const auto* const kMutantEnvironment =
    ::testing::AddGlobalTestEnvironment(new MutantFromEnvironment);

TEST(ModelVsNaive, AgreesOn312) { checkVersion(PyVersion::V3_12, 12); }
TEST(ModelVsNaive, AgreesOn313) { checkVersion(PyVersion::V3_13, 13); }
TEST(ModelVsNaive, AgreesOn314) { checkVersion(PyVersion::V3_14, 14); }
TEST(ModelVsNaive, AgreesOn315) { checkVersion(PyVersion::V3_15, 15); }

// R4 alone, over runs long enough for the cool-down: the whole-program sequences
// above rarely execute one FOR_ITER more than a few dozen times, never 53 misses.
struct ForIterStep {
  bool noteStart, instrumented, generator, startCounts;
};
TEST(ModelVsNaive, ForIterSpecialisationAgreesOverLongRuns) {
  uint64_t cases = 0, longRuns = 0;
  const bool ok = rc::check([&] {
    // Mostly unblocked, so that long unblocked runs with both kinds occur.
    const auto steps = *rc::gen::container<std::vector<ForIterStep>>(
        *rc::gen::inRange<size_t>(0, 400),
        rc::gen::construct<ForIterStep>(
            rc::gen::weightedElement<bool>({{200, false}, {1, true}}),
            rc::gen::weightedElement<bool>({{400, false}, {1, true}}),
            rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>()));
    ForIterSite model(0);
    naive::ForIter ref;
    size_t run = 0, longest = 0;
    for (const ForIterStep& s : steps) {
      if (s.noteStart) {
        model.noteStart(true);
        ref.startInstrumented = true;
      }
      const bool m = model.execute(s.instrumented, s.generator, s.startCounts);
      const bool r = naive::runForIter(ref, s.instrumented, s.generator, s.startCounts);
      RC_ASSERT(m == r);
      run = ref.executions.back().blocked ? 0 : run + 1;
      longest = std::max(longest, run);
    }
    ++cases;
    // 150 executions of random kinds: about 75 misses, past the cool-down.
    if (longest >= 150) ++longRuns;
  });
  EXPECT_TRUE(ok);
  std::printf("FOR_ITER: %llu of %llu cases with 150 unblocked executions in a row\n",
              static_cast<unsigned long long>(longRuns),
              static_cast<unsigned long long>(cases));
  EXPECT_GE(longRuns, cases / 10);
}

}  // namespace
}  // namespace monsim
