#!/usr/bin/env python3
"""The repository explains itself: every "behaviour §N" citation names a section of
spec/BEHAVIOUR.md, nothing cites the old outside reference, and no file points at a
document outside the repository (../shared).

    behaviour_citations_test.py ROOT
"""
import os
import re
import subprocess
import sys

SECTION = re.compile(r"^#+ §(\d+(?:\.\d+)*) ", re.M)
# "behaviour §3.8", "behaviour §9.2, §9.4", "behaviour §5–§8, §10.5"
CITATION = re.compile(r"behaviour (§\d+(?:\.\d+)*(?:\s*(?:,|–|-|and)\s*§\d+(?:\.\d+)*)*)")
OUTSIDE = re.compile(r"\.\./shared|shared/reference|reference §\d")


def tracked_files(root):
    out = subprocess.run(["git", "-C", root, "ls-files"], capture_output=True, text=True)
    if out.returncode != 0:  # not a git checkout: walk the tree
        for d, dirs, files in os.walk(root):
            dirs[:] = [x for x in dirs if x not in ("node_modules", ".git") and
                       not x.startswith("build")]
            for f in files:
                yield os.path.relpath(os.path.join(d, f), root)
        return
    yield from out.stdout.splitlines()


def main(root):
    with open(os.path.join(root, "spec", "BEHAVIOUR.md"), encoding="utf-8") as f:
        sections = set(SECTION.findall(f.read()))
    problems, citations = [], 0
    for rel in tracked_files(root):
        # Recorded data and fuzz inputs (mutated on purpose) cite nothing.
        if rel.startswith(("node_modules/", "tests/traces/", "tests/fuzz/corpus/",
                           "tests/fuzz/regressions/")) or rel == "spec/BEHAVIOUR.md":
            continue
        try:
            with open(os.path.join(root, rel), encoding="utf-8") as f:
                text = f.read()
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if rel != "tests/spec/behaviour_citations_test.py" and OUTSIDE.search(line):
                problems.append(f"{rel}:{n}: points outside the repository: {line.strip()}")
            for m in CITATION.finditer(line):
                for sec in re.findall(r"§(\d+(?:\.\d+)*)", m.group(1)):
                    citations += 1
                    if sec not in sections:
                        problems.append(f"{rel}:{n}: behaviour §{sec} is not a section "
                                        "of spec/BEHAVIOUR.md")
    for p in problems:
        print(p)
    print(f"behaviour citations: {citations} checked against {len(sections)} sections, "
          f"{len(problems)} problem(s)")
    if citations < 100:
        print("too few citations found: is the scanner broken?")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
