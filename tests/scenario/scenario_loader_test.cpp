// The scenario loader (spec/SCENARIO-FORMAT.md): good files give every field,
// each tests/scenario/bad/bad-*.yaml gives exactly the diagnostics its `# expect:`
// lines list, and every scenario of the suite (spec/scenarios/) loads cleanly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "interpreter/discovery.h"
#include "scenario/loader.h"

namespace monsim::harness {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

LoadResult load(std::string_view yaml) { return loadScenarioText(yaml, "t.yaml"); }

std::string text(const std::vector<Diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out += d.str() + "\n";
  return out;
}

// Loads a scenario that must be clean.
Scenario good(std::string_view yaml) {
  LoadResult r = load(yaml);
  EXPECT_TRUE(r.diagnostics.empty()) << text(r.diagnostics);
  return r.scenario.value_or(Scenario{});
}

std::vector<std::string> messages(std::string_view yaml) {
  std::vector<std::string> out;
  for (const auto& d : load(yaml).diagnostics) out.push_back(d.str());
  return out;
}

constexpr std::string_view kHead = R"(id: x
description: d
spec: "behaviour §2.2"
features: [tools]
level: must
)";

constexpr std::string_view kProgram = R"(# Everything a program scenario can say.
id: everything
description: Every key of a program scenario.
spec: ["behaviour §10.1", "3.13 sys.monitoring §Disabling events"]
features: [disable, LINE]
level: should
python: ">=3.13,<3.15"
requires: [threads]
# (a comment line: the locations asserted below stay where they were)
program: |
  def f(x):
      return x + 1
  def g():
      yield 1
tools:
  2:
    name: cov
    events: [LINE, PY_START]
    local: {f: [BRANCH]}
    callbacks:
      LINE:
        - when: {nth: [1, 3], from_nth: 2, functions: [f], lines: 2, offsets: [0, 4]}
          actions:
            - {api: set_events, args: [2, {$: events, names: [PY_START]}]}
          return: {$: DISABLE}
        - raise: {type: ValueError, args: [boom]}
      PY_START: {return: 42}
  "0": {use: false, auto_callbacks: false}
  1: {}
handlers:
  h: []
steps:
  - {call: f, args: [1], kwargs: {}, store: r}
  - {api: register_callback, args: [1, {$: events, names: [LINE]}, {$: handler, name: h}]}
  - {gen: g, op: send, value: {$: tuple, items: [1, null, 2.5, true]}}
  - {delete: g}
expect:
  match: contains
  scope: {tools: [2], events: [LINE, PY_START]}
  deliveries:
    - {tool: 2, event: PY_START, function: f}
    - {tool: 2, event: LINE, function: f, line: "+1", result: disable}
    - unordered:
        - {tool: 1, event: LINE, line: 2}
        - {tool: 2, event: CALL, callable: len}
  absent:
    - {tool: 2, event: LINE, line: "+0"}
  steps:
    - {step: 0, result: 2}
    - {step: 3, raises: NameError, message: "name 'g' is not defined"}
expect_with_probe:
  match: contains
  deliveries:
    - {tool: 2, event: PY_START, function: f}
)";

TEST(ScenarioLoader, ProgramScenarioFillsEveryField) {
  const Scenario s = good(kProgram);
  EXPECT_EQ(s.kind, Scenario::Kind::Program);
  EXPECT_EQ(s.file, "t.yaml");
  EXPECT_EQ(s.loc.str(), "t.yaml:2:1");
  EXPECT_EQ(s.id, "everything");
  EXPECT_EQ(s.description, "Every key of a program scenario.");
  EXPECT_EQ(s.specRefs, (std::vector<std::string>{
                            "behaviour §10.1", "3.13 sys.monitoring §Disabling events"}));
  EXPECT_EQ(s.features, (std::vector<std::string>{"disable", "LINE"}));
  EXPECT_EQ(s.level, Level::Should);
  EXPECT_EQ(s.python.text, ">=3.13,<3.15");
  EXPECT_EQ(s.requires_, std::vector<std::string>{"threads"});
  ASSERT_TRUE(s.expectWithProbe.present);
  EXPECT_EQ(s.expectWithProbe.loc.str(), "t.yaml:51:1");
  EXPECT_EQ(s.expectWithProbe.deliveries.size(), 1u);
  ASSERT_EQ(s.tools.size(), 3u);  // sorted by id
  EXPECT_EQ(s.tools[0].id, 0);
  EXPECT_EQ(s.tools[0].name, "tool0");
  EXPECT_FALSE(s.tools[0].use);
  EXPECT_FALSE(s.tools[0].autoCallbacks);
  EXPECT_EQ(s.tools[1].id, 1);
  EXPECT_TRUE(s.tools[1].use);
  const ToolSpec& t = s.tools[2];
  EXPECT_EQ(t.name, "cov");
  EXPECT_EQ(t.loc.str(), "t.yaml:16:3");
  EXPECT_EQ(t.events, (std::vector<std::string>{"LINE", "PY_START"}));
  EXPECT_EQ(t.local.at("f"), std::vector<std::string>{"BRANCH"});
  const Callback& line = t.callbacks.at("LINE");
  ASSERT_EQ(line.size(), 2u);
  EXPECT_EQ(line[0].when.nth, (std::vector<int>{1, 3}));
  EXPECT_EQ(line[0].when.fromNth, 2);
  EXPECT_EQ(line[0].when.functions, std::vector<std::string>{"f"});
  EXPECT_EQ(line[0].when.lines, std::vector<int>{2});
  EXPECT_EQ(line[0].when.offsets, (std::vector<int>{0, 4}));
  EXPECT_TRUE(line[0].returnsDisable);
  ASSERT_EQ(line[0].actions.size(), 1u);
  EXPECT_EQ(line[0].actions[0], json::parse(R"({"api": "set_events",
      "args": [2, {"$": "events", "names": ["PY_START"]}]})"));
  EXPECT_EQ(line[0].loc.str(), "t.yaml:22:11");
  EXPECT_FALSE(line[1].returnsDisable);
  EXPECT_FALSE(line[1].returns);
  EXPECT_EQ(line[1].raise, json::parse(R"({"type": "ValueError", "args": ["boom"]})"));
  const Callback& start = t.callbacks.at("PY_START");
  ASSERT_EQ(start.size(), 1u);
  EXPECT_EQ(start[0].returns, json(42));
  EXPECT_FALSE(start[0].returnsDisable);
  EXPECT_TRUE(s.handlers.at("h").empty());
  ASSERT_EQ(s.stepLocs.size(), 4u);
  EXPECT_EQ(s.stepLocs[3].str(), "t.yaml:36:5");
  EXPECT_TRUE(s.script.empty());
}

TEST(ScenarioLoader, ExpectationsKeepRelativeLinesAndUnorderedGroups) {
  const Expect e = good(kProgram).expect;
  EXPECT_TRUE(e.present);
  EXPECT_EQ(e.mode, MatchMode::Contains);
  EXPECT_EQ(e.scopeTools, std::vector<int>{2});
  EXPECT_EQ(e.scopeEvents, (std::vector<std::string>{"LINE", "PY_START"}));
  ASSERT_EQ(e.deliveries.size(), 3u);
  EXPECT_FALSE(e.deliveries[0].isGroup);
  ASSERT_EQ(e.deliveries[0].unordered.size(), 1u);
  EXPECT_EQ(e.deliveries[0].unordered[0].event, "PY_START");
  EXPECT_EQ(e.deliveries[0].unordered[0].function, "f");
  EXPECT_FALSE(e.deliveries[0].unordered[0].line);
  const DeliveryPattern& rel = e.deliveries[1].unordered[0];
  EXPECT_EQ(rel.relLine, 1);
  EXPECT_FALSE(rel.line);
  EXPECT_EQ(rel.result, "disable");
  EXPECT_EQ(rel.loc.str(), "t.yaml:42:7");
  const ExpectItem& group = e.deliveries[2];
  EXPECT_TRUE(group.isGroup);
  ASSERT_EQ(group.unordered.size(), 2u);
  EXPECT_EQ(group.unordered[0].tool, 1);
  EXPECT_EQ(group.unordered[0].line, 2);
  EXPECT_FALSE(group.unordered[0].relLine);
  EXPECT_EQ(group.unordered[1].callable, "len");
  ASSERT_EQ(e.absent.size(), 1u);
  EXPECT_EQ(e.absent[0].relLine, 0);
  ASSERT_EQ(e.steps.size(), 2u);
  EXPECT_EQ(e.steps[0].step, 0);
  EXPECT_EQ(e.steps[0].result, json(2));
  EXPECT_EQ(e.steps[1].step, 3);
  EXPECT_EQ(e.steps[1].raises, "NameError");
  EXPECT_EQ(e.steps[1].message, "name 'g' is not defined");
  EXPECT_FALSE(e.steps[1].result);
}

TEST(ScenarioLoader, OracleJsonIsTheOracleScenario) {
  const Scenario s = good(kProgram);
  const json expected = json::parse(R"({
    "id": "everything",
    "description": "Every key of a program scenario.",
    "meta": {"spec": ["behaviour §10.1", "3.13 sys.monitoring §Disabling events"],
             "level": "should", "features": ["disable", "LINE"], "python": ">=3.13,<3.15",
             "requires": ["threads"]},
    "program": "def f(x):\n    return x + 1\ndef g():\n    yield 1\n",
    "tools": {
      "2": {"name": "cov", "events": ["LINE", "PY_START"], "local": {"f": ["BRANCH"]},
            "callbacks": {
              "LINE": [{"when": {"nth": [1, 3], "from_nth": 2, "functions": ["f"],
                                 "lines": 2, "offsets": [0, 4]},
                        "actions": [{"api": "set_events",
                                     "args": [2, {"$": "events", "names": ["PY_START"]}]}],
                        "return": {"$": "DISABLE"}},
                       {"raise": {"type": "ValueError", "args": ["boom"]}}],
              "PY_START": {"return": 42}}},
      "0": {"use": false, "auto_callbacks": false},
      "1": {}},
    "handlers": {"h": []},
    "steps": [
      {"call": "f", "args": [1], "kwargs": {}, "store": "r"},
      {"api": "register_callback",
       "args": [1, {"$": "events", "names": ["LINE"]}, {"$": "handler", "name": "h"}]},
      {"gen": "g", "op": "send", "value": {"$": "tuple", "items": [1, null, 2.5, true]}},
      {"delete": "g"}]
  })");
  EXPECT_EQ(s.oracle, expected) << s.oracle.dump(2);
}

TEST(ScenarioLoader, ScriptScenarioHasTypedSteps) {
  const Scenario s = good(std::string(kHead) + R"(python: "3.14"
functions: {f: 10, g: 20}
tools:
  3: {local: {g: [BRANCH_LEFT]}}
handlers:
  off: {return: {$: DISABLE}}
script:
  - {api: register_callback, args: [3, {$: events, names: [BRANCH_LEFT]}, {$: handler, name: off}]}
  - {enter: g}
  - {event: PY_START, function: g, offset: 0}
  - {event: LINE, function: g, offset: 4, line: 21}
  - {event: BRANCH_LEFT, function: g, offset: 12, dest: 4, line: 22}
  - {event: RAISE, function: g, offset: 8, exc: ValueError}
  - {exit: g}
expect:
  deliveries:
    - {tool: 3, event: BRANCH_LEFT, function: g, result: disable}
  steps:
    - {step: 0, result: null}
)");
  EXPECT_EQ(s.kind, Scenario::Kind::Script);
  EXPECT_TRUE(s.oracle.is_null());
  EXPECT_EQ(s.scriptFunctions, (std::map<std::string, int>{{"f", 10}, {"g", 20}}));
  EXPECT_EQ(s.python.min, PyVersion::V3_14);
  EXPECT_EQ(s.python.below, PyVersion::V3_15);
  ASSERT_EQ(s.script.size(), 7u);
  ASSERT_EQ(s.stepLocs.size(), 7u);
  EXPECT_EQ(s.script[0].kind, ScriptStep::Kind::Api);
  EXPECT_EQ(s.script[0].fn, "register_callback");
  EXPECT_EQ(s.script[0].args,
            json::parse(R"([3, {"$": "events", "names": ["BRANCH_LEFT"]},
                                              {"$": "handler", "name": "off"}])"));
  EXPECT_EQ(s.script[1].kind, ScriptStep::Kind::Enter);
  EXPECT_EQ(s.script[1].function, "g");
  EXPECT_EQ(s.script[2].kind, ScriptStep::Kind::Event);
  EXPECT_EQ(s.script[2].event, "PY_START");
  EXPECT_FALSE(s.script[2].line);
  EXPECT_EQ(s.script[3].line, 21);
  EXPECT_EQ(s.script[4].offset, 12);
  EXPECT_EQ(s.script[4].dest, 4);
  EXPECT_EQ(s.script[5].exc, "ValueError");
  EXPECT_EQ(s.script[6].kind, ScriptStep::Kind::Exit);
  EXPECT_EQ(s.script[6].loc.str(), "t.yaml:19:5");
  ASSERT_EQ(s.tools.size(), 1u);
  EXPECT_EQ(s.tools[0].local.at("g"), std::vector<std::string>{"BRANCH_LEFT"});
  EXPECT_TRUE(s.handlers.at("off").at(0).returnsDisable);
  EXPECT_EQ(s.expect.steps.at(0).result, json(nullptr));
}

// Python takes any int, so a literal may hold one beyond 64 bits (the API's own error
// is what a scenario checks); JSON numbers cannot carry it, the int marker does.
TEST(ScenarioLoader, LiteralIntegersBeyond64BitsBecomeIntMarkers) {
  const Scenario s = good(std::string(kHead) + R"(program: "def f(*a): pass"
tools:
  2:
    callbacks:
      PY_START: {return: -1180591620717411303424}
steps:
  - {api: set_events, args: [2, 1180591620717411303424]}
  - {call: f, args: [9223372036854775808, -9223372036854775808, 0x40000000000000000,
                     0o100000000000000000000000, +000073786976294838206464]}
expect:
  steps:
    - {step: 1, result: {$: tuple, items: [-18446744073709551616]}}
)");
  auto big = [](const char* decimal) { return json{{"$", "int"}, {"value", decimal}}; };
  EXPECT_EQ(s.oracle["steps"][0]["args"],
            json::array({2, big("1180591620717411303424")}));
  EXPECT_EQ(
      s.oracle["steps"][1]["args"],
      json::array({big("9223372036854775808"), INT64_MIN, big("73786976294838206464"),
                   big("590295810358705651712"), big("73786976294838206464")}));
  EXPECT_EQ(s.tools.at(0).callbacks.at("PY_START").at(0).returns,
            big("-1180591620717411303424"));
  EXPECT_EQ(s.expect.steps.at(0).result,
            (json{{"$", "tuple"}, {"items", {big("-18446744073709551616")}}}));
}

// The model predicts the run without the probe too: a scenario states what its tools
// get alone (`expect`) and, where the probe changes it, `expect_with_probe`.
TEST(ScenarioLoader, ObserverDependentIsGoneAndSaysWhatReplacesIt) {
  const auto m = messages(std::string(kHead) + R"(observer_dependent: the probe's LINE
program: "pass"
steps: []
)");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_TRUE(m[0].starts_with("t.yaml:6:1: error: 'observer_dependent' is no longer"))
      << m[0];
  EXPECT_NE(m[0].find("'expect_with_probe'"), std::string::npos) << m[0];
}

TEST(ScenarioLoader, ExpectWithProbeIsForProgramScenarios) {
  EXPECT_EQ(messages(std::string(kHead) + R"(functions: {f: 1}
script: [{api: get_tool, args: [1]}]
expect_with_probe: {steps: []}
)"),
            std::vector<std::string>{"t.yaml:8:1: error: 'expect_with_probe' is for "
                                     "program scenarios (a script has no probe)"});
}

TEST(ScenarioLoader, IntegersBeyond64BitsOutsideLiteralsAreErrors) {
  EXPECT_EQ(messages(std::string(kHead) + R"(functions: {f: 18446744073709551616}
script: [{api: get_tool, args: [18446744073709551616]}]
)"),
            std::vector<std::string>{"t.yaml:6:16: error: integer 18446744073709551616 "
                                     "does not fit in 64 bits"});
}

TEST(ScenarioLoader, VersionRangeSyntax) {
  std::string why;
  auto r = parseVersionRange(">=3.12", why);
  ASSERT_TRUE(r) << why;
  EXPECT_EQ(r->min, PyVersion::V3_12);
  EXPECT_FALSE(r->below);
  r = parseVersionRange(" >=3.13 , <3.15 ", why);
  ASSERT_TRUE(r) << why;
  EXPECT_FALSE(r->contains(PyVersion::V3_12));
  EXPECT_TRUE(r->contains(PyVersion::V3_13));
  EXPECT_TRUE(r->contains(PyVersion::V3_14));
  EXPECT_FALSE(r->contains(PyVersion::V3_15));
  r = parseVersionRange("3.15", why);
  ASSERT_TRUE(r) << why;
  EXPECT_EQ(r->min, PyVersion::V3_15);
  EXPECT_FALSE(r->below);  // 3.16 is past every spec version
  EXPECT_TRUE(r->contains(PyVersion::V3_15));
  r = parseVersionRange("<3.20", why);
  ASSERT_TRUE(r) << why;
  EXPECT_FALSE(r->min);
  EXPECT_FALSE(r->below);
  r = parseVersionRange("<3.13", why);
  ASSERT_TRUE(r) << why;
  EXPECT_TRUE(r->contains(PyVersion::V3_12));
  EXPECT_FALSE(r->contains(PyVersion::V3_13));
  for (const char* bad : {"", ">3.12", "<=3.14", "3.11", ">=3.14,<3.14", "3.1x",
                          ">=3.12,", "==3.13", "3.013", "4.0"}) {
    EXPECT_FALSE(parseVersionRange(bad, why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(ScenarioLoader, EventMustExistInEveryVersionOfTheRange) {
  const std::string body = R"(program: "def f(): pass"
tools:
  2: {events: [BRANCH_LEFT]}
steps: []
)";
  good(std::string(kHead) + "python: \">=3.14\"\n" + body);
  EXPECT_EQ(messages(std::string(kHead) + "python: \">=3.13\"\n" + body),
            std::vector<std::string>{
                "t.yaml:9:16: error: event BRANCH_LEFT does not exist in Python 3.13 "
                "(scenario python: >=3.13)"});
  good(std::string(kHead) + body.substr(0, body.find("BRANCH_LEFT")) +
       "BRANCH]}\nsteps: []\n");
}

TEST(ScenarioLoader, PositionsAreOneBased) {
  EXPECT_EQ(
      messages("id: 5\n"),
      (std::vector<std::string>{"t.yaml:1:1: error: missing required key 'program' (or "
                                "'script')",
                                "t.yaml:1:1: error: missing required key 'description'",
                                "t.yaml:1:1: error: missing required key 'spec'",
                                "t.yaml:1:1: error: missing required key 'features'",
                                "t.yaml:1:1: error: missing required key 'level'",
                                "t.yaml:1:5: error: 'id' must be a string"}));
}

TEST(ScenarioLoader, DiagnosticText) {
  EXPECT_EQ((Diagnostic{{"a/b.yaml", 3, 7}, "unknown key 'x'"}).str(),
            "a/b.yaml:3:7: error: unknown key 'x'");
  EXPECT_EQ(levelName(Level::ImplementationDefined), "implementation-defined");
}

TEST(ScenarioLoader, UnreadableFileIsOneDiagnostic) {
  const LoadResult r = loadScenarioFile("/nonexistent/x.yaml");
  EXPECT_FALSE(r.scenario);
  EXPECT_EQ(
      text(r.diagnostics),
      "/nonexistent/x.yaml:1:1: error: cannot read /nonexistent/x.yaml: No such file or "
      "directory\n");
  const std::string dir = fs::temp_directory_path().string();
  EXPECT_EQ(text(loadScenarioFile(dir).diagnostics),
            dir + ":1:1: error: cannot read " + dir + ": is a directory\n");
}

// Nothing a file can contain makes the loader throw or crash.
TEST(ScenarioLoader, GarbageGivesDiagnosticsNotExceptions) {
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'k'; ++c) {
    const std::string prev(1, static_cast<char>(c - 1));
    laughs += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev +
              ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
              "]\n";
  }
  const std::string program =
      std::string(kHead) + "program: x\nsteps:\n  - {call: f, args: [";
  for (const std::string& bad :
       {std::string("["), std::string("{a: [}"), std::string("\t"),
        std::string("---\n---\n"), std::string("&a [*a]"), std::string("a: *b"),
        std::string("? ? ?"), std::string(5000, '['), std::string("\xff\xfe\x00", 3),
        std::string("\"\\u12"), std::string("- - - - -"), program + "*zz]}\n",
        program + "&l [*l]]}\n", program + "&m {a: *m}]}\n",
        laughs + std::string(kHead) + "program: x\nsteps:\n  - {call: f, args: [*k]}\n",
        program + std::string(500, '[') + std::string(500, ']') + "]}\n"}) {
    LoadResult r;
    EXPECT_NO_THROW(r = load(bad)) << bad.substr(0, 60);
    EXPECT_FALSE(r.scenario) << bad.substr(0, 60);
    EXPECT_FALSE(r.diagnostics.empty()) << bad.substr(0, 60);
  }
}

TEST(ScenarioLoader, FindScenarioFilesSortsAndSkipsBadFiles) {
  const fs::path root =
      fs::temp_directory_path() / ("monsim-find-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "b" / "deep");
  fs::create_directories(root / "a");
  for (const char* f : {"b/z.yaml", "b/deep/y.yaml", "a/x.yaml", "a/bad-x.yaml",
                        "a/notes.txt", "a/x.yml", "single.yaml"})
    std::ofstream(root / f) << "id: x\n";
  std::vector<Diagnostic> missing;
  const auto files =
      findScenarioFiles({(root / "b").string(), (root / "nope").string(),
                         (root / "a" / "bad-x.yaml").string(), root.string()},
                        missing);
  const std::string r = root.string() + "/";
  EXPECT_EQ(files, (std::vector<std::string>{r + "b/deep/y.yaml", r + "b/z.yaml",
                                             r + "a/bad-x.yaml", r + "a/x.yaml",
                                             r + "single.yaml"}));
  EXPECT_EQ(text(missing), r + "nope:1:1: error: no such file or directory\n");
  fs::remove_all(root);
}

TEST(ScenarioLoader, ResolveEventsMarkers) {
  const json lit = json::parse(R"([2, {"$": "events", "names": ["LINE", "PY_START"]},
      {"$": "tuple", "items": [{"$": "events", "names": ["BRANCH_LEFT", "BRANCH"]}]},
      {"$": "DISABLE"}])");
  EXPECT_EQ(
      resolveEventsMarkers(lit, PyVersion::V3_14),
      json::parse(R"([2, 33, {"$": "tuple", "items": [262400]}, {"$": "DISABLE"}])"));
  EXPECT_EQ(resolveEventsMarkers(lit, PyVersion::V3_12)[1], 33);
}

// --- the bad-*.yaml corpus ------------------------------------------------------------

std::vector<std::string> filesUnder(const std::string& dir, bool bad) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->path().extension() == ".yaml" && name.starts_with("bad-") == bad)
      out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

const std::string kBadDir = sourceRoot() + "/tests/scenario/bad";
const std::string kSuiteDir = sourceRoot() + "/spec/scenarios";

std::string testName(const std::string& path, const std::string& dir) {
  std::string n = fs::path(path).lexically_relative(dir).replace_extension().string();
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

class BadScenario : public ::testing::TestWithParam<std::string> {};

// Each file lists the diagnostics it must give, in order, as `# expect: ` lines.
TEST_P(BadScenario, GivesExactlyTheExpectedDiagnostics) {
  std::ifstream in(GetParam());
  std::vector<std::string> expected;
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("# expect: ")) expected.push_back(line.substr(10));
  ASSERT_FALSE(expected.empty()) << GetParam() << " has no '# expect: ' line";
  const LoadResult r = loadScenarioFile(GetParam());
  EXPECT_FALSE(r.scenario);
  std::vector<std::string> got;
  for (Diagnostic d : r.diagnostics) {
    d.loc.file = fs::path(d.loc.file).filename().string();
    got.push_back(d.str());
  }
  EXPECT_EQ(got, expected) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadScenario,
                         ::testing::ValuesIn(filesUnder(kBadDir, true)),
                         [](const auto& info) { return testName(info.param, kBadDir); });

TEST(BadScenarioCorpus, HasAtLeast24DistinctMistakes) {
  const auto files = filesUnder(kBadDir, true);
  EXPECT_GE(files.size(), 24u) << kBadDir;
  std::set<std::string> firstMessages;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    std::getline(in, line);
    firstMessages.insert(line.substr(line.find(": error: ") + 1));
  }
  EXPECT_EQ(firstMessages.size(), files.size())
      << "two bad files test the same first mistake";
}

// --- the suite ------------------------------------------------------------------------

class SuiteScenario : public ::testing::TestWithParam<std::string> {};
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SuiteScenario);

TEST_P(SuiteScenario, LoadsWithoutDiagnostics) {
  const LoadResult r = loadScenarioFile(GetParam());
  EXPECT_TRUE(r.diagnostics.empty()) << text(r.diagnostics);
  if (r.scenario) {
    EXPECT_EQ(r.scenario->id, fs::path(GetParam()).stem().string())
        << GetParam() << ": the id is the file name without .yaml";
  }
}

INSTANTIATE_TEST_SUITE_P(Files, SuiteScenario,
                         ::testing::ValuesIn(filesUnder(kSuiteDir, false)),
                         [](const auto& info) {
                           return testName(info.param, kSuiteDir);
                         });

TEST(SuiteScenarios, IdsAreUnique) {
  const auto files = filesUnder(kSuiteDir, false);
  ASSERT_FALSE(files.empty()) << "no scenarios found in " << kSuiteDir;
  std::map<std::string, std::string> seen;
  for (const auto& f : files) {
    const LoadResult r = loadScenarioFile(f);
    if (!r.scenario) continue;
    const auto [it, fresh] = seen.emplace(r.scenario->id, f);
    EXPECT_TRUE(fresh) << f << ": id '" << r.scenario->id << "' is also used by "
                       << it->second;
  }
}

}  // namespace
}  // namespace monsim::harness
