#pragma once
// What the subcommands share when parsing: the exit-status footer of --help, number
// checks whose messages name the accepted range, and --python values resolved
// through interpreter/vet.h (an interpreter asked for is used or the run stops).
#include <CLI/CLI.hpp>
#include <limits>
#include <string>
#include <string_view>

#include "interpreter/oracle_driver.h"
#include "interpreter/vet.h"

namespace monsim::cli {

// A subcommand's --help footer: what exit status 0, 1 (omitted when empty) and 2
// mean for it; 130 is always "interrupted".
std::string exitFooter(std::string_view clean, std::string_view failures,
                       std::string_view usage);

// Whole numbers from `min` to `max`.
CLI::Validator wholeNumber(long long min,
                           long long max = std::numeric_limits<long long>::max());
// A time limit in seconds: more than 0, at most a day.
CLI::Validator seconds();
// A 64-bit seed: decimal or 0x-prefixed hex.
CLI::Validator seed();
// A Python version the model has a profile for ("3.13", "3.14.2").
CLI::Validator modelVersion();

// What each run of an interpreter may use (RunBudget): --timeout, --memory-limit and
// --process-limit, the same for every command that runs interpreters.
struct RunLimitArgs {
  double timeout = 20;  // seconds
  long memoryMb = 2048;
  int processes = 16;
};
void addRunLimits(CLI::App* c, RunLimitArgs& a);
void applyRunLimits(const RunLimitArgs& a, harness::OracleOptions& o);

// Prints why each --python value that is not usable was rejected, and what could
// still apply to a Python without sys.monitoring; false when the run must stop
// (exit 2): something asked for is unusable, or nothing was found at all.
bool reportSelection(std::string_view command, const harness::Selection& selection);

// --mutant NAME: makes the model run that seeded mutant (model/mutant.h); false, with
// the reason printed, outside the mutants build or for a name that is none.
bool selectMutant(const std::string& name, std::string_view command);

}  // namespace monsim::cli
