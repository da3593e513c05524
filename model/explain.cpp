#include "model/explain.h"

namespace monsim {

std::string_view reasonText(Reason r) {
  switch (r) {
    case Reason::ActiveGlobal:
      return "global events: the event is in the tool's set_events set — reference §3, "
             "§6";
    case Reason::ActiveLocal:
      return "local events: the event is in the tool's set_local_events set for this "
             "code "
             "— reference §4, §6";
    case Reason::ActiveViaCall:
      return "C_RETURN/C_RAISE go to the tools with CALL active at the call site — "
             "reference §3.2, §12.3";
    case Reason::NoSuchEvent:
      return "the event does not exist in this version — reference §1, §16";
    case Reason::NotSet:
      return "the event is in neither the tool's global nor its local set — reference §6";
    case Reason::DisabledAtSite:
      return "DISABLE per (tool, event, site): the tool returned DISABLE here and no "
             "re-instrumentation or restart_events revived it — reference §9.1, §9.6; "
             "FINDINGS F1/F2";
    case Reason::CallNotAtSite:
      return "C_RETURN/C_RAISE are gated by CALL: the tool has no CALL active at this "
             "call "
             "site — reference §3.2, §9.7";
    case Reason::NoCallback:
      return "no callback registered for (tool, event) — reference §5";
    case Reason::InCallback:
      return "no events while a callback runs — reference §8.1";
  }
  return "?";
}

}  // namespace monsim
