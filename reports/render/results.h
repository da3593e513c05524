#pragma once
// The results stream of `monsim check` (reports/schema/results.schema.json), read
// back for rendering. Reports depend on the stream, not on the checker's structs,
// so old streams and streams from other machines render the same way.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "spec/vocab.h"

namespace monsim::report {

// The stream's vocabularies (spec/vocab/*.def), parsed once by the reader; renderers
// compare these and call vocab::name() only when printing.
using Verdict = vocab::Verdict;
using Level = vocab::Level;
using DivergenceKind = vocab::DivergenceKind;

struct Interpreter {
  std::string id, kind, implementation, version, path, provenance;
  nlohmann::json build;         // the oracle hello's implementation; null if unknown
  nlohmann::json capabilities;  // null if unknown
  bool isModel() const { return kind == "model"; }
  std::string buildText() const;  // "GCC 12.2.0, main May 9 2026, linux x86_64"
};

struct Divergence {
  DivergenceKind kind = DivergenceKind::Missing;
  std::string where, model, interpreter, rule;
  long record = 0;
  int tool = -1;
};

struct KnownEntry {
  Verdict verdict = Verdict::Fail;
  std::string reason, issue, at;
};

struct Record {
  std::string scenario, file, interpreter, version, reason;
  std::string missing;  // skipped for want of this capability ("" otherwise)
  Verdict verdict = Verdict::Error;
  Level level = Level::Must;
  std::string description, python, detail;
  // Where the model's predictions with and without the probe differ: the rule.
  std::vector<std::string> probeEffects;
  std::string pathSplit;
  std::vector<std::string> features, spec;
  double seconds = 0;
  std::vector<Divergence> divergences;
  std::vector<std::pair<std::string, std::string>> expectFailures;  // at, message
  std::optional<KnownEntry> known;
  std::string source;  // "results.jsonl:12", for messages
  // The feature area: the scenario's folder under spec/scenarios ("disable",
  // "generated/deliver"); else its first feature.
  std::string area;
};

// One results file's header and footer.
struct Run {
  std::string path, monsim, suiteCommit, date, root;
  bool suiteDirty = false;
  nlohmann::json seed;
  long scenarios = 0;
  double seconds = 0;
  long loadErrors = 0;
  bool complete = false;  // the footer was read
};

struct ResultSet {
  std::vector<Run> runs;
  std::vector<Interpreter> interpreters;  // header order, then the model's
  std::vector<Record> records;            // by area, scenario, interpreter order

  const Interpreter* interpreter(const std::string& id) const;
  const Record* find(const std::string& scenario, const std::string& interpreter) const;
  std::vector<std::string> areas() const;  // sorted
  // Interpreters that ran something (the model's only if they have records).
  std::vector<const Interpreter*> columns(bool withModel) const;
  std::string suiteText() const;  // "a1b2c3d" / "a1b2c3d (modified)" / several
};

// Reads results streams in order; a later file's record for the same (scenario,
// interpreter) replaces an earlier one, so one file per interpreter merges cleanly.
// Problems (unreadable file, bad JSON, missing fields, a verdict, level or divergence
// kind outside spec/vocab) are appended as "file:line: message" and the line is
// skipped; what could be read is still returned.
ResultSet loadResults(const std::vector<std::string>& paths,
                      std::vector<std::string>& errors);
// The same for streams in memory: (name, text) pairs.
ResultSet parseResults(const std::vector<std::pair<std::string, std::string>>& streams,
                       std::vector<std::string>& errors);

}  // namespace monsim::report
