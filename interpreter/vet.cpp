#include "interpreter/vet.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "model/version_profile.h"

namespace fs = std::filesystem;

namespace monsim::harness {

namespace {

using Kind = Capability::Kind;
using State = Capability::State;
using Verdict = Vetting::Verdict;

constexpr Kind kChecked[] = {Kind::Found,      Kind::Executable,   Kind::Python,
                             Kind::Monitoring, Kind::ModelProfile, Kind::OracleWorker};

void mark(Vetting& v, Kind k, State s, std::string detail = {}) {
  for (Capability& c : v.capabilities)
    if (c.kind == k) {
      c.state = s;
      c.detail = std::move(detail);
      return;
    }
  v.capabilities.push_back({k, s, "", std::move(detail)});
}

// Stops at the first capability missing: that one decides the verdict.
void fail(Vetting& v, Verdict verdict, Kind k, std::string detail) {
  v.verdict = verdict;
  mark(v, k, State::No, std::move(detail));
}

std::string profileList() {
  std::string out;
  for (const VersionProfile& p : kProfiles)
    out += (out.empty() ? "" : ", ") + std::string(versionName(p.version()));
  return out;
}

bool looksLikeVersion(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '.';
  });
}

// `command -v NAME`: the first executable NAME on PATH.
std::optional<std::string> onPath(const std::string& name) {
  const char* env = std::getenv("PATH");
  const std::string path = env ? env : "";
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = std::min(path.find(':', start), path.size());
    const std::string dir = path.substr(start, end - start);
    start = end + 1;
    if (dir.empty()) continue;
    const std::string exe = dir + "/" + name;
    std::error_code ec;
    if (fs::is_regular_file(exe, ec) && ::access(exe.c_str(), X_OK) == 0) return exe;
  }
  return std::nullopt;
}

// A Python with sys.monitoring: usable when the model has its version's profile.
void vetMonitoring(Vetting& v, Interpreter in) {
  if (!in.monitoring) {
    // Another implementation with the legacy hooks only: usable for the scenarios
    // that need nothing else (their expectations; no model profile).
    mark(v, Kind::Monitoring, State::No, in.implementation + " " + in.version);
    mark(v, Kind::LegacyHooks, State::Yes,
         "the legacy-hook scenarios' expectations apply, for the hooks it has "
         "(settrace, setprofile below)");
    v.verdict = Verdict::Usable;
    v.interpreter = std::move(in);
    return;
  }
  mark(v, Kind::Monitoring, State::Yes);
  if (const auto version = parseVersion(in.version)) {
    mark(v, Kind::ModelProfile, State::Yes, std::string(versionName(*version)));
    v.verdict = Verdict::Usable;
  } else {
    fail(v, Verdict::NoModelProfile, Kind::ModelProfile,
         in.implementation + " " + in.version + " (profiles: " + profileList() + ")");
  }
  v.interpreter = std::move(in);
}

void vetKnown(Vetting& v, const Interpreter& in) {
  mark(v, Kind::Found, State::Yes, in.id + " (" + in.provenance + ")");
  std::string command;
  for (const auto& part : in.command) command += (command.empty() ? "" : " ") + part;
  mark(v, Kind::Executable, State::Yes, command);
  mark(v, Kind::Python, State::Yes, in.implementation + " " + in.version);
  vetMonitoring(v, in);
}

void vetPath(Vetting& v, const std::vector<Interpreter>& known, const std::string& path) {
  v.isPath = true;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    fail(v, Verdict::NotFound, Kind::Found, "no such file: " + path);
    return;
  }
  const fs::path canon = fs::canonical(path, ec);
  const std::string real = ec ? path : canon.string();
  mark(v, Kind::Found, State::Yes, real == path ? path : path + " -> " + real);
  if (fs::is_directory(real, ec)) {
    fail(v, Verdict::NotExecutable, Kind::Executable, "a folder, not a program");
    return;
  }
  if (::access(path.c_str(), X_OK) != 0) {
    fail(v, Verdict::NotExecutable, Kind::Executable, "no execute permission");
    return;
  }
  // A path to an interpreter discovery knows keeps its id and provenance.
  for (const Interpreter& in : known)
    if (in.kind == "native" && in.path == real) return vetKnown(v, in);

  v.probe = probeExecutable(path);
  const ProbeAnswer& a = v.probe;
  using PK = ProbeAnswer::Kind;
  if (a.kind == PK::NotStarted) {
    fail(v, Verdict::NotExecutable, Kind::Executable, "cannot start: " + a.said);
    return;
  }
  mark(v, Kind::Executable, State::Yes);
  if (a.kind == PK::TimedOut) {
    fail(v, Verdict::NotPython, Kind::Python,
         "no answer to `" + path + " -` (the probe on stdin) within 20 s");
    return;
  }
  if (a.kind == PK::NoAnswer) {
    fail(v, Verdict::NotPython, Kind::Python,
         "`" + path + " -` (the probe on stdin) gave " + a.status +
             (a.said.empty() ? " and printed nothing" : ": " + a.said));
    return;
  }
  mark(v, Kind::Python, State::Yes, a.implementation + " " + a.version);
  const bool hooksOnly = legacyHooksOnly(a.implementation, a.settrace, a.setprofile);
  if (!a.monitoring && !hooksOnly) {
    fail(v, Verdict::NoMonitoring, Kind::Monitoring,
         a.implementation + " " + a.version +
             " has no sys.monitoring (PEP 669, new in CPython 3.12)");
    std::string hooks;
    if (a.settrace) hooks = "sys.settrace";
    if (a.setprofile)
      hooks += (hooks.empty() ? "" : ", ") + std::string("sys.setprofile");
    // What it could still be checked for, once the legacy hooks are modelled.
    const auto at =
        std::find_if(v.capabilities.begin(), v.capabilities.end(),
                     [](const Capability& c) { return c.kind == Kind::Monitoring; });
    v.capabilities.insert(
        at + 1, {Kind::LegacyHooks, hooks.empty() ? State::No : State::Yes, "",
                 (hooks.empty() ? "neither sys.settrace nor sys.setprofile" : hooks) +
                     "; CPython before 3.12 is outside the spec"});
    return;
  }
  Interpreter in;
  in.kind = "native";
  in.implementation = a.implementation;
  in.version = a.version;
  in.id = in.implementation + "-" + in.version;
  in.path = real;
  in.command = {path};
  in.provenance = "--python " + v.spec;
  in.monitoring = a.monitoring;
  vetMonitoring(v, std::move(in));
}

}  // namespace

Vetting vetInterpreter(const std::vector<Interpreter>& known, const std::string& spec) {
  Vetting v;
  v.spec = spec;
  for (Kind k : kChecked) v.capabilities.push_back({k, State::Unchecked, "", ""});
  for (const auto& in : known)
    if (in.id == spec) {
      vetKnown(v, in);
      return v;
    }
  for (const auto& in : known)
    if (in.version == spec || in.version.starts_with(spec + ".")) {
      vetKnown(v, in);
      return v;
    }
  std::error_code ec;
  if (spec.find('/') != std::string::npos || (!spec.empty() && fs::exists(spec, ec))) {
    vetPath(v, known, spec);
    return v;
  }
  if (!looksLikeVersion(spec))
    if (auto exe = onPath(spec)) {
      vetPath(v, known, *exe);
      return v;
    }
  for (const auto& in : known) v.known.push_back(in.id);
  fail(v, Verdict::NotFound, Kind::Found,
       looksLikeVersion(spec)
           ? "no interpreter found has version " + spec
           : "no interpreter found has id '" + spec + "', and no file or command " +
                 "on PATH has that name");
  return v;
}

void vetOracle(Vetting& v, const OracleOptions& options) {
  if (!v.usable()) return;
  OracleWorker w(*v.interpreter, options);
  std::string why;
  const auto hello = w.hello(&why);
  w.stop();
  if (!hello) {
    fail(v, Verdict::OracleFails, Kind::OracleWorker, why.substr(0, 300));
    return;
  }
  mark(v, Kind::OracleWorker, State::Yes,
       "protocol " + hello->value("protocol", nlohmann::json()).dump());
  const nlohmann::json caps = hello->value("capabilities", nlohmann::json::object());
  for (auto it = caps.begin(); it != caps.end(); ++it)
    if (it->is_boolean())
      v.capabilities.push_back(
          {Kind::Reported, it->get<bool>() ? State::Yes : State::No, it.key(), ""});
}

std::string_view capabilityName(const Capability& c) {
  switch (c.kind) {
    case Kind::Found:
      return "found";
    case Kind::Executable:
      return "executable";
    case Kind::Python:
      return "a Python";
    case Kind::Monitoring:
      return "sys.monitoring";
    case Kind::ModelProfile:
      return "model profile";
    case Kind::LegacyHooks:
      return "legacy hooks";
    case Kind::OracleWorker:
      return "oracle worker";
    case Kind::Reported:
      return c.name;
  }
  return "?";
}

std::string vetReason(const Vetting& v) {
  auto detail = [&](Kind k) {
    for (const Capability& c : v.capabilities)
      if (c.kind == k) return c.detail;
    return std::string();
  };
  switch (v.verdict) {
    case Verdict::Usable:
      return "";
    case Verdict::NotFound: {
      if (v.isPath) return "not found: " + detail(Kind::Found);
      std::string found;
      for (const auto& id : v.known) found += (found.empty() ? "" : ", ") + id;
      return "not found: " + detail(Kind::Found) +
             (found.empty() ? " (no interpreter with sys.monitoring was found)"
                            : " (found: " + found + ")");
    }
    case Verdict::NotExecutable:
      return "not executable: " + detail(Kind::Executable);
    case Verdict::NotPython:
      return "not a Python: " + detail(Kind::Python);
    case Verdict::NoMonitoring:
      return "a Python without sys.monitoring: " + detail(Kind::Monitoring);
    case Verdict::NoModelProfile:
      return "sys.monitoring, but a version the model has no profile for: " +
             detail(Kind::ModelProfile);
    case Verdict::OracleFails:
      return "the oracle worker does not start: " + detail(Kind::OracleWorker);
  }
  return "";
}

Selection selectInterpreters(const std::vector<std::string>& specs, Needs needs) {
  const auto known = discoverInterpreters();
  const bool modelNeeded = needs != Needs::Oracle;
  Selection out;
  auto add = [&](Interpreter in) {
    for (const auto& o : out.interpreters)
      if (o.kind == in.kind && o.path == in.path) return;
    const std::string base = in.id;
    for (int n = 2; std::any_of(out.interpreters.begin(), out.interpreters.end(),
                                [&](auto& o) { return o.id == in.id; });
         ++n)
      in.id = base + "-" + std::to_string(n);
    out.interpreters.push_back(std::move(in));
  };
  const bool all =
      specs.empty() || std::find(specs.begin(), specs.end(), "all") != specs.end();
  if (all)
    for (const auto& in : known)
      if (in.monitoring || needs != Needs::Model) add(in);
  for (const auto& s : specs) {
    if (s == "all") continue;
    Vetting v = vetInterpreter(known, s);
    if (needs == Needs::Model && v.usable() && !v.interpreter->monitoring) {
      // Fuzzing compares with the model, which has no profile for it.
      v.verdict = Verdict::NoMonitoring;
      mark(v, Kind::Monitoring, State::No,
           v.interpreter->implementation + " " + v.interpreter->version +
               " has no sys.monitoring (PEP 669); monsim check runs the legacy-hook "
               "scenarios on it, fuzzing needs the model");
    }
    if (v.usable() || (!modelNeeded && v.verdict == Verdict::NoModelProfile))
      add(*v.interpreter);
    else
      out.rejected.push_back(std::move(v));
  }
  return out;
}

}  // namespace monsim::harness
