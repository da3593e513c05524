#include "model/explain.h"

namespace monsim {

std::string_view reasonText(Reason r) {
  switch (r) {
    case Reason::CapiState:
      return "a C API fire calls every tool active in the state PyMonitoring_EnterScope "
             "filled from the global events when the global version last moved, minus "
             "the tools that returned DISABLE for it — behaviour §13";
    case Reason::HookHandler:
      return "sys.settrace / sys.setprofile are tools 7 / 6: their handler turns the "
             "occurrence into a trace event for the global or the frame's trace "
             "function — behaviour §12.3, §12.4";
    case Reason::ActiveGlobal:
      return "global events: the event is in the tool's set_events set — behaviour §6, "
             "§9.1";
    case Reason::ActiveLocal:
      return "local events: the event is in the tool's set_local_events set for this "
             "code "
             "— behaviour §7, §9.1";
    case Reason::ActiveViaCall:
      return "C_RETURN/C_RAISE go to the tools with CALL active at the call site — "
             "behaviour §6.2, §3.3";
    case Reason::NoSuchEvent:
      return "the event does not exist in this version — behaviour §2, §15";
    case Reason::NotSet:
      return "the event is in neither the tool's global nor its local set — behaviour "
             "§9.1";
    case Reason::DisabledAtSite:
      return "DISABLE per (tool, event, site): the tool returned DISABLE here and no "
             "re-instrumentation or restart_events revived it — behaviour §10.1, §11.1; "
             "FINDINGS F1/F2";
    case Reason::CallNotAtSite:
      return "C_RETURN/C_RAISE are gated by CALL: the tool has no CALL active at this "
             "call "
             "site — behaviour §6.2, §10.8";
    case Reason::NoCallback:
      return "no callback registered for (tool, event) — behaviour §8";
    case Reason::InCallback:
      return "no events while a callback runs — behaviour §9.5";
    case Reason::ActiveViaCodeCall:
      return "single-tool code: C_RETURN/C_RAISE go to every tool with CALL on the "
             "code, whatever a DISABLE at the site — behaviour §14.3 R2";
    case Reason::CallNotInstrumented:
      return "C_RETURN/C_RAISE occur only when the CALL was instrumented as the call "
             "started — behaviour §14.3 R2";
    case Reason::LineAfterPlainResume:
      return "a LINE on the def line right after a RESUME that ran uninstrumented (no "
             "tool with PY_START there) does not occur — behaviour §14.3 R1";
    case Reason::ForIterSpecialised:
      return "the FOR_ITER ran specialised for a generator (no tool instruments it): "
             "exhaustion is STOP_ITERATION at the END_FOR, an exception from the "
             "generator is reported at another offset — behaviour §14.3 R4";
    case Reason::BranchNotInstrumented:
      return "the branch occurs only if its instruction was instrumented when it was "
             "dispatched, before the frame below it ran — behaviour §14.3 R5";
    case Reason::UnwrappedBranchSource:
      return "NOT_TAKEN/POP_ITER report the instruction executed before them as the "
             "branch's source unless LINE or INSTRUCTION wraps them — behaviour §14.3 R6";
    case Reason::InstructionAfterLineRemoved:
      return "the instruction's LINE lost its last tool during its dispatch (DISABLE or "
             "API): that execution's INSTRUCTION is not reported — behaviour §14.3 R8";
    case Reason::InstructionDroppedByMultiTool:
      return "the first time the code had two tools, its INSTRUCTION tools were dropped "
             "and only tools added later come back — behaviour §11.4, FINDINGS F4";
    case Reason::BranchWrapperSwallows:
      return "the legacy BRANCH wrapper returns DISABLE without calling the handler when "
             "no tool instruments the branch's source instruction — behaviour §10.3, "
             "§14.3 R3";
    case Reason::CloseSkipsThrow:
      return "close() of a generator suspended at a yield outside any try/with throws "
             "nothing into it (no tool with PY_UNWIND) — behaviour §14.3 R7";
  }
  return "?";
}

std::string_view reasonName(Reason r) {
  switch (r) {
    case Reason::ActiveGlobal:
      return "active-global";
    case Reason::ActiveLocal:
      return "active-local";
    case Reason::ActiveViaCall:
      return "active-via-call";
    case Reason::NoSuchEvent:
      return "no-such-event";
    case Reason::NotSet:
      return "not-set";
    case Reason::DisabledAtSite:
      return "disabled-at-site";
    case Reason::CallNotAtSite:
      return "call-not-at-site";
    case Reason::NoCallback:
      return "no-callback";
    case Reason::InCallback:
      return "in-callback";
    case Reason::ActiveViaCodeCall:
      return "active-via-code-call (R2)";
    case Reason::CallNotInstrumented:
      return "call-not-instrumented (R2)";
    case Reason::LineAfterPlainResume:
      return "line-after-plain-resume (R1)";
    case Reason::ForIterSpecialised:
      return "for-iter-specialised (R4)";
    case Reason::BranchNotInstrumented:
      return "branch-not-instrumented (R5)";
    case Reason::UnwrappedBranchSource:
      return "unwrapped-branch-source (R6)";
    case Reason::CloseSkipsThrow:
      return "close-skips-throw (R7)";
    case Reason::InstructionAfterLineRemoved:
      return "instruction-after-line-removed (R8)";
    case Reason::InstructionDroppedByMultiTool:
      return "instruction-dropped-by-multi-tool (F4)";
    case Reason::BranchWrapperSwallows:
      return "branch-wrapper-swallows (R3)";
    case Reason::HookHandler:
      return "hook-handler";
    case Reason::CapiState:
      return "capi-state";
  }
  return "?";
}

}  // namespace monsim
