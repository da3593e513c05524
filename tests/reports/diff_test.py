"""`monsim report diff OLD NEW` on two runs of different suite versions shows the
regressions, fixes, new and removed scenarios and verdict changes per interpreter,
and exits 1 exactly when there are regressions.

1. Crafted: OLD is the fixture as an earlier suite version would have left it (one
   scenario not written yet, one since removed, other verdicts); NEW is the fixture.
2. Live: `monsim check` runs suite v1 and suite v2 (copies of real scenarios; v2 adds
   one, drops one and changes one expectation so it no longer holds) on every
   interpreter found.
usage: diff_test.py MONSIM SOURCE_ROOT"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

problems = []


def bad(msg):
    problems.append(msg)
    print("FAIL: " + msg)


def diff(monsim, old, new):
    p = subprocess.run([monsim, "report", "diff", old, new], capture_output=True, text=True,
                       timeout=120)
    return p.returncode, p.stdout + p.stderr


def expect_in(text, parts, what):
    for part in parts:
        if part not in text:
            bad(f"{what}: no '{part}' in:\n{text}")


def write(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def crafted(monsim, root, tmp):
    rows = [json.loads(line) for line in open(os.path.join(root, "tests/reports/fixtures/small.jsonl"))]
    new = os.path.join(tmp, "new.jsonl")
    write(new, rows)
    old_rows = []
    for r in rows:
        r = dict(r)
        if r["kind"] == "header":
            r["suite_commit"] = "fedcba9876543210fedcba9876543210fedcba98"
        if r["kind"] == "result":
            if r["scenario"] == "predefined-tool-ids":
                continue  # not written yet in the old suite
            key = (r["scenario"], r["interpreter"])
            if key == ("highest-tool-id-first", "pyodide-3.14.2"):
                r.update(verdict="pass", divergences=[], detail="", reason="")
            elif key == ("use-get-free-tool", "cpython-3.13.0"):
                r.update(verdict="fail", reason="model and interpreter disagree: api-outcome")
            elif key in (("every-tool-id-receives-events", "cpython-3.12.1"),
                         ("restart-reenables-local-lines", "cpython-3.13.0")):
                r.update(verdict="pass", expect_failures=[], detail="", reason="")
            elif key == ("free-clears-tool-3.14", "pyodide-3.15.0rc1"):
                r.update(verdict="known-deviation")
        old_rows.append(r)
    gone = dict(next(r for r in old_rows if r["kind"] == "result"))
    gone.update(scenario="retired-scenario", verdict="pass", file="spec/scenarios/tools/retired.yaml")
    old_rows.insert(1, gone)
    old = os.path.join(tmp, "old.jsonl")
    write(old, old_rows)

    rc, out = diff(monsim, old, new)
    if rc != 1:
        bad(f"crafted: exit status {rc}, expected 1 (regressions)\n{out}")
    expect_in(out, [
        "- old: " + old + " (suite fedcba987654)",
        "- new: " + new + " (suite 0123456789ab)",
        "## Regressions",
        "- `highest-tool-id-first` on pyodide-3.14.2: pass → fail — model and interpreter disagree: reordered",
        "- `every-tool-id-receives-events` on cpython-3.12.1: pass → expect-fail",
        "- `restart-reenables-local-lines` on cpython-3.13.0: pass → error — timeout",
        "- `free-clears-tool-3.14` on pyodide-3.15.0rc1: known-deviation → xpass",
        "## Fixes",
        "- `use-get-free-tool` on cpython-3.13.0: fail → pass",
        "## New scenarios",
        "- `predefined-tool-ids`: cpython-3.12.1 pass, cpython-3.13.0 pass,",
        "## Removed scenarios",
        "- `retired-scenario`",
        "| pyodide-3.14.2 |",
        "4 regression(s), 1 fix(es), 0 other verdict change(s), 1 new scenario(s), "
        "1 removed scenario(s)",
        "| pyodide-3.14.2 | 20/21 (95.2%), 1 known | 20/22 (90.9%), 1 known, 1 failing | "
        "pass → fail 1 (22 unchanged) |",
    ], "crafted")
    rc, out = diff(monsim, new, new)
    if rc != 0:
        bad(f"crafted: a run against itself exits {rc}\n{out}")
    expect_in(out, ["0 regression(s), 0 fix(es), 0 other verdict change(s), 0 new scenario(s), "
                    "0 removed scenario(s)"], "identical runs")
    rc, out = diff(monsim, old, os.path.join(tmp, "missing.jsonl"))
    if rc != 2:
        bad(f"crafted: a missing file exits {rc}, expected 2")


def live(monsim, root, tmp):
    tools = os.path.join(root, "spec/scenarios/tools")
    v1, v2 = os.path.join(tmp, "v1"), os.path.join(tmp, "v2")
    os.makedirs(v1)
    os.makedirs(v2)
    shutil.copy(os.path.join(tools, "use-get-free-tool.yaml"), v1)
    shutil.copy(os.path.join(root, "spec/scenarios/restart/restart-reenables-every-tool.yaml"), v1)
    shutil.copy(os.path.join(tools, "predefined-tool-ids.yaml"), v2)
    text = open(os.path.join(tools, "use-get-free-tool.yaml")).read()
    changed = text.replace("{step: 8, result: third-name}", "{step: 8, result: fourth-name}")
    if changed == text:
        bad("live: use-get-free-tool.yaml no longer has the expectation this test changes")
        return
    open(os.path.join(v2, "use-get-free-tool.yaml"), "w").write(changed)
    runs = []
    for suite in (v1, v2):
        out = suite + ".jsonl"
        p = subprocess.run([monsim, "check", suite, "--python", "all", "--jobs", "2",
                            "--no-alone-run", "--results", out],
                           capture_output=True, text=True, timeout=300)
        if p.returncode == 2 and "no interpreter with sys.monitoring" in p.stderr:
            print("live: no interpreter found; only the crafted runs were compared")
            return
        if not os.path.exists(out):
            bad(f"live: monsim check wrote no results ({p.returncode}): {p.stderr[-1000:]}")
            return
        runs.append(out)
    interps = [i["id"] for i in json.loads(open(runs[1]).readline())["interpreters"]]
    if not interps:
        print("live: no interpreter found; only the crafted runs were compared")
        return
    rc, out = diff(monsim, *runs)
    if rc != 1:
        bad(f"live: exit status {rc}, expected 1\n{out}")
    expect_in(out, ["## Regressions", "## New scenarios", "- `predefined-tool-ids`:",
                    "## Removed scenarios", "- `restart-reenables-every-tool`"], "live")
    # Interpreters without sys.monitoring (PyPy) skip the scenario: no regression there.
    ran = {r["interpreter"] for r in map(json.loads, open(runs[0]))
           if r.get("kind") == "result" and r.get("scenario") == "use-get-free-tool"
           and r.get("verdict") != "skipped"}
    for i in interps:
        if i in ran:
            expect_in(out, [f"- `use-get-free-tool` on {i}: pass → expect-fail"], "live")
    print(f"live: compared two suite versions on {', '.join(interps)}")


def main():
    monsim, root = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        crafted(monsim, root, tmp)
        live(monsim, root, tmp)
    print(f"{'FAILED' if problems else 'ok'}: {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


main()
