"""oracle/pyodide/runner.mjs hands the program its stdin byte for byte: lines far
longer than one read of the interpreter (a large protocol request), with multi-byte
characters across chunk boundaries, arrive whole and in order. (A stdin handler that
returns lines lost what was beyond 8192 bytes of a long line on pyodide 314.)
One case per pyodide line `monsim interpreters --quick` finds; skips (77) without one.
usage: pyodide_runner_test.py MONSIM SOURCE_ROOT"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
RUNNER = os.path.join(ROOT, "oracle", "pyodide", "runner.mjs")
cases = Cases("PyodideRunner")

LINES = ["a" * 100000, "é" * 5, "x" * 8191 + "ü" * 3000, ""]
PROGRAM = "import sys\nfor line in sys.stdin:\n    print(len(line), line[:1] == line[-2:-1])\n"


def main():
    p = subprocess.run([MONSIM, "interpreters", "--quick"], capture_output=True,
                       text=True, timeout=120, cwd=ROOT)
    found = [parts for parts in (l.split("\t") for l in p.stdout.splitlines())
             if len(parts) >= 4 and parts[1] == "pyodide"]
    if not found:
        print("SKIP: no pyodide line found (node_modules/pyodide*; ./run setup)")
        sys.exit(77)
    stdin = "".join(l + "\n" for l in LINES).encode("utf-8")
    want = "".join(f"{len(l) + 1} {l[:1] == l[-1:] if l else False}\n" for l in LINES)
    for ident, _, _, path in (f[:4] for f in found):
        cases.case(f"long stdin lines arrive whole on {ident}")
        flavour = os.path.basename(path).replace("pyodide", "")
        r = subprocess.run(["node", RUNNER, "--pyodide", flavour, "-c", PROGRAM],
                           input=stdin, capture_output=True, timeout=300, cwd=ROOT)
        out = r.stdout.decode("utf-8", "replace")
        cases.check(r.returncode == 0 and out == want,
                    f"exit {r.returncode}\nwant {want!r}\ngot  {out[:400]!r}\n"
                    f"stderr: {r.stderr.decode('utf-8', 'replace')[-600:]}")
    cases.finish()


main()
