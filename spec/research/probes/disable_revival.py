"""Which API operations bring back a DISABLEd (tool, event, site), done outside vs inside the disabled code."""
import json
import sys

from _probelib import M, E, V, VER, T, U, fresh, noop, reset_tools, call

if V >= (3, 14):
    EVENTS = ["PY_START", "LINE", "CALL", "BRANCH_LEFT", "BRANCH_RIGHT", "PY_RETURN"]
else:
    EVENTS = ["PY_START", "LINE", "CALL", "BRANCH", "PY_RETURN"]
if V >= (3, 15):
    EVENTS += ["RAISE", "EXCEPTION_HANDLED", "RERAISE", "PY_UNWIND"]
MODES = ["global", "local", "both"]
OTHER = E.PY_YIELD  # an event that never fires in f


class Ctx:
    def __init__(self, ev, mode):
        self.ev = ev
        self.bit = getattr(E, ev)
        self.mode = mode
        self.f = fresh()
        self.g = fresh()
        self.code = self.f.__code__
        self.G = self.bit if mode in ("global", "both") else 0
        self.L = self.bit if mode in ("local", "both") else 0
        self.counts = {}
        self.u_counts = 0

    def cb(self, code, *args):
        if code is self.code:
            self.counts[self.ev] = self.counts.get(self.ev, 0) + 1
            return M.DISABLE
        return None

    def cret(self, code, *args):
        if code is self.code:
            self.counts["C_RETURN"] = self.counts.get("C_RETURN", 0) + 1

    def ucb(self, code, *args):
        if code is self.code:
            self.u_counts += 1

    def install(self):
        M.register_callback(T, self.bit, self.cb)
        if self.ev == "CALL":
            M.register_callback(T, E.C_RETURN, self.cret)
        extra = (E.C_RETURN | E.C_RAISE) if self.ev == "CALL" else 0
        if self.G:
            M.set_events(T, self.G | extra)
        if self.L:
            M.set_local_events(T, self.code, self.L | extra)

    def run(self, hook=noop):
        self.counts = {}
        call(self.f, hook, self.ev in ("RERAISE", "PY_UNWIND"))
        return dict(self.counts)


def op_global_off_on(c):
    g = M.get_events(T)
    M.set_events(T, 0)
    M.set_events(T, g if g else c.bit)
    if not g:
        M.set_events(T, 0)


def op_global_off_on_nonzero(c):
    """Only meaningful when the tool has the event globally."""
    g = M.get_events(T)
    M.set_events(T, 0)
    M.set_events(T, g)


def op_global_add_other(c):
    M.set_events(T, M.get_events(T) | OTHER)


def op_local_off_on(c):
    l = M.get_local_events(T, c.code)
    M.set_local_events(T, c.code, 0)
    M.set_local_events(T, c.code, l if l else c.bit)
    if not l:
        M.set_local_events(T, c.code, 0)


def op_local_add_other(c):
    M.set_local_events(T, c.code, M.get_local_events(T, c.code) | OTHER)


def op_local_other_code(c):
    M.set_local_events(T, c.g.__code__, c.bit)


def _u():
    if M.get_tool(U) is None:
        M.use_tool_id(U, "U")


def op_u_global_same(c):
    _u()
    M.register_callback(U, c.bit, c.ucb)
    M.set_events(U, c.bit)


def op_u_global_same_off(c):
    _u()
    M.register_callback(U, c.bit, c.ucb)
    M.set_events(U, c.bit)
    M.set_events(U, 0)


def op_u_global_other(c):
    _u()
    M.set_events(U, E.PY_RETURN if c.ev != "PY_RETURN" else E.PY_START)


def op_u_local_same(c):
    _u()
    M.register_callback(U, c.bit, c.ucb)
    M.set_local_events(U, c.code, c.bit)


def op_u_local_other(c):
    _u()
    M.set_local_events(U, c.code, E.PY_RETURN if c.ev != "PY_RETURN" else E.PY_START)


def op_free_use(c):
    M.free_tool_id(T)
    M.use_tool_id(T, "T")
    # put the same configuration back (on 3.12/3.13 nothing was lost)
    c.install()


def op_clear(c):
    M.clear_tool_id(T)
    c.install()


def op_register(c):
    M.register_callback(T, c.bit, None)
    M.register_callback(T, c.bit, c.cb)


def op_restart(c):
    M.restart_events()


def op_global_off_run_on(c):
    g = M.get_events(T)
    M.set_events(T, 0)
    c.run()
    M.set_events(T, g)


def op_nothing(c):
    pass


OPS = {
    "nothing": op_nothing,
    "global_off_on": op_global_off_on_nonzero,
    "global_on_off": op_global_off_on,   # for a tool with no global set: set E then 0
    "global_add_other": op_global_add_other,
    "local_off_on": op_local_off_on,
    "local_add_other": op_local_add_other,
    "local_other_code": op_local_other_code,
    "u_global_same": op_u_global_same,
    "u_global_same_off": op_u_global_same_off,
    "u_global_other": op_u_global_other,
    "u_local_same": op_u_local_same,
    "u_local_other": op_u_local_other,
    "free_use": op_free_use,
    "register": op_register,
    "restart": op_restart,
    "global_off_run_on": op_global_off_run_on,
}
if hasattr(M, "clear_tool_id"):
    OPS["clear"] = op_clear

INSIDE_OK = {"nothing", "global_off_on", "global_on_off", "global_add_other", "local_off_on",
             "local_add_other", "local_other_code", "u_global_same", "u_global_same_off",
             "u_global_other", "u_local_same", "u_local_other", "free_use", "register",
             "restart", "clear"}


def scenario(ev, mode, opname, where):
    reset_tools()
    M.use_tool_id(T, "T")
    c = Ctx(ev, mode)
    if mode == "global" and opname in ("local_off_on", "local_add_other"):
        pass  # these still are legal: they set local events where there were none
    if mode == "local" and opname in ("global_off_on", "global_off_run_on", "global_add_other"):
        return None
    if mode != "local" and opname == "global_on_off":
        return None
    if ev in ("RAISE", "EXCEPTION_HANDLED", "RERAISE", "PY_UNWIND") and mode != "global" and V < (3, 15):
        return None
    c.install()
    r1 = c.run()
    r2 = c.run()
    op = OPS[opname]
    try:
        if where == "outside":
            op(c)
            rd = None
        else:
            rd = c.run(lambda: op(c))
        r3 = c.run()
        r4 = c.run()
    except Exception as e:
        return {"error": "%s: %s" % (type(e).__name__, e)}
    res = {"r1": r1, "r2": r2, "r3": r3, "r4": r4}
    if rd is not None:
        res["during"] = rd
    if c.u_counts:
        res["U"] = c.u_counts
    if V >= (3, 14) or True:
        res["local_after"] = M.get_local_events(T, c.code)
    return res


def main():
    out = {"version": sys.version.split()[0], "events": EVENTS, "results": {}}
    for ev in EVENTS:
        for mode in MODES:
            for opname in OPS:
                for where in ("outside", "inside"):
                    if where == "inside" and opname not in INSIDE_OK:
                        continue
                    r = scenario(ev, mode, opname, where)
                    if r is not None:
                        out["results"]["%s/%s/%s/%s" % (ev, mode, opname, where)] = r
    reset_tools()
    print(json.dumps(out, indent=0, sort_keys=True))


main()
