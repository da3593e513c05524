// The trace reader parses a recorded run once (oracle/PROTOCOL.md §4): every record
// kind into its typed fields, deliveries associated with the probe record of their
// occurrence, and `monsim record` files.
#include "interpreter/trace.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace monsim::harness {
namespace {

using nlohmann::json;

const json kNone = {{"type", "NoneType"}, {"repr", "None"}};

json event(const std::string& name, int64_t offset, json extra = json::object()) {
  json r{{"kind", "event"},  {"event", name}, {"code", "f@1"},
         {"offset", offset}, {"line", 2},     {"depth", 1}};
  r.update(extra);
  return r;
}
json delivery(int tool, const std::string& name, int64_t offset,
              json extra = json::object()) {
  json r{{"kind", "delivery"}, {"tool", tool}, {"event", name}, {"code", "f@1"},
         {"offset", offset},   {"line", 2},    {"n", 1},        {"callback", "tool"},
         {"returned", kNone}};
  r.update(extra);
  return r;
}

json traceJson(json records) {
  return {{"scenario", "s"},
          {"interpreter",
           {{"name", "cpython"},
            {"version", "3.14.2"},
            {"hexversion", 51249904},
            {"platform", "emscripten"}}},
          {"probe_tool", 5},
          {"options", {{"probe", true}, {"instruction", true}}},
          {"records", std::move(records)},
          {"codes",
           {{"f@1",
             {{"qualname", "f"},
              {"firstlineno", 1},
              {"origin", "program"},
              {"bytecode_hash", "0123456789abcdef"}}}}},
          {"stdout", "out"},
          {"stderr", ""},
          {"truncated", false},
          {"variable", json::array()}};
}

TEST(TraceReader, ParsesTheTraceAndItsCodes) {
  const Trace t = traceFromJson(traceJson(json::array()));
  EXPECT_EQ(t.scenario, "s");
  EXPECT_EQ(t.probeTool, 5);
  EXPECT_FALSE(t.truncated);
  EXPECT_TRUE(t.instruction);
  EXPECT_EQ(t.interpreter.version, "3.14.2");
  EXPECT_EQ(t.interpreter.hexversion, 51249904);
  EXPECT_EQ(t.stdoutText, "out");
  ASSERT_NE(t.code("f@1"), nullptr);
  EXPECT_EQ(t.code("f@1")->qualname, "f");
  EXPECT_TRUE(t.code("f@1")->program);
  EXPECT_EQ(t.code("g@2"), nullptr);
  EXPECT_EQ(traceFromJson(json()).probeTool, -1);  // not a trace: empty
}

TEST(TraceReader, EventRecordsKeepTheirFields) {
  const TraceRecord r = recordFromJson(event(
      "CALL", 14,
      {{"callable", {{"type", "builtin_function_or_method"}, {"repr", "<built-in len>"}}},
       {"arg0", {{"type", "list"}, {"repr", "[1]"}}},
       {"stack", {"f@1"}}}));
  EXPECT_EQ(r.kind, RecordKind::Event);
  EXPECT_EQ(r.event, Event::Call);
  EXPECT_EQ(r.code, "f@1");
  EXPECT_EQ(r.offset, 14);
  EXPECT_EQ(r.line, 2);
  EXPECT_EQ(r.depth, 1);
  ASSERT_TRUE(r.callable);
  EXPECT_EQ(r.callable->repr, "<built-in len>");
  EXPECT_EQ(r.arg0->type, "list");
  EXPECT_EQ(r.stack, std::vector<std::string>{"f@1"});
  const TraceRecord raise = recordFromJson(
      event("RAISE", 20,
            {{"line", nullptr}, {"exc", {{"type", "KeyError"}, {"args", {"k"}}}}}));
  EXPECT_FALSE(raise.line);
  ASSERT_TRUE(raise.exc);
  EXPECT_EQ(raise.exc->kind, TraceValue::Kind::Exception);
  EXPECT_EQ(raise.exc->type, "KeyError");
  EXPECT_EQ(raise.exc->args.size(), 1u);
  const TraceRecord jump = recordFromJson(event("JUMP", 30, {{"dest", 8}}));
  EXPECT_EQ(jump.dest, 8);
}

TEST(TraceReader, GarbageOffsetsAreKeptWhole) {
  const int64_t garbage = -(int64_t(1) << 40);
  const TraceRecord r = recordFromJson(event("RAISE", garbage));
  EXPECT_EQ(r.offset, garbage);
  EXPECT_TRUE(isGarbageOffset(r.offset));
}

TEST(TraceReader, DeliveryOutcomesAreKinds) {
  const TraceRecord returned = recordFromJson(delivery(2, "LINE", 2));
  EXPECT_EQ(returned.kind, RecordKind::Delivery);
  EXPECT_EQ(returned.outcome, CallbackOutcome::Returned);
  EXPECT_EQ(returned.callback, "tool");
  const TraceRecord disable =
      recordFromJson(delivery(2, "LINE", 2, {{"returned", {{"marker", "DISABLE"}}}}));
  EXPECT_EQ(disable.outcome, CallbackOutcome::ReturnedDisable);
  EXPECT_EQ(disable.returned->kind, TraceValue::Kind::Disable);
  json raisedJson = delivery(
      2, "LINE", 2, {{"raised", {{"type", "ValueError"}, {"args", json::array()}}}});
  raisedJson.erase("returned");
  const TraceRecord raised = recordFromJson(raisedJson);
  EXPECT_EQ(raised.outcome, CallbackOutcome::Raised);
  EXPECT_EQ(raised.raised->type, "ValueError");
  const Delivery d = deliveryOf(raised);
  EXPECT_EQ(d.aux, 2);  // LINE: the line
  EXPECT_EQ(d.result, CallbackOutcome::Raised);
  EXPECT_EQ(d.raisedType, "ValueError");
  EXPECT_EQ(outcomeName(d.result), "raised");
}

TEST(TraceReader, ApiRecordsKeepArgumentsResultAndPlainValue) {
  const TraceRecord r = recordFromJson({{"kind", "api"},
                                        {"by", "program"},
                                        {"fn", "set_local_events"},
                                        {"args",
                                         {{{"type", "int"}, {"repr", "2"}},
                                          {{"type", "code"}, {"code", "f@1"}},
                                          {{"type", "int"}, {"repr", "32"}}}},
                                        {"code", "g@4"},
                                        {"line", 5},
                                        {"result", kNone},
                                        {"value", nullptr}});
  EXPECT_EQ(r.kind, RecordKind::Api);
  EXPECT_EQ(r.by, ApiCaller::Program);
  EXPECT_EQ(r.fn, "set_local_events");
  ASSERT_EQ(r.args.size(), 3u);
  EXPECT_EQ(r.args[1].kind, TraceValue::Kind::Code);
  EXPECT_EQ(r.args[1].repr, "f@1");
  EXPECT_EQ(r.code, "g@4");
  EXPECT_EQ(r.line, 5);
  EXPECT_FALSE(r.kwargs);
  ASSERT_TRUE(r.plain);  // present, and JSON null
  EXPECT_TRUE(r.plain->json.is_null());
  EXPECT_FALSE(r.value);  // `value` of an api record is the plain one
  const TraceRecord kw = recordFromJson(
      {{"kind", "api"},
       {"by", "step"},
       {"fn", "get_events"},
       {"args", json::array()},
       {"kwargs", {{"tool_id", kNone}}},
       {"raised", {{"type", "TypeError"}, {"args", json::array()}, {"message", "bad"}}}});
  ASSERT_TRUE(kw.kwargs);
  EXPECT_EQ(kw.kwargs->size(), 1u);
  EXPECT_EQ(kw.raised->message, "bad");
  EXPECT_FALSE(kw.plain);
}

TEST(TraceReader, CallsOfACallbackAreRecordsToo) {
  const TraceRecord r = recordFromJson(delivery(2, "PY_START", 0,
                                                {{"calls",
                                                  {{{"kind", "api"},
                                                    {"by", "callback"},
                                                    {"fn", "restart_events"},
                                                    {"args", json::array()},
                                                    {"result", kNone},
                                                    {"value", nullptr}},
                                                   {{"kind", "action"},
                                                    {"action", "call"},
                                                    {"target", "g"},
                                                    {"returned", kNone}}}}}));
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0].kind, RecordKind::Api);
  EXPECT_EQ(r.calls[0].by, ApiCaller::Callback);
  EXPECT_EQ(r.calls[1].kind, RecordKind::Action);
  EXPECT_EQ(r.calls[1].target, "g");
}

TEST(TraceReader, StepsAndUnknownRecords) {
  const TraceRecord step = recordFromJson({{"kind", "step"},
                                           {"index", 3},
                                           {"action", "gen"},
                                           {"target", "g"},
                                           {"op", "next"}});
  EXPECT_EQ(step.kind, RecordKind::Step);
  EXPECT_EQ(step.index, 3);
  EXPECT_EQ(step.op, "next");
  EXPECT_EQ(recordFromJson({{"kind", "gossip"}}).kind, RecordKind::Unknown);
  const TraceRecord odd = recordFromJson(event("TELEPORT", 0));
  EXPECT_EQ(odd.kind, RecordKind::Unknown);
  EXPECT_EQ(odd.unknownEvent, "TELEPORT");
}

TEST(AssociateDeliveries, LegacyBranchJoinsTheProbesBranchLeft) {
  // 3.14+: tool 2's legacy BRANCH handler is called for the probe's BRANCH_LEFT.
  const Trace t =
      traceFromJson(traceJson({event("BRANCH_LEFT", 10, {{"dest", 20}}),
                               delivery(2, "BRANCH", 10, {{"dest", 20}}),
                               delivery(5, "BRANCH_LEFT", 10, {{"dest", 20}})}));
  const auto ds = associateDeliveries(t);
  ASSERT_EQ(ds.size(), 1u);  // the probe's own delivery is not a scenario tool's
  EXPECT_EQ(ds[0].event, Event::Branch);
  EXPECT_EQ(ds[0].aux, 20);
  EXPECT_EQ(ds[0].record, 0u);
  EXPECT_EQ(ds[0].index, 1u);
  EXPECT_FALSE(ds[0].unseen);
  EXPECT_EQ(ds[0].source, &t.records[1]);
}

TEST(AssociateDeliveries, AnOccurrenceTheProbeMissedIsKeyedByItsFirstDelivery) {
  const Trace t = traceFromJson(
      traceJson({event("LINE", 2), delivery(2, "LINE", 2), delivery(4, "INSTRUCTION", 6),
                 delivery(3, "INSTRUCTION", 6)}));
  const auto ds = associateDeliveries(t);
  ASSERT_EQ(ds.size(), 3u);
  EXPECT_EQ(ds[0].record, 0u);
  EXPECT_TRUE(ds[1].unseen);
  EXPECT_EQ(ds[1].record, 2u);
  EXPECT_TRUE(ds[2].unseen);
  EXPECT_EQ(ds[2].record, 2u);  // a lower tool of the same occurrence joins it
}

TEST(ReadTraceJsonl, ReadsARecordFileAndRejectsOthers) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string good = (dir / "monsim_trace_test_good.jsonl").string();
  json meta = traceJson(json::array());
  meta.erase("records");
  meta["kind"] = "trace";
  {
    std::ofstream o(good);
    o << json{{"kind", "provenance"}}.dump() << "\n"
      << meta.dump() << "\n"
      << event("PY_START", 0).dump() << "\n"
      << delivery(2, "PY_START", 0).dump() << "\n"
      << json{{"kind", "end"}, {"outcome", "result"}}.dump() << "\n";
  }
  std::string error;
  const auto t = readTraceJsonl(good, error);
  ASSERT_TRUE(t) << error;
  ASSERT_EQ(t->records.size(), 2u);
  EXPECT_EQ(t->records[1].kind, RecordKind::Delivery);
  EXPECT_EQ(t->interpreter.version, "3.14.2");

  const std::string bad = (dir / "monsim_trace_test_bad.jsonl").string();
  {
    std::ofstream o(bad);
    o << meta.dump() << "\n"
      << json{{"kind", "end"}, {"outcome", "timeout"}}.dump() << "\n";
  }
  EXPECT_FALSE(readTraceJsonl(bad, error));
  EXPECT_EQ(error, bad + ":2: the recorded run ended with 'timeout', not a result");
  std::remove(good.c_str());
  std::remove(bad.c_str());
}

}  // namespace
}  // namespace monsim::harness
