"""The running interpreter's event table (behaviour §2.2), read, never hard-coded."""
import sys

from . import HARNESS_FILES, _here

HARNESS_FILES.add(_here())

# None on an interpreter without sys.monitoring (PyPy 3.9): only the legacy hooks
# (sys.settrace / sys.setprofile) can be recorded there. Judged by behaviour, not by the
# name existing: the functions every run calls must be callables (an implementation with
# a partial namespace, e.g. constants but no use_tool_id, counts as having none).
CORE_API = ("use_tool_id", "free_tool_id", "register_callback", "set_events", "get_events")
mon = getattr(sys, "monitoring", None)
if not all(callable(getattr(mon, n, None)) for n in CORE_API):
    mon = None
MONITORING = mon

# name -> bit value, as this interpreter defines them (BRANCH included).
BY_NAME = {n: v for n, v in vars(mon.events).items() if n.isupper() and n != "NO_EVENTS"} \
    if mon is not None else {}

# 3.14+: BRANCH is an alias for BRANCH_LEFT|BRANCH_RIGHT with its own legacy slot.
BRANCH_IS_ALIAS = "BRANCH_LEFT" in BY_NAME

# Events with their own callback slot that the probe listens to.
REAL = {n: v for n, v in BY_NAME.items() if not (BRANCH_IS_ALIAS and n == "BRANCH")}

# bit value -> name, for register_callback(tool, bit, f) records.
BY_BIT = {v: n for n, v in BY_NAME.items()}

# Every callback slot a tool can hold; register_callback(t, bit, None) on each
# of these empties a tool completely.
SLOT_BITS = sorted(REAL.values())

# Argument shapes after (code, ...), behaviour §4.
SHAPE = {}
for _n in ("PY_START", "PY_RESUME", "INSTRUCTION"):
    SHAPE[_n] = "off"
for _n in ("PY_RETURN", "PY_YIELD"):
    SHAPE[_n] = "value"
for _n in ("CALL", "C_RETURN", "C_RAISE"):
    SHAPE[_n] = "call"
SHAPE["LINE"] = "line"
for _n in ("JUMP", "BRANCH", "BRANCH_LEFT", "BRANCH_RIGHT"):
    SHAPE[_n] = "dest"
for _n in ("RAISE", "RERAISE", "EXCEPTION_HANDLED", "PY_UNWIND", "PY_THROW", "STOP_ITERATION"):
    SHAPE[_n] = "exc"

C_PAIR = (BY_NAME["CALL"] | BY_NAME["C_RETURN"] | BY_NAME["C_RAISE"]) if BY_NAME else 0


def mask_of(names):
    """Bit set for a list of event names; KeyError names the first unknown one."""
    m = 0
    for n in names:
        m |= BY_NAME[n]
    return m


def probe_mask(instruction):
    m = 0
    for n, v in REAL.items():
        if n != "INSTRUCTION" or instruction:
            m |= v
    return m


# Events whose DISABLE switches the tool off at that site (spec/events.yaml `disable:
# site`; tests/oracle/harness_quiet_test.py holds the two together). The oracle's
# callbacks return DISABLE for these in the harness's own code, so a harness site calls
# each tool once a run; any other event would refuse it (ValueError, callback removed).
SITE_EVENTS = {n for n in ("PY_START", "PY_RESUME", "PY_RETURN", "PY_YIELD", "CALL", "LINE",
                           "INSTRUCTION", "JUMP", "BRANCH", "BRANCH_LEFT", "BRANCH_RIGHT",
                           "STOP_ITERATION") if n in BY_NAME}
