"""The programs: one per event. Each names the occurrences it produces, in order:
(step index, function, site, pattern fields). `f` is the target of local events; `g`
has the same event at a site of its own (local events on f do not reach it; a DISABLE
in f does not touch it)."""


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
        "PY_START for each of the three calls of f", "§3.1")
program("PY_RETURN", _SIMPLE, [call("f"), call("f"), call("f"), call("g")],
        {0: "f", 1: "f", 2: "f", 3: "g"},
        [Occ(0, "f", "f.return"), Occ(1, "f", "f.return"), Occ(2, "f", "f.return"),
         Occ(3, "g", "g.return")],
        "calling f three times and then g once",
        "PY_RETURN for each of the three returns of f and for the return of g",
        "PY_RETURN for each of the three returns of f", "§3.2")
program("PY_RESUME", _GEN, _GEN_STEPS, {1: [0, 1, 2], 3: ["g"]},
        [Occ(1, "f", "f.resume")] * 3 + [Occ(3, "g", "g.resume")],
        "running the generator f (one yield in a loop of three iterations) and then the generator g (one yield) to the end",
        "PY_RESUME for the three resumptions of f after its yield and for the one of g",
        "PY_RESUME for the three resumptions of f after its yield", "§3.1")
program("PY_YIELD", _GEN, _GEN_STEPS, {1: [0, 1, 2], 3: ["g"]},
        [Occ(1, "f", "f.yield")] * 3 + [Occ(3, "g", "g.yield")],
        "running the generator f (one yield in a loop of three iterations) and then the generator g (one yield) to the end",
        "PY_YIELD for the three yields of f and for the one of g",
        "PY_YIELD for the three yields of f", "§3.2")
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
        "CALL for each of the three len() calls in f", "§3.3")
program("LINE", _TWO_LINES, [call("f", 1), call("f", 2), call("f", 3), call("g", 4)],
        {0: 2, 1: 3, 2: 4, 3: 4},
        [o for i in range(3) for o in (Occ(i, "f", "f.L1", line="+1"),
                                       Occ(i, "f", "f.L2", line="+2"))]
        + [Occ(3, "g", "g.L1", line="+1")],
        "calling f (two lines) three times and then g (one line) once",
        "LINE for both lines of f on each call and for the line of g",
        "LINE for both lines of f on each call", "§3.5")
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
        "INSTRUCTION events for the instructions of both lines of f on each call", "§3.6",
        inexact="how many instructions a line has is bytecode-specific, so the expectation names the first instruction event of each line (match: contains); the model comparison accounts for every instruction")
program("JUMP", _LOOP, [call("f"), call("f"), call("g")], {0: 3, 1: 3, 2: 1},
        [Occ(i, "f", "f.back") for i in (0, 0, 0, 1, 1, 1)] + [Occ(2, "g", "g.back")],
        "calling f (a for loop of three iterations) twice and then g (one iteration) once",
        "JUMP for each backward jump of f's loop (three per call) and for the one of g",
        "JUMP for each backward jump of f's loop (three per call)", "§3.7")
program("BRANCH", _LOOP, [call("f"), call("f"), call("g")], {0: 3, 1: 3, 2: 1},
        [Occ(i, "f", "f.for") for i in (0,) * 4 + (1,) * 4] + [Occ(2, "g", "g.for")] * 2,
        "calling f (a for loop of three iterations) twice and then g (one iteration) once",
        "BRANCH for each step of f's loop (three next-item and one exhausted per call) and for the two of g",
        "BRANCH for each step of f's loop (three next-item and one exhausted per call)", "§3.7")
program("BRANCH_LEFT", _LOOP, [call("f"), call("f"), call("g")], {0: 3, 1: 3, 2: 1},
        [Occ(i, "f", "f.for.left") for i in (0, 0, 0, 1, 1, 1)] + [Occ(2, "g", "g.for.left")],
        "calling f (a for loop of three iterations) twice and then g (one iteration) once",
        "BRANCH_LEFT for each next item of f's loop (three per call) and for the one of g",
        "BRANCH_LEFT for each next item of f's loop (three per call)", "§3.7, §10.3")
program("BRANCH_RIGHT", _LOOP, [call("f"), call("f"), call("g")], {0: 3, 1: 3, 2: 1},
        [Occ(0, "f", "f.for.right"), Occ(1, "f", "f.for.right"), Occ(2, "g", "g.for.right")],
        "calling f (a for loop of three iterations) twice and then g (one iteration) once",
        "BRANCH_RIGHT for the exhaustion of f's loop on each call and for the one of g",
        "BRANCH_RIGHT for the exhaustion of f's loop on each call", "§3.7, §10.3")
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
        "STOP_ITERATION for each yield-from exhaustion in f (three)", "§3.8, §10.4")

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
        "RAISE for the KeyError of each call of f", "§3.8")
# A ValueError that replaces the KeyError on entry to f's handler (DISABLE refused)
# is itself reported entering that handler, to the tools still registered (§9.6).
program("EXCEPTION_HANDLED", _RAISE, [call("f"), call("f"), call("f"), call("g")], _RAISE_RESULTS,
        [Occ(i, "f", "f.handler", exc="KeyError") for i in range(3)]
        + [Occ(3, "g", "g.handler", exc="KeyError")],
        "calling f three times and then g once (each raises a KeyError and catches it)",
        "EXCEPTION_HANDLED for the KeyError caught by each call of f and of g",
        "EXCEPTION_HANDLED for the KeyError caught by each call of f", "§3.8",
        after_error=lambda o: [Occ(o.step, o.fn, o.site, exc="ValueError")],
        after_error_text="the ValueError is then reported entering the same handler (behaviour §9.6)")
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
        "PY_UNWIND for the KeyError leaving each call of f", "§3.8")
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
        "PY_THROW for each of the three throws into f", "§3.1, §3.8")
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
        "RERAISE for the KeyError re-raised at the end of the finally block on each call of f", "§3.8",
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
        "C_RETURN for each of the three len() calls in f", "§3.3")
program("C_RAISE", _C_CALLS.replace("{call}", 'x.pop("k")'),
        [call("f", {}), call("f", {}), call("f", {}), call("g", {})],
        {0: ["KeyError", "k"], 1: ["KeyError", "k"], 2: ["KeyError", "k"], 3: ["KeyError", "k"]},
        [Occ(i, "f", "f.pop", callable="pop") for i in range(3)]
        + [Occ(3, "g", "g.pop", callable="pop")],
        "calling f three times and then g once (each calls pop on an empty dict, which raises KeyError)",
        "C_RAISE for each of the three failing pop() calls in f and for the one in g",
        "C_RAISE for each of the three failing pop() calls in f", "§3.3")

# Event order of the families; the behaviour section (spec/BEHAVIOUR.md) of each event's firing sites
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
