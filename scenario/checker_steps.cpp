// Program steps and script steps.
#include <map>

#include "scenario/checker_impl.h"

namespace monsim::harness::checker {

namespace {

const Keys kScriptKinds = {"api", "enter", "exit", "event"};

}  // namespace

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

}  // namespace monsim::harness::checker
