// monsim: the command-line front of the model, the oracle drivers and the
// checker. Each subcommand lives in its own file under cli/.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"

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
  CLI11_PARSE(app, argc, argv);
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
    return 0;
  }
  return monsim::cli::exitCode();
}
