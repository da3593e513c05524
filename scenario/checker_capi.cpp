// The C API in scenarios (behaviour §13): `capi:` declares code-like objects, a
// `capi` action enters or exits a scope or fires an event through one of them.
#include <map>

#include "model/capi.h"
#include "model/version_profile.h"
#include "scenario/checker_impl.h"

namespace monsim::harness::checker {

namespace {

// The keys each fire takes besides capi/codelike/event/index/offset, from the spec.
Keys fireArgKeys(Event e) {
  static const std::map<spec::CapiArg, std::string_view> kKey = {
      {spec::CapiArg::Value, "value"},    {spec::CapiArg::Callable, "callable"},
      {spec::CapiArg::Arg0, "arg0"},      {spec::CapiArg::Line, "line"},
      {spec::CapiArg::Target, "target"},  {spec::CapiArg::Exc, "exc"},
      {spec::CapiArg::StopValue, "value"}};
  Keys out;
  for (int i = 0; i < capiArgCount(e); ++i) out.push_back(kKey.at(capiArg(e, i)));
  return out;
}

}  // namespace

void Checker::capiObjects(const Field& f) {
  usesCapi_ = true;
  const auto m = r_.mapping(f.value, f.valueMark(), "'capi'", {});
  if (!m) return;
  if (pythonOk_ && s_.python.contains(PyVersion::V3_12))
    r_.error(f.keyNode, "the C API exists from Python 3.13 on (scenario python: " +
                            s_.python.text + "; write python: \">=3.13\")");
  std::map<std::string, int> versionUsers;
  for (const Field& obj : m->all()) {
    CapiObject c;
    c.name = obj.key;
    c.loc = r_.loc(obj.keyNode);
    c.version = c.name;
    if (const auto om = r_.mapping(obj.value, obj.valueMark(), "a code-like object",
                                   {"states", "version"})) {
      if (const Field* n = r_.require(*om, "states"))
        c.states = smallInt(n->value, n->valueMark(), "'states'", 1, 255).value_or(1);
      if (const Field* v = om->find("version"))
        c.version = r_.string(v->value, v->valueMark(), "'version'").value_or(c.name);
    }
    if (++versionUsers[c.version] > 1 || c.version != c.name) s_.capiExt = true;
    s_.capi.push_back(std::move(c));
  }
}

const CapiObject* Checker::capiObject(const Field& f) {
  const auto name = r_.string(f.value, f.valueMark(), "'codelike'");
  if (!name) return nullptr;
  for (const CapiObject& c : s_.capi)
    if (c.name == *name) return &c;
  Keys known;
  for (const CapiObject& c : s_.capi) known.push_back(c.name);
  r_.error(f.valueMark(), withHint("unknown code-like object " + inQuotes(*name) +
                                       " (declare it under 'capi')",
                                   *name, known));
  return nullptr;
}

void Checker::capiAction(const Fields& m, const Field& k) {
  usesCapi_ = true;
  if (script_) {
    r_.error(k.keyNode, "a script scenario has no program: its actions are 'api' calls");
    return;
  }
  const auto op = r_.string(k.value, k.valueMark(), "'capi'");
  if (!op) return;
  static const std::map<std::string, Keys> kKeys = {
      {"enter", {"capi", "codelike", "events"}},
      {"exit", {"capi"}},
      {"fire",
       {"capi", "codelike", "event", "index", "offset", "value", "callable", "arg0",
        "line", "target", "exc"}}};
  const auto it = kKeys.find(*op);
  if (it == kKeys.end()) {
    r_.error(k.valueMark(), "'capi' must be one of enter, exit, fire");
    return;
  }
  for (const Field& f : m.all())
    if (!contains(it->second, f.key))
      r_.error(f.keyNode, "a capi " + *op + " has no " + inQuotes(f.key));
  if (*op == "exit") return;
  const Field* cl = r_.require(m, "codelike");
  const CapiObject* obj = cl ? capiObject(*cl) : nullptr;
  if (*op == "enter") {
    const Field* ev = r_.require(m, "events");
    if (!ev) return;
    const auto events = eventList(ev->value, ev->valueMark(), "'events'");
    for (const auto& e : events)
      for (int v = 0; v < spec::kVersionCount; ++v)
        if (const auto* row = eventRow(e);
            row && pythonOk_ && s_.python.contains(PyVersion(v)) && row->alias[v])
          r_.error(ev->valueMark(), e + " has no event number of its own in Python " +
                                        std::string(spec::kVersionNames[v]));
    for (const auto& e : events)
      if (const auto* row = eventRow(e); row && row->group == spec::Group::Ancillary)
        r_.error(ev->valueMark(),
                 e + " has no entry in the interpreter's per-event tool table (a scope "
                     "reads past it); fire it with a state entered for CALL");
    if (events.empty()) r_.error(ev->valueMark(), "'events' names no event");
    if (obj && int(events.size()) > obj->states)
      r_.error(ev->valueMark(), "a scope over " + std::to_string(events.size()) +
                                    " events needs as many states; " + obj->name +
                                    " has " + std::to_string(obj->states));
    if (events.size() > size_t(kCapiMaxScopeEvents))
      r_.error(ev->valueMark(),
               "at most " + std::to_string(kCapiMaxScopeEvents) + " events per scope");
    if (events.size() > 2) s_.capiExt = true;
    return;
  }
  const Field* ev = r_.require(m, "event");
  std::optional<std::string> event;
  if (ev && (event = r_.string(ev->value, ev->valueMark(), "'event'")) &&
      this->event(ev->valueMark(), *event) && pythonOk_) {
    const auto e = static_cast<Event>(eventRow(*event) - spec::kEvents.data());
    std::string missing;  // 3.12 has no C API at all (refused above)
    for (int v = 1; v < spec::kVersionCount; ++v)
      if (s_.python.contains(PyVersion(v)) &&
          !VersionProfile(PyVersion(v)).hasCapiFire(e))
        missing += (missing.empty() ? "" : ", ") + std::string(spec::kVersionNames[v]);
    if (!missing.empty())
      r_.error(ev->valueMark(),
               "the C API has no function firing " + *event + " in Python " + missing);
    const Keys args = fireArgKeys(e);
    for (const char* key : {"value", "callable", "arg0", "line", "target", "exc"})
      if (const Field* f = m.find(key); f && !contains(args, key))
        r_.error(f->keyNode, "firing " + *event + " takes no " + inQuotes(key) +
                                 (args.empty() ? "" : " (it takes " + join(args) + ")"));
    if (contains(args, "line") && !m.has("line"))
      r_.error(m.node(), "firing LINE needs 'line'");
  }
  int index = 0;
  if (const Field* f = m.find("index"))
    index = smallInt(f->value, f->valueMark(), "'index'", 0, 254).value_or(0);
  if (obj && index >= obj->states)
    r_.error(m.find("index") ? m.find("index")->valueMark() : m.node().Mark(),
             "state index " + std::to_string(index) + " of " + obj->name +
                 ", which has " + std::to_string(obj->states));
  if (const Field* f = m.find("offset")) {
    const auto offset = smallInt(f->value, f->valueMark(), "'offset'", -(1 << 30));
    if (offset && *offset != index) s_.capiExt = true;
  }
  if (const Field* f = m.find("line")) smallInt(f->value, f->valueMark(), "'line'", 0);
  for (const char* key : {"value", "callable", "arg0", "target", "exc"})
    if (const Field* f = m.find(key)) literal(f->value, f->valueMark());
}

}  // namespace monsim::harness::checker
