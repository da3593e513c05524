#include "check/capi_calls.h"

#include <algorithm>

namespace monsim::harness {

using nlohmann::json;

std::string callName(const ApiCall& call) {
  const auto* f = std::get_if<CapiFire>(&call);
  if (!f) return std::string(apiName(call));
  std::string out = "PyMonitoring_Fire";
  bool upper = true;  // PY_START -> PyStart, C_RETURN -> CReturn
  for (char c : eventName(f->event)) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? c : char(c - 'A' + 'a');
    upper = false;
  }
  return out + "Event";
}

std::optional<ApiCall> capiCall(const json& action, const Scenario& s,
                                const std::function<CodeId(const std::string&)>& codeId,
                                std::string& why) {
  const std::string op = action.value("capi", "");
  if (op == "exit") return CapiExitScope{};
  // The object's first state and its version cell (numbered by first mention).
  const std::string name = action.value("codelike", "");
  uint16_t first = 0;
  std::vector<std::string> versions;
  const CapiObject* obj = nullptr;
  for (const CapiObject& c : s.capi) {
    if (std::find(versions.begin(), versions.end(), c.version) == versions.end())
      versions.push_back(c.version);
    if (c.name == name) {
      obj = &c;
      break;
    }
    first = uint16_t(first + c.states);
  }
  if (!obj) {
    why = "unknown code-like object '" + name + "'";
    return std::nullopt;
  }
  if (op == "enter") {
    CapiEnterScope c;
    c.firstState = first;
    c.version = uint16_t(std::find(versions.begin(), versions.end(), obj->version) -
                         versions.begin());
    for (const json& e : action.value("events", json::array())) {
      const auto ev = eventNamed(e.get<std::string>());
      if (!ev || c.count == kCapiMaxScopeEvents) {
        why = "a scope's events are not modelled: " + e.dump();
        return std::nullopt;
      }
      c.events[c.count++] = *ev;
    }
    return c;
  }
  CapiFire f;
  const auto ev = eventNamed(action.value("event", ""));
  if (!ev) {
    why = "unknown event " + action.value("event", "");
    return std::nullopt;
  }
  f.event = *ev;
  const int index = action.value("index", 0);
  f.state = uint16_t(first + index);
  f.code = codeId(capiCodeId(name));
  f.offset = action.value("offset", index);
  if (action.contains("line") && action["line"].is_number_integer())
    f.aux = action["line"].get<int32_t>();
  if (action.contains("target") && action["target"].is_number_integer())
    f.aux = action["target"].get<int32_t>();
  if (capiTakesException(f.event)) {
    // A `{$: exc}` literal is the current exception; null: none is set.
    static const json kNone;  // both branches lvalues: `exc` views the action itself
    const json& exc = action.contains("exc") ? action["exc"] : kNone;
    if (exc.is_object() && exc.contains("type") && exc["type"].is_string())
      f.exception = exc["type"].get_ref<const std::string&>();
    else if (!exc.is_null()) {
      why = "only {$: exc} literals or null are modelled as the current exception";
      return std::nullopt;
    }
  }
  if (f.event == Event::StopIteration) f.exception = "StopIteration";
  return f;
}

}  // namespace monsim::harness
