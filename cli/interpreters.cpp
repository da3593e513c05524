// monsim interpreters: what discovery found, and (unless --quick) what each
// interpreter's oracle worker says of itself in its hello. With --python X it
// vets X instead: usable or not, and why, capability by capability.
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/options.h"
#include "interpreter/oracle_driver.h"

namespace monsim::cli {

namespace {

struct InterpretersArgs {
  std::vector<std::string> python;
  bool quick = false;
};

void printVetting(const harness::Vetting& v) {
  using State = harness::Capability::State;
  std::cout << v.spec << ": ";
  if (v.usable())
    std::cout << "usable as " << v.interpreter->id << " (" << v.interpreter->path
              << ")\n";
  else
    std::cout << "not usable: " << harness::vetReason(v) << "\n";
  for (const harness::Capability& c : v.capabilities) {
    std::string name(harness::capabilityName(c));
    name.resize(std::max<size_t>(name.size() + 1, 20), ' ');
    std::string line = c.state == State::Yes ? "yes" : c.state == State::No ? "no" : "-";
    const std::string detail = c.state == State::Unchecked ? "(not checked)" : c.detail;
    if (!detail.empty()) line.resize(5, ' ');
    std::cout << "  " << name << line << detail << "\n";
  }
}

// Exit 2 unless every interpreter given is usable.
int vet(const InterpretersArgs& a) {
  const auto known = harness::discoverInterpreters();
  std::vector<harness::Vetting> all(a.python.size());
  for (size_t i = 0; i < a.python.size(); ++i)
    all[i] = harness::vetInterpreter(known, a.python[i]);
  if (!a.quick) {
    // Workers start in parallel: pyodide needs a few seconds each.
    std::vector<std::thread> threads;
    for (auto& v : all) threads.emplace_back([&v] { harness::vetOracle(v); });
    for (auto& t : threads) t.join();
  }
  int status = kExitClean;
  for (const auto& v : all) {
    printVetting(v);
    if (!v.usable()) status = kExitUsage;
  }
  return status;
}

int list(const InterpretersArgs& a) {
  const auto found = harness::discoverInterpreters();
  std::vector<std::string> caps(found.size());
  if (!a.quick) {
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
    if (!a.quick) std::cout << "\t" << caps[i];
    std::cout << "\n";
  }
  if (found.empty()) {
    std::cout << "no interpreter with sys.monitoring found\n";
    return kExitUsage;
  }
  return kExitClean;
}

}  // namespace

void addInterpreters(CLI::App& app) {
  auto a = std::make_shared<InterpretersArgs>();
  auto* cmd =
      app.add_subcommand("interpreters", "List the Python interpreters monsim can use");
  cmd->add_option("--python", a->python,
                  "Vet this interpreter (id, version, path or command) instead of "
                  "listing: usable or not, and why, capability by capability")
      ->take_all();
  cmd->add_flag("--quick", a->quick,
                "Do not start the oracle worker to ask for capabilities");
  cmd->footer(exitFooter(
      "interpreters were found (--python: every one given is usable)", "",
      "none was found (--python: one given is not usable; the reason is printed)"));
  cmd->callback([a] { setExitCode(a->python.empty() ? list(*a) : vet(*a)); });
}

}  // namespace monsim::cli
