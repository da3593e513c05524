#include "check/api_values.h"

#include <charconv>
#include <limits>

#include "scenario/scenario.h"

namespace monsim::harness {

using nlohmann::json;

namespace {

// The text of a Python str repr ('…' or "…"), for the simple escapes reprs use.
std::string unrepr(const std::string& r) {
  if (r.size() < 2 || (r.front() != '\'' && r.front() != '"')) return r;
  std::string out;
  for (size_t i = 1; i + 1 < r.size(); ++i) {
    char c = r[i];
    if (c != '\\' || i + 2 >= r.size()) {
      out += c;
      continue;
    }
    char e = r[++i];
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      default:
        out += e;
    }
  }
  return out;
}

PyArg intFromRepr(const std::string& repr) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(repr.data(), repr.data() + repr.size(), v);
  // Beyond int64 ("<int of N bits>" or a long literal): certainly beyond C int.
  if (ec != std::errc() || p != repr.data() + repr.size())
    return PyInt{repr.starts_with("-") ? std::numeric_limits<int64_t>::min()
                                       : std::numeric_limits<int64_t>::max()};
  return PyInt{v};
}

}  // namespace

std::string typeNameOf(const json& v, bool literal) {
  if (!literal) {
    if (v.contains("marker")) return "object";
    return v.value("type", "object");
  }
  if (v.is_null()) return "NoneType";
  if (v.is_boolean()) return "bool";
  if (v.is_number_integer()) return "int";
  if (v.is_number()) return "float";
  if (v.is_string()) return "str";
  if (v.is_array()) return "list";
  if (!v.contains("$")) return "dict";
  const std::string m = v["$"].get<std::string>();
  if (m == "events" || m == "int") return "int";
  if (m == "code") return "code";
  if (m == "handler") return "Handler";
  if (m == "tuple") return "tuple";
  if (m == "builtin") return "builtin_function_or_method";
  if (m == "exc") return v.value("type", "Exception");
  return "object";  // DISABLE, MISSING, var (unknown)
}

PyArg argFromRecorded(const json& v) {
  const std::string type = typeNameOf(v, false);
  const std::string repr = v.value("repr", "");
  if (type == "int") return intFromRepr(repr);
  if (type == "bool") return PyBool{repr == "True"};
  if (type == "str") return PyStr{unrepr(repr)};
  if (type == "NoneType") return PyNone{};
  return PyObj{type};
}

PyArg argFromLiteral(const json& v, const VersionProfile& p) {
  if (v.is_boolean()) return PyBool{v.get<bool>()};
  if (v.is_number_integer()) return PyInt{v.get<int64_t>()};
  if (v.is_string()) return PyStr{v.get<std::string>()};
  if (v.is_null()) return PyNone{};
  if (v.is_object() && v.value("$", "") == "events")
    return PyInt{resolveEventsMarkers(v, p.version()).get<int64_t>()};
  // {"$": "int"}: beyond 64 bits, so beyond C int, as intFromRepr saturates it.
  if (v.is_object() && v.value("$", "") == "int")
    return intFromRepr(v.value("value", ""));
  return PyObj{typeNameOf(v, true)};
}

std::optional<ApiCall> makeApiCall(const std::string& fn, const json& args, bool literal,
                                   const VersionProfile& p, const ArgResolver& r,
                                   std::string& why) {
  if (!args.is_array()) {
    why = "arguments are not a list";
    return std::nullopt;
  }
  const size_t n = args.size();
  auto arg = [&](size_t i) {
    return literal ? argFromLiteral(args[i], p) : argFromRecorded(args[i]);
  };
  auto codeArg = [&](size_t i) -> CodeArg {
    if (auto c = r.code(args[i])) return *c;
    return NotCode{typeNameOf(args[i], literal)};
  };
  auto arity = [&](size_t want) {
    if (n == want) return true;
    why = fn + " takes " + std::to_string(want) + " arguments (" + std::to_string(n) +
          " given): the TypeError is not modelled";
    return false;
  };
  if (fn == "use_tool_id") {
    if (arity(2)) return UseToolId{arg(0), arg(1)};
  } else if (fn == "free_tool_id") {
    if (arity(1)) return FreeToolId{arg(0)};
  } else if (fn == "clear_tool_id") {
    if (arity(1)) return ClearToolId{arg(0)};
  } else if (fn == "get_tool") {
    if (arity(1)) return GetTool{arg(0)};
  } else if (fn == "set_events") {
    if (arity(2)) return SetEvents{arg(0), arg(1)};
  } else if (fn == "get_events") {
    if (arity(1)) return GetEvents{arg(0)};
  } else if (fn == "set_local_events") {
    if (arity(3)) return SetLocalEvents{arg(0), codeArg(1), arg(2)};
  } else if (fn == "get_local_events") {
    if (arity(2)) return GetLocalEvents{arg(0), codeArg(1)};
  } else if (fn == "register_callback") {
    if (arity(3)) return RegisterCallback{arg(0), arg(1), r.callable(args[2])};
  } else if (fn == "restart_events") {
    if (arity(0)) return RestartEvents{};
  } else if (fn == "_all_events") {
    if (arity(0)) return AllEvents{};
  } else {
    why = "unknown API function " + fn;
  }
  return std::nullopt;
}

std::string outcomeText(const Outcome& o,
                        const std::function<std::string(CallableId)>& callableRepr) {
  struct V {
    const std::function<std::string(CallableId)>& repr;
    std::string operator()(const PyNone&) const { return "returns None"; }
    std::string operator()(const IntValue& v) const {
      return "returns " + std::to_string(v.value);
    }
    std::string operator()(const StrValue& v) const {
      return "returns '" + v.value + "'";
    }
    std::string operator()(const CallableId& c) const { return "returns " + repr(c); }
    std::string operator()(const AllEventsValue& a) const {
      json j = json::object();
      for (const auto& e : a.entries) j[std::string(e.event)] = e.tools;
      return "returns " + j.dump();
    }
    std::string operator()(const PyError& e) const {
      return "raises " + e.type + ": " + e.message;
    }
    std::string operator()(const Dispatched&) const { return "dispatched"; }
    std::string operator()(const InvalidInput& i) const {
      return "invalid input: " + std::string(i.reason);
    }
  };
  return std::visit(V{callableRepr}, o);
}

std::string recordedOutcomeText(const json& rec) {
  if (rec.contains("raised")) {
    const json& x = rec["raised"];
    return "raises " + x.value("type", "?") +
           (x.contains("message") ? ": " + x["message"].get<std::string>() : "");
  }
  if (rec.contains("value") && !rec["value"].is_null())
    return "returns " + rec["value"].dump();
  return "returns " + rec.value("result", json::object()).value("repr", "?");
}

std::string compareOutcome(const Outcome& predicted, const json& rec,
                           const std::function<std::string(CallableId)>& callableRepr) {
  auto differ = [&] {
    return "the model " + outcomeText(predicted, callableRepr) + ", the interpreter " +
           recordedOutcomeText(rec);
  };
  if (const auto* e = std::get_if<PyError>(&predicted)) {
    if (!rec.contains("raised")) return differ();
    const json& x = rec["raised"];
    if (x.value("type", "") != e->type) return differ();
    if (x.contains("message") && x["message"].get<std::string>() != e->message)
      return differ();
    return "";
  }
  if (rec.contains("raised")) return differ();
  const json result = rec.value("result", json::object());
  const json value = rec.contains("value") ? rec["value"] : json();
  struct V {
    const json& result;
    const json& value;
    const std::function<std::string(CallableId)>& repr;
    bool operator()(const PyNone&) const {
      return result.value("type", "") == "NoneType";
    }
    bool operator()(const IntValue& v) const {
      return value.is_number_integer() && value.get<int64_t>() == v.value;
    }
    bool operator()(const StrValue& v) const {
      return value.is_string() && value.get<std::string>() == v.value;
    }
    bool operator()(const CallableId& c) const {
      return result.value("repr", "") == repr(c);
    }
    bool operator()(const AllEventsValue& a) const {
      json j = json::object();
      for (const auto& e : a.entries) j[std::string(e.event)] = e.tools;
      return value == j;
    }
    bool operator()(const PyError&) const { return false; }
    bool operator()(const Dispatched&) const { return true; }
    bool operator()(const InvalidInput&) const { return false; }
  };
  return std::visit(V{result, value, callableRepr}, predicted) ? "" : differ();
}

}  // namespace monsim::harness
