#pragma once
// Why the dispatch layer would or would not call a tool for an occurrence, named
// after the rule that decides it (README rule table). The checker shows this next
// to a divergence so a reader sees which part of the spec the model applied.
#include <cstdint>
#include <string_view>

namespace monsim {

enum class Reason : uint8_t {
  ActiveGlobal,    // in the tool's global events (behaviour §6)
  ActiveLocal,     // in the tool's local events for this code (§7)
  ActiveViaCall,   // C_RETURN/C_RAISE: the tool has CALL at this call site (§6.2, §3.3)
  NoSuchEvent,     // the event does not exist in this version (§2, §15)
  NotSet,          // neither global nor local for this tool (§6, §7, §9.1)
  DisabledAtSite,  // the tool returned DISABLE here and nothing revived it (§10.1, F1/F2)
  CallNotAtSite,  // C_RETURN/C_RAISE without CALL active at the call site (§6.2, §10.8)
  NoCallback,     // no callable registered for (tool, event) (§8)
  InCallback,     // events are not reported while a callback runs (§9.5)
  // Occurrence rules (§14.3): whether the event occurs depends on instrumentation.
  ActiveViaCodeCall,      // C_RETURN/C_RAISE in single-tool code: every tool with CALL on
                          // the code, whatever the site's DISABLE (R2)
  CallNotInstrumented,    // C_RETURN/C_RAISE: the CALL was not instrumented when the call
                          // started, so the call reports nothing after it (R2)
  LineAfterPlainResume,   // LINE on the def line after a RESUME that ran
                          // uninstrumented (R1)
  ForIterSpecialised,     // the FOR_ITER ran as FOR_ITER_GEN (R4): exhaustion is
                          // STOP_ITERATION at the END_FOR, not RAISE(StopIteration)
  BranchNotInstrumented,  // the branch's instruction was not instrumented when it
                          // was dispatched, before the frame below ran (R5)
  UnwrappedBranchSource,  // NOT_TAKEN/POP_ITER not wrapped by LINE/INSTRUCTION
                          // report the instruction before as the source (R6)
  CloseSkipsThrow,        // close() of a generator at a depth-1 yield throws
                          // nothing into it (R7)
  InstructionAfterLineRemoved,    // the instruction's LINE lost its last tool during
                                  // dispatch: its INSTRUCTION is skipped once (R8)
  InstructionDroppedByMultiTool,  // FINDINGS F4: the code's first multi-tool transition
                                  // dropped the INSTRUCTION tools (§11.4)
  BranchWrapperSwallows,          // 3.14+ legacy BRANCH wrapper: no tool instruments the
                                  // branch's source, so it returns DISABLE unseen (R3)
  HookHandler,  // tools 6/7: the settrace/setprofile handler calls the function (§12.3)
  CapiState,    // a C API fire: the tool is active in the PyMonitoringState (§13)
};

inline constexpr int kReasonCount = static_cast<int>(Reason::CapiState) + 1;

constexpr bool delivers(Reason r) {
  return r == Reason::ActiveGlobal || r == Reason::ActiveLocal ||
         r == Reason::ActiveViaCall || r == Reason::ActiveViaCodeCall ||
         r == Reason::ForIterSpecialised || r == Reason::HookHandler ||
         r == Reason::CapiState;
}

// The rule in words, with its clause, e.g. "DISABLE per (tool, event, site) — behaviour
// §10.1".
std::string_view reasonText(Reason r);
// A short name for counts and tables, e.g. "disabled-at-site".
std::string_view reasonName(Reason r);

}  // namespace monsim
