// The generated spec tables (spec/*.yaml) against each live interpreter's own
// sys.monitoring: event constants, tool ids, namespace names, which events may
// be local, and the exact text of common misuse errors.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "interpreter/process.h"
#include "tests/live_interpreters.h"

namespace monsim {
namespace {

using harness::Interpreter;
using nlohmann::json;
using namespace std::chrono_literals;

// Fills the table's template the way CPython formats these messages.
std::string expand(std::string msg, const std::string& key, const std::string& value) {
  const std::string ph = "{" + key + "}";
  if (auto p = msg.find(ph); p != std::string::npos) msg.replace(p, ph.size(), value);
  return msg;
}

class LiveTables : public ::testing::TestWithParam<PyVersion> {
 protected:
  void SetUp() override {
    const auto in = live::interpreterFor(GetParam());
    if (!in) GTEST_SKIP() << live::missingMessage(GetParam());
    // One interpreter start per version, shared by the tests of that version.
    static std::map<std::string, harness::RunResult> cache;
    if (!cache.count(in->id)) {
      auto cmd = in->command;
      cmd.push_back(harness::sourceRoot() + "/tests/spec/dump_monitoring.py");
      cache[in->id] = harness::runCommand(cmd, "", 120s);
    }
    const auto& r = cache[in->id];
    ASSERT_EQ(r.status, "exit 0") << in->id << ": " << r.err;
    dump_ = json::parse(r.out);
    id_ = in->id;
  }
  json dump_;
  std::string id_;
};

TEST_P(LiveTables, EventConstantsMatch) {
  const VersionProfile& p = profile(GetParam());
  std::map<std::string, uint32_t> expected{{"NO_EVENTS", spec::kNoEvents}};
  for (int e = 0; e < spec::kEventCount; ++e)
    if (p.has(Event(e)))
      expected[std::string(p.name(Event(e)))] = p.setOf(Event(e)).bits();
  std::map<std::string, uint32_t> actual;
  for (auto& [k, v] : dump_["events"].items()) actual[k] = v.get<uint32_t>();
  EXPECT_EQ(actual, expected) << id_;
}

TEST_P(LiveTables, ToolIdConstantsMatch) {
  std::map<std::string, int> expected;
  for (const auto& t : spec::kNamedTools) expected[std::string(t.name)] = t.id;
  EXPECT_EQ(dump_["tool_ids"].get<decltype(expected)>(), expected) << id_;
}

TEST_P(LiveTables, NamespaceMatchesApiTable) {
  const VersionProfile& p = profile(GetParam());
  const auto ns = dump_["namespace"].get<std::set<std::string>>();
  for (int f = 0; f < static_cast<int>(spec::kApi.size()); ++f) {
    const std::string name(spec::kApi[f].name);
    EXPECT_EQ(ns.count(name) == 1, p.hasApi(spec::ApiFn(f)))
        << id_ << ": " << name << (ns.count(name) ? " present" : " absent");
  }
}

TEST_P(LiveTables, LocalCapableEventsMatch) {
  const VersionProfile& p = profile(GetParam());
  for (auto& [name, accepted] : dump_["local"].items()) {
    bool found = false;
    for (int e = 0; e < spec::kEventCount; ++e) {
      if (!p.has(Event(e)) || p.name(Event(e)) != name) continue;
      found = true;
      // C_RETURN/C_RAISE are refused alone but ride along with CALL.
      const bool expected =
          p.mayBeLocal(Event(e)) || p.ancillaryEvents().contains(p.setOf(Event(e)));
      EXPECT_EQ(accepted.get<bool>(), expected) << id_ << ": " << name;
    }
    EXPECT_TRUE(found) << id_ << ": interpreter has event " << name << " the table lacks";
  }
}

TEST_P(LiveTables, MisuseMessagesMatch) {
  const VersionProfile& p = profile(GetParam());
  const auto hex = [](uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", v);
    return std::string(buf);
  };
  const std::map<std::string, std::pair<std::string, std::string>> args{
      {"invalid_tool", {"tool", "6"}},
      {"tool_id_not_int", {"type", "str"}},
      {"tool_in_use", {"tool", "3"}},
      {"tool_not_in_use", {"tool", "4"}},
      {"invalid_event_set", {"set", hex(0xffffffffu)}},
      {"invalid_local_event_set",
       {"set", hex(~p.ancillaryEvents().bits() & ~p.aliasBits().bits())}},
      {"invalid_event", {"event", std::to_string(1u << 25)}},
  };
  // The errors dump_monitoring.py cannot raise from a plain call, each with where it is
  // checked instead; every other error id must be in the dump.
  const std::map<std::string, std::string> elsewhere{
      {"shim_code", "needs a shim code object (exceptions/no-unwind-for-init-shim)"},
      {"cannot_disable", "raised by a callback's DISABLE (disable-refused scenarios)"},
      {"events_set_too_many_times", "needs 2^31 event-set changes: not reachable live"},
      {"no_clear_tool_id", "3.12/3.13 only (tools/clear-tool-id-3.14 and api scenarios)"},
      {"capi_no_exception", "the C API (capi/capi-fire-*-without-exception-*)"},
      {"capi_negative_offset", "the C API (capi/capi-scope-negative-offset)"},
  };
  int checked = 0;
  for (int i = 0; i < static_cast<int>(spec::kErrors.size()); ++i) {
    const std::string id(spec::kErrors[i].id);
    if (!dump_["errors"].contains(id)) {
      EXPECT_TRUE(elsewhere.count(id))
          << id_ << ": error " << id << " is neither raised live nor exempted";
      continue;
    }
    EXPECT_FALSE(elsewhere.count(id)) << id << " is raised live: drop its exemption";
    ++checked;
    const auto got = dump_["errors"][id];
    ASSERT_TRUE(got.is_array()) << id_ << ": " << id << " did not raise";
    std::string msg(p.errorMessage(spec::Error(i)));
    if (auto a = args.find(id); a != args.end())
      msg = expand(msg, a->second.first, a->second.second);
    EXPECT_EQ(got[0].get<std::string>(), spec::kErrors[i].type) << id_ << ": " << id;
    EXPECT_EQ(got[1].get<std::string>(), msg) << id_ << ": " << id;
  }
  std::cout << "[ checked ] " << checked << " of " << spec::kErrors.size()
            << " error ids raised live on " << id_ << "; [ exempt ] " << elsewhere.size()
            << " checked elsewhere:";
  for (const auto& [id, where] : elsewhere) std::cout << " " << id;
  std::cout << "\n";
  EXPECT_EQ(checked + elsewhere.size(), spec::kErrors.size());
}

INSTANTIATE_TEST_SUITE_P(Versions, LiveTables, live::allVersions(),
                         live::versionTestName);

}  // namespace
}  // namespace monsim
