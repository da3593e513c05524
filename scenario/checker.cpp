#include "scenario/checker.h"

#include <algorithm>
#include <set>

#include "scenario/loader.h"
#include "spec/spec_tables.h"

namespace monsim::harness {

namespace {

using yaml::Field;
using yaml::Fields;
using yaml::inQuotes;
using Keys = std::vector<std::string_view>;

const Keys kTopKeys = {"id",        "description", "spec",     "features",
                       "level",     "python",      "requires", "observer_dependent",
                       "program",   "tools",       "handlers", "steps",
                       "functions", "script",      "expect"};
const Keys kToolKeys = {"name", "use", "events", "local", "callbacks", "auto_callbacks"};
const Keys kClauseKeys = {"when", "actions", "return", "raise"};
const Keys kWhenKeys = {"nth", "from_nth", "functions", "lines", "offsets"};
const Keys kActionKinds = {"call", "api", "gen", "delete"};
const Keys kScriptKinds = {"api", "enter", "exit", "event"};
const Keys kGenOps = {"next", "send", "throw", "close", "iterate"};
const Keys kMarkers = {"DISABLE", "MISSING", "events",  "code", "var",
                       "handler", "tuple",   "builtin", "exc"};
const Keys kAreas = {"tools",      "global-events", "local-events", "dispatch-order",
                     "disable",    "restart",       "callbacks",    "ancillary",
                     "exceptions", "generators",    "lines",        "branches",
                     "versions",   "api-errors"};
const Keys kCapabilities = {"threads",           "c_api",       "clear_tool_id",
                            "branch_left_right", "instruction", "hash_randomization",
                            "free_threaded"};
const Keys kLevels = {"must", "should", "implementation-defined"};
const Keys kPatternKeys = {"tool", "event",    "function", "line",
                           "exc",  "callable", "result"};
const Keys kResults = {"returned", "disable", "raised"};
constexpr int kMaxDepth = 64;  // literals nested deeper are a mistake (or a cycle)
constexpr long kMaxLiteralNodes = 100000;  // aliases can multiply a small file

bool contains(const Keys& keys, std::string_view k) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

std::string join(const Keys& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + std::string(i);
  return out;
}

const spec::EventRow* eventRow(std::string_view name) {
  const auto e = eventNamed(name);
  return e ? &spec::kEvents[static_cast<int>(*e)] : nullptr;
}

bool hasArg(const spec::EventRow& row, spec::Arg a) {
  for (int i = 0; i < row.argCount; ++i)
    if (row.args[i] == a) return true;
  return false;
}

Keys allEventNames() {
  Keys out;
  for (const auto& row : spec::kEvents) out.push_back(row.name);
  return out;
}

Keys apiNames() {
  Keys out;
  for (const auto& row : spec::kApi) out.push_back(row.name);
  return out;
}

// "MESSAGE (did you mean 'X'?)" for a likely typo, else "MESSAGE (one of A, B)" when
// `listAll`, else MESSAGE.
std::string withHint(std::string message, std::string_view word, const Keys& candidates,
                     bool listAll = false) {
  const std::string hint = yaml::closest(word, candidates);
  if (!hint.empty()) return message + " (did you mean " + inQuotes(hint) + "?)";
  return listAll ? message + " (one of " + join(candidates) + ")" : message;
}

// [a-z0-9][a-z0-9._-]*
bool validId(std::string_view id) {
  auto plain = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (id.empty() || !plain(id[0])) return false;
  return std::all_of(id.begin(), id.end(), [&](char c) {
    return plain(c) || c == '.' || c == '_' || c == '-';
  });
}

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

// The raw keys of a mapping (before any checking).
std::set<std::string> rawKeys(const YAML::Node& n) {
  std::set<std::string> out;
  if (n.IsMap())
    for (const auto& kv : n)
      if (kv.first.IsScalar()) out.insert(kv.first.Scalar());
  return out;
}

YAML::Node rawValue(const YAML::Node& n, std::string_view key) {
  for (const auto& kv : n)
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
  return YAML::Node();
}

class Checker {
 public:
  explicit Checker(yaml::Reader& r) : r_(r) {}
  std::optional<Scenario> run(const YAML::Node& doc);

 private:
  void python(const Field* f);
  void metadata(const Fields& top);
  void features(const Field& f);
  void requirements(const Field& f);
  void observerDependent(const Field& f);
  void functions(const Field& f);
  void handlers(const Field& f);
  void tools(const Field& f);
  std::optional<ToolSpec> tool(int id, const Field& f);
  std::optional<Callback> callback(const YAML::Node& n, const YAML::Mark& at);
  std::optional<Clause> clause(const YAML::Node& n, const YAML::Mark& at);
  When when(const Fields& f);
  bool action(const YAML::Node& n, const YAML::Mark& at);
  bool literal(const YAML::Node& n, const YAML::Mark& at, int depth = 0);
  void marker(const YAML::Node& n, const YAML::Mark& at, int depth);
  void steps(const Field& f);
  void script(const Field& f);
  std::optional<ScriptStep> scriptStep(const YAML::Node& n);
  void scriptEvent(const Fields& f, ScriptStep& step);
  void expect(const Field& f);
  std::optional<DeliveryPattern> pattern(const YAML::Node& n, const YAML::Mark& at);
  std::optional<StepExpect> stepExpect(const YAML::Node& n);
  nlohmann::json oracleJson(const Fields& top) const;

  bool event(const YAML::Mark& at, const std::string& name);
  std::vector<std::string> eventList(const YAML::Node& n, const YAML::Mark& at,
                                     std::string_view what);
  std::optional<int> smallInt(const YAML::Node& n, const YAML::Mark& at,
                              std::string_view what, int min, int max = 1 << 30);
  std::vector<int> intOrList(const Field& f, int min);
  std::vector<std::string> strings(const YAML::Node& n, const YAML::Mark& at,
                                   std::string_view what);
  void function(const YAML::Mark& at, const std::string& name);
  std::optional<std::string> kindOf(const YAML::Node& n, const YAML::Mark& at,
                                    const Keys& kinds, std::string_view what);
  // No new diagnostic since `before`, and the literal budget holds.
  bool clean(size_t before) const {
    return r_.errorCount() == before && literalNodes_ < kMaxLiteralNodes;
  }

  yaml::Reader& r_;
  Scenario s_;
  bool script_ = false;
  bool pythonOk_ = true;
  std::set<std::string> handlerNames_;
  std::optional<size_t> stepCount_;
  long literalNodes_ = 0;
};

std::optional<Scenario> Checker::run(const YAML::Node& doc) {
  s_.file = r_.file();
  s_.loc = r_.loc(doc);
  const auto top = r_.mapping(doc, doc.Mark(), "a scenario", kTopKeys);
  if (!top) return std::nullopt;
  const Field* program = top->find("program");
  const Field* script = top->find("script");
  if (program && script)
    r_.error(script->keyNode,
             "'program' and 'script' are exclusive (a scenario is one kind)");
  else if (!program && !script)
    r_.error(top->node(), "missing required key 'program' (or 'script')");
  script_ = script && !program;
  s_.kind = script_ ? Scenario::Kind::Script : Scenario::Kind::Program;
  if (const Field* f = top->find("steps"); f && script_)
    r_.error(f->keyNode,
             "'steps' is for program scenarios (a script scenario has 'script')");
  if (const Field* f = top->find("functions"); f && !script_)
    r_.error(f->keyNode, "'functions' is for script scenarios");
  if (program && !script) r_.require(*top, "steps");
  if (script && !program) r_.require(*top, "functions");

  // Everything below may name events, functions and handlers: learn those first.
  python(top->find("python"));
  if (const Field* f = top->find("functions"); f && script_) functions(*f);
  if (const Field* f = top->find("handlers"); f && f->value.IsMap())
    for (const auto& kv : f->value)
      if (kv.first.IsScalar()) handlerNames_.insert(kv.first.Scalar());

  metadata(*top);
  if (const Field* f = top->find("handlers")) handlers(*f);
  if (const Field* f = top->find("tools")) tools(*f);
  if (program && !script) {
    r_.string(program->value, program->valueMark(), "'program'");
    if (const Field* f = top->find("steps")) steps(*f);
  }
  if (script_) this->script(*script);
  if (const Field* f = top->find("expect")) expect(*f);
  if (!script_ && r_.errorCount() == 0) s_.oracle = oracleJson(*top);
  return std::move(s_);
}

void Checker::python(const Field* f) {
  std::string why;
  if (!f) {
    s_.python = *parseVersionRange(">=3.12", why);
    return;
  }
  // `python: 3.14` is a float to YAML; its text is what was meant.
  const auto sc =
      f->value.IsScalar() ? r_.scalar(f->value, f->valueMark()) : std::nullopt;
  const bool text = sc && (sc->type == yaml::Scalar::Type::String ||
                           sc->type == yaml::Scalar::Type::Float);
  pythonOk_ = false;
  if (!text) {
    r_.error(f->valueMark(), "'python' must be a version range such as \">=3.13\"");
    s_.python = *parseVersionRange(">=3.12", why);
    return;
  }
  if (auto range = parseVersionRange(f->value.Scalar(), why)) {
    s_.python = *range;
    pythonOk_ = true;
  } else {
    r_.error(f->valueMark(), "invalid python range '" + f->value.Scalar() + "': " + why);
    s_.python = *parseVersionRange(">=3.12", why);
  }
}

void Checker::metadata(const Fields& top) {
  if (const Field* f = r_.require(top, "id")) {
    if (auto id = r_.string(f->value, f->valueMark(), "'id'")) {
      s_.id = *id;
      if (!validId(*id))
        r_.error(f->valueMark(),
                 "id " + inQuotes(*id) + " must match [a-z0-9][a-z0-9._-]*");
    }
  }
  if (const Field* f = r_.require(top, "description")) {
    if (auto d = r_.string(f->value, f->valueMark(), "'description'")) {
      s_.description = *d;
      if (d->empty()) r_.error(f->valueMark(), "'description' must not be empty");
    }
  }
  if (const Field* f = r_.require(top, "spec")) {
    if (f->value.IsSequence()) {
      s_.specRefs = strings(f->value, f->valueMark(), "'spec'");
      if (f->value.size() == 0)
        r_.error(f->valueMark(), "'spec' must name at least one clause");
    } else if (!f->value.IsScalar()) {
      r_.error(f->valueMark(), "'spec' must be a string or a list of strings");
    } else if (auto one = r_.string(f->value, f->valueMark(), "'spec'")) {
      s_.specRefs = {*one};
    }
  }
  if (const Field* f = r_.require(top, "features")) features(*f);
  if (const Field* f = r_.require(top, "level")) {
    if (auto l = r_.string(f->value, f->valueMark(), "'level'")) {
      if (*l == "must")
        s_.level = Level::Must;
      else if (*l == "should")
        s_.level = Level::Should;
      else if (*l == "implementation-defined")
        s_.level = Level::ImplementationDefined;
      else
        r_.error(f->valueMark(), "'level' must be one of " + join(kLevels));
    }
  }
  if (const Field* f = top.find("requires")) requirements(*f);
  if (const Field* f = top.find("observer_dependent")) observerDependent(*f);
}

void Checker::features(const Field& f) {
  if (!r_.sequence(f.value, f.valueMark(), "'features'")) return;
  if (f.value.size() == 0) r_.error(f.valueMark(), "'features' must not be empty");
  for (const auto& item : f.value) {
    auto name = r_.string(item, item.Mark(), "a feature");
    if (!name) continue;
    s_.features.push_back(*name);
    if (contains(kAreas, *name)) continue;
    if (eventRow(*name)) {
      event(item.Mark(), *name);
      continue;
    }
    Keys all = kAreas;
    for (auto e : allEventNames()) all.push_back(e);
    const std::string hint = yaml::closest(*name, all);
    r_.error(item.Mark(),
             "unknown feature " + inQuotes(*name) +
                 (hint.empty() ? " (an event name or one of " + join(kAreas) + ")"
                               : " (did you mean " + inQuotes(hint) + "?)"));
  }
}

void Checker::requirements(const Field& f) {
  if (!r_.sequence(f.value, f.valueMark(), "'requires'")) return;
  for (const auto& item : f.value) {
    auto name = r_.string(item, item.Mark(), "a capability");
    if (!name) continue;
    s_.requires_.push_back(*name);
    if (!contains(kCapabilities, *name))
      r_.error(item, withHint("unknown capability " + inQuotes(*name), *name,
                              kCapabilities, true));
  }
}

void Checker::observerDependent(const Field& f) {
  if (!f.value.IsMap()) {
    if (auto why = r_.string(f.value, f.valueMark(), "'observer_dependent'"))
      s_.observerDependent = *why;
    return;
  }
  const auto m =
      r_.mapping(f.value, f.valueMark(), "'observer_dependent'", {"versions", "why"});
  if (!m) return;
  if (const Field* why = r_.require(*m, "why"))
    if (auto w = r_.string(why->value, why->valueMark(), "'why'"))
      s_.observerDependent = *w;
  const Field* versions = r_.require(*m, "versions");
  if (!versions || !r_.sequence(versions->value, versions->valueMark(), "'versions'"))
    return;
  for (const auto& item : versions->value) {
    auto v = r_.string(item, item.Mark(), "a version");
    if (!v) continue;
    const auto parsed = parseVersion(*v);
    if (!parsed || versionName(*parsed) != *v) {
      r_.error(item, "unknown version " + inQuotes(*v) + " (spec versions: " +
                         std::string(spec::kVersionNames[0]) + " to " +
                         std::string(spec::kVersionNames[spec::kVersionCount - 1]) + ")");
    } else if (pythonOk_ && !s_.python.contains(*parsed)) {
      r_.error(item, "version " + *v + " is outside the scenario's python range (" +
                         s_.python.text + ")");
    } else {
      s_.observerVersions.push_back(*parsed);
    }
  }
}

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
    if (const auto wf = r_.mapping(w->value, w->valueMark(), "'when'", kWhenKeys))
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
      {"delete", {"delete"}}};
  const auto m = r_.mapping(n, at, "an action", kAllowed.at(*kind));
  if (!m) return false;
  const Field& k = *m->find(*kind);
  const auto target = r_.string(k.value, k.valueMark(), inQuotes(*kind));
  if (script_ && *kind != "api")
    r_.error(k.keyNode, "a script scenario has no program: its actions are 'api' calls");
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
    r_.scalar(n, at);
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
      {"DISABLE", {{}, {}}},        {"MISSING", {{}, {}}},
      {"events", {{"names"}, {}}},  {"code", {{}, {"of", "id"}}},
      {"var", {{"name"}, {}}},      {"handler", {{"name"}, {}}},
      {"tuple", {{"items"}, {}}},   {"builtin", {{"name"}, {}}},
      {"exc", {{"type"}, {"args"}}}};
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

void Checker::steps(const Field& f) {
  if (!r_.sequence(f.value, f.valueMark(), "'steps'")) return;
  stepCount_ = f.value.size();
  for (const auto& step : f.value) {
    s_.stepLocs.push_back(r_.loc(step));
    action(step, step.Mark());
  }
}

void Checker::script(const Field& f) {
  if (!r_.sequence(f.value, f.valueMark(), "'script'")) return;
  stepCount_ = f.value.size();
  for (const auto& item : f.value) {
    s_.stepLocs.push_back(r_.loc(item));
    if (auto step = scriptStep(item)) s_.script.push_back(std::move(*step));
  }
}

std::optional<ScriptStep> Checker::scriptStep(const YAML::Node& n) {
  const auto kind = kindOf(n, n.Mark(), kScriptKinds, "a script step");
  if (!kind) return std::nullopt;
  static const std::map<std::string, Keys> kAllowed = {
      {"api", {"api", "args"}},
      {"enter", {"enter"}},
      {"exit", {"exit"}},
      {"event", {"event", "function", "offset", "line", "dest", "exc"}}};
  const auto m = r_.mapping(n, n.Mark(), "a script step", kAllowed.at(*kind));
  if (!m) return std::nullopt;
  ScriptStep step;
  step.loc = r_.loc(n);
  const Field& k = *m->find(*kind);
  const auto target = r_.string(k.value, k.valueMark(), inQuotes(*kind));
  if (*kind == "api") {
    step.kind = ScriptStep::Kind::Api;
    if (target && !contains(apiNames(), *target))
      r_.error(k.valueMark(), withHint("unknown API function " + inQuotes(*target),
                                       *target, apiNames()));
    step.fn = target.value_or("");
    step.args = nlohmann::json::array();
    if (const Field* a = m->find("args")) {
      if (r_.sequence(a->value, a->valueMark(), "'args'") &&
          literal(a->value, a->valueMark()))
        step.args = yaml::Reader::toJson(a->value);
    }
  } else if (*kind == "enter" || *kind == "exit") {
    step.kind = *kind == "enter" ? ScriptStep::Kind::Enter : ScriptStep::Kind::Exit;
    if (target) function(k.valueMark(), *target);
    step.function = target.value_or("");
  } else {
    step.kind = ScriptStep::Kind::Event;
    step.event = target.value_or("");
    scriptEvent(*m, step);
  }
  return step;
}

void Checker::scriptEvent(const Fields& m, ScriptStep& step) {
  const Field& ev = *m.find("event");
  const spec::EventRow* row = nullptr;
  if (ev.value.IsScalar() && event(ev.valueMark(), step.event))
    row = eventRow(step.event);
  if (const Field* f = r_.require(m, "function")) {
    if (auto fn = r_.string(f->value, f->valueMark(), "'function'")) {
      function(f->valueMark(), *fn);
      step.function = *fn;
    }
  }
  if (const Field* f = r_.require(m, "offset"))
    step.offset = smallInt(f->value, f->valueMark(), "'offset'", 0).value_or(0);
  if (const Field* f = m.find("line"))
    step.line = smallInt(f->value, f->valueMark(), "'line'", 1);
  if (const Field* f = m.find("dest"))
    step.dest = smallInt(f->value, f->valueMark(), "'dest'", 0);
  if (const Field* f = m.find("exc"))
    step.exc = r_.string(f->value, f->valueMark(), "'exc'");
  if (!row) return;
  const std::string what = "a " + step.event + " event";
  if (hasArg(*row, spec::Arg::Line) && !m.has("line"))
    r_.error(m.node(), what + " needs 'line'");
  const bool hasDest = hasArg(*row, spec::Arg::Destination);
  if (hasDest && !m.has("dest")) r_.error(m.node(), what + " needs 'dest'");
  if (const Field* f = m.find("dest"); f && !hasDest)
    r_.error(f->keyNode, what + " has no 'dest'");
  if (const Field* f = m.find("exc"); f && !hasArg(*row, spec::Arg::Exception))
    r_.error(f->keyNode, what + " has no 'exc'");
}

void Checker::expect(const Field& f) {
  const auto m = r_.mapping(f.value, f.valueMark(), "'expect'",
                            {"match", "scope", "deliveries", "absent", "steps"});
  if (!m) return;
  Expect& e = s_.expect;
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
    if (const auto sc =
            r_.mapping(x->value, x->valueMark(), "'scope'", {"tools", "events"})) {
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
  if (const Field* f = m->find("event")) {
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

nlohmann::json Checker::oracleJson(const Fields& top) const {
  nlohmann::json meta = {{"level", levelName(s_.level)}, {"features", s_.features}};
  meta["spec"] = yaml::Reader::toJson(top.find("spec")->value);
  if (const Field* f = top.find("python")) meta["python"] = f->value.Scalar();
  if (const Field* f = top.find("requires"))
    meta["requires"] = yaml::Reader::toJson(f->value);
  if (const Field* f = top.find("observer_dependent"))
    meta["observer_dependent"] = yaml::Reader::toJson(f->value);
  nlohmann::json o = {{"id", s_.id},
                      {"description", s_.description},
                      {"meta", meta},
                      {"program", top.find("program")->value.Scalar()},
                      {"steps", yaml::Reader::toJson(top.find("steps")->value)}};
  if (const Field* f = top.find("tools")) o["tools"] = yaml::Reader::toJson(f->value);
  if (const Field* f = top.find("handlers"))
    o["handlers"] = yaml::Reader::toJson(f->value);
  return o;
}

// Known, and present in every version of the scenario's range.
bool Checker::event(const YAML::Mark& at, const std::string& name) {
  const spec::EventRow* row = eventRow(name);
  if (!row) {
    r_.error(at, withHint("unknown event " + inQuotes(name), name, allEventNames()));
    return false;
  }
  if (!pythonOk_) return true;
  for (int v = 0; v < spec::kVersionCount; ++v) {
    if (!s_.python.contains(static_cast<PyVersion>(v)) || row->bit[v] >= 0) continue;
    r_.error(at, "event " + name + " does not exist in Python " +
                     std::string(spec::kVersionNames[v]) +
                     " (scenario python: " + s_.python.text + ")");
    return false;
  }
  return true;
}

std::vector<std::string> Checker::eventList(const YAML::Node& n, const YAML::Mark& at,
                                            std::string_view what) {
  std::vector<std::string> out;
  if (!n.IsSequence()) {
    r_.error(at, std::string(what) + " must be a list of event names");
    return out;
  }
  for (const auto& item : n) {
    auto name = r_.string(item, item.Mark(), "an event name");
    if (!name) continue;
    event(item.Mark(), *name);
    out.push_back(*name);
  }
  return out;
}

std::optional<int> Checker::smallInt(const YAML::Node& n, const YAML::Mark& at,
                                     std::string_view what, int min, int max) {
  const auto i = r_.integer(n, at, what);
  if (!i) return std::nullopt;
  if (*i < min || *i > max) {
    r_.error(at, std::string(what) + (max == 1 << 30
                                          ? " must be at least " + std::to_string(min)
                                          : " must be " + std::to_string(min) + " to " +
                                                std::to_string(max)));
    return std::nullopt;
  }
  return static_cast<int>(*i);
}

std::vector<int> Checker::intOrList(const Field& f, int min) {
  std::vector<int> out;
  const std::string what = inQuotes(f.key);
  if (f.value.IsSequence()) {
    for (const auto& item : f.value)
      if (auto i = smallInt(item, item.Mark(), "an item of " + what, min))
        out.push_back(*i);
    return out;
  }
  if (f.value.IsScalar()) {
    const auto sc = r_.scalar(f.value, f.valueMark());
    if (!sc) return out;
    if (sc->type == yaml::Scalar::Type::Int) {
      if (auto i = smallInt(f.value, f.valueMark(), what, min)) out.push_back(*i);
      return out;
    }
  }
  r_.error(f.valueMark(), what + " must be an integer or a list of integers");
  return out;
}

std::vector<std::string> Checker::strings(const YAML::Node& n, const YAML::Mark& at,
                                          std::string_view what) {
  std::vector<std::string> out;
  if (!r_.sequence(n, at, what)) return out;
  for (const auto& item : n)
    if (auto s = r_.string(item, item.Mark(), "an item of " + std::string(what)))
      out.push_back(*s);
  return out;
}

// Script scenarios know their functions; program scenarios leave names to the oracle.
void Checker::function(const YAML::Mark& at, const std::string& name) {
  if (!script_ || s_.scriptFunctions.count(name)) return;
  Keys known;
  for (const auto& [fn, line] : s_.scriptFunctions) known.push_back(fn);
  r_.error(at, withHint("unknown function " + inQuotes(name) + " (not in 'functions')",
                        name, known));
}

std::optional<std::string> Checker::kindOf(const YAML::Node& n, const YAML::Mark& at,
                                           const Keys& kinds, std::string_view what) {
  if (!n.IsMap()) {
    r_.error(at, std::string(what) + " must be a mapping");
    return std::nullopt;
  }
  std::vector<std::string> found;
  for (const auto& k : rawKeys(n))
    if (contains(kinds, k)) found.push_back(k);
  if (found.size() != 1) {
    std::string list;
    for (const auto& k : kinds)
      list += (list.empty() ? "'" : ", '") + std::string(k) + "'";
    r_.error(at, std::string(what) + " needs exactly one of " + list);
    return std::nullopt;
  }
  return found[0];
}

}  // namespace

std::optional<Scenario> checkScenario(const YAML::Node& doc, yaml::Reader& reader) {
  return Checker(reader).run(doc);
}

}  // namespace monsim::harness
