"""Runs one libFuzzer target for a while on its committed corpus, regressions and
seeds, in a scratch folder (the committed ones are only read), and says how many
inputs it ran. A crash, leak, timeout or sanitizer report fails the run: the input
is kept in ARTIFACTS (default: the scratch folder) to be added to the target's
regressions. With --merge-into, inputs that reach new coverage are added to that
corpus folder afterwards (libFuzzer -merge=1; inputs up to 4 KiB): how
`./run fuzz-readers` grows the committed corpus.
usage: fuzz_run.py [--seconds N] [--merge-into DIR] [--artifacts DIR] FUZZER INPUTS..."""
import argparse
import os
import re
import subprocess
import sys
import tempfile

MAX_KEPT = 4096  # bytes: larger inputs found are not added to the committed corpus


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--merge-into")
    ap.add_argument("--artifacts")
    ap.add_argument("fuzzer")
    ap.add_argument("inputs", nargs="+")
    a = ap.parse_args()
    name = os.path.basename(a.fuzzer)
    inputs = [d for d in a.inputs if os.path.exists(d)]
    with tempfile.TemporaryDirectory(prefix="monsim-fuzz-") as scratch:
        work = os.path.join(scratch, "corpus")
        artifacts = a.artifacts or os.path.join(scratch, "artifacts")
        os.makedirs(work)
        os.makedirs(artifacts, exist_ok=True)
        cmd = [a.fuzzer, "-max_total_time=%d" % a.seconds, "-timeout=30", "-rss_limit_mb=4096",
               "-print_final_stats=1", "-artifact_prefix=" + artifacts + "/", work] + inputs
        r = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
        log = r.stderr
        done = re.search(r"^Done (\d+) runs in (\d+) second", log, re.M)
        if r.returncode != 0 or not done:
            print("%s: FAILED (exit %d); the last of its log:\n%s" % (name, r.returncode, log[-4000:]))
            found = sorted(os.listdir(artifacts))
            if found:
                print("%s: inputs kept in %s: %s" % (name, artifacts, " ".join(found)))
                if not a.artifacts:
                    keep = os.path.join(os.getcwd(), "fuzz-artifacts-" + name)
                    os.makedirs(keep, exist_ok=True)
                    for f in found:
                        os.replace(os.path.join(artifacts, f), os.path.join(keep, f))
                    print("%s: moved to %s (add them to tests/fuzz/regressions/)" % (name, keep))
            return 1
        print("%s: %s executions in %s s, no crash, leak or sanitizer report"
              % (name, done.group(1), done.group(2)))
        if a.merge_into:
            os.makedirs(a.merge_into, exist_ok=True)
            before = set(os.listdir(a.merge_into))
            m = subprocess.run([a.fuzzer, "-merge=1", a.merge_into, work],
                               capture_output=True, text=True, errors="replace")
            if m.returncode != 0:
                print("%s: merging into %s failed:\n%s" % (name, a.merge_into, m.stderr[-2000:]))
                return 1
            # The committed corpus keeps small inputs only: the big ones grow from the
            # seeds, which are files of the repository anyway.
            added = 0
            for f in set(os.listdir(a.merge_into)) - before:
                path = os.path.join(a.merge_into, f)
                if os.path.getsize(path) > MAX_KEPT:
                    os.remove(path)
                else:
                    added += 1
            print("%s: %d inputs added to %s" % (name, added, a.merge_into))
    return 0


sys.exit(main())
