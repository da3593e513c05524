// Traces read from JSON (PROTOCOL §4; the recording files of `monsim record`): the
// oracle's result, with its compact records (§4.5), typed as interpreter/trace.h says.
#include <fstream>
#include <span>
#include <sstream>

#include "interpreter/compact_events.h"
#include "interpreter/trace.h"

namespace monsim::harness {

using nlohmann::json;

namespace {

// Field readers that treat a missing or mistyped field as absent: the schema
// (oracle/schema/trace.schema.json) is the oracle's promise, not ours to enforce.
std::string str(const json& j, const char* key, std::string fallback = "") {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}
std::optional<int64_t> integer(const json& j) {
  if (!j.is_number_integer()) return std::nullopt;
  return j.get<int64_t>();
}
std::optional<int64_t> integer(const json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? std::nullopt : integer(*it);
}
std::optional<int> small(const json& j) {
  const auto v = integer(j);
  return v ? std::optional<int>(int(*v)) : std::nullopt;
}
std::optional<int> small(const json& j, const char* key) {
  const auto v = integer(j, key);
  return v ? std::optional<int>(int(*v)) : std::nullopt;
}

TraceValue valueFromJson(const json& j) {
  TraceValue v;
  if (!j.is_object()) return v;
  if (j.contains("marker")) {
    const std::string m = str(j, "marker");
    v.kind = m == "DISABLE"   ? TraceValue::Kind::Disable
             : m == "MISSING" ? TraceValue::Kind::Missing
                              : TraceValue::Kind::Object;
    return v;
  }
  v.type = str(j, "type");
  if (v.type == "code" && j.contains("code")) {
    v.kind = TraceValue::Kind::Code;
    v.repr = str(j, "code");
    return v;
  }
  if (j.contains("args") && !j.contains("repr")) {
    v.kind = TraceValue::Kind::Exception;
    for (const json& a : j["args"]) v.args.push_back(valueFromJson(a));
    if (j.contains("message") && j["message"].is_string())
      v.message = j["message"].get<std::string>();
    return v;
  }
  v.repr = str(j, "repr");
  return v;
}

std::optional<TraceValue> valueAt(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  return valueFromJson(*it);
}

std::vector<TraceValue> valuesAt(const json& j, const char* key) {
  std::vector<TraceValue> out;
  auto it = j.find(key);
  if (it != j.end() && it->is_array())
    for (const json& v : *it) out.push_back(valueFromJson(v));
  return out;
}

RecordKind kindNamed(const std::string& k) {
  if (k == "event") return RecordKind::Event;
  if (k == "delivery") return RecordKind::Delivery;
  if (k == "api") return RecordKind::Api;
  if (k == "step") return RecordKind::Step;
  if (k == "step_end") return RecordKind::StepEnd;
  if (k == "action") return RecordKind::Action;
  if (k == "load") return RecordKind::Load;
  return RecordKind::Unknown;
}

ApiCaller callerNamed(const std::string& by) {
  if (by == "setup") return ApiCaller::Setup;
  if (by == "callback") return ApiCaller::Callback;
  if (by == "program") return ApiCaller::Program;
  return ApiCaller::Step;
}

}  // namespace

namespace {

// Events and deliveries of C-fired events, by their code's origin (nested ones too).
void markCapi(const Trace& t, std::vector<TraceRecord>& records) {
  for (TraceRecord& r : records) {
    if (r.kind == RecordKind::Event || r.kind == RecordKind::Delivery)
      if (const TraceCode* c = t.code(r.code)) r.capi = c->capi;
    markCapi(t, r.calls);
  }
}

// Legacy records name their occurrence only once the code's instructions are known.
// A 'return' right after an exception rose in the same code (a RAISE or RERAISE, or a
// hook that raised), or at no instruction of a known code, is the frame unwinding.
void guessLegacyOccurrences(Trace& t) {
  const TraceRecord* prev = nullptr;
  for (TraceRecord& r : t.records) {
    if (r.legacy)
      if (const TraceCode* c = t.code(r.code)) {
        r.event = legacyOccurrence(*r.legacy, c->instructionAt(r.offset));
        const bool rose =
            prev && prev->code == r.code &&
            ((prev->kind == RecordKind::Event &&
              (prev->event == Event::Raise || prev->event == Event::Reraise)) ||
             (prev->legacy && prev->raised));
        // f_lasti inside an instruction's caches (3.12, an exception from a call).
        const bool between = !c->instructionAt(r.offset) && !c->instructions.empty();
        if ((isFrameExit(r.event) && rose) || (r.event == Event::PyReturn && between))
          r.event = Event::PyUnwind;
      }
    if (r.kind == RecordKind::Event || r.legacy) prev = &r;
  }
}

}  // namespace

TraceRecord recordFromJson(const json& j) {
  TraceRecord r;
  if (!j.is_object()) return r;
  r.kind = kindNamed(str(j, "kind"));
  if (str(j, "kind") == "legacy") {
    r.kind = RecordKind::Delivery;
    r.tool = hookNamed(str(j, "hook")).value_or(kTraceTool);
    r.legacy = legacyEventNamed(str(j, "event"));
    if (!r.legacy) {
      r.kind = RecordKind::Unknown;
      r.unknownEvent = str(j, "event");
    } else {
      r.event = legacyOccurrence(*r.legacy, nullptr);
    }
    r.arg = valueAt(j, "arg");
  } else if (r.kind == RecordKind::Event || r.kind == RecordKind::Delivery) {
    const std::string name = str(j, "event");
    if (const auto e = eventNamed(name)) {
      r.event = *e;
    } else {
      r.kind = RecordKind::Unknown;
      r.unknownEvent = name;
    }
  }
  r.code = str(j, "code");
  r.offset = integer(j, "offset").value_or(0);
  r.line = small(j, "line");
  r.dest = small(j, "dest");
  r.depth = small(j, "depth");
  if (auto it = j.find("stack"); it != j.end() && it->is_array())
    for (const json& c : *it)
      if (c.is_string()) r.stack.push_back(c.get<std::string>());
  if (r.kind != RecordKind::Api) r.value = valueAt(j, "value");
  r.callable = valueAt(j, "callable");
  r.arg0 = valueAt(j, "arg0");
  r.methodOf = str(j, "method_of");
  if (auto it = j.find("frame"); it != j.end() && it->is_number_unsigned())
    r.frame = it->get<uint64_t>();
  r.exc = valueAt(j, "exc");
  if (auto it = j.find("athrow"); it != j.end() && it->is_boolean())
    r.athrow = it->get<bool>();
  r.args = valuesAt(j, "args");
  if (!r.legacy) r.tool = small(j, "tool").value_or(-1);
  r.n = small(j, "n").value_or(0);
  r.callback = str(j, "callback");
  r.returned = valueAt(j, "returned");
  r.raised = valueAt(j, "raised");
  if (r.raised)
    r.outcome = CallbackOutcome::Raised;
  else if (r.returned && r.returned->kind == TraceValue::Kind::Disable)
    r.outcome = CallbackOutcome::ReturnedDisable;
  if (auto it = j.find("calls"); it != j.end() && it->is_array())
    for (const json& c : *it) r.calls.push_back(recordFromJson(c));
  r.by = callerNamed(str(j, "by"));
  r.fn = str(j, "fn");
  r.capi = r.kind == RecordKind::Api && r.fn.starts_with("PyMonitoring_");
  if (auto it = j.find("kwargs"); it != j.end()) {
    r.kwargs.emplace();
    if (it->is_object())
      for (const auto& [k, v] : it->items()) r.kwargs->emplace_back(k, valueFromJson(v));
  }
  r.result = valueAt(j, "result");
  if (r.kind == RecordKind::Api && j.contains("value")) r.plain = Literal{j["value"]};
  r.index = small(j, "index").value_or(-1);
  r.action = str(j, "action");
  r.target = str(j, "target");
  r.op = str(j, "op");
  return r;
}

namespace {

// What the numbers of compact event records (PROTOCOL §4.5) stand for.
struct CompactTable {
  struct Row {
    std::string name;
    std::vector<std::string> fields;  // the keys of the items after depth
  };
  std::vector<Row> events;
  std::vector<std::string> codes;
  const json* values = nullptr;  // what a number in a value item names
};

CompactTable compactTable(const json& trace) {
  CompactTable t;
  const auto c = trace.find("compact");
  if (c == trace.end() || !c->is_object()) return t;
  if (auto ev = c->find("events"); ev != c->end() && ev->is_array())
    for (const json& row : *ev) {
      CompactTable::Row r;
      for (size_t i = 0; row.is_array() && i < row.size(); ++i) {
        std::string name = row[i].is_string() ? row[i].get<std::string>() : "";
        if (i == 0)
          r.name = std::move(name);
        else
          r.fields.push_back(std::move(name));
      }
      t.events.push_back(std::move(r));
    }
  if (auto va = c->find("values"); va != c->end() && va->is_array()) t.values = &*va;
  if (auto co = c->find("codes"); co != c->end() && co->is_array())
    for (const json& id : *co)
      t.codes.push_back(id.is_string() ? id.get<std::string>() : "");
  return t;
}

// The items of a compact record (PROTOCOL §4.5) as the record reads them: JSON items
// of an array, or the integers of a packed run (compact_events.h: a value item is an
// index into compact.values, a null line kNoLine).
std::optional<int64_t> itemInteger(const json& j) { return integer(j); }
std::optional<int64_t> itemInteger(int32_t i) { return i; }
std::optional<int> itemSmall(const json& j) { return small(j); }
std::optional<int> itemSmall(int32_t i) {
  return i == kNoLine ? std::nullopt : std::optional<int>(i);
}
bool itemIsNumber(const json& j) { return j.is_number(); }
bool itemIsNumber(int32_t) { return true; }
const json& itemJson(const json& j) { return j; }
json itemJson(int32_t i) { return i; }

// [event, code, offset, line, depth, field...]: the record its object form reads as
// (recordFromJson), read straight from its items; Unknown when it is malformed (the
// driver rejects such a reply before anything reads it).
template <class Item>
TraceRecord compactRecord(std::span<const Item> a, const CompactTable& t) {
  TraceRecord r;
  if (a.size() < kCompactCommon) return r;
  auto indexOf = [](const Item& i, size_t size) -> std::optional<size_t> {
    const auto v = itemInteger(i);
    if (!v || *v < 0 || static_cast<uint64_t>(*v) >= size) return std::nullopt;
    return static_cast<size_t>(*v);
  };
  const std::optional<size_t> ev = indexOf(a[0], t.events.size());
  const std::optional<size_t> code = indexOf(a[1], t.codes.size());
  if (!ev || !code) return r;
  const CompactTable::Row& row = t.events[ev.value()];
  if (a.size() != kCompactCommon + row.fields.size()) return r;
  if (const auto e = eventNamed(row.name)) {
    r.kind = RecordKind::Event;
    r.event = *e;
  } else {
    r.unknownEvent = row.name;
  }
  r.code = t.codes[*code];
  r.offset = itemInteger(a[2]).value_or(0);
  r.line = itemSmall(a[3]);
  r.depth = itemSmall(a[4]);
  for (size_t i = 0; i < row.fields.size(); ++i) {
    const std::string& f = row.fields[i];
    const Item& item = a[kCompactCommon + i];
    if (f == "dest") {
      r.dest = itemSmall(item);
      continue;
    }
    const auto named =
        t.values && itemIsNumber(item) ? indexOf(item, t.values->size()) : std::nullopt;
    const json& v = named ? (*t.values)[*named] : itemJson(item);
    if (f == "value")
      r.value = valueFromJson(v);
    else if (f == "exc")
      r.exc = valueFromJson(v);
    else if (f == "callable")
      r.callable = valueFromJson(v);
    else if (f == "arg0")
      r.arg0 = valueFromJson(v);
  }
  return r;
}

// The records of a packed run, in order.
void packedRecords(const json& item, const CompactTable& t,
                   std::vector<TraceRecord>& out) {
  forEachPacked(
      item,
      [&](int32_t ev) -> std::optional<size_t> {
        if (ev < 0 || static_cast<size_t>(ev) >= t.events.size()) return std::nullopt;
        return t.events[static_cast<size_t>(ev)].fields.size();
      },
      [&](std::span<const int32_t> rec) { out.push_back(compactRecord(rec, t)); });
}

}  // namespace

Trace traceFromJson(const json& j) {
  Trace t;
  if (!j.is_object()) return t;
  t.scenario = str(j, "scenario");
  t.probeTool = small(j, "probe_tool").value_or(-1);
  t.opcodeTraceSticky = j.value("opcode_trace_sticky", false) == true;
  t.truncated = j.contains("truncated") && j["truncated"].is_boolean() &&
                j["truncated"].get<bool>();
  if (auto it = j.find("interpreter"); it != j.end() && it->is_object()) {
    t.interpreter.name = str(*it, "name");
    t.interpreter.version = str(*it, "version");
    t.interpreter.platform = str(*it, "platform");
    t.interpreter.hexversion = integer(*it, "hexversion").value_or(0);
  }
  if (auto it = j.find("options"); it != j.end() && it->is_object()) {
    t.instruction = it->contains("instruction") && (*it)["instruction"].is_boolean() &&
                    (*it)["instruction"].get<bool>();
    t.outputLimit = integer(*it, "stdout_limit").value_or(0);
    t.recordLimit = integer(*it, "max_records").value_or(0);
  }
  t.stdoutText = str(j, "stdout");
  t.stderrText = str(j, "stderr");
  if (auto it = j.find("variable"); it != j.end() && it->is_array())
    for (const json& v : *it)
      if (v.is_string()) t.variable.push_back(v.get<std::string>());
  if (auto it = j.find("output_cut"); it != j.end() && it->is_object()) {
    t.stdoutWritten = integer(*it, "stdout").value_or(-1);
    t.stderrWritten = integer(*it, "stderr").value_or(-1);
  }
  if (auto it = j.find("codes"); it != j.end() && it->is_object()) {
    for (const auto& [id, row] : it->items()) {
      TraceCode c;
      c.id = id;
      c.qualname = str(row, "qualname", id);
      c.firstLine = small(row, "firstlineno").value_or(0);
      c.program = str(row, "origin") == "program";
      c.capi = str(row, "origin") == "capi";
      c.generator = row.contains("generator") && row["generator"].is_boolean() &&
                    row["generator"].get<bool>();
      // [offset, opname, line, arg, line_site]; a malformed item is skipped (the
      // rules it feeds then fall back to not knowing the instruction).
      if (auto ins = row.find("instructions"); ins != row.end() && ins->is_array()) {
        for (const json& i : *ins) {
          if (!i.is_array() || i.size() != 5 || !i[0].is_number_integer() ||
              !i[1].is_string())
            continue;
          TraceInstruction x;
          x.op = opcodeNamed(i[1].get<std::string>());
          if (i[2].is_number_integer()) x.line = i[2].get<int>();
          if (i[3].is_number_integer()) x.arg = i[3].get<int32_t>();
          x.lineSite = i[4].is_boolean() && i[4].get<bool>();
          c.instructions.emplace(i[0].get<int32_t>(), std::move(x));
        }
      }
      t.codes.emplace(id, std::move(c));
    }
  }
  if (auto it = j.find("records"); it != j.end() && it->is_array()) {
    t.records.reserve(it->size());
    const CompactTable compact = compactTable(j);
    for (const json& r : *it) {
      if (r.is_array()) {
        const json::array_t& a = r.get_ref<const json::array_t&>();
        t.records.push_back(compactRecord(std::span<const json>(a), compact));
      } else if (isPacked(r)) {
        packedRecords(r, compact, t.records);
      } else {
        t.records.push_back(recordFromJson(r));
      }
    }
  }
  markCapi(t, t.records);
  guessLegacyOccurrences(t);
  return t;
}

std::optional<Trace> readTraceJsonl(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ":1: cannot read the file";
    return std::nullopt;
  }
  return parseTraceJsonl(in, path, error);
}

std::optional<Trace> parseTraceJsonl(std::string_view text, const std::string& name,
                                     std::string& error) {
  std::istringstream in{std::string(text)};
  return parseTraceJsonl(in, name, error);
}

std::optional<Trace> parseTraceJsonl(std::istream& in, const std::string& path,
                                     std::string& error) {
  std::optional<json> meta;
  std::vector<TraceRecord> records;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      error = path + ":" + std::to_string(n) + ": not a JSON object";
      return std::nullopt;
    }
    const std::string kind = str(j, "kind");
    if (kind == "provenance") continue;
    if (kind == "trace") {
      meta = std::move(j);
    } else if (kind == "end") {
      if (str(j, "outcome") != "result") {
        error = path + ":" + std::to_string(n) + ": the recorded run ended with '" +
                str(j, "outcome", "?") + "', not a result";
        return std::nullopt;
      }
    } else {
      records.push_back(recordFromJson(j));
    }
  }
  if (!meta) {
    error = path + ":1: no trace line (kind \"trace\"): not a `monsim record` file";
    return std::nullopt;
  }
  Trace t = traceFromJson(*meta);
  t.records = std::move(records);
  markCapi(t, t.records);
  guessLegacyOccurrences(t);
  return t;
}

}  // namespace monsim::harness
