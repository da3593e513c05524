// monsim record: run scenarios on real interpreters through the oracle and
// write one trace file per scenario × interpreter (JSON lines: a provenance
// header, the trace records, an end record with the outcome).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/options.h"
#include "interpreter/compact_events.h"
#include "interpreter/oracle_driver.h"
#include "scenario/loader.h"

namespace fs = std::filesystem;

namespace monsim::cli {

namespace {

struct RecordArgs {
  std::vector<std::string> scenarios;
  std::vector<std::string> python{"all"};
  std::string out = "out/traces";
  bool noProbe = false;
  bool instruction = false;
  RunLimitArgs limits;
};

std::string safeName(std::string s) {
  for (char& c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
          c == '_'))
      c = '_';
  return s;
}

int record(const RecordArgs& a) {
  // Recording needs no model profile: a newer Python can be recorded before the
  // model covers it.
  const harness::Selection selection =
      harness::selectInterpreters(a.python, harness::Needs::Oracle);
  if (!reportSelection("record", selection)) return kExitUsage;
  const auto& interps = selection.interpreters;
  std::vector<std::pair<std::string, nlohmann::json>> scenarios;
  for (const auto& path : a.scenarios) {
    if (path.ends_with(".yaml") || path.ends_with(".yml")) {
      auto loaded = harness::loadScenarioFile(path);
      for (const auto& d : loaded.diagnostics) std::cerr << d.str() << "\n";
      if (!loaded.scenario) return kExitUsage;
      if (loaded.scenario->kind == harness::Scenario::Kind::Script) {
        std::cerr << path << ": a script scenario runs on the model only (monsim run)\n";
        return kExitUsage;
      }
      scenarios.emplace_back(path, loaded.scenario->oracle);
      continue;
    }
    std::ifstream in(path);
    if (!in) {
      std::cerr << path << ": error: cannot open\n";
      return kExitUsage;
    }
    try {
      scenarios.emplace_back(path, nlohmann::json::parse(in));
    } catch (const nlohmann::json::parse_error& e) {
      std::cerr << path << ": error: not JSON: " << e.what() << "\n";
      return kExitUsage;
    }
  }
  fs::create_directories(a.out);
  nlohmann::json options{{"probe", !a.noProbe}, {"instruction", a.instruction}};
  int bad = 0;
  for (const auto& interp : interps) {
    harness::OracleOptions oo;
    applyRunLimits(a.limits, oo);
    harness::OracleWorker worker(interp, oo);
    std::string why;
    const auto hello = worker.hello(&why);
    for (const auto& [path, scenario] : scenarios) {
      const std::string id = scenario.value("id", fs::path(path).stem().string());
      auto outcome = hello ? worker.run(scenario, options) : harness::RunOutcome{};
      const auto file =
          fs::path(a.out) / (safeName(id) + "." + safeName(interp.id) + ".jsonl");
      std::ofstream o(file);
      o << nlohmann::json{{"kind", "provenance"},
                          {"monsim", MONSIM_VERSION},
                          {"scenario", id},
                          {"scenario_file", path},
                          {"interpreter",
                           {{"id", interp.id},
                            {"kind", interp.kind},
                            {"version", interp.version},
                            {"path", interp.path},
                            {"provenance", interp.provenance}}},
                          {"hello", hello ? *hello : nlohmann::json()},
                          {"options", options}}
               .dump()
        << "\n";
      if (outcome.kind == harness::RunOutcome::Kind::Result) {
        // The trace's metadata (code table, probe tool, captured output…) as
        // one record, then one line per trace record, compact events as objects.
        harness::expandCompactEvents(outcome.message);  // checked by the driver
        nlohmann::json meta = outcome.message["trace"];
        const nlohmann::json records = meta.value("records", nlohmann::json::array());
        meta.erase("records");
        meta["kind"] = "trace";
        o << meta.dump() << "\n";
        for (const auto& rec : records) o << rec.dump() << "\n";
      }
      nlohmann::json end{{"kind", "end"}, {"outcome", harness::kindName(outcome.kind)}};
      if (!hello)
        end["detail"] = why;
      else if (!outcome.detail.empty())
        end["detail"] = outcome.detail;
      if (outcome.kind == harness::RunOutcome::Kind::Errored)
        end["context"] = outcome.message.value("context", nlohmann::json());
      o << end.dump() << "\n";
      std::cout << id << "\t" << interp.id << "\t" << harness::kindName(outcome.kind)
                << "\t" << file.string() << "\n";
      if (outcome.kind != harness::RunOutcome::Kind::Result) ++bad;
    }
  }
  return bad ? kExitFailures : kExitClean;
}

}  // namespace

void addRecord(CLI::App& app) {
  static RecordArgs args;
  auto* cmd =
      app.add_subcommand("record", "Record scenarios on real interpreters (oracle)");
  cmd->add_option("scenarios", args.scenarios,
                  "Scenario files (YAML, spec/SCENARIO-FORMAT.md, or oracle JSON)")
      ->required();
  cmd->add_option("--python", args.python,
                  "Interpreter id, version prefix, path or command, or 'all' (default: "
                  "all found); one that is not usable stops the run (exit 2)");
  cmd->add_option("-o,--output", args.out, "Output folder")->capture_default_str();
  cmd->add_flag("--no-probe", args.noProbe,
                "Record deliveries only, without the probe tool");
  cmd->add_flag("--instruction", args.instruction,
                "Let the probe record INSTRUCTION events");
  addRunLimits(cmd, args.limits);
  cmd->footer(exitFooter("every scenario × interpreter was recorded",
                         "a run timed out, crashed or errored (its file says how)",
                         "an interpreter asked for is not usable, none was found, or a "
                         "scenario cannot be read"));
  cmd->callback([] { setExitCode(record(args)); });
}

}  // namespace monsim::cli
