#pragma once
// A conformance scenario as loaded from YAML (spec/SCENARIO-FORMAT.md): test262-
// style metadata, the program + tools + steps the oracle runs (kept as the
// oracle's own scenario JSON, oracle/PROTOCOL.md), the declarative callbacks the
// model's policy re-evaluates, and the hand-written expectations. Everything
// parsed keeps its `file:line:col` so later stages can blame the right line.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/legacy.h"
#include "model/version_profile.h"
#include "spec/vocab.h"

namespace monsim::harness {

struct SourceLoc {
  std::string file;
  int line = 0;             // 1-based
  int col = 0;              // 1-based
  std::string str() const;  // "file:line:col"
};

template <typename T>
struct Located {
  T value{};
  SourceLoc loc;
};

using Level = vocab::Level;  // spec/vocab/levels.def
inline std::string_view levelName(Level l) { return vocab::name(l); }

// `python: ">=3.12"`, `">=3.13,<3.15"`, `"3.14"`: the versions a scenario applies to.
struct VersionRange {
  std::optional<PyVersion> min;    // inclusive
  std::optional<PyVersion> below;  // exclusive
  bool contains(PyVersion v) const;
  std::string text;  // as written
};

// One declarative callback clause: the first clause whose `when` matches acts.
struct When {
  std::vector<int> nth;  // empty: any
  std::optional<int> fromNth;
  std::vector<std::string> functions;  // qualname or code id ("f@3")
  std::vector<int> lines;
  std::vector<int> offsets;
  std::vector<std::string> events;  // trace functions: trace events ("call", "line")
};
struct Clause {
  When when;
  std::vector<nlohmann::json> actions;  // oracle action objects (api/call/gen/delete)
  bool returnsDisable = false;          // `return: {$: DISABLE}`
  std::optional<nlohmann::json>
      returns;  // the `return` literal (oracle JSON); absent: None
  std::optional<nlohmann::json> raise;  // {type, args}
  SourceLoc loc;
};
using Callback = std::vector<Clause>;  // an empty list: return None

struct ToolSpec {
  int id = 0;
  std::string name;
  bool use = true;
  bool autoCallbacks = true;
  std::vector<std::string> events;                        // global
  std::map<std::string, std::vector<std::string>> local;  // function -> events
  std::map<std::string, Callback> callbacks;              // event name -> clauses
  SourceLoc loc;
};

// An offset-free description of one delivery; unset fields match anything.
struct DeliveryPattern {
  std::optional<int> tool;            // `hook: trace` / `profile`: 7 / 6
  std::optional<LegacyEvent> legacy;  // with `hook`: the trace event (`event: line`)
  std::optional<std::string> traceFunction;  // with `hook`: the function called
  std::optional<std::string> event;          // STOP_ITERATION ≡ RAISE(StopIteration)
  std::optional<std::string> function;       // qualname
  std::optional<int> line;                   // absolute line
  std::optional<int> relLine;                // "+N": line - function's first line
  std::optional<std::string> exc;            // exception type name (exception events)
  std::optional<std::string> callable;       // CALL/C_*: substring of the callable's repr
  std::optional<std::string> arg0;    // CALL/C_*: arg0's repr exactly ("MISSING": none)
  std::optional<std::string> value;   // PY_RETURN, PY_YIELD: its repr exactly
  std::optional<std::string> result;  // "returned" | "disable" | "raised"
  SourceLoc loc;
};
// An item of an ordered expectation: one pattern, or a group matched in any order.
struct ExpectItem {
  std::vector<DeliveryPattern> unordered;  // size 1 and !isGroup: a plain pattern
  bool isGroup = false;
  SourceLoc loc;
};
enum class MatchMode { Exact, Contains };  // Exact: the scoped stream is exactly the list
struct StepExpect {
  int step = 0;  // index into steps
  std::optional<nlohmann::json>
      result;                         // plain JSON value (api `value` / call result repr)
  std::optional<std::string> raises;  // exception type
  std::optional<std::string> message;  // only where the spec fixes it
  SourceLoc loc;
};
struct Expect {
  bool present = false;
  MatchMode mode = MatchMode::Exact;
  std::vector<int> scopeTools;           // empty: every tool of `tools`
  std::vector<int> scopeHooks;           // 7, 6 (`hooks: [trace, profile]`); empty: both
  std::vector<std::string> scopeEvents;  // empty: every event
  std::vector<ExpectItem> deliveries;
  std::vector<DeliveryPattern> absent;
  std::vector<StepExpect> steps;
  SourceLoc loc;
};

// Script scenarios drive the model directly (no interpreter): a closed list.
struct ScriptStep {
  enum class Kind { Api, Enter, Exit, Event };
  Kind kind = Kind::Api;
  std::string fn;                  // Api: API function name
  nlohmann::json args;             // Api: oracle literals
  std::string function;            // Enter/Exit/Event: the code object, by function name
  std::string event;               // Event
  int offset = 0;                  // Event
  std::optional<int> line;         // Event: LINE's line; the line a pattern sees
  std::optional<int> dest;         // Event: JUMP/BRANCH* destination
  std::optional<std::string> exc;  // Event: exception type
  SourceLoc loc;
};

// A code-like object of the C API (behaviour §13): `states` PyMonitoringState of its
// own and a version cell, shared by the objects that name the same `version`.
struct CapiObject {
  std::string name;
  int states = 1;
  std::string version;  // default: the object's own name
  SourceLoc loc;
};

// `outcome`: the verdict a scenario must get, for programs that attack the harness
// (the `hostile` area: a crash, a hang, a fork) rather than check a rule. With it, the
// verdict is `pass` when the check's own verdict matches, `expect-fail` otherwise.
struct StatedOutcome {
  vocab::Verdict verdict = vocab::Verdict::Pass;
  vocab::ErrorKind error = vocab::ErrorKind::None;  // verdict error: its kind (None: any)
  std::string says;  // text the verdict's reason or detail contains ("": any)
  SourceLoc loc;
};

// `limits`: tighter bounds for one scenario's runs than the harness's (a hostile
// program that floods or hangs need not take the default time); 0: the harness's.
// A scenario's own limits for its runs (0: the harness's); each can only tighten it.
struct RunLimits {
  int seconds = 0;    // the run's time limit
  long records = 0;   // the oracle's max_records
  long memoryMb = 0;  // resident memory a run may add to its worker
  int processes = 0;  // processes a run may have at once besides its worker
  long output = 0;    // characters of the program's stdout and stderr kept (stdout_limit)
};

// `clients`: the real tools the program runs (the stdlib's own sys.monitoring and
// hook clients) and the declared tools that reproduce a third-party tool's pattern.
// A real client's recording is proven harmless: the `results` steps (its own output,
// e.g. pstats counts) must come out the same in a run without any recording.
struct Clients {
  std::vector<std::string> real;      // names of kRealClients
  std::vector<std::string> patterns;  // "coverage.py 7.7-7.15 sysmon, line mode", …
  std::vector<int> results;           // step indices
  SourceLoc loc;
};

// The real clients a scenario may run, with the hello capability each needs.
struct RealClient {
  std::string_view name, capability;
  bool monitoring;  // a sys.monitoring client (else: the legacy hooks')
};
inline constexpr RealClient kRealClients[] = {
    {"cProfile", "cprofile", true},
    {"profile", "profile_module", false},
    {"trace", "trace_module", false},
    {"bdb", "bdb_monitoring", true},
};

struct Scenario {
  enum class Kind { Program, Script };
  Kind kind = Kind::Program;
  std::string file;
  std::string id;
  std::string description;
  std::vector<std::string> specRefs;  // `spec:` (string or list)
  std::vector<std::string> features;
  Level level = Level::Must;
  VersionRange python;
  std::vector<std::string> requires_;  // capabilities (oracle hello), e.g. "threads"
  nlohmann::json oracle;               // the oracle's scenario JSON (program scenarios)
  std::vector<ToolSpec> tools;         // sorted by id
  std::map<std::string, Callback> handlers;
  // Trace and profile functions by name (behaviour §12): clauses as for callbacks,
  // `when.events` naming trace events.
  std::map<std::string, Callback> traceFunctions;
  // C API code-like objects, as declared (`capi:`); `capiExt`: some use of them needs
  // our extension (a shared version cell, a scope of more than two events, a fire
  // whose offset is not its state's index).
  std::vector<CapiObject> capi;
  bool capiExt = false;
  // The scenario needs sys.monitoring: it has tools, an `api` action, or a program
  // that names sys.monitoring. Without it, an implementation that has only the
  // legacy hooks can run it (spec/SCENARIO-FORMAT.md).
  bool usesMonitoring = false;
  std::vector<SourceLoc> stepLocs;             // per steps[i]
  std::vector<ScriptStep> script;              // script scenarios
  std::map<std::string, int> scriptFunctions;  // script: function -> first line
  // What the tools get alone (the run without the probe; with the probe too unless
  // `expectWithProbe` is present, which then holds for the probe-on run instead).
  Expect expect;
  Expect expectWithProbe;
  std::optional<StatedOutcome> outcome;
  RunLimits limits;
  std::optional<Clients> clients;
  SourceLoc loc;
};

// Replaces every `{$: events, names: [...]}` marker in an oracle literal with the mask
// of those events on `v` (as the oracle computes it), e.g. for script API arguments.
nlohmann::json resolveEventsMarkers(const nlohmann::json& literal, PyVersion v);

}  // namespace monsim::harness
