#pragma once
// `monsim fuzz merge`: the output folders of a campaign's shards as one campaign.
// Counts are added per interpreter and signature; findings are deduplicated by
// (interpreter, signature), keeping the smallest reproducer (fewest bytes of
// scenario YAML; then a minimal one; then the first token in order).
#include <string>
#include <vector>

#include "campaign/summary.h"

namespace monsim::gen {

struct MergeResult {
  std::string error;  // non-empty: nothing was written (bad or inconsistent input)
  CampaignSummary merged;
  std::vector<int> missingShards;     // shards of the campaign no folder held
  std::vector<int> unfinishedShards;  // held, but their run was stopped (--resume it)
  long findings = 0;                  // findings written to the output folder
};

// Reads every folder's campaign.json and findings, checks that they are shards of
// one campaign (same seed, count, kind, guidance and shard count; no shard twice),
// and writes the merged campaign.json, findings.jsonl and finding files to `out`.
MergeResult mergeCampaigns(const std::vector<std::string>& dirs, const std::string& out);

}  // namespace monsim::gen
