#include "campaign/versus.h"

#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "campaign/campaign.h"
#include "campaign/findings.h"
#include "scenario/loader.h"

namespace monsim::gen {

namespace {

using Clock = std::chrono::steady_clock;

// What a side gave instead of a trace, without what names the case.
std::string outcomeText(const harness::RunOutcome& o) {
  std::string s(harness::kindName(o.kind));
  if (o.kind == harness::RunOutcome::Kind::Errored)
    s += " in " + std::string(harness::phaseName(o.phase));
  return s;
}

// The first event only one side emitted, by name ("—" when that side has none).
std::string firstName(const std::vector<harness::StreamEvent>& only) {
  return only.empty() ? "—" : std::string(eventName(only.front().event));
}

}  // namespace

VersusRun runVersus(const FuzzCase& c, const Token& t, harness::OracleWorker& left,
                    harness::OracleWorker& right, harness::StreamView view) {
  VersusRun out;
  const std::string tok = t.str();
  out.yaml = renderScenario(c, t.version, "fuzz-" + tok, "generated case " + tok,
                            "monsim fuzz --versus --replay " + tok)
                 .yaml;
  const harness::LoadResult lr =
      harness::loadScenarioText(out.yaml, "<fuzz " + tok + ">");
  if (!lr.scenario) {
    out.harnessError = true;
    out.error = "the generated scenario does not load: " +
                (lr.diagnostics.empty() ? std::string("?") : lr.diagnostics[0].str());
    out.signature = "harness: generated scenario does not load";
    return out;
  }
  const nlohmann::json options = harness::runOptions(*lr.scenario, true);
  std::optional<harness::Trace> traces[2];
  std::string failed[2];
  harness::OracleWorker* workers[2] = {&left, &right};
  for (int i = 0; i < 2; ++i) {
    const harness::RunOutcome o =
        workers[i]->run(lr.scenario->oracle, options, harness::budgetOf(*lr.scenario));
    if (o.kind == harness::RunOutcome::Kind::Result)
      traces[i] = harness::traceFromJson(o.message["trace"]);
    else
      failed[i] = outcomeText(o);
  }
  if (!traces[0] || !traces[1]) {
    // One side's failure is a difference of its own; both failing is one too unless
    // they failed alike (a case neither can run says nothing about either).
    if (failed[0] == failed[1]) {
      out.neither = failed[0];
      return out;
    }
    for (int i = 0; i < 2; ++i)
      if (!failed[i].empty())
        out.error += (out.error.empty() ? "" : "; ") + workers[i]->interpreter().id +
                     ": " + failed[i];
    out.signature = "error on " + left.interpreter().id + ": " +
                    (failed[0].empty() ? "—" : failed[0]) + " | on " +
                    right.interpreter().id + ": " + (failed[1].empty() ? "—" : failed[1]);
    return out;
  }
  out.diff = harness::diffStreams(harness::eventStream(*traces[0], view),
                                  harness::eventStream(*traces[1], view));
  if (!out.diff.same())
    out.signature = "only in " + left.interpreter().id + ": " +
                    firstName(out.diff.onlyLeft) + " | only in " +
                    right.interpreter().id + ": " + firstName(out.diff.onlyRight);
  return out;
}

std::string VersusStats::line(const std::string& left, const std::string& right) const {
  std::ostringstream o;
  o << left << " vs " << right << ": " << cases << " scenarios, "
    << static_cast<long>(seconds > 0 ? cases / seconds : 0) << "/s, " << differing
    << " differing, " << bySignature.size() << " unique";
  if (neither) o << ", " << neither << " run by neither (both failed alike)";
  if (harnessErrors) o << ", " << harnessErrors << " harness errors";
  return o.str();
}

std::string versusReplayCommand(const harness::Interpreter& left,
                                const harness::Interpreter& right, const Token& t,
                                harness::StreamView view) {
  return "monsim fuzz --versus --python " + left.id + " --python " + right.id +
         view.flags() + " --replay " + t.str();
}

std::string writeVersusFinding(const std::string& dir, const harness::Interpreter& left,
                               const harness::Interpreter& right, const Token& t,
                               const VersusRun& run, int shrinkRuns, bool minimal,
                               harness::StreamView view) {
  const std::string id = "versus-" + left.id + "-" + right.id + "-" + hex8(run.signature);
  std::filesystem::create_directories(dir);
  const std::string tok = t.str();
  std::ofstream(dir + "/" + id + ".yaml") << run.yaml;
  const std::string reproduce = versusReplayCommand(left, right, t, view);
  std::ofstream txt(dir + "/" + id + ".txt");
  txt << "signature:   " << run.signature << "\n"
      << "left:        " << left.id << " (" << left.path << ")\n"
      << "right:       " << right.id << " (" << right.path << ")\n"
      << "token:       " << tok << "\n"
      << "reproduce:   " << reproduce << "\n"
      << "shrinking:   " << shrinkRuns << " runs"
      << (minimal ? ", minimal" : ", stopped early (budget or Ctrl-C)") << "\n";
  if (!run.error.empty()) txt << "no trace:    " << run.error << "\n";
  txt << "events:      " << run.diff.left << " / " << run.diff.right << ", "
      << run.diff.common << " paired\n\n";
  auto list = [&](const std::vector<harness::StreamEvent>& es, const std::string& who) {
    for (size_t i = 0; i < es.size() && i < 30; ++i)
      txt << "only in " << who << ": " << es[i].str() << " (record " << es[i].record
          << ")\n";
    if (es.size() > 30) txt << "… " << es.size() - 30 << " more only in " << who << "\n";
  };
  list(run.diff.onlyLeft, left.id);
  list(run.diff.onlyRight, right.id);
  const nlohmann::json rec{{"id", id},
                           {"left", left.id},
                           {"right", right.id},
                           {"signature", run.signature},
                           {"token", tok},
                           {"reproduce", reproduce},
                           {"only_left", run.diff.onlyLeft.size()},
                           {"only_right", run.diff.onlyRight.size()},
                           {"shrink_runs", shrinkRuns},
                           {"minimal", minimal}};
  std::ofstream(dir + "/findings.jsonl", std::ios::app) << rec.dump() << "\n";
  return id;
}

VersusStats runVersusCampaign(const harness::Interpreter& left,
                              const harness::Interpreter& right,
                              const harness::OracleOptions& oracle,
                              const VersusOptions& a, const std::atomic<bool>& stop,
                              harness::Progress& progress) {
  std::mutex mu;
  VersusStats stats;
  long next = 0;
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::milliseconds(static_cast<long>(a.seconds * 1000));
  auto take = [&]() -> std::optional<long> {
    std::lock_guard<std::mutex> lock(mu);
    if (stop || (a.seconds > 0 && Clock::now() >= deadline) ||
        (a.count > 0 && next >= a.count))
      return std::nullopt;
    return next++;
  };
  auto work = [&] {
    harness::OracleWorker wl(left, oracle), wr(right, oracle);
    while (const auto n = take()) {
      Token t;
      t.version = a.version;
      t.hooks = a.hooks;
      t.seed = caseSeed(a.seed, static_cast<uint64_t>(*n));
      const FuzzCase fc = caseAt(t).value();
      const VersusRun r = runVersus(fc, t, wl, wr, a.view);
      bool fresh = false;
      {
        std::lock_guard<std::mutex> lock(mu);
        ++stats.cases;
        if (r.harnessError) {
          ++stats.harnessErrors;
          progress.say("harness error (" + versusReplayCommand(left, right, t, a.view) +
                       "): " + r.error + "\n");
          continue;
        }
        if (!r.neither.empty()) ++stats.neither;
        if (r.signature.empty()) continue;
        ++stats.differing;
        if (!r.error.empty()) ++stats.errors;
        fresh = stats.bySignature[r.signature]++ == 0;
        stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        progress.status(stats.line(left.id, right.id));
      }
      if (!fresh) continue;
      VersusRun last = r;
      Descent d{t, fc, 0, true};
      if (a.shrink) {
        const int budget =
            r.error.empty() ? a.shrinkBudget : std::min(a.shrinkBudget, 25);
        d = descend(t, budget, &stop, [&](const FuzzCase& c, const Token& nt) {
          VersusRun s = runVersus(c, nt, wl, wr, a.view);
          if (s.signature != r.signature) return false;
          last = std::move(s);
          return true;
        });
      }
      std::lock_guard<std::mutex> lock(mu);
      const std::string id = writeVersusFinding(a.out, left, right, d.token, last,
                                                d.evaluations, d.complete, a.view);
      progress.say("difference: " + r.signature + "\n  " + a.out + "/" + id +
                   ".{yaml,txt}  (" + std::to_string(d.evaluations) +
                   " shrink runs; replay: " +
                   versusReplayCommand(left, right, d.token, a.view) + ")\n");
    }
  };
  std::vector<std::thread> threads;
  for (int j = 0; j < a.jobs; ++j) threads.emplace_back(work);
  for (auto& th : threads) th.join();
  progress.clear();
  stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return stats;
}

}  // namespace monsim::gen
