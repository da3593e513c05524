#pragma once
// A campaign's findings on disk: per finding <id>.yaml (a suite scenario), <id>.py
// (a standalone script) and <id>.txt (signature, token, replay command, the first
// divergence), and one line per finding in findings.jsonl.
#include <string>
#include <vector>

#include "campaign/campaign.h"
#include "interpreter/discovery.h"

namespace monsim::gen {

// Eight hex digits of a stable hash (FNV-1a): finding ids from signatures.
std::string hex8(const std::string& s);

// "monsim fuzz --python ID --replay TOKEN".
std::string reproduceCommand(const harness::Interpreter& in, const Token& t);

// One line of findings.jsonl, read.
struct FindingRecord {
  std::string line;  // as written, without its newline
  std::string id, interpreter, signature, token;
  bool minimal = false;
  bool stopped = false;  // the campaign stopped while shrinking it
};

// The findings of <dir>/findings.jsonl (none if there is no file); a last line a kill
// cut short, without its newline, is left out. A line that is no finding: `error`
// ("PATH:LINE: …") and what was read before it.
std::vector<FindingRecord> readFindingRecords(const std::string& dir, std::string& error);

// Writes the finding's files under `dir` (created if needed); returns its id,
// "fuzz-<interpreter>-<hash of the signature>", stable across runs.
// `stopped`: the campaign stopped while shrinking it (fuzz --resume shrinks it again).
std::string writeFinding(const std::string& dir, const harness::Interpreter& in,
                         const Shrunk& s, const std::string& signature,
                         bool stopped = false);

}  // namespace monsim::gen
