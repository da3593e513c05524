#include "reports/render/diff.h"

#include <algorithm>
#include <set>
#include <sstream>
#include <tuple>

#include "reports/render/score.h"
#include "reports/render/text.h"

namespace monsim::report {

namespace {

std::set<std::string> scenarioIds(const ResultSet& rs) {
  std::set<std::string> s;
  for (const Record& r : rs.records) s.insert(r.scenario);
  return s;
}

std::vector<std::string> ids(const ResultSet& rs) {
  std::vector<std::string> v;
  for (const Interpreter* i : rs.columns(true)) v.push_back(i->id);
  return v;
}

std::string firstText(const Record& r) {
  if (!r.divergences.empty())
    return std::string(vocab::name(r.divergences.front().kind)) + " at " +
           r.divergences.front().where;
  return r.reason;
}

}  // namespace

RunDiff diffResults(const ResultSet& before, const ResultSet& after) {
  RunDiff d;
  const auto oldIds = ids(before), newIds = ids(after);
  for (const auto& i : newIds) {
    if (std::find(oldIds.begin(), oldIds.end(), i) == oldIds.end())
      d.interpretersAdded.push_back(i);
    else
      d.interpreters.push_back(i);
  }
  for (const auto& i : oldIds)
    if (std::find(newIds.begin(), newIds.end(), i) == newIds.end())
      d.interpretersRemoved.push_back(i);
  const std::set<std::string> shared(d.interpreters.begin(), d.interpreters.end());
  const auto oldScenarios = scenarioIds(before), newScenarios = scenarioIds(after);
  for (const auto& s : newScenarios)
    if (!oldScenarios.count(s)) d.added.push_back(s);
  for (const auto& s : oldScenarios)
    if (!newScenarios.count(s)) d.removed.push_back(s);

  for (const Record& n : after.records) {
    if (!shared.count(n.interpreter)) continue;
    const Record* o = before.find(n.scenario, n.interpreter);
    if (!o) {
      if (!oldScenarios.count(n.scenario) && vocab::isBad(n.verdict))
        d.regressions.push_back(
            {n.scenario, n.interpreter, std::nullopt, n.verdict, n.reason});
      continue;
    }
    ++d.transitions[n.interpreter][{o->verdict, n.verdict}];
    VerdictChange c{n.scenario, n.interpreter, o->verdict, n.verdict, n.reason};
    const bool wasBad = vocab::isBad(o->verdict), isBadNow = vocab::isBad(n.verdict);
    if (!wasBad && isBadNow) {
      d.regressions.push_back(std::move(c));
    } else if (wasBad && !isBadNow) {
      d.fixes.push_back(std::move(c));
    } else if (o->verdict != n.verdict) {
      d.changes.push_back(std::move(c));
    } else if (isBadNow && firstText(*o) != firstText(n)) {
      d.differently.push_back(std::move(c));
    }
  }
  return d;
}

namespace {

void changeList(std::ostringstream& md, const std::vector<VerdictChange>& v,
                bool reason) {
  for (const VerdictChange& c : v) {
    md << "- " << mdCode(c.scenario) << " on " << c.interpreter << ": "
       << (c.before ? vocab::name(*c.before) : "(new scenario)") << " → "
       << vocab::name(c.after);
    if (reason && !c.reason.empty()) md << " — " << c.reason;
    md << "\n";
  }
  md << "\n";
}

std::string runText(const ResultSet& rs) {
  std::string files;
  for (const Run& r : rs.runs) files += (files.empty() ? "" : ", ") + r.path;
  return files + " (suite " + rs.suiteText() + ")";
}

}  // namespace

std::string diffMarkdown(const RunDiff& d, const ResultSet& before,
                         const ResultSet& after) {
  std::ostringstream md;
  md << "# monsim report diff\n\n- old: " << runText(before)
     << "\n- new: " << runText(after) << "\n\n"
     << d.regressions.size() << " regression(s), " << d.fixes.size() << " fix(es), "
     << d.changes.size() << " other verdict change(s), " << d.added.size()
     << " new scenario(s), " << d.removed.size() << " removed scenario(s)\n\n";
  if (!d.regressions.empty()) {
    md << "## Regressions\n\n";
    changeList(md, d.regressions, true);
  }
  if (!d.fixes.empty()) {
    md << "## Fixes\n\n";
    changeList(md, d.fixes, false);
  }
  if (!d.changes.empty()) {
    md << "## Other verdict changes\n\n";
    changeList(md, d.changes, true);
  }
  if (!d.differently.empty()) {
    md << "## Still failing, differently\n\n";
    changeList(md, d.differently, true);
  }
  if (!d.added.empty()) {
    md << "## New scenarios\n\n";
    for (const auto& s : d.added) {
      std::string on;
      for (const Record& r : after.records)
        if (r.scenario == s)
          on += (on.empty() ? " " : ", ") + r.interpreter + " " +
                std::string(vocab::name(r.verdict));
      md << "- " << mdCode(s) << ":" << on << "\n";
    }
    md << "\n";
  }
  if (!d.removed.empty()) {
    md << "## Removed scenarios\n\n";
    for (const auto& s : d.removed) md << "- " << mdCode(s) << "\n";
    md << "\n";
  }
  if (!d.interpretersAdded.empty() || !d.interpretersRemoved.empty()) {
    md << "## Interpreters\n\n";
    for (const auto& i : d.interpretersAdded)
      md << "- added: " << i << " (not compared)\n";
    for (const auto& i : d.interpretersRemoved) md << "- removed: " << i << "\n";
    md << "\n";
  }
  md << "## Per interpreter\n\n| interpreter | score before | score after | verdict "
        "changes |\n"
     << "|---|---|---|---|\n";
  const Scores sb(before), sa(after);
  for (const auto& i : d.interpreters) {
    // "fail → pass 2; …", in the order of the verdicts' names.
    std::vector<std::tuple<std::string_view, std::string_view, int>> moved;
    int same = 0;
    if (auto it = d.transitions.find(i); it != d.transitions.end())
      for (const auto& [k, n] : it->second) {
        if (k.first == k.second)
          same += n;
        else
          moved.emplace_back(vocab::name(k.first), vocab::name(k.second), n);
      }
    std::sort(moved.begin(), moved.end());
    std::string moves;
    for (const auto& [from, to, n] : moved)
      moves += (moves.empty() ? "" : "; ") + std::string(from) + " → " + std::string(to) +
               " " + std::to_string(n);
    md << "| " << i << " | " << cellText(sb.get("", i, std::nullopt)) << " | "
       << cellText(sa.get("", i, std::nullopt)) << " | "
       << (moves.empty() ? "none" : moves) << " (" << same << " unchanged) |\n";
  }
  return md.str();
}

}  // namespace monsim::report
