// The views `expect` checks (check/compare.h): a trace's or a prediction's
// deliveries without offsets, and what each step ended with.
#include "check/compare.h"

namespace monsim::harness {

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

}  // namespace monsim::harness
