// monsim run: the model's deliveries for scenarios. Script scenarios run as
// written; program scenarios are driven by a recorded raw stream (`--trace`, a
// `monsim record` file), and the recorded deliveries are compared too.
#include <iostream>

#include "check/compare.h"
#include "check/replay.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "scenario/loader.h"

namespace monsim::cli {

namespace {

struct RunArgs {
  std::vector<std::string> scenarios;
  std::string version;
  std::string trace;
};

void print(const harness::Prediction& p) {
  for (const auto& a : p.api)
    std::cout << "api  " << callerName(a.by) << " " << a.fn << " " << a.predicted << "\n";
  for (const auto& d : p.deliveries) {
    const std::string_view event = eventName(d.event);
    std::cout << "tool " << d.tool << " " << event << " " << d.code << " offset "
              << d.offset;
    if (d.line) std::cout << " line " << *d.line;
    if (event == "JUMP" || event.starts_with("BRANCH")) std::cout << " to " << d.aux;
    if (!d.exc.empty()) std::cout << " [" << d.exc << "]";
    std::cout << " -> " << outcomeName(d.result);
    if (!d.raisedType.empty()) std::cout << " " << d.raisedType;
    for (const auto& c : d.calls) std::cout << "; calls " << c.fn << " " << c.outcome;
    std::cout << "   (" << reasonText(d.why).substr(0, reasonText(d.why).find(':'))
              << ")\n";
  }
  for (const auto& n : p.notes) std::cout << "note " << n << "\n";
}

int run(const RunArgs& a) {
  int status = kExitClean;
  for (const std::string& path : a.scenarios) {
    auto loaded = harness::loadScenarioFile(path);
    for (const auto& d : loaded.diagnostics) std::cerr << d.str() << "\n";
    if (!loaded.scenario) {
      status = kExitUsage;
      continue;
    }
    const harness::Scenario& s = *loaded.scenario;
    std::optional<harness::Trace> trace;
    if (!a.trace.empty()) {
      std::string error;
      trace = harness::readTraceJsonl(a.trace, error);
      if (!trace) {
        std::cerr << error << "\n";
        return kExitUsage;
      }
    }
    std::string vtext = a.version;
    if (vtext.empty() && trace) vtext = trace->interpreter.version;
    std::optional<PyVersion> v = parseVersion(vtext);
    if (!v && vtext.empty()) v = s.python.min.value_or(PyVersion::V3_15);
    if (!v) {
      std::cerr << "monsim run: no model profile for version '" << vtext << "'\n";
      return kExitUsage;
    }
    std::cout << "# " << s.id << " on the model for Python " << versionName(*v) << "\n";
    if (!s.python.contains(*v))
      std::cout << "# note: the scenario applies to python " << s.python.text << "\n";
    if (s.kind == harness::Scenario::Kind::Script) {
      print(harness::predictScript(s, *v));
      continue;
    }
    if (!trace) {
      std::cerr << path << ": a program scenario needs a recorded raw stream: "
                << "monsim record " << path << " -o DIR, then --trace DIR/<file>.jsonl\n";
      status = kExitUsage;
      continue;
    }
    // Without the probe's event records every recorded delivery would look extra.
    if (trace->probeTool < 0) {
      std::cerr << a.trace << ": recorded without the probe (monsim record --no-probe): "
                << "the model replays the probe's raw event stream, which this trace "
                << "does not have; record it again without --no-probe\n";
      return 2;
    }
    const auto p = harness::predict(s, *trace, *v);
    print(p);
    const auto cmp = harness::compare(s, *trace, p);
    if (cmp.agree()) {
      std::cout << "# the recorded deliveries agree with the model\n";
    } else {
      std::cout << cmp.report;
      if (status == kExitClean) status = kExitFailures;
    }
  }
  return status;
}

}  // namespace

void addRun(CLI::App& app) {
  auto a = std::make_shared<RunArgs>();
  auto* c = app.add_subcommand("run", "The model's deliveries for scenarios");
  c->add_option("scenarios", a->scenarios, "Scenario files (YAML)")->required();
  c->add_option("--version", a->version, "Python version profile (default: the trace's)")
      ->check(modelVersion());
  c->add_option(
      "--trace", a->trace,
      "A `monsim record` file (recorded with the probe): the raw stream to replay");
  c->footer(exitFooter("the model ran every scenario (and agrees with each --trace)",
                       "the recorded deliveries disagree with the model",
                       "a scenario does not load, a program scenario without --trace, "
                       "an unreadable trace or one recorded without the probe, or no "
                       "model profile for the version"));
  c->callback([a] { setExitCode(run(*a)); });
}

}  // namespace monsim::cli
