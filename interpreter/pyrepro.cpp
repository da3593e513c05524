#include "interpreter/pyrepro.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "interpreter/frames_py.h"
#include "interpreter/pyrepro_preamble.h"
#include "interpreter/pyrepro_python.h"

namespace monsim::harness {

using nlohmann::json;
using namespace pyrepro;

namespace {

constexpr std::string_view kIndent = "        ";  // a callback body

// "# " lines of at most ~88 columns.
std::string commentBlock(const std::string& text) {
  std::istringstream words(text);
  std::string out, line, w;
  while (words >> w) {
    if (!line.empty() && line.size() + w.size() > 84) {
      out += "# " + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + w;
  }
  if (!line.empty()) out += "# " + line + "\n";
  return out;
}

// The program as a triple-quoted literal: readable, and compile() sees exactly
// the scenario's text, so lines and offsets are the oracle's.
std::string programLiteral(const std::string& program) {
  std::string out = "'''\\\n";
  for (std::size_t i = 0; i < program.size(); ++i) {
    const char ch = program[i];
    if (ch == '\\') {
      out += "\\\\";
    } else if (ch == '\'' &&
               (i + 1 == program.size() || program.compare(i, 3, "'''") == 0)) {
      out += "\\'";
    } else if (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(ch));
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "'''";
}

std::vector<json> clausesOf(const json& spec) {
  std::vector<json> out;
  if (spec.is_array()) {
    for (const auto& c : spec) out.push_back(c);
  } else {
    out.push_back(spec);
  }
  return out;
}

std::string oneOf(const std::string& lhs, const json& v) {
  if (!v.is_array()) return lhs + " == " + v.dump();
  if (v.size() == 1) return lhs + " == " + v[0].dump();
  std::string items;
  for (const auto& x : v) items += (items.empty() ? "" : ", ") + x.dump();
  return lhs + " in (" + items + ")";
}

// The clause's `when` as one Python condition; empty when it always holds.
// `qualname` is the expression for the code's qualified name.
std::string condition(const json& when, Context& c, const std::string& qualname) {
  std::vector<std::string> parts;
  if (when.contains("events")) parts.push_back(oneOf("event", when["events"]));
  if (when.contains("nth")) parts.push_back(oneOf("n", when["nth"]));
  if (when.contains("from_nth")) parts.push_back("n >= " + when["from_nth"].dump());
  if (when.contains("functions")) {
    json names = json::array(), ids = json::array();
    for (const auto& f : when["functions"])
      (f.get<std::string>().find('@') == std::string::npos ? names : ids).push_back(f);
    std::vector<std::string> any;
    if (!names.empty()) any.push_back(oneOf(qualname, names));
    if (!ids.empty()) {
      c.usesCodeIds = true;
      any.push_back(oneOf("code_id(code)", ids));
    }
    if (any.empty()) any.push_back("False");
    parts.push_back(any.size() == 1 ? any[0] : "(" + any[0] + " or " + any[1] + ")");
  }
  if (when.contains("lines")) parts.push_back(oneOf("line", when["lines"]));
  if (when.contains("offsets")) parts.push_back(oneOf("offset", when["offsets"]));
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " and ") + p;
  return out;
}

// A callback of a tool or a handler, or a trace or profile function (kHooks).
enum class Kind { Callback, Hook };

// The statement printing a delivery (or a call of a trace function) and `result`.
std::string report(const std::string& result, Kind kind) {
  if (kind == Kind::Hook) return "emit(f\"{site} -> " + result + "\")\n";
  return "print(f\"tool {tool} {event} {site} -> " + result + "\")\n";
}

// What one clause does, at `ind`: print the delivery, perform the actions,
// return or raise.
std::string clauseBody(const json& clause, const std::string& ind, Context& c,
                       Kind kind = Kind::Callback) {
  std::string actions;
  const std::string by = c.by;
  c.by = "callback";
  for (const auto& a : clause.value("actions", json::array()))
    actions += actionBlock(a, "  action " + actionText(a), ind, c);
  c.by = by;
  auto delivered = [kind](const std::string& result) { return report(result, kind); };
  if (clause.contains("raise")) {
    const json& r = clause["raise"];
    json marker = {{"$", "exc"}, {"type", r.value("type", "")}};
    if (r.contains("args")) marker["args"] = r["args"];
    return ind + "error = " + expr(marker, c) + "\n" + ind +
           delivered("raised {type(error).__qualname__}") + actions + ind +
           "raise error\n";
  }
  const json ret = clause.value("return", json());
  const std::string m = ret.is_object() ? ret.value("$", "") : "";
  if (ret.is_null() || m == "DISABLE" || m == "MISSING") {
    const std::string shown = ret.is_null() ? "None" : m;
    return ind + delivered(shown) + actions + ind + "return " +
           (ret.is_null() ? "None" : "mon." + m) + "\n";
  }
  return ind + "result = " + expr(ret, c) + "\n" + ind + delivered("{show(result)}") +
         actions + ind + "return result\n";
}

// A factory for one declarative callback: each registration gets its own
// delivery count, as each oracle wrapper does.
std::string callbackFactory(const std::string& name, const std::string& origin,
                            const json& spec, Context& c) {
  bool counts = false;
  for (const auto& clause : clausesOf(spec)) {
    const json when = clause.value("when", json::object());
    counts = counts || when.contains("nth") || when.contains("from_nth");
  }
  std::string out = "\n\ndef " + name + "(tool, event):\n";
  const std::string doc = clausesOf(spec).empty()
                              ? ": prints each delivery and returns None."
                              : ": per delivery, the first clause that matches acts.";
  out += "    \"\"\"" + origin + doc + "\"\"\"\n";
  out += "    event = EVENT_NAMES.get(event, \"?\") if type(event) is int else \"?\"\n";
  if (counts) out += "    n = 0  # deliveries to this registration\n";
  out += "\n    def callback(code, *args):\n";
  if (counts) out += "        nonlocal n\n";
  out += "        if is_here(code):\n";
  out += "            return None\n";
  if (counts) out += "        n += 1\n";
  out += "        frame = sys._getframe(1)  # the monitored frame (frame actions)\n";
  out += "        offset, line, site = locate(event, code, args, frame)\n";
  bool fallsThrough = true;
  for (const auto& clause : clausesOf(spec)) {
    const std::string cond =
        condition(clause.value("when", json::object()), c, "code.co_qualname");
    if (cond.empty()) {
      out += clauseBody(clause, std::string(kIndent), c);
      fallsThrough = false;
      break;
    }
    out += std::string(kIndent) + "if " + cond + ":\n" +
           clauseBody(clause, std::string(kIndent) + "    ", c);
  }
  if (fallsThrough)
    out += std::string(kIndent) + report("None", Kind::Callback) + std::string(kIndent) +
           "return None\n";
  return out + "\n    return callback\n";
}

std::string traceFunctionName(const std::string& name) {
  return "trace_" + handlerFunction(name).substr(std::string_view("handler_").size());
}

// trace_functions.NAME: what a TraceFunction (kHooks) of it calls, with its call
// count, the frame, the event and the printed site.
std::string traceFunction(const std::string& name, const json& spec, Context& c) {
  std::string out = "\n\ndef " + traceFunctionName(name) + "(n, frame, event, site):\n";
  out += "    \"\"\"trace_functions." + name +
         ": per call, the first clause that matches acts.\"\"\"\n";
  out += "    code, line, offset = frame.f_code, frame.f_lineno, frame.f_lasti\n";
  const std::string ind = "    ";
  for (const auto& clause : clausesOf(spec)) {
    const std::string cond =
        condition(clause.value("when", json::object()), c, "qualname(code)");
    if (cond.empty()) return out + clauseBody(clause, ind, c, Kind::Hook);
    out += ind + "if " + cond + ":\n" + clauseBody(clause, ind + "    ", c, Kind::Hook);
  }
  return out + ind + report("None", Kind::Hook) + ind + "return None\n";
}

std::string eventExpr(const std::string& name) { return "E." + name; }

std::string setupTool(const std::string& tid, const json& t, Context& c,
                      std::string& factories, bool& usesRecorder) {
  std::string out = "\n# Tool " + tid + "\n";
  if (t.value("use", true))
    out += "setup(mon.use_tool_id, " + tid + ", " + quote(t.value("name", "tool" + tid)) +
           ")\n";
  const json callbacks = t.value("callbacks", json::object());
  std::vector<std::string> names;
  for (const auto& [e, spec] : callbacks.items()) names.push_back(e);
  if (t.value("auto_callbacks", true)) {
    std::vector<std::string> named = t.value("events", std::vector<std::string>{});
    for (const auto& [f, events] : member(t, "local").items())
      for (const auto& e : events) named.push_back(e);
    for (const auto& e : named)
      if (std::find(names.begin(), names.end(), e) == names.end()) names.push_back(e);
  }
  for (const auto& e : names) {
    std::string factory = "recorder";
    if (callbacks.contains(e) && !(callbacks[e].is_array() && callbacks[e].empty())) {
      factory = "tool" + tid + "_" + e;
      factories +=
          callbackFactory(factory, "tools." + tid + ".callbacks." + e, callbacks[e], c);
    } else {
      usesRecorder = true;
    }
    out += "setup(mon.register_callback, " + tid + ", " + eventExpr(e) + ", " + factory +
           "(" + tid + ", " + eventExpr(e) + "))\n";
  }
  if (t.contains("events"))
    out += "setup(mon.set_events, " + tid + ", " +
           expr({{"$", "events"}, {"names", t["events"]}}, c) + ")\n";
  for (const auto& [f, events] : member(t, "local").items()) {
    const bool byId = f.find('@') != std::string::npos;
    if (byId) c.usesCodeIds = true;
    const std::string code = byId ? "CODES[" + quote(f) + "]" : lookup(f) + ".__code__";
    out += "setup(mon.set_local_events, " + tid + ", " + code + ", " +
           expr({{"$", "events"}, {"names", events}}, c) + ")\n";
  }
  return out;
}

std::string header(const Scenario& s, bool hooks) {
  std::string out = commentBlock("Scenario " + s.id + ": " + s.description);
  for (const auto& ref : s.specRefs) out += commentBlock("spec: " + ref);
  if (!s.file.empty()) out += "# from " + s.file + "\n";
  out += "# Python " + (s.python.text.empty() ? std::string(">=3.12") : s.python.text) +
         "\n";
  out += "#\n# Generated by monsim; run: python3 repro.py\n";
  out += commentBlock(
      "It does what the monsim oracle does with the scenario and prints, for every call "
      "of a scenario tool's callback, \"tool ID EVENT QUALNAME line L offset O -> "
      "RESULT\" (LINE: its line argument and the frame's f_lasti; exception events add "
      "the exception's type, jumps and branches their destination), and what every step "
      "returned or raised.");
  if (hooks)
    out += commentBlock(
        "For every call of a trace or profile function, \"trace|profile EVENT QUALNAME "
        "line L offset O -> RESULT\" (the frame's f_lineno and f_lasti; 'exception' adds "
        "the exception's type, 'c_call', 'c_return' and 'c_exception' the callable), and "
        "for every sys.settrace, sys.setprofile and frame f_trace* assignment, \"hook "
        "WHAT(VALUE) by WHO -> RESULT\".");
  return out + "\n";
}

// Every list of actions: the steps and each clause's actions.
std::vector<json> actionLists(const json& o) {
  std::vector<json> lists{o.value("steps", json::array())};
  auto addClauses = [&](const json& spec) {
    for (const auto& cl : clausesOf(spec))
      lists.push_back(cl.value("actions", json::array()));
  };
  for (const auto& [n, spec] : member(o, "handlers").items()) addClauses(spec);
  for (const auto& [n, spec] : member(o, "trace_functions").items()) addClauses(spec);
  for (const auto& [id, t] : member(o, "tools").items())
    for (const auto& [e, spec] : member(t, "callbacks").items()) addClauses(spec);
  return lists;
}

bool registersNonHandler(const json& actions) {
  for (const auto& a : actions) {
    if (a.value("api", "") != "register_callback") continue;
    const json args = a.value("args", json::array());
    if (args.size() >= 3 && !args[2].is_null() &&
        !(args[2].is_object() && args[2].value("$", "") == "handler"))
      return true;
  }
  return false;
}

// The program or an action registers a callable of the program's.
bool registersProgramCallables(const json& o) {
  if (o.value("program", "").find("register_callback") != std::string::npos) return true;
  if (!member(member(o, "meta"), "clients").empty()) return true;  // cProfile, bdb
  for (const auto& l : actionLists(o))
    if (registersNonHandler(l)) return true;
  return false;
}

// Trace or profile functions may run: the scenario's, or the program's own.
bool usesHooks(const json& o) {
  if (!member(o, "trace_functions").empty()) return true;
  for (const auto& c : member(member(o, "meta"), "clients"))
    if (c == "profile" || c == "trace") return true;
  const std::string program = o.value("program", "");
  for (const char* fn : {"settrace", "setprofile", "gettrace", "getprofile"})
    if (program.find(fn) != std::string::npos) return true;
  for (const auto& l : actionLists(o))
    for (const auto& a : l)
      if (a.contains("settrace") || a.contains("setprofile") || a.contains("frame"))
        return true;
  return false;
}

}  // namespace

std::string standalonePython(const Scenario& s) {
  const json& o = s.oracle;
  Context c{o.value("program", "")};
  std::string factories, setup;
  bool usesRecorder = false;
  for (const auto& [name, spec] : member(o, "handlers").items())
    factories += callbackFactory(handlerFunction(name), "handlers." + name, spec, c);
  std::vector<std::string> ids;
  for (const auto& [tid, t] : member(o, "tools").items()) ids.push_back(tid);
  std::sort(ids.begin(), ids.end(),
            [](const auto& a, const auto& b) { return std::stoi(a) < std::stoi(b); });
  for (const auto& tid : ids)
    setup += setupTool(tid, o["tools"][tid], c, factories, usesRecorder);
  if (usesRecorder)
    factories =
        callbackFactory("recorder", "auto_callbacks", json::array(), c) + factories;

  const bool hooks = usesHooks(o);
  std::string traceFunctions, table;
  for (const auto& [name, spec] : member(o, "trace_functions").items()) {
    traceFunctions += traceFunction(name, spec, c);
    table += (table.empty() ? "" : ", ") + quote(name) + ": " + traceFunctionName(name);
  }
  if (hooks) traceFunctions += "\n\nTRACE_FUNCTIONS = {" + table + "}\n";

  std::string steps = "\n# Steps\n";
  c.by = "step";
  int i = 0;
  for (const auto& a : o.value("steps", json::array())) {
    steps += actionBlock(a, "step " + std::to_string(i) + " " + actionText(a), "", c);
    ++i;
  }

  std::string out = header(s, hooks) + kPreamble;
  if (c.usesCodeIds) out += kCodeIds;
  if (hooks) out += kHooks;
  if (registersProgramCallables(o)) {
    out += "\n# oracle/monsim_oracle/frames.py, as the oracle runs it.\n";
    out += kFramesPy;
    out += kRegisterShim;
  }
  out += "\n\nPROGRAM = " + programLiteral(c.program) + "\n";
  out += "CODE = compile(PROGRAM, " + quote("<scenario " + s.id + ">") +
         ", \"exec\", dont_inherit=True)\n";
  if (c.usesCodeIds) out += "CODES = code_ids(CODE, {})\n";
  if (!s.capi.empty()) {
    std::string decl;
    for (const CapiObject& obj : s.capi)
      decl += (decl.empty() ? "" : ", ") + quote(obj.name) + ": (" +
              std::to_string(obj.states) + ", " + quote(obj.version) + ")";
    out +=
        "\nimport os\nCAPI_EXT_BUILT = " + quote(MONSIM_SOURCE_ROOT "/build/capi_ext") +
        "\nCAPI_EXT = " + std::string(s.capiExt ? "True" : "False") + "\nCAPI_DECL = {" +
        decl + "}" + kCapi;
  }
  out += "ns = {\"__name__\": \"__monsim__\"}\n";
  out +=
      "# Run before any tool is set up, as the oracle does: the module body is not "
      "monitored.\n";
  out +=
      "try:\n    exec(CODE, ns)\nexcept BaseException as e:\n    failed(\"program\", "
      "e)\n";
  out += factories + traceFunctions + "\n" + setup + steps;
  if (hooks) out += kHooksCleanup;
  out += kCleanup;
  return out;
}

}  // namespace monsim::harness
