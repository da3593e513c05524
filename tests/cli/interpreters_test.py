"""The CLI's contract with CI about interpreters (issue 23): an interpreter asked for
with --python is used, or the run exits 2 with the reason, in every subcommand that
takes --python; a check in which nothing was checked exits 2 and says so;
`monsim interpreters --python X` vets X capability by capability; `monsim fuzz`
interrupted by Ctrl-C exits 130 after writing what it found.

Non-Pythons and Pythons without sys.monitoring are the real ones where present (the
`python3` and `pypy3` on PATH, Debian's /usr/bin/python3) and always two fakes (shell
scripts answering the probe as Python 3.11 without sys.monitoring and as a 3.16 the
model has no profile for); a case that needs an absent one is skipped with the reason.
usage: interpreters_test.py MONSIM SOURCE_ROOT"""
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases, Monsim  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
cases = Cases("CliInterpreters")
DISPATCH = os.path.join(ROOT, "spec", "scenarios", "dispatch-order")
PROGRAM = os.path.join(DISPATCH, "callable-read-at-each-turn.yaml")
GENERATED = os.path.join(ROOT, "spec", "scenarios", "generated")
ONLY_314 = os.path.join(GENERATED, "local-refused", "gen-reraise-local-refused-3.14.yaml")
BEFORE_314 = os.path.join(GENERATED, "disable-site",
                          "gen-branch-disable-global-3.12-3.13.yaml")


monsim = Monsim(cases, MONSIM, ROOT, timeout=300)
run, expect = monsim.run, monsim.expect


def live_interpreters():
    """[(id, version)] from `monsim interpreters --quick`."""
    rc, out, _ = run(["interpreters", "--quick"], timeout=120)
    found = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            found.append((parts[0], parts[2].split()[-1]))
    return found


def python_version(exe):
    """(version, has sys.monitoring) of a Python, or None if it does not answer."""
    try:
        p = subprocess.run([exe, "-c", "import sys; print(sys.version.split()[0], "
                            "hasattr(sys, 'monitoring'))"],
                           capture_output=True, text=True, timeout=60)
    except OSError:
        return None
    if p.returncode != 0 or len(p.stdout.split()) != 2:
        return None
    version, monitoring = p.stdout.split()
    return version, monitoring == "True"


def fake_python(folder, name, version, monitoring):
    """A shell script that answers monsim's probe (on stdin) as a Python would."""
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\ncat >/dev/null\n"
                f"echo '{{\"impl\": \"cpython\", \"version\": \"{version}\", "
                f"\"monitoring\": {str(monitoring).lower()}, \"settrace\": true, "
                "\"setprofile\": true}'\n")
    os.chmod(path, 0o755)
    return path


def old_pythons():
    """Real Pythons without sys.monitoring: (label, path, version) or (label, None, why)."""
    out = []
    for label, exe in (("python3 on PATH", shutil.which("python3")),
                       ("Debian /usr/bin/python3", "/usr/bin/python3")):
        if not exe or not os.path.exists(exe):
            out.append((label, None, f"{label}: not installed (apt-get install pypy3)"))
            continue
        answer = python_version(exe)
        if answer is None:
            out.append((label, None, f"{label} ({exe}) does not run"))
        elif answer[1]:
            out.append((label, None, f"{label} ({exe}) is {answer[0]}, with sys.monitoring"))
        else:
            out.append((label, exe, answer[0]))
    return out


def wrong_interpreters(tmp):
    """(label, --python value, what the reason must say)."""
    plain = os.path.join(tmp, "plain-file")
    open(plain, "w").write("not a program\n")
    os.chmod(plain, stat.S_IRUSR | stat.S_IWUSR)
    wrong = [
        ("a version nobody has", "3.99", "not found"),
        ("an unknown id", "cpython-9.9.9", "not found"),
        ("an unknown command", "no-such-python-for-monsim", "not found"),
        ("a missing path", "/nonexistent/python3", "no such file"),
        ("a file without execute permission", plain, "not executable"),
        ("a folder", tmp, "not executable"),
        ("/bin/true (not a Python)", "/bin/true", "not a Python"),
        ("/bin/ls (not a Python)", "/bin/ls", "not a Python"),
        ("a fake Python 3.11 without sys.monitoring",
         fake_python(tmp, "python3.11-fake", "3.11.9", False), "without sys.monitoring"),
        ("a fake Python 3.16 the model has no profile for",
         fake_python(tmp, "python3.16-fake", "3.16.0", True), "no profile"),
    ]
    return wrong


def commands_with_python(tmp, spec):
    """Every subcommand that takes --python, with spec given to it."""
    return [
        ("check", ["check", DISPATCH, "--python", spec]),
        ("record", ["record", PROGRAM, "--python", spec, "-o", os.path.join(tmp, "rec")]),
        ("fuzz", ["fuzz", "--python", spec, "--count", "1", "-o", os.path.join(tmp, "fz")]),
        ("fuzz --replay", ["fuzz", "--replay", "313-1-10", "--python", spec,
                           "-o", os.path.join(tmp, "fz")]),
        ("interpreters", ["interpreters", "--quick", "--python", spec]),
    ]


def refused(args, spec, reason, extra=()):
    """Exit 2 with `cannot use --python 'spec': <reason>`; nothing ran."""
    interpreters = args[0] == "interpreters"
    rc, out, err = expect(args, 2, out=[f"{spec}: not usable", reason] if interpreters
                          else [], err=[] if interpreters
                          else [f"cannot use --python '{spec}'", reason], timeout=120)
    for t in extra:
        cases.check(t in out + err, f"monsim {' '.join(args)}: does not say {t!r}:\n"
                    f"{out[-800:]}{err[-800:]}")
    if not interpreters:
        cases.check("passed" not in out and "wrote" not in out,
                    f"monsim {' '.join(args)}: ran although refused: {out[-400:]}")


def matrix(tmp):
    for label, spec, reason in wrong_interpreters(tmp):
        for name, args in commands_with_python(tmp, spec):
            if name == "record" and reason == "no profile":
                # Recording needs no model profile: the run goes ahead (and the fake
                # fails as a worker, exit 1).
                cases.case(f"record --python <{label}>: used (no model needed), exit 1")
                _, out, err = expect(args, 1, out=["crashed"])
                cases.check("cannot use" not in err, f"refused: {err}")
                continue
            cases.case(f"{name} --python <{label}>: exit 2, {reason}")
            refused(args, spec, reason)
    for label, exe, version in old_pythons():
        for name, args in commands_with_python(tmp, exe or "?"):
            cases.case(f"{name} --python <{label}, no sys.monitoring>: exit 2, the version")
            if exe is None:
                cases.skip(version)
                continue
            refused(args, exe, "without sys.monitoring", extra=[version])
    hooks_only(tmp)


LEGACY_SCENARIO = os.path.join(ROOT, "spec", "scenarios", "legacy", "seed-call-tracing.yaml")


def hooks_only(tmp):
    """Another implementation without sys.monitoring but with both legacy hooks (PyPy
    3.9): check runs the legacy-hook scenarios on it, record records them, fuzzing
    (which needs the model) refuses it."""
    exe = shutil.which("pypy3")
    answer = python_version(exe) if exe else None
    why = ("pypy3 on PATH: not installed (apt-get install pypy3)" if not exe
           else f"pypy3 ({exe}) does not run" if answer is None
           else f"pypy3 ({exe}) has sys.monitoring" if answer[1] else None)
    for name, args in commands_with_python(tmp, exe or "?"):
        if name.startswith("fuzz"):
            cases.case(f"{name} --python <pypy3, legacy hooks only>: exit 2, needs the model")
            if why:
                cases.skip(why)
                continue
            refused(args, exe, "without sys.monitoring", extra=[answer[0], "fuzzing needs the model"])
        elif name == "check":
            cases.case("check --python <pypy3> on sys.monitoring scenarios: nothing checked, exit 2")
            if why:
                cases.skip(why)
                continue
            expect(args, 2, out=["0 passed, 0 failed"],
                   err=["nothing was checked", "needs a usable sys.monitoring"])
        elif name == "record":
            cases.case("record --python <pypy3> a legacy-hook scenario: recorded, exit 0")
            if why:
                cases.skip(why)
                continue
            expect(["record", LEGACY_SCENARIO, "--python", exe, "-o",
                    os.path.join(tmp, "rec-pypy")], 0)
        else:
            cases.case("interpreters --python <pypy3>: usable, legacy hooks yes, exit 0")
            if why:
                cases.skip(why)
                continue
            _, out, _ = expect(["interpreters", "--python", exe], 0, out=["usable as"])
            cases.check(any(l.strip().startswith("legacy hooks") and " yes " in l + " "
                            for l in out.splitlines()), f"legacy hooks not 'yes': {out}")
    cases.case("check --python <pypy3> on a legacy-hook scenario: its expectations hold, exit 0")
    if why:
        cases.skip(why)
    else:
        expect(["check", LEGACY_SCENARIO, "--python", exe], 0, out=["1 passed, 0 failed"])


def issue_table(tmp, live):
    cases.case("table: check dispatch-order --python 3.99 exits 2: not found, nothing run")
    _, out, _ = expect(["check", DISPATCH, "--python", "3.99"], 2,
                       err=["cannot use --python '3.99'", "not found"])
    cases.check("0 passed" not in out, f"printed a summary of nothing: {out}")

    for label, exe, version in old_pythons():
        cases.case(f"table: check --python <{label}> exits 2: which version, what it "
                   "lacks, where the legacy-hook scenarios run instead")
        if exe is None:
            cases.skip(version)
            continue
        expect(["check", DISPATCH, "--python", exe], 2,
               err=[f"cannot use --python '{exe}'", "without sys.monitoring", version,
                    "PEP 669", "sys.settrace", "not on CPython before 3.12",
                    "scenarios given, 0 need only the legacy hooks"])
        cases.case(f"table: interpreters --python <{label}> vets it capability by "
                   "capability, exit 2")
        _, out, _ = expect(["interpreters", "--python", exe], 2,
                           out=[f"{exe}: not usable", "without sys.monitoring"])
        for line in ("found ", "executable ", "a Python ", "sys.monitoring ",
                     "legacy hooks "):
            cases.check(any(l.strip().startswith(line.strip()) and
                            (" yes" in l or " no" in l) for l in out.splitlines()),
                        f"no capability line {line.strip()!r}: {out}")
        cases.check(any(l.strip().startswith("sys.monitoring") and " no " in l + " "
                        for l in out.splitlines()), f"sys.monitoring is not 'no': {out}")

    cases.case("table: check --python 3.13 --timeout -1 exits 2 naming --timeout")
    expect(["check", DISPATCH, "--python", "3.13", "--timeout", "-1"], 2,
           err=["--timeout", "-1"])
    cases.case("table: check --python 3.13 --jobs 0 exits 2 naming --jobs")
    expect(["check", DISPATCH, "--python", "3.13", "--jobs", "0"], 2, err=["--jobs"])
    cases.case("table: fuzz --python nonexistent exits 2: not found")
    expect(["fuzz", "--python", "nonexistent", "-o", os.path.join(tmp, "fz")], 2,
           err=["cannot use --python 'nonexistent'", "not found"])
    cases.case("table: record --python 2.7 exits 2: not found")
    expect(["record", PROGRAM, "--python", "2.7", "-o", os.path.join(tmp, "rec")], 2,
           err=["cannot use --python '2.7'", "not found"])

    native = [(i, v) for i, v in live if i.startswith("cpython-")]
    first = (native or live or [(None, None)])[0]
    cases.case("one unusable interpreter stops the run even beside a usable one")
    if first[0] is None:
        cases.skip("no interpreter with sys.monitoring found (./run setup)")
    else:
        expect(["check", DISPATCH, "--python", first[0], "--python", "/bin/true"], 2,
               err=["cannot use --python '/bin/true'"])

    cases.case("interpreters --python <a live one> vets it usable, oracle worker included")
    if first[0] is None:
        cases.skip("no interpreter with sys.monitoring found (./run setup)")
    else:
        _, out, _ = expect(["interpreters", "--python", first[0]], 0,
                           out=[f"{first[0]}: usable as", "oracle worker", "threads"])

    cases.case("check: nothing checked (every run skipped) exits 2 and says why")
    if first[0] is None:
        cases.skip("no interpreter with sys.monitoring found (./run setup)")
    else:
        only_other = ONLY_314 if not first[1].startswith("3.14") else BEFORE_314
        expect(["check", only_other, "--python", first[0]], 2,
               out=["0 passed, 0 failed, 1 skipped"],
               err=["nothing was checked", "scenario applies to python"])

    cases.case("check on a usable interpreter still passes (exit 0)")
    if not native:
        cases.skip("no native CPython with sys.monitoring found (pyenv 3.12/3.13)")
    else:
        expect(["check", DISPATCH, "--python", native[0][0]], 0, out=[" passed, 0 failed"])

    cases.case("fuzz --replay: a token no selected interpreter's version has exits 2")
    if first[0] is None:
        cases.skip("no interpreter with sys.monitoring found (./run setup)")
    else:
        token = "312-1-10" if not first[1].startswith("3.12") else "313-1-10"
        expect(["fuzz", "--replay", token, "--python", first[0], "-o",
                os.path.join(tmp, "fz")], 2, err=["nothing was replayed"])


def interrupted(tmp, live):
    cases.case("fuzz interrupted by Ctrl-C exits 130 after writing what it found")
    native = [i for i, _ in live if i.startswith("cpython-")]
    if not native:
        cases.skip("no native CPython with sys.monitoring found (pyenv 3.12/3.13)")
        return
    out_dir = os.path.join(tmp, "fuzz-int")
    p = subprocess.Popen([MONSIM, "fuzz", "--python", native[0], "--seconds", "120",
                          "--seed", "1", "-o", out_dir], cwd=ROOT, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # The handler is installed once the campaign starts, right after the seed line.
    first = p.stderr.readline()
    time.sleep(3)
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=120)
        err = first + err
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    cases.check(p.returncode == 130, f"exit {p.returncode}, expected 130\n"
                f"stdout: {out[-600:]}\nstderr: {err[-600:]}")
    cases.check("interrupted: kept every finding" in out, f"no 'interrupted' line: {out}")
    cases.check(f"{native[0]}: " in out, f"no campaign line for {native[0]}: {out}")


def main():
    live = live_interpreters()
    with tempfile.TemporaryDirectory() as tmp:
        issue_table(tmp, live)
        matrix(tmp)
        interrupted(tmp, live)
    cases.finish()


main()
