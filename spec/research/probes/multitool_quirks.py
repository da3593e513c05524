"""Per-code single-tool -> multi-tool transition: LINE DISABLE revival and INSTRUCTION loss; lazy vs eager re-instrumentation."""
import json
import sys

from _probelib import M, E, V, T, U, fresh, noop, reset_tools, call

W = 4  # a third tool


class Rec:
    def __init__(self):
        self.code = None
        self.n = {}
        self.disable = set()

    def cb(self, tool, ev):
        def cb(code, *a):
            if code is self.code:
                k = "%d:%s" % (tool, ev)
                self.n[k] = self.n.get(k, 0) + 1
                if (tool, ev) in self.disable:
                    return M.DISABLE
        return cb

    def run(self, f, hook=noop):
        self.n = {}
        call(f, hook)
        return dict(self.n)


def setup(rec, f):
    reset_tools()
    rec.code = f.__code__
    rec.disable = set()
    for t in (T, U, W):
        M.use_tool_id(t, "t%d" % t)
        for ev in ("LINE", "INSTRUCTION", "PY_START", "PY_RETURN", "CALL", "JUMP"):
            M.register_callback(t, getattr(E, ev), rec.cb(t, ev))


def main():
    out = {"version": sys.version.split()[0]}
    rec = Rec()
    R = {}

    # A. T LINE alone (single-tool code), DISABLE all lines; then multi-tool via another event
    #    (T and U both PY_RETURN) -> lines still disabled?; then U adds LINE -> T's lines back?
    f = fresh()
    setup(rec, f)
    M.set_events(T, E.LINE | E.PY_RETURN)
    rec.disable = {(T, "LINE")}
    a = {"r1": rec.run(f), "r2": rec.run(f)}
    M.set_events(U, E.PY_RETURN)
    a["after_multi_via_py_return"] = rec.run(f)
    M.set_events(W, E.LINE)
    a["after_W_adds_LINE"] = rec.run(f)
    R["A_line_after_multi_other_event"] = a

    # B. same but the code is multi-tool from the start (T and U on LINE); U drops LINE; T disables; U re-adds
    f = fresh()
    setup(rec, f)
    M.set_events(T, E.LINE)
    M.set_events(U, E.LINE)
    rec.run(f)
    M.set_events(U, 0)
    rec.disable = {(T, "LINE")}
    b = {"r1": rec.run(f), "r2": rec.run(f)}
    M.set_events(U, E.LINE)
    b["after_U_readds_LINE"] = rec.run(f)
    R["B_line_multi_from_start"] = b

    # C. T INSTRUCTION alone; then T and U PY_RETURN (code becomes multi-tool) -> does T keep INSTRUCTION?
    f = fresh()
    setup(rec, f)
    M.set_events(T, E.INSTRUCTION | E.PY_RETURN)
    c = {"r1": rec.run(f)}
    M.set_events(U, E.PY_RETURN)
    c["after_multi_via_py_return"] = rec.run(f)
    M.set_events(W, E.INSTRUCTION)
    c["after_W_adds_INSTRUCTION"] = rec.run(f)
    M.restart_events()
    c["after_restart"] = rec.run(f)
    R["C_instruction_after_multi"] = c

    # C2. T INSTRUCTION alone, then U INSTRUCTION too (transition adds an INSTRUCTION tool)
    f = fresh()
    setup(rec, f)
    M.set_events(T, E.INSTRUCTION)
    c2 = {"r1": rec.run(f)}
    M.set_events(U, E.INSTRUCTION)
    c2["after_U_instruction"] = rec.run(f)
    R["C2_instruction_two_tools"] = c2

    # C3. same with local events (test_with_instruction_event shape): T local INSTRUCTION|LINE, then U local LINE
    f = fresh()
    setup(rec, f)
    M.set_local_events(T, f.__code__, E.INSTRUCTION | E.LINE)
    c3 = {"r1": rec.run(f)}
    M.set_local_events(U, f.__code__, E.LINE)
    c3["after_U_local_line"] = rec.run(f)
    R["C3_local_instruction_line"] = c3

    # D. INSTRUCTION DISABLE in single-tool mode then second tool adds INSTRUCTION
    f = fresh()
    setup(rec, f)
    M.set_events(T, E.INSTRUCTION)
    rec.disable = {(T, "INSTRUCTION")}
    d = {"r1": rec.run(f), "r2": rec.run(f)}
    rec.disable = set()
    M.set_events(U, E.INSTRUCTION)
    d["after_U_instruction"] = rec.run(f)
    R["D_instruction_disable_then_U"] = d

    # E. PY_START DISABLE single-tool, then U PY_START: T stays disabled (tools array built from instrumentation)
    f = fresh()
    setup(rec, f)
    M.set_events(T, E.PY_START)
    rec.disable = {(T, "PY_START")}
    e = {"r1": rec.run(f), "r2": rec.run(f)}
    M.set_events(U, E.PY_START)
    e["after_U"] = rec.run(f)
    R["E_py_start_disable_then_U"] = e

    # F. lazy re-instrumentation: global off then on with a run of a *different* function in between
    f = fresh()
    g = fresh()
    setup(rec, f)
    M.set_events(T, E.PY_START)
    rec.disable = {(T, "PY_START")}
    fz = {"r1": rec.run(f), "r2": rec.run(f)}
    M.set_events(T, 0)
    call(g, noop)
    M.set_events(T, E.PY_START)
    fz["after_off_runG_on"] = rec.run(f)
    M.set_events(T, 0)
    M.set_events(T, E.PY_START)
    fz["after_off_on"] = rec.run(f)
    R["F_lazy"] = fz

    # G. suspended generator: global off/on while the generator is suspended (not on the stack)
    gsrc = '''
def gen():
    for i in range(3):
        yield i
'''
    gen = fresh(gsrc, "gen")
    setup(rec, gen)
    M.set_events(T, E.LINE)
    rec.disable = {(T, "LINE")}
    it = gen()
    rec.n = {}
    next(it)
    next(it)
    gg = {"first_two": dict(rec.n)}
    rec.n = {}
    M.set_events(T, 0)
    M.set_events(T, E.LINE)
    next(it)
    gg["after_off_on_while_suspended"] = dict(rec.n)
    it2 = gen()
    M.set_events(T, 0)
    rec.n = {}
    next(it2)
    M.set_events(T, E.LINE)
    next(it2)
    gg["off_resume_on_resume"] = dict(rec.n)
    R["G_generator"] = gg

    # H. set_events from a callback of a *callee* while f is suspended lower on the stack
    f = fresh()
    setup(rec, f)
    M.set_events(T, E.LINE)
    rec.disable = {(T, "LINE")}
    h = {"r1": rec.run(f), "r2": rec.run(f)}

    def hook():
        M.set_events(T, 0)
        M.set_events(T, E.LINE)
    h["during_off_on_from_callee"] = rec.run(f, hook)
    h["after"] = rec.run(f)
    R["H_on_stack_caller"] = h

    out["results"] = R
    reset_tools()
    print(json.dumps(out, indent=1, sort_keys=True))


main()
