#pragma once
// A recorded run as the checker reads it: the oracle's trace object
// (oracle/PROTOCOL.md, `result.trace`) or a `monsim record` JSONL file.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace monsim::harness {

struct TraceCode {
  std::string id;  // "qualname@firstlineno"
  std::string qualname;
  int firstLine = 0;
  bool program = false;  // defined by the scenario's program
};

struct Trace {
  std::string scenario;
  int probeTool = -1;  // -1: recorded without the probe
  bool truncated = false;
  nlohmann::json interpreter;  // {name, version, hexversion, platform}
  nlohmann::json options;
  std::map<std::string, TraceCode> codes;
  std::vector<nlohmann::json> records;
  std::string stdoutText, stderrText;

  const TraceCode* code(const std::string& id) const;
};

Trace traceFromJson(const nlohmann::json& trace);

// An offset outside any code object (negative or past 2^20): CPython's garbage location
// after a raising JUMP/BRANCH callback (raising-jump-callback-raise-location), different
// on every run, so observer comparisons treat all of them as equal.
inline bool isGarbageOffset(int64_t offset) { return offset < 0 || offset > (1 << 20); }
// Reads a `monsim record` file (provenance, trace, records…, end); nullopt with
// `error` set ("file:line: …") when it is not one or the run had no result.
std::optional<Trace> readTraceJsonl(const std::string& path, std::string& error);

// Each scenario-tool delivery with the probe event record of its occurrence: the
// record before it, or for tools above the probe (called first, behaviour §9.2)
// the record after it. kNoRecord: no probe record (e.g. a run without the probe).
inline constexpr size_t kNoRecord = size_t(-1);
// An occurrence the probe missed is keyed by its first delivery record (`unseen`).
struct ObservedDelivery {
  size_t occurrence = kNoRecord;
  size_t index = 0;  // in Trace::records
  const nlohmann::json* record = nullptr;
  bool unseen = false;
};
std::vector<ObservedDelivery> associateDeliveries(const Trace& t);

}  // namespace monsim::harness
