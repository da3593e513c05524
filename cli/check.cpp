// monsim check: the conformance run. Each scenario × interpreter is recorded by
// the oracle, predicted by the model from the interpreter's own raw stream,
// compared, and checked against its expectations; script scenarios run on the
// model for each selected version. Verdicts, a summary line and a results stream.
#include <algorithm>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/options.h"
#include "interpreter/recordings.h"
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
  RunLimitArgs limits;
  bool noAlone = false;
  bool quiet = false;
  std::string saveRecordings;  // live, and every oracle answer kept here
  std::string recordings;      // no interpreter: the answers kept by an earlier check
  std::string mutant;          // the mutants build: the seeded mutant to check
  bool resume = false;         // continue the stream at `results`
};

// --recordings: the stored interpreters (those --python names, when it names ids).
std::optional<std::vector<harness::Interpreter>> storedInterpreters(
    const CheckArgs& a, const harness::RecordingStore& store) {
  std::vector<harness::Interpreter> out;
  const bool all = a.python.size() == 1 && a.python[0] == "all";
  for (const std::string& want : a.python)
    if (!all && std::none_of(store.interpreters.begin(), store.interpreters.end(),
                             [&](const auto& si) { return si.interpreter.id == want; })) {
      std::cerr << "monsim check: --recordings " << store.dir << " has no interpreter '"
                << want << "' (it has:";
      for (const auto& si : store.interpreters) std::cerr << " " << si.interpreter.id;
      std::cerr << ")\n";
      return std::nullopt;
    }
  for (const auto& si : store.interpreters)
    if (all ||
        std::find(a.python.begin(), a.python.end(), si.interpreter.id) != a.python.end())
      out.push_back(si.interpreter);
  return out;
}

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
  if (!a.mutant.empty() && !selectMutant(a.mutant, "check")) return kExitUsage;
  const std::string root = harness::sourceRoot();
  std::vector<std::string> paths = a.paths;
  if (paths.empty()) paths.push_back(root + "/spec/scenarios");
  harness::Suite suite = harness::loadSuite(paths);
  std::vector<harness::Diagnostic>& diags = suite.diagnostics;
  const std::vector<harness::Scenario>& scenarios = suite.scenarios;
  const auto expectations = harness::loadExpectations(
      a.expectations.empty() ? root + "/spec/expectations" : a.expectations, diags);
  for (const auto& d : diags) std::cerr << d.str() << "\n";

  harness::SuiteOptions opts;
  std::vector<harness::Interpreter> interps;
  if (!a.recordings.empty()) {
    std::vector<std::string> problems;
    auto store = harness::loadRecordings(a.recordings, problems);
    for (const auto& p : problems) std::cerr << p << "\n";
    if (!store) return kExitUsage;
    const auto chosen = storedInterpreters(a, *store);
    if (!chosen) return kExitUsage;
    interps = *chosen;
    opts.oracles =
        harness::storedOracles(std::make_shared<const harness::RecordingStore>(*store));
  } else {
    const harness::Selection selection = harness::selectInterpreters(a.python);
    if (!reportSelection("check", selection)) {
      noteLegacy(selection, scenarios);
      return kExitUsage;
    }
    interps = selection.interpreters;
  }

  // --results is written as the run goes; --resume first reads back what a killed run
  // of the same checks wrote there.
  std::optional<harness::EarlierRun> earlier;
  if (a.resume) {
    std::string error;
    earlier = harness::readEarlierRun(a.results, error);
    if (!earlier) {
      std::cerr << "monsim check: --resume: " << error << "\n";
      return kExitUsage;
    }
    opts.earlier = &earlier->records;
  }
  const harness::StreamInfo info{root, scenarios.size(), diags.size()};
  harness::ResultsJournal journal;
  if (!a.results.empty()) {
    std::vector<nlohmann::json> kept;
    if (earlier)
      for (const auto& [key, record] : earlier->records) kept.push_back(record);
    std::string error;
    if (!journal.open(a.results, harness::streamHeader(interps, {}, info, ""), kept,
                      error)) {
      std::cerr << "monsim check: " << error << "\n";
      return kExitUsage;
    }
    opts.journal = &journal;
  }

  opts.jobs = a.jobs;
  opts.context.expectations = &expectations;
  opts.context.aloneRun = !a.noAlone;
  applyRunLimits(a.limits, opts.oracle);
  if (!a.saveRecordings.empty())
    opts.oracles = harness::recordingOracles(a.saveRecordings, opts.oracle);
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
  harness::SuiteRun run = harness::runSuite(scenarios, interps, opts, onResult);
  progress.clear();
  if (earlier) {
    const size_t kept = static_cast<size_t>(std::count_if(
        run.kept.begin(), run.kept.end(), [](const auto& k) { return !k.is_null(); }));
    std::cerr << "monsim check: resumed " << kept << " of " << run.tasks.size()
              << " checks from " << a.results << "\n";
    // The header names every interpreter's build, also of one whose checks were all
    // done before.
    if (a.recordings.empty())
      for (size_t k = 0; k < interps.size(); ++k)
        if (!run.hellos[k])
          run.hellos[k] = harness::liveOracles(opts.oracle)(interps[k])->hello();
  }

  if (!a.results.empty()) {
    std::string error;
    if (!harness::writeResultsStream(a.results, run, interps, info, error))
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
  c->add_option("--results", a->results,
                "Write the results stream (JSON lines) here, each record as its check "
                "ends: a run killed at any moment leaves a valid prefix");
  c->add_flag("--resume", a->resume,
              "Continue the stream at --results that a killed run left: only the checks "
              "it lacks run, and the finished stream is as an uninterrupted run's")
      ->needs("--results");
  c->add_option("--expectations", a->expectations,
                "Folder of expectations files (default: spec/expectations)");
  addRunLimits(c, a->limits);
  c->add_flag("--no-alone-run", a->noAlone,
              "Skip the second run, without the probe (the scenario's tools alone), "
              "its prediction and its expectations");
  c->add_flag("--quiet,-q", a->quiet, "Do not list known deviations");
  c->add_option("--mutant", a->mutant,
                "Check a seeded mutant of the model instead of the model (the mutants "
                "build only: meson -Dmutants=true; `monsim mutants --list` names them)");
  c->add_option("--save-recordings", a->saveRecordings,
                "Keep every answer of the interpreters' oracles in this folder "
                "(DIR/<interpreter>.jsonl), for --recordings");
  c->add_option("--recordings", a->recordings,
                "Check against the answers an earlier check kept (--save-recordings): "
                "no interpreter runs; --python picks among the stored ids")
      ->excludes("--save-recordings");
  c->footer(exitFooter(
      "every scenario checked passed or is a known deviation",
      "a fail, expect-fail, xpass or error verdict, or a scenario that does not load",
      "an interpreter asked for is not usable, no interpreter was found, no "
      "scenario was found, or nothing was checked (every run skipped)"));
  c->callback([a] { setExitCode(check(*a)); });
}

}  // namespace monsim::cli
