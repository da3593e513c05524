#!/usr/bin/env python3
"""The layering of monsim's C++ folders, checked at build time.

Every quoted include names its layer ("model/monitor.h", "scenario/loader.h"), and a
layer may include only itself and the layers listed under it below. The model may
not include I/O, clock, randomness or serialisation headers: it is a pure step.

    layers.py ROOT STAMP DEPFILE   # check the tree; write STAMP and a depfile
    layers.py --table              # print the layer table

Harness headers (interpreter, check, runner, campaign) include no JSON library
except the protocol/trace readers and the results writer (JSON_HEADERS).

A violation prints "file:line: error: ..." and exits 1, so the build fails.
"""
import os
import re
import sys

# layer -> the layers it may include (besides itself). Lower layers first.
LAYERS = {
    "spec": [],
    "model": ["spec"],
    "scenario": ["model", "spec"],
    "interpreter": ["scenario", "model", "spec"],
    "check": ["interpreter", "scenario", "model", "spec"],
    "runner": ["check", "interpreter", "scenario", "model", "spec"],
    "generators": ["model", "spec"],
    "campaign": ["generators", "runner", "check", "interpreter", "scenario", "model", "spec"],
    "reports": ["spec"],
    "cli": ["campaign", "generators", "runner", "check", "interpreter", "scenario",
            "model", "spec", "reports"],
    "tests": ["cli", "campaign", "generators", "runner", "check", "interpreter",
              "scenario", "model", "spec", "reports"],
}

# System headers the pure model must not use (spec: no I/O, clocks, randomness, YAML).
MODEL_FORBIDDEN = re.compile(
    r"^(yaml-cpp/|nlohmann/|iostream|fstream|sstream|cstdio|stdio\.h|random|chrono|"
    r"thread|mutex|filesystem|ctime|unistd\.h)")

# Harness headers that speak JSON: the oracle protocol and trace reader, and the
# results-stream writer and its journal (records kept verbatim for --resume).
# Everything else gets typed values (parse once, render late).
JSON_HEADERS = {"interpreter/trace.h", "interpreter/oracle_driver.h",
                "interpreter/instruction_tables.h", "interpreter/compact_events.h",
                "interpreter/json_line.h",
                "interpreter/pyrepro_python.h", "check/result_json.h", "runner/suite.h",
                "runner/journal.h"}
HARNESS = ("interpreter", "check", "runner", "campaign")

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCES = (".h", ".cpp")


def files_of(root, layer):
    base = os.path.join(root, layer)
    for dirpath, dirnames, names in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d not in ("node_modules", "fixtures"))
        for n in sorted(names):
            if n.endswith(SOURCES):
                yield os.path.join(dirpath, n)


def check_file(root, layer, path):
    """The violations of one file, as (line, message)."""
    allowed = set(LAYERS[layer]) | {layer}
    out = []
    with open(path, encoding="utf-8") as f:
        for n, text in enumerate(f, 1):
            m = INCLUDE.match(text)
            if not m:
                continue
            kind, target = m.groups()
            if kind == "<":
                if layer == "model" and MODEL_FORBIDDEN.match(target):
                    out.append((n, f"the model is pure: <{target}> is not allowed in model/"))
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                if (layer in HARNESS and rel.endswith(".h") and target.startswith("nlohmann/")
                        and rel not in JSON_HEADERS):
                    out.append((n, f"<{target}>: harness headers take typed values; JSON "
                                   f"stays in {', '.join(sorted(JSON_HEADERS))}"))
                continue
            head = target.split("/", 1)[0]
            if "/" not in target:
                out.append((n, f'"{target}": an include names its layer, e.g. "{layer}/{target}"'))
            elif head not in LAYERS:
                out.append((n, f'"{target}": "{head}" is not a layer ({", ".join(LAYERS)})'))
            elif head not in allowed:
                out.append((n, f'"{target}": layer {layer} may not include {head} '
                               f'(it may include: {", ".join(sorted(allowed))})'))
    return out


def check_tree(root):
    problems, scanned = [], []
    for layer in LAYERS:
        for path in files_of(root, layer):
            scanned.append(path)
            for n, msg in check_file(root, layer, path):
                problems.append(f"{os.path.relpath(path, root)}:{n}: error: {msg}")
    return problems, scanned


def main(argv):
    if argv[1:] == ["--table"]:
        for layer, below in LAYERS.items():
            print(f"{layer}: {', '.join(below) or '-'}")
        return 0
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    root, stamp, depfile = argv[1:]
    problems, scanned = check_tree(root)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"layers: {len(problems)} include(s) break the layering (build-aux/layers.py)",
              file=sys.stderr)
        return 1
    with open(stamp, "w") as f:
        f.write("// Generated by build-aux/layers.py: the include layering holds.\n")
    with open(depfile, "w") as f:
        deps = " ".join(p.replace(" ", "\\ ") for p in scanned)
        f.write(f"{stamp}: {deps}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
