#pragma once
// One JSON text (a worker's protocol line) as nlohmann::json, read by simdjson: a
// result reply carries ~175k compact records (3.7 MB) for a 25k-iteration loop, and
// nlohmann's own parser spends ~55 ms lexing it where simdjson needs ~3 ms. The
// document is the one nlohmann::json::parse gives: non-negative integers unsigned,
// negative ones signed, a repeated key's last value. Text simdjson declines (an integer
// beyond 64 bits, which nlohmann reads as a float, or anything malformed) goes to
// nlohmann, which gives the same document or `discarded`.
#include <nlohmann/json.hpp>
#include <string_view>

namespace monsim::harness {

// nlohmann::json::parse(text, nullptr, false): the document, or a discarded value.
nlohmann::json parseJsonText(std::string_view text);

// A worker's reply: parseJsonText's document, except that in a result's trace every run
// of consecutive compact event records (PROTOCOL §4.5) is one packed item
// (compact_events.h), a value written in a record added to compact.values and named by
// its index. A reply with a malformed one is read plainly, for checkCompactEvents to
// report where it is.
nlohmann::json parseReplyText(std::string_view text);

}  // namespace monsim::harness
