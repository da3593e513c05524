// monsim fuzz: a differential campaign. Generated programs × event-control
// sequences run on the model and on real interpreters; every disagreement is
// shrunk (control sequence first, then the program) while its signature holds,
// deduplicated by signature, and written as a minimal scenario YAML, a standalone
// .py and its replay token. Ctrl-C stops generating and keeps what was found.
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <random>
#include <set>
#include <utility>

#include "campaign/findings.h"
#include "campaign/merge.h"
#include "campaign/run.h"
#include "campaign/versus.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "scenario/expectations.h"

namespace monsim::cli {
namespace {

// A campaign should make every rule it can reach decide at least this often (issue 18).
constexpr long kRuleTarget = 100;

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
  bool legacy = false;
  bool capi = false;
  bool unguided = false;
  std::string shard;         // "K/N": this shard's case numbers (K < N)
  bool versus = false;       // two interpreters against each other, no model
  harness::StreamView view;  // --ignore-offsets, --branch-as-one
  std::string saveTraces;
  RunLimitArgs limits;
  size_t traceLimit = 40000;
  long maxRecords = 20000;
  bool resume = false;  // continue the campaign a checkpoint in `out` describes
};

std::atomic<bool> gStop{false};
extern "C" void onInterrupt(int) {
  gStop = true;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

// "K/N" with 0 <= K < N; nullopt otherwise.
std::optional<std::pair<int, int>> parseShard(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  try {
    size_t a = 0, b = 0;
    const int k = std::stoi(text.substr(0, slash), &a);
    const int n = std::stoi(text.substr(slash + 1), &b);
    if (a != slash || b != text.size() - slash - 1 || k < 0 || n < 1 || k >= n)
      return std::nullopt;
    return std::pair(k, n);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

uint64_t parseSeed(const std::string& text) {
  if (text.empty())
    return std::random_device{}() * 0x100000001ULL ^ std::random_device{}();
  return std::stoull(text, nullptr, 0);
}

// One case by its token on the interpreters of its version; exit 2 if none is.
int replay(const FuzzArgs& a, const gen::Token& t,
           const std::vector<harness::Interpreter>& interps,
           const harness::CheckContext& ctx, const harness::OracleOptions& oo) {
  const gen::FuzzCase fc = gen::caseAt(t).value();
  int status = kExitClean;
  int replayed = 0;
  for (const auto& in : interps) {
    if (parseVersion(in.version) != t.version) {
      std::cerr << "monsim fuzz: skipping " << in.id << ": the token is for Python "
                << versionName(t.version) << "\n";
      continue;
    }
    ++replayed;
    harness::OracleWorker w(in, oo);
    const gen::CaseRun r = gen::runCase(fc, t, w, ctx);
    if (r.harnessError) status = kExitUsage;
    std::cout << r.yaml << "\n# " << in.id << ": "
              << harness::verdictName(r.check.verdict)
              << (r.check.reason.empty() ? "" : " — " + r.check.reason) << "\n";
    if (!r.check.detail.empty()) std::cout << r.check.detail;
    if (r.known) {
      std::cout << "signature: " << r.signature << " — known: " << r.known->scenario
                << " (" << r.known->loc.str() << ")\n";
    } else if (!r.signature.empty()) {
      std::cout << "signature: " << r.signature << "\n";
      if (status == kExitClean) status = kExitFailures;
      if (!a.out.empty() && a.out != "-") {
        gen::Shrunk s{t, fc, r, 0, false};
        if (!a.noShrink) {
          s = gen::shrinkCase(t, r, w, ctx, a.shrinkBudget);
          std::cout << "shrunk in " << s.evaluations << " runs to " << s.token.str()
                    << ":\n"
                    << s.run.yaml;
        }
        std::cout << "wrote " << a.out << "/" << writeFinding(a.out, in, s, r.signature)
                  << ".{yaml,py,txt}\n";
      }
    }
  }
  if (replayed == 0) {
    std::cerr << "monsim fuzz: nothing was replayed: the token is for Python "
              << versionName(t.version) << " and no interpreter selected is (name one "
              << "with --python " << versionName(t.version) << ")\n";
    return kExitUsage;
  }
  return status;
}

// --versus: the two interpreters' raw event streams on each generated case, for the
// older one's version; no model. Exit 1 when they differ anywhere.
int versus(const FuzzArgs& a, const std::optional<gen::Token>& token,
           const std::vector<harness::Interpreter>& interps,
           const harness::OracleOptions& oo) {
  if (interps.size() != 2) {
    std::cerr
        << "monsim fuzz --versus: name exactly two interpreters with sys.monitoring "
           "(--python A --python B), not "
        << interps.size() << "\n";
    return kExitUsage;
  }
  const harness::Interpreter &left = interps[0], &right = interps[1];
  const auto vl = parseVersion(left.version), vr = parseVersion(right.version);
  if (!vl || !vr || !left.monitoring || !right.monitoring) {
    std::cerr << "monsim fuzz --versus: both interpreters need sys.monitoring and a "
                 "version the generator knows (3.12–3.15)\n";
    return kExitUsage;
  }
  if (token) {
    harness::OracleWorker wl(left, oo), wr(right, oo);
    const gen::VersusRun r =
        gen::runVersus(gen::caseAt(*token).value(), *token, wl, wr, a.view);
    std::cout << r.yaml << "\n# " << left.id << " vs " << right.id << ": "
              << (r.signature.empty() ? "the same stream" : r.signature) << "\n";
    if (!r.error.empty()) std::cout << "no trace: " << r.error << "\n";
    if (!r.neither.empty()) std::cout << "neither ran it: both " << r.neither << "\n";
    for (const auto& e : r.diff.onlyLeft)
      std::cout << "only in " << left.id << ": " << e.str() << "\n";
    for (const auto& e : r.diff.onlyRight)
      std::cout << "only in " << right.id << ": " << e.str() << "\n";
    if (r.harnessError) return kExitUsage;
    return r.signature.empty() ? kExitClean : kExitFailures;
  }
  gen::VersusOptions vo;
  vo.seed = parseSeed(a.seed);
  vo.seconds = a.seconds > 0 || a.count > 0 ? a.seconds : 60;
  vo.count = a.count;
  vo.jobs = a.jobs;
  vo.out = a.out;
  vo.shrinkBudget = std::min(a.shrinkBudget, 300);
  vo.shrink = !a.noShrink;
  vo.view = a.view;
  vo.hooks = a.legacy;
  vo.version = std::min(*vl, *vr);
  std::cerr << "monsim fuzz --versus: " << left.id << " vs " << right.id
            << ", cases for Python " << versionName(vo.version) << ", seed 0x" << std::hex
            << vo.seed << std::dec << ", findings in " << a.out << "\n";
  gStop = false;
  std::signal(SIGINT, onInterrupt);
  harness::Progress progress;
  const gen::VersusStats st =
      gen::runVersusCampaign(left, right, oo, vo, gStop, progress);
  std::signal(SIGINT, SIG_DFL);
  std::cout << st.line(left.id, right.id) << "\n";
  for (const auto& [sig, n] : st.bySignature)
    std::cout << "  " << n << "\t" << sig << "\n";
  if (gStop) return kExitInterrupted;
  if (st.harnessErrors) return kExitUsage;
  return st.differing ? kExitFailures : kExitClean;
}

// How often each model rule decided for a generated tool: what the campaign reached,
// and for the rules no generated case can make decide on this version, why.
void printRules(const harness::Interpreter& in, const gen::CampaignStats& st) {
  const auto v = parseVersion(in.version);
  if (!v) return;
  std::cout << "model rules (" << in.id << ", decisions):";
  int reachable = 0, reached = 0, k = 0;
  std::string unreachable;
  for (int r = 0; r < kReasonCount; ++r) {
    const gen::RuleReach reach = gen::ruleReach(static_cast<Reason>(r), *v);
    const std::string_view name = reasonName(static_cast<Reason>(r));
    if (!reach.reachable) {
      unreachable += "\n  " + std::string(name) + ": " + std::string(reach.why);
      continue;
    }
    ++reachable;
    if (st.rules[r] >= kRuleTarget) ++reached;
    std::cout << (k++ % 4 ? "  " : "\n  ") << name << " " << st.rules[r]
              << (st.rules[r] < kRuleTarget ? " (<" + std::to_string(kRuleTarget) + ")"
                                            : "");
  }
  std::cout << "\n  " << reached << " of " << reachable << " rules reached at least "
            << kRuleTarget << " times";
  if (!unreachable.empty()) std::cout << "; no generated case decides by:" << unreachable;
  std::cout << "\n";
}

// --resume: the stopped campaign's options, counts and finished cases from its
// checkpoint, and the findings it wrote (findings.jsonl left whole); false, with the
// reason printed, when `a.out` holds none to resume.
bool resumeFrom(FuzzArgs& a, gen::CampaignOptions& co) {
  std::string error;
  const auto s = gen::readSummary(a.out + "/" + gen::kSummaryFile, error);
  if (!s) {
    std::cerr << "monsim fuzz --resume: " << error << "\n";
    return false;
  }
  if (s->shardsHeld.size() != 1 || s->done.empty()) {
    std::cerr << "monsim fuzz --resume: " << a.out
              << " holds no checkpoint of one run (a merged campaign, or one written "
                 "before checkpoints)\n";
    return false;
  }
  co.seed = s->seed;
  co.count = s->count;
  co.seconds = s->seconds;
  co.hooks = s->kind == "hooks";
  co.capi = s->kind == "capi";
  co.guided = s->guided;
  co.shard = s->shardsHeld[0];
  co.shards = s->shards;
  a.python.clear();
  for (const auto& [id, st] : s->interpreters) {
    if (!s->done.count(id)) {
      std::cerr << "monsim fuzz --resume: " << a.out << "/" << gen::kSummaryFile
                << " counts cases of " << id << " but does not say which\n";
      return false;
    }
    a.python.push_back(id);
    co.earlier.push_back(st);
    co.earlierDone.push_back(s->done.at(id));
  }
  std::map<std::string, std::set<std::string>> written;
  std::ofstream whole(a.out + "/findings.jsonl.tmp");
  // A finding whose shrinking the stop cut short is left out: its case runs again.
  std::string bad;
  for (const gen::FindingRecord& r : gen::readFindingRecords(a.out, bad)) {
    if (r.stopped) continue;
    written[r.interpreter].insert(r.signature);
    whole << r.line << "\n";
  }
  whole.close();
  if (!bad.empty()) {
    std::filesystem::remove(a.out + "/findings.jsonl.tmp");
    std::cerr << "monsim fuzz --resume: " << bad << "\n";
    return false;
  }
  std::error_code ec;
  std::filesystem::rename(a.out + "/findings.jsonl.tmp", a.out + "/findings.jsonl", ec);
  for (const std::string& id : a.python) co.written.push_back(written[id]);
  std::cerr << "monsim fuzz: resuming the campaign in " << a.out << " (" << s->kind
            << " cases, seed 0x" << std::hex << s->seed << std::dec;
  for (const auto& [id, st] : s->interpreters)
    std::cerr << "; " << id << ": " << st.cases << " cases done";
  std::cerr << ")\n";
  return true;
}

int fuzz(FuzzArgs a) {
  gen::CampaignOptions co;
  if (a.resume && !resumeFrom(a, co)) return kExitUsage;
  std::optional<gen::Token> token;
  if (!a.replay.empty()) {
    token = gen::Token::parse(a.replay);
    if (!token) {
      std::cerr << "monsim fuzz: '" << a.replay << "' is not a replay token "
                << "(VERSION[h|c]-SEED-SIZE[-PATH], e.g. 313-9f3a61c2-100-0.4)\n";
      return kExitUsage;
    }
  }
  const harness::Selection selection =
      harness::selectInterpreters(a.python, harness::Needs::Model);
  if (!reportSelection("fuzz", selection)) return kExitUsage;
  std::vector<harness::Interpreter> interps = selection.interpreters;
  if (a.capi || (token && token->capi)) {
    // The C API exists from 3.13 on (behaviour §13).
    std::erase_if(interps, [](const harness::Interpreter& in) {
      const auto v = parseVersion(in.version);
      if (v && *v >= PyVersion::V3_13) return false;
      std::cerr << "monsim fuzz: " << in.id << " left out: --capi needs Python 3.13+\n";
      return true;
    });
    if (interps.empty()) {
      std::cerr << "monsim fuzz: no interpreter selected has the C API (3.13+)\n";
      return kExitUsage;
    }
  }
  std::vector<harness::Diagnostic> diags;
  const auto expectations =
      harness::loadExpectations(harness::sourceRoot() + "/spec/expectations", diags);
  for (const auto& d : diags) std::cerr << d.str() << "\n";
  harness::CheckContext ctx;
  ctx.expectations = &expectations;
  ctx.maxRecords = a.maxRecords;
  harness::OracleOptions oo;
  applyRunLimits(a.limits, oo);
  if (a.versus && !a.shard.empty()) {
    std::cerr << "monsim fuzz: --shard is for model campaigns, not --versus\n";
    return kExitUsage;
  }
  if (a.versus) return versus(a, token, interps, oo);
  if (token) return replay(a, *token, interps, ctx, oo);

  if (!a.resume) {
    co.seed = parseSeed(a.seed);
    co.seconds = a.seconds > 0 || a.count > 0 ? a.seconds : 60;
    co.count = a.count;
    co.hooks = a.legacy;
    co.capi = a.capi;
    co.guided = !a.unguided;
  } else if (interps.size() != co.earlier.size()) {
    std::cerr
        << "monsim fuzz --resume: not every interpreter of the campaign is usable\n";
    return kExitUsage;
  }
  co.jobs = a.jobs;
  co.out = a.out;
  co.shrinkBudget = a.shrinkBudget;
  co.shrink = !a.noShrink;
  co.findings = !a.bench;
  co.saveTraces = a.saveTraces;
  co.traceLimit = a.traceLimit;
  // What the campaign ran and found, as it goes: campaign.json, a checkpoint that
  // `--resume` continues and `monsim fuzz merge` adds up (an interrupted run's too).
  bool unwritable = false;
  if (!a.bench)
    co.checkpoint = [&](const std::vector<gen::CampaignStats>& stats,
                        const std::vector<gen::CaseSet>& done, bool finished) {
      if (gen::writeSummary(a.out, gen::summaryOf(co, interps, stats, done, finished)) ||
          std::exchange(unwritable, true))
        return;
      std::cerr << "monsim fuzz: cannot write " << a.out << "/" << gen::kSummaryFile
                << "\n";
    };
  if (!a.shard.empty()) {
    // Shards share the seed: without one each would draw its own.
    if (a.seed.empty()) {
      std::cerr << "monsim fuzz: --shard needs --seed (the same for every shard)\n";
      return kExitUsage;
    }
    std::tie(co.shard, co.shards) = *parseShard(a.shard);
  }
  if (!a.bench)
    std::cerr << "monsim fuzz: seed 0x" << std::hex << co.seed << std::dec << ", "
              << (co.count > 0 ? std::to_string(co.count) + " cases" : "")
              << (co.count > 0 && co.seconds > 0 ? " or " : "")
              << (co.seconds > 0 ? std::to_string(static_cast<long>(co.seconds)) + " s"
                                 : "")
              << " per interpreter, " << a.jobs << " job(s) each, "
              << (co.shards > 1 ? "shard " + std::to_string(co.shard) + "/" +
                                      std::to_string(co.shards) + ", "
                                : "")
              << "findings in " << a.out << "\n";
  gStop = false;
  std::signal(SIGINT, onInterrupt);
  harness::Progress progress;
  const auto stats = gen::runCampaign(interps, ctx, oo, co, gStop, progress);
  std::signal(SIGINT, SIG_DFL);

  long unique = 0, errors = 0;
  for (size_t i = 0; i < interps.size(); ++i) {
    const gen::CampaignStats& st = stats[i];
    if (a.bench) {
      std::cout << (a.legacy ? "fuzz-legacy "
                    : a.capi ? "fuzz-capi "
                             : "fuzz ")
                << interps[i].id << ": ";
      if (st.cases > 0 && st.skipped == st.cases)  // no rate for cases never run
        std::cout << "n/a (every case skipped: the interpreter lacks what they need)\n";
      else
        std::cout << static_cast<long>(st.steadyRate()) << " scenarios/s (" << a.jobs
                  << (a.jobs == 1 ? " worker" : " workers") << "; start-up " << std::fixed
                  << std::setprecision(1) << st.startSeconds << std::defaultfloat
                  << " s, not counted)\n";
      continue;
    }
    std::cout << st.line(interps[i].id) << "\n";
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
    // How often each model rule decided for a generated tool: what the campaign reached.
    for (size_t i = 0; i < interps.size(); ++i) printRules(interps[i], stats[i]);
  }
  if (gStop) {
    std::cout << "interrupted: kept every finding written so far in " << a.out
              << " (monsim fuzz --resume -o " << a.out << " continues it)\n";
    return kExitInterrupted;
  }
  if (errors) return kExitUsage;
  return unique && !a.bench ? kExitFailures : kExitClean;
}

struct MergeArgs {
  std::vector<std::string> dirs;
  std::string out;
};

// monsim fuzz merge: shards' output folders as one campaign.
int merge(const MergeArgs& m) {
  const gen::MergeResult r = gen::mergeCampaigns(m.dirs, m.out);
  if (!r.error.empty()) {
    std::cerr << "monsim fuzz merge: " << r.error << "\n";
    return kExitUsage;
  }
  const gen::CampaignSummary& s = r.merged;
  std::cout << "merged " << s.shardsHeld.size() << " of " << s.shards
            << " shards of campaign 0x" << std::hex << s.seed << std::dec << " into "
            << m.out << " (" << r.findings << " findings)\n";
  if (!r.missingShards.empty()) {
    std::cout << "missing shards:";
    for (int k : r.missingShards) std::cout << " " << k;
    std::cout << " (their cases are not counted)\n";
  }
  if (!r.unfinishedShards.empty()) {
    std::cout << "stopped shards:";
    for (int k : r.unfinishedShards) std::cout << " " << k;
    std::cout << " (counted as far as they ran; monsim fuzz --resume -o DIR finishes "
                 "each)\n";
  }
  long unique = 0;
  for (const auto& [id, st] : s.interpreters) {
    std::cout << st.line(id) << "\n";
    for (const auto& [sig, n] : st.signatures)
      std::cout << "  " << n << "\tnew\t" << sig << "\n";
    for (const auto& [sig, n] : st.knownSignatures)
      std::cout << "  " << n << "\tknown\t" << sig << "\n";
    unique += static_cast<long>(st.signatures.size());
  }
  return unique ? kExitFailures : kExitClean;
}

}  // namespace

void addFuzz(CLI::App& app) {
  auto a = std::make_shared<FuzzArgs>();
  auto* c = app.add_subcommand(
      "fuzz",
      "Differential fuzzing: generated programs and event-control sequences on the "
      "model vs real interpreters; findings shrunk to minimal scenarios");
  c->add_option("--python", a->python,
                "Interpreter id, version prefix, path or command, or 'all' (default: "
                "all found); one that is not usable stops the run (exit 2)")
      ->take_all();
  c->add_option("--seconds", a->seconds, "Campaign length per interpreter (default 60)")
      ->check(seconds());
  c->add_option("--count", a->count, "Number of scenarios per interpreter")
      ->check(wholeNumber(1));
  c->add_option("--seed", a->seed, "Campaign seed (default: random, printed)")
      ->check(seed());
  c->add_option("--jobs", a->jobs, "Oracle workers per interpreter (default 1)")
      ->check(CLI::Range(1, 64));
  c->add_option("-o,--out", a->out, "Folder for findings (default out/fuzz)");
  c->add_option("--replay", a->replay, "Run one case by its token and report it");
  c->add_option("--shrink-budget", a->shrinkBudget,
                "Runs spent shrinking one finding (default 1000)")
      ->check(wholeNumber(1, std::numeric_limits<int>::max()));
  c->add_flag("--no-shrink", a->noShrink, "Write findings as found");
  c->add_flag("--bench", a->bench, "Only print scenarios/s per interpreter");
  c->add_flag("--unguided", a->unguided,
              "No rule-guided steering: every case plain and unbiased (by default every "
              "other case steers toward the model rules reached least so far, so which "
              "cases run depends on timing; each case's token still regenerates it)");
  c->add_flag("--legacy", a->legacy,
              "Every case installs generated trace or profile functions (sys.settrace, "
              "sys.setprofile) next to its tools");
  c->add_flag("--capi", a->capi,
              "Every case also drives the monitoring C API (3.13+): scopes and fires of "
              "a code-like object among the steps and in callbacks")
      ->excludes("--legacy");
  c->add_flag("--versus", a->versus,
              "Two interpreters against each other, no model: each case's raw event "
              "streams (the probe's) aligned per occurrence; differences deduplicated by "
              "signature and shrunk (exactly two --python)")
      ->excludes("--capi");
  c->add_option_function<bool>(
       "--ignore-offsets", [a](bool) { a->view.offsets = false; },
       "With --versus: compare events without offsets and jump destinations "
       "(versions whose compilers lay out code differently)")
      ->expected(0);
  c->add_option_function<bool>(
       "--branch-as-one", [a](bool) { a->view.branchAsOne = true; },
       "With --versus: BRANCH_LEFT/BRANCH_RIGHT (3.14+) compared as BRANCH (3.12, 3.13)")
      ->expected(0);
  c->add_option("--save-traces", a->saveTraces,
                "Append the traces of agreeing cases to this JSONL file (corpus)");
  c->add_option("--trace-limit", a->traceLimit,
                "Largest corpus record kept by --save-traces, in bytes (default 40000)")
      ->check(wholeNumber(1));
  c->add_option("--max-records", a->maxRecords,
                "Records per trace; a bigger case is counted as too big, not judged "
                "(default 20000)")
      ->check(wholeNumber(1));
  addRunLimits(c, a->limits);
  c->add_option("--shard", a->shard,
                "K/N: run only the case numbers n with n mod N = K (0 <= K < N); the N "
                "shards of one --seed (and --count) are exactly one campaign's cases "
                "(guided steering follows each shard's own counts: --unguided for "
                "shards that equal one run case for case); needs --seed")
      ->check([](const std::string& v) {
        return parseShard(v) ? std::string()
                             : "--shard takes K/N with 0 <= K < N, not " + v;
      });
  c->add_flag("--resume", a->resume,
              "Continue the campaign a killed or interrupted run left in --out: its "
              "seed, count, time, kind, shard and interpreters from its checkpoint "
              "(campaign.json), only the cases it had not finished; counts and findings "
              "end as an uninterrupted run's (--unguided; guided steering depends on "
              "timing)")
      ->excludes("--python", "--seed", "--count", "--seconds", "--legacy", "--capi",
                 "--unguided", "--shard", "--versus", "--replay", "--bench");
  auto m = std::make_shared<MergeArgs>();
  auto* mc = c->add_subcommand(
      "merge",
      "Merge the output folders of a campaign's shards: counts added per interpreter "
      "and signature, findings deduplicated by signature keeping the smallest "
      "reproducer; writes campaign.json, findings.jsonl and the finding files");
  mc->add_option("dirs", m->dirs, "Output folders of the shards (monsim fuzz -o)")
      ->required()
      ->check(CLI::ExistingDirectory);
  mc->add_option("-o,--out", m->out, "Folder for the merged campaign")->required();
  mc->footer(exitFooter("merged; no new finding in any shard",
                        "merged; the shards found new signatures",
                        "a folder is no shard output, the shards are of different "
                        "campaigns, a shard is held twice, or the output cannot be "
                        "written"));
  mc->callback([m] { setExitCode(merge(*m)); });
  c->footer(exitFooter(
      "no new finding (every disagreement found is a known signature)",
      "new findings, written to the output folder (--replay: the case disagrees)",
      "an interpreter asked for is not usable or none was found, a bad replay "
      "token or one whose version no interpreter selected has, or harness errors "
      "(our bug, not a finding)"));
  c->callback([a, mc] {
    if (!mc->parsed()) setExitCode(fuzz(*a));
  });
}

}  // namespace monsim::cli
