"""free_tool_id/clear_tool_id: what get_local_events reports afterwards and which operation turns the stale value into 0."""
import json
import sys

from _probelib import M, E, V, T, U, fresh, noop, reset_tools, call

HAS_CLEAR = hasattr(M, "clear_tool_id")


class Rec:
    def __init__(self):
        self.code = None
        self.n = 0

    def cb(self, code, *a):
        if code is self.code:
            self.n += 1


def prep(rec, how):
    reset_tools()
    f = fresh()
    rec.code = f.__code__
    M.use_tool_id(T, "T")
    M.use_tool_id(U, "U")
    M.register_callback(T, E.LINE, rec.cb)
    M.set_local_events(T, f.__code__, E.LINE)
    rec.n = 0
    call(f, noop)
    fired_before = rec.n
    if how == "clear":
        M.clear_tool_id(T)
    else:
        M.free_tool_id(T)
        M.use_tool_id(T, "T")
    M.register_callback(T, E.LINE, rec.cb)   # callback back in place
    return f, fired_before


def loc(f):
    return M.get_local_events(T, f.__code__)


def main():
    out = {"version": sys.version.split()[0]}
    hows = ["free_use"] + (["clear"] if HAS_CLEAR else [])
    rec = Rec()
    for how in hows:
        r = {}
        # 1. immediately, then after running the code
        f, fb = prep(rec, how)
        r["fired_before"] = fb
        r["1_immediately"] = loc(f)
        rec.n = 0
        call(f, noop)
        r["1_fired_on_run"] = rec.n
        r["1_after_run"] = loc(f)
        # 2. another tool's global set_events (version bump) without running f
        f, _ = prep(rec, how)
        M.set_events(U, E.PY_RETURN)
        r["2_after_U_set_events"] = loc(f)
        # 3. another tool's set_local_events on f
        f, _ = prep(rec, how)
        M.set_local_events(U, f.__code__, E.PY_RETURN)
        r["3_after_U_set_local_on_f"] = loc(f)
        # 4. another tool's set_local_events on another code object
        f, _ = prep(rec, how)
        g = fresh()
        M.set_local_events(U, g.__code__, E.PY_RETURN)
        r["4_after_U_set_local_on_g"] = loc(f)
        # 5. the same tool sets the same local set again: does the stale set come back to life?
        f, _ = prep(rec, how)
        M.set_local_events(T, f.__code__, E.LINE)
        r["5_after_T_same_set"] = loc(f)
        rec.n = 0
        call(f, noop)
        r["5_fired"] = rec.n
        # 5b. the same tool sets a different set
        f, _ = prep(rec, how)
        M.set_local_events(T, f.__code__, E.PY_RETURN)
        r["5b_after_T_other_set"] = loc(f)
        rec.n = 0
        call(f, noop)
        r["5b_line_fired"] = rec.n
        # 6. restart_events without running f
        f, _ = prep(rec, how)
        M.restart_events()
        r["6_after_restart"] = loc(f)
        # 7. clear/free while f is running
        reset_tools()
        f = fresh()
        rec.code = f.__code__
        M.use_tool_id(T, "T")
        M.register_callback(T, E.LINE, rec.cb)
        M.set_local_events(T, f.__code__, E.LINE)
        seen = {}

        def hook():
            if how == "clear":
                M.clear_tool_id(T)
            else:
                M.free_tool_id(T)
                M.use_tool_id(T, "T")
            M.register_callback(T, E.LINE, rec.cb)
            seen["inside"] = loc(f)
        rec.n = 0
        call(f, hook)
        r["7_inside_after_op"] = seen.get("inside")
        r["7_fired_total"] = rec.n
        # 8. get_local_events on a free id (no check) after free
        reset_tools()
        f = fresh()
        M.use_tool_id(T, "T")
        M.set_local_events(T, f.__code__, E.LINE)
        M.free_tool_id(T)
        r["8_free_id_get_local"] = loc(f)
        out[how] = r
    reset_tools()
    print(json.dumps(out, indent=1, sort_keys=True))


main()
