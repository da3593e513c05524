#pragma once
// Interpreter discovery: native interpreters from pyenv, PATH and explicit
// paths; CPython-in-WebAssembly from the pinned pyodide npm packages.
#include <optional>
#include <string>
#include <vector>

namespace monsim::harness {

struct Interpreter {
  std::string id;                    // "cpython-3.13.0", "pyodide-3.14.2"
  std::string kind;                  // "native" | "pyodide"
  std::string implementation;        // sys.implementation.name
  std::string version;               // "3.13.0", "3.15.0rc1"
  std::string path;                  // executable, or the pyodide package folder
  std::vector<std::string> command;  // prefix that runs `SCRIPT ARGS…` like python3
  std::string provenance;            // where it was found
};

struct DiscoveryOptions {
  std::vector<std::string> explicitPaths;  // --python PATH
  bool searchPyenv = true;
  bool searchPath = true;
  bool searchPyodide = true;
};

// The project's source folder (for oracle/ and node_modules/): $MONSIM_ROOT,
// else the folder the build was configured from.
std::string sourceRoot();

std::vector<Interpreter> discoverInterpreters(const DiscoveryOptions& opts = {});

// Finds by id ("cpython-3.13.0"), by version prefix ("3.13", "3.14.2"), or
// probes a path. "all" is handled by the caller.
std::optional<Interpreter> findInterpreter(const std::vector<Interpreter>& known,
                                           const std::string& spec);

// Asks a native executable what it is; nullopt if it is not a Python with
// sys.monitoring.
std::optional<Interpreter> probeNative(const std::string& path,
                                       const std::string& provenance);

}  // namespace monsim::harness

namespace monsim::harness {

// Resolves --python values ("all", ids, versions, paths) against discovery;
// unknown values are returned in `unknown`.
std::vector<Interpreter> selectInterpreters(const std::vector<std::string>& specs,
                                            std::vector<std::string>& unknown);

}  // namespace monsim::harness
