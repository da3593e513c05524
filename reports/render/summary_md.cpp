#include <map>
#include <sstream>

#include "reports/render/deviations.h"
#include "reports/render/markdown.h"
#include "reports/render/render.h"
#include "reports/render/score.h"
#include "reports/render/text.h"

namespace monsim::report {

namespace {

void interpretersTable(std::ostringstream& md, const ResultSet& rs) {
  md << "| interpreter | implementation | version | build | found by |\n"
     << "|---|---|---|---|---|\n";
  for (const Interpreter* i : rs.columns(false)) {
    md << "| " << mdCell(i->id) << " | " << mdCell(i->implementation) << " (" << i->kind
       << ") | " << mdCell(i->version) << " | " << mdCell(i->buildText()) << " | "
       << mdCell(i->provenance) << " |\n";
  }
  md << "\n";
}

void matrix(std::ostringstream& md, const ResultSet& rs, const Scores& sc,
            const std::vector<const Interpreter*>& cols, std::optional<Level> level,
            const RenderOptions& o) {
  std::map<std::string, std::string> folders;
  for (const Record& r : rs.records) folders.emplace(r.area, folderOf(r.file));
  md << "| feature area |";
  for (const Interpreter* i : cols) md << " " << mdCell(i->id) << " |";
  md << "\n|---|";
  for (size_t k = 0; k < cols.size(); ++k) md << "---|";
  md << "\n";
  for (const std::string& area : rs.areas()) {
    bool any = false;
    for (const Interpreter* i : cols)
      any = any || sc.get(area, i->id, level).applicable() > 0;
    if (!any) continue;
    md << "| " << mdLink(o, folders[area], area) << " |";
    for (const Interpreter* i : cols)
      md << " " << cellText(sc.get(area, i->id, level)) << " |";
    md << "\n";
  }
  md << "| **all** |";
  for (const Interpreter* i : cols)
    md << " **" << cellText(sc.get("", i->id, level)) << "** |";
  md << "\n\n";
}

bool anyAt(const ResultSet& rs, const std::vector<const Interpreter*>& cols,
           Level level) {
  for (const Record& r : rs.records)
    if (r.level == level && vocab::tallyOf(r.verdict) != vocab::Tally::skipped)
      for (const Interpreter* i : cols)
        if (i->id == r.interpreter) return true;
  return false;
}

// Per feature area, the scenarios an interpreter could not run for want of a
// capability, by capability: what it supports, read the other way round. Only the
// interpreters that lack something get a column.
void lacking(std::ostringstream& md, const ResultSet& rs,
             const std::vector<const Interpreter*>& cols, const RenderOptions& o) {
  std::map<std::string, std::map<std::string, std::map<std::string, int>>> n;
  std::map<std::string, std::string> folders;
  for (const Record& r : rs.records)
    if (r.verdict == Verdict::Skipped && !r.missing.empty()) {
      ++n[r.area][r.interpreter][r.missing];
      folders.emplace(r.area, folderOf(r.file));
    }
  std::vector<const Interpreter*> lack;
  for (const Interpreter* i : cols)
    for (const auto& [area, by] : n)
      if (by.count(i->id)) {
        lack.push_back(i);
        break;
      }
  if (lack.empty()) return;
  md << "## What each interpreter lacks\n\n"
     << "Scenarios skipped because the interpreter lacks a capability they need, per "
        "feature area: `monitoring` is a usable `sys.monitoring` (its functions "
        "callable, "
        "not only its constants), the others are capabilities of the oracle's hello "
        "(`oracle/PROTOCOL.md`). An area without a cell here runs on that "
        "interpreter.\n\n"
     << "| feature area |";
  for (const Interpreter* i : lack) md << " " << mdCell(i->id) << " |";
  md << "\n|---|";
  for (size_t k = 0; k < lack.size(); ++k) md << "---|";
  md << "\n";
  for (const auto& [area, by] : n) {
    md << "| " << mdLink(o, folders[area], area) << " |";
    for (const Interpreter* i : lack) {
      std::string cell;
      if (auto it = by.find(i->id); it != by.end())
        for (const auto& [cap, count] : it->second)
          cell += (cell.empty() ? "" : ", ") + std::to_string(count) + " need " + cap;
      md << " " << (cell.empty() ? "—" : mdCell(cell)) << " |";
    }
    md << "\n";
  }
  md << "\n";
}

// Where the model's predictions with and without the probe differ: per scenario, the
// interpreters and the first difference with the rule on each side (behaviour §14).
void probeEffects(std::ostringstream& md, const ResultSet& rs) {
  std::map<std::string, std::pair<std::vector<std::string>, std::string>> byScenario;
  size_t total = 0;
  for (const Record& r : rs.records) {
    if (r.probeEffects.empty()) continue;
    auto& [interps, first] = byScenario[r.scenario];
    interps.push_back(r.interpreter);
    if (first.empty()) first = r.probeEffects.front();
    total += r.probeEffects.size();
  }
  md << "\n## What a passive extra tool changes\n\n";
  if (byScenario.empty()) {
    md << "In no scenario do the model's predictions with and without the probe "
          "differ.\n";
    return;
  }
  md << "In these scenarios the model predicts that the probe (a passive tool with every "
        "event) changes what a scenario tool receives; both runs are checked against "
        "their own prediction. "
     << total
     << " difference(s) in all; the first of each scenario, with the rule on "
        "each side (behaviour §14):\n\n"
     << "| scenario | interpreters | first difference |\n|---|---|---|\n";
  for (const auto& [scenario, entry] : byScenario) {
    std::string list;
    for (const std::string& i : entry.first) list += (list.empty() ? "" : ", ") + i;
    md << "| " << mdCode(scenario) << " | " << mdCell(list) << " | "
       << mdCell(entry.second) << " |\n";
  }
}

}  // namespace

std::string summaryMarkdown(const ResultSet& rs, const RenderOptions& o) {
  std::ostringstream md;
  md << mdHeader(rs, o, "sys.monitoring conformance: summary");
  const Scores sc(rs);
  const auto cols = rs.columns(false);
  std::vector<const Interpreter*> model;
  for (const Interpreter* i : rs.columns(true))
    if (i->isModel()) model.push_back(i);

  md << "## Interpreters\n\n";
  if (cols.empty())
    md << "No interpreter was found for this run.\n\n";
  else
    interpretersTable(md, rs);

  md << "## Scores\n\n"
     << "Each cell: scenarios passed / scenarios that apply to that interpreter, and the "
        "percentage (rounded down). A scenario outside its `python:` range, a model-only "
        "(script) scenario and one needing a capability the interpreter lacks is skipped "
        "and not counted. A known deviation (listed in `spec/expectations/`) counts as "
        "not passed. The normative levels are scored separately: `must` is what the "
        "documentation requires, `should` what it recommends, `implementation-defined` "
        "what CPython chose where the documentation leaves it open.\n\n";
  if (!cols.empty()) {
    md << "| level |";
    for (const Interpreter* i : cols) md << " " << mdCell(i->id) << " |";
    md << "\n|---|";
    for (size_t k = 0; k < cols.size(); ++k) md << "---|";
    md << "\n";
    for (const Level level : vocab::kLevels) {
      md << "| " << vocab::name(level) << " |";
      for (const Interpreter* i : cols)
        md << " " << cellText(sc.get("", i->id, level)) << " |";
      md << "\n";
    }
    md << "| **all levels** |";
    for (const Interpreter* i : cols)
      md << " **" << cellText(sc.get("", i->id, std::nullopt)) << "** |";
    md << "\n\n";
    for (const Level level : vocab::kLevels) {
      md << "### " << vocab::name(level) << ": feature area × interpreter\n\n";
      if (anyAt(rs, cols, level))
        matrix(md, rs, sc, cols, level, o);
      else
        md << "No scenario at this level applies to these interpreters.\n\n";
    }
  }
  lacking(md, rs, cols, o);

  if (!model.empty()) {
    md << "## The model's self-check (script scenarios)\n\n"
       << "Script scenarios feed API calls and event occurrences straight to the model, "
          "for "
          "rules no Python program reaches deterministically; `model-X.Y` is the model "
          "with the version profile of Python X.Y. All levels together.\n\n";
    matrix(md, rs, sc, model, std::nullopt, o);
  }

  md << "## Failures\n\n";
  int bad = 0;
  for (const Record& r : rs.records) {
    if (!vocab::isBad(r.verdict)) continue;
    ++bad;
    md << "### " << mdCode(r.scenario) << " on " << r.interpreter << ": "
       << vocab::name(r.verdict) << "\n\n"
       << "- scenario: " << mdLink(o, r.file, r.file)
       << (r.description.empty() ? "" : " — " + r.description) << "\n"
       << "- level: " << vocab::name(r.level)
       << "; spec: " << mdCell(r.spec.empty() ? "—" : r.spec.front()) << "\n"
       << "- why: " << r.reason << "\n";
    if (const std::string p = firstProblem(r); !p.empty()) md << "- " << p << "\n";
    md << "\n";
  }
  if (bad == 0)
    md << "None: every scenario that applies passes or is a known deviation.\n\n";

  const auto devs = collectDeviations(rs);
  md << "## Known deviations\n\n";
  int known = 0;
  for (const auto& e : devs)
    for (const auto& g : e.groups) known += g.known() ? int(g.records.size()) : 0;
  if (known == 0) {
    md << "None.\n";
  } else {
    md << known << " result(s) are known deviations from the documented spec; "
       << "[deviations.md](deviations.md) explains each.\n\n"
       << "| scenario | level | interpreters | upstream issue |\n|---|---|---|---|\n";
    for (const auto& e : devs)
      for (const auto& g : e.groups) {
        if (!g.known()) continue;
        md << "| " << mdCode(e.first->scenario) << " | " << vocab::name(e.first->level)
           << " | " << interpreterList(g.records) << " | "
           << (g.issue.empty() ? "none recorded" : mdCell(g.issue)) << " |\n";
      }
  }
  probeEffects(md, rs);
  return md.str();
}

}  // namespace monsim::report
