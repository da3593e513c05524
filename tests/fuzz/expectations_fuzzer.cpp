// libFuzzer target: one expectations file (spec/expectations/*.yaml). Whatever the
// bytes, loading gives entries and diagnostics, never a crash; the lookups a check
// makes work on whatever was loaded.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "scenario/expectations.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace monsim::harness;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<Diagnostic> diags;
  const auto e = loadExpectationsText(text, "fuzz.yaml", diags);
  for (const auto& d : diags)
    if (d.loc.file != "fuzz.yaml" || d.message.empty()) std::abort();
  if (!e) return 0;
  const std::vector<Expectations> all{*e};
  const std::vector<std::string> names{"cpython-3.13.0", "cpython-3.13", "cpython"};
  for (const auto& kv : e->deviations) findDeviation(all, names, kv.first);
  for (const auto& k : e->fuzz) findKnownSignature(all, names, k.signature);
  return 0;
}
