"""Compact event records (options.compact_events, PROTOCOL §4.5): the same worker gives
the same trace with and without the option once the compact records are expanded (by
the naive reading of §4.5 below), over the oracle's examples and scenarios that take
every way out of the compact form (a generator's entry and exit, a bound method's CALL,
a PY_THROW into an async generator, events past max_records, options.stack, C-API fires
inside a callback), and values at the edges of what the C probe normalises itself. Most of a busy loop's events are compact. Where monsim's C extension
loads (capability capi_ext), the probe's fast path runs in C (capi_ext/probe.c): a
worker with MONSIM_C_PROBE=0 (the Python callbacks) gives the same compact traces.
One case per native CPython with sys.monitoring that `monsim interpreters --quick`
finds; skips (77) without one.
usage: compact_events_test.py MONSIM SOURCE_ROOT"""
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases, native_cpythons  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
WORKER = os.path.join(ROOT, "oracle", "worker.py")
cases = Cases("CompactEvents")

GEN = """
import asyncio
class C:
    def m(self, x):
        return x
def g(n):
    for i in range(n):
        yield i
    return n
async def ag():
    yield 1
    yield 2
def f():
    m = C().m
    total = sum(g(3)) + m(1)
    try:
        raise ValueError(total)
    except ValueError as e:
        total += len(e.args)
    a = ag()
    a.asend(None).send(None) if False else None
    async def drive():
        async for x in a:
            break
        await a.aclose()
    c = drive()
    try:
        c.send(None)
    except StopIteration:
        pass
    return [x for x in g(2)], {1: 2}.get(1), sorted([3, 1, 2])
"""
# Values the C probe makes itself (plain ints, lists of up to 8 of them) and their edges,
# and strings it writes as JSON text itself (printable ASCII) or leaves to json.
VALUES = """
class L(list):
    pass
def g(v):
    return v
def f():
    for v in ([], [1], list(range(8)), list(range(9)), [2**62, -2**63], [2**63], [True],
              [[1]], 10**29, 10**31, -2**63, 2**64, L([1]), 123456789012345678, True,
              [-1, 22, 333, 4444, 55555, 666666, 7777777, 88888888], len, g, None,
              12345678901234567, 1234567890123456, [1234567890, 123], [1234567890, 12],
              'q"uote', 'back\\\\slash', '\\u00e9t\\u00e9', 'new\\nline', '~ plain', 2**63 - 1, abs):
        len([v])
        g(v)
        abs(1)
        min([1])
"""
LOOP = "def f():\n    t = 0\n    for i in range(200):\n        if i % 3:\n            t += len([i])\n    return t\n"


def scenario(sid, program, **extra):
    s = {"id": sid, "description": sid, "program": program, "steps": [{"call": "f"}]}
    s.update(extra)
    return s


OWN = [
    (scenario("slow_paths", GEN), {}),
    (scenario("slow_paths_tools", GEN, tools={"1": {"events": ["PY_START", "LINE", "CALL"]}}), {}),
    (scenario("stack", GEN), {"stack": True}),
    (scenario("truncated", LOOP), {"max_records": 300}),
    (scenario("instruction", LOOP), {"instruction": True}),
    (scenario("loop", LOOP), {}),
    (scenario("values", VALUES), {}),
    (scenario("values_cut", VALUES), {"repr_limit": 16}),
]


def expand(trace):
    """The trace without the option: compact records as §4.1 event objects."""
    table = trace.pop("compact", None)
    trace["options"].pop("compact_events", None)
    if table is None:
        return trace
    out = []
    for r in trace["records"]:
        if type(r) is list:
            name, *fields = table["events"][r[0]]
            d = {"kind": "event", "event": name, "code": table["codes"][r[1]],
                 "offset": r[2], "line": r[3], "depth": r[4]}
            assert len(r) == 5 + len(fields), r
            # A value item that is a number names a value of the table.
            d.update((f, table["values"][v] if f != "dest" and type(v) is int else v)
                     for f, v in zip(fields, r[5:]))
            r = d
        out.append(r)
    trace["records"] = out
    return trace


def expanded(reply):
    """expand() of a copy of a reply's trace (None for an errored reply)."""
    return expand(json.loads(json.dumps(reply["trace"]))) if "trace" in reply else None


class Worker:
    def __init__(self, python, env=None):
        self.p = subprocess.Popen([python, WORKER], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True, cwd=ROOT, env=dict(os.environ, **(env or {})))
        self.hello = json.loads(self.p.stdout.readline())
        self.seq = 0

    def run(self, doc, options):
        self.seq += 1
        self.p.stdin.write(json.dumps({"type": "run", "seq": self.seq, "scenario": doc,
                                       "options": options}) + "\n")
        self.p.stdin.flush()
        return json.loads(self.p.stdout.readline())

    def close(self):
        self.p.kill()
        self.p.wait()


def examples():
    for path in sorted(glob.glob(os.path.join(ROOT, "oracle", "examples", "**", "*.json"),
                                 recursive=True)):
        with open(path) as f:
            yield json.load(f), {}


def check(python):
    w = Worker(python)
    py = Worker(python, {"MONSIM_C_PROBE": "0"})
    try:
        cases.check(w.hello.get("capabilities", {}).get("compact_events") is True,
                    "the hello does not offer compact_events")
        arrays = objects = 0
        for doc, options in list(examples()) + OWN:
            for probe in (True, False):
                opts = dict(options, probe=probe)
                plain = w.run(doc, dict(opts, compact_events=False))
                compact = w.run(doc, dict(opts, compact_events=True))
                by_python = py.run(doc, dict(opts, compact_events=True))
                # The same once expanded (the C probe names remembered values by index).
                cases.check(by_python["type"] == compact["type"]
                            and expanded(by_python) == expanded(compact),
                            f"{doc['id']} probe={probe}: the C probe's trace differs:\n"
                            f"{json.dumps(by_python)[:1500]}\n{json.dumps(compact)[:1500]}")
                if not cases.check(plain["type"] == compact["type"],
                                   f"{doc['id']}: {plain['type']} vs {compact['type']}"):
                    continue
                if plain["type"] != "result":
                    continue
                records = compact["trace"]["records"]
                table = compact["trace"].get("compact", {})
                arrays += sum(type(r) is list for r in records)
                objects += sum(type(r) is dict and r["kind"] == "event" for r in records)
                if opts.get("stack"):
                    cases.check(not any(type(r) is list for r in records),
                                f"{doc['id']}: compact records with options.stack")
                a, b = plain["trace"], expand(compact["trace"])
                a["options"].pop("compact_events")
                cases.check(a == b, f"{doc['id']} probe={probe}: traces differ:\n"
                            f"{json.dumps(a)[:1500]}\n{json.dumps(b)[:1500]}")
                if doc["id"] == "slow_paths" and probe:
                    kept = {k for r in records if type(r) is dict for k in r}
                    cases.check({"frame", "method_of", "athrow"} <= kept,
                                f"slow paths not taken: {sorted(kept)}")
                if doc["id"] == "loop" and probe and w.hello["capabilities"].get("capi_ext"):
                    cases.check(table.get("values"),
                                "the C probe names no value by index")
                if doc["id"] == "loop" and probe:
                    events = [r for r in records if type(r) is list]
                    cases.check(len(events) > 0.95 * (len(records) - 2),
                                f"a busy loop's events are not compact: {len(events)} "
                                f"of {len(records)}")
        cases.check(arrays > 1000 and objects > 20,
                    f"compact {arrays}, event objects {objects}")
    finally:
        w.close()
        py.close()


def main():
    for ident, _, _, path in native_cpythons(MONSIM, ROOT):
        cases.case(f"compact events on {ident}")
        check(path)
    cases.finish()


main()
