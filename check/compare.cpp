#include "check/compare.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "check/api_values.h"

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
  if (f.legacy)
    s = std::string(hookName(f.tool)) + " function " + f.hookFunction + " '" +
        std::string(legacyEventName(*f.legacy)) + "' (" +
        std::string(eventName(f.event)) + ") in " + f.code + " at offset " +
        std::to_string(f.offset);
  if (f.event == Event::Line) s += " (line " + std::to_string(f.aux) + ")";
  if (hasDestination(f.event)) s += " to " + std::to_string(f.aux);
  if (!f.exc.empty()) s += " [" + f.exc + "]";
  return s + ", " + resultText(f);
}

std::optional<DeliveryField> differingArg(const Delivery& a, const Delivery& b) {
  // A trace or profile function sees its event, its frame's code and line, the
  // exception and which function it is: not the occurrence's monitoring event or
  // offset, which a run without the probe only guesses (interpreter/trace.h).
  if (a.legacy || b.legacy) {
    if (a.legacy != b.legacy || a.tool != b.tool) return DeliveryField::Event;
    if (a.code != b.code) return DeliveryField::Code;
    // Only a 'line' event reports a line; for the others f_lineno follows f_lasti,
    // which need not be the reporting instruction.
    if (a.legacy == LegacyEvent::Line && a.line && b.line && *a.line != *b.line)
      return DeliveryField::Line;
    if (a.hookFunction != b.hookFunction) return DeliveryField::Function;
    if (a.exc != b.exc) return DeliveryField::Exception;
    return std::nullopt;
  }
  // STOP_ITERATION ≡ RAISE(StopIteration) (behaviour §3.8).
  auto norm = [](const Delivery& f) {
    return f.event == Event::StopIteration ? Event::Raise : f.event;
  };
  if (norm(a) != norm(b) || a.legacy != b.legacy) return DeliveryField::Event;
  if (a.hookFunction != b.hookFunction) return DeliveryField::Function;
  if (a.code != b.code) return DeliveryField::Code;
  // A garbage offset (isGarbageOffset) differs on every run: any two are equal.
  const bool garbage = isGarbageOffset(a.offset) && isGarbageOffset(b.offset);
  if (a.offset != b.offset && !garbage) return DeliveryField::Offset;
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
    case DeliveryField::Function:
      return "trace function";
  }
  return "?";
}

// One occurrence's deliveries on both sides, and where a reader finds it: `record`
// in `trace` (the probe-on run's event record, or in the run without the probe a
// delivery record of its own when the model predicted nothing there).
struct Row {
  size_t record = kNoRecord;
  const Trace* trace = nullptr;
  bool alone = false;
  bool offTrace = false;  // `record` is in the run without the probe
  size_t order = 0;       // the probe-on record it is at or after: sorts divergences
  std::vector<Delivery> model, interp;
  std::vector<const PredictedDelivery*> predicted;
  std::vector<const TraceRecord*> sources;  // alone: each interp delivery's record
};

// A divergence at a row, with the row's place filled in.
Divergence at(const Row& row, Divergence::Kind kind, int tool) {
  Divergence d;
  d.kind = kind;
  d.record = row.record;
  d.tool = tool;
  d.alone = row.alone;
  d.order = row.order;
  if (!row.trace || row.record >= row.trace->records.size()) return d;
  const TraceRecord& r = row.trace->records[row.record];
  d.inTrace = true;
  d.offTrace = row.offTrace;
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
  // Records of the run without the probe read "off#N"; "#N" is the probe-on run's.
  std::string s = (offTrace ? "off#" : "#") + std::to_string(record) + " " +
                  (event ? std::string(eventName(*event)) : "?") + " " +
                  (code.empty() ? "?" : code) + ":" + std::to_string(offset);
  if (line) s += " line " + std::to_string(*line);
  return s;
}

std::string Divergence::subject() const {
  if (!inTrace) return "";
  return event ? std::string(eventName(*event)) : fn;
}

namespace {

using RuleKind = DivergenceRule::Kind;

DivergenceRule toolRule(Reason r) {
  return DivergenceRule{RuleKind::ToolReason, r, std::nullopt, std::nullopt};
}

// Builds a Comparison from rows (in run order) and the run's API checks.
class Judge {
 public:
  Judge(const Scenario& s, const Prediction& p, const Trace& on, const Trace* off)
      : s_(s), p_(p), on_(on), off_(off) {}

  Divergence& add(const Row& row, Divergence::Kind k, int tool, DivergenceRule rule) {
    out_.divergences.push_back(at(row, k, tool));
    out_.divergences.back().rule = std::move(rule);
    return out_.divergences.back();
  }

  // The deliveries of one occurrence: per tool, then the order of the common ones.
  void row(const Row& row) {
    // Alone, a row the model predicted nothing for may still be an occurrence of the
    // probe-on run (compareAlone placed it there): its reasons say why not.
    const auto* why = !row.alone               ? p_.reasonsAt(row.record)
                      : !row.predicted.empty() ? p_.reasonsAt(row.predicted[0]->record)
                      : row.trace == &on_      ? p_.reasonsAt(row.record)
                                               : nullptr;
    std::vector<int> common;
    // A tool can get two deliveries of one occurrence (R4 adds a STOP_ITERATION before
    // the exit branch): each pairs with the tool's next unused one.
    std::vector<bool> used(row.interp.size(), false);
    for (size_t i = 0; i < row.model.size(); ++i) {
      const Delivery& m = row.model[i];
      const PredictedDelivery& pd = *row.predicted[i];
      auto it = row.interp.begin();
      while (it != row.interp.end() &&
             (it->tool != m.tool || used[size_t(it - row.interp.begin())]))
        ++it;
      if (it == row.interp.end()) {
        add(row, Divergence::Kind::Missing, m.tool, toolRule(pd.why)).model = m;
        continue;
      }
      used[size_t(it - row.interp.begin())] = true;
      common.push_back(m.tool);
      if (const auto field = differingArg(m, *it)) {
        DivergenceRule rule = toolRule(pd.why);
        rule.differsIn = field;
        Divergence& d = add(row, Divergence::Kind::WrongArgument, m.tool, rule);
        d.model = m;
        d.interpreter = *it;
      } else if (m.result != it->result || m.raisedType != it->raisedType) {
        Divergence& d = add(row, Divergence::Kind::WrongResult, m.tool,
                            {RuleKind::DeclaredCallback, {}, std::nullopt, pd.clause});
        d.model = m;
        d.interpreter = *it;
      }
      const TraceRecord* src =
          row.alone ? row.sources[size_t(it - row.interp.begin())] : nullptr;
      for (const auto& [fn, predicted, mismatch] : callMismatches(pd, src)) {
        Divergence& d = add(row, Divergence::Kind::ApiOutcome, m.tool,
                            {RuleKind::CallbackApi, {}, std::nullopt, std::nullopt});
        d.apiFn = fn;
        d.apiPredicted = predicted;
        d.apiMismatch = mismatch;
      }
    }
    for (size_t k = 0; k < row.interp.size(); ++k) {
      const Delivery& f = row.interp[k];
      if (used[k]) continue;
      DivergenceRule rule{RuleKind::NoDecision, {}, std::nullopt, std::nullopt};
      if (why && f.tool >= 0 && f.tool < 6) rule = toolRule((*why)[f.tool]);
      add(row, Divergence::Kind::Extra, f.tool, rule).interpreter = f;
    }
    std::vector<int> seenOrder;
    for (const Delivery& f : row.interp)
      if (std::find(common.begin(), common.end(), f.tool) != common.end())
        seenOrder.push_back(f.tool);
    if (seenOrder != common) {
      Divergence& d = add(row, Divergence::Kind::Reordered, -1,
                          {RuleKind::DispatchOrder, {}, std::nullopt, std::nullopt});
      d.modelOrder = row.model;
      d.interpreterOrder = row.interp;
    }
  }

  // A top-level API call whose outcome differs (`mismatch` not empty).
  void api(const Row& place, const ApiCheck& a, const std::string& mismatch) {
    Divergence& d = add(place, Divergence::Kind::ApiOutcome, -1,
                        {RuleKind::ApiSemantics, {}, std::nullopt, std::nullopt});
    d.apiFn = a.fn;
    d.apiBy = a.by;
    d.apiPredicted = a.predicted;
    d.apiMismatch = mismatch;
  }

  // Sorts the divergences and writes the report of the first one.
  Comparison finish(const std::vector<Row>& rows, const std::string& run) {
    std::stable_sort(
        out_.divergences.begin(), out_.divergences.end(),
        [](const Divergence& a, const Divergence& b) { return a.order < b.order; });
    if (out_.divergences.empty()) return std::move(out_);
    const Divergence& first = out_.divergences.front();
    std::ostringstream r;
    r << "first divergence" << run << " (" << kindName(first.kind) << ") at "
      << first.where() << "\n";
    r << "  model:       " << first.modelText() << "\n";
    r << "  interpreter: " << first.interpreterText() << "\n";
    r << "  model rule:  " << first.rule.text() << "\n";
    if (std::string src =
            sourceLine(s_, first.offTrace && off_ ? *off_ : on_, first.record);
        !src.empty())
      r << "  source:      " << src << "\n";
    // Context: a few occurrences with deliveries on either side, around the first.
    size_t here = 0;
    while (here < rows.size() && rows[here].order < first.order) ++here;
    const size_t from = here >= 3 ? here - 3 : 0;
    const size_t to = std::min(rows.size(), here + 4);
    r << "  " << pad("occurrence", 34) << pad("model", 30) << "interpreter\n";
    for (size_t i = from; i < to; ++i) {
      r << (i == here ? "> " : "  ") << pad(at(rows[i], first.kind, -1).where(), 34)
        << pad(toolsText(rows[i].model), 30) << toolsText(rows[i].interp) << "\n";
    }
    std::map<std::string, int> counts;
    for (const Divergence& d : out_.divergences) ++counts[std::string(kindName(d.kind))];
    r << "  " << out_.divergences.size() << " divergence(s):";
    for (const auto& [k, n] : counts) r << " " << n << " " << k;
    r << "\n";
    for (const std::string& n : p_.notes) r << "  replay note: " << n << "\n";
    out_.report = r.str();
    return std::move(out_);
  }

  Comparison& out() { return out_; }

 private:
  struct CallMismatch {
    std::string fn, predicted, mismatch;
  };
  // The callback's API calls against the interpreter's, in order: with the probe
  // the replay paired them; alone, `src` is the delivery record they are paired with.
  std::vector<CallMismatch> callMismatches(const PredictedDelivery& pd,
                                           const TraceRecord* src) const {
    std::vector<CallMismatch> out;
    if (!src) {
      for (const PredictedCall& c : pd.calls)
        if (!c.mismatch.empty()) out.push_back({c.fn, c.outcome, c.mismatch});
      return out;
    }
    std::vector<const TraceRecord*> seen;
    for (const TraceRecord& c : src->calls)
      if (c.kind == RecordKind::Api) seen.push_back(&c);
    auto repr = [this](CallableId c) { return p_.reprOf(c); };
    for (size_t i = 0; i < pd.calls.size() && i < seen.size(); ++i) {
      const PredictedCall& c = pd.calls[i];
      std::string m;
      if (seen[i]->fn != c.fn)
        m = "the model calls " + c.fn + ", the interpreter " +
            (seen[i]->fn.empty() ? "?" : seen[i]->fn);
      else if (c.result)
        m = compareOutcome(*c.result, *seen[i], repr);
      if (!m.empty()) out.push_back({c.fn, c.outcome, m});
    }
    return out;
  }

  const Scenario& s_;
  const Prediction& p_;
  const Trace& on_;
  const Trace* off_;
  Comparison out_;
};

// Aligns two sequences: pairs (i, j) in order maximising the score of the pairs
// (0: not pairable). Common ends are paired first; a middle too large for the
// quadratic table is paired greedily with a look-ahead.
template <class Score>
std::vector<std::pair<size_t, size_t>> align(size_t n, size_t m, Score score) {
  std::vector<std::pair<size_t, size_t>> head, tail;
  size_t a = 0, b = 0, ea = n, eb = m;
  while (a < ea && b < eb && score(a, b) == 2) head.push_back({a++, b++});
  while (ea > a && eb > b && score(ea - 1, eb - 1) == 2) tail.push_back({--ea, --eb});
  const size_t rn = ea - a, rm = eb - b;
  std::vector<std::pair<size_t, size_t>> mid;
  if (rn * rm <= (size_t(1) << 22)) {
    std::vector<uint32_t> dp((rn + 1) * (rm + 1), 0);
    auto cell = [&](size_t i, size_t j) -> uint32_t& { return dp[i * (rm + 1) + j]; };
    for (size_t i = rn; i-- > 0;)
      for (size_t j = rm; j-- > 0;) {
        uint32_t best = std::max(cell(i + 1, j), cell(i, j + 1));
        if (const int sc = score(a + i, b + j))
          best = std::max(best, cell(i + 1, j + 1) + uint32_t(sc));
        cell(i, j) = best;
      }
    size_t i = 0, j = 0;
    while (i < rn && j < rm) {
      const int sc = score(a + i, b + j);
      if (sc && cell(i, j) == cell(i + 1, j + 1) + uint32_t(sc)) {
        mid.push_back({a + i++, b + j++});
      } else if (cell(i + 1, j) >= cell(i, j + 1)) {
        ++i;
      } else {
        ++j;
      }
    }
  } else {
    constexpr size_t kLook = 64;
    size_t i = a, j = b;
    while (i < ea && j < eb) {
      if (score(i, j)) {
        mid.push_back({i++, j++});
        continue;
      }
      size_t di = 1, dj = 1;
      while (di < kLook && i + di < ea && !score(i + di, j)) ++di;
      while (dj < kLook && j + dj < eb && !score(i, j + dj)) ++dj;
      if (di <= dj)
        ++i;
      else
        ++j;
    }
  }
  head.insert(head.end(), mid.begin(), mid.end());
  head.insert(head.end(), tail.rbegin(), tail.rend());
  return head;
}

}  // namespace

Comparison compare(const Scenario& s, const Trace& t, const Prediction& p) {
  std::map<size_t, Row> byRecord;
  auto rowAt = [&](size_t rec) -> Row& {
    Row& r = byRecord[rec];
    r.record = r.order = rec;
    r.trace = &t;
    return r;
  };
  for (const PredictedDelivery& d : p.deliveries) {
    Row& r = rowAt(d.record);
    r.model.push_back(compared(d));
    r.predicted.push_back(&d);
  }
  for (const ObservedDelivery& d : associateDeliveries(t))
    rowAt(d.record == kNoRecord ? d.index : d.record).interp.push_back(compared(d));
  std::vector<Row> rows;
  for (auto& [rec, row] : byRecord) rows.push_back(std::move(row));
  Judge j(s, p, t, nullptr);
  for (const Row& row : rows) j.row(row);
  for (const Delivery& missed : p.probeMissed) {
    DivergenceRule rule{RuleKind::ProbeGlobal, {}, std::nullopt, std::nullopt};
    if (const auto* why = p.reasonsAt(missed.record); why && t.probeTool >= 0)
      rule = toolRule((*why)[t.probeTool]);
    Row place;
    place.record = place.order = missed.record;
    place.trace = &t;
    Divergence& d = j.add(place, Divergence::Kind::Missing, t.probeTool, rule);
    d.model = missed;
    d.model->tool = t.probeTool;
    d.probe = true;
  }
  for (const ApiCheck& a : p.api) {
    if (!a.modelled || a.mismatch.empty()) continue;
    Row place;
    place.record = place.order = a.record;
    place.trace = &t;
    j.api(place, a, a.mismatch);
  }
  return j.finish(rows, "");
}

Comparison compareAlone(const Scenario& s, const Trace& on, const Trace& off,
                        const Prediction& p, size_t until) {
  std::vector<const PredictedDelivery*> model;
  for (const PredictedDelivery& d : p.deliveries)
    if (d.record <= until) model.push_back(&d);
  const std::vector<ObservedDelivery> seen = associateDeliveries(off);
  // Deliveries pair one to one, in order, by tool, event and code (exact arguments
  // preferred); the run has no occurrence records, so a row is the model's
  // occurrence with the deliveries paired to it.
  auto score = [&](size_t i, size_t j) {
    if (model[i]->tool != seen[j].tool) return 0;
    const auto f = differingArg(compared(*model[i]), compared(seen[j]));
    if (!f) return 2;
    return *f == DeliveryField::Event || *f == DeliveryField::Code ? 0 : 1;
  };
  const auto pairs = align(model.size(), seen.size(), score);
  // After a cut (`until`), what the run recorded past the last paired delivery is
  // not compared: the model has no stream for the program's other path.
  const size_t lastSeen = until == kNoRecord ? seen.size()
                          : pairs.empty()    ? 0
                                             : pairs.back().second + 1;
  std::vector<Row> rows;
  auto modelRow = [&](size_t i) -> Row& {
    if (rows.empty() || rows.back().predicted.empty() ||
        rows.back().record != model[i]->record) {
      Row r;
      r.alone = true;
      r.record = r.order = model[i]->record;
      r.trace = &on;
      rows.push_back(std::move(r));
    }
    Row& r = rows.back();
    r.model.push_back(compared(*model[i]));
    r.predicted.push_back(model[i]);
    return r;
  };
  // The probe-on occurrence a delivery the model did not predict belongs to: the
  // next event record of the same event and site after `from`, if one is near.
  std::vector<size_t> events;
  for (size_t k = 0; k < on.records.size(); ++k)
    if (on.records[k].kind == RecordKind::Event) events.push_back(k);
  auto occurrenceOf = [&](const Delivery& d, std::optional<size_t> after) -> size_t {
    auto it =
        after ? std::upper_bound(events.begin(), events.end(), *after) : events.begin();
    for (int n = 0; it != events.end() && n < 64; ++it, ++n) {
      const TraceRecord& e = on.records[*it];
      const bool sameOffset = e.offset == d.offset ||
                              (isGarbageOffset(e.offset) && isGarbageOffset(d.offset));
      if (e.event == d.event && e.code == d.code && sameOffset) return *it;
    }
    return kNoRecord;
  };
  auto seenAlone = [&](size_t j) {
    if (j >= lastSeen) return;
    Row r;
    r.alone = true;
    const size_t after = rows.empty() ? 0 : rows.back().order;
    const size_t occ =
        occurrenceOf(seen[j], rows.empty() ? std::nullopt : std::optional(after));
    r.record = occ != kNoRecord ? occ : seen[j].index;
    r.trace = occ != kNoRecord ? &on : &off;
    r.offTrace = occ == kNoRecord;
    r.order = occ != kNoRecord ? occ : after;
    r.interp.push_back(compared(seen[j]));
    r.sources.push_back(seen[j].source);
    rows.push_back(std::move(r));
  };
  size_t mi = 0, si = 0;
  for (const auto& [pi, pj] : pairs) {
    for (; mi < pi; ++mi) modelRow(mi);
    for (; si < pj; ++si) seenAlone(si);
    Row& r = modelRow(mi++);
    r.interp.push_back(compared(seen[si]));
    r.sources.push_back(seen[si++].source);
  }
  for (; mi < model.size(); ++mi) modelRow(mi);
  for (; si < seen.size(); ++si) seenAlone(si);
  Judge j(s, p, on, &off);
  for (const Row& row : rows) j.row(row);
  // Top-level API calls pair in order: the same steps and program code ran.
  std::vector<const TraceRecord*> calls;
  for (const TraceRecord& r : off.records)
    if (r.kind == RecordKind::Api) calls.push_back(&r);
  auto repr = [&p](CallableId c) { return p.reprOf(c); };
  for (size_t k = 0; k < p.api.size() && k < calls.size(); ++k) {
    const ApiCheck& a = p.api[k];
    if (a.record > until || !a.modelled || !a.outcome) continue;
    const std::string m = calls[k]->fn != a.fn
                              ? "the interpreter calls " + calls[k]->fn + " here"
                              : compareOutcome(*a.outcome, *calls[k], repr);
    if (m.empty()) continue;
    Row place;
    place.record = place.order = a.record;
    place.trace = &on;
    place.alone = true;
    j.api(place, a, m);
  }
  return j.finish(rows, " without the probe");
}

}  // namespace monsim::harness
