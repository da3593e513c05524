// The generators themselves: every generated case renders to a scenario the
// loader accepts, every generated program compiles on a real interpreter, a
// token regenerates its case exactly, and shrinking tries the control sequence
// before the program. RC_CLASSIFY shows what the generators produce.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "generators/fuzz_case.h"
#include "interpreter/process.h"
#include "scenario/loader.h"
#include "tests/live_interpreters.h"
#include "tests/rc_reproduce.h"

namespace monsim::gen {
namespace {

bool has(const std::vector<std::string>& tags, const std::string& t) {
  return std::find(tags.begin(), tags.end(), t) != tags.end();
}

MONSIM_RC_PROP(Generators, EveryCaseRendersToALoadableScenario, ()) {
  const PyVersion v = *rc::gen::element(PyVersion::V3_12, PyVersion::V3_13,
                                        PyVersion::V3_14, PyVersion::V3_15);
  const FuzzCase c = *genFuzzCase(v);
  const auto tags = caseTags(c, v);
  RC_CLASSIFY(has(tags, "fn-generator") || has(tags, "fn-coroutine"),
              "generator/coroutine");
  RC_CLASSIFY(has(tags, "cb-disable") || has(tags, "cb-api-disable"), "DISABLE");
  RC_CLASSIFY(has(tags, "cb-raise"), "raising callback");
  RC_CLASSIFY(has(tags, "cb-api"), "API call in a callback");
  RC_CLASSIFY(has(tags, "try-except") || has(tags, "reraise") || has(tags, "raise"),
              "exceptions");
  const auto text = renderScenario(c, v, "gen-prop", "generated", "property");
  const auto r = harness::loadScenarioText(text.yaml, "<gen>");
  if (!r.scenario) {
    std::string why;
    for (const auto& d : r.diagnostics) why += d.str() + "\n";
    RC_FAIL(why + text.yaml);
  }
  RC_ASSERT(r.scenario->python.contains(v));
}

TEST(Generators, EveryFragmentKindIsReached) {
  std::set<std::string> seen;
  for (uint64_t i = 0; i < 400; ++i) {
    const Token t{.version = PyVersion::V3_14, .seed = caseSeed(7, i), .path = {}};
    for (const auto& tag : caseTags(caseAt(t).value(), t.version)) seen.insert(tag);
  }
  for (const char* tag : {"call",
                          "builtin",
                          "method",
                          "partial",
                          "lambda",
                          "one-line-def",
                          "for",
                          "for-1line",
                          "while",
                          "while-1line",
                          "if",
                          "comprehension",
                          "try-except",
                          "try-finally",
                          "with",
                          "raise",
                          "reraise",
                          "recursion",
                          "drive-gen",
                          "drive-coro",
                          "yield",
                          "yield-from",
                          "await",
                          "closure",
                          "decorator",
                          "class-body",
                          "async-gen",
                          "gen-recursion",
                          "except-star",
                          "match",
                          "nested-with",
                          "async-for",
                          "for-over-returning-gen",
                          "fn-generator-returns",
                          "callback:program-call",
                          "callback:program-call(throw)",
                          "callback:set_local_events(running-code)",
                          "callback:register_callback(unregister)",
                          "callback:free_tool_id(own tool)",
                          "callback:set_events(other tool)",
                          "callback:use_tool_id",
                          "fn-plain",
                          "fn-generator",
                          "fn-coroutine",
                          "fn-one-line",
                          "cb-disable",
                          "cb-raise",
                          "cb-api",
                          "local-events",
                          "step:drive",
                          "step:restart_events",
                          "callback:set_events",
                          "callback:set_local_events",
                          "callback:register_callback",
                          "callback:free_tool_id",
                          "callback:clear_tool_id",
                          "callback:restart_events",
                          "step:set_events(invalid)",
                          "event:BRANCH_LEFT",
                          "event:INSTRUCTION"})
    EXPECT_TRUE(seen.count(tag)) << "no generated case uses " << tag;
}

TEST(Tokens, RoundTripAndRegenerateTheSameCase) {
  const Token t{
      .version = PyVersion::V3_13, .seed = 0x9f3a61c2d4e5ULL, .path = {0, 4, 2}};
  const auto back = Token::parse(t.str());
  ASSERT_TRUE(back) << t.str();
  EXPECT_EQ(back->str(), t.str());
  EXPECT_EQ(back->path, t.path);
  const auto a = renderScenario(caseAt(t).value(), t.version, "x", "d", "s").yaml;
  const auto b = renderScenario(caseAt(*back).value(), t.version, "x", "d", "s").yaml;
  EXPECT_EQ(a, b);
  for (const char* bad :
       {"", "313", "313-zz-100", "399-1-100", "313-1-100-1..2", "313-1-x", "313f-1-100",
        "313f9-1-100", "313f0-1-100", "f2-1-100"})
    EXPECT_FALSE(Token::parse(bad)) << bad;
}

TEST(Tokens, NameTheFocusAndTheCaseKind) {
  const Token t{.version = PyVersion::V3_14,
                .seed = 0x51,
                .path = {1},
                .capi = true,
                .focus = Focus::Close};
  EXPECT_EQ(t.str(), "314cf4-51-100-1");
  const auto back = Token::parse(t.str());
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->capi);
  EXPECT_EQ(back->focus, Focus::Close);
  const auto a = renderScenario(caseAt(t).value(), t.version, "x", "d", "s").yaml;
  EXPECT_EQ(a, renderScenario(caseAt(*back).value(), t.version, "x", "d", "s").yaml);
}

// A focus raises the share of the fragments it names (generators/focus.h).
TEST(Focus, RaisesTheShareOfItsFragments) {
  auto share = [](Focus f, const std::string& tag) {
    int n = 0;
    for (uint64_t i = 0; i < 300; ++i) {
      const Token t{
          .version = PyVersion::V3_13, .seed = caseSeed(5, i), .path = {}, .focus = f};
      for (const auto& x : caseTags(caseAt(t).value(), t.version)) n += x == tag;
    }
    return n;
  };
  EXPECT_GT(share(Focus::Loops, "for"), share(Focus::None, "for") * 3 / 2);
  EXPECT_GT(share(Focus::Calls, "builtin"), share(Focus::None, "builtin") * 5 / 4);
  EXPECT_GT(share(Focus::Lines, "event:INSTRUCTION"),
            share(Focus::None, "event:INSTRUCTION") * 2);
  EXPECT_GT(share(Focus::Close, "drive-gen"), share(Focus::None, "drive-gen") * 3 / 2);
}

// Steering: every other case unbiased; the rest toward the least reached rules the
// version can reach, never toward the C API where it is missing.
TEST(Steer, TurnsToTheRulesReachedLeast) {
  std::array<long, kReasonCount> counts;
  counts.fill(5000);
  counts[static_cast<int>(Reason::ForIterSpecialised)] = 3;
  counts[static_cast<int>(Reason::CapiState)] = 0;
  EXPECT_EQ(steer(counts, PyVersion::V3_13, 0, true).focus, Focus::None);
  EXPECT_EQ(steer(counts, PyVersion::V3_13, 0, true).kind, CaseKind::Plain);
  // The two rare rules in turn: capi-state (0) first, then R4 (3).
  EXPECT_EQ(steer(counts, PyVersion::V3_13, 1, true).kind, CaseKind::Capi);
  EXPECT_EQ(steer(counts, PyVersion::V3_13, 3, true).focus, Focus::Loops);
  EXPECT_EQ(steer(counts, PyVersion::V3_13, 1, false).focus, Focus::Loops);
  // Unreachable on 3.12: the C API and R1; R7 on 3.13 (nothing recorded to decide on).
  EXPECT_FALSE(ruleReach(Reason::CapiState, PyVersion::V3_12).reachable);
  EXPECT_FALSE(ruleReach(Reason::CloseSkipsThrow, PyVersion::V3_13).reachable);
  EXPECT_TRUE(ruleReach(Reason::CloseSkipsThrow, PyVersion::V3_14).reachable);
  counts.fill(kRuleEnough);
  EXPECT_EQ(steer(counts, PyVersion::V3_14, 7, true).focus, Focus::None);
}

TEST(Shrinking, TriesTheControlSequenceBeforeTheProgram) {
  int checked = 0;
  for (uint64_t i = 0; i < 50 && checked < 10; ++i) {
    const Token t{.version = PyVersion::V3_13, .seed = caseSeed(11, i), .path = {}};
    const auto s = caseAt(t);
    const FuzzCase c = s.value();
    if (c.program.fns.empty()) continue;
    auto first = s.shrinks().next();
    ASSERT_TRUE(first);
    const FuzzCase d = first->value();
    const std::string prog = renderProgram(c.program).source;
    EXPECT_EQ(renderProgram(d.program).source, prog)
        << "the first shrink changed the program";
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

// A native Python 3.13 or 3.12 to read generated programs with.
std::optional<harness::Interpreter> nativePython() {
  std::optional<harness::Interpreter> in;
  for (PyVersion v : {PyVersion::V3_13, PyVersion::V3_12})
    if (auto i = live::interpreterFor(v); i && i->kind == "native") in = i;
  return in;
}

// What `script` prints, run by `in` with the sources as a JSON list on its stdin.
std::string overSources(const harness::Interpreter& in, const nlohmann::json& sources,
                        const std::string& script) {
  std::vector<std::string> argv = in.command;
  argv.insert(argv.end(), {"-c", script});
  const auto r = harness::runCommand(argv, sources.dump(), std::chrono::seconds(60));
  EXPECT_EQ(r.status, "exit 0") << r.err;
  return r.out;
}

// All programs of 300 cases, compiled by one native interpreter in one process.
TEST(Generators, ProgramsCompile) {
  const auto in = nativePython();
  if (!in)
    GTEST_SKIP() << "no native Python 3.12/3.13 found to compile with; run ./run setup";
  nlohmann::json sources = nlohmann::json::array();
  for (uint64_t i = 0; i < 300; ++i)
    sources.push_back(
        renderProgram(
            caseAt({PyVersion::V3_13, false, caseSeed(3, i), 100, {}}).value().program)
            .source);
  const std::string out = overSources(*in, sources,
                                      "import json,sys\n"
                                      "for i, s in enumerate(json.load(sys.stdin)):\n"
                                      "    try: compile(s, 'p%d' % i, 'exec')\n"
                                      "    except SyntaxError as e: print(i, e)\n");
  EXPECT_EQ(out, "") << "programs that do not compile (index, error):\n" << out;
}

// A program defines only the prelude helpers it uses: every global name its functions
// use is defined by the program or is a builtin, in 300 cases' programs.
TEST(Generators, ProgramsDefineEveryHelperTheyUse) {
  const auto in = nativePython();
  if (!in)
    GTEST_SKIP()
        << "no native Python 3.12/3.13 found to read programs with; run ./run setup";
  nlohmann::json sources = nlohmann::json::array();
  size_t shortest = std::string::npos, longest = 0;
  for (uint64_t i = 0; i < 300; ++i) {
    const RenderedProgram r = renderProgram(
        caseAt({PyVersion::V3_13, false, caseSeed(5, i), 100, {}}).value().program);
    sources.push_back(r.source);
    shortest = std::min(shortest, r.source.size());
    longest = std::max(longest, r.source.size());
    // firstLines still point at each function's def.
    std::vector<std::string> lines;
    std::istringstream text(r.source);
    for (std::string l; std::getline(text, l);) lines.push_back(l);
    ASSERT_EQ(static_cast<int>(lines.size()), r.lines);
    for (size_t k = 0; k < r.names.size(); ++k) {
      const std::string& def = lines.at(static_cast<size_t>(r.firstLines[k] - 1));
      EXPECT_NE(def.find("def " + r.names[k] + "("), std::string::npos) << def;
    }
  }
  EXPECT_LT(shortest, longest / 2) << "every program defines the same helpers";
  const std::string out =
      overSources(*in, sources,
                  "import builtins, json, symtable, sys\n"
                  "def used(t, out):\n"
                  "    for s in t.get_symbols():\n"
                  "        if s.is_referenced() and (s.is_global() or\n"
                  "                t.get_type() == 'module' and not s.is_assigned()):\n"
                  "            out.add(s.get_name())\n"
                  "    for c in t.get_children(): used(c, out)\n"
                  "for i, s in enumerate(json.load(sys.stdin)):\n"
                  "    top = symtable.symtable(s, 'p%d' % i, 'exec')\n"
                  "    defined = {x.get_name() for x in top.get_symbols()\n"
                  "               if x.is_assigned() or x.is_imported()}\n"
                  "    names = set(); used(top, names)\n"
                  "    missing = names - defined - set(dir(builtins))\n"
                  "    if missing: print(i, sorted(missing))\n");
  EXPECT_EQ(out, "") << "programs that use a name they do not define (index, names):\n"
                     << out;
}

}  // namespace
}  // namespace monsim::gen
