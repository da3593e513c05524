#include <sstream>

#include "reports/render/deviations.h"
#include "reports/render/markdown.h"
#include "reports/render/render.h"
#include "reports/render/text.h"

namespace monsim::report {

namespace {

std::string versions(const ResultSet& rs, const std::vector<const Record*>& records) {
  std::string out;
  for (const Record* r : records) {
    const Interpreter* i = rs.interpreter(r->interpreter);
    std::string impl = i && !i->implementation.empty() ? i->implementation : "";
    if (impl == "cpython") impl = "CPython";
    out += (out.empty() ? "" : ", ") + r->interpreter + " (" +
           (impl.empty() ? "" : impl + " ") + r->version +
           (i && i->kind == "pyodide" ? ", WebAssembly" : "") + ")";
  }
  return out;
}

// Reasons of skipped records, de-duplicated: "python >=3.14".
std::string skipReasons(const std::vector<const Record*>& records) {
  std::string out;
  for (const Record* r : records)
    if (out.find(r->reason) == std::string::npos)
      out += (out.empty() ? "" : "; ") + r->reason;
  return out;
}

// The checker's report for each interpreter; one block when they all read the same.
void evidence(std::ostringstream& md, const DeviationGroup& g) {
  bool same = true;
  for (const Record* r : g.records) same = same && r->detail == g.records.front()->detail;
  for (const Record* r : g.records) {
    if (r->detail.empty()) {
      if (const std::string p = firstProblem(*r); !p.empty())
        md << "Evidence (" << r->interpreter << "): " << p << "\n\n";
      continue;
    }
    md << "Evidence (`monsim check`" << (same ? "" : " on " + r->interpreter)
       << "):\n\n```text\n"
       << r->detail << (r->detail.back() == '\n' ? "" : "\n") << "```\n\n";
    if (same) break;
  }
}

void entry(std::ostringstream& md, const ResultSet& rs, const DeviationEntry& e,
           const RenderOptions& o) {
  const Record& s = *e.first;
  md << "## " << s.scenario << "\n\n";
  if (!s.description.empty()) md << s.description << "\n\n";
  md << "- **Doc clause:** ";
  if (s.spec.empty()) md << "—";
  for (size_t k = 0; k < s.spec.size(); ++k) md << (k ? "; " : "") << s.spec[k];
  md << "\n- **Minimal scenario:** " << mdLink(o, s.file, s.file) << " (level `"
     << vocab::name(s.level) << "`, python `" << (s.python.empty() ? "?" : s.python)
     << "`, features " <<
      [&] {
        std::string f;
        for (const auto& x : s.features) f += (f.empty() ? "" : ", ") + x;
        return f;
      }()
     << ")\n";
  if (!e.conforming.empty())
    md << "- **Conforming:** " << versions(rs, e.conforming) << "\n";
  if (!e.notApplicable.empty())
    md << "- **Not applicable:** " << interpreterList(e.notApplicable) << " ("
       << skipReasons(e.notApplicable) << ")\n";
  if (!e.errored.empty())
    md << "- **Not determined (error):** " << interpreterList(e.errored) << "\n";
  md << "\n";
  for (const DeviationGroup& g : e.groups) {
    md << "### "
       << (g.known() ? "Known deviation"
                     : "Not yet triaged (" + std::string(vocab::name(g.verdict)) + ")")
       << ": " << interpreterList(g.records) << "\n\n"
       << "- **Versions affected:** " << versions(rs, g.records) << "\n";
    if (g.known()) {
      md << "- **Listed in:** ";
      for (size_t k = 0; k < g.listedAt.size(); ++k)
        md << (k ? ", " : "") << mdCode(g.listedAt[k]);
      md << "\n";
    }
    md << "- **Upstream issue:** "
       << (g.issue.empty() ? "none recorded" : "<" + g.issue + ">") << "\n\n"
       << "**What the interpreter does:** " << g.reason << "\n\n";
    evidence(md, g);
  }
}

}  // namespace

std::string deviationsMarkdown(const ResultSet& rs, const RenderOptions& o) {
  std::ostringstream md;
  md << mdHeader(rs, o, "Where interpreters depart from the documented spec");
  md << "Each entry is a scenario on which at least one interpreter does not do what the "
        "`sys.monitoring` documentation says: the doc clause the scenario checks, what "
        "the "
        "interpreter does instead, the minimal scenario that shows it, the versions "
        "affected and the upstream issue if one is known. *Known deviations* are listed "
        "in `spec/expectations/` (so `monsim check` does not fail on them); *not yet "
        "triaged* ones are failures nobody has classified: the interpreter or the model "
        "may be wrong.\n\n";
  const auto entries = collectDeviations(rs);
  if (entries.empty())
    md << "None: every interpreter conforms on every scenario that applies.\n\n";
  if (!entries.empty()) {
    md << "| scenario | level | interpreters | status | upstream issue |\n"
       << "|---|---|---|---|---|\n";
    for (const auto& e : entries)
      for (const auto& g : e.groups)
        md << "| [" << e.first->scenario << "](#" << mdAnchor(e.first->scenario) << ") | "
           << vocab::name(e.first->level) << " | " << interpreterList(g.records) << " | "
           << (g.known() ? "known deviation" : "not yet triaged") << " | "
           << (g.issue.empty() ? "—" : mdCell(g.issue)) << " |\n";
    md << "\n";
  }
  for (const auto& e : entries) entry(md, rs, e, o);
  const auto stale = staleExpectations(rs);
  if (!stale.empty()) {
    md << "## Listed but no longer reproduced\n\n"
       << "These `spec/expectations/` entries did not reproduce (verdict `xpass`): the "
          "interpreter now conforms; remove the entries.\n\n";
    for (const Record* r : stale)
      md << "- " << mdCode(r->scenario) << " on " << r->interpreter
         << (r->known ? " (" + mdCode(r->known->at) + ")" : "") << "\n";
  }
  return md.str();
}

}  // namespace monsim::report
