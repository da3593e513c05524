#include "interpreter/pyrepro_python.h"

#include <cctype>
#include <functional>
#include <regex>

#include "model/capi.h"
#include "model/version_profile.h"

namespace monsim::harness::pyrepro {

using nlohmann::json;

namespace {

std::string joined(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : std::string(sep)) + p;
  return out;
}

// Python's repr of a float is not JSON's: 1.0 must not become 1.
std::string number(const json& v) {
  std::string s = v.dump();
  if (v.is_number_float() && s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string plainLiteral(const json& v) {
  if (v.is_null()) return "None";
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_number()) return number(v);
  return quote(v.get<std::string>());
}

std::string eventsExpr(const json& names, bool forReader) {
  std::vector<std::string> parts;
  for (const auto& n : names)
    parts.push_back((forReader ? "" : "E.") + n.get<std::string>());
  if (parts.empty()) return "0";
  return joined(parts, forReader ? "|" : " | ");
}

std::string tupleText(const std::vector<std::string>& items) {
  return "(" + joined(items, ", ") + (items.size() == 1 ? ",)" : ")");
}

// Arguments of a call, positional then keyword, through `render`.
template <typename F>
std::string callArgs(const json& a, F render) {
  std::vector<std::string> parts;
  for (const auto& x : a.value("args", json::array())) parts.push_back(render(x));
  for (const auto& [k, x] : member(a, "kwargs").items())
    parts.push_back(k + "=" + render(x));
  return "(" + joined(parts, ", ") + ")";
}

// trace_functions.NAME as the hook's function.
std::string declaredExpr(const json& name, const std::string& hook) {
  return "declared(" + quote(name.get<std::string>()) + ", " + quote(hook) + ")";
}

// A handler registered by register_callback gets the registration's tool and
// event, as the oracle's wrapper does; anywhere else it has neither.
std::string handlerCall(const json& marker, const std::string& tool,
                        const std::string& event) {
  return handlerFunction(marker.value("name", "")) + "(" + tool + ", " + event + ")";
}

std::string apiExpr(const json& a, Context& c) {
  const json args = a.value("args", json::array());
  const bool registersHandler = a["api"] == "register_callback" && args.size() >= 3 &&
                                args[2].is_object() &&
                                args[2].value("$", "") == "handler";
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < args.size(); ++i)
    parts.push_back(registersHandler && i == 2
                        ? handlerCall(args[2], expr(args[0], c), expr(args[1], c))
                        : expr(args[i], c));
  for (const auto& [k, x] : member(a, "kwargs").items())
    parts.push_back(k + "=" + expr(x, c));
  return "mon." + a["api"].get<std::string>() + "(" + joined(parts, ", ") + ")";
}

// A C API action (behaviour §13) through the script's capi_* functions; the fire's
// event arguments in the C function's order.
std::string capiExpr(const json& a, const std::function<std::string(const json&)>& render,
                     bool forReader) {
  const std::string op = a.value("capi", "");
  const std::string name = quote(a.value("codelike", ""));
  if (op == "exit") return "capi_exit()";
  std::vector<std::string> parts = {name};
  if (op == "enter") {
    for (const auto& e : a.value("events", json::array()))
      parts.push_back(quote(e.get<std::string>()));
    return "capi_enter(" + joined(parts, ", ") + ")";
  }
  const std::string event = a.value("event", "");
  const int index = a.value("index", 0);
  parts.push_back(quote(event));
  parts.push_back(std::to_string(index));
  parts.push_back(std::to_string(a.value("offset", index)));
  if (const auto e = eventNamed(event))
    for (int i = 0; i < capiArgCount(*e); ++i) {
      static constexpr const char* kKeys[] = {"value",  "callable", "arg0", "line",
                                              "target", "exc",      "value"};
      const char* key = kKeys[static_cast<int>(capiArg(*e, i))];
      parts.push_back(render(a.contains(key) ? a[key] : json()));
    }
  (void)forReader;
  return "capi_fire(" + joined(parts, ", ") + ")";
}

// The action's value as an expression; `forReader` gives the label form.
std::string actionExpr(const json& a, Context* c) {
  const bool forReader = c == nullptr;
  auto render = [&](const json& x) { return forReader ? display(x) : expr(x, *c); };
  auto name = [&](const std::string& dotted) {
    return forReader ? dotted : lookup(dotted);
  };
  if (a.contains("call")) return name(a["call"]) + callArgs(a, render);
  if (a.contains("capi")) return capiExpr(a, render, forReader);
  if (a.contains("api"))
    return forReader ? a["api"].get<std::string>() + callArgs(a, render) : apiExpr(a, *c);
  for (const char* hook : {"trace", "profile"}) {
    const std::string key = std::string("set") + hook;
    if (!a.contains(key)) continue;
    const json& fn = a[key];
    if (forReader)
      return key + "(" + (fn.is_null() ? "None" : fn.get<std::string>()) + ")";
    const std::string w = fn.is_null() ? "None" : declaredExpr(fn, hook);
    return "install(\"" + std::string(hook) + "\", " + w + ", " + quote(c->by) + ")";
  }
  if (a.contains("frame")) {
    // The oracle's order, whatever the scenario's: f_trace_opcodes needs f_trace first.
    std::vector<std::string> parts;
    for (const char* attr : {"f_trace", "f_trace_lines", "f_trace_opcodes"}) {
      if (!a["frame"].contains(attr)) continue;
      const json& v = a["frame"][attr];
      const bool fn = std::string_view(attr) == "f_trace" && !v.is_null();
      if (forReader)
        parts.push_back(std::string(attr) + "=" +
                        (fn ? v.get<std::string>() : display(v)));
      else
        parts.push_back(
            tupleText({quote(attr), fn ? declaredExpr(v, "trace") : expr(v, *c)}));
    }
    return forReader ? "frame(" + joined(parts, ", ") + ")"
                     : "set_frame(frame, " + tupleText(parts) + ")";
  }
  const std::string g = name(a.value("gen", ""));
  const std::string op = a.value("op", "");
  if (op == "next") return "next(" + g + ")";
  if (op == "send") return g + ".send(" + render(a.value("value", json())) + ")";
  if (op == "throw") return g + ".throw(" + render(a.value("value", json())) + ")";
  if (op == "close") return g + ".close()";
  return "list(" + g + ")";
}

}  // namespace

const json& member(const json& obj, const char* key) {
  static const json empty = json::object();
  const auto it = obj.find(key);
  return it != obj.end() ? *it : empty;
}

std::string quote(std::string_view s) { return json(std::string(s)).dump(); }

std::string lookup(const std::string& dotted) {
  const auto dot = dotted.find('.');
  if (dot == std::string::npos) return "ns[" + quote(dotted) + "]";
  return "ns[" + quote(dotted.substr(0, dot)) + "]" + dotted.substr(dot);
}

std::string handlerFunction(const std::string& name) {
  std::string id = "handler_";
  for (char ch : name) id += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return id;
}

std::string exceptionClass(const std::string& name, const Context& c) {
  const std::regex defined("(^|\\n)[ \\t]*class[ \\t]+" + name + "\\b");
  if (std::regex_search(c.program, defined)) return lookup(name);
  return name;
}

std::string expr(const json& v, Context& c) {
  if (v.is_array()) {
    std::vector<std::string> items;
    for (const auto& x : v) items.push_back(expr(x, c));
    return "[" + joined(items, ", ") + "]";
  }
  if (!v.is_object()) return plainLiteral(v);
  const std::string m = v.value("$", "");
  if (m.empty()) {
    std::vector<std::string> items;
    for (const auto& [k, x] : v.items()) items.push_back(quote(k) + ": " + expr(x, c));
    return "{" + joined(items, ", ") + "}";
  }
  if (m == "DISABLE" || m == "MISSING") return "mon." + m;
  if (m == "int") return v.value("value", "0");  // beyond 64 bits: its decimal text
  if (m == "events") return eventsExpr(v.value("names", json::array()), false);
  if (m == "code" && v.contains("of")) return lookup(v["of"]) + ".__code__";
  if (m == "code") {
    c.usesCodeIds = true;
    return "CODES[" + quote(v.value("id", "")) + "]";
  }
  if (m == "var") return lookup(v.value("name", ""));
  if (m == "handler") return handlerCall(v, "None", "None");
  if (m == "trace") return declaredExpr(v.value("name", json("")), "trace");
  if (m == "builtin") return v.value("name", "");
  if (m == "tuple") {
    std::vector<std::string> items;
    for (const auto& x : v.value("items", json::array())) items.push_back(expr(x, c));
    return tupleText(items);
  }
  std::vector<std::string> args;
  for (const auto& x : v.value("args", json::array())) args.push_back(expr(x, c));
  return exceptionClass(v.value("type", ""), c) + "(" + joined(args, ", ") + ")";
}

std::string display(const json& v) {
  if (v.is_array()) {
    std::vector<std::string> items;
    for (const auto& x : v) items.push_back(display(x));
    return "[" + joined(items, ", ") + "]";
  }
  if (!v.is_object()) return plainLiteral(v);
  const std::string m = v.value("$", "");
  if (m.empty()) {
    std::vector<std::string> items;
    for (const auto& [k, x] : v.items()) items.push_back(quote(k) + ": " + display(x));
    return "{" + joined(items, ", ") + "}";
  }
  if (m == "DISABLE" || m == "MISSING") return m;
  if (m == "int") return v.value("value", "0");
  if (m == "events") return eventsExpr(v.value("names", json::array()), true);
  if (m == "code")
    return v.contains("of") ? v["of"].get<std::string>() + ".__code__"
                            : "<code " + v.value("id", "") + ">";
  if (m == "var" || m == "builtin") return v.value("name", "");
  if (m == "handler") return "<handler " + v.value("name", "") + ">";
  if (m == "trace") return "<trace " + v.value("name", "") + ">";
  if (m == "tuple") {
    std::vector<std::string> items;
    for (const auto& x : v.value("items", json::array())) items.push_back(display(x));
    return tupleText(items);
  }
  std::vector<std::string> args;
  for (const auto& x : v.value("args", json::array())) args.push_back(display(x));
  return v.value("type", "") + "(" + joined(args, ", ") + ")";
}

std::string actionText(const json& a) {
  if (a.contains("delete")) return "del " + a["delete"].get<std::string>();
  const std::string value = actionExpr(a, nullptr);
  return a.contains("store") ? a["store"].get<std::string>() + " = " + value : value;
}

std::string actionBlock(const json& a, const std::string& label,
                        const std::string& indent, Context& c) {
  const std::string q = quote(label);
  if (a.contains("delete"))
    return indent + "del " + lookup(a["delete"]) + "\n" + indent + "print(" + q + ")\n";
  std::string body;
  const std::string value = actionExpr(a, &c);
  if (a.contains("store")) {
    const std::string var = lookup(a["store"]);
    body = indent + "    " + var + " = " + value + "\n" + indent + "    print(" + q +
           ", \"->\", show(" + var + "))\n";
  } else {
    body = indent + "    print(" + q + ", \"->\", show(" + value + "))\n";
  }
  return indent + "try:\n" + body + indent + "except BaseException as e:\n" + indent +
         "    failed(" + q + ", e)\n";
}

}  // namespace monsim::harness::pyrepro
