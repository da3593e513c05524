#pragma once
// A results stream written as the run goes: the header first, then each record the
// moment its check ends, one whole line per write. A run killed at any moment leaves a
// valid prefix of its stream (no footer), and `monsim check --resume` reads the records
// back so only the missing checks run; the finished run then rewrites the file in
// order, with its footer (runner/results_stream.h), by an atomic rename.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

namespace monsim::harness {

class ResultsJournal {
 public:
  ResultsJournal() = default;
  ResultsJournal(const ResultsJournal&) = delete;
  ResultsJournal& operator=(const ResultsJournal&) = delete;
  ~ResultsJournal();

  // Starts `path` afresh with `header` (and the records kept from an earlier run);
  // false, with `error`, when it cannot be written.
  bool open(const std::string& path, const nlohmann::json& header,
            const std::vector<nlohmann::json>& kept, std::string& error);
  // One record as one line; false once writing failed.
  bool append(const nlohmann::json& record);

 private:
  int fd_ = -1;
  bool ok_ = true;
};

// (scenario id, interpreter id) -> the record an earlier run wrote.
using RecordKey = std::pair<std::string, std::string>;

struct EarlierRun {
  nlohmann::json header;
  std::map<RecordKey, nlohmann::json> records;
  bool finished = false;  // it has its footer
};

// Reads the stream (or its prefix) at `path` for --resume: nullopt with `error` when it
// is not a results stream of this monsim; a file that does not exist is an empty run.
// A last line cut short by a kill is dropped.
std::optional<EarlierRun> readEarlierRun(const std::string& path, std::string& error);

}  // namespace monsim::harness
