// The oracle driver turns hangs, crashes and protocol garbage into verdicts and
// keeps going with a fresh worker (harness-anchors: Bowtie's fake adapters).
#include "interpreter/oracle_driver.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "interpreter/untrusted_text.h"

namespace monsim::harness {
namespace {

using Kind = RunOutcome::Kind;
using namespace std::chrono_literals;

OracleWorker fakeWorker(const std::string& mode,
                        std::chrono::milliseconds runTimeout = 1500ms) {
  Interpreter in;
  in.id = "fake-" + mode;
  in.command = {"python3", sourceRoot() + "/tests/interpreter/fake/worker.py", mode};
  OracleOptions o;
  o.workerScript = "--";  // the fake ignores it; keeps argv shape the same
  o.runTimeout = runTimeout;
  o.startTimeout = 1500ms;
  return OracleWorker(in, o);
}

nlohmann::json scenario(const std::string& id) { return {{"id", id}}; }

std::string echoed(const RunOutcome& r) { return r.message["trace"][0]["id"]; }

TEST(OracleDriver, ManyScenariosShareOneWorker) {
  auto w = fakeWorker("good");
  for (const char* id : {"a", "b", "c"}) {
    const auto r = w.run(scenario(id));
    ASSERT_EQ(r.kind, Kind::Result) << r.detail;
    EXPECT_EQ(echoed(r), id);
  }
  EXPECT_EQ(w.starts(), 1);
}

// Runs written ahead (prefetch) are answered in order, while the driver reads the
// reply before: the fake answers "a" only after the request that follows it has come.
TEST(OracleDriver, PrefetchedRunsAreWrittenAheadAndAnswerTheirOwnRequests) {
  auto w = fakeWorker("answers-after-next");
  w.prefetch(scenario("a"), {});
  w.prefetch(scenario("b"), {});
  for (const char* id : {"a", "b"}) {
    const auto r = w.run(scenario(id));
    ASSERT_EQ(r.kind, Kind::Result) << r.detail;
    EXPECT_EQ(echoed(r), id);
  }
  EXPECT_EQ(w.starts(), 1);
}

// A campaign writes the next case's runs ahead, and that case's check names them
// again: they are not written twice. Too many, or too large, are not written ahead.
TEST(OracleDriver, ARunAlreadyWrittenAheadIsNotWrittenAgain) {
  auto w = fakeWorker("good");
  EXPECT_TRUE(w.prefetch(scenario("a"), {}));
  EXPECT_TRUE(w.prefetch(scenario("b"), {}));
  EXPECT_TRUE(w.prefetch(scenario("a"), {}));
  EXPECT_TRUE(w.prefetch(scenario("b"), {}));
  for (const char* id : {"a", "b", "c"}) {
    const auto r = w.run(scenario(id));
    ASSERT_EQ(r.kind, Kind::Result) << r.detail;
    EXPECT_EQ(echoed(r), id);
  }
  EXPECT_EQ(w.run(scenario("d")).message["trace"][0]["request"], 4);  // a, b, c, d
  for (const char* id : {"e", "f", "g", "h"}) EXPECT_TRUE(w.prefetch(scenario(id), {}));
  EXPECT_FALSE(w.prefetch(scenario("i"), {}));  // four ahead at most
  auto big = scenario("big");
  big["program"] = std::string(20000, '#');
  EXPECT_FALSE(OracleWorker(fakeWorker("good")).prefetch(big, {}));
}

TEST(OracleDriver, ARunThatWasNotPrefetchedGetsItsOwnReplyNotAPrefetchedOne) {
  auto w = fakeWorker("good");
  w.prefetch(scenario("a"), {});
  w.prefetch(scenario("b"), {});
  auto r = w.run(scenario("c"));
  ASSERT_EQ(r.kind, Kind::Result) << r.detail;
  EXPECT_EQ(echoed(r), "c");
  r = w.run(scenario("b"));  // dropped when "c" came first: asked again
  ASSERT_EQ(r.kind, Kind::Result) << r.detail;
  EXPECT_EQ(echoed(r), "b");
  // The same scenario with other options is another run.
  w.prefetch(scenario("d"), {{"probe", true}});
  r = w.run(scenario("d"), {{"probe", false}});
  ASSERT_EQ(r.kind, Kind::Result) << r.detail;
  EXPECT_EQ(echoed(r), "d");
  EXPECT_EQ(w.starts(), 1);
}

// A run written ahead behind one that is never run (the probe-off run of a scenario
// whose probe-on run was truncated) takes its own reply. Asked again, it would wait
// behind every run written ahead (the next scenario's) and be charged their time and
// memory: a memory hog written ahead made the run before it fail its budget.
TEST(OracleDriver, ARunWrittenAheadBehindASkippedOneTakesItsOwnReply) {
  auto w = fakeWorker("good");
  for (const char* id : {"a", "skipped", "b", "c"})
    EXPECT_TRUE(w.prefetch(scenario(id), {}));
  // The request each was written as: "skipped" was the second.
  for (const auto& [id, request] : {std::pair{"a", 1}, {"b", 3}, {"c", 4}}) {
    const auto r = w.run(scenario(id));
    ASSERT_EQ(r.kind, Kind::Result) << r.detail;
    EXPECT_EQ(echoed(r), id);
    EXPECT_EQ(r.message["trace"][0]["request"], request) << id;
  }
  EXPECT_EQ(w.run(scenario("d")).message["trace"][0]["request"], 5);  // not asked again
  EXPECT_EQ(w.starts(), 1);
}

TEST(OracleDriver, RunsPrefetchedBehindOneThatEndsTheWorkerGoToAFreshOne) {
  for (const char* mode : {"retire", "crash", "hang"}) {
    auto w = fakeWorker(mode);
    w.prefetch(scenario("bad"), {});
    w.prefetch(scenario("after"), {});
    const auto bad = w.run(scenario("bad"));
    EXPECT_EQ(bad.kind, std::string(mode) == "retire"  ? Kind::Result
                        : std::string(mode) == "crash" ? Kind::Crashed
                                                       : Kind::Timeout)
        << mode;
    const auto r = w.run(scenario("after"));
    ASSERT_EQ(r.kind, Kind::Result) << mode << ": " << r.detail;
    EXPECT_EQ(echoed(r), "after") << mode;
    EXPECT_EQ(w.starts(), 2) << mode;
  }
}

TEST(OracleDriver, HangBecomesTimeoutAndNextScenarioRuns) {
  auto w = fakeWorker("hang");
  EXPECT_EQ(w.run(scenario("bad")).kind, Kind::Timeout);
  const auto r = w.run(scenario("after"));
  ASSERT_EQ(r.kind, Kind::Result) << r.detail;
  EXPECT_EQ(echoed(r), "after");
  EXPECT_EQ(w.starts(), 2);
}

// A hang's verdict says where the worker hung (its stacks, when it offers a signal for
// them) and what it ran before, for finding the cause of a rare hang afterwards.
TEST(OracleDriver, HangShowsTheStacksItsSizeAndWhatTheWorkerRanBefore) {
  auto w = fakeWorker("hang-dump");
  ASSERT_EQ(w.run(scenario("first")).kind, Kind::Result);
  ASSERT_EQ(w.run(scenario("second")).kind, Kind::Result);
  const auto r = w.run(scenario("bad"));
  ASSERT_EQ(r.kind, Kind::Timeout);
  EXPECT_NE(r.detail.find("stuck_in_here"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("ran before: first second"), std::string::npos) << r.detail;
  // How big it had grown (a huge worker stalls the machine instead of hanging).
  EXPECT_NE(r.detail.find(" MB"), std::string::npos) << r.detail;
  // A fresh process has no history.
  auto plain = fakeWorker("hang");
  const auto fresh = plain.run(scenario("bad"));
  EXPECT_NE(fresh.detail.find("a fresh worker"), std::string::npos) << fresh.detail;
}

// A reply whose seq is null (the worker could not read the request) answers the
// request; a JSON line that is no message is a crash, never a harness exception.
TEST(OracleDriver, UnnumberedOrMalformedRepliesAreVerdicts) {
  auto w = fakeWorker("unnumbered");
  const auto r = w.run(scenario("bad"));
  EXPECT_EQ(r.kind, Kind::Errored);
  EXPECT_EQ(r.errorMessage, "input is not JSON");
  EXPECT_EQ(w.run(scenario("next")).kind, Kind::Result);
  auto v = fakeWorker("not-an-object");
  EXPECT_EQ(v.run(scenario("bad")).kind, Kind::Crashed);
  EXPECT_EQ(v.run(scenario("next")).kind, Kind::Result);
}

TEST(OracleDriver, CrashBecomesCrashedWithStderr) {
  auto w = fakeWorker("crash");
  const auto r = w.run(scenario("bad"));
  EXPECT_EQ(r.kind, Kind::Crashed);
  EXPECT_NE(r.detail.find("exit 139"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("segfault imminent"), std::string::npos) << r.detail;
  EXPECT_EQ(w.run(scenario("after")).kind, Kind::Result);
}

TEST(OracleDriver, NonJsonReplyIsACrashNotAThrow) {
  auto w = fakeWorker("garbage");
  const auto r = w.run(scenario("bad"));
  EXPECT_EQ(r.kind, Kind::Crashed);
  EXPECT_NE(r.detail.find("not JSON"), std::string::npos) << r.detail;
  EXPECT_EQ(w.run(scenario("after")).kind, Kind::Result);
}

TEST(OracleDriver, RepliesToOtherSequenceNumbersAreIgnored) {
  auto w = fakeWorker("stale-seq");
  const auto r = w.run(scenario("bad"));
  ASSERT_EQ(r.kind, Kind::Result);
  EXPECT_EQ(echoed(r), "bad");
}

// What a broken interpreter writes becomes valid UTF-8 in the verdict (JSON, HTML and
// JUnit reports refuse anything else): invalid bytes become U+FFFD.
TEST(OracleDriver, BytesThatAreNotUtf8BecomeValidTextInTheVerdict) {
  for (const char* mode : {"crash-bad-utf8", "garbage-bad-utf8"}) {
    auto w = fakeWorker(mode);
    const auto r = w.run(scenario("bad"));
    ASSERT_EQ(r.kind, Kind::Crashed) << mode;
    EXPECT_NE(r.detail.find("\xEF\xBF\xBD"), std::string::npos)
        << mode << ": " << r.detail;
    EXPECT_NO_THROW((void)nlohmann::json(r.detail).dump()) << mode;
  }
  EXPECT_EQ(validUtf8("a\xff\xc3("), "a\xEF\xBF\xBD\xEF\xBF\xBD(");
  EXPECT_EQ(validUtf8("\xc3\xa9"), "\xc3\xa9");
  // A tail cut inside a character drops the character's remaining bytes.
  EXPECT_EQ(untrustedTail("ab\xc3\xa9", 1), "…");
  EXPECT_EQ(untrustedTail("ab\xc3\xa9", 2), "…\xc3\xa9");
}

// Processes a run started and left: none runs any more (a zombie awaits its reaper).
bool allGone(const std::string& pidfile) {
  std::ifstream f(pidfile);
  std::vector<long> pids{std::istream_iterator<long>(f), {}};
  EXPECT_EQ(pids.size(), 6u) << pidfile;
  for (int tries = 0; tries < 200; ++tries) {
    const bool any = std::any_of(pids.begin(), pids.end(), [](long pid) {
      std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
      std::string text;
      std::getline(stat, text);
      const size_t close = text.rfind(')');
      return close != std::string::npos && text.at(close + 2) != 'Z';
    });
    if (!any) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

std::string pidfile() {
  return (std::filesystem::temp_directory_path() /
          ("monsim-driver-test-" + std::to_string(::getpid()) + ".pids"))
      .string();
}

TEST(OracleDriver, RunOverTheMemoryLimitIsKilledAndSaysWhich) {
  auto w = fakeWorker("grow", 20000ms);
  const auto r = w.run(scenario("bad"), {}, {20000ms, 100, 0});
  ASSERT_EQ(r.kind, Kind::MemoryLimit) << r.detail;
  EXPECT_NE(r.detail.find("over its memory limit of 100 MB"), std::string::npos)
      << r.detail;
  EXPECT_EQ(w.run(scenario("after")).kind, Kind::Result);
  EXPECT_EQ(w.starts(), 2);
  // Without a limit that low, the same run completes.
  auto roomy = fakeWorker("grow", 20000ms);
  EXPECT_EQ(roomy.run(scenario("bad"), {}, {20000ms, 0, 0}).kind, Kind::Result);
}

TEST(OracleDriver, RunOverTheProcessLimitIsKilledWithItsProcesses) {
  auto w = fakeWorker("fork", 20000ms);
  nlohmann::json s = scenario("bad");
  s["pidfile"] = pidfile();
  const auto r = w.run(s, {}, {8000ms, 0, 3});
  ASSERT_EQ(r.kind, Kind::ProcessLimit) << r.detail;
  EXPECT_NE(r.detail.find("over its process limit of 3"), std::string::npos) << r.detail;
  EXPECT_TRUE(allGone(s["pidfile"]));
  EXPECT_EQ(w.run(scenario("after")).kind, Kind::Result);
  std::filesystem::remove(s["pidfile"].get<std::string>());
}

// The worker's process group goes when the worker does, also when it exited first.
TEST(OracleDriver, ProcessesOfAWorkerThatDiedAreKilled) {
  auto w = fakeWorker("exit-leaving-children");
  nlohmann::json s = scenario("bad");
  s["pidfile"] = pidfile();
  // Its children hold its stdout open: no end of file, the reply is awaited in vain.
  const auto r = w.run(s, {}, {8000ms, 0, 0});
  ASSERT_EQ(r.kind, Kind::Timeout) << r.detail;
  EXPECT_NE(r.detail.find("(exit 3)"), std::string::npos) << r.detail;
  EXPECT_TRUE(allGone(s["pidfile"]));
  std::filesystem::remove(s["pidfile"].get<std::string>());
}

TEST(OracleDriver, ChatterBeforeHelloIsSkipped) {
  auto w = fakeWorker("noise-before-hello");
  ASSERT_TRUE(w.hello().has_value());
  EXPECT_EQ(w.run(scenario("x")).kind, Kind::Result);
}

TEST(OracleDriver, HelloWithFieldsOfTheWrongTypeIsRefusedWithTheReason) {
  auto w = fakeWorker("bad-capabilities");
  std::string why;
  EXPECT_FALSE(w.hello(&why).has_value());
  EXPECT_NE(why.find("capability 'monitoring' is not true or false"), std::string::npos)
      << why;
  EXPECT_EQ(w.run(scenario("x")).kind, Kind::Crashed);
  std::string problem;
  EXPECT_FALSE(helloOf(R"({"type": "hello", "implementation": 3})", problem));
  EXPECT_NE(problem.find("'implementation' is not an object"), std::string::npos)
      << problem;
  problem.clear();
  EXPECT_FALSE(helloOf(R"({"type": "result"})", problem));
  EXPECT_EQ(problem, "");  // not a hello: skipped, not refused
  EXPECT_TRUE(helloOf(R"({"type": "hello", "capabilities": {"c_api": false}})", problem));
}

TEST(OracleDriver, MissingHelloIsReportedNotFatal) {
  auto w = fakeWorker("no-hello");
  std::string why;
  EXPECT_FALSE(w.hello(&why).has_value());
  EXPECT_NE(why.find("no hello"), std::string::npos) << why;
  EXPECT_EQ(w.run(scenario("x")).kind, Kind::Crashed);
}

TEST(OracleDriver, UnstartableInterpreterIsCrashed) {
  Interpreter in;
  in.id = "nowhere";
  in.command = {"/nonexistent/python3"};
  OracleWorker w(in);
  const auto r = w.run(scenario("x"));
  EXPECT_EQ(r.kind, Kind::Crashed);
  EXPECT_FALSE(r.detail.empty());
}

// A step's value is compared by its repr, which the oracle cuts at repr_limit: the
// limit grows so that a value as long as the expected one is kept whole.
TEST(OracleDriver, ReprLimitKeepsAValueAsLongAsTheExpectedOne) {
  Scenario s;
  s.oracle = {{"program", "x = 1"}};
  EXPECT_FALSE(runOptions(s, true).contains("repr_limit"));
  StepExpect x;
  x.result = std::string(300, 'x');
  s.expectWithProbe.steps.push_back(x);
  EXPECT_GE(runOptions(s, true).value("repr_limit", 0), 302);
  EXPECT_GE(runOptions(s, false).value("repr_limit", 0), 302);
  s.expectWithProbe.steps.clear();
  x.result = "short";
  s.expect.steps.push_back(x);
  EXPECT_FALSE(runOptions(s, false).contains("repr_limit"));
}

}  // namespace
}  // namespace monsim::harness
