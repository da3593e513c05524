// monsim mutants: how many wrong models the suite and the stored fuzz cases reject.
// Every seeded mutant of the model (model/mutant.h; compiled in by the mutants build,
// meson -Dmutants=true) is checked on a check's stored answers (--recordings, from
// `monsim check --save-recordings`) and on the stored generated cases (tests/traces/),
// against the real model's verdicts on the same answers.
#include "runner/mutants.h"

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"
#include "interpreter/recordings.h"
#include "scenario/expectations.h"
#include "scenario/loader.h"

namespace fs = std::filesystem;

namespace monsim::cli {

namespace {

struct MutantsArgs {
  std::vector<std::string> paths;
  std::string recordings;
  std::vector<std::string> corpus;
  std::vector<std::string> only;
  std::string out;
  int jobs = 2;
  bool list = false;
};

int mutants(const MutantsArgs& a) {
  if (a.list) {
    for (const MutantRow& m : kMutants)
      std::cout << m.name << "\t" << m.rule << "\t" << m.text << "\n";
    return kExitClean;
  }
  if (!kMutantsBuild) {
    std::cerr << "monsim mutants: this build has no mutants compiled in (meson setup "
                 "build-mutants -Dmutants=true, or ./run bench)\n";
    return kExitUsage;
  }
  if (a.recordings.empty()) {
    std::cerr << "monsim mutants: --recordings DIR is required (monsim check "
                 "--save-recordings DIR makes it)\n";
    return kExitUsage;
  }
  std::vector<Mutant> only;
  for (const std::string& name : a.only) {
    const auto it = std::find_if(std::begin(kMutants), std::end(kMutants),
                                 [&](const MutantRow& m) { return m.name == name; });
    if (it == std::end(kMutants)) {
      std::cerr << "monsim mutants: no mutant '" << name << "' (--list names them)\n";
      return kExitUsage;
    }
    only.push_back(it->id);
  }
  const std::string root = harness::sourceRoot();
  harness::Suite suite = harness::loadSuite(
      a.paths.empty() ? std::vector<std::string>{root + "/spec/scenarios"} : a.paths);
  for (const auto& d : suite.diagnostics) std::cerr << d.str() << "\n";
  const auto expectations =
      harness::loadExpectations(root + "/spec/expectations", suite.diagnostics);
  std::vector<std::string> problems;
  auto store = harness::loadRecordings(a.recordings, problems);
  std::vector<std::string> corpusFiles = a.corpus;
  if (corpusFiles.empty())
    for (const auto& e : fs::directory_iterator(root + "/tests/traces"))
      if (e.path().extension() == ".jsonl") corpusFiles.push_back(e.path().string());
  std::sort(corpusFiles.begin(), corpusFiles.end());
  const auto corpus = harness::loadCorpus(corpusFiles, problems);
  for (const auto& p : problems) std::cerr << p << "\n";
  if (!store) return kExitUsage;

  std::vector<harness::Interpreter> interps;
  for (const auto& si : store->interpreters) interps.push_back(si.interpreter);
  harness::SuiteOptions opts;
  opts.jobs = a.jobs;
  opts.context.expectations = &expectations;
  opts.oracles =
      harness::storedOracles(std::make_shared<const harness::RecordingStore>(*store));
  const harness::MutationRun run = harness::runMutants(
      suite.scenarios, interps, opts, corpus, only, [](const harness::MutantResult& m) {
        std::cout << m.mutant.name << " (" << m.mutant.rule << "): "
                  << (m.killed()
                          ? "killed by " + std::to_string(m.suiteKills.size()) +
                                " suite results, " +
                                std::to_string(m.corpusKills.size()) + " stored cases"
                          : std::string("survives"))
                  << "\n";
      });
  if (run.baselineBad)
    std::cerr << "monsim mutants: the real model fails " << run.baselineBad
              << " results on these recordings: re-record them\n";
  std::cout << "mutants: " << run.killedBySuite() << " of " << run.mutants.size()
            << " killed by the suite, " << run.killed()
            << " by suite + stored fuzz cases (" << run.suiteResults << " suite results, "
            << run.corpusCases << " stored cases)\n";
  if (!a.out.empty()) {
    const fs::path out(a.out);
    if (out.has_parent_path()) fs::create_directories(out.parent_path());
    std::ofstream(out) << harness::mutantsMarkdown(
        run, "monsim mutants --recordings DIR" +
                 std::string(a.corpus.empty() ? "" : " --corpus …"));
  }
  if (run.baselineBad) return kExitUsage;
  return run.killed() == static_cast<int>(run.mutants.size()) ? kExitClean
                                                              : kExitFailures;
}

}  // namespace

void addMutants(CLI::App& app) {
  auto a = std::make_shared<MutantsArgs>();
  auto* c = app.add_subcommand(
      "mutants",
      "Check every seeded mutant of the model on stored answers: which scenarios and "
      "stored fuzz cases kill it (the mutants build)");
  c->add_option("paths", a->paths, "Scenario files or folders (default: the suite)");
  c->add_option("--recordings", a->recordings,
                "A check's stored answers (monsim check --save-recordings DIR)");
  c->add_option("--corpus", a->corpus,
                "Stored generated cases, JSON lines (default: tests/traces/*.jsonl; "
                "monsim fuzz --save-traces makes more)");
  c->add_option("--only", a->only, "Only these mutants (names as --list prints them)");
  c->add_option("-o,--out", a->out, "Write the Markdown report here");
  c->add_option("--jobs,-j", a->jobs, "Parallel checks (default 2)")
      ->check(CLI::Range(1, 64));
  c->add_flag("--list", a->list, "List the mutants (name, rule, what it does wrong)");
  c->footer(exitFooter("every mutant is killed", "some mutant survives",
                       "not the mutants build, no recordings, an unknown mutant, or the "
                       "real model fails on the recordings"));
  c->callback([a] { setExitCode(mutants(*a)); });
}

}  // namespace monsim::cli
