// monsim report: render results streams of `monsim check` (one or more, merged) into
// summary.md, deviations.md, junit.xml and index.html; `monsim report diff OLD NEW`
// says what changed between two runs and fails on regressions.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "cli/commands.h"
#include "cli/options.h"
#include "interpreter/discovery.h"
#include "reports/render/diff.h"
#include "reports/render/render.h"

namespace fs = std::filesystem;

namespace monsim::cli {

namespace {

const std::vector<std::string> kFormats = {"summary", "deviations", "junit", "html",
                                           "verdicts"};

struct ReportArgs {
  std::vector<std::string> results;
  std::string out = "out/report";
  std::vector<std::string> only;
  std::string linkRoot;  // "" computed; "none": no links
  std::string generatedBy = "monsim report";
};

struct DiffArgs {
  std::string before, after, out;
};

bool loadAll(const std::vector<std::string>& paths, const char* who,
             report::ResultSet& rs) {
  std::vector<std::string> errors;
  rs = report::loadResults(paths, errors);
  for (const auto& e : errors) std::cerr << "monsim " << who << ": " << e << "\n";
  // An unreadable file or one that is not a results stream (no header) stops the report;
  // a bad line or a missing footer is reported and the rest rendered.
  if (paths.size() > rs.runs.size()) return false;
  for (const auto& r : rs.runs)
    if (r.suiteCommit.empty()) return false;
  return true;
}

// From the output folder to the source root the results' paths are relative to.
std::string rootLink(const report::ResultSet& rs, const std::string& out,
                     const std::string& given) {
  if (given == "none") return "";
  if (!given.empty()) return given.ends_with("/") ? given : given + "/";
  std::string root;
  for (const auto& r : rs.runs)
    if (!r.root.empty() && fs::is_directory(r.root)) root = r.root;
  if (root.empty()) root = harness::sourceRoot();
  std::error_code ec;
  const fs::path rel = fs::relative(fs::weakly_canonical(root, ec),
                                    fs::weakly_canonical(fs::absolute(out), ec), ec);
  if (ec || rel.empty()) return "";
  return rel == "." ? "" : rel.generic_string() + "/";
}

bool write(const fs::path& p, const std::string& text) {
  std::ofstream o(p, std::ios::binary);
  o << text;
  o.close();
  if (!o) std::cerr << "monsim report: cannot write " << p.string() << "\n";
  return bool(o);
}

int report(const ReportArgs& a) {
  if (a.results.empty()) {
    std::cerr
        << "monsim report: give one or more results streams (monsim check --results)\n";
    return kExitUsage;
  }
  std::set<std::string> formats(a.only.begin(), a.only.end());
  if (formats.empty()) formats.insert(kFormats.begin(), kFormats.end());
  for (const auto& f : formats)
    if (std::find(kFormats.begin(), kFormats.end(), f) == kFormats.end()) {
      std::cerr << "monsim report: unknown format '" << f
                << "' (summary, deviations, junit, html, verdicts)\n";
      return kExitUsage;
    }
  report::ResultSet rs;
  if (!loadAll(a.results, "report", rs)) return kExitUsage;
  std::error_code ec;
  fs::create_directories(a.out, ec);
  if (ec) {
    std::cerr << "monsim report: cannot create " << a.out << ": " << ec.message() << "\n";
    return kExitUsage;
  }
  report::RenderOptions o;
  o.rootLink = rootLink(rs, a.out, a.linkRoot);
  o.regenerate = a.generatedBy;
  const fs::path dir(a.out);
  std::vector<std::string> written;
  bool ok = true;
  auto emit = [&](const char* format, const char* name, const std::string& text) {
    if (!formats.count(format)) return;
    ok = write(dir / name, text) && ok;
    written.push_back(name);
  };
  emit("html", "index.html", report::htmlPage(rs, o));
  emit("summary", "summary.md", report::summaryMarkdown(rs, o));
  emit("deviations", "deviations.md", report::deviationsMarkdown(rs, o));
  emit("junit", "junit.xml", report::junitXml(rs));
  emit("verdicts", "verdicts.json", report::verdictsJson(rs, o));
  std::cout << "report: " << a.out << "/ (";
  for (size_t k = 0; k < written.size(); ++k) std::cout << (k ? ", " : "") << written[k];
  std::cout << ") from " << rs.records.size() << " results on " << rs.columns(true).size()
            << " interpreters\n";
  return ok ? kExitClean : kExitUsage;
}

int diff(const DiffArgs& a) {
  report::ResultSet before, after;
  if (!loadAll({a.before}, "report diff", before) ||
      !loadAll({a.after}, "report diff", after))
    return kExitUsage;
  const report::RunDiff d = report::diffResults(before, after);
  const std::string md = report::diffMarkdown(d, before, after);
  std::cout << md;
  if (!a.out.empty() && !write(a.out, md)) return kExitUsage;
  return d.regressions.empty() ? kExitClean : kExitFailures;
}

}  // namespace

void addReport(CLI::App& app) {
  auto a = std::make_shared<ReportArgs>();
  auto d = std::make_shared<DiffArgs>();
  auto* c = app.add_subcommand(
      "report",
      "Render results streams: summary.md, deviations.md, junit.xml, index.html");
  c->add_option("results", a->results,
                "Results streams of monsim check (several merge; a later one wins)");
  c->add_option("-o,--out", a->out, "Output folder (default out/report)");
  c->add_option("--only", a->only,
                "Formats to write: summary, deviations, junit, html, verdicts")
      ->delimiter(',');
  c->add_option("--link-root", a->linkRoot,
                "Prefix for links to scenario files (default: the relative path from the "
                "output folder to the source root; 'none': no links)");
  c->add_option("--generated-by", a->generatedBy,
                "The command named as the generator in the Markdown files");
  c->footer(exitFooter("the report was written", "",
                       "no results stream given, one that cannot be read or is not a "
                       "results stream, an unknown format, or the output cannot be "
                       "written"));
  auto* sub = c->add_subcommand(
      "diff",
      "Compare two results streams: regressions, fixes, new and removed scenarios; "
      "exit status 1 on regressions");
  sub->add_option("old", d->before, "The earlier results stream")->required();
  sub->add_option("new", d->after, "The later results stream")->required();
  sub->add_option("-o,--out", d->out, "Also write the Markdown here");
  sub->footer(exitFooter("no regression", "a regression (a scenario that got worse)",
                         "a results stream cannot be read or is not one, or the "
                         "output cannot be written"));
  sub->callback([d] { setExitCode(diff(*d)); });
  c->callback([a, sub] {
    if (!sub->parsed()) setExitCode(report(*a));
  });
}

}  // namespace monsim::cli
