// libFuzzer target: what an interpreter under test writes (a buggy one writes
// garbage). The first byte picks a scenario of the offline corpus (tests/traces/,
// with its interpreter version); the remaining lines are the worker's replies to
// the run with the probe and the run without it (after the worker's hello, if the
// first line is one), read and judged as `monsim check`
// does (protocol reply, trace, replay through the model, comparison, expect,
// invariants). The same bytes are also read as a `monsim record` file. Garbage must
// become a verdict; the harness failing to judge (HarnessFailed) is a finding.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "check/check.h"
#include "interpreter/discovery.h"
#include "interpreter/oracle_driver.h"
#include "interpreter/trace.h"
#include "scenario/loader.h"

namespace {

using namespace monsim::harness;
using nlohmann::json;

struct Case {
  Scenario scenario;
  Interpreter interpreter;
};
std::vector<Case> gCases;

// Replies line by line, as a worker would write them (stale numbers are skipped).
class ReplyOracle final : public Oracle {
 public:
  // A first line that is a hello (valid or not) is the worker's hello.
  ReplyOracle(const Interpreter& in, std::vector<std::string> lines)
      : in_(in), lines_(std::move(lines)) {
    if (lines_.empty()) return;
    std::string problem;
    hello_ = helloOf(lines_.front(), problem);
    if (hello_ || !problem.empty()) {
      helloProblem_ = problem;
      lines_.erase(lines_.begin());
    }
  }
  const Interpreter& interpreter() const override { return in_; }
  std::optional<json> hello(std::string* why) override {
    if (!helloProblem_.empty()) {
      if (why) *why = helloProblem_;
      return std::nullopt;
    }
    if (hello_) return hello_;
    json caps = json::object();
    for (const char* c :
         {"monitoring", "clear_tool_id", "branch_left_right", "instruction", "settrace",
          "setprofile", "threads", "c_api", "capi_ext"})
      caps[c] = true;
    return json{{"type", "hello"}, {"protocol", 1}, {"capabilities", caps}};
  }
  RunOutcome run(const json&, const json&, const RunBudget&) override {
    ++seq_;
    while (next_ < lines_.size())
      if (auto o = outcomeOfReply(lines_[next_++], seq_)) return std::move(*o);
    RunOutcome out;
    out.kind = RunOutcome::Kind::Crashed;
    out.detail = "worker died (exit 1)";
    return out;
  }
  int starts() const override { return 1; }

 private:
  const Interpreter& in_;
  std::vector<std::string> lines_;
  std::optional<json> hello_;
  std::string helloProblem_;
  size_t next_ = 0;
  long seq_ = 0;
};

// The offline corpus's files in name order (seeds.py numbers the cases the same
// way); each file is named after its interpreter, "<kind>-<version>.jsonl".
void loadCases() {
  std::vector<std::filesystem::path> files;
  for (const auto& e :
       std::filesystem::directory_iterator(sourceRoot() + "/tests/traces"))
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const std::string id = f.stem().string();
    const size_t dash = id.find('-');
    const std::string kind = id.substr(0, dash);
    std::ifstream in(f);
    std::string line;
    while (std::getline(in, line)) {
      const json j = json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("yaml") || !j["yaml"].is_string()) continue;
      LoadResult r = loadScenarioText(j["yaml"].get<std::string>(), id + ".yaml");
      if (!r.scenario) continue;
      Interpreter in{id,        kind == "cpython" ? "native" : kind,
                     "cpython", id.substr(dash + 1),
                     "",        {},
                     "fuzz"};
      gCases.push_back({std::move(*r.scenario), std::move(in)});
    }
  }
  if (gCases.empty()) std::abort();  // MONSIM_ROOT must name the source tree
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  loadCases();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (gCases.empty()) loadCases();  // the replay driver calls no initializer
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Case& c = gCases[data[0] % gCases.size()];

  std::vector<std::string> lines;
  std::istringstream in{std::string(rest)};
  for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  ReplyOracle oracle(c.interpreter, lines);
  CheckContext ctx;
  const CheckResult r = checkOnInterpreter(c.scenario, oracle, ctx);
  if (r.verdict == Verdict::Error && r.error.kind == ErrorKind::HarnessFailed) {
    std::fprintf(stderr, "harness failed: %s\n%s", r.reason.c_str(), r.detail.c_str());
    std::abort();
  }

  std::string error;
  parseTraceJsonl(rest, "fuzz.jsonl", error);
  return 0;
}
