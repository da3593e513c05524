// monsim export-py: a program scenario as a standalone Python script for bug
// reports (interpreter/pyrepro.h), to stdout or a file.
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"
#include "interpreter/pyrepro.h"
#include "scenario/loader.h"

namespace monsim::cli {

namespace {

struct ExportArgs {
  std::string scenario;
  std::string output;
};

int exportPy(const ExportArgs& a) {
  auto loaded = harness::loadScenarioFile(a.scenario);
  for (const auto& d : loaded.diagnostics) std::cerr << d.str() << "\n";
  if (!loaded.scenario) return kExitUsage;
  const harness::Scenario& s = *loaded.scenario;
  if (s.kind != harness::Scenario::Kind::Program) {
    std::cerr << a.scenario << ": a script scenario has no program to export\n";
    return kExitUsage;
  }
  const std::string script = harness::standalonePython(s);
  if (a.output.empty() || a.output == "-") {
    std::cout << script;
    return kExitClean;
  }
  std::ofstream out(a.output);
  out << script;
  if (!out.flush()) {
    std::cerr << "monsim export-py: cannot write " << a.output << "\n";
    return kExitUsage;
  }
  return kExitClean;
}

}  // namespace

void addExportPy(CLI::App& app) {
  auto a = std::make_shared<ExportArgs>();
  auto* c = app.add_subcommand(
      "export-py", "A program scenario as a standalone Python script (python3 repro.py)");
  c->add_option("scenario", a->scenario, "Scenario file (YAML)")->required();
  c->add_option("-o,--output", a->output, "Output file (default: stdout)");
  c->footer(exitFooter("the script was written", "",
                       "the scenario does not load, is a script scenario, or the "
                       "output cannot be written"));
  c->callback([a] { setExitCode(exportPy(*a)); });
}

}  // namespace monsim::cli
