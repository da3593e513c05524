#pragma once
// Subcommand registration; each add* wires one subcommand into the app and
// stores its exit status for exitCode().
#include <CLI/CLI.hpp>

namespace monsim::cli {

// The exit status every subcommand keeps; `monsim --help` and the README say the
// same, and each subcommand's --help says what the codes mean for it.
inline constexpr int kExitClean = 0;
inline constexpr int kExitFailures = 1;
inline constexpr int kExitUsage = 2;  // usage or environment error
inline constexpr int kExitInterrupted = 130;

void addSelfCheck(CLI::App& app);
void addInterpreters(CLI::App& app);
void addRecord(CLI::App& app);
void addRun(CLI::App& app);
void addCheck(CLI::App& app);
void addReport(CLI::App& app);
void addCoverage(CLI::App& app);
void addFuzz(CLI::App& app);
void addExportPy(CLI::App& app);
void addLint(CLI::App& app);
void addDiff(CLI::App& app);
void addMutants(CLI::App& app);

int exitCode();
void setExitCode(int code);

}  // namespace monsim::cli
