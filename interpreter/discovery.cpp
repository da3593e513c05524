#include "interpreter/discovery.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "interpreter/process.h"
#include "interpreter/untrusted_text.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace monsim::harness {

namespace {

// Runs on any Python, 2.7 included, so that an old one is told apart from a non-Python.
constexpr const char* kProbe =
    "import sys, json\n"
    "impl = getattr(getattr(sys, 'implementation', None), 'name', 'python')\n"
    "mon = getattr(sys, 'monitoring', None)\n"
    "usable = lambda o, n: callable(getattr(o, n, None))\n"
    // By behaviour: a namespace with constants but no functions (Brython) is no
    // sys.monitoring, and a hook counts when it and its getter can be called.
    "print(json.dumps({'impl': impl, 'version': sys.version.split()[0],"
    " 'monitoring': usable(mon, 'use_tool_id') and usable(mon, 'register_callback'),"
    " 'settrace': usable(sys, 'settrace') and usable(sys, 'gettrace'),"
    " 'setprofile': usable(sys, 'setprofile') and usable(sys, 'getprofile')}))\n";

// The first line of what a non-Python printed, to quote in the reason.
std::string firstLine(const std::string& text) {
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "";
  std::string line = text.substr(start, text.find('\n', start) - start);
  if (line.size() > 160) line = line.substr(0, 157) + "...";
  return line;
}

std::string pyenvRoot() {
  if (const char* r = std::getenv("PYENV_ROOT"); r && *r) return r;
  const RunResult r = runCommand({"pyenv", "root"}, "", 5s);
  if (r.status == "exit 0" && !r.out.empty()) return r.out.substr(0, r.out.find('\n'));
  if (const char* home = std::getenv("HOME")) return std::string(home) + "/.pyenv";
  return {};
}

// pyenv folder names like "3.11.7" tell the version without starting it.
bool tooOld(const std::string& name) {
  int major = 0, minor = 0;
  if (std::sscanf(name.c_str(), "%d.%d", &major, &minor) != 2) return false;
  return major < 3 || (major == 3 && minor < 12);
}

void addUnique(std::vector<Interpreter>& out, Interpreter in) {
  for (const auto& o : out)
    if (o.kind == in.kind && o.path == in.path) return;
  std::string id = in.id;
  for (int n = 2;
       std::any_of(out.begin(), out.end(), [&](auto& o) { return o.id == id; }); ++n)
    id = in.id + "-" + std::to_string(n);
  in.id = id;
  out.push_back(std::move(in));
}

// Brython (npm brython, Python written in JavaScript) under Node through
// oracle/brython/runner.mjs, when package.json's node_modules has it.
void addBrython(std::vector<Interpreter>& out) {
  const fs::path root = sourceRoot();
  const fs::path pkg = root / "node_modules" / "brython";
  std::ifstream manifest(pkg / "package.json");
  if (!manifest) return;
  std::string release;
  try {
    release = nlohmann::json::parse(manifest).at("version").get<std::string>();
  } catch (const std::exception&) {
    return;
  }
  Interpreter in;
  in.command = {"node", (root / "oracle/brython/runner.mjs").string()};
  const ProbeAnswer a = probeCommand(in.command);
  if (a.kind != ProbeAnswer::Kind::Python ||
      (!a.monitoring && !legacyHooksOnly(a.implementation, a.settrace, a.setprofile)))
    return;
  in.kind = "brython";
  in.monitoring = a.monitoring;
  in.implementation = a.implementation;
  in.version = a.version;
  in.id = in.implementation + "-" + in.version;
  in.path = pkg.string();
  in.provenance = "npm node_modules/brython " + release + " (with jsdom), node";
  addUnique(out, std::move(in));
}

}  // namespace

std::string sourceRoot() {
  if (const char* r = std::getenv("MONSIM_ROOT"); r && *r) return r;
  return MONSIM_SOURCE_ROOT;
}

ProbeAnswer probeExecutable(const std::string& path) { return probeCommand({path}); }

ProbeAnswer probeCommand(std::vector<std::string> command) {
  ProbeAnswer a;
  // The probe goes on stdin (`PATH -`), so a non-Python that echoes its arguments
  // does not quote the script back in the reason.
  command.push_back("-");
  const RunResult r = runCommand(command, kProbe, 20s);
  a.status = r.status;
  if (r.status == "not started") {
    a.said = r.err;
    return a;
  }
  if (r.timedOut) {
    a.kind = ProbeAnswer::Kind::TimedOut;
    return a;
  }
  a.kind = ProbeAnswer::Kind::NoAnswer;
  a.said = validUtf8(firstLine(r.err.empty() ? r.out : r.err));
  if (r.status != "exit 0") return a;
  try {
    const auto j = nlohmann::json::parse(r.out);
    a.implementation = j.at("impl").get<std::string>();
    // PEP 421 names implementations in lower case; Brython says "Brython".
    for (char& ch : a.implementation) ch = static_cast<char>(std::tolower(ch));
    a.version = j.at("version").get<std::string>();
    a.monitoring = j.at("monitoring").get<bool>();
    a.settrace = j.value("settrace", false);
    a.setprofile = j.value("setprofile", false);
    a.kind = ProbeAnswer::Kind::Python;
    a.said.clear();
  } catch (const std::exception&) {
    a.said = firstLine(r.out);
  }
  return a;
}

bool legacyHooksOnly(const std::string& implementation, bool settrace, bool setprofile) {
  return implementation != "cpython" && (settrace || setprofile);
}

std::optional<Interpreter> probeNative(const std::string& path,
                                       const std::string& provenance) {
  const ProbeAnswer a = probeExecutable(path);
  if (a.kind != ProbeAnswer::Kind::Python) return std::nullopt;
  if (!a.monitoring && !legacyHooksOnly(a.implementation, a.settrace, a.setprofile))
    return std::nullopt;
  Interpreter in;
  in.monitoring = a.monitoring;
  in.kind = "native";
  in.implementation = a.implementation;
  in.version = a.version;
  in.id = in.implementation + "-" + in.version;
  std::error_code ec;
  const auto canon = fs::canonical(path, ec);
  in.path = ec ? path : canon.string();
  in.command = {path};
  in.provenance = provenance;
  return in;
}

std::vector<Interpreter> discoverInterpreters(const DiscoveryOptions& opts) {
  std::vector<Interpreter> out;
  for (const auto& p : opts.explicitPaths)
    if (auto in = probeNative(p, "--python " + p)) addUnique(out, *in);

  if (opts.searchPyenv) {
    const std::string root = pyenvRoot();
    std::error_code ec;
    std::vector<fs::path> dirs;
    if (!root.empty())
      for (const auto& d : fs::directory_iterator(root + "/versions", ec))
        dirs.push_back(d.path());
    std::sort(dirs.begin(), dirs.end());
    for (const auto& d : dirs) {
      if (tooOld(d.filename().string())) continue;
      const auto exe = d / "bin" / "python3";
      if (fs::exists(exe, ec))
        // Named where it was found, not by machine path: reports stay comparable.
        if (auto in = probeNative(
                exe.string(), "pyenv $(pyenv root)/versions/" + d.filename().string()))
          addUnique(out, *in);
    }
  }

  if (opts.searchPath) {
    const char* path = std::getenv("PATH");
    std::string p = path ? path : "";
    size_t start = 0;
    while (start <= p.size()) {
      const size_t end = std::min(p.find(':', start), p.size());
      const std::string dir = p.substr(start, end - start);
      start = end + 1;
      if (dir.empty() || dir.find("/.pyenv/shims") != std::string::npos) continue;
      for (const char* name :
           {"python3", "python3.12", "python3.13", "python3.14", "python3.15", "pypy3"}) {
        std::error_code ec;
        const auto exe = fs::path(dir) / name;
        if (!fs::exists(exe, ec)) continue;
        const auto canon = fs::canonical(exe, ec).string();
        if (std::any_of(out.begin(), out.end(), [&](auto& o) { return o.path == canon; }))
          continue;
        if (auto in = probeNative(exe.string(), "PATH " + dir)) addUnique(out, *in);
      }
    }
  }

  if (opts.searchNpm) {
    const std::string root = sourceRoot();
    const RunResult node = runCommand({"node", "--version"}, "", 10s);
    // Every pyodide line package.json installs (npm aliases pyodide<FLAVOUR>), found by
    // its lock file: the CPython inside is whatever the lock file says.
    std::vector<std::string> flavours;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(root) / "node_modules", ec)) {
      const std::string name = e.path().filename().string();
      if (name.size() > 7 && name.rfind("pyodide", 0) == 0)
        flavours.push_back(name.substr(7));
    }
    std::sort(flavours.begin(), flavours.end());
    for (const std::string& flavour : flavours) {
      const fs::path pkg = fs::path(root) / "node_modules" / ("pyodide" + flavour);
      std::ifstream lock(pkg / "pyodide-lock.json");
      if (!lock || node.status != "exit 0") continue;
      try {
        const auto j = nlohmann::json::parse(lock);
        Interpreter in;
        in.kind = "pyodide";
        in.implementation = "cpython";
        in.version = j.at("info").at("python").get<std::string>();
        in.id = "pyodide-" + in.version;
        in.path = pkg.string();
        in.command = {"node", (fs::path(root) / "oracle/pyodide/runner.mjs").string(),
                      "--pyodide", flavour};
        in.provenance = "npm node_modules/" + pkg.filename().string() + ", node " +
                        node.out.substr(0, node.out.find('\n'));
        addUnique(out, std::move(in));
      } catch (const std::exception&) {
      }
    }
  }
  if (opts.searchNpm) addBrython(out);
  return out;
}

}  // namespace monsim::harness
