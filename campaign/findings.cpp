#include "campaign/findings.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "interpreter/pyrepro.h"
#include "scenario/loader.h"

namespace monsim::gen {

std::string hex8(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across runs and builds
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(h >> 32));
  return buf;
}

std::string reproduceCommand(const harness::Interpreter& in, const Token& t) {
  return "monsim fuzz --python " + in.id + " --replay " + t.str();
}

std::vector<FindingRecord> readFindingRecords(const std::string& dir,
                                              std::string& error) {
  const std::string path = dir + "/findings.jsonl";
  std::ifstream f(path, std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(f), {}};
  std::vector<FindingRecord> out;
  int no = 0;
  for (size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) {
    ++no;
    FindingRecord r;
    r.line = text.substr(at, nl - at);
    if (r.line.empty()) continue;
    const auto j = nlohmann::json::parse(r.line, nullptr, false);
    auto text = [&](const char* key) {
      return j.is_object() && j.contains(key) && j[key].is_string();
    };
    if (!text("id") || !text("interpreter") || !text("signature")) {
      error = path + ":" + std::to_string(no) +
              ": not a finding (an object with id, interpreter and signature)";
      return out;
    }
    r.id = j["id"].get<std::string>();
    r.interpreter = j["interpreter"].get<std::string>();
    r.signature = j["signature"].get<std::string>();
    if (text("token")) r.token = j["token"].get<std::string>();
    r.minimal = j.contains("minimal") && j["minimal"] == true;
    r.stopped = j.contains("stopped") && j["stopped"] == true;
    out.push_back(std::move(r));
  }
  return out;
}

std::string writeFinding(const std::string& dir, const harness::Interpreter& in,
                         const Shrunk& s, const std::string& signature, bool stopped) {
  const std::string id = "fuzz-" + in.id + "-" + hex8(signature);
  std::filesystem::create_directories(dir);
  const std::string tok = s.token.str();
  const std::string yaml = renderScenario(s.fc, s.token.version, id,
                                          "fuzz finding on " + in.id + ": " + signature,
                                          "monsim fuzz --replay " + tok)
                               .yaml;
  std::ofstream(dir + "/" + id + ".yaml") << yaml;
  auto loaded = harness::loadScenarioText(yaml, id + ".yaml");
  if (loaded.scenario)
    std::ofstream(dir + "/" + id + ".py") << harness::standalonePython(*loaded.scenario);
  std::ofstream txt(dir + "/" + id + ".txt");
  txt << "signature:   " << signature << "\n"
      << "interpreter: " << in.id << " (" << in.path << ")\n"
      << "token:       " << tok << "\n"
      << "reproduce:   " << reproduceCommand(in, s.token) << "\n"
      << "shrinking:   " << s.evaluations << " runs"
      << (s.complete ? ", minimal" : ", stopped early (budget or Ctrl-C)") << "\n"
      << "verdict:     " << harness::verdictName(s.run.check.verdict) << " — "
      << s.run.check.reason << "\n\n"
      << s.run.check.detail;
  for (const std::string& v : s.run.invariants) txt << "trace invariant: " << v << "\n";
  nlohmann::json rec{{"id", id},
                     {"interpreter", in.id},
                     {"signature", signature},
                     {"token", tok},
                     {"reproduce", reproduceCommand(in, s.token)},
                     {"verdict", harness::verdictName(s.run.check.verdict)},
                     {"reason", s.run.check.reason},
                     {"shrink_runs", s.evaluations},
                     {"minimal", s.complete}};
  if (stopped) rec["stopped"] = true;
  std::ofstream(dir + "/findings.jsonl", std::ios::app) << rec.dump() << "\n";
  return id;
}

}  // namespace monsim::gen
