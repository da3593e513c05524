#include "check/invariants.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "check/compare.h"
#include "model/version_profile.h"

namespace monsim::harness {

std::string_view invariantName(Invariant i) {
  switch (i) {
    case Invariant::FireOnce:
      return "fire-once";
    case Invariant::DisableLocality:
      return "disable-locality";
    case Invariant::StableDelivery:
      return "stable-delivery";
    case Invariant::RestartRestores:
      return "restart-restores";
    case Invariant::Balanced:
      return "balanced";
    case Invariant::QuietCallbacks:
      return "quiet-callbacks";
  }
  return "?";
}

std::string InvariantViolation::str() const {
  const std::string at =
      record == kNoRecord ? "" : " (record " + std::to_string(record) + ")";
  return std::string(invariantName(invariant)) + at + ": " + message;
}

namespace {

using Violations = std::vector<InvariantViolation>;

// A DISABLE location: one event at one instruction of one code object (§10.1).
struct Site {
  Event event = Event::PyStart;
  std::string code;
  int64_t offset = 0;
  auto operator<=>(const Site&) const = default;
  std::string str() const {
    return std::string(eventName(event)) + " in " + code + " at offset " +
           std::to_string(offset);
  }
};

Site siteOf(const TraceRecord& r) { return {r.event, r.code, r.offset}; }

std::string rec(size_t i) { return "record " + std::to_string(i); }
std::string toolName(int t) { return "tool " + std::to_string(t); }

bool returnedDisable(const TraceRecord& d) {
  return d.returned && d.returned->kind == TraceValue::Kind::Disable;
}

// One occurrence the probe saw, with the scenario tools' deliveries of it.
struct Occurrence {
  size_t record = 0;  // the probe's event record
  size_t first = 0;   // its first record: tools above the probe are called before it
  Site site;
  std::vector<const ObservedDelivery*> deliveries;
  int cut = -1;  // a tool whose callback raised: lower ids were not called (§9.4)
  std::set<int> touched;   // tools whose events/callbacks its callbacks changed (§9.3)
  bool restarted = false;  // or restart_events / any events change inside it
  bool capi = false;       // a C API fire: no site, no frame (behaviour §13)

  const ObservedDelivery* of(int tool) const {
    for (const ObservedDelivery* d : deliveries)
      if (d->tool == tool) return d;
    return nullptr;
  }
};

// What an `api` record can change. `tool` unset: every tool (restart_events, or
// an argument we cannot read).
struct Touch {
  std::optional<int> tool;
  bool restart = false;
};

std::optional<int> intArg(const TraceValue& a) {
  if (a.kind == TraceValue::Kind::Object && a.type == "int") {
    try {
      return std::stoi(a.repr);
    } catch (...) {
    }
  }
  return std::nullopt;
}

std::optional<Touch> touchOf(const TraceRecord& api) {
  static const std::set<std::string> kPerTool{"set_events",        "set_local_events",
                                              "register_callback", "use_tool_id",
                                              "free_tool_id",      "clear_tool_id"};
  if (api.fn == "restart_events") return Touch{std::nullopt, true};
  if (!kPerTool.count(api.fn)) return std::nullopt;
  return Touch{api.args.empty() ? std::nullopt : intArg(api.args[0]), false};
}

// Every api record made by a delivery's callback, nested calls included.
void collectApi(const std::vector<TraceRecord>& calls,
                std::vector<const TraceRecord*>& out) {
  for (const TraceRecord& c : calls) {
    if (c.kind == RecordKind::Api) out.push_back(&c);
    collectApi(c.calls, out);
  }
}
std::vector<const TraceRecord*> callsOf(const TraceRecord& delivery) {
  std::vector<const TraceRecord*> out;
  collectApi(delivery.calls, out);
  return out;
}

// Did this callback end the dispatch (§9.4)? It raised, or returned DISABLE where
// that raises ValueError (§10.5, §10.6; unknown version: any non-site event).
bool endsDispatch(const TraceRecord& d, const VersionProfile* p) {
  if (d.raised) return true;
  if (!returnedDisable(d)) return false;
  return p ? p->disableRule(d.event) == spec::DisableRule::Error
           : !profile(PyVersion::V3_12).disableIsPerSite(d.event);
}

std::vector<Occurrence> occurrencesOf(const Trace& t,
                                      const std::vector<ObservedDelivery>& ds,
                                      const VersionProfile* p) {
  std::vector<Occurrence> out;
  std::map<size_t, size_t> at;  // probe record -> index in out
  for (size_t i = 0; i < t.records.size(); ++i) {
    // An occurrence: the probe's record of one, or a step's C API fire (behaviour §13),
    // whose deliveries are keyed by its api record; the probe's record of a C-fired
    // event is one of its deliveries.
    const TraceRecord& r = t.records[i];
    const bool fire = r.kind == RecordKind::Api && r.capi;
    if (!fire && (r.kind != RecordKind::Event || r.capi)) continue;
    at[i] = out.size();
    out.push_back({i, i, siteOf(t.records[i]), {}, -1, {}, false, fire});
  }
  for (const ObservedDelivery& d : ds) {
    if (d.unseen && d.legacy && d.source->raised) {
      // A trace or profile function raised: the occurrence reached no tool below it,
      // the probe included, yet it happened (the frame entered, the exception rose).
      out.push_back({d.index, d.index, siteOf(*d.source), {}, d.tool, {}, false});
      continue;
    }
    if (d.unseen || d.record == kNoRecord) continue;
    // Made by a C API fire inside a callback: another occurrence, with no record of
    // its own (behaviour §13.4).
    if (d.index < t.records.size() && d.source != &t.records[d.index]) continue;
    const auto it = at.find(d.record);
    if (it == at.end()) continue;  // keyed by no occurrence: nothing to hold it to
    Occurrence& o = out[it->second];
    // The hooks' handlers decide per frame (f_trace, f_trace_lines) whether to call
    // their function: only what they do to the dispatch concerns the rules below.
    if (!isHookTool(d.tool)) o.deliveries.push_back(&d);
    o.first = std::min(o.first, d.index);
    if (endsDispatch(*d.source, p)) o.cut = std::max(o.cut, d.tool);
    for (const TraceRecord* api : callsOf(*d.source)) {
      if (const auto touch = touchOf(*api)) {
        if (touch->tool) o.touched.insert(*touch->tool);
        o.restarted = o.restarted || touch->restart || !touch->tool;
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Occurrence& a, const Occurrence& b) { return a.first < b.first; });
  return out;
}

// 1. A tool's callback for an event slot runs at most once per occurrence (§9.1).
void checkFireOnce(const std::vector<Occurrence>& occs, Violations& out) {
  for (const Occurrence& o : occs) {
    std::map<std::pair<int, Event>, size_t> seen;
    for (const ObservedDelivery* d : o.deliveries) {
      const auto [it, fresh] = seen.emplace(std::pair{d->tool, d->event}, d->index);
      if (fresh) continue;
      out.push_back({Invariant::FireOnce, d->index,
                     toolName(d->tool) + " got its " + std::string(eventName(d->event)) +
                         " callback twice for one occurrence (" + o.site.str() +
                         ", probe " + rec(o.record) + "): " + rec(it->second) + " and " +
                         rec(d->index)});
    }
  }
}

// 2 and 3. Walks the trace keeping, per (tool, site), the last delivery and the
// last DISABLE, each stamped with counters of the API calls that could change them
// (F1: only re-instrumentation, i.e. events changes and restart_events, revives a
// site; F3 lets any tool's LINE change revive another's lines, so a DISABLE is only
// held against the tool while no events change at all).
class DisableWalk {
 public:
  DisableWalk(const Trace& t, PyVersion v) : t_(t), p_(profile(v)) {}

  Violations run(const std::vector<Occurrence>& occs) {
    size_t next = 0;
    for (size_t i = 0; i < t_.records.size(); ++i) {
      while (next < occs.size() && occs[next].first == i) check(occs[next++]);
      const TraceRecord& r = t_.records[i];
      if (r.kind == RecordKind::Api) apply(r);
      if (r.kind != RecordKind::Delivery || r.tool == t_.probeTool) continue;
      for (const TraceRecord* api : callsOf(r)) apply(*api);
      afterDelivery(i, r);
    }
    return std::move(out_);
  }

 private:
  struct Stamp {
    long tool = 0, own = 0, all = 0, restarts = 0;
    size_t record = 0;
  };
  Stamp stamp(int tool, size_t record) {
    return {toolEpoch_[tool], ownEpoch_[tool], allEpoch_, restarts_, record};
  }

  // Sites whose DISABLE is per site; INSTRUCTION is left out (FINDINGS F4 drops
  // INSTRUCTION tools at a multi-tool transition, without any DISABLE).
  bool tracked(Event e) const {
    return p_.has(e) && p_.disableIsPerSite(e) && e != Event::Instruction;
  }
  // 3.14+ legacy BRANCH handlers report "BRANCH"; their DISABLE is per direction.
  Site siteOfDelivery(size_t i, const TraceRecord& d) const {
    const auto it = probeSite_.find(i);
    return it != probeSite_.end() ? it->second : siteOf(d);
  }

  void apply(const TraceRecord& api) {
    const auto touch = touchOf(api);
    if (!touch) return;
    ++allEpoch_;
    if (touch->restart) ++restarts_;
    if (!touch->tool) {
      for (int t = 0; t < 8; ++t) {
        ++toolEpoch_[t];
        if (!touch->restart) ++ownEpoch_[t];
      }
      return;
    }
    ++toolEpoch_[*touch->tool];
    ++ownEpoch_[*touch->tool];
  }

  void check(const Occurrence& o) {
    std::set<int> got;
    for (const ObservedDelivery* d : o.deliveries) {
      got.insert(d->tool);
      probeSite_[d->index] = o.site;
    }
    if (!tracked(o.site.event)) return;
    auto skipped = [&](int tool) { return tool < o.cut || o.touched.count(tool); };
    for (auto it = receipts_.lower_bound({o.site, -1});
         it != receipts_.end() && it->first.first == o.site;) {
      const int u = it->first.second;
      const Stamp& s = it->second;
      if (got.count(u) || skipped(u) || o.restarted || s.tool != toolEpoch_[u]) {
        ++it;
        continue;
      }
      out_.push_back(lostDelivery(o, u, s));
      it = receipts_.erase(it);
    }
    for (auto it = disabled_.lower_bound({o.site, -1});
         it != disabled_.end() && it->first.first == o.site;) {
      const int t = it->first.second;
      const Stamp& s = it->second;
      if (s.restarts != restarts_) {  // restart_events since the DISABLE
        if (s.own == ownEpoch_[t] && !skipped(t) && !got.count(t))
          out_.push_back({Invariant::RestartRestores, o.record,
                          toolName(t) + " returned DISABLE for " + o.site.str() + " at " +
                              rec(s.record) +
                              "; restart_events() was called since and nothing changed "
                              "the tool's events or callbacks, yet it gets no delivery "
                              "of this occurrence"});
        it = disabled_.erase(it);
      } else if (s.all == allEpoch_ && !o.restarted && got.count(t)) {
        out_.push_back({Invariant::DisableLocality, o.of(t)->index,
                        toolName(t) + " returned DISABLE for " + o.site.str() + " at " +
                            rec(s.record) +
                            " and no API call re-enabled it since, yet it receives the "
                            "site again (probe " +
                            rec(o.record) + ")"});
        it = disabled_.erase(it);
      } else {
        ++it;
      }
    }
    // Stamped as of the start of the occurrence: changes its callbacks make count
    // as later changes (§9.3).
    for (const ObservedDelivery* d : o.deliveries) {
      const int u = d->tool;
      if (!returnedDisable(*d->source)) receipts_[{o.site, u}] = stamp(u, d->index);
    }
  }

  // The latest DISABLE that could be blamed for a lost delivery: by another tool at
  // the site, or by the tool elsewhere. None: a plain lost delivery.
  InvariantViolation lostDelivery(const Occurrence& o, int u, const Stamp& s) {
    std::string why;
    for (const auto& [when, what] : disables_) {
      const auto& [t, site] = what;
      if ((t != u && site == o.site) || (t == u && site != o.site))
        why = "; " + toolName(t) + " returned DISABLE for " + site.str() + " at " +
              rec(when);
    }
    return {why.empty() ? Invariant::StableDelivery : Invariant::DisableLocality,
            o.record,
            toolName(u) + " received " + o.site.str() + " at " + rec(s.record) +
                " and nothing changed its events or callbacks since, yet it gets no "
                "delivery of this occurrence" +
                why};
  }

  void afterDelivery(size_t i, const TraceRecord& d) {
    if (!returnedDisable(d)) return;
    const int t = d.tool;
    const Site site = siteOfDelivery(i, d);
    if (!tracked(site.event)) {
      // §10.5/§10.6 remove the callback; 3.15 (F5) clears a local bit: a change of t.
      ++toolEpoch_[t];
      ++ownEpoch_[t];
      ++allEpoch_;
      return;
    }
    Stamp st = stamp(t, i);
    // The DISABLE-ing callback's own API calls (applied before this point) may have
    // changed its events or callbacks: then a restart need not bring the site back.
    for (const TraceRecord& c : d.calls)
      if (const auto touch = touchOf(c); touch && (!touch->tool || *touch->tool == t))
        --st.own;
    disabled_[{site, t}] = st;
    disables_.push_back({i, {t, site}});
    // §10.8: DISABLE on CALL also ends C_RETURN/C_RAISE there, and a 3.14+ legacy
    // BRANCH handler may lose the other direction: forget t's other events here.
    std::erase_if(receipts_, [&](const auto& kv) {
      return kv.first.second == t && kv.first.first.code == site.code &&
             kv.first.first.offset == site.offset;
    });
  }

  const Trace& t_;
  const VersionProfile& p_;
  std::map<int, long> toolEpoch_, ownEpoch_;
  long allEpoch_ = 0, restarts_ = 0;
  std::map<std::pair<Site, int>, Stamp> receipts_, disabled_;
  std::vector<std::pair<size_t, std::pair<int, Site>>> disables_;
  std::map<size_t, Site> probeSite_;  // delivery record -> its occurrence's site
  Violations out_;
};

// 4. Frame entries and exits, and handled exceptions, per code object (§3.8:
// start == return + unwind, raise == handled + unwind), in the probe's stream.
void checkBalanced(const Trace& t, const std::vector<Occurrence>& occs, Violations& out) {
  // PY_THROW too: an exception thrown into a generator (or down an await chain) can
  // be handled in that frame with no RAISE of its own (found by monsim fuzz).
  static const std::set<Event> kRaised{Event::Raise, Event::Reraise, Event::StopIteration,
                                       Event::PyThrow};
  struct Count {
    int entries = 0, exits = 0, raised = 0, handled = 0;
    size_t last = 0;
    bool reported = false;
  };
  std::map<std::string, Count> codes;
  std::vector<const Occurrence*> byRecord;
  for (const Occurrence& o : occs) byRecord.push_back(&o);
  std::sort(byRecord.begin(), byRecord.end(),
            [](auto* a, auto* b) { return a->record < b->record; });
  for (const Occurrence* o : byRecord) {
    Count& c = codes[o->site.code];
    const Event e = o->site.event;
    c.last = o->record;
    c.entries += isFrameEntry(e);
    // A callback raising at PY_RETURN/PY_YIELD: the frame does not leave (§9.6).
    c.exits += isFrameExit(e) && (e == Event::PyUnwind || o->cut < 0);
    // A callback's exception replaces the one in flight and may be handled again
    // without a RAISE of its own (EXCEPTION_HANDLED returning DISABLE on 3.12–3.14).
    c.raised += kRaised.count(e) + (o->cut >= 0);
    c.handled += e == Event::ExceptionHandled;
    if (c.reported) continue;
    if (c.exits > c.entries) {
      c.reported = true;
      out.push_back({Invariant::Balanced, o->record,
                     std::string(eventName(e)) + " in " + o->site.code + ": " +
                         std::to_string(c.exits) +
                         " frame exits (PY_RETURN/PY_YIELD/PY_UNWIND) but only " +
                         std::to_string(c.entries) +
                         " entries (PY_START/PY_RESUME/PY_THROW) so far"});
    } else if (c.handled > c.raised) {
      c.reported = true;
      out.push_back(
          {Invariant::Balanced, o->record,
           "EXCEPTION_HANDLED in " + o->site.code + " number " +
               std::to_string(c.handled) + ", but only " + std::to_string(c.raised) +
               " RAISE/RERAISE/STOP_ITERATION/PY_THROW in that code object so far"});
    }
  }
  if (t.truncated) return;
  for (const auto& [code, c] : codes) {
    if (c.reported || c.entries == c.exits) continue;
    out.push_back({Invariant::Balanced, c.last,
                   code + ": " + std::to_string(c.entries) +
                       " frame entries (PY_START/PY_RESUME/PY_THROW) but " +
                       std::to_string(c.exits) +
                       " exits (PY_RETURN/PY_YIELD/PY_UNWIND) by the end of the run"});
  }
}

// §9.5: whatever a callback (or a trace or profile function) runs reports nothing; only
// C API fires are delivered inside callbacks (§13.4).
void checkQuietCallbacks(const std::vector<TraceRecord>& records, size_t top, bool inside,
                         Violations& out) {
  for (size_t i = 0; i < records.size(); ++i) {
    const TraceRecord& r = records[i];
    const size_t at = inside ? top : i;
    if (inside && r.kind == RecordKind::Event && !r.capi)
      out.push_back({Invariant::QuietCallbacks, at,
                     std::string(eventName(r.event)) + " in " + r.code + " at offset " +
                         std::to_string(r.offset) +
                         " was reported to the probe while a callback ran"});
    if (r.kind == RecordKind::Delivery && !r.calls.empty())
      checkQuietCallbacks(r.calls, at, true, out);
  }
}

}  // namespace

std::vector<InvariantViolation> checkInvariants(const Trace& on) {
  Violations out;
  if (on.probeTool < 0) return out;
  const auto v = parseVersion(on.interpreter.version);
  const std::vector<ObservedDelivery> ds = associateDeliveries(on);
  const std::vector<Occurrence> occs = occurrencesOf(on, ds, v ? &profile(*v) : nullptr);
  checkFireOnce(occs, out);
  // Sites and frames: C API fires have neither (their states are not sites).
  std::vector<Occurrence> interpreter;
  std::copy_if(occs.begin(), occs.end(), std::back_inserter(interpreter),
               [](const Occurrence& o) { return !o.capi; });
  if (v) {
    Violations walk = DisableWalk(on, *v).run(interpreter);
    out.insert(out.end(), walk.begin(), walk.end());
  }
  checkBalanced(on, interpreter, out);
  checkQuietCallbacks(on.records, 0, false, out);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.record != kNoRecord && (b.record == kNoRecord || a.record < b.record);
  });
  return out;
}

}  // namespace monsim::harness
