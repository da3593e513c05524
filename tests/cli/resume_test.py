"""`monsim check --results F` killed with SIGKILL at any point, then run again with
`--resume`, ends with the same results stream as an uninterrupted run (each record and
the footer's totals; only `seconds`, the header's `date` and the history of a worker
that crashed, which depends on how two jobs share the checks, may differ), the killed run
leaves a valid prefix (a header, then whole records), a record cut short by the kill is
dropped, and a file that is not a results stream of this monsim is refused with where.
On the first native CPython 3.12+ that `monsim interpreters --quick` finds (the checks
include hostile programs: a worker that exits, one that writes invalid UTF-8) and the
model (script scenarios); skips (77) without one.
usage: resume_test.py MONSIM SOURCE_ROOT"""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases, Monsim, first_native_cpython  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
cases = Cases("Resume")
monsim = Monsim(cases, MONSIM, ROOT, timeout=600)
PATHS = ["spec/scenarios/disable", "spec/scenarios/dispatch-order",
         "spec/scenarios/hostile/exits-with-os-exit.yaml",
         "spec/scenarios/hostile/writes-invalid-utf8.yaml"]


def lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except OSError:
        return 0


# Which scenarios a worker ran before it crashed depends on how two jobs share the
# checks: two uninterrupted runs differ there too.
HISTORY = re.compile(r"; (this worker ran before:[^:]*|a fresh worker):")


def comparable(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            j = json.loads(line)
            j.pop("seconds", None)
            j.pop("date", None)
            if "detail" in j:
                j["detail"] = HISTORY.sub("; <history>:", j["detail"])
            out.append(j)
    return out


def killed_at(args, path, at):
    """Runs monsim check with `args` and SIGKILLs it once `path` has `at` lines."""
    return monsim.killed_when(args, lambda: lines(path) >= at)


def valid_prefix(path):
    """Problems of the killed run's file as a stream prefix: a header, then records."""
    with open(path, "rb") as f:
        data = f.read()
    body = data[:data.rfind(b"\n") + 1]
    rows = [json.loads(l) for l in body.decode("utf-8").splitlines()]
    problems = []
    if not rows or rows[0].get("kind") != "header":
        problems.append("no header first")
    if any(r.get("kind") != "result" for r in rows[1:]):
        problems.append("a line after the header is not a record")
    return problems


def main():
    ident = first_native_cpython(MONSIM, ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        whole = os.path.join(tmp, "whole.jsonl")
        base = ["check"] + PATHS + ["--python", ident, "--jobs", "2"]
        cases.case(f"an uninterrupted run on {ident} writes its stream")
        monsim.expect(base + ["--results", whole], 0)  # the crash is its stated outcome
        want = comparable(whole)
        cases.check(len(want) > 40, f"{len(want)} lines")

        for at in (1, 12, 30):
            part = os.path.join(tmp, f"killed-{at}.jsonl")
            cases.case(f"killed after {at} line(s), resumed: the same stream")
            cases.check(killed_at(base + ["--results", part], part, at),
                        "the run ended before the kill")
            cases.check(not valid_prefix(part), f"not a stream prefix: {valid_prefix(part)}")
            done = lines(part) - 1  # whole records the killed run left
            _, _, err = monsim.expect(base + ["--results", part, "--resume"], 0,
                                      err=["resumed "])
            m = re.search(r"resumed (\d+) of", err)
            cases.check(m and int(m.group(1)) == done,
                        f"the killed run left {done} records; {err[-300:]}")
            got = comparable(part)
            cases.check(got == want, "differs from the uninterrupted run:\n" + "\n".join(
                f"{json.dumps(a)[:300]}\n{json.dumps(b)[:300]}"
                for a, b in zip(want, got) if a != b)[:3000] + f"\n{len(want)} vs {len(got)}")

        cases.case("killed twice (the second time while resuming), resumed: the same stream")
        part = os.path.join(tmp, "twice.jsonl")
        killed_at(base + ["--results", part], part, 8)
        killed_at(base + ["--results", part, "--resume"], part, 25)
        monsim.expect(base + ["--results", part, "--resume"], 0)
        cases.check(comparable(part) == want, "differs from the uninterrupted run")

        cases.case("a record cut short by the kill is dropped and checked again")
        part = os.path.join(tmp, "cut.jsonl")
        killed_at(base + ["--results", part], part, 10)
        with open(part, "ab") as f:
            f.write(b'{"kind": "result", "scenario": "cut-sh')
        monsim.expect(base + ["--results", part, "--resume"], 0)
        cases.check(comparable(part) == want, "differs from the uninterrupted run")

        cases.case("resuming what is not a results stream of this monsim is refused")
        bad = os.path.join(tmp, "bad.jsonl")
        with open(bad, "w") as f:
            f.write('{"kind": "header", "format": 1, "monsim": "0.0.1"}\n')
        monsim.expect(base + ["--results", bad, "--resume"], 2,
                      err=["bad.jsonl:1: written by another monsim (0.0.1"])
        with open(bad, "w") as f:
            f.write("not json\n{}\n")
        monsim.expect(base + ["--results", bad, "--resume"], 2,
                      err=["bad.jsonl:1: not a results stream"])
        cases.case("--resume without --results is a usage error")
        monsim.expect(base + ["--resume"], 2, err=["--results"])
    cases.finish()


main()
