#pragma once
// One scenario on one interpreter (or on the model alone, for script scenarios):
// record with the oracle twice (with the probe, and without it: the scenario's tools
// alone), predict both runs with the model fed the probe-on run's raw stream, compare
// each run with its prediction, check `expect` on both, then apply the interpreter's
// expectations file. The verdicts of `monsim check`.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "check/compare.h"
#include "check/expect.h"
#include "interpreter/oracle_driver.h"
#include "interpreter/trace.h"
#include "model/explain.h"
#include "scenario/expectations.h"
#include "scenario/scenario.h"

namespace monsim::harness {

// The verdicts (spec/vocab/verdicts.def).
using Verdict = vocab::Verdict;
inline std::string_view verdictName(Verdict v) { return vocab::name(v); }
using vocab::isBad;  // makes the run fail

// Why a check ended in Verdict::Error (spec/vocab/errors.def).
using ErrorKind = vocab::ErrorKind;

struct CheckError {
  ErrorKind kind = ErrorKind::None;
  bool probeOff = false;                     // in the run without the probe
  OraclePhase phase = OraclePhase::Unknown;  // OracleErrored
};

struct CheckResult {
  std::string scenario, file, interpreter, version;
  std::string
      implementation;  // what the interpreter runs: "cpython" (also pyodide), "pypy"
  Verdict verdict = Verdict::Error;
  CheckError error;    // verdict Error: its kind
  std::string reason;  // one line
  // verdict Skipped for want of a capability: its name ("monitoring" for a usable
  // sys.monitoring, else a hello capability such as "setprofile"); "" otherwise.
  std::string missing;
  std::string detail;  // multi-line (divergence report, expectation failures); ends with
                       // a newline when not empty
  std::vector<Divergence> divergences;
  std::vector<ExpectFailure> expectFailures;
  // Where the model's two predictions differ: the rule that makes the probe change
  // what a scenario tool receives (ProbeEffect::text), and where the run without
  // the probe leaves the probe-on run's path (its rest is not compared).
  std::vector<std::string> probeEffects;
  std::string pathSplit;
  // Limits a run hit without being ended by them (its output cut): said in `detail`.
  std::vector<std::string> limitsHit;
  // A scenario's real clients (`clients.results`): step outcomes compared with the
  // unrecorded run, and those that differ (which make the verdict fail).
  int clientResultsCompared = 0;
  std::vector<std::string> clientMismatches;
  const KnownDeviation* deviation = nullptr;
  double seconds = 0;
  // How often each model rule (model/explain.h) decided for a scenario tool, over the
  // occurrences of both predictions: what a campaign exercised.
  std::array<uint32_t, kReasonCount> rules{};
  // With CheckContext::keepTraces: the recorded traces (off: null when not run) and,
  // with keepTraceJson, the oracle's JSON of them (fuzz corpora; JSON null if not).
  std::shared_ptr<const Trace> on, off;
  Literal traceOn, traceOff;
};

struct CheckContext {
  const std::vector<Expectations>* expectations = nullptr;
  bool aloneRun = true;        // also run without the probe (scenarios with tools)
  bool keepTraces = false;     // keep the recorded traces in CheckResult
  bool keepTraceJson = false;  // and their JSON
  long maxRecords = 0;         // the oracle's max_records (0: its default, 200000)
};

CheckResult checkOnInterpreter(const Scenario& s, Oracle& w, const CheckContext& c);
// Writes the runs checkOnInterpreter(s, w, c) makes to the worker ahead (Oracle::
// prefetch), so it starts them while the harness still judges the scenario before.
// False when the check makes others first or none (script, skipped, an unrecorded
// run first): a caller must then not write what comes after it, which that check's
// first run would drop.
bool prefetchRuns(const Scenario& s, Oracle& w, const CheckContext& c);
// The same verdict for traces recorded earlier (the offline corpus, tests/traces/):
// `off` is the probe-off trace, if one was recorded.
CheckResult checkTraces(const Scenario& s, const Trace& on, const Trace* off,
                        const std::string& interpreter, PyVersion v,
                        const CheckContext& c);
// Script scenarios: the model for `v`; reported as interpreter "model-<v>".
CheckResult checkScript(const Scenario& s, PyVersion v, const CheckContext& c);

}  // namespace monsim::harness
