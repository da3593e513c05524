// monsim lint: load scenarios (and expectations files) without running anything;
// every problem is printed as file:line:col. Exit 0 when all load, 1 otherwise.
#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"
#include "scenario/expectations.h"
#include "scenario/loader.h"

namespace monsim::cli {

namespace {

struct LintArgs {
  std::vector<std::string> paths;
  std::string expectations;
  bool includeBad = false;
};

int lint(const LintArgs& a) {
  std::vector<harness::Diagnostic> diags;
  size_t files = 0, loaded = 0;
  if (a.includeBad) {
    // Named files are taken as given, bad-*.yaml included (the loader's negative tests).
    for (const std::string& f : a.paths) {
      auto r = harness::loadScenarioFile(f);
      diags.insert(diags.end(), r.diagnostics.begin(), r.diagnostics.end());
      loaded += r.scenario ? 1 : 0;
    }
    files = a.paths.size();
  } else {
    // As `monsim check` loads a suite: duplicate scenario ids are problems too.
    harness::Suite suite = harness::loadSuite(a.paths);
    diags = std::move(suite.diagnostics);
    files = suite.files;
    loaded = suite.scenarios.size();
  }
  if (!a.expectations.empty()) harness::loadExpectations(a.expectations, diags);
  for (const auto& d : diags) std::cout << d.str() << "\n";
  std::cout << loaded << " of " << files << " scenario files load, " << diags.size()
            << " problem(s)\n";
  if (files == 0 && a.expectations.empty()) {
    std::cerr << "monsim lint: no scenario files found\n";
    return kExitUsage;
  }
  return diags.empty() ? kExitClean : kExitFailures;
}

}  // namespace

void addLint(CLI::App& app) {
  auto a = std::make_shared<LintArgs>();
  auto* c = app.add_subcommand(
      "lint",
      "Load scenario files without running them; print every problem as file:line:col");
  c->add_option("paths", a->paths, "Scenario files or folders")->required();
  c->add_option("--expectations", a->expectations,
                "Also load this folder of expectations files");
  c->add_flag("--files", a->includeBad,
              "Take every path as a file, bad-*.yaml included (no folder search)");
  c->footer(exitFooter("every file loads", "a problem in a scenario or expectations file",
                       "no scenario file found"));
  c->callback([a] { setExitCode(lint(*a)); });
}

}  // namespace monsim::cli
