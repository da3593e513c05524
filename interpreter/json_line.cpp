#include "interpreter/json_line.h"

#include <malloc.h>
#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "interpreter/compact_events.h"

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

bool int32Of(simdjson::dom::element e, int32_t& out) {
  int64_t v = 0;
  if (e.get_int64().get(v) || v < INT32_MIN + 1 || v > INT32_MAX) return false;
  out = static_cast<int32_t>(v);
  return true;
}

// The records of a result's trace, its compact records packed.
class Packer {
 public:
  // Reads trace.compact; false where it is not as §4.5 says (nothing is packed then).
  bool readTable(simdjson::dom::object trace) {
    simdjson::dom::object compact;
    simdjson::dom::array events, codes;
    if (trace["compact"].get(compact) || compact["events"].get(events) ||
        compact["codes"].get(codes))
      return false;
    codes_ = codes.size();
    for (simdjson::dom::element row : events) {
      simdjson::dom::array a;
      if (row.get(a) || a.size() == 0) return false;
      std::vector<bool> isValue;
      size_t i = 0;
      for (simdjson::dom::element f : a) {
        std::string_view name;
        if (f.get(name)) return false;
        if (i++ > 0) isValue.push_back(name != "dest");
      }
      valueFields_.push_back(std::move(isValue));
    }
    simdjson::dom::array values;
    const auto v = compact["values"];
    if (v.error() == simdjson::NO_SUCH_FIELD) return true;
    if (v.get(values)) return false;
    values_ = values.size();
    return true;
  }

  // The converted records; values written in them come out in `added`.
  bool pack(simdjson::dom::array records, json& out, json::array_t& added) {
    json::array_t items;
    std::vector<uint8_t> run;
    auto flush = [&] {
      if (!run.empty()) items.push_back(packedItem(std::move(run)));
      run = {};
    };
    for (simdjson::dom::element r : records) {
      simdjson::dom::array a;
      if (!r.get(a)) {
        // A malformed one: the whole reply is read plainly, so that the protocol
        // error names the record where the worker wrote it.
        if (!packOne(a, run, added)) return false;
        continue;
      }
      flush();
      if (!convert(r, items.emplace_back())) return false;
    }
    flush();
    out = std::move(items);
    return true;
  }

 private:
  bool packOne(simdjson::dom::array a, std::vector<uint8_t>& run, json::array_t& added) {
    constexpr size_t kMaxFields = 8;
    int32_t ints[kCompactCommon + kMaxFields];
    auto item = [&](size_t i) { return a.at(i).value_unsafe(); };
    if (a.size() < kCompactCommon || !int32Of(item(0), ints[0]) || ints[0] < 0 ||
        static_cast<size_t>(ints[0]) >= valueFields_.size())
      return false;
    const std::vector<bool>& fields = valueFields_[static_cast<size_t>(ints[0])];
    if (fields.size() > kMaxFields || a.size() != kCompactCommon + fields.size() ||
        !int32Of(item(1), ints[1]) || ints[1] < 0 ||
        static_cast<size_t>(ints[1]) >= codes_ || !int32Of(item(2), ints[2]) ||
        !int32Of(item(4), ints[4]))
      return false;
    if (item(3).is_null())
      ints[3] = kNoLine;
    else if (!int32Of(item(3), ints[3]))
      return false;
    // Every field checked before a value written in the record is added.
    bool written[kMaxFields] = {};
    for (size_t i = 0; i < fields.size(); ++i) {
      int32_t& v = ints[kCompactCommon + i];
      written[i] = fields[i] && item(kCompactCommon + i).is_object();
      if (!written[i] &&
          (!int32Of(item(kCompactCommon + i), v) ||
           (fields[i] && (v < 0 || static_cast<size_t>(v) >= values_ + added.size()))))
        return false;
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      if (!written[i]) continue;
      if (!convert(item(kCompactCommon + i), added.emplace_back())) return false;
      ints[kCompactCommon + i] = static_cast<int32_t>(values_ + added.size() - 1);
    }
    for (size_t i = 0; i < kCompactCommon + fields.size(); ++i)
      appendPacked(run, ints[i]);
    return true;
  }

  std::vector<std::vector<bool>> valueFields_;  // per event: which fields are values
  size_t codes_ = 0, values_ = 0;
};

// A result reply with its trace's records packed; false to read it plainly.
bool convertReply(simdjson::dom::element root, json& out) {
  simdjson::dom::object obj, trace;
  simdjson::dom::array records;
  std::string_view type;
  if (root.get(obj) || obj["type"].get(type) || type != "result" ||
      obj["trace"].get(trace) || trace["records"].get(records))
    return false;
  // A repeated key: nlohmann keeps the last, simdjson's lookups find the first.
  auto repeats = [](simdjson::dom::object o) {
    std::vector<std::string_view> keys;
    for (simdjson::dom::key_value_pair kv : o) keys.push_back(kv.key);
    std::sort(keys.begin(), keys.end());
    return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
  };
  Packer packer;
  if (repeats(obj) || repeats(trace) || !packer.readTable(trace)) return false;
  out = json::object();
  for (simdjson::dom::key_value_pair kv : obj) {
    json& slot = out[std::string(kv.key)];
    if (kv.key != "trace") {
      if (!convert(kv.value, slot)) return false;
      continue;
    }
    slot = json::object();
    json::array_t added;
    for (simdjson::dom::key_value_pair t : trace) {
      json& item = slot[std::string(t.key)];
      if (!(t.key == "records"
                ? packer.pack(t.value.get_array().value_unsafe(), item, added)
                : convert(t.value, item)))
        return false;
    }
    if (!added.empty()) {
      json& values = slot["compact"]["values"];
      if (values.is_null()) values = json::array();
      for (json& v : added) values.push_back(std::move(v));
    }
  }
  return true;
}

// The parser of this thread: its buffers grow to the largest reply and are reused.
simdjson::dom::parser& parser() {
#ifdef M_MXFAST
  // A big reply's document is ~10^6 small nodes, freed together once the run is
  // judged. glibc keeps such frees in fast bins and merges them all at the next large
  // allocation (malloc_consolidate: ~50 ms after a 175k-record reply); without fast
  // bins the same frees cost less than half. Process-wide, set once.
  // Nor does it map a reply's megabytes fresh from the kernel for every reply (a
  // page fault per 4 kB, and as many to give them back): blocks up to 256 MB come from
  // and go back to the heap, which keeps up to 512 MB free for the next reply.
  static const bool tuned = mallopt(M_MXFAST, 0) == 1 &&
                            mallopt(M_MMAP_THRESHOLD, 256 << 20) == 1 &&
                            mallopt(M_TRIM_THRESHOLD, 512 << 20) == 1;
  (void)tuned;
#endif
  thread_local simdjson::dom::parser p;
  return p;
}

// The document of `text`, with compact records packed if `packed`.
json parse(std::string_view text, bool packed) {
  simdjson::dom::element root;
  if (parser().parse(text.data(), text.size(), true).get(root) == simdjson::SUCCESS) {
    json out;
    if (packed && convertReply(root, out)) return out;
    if (convert(root, out)) return out;
  }
  return json::parse(text, nullptr, false);
}

}  // namespace

json parseReplyText(std::string_view text) { return parse(text, true); }

json parseJsonText(std::string_view text) { return parse(text, false); }

}  // namespace monsim::harness
