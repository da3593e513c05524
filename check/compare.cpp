#include "check/compare.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace monsim::harness {

using nlohmann::json;

namespace {

// The fields both sides are compared on, from a delivery record of the oracle.
struct Fields {
  int tool = 0;
  std::string event, code;
  int32_t offset = 0, aux = 0;
  std::string exc, result, raised;
  std::string returned;  // the repr of what the callback returned; "": not recorded
};

std::string resultOf(const json& r) {
  if (r.contains("raised")) return "raised";
  const json& ret = r.contains("returned") ? r["returned"] : json();
  if (ret.is_object() && ret.value("marker", "") == "DISABLE") return "disable";
  return "returned";
}

Fields fieldsOf(const json& r) {
  Fields f;
  f.tool = r.value("tool", -1);
  f.event = r.value("event", "");
  f.code = r.value("code", "");
  f.offset = r.value("offset", 0);
  if (f.event == "LINE") f.aux = r.value("line", 0);
  if (r.contains("dest") && r["dest"].is_number_integer()) f.aux = r["dest"].get<int>();
  if (r.contains("exc") && r["exc"].is_object()) f.exc = r["exc"].value("type", "");
  if (f.event == "STOP_ITERATION") f.exc = "StopIteration";
  f.result = resultOf(r);
  if (r.contains("raised")) f.raised = r["raised"].value("type", "");
  if (f.result == "returned") {
    const json& ret = r.contains("returned") ? r["returned"] : json();
    f.returned = !ret.is_object()         ? "None"
                 : ret.contains("repr")   ? ret.value("repr", "?")
                 : ret.contains("marker") ? ret.value("marker", "?")
                                          : "?";
  }
  return f;
}

Fields fieldsOf(const PredictedDelivery& d) {
  Fields f;
  f.tool = d.tool;
  f.event = d.event;
  f.code = d.code;
  f.offset = d.offset;
  f.aux =
      d.event == "LINE" || d.event.starts_with("BRANCH") || d.event == "JUMP" ? d.aux : 0;
  f.exc = d.exc;
  f.result = d.result;
  f.raised = d.raisedType;
  return f;
}

// The model tells only DISABLE from any other return value.
std::string resultText(const Fields& f) {
  if (f.result == "raised") return "raises " + f.raised;
  if (f.result == "disable") return "returns DISABLE";
  return "returns " + (f.returned.empty() ? "(not DISABLE)" : f.returned);
}

std::string text(const Fields& f) {
  std::string s = "tool " + std::to_string(f.tool) + " " + f.event + " in " + f.code +
                  " at offset " + std::to_string(f.offset);
  if (f.event == "LINE") s += " (line " + std::to_string(f.aux) + ")";
  if (f.event == "JUMP" || f.event.starts_with("BRANCH"))
    s += " to " + std::to_string(f.aux);
  if (!f.exc.empty()) s += " [" + f.exc + "]";
  return s + ", " + resultText(f);
}

std::string sameArgs(const Fields& a, const Fields& b) {
  // STOP_ITERATION ≡ RAISE(StopIteration) (behaviour §3.8).
  auto norm = [](const Fields& f) {
    return f.event == "STOP_ITERATION" ? std::string("RAISE") : f.event;
  };
  if (norm(a) != norm(b)) return "event";
  if (a.code != b.code) return "code";
  if (a.offset != b.offset) return "offset";
  if (a.aux != b.aux) return a.event == "LINE" ? "line" : "destination";
  if (a.exc != b.exc) return "exception";
  return "";
}

// One occurrence's deliveries on both sides.
struct Row {
  std::vector<Fields> model, interp;
  std::vector<const PredictedDelivery*> predicted;
};

std::string occurrenceText(const Trace& t, size_t record) {
  if (record >= t.records.size()) return "(no occurrence)";
  const json& r = t.records[record];
  std::string s = "#" + std::to_string(record) + " " + r.value("event", "?") + " " +
                  r.value("code", "?") + ":" + std::to_string(r.value("offset", 0));
  if (r.contains("line") && r["line"].is_number_integer())
    s += " line " + std::to_string(r["line"].get<int>());
  return s;
}

std::string toolsText(const std::vector<Fields>& fs) {
  std::string s;
  for (const Fields& f : fs) {
    if (!s.empty()) s += "  ";
    s += std::to_string(f.tool) + ":" + f.event;
    s += f.result == "disable"  ? "→DISABLE"
         : f.result == "raised" ? "→raise " + f.raised
                                : "";
  }
  return s.empty() ? "-" : s;
}

std::string sourceLine(const Scenario& s, const Trace& t, size_t record) {
  if (record >= t.records.size() || !s.oracle.contains("program")) return "";
  const json& r = t.records[record];
  const TraceCode* c = t.code(r.value("code", ""));
  if (!c || !c->program || !r.contains("line") || !r["line"].is_number_integer())
    return "";
  std::istringstream in(s.oracle["program"].get<std::string>());
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (n == r["line"].get<int>()) return std::to_string(n) + " | " + line;
  return "";
}

std::string pad(std::string s, size_t n) {
  s.resize(std::max(n, s.size() + 2), ' ');
  return s;
}

}  // namespace

Comparison compare(const Scenario& s, const Trace& t, const Prediction& p) {
  Comparison out;
  std::map<size_t, Row> rows;
  for (const PredictedDelivery& d : p.deliveries) {
    rows[d.record].model.push_back(fieldsOf(d));
    rows[d.record].predicted.push_back(&d);
  }
  for (const ObservedDelivery& d : associateDeliveries(t))
    rows[d.occurrence == kNoRecord ? d.index : d.occurrence].interp.push_back(
        fieldsOf(*d.record));
  auto add = [&](Divergence::Kind k, size_t rec, int tool, std::string model,
                 std::string interp, std::string rule) {
    Divergence d{k,
                 rec,
                 tool,
                 std::move(model),
                 std::move(interp),
                 std::move(rule),
                 occurrenceText(t, rec),
                 ""};
    if (rec < t.records.size()) {
      const json& r = t.records[rec];
      d.event = r.value("event", r.value("fn", ""));
    }
    out.divergences.push_back(std::move(d));
  };
  for (const auto& [rec, row] : rows) {
    const auto* why = p.reasonsAt(rec);
    std::vector<int> common;
    for (size_t i = 0; i < row.model.size(); ++i) {
      const Fields& m = row.model[i];
      auto it = std::find_if(row.interp.begin(), row.interp.end(),
                             [&](const Fields& f) { return f.tool == m.tool; });
      const std::string rule(reasonText(row.predicted[i]->why));
      if (it == row.interp.end()) {
        add(Divergence::Kind::Missing, rec, m.tool, text(m),
            "no call for tool " + std::to_string(m.tool), rule);
        continue;
      }
      common.push_back(m.tool);
      if (std::string what = sameArgs(m, *it); !what.empty()) {
        add(Divergence::Kind::WrongArgument, rec, m.tool, text(m), text(*it),
            rule + " (differs in " + what + ")");
      } else if (m.result != it->result || m.raised != it->raised) {
        std::string r = "the callback as the scenario declares it";
        if (row.predicted[i]->clause) r += " (" + row.predicted[i]->clause->str() + ")";
        add(Divergence::Kind::WrongResult, rec, m.tool, text(m), text(*it), r);
      }
      for (const PredictedCall& c : row.predicted[i]->calls)
        if (!c.mismatch.empty())
          add(Divergence::Kind::ApiOutcome, rec, m.tool, c.fn + " " + c.outcome,
              c.mismatch, "API call made by the callback — behaviour §9.7");
    }
    for (const Fields& f : row.interp) {
      if (std::any_of(row.model.begin(), row.model.end(),
                      [&](const Fields& m) { return m.tool == f.tool; }))
        continue;
      std::string rule = "no model decision recorded for this occurrence";
      if (why && f.tool >= 0 && f.tool < 6)
        rule = std::string(reasonText((*why)[f.tool]));
      add(Divergence::Kind::Extra, rec, f.tool,
          "no call for tool " + std::to_string(f.tool), text(f), rule);
    }
    std::vector<int> seenOrder;
    for (const Fields& f : row.interp)
      if (std::find(common.begin(), common.end(), f.tool) != common.end())
        seenOrder.push_back(f.tool);
    if (seenOrder != common)
      add(Divergence::Kind::Reordered, rec, -1, toolsText(row.model),
          toolsText(row.interp),
          "dispatch order: tools from the highest id down — behaviour §9.2");
  }
  for (const auto& [rec, what] : p.probeMissed) {
    std::string rule = "the probe has every event globally";
    if (const auto* why = p.reasonsAt(rec); why && t.probeTool >= 0)
      rule = std::string(reasonText((*why)[t.probeTool]));
    add(Divergence::Kind::Missing, rec, t.probeTool,
        "tool " + std::to_string(t.probeTool) + " (the probe) " + what,
        "the probe was not called (another tool was)", rule);
  }
  for (const ApiCheck& a : p.api)
    if (a.modelled && !a.mismatch.empty())
      add(Divergence::Kind::ApiOutcome, a.record, -1,
          a.fn + " by " + a.by + " " + a.predicted, a.mismatch,
          "API semantics and error messages — behaviour §5–§8, spec/errors.yaml");
  std::stable_sort(
      out.divergences.begin(), out.divergences.end(),
      [](const Divergence& a, const Divergence& b) { return a.record < b.record; });
  if (out.divergences.empty()) return out;

  const Divergence& first = out.divergences.front();
  std::ostringstream r;
  r << "first divergence (" << kindName(first.kind) << ") at " << first.where << "\n";
  r << "  model:       " << first.model << "\n";
  r << "  interpreter: " << first.interpreter << "\n";
  r << "  model rule:  " << first.rule << "\n";
  if (std::string src = sourceLine(s, t, first.record); !src.empty())
    r << "  source:      " << src << "\n";
  // Context: a few occurrences with deliveries on either side, around the first.
  auto at = rows.lower_bound(first.record);
  auto from = at;
  for (int i = 0; i < 3 && from != rows.begin(); ++i) --from;
  auto to = at;
  for (int i = 0; i < 4 && to != rows.end(); ++i) ++to;
  r << "  " << pad("occurrence", 34) << pad("model", 30) << "interpreter\n";
  for (auto it = from; it != to; ++it) {
    r << (it == at ? "> " : "  ") << pad(occurrenceText(t, it->first), 34)
      << pad(toolsText(it->second.model), 30) << toolsText(it->second.interp) << "\n";
  }
  std::map<std::string, int> counts;
  for (const Divergence& d : out.divergences) ++counts[std::string(kindName(d.kind))];
  r << "  " << out.divergences.size() << " divergence(s):";
  for (const auto& [k, n] : counts) r << " " << n << " " << k;
  r << "\n";
  for (const std::string& n : p.notes) r << "  replay note: " << n << "\n";
  out.report = r.str();
  return out;
}

std::vector<SeenDelivery> seenDeliveries(const Trace& t) {
  std::vector<SeenDelivery> out;
  for (const ObservedDelivery& o : associateDeliveries(t)) {
    const json& r = *o.record;
    SeenDelivery d;
    d.tool = r.value("tool", -1);
    d.event = r.value("event", "");
    d.code = r.value("code", "");
    const TraceCode* c = t.code(d.code);
    d.function = c ? c->qualname : d.code;
    d.firstLine = c ? c->firstLine : 0;
    if (r.contains("line") && r["line"].is_number_integer())
      d.line = r["line"].get<int>();
    if (r.contains("exc") && r["exc"].is_object()) d.exc = r["exc"].value("type", "");
    if (r.contains("callable") && r["callable"].is_object())
      d.callable = r["callable"].value("repr", "");
    d.result = resultOf(r);
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<SeenDelivery> seenDeliveries(const Trace& t, const Prediction& p) {
  std::vector<SeenDelivery> out;
  for (const PredictedDelivery& pd : p.deliveries) {
    SeenDelivery d;
    d.tool = pd.tool;
    d.event = pd.event;
    d.code = pd.code;
    const TraceCode* c = t.code(d.code);
    d.function = c ? c->qualname : d.code;
    d.firstLine = c ? c->firstLine : 0;
    d.line = pd.event == "LINE" ? std::optional<int>(pd.aux) : pd.line;
    d.exc = pd.exc;
    d.result = pd.result;
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<SeenStep> seenSteps(const Trace& t) {
  std::vector<SeenStep> out;
  int current = -1;
  std::optional<json> apiValue;
  for (const json& r : t.records) {
    const std::string kind = r.value("kind", "");
    if (kind == "step") {
      current = r.value("index", -1);
      apiValue.reset();
    } else if (kind == "api" && r.value("by", "") == "step" && current >= 0) {
      if (r.contains("value")) apiValue = r["value"];
    } else if (kind == "step_end") {
      SeenStep s;
      s.step = r.value("index", current);
      if (r.contains("raised")) {
        s.raised = r["raised"].value("type", "");
        s.message = r["raised"].value("message", "");
      } else if (r.contains("returned")) {
        s.resultRepr = r["returned"].value("repr", "");
        if (apiValue) s.result = *apiValue;
      }
      out.push_back(std::move(s));
      current = -1;
    }
  }
  return out;
}

std::vector<SeenStep> seenSteps(const Prediction& p) {
  std::vector<SeenStep> out;
  for (const ApiCheck& a : p.api) {
    SeenStep s;
    s.step = int(a.record);
    if (a.outcome) {
      if (const auto* e = std::get_if<PyError>(&*a.outcome)) {
        s.raised = e->type;
        s.message = e->message;
      } else if (const auto* i = std::get_if<IntValue>(&*a.outcome)) {
        s.result = i->value;
      } else if (const auto* v = std::get_if<StrValue>(&*a.outcome)) {
        s.result = v->value;
      } else if (std::holds_alternative<PyNone>(*a.outcome)) {
        s.result = json();
        s.resultRepr = "None";
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string observerDifference(const Trace& on, const Trace& off) {
  auto keys = [](const Trace& t) {
    std::vector<std::string> k;
    for (const ObservedDelivery& d : associateDeliveries(t)) {
      Fields f = fieldsOf(*d.record);
      if (isGarbageOffset(f.offset)) f.offset = -1;
      k.push_back(text(f));
    }
    return k;
  };
  const auto a = keys(on), b = keys(off);
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i < a.size() && i < b.size() && a[i] == b[i]) continue;
    return "delivery #" + std::to_string(i) + ": with the probe " +
           (i < a.size() ? a[i] : "(none)") + "; without it " +
           (i < b.size() ? b[i] : "(none)");
  }
  return "";
}

}  // namespace monsim::harness
