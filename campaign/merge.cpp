#include "campaign/merge.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "campaign/findings.h"

namespace monsim::gen {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void add(CampaignStats& into, const CampaignStats& st) {
  into.cases += st.cases;
  into.divergent += st.divergent;
  into.known += st.known;
  into.tooBig += st.tooBig;
  into.skipped += st.skipped;
  into.harnessErrors += st.harnessErrors;
  into.seconds = std::max(into.seconds, st.seconds);  // shards run side by side
  for (const auto& [k, n] : st.signatures) into.signatures[k] += n;
  for (const auto& [k, n] : st.knownSignatures) into.knownSignatures[k] += n;
  for (const auto& [k, n] : st.tags) into.tags[k] += n;
  for (int r = 0; r < kReasonCount; ++r) into.rules[r] += st.rules[r];
}

// One finding of one folder and how it ranks as a reproducer (smaller first).
struct Finding {
  std::string dir, id, line;
  uintmax_t yamlBytes = 0;
  bool minimal = false;
  std::string token;
  auto rank() const { return std::tuple(yamlBytes, !minimal, token); }
};

// A folder's findings.jsonl; "" or the first problem, with its line.
std::string readFindings(const std::string& dir,
                         std::map<std::pair<std::string, std::string>, Finding>& best) {
  std::string error;
  for (const FindingRecord& r : readFindingRecords(dir, error)) {
    Finding fd;
    fd.dir = dir;
    fd.id = r.id;
    fd.line = r.line;
    std::error_code ec;
    fd.yamlBytes = fs::file_size(dir + "/" + fd.id + ".yaml", ec);
    if (ec) return dir + "/findings.jsonl: its scenario " + fd.id + ".yaml is missing";
    fd.minimal = r.minimal;
    fd.token = r.token;
    const auto key = std::pair(r.interpreter, r.signature);
    const auto it = best.find(key);
    if (it == best.end() || fd.rank() < it->second.rank()) best[key] = fd;
  }
  return error;
}

// The first way `s` is not a shard of the campaign `first` describes, or "".
std::string mismatch(const CampaignSummary& first, const CampaignSummary& s) {
  if (s.seed != first.seed) return "another seed";
  if (s.count != first.count) return "another --count";
  if (s.kind != first.kind) return "another kind of case (" + s.kind + ")";
  if (s.guided != first.guided) return "another guidance (--unguided)";
  if (s.shards != first.shards) return "another number of shards";
  return "";
}

}  // namespace

MergeResult mergeCampaigns(const std::vector<std::string>& dirs, const std::string& out) {
  MergeResult r;
  if (dirs.empty()) {
    r.error = "no folder to merge";
    return r;
  }
  for (const std::string& d : dirs) {
    std::error_code same;
    if (fs::equivalent(d, out, same)) {
      r.error = out + " is one of the folders merged: name a new folder with -o";
      return r;
    }
  }
  std::map<int, std::string> held;  // shard -> the folder that holds it
  std::map<std::pair<std::string, std::string>, Finding> best;
  for (size_t i = 0; i < dirs.size(); ++i) {
    const std::optional<CampaignSummary> s =
        readSummary(dirs[i] + "/" + kSummaryFile, r.error);
    if (!s) return r;
    if (i == 0) {
      r.merged = *s;
      r.merged.shardsHeld.clear();
      r.merged.interpreters.clear();
      r.merged.done.clear();  // case numbers of one shard's run: not the merged one's
    } else if (const std::string why = mismatch(r.merged, *s); !why.empty()) {
      r.error = dirs[i] + " is not a shard of the campaign in " + dirs[0] + ": " + why;
      return r;
    }
    r.merged.finished = r.merged.finished && s->finished;
    for (int k : s->shardsHeld) {
      if (!s->finished) r.unfinishedShards.push_back(k);
      if (const auto [it, fresh] = held.emplace(k, dirs[i]); !fresh) {
        r.error = dirs[i] + " and " + it->second + " both hold shard " +
                  std::to_string(k) + ": its cases would count twice";
        return r;
      }
      r.merged.shardsHeld.push_back(k);
    }
    for (const auto& [id, st] : s->interpreters) add(r.merged.interpreters[id], st);
    if (r.error = readFindings(dirs[i], best); !r.error.empty()) return r;
  }
  std::sort(r.merged.shardsHeld.begin(), r.merged.shardsHeld.end());
  for (int k = 0; k < r.merged.shards; ++k)
    if (!held.count(k)) r.missingShards.push_back(k);

  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) {
    r.error = out + ": " + ec.message();
    return r;
  }
  std::vector<const Finding*> kept;
  for (const auto& [key, fd] : best) kept.push_back(&fd);
  std::sort(kept.begin(), kept.end(),
            [](const Finding* a, const Finding* b) { return a->id < b->id; });
  std::ofstream lines(out + "/findings.jsonl");
  for (const Finding* fd : kept) {
    for (const char* ext : {".yaml", ".py", ".txt"}) {
      const fs::path from = fs::path(fd->dir) / (fd->id + ext);
      if (fs::exists(from))
        fs::copy_file(from, fs::path(out) / (fd->id + ext),
                      fs::copy_options::overwrite_existing, ec);
      if (ec) {
        r.error = from.string() + ": " + ec.message();
        return r;
      }
    }
    lines << fd->line << "\n";
    ++r.findings;
  }
  if (!lines || !writeSummary(out, r.merged)) r.error = out + ": cannot be written";
  return r;
}

}  // namespace monsim::gen
