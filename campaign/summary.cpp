#include "campaign/summary.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "model/explain.h"

namespace monsim::gen {
namespace {

using nlohmann::json;
constexpr const char* kFormat = "monsim-campaign/1";

struct Bad : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The member `key` of `j` with the JSON type `is` checks; names what is wrong.
const json& member(const json& j, const char* key, bool (json::*is)() const,
                   const char* what) {
  const auto it = j.find(key);
  if (it == j.end()) throw Bad(std::string("'") + key + "' is missing");
  if (!((*it).*is)()) throw Bad(std::string("'") + key + "' is not " + what);
  return *it;
}
long integer(const json& j, const char* key) {
  return member(j, key, &json::is_number_integer, "an integer").get<long>();
}
std::map<std::string, long> counts(const json& j, const char* key) {
  std::map<std::string, long> out;
  for (const auto& [k, v] : member(j, key, &json::is_object, "an object").items()) {
    if (!v.is_number_integer())
      throw Bad(std::string("'") + key + "." + k + "' is not an integer");
    out[k] = v.get<long>();
  }
  return out;
}

json statsJson(const CampaignStats& st) {
  json rules = json::object();
  for (int r = 0; r < kReasonCount; ++r)
    rules[std::string(reasonName(static_cast<Reason>(r)))] = st.rules[r];
  return json{{"cases", st.cases},
              {"divergent", st.divergent},
              {"known", st.known},
              {"too_big", st.tooBig},
              {"skipped", st.skipped},
              {"harness_errors", st.harnessErrors},
              {"seconds", st.seconds},
              {"signatures", st.signatures},
              {"known_signatures", st.knownSignatures},
              {"tags", st.tags},
              {"rules", rules}};
}

CampaignStats statsFrom(const json& j) {
  CampaignStats st;
  st.cases = integer(j, "cases");
  st.divergent = integer(j, "divergent");
  st.known = integer(j, "known");
  st.tooBig = integer(j, "too_big");
  st.skipped = integer(j, "skipped");
  st.harnessErrors = integer(j, "harness_errors");
  st.seconds = member(j, "seconds", &json::is_number, "a number").get<double>();
  st.signatures = counts(j, "signatures");
  st.knownSignatures = counts(j, "known_signatures");
  st.tags = counts(j, "tags");
  for (const auto& [name, n] : counts(j, "rules")) {
    int r = 0;
    while (r < kReasonCount && reasonName(static_cast<Reason>(r)) != name) ++r;
    if (r == kReasonCount)
      throw Bad("'rules." + name + "' is no model rule of this monsim");
    st.rules[r] = n;
  }
  return st;
}

}  // namespace

CampaignSummary summaryOf(const CampaignOptions& o,
                          const std::vector<harness::Interpreter>& interps,
                          const std::vector<CampaignStats>& stats,
                          const std::vector<CaseSet>& done, bool finished) {
  CampaignSummary s;
  s.seconds = o.seconds;
  s.finished = finished;
  for (size_t i = 0; i < interps.size() && i < done.size(); ++i)
    s.done[interps[i].id] = done[i];
  s.seed = o.seed;
  s.count = o.count;
  s.kind = caseKindName(caseKindOf(o.hooks, o.capi));
  s.guided = o.guided;
  s.shards = o.shards;
  s.shardsHeld = {o.shard};
  for (size_t i = 0; i < interps.size() && i < stats.size(); ++i)
    s.interpreters[interps[i].id] = stats[i];
  return s;
}

std::string summaryJson(const CampaignSummary& s) {
  std::ostringstream seed;
  seed << "0x" << std::hex << s.seed;
  json interps = json::object();
  for (const auto& [id, st] : s.interpreters) interps[id] = statsJson(st);
  json j{{"format", kFormat},
         {"seed", seed.str()},
         {"count", s.count},
         {"kind", s.kind},
         {"guided", s.guided},
         {"shards", s.shards},
         {"shards_held", s.shardsHeld},
         {"interpreters", interps},
         {"seconds", s.seconds},
         {"finished", s.finished}};
  json done = json::object();
  for (const auto& [id, d] : s.done) done[id] = {{"below", d.below}, {"also", d.also}};
  if (!s.done.empty()) j["done"] = done;
  return j.dump(2) + "\n";
}

std::optional<CampaignSummary> readSummary(const std::string& path, std::string& error) {
  std::ifstream f(path);
  if (!f) {
    error = path +
            ": cannot be read (not a monsim fuzz output folder, or its campaign "
            "did not finish)";
    return std::nullopt;
  }
  try {
    const json j = json::parse(f);
    if (!j.is_object() || j.value("format", "") != kFormat)
      throw Bad(std::string("not a campaign summary (\"format\": \"") + kFormat + "\")");
    CampaignSummary s;
    try {
      s.seed = std::stoull(
          member(j, "seed", &json::is_string, "a string").get<std::string>(), nullptr, 0);
    } catch (const std::logic_error&) {  // stoull: not a number, or out of range
      throw Bad("'seed' is not a 64-bit number");
    }
    s.count = integer(j, "count");
    s.kind = member(j, "kind", &json::is_string, "a string").get<std::string>();
    s.guided = member(j, "guided", &json::is_boolean, "a boolean").get<bool>();
    s.shards = static_cast<int>(integer(j, "shards"));
    for (const auto& k : member(j, "shards_held", &json::is_array, "an array")) {
      if (!k.is_number_integer() || k.get<int>() < 0 || k.get<int>() >= s.shards)
        throw Bad("'shards_held' holds " + k.dump() + ", not a shard of " +
                  std::to_string(s.shards));
      s.shardsHeld.push_back(k.get<int>());
    }
    // A checkpoint's fields (optional: summaries merged or written before them).
    if (j.contains("seconds"))
      s.seconds = member(j, "seconds", &json::is_number, "a number").get<double>();
    if (j.contains("finished"))
      s.finished = member(j, "finished", &json::is_boolean, "a boolean").get<bool>();
    if (j.contains("done"))
      for (const auto& [id, d] :
           member(j, "done", &json::is_object, "an object").items()) {
        CaseSet set;
        set.below = integer(d, "below");
        for (const auto& n : member(d, "also", &json::is_array, "an array")) {
          if (!n.is_number_integer())
            throw Bad("'done." + id + ".also' holds " + n.dump());
          set.also.insert(n.get<long>());
        }
        s.done[id] = std::move(set);
      }
    for (const auto& [id, st] :
         member(j, "interpreters", &json::is_object, "an object").items()) {
      try {
        s.interpreters[id] = statsFrom(st);
      } catch (const Bad& e) {
        throw Bad("interpreters." + id + ": " + e.what());
      }
    }
    return s;
  } catch (const json::exception& e) {
    error = path + ": " + e.what();
  } catch (const Bad& e) {
    error = path + ": " + e.what();
  }
  return std::nullopt;
}

bool writeSummary(const std::string& dir, const CampaignSummary& s) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string path = dir + "/" + kSummaryFile, tmp = path + ".tmp";
  {
    std::ofstream f(tmp);
    f << summaryJson(s);
    if (!f.flush()) return false;
  }
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

}  // namespace monsim::gen
