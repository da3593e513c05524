// Tools, handlers, callback clauses, actions and literals (markers included).
#include <algorithm>
#include <map>

#include "scenario/checker_impl.h"

namespace monsim::harness::checker {

namespace {

const Keys kToolKeys = {"name", "use", "events", "local", "callbacks", "auto_callbacks"};
const Keys kClauseKeys = {"when", "actions", "return", "raise"};
const Keys kWhenKeys = {"nth", "from_nth", "functions", "lines", "offsets"};
const Keys kTraceWhenKeys = {"nth",   "from_nth", "functions",
                             "lines", "offsets",  "events"};
const Keys kActionKinds = {"call",     "api",        "gen",   "delete",
                           "settrace", "setprofile", "frame", "capi"};
const Keys kFrameAttrs = {"f_trace", "f_trace_lines", "f_trace_opcodes"};
const Keys kGenOps = {"next", "send", "throw", "close", "iterate"};
const Keys kMarkers = {"DISABLE", "MISSING", "events",  "code", "var",
                       "handler", "tuple",   "builtin", "exc",  "trace"};
constexpr int kMaxDepth = 64;  // literals nested deeper are a mistake (or a cycle)

}  // namespace

void Checker::functions(const Field& f) {
  const auto m = r_.mapping(f.value, f.valueMark(), "'functions'", {});
  if (!m) return;
  for (const auto& fn : m->all())
    if (auto line = smallInt(fn.value, fn.valueMark(), "a function's first line", 1))
      s_.scriptFunctions[fn.key] = *line;
}

void Checker::handlers(const Field& f) {
  const auto m = r_.mapping(f.value, f.valueMark(), "'handlers'", {});
  if (!m) return;
  for (const auto& h : m->all())
    if (auto cb = callback(h.value, h.valueMark())) s_.handlers[h.key] = std::move(*cb);
}

void Checker::traceFunctions(const Field& f) {
  const auto m = r_.mapping(f.value, f.valueMark(), "'trace_functions'", {});
  if (!m) return;
  traceClause_ = true;
  for (const auto& h : m->all())
    if (auto cb = callback(h.value, h.valueMark()))
      s_.traceFunctions[h.key] = std::move(*cb);
  traceClause_ = false;
}

std::optional<std::string> Checker::traceName(const YAML::Node& n, const YAML::Mark& at,
                                              bool nullable) {
  if (nullable && n.IsNull()) return std::nullopt;
  const auto name = r_.string(n, at, "a trace function's name");
  if (name && !traceNames_.count(*name)) {
    const Keys known(traceNames_.begin(), traceNames_.end());
    r_.error(at, withHint("unknown trace function " + inQuotes(*name), *name, known));
  }
  return name;
}

void Checker::tools(const Field& f) {
  const auto m = r_.mapping(f.value, f.valueMark(), "'tools'", {});
  if (!m) return;
  for (const auto& t : m->all()) {
    static const Keys kIds = {"0", "1", "2", "3", "4", "5"};
    if (!contains(kIds, t.key)) {
      r_.error(t.keyNode, "tool id " + inQuotes(t.key) + " must be 0 to 5");
      continue;
    }
    if (auto spec = tool(t.key[0] - '0', t)) s_.tools.push_back(std::move(*spec));
  }
  std::sort(s_.tools.begin(), s_.tools.end(),
            [](const ToolSpec& a, const ToolSpec& b) { return a.id < b.id; });
}

std::optional<ToolSpec> Checker::tool(int id, const Field& t) {
  const auto m = r_.mapping(t.value, t.valueMark(), "a tool", kToolKeys);
  if (!m) return std::nullopt;
  ToolSpec spec;
  spec.id = id;
  spec.name = "tool" + std::to_string(id);
  spec.loc = r_.loc(t.keyNode);
  if (const Field* f = m->find("name"))
    if (auto n = r_.string(f->value, f->valueMark(), "'name'")) spec.name = *n;
  if (const Field* f = m->find("use"))
    if (auto b = r_.boolean(f->value, f->valueMark(), "'use'")) spec.use = *b;
  if (const Field* f = m->find("auto_callbacks"))
    if (auto b = r_.boolean(f->value, f->valueMark(), "'auto_callbacks'"))
      spec.autoCallbacks = *b;
  if (const Field* f = m->find("events"))
    spec.events = eventList(f->value, f->valueMark(), "'events'");
  if (const Field* f = m->find("local")) {
    if (const auto local = r_.mapping(f->value, f->valueMark(), "'local'", {})) {
      for (const auto& fn : local->all()) {
        function(fn.keyNode.Mark(), fn.key);
        spec.local[fn.key] = eventList(fn.value, fn.valueMark(), inQuotes(fn.key));
      }
    }
  }
  if (const Field* f = m->find("callbacks")) {
    if (const auto cbs = r_.mapping(f->value, f->valueMark(), "'callbacks'", {})) {
      for (const auto& cb : cbs->all()) {
        event(cb.keyNode.Mark(), cb.key);
        if (auto c = callback(cb.value, cb.valueMark()))
          spec.callbacks[cb.key] = std::move(*c);
      }
    }
  }
  return spec;
}

std::optional<Callback> Checker::callback(const YAML::Node& n, const YAML::Mark& at) {
  Callback out;
  if (n.IsMap()) {
    if (auto c = clause(n, at)) out.push_back(std::move(*c));
    return out;
  }
  if (!n.IsSequence()) {
    r_.error(at, "a callback must be a clause (mapping) or a list of clauses");
    return std::nullopt;
  }
  for (const auto& item : n)
    if (auto c = clause(item, item.Mark())) out.push_back(std::move(*c));
  return out;
}

std::optional<Clause> Checker::clause(const YAML::Node& n, const YAML::Mark& at) {
  const auto m = r_.mapping(n, at, "a callback clause", kClauseKeys);
  if (!m) return std::nullopt;
  Clause c;
  c.loc = r_.loc(at);
  const Field* ret = m->find("return");
  const Field* raise = m->find("raise");
  if (ret && raise) r_.error(raise->keyNode, "'return' and 'raise' are exclusive");
  if (const Field* w = m->find("when"))
    if (const auto wf = r_.mapping(w->value, w->valueMark(), "'when'",
                                   traceClause_ ? kTraceWhenKeys : kWhenKeys))
      c.when = when(*wf);
  if (const Field* f = m->find("actions")) {
    if (r_.sequence(f->value, f->valueMark(), "'actions'"))
      for (const auto& a : f->value)
        if (action(a, a.Mark())) c.actions.push_back(yaml::Reader::toJson(a));
  }
  if (ret) {
    const size_t before = r_.errorCount();
    if (literal(ret->value, ret->valueMark()) && clean(before)) {
      c.returns = yaml::Reader::toJson(ret->value);
      c.returnsDisable = *c.returns == nlohmann::json{{"$", "DISABLE"}};
    }
  }
  if (raise) {
    const size_t before = r_.errorCount();
    if (const auto rf =
            r_.mapping(raise->value, raise->valueMark(), "'raise'", {"type", "args"})) {
      if (const Field* t = r_.require(*rf, "type"))
        r_.string(t->value, t->valueMark(), "'type'");
      if (const Field* a = rf->find("args"))
        if (r_.sequence(a->value, a->valueMark(), "'args'"))
          literal(a->value, a->valueMark());
      if (clean(before)) c.raise = yaml::Reader::toJson(raise->value);
    }
  }
  return c;
}

When Checker::when(const Fields& f) {
  When w;
  if (const Field* n = f.find("nth")) w.nth = intOrList(*n, 1);
  if (const Field* n = f.find("from_nth"))
    w.fromNth = smallInt(n->value, n->valueMark(), "'from_nth'", 1);
  if (const Field* n = f.find("functions")) {
    w.functions = strings(n->value, n->valueMark(), "'functions'");
    if (n->value.IsSequence())
      for (const auto& item : n->value)
        if (item.IsScalar()) function(item.Mark(), item.Scalar());
  }
  if (const Field* n = f.find("lines")) w.lines = intOrList(*n, 1);
  if (const Field* n = f.find("offsets")) w.offsets = intOrList(*n, 0);
  if (const Field* n = f.find("events")) {
    w.events = strings(n->value, n->valueMark(), "'events'");
    if (n->value.IsSequence())
      for (const auto& item : n->value)
        if (item.IsScalar() && !legacyEventNamed(item.Scalar())) {
          Keys names;
          for (const auto e : spec::kLegacyEventNames) names.push_back(e);
          r_.error(item.Mark(), withHint("unknown trace event " + inQuotes(item.Scalar()),
                                         item.Scalar(), names));
        }
  }
  return w;
}

bool Checker::action(const YAML::Node& n, const YAML::Mark& at) {
  const size_t before = r_.errorCount();
  const auto kind = kindOf(n, at, kActionKinds, "an action");
  if (!kind) return false;
  static const std::map<std::string, Keys> kAllowed = {
      {"call", {"call", "args", "kwargs", "store"}},
      {"api", {"api", "args", "kwargs"}},
      {"gen", {"gen", "op", "value", "store"}},
      {"delete", {"delete"}},
      {"settrace", {"settrace"}},
      {"setprofile", {"setprofile"}},
      {"frame", {"frame"}},
      {"capi",
       {"capi", "codelike", "events", "event", "index", "offset", "value", "callable",
        "arg0", "line", "target", "exc"}}};
  const auto m = r_.mapping(n, at, "an action", kAllowed.at(*kind));
  if (!m) return false;
  const Field& k = *m->find(*kind);
  const bool hookAction =
      *kind == "settrace" || *kind == "setprofile" || *kind == "frame";
  if (script_ && hookAction)
    r_.error(k.keyNode, "a script scenario has no program: its actions are 'api' calls");
  if (*kind == "capi") {
    capiAction(*m, k);
    return clean(before);
  }
  if (*kind == "settrace" || *kind == "setprofile") {
    traceName(k.value, k.valueMark(), true);
    // An implementation may have one hook and not the other (Brython: no setprofile).
    if (std::find(s_.requires_.begin(), s_.requires_.end(), *kind) == s_.requires_.end())
      s_.requires_.push_back(*kind);
    return clean(before);
  }
  if (*kind == "frame") {
    if (const auto fm = r_.mapping(k.value, k.valueMark(), "'frame'", kFrameAttrs)) {
      if (fm->all().empty()) r_.error(k.valueMark(), "'frame' names no attribute");
      if (const Field* t = fm->find("f_trace")) traceName(t->value, t->valueMark(), true);
      for (const char* attr : {"f_trace_lines", "f_trace_opcodes"})
        if (const Field* b = fm->find(attr))
          r_.boolean(b->value, b->valueMark(), inQuotes(attr));
    }
    return clean(before);
  }
  const auto target = r_.string(k.value, k.valueMark(), inQuotes(*kind));
  if (script_ && *kind != "api")
    r_.error(k.keyNode, "a script scenario has no program: its actions are 'api' calls");
  if (*kind == "api") s_.usesMonitoring = true;
  if (*kind == "api" && target && !contains(apiNames(), *target))
    r_.error(k.valueMark(),
             withHint("unknown API function " + inQuotes(*target), *target, apiNames()));
  if (*kind == "gen") {
    if (const Field* op = r_.require(*m, "op")) {
      const auto o = r_.string(op->value, op->valueMark(), "'op'");
      if (o && !contains(kGenOps, *o))
        r_.error(op->valueMark(), "'op' must be one of " + join(kGenOps));
      if (const Field* v = m->find("value"); v && o && *o != "send" && *o != "throw")
        r_.error(v->keyNode, "'value' is only for op send or throw");
    }
  }
  if (const Field* a = m->find("args"))
    if (r_.sequence(a->value, a->valueMark(), "'args'"))
      literal(a->value, a->valueMark());
  if (const Field* kw = m->find("kwargs"))
    if (const auto kf = r_.mapping(kw->value, kw->valueMark(), "'kwargs'", {}))
      for (const auto& x : kf->all()) literal(x.value, x.valueMark());
  if (const Field* v = m->find("value")) literal(v->value, v->valueMark());
  if (const Field* s = m->find("store")) r_.string(s->value, s->valueMark(), "'store'");
  return clean(before);
}

bool Checker::literal(const YAML::Node& n, const YAML::Mark& at, int depth) {
  const size_t before = r_.errorCount();
  if (++literalNodes_ == kMaxLiteralNodes)
    r_.error(at, "too many values (aliases expanding?)");
  if (literalNodes_ >= kMaxLiteralNodes) return false;
  if (n.IsScalar()) {
    r_.scalar(n, at, /*bigInts=*/true);  // Python takes any int; the API says if not
  } else if ((n.IsSequence() || n.IsMap()) && depth >= kMaxDepth) {
    r_.error(at, "values nested too deeply");
  } else if (n.IsSequence()) {
    for (const auto& x : n) literal(x, x.Mark(), depth + 1);
  } else if (n.IsMap()) {
    if (rawKeys(n).count("$")) {
      marker(n, at, depth);
    } else if (const auto m = r_.mapping(n, at, "a value", {})) {
      for (const auto& f : m->all()) literal(f.value, f.valueMark(), depth + 1);
    }
  }
  return clean(before);
}

void Checker::marker(const YAML::Node& n, const YAML::Mark& at, int depth) {
  const YAML::Node dollar = rawValue(n, "$");
  const auto kind = r_.string(dollar, dollar.Mark(), "a marker's '$'");
  if (!kind) return;
  if (!contains(kMarkers, *kind)) {
    r_.error(dollar,
             withHint("unknown marker " + inQuotes(*kind), *kind, kMarkers, true));
    return;
  }
  static const std::map<std::string, std::pair<Keys, Keys>> kKeys = {
      // required, optional
      {"DISABLE", {{}, {}}},         {"MISSING", {{}, {}}},
      {"events", {{"names"}, {}}},   {"code", {{}, {"of", "id"}}},
      {"var", {{"name"}, {}}},       {"handler", {{"name"}, {}}},
      {"tuple", {{"items"}, {}}},    {"builtin", {{"name"}, {}}},
      {"exc", {{"type"}, {"args"}}}, {"trace", {{"name"}, {}}}};
  const auto& [required, optionalKeys] = kKeys.at(*kind);
  Keys allowed = {"$"};
  allowed.insert(allowed.end(), required.begin(), required.end());
  allowed.insert(allowed.end(), optionalKeys.begin(), optionalKeys.end());
  const auto m = r_.mapping(n, at, "a marker", allowed);
  if (!m) return;
  for (const auto k : required) r_.require(*m, k);
  if (*kind == "events") {
    if (const Field* f = m->find("names")) eventList(f->value, f->valueMark(), "'names'");
  } else if (*kind == "code") {
    const Field* of = m->find("of");
    const Field* id = m->find("id");
    if (!of == !id)
      r_.error(m->node(), "a code marker needs exactly one of 'of' and 'id'");
    if (of)
      if (auto name = r_.string(of->value, of->valueMark(), "'of'"))
        function(of->valueMark(), *name);
    if (id && r_.string(id->value, id->valueMark(), "'id'") && script_)
      r_.error(id->keyNode, "a script scenario names code objects with 'of'");
  } else if (*kind == "var" || *kind == "builtin" || *kind == "handler") {
    const Field* f = m->find("name");
    const auto name = f ? r_.string(f->value, f->valueMark(), "'name'") : std::nullopt;
    if (*kind == "var" && script_)
      r_.error(m->node(), "a script scenario has no program namespace for 'var'");
    if (*kind == "handler" && name && !handlerNames_.count(*name)) {
      const Keys known(handlerNames_.begin(), handlerNames_.end());
      r_.error(f->valueMark(),
               withHint("unknown handler " + inQuotes(*name), *name, known));
    }
  } else if (*kind == "trace") {
    if (const Field* f = m->find("name")) traceName(f->value, f->valueMark(), false);
  } else if (*kind == "tuple") {
    if (const Field* f = m->find("items"))
      if (r_.sequence(f->value, f->valueMark(), "'items'"))
        literal(f->value, f->valueMark(), depth + 1);
  } else if (*kind == "exc") {
    if (const Field* f = m->find("type")) r_.string(f->value, f->valueMark(), "'type'");
    if (const Field* f = m->find("args"))
      if (r_.sequence(f->value, f->valueMark(), "'args'"))
        literal(f->value, f->valueMark(), depth + 1);
  }
}

}  // namespace monsim::harness::checker
