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

// The type name a scenario literal has in Python.
std::string literalTypeName(const json& v) {
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
  return PyObj{literalTypeName(v)};
}

std::optional<CodeRef> codeOfLiteral(const json& v) {
  if (!v.is_object() || v.value("$", "") != "code") return std::nullopt;
  if (v.contains("id")) return CodeRef{v["id"].get<std::string>(), ""};
  return CodeRef{"", v.value("of", "")};
}

std::optional<CodeRef> codeOfRecorded(const TraceValue& v) {
  if (v.kind != TraceValue::Kind::Code) return std::nullopt;
  return CodeRef{v.repr, ""};
}

CallableRef callableOfLiteral(const json& v) {
  CallableRef c;
  if (v.is_null()) {
    c.kind = CallableRef::Kind::None;
  } else if (v.is_object() && v.contains("$")) {
    if (v["$"] == "handler") {
      c.kind = CallableRef::Kind::Handler;
      c.handler = v.value("name", "");
      c.repr = "<handler:" + c.handler + ">";
    } else if (v["$"] == "trace") {
      c.kind = CallableRef::Kind::Trace;
      c.handler = "trace:" + v.value("name", "");
      c.repr = "<" + c.handler + ">";
    } else {
      c.repr = "<" + literalTypeName(v) + ">";
    }
  } else if (v.is_object() && v.value("type", "") == "NoneType") {
    c.kind = CallableRef::Kind::None;
  } else {
    c.repr = v.is_object() ? v.value("repr", "?") : "?";
  }
  return c;
}

// One argument list, recorded or literal: the arity and per-position conversions.
template <typename Arg, typename ToPy, typename ToCode, typename ToCallable,
          typename TypeName>
std::optional<ApiCall> makeCall(const std::string& fn, const std::vector<Arg>& args,
                                const ArgResolver& r, std::string& why, ToPy toPy,
                                ToCode toCode, ToCallable toCallable, TypeName typeName) {
  const size_t n = args.size();
  auto arg = [&](size_t i) { return toPy(args[i]); };
  auto codeArg = [&](size_t i) -> CodeArg {
    if (const auto ref = toCode(args[i]))
      if (auto c = r.code(*ref)) return *c;
    return NotCode{typeName(args[i])};
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
    if (arity(3))
      return RegisterCallback{arg(0), arg(1), r.callable(toCallable(args[2]))};
  } else if (fn == "restart_events") {
    if (arity(0)) return RestartEvents{};
  } else if (fn == "_all_events") {
    if (arity(0)) return AllEvents{};
  } else if (fn == "settrace") {  // the legacy hooks (behaviour §12)
    if (arity(1)) return SetTrace{r.callable(toCallable(args[0]))};
  } else if (fn == "setprofile") {
    if (arity(1)) return SetProfile{r.callable(toCallable(args[0]))};
  } else if (fn == "f_trace") {
    if (arity(1)) return SetFrameTrace{r.callable(toCallable(args[0]))};
  } else if (fn == "f_trace_lines" || fn == "f_trace_opcodes") {
    if (!arity(1)) return std::nullopt;
    const PyArg v = arg(0);
    const bool on = std::holds_alternative<PyBool>(v)  ? std::get<PyBool>(v).value
                    : std::holds_alternative<PyInt>(v) ? std::get<PyInt>(v).value != 0
                                                       : true;
    if (fn == "f_trace_lines") return SetFrameTraceLines{on};
    return SetFrameTraceOpcodes{on};
  } else {
    why = "unknown API function " + fn;
  }
  return std::nullopt;
}

}  // namespace

std::string typeNameOf(const TraceValue& v) {
  if (v.kind == TraceValue::Kind::Disable || v.kind == TraceValue::Kind::Missing)
    return "object";
  return v.type.empty() ? "object" : v.type;
}

CallableRef callableOfRecorded(const TraceValue& v) {
  CallableRef c;
  c.repr = v.kind == TraceValue::Kind::Object ? v.repr : "?";
  if (v.kind == TraceValue::Kind::Object && v.type == "NoneType") {
    c.kind = CallableRef::Kind::None;
  } else if (v.kind == TraceValue::Kind::Object && v.type == "trace_function" &&
             c.repr.size() > 2) {
    c.kind = CallableRef::Kind::Trace;
    c.handler = c.repr.substr(1, c.repr.size() - 2);
  } else if (v.kind == TraceValue::Kind::Object && v.type == "handler") {
    // "<handler:NAME>" for `handlers`, "<tool>" for callbacks declared in `tools`.
    if (c.repr.starts_with("<handler:")) {
      c.kind = CallableRef::Kind::Handler;
      c.handler = c.repr.substr(9, c.repr.size() - 10);
    } else {
      c.kind = CallableRef::Kind::Declared;
    }
  }
  return c;
}

PyArg argFromRecorded(const TraceValue& v) {
  const std::string type = typeNameOf(v);
  if (type == "int") return intFromRepr(v.repr);
  if (type == "bool") return PyBool{v.repr == "True"};
  if (type == "str") return PyStr{unrepr(v.repr)};
  if (type == "NoneType") return PyNone{};
  return PyObj{type};
}

std::optional<ApiCall> makeApiCall(const std::string& fn,
                                   const std::vector<TraceValue>& args,
                                   const VersionProfile&, const ArgResolver& r,
                                   std::string& why) {
  return makeCall(fn, args, r, why, argFromRecorded, codeOfRecorded, callableOfRecorded,
                  typeNameOf);
}

std::optional<ApiCall> makeLiteralApiCall(const std::string& fn, const Literal& args,
                                          const VersionProfile& p, const ArgResolver& r,
                                          std::string& why) {
  if (!args.json.is_array()) {
    why = "arguments are not a list";
    return std::nullopt;
  }
  const std::vector<json> items(args.json.begin(), args.json.end());
  return makeCall(
      fn, items, r, why, [&](const json& v) { return argFromLiteral(v, p); },
      codeOfLiteral, callableOfLiteral, literalTypeName);
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

std::string recordedOutcomeText(const TraceRecord& rec) {
  if (rec.raised) {
    const TraceValue& x = *rec.raised;
    return "raises " + (x.type.empty() ? std::string("?") : x.type) +
           (x.message ? ": " + *x.message : "");
  }
  if (rec.plain && !rec.plain->json.is_null()) return "returns " + rec.plain->json.dump();
  return "returns " + (rec.result ? rec.result->repr : std::string("?"));
}

std::string compareOutcome(const Outcome& predicted, const TraceRecord& rec,
                           const std::function<std::string(CallableId)>& callableRepr) {
  auto differ = [&] {
    return "the model " + outcomeText(predicted, callableRepr) + ", the interpreter " +
           recordedOutcomeText(rec);
  };
  if (const auto* e = std::get_if<PyError>(&predicted)) {
    if (!rec.raised) return differ();
    const TraceValue& x = *rec.raised;
    if (x.type != e->type) return differ();
    if (x.message && *x.message != e->message) return differ();
    return "";
  }
  if (rec.raised) return differ();
  const TraceValue result = rec.result.value_or(TraceValue{});
  const json value = rec.plain ? rec.plain->json : json();
  struct V {
    const TraceValue& result;
    const json& value;
    const std::function<std::string(CallableId)>& repr;
    bool operator()(const PyNone&) const { return result.type == "NoneType"; }
    bool operator()(const IntValue& v) const {
      return value.is_number_integer() && value.get<int64_t>() == v.value;
    }
    bool operator()(const StrValue& v) const {
      return value.is_string() && value.get<std::string>() == v.value;
    }
    bool operator()(const CallableId& c) const { return result.repr == repr(c); }
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
