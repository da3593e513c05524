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
  std::vector<std::string> files;
  if (a.includeBad) {
    // Named files are taken as given, bad-*.yaml included (the loader's negative tests).
    files = a.paths;
  } else {
    files = harness::findScenarioFiles(a.paths, diags);
  }
  size_t loaded = 0;
  for (const std::string& f : files) {
    auto r = harness::loadScenarioFile(f);
    diags.insert(diags.end(), r.diagnostics.begin(), r.diagnostics.end());
    if (r.scenario) ++loaded;
  }
  if (!a.expectations.empty()) harness::loadExpectations(a.expectations, diags);
  for (const auto& d : diags) std::cout << d.str() << "\n";
  std::cout << loaded << " of " << files.size() << " scenario files load, "
            << diags.size() << " problem(s)\n";
  if (files.empty() && a.expectations.empty()) {
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
