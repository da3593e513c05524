#include "reports/render/results.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace monsim::report {

using nlohmann::json;

std::string Interpreter::buildText() const {
  if (!build.is_object()) return "";
  std::vector<std::string> parts;
  if (build.contains("pyodide") && build["pyodide"].is_string())
    parts.push_back("pyodide " + build["pyodide"].get<std::string>());
  if (build.contains("compiler") && build["compiler"].is_string())
    parts.push_back(build["compiler"].get<std::string>());
  if (build.contains("build") && build["build"].is_array()) {
    std::string b;
    for (const auto& x : build["build"])
      if (x.is_string()) b += (b.empty() ? "" : ", ") + x.get<std::string>();
    if (!b.empty()) parts.push_back(b);
  }
  std::string where = build.value("platform", "");
  if (const std::string m = build.value("machine", ""); !m.empty())
    where += (where.empty() ? "" : " ") + m;
  if (!where.empty()) parts.push_back(where);
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  // Compilers print runs of spaces ("May  9 2026"); one is enough in a table.
  std::string squeezed;
  for (char c : out)
    if (!(c == ' ' && !squeezed.empty() && squeezed.back() == ' ')) squeezed += c;
  return squeezed;
}

const Interpreter* ResultSet::interpreter(const std::string& id) const {
  for (const auto& i : interpreters)
    if (i.id == id) return &i;
  return nullptr;
}

const Record* ResultSet::find(const std::string& scenario,
                              const std::string& interp) const {
  for (const auto& r : records)
    if (r.scenario == scenario && r.interpreter == interp) return &r;
  return nullptr;
}

std::vector<std::string> ResultSet::areas() const {
  std::set<std::string> s;
  for (const auto& r : records) s.insert(r.area);
  return {s.begin(), s.end()};
}

std::vector<const Interpreter*> ResultSet::columns(bool withModel) const {
  std::set<std::string> used;
  for (const auto& r : records) used.insert(r.interpreter);
  std::vector<const Interpreter*> out;
  for (const auto& i : interpreters)
    if ((withModel || !i.isModel()) && (!i.isModel() || used.count(i.id)))
      out.push_back(&i);
  return out;
}

std::string ResultSet::suiteText() const {
  std::vector<std::string> seen;
  for (const Run& r : runs) {
    std::string c = r.suiteCommit.substr(0, 12);
    if (r.suiteDirty) c += " (modified)";
    if (std::find(seen.begin(), seen.end(), c) == seen.end()) seen.push_back(c);
  }
  std::string out;
  for (const auto& c : seen) out += (out.empty() ? "" : ", ") + c;
  return out.empty() ? "unknown" : out;
}

namespace {

void replaceAll(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t at = s.find(from); at != std::string::npos;
       at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array())
    for (const auto& x : j[key])
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

// A stream written before `root` was in the header: the prefix of an absolute
// scenario path up to its spec/ folder.
std::string guessRoot(const json& result) {
  const std::string f = result.value("file", "");
  const size_t at = f.find("/spec/scenarios/");
  return f.starts_with("/") && at != std::string::npos ? f.substr(0, at) : "";
}

std::string areaOf(const Record& r) {
  const size_t at = r.file.rfind("scenarios/");
  const size_t slash = r.file.rfind('/');
  if (at != std::string::npos && slash > at + 10)
    return r.file.substr(at + 10, slash - at - 10);
  return r.features.empty() ? "other" : r.features.front();
}

// The vocabulary word under `key` ("verdict"), parsed by `named`; when it is not
// one, a problem ("unknown verdict 'passed' in known") is added.
template <class T, class Named>
T word(const json& j, const char* key, Named named, std::vector<std::string>& problems,
       const std::string& in = "") {
  const std::string text =
      j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
  if (const std::optional<T> w = named(text)) return *w;
  problems.push_back("unknown " + std::string(key) + " '" + text + "'" +
                     (in.empty() ? "" : " in " + in));
  return T{};
}

// The record of one result line; nullopt, with `problems`, when a verdict, level or
// divergence kind is outside spec/vocab.
std::optional<Record> toRecord(const json& j, const std::string& root,
                               const std::string& source,
                               std::vector<std::string>& problems) {
  Record r;
  r.scenario = j.value("scenario", "");
  r.file = j.value("file", "");
  r.interpreter = j.value("interpreter", "");
  r.version = j.value("version", "");
  r.verdict = word<Verdict>(j, "verdict", vocab::verdictNamed, problems);
  r.reason = j.value("reason", "");
  r.missing = j.value("missing", "");
  r.level = word<Level>(j, "level", vocab::levelNamed, problems);
  r.description = j.value("description", "");
  r.python = j.value("python", "");
  r.detail = j.value("detail", "");
  r.probeEffects = strings(j, "probe_effects");
  r.pathSplit = j.value("path_split", "");
  r.features = strings(j, "features");
  r.spec = strings(j, "spec");
  r.seconds = j.value("seconds", 0.0);
  r.source = source;
  if (j.contains("divergences") && j["divergences"].is_array())
    for (const auto& d : j["divergences"])
      r.divergences.push_back(
          {word<DivergenceKind>(
               d, "kind", vocab::divergenceKindNamed, problems,
               "divergences[" + std::to_string(r.divergences.size()) + "]"),
           d.value("where", ""), d.value("model", ""), d.value("interpreter", ""),
           d.value("rule", ""), d.value("record", 0L), d.value("tool", -1)});
  if (j.contains("expect_failures") && j["expect_failures"].is_array())
    for (const auto& f : j["expect_failures"])
      r.expectFailures.emplace_back(f.value("at", ""), f.value("message", ""));
  if (j.contains("known") && j["known"].is_object()) {
    const json& k = j["known"];
    r.known =
        KnownEntry{word<Verdict>(k, "verdict", vocab::verdictNamed, problems, "known"),
                   k.value("reason", ""), k.value("issue", ""), k.value("at", "")};
  }
  // Paths under the source root read the same from any checkout.
  const std::string prefix = root.empty() ? "" : root + "/";
  for (std::string* s : {&r.file, &r.detail, &r.reason, &r.pathSplit})
    replaceAll(*s, prefix, "");
  for (auto& [at, msg] : r.expectFailures) {
    replaceAll(at, prefix, "");
    replaceAll(msg, prefix, "");
  }
  if (r.known) {
    replaceAll(r.known->at, prefix, "");
    replaceAll(r.known->reason, prefix, "");
  }
  r.area = areaOf(r);
  if (!problems.empty()) return std::nullopt;
  return r;
}

Interpreter toInterpreter(const json& j) {
  Interpreter i;
  i.id = j.value("id", "");
  i.kind = j.value("kind", "");
  i.implementation = j.value("implementation", "");
  i.version = j.value("version", "");
  i.path = j.value("path", "");
  i.provenance = j.value("provenance", "");
  if (j.contains("build")) i.build = j["build"];
  if (j.contains("capabilities")) i.capabilities = j["capabilities"];
  return i;
}

const char* kRequired[] = {"scenario", "file",    "interpreter",
                           "version",  "verdict", "level"};

}  // namespace

ResultSet parseResults(const std::vector<std::pair<std::string, std::string>>& streams,
                       std::vector<std::string>& errors) {
  ResultSet out;
  std::map<std::pair<std::string, std::string>, size_t>
      at;  // (scenario, interp) -> index
  std::vector<std::string> headerOrder;
  for (const auto& [name, text] : streams) {
    Run run;
    run.path = name;
    bool sawHeader = false;
    std::istringstream in(text);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::string where = name + ":" + std::to_string(n);
      json j;
      try {
        j = json::parse(line);
      } catch (const json::exception& e) {
        errors.push_back(where + ": not JSON: " + e.what());
        continue;
      }
      // A field of the wrong type (value() throws) is an error of this line, not a
      // crash of the reader.
      try {
        const std::string kind = j.is_object() ? j.value("kind", "") : "";
        if (kind == "header") {
          if (sawHeader) errors.push_back(where + ": a second header");
          sawHeader = true;
          run.monsim = j.value("monsim", "");
          run.suiteCommit = j.value("suite_commit", "unknown");
          run.suiteDirty = j.value("suite_dirty", false);
          run.date = j.value("date", "");
          run.root = j.value("root", "");
          run.seed = j.value("seed", json());
          run.scenarios = j.value("scenarios", 0L);
          if (j.contains("interpreters") && j["interpreters"].is_array())
            for (const auto& i : j["interpreters"]) {
              Interpreter interp = toInterpreter(i);
              auto same =
                  std::find_if(out.interpreters.begin(), out.interpreters.end(),
                               [&](const Interpreter& x) { return x.id == interp.id; });
              if (same == out.interpreters.end()) {
                out.interpreters.push_back(std::move(interp));
              } else if (!interp.build.is_null() || same->build.is_null()) {
                *same = std::move(interp);
              }
            }
        } else if (kind == "result") {
          if (!sawHeader) errors.push_back(where + ": a result before the header");
          std::string missing;
          for (const char* k : kRequired)
            if (!j.contains(k) || !j[k].is_string())
              missing += std::string(missing.empty() ? "'" : ", '") + k + "'";
          if (!missing.empty()) {
            errors.push_back(where + ": result without " + missing);
            continue;
          }
          if (run.root.empty()) run.root = guessRoot(j);
          std::vector<std::string> problems;
          std::optional<Record> parsed = toRecord(j, run.root, where, problems);
          for (const std::string& p : problems) errors.push_back(where + ": " + p);
          if (!parsed) continue;
          Record& r = *parsed;
          const auto key = std::make_pair(r.scenario, r.interpreter);
          if (auto it = at.find(key); it != at.end()) {
            out.records[it->second] = std::move(r);
          } else {
            at.emplace(key, out.records.size());
            out.records.push_back(std::move(r));
          }
        } else if (kind == "footer") {
          run.complete = true;
          run.seconds = j.value("seconds", 0.0);
          run.loadErrors = j.value("load_errors", 0L);
        } else {
          errors.push_back(where + ": unknown record kind '" + kind + "'");
        }
      } catch (const json::exception& e) {
        errors.push_back(where + ": a field of the wrong type: " + e.what());
      }
    }
    if (!sawHeader) errors.push_back(name + ": no header (not a results stream?)");
    if (sawHeader && !run.complete)
      errors.push_back(name + ": no footer (the run was cut short?)");
    out.runs.push_back(std::move(run));
  }
  // Interpreters only records name: the model's versions (script scenarios).
  std::set<std::string> extra;
  for (const auto& r : out.records)
    if (!out.interpreter(r.interpreter)) extra.insert(r.interpreter);
  for (const auto& id : extra) {
    const Record* r = nullptr;
    for (const auto& x : out.records)
      if (x.interpreter == id) r = &x;
    Interpreter i;
    i.id = id;
    i.version = r->version;
    if (id.starts_with("model-")) {
      i.kind = "model";
      i.implementation = "monsim model";
      i.provenance = "script scenarios, run on the model only";
    } else {
      i.kind = "unknown";
    }
    out.interpreters.push_back(std::move(i));
  }
  std::map<std::string, size_t> order;
  for (size_t k = 0; k < out.interpreters.size(); ++k) order[out.interpreters[k].id] = k;
  std::stable_sort(out.records.begin(), out.records.end(),
                   [&](const Record& a, const Record& b) {
                     return std::make_tuple(a.area, a.scenario, order[a.interpreter]) <
                            std::make_tuple(b.area, b.scenario, order[b.interpreter]);
                   });
  return out;
}

ResultSet loadResults(const std::vector<std::string>& paths,
                      std::vector<std::string>& errors) {
  std::vector<std::pair<std::string, std::string>> streams;
  for (const std::string& p : paths) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      errors.push_back(p + ": cannot read");
      continue;
    }
    std::ostringstream s;
    s << in.rdbuf();
    streams.emplace_back(p, s.str());
  }
  return parseResults(streams, errors);
}

}  // namespace monsim::report
