#include "generators/focus.h"

#include <algorithm>
#include <vector>

namespace monsim::gen {

std::string_view focusName(Focus f) {
  switch (f) {
    case Focus::None:
      return "none";
    case Focus::Loops:
      return "loops";
    case Focus::Lines:
      return "lines";
    case Focus::Calls:
      return "calls";
    case Focus::Close:
      return "close";
    case Focus::Branches:
      return "branches";
  }
  return "?";
}

std::string_view caseKindName(CaseKind k) {
  switch (k) {
    case CaseKind::Plain:
      return "plain";
    case CaseKind::Hooks:
      return "hooks";
    case CaseKind::Capi:
      return "capi";
  }
  return "?";
}

RuleReach ruleReach(Reason r, PyVersion v) {
  auto via = [](Focus f, CaseKind k = CaseKind::Plain) {
    return RuleReach{true, k, f, ""};
  };
  auto never = [](std::string_view why) {
    return RuleReach{false, CaseKind::Plain, Focus::None, why};
  };
  switch (r) {
    case Reason::ActiveGlobal:
    case Reason::ActiveLocal:
    case Reason::NotSet:
    case Reason::DisabledAtSite:
    case Reason::NoCallback:
      return via(Focus::None);
    case Reason::ActiveViaCall:
    case Reason::CallNotAtSite:
    case Reason::ActiveViaCodeCall:
    case Reason::CallNotInstrumented:
      return via(Focus::Calls);
    case Reason::NoSuchEvent:
      return never("an interpreter records only its version's events");
    case Reason::InCallback:  // counted per program run inside a callback
      return via(Focus::None);
    case Reason::LineAfterPlainResume:
      if (v < PyVersion::V3_13) return never("3.12 reports that LINE either way");
      return via(Focus::Lines);
    case Reason::ForIterSpecialised:
      return via(Focus::Loops);
    case Reason::BranchNotInstrumented:
      return via(Focus::Branches);
    case Reason::UnwrappedBranchSource:
    case Reason::BranchWrapperSwallows:
      if (v < PyVersion::V3_14) return never("3.14+ (NOT_TAKEN, the legacy BRANCH)");
      return via(Focus::Branches);
    case Reason::CloseSkipsThrow:
      if (v < PyVersion::V3_14)
        return never(v == PyVersion::V3_12
                         ? "3.12 never skips the throw"
                         : "3.13 always skips it: nothing is recorded to decide on");
      return via(Focus::Close);
    case Reason::InstructionAfterLineRemoved:
    case Reason::InstructionDroppedByMultiTool:
      return via(Focus::Lines);
    case Reason::HookHandler:
      return via(Focus::None, CaseKind::Hooks);
    case Reason::CapiState:
      if (v < PyVersion::V3_13) return never("the C API is 3.13+");
      return via(Focus::None, CaseKind::Capi);
  }
  return never("?");
}

RuleReach steer(const std::array<long, kReasonCount>& decisions, PyVersion v, uint64_t n,
                bool capi) {
  if (n % 2 == 0) return {};
  std::vector<std::pair<long, RuleReach>> rare;
  for (int k = 0; k < kReasonCount; ++k) {
    const RuleReach r = ruleReach(static_cast<Reason>(k), v);
    if (!r.reachable || decisions[k] >= kRuleEnough ||
        (r.kind == CaseKind::Capi && !capi))
      continue;
    rare.push_back({decisions[k], r});
  }
  if (rare.empty()) return {};
  std::stable_sort(rare.begin(), rare.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  const size_t pick = (n / 2) % std::min<size_t>(3, rare.size());
  return rare[pick].second;
}

}  // namespace monsim::gen
