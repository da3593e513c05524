#include "interpreter/compact_events.h"

#include <algorithm>
#include <vector>

namespace monsim::harness {

namespace {

using nlohmann::json;

// One row of `compact.events`: the event's name and the names of its fields after
// the common five.
struct EventRow {
  json name;
  std::vector<std::string> fields;
};

std::optional<std::string> readTable(const json& table, std::vector<EventRow>& events,
                                     std::vector<json>& codes, const json*& values) {
  if (!table.is_object()) return "trace.compact is not an object";
  const auto ev = table.find("events");
  const auto co = table.find("codes");
  if (ev == table.end() || !ev->is_array() || co == table.end() || !co->is_array())
    return "trace.compact lacks its events or codes array";
  for (const json& row : *ev) {
    if (!row.is_array() || row.empty())
      return "trace.compact.events has a row that is not [name, field...]";
    EventRow r;
    for (const json& s : row)
      if (!s.is_string())
        return "trace.compact.events has a row that is not [name, field...]";
    r.name = row[0];
    for (size_t i = 1; i < row.size(); ++i) r.fields.push_back(row[i].get<std::string>());
    events.push_back(std::move(r));
  }
  for (const json& c : *co) {
    if (!c.is_string()) return "trace.compact.codes has an entry that is not a code id";
    codes.push_back(c);
  }
  static const json kNone = json::array();
  const auto va = table.find("values");
  if (va != table.end() && !va->is_array()) return "trace.compact.values is not an array";
  values = va == table.end() ? &kNone : &*va;
  return std::nullopt;
}

bool isIndex(const json& j, size_t size) {
  return j.is_number_integer() && j.get<int64_t>() >= 0 &&
         static_cast<uint64_t>(j.get<int64_t>()) < size;
}

}  // namespace

namespace {

// checkCompactEvents; with `expand`, also the expansion.
std::optional<std::string> visit(json& reply, bool expand) {
  if (!reply.is_object()) return std::nullopt;
  const auto type = reply.find("type");
  if (type == reply.end() || *type != "result") return std::nullopt;
  const auto trace = reply.find("trace");
  if (trace == reply.end() || !trace->is_object()) return std::nullopt;
  // The option was the driver's, not the caller's: the trace echoes the caller's.
  if (auto o = trace->find("options"); o != trace->end() && o->is_object())
    o->erase("compact_events");
  const auto table = trace->find("compact");
  if (table == trace->end()) return std::nullopt;
  std::vector<EventRow> events;
  std::vector<json> codes;
  const json* values = nullptr;
  if (auto bad = readTable(*table, events, codes, values)) return bad;
  const auto records = trace->find("records");
  if (records != trace->end() && records->is_array()) {
    size_t index = 0;
    for (json& r : *records) {
      const size_t at = index++;
      if (!r.is_array()) continue;
      auto bad = [&](const std::string& what) {
        return "trace.records[" + std::to_string(at) + "] " + what;
      };
      if (r.size() < kCompactCommon || !isIndex(r[0], events.size()))
        return bad("is an array but no compact event");
      const EventRow& e = events[r[0].get<size_t>()];
      if (r.size() != kCompactCommon + e.fields.size())
        return bad("has " + std::to_string(r.size()) + " items, its event " +
                   std::to_string(kCompactCommon + e.fields.size()));
      if (!isIndex(r[1], codes.size()))
        return bad("names no code of trace.compact.codes");
      // A value item that is a number names a value of the table (all but `dest` are
      // values).
      for (size_t i = 0; i < e.fields.size(); ++i) {
        json& v = r[kCompactCommon + i];
        if (e.fields[i] == "dest" || !v.is_number()) continue;
        if (!isIndex(v, values->size()))
          return bad("names no value of trace.compact.values");
        if (expand) v = (*values)[v.get<size_t>()];
      }
      if (!expand) continue;
      json::object_t o;
      o.emplace("kind", "event");
      o.emplace("event", e.name);
      o.emplace("code", codes[r[1].get<size_t>()]);
      o.emplace("offset", std::move(r[2]));
      o.emplace("line", std::move(r[3]));
      o.emplace("depth", std::move(r[4]));
      for (size_t i = 0; i < e.fields.size(); ++i)
        o.emplace(e.fields[i], std::move(r[kCompactCommon + i]));
      r = std::move(o);
    }
  }
  if (expand) trace->erase("compact");
  return std::nullopt;
}

}  // namespace

std::optional<std::string> checkCompactEvents(json& reply) { return visit(reply, false); }

std::optional<std::string> expandCompactEvents(json& reply) {
  if (reply.is_object())
    if (auto t = reply.find("trace"); t != reply.end()) unpackCompactRecords(*t);
  return visit(reply, true);
}

bool isPacked(const json& item) {
  if (item.is_binary())
    return item.get_binary().has_subtype() &&
           item.get_binary().subtype() == kPackedSubtype;
  if (!item.is_object() || item.size() != 2) return false;
  const auto bytes = item.find("bytes");
  const auto sub = item.find("subtype");
  return bytes != item.end() && bytes->is_array() && sub != item.end() &&
         sub->is_number_unsigned() && sub->get<uint64_t>() == kPackedSubtype;
}

std::vector<int32_t> packedInts(const json& item) {
  std::vector<int32_t> out;
  if (!isPacked(item)) return out;
  std::vector<uint8_t> bytes;
  if (item.is_binary()) {
    bytes = item.get_binary();
  } else {
    for (const json& b : item["bytes"])
      bytes.push_back(b.is_number_unsigned() ? static_cast<uint8_t>(b.get<uint64_t>())
                                             : 0);
  }
  out.resize(bytes.size() / 4);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<int32_t>(static_cast<uint32_t>(bytes[4 * i]) |
                                  static_cast<uint32_t>(bytes[4 * i + 1]) << 8 |
                                  static_cast<uint32_t>(bytes[4 * i + 2]) << 16 |
                                  static_cast<uint32_t>(bytes[4 * i + 3]) << 24);
  return out;
}

void forEachPacked(const json& item,
                   const std::function<std::optional<size_t>(int32_t)>& fields,
                   const std::function<void(std::span<const int32_t>)>& record) {
  const std::vector<int32_t> ints = packedInts(item);
  const std::span<const int32_t> all(ints);
  for (size_t i = 0; i + kCompactCommon <= all.size();) {
    const std::optional<size_t> n = fields(all[i]);
    if (!n || i + kCompactCommon + *n > all.size()) return;
    record(all.subspan(i, kCompactCommon + *n));
    i += kCompactCommon + *n;
  }
}

void appendPacked(std::vector<uint8_t>& bytes, int32_t v) {
  const auto u = static_cast<uint32_t>(v);
  for (int k = 0; k < 4; ++k) bytes.push_back(static_cast<uint8_t>(u >> (8 * k)));
}

json packedItem(std::vector<uint8_t>&& bytes) {
  return json::binary(std::move(bytes), kPackedSubtype);
}

void unpackCompactRecords(json& trace) {
  if (!trace.is_object()) return;
  const auto records = trace.find("records");
  if (records == trace.end() || !records->is_array()) return;
  if (std::none_of(records->begin(), records->end(), isPacked)) return;
  std::vector<EventRow> events;
  std::vector<json> codes;
  const json* values = nullptr;
  const auto table = trace.find("compact");
  if (table == trace.end() || readTable(*table, events, codes, values)) return;
  json::array_t out;
  for (json& r : *records) {
    if (!isPacked(r)) {
      out.push_back(std::move(r));
      continue;
    }
    forEachPacked(
        r,
        [&](int32_t ev) -> std::optional<size_t> {
          if (ev < 0 || static_cast<size_t>(ev) >= events.size()) return std::nullopt;
          return events[static_cast<size_t>(ev)].fields.size();
        },
        [&](std::span<const int32_t> rec) {
          json::array_t a(rec.begin(), rec.end());
          if (rec[3] == kNoLine) a[3] = nullptr;
          out.emplace_back(std::move(a));
        });
  }
  *records = std::move(out);
}

}  // namespace monsim::harness
