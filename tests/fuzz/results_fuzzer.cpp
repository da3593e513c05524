// libFuzzer target: the results-stream reader of `monsim report`, then every
// renderer on what it read. Bad lines become "file:line: message" problems and are
// skipped; nothing crashes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "reports/render/render.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace monsim::report;
  std::vector<std::string> errors;
  const ResultSet rs = parseResults(
      {{"fuzz.jsonl", std::string(reinterpret_cast<const char*>(data), size)}}, errors);
  for (const auto& e : errors)
    if (!e.starts_with("fuzz.jsonl:")) std::abort();
  const RenderOptions o;
  summaryMarkdown(rs, o);
  deviationsMarkdown(rs, o);
  junitXml(rs);
  htmlPage(rs, o);
  return 0;
}
