#!/usr/bin/env python3
"""build-aux/layers.py rejects what it must: an upward include, a bare include that
does not name its layer, an unknown layer, and an impure header in model/; and it
accepts the real tree.

    layers_test.py ROOT
"""
import os
import subprocess
import sys
import tempfile


def run(script, root):
    with tempfile.TemporaryDirectory() as out:
        r = subprocess.run([sys.executable, script, root, os.path.join(out, "ok.h"),
                            os.path.join(out, "ok.d")], capture_output=True, text=True)
        return r.returncode, r.stderr


def tree(files):
    d = tempfile.mkdtemp()
    for rel, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
        with open(os.path.join(d, rel), "w") as f:
            f.write(text)
    return d


def main(root):
    script = os.path.join(root, "build-aux", "layers.py")
    failures = []

    def expect(name, files, code, needle):
        rc, err = run(script, tree(files))
        if rc != code or needle not in err:
            failures.append(f"{name}: exit {rc}, stderr {err!r}; wanted exit {code} and {needle!r}")

    expect("upward include", {"scenario/a.h": '#include "check/compare.h"\n'}, 1,
           'scenario/a.h:1: error: "check/compare.h": layer scenario may not include check')
    expect("bare include", {"check/a.cpp": '\n#include "compare.h"\n'}, 1,
           'check/a.cpp:2: error: "compare.h": an include names its layer')
    expect("unknown layer", {"runner/a.h": '#include "harness/check.h"\n'}, 1,
           '"harness" is not a layer')
    expect("impure model", {"model/a.cpp": "#include <iostream>\n"}, 1,
           "the model is pure: <iostream>")
    expect("reports above spec", {"reports/render/x.cpp": '#include "check/check.h"\n'}, 1,
           "layer reports may not include check")
    expect("allowed", {"check/a.cpp": '#include "interpreter/trace.h"\n#include <vector>\n',
                       "model/b.h": '#include "spec/vocab.h"\n#include <array>\n'}, 0, "")
    rc, err = run(script, root)
    if rc != 0:
        failures.append(f"the real tree: exit {rc}\n{err}")
    for f in failures:
        print("FAIL", f)
    print(f"layers: {6 - len(failures) + (rc == 0)} of 7 checks hold")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
