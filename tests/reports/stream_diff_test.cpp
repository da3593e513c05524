// The `monsim diff` report: its JSON data round-trips, and both renderings say what
// differs, how many events each side has alone, and cut long lists with a count.
#include "reports/render/stream_diff.h"

#include <gtest/gtest.h>

namespace monsim::report {
namespace {

StreamDiffReport sample() {
  StreamDiffReport r;
  r.left = "cpython-3.13.0";
  r.right = "pyodide-3.13.2";
  r.command = "monsim diff --python cpython-3.13.0 --python pyodide-3.13.2";
  r.same = 7;
  r.skipped = 2;
  StreamDiffRow d;
  d.scenario = "instr-<x>";
  d.description = "INSTRUCTION & RESUME";
  d.file = "spec/scenarios/a.yaml";
  d.onlyLeftCount = 0;
  d.onlyRightCount = 5;
  d.common = 40;
  d.onlyRight = {"INSTRUCTION f@1:0 line 2 (record 3)",
                 "INSTRUCTION g@4:0 line 5 (record 9)"};
  r.rows.push_back(d);
  StreamDiffRow e;
  e.scenario = "crashes";
  e.error = "pyodide-3.13.2 gave no trace";
  r.rows.push_back(e);
  return r;
}

TEST(StreamDiffReport, JsonDataRoundTrips) {
  const StreamDiffReport r = sample();
  const StreamDiffReport back = streamDiffFromJson(toJson(r));
  EXPECT_EQ(toJson(back), toJson(r));
  EXPECT_EQ(back.differing(), 1);
  EXPECT_EQ(back.errors(), 1);
}

TEST(StreamDiffReport, MalformedJsonThrows) {
  auto j = toJson(sample());
  j["rows"][0].erase("common");
  EXPECT_THROW(streamDiffFromJson(j), nlohmann::json::exception);
}

TEST(StreamDiffReport, MarkdownCountsAndCutsLists) {
  const std::string md = streamDiffMarkdown(sample());
  EXPECT_NE(md.find("| the same stream | 7 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| different streams | 1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| no trace on one side | 1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| `instr-<x>` | 0 | 5 | 40 |"), std::string::npos) << md;
  EXPECT_NE(md.find("- only in pyodide-3.13.2: `INSTRUCTION g@4:0 line 5 (record 9)`"),
            std::string::npos);
  EXPECT_NE(md.find("- … 3 more only in pyodide-3.13.2"), std::string::npos) << md;
  EXPECT_NE(md.find("| `crashes` | error | pyodide-3.13.2 gave no trace |"),
            std::string::npos);
}

TEST(StreamDiffReport, HtmlEscapesAndLinksEachScenario) {
  const std::string h = streamDiffHtml(sample());
  EXPECT_NE(h.find("<a href=\"#instr-&lt;x&gt;\">"), std::string::npos);
  EXPECT_NE(h.find("<section id=\"instr-&lt;x&gt;\">"), std::string::npos);
  EXPECT_NE(h.find("INSTRUCTION &amp; RESUME"), std::string::npos);
  EXPECT_EQ(h.find("instr-<x>"), std::string::npos) << "unescaped scenario id";
  EXPECT_NE(h.find("… 3 more only in pyodide-3.13.2"), std::string::npos);
  EXPECT_NE(h.find("<td colspan=\"3\">error: pyodide-3.13.2 gave no trace</td>"),
            std::string::npos);
}

}  // namespace
}  // namespace monsim::report
