// monsim check: the conformance run. Each scenario × interpreter is recorded by
// the oracle, predicted by the model from the interpreter's own raw stream,
// compared, and checked against its expectations; script scenarios run on the
// model for each selected version. Verdicts, a summary line and a results stream.
#include <algorithm>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/options.h"
#include "runner/progress.h"
#include "runner/results_stream.h"
#include "runner/suite.h"
#include "scenario/expectations.h"
#include "scenario/loader.h"

namespace monsim::cli {

namespace {

struct CheckArgs {
  std::vector<std::string> paths;
  std::vector<std::string> python{"all"};
  int jobs = 2;
  std::string results;
  std::string expectations;
  double timeout = 20;
  bool noAlone = false;
  bool quiet = false;
};

// For a refused Python without sys.monitoring (CPython before 3.12): which of the
// scenarios need only the legacy hooks, and where those run instead.
void noteLegacy(const harness::Selection& selection,
                const std::vector<harness::Scenario>& scenarios) {
  const bool old = std::any_of(
      selection.rejected.begin(), selection.rejected.end(),
      [](const auto& v) { return v.verdict == harness::Vetting::Verdict::NoMonitoring; });
  if (!old) return;
  const auto legacy = std::count_if(scenarios.begin(), scenarios.end(),
                                    [](const auto& s) { return !s.usesMonitoring; });
  std::cerr << "monsim check: of the " << scenarios.size() << " scenarios given, "
            << legacy
            << " need only the legacy hooks (sys.settrace/sys.setprofile); they run on "
               "other implementations without sys.monitoring (PyPy), not on CPython "
               "before 3.12, which the spec does not cover\n";
}

// Every task was skipped: the most frequent reasons, so the fix is obvious.
std::string whyNothing(const harness::SuiteRun& run) {
  if (run.tasks.empty()) return "no task to run";
  std::map<std::string, int> reasons;
  for (const auto& r : run.results) ++reasons[r.reason];
  std::string out = "all " + std::to_string(run.results.size()) + " runs were skipped (";
  int shown = 0;
  for (const auto& [reason, n] : reasons)
    if (shown++ < 3) out += (shown > 1 ? "; " : "") + std::to_string(n) + "× " + reason;
  if (reasons.size() > 3) out += "; …";
  return out + ")";
}

int check(const CheckArgs& a) {
  const std::string root = harness::sourceRoot();
  std::vector<std::string> paths = a.paths;
  if (paths.empty()) paths.push_back(root + "/spec/scenarios");
  harness::Suite suite = harness::loadSuite(paths);
  std::vector<harness::Diagnostic>& diags = suite.diagnostics;
  const std::vector<harness::Scenario>& scenarios = suite.scenarios;
  const auto expectations = harness::loadExpectations(
      a.expectations.empty() ? root + "/spec/expectations" : a.expectations, diags);
  for (const auto& d : diags) std::cerr << d.str() << "\n";

  const harness::Selection selection = harness::selectInterpreters(a.python);
  if (!reportSelection("check", selection)) {
    noteLegacy(selection, scenarios);
    return kExitUsage;
  }
  const auto& interps = selection.interpreters;

  harness::SuiteOptions opts;
  opts.jobs = a.jobs;
  opts.context.expectations = &expectations;
  opts.context.aloneRun = !a.noAlone;
  opts.oracle.runTimeout = std::chrono::milliseconds(static_cast<long>(a.timeout * 1000));
  harness::Progress progress(std::chrono::seconds(3600));
  auto onResult = [&](const harness::SuiteRun& run, const harness::CheckResult& r) {
    using harness::Verdict;
    if (r.verdict != Verdict::Pass && r.verdict != Verdict::Skipped &&
        !(a.quiet && r.verdict == Verdict::KnownDeviation)) {
      std::string text = std::string(harness::verdictName(r.verdict)) + ": " +
                         r.scenario + " on " + r.interpreter + " — " + r.reason +
                         "\n  (" + r.file + ")\n";
      if (harness::isBad(r.verdict) && !r.detail.empty()) text += r.detail;
      progress.say(text);
    }
    size_t n = 0;
    for (const auto& [v, c] : run.counts) n += c;
    std::string line =
        "[" + std::to_string(n) + "/" + std::to_string(run.tasks.size()) + "]";
    for (const auto& [v, c] : run.counts)
      line += " " + std::string(harness::verdictName(v)) + " " + std::to_string(c);
    if (progress.tty()) progress.status(line);
  };
  const harness::SuiteRun run = harness::runSuite(scenarios, interps, opts, onResult);
  progress.clear();

  if (!a.results.empty()) {
    std::string error;
    if (!harness::writeResultsStream(a.results, run, interps,
                                     {root, scenarios.size(), diags.size()}, error))
      std::cerr << "monsim check: " << error << "\n";
  }
  auto count = [&](harness::Verdict v) {
    auto it = run.counts.find(v);
    return it == run.counts.end() ? 0 : it->second;
  };
  using harness::Verdict;
  const int passed = count(Verdict::Pass) + count(Verdict::KnownDeviation);
  const int failed = count(Verdict::Fail) + count(Verdict::ExpectFail) +
                     count(Verdict::XPass) + count(Verdict::Error) + int(diags.size());
  std::cout << "verdicts:";
  for (const auto& [v, c] : run.counts)
    if (c) std::cout << " " << harness::verdictName(v) << " " << c;
  if (!diags.empty()) std::cout << " load-error " << diags.size();
  std::cout << " (" << scenarios.size() << " scenarios, " << interps.size()
            << " interpreters, " << static_cast<int>(run.seconds * 10) / 10.0 << " s)\n";
  std::cout << passed << " passed, " << failed << " failed, " << count(Verdict::Skipped)
            << " skipped\n";
  if (scenarios.empty() && diags.empty()) {
    std::cerr << "monsim check: no scenarios found\n";
    return kExitUsage;
  }
  if (!scenarios.empty() && run.checked() == 0) {
    std::cerr << "monsim check: nothing was checked: " << whyNothing(run) << "\n";
    return kExitUsage;
  }
  return failed == 0 ? kExitClean : kExitFailures;
}

}  // namespace

void addCheck(CLI::App& app) {
  auto a = std::make_shared<CheckArgs>();
  auto* c = app.add_subcommand(
      "check", "Run scenarios on interpreters and the model; report verdicts");
  c->add_option("paths", a->paths, "Scenario files or folders (default: the suite)");
  c->add_option("--python", a->python,
                "Interpreter id, version prefix, path or command, or 'all' (default: all "
                "found); one that is not usable stops the run (exit 2)")
      ->take_all();
  c->add_option("--jobs,-j", a->jobs, "Parallel workers (default 2)")
      ->check(CLI::Range(1, 64));
  c->add_option("--results", a->results, "Write the results stream (JSON lines) here");
  c->add_option("--expectations", a->expectations,
                "Folder of expectations files (default: spec/expectations)");
  c->add_option("--timeout", a->timeout, "Seconds per scenario run (default 20)")
      ->check(seconds());
  c->add_flag("--no-alone-run", a->noAlone,
              "Skip the second run, without the probe (the scenario's tools alone), "
              "its prediction and its expectations");
  c->add_flag("--quiet,-q", a->quiet, "Do not list known deviations");
  c->footer(exitFooter(
      "every scenario checked passed or is a known deviation",
      "a fail, expect-fail, xpass or error verdict, or a scenario that does not load",
      "an interpreter asked for is not usable, no interpreter was found, no "
      "scenario was found, or nothing was checked (every run skipped)"));
  c->callback([a] { setExitCode(check(*a)); });
}

}  // namespace monsim::cli
