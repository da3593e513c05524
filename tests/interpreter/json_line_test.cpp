// The fast reply reader gives the document nlohmann's parser gives: the same values
// with the same number types, the same choice on a repeated key, and `discarded`
// exactly where nlohmann's parser refuses the text.
#include "interpreter/json_line.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace monsim::harness {
namespace {

using nlohmann::json;

const json kEmpty;  // what the walk below stops at

// Equal with every number of the same kind (json's == says 1u == 1).
void expectSameDocument(const json& a, const json& b, const std::string& where) {
  ASSERT_EQ(a.type(), b.type()) << where;
  if (a.is_array()) {
    ASSERT_EQ(a.size(), b.size()) << where;
    for (size_t i = 0; i < a.size(); ++i)
      expectSameDocument(a[i], b[i], where + "[" + std::to_string(i) + "]");
  } else if (a.is_object()) {
    ASSERT_EQ(a.size(), b.size()) << where;
    for (auto it = a.begin(); it != a.end(); ++it) {
      ASSERT_TRUE(b.contains(it.key())) << where << "." << it.key();
      expectSameDocument(it.value(), b[it.key()], where + "." + it.key());
    }
  } else {
    EXPECT_EQ(a, b) << where;
  }
}

TEST(JsonLine, GivesTheDocumentNlohmannGives) {
  const std::vector<std::string> texts = {
      R"({"type":"result","seq":3,"trace":{"records":[[0,1,0,1,1],[4,1,74,5,1,0,)"
      R"({"type":"list","repr":"[1]"}]],"compact":{"codes":["work@1"]}}})",
      R"([0, -1, 18446744073709551615, -9223372036854775808, 1.5, -0.0, 1e3, 2E-2])",
      R"({"a":1,"a":2,"b":{"c":null,"d":true,"e":false}})",
      R"("\u00e9\ud83d\ude00 \" \\ \/ \n")",
      "  {\"x\" : [ ] , \"y\" : { } }  ",
      R"([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]])",
  };
  for (const std::string& t : texts)
    expectSameDocument(parseJsonText(t), json::parse(t), t);
}

TEST(JsonLine, ReadsAnIntegerBeyond64BitsAsNlohmannDoes) {
  // simdjson declines it; nlohmann reads it as a float.
  const std::string t = "[123456789012345678901234567890]";
  expectSameDocument(parseJsonText(t), json::parse(t), t);
  EXPECT_TRUE(parseJsonText(t)[0].is_number_float());
}

TEST(JsonLine, RefusesWhatNlohmannRefuses) {
  for (const std::string t : {"", "{", "[1,]", "{\"a\" 1}", "nul", "\"\xff\"", "[1] [2]",
                              "{\"type\":\"result\"} trailing"})
    EXPECT_TRUE(parseJsonText(t).is_discarded()) << t;
}

TEST(JsonLine, NestsDeeperThanSimdjsonAllows) {
  // simdjson's default depth limit is 1024; nlohmann has none. Walked, not dumped:
  // nlohmann's dump recurses, and under ASan 3000 levels overflow the stack.
  const int depth = 1100;
  const std::string t = std::string(depth, '[') + std::string(depth, ']');
  const json j = parseJsonText(t);
  ASSERT_FALSE(j.is_discarded());
  int levels = 0;
  for (const json* at = &j; at->is_array(); at = at->empty() ? &kEmpty : &(*at)[0])
    ++levels;
  EXPECT_EQ(levels, depth);
}

}  // namespace
}  // namespace monsim::harness
