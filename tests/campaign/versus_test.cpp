// fuzz --versus: one generated case on two interpreters, their raw streams aligned.
// Checked against recorded truth: a build against itself never differs, and native
// CPython 3.13.0 against pyodide's 3.13.2 differs by the INSTRUCTION event 3.13.2
// reports for a code object's instruction before RESUME (reports/diffs/README.md).
#include "campaign/versus.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "interpreter/discovery.h"

namespace monsim::gen {
namespace {

std::optional<harness::Interpreter> byId(const std::string& id) {
  static const auto all = harness::discoverInterpreters();
  for (const auto& in : all)
    if (in.id == id) return in;
  return std::nullopt;
}

TEST(Versus, AnInterpreterAgainstItselfNeverDiffers) {
  const auto in = byId("cpython-3.13.0");
  if (!in) GTEST_SKIP() << "no cpython-3.13.0 (pyenv); run ./run setup";
  harness::OracleWorker a(*in), b(*in);
  int withEvents = 0;  // a case may have no steps, hence no event
  for (uint64_t n = 0; n < 40; ++n) {
    Token t;
    t.version = PyVersion::V3_13;
    t.seed = caseSeed(11, n);
    const VersusRun r = runVersus(caseAt(t).value(), t, a, b, {});
    ASSERT_FALSE(r.harnessError) << r.error;
    EXPECT_EQ(r.signature, "") << t.str();
    EXPECT_EQ(r.neither, "") << t.str();
    EXPECT_EQ(r.diff.left, r.diff.common) << t.str();
    EXPECT_EQ(r.diff.right, r.diff.common) << t.str();
    withEvents += r.diff.common > 0;
  }
  EXPECT_GT(withEvents, 20) << "most generated cases record events";
}

TEST(Versus, FindsNamesAndShrinksAPatchLevelDifference) {
  const auto native = byId("cpython-3.13.0"), wasm = byId("pyodide-3.13.2");
  if (!native || !wasm) GTEST_SKIP() << "needs cpython-3.13.0 and pyodide-3.13.2";
  const auto dir = std::filesystem::temp_directory_path() / "monsim-versus-test";
  std::filesystem::remove_all(dir);
  VersusOptions o;
  o.seed = 7;
  o.seconds = 0;
  o.count = 60;
  o.out = dir.string();
  o.view.offsets = false;
  o.shrinkBudget = 120;
  std::atomic<bool> stop{false};
  harness::Progress progress;
  const VersusStats st = runVersusCampaign(*native, *wasm, {}, o, stop, progress);
  EXPECT_EQ(st.cases, 60);
  const std::string sig =
      "only in cpython-3.13.0: — | only in pyodide-3.13.2: INSTRUCTION";
  ASSERT_EQ(st.bySignature.size(), 1u);
  EXPECT_EQ(st.bySignature.begin()->first, sig);
  std::ifstream jl(dir / "findings.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(jl, line));
  const auto rec = nlohmann::json::parse(line);
  EXPECT_EQ(rec.at("signature"), sig);
  // The written (shrunk) token replays to the same difference.
  const auto t = Token::parse(rec.at("token").get<std::string>());
  ASSERT_TRUE(t);
  harness::OracleWorker a(*native), b(*wasm);
  const VersusRun again = runVersus(caseAt(*t).value(), *t, a, b, {.offsets = false});
  EXPECT_EQ(again.signature, sig);
  EXPECT_TRUE(again.diff.onlyLeft.empty());
  EXPECT_EQ(again.diff.onlyRight.size(), 1u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace monsim::gen
