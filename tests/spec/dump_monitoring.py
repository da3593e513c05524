"""Prints, as JSON, what this interpreter's sys.monitoring declares: event
constants, tool-id constants, namespace names, which events set_local_events
accepts, and the messages of a few misuses. Used by live_tables_test."""
import json
import sys

M = sys.monitoring
E = M.events


def outcome(fn):
    try:
        fn()
        return None
    except Exception as e:  # the exact type and text are the point
        return [type(e).__name__, str(e)]


def f():
    pass


names = [n for n in dir(E) if n.isupper()]
out = {
    "version": sys.version.split()[0],
    "events": {n: getattr(E, n) for n in names},
    "tool_ids": {n: getattr(M, n) for n in dir(M) if n.endswith("_ID")},
    "namespace": sorted(n for n in dir(M) if not n.startswith("__")),
}
tool = 3
M.use_tool_id(tool, "monsim-dump")
local = {}
for n in names:
    if n == "NO_EVENTS":
        continue
    err = outcome(lambda: M.set_local_events(tool, f.__code__, getattr(E, n)))
    local[n] = err is None or err[1].startswith("cannot set C_RETURN")
    M.set_local_events(tool, f.__code__, 0)
out["local"] = local
out["errors"] = {
    "invalid_tool": outcome(lambda: M.get_tool(6)),
    "tool_id_overflow": outcome(lambda: M.get_events(2**40)),
    "tool_id_not_int": outcome(lambda: M.get_tool("a")),
    "tool_name_not_str": outcome(lambda: M.use_tool_id(4, 5)),
    "tool_in_use": outcome(lambda: M.use_tool_id(tool, "again")),
    "tool_not_in_use": outcome(lambda: M.set_events(4, 0)),
    "invalid_event_set": outcome(lambda: M.set_events(tool, -1)),
    "c_events_not_paired": outcome(lambda: M.set_events(tool, E.C_RETURN)),
    "invalid_local_event_set": outcome(lambda: M.set_local_events(tool, f.__code__, -1)),
    "code_not_code": outcome(lambda: M.get_local_events(tool, 5)),
    "callback_one_event": outcome(lambda: M.register_callback(tool, 3, None)),
    "invalid_event": outcome(lambda: M.register_callback(tool, 1 << 25, None)),
}
M.set_events(tool, 0)
M.free_tool_id(tool)
print(json.dumps(out))
