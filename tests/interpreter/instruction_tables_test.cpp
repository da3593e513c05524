// The driver's side of instruction tables by key (PROTOCOL §4): a row that names a
// table the previous result carried gets it back; every result counts (stale ones
// too), errored replies do not; a name nothing carried is a protocol error.
#include "interpreter/instruction_tables.h"

#include <gtest/gtest.h>

namespace monsim::harness {
namespace {

using nlohmann::json;

json result(json codes) {
  return {{"type", "result"},
          {"seq", 1},
          {"trace",
           {{"options", {{"probe", true}, {"instructions_by_key", true}}},
            {"codes", std::move(codes)}}}};
}

const json kTable = json::array({json::array({0, "RESUME", 1, 0, true})});

TEST(InstructionTables, ARowNamingThePreviousResultsTableGetsItBack) {
  InstructionTables t;
  json first = result({{"f@1", {{"instructions_key", "t1"}, {"instructions", kTable}}}});
  ASSERT_FALSE(t.resolve(first));
  EXPECT_FALSE(first["trace"]["codes"]["f@1"].contains("instructions_key"));
  EXPECT_EQ(first["trace"]["codes"]["f@1"]["instructions"], kTable);
  EXPECT_EQ(first["trace"]["options"], json({{"probe", true}}));
  json second = result({{"f@1#2", {{"instructions_key", "t1"}}}});
  ASSERT_FALSE(t.resolve(second));
  EXPECT_EQ(second["trace"]["codes"]["f@1#2"]["instructions"], kTable);
  // Resolved in the second, so still the previous result's for the third.
  json third = result({{"g@3", {{"instructions_key", "t1"}}}});
  ASSERT_FALSE(t.resolve(third));
  EXPECT_EQ(third["trace"]["codes"]["g@3"]["instructions"], kTable);
}

TEST(InstructionTables, OnlyThePreviousResultCountsAndErroredRepliesDoNot) {
  InstructionTables t;
  json first = result({{"f@1", {{"instructions_key", "t1"}, {"instructions", kTable}}}});
  ASSERT_FALSE(t.resolve(first));
  json errored = {{"type", "errored"}, {"seq", 2}, {"context", {{"phase", "run"}}}};
  ASSERT_FALSE(t.resolve(errored));
  json still = result({{"f@1", {{"instructions_key", "t1"}}}});
  ASSERT_FALSE(t.resolve(still));
  json without =
      result({{"h@1", {{"instructions_key", "t2"}, {"instructions", kTable}}}});
  ASSERT_FALSE(t.resolve(without));
  json gone = result({{"f@1", {{"instructions_key", "t1"}}}});
  const auto bad = t.resolve(gone);
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->find("'t1'"), std::string::npos) << *bad;
}

TEST(InstructionTables, AFreshWorkerNamesNoEarlierTable) {
  InstructionTables t;
  json first = result({{"f@1", {{"instructions_key", "t1"}, {"instructions", kTable}}}});
  ASSERT_FALSE(t.resolve(first));
  t.reset();
  json named = result({{"f@1", {{"instructions_key", "t1"}}}});
  EXPECT_TRUE(t.resolve(named));
}

TEST(InstructionTables, RowsWithoutAKeyAndOtherMessagesPassUnchanged) {
  InstructionTables t;
  json plain =
      result({{"f@1", {{"instructions", kTable}}}, {"capi:x", {{"origin", "capi"}}}});
  const json before = plain;
  ASSERT_FALSE(t.resolve(plain));
  EXPECT_EQ(plain["trace"]["codes"], before["trace"]["codes"]);
  json hello = {{"type", "hello"}, {"protocol", 1}};
  ASSERT_FALSE(t.resolve(hello));
  EXPECT_EQ(hello, json({{"type", "hello"}, {"protocol", 1}}));
  json badKey = result({{"f@1", {{"instructions_key", 3}}}});
  EXPECT_TRUE(t.resolve(badKey));
}

}  // namespace
}  // namespace monsim::harness
