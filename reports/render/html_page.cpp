#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "reports/page_assets.h"
#include "reports/render/render.h"
#include "reports/render/score.h"
#include "reports/render/text.h"

namespace monsim::report {

namespace {

using Cols = std::vector<const Interpreter*>;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

// A link for an upstream issue when it is a URL, else the text.
std::string issueHtml(const std::string& issue) {
  if (issue.empty()) return "none recorded";
  if (issue.starts_with("https://") || issue.starts_with("http://"))
    return "<a href=\"" + escapeHtml(issue) + "\">" + escapeHtml(issue) + "</a>";
  return escapeHtml(issue);
}

std::string fileHtml(const RenderOptions& o, const std::string& file) {
  if (o.rootLink.empty() || file.starts_with("/"))
    return "<code>" + escapeHtml(file) + "</code>";
  return "<a href=\"" + escapeHtml(o.rootLink + file) + "\"><code>" + escapeHtml(file) +
         "</code></a>";
}

// Badge text that fits a column; the title has the whole verdict.
std::string shortVerdict(Verdict v) {
  if (v == Verdict::KnownDeviation) return "known";
  if (v == Verdict::Skipped) return "skip";
  return escapeHtml(vocab::name(v));
}

// Column header: implementation (or "model") over the version.
std::string colHead(const Interpreter& i) {
  const std::string top = i.isModel()           ? "model"
                          : i.kind == "pyodide" ? "pyodide"
                                                : i.implementation;
  return escapeHtml(top) + "<small>" + escapeHtml(i.version) + "</small>";
}

// The same cell the page's script renders after a filter (page.js cellHtml).
std::string cellHtml(const Scores& sc, const std::string& area,
                     const std::string& interp) {
  const Tally t = sc.get(area, interp, std::nullopt);
  const int n = t.applicable();
  if (n == 0) return "<span class=\"na\">—</span>";
  auto w = [&](int k) {
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(2);
    s << 100.0 * k / n << "%";
    return s.str();
  };
  std::string h =
      "<div class=\"bar\"><span style=\"width:" + w(t.passed()) +
      ";background:var(--pass)\"></span><span style=\"width:" + w(t.known) +
      ";background:var(--known-deviation)\"></span><span style=\"width:" + w(t.fail) +
      ";background:var(--fail)\"></span><span style=\"width:" + w(t.error) +
      ";background:var(--error)\"></span></div>";
  h += "<span class=\"score\">" + std::to_string(t.passed()) + "/" + std::to_string(n) +
       "</span> <span class=\"pct\">" + percent(t.passed(), n) + "</span>";
  std::vector<std::string> lv;
  for (const Level level : vocab::kLevels) {
    const Tally l = sc.get(area, interp, level);
    if (l.applicable() > 0)
      lv.push_back(std::string(vocab::shortName(level)) + " " +
                   std::to_string(l.passed()) + "/" + std::to_string(l.applicable()));
  }
  if (!lv.empty()) h += "<div class=\"lv\">" + join(lv, " · ") + "</div>";
  std::vector<std::string> flags;
  if (t.known)
    flags.push_back("<span style=\"color:var(--known-deviation)\">" +
                    std::to_string(t.known) + " known</span>");
  if (t.fail)
    flags.push_back("<span style=\"color:var(--fail)\">" + std::to_string(t.fail) +
                    " failing</span>");
  if (t.error)
    flags.push_back("<span style=\"color:var(--error)\">" + std::to_string(t.error) +
                    (t.error > 1 ? " errors" : " error") + "</span>");
  if (!flags.empty()) h += "<div class=\"flags\">" + join(flags, " · ") + "</div>";
  return h;
}

void interpretersSection(std::ostringstream& h, const Cols& cols) {
  h << "<h2 id=\"interpreters\">Interpreters</h2>\n<table "
       "class=\"interpreters\"><thead><tr>"
       "<th>id</th><th>implementation</th><th>version</th><th>build</th><th>found by</th>"
       "<th>capabilities</th></tr></thead><tbody>\n";
  std::vector<std::string> model;
  for (const Interpreter* i : cols) {
    if (i->isModel()) {
      model.push_back(i->id);
      continue;
    }
    h << "<tr data-interp=\"" << escapeHtml(i->id) << "\"><td><code>" << escapeHtml(i->id)
      << "</code></td><td>" << escapeHtml(i->implementation) << " ("
      << escapeHtml(i->kind) << ")</td><td>" << escapeHtml(i->version) << "</td><td>"
      << escapeHtml(i->buildText()) << "</td><td>" << escapeHtml(i->provenance)
      << "</td><td class=\"caps\">";
    if (i->capabilities.is_object())
      for (const auto& [k, v] : i->capabilities.items())
        h << "<span" << (v.is_boolean() && v.get<bool>() ? "" : " class=\"off\"") << ">"
          << escapeHtml(k) << "</span>";
    h << "</td></tr>\n";
  }
  h << "</tbody></table>\n";
  if (!model.empty())
    h << "<p class=\"legend\">Also " << escapeHtml(join(model, ", "))
      << ": the model with the version profile of that Python, for the script scenarios "
         "(API calls and event occurrences fed straight to the model).</p>\n";
}

void filtersSection(std::ostringstream& h, const ResultSet& rs, const Cols& cols) {
  std::map<Verdict, int> verdictCount;
  std::set<std::string> areas, others;
  for (const Record& r : rs.records) {
    ++verdictCount[r.verdict];
    areas.insert(r.area);
    for (const auto& f : r.features) others.insert(f);
  }
  std::set<std::string> scenarios;
  for (const Record& r : rs.records) scenarios.insert(r.scenario);
  h << "<form id=\"filters\" onsubmit=\"return false\">\n<fieldset id=\"f-interp\">"
       "<legend>Interpreters</legend>";
  for (const Interpreter* i : cols)
    h << "<label class=\"chip\"><input type=\"checkbox\" value=\"" << escapeHtml(i->id)
      << "\" id=\"f-interp-" << escapeHtml(i->id) << "\" checked>" << escapeHtml(i->id)
      << " <a class=\"only\" href=\"#\" data-scope=\"#f-interp\" data-value=\""
      << escapeHtml(i->id) << "\" title=\"only this one\">only</a></label>";
  h << "</fieldset>\n<fieldset id=\"f-verdict\"><legend>Verdicts</legend>";
  for (const Verdict verdict : vocab::kVerdicts) {
    const std::string v = escapeHtml(vocab::name(verdict));
    h << "<label class=\"chip\"><input type=\"checkbox\" value=\"" << v
      << "\" id=\"f-verdict-" << v
      << "\" checked><span class=\"dot\" style=\"background:var(--" << v << ")\"></span>"
      << v << " (" << verdictCount[verdict]
      << ") <a class=\"only\" href=\"#\" data-scope=\"#f-verdict\""
      << " data-value=\"" << v << "\" title=\"only this one\">only</a></label>";
  }
  h << "</fieldset>\n<label>Feature <select id=\"f-feature\"><option "
       "value=\"\">any</option>"
       "<optgroup label=\"feature areas\">";
  for (const auto& a : areas) h << "<option>" << escapeHtml(a) << "</option>";
  h << "</optgroup><optgroup label=\"events and other features\">";
  for (const auto& f : others)
    if (!areas.count(f)) h << "<option>" << escapeHtml(f) << "</option>";
  h << "</optgroup></select></label>\n<label>Level <select id=\"f-level\"><option "
       "value=\"\">"
       "any</option>";
  for (const Level l : vocab::kLevels)
    h << "<option>" << escapeHtml(vocab::name(l)) << "</option>";
  h << "</select></label>\n<label>Search <input type=\"search\" id=\"f-text\" "
       "placeholder=\"scenario, text, clause\"></label>\n"
       "<button type=\"button\" id=\"f-reset\">Reset</button>"
       "<button type=\"button\" id=\"expand\">Expand all</button>"
       "<button type=\"button\" id=\"collapse\">Collapse all</button>\n"
       "<span id=\"status\"><span id=\"shown-count\">"
    << scenarios.size() << "</span> of " << scenarios.size()
    << " scenarios shown</span>\n</form>\n";
}

void matrixSection(std::ostringstream& h, const ResultSet& rs, const Cols& cols) {
  const Scores sc(rs);
  Cols interps, model;
  for (const Interpreter* i : cols) (i->isModel() ? model : interps).push_back(i);
  auto ids = [](const Cols& c) {
    std::vector<std::string> v;
    for (const Interpreter* i : c) v.push_back(i->id);
    return join(v, " ");
  };
  h << "<h2 id=\"matrix\">Feature area × interpreter</h2>\n<p class=\"legend\">Each "
       "cell: "
       "scenarios passed / scenarios that apply, the percentage (rounded down), and the "
       "same per normative level (must, should, implementation-defined). A known "
       "deviation "
       "counts as not passed; skipped scenarios (outside their <code>python:</code> "
       "range, "
       "model-only, missing capability) are not counted. The feature, level and search "
       "filters narrow the counts; a cell links to its scenarios.</p>\n"
       "<table class=\"matrix\"><thead>";
  if (!model.empty()) {
    h << "<tr><th></th>";
    if (!interps.empty())
      h << "<th class=\"group\" colspan=\"" << interps.size() << "\" data-group=\""
        << escapeHtml(ids(interps)) << "\">interpreters</th>";
    h << "<th class=\"group\" colspan=\"" << model.size() << "\" data-group=\""
      << escapeHtml(ids(model)) << "\">model (script scenarios)</th></tr>";
  }
  h << "<tr><th>feature area</th>";
  for (const Interpreter* i : cols)
    h << "<th class=\"col col-head\" data-interp=\"" << escapeHtml(i->id) << "\" title=\""
      << escapeHtml(i->id) << "\">" << colHead(*i) << "</th>";
  h << "</tr></thead><tbody>\n";
  auto row = [&](const std::string& area, bool total) {
    h << "<tr" << (total ? " class=\"total\"" : "") << "><th>"
      << (total
              ? "all"
              : "<a href=\"#area-" + escapeHtml(area) + "\">" + escapeHtml(area) + "</a>")
      << "</th>";
    for (const Interpreter* i : cols) {
      const std::string href =
          "#" + (total ? "" : "feature=" + area + "&") + "interp=" + i->id;
      h << "<td class=\"cell\" data-area=\"" << escapeHtml(area) << "\" data-interp=\""
        << escapeHtml(i->id) << "\" data-href=\"" << escapeHtml(href) << "\"><a href=\""
        << escapeHtml(href) << "\">" << cellHtml(sc, area, i->id) << "</a></td>";
    }
    h << "</tr>\n";
  };
  for (const std::string& area : rs.areas()) row(area, false);
  row("", true);
  h << "</tbody></table>\n";
}

void divergencesTable(std::ostringstream& h, const Record& r) {
  h << "<table><thead><tr><th>#</th><th>kind</th><th>where</th><th>tool</th><th>model</"
       "th>"
       "<th>interpreter</th><th>model rule</th></tr></thead><tbody>";
  const size_t shown = std::min<size_t>(r.divergences.size(), 25);
  for (size_t k = 0; k < shown; ++k) {
    const Divergence& d = r.divergences[k];
    h << "<tr><td>" << k + 1 << "</td><td>" << escapeHtml(vocab::name(d.kind))
      << "</td><td>" << escapeHtml(d.where) << "</td><td>"
      << (d.tool < 0 ? "" : std::to_string(d.tool)) << "</td><td class=\"mono\">"
      << escapeHtml(d.model) << "</td><td class=\"mono\">" << escapeHtml(d.interpreter)
      << "</td><td>" << escapeHtml(d.rule) << "</td></tr>";
  }
  h << "</tbody></table>";
  if (r.divergences.size() > shown)
    h << "<p class=\"quiet\">and " << r.divergences.size() - shown << " more</p>";
}

void recordSection(std::ostringstream& h, const Record& r) {
  const std::string verdict = escapeHtml(vocab::name(r.verdict));
  h << "<section class=\"rec r-" << verdict << "\" data-interp=\""
    << escapeHtml(r.interpreter) << "\"><h4>" << escapeHtml(r.interpreter) << ": "
    << verdict << " <span class=\"quiet\">(" << secondsText(r.seconds) << ")</span></h4>";
  if (!r.reason.empty()) h << "<p>" << escapeHtml(r.reason) << "</p>";
  if (r.known)
    h << "<p class=\"quiet\">Listed in <code>" << escapeHtml(r.known->at)
      << "</code> as <code>" << escapeHtml(vocab::name(r.known->verdict))
      << "</code>; upstream issue: " << issueHtml(r.known->issue) << "</p>";
  if (!r.divergences.empty()) divergencesTable(h, r);
  if (!r.probeEffects.empty()) {
    h << "<p>What the probe changes (the model's rule for each):</p><ul>";
    for (const std::string& e : r.probeEffects)
      h << "<li><code>" << escapeHtml(e) << "</code></li>";
    h << "</ul>";
  }
  if (!r.pathSplit.empty()) h << "<p>" << escapeHtml(r.pathSplit) << "</p>";
  if (!r.detail.empty()) h << "<pre>" << escapeHtml(r.detail) << "</pre>";
  h << "</section>";
}

void scenarioBlock(std::ostringstream& h, const ResultSet& rs, const Cols& cols,
                   const std::vector<const Record*>& recs, const RenderOptions& o) {
  const Record& s = *recs.front();
  std::vector<std::string> verdicts;
  for (const Record* r : recs)
    verdicts.push_back(r->interpreter + "=" + std::string(vocab::name(r->verdict)));
  const std::string text =
      lower(s.scenario + " " + s.description + " " + join(s.features, " ") + " " +
            join(s.spec, " ") + " " + s.file);
  h << "<details class=\"scenario\" id=\"s-" << escapeHtml(s.scenario)
    << "\" data-area=\"" << escapeHtml(s.area) << "\" data-level=\""
    << escapeHtml(vocab::name(s.level)) << "\" data-features=\""
    << escapeHtml(s.area + " " + join(s.features, " ")) << "\" data-verdicts=\""
    << escapeHtml(join(verdicts, " ")) << "\" data-text=\"" << escapeHtml(text) << "\">"
    << "<summary class=\"grid\"><span class=\"name\">" << escapeHtml(s.scenario)
    << "</span><span class=\"lvl\">" << escapeHtml(vocab::name(s.level)) << "</span>";
  for (const Interpreter* i : cols) {
    const Record* r = rs.find(s.scenario, i->id);
    if (!r) {
      h << "<span class=\"v none\" data-interp=\"" << escapeHtml(i->id) << "\">·</span>";
      continue;
    }
    const std::string_view verdict = vocab::name(r->verdict);
    h << "<span class=\"v v-" << escapeHtml(verdict) << "\" data-interp=\""
      << escapeHtml(i->id) << "\" title=\""
      << escapeHtml(i->id + ": " + std::string(verdict) + ". " + r->reason) << "\">"
      << shortVerdict(r->verdict) << "</span>";
  }
  h << "</summary>\n<div class=\"body\">";
  if (!s.description.empty()) h << "<p>" << escapeHtml(s.description) << "</p>";
  h << "<dl><dt>doc clauses</dt><dd>";
  for (const auto& c : s.spec) h << escapeHtml(c) << "<br>";
  h << "</dd><dt>scenario</dt><dd>" << fileHtml(o, s.file)
    << "</dd><dt>applies to</dt><dd>"
    << "python <code>" << escapeHtml(s.python.empty() ? "?" : s.python) << "</code></dd>"
    << "<dt>features</dt><dd>" << escapeHtml(join(s.features, ", ")) << "</dd>"
    << "<dt>link</dt><dd><a href=\"#scenario=" << escapeHtml(s.scenario)
    << "\">#scenario=" << escapeHtml(s.scenario) << "</a></dd></dl>";
  // Plain passes and skips in one line each; everything else in full.
  std::vector<std::string> passes, skips;
  for (const Record* r : recs) {
    const std::string span = "<span data-interp=\"" + escapeHtml(r->interpreter) + "\">" +
                             escapeHtml(r->interpreter) + " </span>";
    if (r->verdict == Verdict::Pass && r->detail.empty() && r->divergences.empty()) {
      passes.push_back(span);
    } else if (r->verdict == Verdict::Skipped) {
      skips.push_back("<span data-interp=\"" + escapeHtml(r->interpreter) + "\">" +
                      escapeHtml(r->interpreter) + " (" + escapeHtml(r->reason) +
                      ") </span>");
    } else {
      recordSection(h, *r);
    }
  }
  if (!passes.empty()) h << "<p class=\"brief\">pass: " << join(passes, "") << "</p>";
  if (!skips.empty()) h << "<p class=\"brief\">skipped: " << join(skips, "") << "</p>";
  h << "</div></details>\n";
}

void scenariosSection(std::ostringstream& h, const ResultSet& rs, const Cols& cols,
                      const RenderOptions& o) {
  h << "<h2 id=\"scenarios\">Scenarios</h2>\n<p class=\"legend\">One row per scenario, "
       "one "
       "column per interpreter; open a row for its doc clauses and, per interpreter, the "
       "reason, the divergences aligned with the model and the checker's report.</p>\n"
       "<div class=\"grid list-head\"><span>scenario</span><span>level</span>";
  for (const Interpreter* i : cols)
    h << "<span class=\"col-head\" data-interp=\"" << escapeHtml(i->id) << "\" title=\""
      << escapeHtml(i->id) << "\">" << colHead(*i) << "</span>";
  h << "</div>\n";
  std::string area;
  for (size_t k = 0; k < rs.records.size();) {
    std::vector<const Record*> recs;
    size_t end = k;
    while (end < rs.records.size() && rs.records[end].scenario == rs.records[k].scenario)
      recs.push_back(&rs.records[end++]);
    if (recs.front()->area != area) {
      area = recs.front()->area;
      h << "<h3 id=\"area-" << escapeHtml(area) << "\" data-area-head=\""
        << escapeHtml(area) << "\">" << escapeHtml(area) << "</h3>\n";
    }
    scenarioBlock(h, rs, cols, recs, o);
    k = end;
  }
}

}  // namespace

std::string htmlPage(const ResultSet& rs, const RenderOptions& o) {
  const Cols cols = rs.columns(true);
  std::ostringstream h;
  std::set<std::string> scenarios;
  for (const Record& r : rs.records) scenarios.insert(r.scenario);
  std::string monsim = "?", date;
  std::vector<std::string> files;
  for (const Run& r : rs.runs) {
    if (!r.monsim.empty()) monsim = r.monsim;
    if (!r.date.empty()) date = r.date;
    files.push_back(r.path.substr(r.path.rfind('/') + 1));
  }
  h << "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       "<title>sys.monitoring conformance — monsim</title>\n<style>"
    << kPageCss
    << "</style>\n</head>\n<body>\n<header>\n<h1>sys.monitoring conformance</h1>\n"
    << "<p class=\"meta\">monsim " << escapeHtml(monsim) << " · suite "
    << escapeHtml(rs.suiteText()) << (date.empty() ? "" : " · " + escapeHtml(date))
    << " · " << scenarios.size() << " scenarios · " << rs.columns(false).size()
    << " interpreters · "
    << "from " << escapeHtml(join(files, ", "))
    << " · <a href=\"summary.md\">summary.md</a> · "
    << "<a href=\"deviations.md\">deviations.md</a> · <a "
       "href=\"junit.xml\">junit.xml</a></p>\n"
    << "<noscript><p>The filters need JavaScript; everything else is on the "
       "page.</p></noscript>\n"
    << "</header>\n";
  interpretersSection(h, cols);
  filtersSection(h, rs, cols);
  matrixSection(h, rs, cols);
  scenariosSection(h, rs, cols, o);
  h << "<script>" << kPageJs << "</script>\n</body>\n</html>\n";
  return h.str();
}

}  // namespace monsim::report
