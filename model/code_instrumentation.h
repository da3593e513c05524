#pragma once
// Per-code instrumentation and DISABLE lifetime (behaviour §9.1, §10.1–§10.2,
// §10.8, §11.1, §11.5; FINDINGS F1–F4, F7). A DISABLE removes a tool from one site's tool
// set; only the diffs applied by a re-instrumentation of the code change those
// sets again (FINDINGS F2 `reinstrument`).
// Departs from docs: "DISABLE … until restart_events()" — DISABLEd sites also
// come back when a re-instrumentation sees the tool leave and re-enter (F1).
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "model/event_set.h"
#include "model/for_iter.h"
#include "model/ids.h"
#include "model/version_profile.h"

namespace monsim {

// Site entry: bits 0–7 tool set, bit 8 materialised, bit 9 unarmed. Only
// LINE/INSTRUCTION sites are ever unarmed (CPython's line/instruction arming).
using SiteEntry = uint16_t;
inline constexpr SiteEntry kSiteToolBits = kAllDispatchTools;
inline constexpr SiteEntry kSiteMaterialized = 0x100;
inline constexpr SiteEntry kSiteUnarmed = 0x200;
inline constexpr int kMaxSiteEvents = 16;  // site events have numbers < 16

// Interpreter-wide values reinstrument() reads (FINDINGS F2 "global").
struct InstrumentationGlobals {
  std::array<EventSet, kDispatchToolCount> global{};  // G[t]
  std::array<uint64_t, kDispatchToolCount> toolVersion{};
  int64_t version = 0;         // V
  int64_t restartVersion = 0;  // R
};

// State of one code object. Sites never touched by a DISABLE are not stored:
// they all equal base_[e], which evolves by the same diffs as stored sites.
class CodeInstrumentation {
 public:
  // L[c][t], raw (3.14+: may be stale until the next reinstrument, FINDINGS F7).
  EventSet localSet(ToolId t) const { return local_[t.value]; }
  // set_local_events after validation (F2 trigger): 3.14+ revalidates t's local
  // set first (F7), then a changed set is stored and the code re-instrumented.
  void setLocal(const VersionProfile& p, const InstrumentationGlobals& g, ToolId t,
                EventSet s);
  // 3.15 local exception events (F5): DISABLE clears t's local bit on this code.
  void clearLocalBit(ToolId t, int bit);
  // Tools with `bit` in their (non-stale) local set, for non-site local events.
  uint8_t localTools(int bit) const { return localTools_[bit]; }

  // FINDINGS F2 reinstrument(c).
  void reinstrument(const VersionProfile& p, const InstrumentationGlobals& g);
  bool upToDate(const InstrumentationGlobals& g) const { return version_ == g.version; }

  // Tools that fire at `offset` for site event `bit` (LINE/INSTRUCTION: if armed).
  uint8_t siteTools(int bit, int32_t offset) const {
    const std::vector<SiteEntry>& v = sites_[bit];
    const SiteEntry e =
        (static_cast<uint32_t>(offset) < v.size() && (v[offset] & kSiteMaterialized))
            ? v[offset]
            : base_[bit];
    return (e & kSiteUnarmed) ? 0 : uint8_t(e & kSiteToolBits);
  }
  // The code has had two tools on one event: CPython keeps per-instruction tool sets
  // from then on (sticky). Before, an instrumented instruction fires for the code's
  // active tools of the event (behaviour §14.3 R2).
  bool multiTool() const { return multiTool_; }
  // R7 (3.15): the tools with PY_UNWIND on the code as of its last re-instrumentation.
  uint8_t unwindTools() const { return unwindTools_; }
  bool everInstrumented() const { return version_ >= 0; }
  uint8_t activeTools(int bit) const { return active_[bit]; }
  // Whether INSTRUCTION is installed at `offset` (the instruction is wrapped, so it
  // reports its own offset and does not specialise): a tool has it there, or FINDINGS
  // F4 emptied the tool sets but left the instrumented opcodes, until INSTRUCTION is
  // next removed from the code (R4, R6).
  bool instructionInstalled(int bit, int32_t offset) const {
    return siteTools(bit, offset) != 0 || instructionOpcodesLeft_;
  }
  // Whether a DISABLE ever changed the site (else it follows the code's base set).
  bool siteTouched(int bit, int32_t offset) const {
    const std::vector<SiteEntry>& v = sites_[bit];
    return static_cast<uint32_t>(offset) < v.size() && (v[offset] & kSiteMaterialized);
  }
  // FINDINGS F4 has happened on this code (its INSTRUCTION tools were dropped once).
  bool instructionDropped() const { return instrAlloc_; }
  // DISABLE returned by t at a site: S[i] −= t (LINE/INSTRUCTION: unarm when empty).
  void disableAt(ToolId t, int bit, int32_t offset);

  // The FOR_ITER at `offset` (R4), created when first executed.
  ForIterSite& forIter(int32_t offset) {
    for (ForIterSite& s : forIters_)
      if (s.offset() == offset) return s;
    return forIters_.emplace_back(offset);
  }
  const ForIterSite* findForIter(int32_t offset) const {
    for (const ForIterSite& s : forIters_)
      if (s.offset() == offset) return &s;
    return nullptr;
  }

  // R1 (3.13+): whether the RESUME at `offset` has quickened itself (RESUME_CHECK):
  // it last ran uninstrumented. A throw into the frame does not run it.
  void noteResume(int32_t offset, bool instrumented) {
    for (auto& [at, quick] : resumes_)
      if (at == offset) {
        quick = !instrumented;
        return;
      }
    resumes_.emplace_back(offset, !instrumented);
  }
  bool resumeQuickened(int32_t offset) const {
    for (const auto& [at, quick] : resumes_)
      if (at == offset) return quick;
    return false;
  }

  uint32_t frames = 0;  // frames of this code on the stack

 private:
  void recomputeLocalTools();
  template <class F>
  void forEachSite(int bit, F&& f);

  std::array<EventSet, kDispatchToolCount> local_{};
  std::array<uint64_t, kDispatchToolCount> toolVersion_{};
  int64_t version_ = -1;  // "never instrumented"
  std::array<uint8_t, kMaxSiteEvents> active_{};
  std::array<SiteEntry, kMaxSiteEvents> base_{};
  std::array<std::vector<SiteEntry>, kMaxSiteEvents> sites_;
  std::array<uint8_t, 32> localTools_{};
  bool lineAlloc_ = false;
  bool instrAlloc_ = false;
  bool multiTool_ = false;
  bool instructionOpcodesLeft_ = false;  // see instructionInstalled
  uint8_t unwindTools_ = 0;
  std::vector<ForIterSite> forIters_;
  std::vector<std::pair<int32_t, bool>> resumes_;  // (offset, quickened)
};

}  // namespace monsim
