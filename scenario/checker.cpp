// The document and its metadata, and the name checks every part shares.
#include "scenario/checker.h"

#include <algorithm>

#include "scenario/checker_impl.h"
#include "scenario/loader.h"

namespace monsim::harness::checker {

namespace {

const Keys kTopKeys = {"id",
                       "description",
                       "spec",
                       "features",
                       "level",
                       "python",
                       "requires",
                       "observer_dependent",
                       "program",
                       "tools",
                       "handlers",
                       "steps",
                       "functions",
                       "script",
                       "expect",
                       "expect_with_probe",
                       "outcome",
                       "limits",
                       "trace_functions",
                       "capi",
                       "clients"};
const Keys kAreas = {
    "tools",     "global-events", "local-events", "dispatch-order", "disable", "restart",
    "callbacks", "ancillary",     "exceptions",   "generators",     "lines",   "branches",
    "versions",  "api-errors",    "legacy",       "hostile",        "clients"};
const Keys kCapabilities = {
    "threads",           "c_api",         "capi_ext",           "clear_tool_id",
    "branch_left_right", "instruction",   "hash_randomization", "free_threaded",
    "settrace",          "setprofile",    "cprofile",           "profile_module",
    "trace_module",      "bdb_monitoring"};
Keys levelNames() {
  Keys out;
  for (const auto& row : vocab::kLevelRows) out.push_back(row.name);
  return out;
}

Keys allEventNames() {
  Keys out;
  for (const auto& row : spec::kEvents) out.push_back(row.name);
  return out;
}

// [a-z0-9][a-z0-9._-]*
bool validId(std::string_view id) {
  auto plain = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (id.empty() || !plain(id[0])) return false;
  return std::all_of(id.begin(), id.end(), [&](char c) {
    return plain(c) || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace

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

Keys apiNames() {
  Keys out;
  for (const auto& row : spec::kApi) out.push_back(row.name);
  return out;
}

std::string withHint(std::string message, std::string_view word, const Keys& candidates,
                     bool listAll) {
  const std::string hint = yaml::closest(word, candidates);
  if (!hint.empty()) return message + " (did you mean " + inQuotes(hint) + "?)";
  return listAll ? message + " (one of " + join(candidates) + ")" : message;
}

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
  if (const Field* f = top->find("trace_functions"); f && f->value.IsMap())
    for (const auto& kv : f->value)
      if (kv.first.IsScalar()) traceNames_.insert(kv.first.Scalar());

  metadata(*top);
  if (const Field* f = top->find("capi")) capiObjects(*f);
  if (const Field* f = top->find("handlers")) handlers(*f);
  if (const Field* f = top->find("trace_functions")) traceFunctions(*f);
  if (const Field* f = top->find("tools")) tools(*f);
  if (!s_.tools.empty()) s_.usesMonitoring = true;
  if (program && !script) {
    if (auto text = r_.string(program->value, program->valueMark(), "'program'");
        text && text->find("monitoring") != std::string::npos)
      s_.usesMonitoring = true;
    if (const Field* f = top->find("steps")) steps(*f);
  }
  if (script_) this->script(*script);
  if (usesCapi_) {
    // The C API's events reach the legacy hooks as events of the Python frame that
    // fired them (behaviour §13.6), which the model leaves out.
    if (const Field* f = top->find("trace_functions"))
      r_.error(f->keyNode,
               "a scenario using the C API cannot use trace or profile "
               "functions (their meeting is not modelled, behaviour §13.6)");
    auto require = [&](const std::string& cap) {
      if (std::find(s_.requires_.begin(), s_.requires_.end(), cap) == s_.requires_.end())
        s_.requires_.push_back(cap);
    };
    require("c_api");
    if (s_.capiExt) require("capi_ext");
  }
  if (const Field* f = top->find("expect")) expect(*f, s_.expect);
  if (const Field* f = top->find("expect_with_probe")) {
    if (script_)
      r_.error(f->keyNode.Mark(),
               "'expect_with_probe' is for program scenarios (a script has no probe)");
    else
      expect(*f, s_.expectWithProbe);
  }
  if (const Field* f = top->find("outcome")) outcome(*f);
  if (const Field* f = top->find("limits")) limits(*f);
  if (const Field* f = top->find("clients")) clients(*f);
  if (!script_ && r_.errorCount() == 0) s_.oracle = oracleJson(*top);
  return std::move(s_);
}

void Checker::limits(const Field& f) {
  const auto m = r_.mapping(f.value, f.valueMark(), "'limits'",
                            {"seconds", "records", "memory", "processes", "output"});
  if (!m) return;
  if (const Field* x = m->find("seconds"))
    if (auto n = smallInt(x->value, x->valueMark(), "'seconds'", 1, 3600))
      s_.limits.seconds = *n;
  if (const Field* x = m->find("records"))
    if (auto n = smallInt(x->value, x->valueMark(), "'records'", 1, 10000000))
      s_.limits.records = *n;
  if (const Field* x = m->find("memory"))
    if (auto n = smallInt(x->value, x->valueMark(), "'memory'", 1, 1 << 20))
      s_.limits.memoryMb = *n;
  if (const Field* x = m->find("processes"))
    if (auto n = smallInt(x->value, x->valueMark(), "'processes'", 1, 10000))
      s_.limits.processes = *n;
  if (const Field* x = m->find("output"))
    if (auto n = smallInt(x->value, x->valueMark(), "'output'", 1, 100000000))
      s_.limits.output = *n;
}

void Checker::clients(const Field& f) {
  const auto m =
      r_.mapping(f.value, f.valueMark(), "'clients'", {"real", "patterns", "results"});
  if (!m) return;
  Clients c;
  c.loc = r_.loc(f.keyNode);
  if (script_)
    r_.error(f.keyNode.Mark(),
             "'clients' is for program scenarios (a script runs no tool)");
  Keys names;
  for (const RealClient& rc : kRealClients) names.push_back(rc.name);
  if (const Field* x = m->find("real"))
    for (const std::string& name : strings(x->value, x->valueMark(), "'real'")) {
      const auto* rc = std::find_if(std::begin(kRealClients), std::end(kRealClients),
                                    [&](const RealClient& r) { return r.name == name; });
      if (rc == std::end(kRealClients)) {
        r_.error(x->value,
                 withHint("unknown real client " + inQuotes(name), name, names, true));
        continue;
      }
      c.real.push_back(name);
      if (rc->monitoring) s_.usesMonitoring = true;
      const std::string cap(rc->capability);
      if (std::find(s_.requires_.begin(), s_.requires_.end(), cap) == s_.requires_.end())
        s_.requires_.push_back(cap);
    }
  if (const Field* x = m->find("patterns")) {
    c.patterns = strings(x->value, x->valueMark(), "'patterns'");
    for (const std::string& p : c.patterns)
      if (p.empty()) r_.error(x->valueMark(), "a pattern names a tool and its version");
  }
  if (c.real.empty() && c.patterns.empty())
    r_.error(f.valueMark(), "'clients' names no client: give 'real', 'patterns' or both");
  if (const Field* x = m->find("results")) {
    c.results = intOrList(*x, 0);
    for (int i : c.results)
      if (stepCount_ && static_cast<size_t>(i) >= *stepCount_)
        r_.error(x->value, "'results' names step " + std::to_string(i) +
                               ", but the steps end at " +
                               std::to_string(static_cast<long>(*stepCount_) - 1));
  }
  if (!c.real.empty() && c.results.empty())
    r_.error(f.valueMark(),
             "a real client's recording must be shown not to change it: 'results' lists "
             "the steps whose outcome is the client's own output (compared with a run "
             "without recording)");
  s_.clients = std::move(c);
}

void Checker::outcome(const Field& f) {
  const auto m =
      r_.mapping(f.value, f.valueMark(), "'outcome'", {"verdict", "error", "says"});
  if (!m) return;
  StatedOutcome o;
  o.loc = r_.loc(f.keyNode);
  const Field* v = m->find("verdict");
  if (!v) {
    r_.error(f.valueMark(), "'outcome' needs a 'verdict'");
    return;
  }
  Keys verdicts, errors;
  for (const auto& row : vocab::kVerdictRows) verdicts.push_back(row.name);
  for (const auto& row : vocab::kErrorRows)
    if (row.value != vocab::ErrorKind::None) errors.push_back(row.name);
  bool known = false;
  if (auto name = r_.string(v->value, v->valueMark(), "'verdict'")) {
    if (auto verdict = vocab::verdictNamed(*name)) {
      o.verdict = *verdict;
      known = true;
    } else {
      r_.error(v->value,
               withHint("unknown verdict " + inQuotes(*name), *name, verdicts, true));
    }
  }
  if (const Field* e = m->find("error")) {
    if (known && o.verdict != vocab::Verdict::Error)
      r_.error(e->keyNode.Mark(), "'error' goes with verdict error");
    if (auto name = r_.string(e->value, e->valueMark(), "'error'")) {
      if (auto kind = vocab::errorKindNamed(*name))
        o.error = *kind;
      else
        r_.error(e->value,
                 withHint("unknown error kind " + inQuotes(*name), *name, errors, true));
    }
  }
  if (const Field* x = m->find("says"))
    if (auto text = r_.string(x->value, x->valueMark(), "'says'")) {
      if (text->empty()) r_.error(x->valueMark(), "'says' must not be empty");
      o.says = *text;
    }
  s_.outcome = std::move(o);
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
      if (auto level = vocab::levelNamed(*l))
        s_.level = *level;
      else
        r_.error(f->valueMark(), "'level' must be one of " + join(levelNames()));
    }
  }
  if (const Field* f = top.find("requires")) requirements(*f);
  if (const Field* f = top.find("observer_dependent"))
    r_.error(
        f->keyNode.Mark(),
        "'observer_dependent' is no longer part of the format: the model predicts "
        "the run without the probe too. State what the scenario's tools get alone in "
        "'expect', and where an extra passive tool changes it, add "
        "'expect_with_probe'");
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

nlohmann::json Checker::oracleJson(const Fields& top) const {
  nlohmann::json meta = {{"level", levelName(s_.level)}, {"features", s_.features}};
  meta["spec"] = yaml::Reader::toJson(top.find("spec")->value);
  if (const Field* f = top.find("python")) meta["python"] = f->value.Scalar();
  if (!s_.requires_.empty()) meta["requires"] = s_.requires_;
  // Read by the standalone script (interpreter/pyrepro.h): a real client registers
  // callbacks and installs hooks from the stdlib, not from the program's text.
  if (s_.clients && !s_.clients->real.empty()) meta["clients"] = s_.clients->real;
  nlohmann::json o = {{"id", s_.id},
                      {"description", s_.description},
                      {"meta", meta},
                      {"program", top.find("program")->value.Scalar()},
                      {"steps", yaml::Reader::toJson(top.find("steps")->value)}};
  if (const Field* f = top.find("tools")) o["tools"] = yaml::Reader::toJson(f->value);
  if (const Field* f = top.find("handlers"))
    o["handlers"] = yaml::Reader::toJson(f->value);
  if (const Field* f = top.find("trace_functions"))
    o["trace_functions"] = yaml::Reader::toJson(f->value);
  for (const CapiObject& c : s_.capi)
    o["capi"][c.name] = {{"states", c.states}, {"version", c.version}};
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
  for (const CapiObject& c : s_.capi)  // a C-fired event's code-like object
    if (c.name == name) return;
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

}  // namespace monsim::harness::checker

namespace monsim::harness {

std::optional<Scenario> checkScenario(const YAML::Node& doc, yaml::Reader& reader) {
  return checker::Checker(reader).run(doc);
}

}  // namespace monsim::harness
