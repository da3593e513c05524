"""The oracle's lean bytecode reader (oracle/monsim_oracle/bytecode.py) makes the rows
dis makes (normalise._dis_instructions), row for row, and is the one in use: for every
code object of the stdlib modules compiled in the interpreter, for shapes the stdlib
has few of (EXTENDED_ARG on constants, names and jumps both ways, generators, async,
except*, match…), and for every opcode byte in a made-up bytecode (offsets, cache
entries skipped, jump targets as dis's findlabels finds them). On PyPy it leaves the
tables to dis. One run per interpreter `monsim interpreters --quick` finds (native
CPython 3.12+, pyodide, PyPy; not Brython, whose code objects have no bytecode).
usage: bytecode_decoder_test.py MONSIM SOURCE_ROOT"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases, interpreters  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
PACKAGE = os.path.join(ROOT, "oracle", "monsim_oracle")
RUNNER = os.path.join(ROOT, "oracle", "pyodide", "runner.mjs")
cases = Cases("BytecodeDecoder")

# Run inside each interpreter after a preamble that makes monsim_oracle importable.
# Prints "case NAME", then "fail MESSAGE" / "skip REASON" lines for it; "done" at the end.
INNER = r'''
import dis, importlib.util, sys, types
from monsim_oracle import bytecode, normalise

MODULES = """argparse ast asyncio.base_events asyncio.tasks calendar collections
configparser contextlib csv dataclasses difflib dis email.message
email._header_value_parser enum fractions functools gettext heapq http.client inspect
ipaddress json.decoder json.encoder logging pathlib pickle pprint random re._parser
re._compiler shlex shutil statistics string tarfile tempfile textwrap threading
tokenize traceback typing unittest.case urllib.parse uuid weakref zipfile _pydecimal
_pydatetime""".split()

SHAPES = """
import asyncio, contextlib
def closures(a, *args, b=2, **kw):
    c = [x * y for x in args for y in range(b) if x if y]
    d = {k: v for k, v in kw.items()}
    def inner():
        nonlocal a
        a += 1
        return lambda: (a, c, d)
    return inner
def gen(n):
    total = yield
    for i in range(n):
        try:
            total += yield i
        except GeneratorExit:
            raise
        except (ValueError, TypeError) as e:
            total = e
        else:
            continue
        finally:
            total = total
    yield from gen(n - 1) if n else ()
    return (t for t in range(total) if t % 2)
async def agen(xs):
    async with contextlib.AsyncExitStack() as s:
        async for x in xs:
            yield [y async for y in xs if await y]
        await asyncio.sleep(0)
def groups():
    try:
        raise ExceptionGroup("g", [ValueError(1), TypeError(2)])
    except* ValueError as e:
        a = e
    except* TypeError:
        pass
def matching(v):
    match v:
        case [1, 2, *rest] if rest:
            return rest
        case {"k": int(k), **more}:
            return k, more
        case Point(x=0, y=y) | Point(x=y, y=0):
            return y
        case str() as s if (n := len(s)) > 3:
            return n
        case _:
            while v:
                v -= 1
                if v == 7:
                    break
            else:
                return None
class Point:
    __match_args__ = ("x", "y")
    def __init__(self, x, y):
        self.x, self.y = x, y
    @property
    def norm(self):
        with open(__file__) as f, open(__file__) as g:
            return f"{self.x!r:>{self.y}} {g}"
"""
# EXTENDED_ARG once and twice: on constants, names, locals, and jumps forward and back.
CONSTS = "def consts():\n" + "".join("    x = %d.5\n" % k for k in range(70000))
NAMES = "def names():\n" + "".join("    n%d = g%d.a%d\n" % (k, k, k) for k in range(300))
# FOR_ITER's row shows its target: a loop this long shows what two EXTENDED_ARGs make.
LOOP = ("def loop(xs, m):\n    for n in xs:\n        if m:\n" +
        "            n = n - m\n" * 20000 + "        m = n\n    return m\n")


def codes(top):
    todo = [top]
    while todo:
        c = todo.pop()
        yield c
        todo.extend(k for k in c.co_consts if type(k) is types.CodeType)


def where(c):
    return "%s (%s:%s)" % (normalise.qualname(c), c.co_filename, c.co_firstlineno)


def compare(top, label, bad):
    """Code objects checked; prints the first differing row of the first mismatches."""
    n = 0
    for c in codes(top):
        n += 1
        want = [tuple(r) for r in normalise._dis_instructions(c)]
        got = bytecode.rows(c, normalise._line_per_unit)
        if got == want:
            continue
        bad[0] += 1
        if bad[0] > 5:
            continue
        if got is None:
            print("fail %s: %s: the lean reader gave up" % (label, where(c)))
            continue
        k = next((k for k, (a, b) in enumerate(zip(want, got)) if a != b),
                 min(len(want), len(got)))
        print("fail %s: %s: row %d: dis %r, lean %r (%d rows vs %d)" % (
            label, where(c), k, want[k] if k < len(want) else None,
            got[k] if k < len(got) else None, len(want), len(got)))
    return n


def more(bad):
    if bad[0] > 5:
        print("fail %d mismatches in all, the first 5 shown" % bad[0])


def synthetic(bad):
    """Every opcode byte with an oparg (and after EXTENDED_ARG) between NOPs."""
    unpack, labels = dis._unpack_opargs, dis.findlabels
    nop, ext = dis.opmap["NOP"], dis.EXTENDED_ARG
    for op in range(256):
        for prefix in (b"", bytes([ext, 1])):
            b = bytes([nop, 0]) + prefix + bytes([op, 3]) + bytes([nop, 0]) * 8
            offsets = [t[0] for t in unpack(b)]
            targets = set(labels(b))
            want = [(o, i == 0 or o in targets) for i, o in enumerate(offsets)]
            rows = bytecode.rows(types.SimpleNamespace(co_code=b),
                                 lambda c: (None,) * (len(b) // 2))
            got = rows and [(r[0], r[4]) for r in rows]
            if got != want:
                bad[0] += 1
            if got != want and bad[0] <= 5:
                print("fail opcode %d (%s) after %r: dis (offset, jump target) %r, lean %r"
                      % (op, dis._all_opname[op], prefix, want, got))


print("case the lean reader is in use on CPython 3.12+ only")
cpython = sys.implementation.name == "cpython" and sys.version_info >= (3, 12)
if cpython != (bytecode._facts() is not None):
    print("fail the lean reader is %sin use" % ("not " if cpython else ""))
if not cpython:  # the sample of bytecode.py is all this Python's syntax may read
    for c in codes(compile(bytecode._SAMPLE, "<sample>", "exec")):
        if normalise._instructions(c) != normalise._dis_instructions(c):
            print("fail %s: _instructions() is not dis's" % where(c))
    print("done")
    sys.exit(0)

print("case stdlib modules")
bad, found, count = [0], 0, 0
for name in MODULES:
    spec = importlib.util.find_spec(name)
    source = spec and spec.loader.get_source(name)
    if source:
        found += 1
        count += compare(compile(source, spec.origin, "exec"), name, bad)
more(bad)
if found < 40:
    print("fail only %d of the %d stdlib modules have a source" % (found, len(MODULES)))
print("note %d code objects of %d stdlib modules" % (count, found))

print("case tricky shapes")
bad = [0]
tops = {label: compile(source, "<%s>" % label, "exec") for label, source in
        (("shapes", SHAPES), ("consts", CONSTS), ("names", NAMES), ("loop", LOOP))}
for label, top in tops.items():
    compare(top, label, bad)
more(bad)
runs = {}  # EXTENDED_ARGs in a row -> how often
for c in list(codes(tops["consts"])) + list(codes(tops["loop"])):
    run = 0
    for r in bytecode.rows(c, normalise._line_per_unit):
        run = run + 1 if r[1] == "EXTENDED_ARG" else 0
        runs[run] = runs.get(run, 0) + 1
if not runs.get(2):
    print("fail the shapes have no double EXTENDED_ARG: the test lost its point")

print("case every opcode byte")
bad = [0]
synthetic(bad)
more(bad)
print("done")
'''

# pyodide sees only the folder of a script it runs: the package travels with the program.
MATERIALISE = r'''
import os, sys, tempfile
_root = tempfile.mkdtemp()
os.mkdir(os.path.join(_root, "monsim_oracle"))
for _name, _text in %r.items():
    with open(os.path.join(_root, "monsim_oracle", _name), "w") as _f:
        _f.write(_text)
sys.path.insert(0, _root)
'''


def program(kind):
    if kind != "pyodide":
        return "import sys\nsys.path.insert(0, %r)\n" % os.path.dirname(PACKAGE) + INNER
    files = {}
    for name in ("__init__.py", "bytecode.py", "normalise.py"):
        with open(os.path.join(PACKAGE, name)) as f:
            files[name] = f.read()
    return MATERIALISE % files + INNER


def run(ident, kind, path):
    cmd = [path, "-"]
    if kind == "pyodide":
        cmd = ["node", RUNNER, "--pyodide", os.path.basename(path).replace("pyodide", ""), "-"]
    r = subprocess.run(cmd, input=program(kind), capture_output=True, text=True,
                       timeout=600, cwd=ROOT)
    lines = r.stdout.splitlines()
    for line in lines:
        word, _, rest = line.partition(" ")
        if word == "case":
            cases.case(f"{rest} on {ident}")
        elif word == "fail":
            cases.fail(rest)
        elif word == "note":
            print(f"{ident}: {rest}")
    if r.returncode != 0 or not lines or lines[-1] != "done":
        if not lines or lines[0].split(" ")[0] != "case":
            cases.case(f"the lean reader on {ident}")
        cases.fail(f"exit {r.returncode}: {r.stdout[-800:]}\nstderr: {r.stderr[-1500:]}")


def main():
    found = interpreters(MONSIM, ROOT)
    if not found:
        print("SKIP: no interpreter found (pyenv, PATH, node_modules/pyodide*; ./run setup)")
        sys.exit(77)
    for ident, kind, _, path in found:
        if kind == "brython":
            cases.case(f"the lean reader on {ident}")
            cases.skip("Brython's code objects have no bytecode: normalise reads no "
                       "instructions there")
            continue
        run(ident, kind, path)
    cases.finish()


main()
