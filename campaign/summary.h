#pragma once
// What a campaign ran and found, as one file: campaign.json in its output folder.
// It holds what defines the campaign's case space (seed, count, kind, guidance,
// shard) and the counts per interpreter; `monsim fuzz merge` adds shards up.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "campaign/run.h"

namespace monsim::gen {

inline constexpr const char* kSummaryFile = "campaign.json";

struct CampaignSummary {
  uint64_t seed = 0;
  long count = 0;              // cases per interpreter asked for (0: a time limit)
  std::string kind = "plain";  // caseKindName: "plain" | "hooks" (--legacy) | "capi"
  bool guided = true;
  int shards = 1;
  std::vector<int> shardsHeld;  // which of the shards these counts cover
  std::map<std::string, CampaignStats> interpreters;  // by interpreter id
  // A checkpoint of one shard's run (fuzz --resume reads it): the time limit asked
  // for, whether the run ended uninterrupted, and the cases it finished per
  // interpreter, over which `interpreters` counts exactly.
  double seconds = 0;
  bool finished = true;
  std::map<std::string, CaseSet> done;
};

CampaignSummary summaryOf(const CampaignOptions& o,
                          const std::vector<harness::Interpreter>& interps,
                          const std::vector<CampaignStats>& stats,
                          const std::vector<CaseSet>& done, bool finished);

std::string summaryJson(const CampaignSummary& s);  // pretty, stable key order

// Reads `path`; nullopt with `error` ("PATH: what is wrong") when it is not a
// summary this version wrote.
std::optional<CampaignSummary> readSummary(const std::string& path, std::string& error);

// Writes <dir>/campaign.json (dir created if needed) whole or not at all (a new file
// renamed over the old: a kill leaves the last checkpoint); false when it cannot.
bool writeSummary(const std::string& dir, const CampaignSummary& s);

}  // namespace monsim::gen
