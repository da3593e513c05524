"""interpreter/ADAPTERS.md, followed as written: every ```sh block is run from the
source root (but `./run setup`, which the build this test belongs to has done), and every
line of the ```text block after it must be a fragment of one output line, in order.

usage: adapters_doc_test.py MONSIM SOURCE_ROOT"""
import os
import re
import subprocess
import sys
import tempfile


def blocks(text):
    """(commands, expected lines) per ```sh block and the ```text block after it."""
    out = []
    for m in re.finditer(r"```sh\n(.*?)```\n\n```text\n(.*?)```", text, re.S):
        cmds = [c for c in m.group(1).splitlines() if c.strip()]
        out.append((cmds, [e for e in m.group(2).splitlines() if e.strip()]))
    return out


def main(monsim, root):
    monsim = os.path.abspath(monsim)  # meson passes it relative to the build folder
    page = open(os.path.join(root, "interpreter", "ADAPTERS.md"), encoding="utf-8").read()
    if not os.path.isdir(os.path.join(root, "node_modules", "pyodide0277")):
        print("SKIP: the template adapter runs npm pyodide 0.27.7, which is not installed "
              "(./run setup installs it)")
        return 77
    steps = blocks(page)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for cmds, expected in steps:
            output = []
            for cmd in cmds:
                if cmd.startswith("./run setup"):
                    continue
                cmd = cmd.replace("build/monsim", monsim).replace("out/adapter", tmp)
                r = subprocess.run(cmd, shell=True, cwd=root, capture_output=True, text=True,
                                   timeout=600)
                output += (r.stdout + r.stderr).splitlines()
            lines = iter(output)
            for want in expected:
                want = want.replace("out/adapter", tmp)
                if not any(want in line for line in lines):
                    failures += 1
                    print("FAIL: %s\n  expected a line with %r (in order); it printed:\n    %s"
                          % (" && ".join(cmds), want, "\n    ".join(output[:40])))
                    break
    print("adapters page: %d step(s), %d failure(s)" % (len(steps), failures))
    return 1 if failures or not steps else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
