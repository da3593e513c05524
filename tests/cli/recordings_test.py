"""monsim check --save-recordings / --recordings: a check made from the answers an
earlier live check kept gives the same verdict, with the same reason and divergences, for
every scenario on every interpreter (the whole suite, every interpreter found); the store
names what it lacks and refuses interpreters it does not have.
usage: recordings_test.py MONSIM SOURCE_ROOT"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
cases = Cases("Recordings")


def monsim(*args):
    return subprocess.run([MONSIM, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=1200)


def verdicts(path):
    out = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("kind") == "result":
                out[(r["scenario"], r["interpreter"])] = (
                    r["verdict"], r["reason"], json.dumps(r.get("divergences", [])))
    return out


def main():
    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "rec")
        live, stored = os.path.join(tmp, "live.jsonl"), os.path.join(tmp, "stored.jsonl")
        p = monsim("check", "spec/scenarios", "-q", "--save-recordings", store,
                   "--results", live)
        if p.returncode == 2 and "no interpreter" in p.stderr:
            print("SKIP: no interpreter found (./run setup)")
            sys.exit(77)
        cases.case("a live check keeps one recordings file per interpreter")
        cases.check(p.returncode in (0, 1), f"exit {p.returncode}: {p.stderr[-500:]}")
        a = verdicts(live)
        interps = sorted({i for _, i in a if not i.startswith("model-")})
        files = sorted(f[:-len(".jsonl")] for f in os.listdir(store))
        cases.check(files == interps, f"files {files}, interpreters {interps}")

        cases.case("the same check from the recordings: the same verdicts, reasons and "
                   "divergences on every scenario and interpreter")
        q = monsim("check", "spec/scenarios", "-q", "--recordings", store, "--results", stored)
        cases.check(q.returncode == p.returncode, f"exit {q.returncode} vs {p.returncode}")
        b = verdicts(stored)
        cases.check(len(a) > 1000 and set(a) == set(b),
                    f"{len(a)} live results, {len(b)} from recordings")
        differ = [k for k in a if a[k] != b.get(k)]
        cases.check(not differ, f"{len(differ)} differ, e.g. {differ[:3]}: "
                    f"{[(a[k], b.get(k)) for k in differ[:2]]}")
        cases.check(q.stdout.splitlines()[-1] == p.stdout.splitlines()[-1],
                    f"summary {q.stdout.splitlines()[-1:]} vs {p.stdout.splitlines()[-1:]}")

        cases.case("--python picks among the stored interpreters; an unknown id exits 2")
        # The interpreter that ran the most (one with sys.monitoring).
        one = max(interps, key=lambda i: sum(1 for (sc, ii), v in a.items()
                                             if ii == i and v[0] != "skipped"))
        r = monsim("check", "spec/scenarios/disable", "--recordings", store, "--python", one)
        cases.check(r.returncode == 0 and "1 interpreters" in r.stdout,
                    f"exit {r.returncode}: {r.stdout[-300:]} {r.stderr[-300:]}")
        r = monsim("check", "spec/scenarios/disable", "--recordings", store, "--python",
                   "cpython-9.9.9")
        cases.check(r.returncode == 2 and "has no interpreter 'cpython-9.9.9'" in r.stderr,
                    f"exit {r.returncode}: {r.stderr[-300:]}")

        cases.case("a scenario changed since the recording: an error verdict that says "
                   "it was not recorded")
        changed = os.path.join(tmp, "changed.yaml")
        src = os.path.join(ROOT, "spec", "scenarios", "disable")
        first = sorted(f for f in os.listdir(src) if f.endswith(".yaml"))[0]
        with open(os.path.join(src, first)) as f:
            text = f.read()
        with open(changed, "w") as f:
            f.write(text.replace("program: |\n", "program: |\n  pass\n", 1))
        r = monsim("check", changed, "--recordings", store, "--python", one)
        cases.check(r.returncode == 1 and "not recorded" in r.stdout,
                    f"exit {r.returncode}: {r.stdout[-400:]}")

        cases.case("a store that is not one exits 2 naming the folder")
        empty = os.path.join(tmp, "empty")
        os.mkdir(empty)
        r = monsim("check", "spec/scenarios/disable", "--recordings", empty)
        cases.check(r.returncode == 2 and "no recordings" in r.stderr,
                    f"exit {r.returncode}: {r.stderr[-300:]}")
    cases.finish()




main()
