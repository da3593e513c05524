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
  enum class Kind { Result, Errored, Timeout, Crashed, NotRecorded };
  Kind kind = Kind::Crashed;
  nlohmann::json message;  // the worker's result/errored message, if any
  std::string detail;      // why it timed out or crashed; worker stderr tail
  OraclePhase phase = OraclePhase::Unknown;  // Errored: context.phase
  std::string errorMessage;                  // Errored: context.message
  std::string contextText() const;           // Errored: the context, indented JSON
};

// A worker's hello line: nullopt for a line that is no hello (skipped before the
// hello), and also, with `problem` set, for a hello whose fields lack the types the
// harness reads (a buggy implementation's).
std::optional<nlohmann::json> helloOf(const std::string& line, std::string& problem);

// What one line a worker wrote answers to request `seq`: nullopt for a stale reply
// (another request's number), Crashed for a line that is no protocol message.
std::optional<RunOutcome> outcomeOfReply(const std::string& line, long seq);

std::string_view kindName(RunOutcome::Kind k);
std::optional<RunOutcome::Kind> outcomeKindNamed(std::string_view name);

// The run options (PROTOCOL §3.6) a scenario needs: INSTRUCTION in use makes the
// probe record it.
nlohmann::json runOptions(const Scenario& s, bool probe);
// A run's time limit: the scenario's `limits.seconds` when it has one and it is below
// `other` (the harness's limit; zero: none given).
std::chrono::milliseconds runTimeout(const Scenario& s, std::chrono::milliseconds other);

struct OracleOptions {
  std::chrono::milliseconds startTimeout{60000};  // pyodide needs a few seconds
  std::chrono::milliseconds runTimeout{20000};
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
  // Runs one scenario; `options` is the protocol's run options object; `timeout`,
  // when not zero, replaces the worker's run time limit for this run.
  virtual RunOutcome run(const nlohmann::json& scenario,
                         const nlohmann::json& options = {},
                         std::chrono::milliseconds timeout = {}) = 0;
  virtual int starts() const = 0;  // 0: it never started (no hello to report)
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
                 std::chrono::milliseconds timeout = {}) override;
  void stop();
  int starts() const override { return starts_; }

 private:
  bool ensureStarted(std::string& why);

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
  std::string history() const;
};

// Live workers (OracleWorker) with these options.
OracleFactory liveOracles(const OracleOptions& opts);

}  // namespace monsim::harness
