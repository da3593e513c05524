"""`monsim fuzz` killed with SIGKILL at any point, then run again with `--resume -o DIR`,
ends with the campaign.json an uninterrupted run over the same seed writes (cases,
verdict counts, signatures with their counts, fragment tags, model-rule decisions;
only `seconds` differs) and with whole findings.jsonl lines: the killed run's checkpoint
(campaign.json, renamed into place about once a second) counts exactly the cases it
lists as done, the resumed run runs only the others, and a findings line cut short by
the kill is dropped. A folder without a checkpoint is refused, and so are options that
would change the campaign. On the first native CPython 3.12+ that `monsim interpreters
--quick` finds, two jobs (cases finish out of order); skips (77) without one.
usage: fuzz_resume_test.py MONSIM SOURCE_ROOT"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases, Monsim, first_native_cpython  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
cases = Cases("FuzzResume")
monsim = Monsim(cases, MONSIM, ROOT, timeout=600)
# The checkpoint is renamed into place about once a second; an idle machine runs ~150
# cases/s with 2 jobs, so 160 cases could end between two checkpoints and a kill "after
# 110+" would find the campaign finished. 400 leaves every kill point on an unfinished one.
COUNT, SEED = 400, "0x5eed"


def checkpoint(out):
    try:
        with open(os.path.join(out, "campaign.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def done_cases(out):
    j = checkpoint(out)
    return sum(st["cases"] for st in j["interpreters"].values()) if j else 0


def killed_at(args, out, at):
    """Runs monsim with `args` and SIGKILLs it once its checkpoint counts `at` cases."""
    return monsim.killed_when(args, lambda: done_cases(out) >= at)


def comparable(out):
    j = checkpoint(out) or {}
    j.pop("seconds", None)
    for st in j.get("interpreters", {}).values():
        st.pop("seconds", None)
    return j


def findings(out):
    """(signature per whole line, problems): every line must be a whole finding."""
    path = os.path.join(out, "findings.jsonl")
    if not os.path.exists(path):
        return [], []
    sigs, problems = [], []
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        problems.append("the last line has no newline")
    for line in data.decode("utf-8").splitlines():
        try:
            sigs.append(json.loads(line)["signature"])
        except (ValueError, KeyError):
            problems.append("not a finding: " + line[:80])
    return sorted(sigs), problems


def same_as(want, out, what):
    got = comparable(out)
    cases.check(got == want, what + " differs from the uninterrupted run:\n" + "\n".join(
        f"{k}: {json.dumps(want.get(k))[:300]}\n   {json.dumps(got.get(k))[:300]}"
        for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k))[:3000])


def main():
    ident = first_native_cpython(MONSIM, ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        base = ["fuzz", "--python", ident, "--seed", SEED, "--count", str(COUNT),
                "--unguided", "--jobs", "2"]
        whole = os.path.join(tmp, "whole")
        cases.case(f"an uninterrupted campaign on {ident} writes a finished checkpoint")
        code, _, err = monsim.run(base + ["-o", whole])
        cases.check(code in (0, 1), f"exit {code}: {err[-500:]}")
        want = comparable(whole)
        cases.check(want.get("finished") is True, f"finished: {want.get('finished')}")
        cases.check(want.get("done") == {ident: {"below": COUNT, "also": []}},
                    f"done: {want.get('done')}")
        cases.check(want["interpreters"][ident]["cases"] == COUNT, "cases")
        want_findings = findings(whole)[0]

        for at in (1, 40, 110):
            out = os.path.join(tmp, f"killed-{at}")
            cases.case(f"killed after {at}+ cases, resumed: the same campaign")
            cases.check(killed_at(base + ["-o", out], out, at), "ended before the kill")
            left = checkpoint(out)
            cases.check(left and left["finished"] is False, "the checkpoint is not unfinished")
            listed = left["done"][ident]
            cases.check(left["interpreters"][ident]["cases"] ==
                        listed["below"] + len(listed["also"]),
                        f"the checkpoint counts other cases than it lists done: {left}")
            code, _, err = monsim.run(["fuzz", "--resume", "-o", out])
            cases.check(code in (0, 1), f"resume: exit {code}: {err[-500:]}")
            cases.check(f"{ident}: {left['interpreters'][ident]['cases']} cases done" in err,
                        f"the resume does not say what was done: {err[:300]}")
            same_as(want, out, "the resumed campaign")
            sigs, problems = findings(out)
            cases.check(not problems and sigs == want_findings, f"findings: {problems} {sigs}")

        cases.case("killed twice (once while resuming), a findings line cut short: the same")
        out = os.path.join(tmp, "twice")
        killed_at(base + ["-o", out], out, 30)
        with open(os.path.join(out, "findings.jsonl"), "ab") as f:
            f.write(b'{"id": "fuzz-cut-sh')
        killed_at(["fuzz", "--resume", "-o", out], out, 90)
        monsim.run(["fuzz", "--resume", "-o", out])
        same_as(want, out, "the twice-resumed campaign")
        sigs, problems = findings(out)
        cases.check(not problems and sigs == want_findings, f"findings: {problems} {sigs}")

        cases.case("resuming a finished campaign runs nothing and keeps its counts")
        code, _, err = monsim.run(["fuzz", "--resume", "-o", whole])
        cases.check(code in (0, 1), f"exit {code}: {err[-300:]}")
        same_as(want, whole, "the finished campaign, resumed")

        cases.case("--resume without a checkpoint, or with campaign options, is refused")
        monsim.expect(["fuzz", "--resume", "-o", os.path.join(tmp, "none")], 2,
                      err=["campaign.json: cannot be read"])
        monsim.expect(["fuzz", "--resume", "-o", whole, "--seed", "1"], 2,
                      err=["--seed excludes --resume"])
        with open(os.path.join(tmp, "merged.json"), "w") as f:
            json.dump(dict(checkpoint(whole), shards_held=[0, 1], shards=2), f)
        os.makedirs(os.path.join(tmp, "merged"))
        os.rename(os.path.join(tmp, "merged.json"),
                  os.path.join(tmp, "merged", "campaign.json"))
        monsim.expect(["fuzz", "--resume", "-o", os.path.join(tmp, "merged")], 2,
                      err=["holds no checkpoint of one run"])
    sys.exit(cases.finish())


main()
