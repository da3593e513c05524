#!/usr/bin/env python3
"""Generates the scenario families in spec/scenarios/generated/<family>/<id>.yaml.

    python3 spec/gen/families.py            # (re)write spec/scenarios/generated/
    python3 spec/gen/families.py --out DIR  # write the families under DIR instead
    python3 spec/gen/families.py --check    # generate into a temporary folder and
                                            # compare with the committed files

Stdlib only, Python >= 3.11. The event table (bits, which events may be set
locally, what DISABLE does, per version) is read from spec/events.yaml and the
error messages from spec/errors.yaml with the small YAML-subset reader below;
nothing is taken from a running interpreter. Every `expect:` is computed here
from the documented rules (reference = ../shared/reference/monitoring-behaviour.md):

  * delivery: a tool receives an occurrence in code c when the event is in its
    global set or in its local set of c; at most once per occurrence (§6.1);
    tools are called from the highest id down (§7.1).
  * DISABLE, per spec/events.yaml `disable`:
      site  - that tool, that event, that site only (§9.1, §9.2, §9.5, §9.9);
      error - ValueError "Cannot disable E events. Callback removed." replaces
              what the site was doing, the tool's callback is unregistered and
              the dispatch of that occurrence stops (§9.3, §9.4, §7.3);
      local - 3.15 exception events: the event is cleared from the tool's local
              set of that code object; a global set keeps delivering (FINDINGS F5).
  * set_local_events with an event that may not be local: ValueError with the
    message of spec/errors.yaml (§4.1, §3.2).

A family scenario is generated per Python version; consecutive versions whose
scenario text is identical share one file with a `python:` range.
"""
import argparse
import filecmp
import json
import os
import re
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_REL = os.path.join("spec", "scenarios", "generated")

# ---------------------------------------------------------------------------
# A reader for the YAML subset of spec/events.yaml and spec/errors.yaml: block
# mappings, block sequences of mappings, flow maps/lists (possibly over several
# lines), plain and double-quoted scalars, comments.


def _strip_comment(line):
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == "\\" and quote == '"':
                continue
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def _open_brackets(line):
    """How many flow brackets `line` leaves open (quoted text aside)."""
    depth, quote = 0, None
    for ch in line:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
    return depth


def _scalar(text):
    text = text.strip()
    if text.startswith('"'):
        return json.loads(text)  # the double-quoted strings of spec/*.yaml are JSON strings
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    if text in ("null", "~", ""):
        return None
    return text


def _flow(text):
    """Parses a flow collection or scalar."""
    pos = 0

    def skip():
        nonlocal pos
        while pos < len(text) and text[pos] in " \t\n":
            pos += 1

    def value():
        nonlocal pos
        skip()
        ch = text[pos]
        if ch in "[{":
            close = "]" if ch == "[" else "}"
            pos += 1
            items = [] if ch == "[" else {}
            while True:
                skip()
                if text[pos] == close:
                    pos += 1
                    return items
                if ch == "[":
                    items.append(value())
                else:
                    key = value()
                    skip()
                    assert text[pos] == ":", text
                    pos += 1
                    items[key] = value()
                skip()
                if text[pos] == ",":
                    pos += 1
        if ch == '"':
            end = pos + 1
            while text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            tok, pos = text[pos:end + 1], end + 1
            return _scalar(tok)
        end = pos
        while end < len(text) and text[end] not in ",]}" and not (
                text[end] == ":" and (end + 1 == len(text) or text[end + 1] in " \t")):
            end += 1
        tok, pos = text[pos:end], end
        return _scalar(tok)

    out = value()
    skip()
    assert pos == len(text), "trailing text in %r" % text
    return out


def read_yaml(path):
    lines = []
    with open(path, encoding="utf-8") as fh:
        raw = [_strip_comment(l) for l in fh.read().split("\n")]
    i = 0
    while i < len(raw):
        line = raw[i]
        i += 1
        if not line.strip():
            continue
        # join a flow collection that continues on the next lines
        while _open_brackets(line) > 0:
            line += " " + raw[i].strip()
            i += 1
        lines.append((len(line) - len(line.lstrip(" ")), line.strip()))

    def block(idx, indent):
        if lines[idx][1].startswith("- "):
            seq = []
            while idx < len(lines) and lines[idx][0] == indent and lines[idx][1].startswith("- "):
                ind, text = lines[idx]
                # "- key: value" starts a mapping whose keys sit at indent + 2
                lines[idx] = (ind + 2, text[2:])
                item, idx = block(idx, ind + 2)
                seq.append(item)
            return seq, idx
        mapping = {}
        while idx < len(lines) and lines[idx][0] == indent and not lines[idx][1].startswith("- "):
            text = lines[idx][1]
            key, _, rest = text.partition(":")
            key = _scalar(key)
            rest = rest.strip()
            idx += 1
            if rest:
                mapping[key] = _flow(rest)
            elif idx < len(lines) and lines[idx][0] > indent:
                mapping[key], idx = block(idx, lines[idx][0])
            elif idx < len(lines) and lines[idx][0] == indent and lines[idx][1].startswith("- "):
                mapping[key], idx = block(idx, indent)
            else:
                mapping[key] = None
        return mapping, idx

    doc, end = block(0, lines[0][0])
    assert end == len(lines), "unparsed line %r in %s" % (lines[end], path)
    return doc


def vtuple(v):
    return tuple(int(x) for x in str(v).split("."))


def at_version(value, version):
    """A version-keyed map {"3.12": a, "3.14": b} read at `version` (None: absent)."""
    if not isinstance(value, dict):
        return value
    best = None
    for key in sorted(value, key=vtuple):
        if vtuple(key) <= vtuple(version):
            best = value[key]
    return best


class Spec:
    def __init__(self, root):
        ev = read_yaml(os.path.join(root, "spec", "events.yaml"))
        er = read_yaml(os.path.join(root, "spec", "errors.yaml"))
        self.versions = [str(v) for v in ev["versions"]]
        self.events = {e["name"]: e for e in ev["events"]}
        self.errors = er["errors"]

    def exists(self, name, v):
        return at_version(self.events[name]["bit"], v) is not None

    def bit(self, name, v):
        return at_version(self.events[name]["bit"], v)

    def local(self, name, v):
        return bool(at_version(self.events[name]["local"], v))

    def disable(self, name, v):
        return at_version(self.events[name]["disable"], v)

    def alias(self, name, v):
        return at_version(self.events[name].get("alias"), v)

    def group(self, name):
        return self.events[name]["group"]

    def message(self, error, v, **fields):
        text = at_version(self.errors[error]["message"], v)
        for k, val in fields.items():
            text = text.replace("{%s}" % k, str(val))
        return text

    def error_type(self, error):
        return self.errors[error]["type"]


# ---------------------------------------------------------------------------
# The programs: one per event. Each names the occurrences it produces, in order:
# (step index, function, site, pattern fields). `f` is the target of local
# events; `g` has the same event at a site of its own (local events on f do not
# reach it; a DISABLE in f does not touch it).


class Occ:
    def __init__(self, step, fn, site, **fields):
        self.step, self.fn, self.site, self.fields = step, fn, site, fields


def call(fn, *args, store=None):
    d = {"call": fn}
    if args:
        d["args"] = list(args)
    if store:
        d["store"] = store
    return d


def exc(type_, arg):
    return {"$": "exc", "type": type_, "args": [arg]}


CAUGHT = "        return [e.__class__.__name__, e.args[0]]\n"

PROGRAMS = {}


def program(name, text, steps, results, occs, run, occ_text, occ_f_text, refs, **extra):
    PROGRAMS[name] = dict(text=text, steps=steps, results=results, occs=occs, run=run,
                          occ_text=occ_text, occ_f_text=occ_f_text, refs=refs, **extra)


_SIMPLE = (
    'def f():\n'
    '    return "f"\n'
    '\n'
    'def g():\n'
    '    return "g"\n')
_GEN = (
    'def f():\n'
    '    for i in range(3):\n'
    '        yield i\n'
    '\n'
    'def g():\n'
    '    yield "g"\n')
_GEN_STEPS = [call("f", store="it_f"), {"gen": "it_f", "op": "iterate"},
              call("g", store="it_g"), {"gen": "it_g", "op": "iterate"}]
_TWO_LINES = (
    'def f(x):\n'
    '    y = x + 1\n'
    '    return y\n'
    '\n'
    'def g(x):\n'
    '    return x\n')
_LOOP = (
    'def f():\n'
    '    n = 0\n'
    '    for s in ("a", "b", "c"):\n'
    '        n += 1\n'
    '    return n\n'
    '\n'
    'def g():\n'
    '    n = 0\n'
    '    for s in ("x",):\n'
    '        n += 1\n'
    '    return n\n')

program("PY_START", _SIMPLE, [call("f"), call("f"), call("f"), call("g")],
        {0: "f", 1: "f", 2: "f", 3: "g"},
        [Occ(0, "f", "f.start"), Occ(1, "f", "f.start"), Occ(2, "f", "f.start"),
         Occ(3, "g", "g.start")],
        "calling f three times and then g once",
        "PY_START for each of the three calls of f and for the call of g",
        "PY_START for each of the three calls of f", "§12.1")
program("PY_RETURN", _SIMPLE, [call("f"), call("f"), call("f"), call("g")],
        {0: "f", 1: "f", 2: "f", 3: "g"},
        [Occ(0, "f", "f.return"), Occ(1, "f", "f.return"), Occ(2, "f", "f.return"),
         Occ(3, "g", "g.return")],
        "calling f three times and then g once",
        "PY_RETURN for each of the three returns of f and for the return of g",
        "PY_RETURN for each of the three returns of f", "§12.2")
program("PY_RESUME", _GEN, _GEN_STEPS, {1: [0, 1, 2], 3: ["g"]},
        [Occ(1, "f", "f.resume")] * 3 + [Occ(3, "g", "g.resume")],
        "running the generator f (one yield in a loop of three iterations) and then the generator g (one yield) to the end",
        "PY_RESUME for the three resumptions of f after its yield and for the one of g",
        "PY_RESUME for the three resumptions of f after its yield", "§12.1")
program("PY_YIELD", _GEN, _GEN_STEPS, {1: [0, 1, 2], 3: ["g"]},
        [Occ(1, "f", "f.yield")] * 3 + [Occ(3, "g", "g.yield")],
        "running the generator f (one yield in a loop of three iterations) and then the generator g (one yield) to the end",
        "PY_YIELD for the three yields of f and for the one of g",
        "PY_YIELD for the three yields of f", "§12.2")
program("CALL", (
    'def f(s):\n'
    '    return len(s)\n'
    '\n'
    'def g(s):\n'
    '    return len(s)\n'),
        [call("f", "a"), call("f", "bb"), call("f", "ccc"), call("g", "dddd")],
        {0: 1, 1: 2, 2: 3, 3: 4},
        [Occ(i, "f", "f.len", callable="len") for i in range(3)]
        + [Occ(3, "g", "g.len", callable="len")],
        "calling f (which calls len) three times and then g (which calls len) once",
        "CALL for each of the three len() calls in f and for the one in g",
        "CALL for each of the three len() calls in f", "§12.3")
program("LINE", _TWO_LINES, [call("f", 1), call("f", 2), call("f", 3), call("g", 4)],
        {0: 2, 1: 3, 2: 4, 3: 4},
        [o for i in range(3) for o in (Occ(i, "f", "f.L1", line="+1"),
                                       Occ(i, "f", "f.L2", line="+2"))]
        + [Occ(3, "g", "g.L1", line="+1")],
        "calling f (two lines) three times and then g (one line) once",
        "LINE for both lines of f on each call and for the line of g",
        "LINE for both lines of f on each call", "§12.4")
# How many instructions a line has is bytecode-specific: the expectation names
# the first instruction of each line (`inexact`: `match: contains`), the model
# comparison of `monsim check` accounts for every instruction.
program("INSTRUCTION", _TWO_LINES, [call("f", 1), call("f", 2), call("f", 3), call("g", 4)],
        {0: 2, 1: 3, 2: 4, 3: 4},
        [o for i in range(3) for o in (Occ(i, "f", "f.L1.first", line="+1"),
                                       Occ(i, "f", "f.L2.first", line="+2"))]
        + [Occ(3, "g", "g.L1.first", line="+1")],
        "calling f (two lines) three times and then g (one line) once",
        "INSTRUCTION events for the instructions of both lines of f on each call and of the line of g",
        "INSTRUCTION events for the instructions of both lines of f on each call", "§12.5",
        inexact="how many instructions a line has is bytecode-specific, so the expectation names the first instruction event of each line (match: contains); the model comparison accounts for every instruction")
program("JUMP", _LOOP, [call("f"), call("f"), call("g")], {0: 3, 1: 3, 2: 1},
        [Occ(i, "f", "f.back") for i in (0, 0, 0, 1, 1, 1)] + [Occ(2, "g", "g.back")],
        "calling f (a for loop of three iterations) twice and then g (one iteration) once",
        "JUMP for each backward jump of f's loop (three per call) and for the one of g",
        "JUMP for each backward jump of f's loop (three per call)", "§12.6")
program("BRANCH", _LOOP, [call("f"), call("f"), call("g")], {0: 3, 1: 3, 2: 1},
        [Occ(i, "f", "f.for") for i in (0,) * 4 + (1,) * 4] + [Occ(2, "g", "g.for")] * 2,
        "calling f (a for loop of three iterations) twice and then g (one iteration) once",
        "BRANCH for each step of f's loop (three next-item and one exhausted per call) and for the two of g",
        "BRANCH for each step of f's loop (three next-item and one exhausted per call)", "§12.6")
program("BRANCH_LEFT", _LOOP, [call("f"), call("f"), call("g")], {0: 3, 1: 3, 2: 1},
        [Occ(i, "f", "f.for.left") for i in (0, 0, 0, 1, 1, 1)] + [Occ(2, "g", "g.for.left")],
        "calling f (a for loop of three iterations) twice and then g (one iteration) once",
        "BRANCH_LEFT for each next item of f's loop (three per call) and for the one of g",
        "BRANCH_LEFT for each next item of f's loop (three per call)", "§12.6, §9.9")
program("BRANCH_RIGHT", _LOOP, [call("f"), call("f"), call("g")], {0: 3, 1: 3, 2: 1},
        [Occ(0, "f", "f.for.right"), Occ(1, "f", "f.for.right"), Occ(2, "g", "g.for.right")],
        "calling f (a for loop of three iterations) twice and then g (one iteration) once",
        "BRANCH_RIGHT for the exhaustion of f's loop on each call and for the one of g",
        "BRANCH_RIGHT for the exhaustion of f's loop on each call", "§12.6, §9.9")
program("STOP_ITERATION", (
    'def inner():\n'
    '    yield 1\n'
    '\n'
    'def f():\n'
    '    yield from inner()\n'
    '\n'
    'def g():\n'
    '    yield from inner()\n'),
        [s for n in ("f1", "f2", "f3") for s in (call("f", store=n), {"gen": n, "op": "iterate"})]
        + [call("g", store="g1"), {"gen": "g1", "op": "iterate"}],
        {1: [1], 3: [1], 5: [1], 7: [1]},
        [Occ(i, "f", "f.yield-from", exc="StopIteration") for i in (1, 3, 5)]
        + [Occ(7, "g", "g.yield-from", exc="StopIteration")],
        "running three generators of f and one of g (each delegating with yield from to an inner generator) to the end",
        "STOP_ITERATION for each yield-from exhaustion in f (three) and in g (one)",
        "STOP_ITERATION for each yield-from exhaustion in f (three)", "§12.7, §9.5")

_RAISE = (
    'def f():\n'
    '    try:\n'
    '        raise KeyError("f")\n'
    '    except Exception as e:\n'
    + CAUGHT +
    '\n'
    'def g():\n'
    '    try:\n'
    '        raise KeyError("g")\n'
    '    except Exception as e:\n'
    + CAUGHT)
_RAISE_RESULTS = {0: ["KeyError", "f"], 1: ["KeyError", "f"], 2: ["KeyError", "f"],
                  3: ["KeyError", "g"]}
program("RAISE", _RAISE, [call("f"), call("f"), call("f"), call("g")], _RAISE_RESULTS,
        [Occ(i, "f", "f.raise", exc="KeyError") for i in range(3)]
        + [Occ(3, "g", "g.raise", exc="KeyError")],
        "calling f three times and then g once (each raises a KeyError and catches it)",
        "RAISE for the KeyError of each call of f and of g",
        "RAISE for the KeyError of each call of f", "§12.7")
# A ValueError that replaces the KeyError on entry to f's handler (DISABLE refused)
# is itself reported entering that handler, to the tools still registered (§10.1).
program("EXCEPTION_HANDLED", _RAISE, [call("f"), call("f"), call("f"), call("g")], _RAISE_RESULTS,
        [Occ(i, "f", "f.handler", exc="KeyError") for i in range(3)]
        + [Occ(3, "g", "g.handler", exc="KeyError")],
        "calling f three times and then g once (each raises a KeyError and catches it)",
        "EXCEPTION_HANDLED for the KeyError caught by each call of f and of g",
        "EXCEPTION_HANDLED for the KeyError caught by each call of f", "§12.7",
        after_error=lambda o: [Occ(o.step, o.fn, o.site, exc="ValueError")],
        after_error_text="the ValueError is then reported entering the same handler (reference §10.1)")
program("PY_UNWIND", (
    'def f():\n'
    '    raise KeyError("f")\n'
    '\n'
    'def g():\n'
    '    raise KeyError("g")\n'
    '\n'
    'def catch_f():\n'
    '    try:\n'
    '        f()\n'
    '    except Exception as e:\n'
    + CAUGHT +
    '\n'
    'def catch_g():\n'
    '    try:\n'
    '        g()\n'
    '    except Exception as e:\n'
    + CAUGHT),
        [call("catch_f"), call("catch_f"), call("catch_f"), call("catch_g")], _RAISE_RESULTS,
        [Occ(i, "f", "f.unwind", exc="KeyError") for i in range(3)]
        + [Occ(3, "g", "g.unwind", exc="KeyError")],
        "calling f three times and then g once through callers that catch the KeyError f and g raise",
        "PY_UNWIND for the KeyError leaving each call of f and of g",
        "PY_UNWIND for the KeyError leaving each call of f", "§12.7")
_THROWN = (
    '    got = None\n'
    '    while True:\n'
    '        try:\n'
    '            yield got\n'
    '        except Exception as e:\n'
    '            got = [e.__class__.__name__, e.args[0]]\n')
program("PY_THROW", 'def f():\n' + _THROWN + '\ndef g():\n' + _THROWN,
        [call("f", store="gen_f"), {"gen": "gen_f", "op": "next"}]
        + [{"gen": "gen_f", "op": "throw", "value": exc("KeyError", "f")}] * 3
        + [call("g", store="gen_g"), {"gen": "gen_g", "op": "next"},
           {"gen": "gen_g", "op": "throw", "value": exc("KeyError", "g")}],
        {1: None, 2: ["KeyError", "f"], 3: ["KeyError", "f"], 4: ["KeyError", "f"],
         6: None, 7: ["KeyError", "g"]},
        [Occ(i, "f", "f.yield", exc="KeyError") for i in (2, 3, 4)]
        + [Occ(7, "g", "g.yield", exc="KeyError")],
        "throwing a KeyError three times into a suspended generator of f and once into one of g (the generators catch it and yield again)",
        "PY_THROW for each of the three throws into f and for the one into g",
        "PY_THROW for each of the three throws into f", "§12.1, §12.7")
# How often an exception leaving a finally block is re-raised on its way out is
# compiler-specific (CPython also re-raises from the handler's cleanup): the
# expectation names the first RERAISE of each call (match: contains).
_RERAISE = (
    'def f():\n'
    '    try:\n'
    '        try:\n'
    '            raise KeyError("f")\n'
    '        finally:\n'
    '            done = True\n'
    '    except Exception as e:\n'
    + CAUGHT +
    '\n'
    'def g():\n'
    '    try:\n'
    '        try:\n'
    '            raise KeyError("g")\n'
    '        finally:\n'
    '            done = True\n'
    '    except Exception as e:\n'
    + CAUGHT)
program("RERAISE", _RERAISE, [call("f"), call("f"), call("f"), call("g")], _RAISE_RESULTS,
        [Occ(i, "f", "f.finally", exc="KeyError") for i in range(3)]
        + [Occ(3, "g", "g.finally", exc="KeyError")],
        "calling f three times and then g once (each re-raises a KeyError at the end of a finally block and catches it)",
        "RERAISE for the KeyError re-raised at the end of the finally block on each call of f and of g",
        "RERAISE for the KeyError re-raised at the end of the finally block on each call of f", "§12.7",
        inexact="how many times one exception is re-raised on its way out of a finally block is compiler-specific (CPython re-raises it again from the handler's cleanup), so the expectation names the first RERAISE of each call (match: contains)")
_C_CALLS = (
    'def f(x):\n'
    '    try:\n'
    '        return {call}\n'
    '    except Exception as e:\n'
    + CAUGHT +
    '\n'
    'def g(x):\n'
    '    try:\n'
    '        return {call}\n'
    '    except Exception as e:\n'
    + CAUGHT)
program("C_RETURN", _C_CALLS.replace("{call}", "len(x)"),
        [call("f", "a"), call("f", "bb"), call("f", "ccc"), call("g", "dddd")],
        {0: 1, 1: 2, 2: 3, 3: 4},
        [Occ(i, "f", "f.len", callable="len") for i in range(3)]
        + [Occ(3, "g", "g.len", callable="len")],
        "calling f (which calls len) three times and then g (which calls len) once",
        "C_RETURN for each of the three len() calls in f and for the one in g",
        "C_RETURN for each of the three len() calls in f", "§12.3")
program("C_RAISE", _C_CALLS.replace("{call}", 'x.pop("k")'),
        [call("f", {}), call("f", {}), call("f", {}), call("g", {})],
        {0: ["KeyError", "k"], 1: ["KeyError", "k"], 2: ["KeyError", "k"], 3: ["KeyError", "k"]},
        [Occ(i, "f", "f.pop", callable="pop") for i in range(3)]
        + [Occ(3, "g", "g.pop", callable="pop")],
        "calling f three times and then g once (each calls pop on an empty dict, which raises KeyError)",
        "C_RAISE for each of the three failing pop() calls in f and for the one in g",
        "C_RAISE for each of the three failing pop() calls in f", "§12.3")

# Event order of the families; the reference section of each event's firing sites
# is in PROGRAMS[...]["refs"].
EVENT_ORDER = ["PY_START", "PY_RESUME", "PY_RETURN", "PY_YIELD", "CALL", "LINE", "INSTRUCTION",
               "JUMP", "BRANCH", "BRANCH_LEFT", "BRANCH_RIGHT", "STOP_ITERATION", "RAISE",
               "EXCEPTION_HANDLED", "PY_UNWIND", "PY_THROW", "RERAISE", "C_RETURN", "C_RAISE"]

AREA = {"PY_RESUME": "generators", "PY_YIELD": "generators", "STOP_ITERATION": "generators",
        "LINE": "lines", "INSTRUCTION": "lines", "JUMP": "branches", "BRANCH": "branches",
        "BRANCH_LEFT": "branches", "BRANCH_RIGHT": "branches", "RAISE": "exceptions",
        "EXCEPTION_HANDLED": "exceptions", "PY_UNWIND": "exceptions", "PY_THROW": "exceptions",
        "RERAISE": "exceptions", "C_RETURN": "ancillary", "C_RAISE": "ancillary"}

C_EVENTS = ("C_RETURN", "C_RAISE")


def slug(name):
    return name.lower().replace("_", "-")


# ---------------------------------------------------------------------------
# Variants: which tools, how each one gets the event, who returns DISABLE.


class Tool:
    def __init__(self, tid, mode, disabler=False):
        self.id, self.mode, self.disabler = tid, mode, disabler

    @property
    def is_global(self):
        return self.mode in ("global", "both")

    @property
    def is_local(self):
        return self.mode in ("local", "both")


# The DISABLE families, by what spec/events.yaml says DISABLE does.
DISABLE_FAMILY = {"site": "disable-site", "error": "disable-refused", "local": "disable-local-3.15"}

# (family, variant, tools, needs): needs = "local" (the event may be set locally),
# "nonlocal" (it may not: the multi-tool file is then global only), None (always).
VARIANTS = [
    ("deliver", "global", [Tool(2, "global")], None),
    ("deliver", "local", [Tool(2, "local")], "local"),
    ("deliver", "3tools-mixed", [Tool(2, "global"), Tool(3, "local"), Tool(4, "both")], "local"),
    ("disable", "global", [Tool(2, "global", True)], None),
    ("disable", "both", [Tool(2, "both", True)], "local"),
    ("disable", "2tools-global", [Tool(2, "global"), Tool(3, "global", True)], "nonlocal"),
    ("disable", "3tools-mixed", [Tool(2, "global"), Tool(3, "local", True), Tool(4, "both")], "local"),
]


def may_be_local(spec, event, v):
    # C_RETURN/C_RAISE follow CALL: "local" = CALL|C_RETURN|C_RAISE set locally (§3.2, §12.3).
    return True if event in C_EVENTS else spec.local(event, v)


# ---------------------------------------------------------------------------
# Prediction from the rules.


def predict(spec, event, tools, v):
    prog = PROGRAMS[event]
    rule = spec.disable(event, v)
    state = {t.id: dict(calls=0, removed=False, sites=set(), cleared=set()) for t in tools}
    results = dict(prog["results"])
    deliveries = []  # (tool, occ, result)
    queue = list(prog["occs"])

    def receives(t, o, ignore_sites=False):
        s = state[t.id]
        if s["removed"]:
            return False
        active = t.is_global or (t.is_local and o.fn == "f" and o.fn not in s["cleared"])
        if not active:
            return False
        return ignore_sites or o.site not in s["sites"]

    while queue:
        o = queue.pop(0)
        for t in sorted(tools, key=lambda t: -t.id):
            if not receives(t, o):
                continue
            s = state[t.id]
            s["calls"] += 1
            disable = t.disabler and s["calls"] == 1
            deliveries.append((t.id, o, "disable" if disable else "returned"))
            if not disable:
                continue
            if rule == "site":
                s["sites"].add(o.site)
            elif rule == "local":
                if t.is_local:
                    s["cleared"].add(o.fn)
            elif rule == "error":
                s["removed"] = True
                results[o.step] = ["ValueError", spec.message("cannot_disable", v, name=event)]
                if "after_error" in prog:
                    queue[0:0] = prog["after_error"](o)
                break  # the dispatch of this occurrence stops (§7.3, §9.3)
            else:
                raise ValueError("unknown disable rule %r" % rule)
    # Inexact programs (match: contains) list one event per group; can the unlisted
    # ones still reach the tool at the end? A DISABLEd site does not stop the other
    # instructions of its line; an unregistered callback or a cleared local bit does.
    alive = {t.id: any(receives(t, o, ignore_sites=(rule == "site")) for o in prog["occs"])
             for t in tools}
    return deliveries, results, rule, alive


# ---------------------------------------------------------------------------
# YAML text.

PLAIN = re.compile(r"^[A-Za-z_$][A-Za-z0-9_.$-]*$")


def ys(value):
    """A flow-context YAML value."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if PLAIN.match(value) and value not in ("null", "true", "false", "yes", "no", "on", "off",
                                                 "y", "n", "Null", "True", "False"):
            return value
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(ys(x) for x in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{" + ", ".join("%s: %s" % (ys(k), ys(x)) for k, x in value.items()) + "}"
    raise TypeError(value)


def plain_block(text):
    """A block-context scalar: plain when safe, else double-quoted."""
    if (": " in text or " #" in text or text[0] in "!&*[]{}|>'\"%@`#,?:-"
            or text.endswith(":")):
        return ys(text) if not PLAIN.match(text) else text
    return text


def events_marker(names):
    return {"$": "events", "names": names}


def code_marker(fn):
    return {"$": "code", "of": fn}


def pattern(tool, event, o, result=None):
    p = {"tool": tool, "event": event, "function": o.fn}
    p.update(o.fields)
    if result:
        p["result"] = result
    return p


class Scenario:
    """The parts of one scenario file, rendered by text()."""

    def __init__(self):
        self.comment = ""
        self.description = ""
        self.spec = []
        self.features = []
        self.level = "must"
        self.program = ""
        self.tools = []  # list of (id, lines)
        self.steps = []  # list of (dict, comment)
        self.expect = []  # lines
        self.steps_note = ""
        self.expect_note = ""

    def text(self, sid, python, generator_note):
        out = ["# " + self.comment,
               "# " + generator_note,
               "id: " + sid,
               "description: " + plain_block(self.description),
               "spec:"]
        out += ["  - " + ys(s) for s in self.spec]
        out.append("features: " + ys(self.features))
        out.append("level: " + self.level)
        out.append("python: " + ys(python))
        out.append("program: |")
        out += [("  " + l) if l else "" for l in self.program.rstrip("\n").split("\n")]
        if self.tools:
            out.append("tools:")
            for tid, lines in self.tools:
                out.append("  %d:" % tid)
                out += ["    " + l for l in lines]
        out += comment_lines(self.steps_note)
        out.append("steps:")
        width = max(len(ys(s)) for s, _ in self.steps)
        for i, (s, note) in enumerate(self.steps):
            text = ys(s)
            out.append("  - " + text + " " * (width - len(text)) + "  # %d%s" % (i, note))
        out += comment_lines(self.expect_note)
        out.append("expect:")
        out += ["  " + l for l in self.expect]
        return "\n".join(out) + "\n"


def comment_lines(text, width=100):
    """`text` as YAML comment lines of at most about `width` characters."""
    out, line = [], "#"
    for word in text.split():
        if len(line) + 1 + len(word) > width and line != "#":
            out.append(line)
            line = "#"
        line += " " + word
    return out + [line] if text else []


GENERATOR_NOTE = "Generated by spec/gen/families.py from spec/events.yaml and spec/errors.yaml: do not edit, re-run the script."


def tool_lines(spec, event, t, v):
    lines = ["name: " + {"global": "global", "local": "local", "both": "global-and-local"}[t.mode]
             + ("-disabler" if t.disabler else "")]
    if t.is_global:
        lines.append("events: " + ys(setting(event)))
    if event in C_EVENTS:
        lines.append("auto_callbacks: false   # no CALL callback: C events follow CALL anyway")
    if t.disabler:
        lines += ["callbacks:",
                  "  %s:" % event,
                  "    - when: {nth: 1}            # its first call only",
                  "      return: {$: DISABLE}"]
    else:
        lines.append("callbacks: {%s: []}" % event)
    return lines


def setting(event):
    return ["CALL", "C_RETURN", "C_RAISE"] if event in C_EVENTS else [event]


def who(tools):
    parts = []
    for t in tools:
        where = {"global": "globally", "local": "locally on f", "both": "globally and locally on f"}[t.mode]
        parts.append("tool %d %s" % (t.id, where))
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# The documentation clauses (spec/clauses.yaml) a family scenario checks, cited as
# "doc: <id>". They depend on the event and the variant only, so that versions whose
# scenarios are otherwise identical still share one file. 3.15's local exception
# events get none: the seed documentation (3.12-3.14) does not describe them.
EVENT_CLAUSES = {
    "PY_START": ["events.py-start"], "PY_RESUME": ["events.py-resume"],
    "PY_RETURN": ["events.py-return"], "PY_YIELD": ["events.py-yield"], "CALL": ["events.call"],
    "LINE": ["events.line"], "INSTRUCTION": ["events.instruction"], "JUMP": ["events.jump"],
    "BRANCH": ["events.branch"], "BRANCH_LEFT": ["events.branch-left"],
    "BRANCH_RIGHT": ["events.branch-right"], "STOP_ITERATION": ["events.stop-iteration"],
    "RAISE": ["events.raise"], "EXCEPTION_HANDLED": ["events.exception-handled"],
    "PY_UNWIND": ["events.py-unwind"], "PY_THROW": ["events.py-throw"], "RERAISE": ["events.reraise"],
    "C_RETURN": ["events.c-return"], "C_RAISE": ["events.c-raise"],
}


def doc_clauses(event, variant, disabling, rule, multi, local_tools):
    if (disabling and rule == "local") or (local_tools and event in (
            "RAISE", "EXCEPTION_HANDLED", "PY_UNWIND", "PY_THROW", "RERAISE")):
        return []
    out = list(EVENT_CLAUSES[event])
    if event in C_EVENTS:
        out.append("events.ancillary.controlled-by-call")
    if not disabling:
        if event == "BRANCH":
            out.append("events.branch.deprecated")
        out.append({"global": "events.global.set-events", "local": "events.local.set-local-events",
                    "3tools-mixed": "events.fire-once"}[variant])
        if multi:
            out += ["callbacks.once-global-and-local", "tools.multiple-at-once"]
    elif rule == "site":
        out += ["disable.location", "disable.other-locations", "events.local.all-disableable"]
        if event == "STOP_ITERATION":
            out.append("events.stop-iteration.locally-disableable")
        if event in ("BRANCH_LEFT", "BRANCH_RIGHT"):
            out.append("events.branch-left-right.independent")
        if multi:
            out.append("tools.independent")
    elif rule == "error" and event not in C_EVENTS:
        out.append("events.other.not-disableable")
    return out


def build(spec, event, variant, tools, v):
    prog = PROGRAMS[event]
    inexact = prog.get("inexact")
    sc = Scenario()
    disabling = any(t.disabler for t in tools)
    deliveries, results, rule, alive = predict(spec, event, tools, v)
    what = "CALL|C_RETURN|C_RAISE" if event in C_EVENTS else event
    local_tools = [t for t in tools if t.is_local]
    multi = len(tools) > 1

    # -- metadata
    refs = ["reference " + r.strip() for r in prog["refs"].split(",")]
    if event in C_EVENTS:
        refs = ["reference §3.2", "reference §12.3"]
    spec_refs = []
    feats = [event]
    if event in C_EVENTS:
        feats.append("CALL")
    if any(t.is_global for t in tools):
        feats.append("global-events")
    if local_tools:
        feats.append("local-events")
    if multi:
        feats.append("dispatch-order")
    if disabling:
        feats.append("disable")
    if AREA.get(event):
        feats.append(AREA[event])
    if disabling and rule == "error":
        feats.append("api-errors")
    if disabling and rule == "local" or (local_tools and event in ("RAISE", "EXCEPTION_HANDLED",
                                                                     "PY_UNWIND", "PY_THROW", "RERAISE")):
        feats.append("versions")
    sc.features = feats

    if not disabling:
        sc.comment = ("Checks that %s set %s is delivered once per occurrence%s."
                      % (event, {"global": "globally", "local": "locally on f only",
                                 "3tools-mixed": "by three tools in different ways"}[variant],
                         ", to every tool, highest id first" if multi else ""))
        if variant == "global":
            sc.description = ("With %s set globally for tool 2, %s delivers to it %s, each exactly once."
                              % (what, prog["run"], prog["occ_text"]))
            spec_refs = ["3.12 sys.monitoring §Events", "reference §6.1"]
        elif variant == "local":
            sc.description = ("With %s set only locally on f for tool 2, %s delivers to it %s, each exactly once, and nothing from g."
                              % (what, prog["run"], prog["occ_f_text"]))
            spec_refs = ["3.12 sys.monitoring §Local events (events set per code object)",
                         "reference §4.1, §4.4, §6.1"]
        else:
            sc.description = ("With %s set for %s, %s delivers %s to tools 4, 3 and 2 in that order, each exactly once (tool 4 has the event both globally and locally), and the occurrences in g to tools 4 and 2 only."
                              % (what, who(tools), prog["run"], prog["occ_f_text"]))
            spec_refs = ["3.12 sys.monitoring §Local events (an event triggers only once, even if set both globally and locally)",
                         "reference §6.1, §7.1"]
    else:
        d = next(t for t in tools if t.disabler)
        others = [t for t in tools if not t.disabler]
        head = ("With %s set for %s, tool %d returns DISABLE from its first %s callback; when %s, "
                % (what, who(tools), d.id, event, prog["run"]))
        if rule == "site":
            sc.comment = "Checks that DISABLE from %s turns that tool off at that one site only%s." % (
                event, " and never affects the other tools" if others else "")
            tail = ("the site of that first callback is never delivered to tool %d again, while %s keep being delivered"
                    % (d.id, "its other sites and every occurrence for the other tools" if others
                       else "its other sites"))
            if d.mode == "both":
                tail += " (DISABLE removes the site whether the event came from the global or the local set)"
            spec_refs = ["3.12 sys.monitoring §Disabling events (DISABLE disables the event for that code location and that tool only)",
                         "reference §9.1" + (", §9.2" if event in ("LINE", "INSTRUCTION", "JUMP", "BRANCH") else "")
                         + (", §9.5" if event == "STOP_ITERATION" else "")
                         + (", §9.9" if event in ("BRANCH_LEFT", "BRANCH_RIGHT") else "")
                         + (", §9.6" if d.mode == "both" else "")]
        elif rule == "error":
            sc.level = "implementation-defined"
            sc.comment = "Checks that %s cannot be disabled: DISABLE raises ValueError and unregisters the callback%s." % (
                event, ", and how that affects the other tools" if others else "")
            lower = [t for t in others if t.id < d.id]
            tail = ('that occurrence raises ValueError("%s") in place of its own outcome and tool %d\'s %s callback is unregistered, so it receives no later %s'
                    % (spec.message("cannot_disable", v, name=event), d.id, event, event))
            if lower:
                tail += ("; the dispatch of that occurrence stops there, so tool %s misses it but receives every later one"
                         % " and ".join(str(t.id) for t in lower))
            elif others:
                tail += "; the other tools receive every occurrence"
            if "after_error_text" in prog:
                tail += "; " + prog["after_error_text"]
            spec_refs = ["3.13 sys.monitoring §Disabling events (events that are not local events cannot be disabled)",
                         "reference %s, §7.3" % ("§9.3" if event in C_EVENTS else "§9.4"),
                         "spec/errors.yaml cannot_disable; spec/events.yaml disable: error"]
            if "after_error_text" in prog:
                spec_refs[1] += ", §10.1"
        else:  # local (3.15 exception events)
            if d.is_local:
                sc.comment = "Checks that on 3.15 DISABLE from a locally set %s clears it from the tool's local events of that code object, without error." % event
            else:
                sc.comment = "Checks that on 3.15 DISABLE from a globally set %s raises no error and changes nothing." % event
            if d.mode == "local":
                tail = ("no error is raised and %s is cleared from tool %d's local events of f, so it receives no later %s in f, while %s"
                        % (event, d.id, event, "the other tools receive every occurrence" if others
                           else "the callback stays registered"))
            elif d.mode == "both":
                tail = ("no error is raised and %s is cleared from tool %d's local events of f, but its global set keeps delivering every later occurrence to it"
                        % (event, d.id))
            else:
                tail = ("no error is raised, the callback stays registered and every later occurrence is still delivered to it (the 3.15 documentation says the event is then disabled for the whole code object; per FINDINGS F5/F8 DISABLE only clears a local bit, see also disable-global-raise-3.15)")
            sc.level = "must" if d.is_local else "implementation-defined"
            spec_refs = ["3.15 sys.monitoring §Local events (non-instrumented local events: DISABLE disables the event for the entire code object, for the current tool; gh-142186)",
                         "FINDINGS F5 (statement 4)" + (", F8" if not d.is_local or d.mode == "both" else ""),
                         "spec/events.yaml disable: local"]
        sc.description = head + tail + "."
    if local_tools and event in ("RAISE", "EXCEPTION_HANDLED", "PY_UNWIND", "PY_THROW", "RERAISE"):
        spec_refs.append("FINDINGS F5 (statements 1-3: 3.15 exception events may be set locally)")
    if event in C_EVENTS:
        spec_refs.append("3.12 sys.monitoring §Ancillary events (C_RETURN and C_RAISE are controlled by CALL)")
    if event == "BRANCH":
        spec_refs.append("3.14 sys.monitoring §Deprecated event (BRANCH: BRANCH_LEFT|BRANCH_RIGHT through a legacy handler)")
    if event == "STOP_ITERATION":
        spec_refs.append("3.13 sys.monitoring §STOP_ITERATION (RAISE(StopIteration) is equivalent)")
    sc.spec = spec_refs + refs
    sc.spec += ["doc: " + c for c in doc_clauses(event, variant, disabling, rule, multi, local_tools)]
    if inexact:
        sc.expect_note = "Note: " + inexact + "."

    # -- program, tools, steps
    sc.program = prog["text"]
    for t in sorted(tools, key=lambda t: t.id):
        sc.tools.append((t.id, tool_lines(spec, event, t, v)))
    setup = [t for t in sorted(tools, key=lambda t: t.id) if t.is_local]
    for t in setup:
        sc.steps.append(({"api": "set_local_events",
                          "args": [t.id, code_marker("f"), events_marker(setting(event))]},
                         ": tool %d, locally on f" % t.id))
    n0 = len(setup)
    if setup:
        sc.steps_note = ("Local events are set by the first steps, once every tool (and monsim's probe) has "
                         "its global events, so that f's code object is instrumented with all of its tools at "
                         "once (a code object instrumented for one tool that gains a second one later drops the "
                         "INSTRUCTION tools it had, FINDINGS F4).")
    sc.steps += [(s, "") for s in prog["steps"]]

    # -- expect
    ex = []
    if inexact:
        ex.append("match: contains")
    ex.append("scope: {events: [%s]}" % event)
    ex.append("deliveries:")
    for tid, o, res in deliveries:
        r = res if (disabling and any(t.id == tid and t.disabler for t in tools)) else None
        ex.append("  - " + ys(pattern(tid, event, o, r)))
    if not deliveries:
        ex[-1] = "deliveries: []"
    if inexact:
        absent = []
        fns = []
        for o in PROGRAMS[event]["occs"]:
            if o.fn not in fns:
                fns.append(o.fn)
        for t in sorted(tools, key=lambda t: -t.id):
            got = [(o, res) for tid, o, res in deliveries if tid == t.id]
            if not got:
                absent.append({"tool": t.id, "event": event})
                continue
            if all(res == "disable" for _, res in got) and not alive[t.id]:
                absent.append({"tool": t.id, "event": event, "result": "returned"})
            for fn in fns:
                if not any(o.fn == fn for o, _ in got):
                    absent.append({"tool": t.id, "event": event, "function": fn})
        if absent:
            ex.append("absent:")
            ex += ["  - " + ys(a) for a in absent]
    ex.append("steps:")
    for t in setup:
        ex.append("  - " + ys({"step": setup.index(t), "result": None}))
    for k in sorted(results):
        ex.append("  - " + ys({"step": n0 + k, "result": results[k]}))
    sc.expect = ex
    return sc


def build_refused(spec, event, v):
    """set_local_events with an event that may not be set locally."""
    sc = Scenario()
    sc.level = "implementation-defined"
    sc.program = "def f():\n    return 1\n"
    sc.tools = [(2, ["name: t"])]
    code = code_marker("f")
    line = spec.bit("LINE", v)
    if event in C_EVENTS:
        msg = spec.message("c_events_not_paired", v)
        typ = spec.error_type("c_events_not_paired")
        call_bit = spec.bit("CALL", v)
        sc.comment = "Checks that %s cannot be set without CALL and C_%s, globally or locally." % (
            event, "RAISE" if event == "C_RETURN" else "RETURN")
        other = "C_RAISE" if event == "C_RETURN" else "C_RETURN"
        sc.description = ("%s alone, or with CALL but without %s, is refused by set_events and set_local_events with %s(\"%s\") and leaves the sets at 0; CALL|C_RETURN|C_RAISE is accepted locally and reads back as CALL."
                          % (event, other, typ, msg))
        sc.steps = [
            ({"api": "set_events", "args": [2, events_marker([event])]}, ""),
            ({"api": "set_local_events", "args": [2, code, events_marker([event])]}, ""),
            ({"api": "set_local_events", "args": [2, code, events_marker(["CALL", event])]}, ""),
            ({"api": "get_events", "args": [2]}, ""),
            ({"api": "get_local_events", "args": [2, code]}, ""),
            ({"api": "set_local_events", "args": [2, code, events_marker(["CALL", "C_RETURN", "C_RAISE"])]}, ""),
            ({"api": "get_local_events", "args": [2, code]}, ""),
        ]
        sc.expect = ["steps:"] + ["  - " + ys(x) for x in [
            {"step": 0, "raises": typ, "message": msg},
            {"step": 1, "raises": typ, "message": msg},
            {"step": 2, "raises": typ, "message": msg},
            {"step": 3, "result": 0},
            {"step": 4, "result": 0},
            {"step": 5, "result": None},
            {"step": 6, "result": 1 << call_bit},
        ]]
        sc.spec = ["3.12 sys.monitoring §Ancillary events (C_RETURN and C_RAISE are controlled by CALL)",
                   "reference §3.2, §4.1, §4.2", "spec/errors.yaml c_events_not_paired"]
        sc.spec += ["doc: events.ancillary.controlled-by-call"]
        sc.features = [event, "CALL", "ancillary", "local-events", "global-events", "api-errors"]
        return sc
    bit = spec.bit(event, v)
    typ = spec.error_type("invalid_local_event_set")
    msg1 = spec.message("invalid_local_event_set", v, set="0x%x" % (1 << bit))
    msg2 = spec.message("invalid_local_event_set", v, set="0x%x" % ((1 << bit) | (1 << line)))
    sc.comment = "Checks that %s may not be set locally on this version, with the exact error." % event
    sc.description = ('set_local_events with %s (bit %d) raises %s("%s"), with LINE|%s raises %s("%s"), and the local set of f stays 0.'
                      % (event, bit, typ, msg1, event, typ, msg2))
    sc.steps = [
        ({"api": "set_local_events", "args": [2, code, events_marker([event])]}, ""),
        ({"api": "set_local_events", "args": [2, code, events_marker(["LINE", event])]}, ""),
        ({"api": "get_local_events", "args": [2, code]}, ""),
    ]
    sc.expect = ["steps:"] + ["  - " + ys(x) for x in [
        {"step": 0, "raises": typ, "message": msg1},
        {"step": 1, "raises": typ, "message": msg2},
        {"step": 2, "result": 0},
    ]]
    sc.spec = ["3.12 sys.monitoring §Local events (only the local events may be set per code object)",
               "reference §4.1, §4.2", "spec/errors.yaml invalid_local_event_set",
               "spec/events.yaml local", "doc: events.local.list"]
    if event in ("RAISE", "EXCEPTION_HANDLED", "PY_UNWIND", "PY_THROW"):
        sc.spec.append("doc: events.other.list")
    sc.features = [event, "local-events", "api-errors", "versions"]
    if event in AREA:
        sc.features.insert(1, AREA[event])
    return sc


# ---------------------------------------------------------------------------
# Families: per version, then consecutive identical versions merged.


def python_range(spec, band):
    vs = spec.versions
    lo, hi = band[0], band[-1]
    nxt = vs.index(hi) + 1
    if nxt == len(vs):
        return ">=" + lo
    return ">=%s,<%s" % (lo, vs[nxt])


def band_suffix(spec, band, event):
    exists = [v for v in spec.versions if spec.exists(event, v)]
    if band == exists:
        return ""
    return "-" + band[0] + ("-" + band[-1] if len(band) > 1 else "")


def generate(spec):
    """{relative path: text}"""
    files = {}

    def emit(family, base, event, per_version):
        # family: a folder name, or a function of the version band's first version.
        # per_version: [(version, Scenario)] in version order; merge identical runs.
        groups = []
        for v, sc in per_version:
            body = sc.text("ID", "PY", GENERATOR_NOTE)
            if groups and groups[-1][2] == body and \
                    spec.versions.index(groups[-1][0][-1]) + 1 == spec.versions.index(v):
                groups[-1][0].append(v)
            else:
                groups.append(([v], sc, body))
        for band, sc, _ in groups:
            sid = base + band_suffix(spec, band, event)
            path = os.path.join(family(band[0]) if callable(family) else family, sid + ".yaml")
            assert path not in files, path
            files[path] = sc.text(sid, python_range(spec, band), GENERATOR_NOTE)

    for event in EVENT_ORDER:
        for family, variant, tools, needs in VARIANTS:
            per_version = []
            for v in spec.versions:
                if not spec.exists(event, v):
                    continue
                local_ok = may_be_local(spec, event, v)
                if needs == "local" and not local_ok:
                    continue
                if needs == "nonlocal" and local_ok:
                    continue
                if family == "disable" and spec.alias(event, v):
                    # 3.14+ BRANCH is the legacy BRANCH_LEFT|BRANCH_RIGHT handler, whose
                    # DISABLE depends on whether another tool (the oracle's probe)
                    # instruments the branch source (reference §9.9, FINDINGS F6).
                    continue
                per_version.append((v, build(spec, event, variant, tools, v)))
            fam = family
            if family == "disable":
                fam = lambda v, e=event: DISABLE_FAMILY[spec.disable(e, v)]
            emit(fam, "gen-%s-%s-%s" % (slug(event), family, variant), event, per_version)
        refused = [(v, build_refused(spec, event, v)) for v in spec.versions
                   if spec.exists(event, v) and not spec.local(event, v)]
        if refused:
            emit("local-refused", "gen-%s-local-refused" % slug(event), event, refused)
    return files


FAMILY_TEXT = [
    ("deliver", "no DISABLE: the event set globally (tool 2), locally on f (tool 2), and by three tools "
                "at once (2 global, 3 local on f, 4 global and local on f): every occurrence reaches every "
                "tool that has the event there, once, highest id first"),
    ("disable-site", "DISABLE from the first callback of tool 2 (global, or global and local) or of tool 3 "
                     "(local, with tools 2 and 4 beside it) for the events DISABLE turns off per site: that "
                     "site only, that tool only"),
    ("disable-refused", "the same for the events that cannot be disabled (exception events before 3.15, "
                        "C_RETURN and C_RAISE): ValueError, the callback is unregistered, the dispatch of that "
                        "occurrence stops (with two tools, the lower one misses it)"),
    ("disable-local-3.15", "3.15 exception events: DISABLE clears the event from the tool's local set of "
                           "that code object, without error; a global set keeps delivering"),
    ("local-refused", "set_local_events with an event that may not be set locally on that version: the "
                      "exact ValueError of spec/errors.yaml"),
]


def readme(files):
    counts = {}
    for rel in files:
        counts[rel.split(os.sep)[0]] = counts.get(rel.split(os.sep)[0], 0) + 1
    out = ["# Generated scenario families", "",
           "Written by `spec/gen/families.py` (do not edit: re-run `python3 spec/gen/families.py`;",
           "`python3 spec/gen/families.py --check`, also the meson test `spec_gen_families`, checks that",
           "the committed files are reproduced byte for byte). Every file is an ordinary scenario",
           "(`spec/SCENARIO-FORMAT.md`): run one with `build/monsim check FILE --python all`.",
           "",
           "Each event has a small program in which it occurs at known sites a known number of times",
           "in `f` (the target of local events) and once more in `g`; the expectations are computed by",
           "the generator from the rules of spec/events.yaml, spec/errors.yaml and the reference, not",
           "recorded. A scenario is generated per Python version and consecutive versions with the",
           "same text share one file (the `python:` range and an id suffix such as `-3.12-3.14`).",
           "",
           "| folder | files | what |", "|---|---|---|"]
    for fam, text in FAMILY_TEXT:
        out.append("| `%s/` | %d | %s |" % (fam, counts.get(fam, 0), text))
    out += ["", "Ids: `gen-<event>-deliver-<variant>`, `gen-<event>-disable-<variant>` and",
            "`gen-<event>-local-refused`, with a `-<versions>` suffix when the file covers only some",
            "of the versions that have the event. Variants: `global`, `local`, `both` (global and",
            "local, one tool), `2tools-global`, `3tools-mixed` (2 global, 3 local on f, 4 both).", "",
            "Not generated, on purpose:",
            "* DISABLE of the 3.14+ `BRANCH` alias: its legacy handler returns DISABLE without calling",
            "  the callback when no tool instruments the branch source, so the result depends on the",
            "  oracle's probe (reference §9.9, FINDINGS F6); see `spec/scenarios/branches/`.",
            "* Exact INSTRUCTION and RERAISE counts: how many instructions a line has, and how often",
            "  an exception leaving a `finally` block is re-raised (CPython re-raises it again from the",
            "  handler's cleanup), are compiler-specific, so those files use `match: contains` with",
            "  the first event of each line / call, and `absent` for what must not come.",
            ""]
    return "\n".join(out)


def write(files, out):
    if os.path.isdir(out):
        for dirpath, _, names in os.walk(out):
            for n in names:
                if n.endswith(".yaml") or n == "README.md":
                    os.remove(os.path.join(dirpath, n))
    for rel, text in sorted(files.items()):
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    # drop family folders left empty
    if os.path.isdir(out):
        for d in sorted(os.listdir(out)):
            p = os.path.join(out, d)
            if os.path.isdir(p) and not os.listdir(p):
                os.rmdir(p)


def tree(root):
    out = set()
    for dirpath, _, names in os.walk(root):
        for n in names:
            out.add(os.path.relpath(os.path.join(dirpath, n), root))
    return out


def check(files, committed):
    tmp = tempfile.mkdtemp(prefix="monsim-families-")
    try:
        write(files, tmp)
        a, b = tree(tmp), tree(committed) if os.path.isdir(committed) else set()
        problems = ["missing in %s: %s" % (OUT_REL, p) for p in sorted(a - b)]
        problems += ["not generated (stale): %s" % os.path.join(OUT_REL, p) for p in sorted(b - a)]
        for p in sorted(a & b):
            if not filecmp.cmp(os.path.join(tmp, p), os.path.join(committed, p), shallow=False):
                problems.append("differs: %s" % os.path.join(OUT_REL, p))
        for p in problems:
            print("families: " + p, file=sys.stderr)
        if problems:
            print("families: %d problem(s); run python3 spec/gen/families.py and commit the result"
                  % len(problems), file=sys.stderr)
            return 1
        print("families: %d files reproduced byte for byte" % len(a))
        return 0
    finally:
        shutil.rmtree(tmp)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=ROOT, help="the monsim checkout (default: this script's)")
    ap.add_argument("--out", help="output folder (default: ROOT/%s)" % OUT_REL)
    ap.add_argument("--check", action="store_true",
                    help="generate into a temporary folder and compare with the committed files")
    a = ap.parse_args(argv)
    files = generate(Spec(a.root))
    files["README.md"] = readme(files)
    committed = os.path.join(a.root, OUT_REL)
    if a.check:
        return check(files, a.out or committed)
    out = a.out or committed
    write(files, out)
    counts = {}
    for rel in files:
        if rel.endswith(".yaml"):
            counts[rel.split(os.sep)[0]] = counts.get(rel.split(os.sep)[0], 0) + 1
    print("families: %d scenarios in %s (%s)" % (
        sum(counts.values()), out, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
