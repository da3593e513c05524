"""oracle/brython/runner.mjs behaves like `python3` for what monsim needs of an
implementation (interpreter/ADAPTERS.md §1): SCRIPT ARGS, -c CODE and - (stdin), the
program's exit status (sys.exit(n) included, which Brython itself drops), stdin read line by
line while the program runs, stdout carrying only the program's output, and modules beside
the script importable. Skips (77) when npm brython is not installed (./run setup does).
usage: brython_runner_test.py SOURCE_ROOT"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases  # noqa: E402

ROOT = os.path.abspath(sys.argv[1])
RUNNER = os.path.join(ROOT, "oracle", "brython", "runner.mjs")
cases = Cases("BrythonRunner")


def run(args, stdin=""):
    return subprocess.run(["node", RUNNER] + args, input=stdin, capture_output=True,
                          text=True, timeout=120)


def main():
    if not os.path.isdir(os.path.join(ROOT, "node_modules", "brython")):
        print("SKIP: npm brython is not installed (./run setup installs it)")
        sys.exit(77)
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "helper.py"), "w") as f:
            f.write("def double(x):\n    return 2 * x\n")
        script = os.path.join(tmp, "main.py")
        with open(script, "w") as f:
            f.write("import sys, helper\n"
                    "print(sys.argv[1:], helper.double(21))\n"
                    "line = sys.stdin.readline()\n"
                    "print('got', repr(line))\n"
                    "sys.exit(int(sys.argv[1]))\n")

        cases.case("SCRIPT ARGS: argv, a module beside the script, stdin, sys.exit(n)")
        p = run([script, "5", "x"], "hello\nrest\n")
        cases.check(p.returncode == 5, f"exit {p.returncode}, stderr {p.stderr[-300:]}")
        cases.check(p.stdout == "['5', 'x'] 42\ngot 'hello\\n'\n",
                    f"stdout is not only the program's output: {p.stdout!r}")

    cases.case("-c CODE: an uncaught exception exits 1 with its traceback on stderr")
    p = run(["-c", "raise ValueError('boom')"])
    cases.check(p.returncode == 1, f"exit {p.returncode}")
    cases.check("ValueError: boom" in p.stderr, f"stderr: {p.stderr[-300:]}")
    cases.check(p.stdout == "", f"stdout: {p.stdout!r}")

    cases.case("-c CODE: SystemExit with a message exits 1 and prints it on stderr")
    p = run(["-c", "import sys; sys.exit('bye')"])
    cases.check(p.returncode == 1, f"exit {p.returncode}")
    cases.check("bye" in p.stderr, f"stderr: {p.stderr[-300:]}")

    cases.case("- : the program on stdin, exit 0")
    p = run(["-"], "import sys\nprint(sys.implementation.name)\n")
    cases.check(p.returncode == 0, f"exit {p.returncode}, stderr {p.stderr[-300:]}")
    cases.check(p.stdout == "Brython\n", f"stdout: {p.stdout!r}")

    cases.case("stdin is read line by line as the program asks (a protocol's round trips)")
    proc = subprocess.Popen(["node", RUNNER, "-c",
                             "import sys\nfor line in sys.stdin:\n"
                             "    sys.stdout.write(line.upper())\n    sys.stdout.flush()\n"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        for word in ("one\n", "two\n"):
            proc.stdin.write(word)
            proc.stdin.flush()
            echoed = proc.stdout.readline()  # answered before the next line is sent
            cases.check(echoed == word.upper(), f"sent {word!r}, got {echoed!r}")
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
    cases.check(proc.returncode == 0, f"exit {proc.returncode}")
    cases.finish()


main()
