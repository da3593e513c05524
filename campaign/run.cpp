#include "campaign/run.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "campaign/findings.h"
#include "runner/lanes.h"

namespace monsim::gen {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string CampaignStats::line(const std::string& interpreter) const {
  std::ostringstream o;
  o << interpreter << ": " << cases << " scenarios, " << static_cast<long>(rate())
    << "/s, " << divergent << " divergent, " << signatures.size() << " unique";
  if (tooBig) o << ", " << tooBig << " too big";
  if (skipped) o << ", " << skipped << " skipped";
  if (known) o << ", " << known << " known (" << knownSignatures.size() << ")";
  if (harnessErrors) o << ", " << harnessErrors << " harness errors";
  return o.str();
}

void CaseSet::add(long n, int shard, int shards) {
  if (below < shard) below = shard;
  if (n != below) {
    also.insert(n);
    return;
  }
  below += shards;
  while (also.erase(below)) below += shards;
}

namespace {

// What one case adds to its interpreter's counts; true for a new (untriaged) divergence.
bool count(CampaignStats& st, const std::vector<std::string>& tags, const Token& t,
           const CaseRun& r) {
  ++st.cases;
  for (const auto& tag : tags) ++st.tags[tag];
  if (r.check.verdict == harness::Verdict::Skipped) {
    ++st.skipped;
    if (t.capi) st.noCapi = true;
  }
  for (int k = 0; k < kReasonCount; ++k) st.rules[k] += r.check.rules[k];
  if (r.harnessError) {
    ++st.harnessErrors;
  } else if (r.tooBig) {
    ++st.tooBig;
  } else if (r.known) {
    ++st.known;
    ++st.knownSignatures[r.signature];
  } else if (!r.signature.empty()) {
    ++st.divergent;
    ++st.signatures[r.signature];
    return true;
  }
  return false;
}

}  // namespace

std::vector<CampaignStats> runCampaign(const std::vector<harness::Interpreter>& interps,
                                       const harness::CheckContext& ctx,
                                       const harness::OracleOptions& oracle,
                                       const CampaignOptions& a,
                                       const std::atomic<bool>& stop,
                                       harness::Progress& progress) {
  std::mutex mu;
  // `stats` counts a case as soon as it is judged (for steering, deduplication and the
  // status line); `committed` once it is wholly done, its finding written: the counts
  // a checkpoint holds, exact over `done`.
  const bool resumed = !a.earlier.empty();
  std::vector<CampaignStats> stats =
      resumed ? a.earlier : std::vector<CampaignStats>(interps.size());
  std::vector<CampaignStats> committed = stats;
  std::vector<CaseSet> done =
      resumed ? a.earlierDone : std::vector<CaseSet>(interps.size());
  // The signatures whose finding a job has taken on (or the stopped campaign wrote): a
  // signature counted by a checkpoint may still lack its finding, whose case was being
  // shrunk, not done, when the run stopped; resumed, that case claims it again.
  std::vector<std::set<std::string>> claimed = a.written;
  claimed.resize(interps.size());
  std::vector<long> next(interps.size(), 0);
  double before = 0;  // seconds the stopped campaign ran
  for (const CampaignStats& st : stats) before = std::max(before, st.seconds);
  std::ofstream traces;
  if (!a.saveTraces.empty()) {
    const fs::path parent = fs::path(a.saveTraces).parent_path();
    fs::create_directories(parent.empty() ? fs::path(".") : parent);
    traces.open(a.saveTraces, std::ios::app);
  }
  harness::CheckContext runCtx = ctx;
  runCtx.keepTraces = runCtx.keepTraceJson = traces.is_open();
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::milliseconds(static_cast<long>((a.seconds - before) * 1000));
  auto over = [&] { return stop || (a.seconds > 0 && Clock::now() >= deadline); };

  std::vector<harness::Lane> lanes;
  std::vector<std::optional<PyVersion>> versions;
  for (size_t i = 0; i < interps.size(); ++i) {
    versions.push_back(parseVersion(interps[i].version));
    harness::Lane lane;
    lane.interpreter = &interps[i];
    // This shard's k-th case is the campaign's case number shard + k * shards.
    lane.next = [&, i]() -> std::optional<size_t> {
      for (;;) {
        const long n = a.shard + next[i] * a.shards;
        if (!versions[i] || over() || (a.count > 0 && n >= a.count)) return std::nullopt;
        ++next[i];
        std::lock_guard<std::mutex> lock(mu);
        if (!done[i].has(n)) return size_t(n);
      }
    };
    lane.remaining = [&, i] {
      const long n = a.shard + next[i] * a.shards;
      return a.count <= 0   ? SIZE_MAX
             : n >= a.count ? size_t(0)
                            : size_t((a.count - n + a.shards - 1) / a.shards);
    };
    lanes.push_back(std::move(lane));
  }
  auto elapsed = [&] {
    return before + std::chrono::duration<double>(Clock::now() - start).count();
  };
  auto status = [&] {
    std::string all;
    for (size_t i = 0; i < interps.size(); ++i) {
      stats[i].seconds = elapsed();
      all += (i ? " | " : "") + stats[i].line(interps[i].id);
    }
    return all;
  };
  auto checkpoint = [&](bool finished) {
    if (!a.checkpoint) return;
    std::vector<CampaignStats> snapshot;
    std::vector<CaseSet> doneNow;
    {
      std::lock_guard<std::mutex> lock(mu);
      snapshot = committed;
      doneNow = done;
    }
    for (auto& st : snapshot) st.seconds = elapsed();
    a.checkpoint(snapshot, doneNow, finished);
  };
  std::atomic<bool> finished{false};
  std::thread ticker([&] {
    for (int tick = 1; !finished; ++tick) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (!a.findings || tick % 5) continue;  // once a second; bench: no status line
      std::string line;
      {
        std::lock_guard<std::mutex> lock(mu);
        line = status();
      }
      progress.status(line);
      checkpoint(false);
    }
  });

  // A case made ready: its token (guided steering decides it then, from the counts of
  // the cases judged so far), its generated case and its loaded scenario.
  struct Ready {
    FuzzCase fc;
    PreparedCase prepared;
  };
  auto ready = [&](size_t i, size_t n) {
    Token t;
    t.version = *versions[i];
    t.hooks = a.hooks;
    t.capi = a.capi;
    t.seed = caseSeed(a.seed, static_cast<uint64_t>(n));
    if (a.guided) {
      std::lock_guard<std::mutex> lock(mu);
      const RuleReach to =
          steer(stats[i].rules, t.version, n, !stats[i].noCapi && !a.hooks);
      t.focus = to.focus;
      if (!a.hooks && !a.capi) {
        t.hooks = to.kind == CaseKind::Hooks;
        t.capi = to.kind == CaseKind::Capi;
      }
    }
    FuzzCase fc = caseAt(t).value();
    PreparedCase p = prepareCase(fc, t);
    return Ready{std::move(fc), std::move(p)};
  };
  // The next case of a thread's lane, made ready while the case before it runs, so
  // that its runs are written to the worker ahead (one case earlier, guided steering
  // decides it from one case fewer; its token still replays it).
  std::map<std::pair<size_t, size_t>, Ready> readyAhead;

  // Workers are started as they are made, and how long that took is kept.
  std::vector<double> startSeconds(interps.size(), 0);
  const harness::OracleFactory live = harness::liveOracles(oracle);
  auto make = [&](const harness::Interpreter& in) {
    std::unique_ptr<harness::Oracle> w = live(in);
    const auto t0 = Clock::now();
    w->hello();  // a worker that does not start says so at its first run
    const double took = std::chrono::duration<double>(Clock::now() - t0).count();
    std::lock_guard<std::mutex> lock(mu);
    for (size_t i = 0; i < interps.size(); ++i)
      if (&interps[i] == &in) startSeconds[i] = std::max(startSeconds[i], took);
    return w;
  };

  checkpoint(false);  // at once: a reused folder's old checkpoint is not this campaign's
  harness::runLanes(
      lanes, a.jobs * int(interps.size()), make,
      [&](size_t i, size_t n, harness::Oracle* w, std::optional<size_t> after) {
        if (over()) return;  // taken ahead, not begun: not done, a resumed run has it
        const auto& in = interps[i];
        std::optional<Ready> mine;
        {
          std::lock_guard<std::mutex> lock(mu);
          if (auto it = readyAhead.find({i, n}); it != readyAhead.end()) {
            mine = std::move(it->second);
            readyAhead.erase(it);
          }
        }
        if (!mine) mine = ready(i, n);
        if (after && mine->prepared.scenario &&
            harness::prefetchRuns(*mine->prepared.scenario, *w, runCtx)) {
          Ready next = ready(i, *after);
          if (next.prepared.scenario)
            harness::prefetchRuns(*next.prepared.scenario, *w, runCtx);
          std::lock_guard<std::mutex> lock(mu);
          readyAhead.emplace(std::make_pair(i, *after), std::move(next));
        }
        const Token t = mine->prepared.token;
        const FuzzCase& fc = mine->fc;
        CaseRun r = runPrepared(std::move(mine->prepared), *w, runCtx);
        std::vector<std::string> tags = caseTags(fc, *versions[i]);
        tags.push_back(std::string("focus:") + std::string(focusName(t.focus)));
        tags.push_back("kind:" + std::string(caseKindName(caseKindOf(t.hooks, t.capi))));
        bool fresh = false;
        // Commits the case: then, and only then, a checkpoint counts it as done.
        auto commit = [&] {
          std::lock_guard<std::mutex> lock(mu);
          count(committed[i], tags, t, r);
          done[i].add(static_cast<long>(n), a.shard, a.shards);
        };
        {
          std::lock_guard<std::mutex> lock(mu);
          fresh = count(stats[i], tags, t, r) && claimed[i].insert(r.signature).second;
          if (r.harnessError)
            progress.say("harness error on " + in.id + " (" + reproduceCommand(in, t) +
                         "): " + r.check.reason + "\n");
          if (traces.is_open() && r.signature.empty() &&
              !r.check.traceOn.json.is_null()) {
            const std::string line =
                nlohmann::json{
                    {"token", t.str()},           {"interpreter", in.id},
                    {"version", in.version},      {"yaml", r.yaml},
                    {"on", r.check.traceOn.json}, {"off", r.check.traceOff.json}}
                    .dump();
            if (line.size() <= a.traceLimit) traces << line << "\n";  // keep it small
          }
        }
        if (!fresh || !a.findings) return commit();
        Shrunk s{t, fc, r, 0, true};
        if (a.shrink) s = shrinkCase(t, r, *w, runCtx, a.shrinkBudget, &stop);
        // Stopped mid-shrink: kept as far as it got, but the case is not done, so a
        // resumed campaign runs and shrinks it again.
        const bool cut = stop && !s.complete;
        {
          std::lock_guard<std::mutex> lock(mu);
          const std::string id = writeFinding(a.out, in, s, r.signature, cut);
          progress.say("finding on " + in.id + ": " + r.signature + "\n  " + a.out + "/" +
                       id + ".{yaml,py,txt}  (" + std::to_string(s.evaluations) +
                       " shrink runs; replay: " + reproduceCommand(in, s.token) + ")\n");
        }
        if (!cut) commit();
      });
  finished = true;
  ticker.join();
  progress.clear();
  checkpoint(!stop);
  for (size_t i = 0; i < stats.size(); ++i) {
    stats[i].seconds = elapsed();
    stats[i].startSeconds = startSeconds[i];
  }
  return stats;
}

}  // namespace monsim::gen
