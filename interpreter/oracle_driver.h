#pragma once
// Drives one oracle worker (oracle/worker.py) over its JSON-lines protocol
// (oracle/PROTOCOL.md): many scenarios per interpreter start, a time limit per
// scenario, and crash/hang detection. A dead worker is restarted on the next
// run; its scenario gets a `timeout` or `crashed` outcome instead of a throw.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "interpreter/discovery.h"
#include "interpreter/process.h"

namespace monsim::harness {

struct RunOutcome {
  enum class Kind { Result, Errored, Timeout, Crashed };
  Kind kind = Kind::Crashed;
  nlohmann::json message;  // the worker's result/errored message, if any
  std::string detail;      // why it timed out or crashed; worker stderr tail
};

std::string_view kindName(RunOutcome::Kind k);

struct OracleOptions {
  std::chrono::milliseconds startTimeout{60000};  // pyodide needs a few seconds
  std::chrono::milliseconds runTimeout{20000};
  std::string workerScript;  // default: <source root>/oracle/worker.py
};

class OracleWorker {
 public:
  OracleWorker(Interpreter interp, OracleOptions opts = {});
  ~OracleWorker();

  const Interpreter& interpreter() const { return interp_; }
  // The worker's hello (starting it if needed); nullopt if it cannot start.
  std::optional<nlohmann::json> hello(std::string* why = nullptr);
  // Runs one scenario; `options` is the protocol's run options object.
  RunOutcome run(const nlohmann::json& scenario, const nlohmann::json& options = {});
  void stop();
  int starts() const { return starts_; }

 private:
  bool ensureStarted(std::string& why);

  Interpreter interp_;
  OracleOptions opts_;
  Process proc_;
  std::optional<nlohmann::json> hello_;
  long seq_ = 0;
  int starts_ = 0;
};

}  // namespace monsim::harness
