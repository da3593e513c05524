#pragma once
// Interpreter against interpreter, with no model in between: one generated case runs
// on two interpreters (the probe on), their raw event streams are aligned per
// occurrence (check/stream_diff.h), and a difference is reduced to a signature,
// deduplicated and shrunk like a model-vs-interpreter finding. For `monsim fuzz
// --versus A B`: does pyodide's 3.12.1 emit what the native one does on programs the
// suite never wrote? What changed between 3.13.0 and 3.13.2?
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "check/stream_diff.h"
#include "generators/fuzz_case.h"
#include "interpreter/oracle_driver.h"
#include "runner/progress.h"

namespace monsim::gen {

struct VersusRun {
  std::string yaml;
  harness::StreamDiff diff;
  std::string signature;      // "" when both emitted the same stream
  std::string error;          // a side gave no trace: which, and why ("" if both did)
  std::string neither;        // both failed alike (no difference, nothing compared)
  bool harnessError = false;  // the generated scenario does not load (our bug)
};

// Runs the case (generated for t.version) on both workers.
VersusRun runVersus(const FuzzCase& c, const Token& t, harness::OracleWorker& left,
                    harness::OracleWorker& right, harness::StreamView view);

struct VersusOptions {
  uint64_t seed = 0;
  double seconds = 60;  // 0: until `count`
  long count = 0;
  int jobs = 1;  // worker pairs
  std::string out = "out/fuzz";
  int shrinkBudget = 300;
  bool shrink = true;
  harness::StreamView view;
  bool hooks = false;
  PyVersion version = PyVersion::V3_13;  // the cases' version (the older side's)
};

struct VersusStats {
  long cases = 0, differing = 0, errors = 0, harnessErrors = 0;
  long neither = 0;  // cases neither interpreter could run (failed alike)
  std::map<std::string, long> bySignature;  // case count per signature
  double seconds = 0;
  std::string line(const std::string& left, const std::string& right) const;
};

VersusStats runVersusCampaign(const harness::Interpreter& left,
                              const harness::Interpreter& right,
                              const harness::OracleOptions& oracle,
                              const VersusOptions& options, const std::atomic<bool>& stop,
                              harness::Progress& progress);

// Shrinks a differing case while its signature holds, writes <id>.yaml and <id>.txt
// (signature, token, replay command, the events only one side emitted) under `dir`
// and a line in findings.jsonl; returns the id.
std::string writeVersusFinding(const std::string& dir, const harness::Interpreter& left,
                               const harness::Interpreter& right, const Token& t,
                               const VersusRun& run, int shrinkRuns, bool minimal,
                               harness::StreamView view);

// "monsim fuzz --versus --python L --python R --replay TOKEN".
std::string versusReplayCommand(const harness::Interpreter& left,
                                const harness::Interpreter& right, const Token& t,
                                harness::StreamView view);

}  // namespace monsim::gen
