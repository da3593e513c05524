#pragma once
// The closed set of inputs to Monitor::step: the sys.monitoring API calls with
// raw arguments (behaviour §5–§8, §11.5, §2.5), raw event occurrences, and the
// frame stack changes that drive lazy re-instrumentation (FINDINGS F2 triggers).
#include <cstdint>
#include <string_view>
#include <variant>

#include "model/capi.h"
#include "model/ids.h"
#include "model/legacy.h"
#include "model/py_value.h"
#include "spec/spec_tables.h"

namespace monsim {

using spec::Event;

struct UseToolId {
  static constexpr std::string_view kName = "use_tool_id";
  PyArg tool;
  PyArg name;
};
struct FreeToolId {
  static constexpr std::string_view kName = "free_tool_id";
  PyArg tool;
};
struct ClearToolId {  // 3.14+; AttributeError before
  static constexpr std::string_view kName = "clear_tool_id";
  PyArg tool;
};
struct GetTool {
  static constexpr std::string_view kName = "get_tool";
  PyArg tool;
};
struct SetEvents {
  static constexpr std::string_view kName = "set_events";
  PyArg tool;
  PyArg events;
};
struct GetEvents {
  static constexpr std::string_view kName = "get_events";
  PyArg tool;
};
struct SetLocalEvents {
  static constexpr std::string_view kName = "set_local_events";
  PyArg tool;
  CodeArg code;
  PyArg events;
};
struct GetLocalEvents {
  static constexpr std::string_view kName = "get_local_events";
  PyArg tool;
  CodeArg code;
};
struct RegisterCallback {
  static constexpr std::string_view kName = "register_callback";
  PyArg tool;
  PyArg event;
  CallableArg func;
};
struct RestartEvents {
  static constexpr std::string_view kName = "restart_events";
};
struct AllEvents {  // sys.monitoring._all_events()
  static constexpr std::string_view kName = "_all_events";
};
// The legacy hooks (behaviour §12): sys.settrace / sys.setprofile, and the trace
// attributes of the innermost frame (the traced frame, inside a trace function).
struct SetTrace {
  static constexpr std::string_view kName = "settrace";
  CallableArg func;
};
struct SetProfile {
  static constexpr std::string_view kName = "setprofile";
  CallableArg func;
};
struct SetFrameTrace {  // frame.f_trace = func
  static constexpr std::string_view kName = "f_trace";
  CallableArg func;
};
struct SetFrameTraceLines {
  static constexpr std::string_view kName = "f_trace_lines";
  bool on = true;
};
struct SetFrameTraceOpcodes {
  static constexpr std::string_view kName = "f_trace_opcodes";
  bool on = false;
};

using ApiCall =
    std::variant<UseToolId, FreeToolId, ClearToolId, GetTool, SetEvents, GetEvents,
                 SetLocalEvents, GetLocalEvents, RegisterCallback, RestartEvents,
                 AllEvents, SetTrace, SetProfile, SetFrameTrace, SetFrameTraceLines,
                 SetFrameTraceOpcodes, CapiEnterScope, CapiExitScope, CapiFire>;

// The sys.monitoring function a call names, e.g. "set_events" (legacy hooks:
// "settrace", "setprofile", "f_trace", "f_trace_lines", "f_trace_opcodes").
constexpr std::string_view apiName(const ApiCall& c) {
  return std::visit([](const auto& call) { return call.kName; }, c);
}

// 3.14+ BRANCH_LEFT/RIGHT: which event the instruction at `src` (the occurrence's
// offset) itself reports, for the legacy BRANCH wrapper's check (FINDINGS F6):
// POP_JUMP_IF_* and POP_ITER report RIGHT; FOR_ITER and NOT_TAKEN report LEFT;
// an instruction reporting neither (END_SEND of `async for`) is NoBranch.
enum class BranchSource : uint8_t { Unknown, ReportsLeft, ReportsRight, NoBranch };

// The FOR_ITER an occurrence belongs to (behaviour §14.3 R4), from the code's
// instructions: the LINE at it (an execution starts), the branch that ends an
// execution (next item, or exhausted), the RAISE(StopIteration) before the exit branch,
// the RAISE of an exception from the iterator, the PY_UNWIND after it.
enum class ForIterEnd : uint8_t {
  None,
  Start,
  Next,
  Exhausted,
  StopValue,
  Raised,
  Unwind
};
struct ForIterFacts {
  ForIterEnd end = ForIterEnd::None;
  int32_t site = -1;       // the FOR_ITER's offset
  int32_t endFor = -1;     // its END_FOR's offset
  bool lineSite = false;   // LINE instruments the FOR_ITER (a jump target or line start)
  bool generator = false;  // this execution iterated a generator (its frame ran below)
  // Raised: the generator's exception came from its start, before its RESUME ran (a
  // trace function raising at its 'call'): the looping frame then reports it at the
  // generic FOR_ITER's location even when it ran specialised.
  bool raisedAtStart = false;
};

// One raw event occurrence in a frame of `code`.
// offset: the instruction offset that reports it — the site (behaviour §10.1).
//   LINE: the line-start instruction; JUMP/BRANCH*: the source; C_RETURN/C_RAISE:
//   the CALL. aux: LINE's line number, JUMP/BRANCH*'s destination, else unused.
// exception: the exception's type name for exception events and STOP_ITERATION.
struct Occurrence {
  Event event = Event::PyStart;
  CodeId code;
  int32_t offset = 0;
  int32_t aux = 0;
  std::string_view exception;
  BranchSource branchSource = BranchSource::Unknown;  // Unknown: the F6 check is skipped
  // LINE: the instruction before the site is the frame's RESUME, on the same line
  // (a one-line def or lambda body): reported only if that RESUME ran instrumented
  // (behaviour §14.3 R1). Known from the code's instructions; false when not known.
  bool lineAfterResume = false;
  ForIterFacts forIter{};
  // BRANCH_LEFT/RIGHT (3.14+) reported by NOT_TAKEN or POP_ITER at `offset`, which
  // reports its own offset only while LINE (at a line site) or INSTRUCTION wraps it:
  // unwrapped, the source is this (the instruction executed before; R6). -1: n/a.
  int32_t unwrappedSource = -1;
  // What the instruction at `unwrappedSource` reports itself and whether it is a line
  // site: the legacy BRANCH wrapper (R3) checks the source it is given.
  BranchSource unwrappedSourceKind = BranchSource::Unknown;
  bool unwrappedLineSite = true;
  // Whether the instruction at `offset` is a line site (LINE instruments it); for the
  // legacy BRANCH wrapper's source (R3) and R6. Unknown: true.
  bool lineSite = true;
  // PY_THROW(GeneratorExit) at a RESUME after a yield outside any try or with (the
  // DEPTH1 flag): close() may skip the throw (R7).
  bool closeAtDepth1Yield = false;
  // JUMP: the destination is on the source's line (behaviour §12.3: a backward jump
  // within one line is a 'line' event for the trace function).
  bool jumpSameLine = false;
  // CALL, C_RETURN, C_RAISE: what the callable is, for the profile function (§12.3).
  CallableKind callable = CallableKind::Other;
};

// A frame of `code` starts or resumes (before its PY_START/PY_RESUME/PY_THROW).
struct FrameEnter {
  CodeId code;
  // The caller's next occurrence, when it is the branch of the instruction the caller
  // is running (FOR_ITER; 3.12 POP_JUMP_IF_TRUE/FALSE), which reports it only after
  // this frame ran: that instruction is dispatched now (R5). -1: none.
  int32_t callerBranch = -1;
  Event callerBranchEvent = Event::Branch;
  // A suspended frame resumes (PY_RESUME, PY_THROW): it keeps its f_trace (§12.4).
  bool resumes = false;
  // Which frame, where known (a generator's frame is the same across suspensions);
  // 0: unknown, the innermost suspended frame of `code` is taken.
  uint64_t frame = 0;
};
// The innermost frame of `code` returns, yields or unwinds.
struct FrameExit {
  CodeId code;
  bool suspends = false;  // PY_YIELD: the frame (and its f_trace) lives on
  uint64_t frame = 0;     // as FrameEnter::frame
};

using Input = std::variant<ApiCall, Occurrence, FrameEnter, FrameExit>;

}  // namespace monsim
