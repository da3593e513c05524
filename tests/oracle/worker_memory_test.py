"""A long-lived oracle worker does not grow: what one run leaves in reference cycles
(its objects and the harness's own) is collected before the next run. Before the
fix, a worker kept every run's cycles, a long campaign's worker reached gigabytes
and the machine stalled: the rare "timeout" verdicts of long native campaigns.
One case per native CPython with sys.monitoring that `monsim interpreters --quick`
finds (Linux: reads /proc); skips (77) without one.
usage: worker_memory_test.py MONSIM SOURCE_ROOT"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases, interpreters  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
WORKER = os.path.join(ROOT, "oracle", "worker.py")
cases = Cases("WorkerMemory")

# Every run builds a self-referencing object holding a suspended generator: garbage
# only a cyclic collection frees.
PROGRAM = """
class Node:
    def __init__(self):
        self.me = self
def gen(k):
    for i in range(k):
        yield i
def f(n):
    a = Node()
    g = gen(3)
    next(g)
    a.g = g
    return n + 1
"""
SCENARIO = {
    "id": "worker-memory", "description": "reference cycles in every run",
    "meta": {"features": ["PY_START", "LINE", "generators"], "level": "must",
             "python": "3.12", "spec": "tests/oracle/worker_memory_test.py"},
    "program": PROGRAM, "tools": {"2": {"events": ["PY_START", "LINE"]}},
    "steps": [{"call": "f", "args": [1]}],
}
WARM, RUNS = 100, 1500
# Before the fix this scenario grew the worker by ~36 kB per run (50 MB over the
# 1400 runs measured); a worker that keeps nothing stays within allocator noise.
LIMIT_KB = 4096


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def growth(python):
    """(kB grown between run WARM and run RUNS, problem or None)."""
    p = subprocess.Popen([python, WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    try:
        if '"hello"' not in p.stdout.readline():
            return 0, "no hello from the worker"
        at_warm = 0
        for seq in range(1, RUNS + 1):
            p.stdin.write(json.dumps({"type": "run", "seq": seq, "scenario": SCENARIO,
                                      "options": {"probe": True}}) + "\n")
            p.stdin.flush()
            reply = json.loads(p.stdout.readline())
            if reply.get("type") != "result":
                return 0, f"run {seq}: {json.dumps(reply)[:300]}"
            if seq == WARM:
                at_warm = rss_kb(p.pid)
        return rss_kb(p.pid) - at_warm, None
    finally:
        p.kill()
        p.wait()


def main():
    if not os.path.exists("/proc/self/status"):
        print("SKIP: needs /proc to read a worker's resident size")
        sys.exit(77)
    found = interpreters(MONSIM, ROOT, kind="native", cpython_from=(3, 12))
    if not found:
        print("SKIP: no native CPython 3.12+ found (pyenv; ./run setup)")
        sys.exit(77)
    for ident, _, _, path in found:
        cases.case(f"a worker keeps nothing of {RUNS} runs on {ident}")
        grown, problem = growth(path)
        if problem:
            cases.fail(problem)
        else:
            cases.check(grown < LIMIT_KB,
                        f"the worker grew by {grown} kB between run {WARM} and run {RUNS}")
    cases.finish()


main()
