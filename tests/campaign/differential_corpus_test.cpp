// Property 4: the differential check offline, on a committed corpus of generated
// scenarios with the traces recorded from all four interpreters (tests/traces/,
// written by `monsim fuzz --save-traces`), so it runs where an interpreter is
// missing. Each record must still agree with the model and keep the invariants.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>

#include "check/check.h"
#include "check/invariants.h"
#include "scenario/expectations.h"
#include "scenario/loader.h"

namespace monsim::harness {
namespace {

namespace fs = std::filesystem;

TEST(Corpus, RecordedGeneratedScenariosAgreeWithTheModel) {
  const fs::path dir = fs::path(sourceRoot()) / "tests" / "traces";
  std::map<std::string, int> perVersion;
  std::array<long, kReasonCount> rules{};
  std::vector<Diagnostic> diags;
  const auto expectations = loadExpectations(sourceRoot() + "/spec/expectations", diags);
  CheckContext ctx;
  ctx.expectations = &expectations;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".jsonl") continue;
    std::ifstream in(e.path());
    int lineNo = 0;
    for (std::string line; std::getline(in, line);) {
      ++lineNo;
      const std::string where =
          e.path().filename().string() + ":" + std::to_string(lineNo);
      const auto rec = nlohmann::json::parse(line, nullptr, false);
      ASSERT_FALSE(rec.is_discarded()) << where << ": not JSON";
      const auto loaded = loadScenarioText(rec.at("yaml").get<std::string>(), where);
      ASSERT_TRUE(loaded.scenario) << where << ": " << loaded.diagnostics.front().str();
      const auto v = parseVersion(rec.at("version").get<std::string>());
      ASSERT_TRUE(v) << where;
      const Trace on = traceFromJson(rec.at("on"));
      const Trace off = traceFromJson(rec.at("off"));
      const CheckResult r =
          checkTraces(*loaded.scenario, on, rec.at("off").is_null() ? nullptr : &off,
                      rec.at("interpreter").get<std::string>(), *v, ctx);
      EXPECT_EQ(r.verdict, Verdict::Pass)
          << where << " (token " << rec.value("token", "") << "): " << r.reason << "\n"
          << r.detail << "reproduce: monsim fuzz --python "
          << rec.value("interpreter", "") << " --replay " << rec.value("token", "")
          << "  (live), or this test offline";
      for (const auto& viol : checkInvariants(on))
        ADD_FAILURE() << where << ": trace invariant " << viol.str();
      ++perVersion[std::string(versionName(*v))];
      for (int k = 0; k < kReasonCount; ++k) rules[k] += r.rules[k];
    }
  }
  // The rule counts a campaign prints (CheckResult::rules) come from these decisions:
  // the corpus has tools with global and local events, DISABLEs and C calls.
  for (Reason k : {Reason::ActiveGlobal, Reason::ActiveLocal, Reason::NotSet,
                   Reason::DisabledAtSite, Reason::CallNotAtSite})
    EXPECT_GT(rules[static_cast<int>(k)], 0) << reasonName(k) << " never counted";
  for (const char* v : {"3.12", "3.13", "3.14", "3.15"})
    EXPECT_GE(perVersion[v], 10) << "tests/traces/ has too few records for Python " << v
                                 << " (refresh: see tests/traces/README.md)";
}

}  // namespace
}  // namespace monsim::harness
