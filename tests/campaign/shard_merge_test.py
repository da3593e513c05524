"""Campaign shards: N shards of one seed, run by the GNU parallel recipe on this
machine and merged, count exactly what one run over the same seed counts (cases,
verdict counts, signatures with their counts, fragment tags, model-rule decisions);
`monsim fuzz merge` keeps the smallest reproducer of a signature, adds counts, and
refuses folders that are not shards of one campaign, saying which and why.
usage: shard_merge_test.py MONSIM SOURCE_ROOT"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
RECIPE = os.path.join(ROOT, "campaign", "recipes", "parallel.sh")
cases = Cases("ShardMerge")
SHARDS, COUNT, SEED = 3, 120, "0x19"


def monsim(*args):
    return subprocess.run([MONSIM, *args], capture_output=True, text=True, timeout=600,
                          cwd=ROOT)


def load(path):
    with open(path) as f:
        return json.load(f)


def natives():
    out = monsim("interpreters", "--quick").stdout
    return [p[0] for p in (l.split("\t") for l in out.splitlines())
            if len(p) >= 4 and p[1] == "native" and p[2].startswith("cpython 3.")
            and tuple(map(int, p[2].split()[1].split(".")[:2])) >= (3, 12)]


def equivalence(tmp):
    found = natives()
    cases.case(f"{SHARDS} shards by GNU parallel, merged, count what one run counts")
    if not found:
        cases.skip("no native CPython 3.12+ found (pyenv; ./run setup)")
        return
    if not shutil.which("parallel"):
        cases.fail("GNU parallel is missing (./run installs Debian's parallel)")
        return
    pythons = [a for i in found for a in ("--python", i)]
    common = [*pythons, "--count", str(COUNT), "--seed", SEED, "--unguided"]
    one = os.path.join(tmp, "one")
    r = monsim("fuzz", *common, "-o", one)
    if not cases.check(r.returncode in (0, 1), f"one run: exit {r.returncode}\n{r.stderr}"):
        return
    sharded = os.path.join(tmp, "sharded")
    r = subprocess.run([RECIPE, str(SHARDS), sharded, *common], capture_output=True,
                       text=True, timeout=600, cwd=ROOT, env=dict(os.environ, MONSIM=MONSIM))
    if not cases.check(r.returncode in (0, 1),
                       f"parallel.sh: exit {r.returncode}\n{r.stdout}\n{r.stderr}"):
        return
    a, b = load(os.path.join(one, "campaign.json")), load(
        os.path.join(sharded, "merged", "campaign.json"))
    cases.check(b["shards"] == SHARDS and b["shards_held"] == list(range(SHARDS)),
                f"merged shards: {b['shards']} {b['shards_held']}")
    for key in ("seed", "count", "kind", "guided"):
        cases.check(a[key] == b[key], f"{key}: one run {a[key]}, merged {b[key]}")
    cases.check(sorted(a["interpreters"]) == sorted(b["interpreters"]),
                f"interpreters: {sorted(a['interpreters'])} vs {sorted(b['interpreters'])}")
    for ident, x in a["interpreters"].items():
        y = b["interpreters"].get(ident, {})
        cases.check(x["cases"] == COUNT, f"{ident}: one run ran {x['cases']} cases")
        for key in x:
            if key != "seconds":
                cases.check(x[key] == y.get(key),
                            f"{ident} {key}: one run {json.dumps(x[key])[:300]}, "
                            f"merged {json.dumps(y.get(key))[:300]}")


def summary(seed, shards, held, signatures, known=None):
    return {"format": "monsim-campaign/1", "seed": seed, "count": 10, "kind": "plain",
            "guided": False, "shards": shards, "shards_held": held,
            "interpreters": {"cpython-3.13.0": {
                "cases": 5, "divergent": sum(signatures.values()), "known": 0, "too_big": 0,
                "skipped": 0, "harness_errors": 0, "seconds": 1.0,
                "signatures": signatures, "known_signatures": known or {},
                "tags": {"closure": 2}, "rules": {}}}}


def shard_dir(tmp, name, summ, findings):
    """A shard's folder: campaign.json and findings (id -> YAML text)."""
    d = os.path.join(tmp, name)
    os.makedirs(d)
    with open(os.path.join(d, "campaign.json"), "w") as f:
        json.dump(summ, f)
    with open(os.path.join(d, "findings.jsonl"), "w") as f:
        for fid, (sig, yaml_text, token) in findings.items():
            f.write(json.dumps({"id": fid, "interpreter": "cpython-3.13.0", "signature": sig,
                                "token": token, "minimal": True}) + "\n")
            for ext, text in ((".yaml", yaml_text), (".py", "# py\n"), (".txt", token)):
                with open(os.path.join(d, fid + ext), "w") as g:
                    g.write(text)
    return d


def merging(tmp):
    sig = "LINE: extra"
    a = shard_dir(tmp, "a", summary("0x5", 2, [0], {sig: 2}),
                  {"fuzz-cpython-3.13.0-aaaaaaaa": (sig, "x" * 500, "313-long")})
    b = shard_dir(tmp, "b", summary("0x5", 2, [1], {sig: 3, "JUMP: missing": 1}, {"K": 4}),
                  {"fuzz-cpython-3.13.0-aaaaaaaa": (sig, "x" * 90, "313-short"),
                   "fuzz-cpython-3.13.0-bbbbbbbb": ("JUMP: missing", "y" * 50, "313-j")})
    out = os.path.join(tmp, "merged")
    cases.case("merge adds counts and keeps the smallest reproducer of a signature")
    r = monsim("fuzz", "merge", a, b, "-o", out)
    cases.check(r.returncode == 1, f"exit {r.returncode} (1: new signatures)\n{r.stderr}")
    m = load(os.path.join(out, "campaign.json"))["interpreters"]["cpython-3.13.0"]
    cases.check(m["cases"] == 10 and m["divergent"] == 6, f"counts: {m}")
    cases.check(m["signatures"] == {sig: 5, "JUMP: missing": 1}, f"{m['signatures']}")
    cases.check(m["known_signatures"] == {"K": 4} and m["tags"] == {"closure": 4}, f"{m}")
    with open(os.path.join(out, "fuzz-cpython-3.13.0-aaaaaaaa.txt")) as f:
        cases.check(f.read() == "313-short", "the larger reproducer was kept")
    lines = open(os.path.join(out, "findings.jsonl")).read().splitlines()
    cases.check(len(lines) == 2 and '"313-short"' in lines[0], f"findings.jsonl: {lines}")

    cases.case("a missing shard is named, the others merged")
    r = monsim("fuzz", "merge", a, "-o", os.path.join(tmp, "half"))
    cases.check(r.returncode == 1 and "missing shards: 1" in r.stdout,
                f"exit {r.returncode}\n{r.stdout}")

    cases.case("folders that are not shards of one campaign are refused")
    twice = shard_dir(tmp, "twice", summary("0x5", 2, [0], {}), {})
    other = shard_dir(tmp, "other", summary("0x6", 2, [1], {}), {})
    empty = os.path.join(tmp, "empty")
    os.makedirs(empty)
    for dirs, words in (([a, twice], "both hold shard 0"), ([a, other], "another seed"),
                        ([a, empty], "campaign.json: cannot be read"),
                        ([a, b, out], "is one of the folders merged")):
        target = out if dirs[-1] == out else os.path.join(tmp, "refused")
        r = monsim("fuzz", "merge", *dirs, "-o", target)
        cases.check(r.returncode == 2 and words in r.stderr,
                    f"{[os.path.basename(d) for d in dirs]}: exit {r.returncode}, "
                    f"stderr {r.stderr!r}, wanted {words!r}")
    cases.check(not os.path.exists(os.path.join(tmp, "refused")), "a refused merge wrote")

    cases.case("--shard needs K/N with K < N and a --seed")
    for args, words in ((["--shard", "3/3", "--seed", "1"], "K/N with 0 <= K < N"),
                        (["--shard", "0/2"], "needs --seed")):
        r = monsim("fuzz", "--count", "1", *args, "-o", os.path.join(tmp, "x"))
        cases.check(r.returncode == 2 and words in r.stderr,
                    f"{args}: exit {r.returncode}, stderr {r.stderr!r}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        merging(tmp)
        equivalence(tmp)
    cases.finish()


main()
