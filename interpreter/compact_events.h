#pragma once
// Compact event records (PROTOCOL §4.5, options.compact_events): a worker that offers
// it writes most probe events as arrays [event, code, offset, line, depth, field…]
// numbered by the trace's `compact` table. The driver checks them (checkCompactEvents)
// and leaves them compact: the trace reader (traceFromJson) types them without an
// object per event. What writes a trace out for others expands them.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace monsim::harness {

// The compact records of a result reply all name an event and a code of its table and
// have that event's items; drops the option's echo. Other messages pass unchanged. The
// error says which record or table entry is malformed (a protocol error).
std::optional<std::string> checkCompactEvents(nlohmann::json& reply);

// checkCompactEvents, then every compact record replaced by its event object (§4.1)
// and the table dropped: the trace a worker without the option writes.
std::optional<std::string> expandCompactEvents(nlohmann::json& reply);

}  // namespace monsim::harness
