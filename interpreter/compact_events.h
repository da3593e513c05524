#pragma once
// Compact event records (PROTOCOL §4.5, options.compact_events): a worker that offers
// it writes most probe events as arrays [event, code, offset, line, depth, field…]
// numbered by the trace's `compact` table. The driver turns them back into the event
// objects of §4.1, so what comes after reads protocol-1 traces.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace monsim::harness {

// Expands the compact records of a result reply in place and drops the table and the
// option's echo. Other messages pass unchanged. The error says which record or table
// entry is malformed (a protocol error).
std::optional<std::string> expandCompactEvents(nlohmann::json& reply);

}  // namespace monsim::harness
