// monsim selfcheck: the model's consistency check of the generated spec tables;
// this file also keeps the exit status the subcommands' callbacks set.
#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"
#include "model/self_check.h"
#include "model/version_profile.h"

namespace monsim::cli {

namespace {
int gExit = 0;
}

int exitCode() { return gExit; }
void setExitCode(int code) { gExit = code; }

void addSelfCheck(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("selfcheck", "Check the model's spec tables for consistency");
  cmd->footer(exitFooter("the spec tables are consistent", "a problem (printed)", ""));
  cmd->callback([] {
    const auto problems = selfCheck();
    for (const auto& p : problems) std::cout << "selfcheck: " << p << "\n";
    for (const VersionProfile& p : kProfiles)
      std::cout << "selfcheck: " << versionName(p.version()) << ": "
                << p.realEvents().count() << " events, local set 0x" << std::hex
                << p.localEvents().bits() << std::dec << ", set_events limit 1<<"
                << p.bitLimit() << "\n";
    std::cout << "selfcheck: " << (problems.empty() ? "ok" : "FAILED") << "\n";
    setExitCode(problems.empty() ? kExitClean : kExitFailures);
  });
}

}  // namespace monsim::cli
