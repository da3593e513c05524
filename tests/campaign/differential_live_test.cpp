// Property 3: generated program scenarios, model vs each live interpreter, with
// the trace invariants (property 2) checked on every recorded trace. A failure is
// shrunk like `monsim fuzz` does and reported with the command that replays it.
// Seed: MONSIM_FUZZ_SEED (default fixed, so CI is deterministic); cases per
// interpreter: MONSIM_FUZZ_CASES (default 300 native, 80 pyodide).
#include <gtest/gtest.h>

#include <cstdlib>

#include "campaign/campaign.h"
#include "scenario/expectations.h"
#include "tests/live_interpreters.h"

namespace monsim::gen {
namespace {

class Differential : public ::testing::TestWithParam<PyVersion> {};

uint64_t envNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::stoull(v, nullptr, 0) : fallback;
}

TEST_P(Differential, GeneratedScenariosAgreeWithTheModel) {
  const auto in = live::interpreterFor(GetParam());
  if (!in) GTEST_SKIP() << live::missingMessage(GetParam());
  std::vector<harness::Diagnostic> diags;
  const auto expectations =
      harness::loadExpectations(harness::sourceRoot() + "/spec/expectations", diags);
  ASSERT_TRUE(diags.empty()) << diags.front().str();
  harness::CheckContext ctx;
  ctx.expectations = &expectations;
  ctx.maxRecords = 20000;  // as monsim fuzz: bigger cases are not judged
  harness::OracleWorker w(*in);
  const uint64_t seed = envNumber("MONSIM_FUZZ_SEED", 0x6d6f6e73);
  const long cases =
      static_cast<long>(envNumber("MONSIM_FUZZ_CASES", in->kind == "native" ? 300 : 80));
  const char* exe = std::getenv("MONSIM_EXE");
  long known = 0;
  std::set<std::string> failed;
  for (long n = 0; n < cases; ++n) {
    const Token t{.version = GetParam(),
                  .seed = caseSeed(seed, static_cast<uint64_t>(n)),
                  .path = {}};
    const CaseRun r = runCase(caseAt(t).value(), t, w, ctx);
    if (r.known) ++known;
    if (r.signature.empty() || r.known || !failed.insert(r.signature).second) continue;
    const Shrunk s = shrinkCase(t, r, w, ctx, 150);
    ADD_FAILURE() << in->id << ": " << r.signature << "\n"
                  << s.run.check.reason << "\n"
                  << s.run.check.detail << "minimal scenario:\n"
                  << s.run.yaml << "reproduce: " << (exe ? exe : "monsim")
                  << " fuzz --python " << in->id << " --replay " << s.token.str() << "\n";
  }
  std::printf("%s: %ld generated scenarios, %ld with an already triaged signature\n",
              in->id.c_str(), cases, known);
}

INSTANTIATE_TEST_SUITE_P(Live, Differential, live::allVersions(), live::versionTestName);

}  // namespace
}  // namespace monsim::gen
