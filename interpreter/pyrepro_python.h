#pragma once
// Oracle literals and actions (oracle/PROTOCOL.md §3.4, §3.5) as Python source
// for the standalone script (pyrepro.h). The script's program namespace is the
// dict `ns`, sys.monitoring is `mon` and its events `E`.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace monsim::harness::pyrepro {

struct Context {
  std::string program;       // to tell program exception classes from builtins
  bool usesCodeIds = false;  // set when something needs the CODES table
  // Who performs the actions being written, as the oracle's api records say:
  // "step" or "callback" (a callback's or a trace function's clause).
  std::string by = "step";
};

// obj[key], or an empty object when absent: a reference, never a temporary, so
// that `for (… : member(o, "k").items())` is safe.
const nlohmann::json& member(const nlohmann::json& obj, const char* key);

// A Python string literal.
std::string quote(std::string_view s);
// `ns["a"].b` for the dotted name "a.b".
std::string lookup(const std::string& dotted);
// The Python function a declarative handler becomes.
std::string handlerFunction(const std::string& name);
// An exception class by name: the program's own class first, else the builtin.
std::string exceptionClass(const std::string& name, const Context& c);

// The value of a literal as a Python expression.
std::string expr(const nlohmann::json& literal, Context& c);
// The same literal as a reader would write it, for labels: PY_START|LINE, f.
std::string display(const nlohmann::json& literal);

// Statements performing an action, one line each at `indent`, that print
// `label -> VALUE` or `label raised TYPE: MESSAGE`; nothing escapes them.
std::string actionBlock(const nlohmann::json& action, const std::string& label,
                        const std::string& indent, Context& c);
// The action as a reader would write it: f(1), set_events(2, LINE), next(g).
std::string actionText(const nlohmann::json& action);

}  // namespace monsim::harness::pyrepro
