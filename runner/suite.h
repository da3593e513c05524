#pragma once
// A conformance run: every program scenario on every selected interpreter and every
// script scenario on the model of each selected version, on the shared task pool.
// `monsim check` is this plus argument parsing and printing.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "check/check.h"
#include "interpreter/discovery.h"
#include "runner/journal.h"
#include "scenario/scenario.h"

namespace monsim::harness {

struct SuiteTask {
  const Scenario* scenario = nullptr;
  int interp = -1;  // index into the interpreters; -1: a script on the model
  PyVersion version = PyVersion::V3_12;
};

struct SuiteOptions {
  int jobs = 2;
  OracleOptions oracle;
  // Where runs are answered: empty for live workers with `oracle`; a store of
  // recordings (interpreter/recordings.h), or live workers that record, otherwise.
  OracleFactory oracles;
  CheckContext context;
  // The records of an earlier run (--resume): their checks do not run again.
  const std::map<RecordKey, nlohmann::json>* earlier = nullptr;
  // Where each record goes the moment its check ends (--results).
  ResultsJournal* journal = nullptr;
};

struct SuiteRun {
  std::vector<SuiteTask> tasks;
  std::vector<CheckResult> results;  // per task
  // Per task: the earlier run's record (--resume), written as it was; null: run now.
  std::vector<nlohmann::json> kept;
  std::vector<std::optional<nlohmann::json>> hellos;  // per interpreter, if it started
  std::map<Verdict, int> counts;
  double seconds = 0;
  std::string started;  // UTC, ISO 8601
  // Scenarios checked somewhere: not skipped on every interpreter and version.
  size_t checked() const;
};

// The tasks in a stable order: interpreters × program scenarios, then scripts ×
// the versions of the interpreters (the model alone has no version to pick).
std::vector<SuiteTask> suiteTasks(const std::vector<Scenario>& scenarios,
                                  const std::vector<Interpreter>& interps);

// A task's key in a results stream: its scenario and interpreter ("model-3.13" for a
// script on the model).
RecordKey taskKey(const SuiteTask& t, const std::vector<Interpreter>& interps);

// Runs the tasks; `onResult` is called once per task as it finishes (serialised), not
// for the tasks an earlier run answered.
SuiteRun runSuite(
    const std::vector<Scenario>& scenarios, const std::vector<Interpreter>& interps,
    const SuiteOptions& options,
    const std::function<void(const SuiteRun&, const CheckResult&)>& onResult);

}  // namespace monsim::harness
