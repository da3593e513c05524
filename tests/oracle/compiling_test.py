"""A run's code objects made from the compiled template (oracle compiling.py) are what
compiling the program under the run's file name makes: the same bytecode, constants,
line and position tables, names, flags, and the run's file name all the way down; new
objects for every run; and a program whose compilation warns or fails warns or fails
in every run, naming the run's file. One case per native CPython 3.12+ that
`monsim interpreters --quick` finds, plus the interpreter running this test.
usage: compiling_test.py MONSIM SOURCE_ROOT"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases, interpreters  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
cases = Cases("Compiling")

# Run inside each interpreter: prints one line per problem, then "done".
INNER = r'''
import sys, types, warnings
sys.path.insert(0, sys.argv[1] + "/oracle")
from monsim_oracle import compiling

PROGRAM = """
import sys
X = (1, 2, "three", b"four", 5.0, frozenset({6}))
def f(a, *, b=2):
    def g(x):
        return [y for y in x if y]
    try:
        return g([a, b])
    except ValueError as e:
        return lambda: e
class C:
    def m(self):
        yield from range(3)
async def h():
    return 1
"""
FIELDS = ("co_code", "co_names", "co_varnames", "co_cellvars", "co_freevars", "co_name",
          "co_qualname", "co_firstlineno", "co_flags", "co_argcount", "co_kwonlyargcount",
          "co_posonlyargcount", "co_stacksize", "co_nlocals", "co_linetable",
          "co_exceptiontable", "co_filename")

def same(a, b, where):
    for f in FIELDS:
        if getattr(a, f, None) != getattr(b, f, None):
            print("%s: %s differs" % (where, f))
    if list(a.co_positions()) != list(b.co_positions()):
        print("%s: co_positions differ" % where)
    ca, cb = a.co_consts, b.co_consts
    if len(ca) != len(cb):
        print("%s: %d constants, compile made %d" % (where, len(ca), len(cb)))
        return
    for i, (x, y) in enumerate(zip(ca, cb)):
        if type(x) is types.CodeType:
            if type(y) is not types.CodeType:
                print("%s: constant %d is code only in the copy" % (where, i))
            else:
                same(x, y, where + "/" + x.co_name)
        elif type(x) is not type(y) or x != y:
            print("%s: constant %d differs: %r vs %r" % (where, i, x, y))

def codes(c):
    yield c
    for k in c.co_consts:
        if type(k) is types.CodeType:
            yield from codes(k)

first = compiling.fresh(PROGRAM, "<scenario t#1>")
second = compiling.fresh(PROGRAM, "<scenario t#2>")
same(first, compile(PROGRAM, "<scenario t#1>", "exec", dont_inherit=True), "run 1")
same(second, compile(PROGRAM, "<scenario t#2>", "exec", dont_inherit=True), "run 2")
shared = {id(c) for c in codes(first)} & {id(c) for c in codes(second)}
if shared:
    print("%d code objects shared by two runs" % len(shared))
ns = {}
exec(second, ns)
if ns["f"](0, b=3) != [3] or list(ns["C"]().m()) != [0, 1, 2]:
    print("the copied program computes something else")

WARNS = "def f(x):\n    return x is 1\n"
for run in (1, 2):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        compiling.fresh(WARNS, "<scenario w#%d>" % run)
    if [w.filename for w in seen] != ["<scenario w#%d>" % run]:
        print("run %d: warnings %r" % (run, [(w.filename, str(w.message)) for w in seen]))
for run in (1, 2):
    try:
        compiling.fresh("def f(:\n", "<scenario e#%d>" % run)
        print("run %d: no SyntaxError" % run)
    except SyntaxError as e:
        if e.filename != "<scenario e#%d>" % run:
            print("run %d: the SyntaxError names %r" % (run, e.filename))
print("done")
'''


def check(python, ident):
    cases.case(f"template copies equal compiled code on {ident}")
    r = subprocess.run([python, "-c", INNER, ROOT], capture_output=True, text=True,
                       timeout=120, cwd=ROOT)
    lines = r.stdout.splitlines()
    if r.returncode != 0 or not lines or lines[-1] != "done":
        cases.fail(f"exit {r.returncode}: {r.stdout[-800:]}{r.stderr[-800:]}")
        return
    cases.check(lines == ["done"], "\n".join(lines[:-1])[:1500])


def main():
    found = interpreters(MONSIM, ROOT, kind="native", cpython_from=(3, 12))
    check(sys.executable, "the test's own interpreter")
    for ident, _, _, path in found:
        check(path, ident)
    cases.finish()


main()
