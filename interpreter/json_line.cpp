#include "interpreter/json_line.h"

#include <malloc.h>
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <vector>

namespace monsim::harness {

namespace {

using nlohmann::json;

// simdjson's DOM as nlohmann's; false where a value has no nlohmann twin here.
bool convert(simdjson::dom::element e, json& out) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY: {
      simdjson::dom::array a;
      if (e.get_array().get(a)) return false;
      json::array_t items;
      items.reserve(a.size());
      for (simdjson::dom::element x : a)
        if (!convert(x, items.emplace_back())) return false;
      out = std::move(items);
      return true;
    }
    case simdjson::dom::element_type::OBJECT: {
      simdjson::dom::object o;
      if (e.get_object().get(o)) return false;
      out = json::object();
      auto& obj = out.get_ref<json::object_t&>();
      for (simdjson::dom::key_value_pair kv : o)
        if (!convert(kv.value, obj[std::string(kv.key)])) return false;
      return true;
    }
    case simdjson::dom::element_type::INT64: {
      const int64_t v = e.get_int64().value_unsafe();
      // nlohmann's parser types every integer without a minus sign as unsigned.
      out = v >= 0 ? json(static_cast<uint64_t>(v)) : json(v);
      return true;
    }
    case simdjson::dom::element_type::UINT64:
      out = e.get_uint64().value_unsafe();
      return true;
    case simdjson::dom::element_type::DOUBLE:
      out = e.get_double().value_unsafe();
      return true;
    case simdjson::dom::element_type::STRING:
      out = std::string(e.get_string().value_unsafe());
      return true;
    case simdjson::dom::element_type::BOOL:
      out = e.get_bool().value_unsafe();
      return true;
    case simdjson::dom::element_type::NULL_VALUE:
      out = nullptr;
      return true;
  }
  return false;
}

}  // namespace

json parseJsonText(std::string_view text) {
#ifdef M_MXFAST
  // A big reply's document is ~10^6 small nodes, freed together once the run is
  // judged. glibc keeps such frees in fast bins and merges them all at the next large
  // allocation (malloc_consolidate: ~50 ms after a 175k-record reply); without fast
  // bins the same frees cost less than half. Process-wide, set once.
  static const bool noFastBins = mallopt(M_MXFAST, 0) == 1;
  (void)noFastBins;
#endif
  // One parser per thread: its buffers grow to the largest reply and are reused.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size(), true).get(root) == simdjson::SUCCESS) {
    json out;
    if (convert(root, out)) return out;
  }
  return json::parse(text, nullptr, false);
}

}  // namespace monsim::harness
