#pragma once
// Compact event records (PROTOCOL §4.5, options.compact_events): a worker that offers
// it writes most probe events as arrays [event, code, offset, line, depth, field…]
// numbered by the trace's `compact` table. The driver checks them (checkCompactEvents)
// and leaves them compact: the trace reader (traceFromJson) types them without an
// object per event. What writes a trace out for others expands them.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace monsim::harness {

// The compact records of a result reply all name an event and a code of its table and
// have that event's items; drops the option's echo. Other messages pass unchanged. The
// error says which record or table entry is malformed (a protocol error).
std::optional<std::string> checkCompactEvents(nlohmann::json& reply);

// checkCompactEvents, then every compact record replaced by its event object (§4.1)
// and the table dropped: the trace a worker without the option writes.
std::optional<std::string> expandCompactEvents(nlohmann::json& reply);

// Packed compact records: the reply reader (json_line.h, parseReplyText) keeps a run of
// consecutive compact records it has checked as one binary item of trace.records, 32-bit
// little-endian integers, [event, code, offset, line, depth, field…] for each record
// (its event's fields, a value item as its index in compact.values), kNoLine for a
// null line. A 175k-record reply then costs no JSON node per record to build or free.
// The trace reader reads them (traceFromJson); what writes a trace out unpacks them.
constexpr size_t kCompactCommon = 5;  // event, code, offset, line, depth: then fields
constexpr uint64_t kPackedSubtype = 0x4d50;  // "MP"
constexpr int32_t kNoLine = INT32_MIN;

// Whether the item of trace.records is packed records: a binary item with
// kPackedSubtype, or what nlohmann writes of one ({"bytes": […], "subtype": …}), so a
// trace written out without unpacking still reads back the same.
bool isPacked(const nlohmann::json& item);

// The integers of a packed item (see isPacked); empty for any other item.
std::vector<int32_t> packedInts(const nlohmann::json& item);

// Calls `record` with each record of a packed item in order; `fields(event)` is the
// number of fields of that event, nullopt for one the table lacks (the walk ends there,
// as at a record cut short: the reply reader that packed them checked them).
void forEachPacked(const nlohmann::json& item,
                   const std::function<std::optional<size_t>(int32_t)>& fields,
                   const std::function<void(std::span<const int32_t>)>& record);

// Appends one integer to a packed item's bytes; the item of those bytes.
void appendPacked(std::vector<uint8_t>& bytes, int32_t v);
nlohmann::json packedItem(std::vector<uint8_t>&& bytes);

// Every packed item of trace.records (`trace`: a result's trace) replaced by the compact
// arrays it holds: the trace PROTOCOL §4.5 describes, for writing out.
void unpackCompactRecords(nlohmann::json& trace);

}  // namespace monsim::harness
