"""3.14+: legacy BRANCH handler (wrapper) DISABLE behaviour for if- and for-style branches."""
import json
import sys

from _probelib import M, E, V, T, U, fresh, noop, reset_tools

SRC = '''
def f(n):
    out = 0
    for i in range(n):
        if i % 2:
            out += 1
    return out
'''


def run(mode):
    """mode: which direction the handler DISABLEs ('left', 'right', None), events enabled, helper tool."""
    disable_dir, enabled, helper = mode
    reset_tools()
    f = fresh(SRC)
    code = f.__code__
    log = []
    # src offsets of the branch instructions, from co_branches: (src, left, right)
    br = list(code.co_branches())

    def h(c, src, dest):
        if c is not code:
            return
        d = "?"
        for s, l, r in br:
            if s == src:
                d = "left" if dest == l else ("right" if dest == r else "?")
        log.append((src, dest, d))
        if d == disable_dir:
            return M.DISABLE
    M.use_tool_id(T, "T")
    M.register_callback(T, E.BRANCH, h)
    M.set_local_events(T, code, enabled)
    if helper:
        M.use_tool_id(U, "U")
        M.register_callback(U, E.BRANCH_LEFT, lambda *a: None)
        M.register_callback(U, E.BRANCH_RIGHT, lambda *a: None)
        M.set_local_events(U, code, E.BRANCH_LEFT | E.BRANCH_RIGHT)
    runs = []
    for k in range(3):
        log.clear()
        f(4)
        runs.append(sorted(set((s, d, log.count((s, dd, d))) for s, dd, d in log)))
    return {"branches": br, "runs": runs}


def main():
    out = {"version": sys.version.split()[0]}
    if V < (3, 14):
        out["skipped"] = "no BRANCH_LEFT/RIGHT before 3.14"
        print(json.dumps(out))
        return
    LR = E.BRANCH_LEFT | E.BRANCH_RIGHT
    cases = {
        "no_disable": (None, LR, False),
        "disable_right": ("right", LR, False),
        "disable_left": ("left", LR, False),
        "only_left_enabled": (None, E.BRANCH_LEFT, False),
        "only_right_enabled": (None, E.BRANCH_RIGHT, False),
        "disable_right_with_helper_tool": ("right", LR, True),
        "disable_left_with_helper_tool": ("left", LR, True),
    }
    for k, m in cases.items():
        out[k] = run(m)
    reset_tools()
    print(json.dumps(out, indent=1, sort_keys=True))


main()
