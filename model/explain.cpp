#include "model/explain.h"

namespace monsim {

std::string_view reasonText(Reason r) {
  switch (r) {
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
  }
  return "?";
}

}  // namespace monsim
