#pragma once
// A recorded run as the checker reads it: the oracle's trace object
// (oracle/PROTOCOL.md §4, `result.trace`) or a `monsim record` JSONL file, parsed
// once into typed records. This reader is the only harness code that reads trace
// JSON; everything downstream uses the fields.
#include <cstdint>
#include <istream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/legacy.h"
#include "model/version_profile.h"

namespace monsim::harness {

// A JSON value kept as written, for values the harness only compares or prints:
// oracle literals (PROTOCOL §3.5) and the plain results of API calls (`value`).
// Only this reader, check/api_values and the step check of `expect` look inside.
struct Literal {
  nlohmann::json json;
  bool operator==(const Literal&) const = default;
};

// A Python object as the oracle normalised it (PROTOCOL §4.2).
struct TraceValue {
  enum class Kind : uint8_t { Object, Exception, Disable, Missing, Code };
  Kind kind = Kind::Object;
  std::string type;  // Object, Exception: the type's name ("" if the oracle gave none)
  std::string repr;  // Object: its short repr; Code: the code id
  std::vector<TraceValue> args;        // Exception: its normalised args
  std::optional<std::string> message;  // Exception: str(e), where the oracle recorded it
  bool operator==(const TraceValue&) const = default;
};

// Unknown: a kind, or an event name, this reader does not know (see unknownEvent).
enum class RecordKind : uint8_t {
  Event,
  Delivery,
  Api,
  Step,
  StepEnd,
  Action,
  Load,
  Unknown
};

// What a scenario callback did. ReturnedDisable whether or not the interpreter then
// rejected the DISABLE (behaviour §10.5): the callback returned it.
enum class CallbackOutcome : uint8_t { Returned, ReturnedDisable, Raised };
// The spelling of `expect` patterns: "returned", "disable", "raised".
std::string_view outcomeName(CallbackOutcome o);

enum class ApiCaller : uint8_t { Setup, Step, Callback, Program };
std::string_view callerName(ApiCaller c);  // "setup", "step", "callback", "program"

// One record (PROTOCOL §4.1). Flat: each kind uses the fields its comment names.
struct TraceRecord {
  RecordKind kind = RecordKind::Unknown;
  // event, delivery. A delivery's event is its callback slot's: on 3.14+ Event::Branch
  // in a delivery is the legacy BRANCH handler, called for BRANCH_LEFT/RIGHT.
  // A trace or profile function's call (oracle `legacy` record) is a delivery of
  // tool 7 or 6 with `legacy` set; its event is the occurrence's as the code's
  // instructions tell (legacyOccurrence), or the probe's record of it.
  Event event = Event::PyStart;
  std::optional<LegacyEvent> legacy;
  std::string unknownEvent;  // kind Unknown: the event name that was not understood
  std::string code;          // event, delivery: the code id; api by program: the caller
  int64_t offset = 0;        // as recorded: garbage offsets (isGarbageOffset) are kept
  std::optional<int> line;   // the event's line; api by program: the calling line
  std::optional<int> dest;   // JUMP, BRANCH*: the destination
  std::optional<int> depth;  // event: the scenario's frames up to its own
  std::vector<std::string> stack;                        // event, with options.stack
  std::optional<TraceValue> value, callable, arg0, exc;  // event, delivery
  std::optional<TraceValue> arg;  // legacy: an argument not of the kinds above
  std::string methodOf;           // CALL of a bound method: its __func__'s type name
  uint64_t frame = 0;   // entry/exit of a generator or coroutine: its frame (0: none)
  bool athrow = false;  // PY_THROW(GeneratorExit) into an async generator by aclose()
  std::vector<TraceValue> args;  // api: positional arguments; event: irregular ones
  // delivery
  int tool = -1;
  int n = 0;             // deliveries to this registration so far
  std::string callback;  // "tool", "handler:NAME" or a program callable's repr
  CallbackOutcome outcome = CallbackOutcome::Returned;
  std::vector<TraceRecord> calls;  // the callback's api/action records, in order
  // C API (behaviour §13): event, delivery — of a code-like object (its code's origin
  // is `capi`); api — a PyMonitoring_* call.
  bool capi = false;
  // delivery, step_end, action: `returned` or `raised`; api, load: `raised`
  std::optional<TraceValue> returned, raised;
  // api
  ApiCaller by = ApiCaller::Step;
  std::string fn;
  std::optional<std::vector<std::pair<std::string, TraceValue>>> kwargs;
  std::optional<TraceValue> result;
  std::optional<Literal> plain;  // `value`: the result as plain JSON, when it is one
  // step, step_end: the step's index; step, action: what it does
  int index = -1;
  std::string action, target, op;
  bool operator==(const TraceRecord&) const = default;
};

// The instructions the occurrence rules (behaviour §14.3) tell apart; every other
// opname reads as Other.
enum class Opcode : uint8_t {
  Other,
  Resume,
  ForIter,
  PopIter,
  NotTaken,
  EndSend,
  PopJumpIfTrue,
  PopJumpIfFalse,
  PopJumpIfOther,  // POP_JUMP_IF_NONE / _NOT_NONE
  JumpBackward,    // JUMP_BACKWARD (_NO_INTERRUPT)
  Return,          // RETURN_VALUE / RETURN_CONST
  Yield,           // YIELD_VALUE
};
Opcode opcodeNamed(std::string_view opname);

// Frame entries (PY_START, PY_RESUME, PY_THROW) and exits (PY_RETURN, PY_YIELD,
// PY_UNWIND) as the probe's stream shows them.
constexpr bool isFrameEntry(Event e) {
  return e == Event::PyStart || e == Event::PyResume || e == Event::PyThrow;
}
constexpr bool isFrameExit(Event e) {
  return e == Event::PyReturn || e == Event::PyYield || e == Event::PyUnwind;
}

// One instruction of a program code object (oracle/PROTOCOL.md `codes`).
struct TraceInstruction {
  Opcode op = Opcode::Other;
  std::optional<int> line;     // from co_lines
  std::optional<int32_t> arg;  // FOR_ITER: the offset of its END_FOR; RESUME: oparg
  bool lineSite = false;       // a jump target or a line's first instruction
};

struct TraceCode {
  std::string id;  // "qualname@firstlineno"
  std::string qualname;
  int firstLine = 0;
  bool program = false;  // defined by the scenario's program
  // Program code: its instructions by offset, as `dis` lists them, and whether it is
  // a generator function's code (read once per code object by occurrence rules).
  std::map<int32_t, TraceInstruction> instructions;
  bool generator = false;
  bool capi = false;  // a C API code-like object (origin `capi`, behaviour §13)
  const TraceInstruction* instructionAt(int64_t offset) const {
    auto it = instructions.find(static_cast<int32_t>(offset));
    return it == instructions.end() ? nullptr : &it->second;
  }
};

// `interpreter` of the trace: provenance only (the oracle's hello has the rest).
struct TraceInterpreter {
  std::string name, version, platform;
  int64_t hexversion = 0;
};

struct Trace {
  std::string scenario;
  int probeTool = -1;  // -1: recorded without the probe
  bool truncated = false;
  TraceInterpreter interpreter;
  bool instruction = false;  // options.instruction: the probe listened to INSTRUCTION
  // 3.12: settrace() adds INSTRUCTION from the start, an earlier run of the process
  // having set f_trace_opcodes (oracle `opcode_trace_sticky`, behaviour §12.5).
  bool opcodeTraceSticky = false;
  std::map<std::string, TraceCode> codes;
  std::vector<TraceRecord> records;
  std::string stdoutText, stderrText;
  // What the program wrote in all, where that went over the oracle's stdout_limit and
  // the text above was cut (-1: not cut).
  long stdoutWritten = -1, stderrWritten = -1;
  long outputLimit = 0;  // options.stdout_limit: the characters kept of each
  long recordLimit = 0;  // options.max_records: the records kept (`truncated` past it)
  // What may still differ between runs or processes (PROTOCOL §7: str_hash_order, ...).
  std::vector<std::string> variable;

  const TraceCode* code(const std::string& id) const;
};

// The occurrence a trace or profile function's call reports, from the instruction at
// the frame's f_lasti (nullptr: not known). Where the probe recorded the occurrence,
// its record decides instead; this guess serves runs without the probe and calls
// after which the occurrence reached no other tool (the function raised). 'call' at a
// RESUME after a yield is PY_RESUME (a throw, PY_THROW, looks the same).
Event legacyOccurrence(LegacyEvent e, const TraceInstruction* at);

// A trace's records may be compact events (PROTOCOL §4.5), read as their objects would
// be.
Trace traceFromJson(const nlohmann::json& trace);
TraceRecord recordFromJson(const nlohmann::json& record);

// An offset outside any code object (negative or past 2^20): CPython's garbage location
// after a raising JUMP/BRANCH callback (raising-jump-callback-raise-location), different
// on every run, so observer comparisons treat all of them as equal.
inline bool isGarbageOffset(int64_t offset) { return offset < 0 || offset > (1 << 20); }
// Reads a `monsim record` file (provenance, trace, records…, end); nullopt with
// `error` set ("file:line: …") when it is not one or the run had no result.
std::optional<Trace> readTraceJsonl(const std::string& path, std::string& error);
// The same for a recording's text or stream; `name` names it in the error.
std::optional<Trace> parseTraceJsonl(std::string_view text, const std::string& name,
                                     std::string& error);
std::optional<Trace> parseTraceJsonl(std::istream& in, const std::string& name,
                                     std::string& error);

inline constexpr size_t kNoRecord = size_t(-1);

// C API (behaviour §13): the code id of a code-like object's events (the oracle's
// `capi:NAME`, oracle/PROTOCOL.md §3.7).
inline std::string capiCodeId(const std::string& name) { return "capi:" + name; }

// One call of a scenario tool's callback, in the same shape whether the interpreter
// recorded it or the model predicted it (check/replay.h), so that comparing,
// `expect` and reports read the same fields.
struct Delivery {
  // The occurrence: its probe event record, or for an occurrence the probe missed
  // its first delivery record; kNoRecord: no probe record (a run without the probe).
  size_t record = kNoRecord;
  int tool = -1;
  Event event = Event::PyStart;  // the callback slot's (3.14+ legacy BRANCH: Branch)
  std::string code;              // code id
  int64_t offset = 0;            // as recorded
  int32_t aux = 0;               // LINE: the line; JUMP, BRANCH*: the destination; else 0
  std::optional<int> line;
  std::string exc;       // the exception argument's type, if any
  std::string callable;  // CALL, C_RETURN, C_RAISE: the callable's repr (recorded only)
  // Recorded only, as patterns name them (valueText): CALL/C_*'s arg0, and the value
  // of PY_RETURN and PY_YIELD (and a C API C_RETURN's retval).
  std::string arg0, value;
  // Tools 6/7: the trace event the function got, and which function it was
  // ("trace:T", as the oracle labels it; behaviour §12).
  std::optional<LegacyEvent> legacy;
  std::string hookFunction;
  CallbackOutcome result = CallbackOutcome::Returned;
  std::string raisedType;  // result Raised: the exception's type
  // result Returned: the repr of what the callback returned ("None"); "" where it is
  // not known (the model's side tells only DISABLE from the rest).
  std::string returned;
};

// A delivery record of a trace, with the probe event record of its occurrence: the
// record before it, or for tools above the probe (called first, behaviour §9.2) the
// record after it. An occurrence the probe missed is keyed by its first delivery
// record (`unseen`).
struct ObservedDelivery : Delivery {
  size_t index = 0;  // the delivery record in Trace::records
  const TraceRecord* source = nullptr;
  bool unseen = false;
};
// The recorded side of a delivery record.
Delivery deliveryOf(const TraceRecord& r);
// A recorded value as a pattern names it: its repr; MISSING and DISABLE by name.
std::string valueText(const TraceValue& v);
// Each scenario-tool delivery of the trace (the probe's own are left out), in order.
std::vector<ObservedDelivery> associateDeliveries(const Trace& t);

}  // namespace monsim::harness
