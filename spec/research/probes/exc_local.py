"""Local exception events (3.15): accepted sets, firing scope, DISABLE scope and what brings them back."""
import json
import sys

from _probelib import M, E, V, T, U, fresh, noop, reset_tools, call

EXC = ["RAISE", "EXCEPTION_HANDLED", "PY_UNWIND", "PY_THROW", "RERAISE"]

SRC2 = '''
def f(boom=False):
    try:
        raise KeyError(1)
    except KeyError:
        pass
    try:
        raise KeyError(2)
    except KeyError:
        pass
    if boom:
        try:
            raise ValueError(3)
        finally:
            pass
    return 0
'''

SRC_CALLER = '''
def caller(f):
    try:
        f(True)
    except ValueError:
        pass
    return 1
'''

SRC_GEN = '''
def gen():
    while True:
        try:
            yield 1
        except KeyError:
            pass
'''


class Rec:
    def __init__(self):
        self.log = []
        self.disable = set()   # (tool, event, offset) to DISABLE; ("*") for all

    def cb(self, tool, ev):
        def cb(code, off, *rest):
            self.log.append((tool, ev, code.co_name, off))
            d = self.disable
            if "*" in d or (tool, ev) in d or (tool, ev, off) in d or (tool, ev, code.co_name) in d:
                return M.DISABLE
        return cb


def setup(rec, tools=(T,)):
    reset_tools()
    for t in tools:
        M.use_tool_id(t, "t%d" % t)
        for ev in EXC + ["LINE", "PY_START"]:
            M.register_callback(t, getattr(E, ev), rec.cb(t, ev))


def try_(fn):
    try:
        return fn()
    except Exception as e:
        return "%s: %s" % (type(e).__name__, e)


def counts(log, filt=None):
    d = {}
    for item in log:
        if filt and not filt(item):
            continue
        k = "%d/%s/%s@%d" % item
        d[k] = d.get(k, 0) + 1
    return d


def main():
    out = {"version": sys.version.split()[0]}
    rec = Rec()

    # 1. which exception events set_local_events accepts, get_local_events read-back
    setup(rec)
    f = fresh(SRC2)
    acc = {}
    for ev in EXC + ["C_RAISE", "C_RETURN"]:
        acc[ev] = try_(lambda: (M.set_local_events(T, f.__code__, getattr(E, ev)), M.get_local_events(T, f.__code__))[1])
        try_(lambda: M.set_local_events(T, f.__code__, 0))
    acc["ALL_0xffff"] = try_(lambda: (M.set_local_events(T, f.__code__, 0xffff), M.get_local_events(T, f.__code__))[1])
    acc["ALL_-1"] = try_(lambda: M.set_local_events(T, f.__code__, -1))
    acc["BRANCH"] = try_(lambda: (M.set_local_events(T, f.__code__, E.BRANCH), M.get_local_events(T, f.__code__))[1])
    acc["1<<19"] = try_(lambda: M.set_local_events(T, f.__code__, 1 << 19))
    out["accept"] = acc
    if V < (3, 15):
        print(json.dumps(out, indent=1, sort_keys=True))
        reset_tools()
        return

    # 2. scope: local RAISE on f fires only for exceptions observed in f's frame
    setup(rec)
    f = fresh(SRC2)
    caller = fresh(SRC_CALLER, "caller")
    M.set_local_events(T, f.__code__, E.RAISE | E.PY_UNWIND | E.RERAISE | E.EXCEPTION_HANDLED)
    rec.log = []
    call(caller, f)
    out["scope_local_on_f"] = rec.log[:]
    M.set_local_events(T, f.__code__, 0)
    M.set_local_events(T, caller.__code__, E.RAISE | E.EXCEPTION_HANDLED)
    rec.log = []
    call(caller, f)
    out["scope_local_on_caller"] = rec.log[:]

    # 3. DISABLE from a local exception event: per site? per code? what does get_local_events say?
    res = {}
    for ev in ["RAISE", "EXCEPTION_HANDLED", "PY_UNWIND", "RERAISE"]:
        setup(rec)
        f = fresh(SRC2)
        g = fresh(SRC2.replace("def f(", "def g("), "g")
        M.set_local_events(T, f.__code__, getattr(E, ev) | E.LINE)
        M.set_local_events(T, g.__code__, getattr(E, ev))
        rec.log = []
        rec.disable = {(T, ev, "f")}
        boom = ev in ("PY_UNWIND", "RERAISE")
        r = {}
        call(f, boom)
        r["run1"] = counts(rec.log, lambda i: i[1] == ev)
        r["line_run1"] = len([i for i in rec.log if i[1] == "LINE"])
        r["local_after_disable"] = M.get_local_events(T, f.__code__)
        r["local_other_code"] = M.get_local_events(T, g.__code__)
        rec.log = []
        rec.disable = set()
        call(f, boom)
        call(g, boom)
        r["run2"] = counts(rec.log, lambda i: i[1] == ev)
        r["line_run2"] = len([i for i in rec.log if i[1] == "LINE"])
        # set it again: does it come back?
        M.set_local_events(T, f.__code__, getattr(E, ev) | E.LINE)
        rec.log = []
        call(f, boom)
        r["after_reset_local"] = counts(rec.log, lambda i: i[1] == ev)
        res[ev] = r
    out["disable_local"] = res

    # 4. PY_THROW local on a generator code
    setup(rec)
    g = fresh(SRC_GEN, "gen")
    M.set_local_events(T, g.__code__, E.PY_THROW)
    it = g()
    next(it)
    rec.log = []
    rec.disable = {(T, "PY_THROW")}
    r = {}
    r["throw1"] = try_(lambda: it.throw(KeyError))
    r["log1"] = rec.log[:]
    r["local_after"] = M.get_local_events(T, g.__code__)
    rec.log = []
    rec.disable = set()
    r["throw2"] = try_(lambda: it.throw(KeyError))
    r["log2"] = rec.log[:]
    out["py_throw_local"] = r

    # 5. DISABLE from a global exception event: effect, error, callback kept?
    res = {}
    for ev in ["RAISE", "EXCEPTION_HANDLED", "PY_UNWIND", "RERAISE"]:
        setup(rec)
        f = fresh(SRC2)
        M.set_events(T, getattr(E, ev))
        boom = ev in ("PY_UNWIND", "RERAISE")
        rec.disable = {(T, ev, "f")}
        rec.log = []
        r = {"ret1": str(call(f, boom))}
        r["run1"] = counts(rec.log, lambda i: i[2] == "f")
        rec.log = []
        r["ret2"] = str(call(f, boom))
        r["run2"] = counts(rec.log, lambda i: i[2] == "f")
        r["cb_kept"] = M.register_callback(T, getattr(E, ev), None) is not None
        M.set_events(T, 0)
        res[ev] = r
    out["disable_global"] = res

    # 6. both global and local, two tools: fire once; DISABLE clears only the local bit of the disabling tool
    setup(rec, tools=(T, U))
    f = fresh(SRC2)
    M.set_events(T, E.RAISE)
    M.set_local_events(T, f.__code__, E.RAISE)
    M.set_local_events(U, f.__code__, E.RAISE)
    rec.disable = {(T, "RAISE", "f")}
    rec.log = []
    call(f)
    r = {"run1": counts(rec.log, lambda i: i[2] == "f")}
    r["localT"] = M.get_local_events(T, f.__code__)
    r["localU"] = M.get_local_events(U, f.__code__)
    rec.disable = set()
    rec.log = []
    call(f)
    r["run2"] = counts(rec.log, lambda i: i[2] == "f")
    out["both_two_tools"] = r

    # 7. local RAISE|LINE, DISABLE from RAISE: are the other local events kept? restart_events?
    setup(rec)
    f = fresh(SRC2)
    M.set_local_events(T, f.__code__, E.RAISE | E.LINE | E.PY_START)
    rec.disable = {(T, "RAISE")}
    rec.log = []
    call(f)
    r = {"run1": counts(rec.log), "local": M.get_local_events(T, f.__code__)}
    rec.disable = set()
    M.restart_events()
    rec.log = []
    call(f)
    r["after_restart"] = counts(rec.log)
    r["local2"] = M.get_local_events(T, f.__code__)
    out["mixed_local"] = r

    # 8. DISABLE from a local exception event while a frame of f is running (disabling inside a callback is immediate?)
    setup(rec)
    f = fresh(SRC2)
    M.set_local_events(T, f.__code__, E.EXCEPTION_HANDLED | E.RAISE)
    rec.disable = {(T, "RAISE")}
    rec.log = []
    call(f)
    out["same_run_other_event"] = counts(rec.log)
    out["same_run_local_after"] = M.get_local_events(T, f.__code__)

    reset_tools()
    print(json.dumps(out, indent=1, sort_keys=True))


main()
