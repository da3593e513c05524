"""Python tests counted case by case, like the GoogleTest binaries.

A test script records each check as a case (passed, failed with messages, or
skipped with a reason) and ends with `cases.finish()`: it prints one line per
case, writes GoogleTest-shaped JSON to $GTEST_OUTPUT (a folder ending in "/":
<script name>.json there), which tests/summarize.py counts case by case, and
exits 1 on a failure, 77 (meson's skip) when every case was skipped, else 0."""
import json
import os
import sys


class Cases:
    def __init__(self, suite):
        self.suite = suite
        self.name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
        self.results = []  # (name, "passed" | "failed" | "skipped", [messages])
        self.current = None
        target = self._json_path()
        if target and os.path.exists(target):
            os.remove(target)  # a stale file would be counted for this run

    def _json_path(self):
        out = os.environ.get("GTEST_OUTPUT", "")
        if not out.startswith("json:") or not out.endswith("/"):
            return None
        return os.path.join(out[len("json:"):], self.name + ".json")

    def case(self, name):
        """Starts a case; later check()/fail() calls belong to it."""
        self._close()
        self.current = [name, "passed", []]

    def check(self, ok, message):
        if not ok:
            self.fail(message)
        return ok

    def fail(self, message):
        self.current[1] = "failed"
        self.current[2].append(message)

    def skip(self, reason):
        """Skips the current case; its checks so far are dropped."""
        self.current[1] = "skipped"
        self.current[2] = [reason]

    def _close(self):
        if self.current is not None:
            self.results.append(tuple(self.current))
            self.current = None

    def finish(self):
        self._close()
        counts = {"passed": 0, "failed": 0, "skipped": 0}
        for name, status, messages in self.results:
            counts[status] += 1
            if status == "passed":
                print(f"ok    {name}")
            elif status == "skipped":
                print(f"SKIP  {name}: {messages[0]}")
            else:
                print(f"FAIL  {name}")
                for m in messages:
                    print("      " + m.replace("\n", "\n      "))
        print(f"{counts['passed']} passed, {counts['failed']} failed, "
              f"{counts['skipped']} skipped")
        self._write_json()
        if counts["failed"]:
            sys.exit(1)
        sys.exit(77 if counts["passed"] == 0 else 0)

    def _write_json(self):
        target = self._json_path()
        if not target:
            return
        cases = []
        for name, status, messages in self.results:
            c = {"name": name, "status": "RUN",
                 "result": "SKIPPED" if status == "skipped" else "COMPLETED"}
            if status == "failed":
                c["failures"] = [{"failure": m, "type": ""} for m in messages]
            cases.append(c)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as f:
            json.dump({"testsuites": [{"name": self.suite, "testsuite": cases}]}, f,
                      indent=1)


class Monsim:
    """Runs the monsim executable from the source root and records, as cases, that
    a call exits with the status and prints the texts it must."""

    def __init__(self, cases, exe, root, timeout=120):
        self.cases, self.exe, self.root, self.timeout = cases, exe, root, timeout

    def run(self, args, timeout=None):
        import subprocess
        p = subprocess.run([self.exe] + args, capture_output=True, text=True,
                           timeout=timeout or self.timeout, cwd=self.root)
        return p.returncode, p.stdout, p.stderr

    def killed_when(self, args, ready, timeout=300):
        """Runs monsim with `args` and SIGKILLs it once `ready()` holds (checked every
        10 ms); True if it was still running then."""
        import signal
        import subprocess
        import time
        p = subprocess.Popen([self.exe] + args, cwd=self.root, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not ready() and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        finished = p.poll() is not None
        p.send_signal(signal.SIGKILL)
        p.wait()
        return not finished

    def expect(self, args, status, out=(), err=(), timeout=None):
        rc, o, e = self.run(args, timeout)
        shown = f"monsim {' '.join(args)}"
        self.cases.check(rc == status, f"{shown}: exit {rc}, expected {status}\n"
                         f"stdout: {o[-800:]}\nstderr: {e[-800:]}")
        for t in out:
            self.cases.check(t in o, f"{shown}: stdout lacks {t!r}: {o[-800:]}")
        for t in err:
            self.cases.check(t in e, f"{shown}: stderr lacks {t!r}: {e[-800:]}")
        return rc, o, e


def interpreters(exe, root, kind=None, cpython_from=None):
    """The interpreters `monsim interpreters --quick` finds, as (id, kind, "impl version",
    path) tuples; only those of `kind` ("native", "pyodide", …) if given, and only
    CPython at `cpython_from` (a (major, minor) tuple) or later if given."""
    import subprocess
    out = subprocess.run([exe, "interpreters", "--quick"], capture_output=True, text=True,
                         timeout=120, cwd=root).stdout
    found = []
    for parts in (line.split("\t") for line in out.splitlines()):
        if len(parts) < 4 or (kind and parts[1] != kind):
            continue
        if cpython_from:
            impl, _, version = parts[2].partition(" ")
            if impl != "cpython" or tuple(map(int, version.split(".")[:2])) < cpython_from:
                continue
        found.append(tuple(parts[:4]))
    return found


def native_cpythons(exe, root):
    """The native CPython 3.12+ interpreters `monsim interpreters --quick` finds (as
    interpreters() gives them); without one the test is skipped (exit 77, meson's
    skip), saying why."""
    found = interpreters(exe, root, kind="native", cpython_from=(3, 12))
    if not found:
        print("SKIP: no native CPython 3.12+ found (pyenv; ./run setup)")
        sys.exit(77)
    return found


def first_native_cpython(exe, root):
    """The id of the first native CPython 3.12+ (native_cpythons)."""
    return native_cpythons(exe, root)[0][0]
