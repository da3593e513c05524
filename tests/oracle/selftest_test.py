"""oracle/selftest.py (schema-valid results, determinism, observer independence,
protocol and isolation checks) on every interpreter with sys.monitoring that
`monsim interpreters --quick` finds, one case each: natively as `PYTHON selftest.py`,
pyodide under Node as `node oracle/pyodide/runner.mjs --pyodide N selftest.py` (not
Brython, which cannot read the files it needs).
Skips (77) with the reason when no interpreter is found.
usage: selftest_test.py MONSIM SOURCE_ROOT"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SELFTEST = os.path.join(ROOT, "oracle", "selftest.py")
cases = Cases("OracleSelftest")


def interpreters():
    """[(id, kind, path)] of the interpreters monsim finds."""
    p = subprocess.run([MONSIM, "interpreters", "--quick"], capture_output=True,
                       text=True, timeout=120, cwd=ROOT)
    found = []
    for line in p.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) >= 4:
            found.append((parts[0], parts[1], parts[3]))
    return found


def command(kind, path):
    if kind == "pyodide":
        flavour = os.path.basename(path).replace("pyodide", "")
        return ["node", os.path.join(ROOT, "oracle", "pyodide", "runner.mjs"),
                "--pyodide", flavour, SELFTEST]
    return [path, SELFTEST]


def main():
    found = interpreters()
    if not found:
        print("SKIP: no interpreter with sys.monitoring found (pyenv, PATH, "
              "node_modules/pyodide*; ./run setup)")
        sys.exit(77)
    for ident, kind, path in found:
        cases.case(f"oracle/selftest.py on {ident}")
        if kind == "brython":
            # selftest.py reads its schemas and examples from files, and Brython's open()
            # reaches files only through browser requests. Its worker is run by monsim
            # check (tests/interpreter/adapters_doc_test.py follows it on the legacy area).
            cases.skip("Brython cannot read the files selftest.py needs; its worker is "
                       "checked by the adapters page test")
            continue
        p = subprocess.run(command(kind, path), capture_output=True, text=True,
                           timeout=600, cwd=ROOT)
        last = (p.stdout.strip().splitlines() or [""])[-1]
        cases.check(p.returncode == 0 and last.endswith(" 0 failed"),
                    f"exit {p.returncode}, last line {last!r}\n"
                    f"stdout: {p.stdout[-1500:]}\nstderr: {p.stderr[-800:]}")
        print(f"{ident}: {last}")
    cases.finish()


main()
