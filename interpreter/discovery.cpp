#include "interpreter/discovery.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "interpreter/process.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace monsim::harness {

namespace {

constexpr const char* kProbe =
    "import sys, json\n"
    "print(json.dumps({'impl': sys.implementation.name, 'version': "
    "sys.version.split()[0],"
    " 'monitoring': hasattr(sys, 'monitoring')}))\n";

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

}  // namespace

std::string sourceRoot() {
  if (const char* r = std::getenv("MONSIM_ROOT"); r && *r) return r;
  return MONSIM_SOURCE_ROOT;
}

std::optional<Interpreter> probeNative(const std::string& path,
                                       const std::string& provenance) {
  const RunResult r = runCommand({path, "-c", kProbe}, "", 20s);
  if (r.status != "exit 0") return std::nullopt;
  try {
    const auto j = nlohmann::json::parse(r.out);
    if (!j.at("monitoring").get<bool>()) return std::nullopt;
    Interpreter in;
    in.kind = "native";
    in.implementation = j.at("impl").get<std::string>();
    in.version = j.at("version").get<std::string>();
    in.id = in.implementation + "-" + in.version;
    std::error_code ec;
    const auto canon = fs::canonical(path, ec);
    in.path = ec ? path : canon.string();
    in.command = {path};
    in.provenance = provenance;
    return in;
  } catch (const std::exception&) {
    return std::nullopt;
  }
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
        if (auto in = probeNative(exe.string(),
                                  "pyenv $(pyenv root)/versions/" + d.filename().string()))
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
           {"python3", "python3.12", "python3.13", "python3.14", "python3.15"}) {
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

  if (opts.searchPyodide) {
    const std::string root = sourceRoot();
    const RunResult node = runCommand({"node", "--version"}, "", 10s);
    for (const char* flavour : {"314", "315"}) {
      const fs::path pkg =
          fs::path(root) / "node_modules" / (std::string("pyodide") + flavour);
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
  return out;
}

std::optional<Interpreter> findInterpreter(const std::vector<Interpreter>& known,
                                           const std::string& spec) {
  for (const auto& in : known)
    if (in.id == spec) return in;
  for (const auto& in : known)
    if (in.version == spec || in.version.rfind(spec + ".", 0) == 0) return in;
  std::error_code ec;
  if (fs::exists(spec, ec)) return probeNative(spec, "--python " + spec);
  return std::nullopt;
}

}  // namespace monsim::harness

namespace monsim::harness {

std::vector<Interpreter> selectInterpreters(const std::vector<std::string>& specs,
                                            std::vector<std::string>& unknown) {
  DiscoveryOptions opts;
  for (const auto& s : specs)
    if (s.find('/') != std::string::npos) opts.explicitPaths.push_back(s);
  const auto known = discoverInterpreters(opts);
  if (specs.empty() || std::find(specs.begin(), specs.end(), "all") != specs.end())
    return known;
  std::vector<Interpreter> out;
  for (const auto& s : specs) {
    if (auto in = findInterpreter(known, s)) {
      if (std::none_of(out.begin(), out.end(), [&](auto& o) { return o.id == in->id; }))
        out.push_back(*in);
    } else {
      unknown.push_back(s);
    }
  }
  return out;
}

}  // namespace monsim::harness
