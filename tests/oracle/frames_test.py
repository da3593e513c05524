"""While a run records, a callback the program registered sees its caller as it would
without the recording wrapper: `sys._getframe().f_back` and `sys._getframe(1)` are the
frame the event happened in, assigning `f_trace` through the view reaches that frame,
and outside callbacks sys._getframe is untouched. With the wrapper visible (the shim
not installed) the first case fails. On every native CPython 3.12+.
usage: frames_test.py MONSIM SOURCE_ROOT"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases, native_cpythons  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
WORKER = os.path.join(ROOT, "oracle", "worker.py")
cases = Cases("OracleFrames")

PROGRAM = """
import sys
seen = []
def cb(code, offset):
    seen.append(("f_back", sys._getframe().f_back.f_code.co_name))
    seen.append(("depth 1", sys._getframe(1).f_code.co_name))
    sys._getframe().f_back.f_trace_lines = False
    seen.append(("set through", sys._getframe(1).f_trace_lines))
def target():
    return 1
def start():
    sys.monitoring.use_tool_id(3, "t")
    sys.monitoring.register_callback(3, sys.monitoring.events.PY_START, cb)
    sys.monitoring.set_events(3, sys.monitoring.events.PY_START)
def outside():
    return sys._getframe().f_code.co_name + " " + sys._getframe(1).f_code.co_name.strip("<>")
def result():
    return " ".join("%s=%s" % p for p in seen)
"""
WANT = "f_back=target depth 1=target set through=False"


def run(python):
    scenario = {"id": "frames", "description": "d", "program": PROGRAM, "tools": {},
                "steps": [{"call": "start"}, {"call": "target"},
                          {"api": "set_events", "args": [3, 0]}, {"call": "result"},
                          {"call": "outside"}]}
    p = subprocess.run([python, WORKER], input=json.dumps(
        {"type": "run", "seq": 1, "scenario": scenario, "options": {"probe": False}}) + "\n",
        capture_output=True, text=True, cwd=ROOT, timeout=60)
    reply = json.loads(p.stdout.splitlines()[1])
    ends = [r for r in reply["trace"]["records"] if r["kind"] == "step_end"]
    return [e.get("returned", {}).get("repr", e.get("raised")) for e in ends]


def main():
    for ident, _, _, path in native_cpythons(MONSIM, ROOT):
        got = run(path)
        cases.case(f"a recorded callback's caller is the event's frame on {ident}")
        cases.check(got[3] == repr(WANT), f"got {got[3]}, want {WANT!r}")
        cases.case(f"sys._getframe outside callbacks is the real one on {ident}")
        cases.check(got[4].startswith("'outside "), f"got {got[4]}")
    cases.finish()


main()
