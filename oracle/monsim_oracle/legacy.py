"""The legacy hooks (behaviour §12): trace and profile functions, recorded.

Every trace or profile function a run installs is a TraceWrapper: the scenario's
declared ones (`trace_functions`, clauses like callbacks) and the program's own,
installed through the sys.settrace / sys.setprofile shims. A wrapper records each
call (hook, event, frame, argument, what came back) as a `legacy` record in the
same stream as the probe's events and the tools' deliveries, so their relative
order is kept. Installing a hook or setting a frame's trace attributes is an `api`
record (fn settrace, setprofile, f_trace, f_trace_lines, f_trace_opcodes).
Frames of the harness itself are never traced: a wrapper returns None for them.
"""
import sys

from . import HARNESS_FILES, _here
from .recorder import REAL_API, REAL_HOOKS, ScenarioError, _Clause

HARNESS_FILES.add(_here())

_getframe = sys._getframe


class _TraceClause(_Clause):
    __slots__ = ("events",)

    def __init__(self, c, path):
        _Clause.__init__(self, c, path)
        ev = (c.get("when") or {}).get("events")
        self.events = None if ev is None else frozenset(ev)


class TraceWrapper:
    """The callable CPython calls as a trace or profile function.

    A declared wrapper acts by its clauses; a program wrapper calls the program's
    function and wraps what it returns, so later calls are recorded too.
    """

    __slots__ = ("hooks", "hook", "label", "clauses", "func", "n", "fn")

    def __init__(self, hooks, hook, label, clauses=None, func=None):
        self.hooks = hooks
        self.hook = hook
        self.label = label
        self.clauses = clauses
        self.func = func
        self.n = 0
        # What the interpreter is given: a plain function, as CPython accepts any
        # callable but Brython only functions (as a global or a local trace function).
        call = self.__call__

        def fn(frame, event, arg):
            return call(frame, event, arg)
        fn._monsim_wrapper = self
        self.fn = fn

    def __call__(self, frame, event, arg):
        code = frame.f_code
        if code.co_filename in HARNESS_FILES:
            return None
        hooks = self.hooks
        rec = hooks.rec
        self.n += 1
        try:
            d = hooks.record(self, frame, event, arg)
            if self.func is not None:
                return handed(hooks.call_program(self, d, frame, event, arg))
            clause = None
            for c in self.clauses:
                if (c.events is None or event in c.events) and c.matches(
                        self.n, code, d["code"], d.get("offset"), d.get("line")):
                    clause = c
                    break
            if clause is None:
                d["returned"] = rec.norm.value(None)
                return None
            exc, result = rec.act(clause, d, frame)
        except ScenarioError as x:
            rec.failures.append({"phase": "run", "path": x.path, "message": x.message})
            return None
        except _ProgramRaised as x:
            raise x.exc
        except BaseException as x:
            rec.callback_failed("%s function %s" % (self.hook, self.label), x)
            return None
        if clause.raise_ is not None:
            d["raised"] = rec.norm.exc(exc)
            raise exc
        d["returned"] = rec.norm.value(result)
        return handed(result)


def handed(f):
    """What the interpreter gets for f: a wrapper's plain function."""
    return f.fn if type(f) is TraceWrapper else f


def taken(f):
    """The wrapper behind a function the interpreter gives back, else f."""
    return getattr(f, "_monsim_wrapper", f) if type(f) is _FUNCTION else f


_FUNCTION = type(handed)


class _ProgramRaised(Exception):
    def __init__(self, exc):
        Exception.__init__(self)
        self.exc = exc


class Hooks:
    """The run's trace and profile wrappers and the sys.settrace/setprofile shims."""

    def __init__(self, rec, declared):
        self.rec = rec
        self.declared_specs = declared
        self.wrappers = {}  # (name or id(func), hook) -> TraceWrapper
        self.keep = []      # program functions wrapped (their ids stay valid)
        rec.norm.special[TraceWrapper] = lambda w: {"type": "trace_function",
                                                    "repr": "<%s>" % w.label}
        self.saved = None

    # -- wrappers ------------------------------------------------------------

    def declared(self, name, hook, path):
        key = (name, hook)
        w = self.wrappers.get(key)
        if w is None:
            spec = self.declared_specs.get(name)
            if spec is None:
                raise ScenarioError(path, "no trace function %r" % name)
            items = spec if isinstance(spec, list) else [spec]
            clauses = [_TraceClause(c, "scenario.trace_functions.%s[%d]" % (name, i))
                       for i, c in enumerate(items)]
            w = self.wrappers[key] = TraceWrapper(self, hook, "%s:%s" % (hook, name), clauses)
        return w

    def program(self, func, hook):
        func = taken(func)
        if isinstance(func, TraceWrapper):
            return func
        key = (id(func), hook)
        w = self.wrappers.get(key)
        if w is None:
            self.keep.append(func)
            label = "%s:<%s>" % (hook, getattr(func, "__qualname__", type(func).__name__))
            w = self.wrappers[key] = TraceWrapper(self, hook, label, func=func)
        return w

    def record(self, w, frame, event, arg):
        rec = self.rec
        code = frame.f_code
        e = rec.codes.info.get(id(code)) or rec.codes.learn(code)
        d = {"kind": "legacy", "hook": w.hook, "event": event, "code": e[0],
             "offset": frame.f_lasti, "line": frame.f_lineno, "depth": _depth(frame),
             "n": w.n, "callback": w.label}
        value = rec.norm.value
        if event == "exception" and type(arg) is tuple and len(arg) == 3:
            d["exc"] = rec.norm.exc(arg[1])
            d["traceback"] = arg[2] is not None
        elif event.startswith("c_"):
            d["callable"] = value(arg)
        elif event == "return":
            d["value"] = value(arg)
        elif arg is not None:
            d["arg"] = value(arg)
        rec.add(d)
        return d

    def call_program(self, w, d, frame, event, arg):
        rec = self.rec
        rec.active.append(d)
        try:
            r = w.func(frame, event, arg)
        except BaseException as x:
            d["raised"] = rec.norm.exc(x)
            raise _ProgramRaised(x)
        finally:
            rec.active.pop()
        if r is w.func:
            r = w
        elif r is not None and callable(r):
            r = self.program(r, "trace")
        d["returned"] = rec.norm.value(r)
        return r

    # -- installing ------------------------------------------------------------

    def install(self, hook, w, by, frame=None):
        """sys.settrace / sys.setprofile for real, recorded as an api record."""
        rec = self.rec
        fn = "set" + hook
        d = {"kind": "api", "by": by, "fn": fn, "args": [rec.norm.value(w)]}
        if frame is not None:
            d["code"] = rec.codes.learn(frame.f_code)[0]
            d["line"] = frame.f_lineno
        rec.add(d)
        REAL_HOOKS[fn](handed(w))
        d["result"] = rec.norm.value(None)
        d["value"] = None

    def set_frame(self, attr, value, by):
        rec = self.rec
        if not rec.frames or rec.frames[-1] is None:
            raise ScenarioError("frame", "a frame action needs the traced frame: use it "
                                "in a trace function or a callback (not for a C-API event)")
        d = {"kind": "api", "by": by, "fn": attr, "args": [rec.norm.value(value)]}
        rec.add(d)
        setattr(rec.frames[-1], attr, handed(value))
        d["result"] = rec.norm.value(None)
        d["value"] = None

    def shims(self):
        """Installs the program-facing sys.settrace/setprofile/gettrace/getprofile."""
        hooks = self

        def settrace(func):
            hooks.install("trace", None if func is None else hooks.program(func, "trace"),
                          "program", _getframe(1))

        def setprofile(func):
            hooks.install("profile", None if func is None else hooks.program(func, "profile"),
                          "program", _getframe(1))

        def unwrap(w):
            w = taken(w)
            return w.func if isinstance(w, TraceWrapper) and w.func is not None else w

        def gettrace():
            return unwrap(REAL_HOOKS["gettrace"]())

        def getprofile():
            return unwrap(REAL_HOOKS["getprofile"]())

        # Only the hooks the interpreter has: a missing one stays missing (Brython
        # has no setprofile), so the program sees what it would without us.
        self.saved = {n: getattr(sys, n) for n in REAL_HOOKS}
        shims = {"settrace": settrace, "setprofile": setprofile,
                 "gettrace": gettrace, "getprofile": getprofile}
        for n in self.saved:
            setattr(sys, n, shims[n])

    def restore(self):
        if self.saved:
            for n, f in self.saved.items():
                setattr(sys, n, f)
            self.saved = None


def _noop(frame, event, arg):
    return None


def opcode_trace_sticky():
    """Whether settrace() already adds INSTRUCTION to tool 7's global events: 3.12
    does once any frame of the process has had f_trace_opcodes set (behaviour §12.5),
    which no teardown can undo, so each run says whether it starts that way."""
    all_events = REAL_API.get("_all_events")
    if all_events is None:
        return False
    REAL_HOOKS["settrace"](_noop)
    try:
        ae = all_events()
    finally:
        REAL_HOOKS["settrace"](None)
    return bool(ae.get("INSTRUCTION", 0) & (1 << 7))


def _depth(f):
    d = 0
    while f is not None and f.f_code.co_filename not in HARNESS_FILES:
        d += 1
        f = f.f_back
    return d

