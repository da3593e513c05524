// libFuzzer target: the scenario loader (scenario YAML from anyone). Whatever the
// bytes, loading returns diagnostics or a scenario and never crashes; every
// diagnostic names a position inside the input.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "scenario/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto r = monsim::harness::loadScenarioText(text, "fuzz.yaml");
  if (r.scenario.has_value() == !r.diagnostics.empty()) std::abort();
  for (const auto& d : r.diagnostics)
    if (d.loc.file != "fuzz.yaml" || d.loc.line < 1 || d.message.empty()) std::abort();
  return 0;
}
