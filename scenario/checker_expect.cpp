// `expect`: scope, delivery patterns, unordered groups, absent patterns, steps.
#include "scenario/checker_impl.h"

namespace monsim::harness::checker {

namespace {

const Keys kPatternKeys = {"tool",  "hook",   "event",         "function",
                           "line",  "exc",    "callable",      "arg0",
                           "value", "result", "trace_function"};
const Keys kHooks = {hookName(kTraceTool), hookName(kProfileTool)};
const Keys kResults = {"returned", "disable", "raised"};

// "+N" -> N (at most 6 digits).
std::optional<int> relativeLine(std::string_view s) {
  if (s.size() < 2 || s.size() > 7 || s[0] != '+') return std::nullopt;
  int n = 0;
  for (const char c : s.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

void Checker::expect(const Field& f, Expect& e) {
  const std::string what = "'" + f.keyNode.Scalar() + "'";
  const auto m = r_.mapping(f.value, f.valueMark(), what,
                            {"match", "scope", "deliveries", "absent", "steps"});
  if (!m) return;
  e.present = true;
  e.loc = r_.loc(f.keyNode);
  if (const Field* x = m->find("match")) {
    if (auto mode = r_.string(x->value, x->valueMark(), "'match'")) {
      if (*mode == "contains")
        e.mode = MatchMode::Contains;
      else if (*mode != "exact")
        r_.error(x->valueMark(), "'match' must be exact or contains");
    }
  }
  if (const Field* x = m->find("scope")) {
    if (const auto sc = r_.mapping(x->value, x->valueMark(), "'scope'",
                                   {"tools", "events", "hooks"})) {
      if (const Field* h = sc->find("hooks");
          h && r_.sequence(h->value, h->valueMark(), "'hooks'"))
        for (const auto& item : h->value) {
          const auto name = r_.string(item, item.Mark(), "a hook");
          if (name && !contains(kHooks, *name))
            r_.error(item.Mark(), "a hook is trace or profile");
          else if (name)
            e.scopeHooks.push_back(*hookNamed(*name));
        }
      if (const Field* t = sc->find("tools");
          t && r_.sequence(t->value, t->valueMark(), "'tools'"))
        for (const auto& item : t->value)
          if (auto id = smallInt(item, item.Mark(), "a tool id", 0, 5))
            e.scopeTools.push_back(*id);
      if (const Field* ev = sc->find("events"))
        e.scopeEvents = eventList(ev->value, ev->valueMark(), "'events'");
    }
  }
  if (const Field* x = m->find("deliveries");
      x && r_.sequence(x->value, x->valueMark(), "'deliveries'")) {
    for (const auto& item : x->value) {
      ExpectItem it;
      it.loc = r_.loc(item);
      if (rawKeys(item).count("unordered")) {
        it.isGroup = true;
        const auto g = r_.mapping(item, item.Mark(), "an unordered group", {"unordered"});
        const Field* u = g ? g->find("unordered") : nullptr;
        if (!u || !r_.sequence(u->value, u->valueMark(), "'unordered'")) continue;
        if (u->value.size() == 0)
          r_.error(u->valueMark(), "an unordered group needs a pattern");
        for (const auto& p : u->value)
          if (auto pat = pattern(p, p.Mark())) it.unordered.push_back(std::move(*pat));
      } else if (auto pat = pattern(item, item.Mark())) {
        it.unordered.push_back(std::move(*pat));
      }
      e.deliveries.push_back(std::move(it));
    }
  }
  if (const Field* x = m->find("absent");
      x && r_.sequence(x->value, x->valueMark(), "'absent'"))
    for (const auto& item : x->value)
      if (auto pat = pattern(item, item.Mark())) e.absent.push_back(std::move(*pat));
  if (const Field* x = m->find("steps");
      x && r_.sequence(x->value, x->valueMark(), "'steps'"))
    for (const auto& item : x->value)
      if (auto st = stepExpect(item)) e.steps.push_back(std::move(*st));
}

std::optional<DeliveryPattern> Checker::pattern(const YAML::Node& n,
                                                const YAML::Mark& at) {
  const auto m = r_.mapping(n, at, "a delivery pattern", kPatternKeys);
  if (!m) return std::nullopt;
  DeliveryPattern p;
  p.loc = r_.loc(at);
  if (const Field* f = m->find("tool"))
    p.tool = smallInt(f->value, f->valueMark(), "'tool'", 0, 5);
  const spec::EventRow* row = nullptr;
  const Field* hook = m->find("hook");
  if (hook) {
    // A trace or profile function's call: `event` is a trace event (behaviour §12).
    const auto name = r_.string(hook->value, hook->valueMark(), "'hook'");
    if (name && !contains(kHooks, *name))
      r_.error(hook->valueMark(), "'hook' must be trace or profile");
    else if (name)
      p.tool = hookNamed(*name);
    if (const Field* t = m->find("tool"))
      r_.error(t->keyNode, "'tool' and 'hook' are exclusive");
    if (const Field* f = m->find("event")) {
      const auto ev = r_.string(f->value, f->valueMark(), "'event'");
      if (ev) p.legacy = legacyEventNamed(*ev);
      if (ev && !p.legacy) {
        Keys names;
        for (const auto e : spec::kLegacyEventNames) names.push_back(e);
        r_.error(f->valueMark(),
                 withHint("unknown trace event " + inQuotes(*ev), *ev, names));
      }
    }
    if (const Field* f = m->find("trace_function")) {
      p.traceFunction = r_.string(f->value, f->valueMark(), "'trace_function'");
      if (p.traceFunction && !traceNames_.count(*p.traceFunction))
        r_.error(f->valueMark(), "unknown trace function " + inQuotes(*p.traceFunction));
    }
  } else if (const Field* f = m->find("trace_function")) {
    r_.error(f->keyNode, "'trace_function' needs 'hook'");
  }
  if (const Field* f = m->find("event"); f && !hook) {
    p.event = r_.string(f->value, f->valueMark(), "'event'");
    if (p.event && event(f->valueMark(), *p.event)) row = eventRow(*p.event);
  }
  if (const Field* f = m->find("function")) {
    p.function = r_.string(f->value, f->valueMark(), "'function'");
    if (p.function) function(f->valueMark(), *p.function);
  }
  if (const Field* f = m->find("line")) {
    const auto sc =
        f->value.IsScalar() ? r_.scalar(f->value, f->valueMark()) : std::nullopt;
    if (sc && sc->type == yaml::Scalar::Type::Int && sc->i >= 1 && sc->i < (1 << 30))
      p.line = static_cast<int>(sc->i);
    else if (sc && sc->type == yaml::Scalar::Type::String && relativeLine(sc->s))
      p.relLine = relativeLine(sc->s);
    else
      r_.error(f->valueMark(),
               "'line' must be a line number or \"+N\" (N lines after the def)");
  }
  if (const Field* f = m->find("exc")) {
    p.exc = r_.string(f->value, f->valueMark(), "'exc'");
    if (row && !hasArg(*row, spec::Arg::Exception))
      r_.error(f->keyNode, "'exc' never matches: " + std::string(row->name) +
                               " carries no exception");
  }
  if (const Field* f = m->find("callable")) {
    p.callable = r_.string(f->value, f->valueMark(), "'callable'");
    if (row && !hasArg(*row, spec::Arg::Callable))
      r_.error(f->keyNode, "'callable' never matches: " + std::string(row->name) +
                               " carries no callable");
  }
  if (const Field* f = m->find("arg0")) {
    p.arg0 = r_.string(f->value, f->valueMark(), "'arg0'");
    if (row && !hasArg(*row, spec::Arg::Arg0))
      r_.error(f->keyNode,
               "'arg0' never matches: " + std::string(row->name) + " carries no arg0");
  }
  if (const Field* f = m->find("value")) {
    p.value = r_.string(f->value, f->valueMark(), "'value'");
    if (row && !hasArg(*row, spec::Arg::Retval))
      r_.error(f->keyNode,
               "'value' never matches: " + std::string(row->name) + " carries no value");
  }
  if (const Field* f = m->find("result")) {
    p.result = r_.string(f->value, f->valueMark(), "'result'");
    if (p.result && !contains(kResults, *p.result))
      r_.error(f->valueMark(), "'result' must be one of " + join(kResults));
  }
  return p;
}

std::optional<StepExpect> Checker::stepExpect(const YAML::Node& n) {
  const auto m = r_.mapping(n, n.Mark(), "a step expectation",
                            {"step", "result", "raises", "message"});
  if (!m) return std::nullopt;
  StepExpect st;
  st.loc = r_.loc(n);
  if (const Field* f = r_.require(*m, "step")) {
    if (auto i = smallInt(f->value, f->valueMark(), "'step'", 0)) {
      st.step = *i;
      if (stepCount_ && static_cast<size_t>(*i) >= *stepCount_)
        r_.error(f->valueMark(), "step " + std::to_string(*i) + " does not exist (" +
                                     (script_ ? "'script'" : "'steps'") + " has " +
                                     std::to_string(*stepCount_) + ", counted from 0)");
    }
  }
  const Field* result = m->find("result");
  const Field* raises = m->find("raises");
  if (result && raises) r_.error(raises->keyNode, "'result' and 'raises' are exclusive");
  if (!result && !raises)
    r_.error(m->node(), "a step expectation needs 'result' or 'raises'");
  if (result && literal(result->value, result->valueMark()))
    st.result = yaml::Reader::toJson(result->value);
  if (raises) st.raises = r_.string(raises->value, raises->valueMark(), "'raises'");
  if (const Field* f = m->find("message")) {
    st.message = r_.string(f->value, f->valueMark(), "'message'");
    if (!raises) r_.error(f->keyNode, "'message' needs 'raises'");
  }
  return st;
}

}  // namespace monsim::harness::checker
