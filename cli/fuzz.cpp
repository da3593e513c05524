// monsim fuzz: a differential campaign. Generated programs × event-control
// sequences run on the model and on real interpreters; every disagreement is
// shrunk (control sequence first, then the program) while its signature holds,
// deduplicated by signature, and written as a minimal scenario YAML, a standalone
// .py and its replay token. Ctrl-C stops generating and keeps what was found.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "campaign.h"
#include "commands.h"
#include "pyrepro.h"
#include "scenario_loader.h"

namespace monsim::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct FuzzArgs {
  std::vector<std::string> python{"all"};
  double seconds = 0;
  long count = 0;
  std::string seed;
  int jobs = 1;
  std::string out = "out/fuzz";
  std::string replay;
  int shrinkBudget = 1000;
  bool noShrink = false;
  bool bench = false;
  std::string saveTraces;
  double timeout = 20;
  size_t traceLimit = 40000;
  long maxRecords = 20000;
};

std::atomic<bool> gStop{false};
extern "C" void onInterrupt(int) {
  gStop = true;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

struct Stats {
  long cases = 0, divergent = 0, known = 0, tooBig = 0, harnessErrors = 0;
  std::set<std::string> knownSignatures;
  std::set<std::string> signatures;
  std::map<std::string, long> tags;
  Clock::time_point start = Clock::now();
};

std::string hex8(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across runs and builds
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(h >> 32));
  return buf;
}

std::string reproduceCommand(const harness::Interpreter& in, const gen::Token& t) {
  return "monsim fuzz --python " + in.id + " --replay " + t.str();
}

// Writes <id>.yaml, <id>.py and <id>.txt; returns the id.
std::string writeFinding(const std::string& dir, const harness::Interpreter& in,
                         const gen::Shrunk& s, const std::string& signature) {
  const std::string id = "fuzz-" + in.id + "-" + hex8(signature);
  fs::create_directories(dir);
  const std::string tok = s.token.str();
  const std::string yaml =
      gen::renderScenario(s.fc, s.token.version, id,
                          "fuzz finding on " + in.id + ": " + signature,
                          "monsim fuzz --replay " + tok)
          .yaml;
  std::ofstream(dir + "/" + id + ".yaml") << yaml;
  auto loaded = harness::loadScenarioText(yaml, id + ".yaml");
  if (loaded.scenario)
    std::ofstream(dir + "/" + id + ".py") << harness::standalonePython(*loaded.scenario);
  std::ofstream txt(dir + "/" + id + ".txt");
  txt << "signature:   " << signature << "\n"
      << "interpreter: " << in.id << " (" << in.path << ")\n"
      << "token:       " << tok << "\n"
      << "reproduce:   " << reproduceCommand(in, s.token) << "\n"
      << "shrinking:   " << s.evaluations << " runs"
      << (s.complete ? ", minimal" : ", stopped early (budget or Ctrl-C)") << "\n"
      << "verdict:     " << harness::verdictName(s.run.check.verdict) << " — "
      << s.run.check.reason << "\n\n"
      << s.run.check.detail;
  for (const std::string& v : s.run.invariants) txt << "trace invariant: " << v << "\n";
  nlohmann::json rec{{"id", id},
                     {"interpreter", in.id},
                     {"signature", signature},
                     {"token", tok},
                     {"reproduce", reproduceCommand(in, s.token)},
                     {"verdict", harness::verdictName(s.run.check.verdict)},
                     {"reason", s.run.check.reason},
                     {"shrink_runs", s.evaluations},
                     {"minimal", s.complete}};
  std::ofstream(dir + "/findings.jsonl", std::ios::app) << rec.dump() << "\n";
  return id;
}

uint64_t parseSeed(const std::string& text) {
  if (text.empty())
    return std::random_device{}() * 0x100000001ULL ^ std::random_device{}();
  return std::stoull(text, nullptr, 0);
}

int replay(const FuzzArgs& a, const std::vector<harness::Interpreter>& interps,
           const harness::CheckContext& ctx, const harness::OracleOptions& oo) {
  const auto token = gen::Token::parse(a.replay);
  if (!token) {
    std::cerr << "monsim fuzz: '" << a.replay << "' is not a replay token "
              << "(VERSION-SEED-SIZE[-PATH], e.g. 313-9f3a61c2-100-0.4)\n";
    return 2;
  }
  const gen::FuzzCase fc = gen::caseAt(*token).value();
  int status = 0;
  for (const auto& in : interps) {
    if (parseVersion(in.version) != token->version) {
      std::cerr << "monsim fuzz: skipping " << in.id << ": the token is for Python "
                << versionName(token->version) << "\n";
      continue;
    }
    harness::OracleWorker w(in, oo);
    const gen::CaseRun r = gen::runCase(fc, *token, w, ctx);
    std::cout << r.yaml << "\n# " << in.id << ": "
              << harness::verdictName(r.check.verdict)
              << (r.check.reason.empty() ? "" : " — " + r.check.reason) << "\n";
    if (!r.check.detail.empty()) std::cout << r.check.detail;
    if (r.known) {
      std::cout << "signature: " << r.signature << " — known: " << r.known->scenario
                << " (" << r.known->loc.str() << ")\n";
    } else if (!r.signature.empty()) {
      std::cout << "signature: " << r.signature << "\n";
      status = 1;
      if (!a.out.empty() && a.out != "-") {
        gen::Shrunk s{*token, fc, r, 0, false};
        if (!a.noShrink) {
          s = gen::shrinkCase(*token, r, w, ctx, a.shrinkBudget);
          std::cout << "shrunk in " << s.evaluations << " runs to " << s.token.str()
                    << ":\n"
                    << s.run.yaml;
        }
        std::cout << "wrote " << a.out << "/" << writeFinding(a.out, in, s, r.signature)
                  << ".{yaml,py,txt}\n";
      }
    }
  }
  return status;
}

int fuzz(const FuzzArgs& a) {
  std::vector<std::string> unknown;
  const auto interps = harness::selectInterpreters(a.python, unknown);
  for (const auto& u : unknown)
    std::cerr << "monsim fuzz: no interpreter matches '" << u << "'\n";
  if (interps.empty()) {
    std::cerr << "monsim fuzz: no interpreter to fuzz (see monsim interpreters)\n";
    return 2;
  }
  std::vector<harness::Diagnostic> diags;
  const auto expectations =
      harness::loadExpectations(harness::sourceRoot() + "/spec/expectations", diags);
  for (const auto& d : diags) std::cerr << d.str() << "\n";
  harness::CheckContext ctx;
  ctx.expectations = &expectations;
  ctx.maxRecords = a.maxRecords;
  harness::OracleOptions oo;
  oo.runTimeout = std::chrono::milliseconds(static_cast<long>(a.timeout * 1000));
  if (!a.replay.empty()) return replay(a, interps, ctx, oo);

  const uint64_t seed = parseSeed(a.seed);
  const double seconds = a.seconds > 0 || a.count > 0 ? a.seconds : 60;
  const bool tty = isatty(STDERR_FILENO);
  if (!a.bench)
    std::cerr << "monsim fuzz: seed 0x" << std::hex << seed << std::dec << ", "
              << (a.count > 0 ? std::to_string(a.count) + " cases" : "")
              << (a.count > 0 && seconds > 0 ? " or " : "")
              << (seconds > 0 ? std::to_string(static_cast<long>(seconds)) + " s" : "")
              << " per interpreter, " << a.jobs << " job(s) each, findings in " << a.out
              << "\n";
  gStop = false;
  std::signal(SIGINT, onInterrupt);
  std::mutex mu;
  std::vector<Stats> stats(interps.size());
  std::vector<std::atomic<long>> next(interps.size());
  std::ofstream traces;
  if (!a.saveTraces.empty()) {
    fs::create_directories(fs::path(a.saveTraces).parent_path().empty()
                               ? fs::path(".")
                               : fs::path(a.saveTraces).parent_path());
    traces.open(a.saveTraces, std::ios::app);
  }
  harness::CheckContext runCtx = ctx;
  runCtx.keepTraces = runCtx.keepTraceJson = traces.is_open();
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(static_cast<long>(seconds * 1000));

  auto worker = [&](size_t i) {
    const auto& in = interps[i];
    const auto v = parseVersion(in.version);
    if (!v) return;
    harness::OracleWorker w(in, oo);
    for (;;) {
      if (gStop || (seconds > 0 && Clock::now() >= deadline)) break;
      const long n = next[i]++;
      if (a.count > 0 && n >= a.count) break;
      gen::Token t{*v, gen::caseSeed(seed, static_cast<uint64_t>(n)), 100, {}};
      const gen::FuzzCase fc = gen::caseAt(t).value();
      gen::CaseRun r = gen::runCase(fc, t, w, runCtx);
      bool fresh = false;
      {
        std::lock_guard<std::mutex> lock(mu);
        Stats& st = stats[i];
        ++st.cases;
        for (const auto& tag : gen::caseTags(fc, *v)) ++st.tags[tag];
        if (r.harnessError) {
          ++st.harnessErrors;
          if (tty) std::cerr << "\r\033[K";
          std::cout << "harness error on " << in.id << " (" << reproduceCommand(in, t)
                    << "): " << r.check.reason << "\n";
        } else if (r.tooBig) {
          ++st.tooBig;
        } else if (r.known) {
          ++st.known;
          st.knownSignatures.insert(r.signature);
        } else if (!r.signature.empty()) {
          ++st.divergent;
          fresh = st.signatures.insert(r.signature).second;
        }
        if (traces.is_open() && r.signature.empty() && !r.check.traceOn.is_null()) {
          const std::string line =
              nlohmann::json{{"token", t.str()},      {"interpreter", in.id},
                             {"version", in.version}, {"yaml", r.yaml},
                             {"on", r.check.traceOn}, {"off", r.check.traceOff}}
                  .dump();
          if (line.size() <= a.traceLimit)
            traces << line << "\n";  // keep the corpus small
        }
      }
      if (!fresh || a.bench) continue;
      gen::Shrunk s{t, fc, r, 0, true};
      if (!a.noShrink) s = gen::shrinkCase(t, r, w, runCtx, a.shrinkBudget, &gStop);
      std::lock_guard<std::mutex> lock(mu);
      const std::string id = writeFinding(a.out, in, s, r.signature);
      if (tty) std::cerr << "\r\033[K";
      std::cout << "finding on " << in.id << ": " << r.signature << "\n  " << a.out << "/"
                << id << ".{yaml,py,txt}  (" << s.evaluations
                << " shrink runs; replay: " << reproduceCommand(in, s.token) << ")\n";
      std::cout.flush();
    }
  };
  auto line = [&](size_t i) {
    const Stats& st = stats[i];
    const double secs = std::chrono::duration<double>(Clock::now() - st.start).count();
    std::ostringstream o;
    o << interps[i].id << ": " << st.cases << " scenarios, "
      << static_cast<long>(secs > 0 ? st.cases / secs : 0) << "/s, " << st.divergent
      << " divergent, " << st.signatures.size() << " unique";
    if (st.tooBig) o << ", " << st.tooBig << " too big";
    if (st.known) o << ", " << st.known << " known (" << st.knownSignatures.size() << ")";
    if (st.harnessErrors) o << ", " << st.harnessErrors << " harness errors";
    return o.str();
  };
  std::vector<std::thread> threads;
  for (size_t i = 0; i < interps.size(); ++i)
    for (int j = 0; j < std::max(1, a.jobs); ++j) threads.emplace_back(worker, i);
  std::atomic<bool> finished{false};
  std::thread progress([&] {
    auto last = Clock::now();
    while (!finished) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (a.bench || Clock::now() - last < std::chrono::seconds(tty ? 1 : 30)) continue;
      last = Clock::now();
      std::lock_guard<std::mutex> lock(mu);
      std::string all;
      for (size_t i = 0; i < interps.size(); ++i) all += (i ? " | " : "") + line(i);
      if (tty)
        std::cerr << "\r\033[K" << all.substr(0, 200) << std::flush;
      else
        std::cerr << all << "\n";
    }
  });
  for (auto& t : threads) t.join();
  finished = true;
  progress.join();
  std::signal(SIGINT, SIG_DFL);
  if (tty) std::cerr << "\r\033[K";

  long unique = 0, errors = 0;
  for (size_t i = 0; i < interps.size(); ++i) {
    const Stats& st = stats[i];
    const double secs = std::chrono::duration<double>(Clock::now() - st.start).count();
    if (a.bench) {
      std::cout << "fuzz " << interps[i].id << ": "
                << static_cast<long>(secs > 0 ? st.cases / secs : 0) << " scenarios/s ("
                << a.jobs << (a.jobs == 1 ? " worker" : " workers") << ")\n";
      continue;
    }
    std::cout << line(i) << "\n";
    unique += static_cast<long>(st.signatures.size());
    errors += st.harnessErrors;
  }
  if (!a.bench && !stats.empty()) {
    std::cout << "distribution (" << interps[0].id << ", share of scenarios):";
    int k = 0;
    for (const auto& [tag, c] : stats[0].tags)
      std::cout << (k++ % 6 ? "  " : "\n  ") << tag << " "
                << (stats[0].cases ? 100 * c / stats[0].cases : 0) << "%";
    std::cout << "\n";
  }
  if (gStop)
    std::cout << "interrupted: kept every finding written so far in " << a.out << "\n";
  if (errors) return 2;
  return unique && !a.bench ? 1 : 0;
}

}  // namespace

void addFuzz(CLI::App& app) {
  auto a = std::make_shared<FuzzArgs>();
  auto* c = app.add_subcommand(
      "fuzz",
      "Differential fuzzing: generated programs and event-control sequences on the "
      "model vs real interpreters; findings shrunk to minimal scenarios");
  c->add_option("--python", a->python,
                "Interpreter id, version, path, or all (repeatable)")
      ->take_all();
  c->add_option("--seconds", a->seconds, "Campaign length per interpreter (default 60)");
  c->add_option("--count", a->count, "Number of scenarios per interpreter");
  c->add_option("--seed", a->seed, "Campaign seed (default: random, printed)");
  c->add_option("--jobs", a->jobs, "Oracle workers per interpreter")
      ->check(CLI::Range(1, 64));
  c->add_option("-o,--out", a->out, "Folder for findings (default out/fuzz)");
  c->add_option("--replay", a->replay, "Run one case by its token and report it");
  c->add_option("--shrink-budget", a->shrinkBudget, "Runs spent shrinking one finding");
  c->add_flag("--no-shrink", a->noShrink, "Write findings as found");
  c->add_flag("--bench", a->bench, "Only print scenarios/s per interpreter");
  c->add_option("--save-traces", a->saveTraces,
                "Append the traces of agreeing cases to this JSONL file (corpus)");
  c->add_option("--trace-limit", a->traceLimit,
                "Largest corpus record kept by --save-traces, in bytes (default 40000)");
  c->add_option("--max-records", a->maxRecords,
                "Records per trace; a bigger case is counted as too big, not judged "
                "(default 20000)");
  c->add_option("--timeout", a->timeout, "Seconds per scenario run (default 20)");
  c->callback([a] { setExitCode(fuzz(*a)); });
}

}  // namespace monsim::cli
