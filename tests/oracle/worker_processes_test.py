"""A scenario's processes and raw descriptors never reach the protocol: a program that
forks (the child sleeps, then writes to fd 1 and reads fd 0), starts a shell that
outlives it, writes to fd 1 without a newline or reads fd 0 gets its result, the next
request is answered normally, and no process of the run is alive once it is answered.
One case per native interpreter with sys.monitoring or the legacy hooks that
`monsim interpreters --quick` finds (Linux: reads /proc); skips (77) without one.
usage: worker_processes_test.py MONSIM SOURCE_ROOT"""
import json
import select
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases, interpreters  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
WORKER = os.path.join(ROOT, "oracle", "worker.py")
cases = Cases("WorkerProcesses")

PROGRAMS = {
    "fork": """
import os, time
def f():
    pid = os.fork()
    if pid == 0:
        time.sleep(1.0)
        os.write(1, b'{"type": "result", "seq": 2, "trace": {}}\\n')
        os.read(0, 100000)
        os._exit(0)
    return 1
""",
    "shell left running": """
import os
def f():
    os.system("sleep 30 &")
    return 1
""",
    "raw fd 1 without newline": """
import os
def f():
    os.write(1, b"garbage without newline")
    return 1
""",
    "reads fd 0": """
import os
def f():
    return len(os.read(0, 100000))
""",
}


def scenario(name, program):
    return {"id": "processes-" + name.replace(" ", "-"), "description": name,
            "program": program, "tools": {}, "steps": [{"call": "f"}]}


def read_line(p, seconds):
    """The worker's next line, or None when none comes within `seconds`."""
    ready, _, _ = select.select([p.stdout], [], [], seconds)
    return p.stdout.readline() if ready else None


def group_members(pgid):
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit() or int(p) == pgid:
            continue
        try:
            with open("/proc/%s/stat" % p, "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        if fields[0] != b"Z" and int(fields[2]) == pgid:
            out.append(int(p))
    return out


def check(python, ident):
    p = subprocess.Popen([python, WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    try:
        if '"hello"' not in (read_line(p, 60) or ""):
            cases.case(f"the worker starts on {ident}")
            cases.fail("no hello")
            return
        seq = 0
        for name, program in PROGRAMS.items():
            cases.case(f"{name}: answered, nothing left behind, next request fine on {ident}")
            problems = []
            for attempt in range(2):  # the second request must not be stolen or spoiled
                seq += 1
                p.stdin.write(json.dumps({"type": "run", "seq": seq,
                                          "scenario": scenario(name, program)}) + "\n")
                p.stdin.flush()
                line = read_line(p, 20)
                if line is None:
                    problems.append(f"request {seq}: no reply within 20 s")
                    break
                try:
                    reply = json.loads(line)
                except ValueError:
                    problems.append(f"request {seq}: the reply is not JSON: {line[:200]!r}")
                    continue
                if reply.get("type") != "result" or reply.get("seq") != seq:
                    problems.append(f"request {seq}: {json.dumps(reply)[:300]}")
                    continue
                ends = [r for r in reply["trace"]["records"] if r["kind"] == "step_end"]
                if not ends or "returned" not in ends[0]:
                    problems.append(f"request {seq}: the step did not return: {ends}")
                if name == "reads fd 0" and ends and ends[0].get("returned", {}).get("repr") != "0":
                    problems.append(f"request {seq}: fd 0 gave {ends[0]}")
                left = group_members(p.pid)
                if left:
                    problems.append(f"request {seq}: processes {left} outlive the run")
            time.sleep(1.5)  # a forked child would have written by now
            cases.check(not problems, "; ".join(problems))
    finally:
        p.kill()
        p.wait()


def main():
    if not os.path.exists("/proc/self/stat"):
        print("SKIP: needs /proc")
        sys.exit(77)
    found = interpreters(MONSIM, ROOT, kind="native")
    if not found:
        print("SKIP: no native interpreter found (pyenv, pypy3; ./run setup)")
        sys.exit(77)
    for ident, _, _, path in found:
        check(path, ident)
    cases.finish()


main()
