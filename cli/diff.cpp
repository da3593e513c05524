// monsim diff: two interpreters' raw event streams (the probe's records) on the same
// scenarios, aligned per occurrence: where one emits what the other does not. Answers
// "does CPython 3.12.1 in WebAssembly emit what the native build does?" and "what
// changed in the stream between 3.12.1 and 3.12.7?". Markdown report, one line per
// scenario on stdout.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "check/stream_diff.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "interpreter/oracle_driver.h"
#include "reports/render/stream_diff.h"
#include "scenario/loader.h"

namespace fs = std::filesystem;

namespace monsim::cli {

namespace {

struct DiffArgs {
  std::vector<std::string> paths{"spec/scenarios"};
  std::vector<std::string> python;
  std::string out = "out/diff.md";
  RunLimitArgs limits;
  size_t shown = 12;         // differing events listed per scenario and side
  harness::StreamView view;  // --ignore-offsets, --branch-as-one
};

// Why the pair cannot run the scenario (empty: it can).
std::string unfit(const harness::Scenario& s, const harness::Interpreter& in,
                  const nlohmann::json& caps) {
  if (s.kind != harness::Scenario::Kind::Program) return "a script scenario (model only)";
  const auto v = parseVersion(in.version);
  if (!v || !s.python.contains(*v)) return "python " + s.python.text;
  for (const std::string& cap : s.requires_)
    if (!caps.value(cap, false)) return "needs " + cap;
  if (!in.monitoring && s.usesMonitoring) return "needs sys.monitoring";
  return "";
}

int diff(const DiffArgs& a) {
  if (a.python.size() != 2) {
    std::cerr << "monsim diff: name exactly two interpreters (--python A --python B)\n";
    return kExitUsage;
  }
  const harness::Selection selection =
      harness::selectInterpreters(a.python, harness::Needs::Oracle);
  if (!reportSelection("diff", selection)) return kExitUsage;
  if (selection.interpreters.size() != 2) {
    std::cerr << "monsim diff: --python names " << selection.interpreters.size()
              << " interpreters, not two\n";
    return kExitUsage;
  }
  const harness::Suite suite = harness::loadSuite(a.paths);
  for (const auto& d : suite.diagnostics) std::cerr << d.str() << "\n";
  if (suite.scenarios.empty()) {
    std::cerr << "monsim diff: no scenario found\n";
    return kExitUsage;
  }
  harness::OracleOptions oo;
  applyRunLimits(a.limits, oo);
  const harness::Interpreter& left = selection.interpreters[0];
  const harness::Interpreter& right = selection.interpreters[1];
  harness::OracleWorker wl(left, oo), wr(right, oo);
  std::string why;
  const auto hl = wl.hello(&why), hr = wr.hello(&why);
  if (!hl || !hr) {
    std::cerr << "monsim diff: an oracle worker does not start: " << why << "\n";
    return kExitUsage;
  }
  const auto capsL = hl->value("capabilities", nlohmann::json::object());
  const auto capsR = hr->value("capabilities", nlohmann::json::object());

  report::StreamDiffReport rep;
  rep.left = left.id;
  rep.right = right.id;
  rep.ignoreOffsets = !a.view.offsets;
  rep.branchAsOne = a.view.branchAsOne;
  rep.command =
      "monsim diff --python " + left.id + " --python " + right.id + a.view.flags();
  for (const harness::Scenario& s : suite.scenarios) {
    std::string skip = unfit(s, left, capsL);
    if (skip.empty()) skip = unfit(s, right, capsR);
    if (!skip.empty()) {
      ++rep.skipped;
      continue;
    }
    const nlohmann::json options = harness::runOptions(s, true);
    auto record = [&](harness::OracleWorker& w) -> std::optional<harness::Trace> {
      const harness::RunOutcome o = w.run(s.oracle, options, harness::budgetOf(s));
      if (o.kind != harness::RunOutcome::Kind::Result) return std::nullopt;
      return harness::traceFromJson(o.message["trace"]);
    };
    const auto tl = record(wl), tr = record(wr);
    report::StreamDiffRow row;
    row.scenario = s.id;
    row.description = s.description;
    row.file = s.file;
    if (!tl || !tr) {
      row.error = (tl ? right.id : left.id) + " gave no trace";
      std::cout << s.id << "\terror\t" << row.error << "\n";
      rep.rows.push_back(std::move(row));
      continue;
    }
    const harness::StreamDiff d = harness::diffStreams(harness::eventStream(*tl, a.view),
                                                       harness::eventStream(*tr, a.view));
    if (d.same()) {
      ++rep.same;
      continue;
    }
    std::cout << s.id << "\tdiffers\t" << d.onlyLeft.size() << " only in " << left.id
              << ", " << d.onlyRight.size() << " only in " << right.id << "\n";
    row.onlyLeftCount = d.onlyLeft.size();
    row.onlyRightCount = d.onlyRight.size();
    row.common = d.common;
    auto listed = [&](const std::vector<harness::StreamEvent>& es) {
      std::vector<std::string> out;
      for (size_t i = 0; i < es.size() && i < a.shown; ++i)
        out.push_back(es[i].str() + " (record " + std::to_string(es[i].record) + ")");
      return out;
    };
    row.onlyLeft = listed(d.onlyLeft);
    row.onlyRight = listed(d.onlyRight);
    rep.rows.push_back(std::move(row));
  }
  // The Markdown report, and beside it the same as HTML and as JSON (data).
  fs::path out(a.out);
  if (out.has_parent_path()) fs::create_directories(out.parent_path());
  std::ofstream(out) << report::streamDiffMarkdown(rep);
  std::ofstream(fs::path(out).replace_extension(".html")) << report::streamDiffHtml(rep);
  std::ofstream(fs::path(out).replace_extension(".json"))
      << report::toJson(rep).dump(1) << "\n";
  std::cout << "diff: " << rep.same << " the same, " << rep.differing() << " different, "
            << rep.errors() << " without a trace, " << rep.skipped << " not run by both; "
            << out.string() << " (and .html, .json beside it)\n";
  return rep.rows.empty() ? kExitClean : kExitFailures;
}

}  // namespace

void addDiff(CLI::App& app) {
  static DiffArgs args;
  auto* cmd = app.add_subcommand(
      "diff",
      "Two interpreters' raw event streams on the same scenarios, aligned per "
      "occurrence");
  cmd->add_option("paths", args.paths,
                  "Scenario files or folders (default spec/scenarios)");
  cmd->add_option("--python", args.python, "The two interpreters (id, version, path)")
      ->required();
  cmd->add_option("-o,--out", args.out,
                  "Markdown report; the HTML page and the JSON data go beside it")
      ->capture_default_str();
  cmd->add_option_function<bool>(
         "--ignore-offsets", [](bool) { args.view.offsets = false; },
         "Compare events without their offsets and destinations (versions whose "
         "compilers lay out the same code differently)")
      ->expected(0);
  cmd->add_option_function<bool>(
         "--branch-as-one", [](bool) { args.view.branchAsOne = true; },
         "Compare BRANCH_LEFT/BRANCH_RIGHT (3.14+) as BRANCH (3.12, 3.13): what changed "
         "across versions beyond the renaming")
      ->expected(0);
  addRunLimits(cmd, args.limits);
  cmd->footer(exitFooter("every scenario both run gave the same stream",
                         "some streams differ (or a run gave no trace)",
                         "not two usable interpreters, or no scenario found"));
  cmd->callback([] { setExitCode(diff(args)); });
}

}  // namespace monsim::cli
