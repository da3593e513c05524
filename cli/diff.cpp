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
#include "scenario/loader.h"

namespace fs = std::filesystem;

namespace monsim::cli {

namespace {

struct DiffArgs {
  std::vector<std::string> paths{"spec/scenarios"};
  std::vector<std::string> python;
  std::string out = "out/diff.md";
  double timeout = 20;
  size_t shown = 12;  // differing events listed per scenario and side
  bool ignoreOffsets = false;
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
  oo.runTimeout = std::chrono::milliseconds(static_cast<long>(a.timeout * 1000));
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

  std::ostringstream details;
  std::ostringstream table;
  int same = 0, differ = 0, skipped = 0, errors = 0;
  for (const harness::Scenario& s : suite.scenarios) {
    std::string skip = unfit(s, left, capsL);
    if (skip.empty()) skip = unfit(s, right, capsR);
    if (!skip.empty()) {
      ++skipped;
      continue;
    }
    const nlohmann::json options = harness::runOptions(s, true);
    auto record = [&](harness::OracleWorker& w) -> std::optional<harness::Trace> {
      const harness::RunOutcome o = w.run(s.oracle, options);
      if (o.kind != harness::RunOutcome::Kind::Result) return std::nullopt;
      return harness::traceFromJson(o.message["trace"]);
    };
    const auto tl = record(wl), tr = record(wr);
    if (!tl || !tr) {
      ++errors;
      std::cout << s.id << "\terror\t" << (tl ? right.id : left.id) << " gave no trace\n";
      table << "| `" << s.id << "` | error | " << (tl ? right.id : left.id)
            << " gave no trace |\n";
      continue;
    }
    const harness::StreamDiff d =
        harness::diffStreams(harness::eventStream(*tl, !a.ignoreOffsets),
                             harness::eventStream(*tr, !a.ignoreOffsets));
    if (d.same()) {
      ++same;
      continue;
    }
    ++differ;
    std::cout << s.id << "\tdiffers\t" << d.onlyLeft.size() << " only in " << left.id
              << ", " << d.onlyRight.size() << " only in " << right.id << "\n";
    table << "| `" << s.id << "` | " << d.onlyLeft.size() << " | " << d.onlyRight.size()
          << " | " << d.common << " |\n";
    details << "\n### `" << s.id << "`\n\n" << s.description << "\n\n";
    auto list = [&](const std::vector<harness::StreamEvent>& es, const std::string& who) {
      for (size_t i = 0; i < es.size() && i < a.shown; ++i)
        details << "- only in " << who << ": `" << es[i].str() << "` (record "
                << es[i].record << ")\n";
      if (es.size() > a.shown)
        details << "- … " << es.size() - a.shown << " more only in " << who << "\n";
    };
    list(d.onlyLeft, left.id);
    list(d.onlyRight, right.id);
  }
  fs::path out(a.out);
  if (out.has_parent_path()) fs::create_directories(out.parent_path());
  std::ofstream md(out);
  md << "# Event streams: " << left.id << " vs " << right.id << "\n\n"
     << "Generated by `monsim diff --python " << left.id << " --python " << right.id
     << (a.ignoreOffsets ? " --ignore-offsets" : "")
     << "`: every scenario both can run, recorded on each with the probe (every event, "
        "every code object), and the two streams of probe records aligned per occurrence "
        "(event, code, offset, line, exception or destination"
     << (a.ignoreOffsets ? "; offsets and destinations left out: --ignore-offsets" : "")
     << ").\n\n"
     << "| | scenarios |\n|---|---|\n| the same stream | " << same
     << " |\n| different streams | " << differ << " |\n| no trace on one side | "
     << errors << " |\n| not run by both (version range, capability) | " << skipped
     << " |\n";
  if (differ || errors) {
    md << "\n## Scenarios whose streams differ\n\n| scenario | only in " << left.id
       << " | only in " << right.id << " | in both |\n|---|---|---|---|\n"
       << table.str() << details.str();
  }
  std::cout << "diff: " << same << " the same, " << differ << " different, " << errors
            << " without a trace, " << skipped << " not run by both; " << out.string()
            << "\n";
  return differ || errors ? kExitFailures : kExitClean;
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
  cmd->add_option("-o,--out", args.out, "Markdown report")->capture_default_str();
  cmd->add_flag("--ignore-offsets", args.ignoreOffsets,
                "Compare events without their offsets and destinations (versions whose "
                "compilers lay out the same code differently)");
  cmd->add_option("--timeout", args.timeout, "Seconds per scenario run")
      ->capture_default_str()
      ->check(seconds());
  cmd->footer(exitFooter("every scenario both run gave the same stream",
                         "some streams differ (or a run gave no trace)",
                         "not two usable interpreters, or no scenario found"));
  cmd->callback([] { setExitCode(diff(args)); });
}

}  // namespace monsim::cli
