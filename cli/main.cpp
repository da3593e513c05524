// monsim: the command-line front of the model, the oracle drivers and the
// checker. Each subcommand lives in its own file under cli/.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"

namespace {

// The deepest subcommand being parsed ("monsim report diff"), to name in an error.
std::string commandPath(const CLI::App* app) {
  std::string path = "monsim";
  for (const CLI::App* a = app; a;) {
    const auto subs = a->get_subcommands();
    a = subs.empty() ? nullptr : subs.back();
    if (a) path += " " + a->get_name();
  }
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "monsim — reference model and conformance harness for Python's sys.monitoring "
      "(PEP 669)"};
  app.set_version_flag("--version", std::string("monsim ") + MONSIM_VERSION);
  app.require_subcommand(0, 1);
  monsim::cli::addSelfCheck(app);
  monsim::cli::addInterpreters(app);
  monsim::cli::addRecord(app);
  monsim::cli::addRun(app);
  monsim::cli::addCheck(app);
  monsim::cli::addReport(app);
  monsim::cli::addCoverage(app);
  monsim::cli::addFuzz(app);
  monsim::cli::addExportPy(app);
  monsim::cli::addLint(app);
  monsim::cli::addDiff(app);
  monsim::cli::addMutants(app);
  app.footer(
      "Exit status, the same contract for every subcommand (its --help says what each "
      "code means for it):\n"
      "  0    clean: what was asked for ran, and nothing failed\n"
      "  1    failures: a verdict, finding, regression or load error that fails the run\n"
      "  2    usage or environment error: a bad option or value, an interpreter asked "
      "for\n"
      "       that is not usable (the reason is printed), nothing to check\n"
      "  130  interrupted (Ctrl-C); monsim fuzz first writes what it found");
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    const std::string cmd = commandPath(a);
    return cmd + ": error: " + e.what() + "\nRun '" + cmd + " --help' for the options.\n";
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11's own codes (105, 106…) mean nothing to CI: a usage error is 2.
    return app.exit(e) == 0 ? monsim::cli::kExitClean : monsim::cli::kExitUsage;
  }
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
    return monsim::cli::kExitClean;
  }
  return monsim::cli::exitCode();
}
