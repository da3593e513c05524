#include "model/code_instrumentation.h"

#include <bit>

#include "model/mutant.h"

namespace monsim {
namespace {

constexpr int kLine = 5;  // bit numbers of LINE and INSTRUCTION in every version
constexpr int kInstruction = 6;
static_assert([] {
  for (const VersionProfile& p : kProfiles)
    if (p.bitOf(Event::Line) != kLine || p.bitOf(Event::Instruction) != kInstruction)
      return false;
  return true;
}());

uint8_t toolsWith(const std::array<EventSet, kDispatchToolCount>& sets, int bit) {
  uint8_t m = 0;
  for (int t = 0; t < kDispatchToolCount; ++t)
    if (sets[t].has(bit)) m |= uint8_t(1u << t);
  return m;
}

}  // namespace

template <class F>
void CodeInstrumentation::forEachSite(int bit, F&& f) {
  f(base_[bit]);
  for (SiteEntry& e : sites_[bit])
    if (e & kSiteMaterialized) f(e);
}

void CodeInstrumentation::recomputeLocalTools() {
  for (int b = 0; b < 32; ++b) localTools_[b] = toolsWith(local_, b);
}

void CodeInstrumentation::setLocal(const VersionProfile& p,
                                   const InstrumentationGlobals& g, ToolId t,
                                   EventSet s) {
  // F7: toolver is refreshed before the compare, so re-setting a stale set revives it.
  if (p.toolsClearable()) toolVersion_[t.value] = g.toolVersion[t.value];
  if (local_[t.value] == s) return;
  local_[t.value] = s;
  recomputeLocalTools();
  reinstrument(p, g);  // only this code, forced
}

void CodeInstrumentation::clearLocalBit(ToolId t, int bit) {
  local_[t.value] = local_[t.value].without(EventSet::bit(bit));
  recomputeLocalTools();
}

void CodeInstrumentation::reinstrument(const VersionProfile& p,
                                       const InstrumentationGlobals& g) {
  // 1. 3.14+: local sets of a cleared tool are dropped (stale, FINDINGS F7).
  if (p.toolsClearable()) {
    bool dropped = false;
    for (int t = 0; t < kDispatchToolCount; ++t) {
      if (toolVersion_[t] == g.toolVersion[t]) continue;
      toolVersion_[t] = g.toolVersion[t];
      dropped |= !local_[t].empty();
      local_[t] = EventSet();
    }
    if (dropped) recomputeLocalTools();
  }
  // 2. new[e] over the per-site events.
  // 3.15's local exception events (F5) count towards `multi` too, as every local
  // event does in CPython: two tools on PY_UNWIND make the code multi-tool, so a
  // later tool no longer triggers the F4 INSTRUCTION drop (found by monsim fuzz).
  const uint32_t siteBits = p.siteEvents().bits();
  std::array<uint8_t, kMaxSiteEvents> fresh{};
  std::array<EventSet, kDispatchToolCount> unionSets{};
  for (int t = 0; t < kDispatchToolCount; ++t)
    unionSets[t] = mutant(Mutant::LocalOverridesGlobal) && !local_[t].empty()
                       ? local_[t]
                       : g.global[t] | local_[t];
  bool multi = false;
  for (int b = 0; b < kMaxSiteEvents; ++b) {
    if (!((siteBits >> b) & 1u)) continue;
    fresh[b] = toolsWith(unionSets, b);
    multi |= std::popcount(fresh[b]) >= 2;
  }
  const uint32_t nonSiteBits = p.localNonSiteEvents().bits();
  for (int b = 0; b < 32; ++b)
    if ((nonSiteBits >> b) & 1u) multi |= std::popcount(toolsWith(unionSets, b)) >= 2;
  multiTool_ |= multi;
  unwindTools_ = toolsWith(unionSets, p.bitOf(Event::PyUnwind));
  // 3. A pending restart resets every site from scratch.
  const bool restart = mutant(Mutant::ReinstrumentRevives) ||
                       (g.restartVersion > version_ && !mutant(Mutant::RestartNoRevive));
  // 4. First single→multi-tool transition quirks (FINDINGS F3 LINE, F4 INSTRUCTION).
  if (multi && fresh[kLine] && !lineAlloc_ && !mutant(Mutant::LineQuirkMissing)) {
    forEachSite(kLine, [&](SiteEntry& e) {
      e = SiteEntry((e & (kSiteUnarmed | kSiteMaterialized)) | fresh[kLine]);
    });
    lineAlloc_ = true;
  }
  if (multi && fresh[kInstruction] && !instrAlloc_ &&
      !mutant(Mutant::InstructionQuirkMissing)) {
    instructionOpcodesLeft_ = active_[kInstruction] != 0;
    forEachSite(kInstruction, [&](SiteEntry& e) {
      e = SiteEntry(e & (kSiteUnarmed | kSiteMaterialized));
    });
    instrAlloc_ = true;
  }
  // 5. Apply the diffs to every site.
  for (int b = 0; b < kMaxSiteEvents; ++b) {
    if (!((siteBits >> b) & 1u)) continue;
    const uint8_t removed = restart ? active_[b] : uint8_t(active_[b] & ~fresh[b]);
    const uint8_t added = restart ? fresh[b] : uint8_t(fresh[b] & ~active_[b]);
    // Mutant: joining tools skip the sites a DISABLE touched.
    const bool skipTouched = !restart && mutant(Mutant::RejoinNoRevive);
    if (b == kInstruction && removed) instructionOpcodesLeft_ = false;
    if (b == kLine || b == kInstruction) {
      forEachSite(b, [&](SiteEntry& e) {
        SiteEntry tools = SiteEntry(e & kSiteToolBits & ~removed);
        SiteEntry flags = SiteEntry(e & (kSiteUnarmed | kSiteMaterialized));
        if (tools == 0) flags |= kSiteUnarmed;
        if (added && !(skipTouched && (e & kSiteMaterialized))) {
          tools |= added;
          flags = SiteEntry(flags & ~kSiteUnarmed);
        }
        e = SiteEntry(flags | tools);
      });
    } else if (removed | added) {
      forEachSite(b, [&](SiteEntry& e) {
        const bool skip = skipTouched && (e & kSiteMaterialized);
        e = SiteEntry((e & ~removed) | (skip ? 0 : added));
      });
    }
  }
  // 6.
  active_ = fresh;
  version_ = g.version;
}

void CodeInstrumentation::disableAt(ToolId t, int bit, int32_t offset) {
  if (mutant(Mutant::DisablePerCode)) {
    forEachSite(bit, [&](SiteEntry& e) {
      e = SiteEntry(e & ~(1u << t.value));
      if ((bit == kLine || bit == kInstruction) && (e & kSiteToolBits) == 0)
        e |= kSiteUnarmed;
    });
    return;
  }
  std::vector<SiteEntry>& v = sites_[bit];
  const auto i = static_cast<uint32_t>(offset);
  if (i >= v.size()) v.resize(i + 1, 0);
  SiteEntry e =
      (v[i] & kSiteMaterialized) ? v[i] : SiteEntry(base_[bit] | kSiteMaterialized);
  e = SiteEntry(e & ~(1u << t.value));
  if ((bit == kLine || bit == kInstruction) && (e & kSiteToolBits) == 0)
    e |= kSiteUnarmed;
  v[i] = e;
}

}  // namespace monsim
