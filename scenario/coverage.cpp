#include "scenario/coverage.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "scenario/yaml.h"

namespace monsim::harness {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kDocPrefix = "doc:";

// The language of each seed and the documentation versions it states: a translation
// states its own version, the ru sys.settrace tutorial (no version) every one.
struct Seed {
  std::string_view lang;
  PyVersion first, last;
  bool states(PyVersion v) const { return first <= v && v <= last; }
};
constexpr Seed kSeeds[] = {{"es", PyVersion::V3_12, PyVersion::V3_12},
                           {"zh", PyVersion::V3_13, PyVersion::V3_13},
                           {"de", PyVersion::V3_14, PyVersion::V3_14},
                           {"capi", PyVersion::V3_13, PyVersion::V3_13},
                           {"ru", PyVersion::V3_12, PyVersion::V3_14}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "doc: x" -> "x"; nullopt when `entry` does not start with `prefix`.
std::optional<std::string> cited(std::string_view entry, std::string_view prefix) {
  entry = trim(entry);
  if (!entry.starts_with(prefix)) return std::nullopt;
  return std::string(trim(entry.substr(prefix.size())));
}

bool isSlug(std::string_view s) {
  if (s.empty() || !(std::islower(static_cast<unsigned char>(s[0])) ||
                     std::isdigit(static_cast<unsigned char>(s[0]))))
    return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return std::islower(c) || std::isdigit(c) || ch == '.' || ch == '-' || ch == '_';
  });
}

std::optional<YAML::Node> loadYaml(const std::string& file,
                                   std::vector<Diagnostic>& out) {
  try {
    return YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    out.push_back({{file, 1, 1}, "cannot read " + file});
  } catch (const YAML::Exception& e) {
    out.push_back({yaml::locOf(file, e.mark), "invalid YAML: " + e.msg});
  }
  return std::nullopt;
}

// A list of strings; a scalar counts as a list of one when `single` is set.
std::vector<std::string> strings(yaml::Reader& r, const yaml::Field& f,
                                 std::string_view what) {
  std::vector<std::string> out;
  if (!r.sequence(f.value, f.valueMark(), "'" + f.key + "'")) return out;
  for (const auto& item : f.value)
    if (auto s = r.string(item, item.Mark(), what)) out.push_back(*s);
  return out;
}

std::optional<std::string> text(yaml::Reader& r, const yaml::Fields& fs,
                                std::string_view key, bool required) {
  const yaml::Field* f = required ? r.require(fs, key) : fs.find(key);
  if (!f) return std::nullopt;
  return r.string(f->value, f->valueMark(), "'" + std::string(key) + "'");
}

// The top-level list `key` of a catalogue file (a bare list is accepted too).
std::optional<YAML::Node> topList(yaml::Reader& r, const YAML::Node& doc,
                                  std::string_view key) {
  if (doc.IsSequence()) return doc;
  auto top = r.mapping(doc, doc.Mark(), "the file", {key});
  if (!top) return std::nullopt;
  const yaml::Field* f = r.require(*top, key);
  if (!f || !r.sequence(f->value, f->valueMark(), "'" + std::string(key) + "'"))
    return std::nullopt;
  return f->value;
}

void loadClauses(const std::string& file, std::vector<DocClause>& out,
                 std::vector<Diagnostic>& diags) {
  auto doc = loadYaml(file, diags);
  if (!doc) return;
  yaml::Reader r(file, diags);
  auto list = topList(r, *doc, "clauses");
  if (!list) return;
  std::map<std::string, SourceLoc> seen;
  for (const auto& item : *list) {
    auto fs = r.mapping(item, item.Mark(), "a clause",
                        {"id", "section", "versions", "note", "text", "sources",
                         "testable", "reason", "partly"});
    if (!fs) continue;
    DocClause c;
    c.loc = r.loc(item);
    const size_t before = r.errorCount();
    c.id = text(r, *fs, "id", true).value_or("");
    c.section = text(r, *fs, "section", true).value_or("");
    c.text = text(r, *fs, "text", true).value_or("");
    c.note = text(r, *fs, "note", false).value_or("");
    c.reason = text(r, *fs, "reason", false).value_or("");
    c.partly = text(r, *fs, "partly", false).value_or("");
    if (!c.id.empty() && !isSlug(c.id))
      r.error(fs->find("id")->value,
              "clause id '" + c.id + "' is not a slug ([a-z0-9][a-z0-9._-]*)");
    if (const yaml::Field* f = r.require(*fs, "testable"))
      c.testable = r.boolean(f->value, f->valueMark(), "'testable'").value_or(true);
    if (!c.testable && c.reason.empty())
      r.error(item, "clause '" + c.id + "' is not testable: say why in 'reason'");
    if (c.testable && fs->has("reason"))
      r.error(fs->find("reason")->keyNode,
              "'reason' is for clauses that are not testable");
    if (!c.testable && fs->has("partly"))
      r.error(fs->find("partly")->keyNode,
              "'partly' says what the scenarios of a testable clause leave out");
    std::set<PyVersion> stated;
    if (const yaml::Field* f = r.require(*fs, "versions");
        f && r.sequence(f->value, f->valueMark(), "'versions'")) {
      for (const auto& v : f->value) {
        const auto ver = v.IsScalar() ? parseVersion(v.Scalar()) : std::nullopt;
        if (!ver || std::find(std::begin(kDocVersions), std::end(kDocVersions), *ver) ==
                        std::end(kDocVersions)) {
          r.error(v, "a clause version is 3.12, 3.13 or 3.14 (the seed documentation)");
          continue;
        }
        if (!stated.insert(*ver).second) r.error(v, "version listed twice");
        c.versions.push_back(*ver);
      }
      if (f->value.size() == 0) r.error(f->valueMark(), "'versions' must not be empty");
    }
    std::set<PyVersion> quoted;
    if (const yaml::Field* f = r.require(*fs, "sources")) {
      std::vector<std::string_view> langs;
      for (const Seed& s : kSeeds) langs.push_back(s.lang);
      if (auto src = r.mapping(f->value, f->valueMark(), "'sources'", langs)) {
        for (const auto& q : src->all()) {
          r.string(q.value, q.valueMark(), "a quote");
          for (const Seed& s : kSeeds)
            for (PyVersion v : kDocVersions)
              if (s.lang == q.key && s.states(v)) quoted.insert(v);
        }
      }
    }
    if (r.errorCount() == before && quoted != stated)
      r.error(item,
              "clause '" + c.id +
                  "': 'versions' must be the versions of its 'sources' (es 3.12, zh/capi "
                  "3.13, de 3.14, ru all three)");
    if (!c.id.empty()) {
      auto [it, fresh] = seen.emplace(c.id, c.loc);
      if (!fresh) {
        r.error(item, "clause id '" + c.id + "' is also used at " + it->second.str());
        continue;
      }
    }
    if (r.errorCount() == before) out.push_back(std::move(c));
  }
}

std::string versionsText(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  std::string out;
  if (n.IsSequence())
    for (const auto& v : n)
      if (v.IsScalar()) {
        if (!out.empty()) out += ", ";
        std::string s = v.Scalar();
        if (s.find('.') == std::string::npos) s = "3." + s;  // [12, 13, 14]
        out += s;
      }
  return out;
}

std::optional<TestStatus> testStatus(std::string_view s) {
  if (s == "covered") return TestStatus::Covered;
  if (s == "partly") return TestStatus::Partly;
  if (s == "uncovered") return TestStatus::Uncovered;
  if (s == "out-of-scope") return TestStatus::OutOfScope;
  return std::nullopt;
}

void loadTests(const TestCatalogue& cat, std::vector<CpythonTest>& out,
               std::vector<Diagnostic>& diags) {
  auto doc = loadYaml(cat.file, diags);
  if (!doc) return;
  yaml::Reader r(cat.file, diags);
  auto list = topList(r, *doc, "tests");
  if (!list) return;
  std::map<std::string, SourceLoc> seen;
  for (const auto& item : *list) {
    // Only the keys coverage reads are checked; the file's authors may keep more.
    auto fs = r.mapping(item, item.Mark(), "a test", {});
    if (!fs) continue;
    CpythonTest t;
    t.module = cat.module;
    t.loc = r.loc(item);
    const size_t before = r.errorCount();
    t.test = text(r, *fs, "test", true).value_or("");
    t.reason = text(r, *fs, "reason", false).value_or("");
    if (const yaml::Field* f = fs->find("versions")) t.versions = versionsText(f->value);
    const std::string status = text(r, *fs, "status", true).value_or("");
    if (auto st = testStatus(status))
      t.status = *st;
    else if (r.errorCount() == before)
      r.error(fs->find("status")->value,
              "status must be covered, partly, uncovered or out-of-scope");
    if (!t.inScope() && t.reason.empty())
      r.error(item, "test '" + t.test + "' is out of scope: say why in 'reason'");
    if (t.status == TestStatus::Partly && t.reason.empty())
      r.error(item,
              "test '" + t.test +
                  "' is partly covered: say in 'reason' what the scenarios leave out");
    if (!t.test.empty()) {
      auto [it, fresh] = seen.emplace(t.test, t.loc);
      if (!fresh) {
        r.error(item, "test '" + t.test + "' is also listed at " + it->second.str());
        continue;
      }
    }
    if (r.errorCount() == before) out.push_back(std::move(t));
  }
}

void loadRules(const std::string& file, std::vector<ModelRule>& out,
               std::vector<Diagnostic>& diags) {
  auto doc = loadYaml(file, diags);
  if (!doc) return;
  yaml::Reader r(file, diags);
  auto list = topList(r, *doc, "rules");
  if (!list) return;
  std::set<std::string> seen;
  for (const auto& item : *list) {
    auto fs = r.mapping(item, item.Mark(), "a rule",
                        {"id", "title", "files", "defines", "evidence", "match"});
    if (!fs) continue;
    ModelRule m;
    m.loc = r.loc(item);
    const size_t before = r.errorCount();
    m.id = text(r, *fs, "id", true).value_or("");
    m.title = text(r, *fs, "title", true).value_or("");
    if (const yaml::Field* f = r.require(*fs, "files"))
      m.files = strings(r, *f, "a file");
    if (const yaml::Field* f = r.require(*fs, "match")) {
      if (auto mf = r.mapping(f->value, f->valueMark(), "'match'",
                              {"features", "clauses", "behaviour", "spec"})) {
        for (const auto& k : mf->all()) {
          auto v = strings(r, k, "an entry");
          if (k.key == "features") m.features = v;
          if (k.key == "clauses") m.clauses = v;
          if (k.key == "behaviour") m.behaviour = v;
          if (k.key == "spec") m.spec = v;
        }
        if (mf->all().empty()) r.error(f->value, "'match' needs at least one criterion");
      }
    }
    if (!m.id.empty() && !seen.insert(m.id).second)
      r.error(item, "rule id '" + m.id + "' is used twice");
    if (r.errorCount() == before) out.push_back(std::move(m));
  }
}

// The position of each `spec:` entry of a scenario file, in order.
std::vector<SourceLoc> specLocations(const Scenario& s) {
  std::vector<SourceLoc> out;
  try {
    const YAML::Node doc = YAML::LoadFile(s.file);
    const YAML::Node spec = doc["spec"];
    if (spec.IsSequence())
      for (const auto& item : spec) out.push_back(yaml::locOf(s.file, item.Mark()));
    else if (spec)
      out.push_back(yaml::locOf(s.file, spec.Mark()));
  } catch (const YAML::Exception&) {
  }
  out.resize(s.specRefs.size(), s.loc);
  return out;
}

// "behaviour §6.1, §6.2 (…); FINDINGS F5" -> {"6.1", "6.2"}; "behaviour 9.1" -> {"9.1"}.
std::vector<std::string> behaviourSections(std::string_view entry) {
  std::vector<std::string> out;
  entry = trim(entry);
  if (!entry.starts_with("behaviour")) return out;
  auto number = [](std::string_view s, size_t i) {
    size_t j = i;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) ||
                            (s[j] == '.' && j + 1 < s.size() &&
                             std::isdigit(static_cast<unsigned char>(s[j + 1])))))
      ++j;
    return std::string(s.substr(i, j - i));
  };
  const std::string_view rest = trim(entry.substr(std::string_view("behaviour").size()));
  if (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest[0])))
    out.push_back(number(rest, 0));
  const std::string_view sect = "§";
  for (size_t i = entry.find(sect); i != std::string_view::npos;
       i = entry.find(sect, i)) {
    i += sect.size();
    const std::string n = number(entry, i);
    if (!n.empty()) out.push_back(n);
  }
  return out;
}

bool clauseMatches(const std::string& pattern, const std::string& id) {
  if (pattern.ends_with('.') || pattern.ends_with('*')) {
    const std::string_view prefix(pattern.data(),
                                  pattern.size() - (pattern.ends_with('*') ? 1 : 0));
    return id.starts_with(prefix);
  }
  return pattern == id;
}

bool ruleMatches(const ModelRule& rule, const Scenario& s) {
  for (const auto& f : s.features)
    if (std::find(rule.features.begin(), rule.features.end(), f) != rule.features.end())
      return true;
  for (const auto& ref : s.specRefs) {
    if (auto id = cited(ref, kDocPrefix))
      for (const auto& p : rule.clauses)
        if (clauseMatches(p, *id)) return true;
    for (const auto& sec : behaviourSections(ref))
      for (const auto& want : rule.behaviour)
        if (sec == want || sec.starts_with(want + ".")) return true;
    for (const auto& sub : rule.spec)
      if (ref.find(sub) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

CoverageSources defaultCoverageSources(const std::string& root) {
  const fs::path spec = fs::path(root) / "spec";
  CoverageSources src{root,
                      (spec / "clauses.yaml").string(),
                      (spec / "rules.yaml").string(),
                      {},
                      {(spec / "scenarios").string()},
                      (fs::path(root) / "reports" / "verdicts.json").string()};
  for (std::string_view m : kTestModules)
    src.tests.push_back({std::string(m), (spec / (std::string(m) + ".yaml")).string()});
  return src;
}

bool Coverage::passes(size_t i) const {
  return !haveVerdicts || passedOn.count(scenarios[i].scenario.id);
}

bool Coverage::passesOn(size_t i, PyVersion v) const {
  if (!haveVerdicts) return true;
  const auto it = passedOn.find(scenarios[i].scenario.id);
  if (it == passedOn.end()) return false;
  for (const std::string& interp : it->second) {
    // "cpython-3.13.0", "pyodide-3.14.2", "model-3.13": the version after the last '-'.
    const std::string version = interp.substr(interp.rfind('-') + 1);
    if (auto p = parseVersion(version); p && *p == v) return true;
  }
  return false;
}

std::string Coverage::notCounting(size_t i) const {
  if (passes(i)) return "";
  return judged.count(scenarios[i].scenario.id) ? "never passes" : "no verdict";
}

std::vector<size_t> Coverage::citing(const DocClause& c, PyVersion v) const {
  std::vector<size_t> out;
  auto it = byClause.find(c.id);
  if (it == byClause.end()) return out;
  for (size_t i : it->second)
    if (scenarios[i].scenario.python.contains(v) && passesOn(i, v)) out.push_back(i);
  return out;
}

std::vector<size_t> Coverage::citingNotPassing(const DocClause& c, PyVersion v) const {
  std::vector<size_t> out;
  auto it = byClause.find(c.id);
  if (it == byClause.end()) return out;
  for (size_t i : it->second)
    if (scenarios[i].scenario.python.contains(v) && !passesOn(i, v)) out.push_back(i);
  return out;
}

std::string_view coverageLevelName(CoverageLevel l) {
  switch (l) {
    case CoverageLevel::Covered:
      return "covered";
    case CoverageLevel::Partly:
      return "partly";
    case CoverageLevel::OnlyFailing:
      return "only failing";
    case CoverageLevel::NotCovered:
      return "not covered";
  }
  return "?";
}

CoverageLevel Coverage::level(const CpythonTest& t) const {
  if (testCovered(t))
    return t.status == TestStatus::Partly ? CoverageLevel::Partly
                                          : CoverageLevel::Covered;
  return byTest.count(t.citation()) ? CoverageLevel::OnlyFailing
                                    : CoverageLevel::NotCovered;
}

CoverageLevel Coverage::level(const DocClause& c) const {
  CoverageLevel worst = c.partly.empty() ? CoverageLevel::Covered : CoverageLevel::Partly;
  for (PyVersion v : uncoveredVersions(c))
    worst = std::max(worst, citingNotPassing(c, v).empty() ? CoverageLevel::NotCovered
                                                           : CoverageLevel::OnlyFailing);
  return worst;
}

bool Coverage::testCovered(const CpythonTest& t) const {
  auto it = byTest.find(t.citation());
  if (it == byTest.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](size_t i) { return passes(i); });
}

namespace {

// reports/verdicts.json: {"scenarios": {id: {verdict: [interpreter, …]}}}.
void loadVerdicts(const std::string& file, Coverage& c) {
  if (file.empty()) return;
  std::ifstream in(file);
  nlohmann::json j;
  if (in) j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!in || j.is_discarded() || !j.is_object() || !j.contains("scenarios") ||
      !j["scenarios"].is_object()) {
    c.errors.push_back({{file, 1, 1},
                        "cannot read the published verdicts (./run check --publish "
                        "writes them; a citation counts only for a passing scenario)"});
    return;
  }
  c.haveVerdicts = true;
  for (const auto& [id, byVerdict] : j["scenarios"].items()) {
    if (!byVerdict.is_object()) continue;
    c.judged.insert(id);
    const auto pass = byVerdict.find(std::string(vocab::name(vocab::Verdict::Pass)));
    if (pass == byVerdict.end() || !pass->is_array()) continue;
    for (const auto& interp : *pass)
      if (interp.is_string()) c.passedOn[id].push_back(interp.get<std::string>());
  }
}

}  // namespace

std::vector<PyVersion> Coverage::uncoveredVersions(const DocClause& c) const {
  std::vector<PyVersion> out;
  for (PyVersion v : c.versions)
    if (citing(c, v).empty()) out.push_back(v);
  return out;
}

Coverage computeCoverage(const CoverageSources& src) {
  Coverage c;
  loadVerdicts(src.verdicts, c);
  loadClauses(src.clauses, c.clauses, c.errors);
  for (const TestCatalogue& cat : src.tests) loadTests(cat, c.tests, c.errors);
  loadRules(src.rules, c.rules, c.errors);

  std::vector<Diagnostic> missing;
  std::map<std::string, std::string> ids;
  for (const std::string& f : findScenarioFiles(src.suite, missing)) {
    LoadResult r = loadScenarioFile(f);
    c.errors.insert(c.errors.end(), r.diagnostics.begin(), r.diagnostics.end());
    if (!r.scenario) continue;
    auto [it, fresh] = ids.emplace(r.scenario->id, f);
    if (!fresh) {
      c.errors.push_back({r.scenario->loc, "scenario id '" + r.scenario->id +
                                               "' is also used by " + it->second});
      continue;
    }
    CitedScenario cs{std::move(*r.scenario), {}};
    cs.specLocs = specLocations(cs.scenario);
    c.scenarios.push_back(std::move(cs));
  }
  c.errors.insert(c.errors.end(), missing.begin(), missing.end());

  std::map<std::string, const DocClause*> clauses;
  for (const auto& cl : c.clauses) clauses.emplace(cl.id, &cl);
  std::set<std::string> tests;
  for (const auto& t : c.tests) tests.insert(t.citation());
  for (size_t i = 0; i < c.scenarios.size(); ++i) {
    const Scenario& s = c.scenarios[i].scenario;
    for (size_t k = 0; k < s.specRefs.size(); ++k) {
      const SourceLoc& at = c.scenarios[i].specLocs[k];
      if (auto id = cited(s.specRefs[k], kDocPrefix)) {
        auto it = clauses.find(*id);
        if (it == clauses.end())
          c.errors.push_back(
              {at, "unknown documentation clause '" + *id + "' (spec/clauses.yaml)"});
        else if (!it->second->testable)
          c.errors.push_back({at, "clause '" + *id +
                                      "' is marked not testable in spec/clauses.yaml (" +
                                      it->second->reason + ")"});
        else
          c.byClause[*id].push_back(i);
      } else {
        for (const TestCatalogue& cat : src.tests) {
          auto test = cited(s.specRefs[k], cat.module + ":");
          if (!test) continue;
          const std::string key = cat.module + ": " + *test;
          if (!tests.count(key))
            c.errors.push_back({at, "unknown " + cat.module + " test '" + *test +
                                        "' (spec/" + cat.module + ".yaml)"});
          else
            c.byTest[key].push_back(i);
        }
      }
    }
    for (const auto& rule : c.rules)
      if (ruleMatches(rule, s)) c.byRule[rule.id].push_back(i);
  }
  auto byId = [&](size_t a, size_t b) {
    return c.scenarios[a].scenario.id < c.scenarios[b].scenario.id;
  };
  for (auto* m : {&c.byClause, &c.byTest, &c.byRule})
    for (auto& [id, list] : *m) {
      std::sort(list.begin(), list.end(), byId);
      list.erase(std::unique(list.begin(), list.end()), list.end());
    }
  // A test marked uncovered that a scenario cites is stale. (A covered one that nothing
  // cites is listed as not covered: with a partial --suite that is no error.)
  for (const auto& t : c.tests)
    if (auto it = c.byTest.find(t.citation());
        t.status == TestStatus::Uncovered && it != c.byTest.end())
      c.errors.push_back({t.loc, "test '" + t.test + "' is marked uncovered but " +
                                     c.scenarios[it->second.front()].scenario.id +
                                     " cites it: mark it covered"});
  std::stable_sort(c.errors.begin(), c.errors.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.loc.file, a.loc.line, a.loc.col) <
                            std::tie(b.loc.file, b.loc.line, b.loc.col);
                   });
  return c;
}

}  // namespace monsim::harness
