// monsim run (cli/run.cpp): a program scenario replays a trace's probe stream, so a
// trace recorded without the probe is refused with what to do, not reported as every
// delivery "extra".
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "interpreter/process.h"

namespace monsim::harness {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class RunCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* exe = std::getenv("MONSIM_EXE");
    if (!exe || !*exe) GTEST_SKIP() << "MONSIM_EXE is not set (run through meson test)";
    exe_ = exe;
    dir_ = fs::path(testing::TempDir()) / ("monsim-run-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    write("s.yaml",
          "id: s\ndescription: d\nspec: x\nfeatures: [tools]\nlevel: must\n"
          "program: |\n  def f():\n      return 1\n"
          "tools:\n  2: {events: [PY_START]}\n"
          "steps:\n  - {call: f}\n");
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::string write(const std::string& name, const std::string& text) {
    const std::string p = (dir_ / name).string();
    std::ofstream(p) << text;
    return p;
  }
  // A `monsim record` file, the probe at `probe` ("null": none) and `records` lines.
  std::string trace(const std::string& probe, const std::string& records = "") {
    return write("t-" + probe + ".jsonl",
                 "{\"kind\": \"trace\", \"scenario\": \"s\", \"probe_tool\": " + probe +
                     ", \"interpreter\": {\"name\": \"cpython\", \"version\": "
                     "\"3.13.0\"}, \"options\": {\"probe\": " +
                     (probe == "null" ? "false" : "true") + "}, \"codes\": {}}\n" +
                     records + "{\"kind\": \"end\", \"outcome\": \"result\"}\n");
  }
  RunResult run(const std::string& tracePath) {
    return runCommand({exe_, "run", (dir_ / "s.yaml").string(), "--trace", tracePath}, "",
                      60s);
  }

  std::string exe_;
  fs::path dir_;
};

TEST_F(RunCommand, TraceWithoutTheProbeIsRefusedWithWhatToDo) {
  const std::string t =
      trace("null",
            "{\"kind\": \"delivery\", \"tool\": 2, \"event\": \"PY_START\", \"code\": "
            "\"f@1\", \"offset\": 0, \"callback\": \"tool\", \"n\": 1, \"returned\": "
            "{\"type\": \"NoneType\", \"repr\": \"None\"}}\n");
  const RunResult r = run(t);
  EXPECT_EQ(r.status, "exit 2") << r.out << r.err;
  EXPECT_EQ(r.err, t + ": recorded without the probe (monsim record --no-probe): the "
                       "model replays the probe's raw event stream, which this trace "
                       "does not have; record it again without --no-probe\n");
  EXPECT_EQ(r.out.find("extra"), std::string::npos) << r.out;
}

TEST_F(RunCommand, TraceWithTheProbeIsReplayed) {
  const RunResult r = run(trace("5"));
  EXPECT_EQ(r.status, "exit 0") << r.out << r.err;
  EXPECT_NE(r.out.find("# the recorded deliveries agree with the model"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace monsim::harness
