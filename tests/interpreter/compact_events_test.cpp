// The driver's side of compact event records (PROTOCOL §4.5): an array record becomes
// the event object the worker would have written without the option (and the trace
// reader reads it as that), objects pass unchanged, the table and the option's echo go,
// and a malformed record or table is a protocol error naming it.
#include "interpreter/compact_events.h"

#include <gtest/gtest.h>

#include "interpreter/json_line.h"
#include "interpreter/trace.h"

namespace monsim::harness {
namespace {

using nlohmann::json;

json result(json records, json compact) {
  json trace = {{"options", {{"probe", true}, {"compact_events", true}}},
                {"records", std::move(records)}};
  if (!compact.is_null()) trace["compact"] = std::move(compact);
  return {{"type", "result"}, {"seq", 1}, {"trace", std::move(trace)}};
}

const json kTable = {
    {"events", json::array({json::array({"LINE"}), json::array({"JUMP", "dest"}),
                            json::array({"CALL", "callable", "arg0"}),
                            json::array({"PY_RETURN", "value"})})},
    {"codes", json::array({"f@1", "g@3"})}};

const json kInt = {{"type", "int"}, {"repr", "1"}};

TEST(CompactEvents, AnArrayRecordBecomesTheEventObject) {
  const json step = {{"kind", "step"}, {"index", 0}, {"action", "call"}, {"target", "f"}};
  const json plain = {{"kind", "event"}, {"event", "PY_START"}, {"code", "g@3"},
                      {"offset", 0},     {"line", 3},           {"depth", 2},
                      {"frame", 1}};
  json r = result({step,
                   {0, 0, 2, 1, 1},
                   {1, 1, 8, nullptr, 2, 4},
                   plain,
                   {2, 0, 10, 2, 1, {{"type", "builtin_function_or_method"}}, kInt},
                   {3, 1, 12, 4, 2, kInt}},
                  kTable);
  ASSERT_EQ(expandCompactEvents(r), std::nullopt);
  const json& t = r["trace"];
  EXPECT_FALSE(t.contains("compact"));
  EXPECT_EQ(t["options"], json({{"probe", true}}));
  EXPECT_EQ(t["records"][0], step);
  EXPECT_EQ(t["records"][1], json({{"kind", "event"},
                                   {"event", "LINE"},
                                   {"code", "f@1"},
                                   {"offset", 2},
                                   {"line", 1},
                                   {"depth", 1}}));
  EXPECT_EQ(t["records"][2], json({{"kind", "event"},
                                   {"event", "JUMP"},
                                   {"code", "g@3"},
                                   {"offset", 8},
                                   {"line", nullptr},
                                   {"depth", 2},
                                   {"dest", 4}}));
  EXPECT_EQ(t["records"][3], plain);
  EXPECT_EQ(t["records"][4]["callable"], json({{"type", "builtin_function_or_method"}}));
  EXPECT_EQ(t["records"][4]["arg0"], kInt);
  EXPECT_EQ(t["records"][4]["event"], "CALL");
  EXPECT_EQ(t["records"][5]["value"], kInt);
  EXPECT_EQ(t["records"][5].size(), 7u);
}

TEST(CompactEvents, ANumberInAValueItemNamesAValueOfTheTable) {
  json table = kTable;
  table["values"] = json::array({kInt});
  json r = result(json::array({json::array({2, 0, 10, 2, 1, 0, kInt}),
                               json::array({1, 0, 8, 2, 1, 0})}),
                  table);
  ASSERT_EQ(checkCompactEvents(r), std::nullopt);
  EXPECT_EQ(r["trace"]["records"][0][5], 0);  // checked, left compact
  const Trace typed = traceFromJson(r["trace"]);
  ASSERT_EQ(typed.records.size(), 2u);
  EXPECT_EQ(typed.records[0].callable, typed.records[0].arg0);
  EXPECT_EQ(typed.records[0].callable->repr, "1");
  EXPECT_EQ(typed.records[1].dest, 0);  // a destination, not a value
  ASSERT_EQ(expandCompactEvents(r), std::nullopt);
  EXPECT_EQ(r["trace"]["records"][0]["callable"], kInt);
  EXPECT_EQ(r["trace"]["records"][1]["dest"], 0);
  json bad = result(json::array({json::array({3, 0, 10, 2, 1, 1})}), table);
  EXPECT_NE(checkCompactEvents(bad).value_or("").find("values"), std::string::npos);
}

TEST(CompactEvents, ATraceWithoutTheTableOrAnErroredReplyPassesUnchanged) {
  json r = result({{{"kind", "load"}}}, nullptr);
  ASSERT_FALSE(expandCompactEvents(r));
  EXPECT_EQ(r["trace"]["records"], json::array({{{"kind", "load"}}}));
  json errored = {{"type", "errored"}, {"seq", 2}, {"context", {{"phase", "run"}}}};
  const json before = errored;
  ASSERT_FALSE(expandCompactEvents(errored));
  EXPECT_EQ(errored, before);
}

TEST(CompactEvents, AMalformedRecordOrTableIsAProtocolErrorNamingIt) {
  auto error = [](json records, json table) {
    json r = result(std::move(records), std::move(table));
    return expandCompactEvents(r).value_or("");
  };
  EXPECT_NE(error(json::array({json::array({0, 0, 2, 1})}), kTable).find("records[0]"),
            std::string::npos);
  EXPECT_NE(error(json::array({json::array({9, 0, 2, 1, 1})}), kTable).find("records[0]"),
            std::string::npos);
  EXPECT_NE(error(json::array({json::array({1, 0, 2, 1, 1})}), kTable).find("items"),
            std::string::npos);
  EXPECT_NE(error(json::array({json::array({0, 2, 2, 1, 1})}), kTable).find("code"),
            std::string::npos);
  EXPECT_NE(error(json::array({json::array({0, -1, 2, 1, 1})}), kTable).find("code"),
            std::string::npos);
  EXPECT_NE(error(json::array(),
                  {{"events", json::array({json::array({1})})}, {"codes", json::array()}})
                .find("events"),
            std::string::npos);
  EXPECT_NE(error(json::array(), {{"events", json::array()}}).find("codes"),
            std::string::npos);
  EXPECT_NE(
      error(json::array(), {{"events", json::array({"LINE"})}, {"codes", json::array()}})
          .find("events"),
      std::string::npos);
}

// The reply reader packs runs of compact records (json_line.h): the trace reads the
// same as from the arrays, a value written in a record is added to compact.values, and
// a reply with a malformed record is read plainly, for checkCompactEvents to name it
// where the worker wrote it.
TEST(CompactEvents, PackedRunsReadAsTheirArrays) {
  const json step = {{"kind", "step"}, {"index", 0}, {"action", "call"}, {"target", "f"}};
  const json table = [] {
    json t = kTable;
    t["values"] =
        json::array({{{"type", "builtin_function_or_method"}, {"repr", "len"}}});
    return t;
  }();
  const json r = result({step,
                         {0, 0, 2, 1, 1},
                         {1, 1, 8, nullptr, 2, -1},
                         {2, 0, 10, 2, 1, 0, kInt},
                         step,
                         {3, 1, 12, 4, 2, kInt},
                         {0, 1, 14, 5, 2}},
                        table);
  json packed = parseReplyText(r.dump());
  const json& records = packed["trace"]["records"];
  ASSERT_EQ(records.size(), 4u) << records.dump();
  EXPECT_EQ(records[0], step);
  EXPECT_TRUE(isPacked(records[1]));
  EXPECT_EQ(records[2], step);
  EXPECT_TRUE(isPacked(records[3]));
  // Two values written in records (kInt twice) were added after the table's one.
  EXPECT_EQ(packed["trace"]["compact"]["values"].size(), 3u);

  json bad = r;
  bad["trace"]["records"][5] = json::array({3, 1, 12, 4});
  json badPacked = parseReplyText(bad.dump());
  for (const json& item : badPacked["trace"]["records"]) EXPECT_FALSE(isPacked(item));
  EXPECT_EQ(checkCompactEvents(badPacked),
            "trace.records[5] is an array but no compact event");

  json goodPacked = packed;
  ASSERT_EQ(checkCompactEvents(goodPacked), std::nullopt);
  json goodPlain = r;
  ASSERT_EQ(checkCompactEvents(goodPlain), std::nullopt);
  const Trace fromPacked = traceFromJson(goodPacked["trace"]);
  const Trace fromArrays = traceFromJson(goodPlain["trace"]);
  ASSERT_EQ(fromPacked.records.size(), 7u);
  EXPECT_EQ(fromPacked.records, fromArrays.records);
  EXPECT_FALSE(fromPacked.records[2].line.has_value());
  EXPECT_EQ(fromPacked.records[2].dest, -1);

  // Written out unpacked (PROTOCOL §4.5 arrays), or packed as nlohmann writes a binary
  // item: either reads back the same.
  json unpacked = goodPacked;
  unpackCompactRecords(unpacked["trace"]);
  for (const json& item : unpacked["trace"]["records"]) EXPECT_FALSE(isPacked(item));
  EXPECT_EQ(traceFromJson(json::parse(unpacked.dump())["trace"]).records,
            fromArrays.records);
  EXPECT_EQ(traceFromJson(json::parse(goodPacked.dump())["trace"]).records,
            fromArrays.records);
  // And expanded as a worker without the option writes them.
  json expanded = goodPacked;
  ASSERT_EQ(expandCompactEvents(expanded), std::nullopt);
  EXPECT_EQ(traceFromJson(expanded["trace"]).records, fromArrays.records);
  EXPECT_EQ(expanded["trace"]["records"][5]["value"], kInt);
}

}  // namespace
}  // namespace monsim::harness
