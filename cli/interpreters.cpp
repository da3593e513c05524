#include <iostream>

#include "commands.h"
#include "interpreters.h"

namespace monsim::cli {

void addInterpreters(CLI::App& app) {
  auto* cmd = app.add_subcommand("interpreters", "List the Python interpreters monsim can use");
  static std::vector<std::string> paths;
  cmd->add_option("--python", paths, "Also probe this interpreter executable");
  cmd->callback([] {
    harness::DiscoveryOptions opts;
    opts.explicitPaths = paths;
    const auto found = harness::discoverInterpreters(opts);
    for (const auto& in : found)
      std::cout << in.id << "\t" << in.kind << "\t" << in.implementation << " " << in.version
                << "\t" << in.path << "\t(" << in.provenance << ")\n";
    if (found.empty()) std::cout << "no interpreter with sys.monitoring found\n";
    setExitCode(found.empty() ? 1 : 0);
  });
}

}  // namespace monsim::cli
