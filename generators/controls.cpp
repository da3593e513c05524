#include "generators/controls.h"

#include <algorithm>
#include <set>

#include "generators/weighted.h"

namespace monsim::gen {
namespace g = rc::gen;
namespace {

using Fn = ApiAction::Fn;

// How much a focus (generators/focus.h) multiplies an event's weight.
std::size_t eventBoost(Focus f, Event e) {
  using E = Event;
  auto any = [&](std::initializer_list<Event> events) {
    return std::find(events.begin(), events.end(), e) != events.end();
  };
  switch (f) {
    case Focus::None:
      return 1;
    case Focus::Loops:
      return any({E::StopIteration, E::PyYield, E::PyResume}) ? 3
             : any({E::Raise})                                ? 2
                                                              : 1;
    case Focus::Lines:
      return any({E::Instruction}) ? 6 : any({E::Line, E::PyStart}) ? 3 : 1;
    case Focus::Calls:
      return any({E::Call, E::CReturn, E::CRaise}) ? 3 : 1;
    case Focus::Close:
      return any({E::PyUnwind, E::PyThrow, E::Raise, E::Reraise, E::ExceptionHandled})
                 ? 3
                 : 1;
    case Focus::Branches:
      return any({E::Branch, E::BranchLeft, E::BranchRight, E::Jump, E::Instruction,
                  E::Line})
                 ? 3
                 : 1;
  }
  return 1;
}

rc::Gen<int> genEvent(PyVersion v, Focus f) {
  const std::vector<std::string> menu = eventMenu(v);
  std::vector<std::pair<std::size_t, int>> w;
  for (size_t i = 0; i < menu.size(); ++i) {
    const std::string& n = menu[i];
    std::size_t weight = 3;
    if (n == "INSTRUCTION") weight = 1;
    if (n == "PY_START" || n == "LINE" || n == "CALL" || n == "PY_RETURN" ||
        n.starts_with("BRANCH") || n == "RAISE" || n == "JUMP")
      weight = 6;
    const auto e = eventNamed(n);
    if (e && VersionProfile(v).isAlias(*e)) weight = 1;
    w.push_back({weight * (e ? eventBoost(f, *e) : 1), static_cast<int>(i)});
  }
  return weightedElement(w);
}

rc::Gen<std::vector<int>> genEvents(PyVersion v, int most, Focus f) {
  return upTo(most, genEvent(v, f));
}

// Tool ids cluster on 0..3 so that clashes between tools and API calls are common.
// Never 5: the oracle's probe takes the highest free id, and a tool above the probe
// whose callback raises would hide occurrences from it (a checker limit).
rc::Gen<int> genToolId() {
  return g::weightedElement<int>({{6, 2}, {4, 1}, {4, 0}, {3, 3}, {1, 4}});
}

// A C API fire (fuzz --capi): an event (resolved among those with a fire function),
// state 0 or 1 (`tool`), and sometimes no current exception (`bad`).
rc::Gen<ApiAction> genCapiFire(PyVersion v, Focus f) {
  return g::apply(
      [](int state, std::vector<int> events, int noException) {
        return ApiAction{Fn::CapiFire, state, std::move(events), 0, -1, noException};
      },
      g::inRange(0, 2), g::nonEmpty(genEvents(v, 1, f)),
      g::weightedElement<int>({{4, 0}, {1, 1}}));
}

rc::Gen<ApiAction> genApiAction(PyVersion v, Focus f, bool capi = false) {
  auto make = [](Fn fn) {
    return [fn](int tool, std::vector<int> events, int f, int handler, int bad) {
      if (fn == Fn::RestartEvents || fn == Fn::GetLocalEvents) bad = 0;  // no bad variant
      return ApiAction{fn, tool, std::move(events), f, handler, bad};
    };
  };
  auto args = [&](Fn fn, int most) {
    return g::apply(make(fn), genToolId(), genEvents(v, most, f), g::inRange(0, 4),
                    g::inRange(-1, 2),
                    g::weightedElement<int>({{12, 0}, {1, 1}, {1, 2}, {1, 3}}));
  };
  std::vector<std::pair<std::size_t, rc::Gen<ApiAction>>> c = {
      {8, args(Fn::SetEvents, 3)},        {6, args(Fn::SetLocalEvents, 2)},
      {5, args(Fn::RegisterCallback, 1)}, {5, args(Fn::RestartEvents, 0)},
      {2, args(Fn::UseToolId, 0)},        {2, args(Fn::FreeToolId, 0)},
      {2, args(Fn::GetEvents, 0)},        {1, args(Fn::GetLocalEvents, 0)},
      {1, args(Fn::GetTool, 0)},
  };
  if (v >= PyVersion::V3_14) c.push_back({2, args(Fn::ClearToolId, 0)});
  if (capi) c.push_back({6, genCapiFire(v, f)});
  return weightedOneOf(std::move(c));
}

// What a callback does besides returning: an API call, or program code run from inside
// the callback (events are not reported while a callback runs, behaviour §9.5).
rc::Gen<ApiAction> genCallbackAction(PyVersion v, bool capi, Focus f) {
  return weightedOneOf<ApiAction>(
      {{5, genApiAction(v, f, capi)},
       {2, g::apply(
               [](int f, int arg, int drive) {
                 return ApiAction{Fn::CallProgram, arg, {}, f, -1, drive};
               },
               g::inRange(0, 8), g::inRange(0, 3), g::inRange(0, 4))}});
}

rc::Gen<ClausePlan> genClause(PyVersion v, bool capi, Focus f) {
  using W = ClausePlan::When;
  using D = ClausePlan::Does;
  return g::apply(
      [](W when, int n, D does, std::vector<ApiAction> actions, bool running) {
        if (does != D::Act && does != D::ActThenDisable) actions.clear();
        // A clause confined to one function changes that function's own local events
        // while its frame runs, as a debugger setting a breakpoint does.
        if (when == W::InFunction && running)
          for (ApiAction& a : actions)
            if (a.fn == Fn::SetLocalEvents || a.fn == Fn::GetLocalEvents) a.fn_ = n;
        // A callback raising on every EXCEPTION_HANDLED inside a handler that catches
        // its exception re-enters that handler forever (raising-exception-handled-
        // callback-reenters-handler): a raising clause fires a bounded number of times.
        if (does == D::Raise) when = W::Nth;
        // A fire is delivered inside callbacks (behaviour §13.4): a callback firing
        // on each delivery would recurse without end; once per registration is bounded.
        for (const ApiAction& a : actions)
          if (a.fn == Fn::CapiFire) when = W::Nth;
        return ClausePlan{when, n, does, std::move(actions)};
      },
      g::weightedElement<W>(
          {{4, W::Always}, {3, W::Nth}, {2, W::FromNth}, {2, W::InFunction}}),
      g::inRange(1, 4),
      g::weightedElement<D>({{3, D::ReturnNone},
                             {6, D::Disable},
                             {2, D::Raise},
                             {3, D::Act},
                             {1, D::ActThenDisable}}),
      upTo(2, genCallbackAction(v, capi, f), true), g::arbitrary<bool>());
}

rc::Gen<std::vector<ClausePlan>> genClauses(PyVersion v, bool capi, Focus f) {
  return upTo(2, genClause(v, capi, f));
}

rc::Gen<ToolPlan> genTool(PyVersion v, bool capi, Focus f) {
  return g::apply(
      [](int id, std::vector<int> events,
         std::vector<std::pair<int, std::vector<int>>> local,
         std::vector<CallbackPlan> cbs) {
        return ToolPlan{id, std::move(events), std::move(local), std::move(cbs)};
      },
      genToolId(), genEvents(v, 3, f),
      upTo(2, g::pair(g::inRange(0, 4), g::nonEmpty(genEvents(v, 2, f)))),
      upTo(3, g::apply(
                  [](int e, std::vector<ClausePlan> cl) {
                    return CallbackPlan{e, std::move(cl)};
                  },
                  genEvent(v, f), genClauses(v, capi, f))));
}

rc::Gen<TraceClausePlan> genTraceClause(PyVersion v, Focus f) {
  using W = TraceClausePlan::When;
  using D = TraceClausePlan::Does;
  return g::apply(
      [](W when, int n, D does, int other, ApiAction api) {
        return TraceClausePlan{when, n, does, other, std::move(api)};
      },
      g::weightedElement<W>(
          {{3, W::Always}, {4, W::OnEvent}, {2, W::InFunction}, {2, W::Nth}}),
      g::inRange(0, 8),
      g::weightedElement<D>({{8, D::ReturnSelf},
                             {3, D::ReturnOther},
                             {4, D::ReturnNone},
                             {2, D::Raise},
                             {2, D::LinesOff},
                             {1, D::LinesOn},
                             {1, D::OpcodesOn},
                             {1, D::SetTraceOther},
                             {1, D::SetTraceNone},
                             {1, D::SetProfileNone},
                             {2, D::Api}}),
      g::inRange(0, 2), genApiAction(v, f));
}

rc::Gen<StepPlan> genStep(PyVersion v, bool capi, Focus f) {
  using K = StepPlan::Kind;
  auto setTrace = g::map(g::inRange(-1, 2), [](int f) {
    return StepPlan{K::SetTrace, f, 0, {}, {}};
  });
  auto setProfile = g::map(g::inRange(-1, 2), [](int f) {
    return StepPlan{K::SetProfile, f, 0, {}, {}};
  });
  auto call = g::apply(
      [](int f, int a) {
        return StepPlan{K::Call, f, a, {}, {}};
      },
      g::inRange(0, 4), g::inRange(0, 4));
  auto api = g::map(genApiAction(v, f), [](ApiAction a) {
    return StepPlan{K::Api, 0, 0, std::move(a), {}};
  });
  auto drive = g::apply(
      [](int f, std::vector<int> ops) {
        return StepPlan{K::Drive, f, 2, {}, ops};
      },
      g::inRange(0, 4), upTo(3, g::inRange(0, 5), true));
  // Without the C API, the same choice as ever: earlier tokens keep their cases.
  if (!capi)
    return g::weightedOneOf<StepPlan>(
        {{2, setTrace}, {1, setProfile}, {8, call}, {4, api}, {2, drive}});
  auto enter = g::map(g::nonEmpty(genEvents(v, 2, f)), [](std::vector<int> events) {
    StepPlan s{K::CapiEnter, 0, 0, {}, {}};
    s.api.fn = Fn::CapiFire;
    s.api.events = std::move(events);
    return s;
  });
  auto fire = g::map(genCapiFire(v, f), [](ApiAction a) {
    return StepPlan{K::CapiFire, 0, 0, std::move(a), {}};
  });
  return weightedOneOf<StepPlan>({{2, setTrace},
                                  {1, setProfile},
                                  {8, call},
                                  {4, api},
                                  {2, drive},
                                  {3, enter},
                                  {8, fire}});
}

}  // namespace

std::vector<std::string> eventMenu(PyVersion v) {
  const VersionProfile p(v);
  std::vector<std::string> out;
  for (int e = 0; e < spec::kEventCount; ++e) {
    const auto ev = static_cast<Event>(e);
    if (p.has(ev) && !p.isAlias(ev)) out.emplace_back(p.name(ev));
  }
  // Then the legacy aliases (3.14+ BRANCH: both directions through one callback that
  // the interpreter wraps, behaviour §10.3.2, rule R3).
  for (int e = 0; e < spec::kEventCount; ++e) {
    const auto ev = static_cast<Event>(e);
    if (p.has(ev) && p.isAlias(ev)) out.emplace_back(p.name(ev));
  }
  return out;
}

rc::Gen<Controls> genControls(PyVersion v, bool hooks, bool capi, Focus f) {
  auto traceFns = upTo(2, upTo(3, genTraceClause(v, f), true));
  return g::apply(
      [hooks, capi](std::vector<ToolPlan> tools,
                    std::vector<std::vector<ClausePlan>> handlers,
                    std::vector<StepPlan> steps, std::vector<TraceFnPlan> fns, bool on,
                    StepPlan first) {
        if ((!hooks && !on) || capi) fns.clear();  // the C API meets no hooks (§13.6)
        if (capi) {  // a scope first, so that fires find tools
          StepPlan enter{StepPlan::Kind::CapiEnter, 0, 0, {}, {}};
          enter.api.fn = ApiAction::Fn::CapiFire;
          enter.api.events = {0, 1};
          steps.insert(steps.begin(), enter);
        }
        if (hooks) {
          if (fns.empty()) fns.push_back({});
          steps.insert(steps.begin(), first);
        }
        return Controls{std::move(tools), std::move(handlers), std::move(steps),
                        std::move(fns), capi};
      },
      upTo(3, genTool(v, capi, f), true), upTo(2, genClauses(v, capi, f)),
      upTo(8, genStep(v, capi, f), true), traceFns,
      g::weightedElement<bool>({{3, false}, {1, true}}),
      g::apply(
          [](bool profile, int f) {
            return StepPlan{
                profile ? StepPlan::Kind::SetProfile : StepPlan::Kind::SetTrace,
                f,
                0,
                {},
                {}};
          },
          g::weightedElement<bool>({{3, false}, {1, true}}), g::inRange(0, 2)));
}

std::vector<std::string> controlTags(const Controls& c, PyVersion v) {
  static const char* fnNames[] = {
      "set_events",       "set_local_events", "register_callback", "use_tool_id",
      "free_tool_id",     "clear_tool_id",    "restart_events",    "get_events",
      "get_local_events", "get_tool",         "capi_fire",         "program-call"};
  static const char* doesNames[] = {"cb-none", "cb-disable", "cb-raise", "cb-api",
                                    "cb-api-disable"};
  const std::vector<std::string> menu = eventMenu(v);
  std::set<std::string> out;
  auto api = [&](const ApiAction& a, const char* where) {
    static const char* drives[] = {"", "(abandoned)", "(throw)", "(close)"};
    out.insert(std::string(where) + fnNames[static_cast<int>(a.fn)] +
               (a.fn == Fn::CallProgram ? drives[a.bad % 4]
                : a.bad                 ? "(invalid)"
                                        : ""));
  };
  // `own`: the tool whose callback this is (-1 for a registered handler).
  auto clauses = [&](const std::vector<ClausePlan>& cl, int own) {
    for (const ClausePlan& k : cl) {
      out.insert(doesNames[static_cast<int>(k.does)]);
      for (const ApiAction& a : k.actions) {
        api(a, "callback:");
        const std::string name =
            std::string("callback:") + fnNames[static_cast<int>(a.fn)];
        if (a.fn == Fn::SetLocalEvents && k.when == ClausePlan::When::InFunction &&
            a.fn_ == k.n)
          out.insert(name + "(running-code)");
        if (a.fn == Fn::RegisterCallback && a.handler < 0)
          out.insert(name + "(unregister)");
        if (own >= 0 && (a.fn == Fn::SetEvents || a.fn == Fn::FreeToolId ||
                         a.fn == Fn::ClearToolId || a.fn == Fn::RegisterCallback))
          out.insert(name + (a.tool == own ? "(own tool)" : "(other tool)"));
      }
    }
  };
  std::set<int> ids;
  for (const ToolPlan& t : c.tools) ids.insert(t.id);
  out.insert("tools=" + std::to_string(ids.size()));
  for (const ToolPlan& t : c.tools) {
    for (int e : t.events)
      out.insert("event:" + menu[static_cast<size_t>(e) % menu.size()]);
    if (!t.local.empty()) out.insert("local-events");
    for (const CallbackPlan& cb : t.callbacks) clauses(cb.clauses, t.id);
  }
  for (const auto& h : c.handlers) clauses(h, -1);
  for (const StepPlan& s : c.steps)
    if (c.capi && s.kind == StepPlan::Kind::CapiEnter)
      out.insert("step:capi-enter");
    else if (c.capi && s.kind == StepPlan::Kind::CapiFire)
      out.insert(std::string("step:capi-fire") + (s.api.bad ? "(no exception)" : ""));
    else if (s.kind == StepPlan::Kind::Api)
      api(s.api, "step:");
    else if (s.kind == StepPlan::Kind::Drive)
      out.insert("step:drive");
    else if (!c.traceFns.empty() && s.kind == StepPlan::Kind::SetTrace)
      out.insert("step:settrace");
    else if (!c.traceFns.empty() && s.kind == StepPlan::Kind::SetProfile)
      out.insert("step:setprofile");
  static const char* traceDoes[] = {
      "tf-self",          "tf-other",           "tf-none",    "tf-raise",
      "tf-lines-off",     "tf-lines-on",        "tf-opcodes", "tf-settrace",
      "tf-settrace-none", "tf-setprofile-none", "tf-api"};
  for (const TraceFnPlan& f : c.traceFns)
    for (const TraceClausePlan& k : f) out.insert(traceDoes[static_cast<int>(k.does)]);
  return {out.begin(), out.end()};
}

}  // namespace monsim::gen
