"""The harness's own code goes quiet: an event the oracle's callbacks (the scenario tools'
and the probe's) get in a harness file returns DISABLE when the event allows it, so the
site stops calling for the rest of the run (the scrub's restart_events brings it back),
and None where DISABLE would be refused (an exception event, C_RETURN/C_RAISE: the
interpreter would raise and remove the callback). Code outside the harness files keeps
every event. Checked in each native CPython 3.12+ `monsim interpreters --quick` finds, with
the probe's callbacks in Python and, where monsim's C extension loads, in C.
usage: harness_quiet_test.py MONSIM SOURCE_ROOT"""
import json
import os
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases, native_cpythons  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
cases = Cases("HarnessQuiet")

# Runs in the interpreter under test; prints what each pass called, as JSON.
CHILD = r'''
import collections, json, sys
sys.path.insert(0, sys.argv[1])
from monsim_oracle import HARNESS_FILES, capi, recorder
from monsim_oracle.events import REAL, SITE_EVENTS
from monsim_oracle.scenario import effective_options

SRC = """
def work(n):
    total = 0
    for i in range(n):
        if i % 2:
            total += len([i])
        try:
            raise KeyError(i)
        except KeyError:
            total += 1
    for x in gen(2):
        total += x
    return total
def gen(k):
    for j in range(k):
        yield j
"""
HARNESS, PROGRAM = "<harness quiet test>", "<scenario quiet#0>"
HARNESS_FILES.add(HARNESS)
harness, program = {}, {}
exec(compile(SRC, HARNESS, "exec"), harness)
exec(compile(SRC, PROGRAM, "exec"), program)

mon = sys.monitoring
rec = recorder.Recorder(PROGRAM, effective_options({"compact_events": True}))
calls = collections.Counter()
returned = {}


def counting(tool, name, cb):
    def c(code, *args):
        where = {HARNESS: "harness", PROGRAM: "program"}.get(code.co_filename)
        r = cb(code, *args)
        if where is None:  # this script's own code
            return r
        calls[tool, name, where] += 1
        returned[tool, name, where] = "DISABLE" if r is mon.DISABLE else repr(r)
        return r
    return c


SCENARIO, PROBE = 1, 2
registered = {}
for tool in (SCENARIO, PROBE):
    mon.use_tool_id(tool, "quiet-test")
    for name, bit in REAL.items():
        cb = (rec._handler_callback(tool, name, recorder.Handler("tool", {}, "t"))
              if tool == SCENARIO else rec.probe_callback(name))
        registered[tool, name] = counting(tool, name, cb)
        mon.register_callback(tool, bit, registered[tool, name])
    mon.set_events(tool, sum(REAL.values()))
passes = []
for _ in range(3):
    calls.clear()
    harness["work"](4)
    program["work"](4)
    passes.append([list(k) + [v] for k, v in calls.items()])
kept = all(mon.register_callback(t, REAL[n], None) is registered[t, n] for t, n in registered)
for tool in (SCENARIO, PROBE):
    mon.set_events(tool, 0)
    mon.free_tool_id(tool)
mon.restart_events()
print(json.dumps({"passes": passes, "version": list(sys.version_info[:2]), "kept": kept,
                  "returned": [list(k) + [v] for k, v in returned.items()],
                  "c_probe": capi.extension() is not None}))
'''


def site_events(version):
    """The events whose DISABLE switches the tool off at the site in `version`, as the
    spec says (spec/events.yaml `disable: site`)."""
    with open(os.path.join(ROOT, "spec", "events.yaml")) as f:
        rows = yaml.safe_load(f)["events"]
    out = set()
    for row in rows:
        known = [v for v in row["disable"] if tuple(map(int, v.split("."))) <= version]
        if known and row["disable"][max(known, key=lambda v: tuple(map(int, v.split("."))))] == "site":
            out.add(row["name"])
    return out


def check(path, c_probe):
    env = dict(os.environ, MONSIM_C_PROBE="1" if c_probe else "0")
    p = subprocess.run([path, "-c", CHILD, os.path.join(ROOT, "oracle")], env=env,
                       capture_output=True, text=True, timeout=120)
    if not cases.check(p.returncode == 0, f"child failed:\n{p.stderr[-3000:]}"):
        return None
    out = json.loads(p.stdout)
    site = site_events(tuple(out["version"]))
    # The second pass may still call a few sites once: an INSTRUCTION its LINE's
    # DISABLE hid in the first (behaviour §14.3 R8), 3.12's STOP_ITERATION of a loop
    # over a generator that specialised meanwhile (R4). The third calls none.
    first, _, third = ({(t, n, w): k for t, n, w, k in p_} for p_ in out["passes"])
    returned = {(t, n, w): r for t, n, w, r in out["returned"]}
    cases.check(out["kept"], "a callback was removed (a DISABLE the event refuses?)")
    for tool in (1, 2):
        fired = {n for t, n, w in first if t == tool and w == "harness"}
        cases.check({"LINE", "CALL", "PY_START", "RAISE"} <= fired,
                    f"tool {tool}: the first pass fired only {sorted(fired)} in the harness")
        for (t, n, w), r in returned.items():
            if t == tool and w == "harness":
                cases.check(r == ("DISABLE" if n in site else "None"),
                            f"tool {tool}: {n} in the harness returned {r}")
        again = {n for t, n, w in third if t == tool and w == "harness"}
        cases.check(not (again & site),
                    f"tool {tool}: site events still called in the harness: "
                    f"{sorted(again & site)}")
        cases.check({"RAISE", "EXCEPTION_HANDLED"} <= again,
                    f"tool {tool}: exception events stopped in the harness: {sorted(again)}")
        program = {n for t, n, w in third if t == tool and w == "program"}
        cases.check({"LINE", "CALL", "PY_START", "PY_RETURN", "JUMP"} <= program,
                    f"tool {tool}: the program's third pass lost events: {sorted(program)}")
    return out["c_probe"]


def main():
    for ident, _, _, path in native_cpythons(MONSIM, ROOT):
        cases.case(f"harness quiet on {ident}, Python probe")
        check(path, False)
        cases.case(f"harness quiet on {ident}, C probe")
        if check(path, True) is False:
            cases.skip(f"monsim's C extension does not load on {ident} "
                       "(3.13+ with C headers; ./run setup builds it)")
    cases.finish()


main()
