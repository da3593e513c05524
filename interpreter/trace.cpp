#include "interpreter/trace.h"

#include <algorithm>
#include <fstream>

namespace monsim::harness {

using nlohmann::json;

const TraceCode* Trace::code(const std::string& id) const {
  auto it = codes.find(id);
  return it == codes.end() ? nullptr : &it->second;
}

Trace traceFromJson(const json& j) {
  Trace t;
  t.scenario = j.value("scenario", "");
  const json& probe = j.contains("probe_tool") ? j["probe_tool"] : json();
  t.probeTool = probe.is_number_integer() ? probe.get<int>() : -1;
  t.truncated = j.value("truncated", false);
  t.interpreter = j.value("interpreter", json::object());
  t.options = j.value("options", json::object());
  t.stdoutText = j.value("stdout", "");
  t.stderrText = j.value("stderr", "");
  if (j.contains("codes") && j["codes"].is_object()) {
    for (const auto& [id, row] : j["codes"].items()) {
      TraceCode c;
      c.id = id;
      c.qualname = row.value("qualname", id);
      c.firstLine = row.value("firstlineno", 0);
      c.program = row.value("origin", "") == "program";
      t.codes.emplace(id, std::move(c));
    }
  }
  if (j.contains("records") && j["records"].is_array())
    t.records.assign(j["records"].begin(), j["records"].end());
  return t;
}

std::optional<Trace> readTraceJsonl(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ":1: cannot read the file";
    return std::nullopt;
  }
  std::optional<json> meta;
  std::vector<json> records;
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
    const std::string kind = j.value("kind", "");
    if (kind == "provenance") continue;
    if (kind == "trace") {
      meta = std::move(j);
    } else if (kind == "end") {
      if (j.value("outcome", "") != "result") {
        error = path + ":" + std::to_string(n) + ": the recorded run ended with '" +
                j.value("outcome", "?") + "', not a result";
        return std::nullopt;
      }
    } else {
      records.push_back(std::move(j));
    }
  }
  if (!meta) {
    error = path + ":1: no trace line (kind \"trace\"): not a `monsim record` file";
    return std::nullopt;
  }
  Trace t = traceFromJson(*meta);
  t.records = std::move(records);
  return t;
}

namespace {

// Does a delivery belong to this probe record's occurrence? (3.14+ legacy BRANCH
// callbacks report "BRANCH" for the probe's BRANCH_LEFT/RIGHT.)
bool sameOccurrence(const json& event, const json& delivery) {
  const std::string e = event.value("event", ""), d = delivery.value("event", "");
  const bool sameEvent = e == d || (d == "BRANCH" && e.starts_with("BRANCH_"));
  return sameEvent && event.value("code", "") == delivery.value("code", "") &&
         event.value("offset", -1) == delivery.value("offset", -1);
}

}  // namespace

std::vector<ObservedDelivery> associateDeliveries(const Trace& t) {
  std::vector<size_t> events;
  for (size_t i = 0; i < t.records.size(); ++i)
    if (t.records[i].value("kind", "") == "event") events.push_back(i);
  std::vector<ObservedDelivery> out;
  for (size_t i = 0; i < t.records.size(); ++i) {
    const json& r = t.records[i];
    if (r.value("kind", "") != "delivery") continue;
    const int tool = r.value("tool", -1);
    if (t.probeTool >= 0 && tool == t.probeTool) continue;
    ObservedDelivery d{kNoRecord, i, &r, false};
    auto next = std::upper_bound(events.begin(), events.end(), i);
    if (t.probeTool >= 0 && tool > t.probeTool) {
      if (next != events.end()) d.occurrence = *next;
    } else if (next != events.begin()) {
      d.occurrence = *(next - 1);
    }
    if (t.probeTool >= 0 &&
        (d.occurrence == kNoRecord || !sameOccurrence(t.records[d.occurrence], r))) {
      // The probe did not see this occurrence (e.g. FINDINGS F4 dropped its
      // INSTRUCTION): lower tools' deliveries of the same occurrence follow directly.
      const ObservedDelivery* prev = out.empty() ? nullptr : &out.back();
      const bool joins = prev && prev->unseen && prev->index + 1 == i &&
                         prev->record->value("tool", -1) > tool &&
                         sameOccurrence(*prev->record, r);
      d.occurrence = joins ? prev->occurrence : i;
      d.unseen = true;
    }
    out.push_back(d);
  }
  return out;
}

}  // namespace monsim::harness
