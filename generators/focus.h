#pragma once
// Rule-guided generation: a focus biases the generators toward the fragments, events
// and API calls that make some model rules (model/explain.h) decide. A campaign picks
// each case's kind and focus from the rules its cases reached so far; the case's token
// names both, so a steered case regenerates exactly.
#include <array>
#include <cstdint>
#include <string_view>

#include "model/explain.h"
#include "model/version_profile.h"

namespace monsim::gen {

enum class Focus : uint8_t { None, Loops, Lines, Calls, Close, Branches };
inline constexpr int kFocusCount = 6;
std::string_view focusName(Focus f);

// What a case drives besides sys.monitoring: nothing more, trace/profile functions
// (fuzz --legacy), or the C API (fuzz --capi).
enum class CaseKind : uint8_t { Plain, Hooks, Capi };
std::string_view caseKindName(CaseKind k);  // "plain", "hooks", "capi"
inline CaseKind caseKindOf(bool hooks, bool capi) {
  return capi ? CaseKind::Capi : hooks ? CaseKind::Hooks : CaseKind::Plain;
}

// How a campaign reaches rule `r` on version `v`: the case kind and focus that steer
// toward it, or why no generated case can make it decide there.
struct RuleReach {
  bool reachable = true;
  CaseKind kind = CaseKind::Plain;
  Focus focus = Focus::None;
  std::string_view why;  // unreachable: the reason, for the campaign's rule table
};
RuleReach ruleReach(Reason r, PyVersion v);

// The kind and focus of case `n` of a guided campaign, from the decisions per rule its
// cases made so far: every other case is plain and unbiased; the others steer in
// turn toward the three rules reached least (below `enough` decisions) that `v` can
// reach, without C API cases when `capi` is false.
inline constexpr long kRuleEnough = 1000;
RuleReach steer(const std::array<long, kReasonCount>& decisions, PyVersion v, uint64_t n,
                bool capi);

}  // namespace monsim::gen
