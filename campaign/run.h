#pragma once
// A differential campaign over interpreters on the shared task pool: generated
// cases by number from one seed, each run and judged (campaign.h), findings
// deduplicated per interpreter by signature, shrunk and written (findings.h).
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "campaign/campaign.h"
#include "interpreter/discovery.h"
#include "runner/progress.h"

namespace monsim::gen {

// The case numbers of one shard a campaign has finished: every one below `below`, and
// `also` (finished out of order by parallel jobs). What a resumed campaign skips.
struct CaseSet {
  long below = 0;
  std::set<long> also;
  bool has(long n) const { return n < below || also.count(n); }
  void add(long n, int shard, int shards);  // n: a case number of that shard
};

struct CampaignStats;

// A campaign's counts so far, each interpreter's exactly over the cases in its `done`
// set (a case counts once its finding, if any, is written); `finished`: the run was
// not interrupted.
using Checkpoint = std::function<void(const std::vector<CampaignStats>& stats,
                                      const std::vector<CaseSet>& done, bool finished)>;

struct CampaignOptions {
  uint64_t seed = 0;
  double seconds = 60;  // per campaign; 0: until `count`
  long count = 0;       // cases per interpreter; 0: until `seconds`
  int jobs = 1;         // oracle workers per interpreter
  std::string out = "out/fuzz";
  int shrinkBudget = 1000;
  bool shrink = true;
  bool findings = true;    // false (bench): only count, write nothing
  std::string saveTraces;  // corpus file for agreeing cases, "" for none
  size_t traceLimit = 40000;
  bool hooks = false;  // every case has trace or profile functions (fuzz --legacy)
  bool capi = false;   // every case drives the C API (fuzz --capi, 3.13+)
  // Rule-guided (generators/focus.h steer): every other case steers toward the rules
  // reached least so far; with --legacy or --capi only the focus is steered.
  bool guided = true;
  // Shard `shard` of `shards` runs the case numbers n ≡ shard (mod shards) of the
  // campaign: the shards of one seed (and count) are exactly one campaign's cases.
  int shard = 0, shards = 1;
  // Called about once a second and at the end (not in bench runs).
  Checkpoint checkpoint;
  // A resumed campaign (fuzz --resume): what the stopped one counted and finished, per
  // interpreter (empty: a new campaign), and the signatures whose findings it wrote
  // (not written again; one it counted without a finding is written when found).
  std::vector<CampaignStats> earlier;
  std::vector<CaseSet> earlierDone;
  std::vector<std::set<std::string>> written;
};

struct CampaignStats {
  long cases = 0, divergent = 0, known = 0, tooBig = 0, harnessErrors = 0;
  long skipped = 0;     // the interpreter lacked what the case needs (its C API, say)
  bool noCapi = false;  // a C API case was skipped: steer no more of them here
  std::map<std::string, long> knownSignatures;  // cases per triaged signature
  std::map<std::string, long>
      signatures;                    // cases per new one (each written as a finding)
  std::map<std::string, long> tags;  // caseTags distribution
  std::array<long, kReasonCount>
      rules{};  // decisions per model rule (CheckResult::rules)
  double seconds = 0;
  // The longest start-up of one of its workers (to its hello) in this run: a campaign
  // pays it once, however long it runs, so the bench's per-worker rate leaves it out.
  double startSeconds = 0;
  double rate() const { return seconds > 0 ? cases / seconds : 0; }
  double steadyRate() const {
    return seconds > startSeconds ? cases / (seconds - startSeconds) : 0;
  }
  std::string line(const std::string& interpreter) const;  // one-line summary
};

// Runs until the deadline, the count or `stop`; returns the stats per interpreter.
std::vector<CampaignStats> runCampaign(const std::vector<harness::Interpreter>& interps,
                                       const harness::CheckContext& ctx,
                                       const harness::OracleOptions& oracle,
                                       const CampaignOptions& options,
                                       const std::atomic<bool>& stop,
                                       harness::Progress& progress);

}  // namespace monsim::gen
