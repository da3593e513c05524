#include "interpreter/trace.h"

#include <algorithm>

namespace monsim::harness {

Opcode opcodeNamed(std::string_view opname) {
  static constexpr std::pair<std::string_view, Opcode> kNames[] = {
      {"RESUME", Opcode::Resume},
      {"FOR_ITER", Opcode::ForIter},
      {"POP_ITER", Opcode::PopIter},
      {"NOT_TAKEN", Opcode::NotTaken},
      {"END_SEND", Opcode::EndSend},
      {"POP_JUMP_IF_TRUE", Opcode::PopJumpIfTrue},
      {"POP_JUMP_IF_FALSE", Opcode::PopJumpIfFalse},
      {"POP_JUMP_IF_NONE", Opcode::PopJumpIfOther},
      {"POP_JUMP_IF_NOT_NONE", Opcode::PopJumpIfOther},
      {"JUMP_BACKWARD", Opcode::JumpBackward},
      {"JUMP_BACKWARD_NO_INTERRUPT", Opcode::JumpBackward},
      {"RETURN_VALUE", Opcode::Return},
      {"RETURN_CONST", Opcode::Return},
      {"YIELD_VALUE", Opcode::Yield},
  };
  for (const auto& [name, op] : kNames)
    if (name == opname) return op;
  return Opcode::Other;
}

Event legacyOccurrence(LegacyEvent e, const TraceInstruction* at) {
  const Opcode op = at ? at->op : Opcode::Other;
  switch (e) {
    case LegacyEvent::Call:
      return op == Opcode::Resume && at->arg.value_or(0) != 0 ? Event::PyResume
                                                              : Event::PyStart;
    case LegacyEvent::Line:
      return op == Opcode::JumpBackward ? Event::Jump : Event::Line;
    case LegacyEvent::Return:
      // 3.13+ report a yield with f_lasti already at the RESUME after it.
      if (op == Opcode::Yield || (op == Opcode::Resume && at->arg.value_or(0) != 0))
        return Event::PyYield;
      return op == Opcode::Return || !at ? Event::PyReturn : Event::PyUnwind;
    case LegacyEvent::Exception:
      return Event::Raise;
    case LegacyEvent::Opcode:
      return Event::Instruction;
    case LegacyEvent::CCall:
      return Event::Call;
    case LegacyEvent::CReturn:
      return Event::CReturn;
    case LegacyEvent::CException:
      return Event::CRaise;
  }
  return Event::PyStart;
}

std::string_view outcomeName(CallbackOutcome o) {
  switch (o) {
    case CallbackOutcome::Returned:
      return "returned";
    case CallbackOutcome::ReturnedDisable:
      return "disable";
    case CallbackOutcome::Raised:
      return "raised";
  }
  return "?";
}

std::string_view callerName(ApiCaller c) {
  switch (c) {
    case ApiCaller::Setup:
      return "setup";
    case ApiCaller::Step:
      return "step";
    case ApiCaller::Callback:
      return "callback";
    case ApiCaller::Program:
      return "program";
  }
  return "?";
}

const TraceCode* Trace::code(const std::string& id) const {
  auto it = codes.find(id);
  return it == codes.end() ? nullptr : &it->second;
}

std::string valueText(const TraceValue& v) {
  switch (v.kind) {
    case TraceValue::Kind::Missing:
      return "MISSING";
    case TraceValue::Kind::Disable:
      return "DISABLE";
    case TraceValue::Kind::Exception:
      return v.type;
    case TraceValue::Kind::Object:
    case TraceValue::Kind::Code:
      break;
  }
  return v.repr;
}

Delivery deliveryOf(const TraceRecord& r) {
  Delivery d;
  d.tool = r.tool;
  d.event = r.event;
  d.code = r.code;
  d.offset = r.offset;
  if (r.event == Event::Line) d.aux = r.line.value_or(0);
  if (r.dest) d.aux = *r.dest;
  d.line = r.line;
  if (r.exc) d.exc = r.exc->type;
  if (r.callable) d.callable = r.callable->repr;
  if (r.arg0) d.arg0 = valueText(*r.arg0);
  if (r.value) d.value = valueText(*r.value);
  d.result = r.outcome;
  d.legacy = r.legacy;
  if (r.legacy) d.hookFunction = r.callback;
  if (r.raised) d.raisedType = r.raised->type;
  if (d.result == CallbackOutcome::Returned) {
    if (!r.returned) {
      d.returned = "None";
    } else {
      switch (r.returned->kind) {
        case TraceValue::Kind::Object:
          d.returned = r.returned->repr.empty() ? "?" : r.returned->repr;
          break;
        case TraceValue::Kind::Missing:
          d.returned = "MISSING";
          break;
        default:
          d.returned = "?";
      }
    }
  }
  return d;
}

namespace {

// Does a delivery belong to this probe record's occurrence? (3.14+ legacy BRANCH
// callbacks report BRANCH for the probe's BRANCH_LEFT/RIGHT.)
bool sameOccurrence(const TraceRecord& event, const TraceRecord& delivery) {
  // A trace or profile function's frame may be past the instruction that reports
  // (f_lasti after a CALL whose callee raised): the event record right after it, in
  // the same code, with an event its hook maps to, is its occurrence.
  if (delivery.legacy)
    return legacyEventOf(delivery.tool, event.event) == delivery.legacy &&
           event.code == delivery.code;
  const bool sameEvent =
      event.event == delivery.event ||
      (delivery.event == Event::Branch &&
       (event.event == Event::BranchLeft || event.event == Event::BranchRight));
  return sameEvent && event.code == delivery.code && event.offset == delivery.offset;
}

}  // namespace

namespace {

// Deliveries made inside `r`'s callback by a C API fire (behaviour §13), innermost
// first, as the record of the occurrence `record` — the order the model reports them.
void nestedDeliveries(const Trace& t, const TraceRecord& r, size_t index, size_t record,
                      std::vector<ObservedDelivery>& out) {
  for (const TraceRecord& c : r.calls) {
    if (c.kind != RecordKind::Delivery || (t.probeTool >= 0 && c.tool == t.probeTool))
      continue;
    nestedDeliveries(t, c, index, record, out);
    ObservedDelivery d;
    static_cast<Delivery&>(d) = deliveryOf(c);
    d.index = index;
    d.source = &c;
    d.record = record;
    out.push_back(std::move(d));
  }
}

}  // namespace

std::vector<ObservedDelivery> associateDeliveries(const Trace& t) {
  // Occurrences the probe saw; its deliveries of C-fired events are not occurrences.
  std::vector<size_t> events;
  for (size_t i = 0; i < t.records.size(); ++i)
    if (t.records[i].kind == RecordKind::Event && !t.records[i].capi) events.push_back(i);
  std::vector<ObservedDelivery> out;
  for (size_t i = 0; i < t.records.size(); ++i) {
    const TraceRecord& r = t.records[i];
    if (r.kind != RecordKind::Delivery) continue;
    const int tool = r.tool;
    if (t.probeTool >= 0 && tool == t.probeTool) continue;
    ObservedDelivery d;
    static_cast<Delivery&>(d) = deliveryOf(r);
    d.index = i;
    d.source = &r;
    if (r.capi) {
      // A step's fire: the fire's own `api` record follows its deliveries.
      for (size_t k = i + 1; k < t.records.size() && d.record == kNoRecord; ++k)
        if (t.records[k].kind == RecordKind::Api && t.records[k].capi) d.record = k;
      if (d.record == kNoRecord) d.record = i;
      nestedDeliveries(t, r, i, d.record, out);
      out.push_back(std::move(d));
      continue;
    }
    auto next = std::upper_bound(events.begin(), events.end(), i);
    if (t.probeTool >= 0 && tool > t.probeTool) {
      if (next != events.end()) d.record = *next;
    } else if (next != events.begin()) {
      d.record = *(next - 1);
    }
    // A trace or profile function that raised ended the dispatch above the probe.
    const bool raisedHook = r.legacy && r.raised;
    if (t.probeTool >= 0 && (d.record == kNoRecord || raisedHook ||
                             !sameOccurrence(t.records[d.record], r))) {
      // The probe did not see this occurrence (e.g. FINDINGS F4 dropped its
      // INSTRUCTION): lower tools' deliveries of the same occurrence follow directly.
      const ObservedDelivery* prev = out.empty() ? nullptr : &out.back();
      const bool joins = prev && prev->unseen && prev->index + 1 == i &&
                         prev->tool > tool && sameOccurrence(*prev->source, r);
      d.record = joins ? prev->record : i;
      d.unseen = true;
    } else if (r.legacy && d.record != kNoRecord) {
      // The probe's record says which occurrence the hook reported.
      const Delivery e = deliveryOf(t.records[d.record]);
      d.event = e.event;
      d.aux = e.aux;
      d.offset = e.offset;
    }
    nestedDeliveries(t, r, i, d.record, out);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace monsim::harness
