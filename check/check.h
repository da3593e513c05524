#pragma once
// One scenario on one interpreter (or on the model alone, for script scenarios):
// record with the oracle, predict with the model fed the interpreter's own raw
// stream, compare, check `expect`, check observer independence, then apply the
// interpreter's expectations file. The verdicts of `monsim check`.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "check/compare.h"
#include "check/expect.h"
#include "interpreter/oracle_driver.h"
#include "interpreter/trace.h"
#include "scenario/expectations.h"
#include "scenario/scenario.h"

namespace monsim::harness {

// The verdicts (spec/vocab/verdicts.def).
using Verdict = vocab::Verdict;
inline std::string_view verdictName(Verdict v) { return vocab::name(v); }
using vocab::isBad;  // makes the run fail

struct CheckResult {
  std::string scenario, file, interpreter, version;
  Verdict verdict = Verdict::Error;
  std::string reason;  // one line
  std::string detail;  // multi-line (divergence report, expectation failures); ends with
                       // a newline when not empty
  std::vector<Divergence> divergences;
  std::vector<ExpectFailure> expectFailures;
  std::string observer;  // "" independent; else the first difference
  const KnownDeviation* deviation = nullptr;
  double seconds = 0;
  // With CheckContext::keepTraces: the recorded traces (off: null when not run) and,
  // with keepTraceJson, the oracle's JSON of them (fuzz corpora).
  std::shared_ptr<const Trace> on, off;
  nlohmann::json traceOn, traceOff;
  nlohmann::json toJson(const Scenario& s) const;  // a results-stream record
};

struct CheckContext {
  const std::vector<Expectations>* expectations = nullptr;
  bool observerCheck = true;
  bool keepTraces = false;     // keep the recorded traces in CheckResult
  bool keepTraceJson = false;  // and their JSON
  long maxRecords = 0;         // the oracle's max_records (0: its default, 200000)
};

CheckResult checkOnInterpreter(const Scenario& s, OracleWorker& w, const CheckContext& c);
// The same verdict for traces recorded earlier (the offline corpus, tests/traces/):
// `off` is the probe-off trace, if one was recorded.
CheckResult checkTraces(const Scenario& s, const Trace& on, const Trace* off,
                        const std::string& interpreter, PyVersion v,
                        const CheckContext& c);
// Script scenarios: the model for `v`; reported as interpreter "model-<v>".
CheckResult checkScript(const Scenario& s, PyVersion v, const CheckContext& c);

// The oracle run options a scenario needs (INSTRUCTION in use: the probe records it).
nlohmann::json runOptions(const Scenario& s, bool probe);

}  // namespace monsim::harness
