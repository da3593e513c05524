#pragma once
// Event-control sequences: tools (ids, global and local event sets, callback
// policies), named handlers and the steps that interleave program calls with API
// calls. Every reference (event, function, handler) is an index resolved modulo
// what exists when rendering, so any shrink of a sequence stays renderable.
#include <rapidcheck.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "generators/focus.h"
#include "model/version_profile.h"

namespace monsim::gen {

// An API call with literal (possibly invalid) arguments.
struct ApiAction {
  enum class Fn : uint8_t {
    SetEvents,
    SetLocalEvents,
    RegisterCallback,
    UseToolId,
    FreeToolId,
    ClearToolId,
    RestartEvents,
    GetEvents,
    GetLocalEvents,
    GetTool,
    CapiFire,  // fuzz --capi: a C API fire (events[0]; `tool`: the state; `bad`: no exc)
    // In callbacks only: run program code, as debuggers and profilers do there. Calls
    // function `fn_` with argument `tool`; a generator or coroutine is then driven by
    // `bad` (0: to the end, 1: one step then abandoned, 2: thrown into, 3: closed).
    CallProgram
  };
  Fn fn = Fn::GetEvents;
  int tool = 0;             // a tool id 0..5
  std::vector<int> events;  // event indexes (EventMenu)
  int fn_ = 0;              // function index (local events)
  int handler = -1;         // register_callback: handler index, -1 unregisters
  int bad = 0;              // 0: valid arguments; 1..3: an invalid variant
};

// One callback clause (oracle/PROTOCOL.md §3.3).
struct ClausePlan {
  enum class When : uint8_t { Always, Nth, FromNth, InFunction };
  enum class Does : uint8_t { ReturnNone, Disable, Raise, Act, ActThenDisable };
  When when = When::Always;
  int n = 1;  // nth / from_nth; function index for InFunction
  Does does = Does::ReturnNone;
  std::vector<ApiAction> actions;
};

struct CallbackPlan {
  int event = 0;
  std::vector<ClausePlan> clauses;
};

struct ToolPlan {
  int id = 0;
  std::vector<int> events;                              // global
  std::vector<std::pair<int, std::vector<int>>> local;  // function -> events
  std::vector<CallbackPlan> callbacks;
};

// One clause of a trace or profile function (behaviour §12): when it acts and what
// it does (its return value decides the frame's next local trace function).
struct TraceClausePlan {
  enum class When : uint8_t { Always, OnEvent, InFunction, Nth };
  enum class Does : uint8_t {
    ReturnSelf,
    ReturnOther,
    ReturnNone,
    Raise,
    LinesOff,
    LinesOn,
    OpcodesOn,
    SetTraceOther,
    SetTraceNone,
    SetProfileNone,
    Api
  };
  When when = When::Always;
  int n = 1;  // trace event index / function index / nth
  Does does = Does::ReturnSelf;
  int other = 0;  // ReturnOther, SetTraceOther: a trace function index
  ApiAction api;
};
using TraceFnPlan = std::vector<TraceClausePlan>;

struct StepPlan {
  // SetTrace / SetProfile: sys.settrace / sys.setprofile of trace function `fn`
  // (modulo how many there are; a negative `fn` is None).
  // CapiEnter / CapiFire (fuzz --capi): PyMonitoring_EnterScope over api.events, a
  // fire as ApiAction::Fn::CapiFire in `api`.
  enum class Kind : uint8_t {
    Call,
    Api,
    Drive,
    SetTrace,
    SetProfile,
    CapiEnter,
    CapiFire
  };
  Kind kind = Kind::Call;
  int fn = 0, arg = 0;
  ApiAction api;
  std::vector<int> ops;  // Drive: next/send/throw/close/iterate (resolved per kind)
};

struct Controls {
  std::vector<ToolPlan> tools;
  std::vector<std::vector<ClausePlan>> handlers;
  std::vector<StepPlan> steps;
  std::vector<TraceFnPlan> traceFns;  // trace_functions t0, t1, …
  bool capi = false;  // a code-like object c0 with two states (behaviour §13)
};

// The events a version offers to generated controls: its own, then its legacy
// aliases (3.14+ BRANCH).
std::vector<std::string> eventMenu(PyVersion v);

// `hooks`: every case has trace or profile functions and installs one first (fuzz
// --legacy); else about a quarter of the cases have them.
// `capi`: every case drives the C API too (fuzz --capi, 3.13+): scopes and fires among
// the steps and in callbacks; no trace or profile functions.
// `f` biases events and actions toward some model rules (generators/focus.h).
rc::Gen<Controls> genControls(PyVersion v, bool hooks = false, bool capi = false,
                              Focus f = Focus::None);

std::vector<std::string> controlTags(const Controls& c, PyVersion v);

}  // namespace monsim::gen
