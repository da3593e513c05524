#pragma once
// Recordings: what an interpreter's oracle answered during a check, kept so that the
// same check can be made again without the interpreter. Per interpreter, the store holds
// its description, its hello and the outcome of every run, keyed by the request (the
// scenario and the run options, exactly as sent). A check made from the store goes
// through the same code as a live one and gets the same traces, hence the same verdicts;
// a model change (or a model mutant) is checked in seconds, by anyone.
//
// On disk, one JSON-lines file per interpreter, DIR/<interpreter id>.jsonl:
//   {"kind":"interpreter", "interpreter":{id, kind, implementation, version, path,
//    command, provenance, monitoring}}
//   {"kind":"hello", "hello":{…} or null, "why":"…"}
//   {"kind":"run", "key":"<hash>", "scenario":"<id>", "outcome":{kind, message, detail,
//    phase, error_message}}
// A later line for the same key replaces an earlier one.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/oracle_driver.h"

namespace monsim::harness {

// The key of a run request: a stable hash (FNV-1a 64, hex) of the scenario and options.
std::string runKey(const nlohmann::json& scenario, const nlohmann::json& options);

nlohmann::json outcomeToJson(const RunOutcome& o);
// Throws nlohmann::json::exception (or std::invalid_argument) on a malformed outcome.
RunOutcome outcomeFromJson(const nlohmann::json& j);

// Live workers that also append every answer to DIR (created if needed; an existing
// interpreter file is replaced the first time that interpreter starts in this process).
OracleFactory recordingOracles(const std::string& dir, const OracleOptions& opts);

struct StoredInterpreter {
  Interpreter interpreter;
  std::optional<nlohmann::json> hello;  // nullopt: it did not start
  std::string why;                      // then: why
  std::map<std::string, RunOutcome> runs;
};

struct RecordingStore {
  std::string dir;
  std::vector<StoredInterpreter> interpreters;
};

// Reads every *.jsonl of DIR. Problems ("file:line: message") are appended and the line
// skipped; nullopt when DIR cannot be read or holds no interpreter.
std::optional<RecordingStore> loadRecordings(const std::string& dir,
                                             std::vector<std::string>& problems);

// Oracles that answer from the store (its interpreters, matched by id). A request the
// store has no answer to gets a NotRecorded outcome naming the scenario.
OracleFactory storedOracles(std::shared_ptr<const RecordingStore> store);

}  // namespace monsim::harness
