#pragma once
// Drives one oracle worker (oracle/worker.py) over its JSON-lines protocol
// (oracle/PROTOCOL.md): many scenarios per interpreter start, a time limit per
// scenario, and crash/hang detection. A dead worker is restarted on the next
// run; its scenario gets a `timeout` or `crashed` outcome instead of a throw.
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "interpreter/discovery.h"
#include "interpreter/instruction_tables.h"
#include "interpreter/process.h"
#include "scenario/scenario.h"

namespace monsim::harness {

// Where the oracle gave up on a run (PROTOCOL §2 `errored`, `context.phase`).
enum class OraclePhase : uint8_t {
  Protocol,
  Validate,
  Isolation,
  Compile,
  Setup,
  Run,
  Teardown,
  Internal,  // an oracle bug
  Unknown,   // none given, or one this driver does not know
};
std::string_view phaseName(OraclePhase p);        // as the oracle spells it; Unknown: "?"
OraclePhase phaseNamed(const std::string& name);  // Unknown if no phase is

struct RunOutcome {
  // NotRecorded: a store of recordings (interpreter/recordings.h) has no answer to it.
  // MemoryLimit, ProcessLimit: the run went over what RunBudget allows; killed.
  enum class Kind {
    Result,
    Errored,
    Timeout,
    Crashed,
    NotRecorded,
    MemoryLimit,
    ProcessLimit
  };
  Kind kind = Kind::Crashed;
  nlohmann::json message;  // the worker's result/errored message, if any
  std::string detail;      // why it timed out or crashed; worker stderr tail
  OraclePhase phase = OraclePhase::Unknown;  // Errored: context.phase
  // Errored: context.message; MemoryLimit, ProcessLimit: which limit, by how much.
  std::string errorMessage;
  std::string contextText() const;  // Errored: the context, indented JSON
};

// A worker's hello line: nullopt for a line that is no hello (skipped before the
// hello), and also, with `problem` set, for a hello whose fields lack the types the
// harness reads (a buggy implementation's).
std::optional<nlohmann::json> helloOf(const std::string& line, std::string& problem);

// What one line a worker wrote answers to request `seq`, read as the driver reads it
// (parseReplyText, checkCompactEvents): nullopt for a stale reply (another request's
// number), Crashed for a line that is no protocol message or breaks it.
std::optional<RunOutcome> outcomeOfReply(const std::string& line, long seq);
// The same for the line already parsed (discarded: not JSON).
std::optional<RunOutcome> outcomeOfReply(nlohmann::json reply, const std::string& line,
                                         long seq);

std::string_view kindName(RunOutcome::Kind k);
std::optional<RunOutcome::Kind> outcomeKindNamed(std::string_view name);

// The run options (PROTOCOL §3.6) a scenario needs: INSTRUCTION in use makes the
// probe record it.
nlohmann::json runOptions(const Scenario& s, bool probe);
// The run without any recording (PROTOCOL §3.6 `record`), for a scenario's real
// clients' own results; and how much of a step's value repr those runs keep.
nlohmann::json unrecordedRunOptions(const Scenario& s);
inline constexpr int kClientResultReprLimit = 4000;
inline constexpr int kDefaultReprLimit = 80;  // the oracle's, PROTOCOL §3.6
// What one run may use; the driver ends a run that goes over and says which limit it
// hit. Zero: no limit of that kind.
struct RunBudget {
  std::chrono::milliseconds time{0};  // until the reply
  long memoryMb = 0;  // resident memory the run may add to its worker's process group
  int processes = 0;  // processes the run may have at once besides the worker
};
// The tighter of two budgets, limit by limit (a zero is no limit).
RunBudget tighter(const RunBudget& a, const RunBudget& b);
// A scenario's own budget: its `limits` (seconds, memory, processes).
RunBudget budgetOf(const Scenario& s);

struct OracleOptions {
  std::chrono::milliseconds startTimeout{60000};  // pyodide needs a few seconds
  std::chrono::milliseconds runTimeout{20000};
  long memoryMb = 2048;      // RunBudget's, for every run (0: none)
  int processes = 16;        // RunBudget's, for every run (0: none)
  std::string workerScript;  // default: <source root>/oracle/worker.py
};

// What a check asks of an interpreter: its hello and the outcome of runs. A live
// worker process answers (OracleWorker), or a store of a live run's answers
// (interpreter/recordings.h), so a model change can be checked without interpreters.
class Oracle {
 public:
  virtual ~Oracle() = default;
  virtual const Interpreter& interpreter() const = 0;
  // The worker's hello (starting it if needed); nullopt if it cannot start.
  virtual std::optional<nlohmann::json> hello(std::string* why = nullptr) = 0;
  // Runs one scenario; `options` is the protocol's run options object; `budget`
  // tightens the worker's limits (OracleOptions) for this run.
  virtual RunOutcome run(const nlohmann::json& scenario,
                         const nlohmann::json& options = {},
                         const RunBudget& budget = {}) = 0;
  virtual int starts() const = 0;  // 0: it never started (no hello to report)
  // The runs that come next, in this order: a live worker may start them now, so it
  // runs one while the harness reads the one before. A run() that is not the next
  // of them drops the rest (their replies are skipped). A hint: none need be made.
  // True when the run is written ahead (now or before).
  virtual bool prefetch(const nlohmann::json& scenario, const nlohmann::json& options) {
    (void)scenario, (void)options;
    return false;
  }
};

// Makes the oracle of an interpreter for a thread of the task pool.
using OracleFactory = std::function<std::unique_ptr<Oracle>(const Interpreter&)>;

class OracleWorker : public Oracle {
 public:
  OracleWorker(Interpreter interp, OracleOptions opts = {});
  ~OracleWorker() override;

  const Interpreter& interpreter() const override { return interp_; }
  std::optional<nlohmann::json> hello(std::string* why = nullptr) override;
  RunOutcome run(const nlohmann::json& scenario, const nlohmann::json& options = {},
                 const RunBudget& budget = {}) override;
  void stop();
  int starts() const override { return starts_; }
  bool prefetch(const nlohmann::json& scenario, const nlohmann::json& options) override;

 private:
  bool ensureStarted(std::string& why);
  // Over `budget` now (memory grown past `baseKb`, or too many processes): the
  // outcome that says which limit, with the worker killed.
  std::optional<RunOutcome> overBudget(const RunBudget& budget, long baseKb);

  Interpreter interp_;
  OracleOptions opts_;
  Process proc_;
  std::optional<nlohmann::json> hello_;
  long seq_ = 0;
  int starts_ = 0;
  // The ids of the scenarios this process ran last: a hang or crash may come from what
  // an earlier scenario left behind.
  std::deque<std::string> recent_;
  int runsStart_ = 0;  // starts_ when recent_ began
  // The worker's memory (Pss, kB) between runs, which a run's growth is measured from:
  // read again at most once a second (the read walks the whole address space, a cost
  // a quick run should not pay), and after every restart.
  long baseKb_ = 0;
  // Requests written ahead (prefetch), oldest first, and the process they went to.
  struct Ahead {
    long seq;
    nlohmann::json scenario, options;
    size_t bytes;  // of the request line
  };
  std::deque<Ahead> ahead_;
  int aheadStart_ = 0;
  // The tables of the worker's previous result (PROTOCOL §4), for the process started
  // as tablesStart_.
  InstructionTables tables_;
  int tablesStart_ = 0;
  // The transport options (instruction tables by key, compact events) the hello
  // offers, which the driver adds to every run request and undoes in its reply.
  nlohmann::json transportOptions() const;
  // Writes a run request; false (the worker killed, `out` says why) if it cannot.
  bool send(const std::string& request, RunOutcome& out);
  int baseStart_ = -1;  // starts_ when baseKb_ was read
  std::chrono::steady_clock::time_point baseAt_{};
  std::string history() const;
};

// Live workers (OracleWorker) with these options.
OracleFactory liveOracles(const OracleOptions& opts);

}  // namespace monsim::harness
