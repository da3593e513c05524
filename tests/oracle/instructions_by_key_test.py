"""Instruction tables by key (options.instructions_by_key, PROTOCOL §4): a worker names
each code row's table and carries it only when its previous result did not. The
tables a run leaves out are the ones the result before carried; an errored reply
does not count as a result; a run without the option carries every table and names
none; the tables are those of a run without the option.
One case per native CPython with sys.monitoring that `monsim interpreters --quick`
finds; skips (77) without one.
usage: instructions_by_key_test.py MONSIM SOURCE_ROOT"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases, native_cpythons  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
WORKER = os.path.join(ROOT, "oracle", "worker.py")
cases = Cases("InstructionsByKey")


def scenario(sid, program):
    return {"id": sid, "description": sid, "program": program,
            "tools": {"2": {"events": ["PY_START", "LINE"]}}, "steps": [{"call": "f"}]}


A = scenario("a", "def g():\n    return 2\ndef f():\n    return g() + 1\n")
B = scenario("b", "def f():\n    x = 1\n    for i in range(3):\n        x += i\n    return x\n")
INVALID = {"id": "invalid", "description": "no steps", "program": "", "tools": {}}


class Worker:
    def __init__(self, python):
        self.p = subprocess.Popen([python, WORKER], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True, cwd=ROOT)
        self.hello = json.loads(self.p.stdout.readline())
        self.seq = 0

    def run(self, doc, by_key):
        self.seq += 1
        options = {"instructions_by_key": True} if by_key else {}
        self.p.stdin.write(json.dumps({"type": "run", "seq": self.seq, "scenario": doc,
                                       "options": options}) + "\n")
        self.p.stdin.flush()
        return json.loads(self.p.stdout.readline())

    def close(self):
        self.p.kill()
        self.p.wait()


def rows(reply):
    """code id -> (key or None, instructions or None) of a result's code rows with bytecode."""
    codes = reply.get("trace", {}).get("codes", {})
    return {cid: (r.get("instructions_key"), r.get("instructions"))
            for cid, r in codes.items() if r.get("origin") != "capi"}


def check(python):
    w = Worker(python)
    try:
        cases.check(w.hello.get("capabilities", {}).get("instructions_by_key") is True,
                    "the hello does not offer instructions_by_key")
        plain = rows(w.run(A, False))
        cases.check(plain and all(k is None and t for k, t in plain.values()),
                    f"a run without the option names tables or lacks one: {plain}")
        first = rows(w.run(A, True))
        cases.check(all(k is not None and t is not None for k, t in first.values()),
                    f"after a run without the option, every table comes: {first}")
        cases.check({c: t for c, (_, t) in first.items()} ==
                    {c: t for c, (_, t) in plain.items()},
                    "the tables differ from a run without the option")
        again = rows(w.run(A, True))
        cases.check(all(again[c][0] == first[c][0] and again[c][1] is None for c in first),
                    f"the same program right after: tables not left out: {again}")
        errored = w.run(INVALID, True)
        cases.check(errored.get("type") == "errored", f"not errored: {errored}")
        after = rows(w.run(A, True))
        cases.check(all(after[c][1] is None for c in first),
                    f"an errored reply in between made tables come again: {after}")
        other = rows(w.run(B, True))
        cases.check(all(k not in {first[c][0] for c in first} and t is not None
                        for k, t in other.values()),
                    f"another program's tables: {other}")
        back = rows(w.run(A, True))
        cases.check(all(back[c][1] is not None for c in first),
                    f"tables the previous result did not carry are left out: {back}")
    finally:
        w.close()


def main():
    for ident, _, _, path in native_cpythons(MONSIM, ROOT):
        cases.case(f"tables by key on {ident}")
        check(path)
    cases.finish()


main()
