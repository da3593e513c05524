// FileCheck-style checking of a scenario's `expect` (spec/SCENARIO-FORMAT.md
// §Expectations). Every failure names the expectation's file:line:col, the position in
// the delivery stream and the deliveries around it, so a reader needs no debugger.
#include "check/expect.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "model/equivalence.h"

namespace monsim::harness {
namespace {

constexpr std::string_view kRaise = "RAISE";
constexpr std::string_view kStopIterationEvent = "STOP_ITERATION";
constexpr int kContext = 2;  // neighbouring deliveries shown on each side

// The format of SourceLoc::str(), kept here so the checker links without the loader.
std::string where(const SourceLoc& l) {
  return l.file + ":" + std::to_string(l.line) + ":" + std::to_string(l.col);
}

const SourceLoc& blame(const SourceLoc& first, const SourceLoc& fallback) {
  return (!first.file.empty() || first.line > 0) ? first : fallback;
}

// A STOP_ITERATION delivery is a RAISE of StopIteration, whatever its exc field says.
std::string_view excOf(const SeenDelivery& d) {
  return d.eventText() == kStopIterationEvent ? kStopIteration : std::string_view(d.exc);
}

bool eventMatches(const DeliveryPattern& p, const SeenDelivery& d) {
  if (*p.event == d.eventText()) return true;
  if (*p.event == kStopIterationEvent)
    return d.eventText() == kRaise && d.exc == kStopIteration;
  if (*p.event == kRaise)
    return d.eventText() == kStopIterationEvent && p.exc == kStopIteration;
  return false;
}

bool inEventScope(const std::vector<std::string>& events, const SeenDelivery& d) {
  if (events.empty()) return true;
  return std::ranges::any_of(events, [&](const std::string& e) {
    return e == d.eventText() || (e == kRaise && d.eventText() == kStopIterationEvent) ||
           (e == kStopIterationEvent && d.eventText() == kRaise &&
            d.exc == kStopIteration);
  });
}

std::string patternText(const DeliveryPattern& p) {
  std::string out;
  auto field = [&](std::string_view key, const std::string& value) {
    out += out.empty() ? "{" : ", ";
    out += std::string(key) + ": " + value;
  };
  if (p.tool && isHookTool(*p.tool))
    field("hook", std::string(hookName(*p.tool)));
  else if (p.tool)
    field("tool", std::to_string(*p.tool));
  if (p.legacy) field("event", std::string(legacyEventName(*p.legacy)));
  if (p.traceFunction) field("trace_function", *p.traceFunction);
  if (p.event) field("event", *p.event);
  if (p.function) field("function", *p.function);
  if (p.line) field("line", std::to_string(*p.line));
  if (p.relLine) field("line", "+" + std::to_string(*p.relLine));
  if (p.exc) field("exc", *p.exc);
  if (p.callable) field("callable", "\"" + *p.callable + "\"");
  if (p.arg0) field("arg0", "\"" + *p.arg0 + "\"");
  if (p.value) field("value", "\"" + *p.value + "\"");
  if (p.result) field("result", *p.result);
  return out.empty() ? "{}" : out + "}";
}

bool isBigInt(const nlohmann::json& v) {
  return v.is_object() && v.contains("$") && v["$"] == "int";
}

// An integer beyond 64 bits: no JSON number holds it, so only its repr compares.
bool hasBigInt(const nlohmann::json& v) {
  if (isBigInt(v)) return true;
  if (v.is_structured())
    for (const auto& x : v)
      if (hasBigInt(x)) return true;
  return false;
}

// Python's repr() of a plain JSON value, for steps whose result is only known as a repr.
std::string pyRepr(const nlohmann::json& v) {
  if (v.is_null()) return "None";
  if (isBigInt(v)) return v.value("value", "?");
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    const bool dq = s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
    const char q = dq ? '"' : '\'';
    std::string out(1, q);
    for (const unsigned char c : s) {
      if (c == '\\' || c == q) {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c < 0x20 || c == 0x7f) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
    return out + q;
  }
  if (v.is_array() || v.is_object()) {
    std::string out = v.is_array() ? "[" : "{";
    bool first = true;
    for (const auto& [key, item] : v.items()) {
      if (!first) out += ", ";
      first = false;
      if (v.is_object()) out += pyRepr(key) + ": ";
      out += pyRepr(item);
    }
    return out + (v.is_array() ? "]" : "}");
  }
  return v.dump();  // numbers print the same in JSON and Python
}

// Maximum bipartite matching of a group's patterns to deliveries added one at a time
// (Kuhn's augmenting paths): a greedy assignment can reject a valid permutation.
class GroupMatcher {
 public:
  GroupMatcher(const std::vector<DeliveryPattern>& patterns,
               const std::vector<SeenDelivery>& all)
      : patterns_(patterns), all_(all), slotOf_(patterns.size(), -1) {}

  void add(int delivery) {
    deliveries_.push_back(delivery);
    patternOf_.push_back(-1);
    for (size_t p = 0; p < patterns_.size(); ++p) {
      if (slotOf_[p] != -1) continue;
      visited_.assign(deliveries_.size(), false);
      if (augment(static_cast<int>(p))) break;  // one new delivery adds at most one pair
    }
  }
  bool complete() const { return firstUnmatchedPattern() == -1; }
  int firstUnmatchedPattern() const {
    const auto it = std::ranges::find(slotOf_, -1);
    return it == slotOf_.end() ? -1 : static_cast<int>(it - slotOf_.begin());
  }
  // The first added delivery no pattern took, or -1.
  int firstUnmatchedDelivery() const {
    for (size_t s = 0; s < deliveries_.size(); ++s) {
      if (patternOf_[s] == -1) return deliveries_[s];
    }
    return -1;
  }

 private:
  bool augment(int p) {
    for (size_t s = 0; s < deliveries_.size(); ++s) {
      if (visited_[s] || !matches(patterns_[p], all_[deliveries_[s]])) continue;
      visited_[s] = true;
      if (patternOf_[s] == -1 || augment(patternOf_[s])) {
        patternOf_[s] = p;
        slotOf_[p] = static_cast<int>(s);
        return true;
      }
    }
    return false;
  }

  const std::vector<DeliveryPattern>& patterns_;
  const std::vector<SeenDelivery>& all_;
  std::vector<int> deliveries_;  // slot -> index into all_
  std::vector<int> patternOf_;   // slot -> pattern, or -1
  std::vector<int> slotOf_;      // pattern -> slot, or -1
  std::vector<bool> visited_;
};

class Checker {
 public:
  Checker(const Expect& e, const std::vector<int>& tools,
          const std::vector<SeenDelivery>& all)
      : e_(e), all_(all) {
    const auto& scopeTools = e.scopeTools.empty() ? tools : e.scopeTools;
    for (size_t i = 0; i < all.size(); ++i) {
      const bool inScope =
          isHookTool(all[i].tool)
              ? e.scopeHooks.empty() ||
                    std::ranges::find(e.scopeHooks, all[i].tool) != e.scopeHooks.end()
              : std::ranges::find(scopeTools, all[i].tool) != scopeTools.end() &&
                    inEventScope(e.scopeEvents, all[i]);
      inScope_.push_back(inScope);
      if (inScope) scoped_.push_back(static_cast<int>(i));
    }
  }

  void exact() {
    size_t pos = 0;  // into scoped_
    for (const auto& item : e_.deliveries) {
      if (!item.isGroup) {
        const auto& p = item.unordered.front();
        const auto& loc = blame(p.loc, item.loc);
        if (pos == scoped_.size()) {
          return fail(loc, "expected " + patternText(p) + " but the stream ended", end());
        }
        const int i = scoped_[pos];
        if (!matches(p, all_[i])) {
          return fail(loc,
                      "expected " + patternText(p) + " but got " + at(i) + relative(p, i),
                      i);
        }
        ++pos;
        continue;
      }
      GroupMatcher m(item.unordered, all_);
      const size_t stop = std::min(scoped_.size(), pos + item.unordered.size());
      for (size_t k = pos; k < stop; ++k) m.add(scoped_[k]);
      if (!m.complete()) {
        const auto& p = item.unordered[m.firstUnmatchedPattern()];
        const std::string what =
            "expected " + patternText(p) + " (" + groupText(item) + ")";
        const int got = m.firstUnmatchedDelivery();
        if (got == -1)
          return fail(blame(p.loc, item.loc), what + " but the stream ended", end());
        return fail(blame(p.loc, item.loc), what + " but got " + at(got), got);
      }
      pos = stop;
    }
    if (pos < scoped_.size() && !e_.deliveries.empty()) {
      const int i = scoped_[pos];
      fail(blame(e_.deliveries.back().loc, e_.loc),
           "unexpected extra delivery " + all_[i].text() + " at delivery #" +
               std::to_string(i) + " after the last expectation",
           i);
    }
  }

  void contains() {
    size_t pos = 0;
    int anchor = -1;  // the last delivery matched so far
    for (const auto& item : e_.deliveries) {
      if (!item.isGroup) {
        const auto& p = item.unordered.front();
        const auto hit = std::find_if(scoped_.begin() + pos, scoped_.end(),
                                      [&](int i) { return matches(p, all_[i]); });
        if (hit == scoped_.end()) {
          return notFound(p, blame(p.loc, item.loc), patternText(p), anchor);
        }
        pos = static_cast<size_t>(hit - scoped_.begin()) + 1;
        anchor = *hit;
        continue;
      }
      GroupMatcher m(item.unordered, all_);
      while (pos < scoped_.size() && !m.complete()) {
        const int i = scoped_[pos++];
        // Deliveries no pattern matches cannot change the assignment.
        if (std::ranges::any_of(item.unordered,
                                [&](const auto& p) { return matches(p, all_[i]); })) {
          m.add(i);
        }
      }
      if (!m.complete()) {
        const auto& p = item.unordered[m.firstUnmatchedPattern()];
        return notFound(p, blame(p.loc, item.loc),
                        patternText(p) + " (" + groupText(item) + ")", anchor);
      }
      anchor = scoped_[pos - 1];
    }
  }

  void absent() {
    for (const auto& p : e_.absent) {
      std::vector<int> hits;
      for (size_t i = 0; i < all_.size(); ++i) {
        if (matches(p, all_[i])) hits.push_back(static_cast<int>(i));
      }
      if (hits.empty()) continue;
      std::string more;
      if (hits.size() > 1) more = " (and " + std::to_string(hits.size() - 1) + " more)";
      fail(blame(p.loc, e_.loc),
           "delivery #" + std::to_string(hits[0]) + " " + all_[hits[0]].text() +
               " matches absent pattern " + patternText(p) + more,
           hits[0], /*markScope=*/false);
    }
  }

  void steps(const std::vector<SeenStep>& seen, PyVersion v) {
    for (const auto& x : e_.steps) {
      // `{$: events}` is the mask on the version checked, as the oracle computes it.
      const std::optional<nlohmann::json> want =
          x.result ? std::optional(resolveEventsMarkers(*x.result, v)) : std::nullopt;
      const auto it = std::ranges::find(seen, x.step, &SeenStep::step);
      const std::string name = "step " + std::to_string(x.step);
      if (it == seen.end()) {
        add(x.loc, name + " did not run");
        continue;
      }
      const SeenStep& s = *it;
      const std::string raisedText = s.raised ? *s.raised + ": " + s.message : "";
      const std::string returnedText =
          s.result ? s.result->json.dump() : (s.resultRepr.empty() ? "?" : s.resultRepr);
      if (x.raises || x.message) {
        const std::string type = x.raises.value_or("an exception");
        if (!s.raised) {
          add(x.loc, name + ": expected it to raise " + type + " but it returned " +
                         returnedText);
        } else if (x.raises && *s.raised != *x.raises) {
          add(x.loc,
              name + ": expected it to raise " + type + " but it raised " + raisedText);
        } else if (x.message && s.message != *x.message) {
          add(x.loc, name + ": expected message \"" + *x.message + "\" but " + *s.raised +
                         " said \"" + s.message + "\"");
        }
        continue;
      }
      if (s.raised) {
        add(x.loc, name + ": expected it to return" +
                       (want ? " " + want->dump() : std::string()) + " but it raised " +
                       raisedText);
        continue;
      }
      if (!want) continue;
      if (s.result && !hasBigInt(*want)) {
        if (s.result->json != *want) {
          add(x.loc, name + ": expected result " + want->dump() + " but got " +
                         s.result->json.dump());
        }
      } else if (pyRepr(*want) != s.resultRepr) {
        add(x.loc, name + ": expected result " + pyRepr(*want) + " (repr) but got " +
                       (s.resultRepr.empty() ? "no repr" : s.resultRepr));
      }
    }
  }

  std::vector<ExpectFailure> take() { return std::move(out_); }

 private:
  int end() const { return static_cast<int>(all_.size()); }

  std::string at(int i) const {
    return all_[i].text() + " at delivery #" + std::to_string(i);
  }

  // Spares the reader the subtraction when a "+N" pattern missed.
  std::string relative(const DeliveryPattern& p, int i) const {
    const auto& x = all_[i];
    if (!p.relLine || !x.line) return "";
    return " (line +" + std::to_string(*x.line - x.firstLine) + ")";
  }

  static std::string groupText(const ExpectItem& item) {
    return "one of an unordered group of " + std::to_string(item.unordered.size()) +
           " at " + where(item.loc);
  }

  void notFound(const DeliveryPattern& p, const SourceLoc& loc, const std::string& what,
                int anchor) {
    std::string msg = "expected " + what;
    msg += anchor == -1 ? " from the start of the stream"
                        : " after delivery #" + std::to_string(anchor) + " (" +
                              all_[anchor].text() + ")";
    msg += ", not found";
    // Like FileCheck's "possible intended match": an earlier hit means the order is off.
    const auto earlier = std::ranges::find_if(
        scoped_, [&](int i) { return i <= anchor && matches(p, all_[i]); });
    if (earlier != scoped_.end()) {
      msg += "; it matches delivery #" + std::to_string(*earlier) + " (" +
             all_[*earlier].text() + "), before the previous expectation";
    }
    // Only a group can get here with a later hit: its other patterns used the deliveries.
    const auto later = std::ranges::find_if(
        scoped_, [&](int i) { return i > anchor && matches(p, all_[i]); });
    if (later != scoped_.end()) {
      msg += "; the deliveries it matches (first #" + std::to_string(*later) +
             ") are all taken by the other patterns of its group";
    }
    fail(loc, msg, anchor == -1 ? 0 : anchor);
  }

  void add(const SourceLoc& loc, const std::string& message) {
    out_.push_back({loc, where(loc) + ": " + message});
  }

  // `focus` == all_.size() points just past the last delivery.
  void fail(const SourceLoc& loc, const std::string& message, int focus,
            bool markScope = true) {
    std::string msg = where(loc) + ": " + message;
    if (!all_.empty()) msg += "\n  deliveries around #" + std::to_string(focus) + ":";
    const int from = std::max(0, focus - kContext);
    const int to = std::min(end() - 1, focus + kContext);
    for (int i = from; i <= to; ++i) {
      msg += std::string("\n  ") + (i == focus ? "> #" : "  #") + std::to_string(i) +
             " " + all_[i].text();
      if (markScope && !inScope_[i]) msg += "  (not in scope)";
    }
    if (all_.empty()) {
      msg += "\n  (no deliveries at all)";
    } else if (focus == end()) {
      msg += "\n  > <end of stream>";
    }
    out_.push_back({loc, std::move(msg)});
  }

  const Expect& e_;
  const std::vector<SeenDelivery>& all_;
  std::vector<int> scoped_;  // indices into all_, in order
  std::vector<bool> inScope_;
  std::vector<ExpectFailure> out_;
};

}  // namespace

std::string SeenDelivery::text() const {
  std::string out =
      legacy ? std::string(hookName(tool)) + " " + std::string(legacyEventName(*legacy)) +
                   " (" + hookFunction + ")"
             : "tool " + std::to_string(tool) + " " + std::string(eventText());
  const std::string& name = function.empty() ? code : function;
  if (!name.empty()) out += " " + name;
  if (line) out += (name.empty() ? " line " : ":") + std::to_string(*line);
  if (!exc.empty()) out += " " + exc;
  if (!callable.empty()) out += " " + callable;
  if (!arg0.empty()) out += " arg0=" + arg0;
  if (!value.empty()) out += " value=" + value;
  out += " -> " + std::string(resultText());
  return out;
}

bool matches(const DeliveryPattern& p, const SeenDelivery& d) {
  if (p.tool && *p.tool != d.tool) return false;
  if (p.legacy && d.legacy != p.legacy) return false;
  if (p.traceFunction) {
    const size_t colon = d.hookFunction.find(':');
    if (colon == std::string::npos ||
        d.hookFunction.substr(colon + 1) != *p.traceFunction)
      return false;
  }
  if (p.event && !eventMatches(p, d)) return false;
  if (p.function && *p.function != d.function) return false;
  if (p.line && d.line != *p.line) return false;
  if (p.relLine && (!d.line || *d.line - d.firstLine != *p.relLine)) return false;
  if (p.exc && *p.exc != excOf(d)) return false;
  if (p.callable && d.callable.find(*p.callable) == std::string::npos) return false;
  if (p.arg0 && *p.arg0 != d.arg0) return false;
  if (p.value && *p.value != d.value) return false;
  if (p.result && *p.result != d.resultText()) return false;
  return true;
}

std::vector<ExpectFailure> checkExpect(const Expect& e, const std::vector<int>& tools,
                                       const std::vector<SeenDelivery>& deliveries,
                                       const std::vector<SeenStep>& steps, PyVersion v) {
  if (!e.present) return {};
  Checker c(e, tools, deliveries);
  // An empty `deliveries` list leaves the stream unchecked (`absent` says "nothing").
  if (e.mode == MatchMode::Exact) {
    c.exact();
  } else {
    c.contains();
  }
  c.absent();
  c.steps(steps, v);
  return c.take();
}

}  // namespace monsim::harness
