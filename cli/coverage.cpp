// monsim coverage: writes spec/scenarios/COVERAGE.md — the tests of CPython's
// test_monitoring, test_sys_settrace and test_sys_setprofile, documentation clauses
// and model rules, each with the scenarios that cover it. Citations of unknown
// clauses or tests, and cited tests still marked uncovered, are reported as
// file:line:col errors and make the exit status 1 (the report is still written).
#include "scenario/coverage.h"

#include <fstream>
#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "cli/options.h"
#include "interpreter/discovery.h"

namespace monsim::cli {

namespace {

struct CoverageArgs {
  std::string root;
  std::vector<std::string> suite;
  std::string output;
  std::optional<std::string> verdicts;
};

int coverage(const CoverageArgs& a) {
  harness::CoverageSources src =
      harness::defaultCoverageSources(a.root.empty() ? harness::sourceRoot() : a.root);
  if (!a.suite.empty()) src.suite = a.suite;
  if (a.verdicts) src.verdicts = *a.verdicts;
  const harness::Coverage c = harness::computeCoverage(src);
  const std::string md = harness::renderCoverage(c, src);
  for (const auto& d : c.errors) std::cerr << d.str() << "\n";
  if (a.output.empty() || a.output == "-") {
    std::cout << md;
  } else {
    std::ofstream out(a.output, std::ios::binary);
    out << md;
    if (!out) {
      std::cerr << "monsim coverage: cannot write " << a.output << "\n";
      return kExitUsage;
    }
  }
  return c.errors.empty() ? kExitClean : kExitFailures;
}

}  // namespace

void addCoverage(CLI::App& app) {
  auto args = std::make_shared<CoverageArgs>();
  auto* cmd = app.add_subcommand(
      "coverage",
      "Write the suite's coverage report (CPython's test_monitoring, test_sys_settrace "
      "and test_sys_setprofile tests, doc clauses and model rules → scenarios); exit 1 "
      "if a scenario cites an unknown clause or test, or a test marked uncovered, or "
      "the verdicts cannot be read");
  cmd->add_option("--suite", args->suite,
                  "scenario files or directories (default: ROOT/spec/scenarios)");
  cmd->add_option("-o,--output", args->output, "write the report here (default: stdout)");
  cmd->add_option("--verdicts", args->verdicts,
                  "the published verdicts: a citation counts only for a scenario that "
                  "passes (default: ROOT/reports/verdicts.json; \"\": every citation "
                  "counts)");
  cmd->add_option(
      "--root", args->root,
      "the tree with spec/clauses.yaml, spec/test_monitoring.yaml, "
      "spec/test_sys_settrace.yaml, spec/test_sys_setprofile.yaml, spec/rules.yaml and "
      "spec/scenarios (default: the source tree)");
  cmd->footer(exitFooter("the report was written",
                         "a scenario cites an unknown clause or test, a test marked "
                         "uncovered, or the verdicts cannot be read (the report is still "
                         "written)",
                         "the report cannot be written"));
  cmd->callback([args] { setExitCode(coverage(*args)); });
}

}  // namespace monsim::cli
