"""A scenario's leftovers never change the next scenario's results: the hostile
scenarios (spec/scenarios/hostile: crashes, forks, threads left running, closed
descriptors, monitoring state left behind, …) mixed with ordinary ones, checked in one
order and in the reverse order with one job (one worker per interpreter, replaced only
when a run ends it), give every check the same verdict, reason and detail. Only what
depends on the order by nature is left out: the time taken, the list of scenarios a
worker ran before it crashed, and how far over a memory or process limit a run got
before the driver looked. On the first native CPython 3.13+ and the first pyodide
line that `monsim interpreters --quick` finds; skips (77) without either.
usage: orders_test.py MONSIM SOURCE_ROOT"""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases, Monsim, interpreters  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
cases = Cases("Orders")
monsim = Monsim(cases, MONSIM, ROOT, timeout=1200)
FOLDERS = ["hostile", "tools", "global-events", "local-events", "restart"]
HISTORY = re.compile(r"; (this worker ran before:[^:]*|a fresh worker):")
FIGURES = re.compile(r"(?<=by )\d+(?= MB)|(?<=had )\d+(?= processes)|(?<=\()\d+(?= process)")


def files():
    out = []
    for folder in FOLDERS:
        d = os.path.join(ROOT, "spec", "scenarios", folder)
        out += sorted(os.path.join("spec", "scenarios", folder, f)
                      for f in os.listdir(d) if f.endswith(".yaml"))
    # Interleaved: every hostile scenario has ordinary ones after it in both orders.
    hostile = [f for f in out if "/hostile/" in f]
    other = [f for f in out if "/hostile/" not in f]
    mixed = []
    for i, f in enumerate(other):
        mixed.append(f)
        if i % 3 == 0 and hostile:
            mixed.append(hostile.pop())
    return mixed + hostile


def verdicts(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            j = json.loads(line)
            if j.get("kind") != "result":
                continue
            detail = HISTORY.sub("; <history>:", j.get("detail", ""))
            reason = j["reason"]
            if j.get("error") in ("crashed", "timeout"):
                detail = ""  # the dead worker's stderr, stacks and size: its own history
            if j.get("error") in ("memory-limit", "process-limit"):
                # How far over the limit a run got before the driver's look: timing.
                reason, detail = FIGURES.sub("N", reason), ""
            out[(j["scenario"], j["interpreter"])] = (j["verdict"], reason, detail)
    return out


def main():
    chosen = [f[0] for f in interpreters(MONSIM, ROOT, kind="native", cpython_from=(3, 13))[:1]]
    chosen += [f[0] for f in interpreters(MONSIM, ROOT, kind="pyodide")[:1]]
    if not chosen:
        print("SKIP: no native CPython 3.13+ and no pyodide found (./run setup)")
        sys.exit(77)
    order = files()
    with tempfile.TemporaryDirectory() as tmp:
        got = []
        for name, paths in (("forward", order), ("reverse", order[::-1])):
            out = os.path.join(tmp, name + ".jsonl")
            cases.case(f"{len(paths)} scenarios in the {name} order on {', '.join(chosen)}")
            args = ["check"] + paths + ["--jobs", "1", "--results", out]
            for ident in chosen:
                args += ["--python", ident]
            monsim.expect(args, 0)
            got.append(verdicts(out))
        cases.case("every check has the same verdict, reason and detail in both orders")
        a, b = got
        cases.check(a.keys() == b.keys(), f"checks differ: {sorted(a.keys() ^ b.keys())[:10]}")
        differ = [k for k in a if k in b and a[k] != b[k]]
        cases.check(not differ, "\n".join(f"{k}:\n  forward {a[k]}\n  reverse {b[k]}"
                                          for k in differ[:5])[:4000])
        cases.check(len(a) > 100, f"only {len(a)} checks")
    cases.finish()


main()
