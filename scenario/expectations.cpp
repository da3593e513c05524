#include "scenario/expectations.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

namespace monsim::harness {

namespace {

// The verdicts an entry may declare: the failing ones a deviation explains.
constexpr vocab::Verdict kDeclarable[] = {
    vocab::Verdict::Fail, vocab::Verdict::ExpectFail, vocab::Verdict::Error};

bool declarable(const std::string& word) {
  const auto v = vocab::verdictNamed(word);
  return v && std::find(std::begin(kDeclarable), std::end(kDeclarable), *v) !=
                  std::end(kDeclarable);
}

}  // namespace

namespace {

// yaml-cpp marks are 0-based, and -1 where there is no position (an empty file).
SourceLoc locOf(const std::string& file, const YAML::Mark& m) {
  return SourceLoc{file, m.line < 0 ? 1 : m.line + 1, m.column < 0 ? 1 : m.column + 1};
}
SourceLoc locOf(const std::string& file, const YAML::Node& n) {
  return locOf(file, n.Mark());
}

void loadOne(const YAML::Node& doc, const std::string& file,
             std::vector<Expectations>& out, std::vector<Diagnostic>& diags) {
  auto err = [&](const YAML::Node& n, std::string msg) {
    diags.push_back({locOf(file, n), std::move(msg)});
  };
  if (!doc.IsMap()) {
    err(doc, "an expectations file is a mapping with 'interpreter' and 'deviations'");
    return;
  }
  Expectations e;
  e.file = file;
  for (const auto& kv : doc) {
    if (!kv.first.IsScalar()) {
      err(kv.first, "a key must be a string");
      continue;
    }
    const std::string key = kv.first.as<std::string>();
    if (key == "interpreter" && kv.second.IsScalar()) {
      e.interpreter = kv.second.as<std::string>();
    } else if (key == "deviations" && kv.second.IsSequence()) {
      for (const YAML::Node& d : kv.second) {
        if (!d.IsMap()) {
          err(d, "a deviation is a mapping (scenario, verdict, reason, issue)");
          continue;
        }
        KnownDeviation k;
        k.loc = locOf(file, d);
        std::string id;
        for (const auto& f : d) {
          if (!f.first.IsScalar()) {
            err(f.first, "a key must be a string");
            continue;
          }
          const std::string fk = f.first.as<std::string>();
          if (!f.second.IsScalar()) {
            err(f.second, "'" + fk + "' must be a string");
            continue;
          }
          const std::string v = f.second.as<std::string>();
          if (fk == "scenario") {
            id = v;
          } else if (fk == "verdict") {
            if (!declarable(v))
              err(f.second, "verdict must be " +
                                std::string(vocab::name(kDeclarable[0])) + ", " +
                                std::string(vocab::name(kDeclarable[1])) + " or " +
                                std::string(vocab::name(kDeclarable[2])));
            k.verdict = v;
          } else if (fk == "reason") {
            k.reason = v;
          } else if (fk == "issue") {
            k.issue = v;
          } else {
            err(f.first, "unknown key '" + fk + "'");
          }
        }
        if (id.empty()) err(d, "missing required key 'scenario'");
        if (k.verdict.empty()) err(d, "missing required key 'verdict'");
        if (k.reason.empty())
          err(d, "missing required key 'reason' (say why it deviates)");
        if (!id.empty() && !e.deviations.emplace(id, k).second)
          err(d, "scenario '" + id + "' is listed twice");
      }
    } else if (key == "fuzz_signatures" && kv.second.IsSequence()) {
      for (const YAML::Node& d : kv.second) {
        KnownSignature k;
        k.loc = locOf(file, d);
        if (!d.IsMap()) {
          err(d, "a fuzz signature is a mapping (signature, scenario, reason)");
          continue;
        }
        for (const auto& f : d) {
          const std::string fk = f.first.Scalar();
          std::string* slot = fk == "signature"  ? &k.signature
                              : fk == "scenario" ? &k.scenario
                              : fk == "reason"   ? &k.reason
                                                 : nullptr;
          if (!slot)
            err(f.first, "unknown key '" + fk + "'");
          else if (!f.second.IsScalar())
            err(f.second, "'" + fk + "' must be a string");
          else
            *slot = f.second.as<std::string>();
        }
        for (const char* req : {"signature", "scenario", "reason"})
          if (!d[req]) err(d, std::string("missing required key '") + req + "'");
        e.fuzz.push_back(std::move(k));
      }
    } else {
      err(kv.first, "unknown key '" + key + "' (or wrong type)");
    }
  }
  if (e.interpreter.empty()) err(doc, "missing required key 'interpreter'");
  out.push_back(std::move(e));
}

}  // namespace

std::vector<Expectations> loadExpectations(const std::string& dir,
                                           std::vector<Diagnostic>& diags) {
  std::vector<Expectations> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".yaml") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    try {
      loadOne(YAML::LoadFile(f), f, out, diags);
    } catch (const YAML::Exception& e) {
      diags.push_back({locOf(f, e.mark), e.msg});
    }
  }
  return out;
}

std::optional<Expectations> loadExpectationsText(std::string_view yaml,
                                                 const std::string& file,
                                                 std::vector<Diagnostic>& diags) {
  std::vector<Expectations> out;
  try {
    loadOne(YAML::Load(std::string(yaml)), file, out, diags);
  } catch (const YAML::Exception& e) {
    diags.push_back({locOf(file, e.mark), e.msg});
  }
  if (out.empty()) return std::nullopt;
  return std::move(out.front());
}

namespace {
// "cpython-3.13" applies to "cpython-3.13.0" (a '-' or '.' boundary).
bool appliesTo(const Expectations& e, const std::vector<std::string>& names) {
  const std::string& p = e.interpreter;
  for (const std::string& interp : names)
    if (interp.starts_with(p) &&
        (interp.size() == p.size() || interp[p.size()] == '.' || interp[p.size()] == '-'))
      return true;
  return false;
}
}  // namespace

const KnownSignature* findKnownSignature(const std::vector<Expectations>& all,
                                         const std::vector<std::string>& interp,
                                         const std::string& signature) {
  for (const Expectations& e : all) {
    if (!appliesTo(e, interp)) continue;
    for (const KnownSignature& k : e.fuzz)
      if (k.signature == signature) return &k;
  }
  return nullptr;
}

const KnownDeviation* findDeviation(const std::vector<Expectations>& all,
                                    const std::vector<std::string>& interp,
                                    const std::string& scenario) {
  for (const Expectations& e : all) {
    if (!appliesTo(e, interp)) continue;
    auto it = e.deviations.find(scenario);
    if (it != e.deviations.end()) return &it->second;
  }
  return nullptr;
}

}  // namespace monsim::harness
