#!/usr/bin/env python3
"""README.md's table "The model: rule → file → doc clause" is spec/rules.yaml
rendered, and it is true: every file it names exists and holds what the rule's
`defines` entries say (a definition such as "Monitor::onOccurrence(").

    rules_table_test.py ROOT            # check
    rules_table_test.py ROOT --rebase   # rewrite README.md's table from rules.yaml
"""
import os
import sys

import yaml

BEGIN = "| rule | file | doc clause / evidence |"


def render(rules):
    rows = [BEGIN, "|---|---|---|"]
    for r in rules:
        files = ", ".join(f"`{os.path.basename(f)}`" for f in r["files"])
        rows.append(f"| {r['title']} | {files} | {r['evidence']} |")
    return rows


def main(root, rebase):
    with open(os.path.join(root, "spec", "rules.yaml"), encoding="utf-8") as f:
        rules = yaml.safe_load(f)["rules"]
    problems = []
    for r in rules:
        for key in ("files", "defines", "evidence"):
            if key not in r:
                problems.append(f"spec/rules.yaml: rule {r['id']}: no `{key}`")
        for f in r.get("files", []):
            if not os.path.isfile(os.path.join(root, f)):
                problems.append(f"spec/rules.yaml: rule {r['id']}: {f} does not exist")
        for d in r.get("defines", []):
            path, _, text = d.partition(": ")
            if path not in r.get("files", []):
                problems.append(f"spec/rules.yaml: rule {r['id']}: {path} is not in its files")
            full = os.path.join(root, path)
            if not os.path.isfile(full):
                problems.append(f"spec/rules.yaml: rule {r['id']}: {path} does not exist")
                continue
            with open(full, encoding="utf-8") as f:
                if text not in f.read():
                    problems.append(f"spec/rules.yaml: rule {r['id']}: {path} has no "
                                    f"'{text}' (did the code move? update the rule)")
    readme_path = os.path.join(root, "README.md")
    with open(readme_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if BEGIN not in lines:
        problems.append(f"README.md: no rule table (a line '{BEGIN}')")
    else:
        start = lines.index(BEGIN)
        end = start
        while end < len(lines) and lines[end].startswith("|"):
            end += 1
        want = render(rules) if not problems else lines[start:end]
        if lines[start:end] != want:
            if rebase:
                lines[start:end] = want
                with open(readme_path, "w", encoding="utf-8") as f:
                    f.write("\n".join(lines))
                print("README.md: rule table rewritten from spec/rules.yaml")
            else:
                for a, b in zip(lines[start:end] + [""] * len(want), want):
                    if a != b:
                        problems.append(f"README.md:{start + 1}: the rule table differs from "
                                        f"spec/rules.yaml (run with --rebase): '{a}' vs '{b}'")
                        break
    for p in problems:
        print(p)
    print(f"rules table: {len(rules)} rules, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], "--rebase" in sys.argv[2:]))
