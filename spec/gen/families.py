#!/usr/bin/env python3
"""Generates the scenario families in spec/scenarios/generated/<family>/<id>.yaml.

    python3 spec/gen/families.py            # (re)write spec/scenarios/generated/
    python3 spec/gen/families.py --out DIR  # write the families under DIR instead
    python3 spec/gen/families.py --check    # generate into a temporary folder and
                                            # compare with the committed files

Python >= 3.11 with python3-yaml; the code is in the package families/ beside this
script (tables, programs, prediction, rendering, scenarios, generate). The event table
(bits, which events may be set locally, what DISABLE does, per version) is read from
spec/events.yaml and the error messages from spec/errors.yaml; nothing is taken from a
running interpreter. Every `expect:` is computed here from the documented rules, see
spec/BEHAVIOUR.md:

  * delivery: a tool receives an occurrence in code c when the event is in its
    global set or in its local set of c; at most once per occurrence (§9.1);
    tools are called from the highest id down (§9.2).
  * DISABLE, per spec/events.yaml `disable`:
      site  - that tool, that event, that site only (§10.1, §10.2, §10.4, §10.3);
      error - ValueError "Cannot disable E events. Callback removed." replaces
              what the site was doing, the tool's callback is unregistered and
              the dispatch of that occurrence stops (§10.5, §10.6, §9.4);
      local - 3.15 exception events: the event is cleared from the tool's local
              set of that code object; a global set keeps delivering (FINDINGS F5).
  * set_local_events with an event that may not be local: ValueError with the
    message of spec/errors.yaml (§7.1, §6.2).

A family scenario is generated per Python version; consecutive versions whose
scenario text is identical share one file with a `python:` range.
"""
import argparse
import filecmp
import os
import shutil
import sys
import tempfile

from families.generate import generate, readme
from families.tables import Spec

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_REL = os.path.join("spec", "scenarios", "generated")


def write(files, out):
    if os.path.isdir(out):
        for dirpath, _, names in os.walk(out):
            for n in names:
                if n.endswith(".yaml") or n == "README.md":
                    os.remove(os.path.join(dirpath, n))
    for rel, text in sorted(files.items()):
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    # drop family folders left empty
    if os.path.isdir(out):
        for d in sorted(os.listdir(out)):
            p = os.path.join(out, d)
            if os.path.isdir(p) and not os.listdir(p):
                os.rmdir(p)


def tree(root):
    out = set()
    for dirpath, _, names in os.walk(root):
        for n in names:
            out.add(os.path.relpath(os.path.join(dirpath, n), root))
    return out


def check(files, committed):
    tmp = tempfile.mkdtemp(prefix="monsim-families-")
    try:
        write(files, tmp)
        a, b = tree(tmp), tree(committed) if os.path.isdir(committed) else set()
        problems = ["missing in %s: %s" % (OUT_REL, p) for p in sorted(a - b)]
        problems += ["not generated (stale): %s" % os.path.join(OUT_REL, p) for p in sorted(b - a)]
        for p in sorted(a & b):
            if not filecmp.cmp(os.path.join(tmp, p), os.path.join(committed, p), shallow=False):
                problems.append("differs: %s" % os.path.join(OUT_REL, p))
        for p in problems:
            print("families: " + p, file=sys.stderr)
        if problems:
            print("families: %d problem(s); run python3 spec/gen/families.py and commit the result"
                  % len(problems), file=sys.stderr)
            return 1
        print("families: %d files reproduced byte for byte" % len(a))
        return 0
    finally:
        shutil.rmtree(tmp)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=ROOT, help="the monsim checkout (default: this script's)")
    ap.add_argument("--out", help="output folder (default: ROOT/%s)" % OUT_REL)
    ap.add_argument("--check", action="store_true",
                    help="generate into a temporary folder and compare with the committed files")
    a = ap.parse_args(argv)
    files = generate(Spec(a.root))
    files["README.md"] = readme(files)
    committed = os.path.join(a.root, OUT_REL)
    if a.check:
        return check(files, a.out or committed)
    out = a.out or committed
    write(files, out)
    counts = {}
    for rel in files:
        if rel.endswith(".yaml"):
            counts[rel.split(os.sep)[0]] = counts.get(rel.split(os.sep)[0], 0) + 1
    print("families: %d scenarios in %s (%s)" % (
        sum(counts.values()), out, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
