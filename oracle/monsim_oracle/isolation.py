"""Per-run isolation: nothing of sys.monitoring may survive from one run to the next.

3.12/3.13 free_tool_id keeps a tool's events and callbacks (behaviour §5.5)
and 3.14+ get_local_events may report stale sets after clear/free (2.8), so
scrubbing re-acquires every id, zeroes global and local events while the id
is in use, empties every callback slot and only then clears/frees.
"""
import sys

from . import HARNESS_FILES, _here
from .events import BY_BIT, SLOT_BITS
from .normalise import firstlineno, qualname
from .recorder import REAL_API, REAL_HOOKS

HARNESS_FILES.add(_here())

_get_tool = REAL_API.get("get_tool")
_get_events = REAL_API.get("get_events")
_set_events = REAL_API.get("set_events")
_use = REAL_API.get("use_tool_id")
_free = REAL_API.get("free_tool_id")
_clear = REAL_API.get("clear_tool_id")
_register = REAL_API.get("register_callback")
_get_local = REAL_API.get("get_local_events")
_set_local = REAL_API.get("set_local_events")
_restart = REAL_API.get("restart_events")
_all_events = REAL_API.get("_all_events")

# No sys.monitoring (PyPy 3.9): only the legacy hooks hold state.
TOOL_IDS = range(6) if REAL_API else ()


def leaks(touched=()):
    """Descriptions of every piece of monitoring state that is not pristine.

    Callback slots are probed with register_callback(t, e, None); a callback
    found that way is reported and stays removed (a leak is scrubbed, not
    restored).
    """
    out = []
    for t in TOOL_IDS:
        name = _get_tool(t)
        if name is not None:
            out.append("tool %d is in use (%r)" % (t, name))
        ev = _get_events(t)
        if ev:
            out.append("tool %d has global events 0x%x" % (t, ev))
        for bit in SLOT_BITS:
            if _register(t, bit, None) is not None:
                out.append("tool %d has a %s callback" % (t, BY_BIT[bit]))
        for c in touched:
            le = _get_local(t, c)
            if le:
                out.append("tool %d has local events 0x%x on %s@%d" % (t, le, qualname(c), firstlineno(c)))
    ae = _all_events() if _all_events is not None else None
    if ae:
        out.append("_all_events() is %r" % (ae,))
    for hook in ("trace", "profile"):
        get = REAL_HOOKS.get("get" + hook)
        if get is not None and get() is not None:
            out.append("sys.set%s function installed" % hook)
    return out


def scrub(touched=()):
    """Returns every tool id to the never-used state. Never raises for a missing step."""
    for hook in ("trace", "profile"):
        get, put = REAL_HOOKS.get("get" + hook), REAL_HOOKS.get("set" + hook)
        if get is not None and put is not None and get() is not None:
            put(None)
    for t in TOOL_IDS:
        if _get_tool(t) is None:
            _use(t, "monsim-scrub")
        _set_events(t, 0)
        for c in touched:
            try:
                _set_local(t, c, 0)
            except Exception:  # e.g. a shim code object: nothing can be set there
                pass
        for bit in SLOT_BITS:
            _register(t, bit, None)
        if _clear is not None:
            _clear(t)
        _free(t)
    if _restart is not None:
        _restart()


def fresh_caches():
    """Before each run: the stdlib caches the interpreter's own reports fill (linecache:
    the source lines of a traceback) start empty, so the runs with and without the probe
    take the same path through that code, which tools with global events see (found by
    monsim fuzz --capi on 3.15: lazycache called one function more in the first run)."""
    import linecache
    linecache.clearcache()
