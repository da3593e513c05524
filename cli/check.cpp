// monsim check: the conformance run. Each scenario × interpreter is recorded by
// the oracle, predicted by the model from the interpreter's own raw stream,
// compared, and checked against its expectations; script scenarios run on the
// model for each selected version. Verdicts, a summary line and a results stream.
#include <iostream>
#include <map>

#include "cli/commands.h"
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
  bool noObserver = false;
  bool quiet = false;
};

int check(const CheckArgs& a) {
  const std::string root = harness::sourceRoot();
  std::vector<std::string> paths = a.paths;
  if (paths.empty()) paths.push_back(root + "/spec/scenarios");
  std::vector<harness::Diagnostic> diags;
  const auto files = harness::findScenarioFiles(paths, diags);
  std::vector<harness::Scenario> scenarios;
  std::map<std::string, std::string> ids;
  for (const std::string& f : files) {
    auto r = harness::loadScenarioFile(f);
    diags.insert(diags.end(), r.diagnostics.begin(), r.diagnostics.end());
    if (!r.scenario) continue;
    auto [it, fresh] = ids.emplace(r.scenario->id, f);
    if (!fresh) {
      diags.push_back({r.scenario->loc, "scenario id '" + r.scenario->id +
                                            "' is also used by " + it->second});
      continue;
    }
    scenarios.push_back(std::move(*r.scenario));
  }
  const auto expectations = harness::loadExpectations(
      a.expectations.empty() ? root + "/spec/expectations" : a.expectations, diags);
  for (const auto& d : diags) std::cerr << d.str() << "\n";

  std::vector<std::string> unknown;
  const auto interps = harness::selectInterpreters(a.python, unknown);
  for (const auto& u : unknown)
    std::cerr << "monsim check: no interpreter matches '" << u << "'\n";

  harness::SuiteOptions opts;
  opts.jobs = a.jobs;
  opts.context.expectations = &expectations;
  opts.context.observerCheck = !a.noObserver;
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
    return 2;
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace

void addCheck(CLI::App& app) {
  auto a = std::make_shared<CheckArgs>();
  auto* c = app.add_subcommand(
      "check", "Run scenarios on interpreters and the model; report verdicts");
  c->add_option("paths", a->paths, "Scenario files or folders (default: the suite)");
  c->add_option("--python", a->python,
                "Interpreter id, version prefix, path, or 'all' (default: all found)")
      ->take_all();
  c->add_option("--jobs,-j", a->jobs, "Parallel workers (default 2)");
  c->add_option("--results", a->results, "Write the results stream (JSON lines) here");
  c->add_option("--expectations", a->expectations,
                "Folder of expectations files (default: spec/expectations)");
  c->add_option("--timeout", a->timeout, "Seconds per scenario run (default 20)");
  c->add_flag("--no-observer-check", a->noObserver,
              "Skip the second run without the probe");
  c->add_flag("--quiet,-q", a->quiet, "Do not list known deviations");
  c->callback([a] { setExitCode(check(*a)); });
}

}  // namespace monsim::cli
