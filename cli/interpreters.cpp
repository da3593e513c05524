// monsim interpreters: what discovery found, and (unless --quick) what each
// interpreter's oracle worker says of itself in its hello.
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "interpreter/oracle_driver.h"

namespace monsim::cli {

void addInterpreters(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("interpreters", "List the Python interpreters monsim can use");
  static std::vector<std::string> paths;
  static bool quick = false;
  cmd->add_option("--python", paths, "Also probe this interpreter executable");
  cmd->add_flag("--quick", quick,
                "Do not start the oracle worker to ask for capabilities");
  cmd->callback([] {
    harness::DiscoveryOptions opts;
    opts.explicitPaths = paths;
    const auto found = harness::discoverInterpreters(opts);
    std::vector<std::string> caps(found.size());
    if (!quick) {
      // Workers start in parallel: pyodide needs a few seconds each.
      std::vector<std::thread> threads;
      for (size_t i = 0; i < found.size(); ++i)
        threads.emplace_back([&, i] {
          harness::OracleWorker w(found[i]);
          std::string why;
          if (auto h = w.hello(&why)) {
            std::string c;
            const nlohmann::json& all = (*h)["capabilities"];
            for (auto it = all.begin(); it != all.end(); ++it)
              if (it->is_boolean())
                c += (c.empty() ? "" : ",") +
                     (it->get<bool>() ? it.key() : "no-" + it.key());
            caps[i] = c;
          } else {
            caps[i] = "oracle does not start: " + why.substr(0, 200);
          }
        });
      for (auto& t : threads) t.join();
    }
    for (size_t i = 0; i < found.size(); ++i) {
      const auto& in = found[i];
      std::cout << in.id << "\t" << in.kind << "\t" << in.implementation << " "
                << in.version << "\t" << in.path << "\t(" << in.provenance << ")";
      if (!quick) std::cout << "\t" << caps[i];
      std::cout << "\n";
    }
    if (found.empty()) std::cout << "no interpreter with sys.monitoring found\n";
    setExitCode(found.empty() ? 1 : 0);
  });
}

}  // namespace monsim::cli
