#include "check/compare.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace monsim::harness {

namespace {

bool hasDestination(Event e) {
  return e == Event::Jump || e == Event::Branch || e == Event::BranchLeft ||
         e == Event::BranchRight;
}

// The side of a delivery that is compared: STOP_ITERATION ≡ RAISE(StopIteration)
// (behaviour §3.8), whatever exception the recorded one names.
Delivery compared(Delivery d) {
  if (d.event == Event::StopIteration) d.exc = "StopIteration";
  return d;
}

// A recorded delivery says what the callback returned; the model's side tells only
// DISABLE from any other value.
std::string resultText(const Delivery& f) {
  if (f.result == CallbackOutcome::Raised) return "raises " + f.raisedType;
  if (f.result == CallbackOutcome::ReturnedDisable) return "returns DISABLE";
  return "returns " + (f.returned.empty() ? "(not DISABLE)" : f.returned);
}

std::string text(const Delivery& f) {
  std::string s = "tool " + std::to_string(f.tool) + " " +
                  std::string(eventName(f.event)) + " in " + f.code + " at offset " +
                  std::to_string(f.offset);
  if (f.event == Event::Line) s += " (line " + std::to_string(f.aux) + ")";
  if (hasDestination(f.event)) s += " to " + std::to_string(f.aux);
  if (!f.exc.empty()) s += " [" + f.exc + "]";
  return s + ", " + resultText(f);
}

std::optional<DeliveryField> differingArg(const Delivery& a, const Delivery& b) {
  // STOP_ITERATION ≡ RAISE(StopIteration) (behaviour §3.8).
  auto norm = [](const Delivery& f) {
    return f.event == Event::StopIteration ? Event::Raise : f.event;
  };
  if (norm(a) != norm(b)) return DeliveryField::Event;
  if (a.code != b.code) return DeliveryField::Code;
  if (a.offset != b.offset) return DeliveryField::Offset;
  if (a.aux != b.aux)
    return a.event == Event::Line ? DeliveryField::Line : DeliveryField::Destination;
  if (a.exc != b.exc) return DeliveryField::Exception;
  return std::nullopt;
}

std::string_view fieldName(DeliveryField f) {
  switch (f) {
    case DeliveryField::Event:
      return "event";
    case DeliveryField::Code:
      return "code";
    case DeliveryField::Offset:
      return "offset";
    case DeliveryField::Line:
      return "line";
    case DeliveryField::Destination:
      return "destination";
    case DeliveryField::Exception:
      return "exception";
  }
  return "?";
}

// One occurrence's deliveries on both sides.
struct Row {
  std::vector<Delivery> model, interp;
  std::vector<const PredictedDelivery*> predicted;
};

// A divergence at trace record `record`, with that record's place filled in.
Divergence at(const Trace& t, Divergence::Kind kind, size_t record, int tool) {
  Divergence d;
  d.kind = kind;
  d.record = record;
  d.tool = tool;
  if (record >= t.records.size()) return d;
  const TraceRecord& r = t.records[record];
  d.inTrace = true;
  if (r.kind == RecordKind::Event || r.kind == RecordKind::Delivery) d.event = r.event;
  d.fn = r.fn;
  d.code = r.code;
  d.offset = r.offset;
  d.line = r.line;
  return d;
}

std::string toolsText(const std::vector<Delivery>& fs) {
  std::string s;
  for (const Delivery& f : fs) {
    if (!s.empty()) s += "  ";
    s += std::to_string(f.tool) + ":" + std::string(eventName(f.event));
    s += f.result == CallbackOutcome::ReturnedDisable ? "→DISABLE"
         : f.result == CallbackOutcome::Raised        ? "→raise " + f.raisedType
                                                      : "";
  }
  return s.empty() ? "-" : s;
}

std::string sourceLine(const Scenario& s, const Trace& t, size_t record) {
  if (record >= t.records.size() || !s.oracle.contains("program")) return "";
  const TraceRecord& r = t.records[record];
  const TraceCode* c = t.code(r.code);
  if (!c || !c->program || !r.line) return "";
  std::istringstream in(s.oracle["program"].get<std::string>());
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (n == *r.line) return std::to_string(n) + " | " + line;
  return "";
}

std::string pad(std::string s, size_t n) {
  s.resize(std::max(n, s.size() + 2), ' ');
  return s;
}

}  // namespace

std::string DivergenceRule::text(bool withPlace) const {
  switch (kind) {
    case Kind::ToolReason:
      return std::string(reasonText(reason)) +
             (differsIn ? " (differs in " + std::string(fieldName(*differsIn)) + ")"
                        : "");
    case Kind::DeclaredCallback:
      return "the callback as the scenario declares it" +
             (clause && withPlace ? " (" + clause->str() + ")" : std::string());
    case Kind::CallbackApi:
      return "API call made by the callback — behaviour §9.7";
    case Kind::DispatchOrder:
      return "dispatch order: tools from the highest id down — behaviour §9.2";
    case Kind::ApiSemantics:
      return "API semantics and error messages — behaviour §5–§8, spec/errors.yaml";
    case Kind::NoDecision:
      return "no model decision recorded for this occurrence";
    case Kind::ProbeGlobal:
      return "the probe has every event globally";
  }
  return "?";
}

std::string Divergence::modelText() const {
  switch (kind) {
    case Kind::Missing:
      if (probe)
        return "tool " + std::to_string(tool) + " (the probe) " +
               std::string(eventName(model->event)) + " in " + model->code +
               " at offset " + std::to_string(model->offset);
      return text(*model);
    case Kind::Extra:
      return "no call for tool " + std::to_string(tool);
    case Kind::Reordered:
      return toolsText(modelOrder);
    case Kind::WrongArgument:
    case Kind::WrongResult:
      return text(*model);
    case Kind::ApiOutcome:
      return apiFn + (apiBy ? " by " + std::string(callerName(*apiBy)) : "") + " " +
             apiPredicted;
  }
  return "?";
}

std::string Divergence::interpreterText() const {
  switch (kind) {
    case Kind::Missing:
      return probe ? "the probe was not called (another tool was)"
                   : "no call for tool " + std::to_string(tool);
    case Kind::Extra:
    case Kind::WrongArgument:
    case Kind::WrongResult:
      return text(*interpreter);
    case Kind::Reordered:
      return toolsText(interpreterOrder);
    case Kind::ApiOutcome:
      return apiMismatch;
  }
  return "?";
}

std::string Divergence::where() const {
  if (!inTrace) return "(no occurrence)";
  std::string s = "#" + std::to_string(record) + " " +
                  (event ? std::string(eventName(*event)) : "?") + " " +
                  (code.empty() ? "?" : code) + ":" + std::to_string(offset);
  if (line) s += " line " + std::to_string(*line);
  return s;
}

std::string Divergence::subject() const {
  if (!inTrace) return "";
  return event ? std::string(eventName(*event)) : fn;
}

Comparison compare(const Scenario& s, const Trace& t, const Prediction& p) {
  Comparison out;
  std::map<size_t, Row> rows;
  for (const PredictedDelivery& d : p.deliveries) {
    rows[d.record].model.push_back(compared(d));
    rows[d.record].predicted.push_back(&d);
  }
  for (const ObservedDelivery& d : associateDeliveries(t))
    rows[d.record == kNoRecord ? d.index : d.record].interp.push_back(compared(d));
  auto add = [&](Divergence::Kind k, size_t rec, int tool,
                 DivergenceRule rule) -> Divergence& {
    out.divergences.push_back(at(t, k, rec, tool));
    out.divergences.back().rule = std::move(rule);
    return out.divergences.back();
  };
  auto toolRule = [](Reason r) {
    return DivergenceRule{DivergenceRule::Kind::ToolReason, r, std::nullopt,
                          std::nullopt};
  };
  using RuleKind = DivergenceRule::Kind;
  for (const auto& [rec, row] : rows) {
    const auto* why = p.reasonsAt(rec);
    std::vector<int> common;
    for (size_t i = 0; i < row.model.size(); ++i) {
      const Delivery& m = row.model[i];
      const PredictedDelivery& pd = *row.predicted[i];
      auto it = std::find_if(row.interp.begin(), row.interp.end(),
                             [&](const Delivery& f) { return f.tool == m.tool; });
      if (it == row.interp.end()) {
        add(Divergence::Kind::Missing, rec, m.tool, toolRule(pd.why)).model = m;
        continue;
      }
      common.push_back(m.tool);
      if (const auto field = differingArg(m, *it)) {
        DivergenceRule rule = toolRule(pd.why);
        rule.differsIn = field;
        Divergence& d = add(Divergence::Kind::WrongArgument, rec, m.tool, rule);
        d.model = m;
        d.interpreter = *it;
      } else if (m.result != it->result || m.raisedType != it->raisedType) {
        Divergence& d = add(Divergence::Kind::WrongResult, rec, m.tool,
                            {RuleKind::DeclaredCallback, {}, std::nullopt, pd.clause});
        d.model = m;
        d.interpreter = *it;
      }
      for (const PredictedCall& c : pd.calls) {
        if (c.mismatch.empty()) continue;
        Divergence& d = add(Divergence::Kind::ApiOutcome, rec, m.tool,
                            {RuleKind::CallbackApi, {}, std::nullopt, std::nullopt});
        d.apiFn = c.fn;
        d.apiPredicted = c.outcome;
        d.apiMismatch = c.mismatch;
      }
    }
    for (const Delivery& f : row.interp) {
      if (std::any_of(row.model.begin(), row.model.end(),
                      [&](const Delivery& m) { return m.tool == f.tool; }))
        continue;
      DivergenceRule rule{RuleKind::NoDecision, {}, std::nullopt, std::nullopt};
      if (why && f.tool >= 0 && f.tool < 6) rule = toolRule((*why)[f.tool]);
      add(Divergence::Kind::Extra, rec, f.tool, rule).interpreter = f;
    }
    std::vector<int> seenOrder;
    for (const Delivery& f : row.interp)
      if (std::find(common.begin(), common.end(), f.tool) != common.end())
        seenOrder.push_back(f.tool);
    if (seenOrder != common) {
      Divergence& d = add(Divergence::Kind::Reordered, rec, -1,
                          {RuleKind::DispatchOrder, {}, std::nullopt, std::nullopt});
      d.modelOrder = row.model;
      d.interpreterOrder = row.interp;
    }
  }
  for (const Delivery& missed : p.probeMissed) {
    DivergenceRule rule{RuleKind::ProbeGlobal, {}, std::nullopt, std::nullopt};
    if (const auto* why = p.reasonsAt(missed.record); why && t.probeTool >= 0)
      rule = toolRule((*why)[t.probeTool]);
    Divergence& d = add(Divergence::Kind::Missing, missed.record, t.probeTool, rule);
    d.model = missed;
    d.model->tool = t.probeTool;
    d.probe = true;
  }
  for (const ApiCheck& a : p.api) {
    if (!a.modelled || a.mismatch.empty()) continue;
    Divergence& d = add(Divergence::Kind::ApiOutcome, a.record, -1,
                        {RuleKind::ApiSemantics, {}, std::nullopt, std::nullopt});
    d.apiFn = a.fn;
    d.apiBy = a.by;
    d.apiPredicted = a.predicted;
    d.apiMismatch = a.mismatch;
  }
  std::stable_sort(
      out.divergences.begin(), out.divergences.end(),
      [](const Divergence& a, const Divergence& b) { return a.record < b.record; });
  if (out.divergences.empty()) return out;

  const Divergence& first = out.divergences.front();
  std::ostringstream r;
  r << "first divergence (" << kindName(first.kind) << ") at " << first.where() << "\n";
  r << "  model:       " << first.modelText() << "\n";
  r << "  interpreter: " << first.interpreterText() << "\n";
  r << "  model rule:  " << first.rule.text() << "\n";
  if (std::string src = sourceLine(s, t, first.record); !src.empty())
    r << "  source:      " << src << "\n";
  // Context: a few occurrences with deliveries on either side, around the first.
  auto here = rows.lower_bound(first.record);
  auto from = here;
  for (int i = 0; i < 3 && from != rows.begin(); ++i) --from;
  auto to = here;
  for (int i = 0; i < 4 && to != rows.end(); ++i) ++to;
  r << "  " << pad("occurrence", 34) << pad("model", 30) << "interpreter\n";
  for (auto it = from; it != to; ++it) {
    r << (it == here ? "> " : "  ") << pad(at(t, first.kind, it->first, -1).where(), 34)
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
    SeenDelivery d;
    static_cast<Delivery&>(d) = o;
    const TraceCode* c = t.code(d.code);
    d.function = c ? c->qualname : d.code;
    d.firstLine = c ? c->firstLine : 0;
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<SeenDelivery> seenDeliveries(const Trace& t, const Prediction& p) {
  std::vector<SeenDelivery> out;
  for (const PredictedDelivery& pd : p.deliveries) {
    SeenDelivery d;
    static_cast<Delivery&>(d) = pd;
    const TraceCode* c = t.code(d.code);
    d.function = c ? c->qualname : d.code;
    d.firstLine = c ? c->firstLine : 0;
    d.line = pd.event == Event::Line ? std::optional<int>(pd.aux) : pd.line;
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<SeenStep> seenSteps(const Trace& t) {
  std::vector<SeenStep> out;
  int current = -1;
  std::optional<Literal> apiValue;
  for (const TraceRecord& r : t.records) {
    if (r.kind == RecordKind::Step) {
      current = r.index;
      apiValue.reset();
    } else if (r.kind == RecordKind::Api && r.by == ApiCaller::Step && current >= 0) {
      if (r.plain) apiValue = r.plain;
    } else if (r.kind == RecordKind::StepEnd) {
      SeenStep s;
      s.step = r.index >= 0 ? r.index : current;
      if (r.raised) {
        s.raised = r.raised->type;
        s.message = r.raised->message.value_or("");
      } else if (r.returned) {
        s.resultRepr = r.returned->repr;
        if (apiValue) s.result = apiValue;
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
        s.result = Literal{i->value};
      } else if (const auto* v = std::get_if<StrValue>(&*a.outcome)) {
        s.result = Literal{v->value};
      } else if (std::holds_alternative<PyNone>(*a.outcome)) {
        s.result = Literal{};
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
      Delivery f = compared(d);
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
