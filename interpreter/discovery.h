#pragma once
// Interpreter discovery: native interpreters from pyenv, PATH and explicit
// paths; CPython-in-WebAssembly from the pinned pyodide npm packages.
#include <optional>
#include <string>
#include <vector>

namespace monsim::harness {

struct Interpreter {
  std::string id;                    // "cpython-3.13.0", "pyodide-3.14.2"
  std::string kind;                  // "native" | "pyodide" | "brython"
  std::string implementation;        // sys.implementation.name
  std::string version;               // "3.13.0", "3.15.0rc1"
  std::string path;                  // executable, or the pyodide package folder
  std::vector<std::string> command;  // prefix that runs `SCRIPT ARGS…` like python3
  std::string provenance;            // where it was found
  // false: no sys.monitoring, only sys.settrace / sys.setprofile: another
  // implementation (PyPy 3.9), checked on the legacy-hook scenarios' expectations.
  bool monitoring = true;
};

// Whether an implementation without sys.monitoring is in scope: one that is not
// CPython and has both legacy hooks. CPython before 3.12 is not a target (the spec
// covers CPython 3.12 on); other implementations are, at whatever version they are.
bool legacyHooksOnly(const std::string& implementation, bool settrace, bool setprofile);

struct DiscoveryOptions {
  std::vector<std::string> explicitPaths;  // --python PATH
  bool searchPyenv = true;
  bool searchPath = true;
  bool searchNpm = true;  // the npm interpreters: pyodide lines, Brython
};

// The project's source folder (for oracle/ and node_modules/): $MONSIM_ROOT,
// else the folder the build was configured from.
std::string sourceRoot();

std::vector<Interpreter> discoverInterpreters(const DiscoveryOptions& opts = {});

// What an executable answered when run as `PATH -` with a probe script on stdin,
// the question a Python answers with its implementation, version and hooks
// (interpreter/vet.h judges it).
struct ProbeAnswer {
  enum class Kind { Python, NotStarted, NoAnswer, TimedOut };
  Kind kind = Kind::NotStarted;
  std::string status;          // "exit 0", "signal 9", "not started"
  std::string said;            // NotStarted/NoAnswer: the start of what it printed
  std::string implementation;  // sys.implementation.name: "cpython", "pypy"
  std::string version;         // "3.11.2"
  bool monitoring = false;     // sys.monitoring.use_tool_id etc. are callables
  bool settrace = false;       // the legacy hooks
  bool setprofile = false;
};
ProbeAnswer probeExecutable(const std::string& path);
// The same question put to a command prefix (`node runner.mjs`), run as `COMMAND… -`.
ProbeAnswer probeCommand(std::vector<std::string> command);

// Asks a native executable what it is; nullopt if it is not a Python with
// sys.monitoring.
std::optional<Interpreter> probeNative(const std::string& path,
                                       const std::string& provenance);

}  // namespace monsim::harness
