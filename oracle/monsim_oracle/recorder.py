"""The trace of one run: probe events, deliveries to scenario tools, API calls.

Three kinds of callables end up registered with sys.monitoring:
  * probe callbacks (one per event): passive, never raise, never DISABLE in the
    scenario's code;
  * delivery wrappers around declarative handlers and around callables the
    program registers itself: they record the delivery and what came back;
  * none else: every register_callback made by a step, a handler action or
    the program goes through Recorder.api, which wraps the callable and maps
    the wrapper back when register_callback returns a previous callable.
Events whose code object belongs to the harness (HARNESS_FILES) are ignored by
all of them: they come from the step runner and the API shims, not from the
scenario. They return DISABLE there where the event allows it (events.SITE_EVENTS),
so the harness's sites stop calling them until the teardown's restart_events. Events fired through the monitoring C API (capi.py) carry a code-like
object instead of a code object: never harness, no co_lines, no frame of their own.
"""
import dis
import os
import sys
from itertools import count as _count

from . import HARNESS_FILES, _here
from . import capi, frames
from .events import BY_BIT, MONITORING, SHAPE, SITE_EVENTS
from .normalise import DISABLE, NONE, CodeTable, Normaliser, qualname

HARNESS_FILES.add(_here())
HARNESS_FILES.add(frames.program_getframe.__code__.co_filename)  # standalone module

mon = MONITORING  # None: legacy hooks only (PyPy 3.9, a partial sys.monitoring)
_getframe = sys._getframe
API_NAMES = ("use_tool_id", "free_tool_id", "clear_tool_id", "get_tool", "get_events",
             "set_events", "get_local_events", "set_local_events", "register_callback",
             "restart_events", "_all_events")
# The real functions, captured before any shim can be installed.
REAL_API = {n: getattr(mon, n) for n in API_NAMES if callable(getattr(mon, n, None))}
# The legacy hooks, likewise (behaviour §12).
REAL_HOOKS = {n: getattr(sys, n) for n in ("settrace", "setprofile", "gettrace", "getprofile")
              if callable(getattr(sys, n, None))}  # Brython: no setprofile
_NO_ARG = object()  # an argument the C API's C_RETURN / C_RAISE do not pass
_CODE = type(_here.__code__)
# The fields a compact event record has after [event, code, offset, line, depth].
_COMPACT_FIELDS = {"off": (), "line": (), "value": ("value",), "exc": ("exc",),
                   "call": ("callable", "arg0"), "dest": ("dest",)}
# Its shape numbers in the C probe (capi_ext/probe.c), which MONSIM_C_PROBE=0 turns off
# (the tests compare the two).
_C_SHAPE = {"off": 0, "line": 1, "dest": 2, "value": 3, "exc": 3, "call": 4}
_C_PROBE = os.environ.get("MONSIM_C_PROBE", "1") != "0"
_ARITY = {"off": 1, "value": 2, "exc": 2, "call": 3, "dest": 2}  # callback arguments after the code



_CALL_OR_SEND = frozenset(op for op in map(getattr(dis, "opmap", {}).get, ("CALL", "SEND")) if op)


def _by_athrow(f):
    """A GeneratorExit thrown into an async generator's frame `f`: True when it comes
    from aclose()/athrow() (the caller is at a CALL of the awaitable's send/throw, or
    awaits it at a SEND), False when the generator is being finalised (its close(),
    which may skip the throw, behaviour §3.8.3)."""
    c = f.f_back
    if c is None or c.f_lasti < 0:
        return False
    return c.f_code.co_code[c.f_lasti] in _CALL_OR_SEND

class ScenarioError(Exception):
    """The scenario is wrong (not the interpreter): reported as `errored`."""

    def __init__(self, path, message):
        super().__init__(path, message)
        self.path = path
        self.message = message


def _harness_return(name):
    """What a callback for event `name` returns in the harness's own code: DISABLE where
    the event allows it (the site stops calling until restart_events), else None."""
    return DISABLE if name in SITE_EVENTS else None


class Handler:
    """A declarative callback: clauses tried in order, the first match acts."""

    __slots__ = ("label", "clauses", "path")

    def __init__(self, label, spec, path):
        self.label = label
        self.path = path
        items = spec if isinstance(spec, list) else [spec]
        self.clauses = [_Clause(c, "%s[%d]" % (path, i) if isinstance(spec, list) else path)
                        for i, c in enumerate(items)]


class _Clause:
    __slots__ = ("nth", "from_nth", "functions", "lines", "offsets", "actions", "ret", "raise_", "path")

    def __init__(self, c, path):
        w = c.get("when") or {}
        as_set = lambda v: None if v is None else frozenset(v if isinstance(v, list) else [v])
        self.nth = as_set(w.get("nth"))
        self.from_nth = w.get("from_nth")
        self.functions = as_set(w.get("functions"))
        self.lines = as_set(w.get("lines"))
        self.offsets = as_set(w.get("offsets"))
        self.actions = c.get("actions") or ()
        self.ret = c.get("return")
        self.raise_ = c.get("raise")
        self.path = path

    def matches(self, n, code, cid, offset, line):
        return ((self.nth is None or n in self.nth)
                and (self.from_nth is None or n >= self.from_nth)
                and (self.functions is None or cid in self.functions
                     # a code-like's qualname is its scenario name (codes table)
                     or (qualname(code) if type(code) is _CODE else cid[5:]) in self.functions)
                and (self.lines is None or line in self.lines)
                and (self.offsets is None or offset in self.offsets))


class ApiShim:
    """Stands in for a sys.monitoring function while a run is in progress.

    A callable instance rather than a function: calling it from monitored
    code gives CALL + C_RETURN/C_RAISE at the call site exactly as the builtin
    does (behaviour §3.3); the events of __call__'s own frame are harness
    events and are filtered out.
    """

    __slots__ = ("name", "rec")

    def __init__(self, name, rec):
        self.name = name
        self.rec = rec

    def __call__(self, *args, **kwargs):
        return self.rec.api(self.name, args, kwargs, "program", _getframe(1))


class Recorder:
    def __init__(self, program_file, opts):
        self.records = []
        self.codes = CodeTable(program_file)
        self.norm = Normaliser(self.codes, opts["repr_limit"])
        self.norm.special[ApiShim] = lambda s: self.norm.value(REAL_API.get(s.name))
        self.norm.special[Handler] = lambda h: {"type": "handler", "repr": "<%s>" % h.label}
        self.limit = opts["max_records"]
        self.stack = opts["stack"]
        self.compact = opts["compact_events"]  # PROTOCOL §4.5
        self.compact_events = []  # [name, field...] per compact event number
        self.compact_values = []  # values compact records name by index (the C probe's)
        self.probe = None      # the probe's tool id once it is running
        self.truncated = False
        self.active = []       # delivery records whose callback is running
        self.frames = []       # the monitored frame of each running callback (frame actions)
        self.frame_ids = {}    # id(live generator frame) -> its number in this run
        self.frame_count = 0
        self.wrapped = {}      # id(wrapper) -> (wrapper, original)
        self.touched = {}      # id(code) -> code given to set_local_events
        self.failures = []     # oracle-internal problems seen inside callbacks
        # Set by the runner, which owns the program namespace:
        self.perform = None         # perform(action, by, path) -> value
        self.resolve = None         # resolve(literal, path) -> object
        self.make_exception = None  # make_exception({type, args}, path) -> instance

    # -- records ---------------------------------------------------------

    def add(self, d):
        if self.active:
            self.active[-1].setdefault("calls", []).append(d)
        elif len(self.records) < self.limit:
            self.records.append(d)
        else:
            self.truncated = True

    def filler(self, shape):
        """fill(d, args, lines, frame): the event-specific fields of a record.

        Arguments not of the documented shape (C-API events can carry
        anything) are kept whole, normalised, as "args".
        """
        value = self.norm.value

        def other(d, args):
            d["args"] = [value(a) for a in args]

        if shape == "line":
            def fill(d, args, lines, frame):
                if len(args) != 1:
                    return other(d, args)
                d["offset"] = frame.f_lasti
                d["line"] = args[0]
        elif shape == "off":
            def fill(d, args, lines, frame):
                if len(args) != 1 or type(args[0]) is not int:
                    return other(d, args)
                off = d["offset"] = args[0]
                d["line"] = lines[off >> 1] if 0 <= off >> 1 < len(lines) else None  # a raising JUMP callback can pass a garbage offset
        elif shape in ("value", "exc"):
            def fill(d, args, lines, frame):
                if len(args) != 2 or type(args[0]) is not int:
                    return other(d, args)
                off = d["offset"] = args[0]
                d["line"] = lines[off >> 1] if 0 <= off >> 1 < len(lines) else None  # a raising JUMP callback can pass a garbage offset
                d[shape] = value(args[1])
        elif shape == "call":
            def fill(d, args, lines, frame):
                if len(args) != 3 or type(args[0]) is not int:
                    return other(d, args)
                off = d["offset"] = args[0]
                d["line"] = lines[off >> 1] if 0 <= off >> 1 < len(lines) else None  # a raising JUMP callback can pass a garbage offset
                d["callable"] = value(args[1])
                d["arg0"] = value(args[2])
        elif shape == "dest":
            def fill(d, args, lines, frame):
                if len(args) != 2 or type(args[0]) is not int or type(args[1]) is not int:
                    return other(d, args)
                off = d["offset"] = args[0]
                d["line"] = lines[off >> 1] if 0 <= off >> 1 < len(lines) else None  # a raising JUMP callback can pass a garbage offset
                d["dest"] = args[1]
        else:
            def fill(d, args, lines, frame):
                other(d, args)
        return fill

    def codelike_fields(self, d, shape, code, args):
        """`code` and the event fields of a record for an event fired through the C API
        on a code-like object: no co_lines to read and no frame of its own, so `offset`
        is the offset argument (LINE: null) and `line` LINE's argument (else null)."""
        got = self.norm.codelikes.get(id(code))
        if got is not None and got[0] is code:
            d["code"] = got[1]
        else:
            d["code"] = "capi:?"
            d["codelike_type"] = type(code).__qualname__
            self.codes.add_capi("capi:?", "?")
        value = self.norm.value
        n = len(args)
        if shape == "line" and n == 1 and type(args[0]) is int:
            d["offset"] = None
            d["line"] = args[0]
        elif shape == "call" and n == 2 and type(args[0]) is int \
                and d.get("event") in ("C_RETURN", "C_RAISE"):
            # The C API's C_RETURN / C_RAISE pass (offset, retval / exception), not
            # (offset, callable, arg0).
            d["offset"] = args[0]
            d["line"] = None
            d["value" if d["event"] == "C_RETURN" else "exc"] = value(args[1])
        elif n == _ARITY.get(shape) and type(args[0]) is int and (shape != "dest" or type(args[1]) is int):
            d["offset"] = args[0]
            d["line"] = None
            if shape in ("value", "exc"):
                d[shape] = value(args[1])
            elif shape == "call":
                d["callable"] = value(args[1])
                d["arg0"] = value(args[2])
            elif shape == "dest":
                d["dest"] = args[1]
        else:
            d["args"] = [value(a) for a in args]

    # -- the passive probe -------------------------------------------------

    def probe_callback(self, name):
        """Callback for one event of the probe tool. Returns None, always."""
        shape = SHAPE.get(name, "generic")
        records = self.records
        append = records.append
        info = self.codes.info
        learn = self.codes.learn
        value = self.norm.value
        hf = HARNESS_FILES
        limit = self.limit
        active = self.active
        rec = self

        stack_on = self.stack
        # Entry/exit events of a generator or coroutine carry its frame's identity, so
        # a resumed frame is told apart from another suspended frame of the same code
        # (the trace state a generator keeps across a yield, behaviour §12.4).
        keyed = name in ("PY_START", "PY_RESUME", "PY_THROW", "PY_YIELD", "PY_RETURN", "PY_UNWIND")
        frame_ids = self.frame_ids
        starts = name == "PY_START" or name == "PY_THROW"
        ends = name == "PY_RETURN" or name == "PY_UNWIND"

        def frame_number(f, off):
            """Numbers in order of the frames' starts, so a second run records the same:
            a frame starts at PY_START (or a throw into a generator that never ran, at
            offset 0), and its number is forgotten when it returns or unwinds, as its id
            may then be reused."""
            k = id(f)
            n = frame_ids.get(k) if not (starts and (name == "PY_START" or off == 0)) else None
            if n is None:
                rec.frame_count += 1
                n = frame_ids[k] = rec.frame_count
            if ends:
                del frame_ids[k]
            return n

        def frame_depth(f):
            d = 0
            while f is not None and f.f_code.co_filename not in hf:
                d += 1
                f = f.f_back
            return d

        def stack_of(f):
            ids = []
            while f is not None and f.f_code.co_filename not in hf:
                ids.append((info.get(id(f.f_code)) or learn(f.f_code))[0])
                f = f.f_back
            ids.reverse()
            return ids

        def put(d):
            """Appends a record: nested when made inside a callback (only events fired
            through the C API reach the probe there), else at top level up to the limit."""
            if active:
                active[-1].setdefault("calls", []).append(d)
            elif len(records) < limit:
                append(d)
            else:
                rec.truncated = True
                return None
            return d

        def emit(code, off, f, line=None):
            """Appends the common part of a probe record; None when filtered."""
            if code.co_filename in hf:
                return None
            if not active and len(records) >= limit:
                rec.truncated = True
                return None
            e = info.get(id(code)) or learn(code)
            if line is None:
                ls = e[1]
                line = ls[off >> 1] if 0 <= off >> 1 < len(ls) else None
            d = {"kind": "event", "event": name, "code": e[0], "offset": off,
                 "line": line, "depth": frame_depth(f)}
            if keyed and code.co_flags & 0x2a0:  # CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR
                d["frame"] = frame_number(f, off)
            if stack_on:
                d["stack"] = stack_of(f)
            return put(d)

        def emit_codelike(code, args, f):
            """A C-API event on a code-like object: the stack is the Python one below it."""
            d = {"kind": "event", "event": name}
            rec.codelike_fields(d, shape, code, args)
            d["depth"] = frame_depth(f)
            if stack_on:
                d["stack"] = stack_of(f)
            put(d)

        # One closure per callback shape (no *args): this is the hot path. Each `full`
        # takes the monitored frame, so the compact callbacks below can hand it on.
        if shape == "off":
            def full(code, off, f):
                try:
                    if type(code) is not _CODE:
                        return emit_codelike(code, (off,), f)
                    emit(code, off, f)
                except BaseException as x:
                    rec.probe_failed(name, x)
        elif shape == "line":
            def full(code, line, f):
                try:
                    if type(code) is not _CODE:
                        return emit_codelike(code, (line,), f)
                    emit(code, f.f_lasti, f, line)
                except BaseException as x:
                    rec.probe_failed(name, x)
        elif shape in ("value", "exc"):
            key = shape
            throw = name == "PY_THROW"

            def full(code, off, v, f):
                try:
                    if type(code) is not _CODE:
                        return emit_codelike(code, (off, v), f)
                    d = emit(code, off, f)
                    if d is not None:
                        d[key] = value(v)
                        if throw and code.co_flags & 0x200 and type(v) is GeneratorExit:
                            d["athrow"] = _by_athrow(f)
                except BaseException as x:
                    rec.probe_failed(name, x)
        elif shape == "call":
            method = type(rec.probe_callback)

            def full(code, off, func, arg0, f):
                try:
                    if type(code) is not _CODE:  # C_RETURN/C_RAISE by the C API: 3 args
                        args = (off, func) if arg0 is _NO_ARG else (off, func, arg0)
                        return emit_codelike(code, args, f)
                    d = emit(code, off, f)
                    if d is not None:
                        d["callable"] = value(func)
                        d["arg0"] = value(arg0)
                        if type(func) is method:  # what a profile function sees of it
                            d["method_of"] = type(func.__func__).__name__
                except BaseException as x:
                    rec.probe_failed(name, x)
        elif shape == "dest":
            def full(code, off, dest, f):
                try:
                    if type(code) is not _CODE:
                        return emit_codelike(code, (off, dest), f)
                    d = emit(code, off, f)
                    if d is not None:
                        d["dest"] = dest
                except BaseException as x:
                    rec.probe_failed(name, x)
        else:
            fill = self.filler(shape)

            def cb(code, *args):
                try:
                    if type(code) is not _CODE:
                        return emit_codelike(code, args, _getframe(1))
                    if code.co_filename in hf:
                        return
                    if not active and len(records) >= limit:
                        rec.truncated = True
                        return
                    e = info.get(id(code)) or learn(code)
                    d = {"kind": "event", "event": name, "code": e[0]}
                    fill(d, args, e[1], _getframe(1))
                    d["depth"] = frame_depth(_getframe(1))
                    if stack_on:
                        d["stack"] = stack_of(_getframe(1))
                    put(d)
                except BaseException as x:
                    rec.probe_failed(name, x)
            return cb
        if self.compact and not stack_on:
            return self._compact_probe_callback(name, shape, full, frame_depth)
        if shape == "call":
            def cb(code, off, func, arg0=_NO_ARG):
                full(code, off, func, arg0, _getframe(1))
        elif shape in ("off", "line"):
            def cb(code, a):
                full(code, a, _getframe(1))
        else:
            def cb(code, a, b):
                full(code, a, b, _getframe(1))
        return cb

    def _compact_probe_callback(self, name, shape, full, frame_depth):
        """The probe's callback with compact event records (options.compact_events,
        PROTOCOL §4.5): a top-level event with only the common fields and its shape's
        becomes a tuple; any other (a code-like's, one inside a callback, a generator's
        entry or exit, a bound method's CALL, a PY_THROW into an async generator, one
        past max_records) goes to `full`, which makes the record as without the option."""
        ev = len(self.compact_events)
        self.compact_events.append([name] + list(_COMPACT_FIELDS[shape]))
        append = self.records.append
        records = self.records
        info = self.codes.info
        learn = self.codes.learn
        value = self.norm.value
        hf = HARNESS_FILES
        limit = self.limit
        active = self.active
        rec = self
        quiet = _harness_return(name)
        # Entry/exit of a generator or coroutine carries its frame's number (emit).
        keyed = 0x2a0 if name in ("PY_START", "PY_RESUME", "PY_THROW", "PY_YIELD",
                                  "PY_RETURN", "PY_UNWIND") else 0
        if shape == "off":
            def cb(code, off):
                f = _getframe(1)
                if type(code) is _CODE and code.co_filename in hf:
                    return quiet
                if type(code) is not _CODE or active or code.co_flags & keyed \
                        or len(records) >= limit:
                    return full(code, off, f)
                try:
                    e = info.get(id(code)) or learn(code)
                    ls = e[1]
                    append((ev, e[2], off, ls[off >> 1] if 0 <= off >> 1 < len(ls) else None,
                            frame_depth(f)))
                except BaseException as x:
                    rec.probe_failed(name, x)
        elif shape == "line":
            def cb(code, line):
                f = _getframe(1)
                if type(code) is _CODE and code.co_filename in hf:
                    return quiet
                if type(code) is not _CODE or active or len(records) >= limit:
                    return full(code, line, f)
                try:
                    e = info.get(id(code)) or learn(code)
                    append((ev, e[2], f.f_lasti, line, frame_depth(f)))
                except BaseException as x:
                    rec.probe_failed(name, x)
        elif shape in ("value", "exc"):
            throw = name == "PY_THROW"

            def cb(code, off, v):
                f = _getframe(1)
                if type(code) is _CODE and code.co_filename in hf:
                    return quiet
                if type(code) is not _CODE or active or code.co_flags & keyed \
                        or len(records) >= limit \
                        or (throw and code.co_flags & 0x200 and type(v) is GeneratorExit):
                    return full(code, off, v, f)
                try:
                    e = info.get(id(code)) or learn(code)
                    ls = e[1]
                    append((ev, e[2], off, ls[off >> 1] if 0 <= off >> 1 < len(ls) else None,
                            frame_depth(f), value(v)))
                except BaseException as x:
                    rec.probe_failed(name, x)
        elif shape == "call":
            method = type(rec.probe_callback)

            def cb(code, off, func, arg0=_NO_ARG):
                f = _getframe(1)
                if type(code) is _CODE and code.co_filename in hf:
                    return quiet
                if type(code) is not _CODE or active or type(func) is method \
                        or len(records) >= limit:
                    return full(code, off, func, arg0, f)
                try:
                    e = info.get(id(code)) or learn(code)
                    ls = e[1]
                    append((ev, e[2], off, ls[off >> 1] if 0 <= off >> 1 < len(ls) else None,
                            frame_depth(f), value(func), value(arg0)))
                except BaseException as x:
                    rec.probe_failed(name, x)
        else:  # dest
            def cb(code, off, dest):
                f = _getframe(1)
                if type(code) is _CODE and code.co_filename in hf:
                    return quiet
                if type(code) is not _CODE or active or len(records) >= limit:
                    return full(code, off, dest, f)
                try:
                    e = info.get(id(code)) or learn(code)
                    ls = e[1]
                    append((ev, e[2], off, ls[off >> 1] if 0 <= off >> 1 < len(ls) else None,
                            frame_depth(f), dest))
                except BaseException as x:
                    rec.probe_failed(name, x)
        # The same fast path in C where the extension loads (no Python frame per event);
        # everything else it hands to `cb`.
        ext = capi.extension() if _C_PROBE else None
        if ext is None or not hasattr(ext, "Probe"):
            return cb
        return ext.Probe(cb, ev, _C_SHAPE[shape], keyed, name == "PY_THROW", records, active,
                         hf, limit, lambda c: info.get(id(c)) or learn(c), value,
                         self.norm.limit, lambda x: rec.probe_failed(name, x),
                         type(rec.probe_callback), True, self.compact_values, quiet)

    def seal(self):
        """After the run's last record: the C probe's records, JSON texts, joined into
        one text per run of them (what the reply does anyway), so the teardown's full
        collections walk a few items instead of one per event."""
        ext = capi.extension() if _C_PROBE and self.compact else None
        if ext is not None and hasattr(ext, "join_texts"):
            ext.join_texts(self.records)

    def probe_failed(self, name, x):
        self.callback_failed("probe %s callback" % name, x)

    def callback_failed(self, where, x):
        msg = "%s: %s" % (type(x).__name__, x)
        if isinstance(x, RecursionError):
            msg += " (the program ran at the recursion limit, which the oracle's callbacks need room above)"
        self.failures.append({"phase": "run", "where": where, "message": msg})

    # -- deliveries to scenario tools -------------------------------------

    def wrap(self, tool, event, func):
        """The callable actually registered for `func` on (tool, event)."""
        name = BY_BIT.get(event, "?") if type(event) is int else "?"
        if isinstance(func, Handler):
            w = self._handler_callback(tool, name, func)
        else:
            w = self._program_callback(tool, name, func)
        self.wrapped[id(w)] = (w, func)
        return w

    def unwrap(self, f):
        got = self.wrapped.get(id(f))
        return got[1] if got is not None and got[0] is f else f

    def _delivery_maker(self, tool, name, label):
        """new(code, args, n, frame) -> a delivery record, already added to the trace."""
        shape = SHAPE.get(name, "generic")
        fill = self.filler(shape)
        info = self.codes.info
        learn = self.codes.learn
        records = self.records
        active = self.active
        limit = self.limit
        rec = self

        def new(code, args, n, frame):
            d = {"kind": "delivery", "tool": tool, "event": name}
            if type(code) is _CODE:
                e = info.get(id(code)) or learn(code)
                d["code"] = e[0]
                fill(d, args, e[1], frame)
            else:
                rec.codelike_fields(d, shape, code, args)
            d["n"] = n
            d["callback"] = label
            if active:
                active[-1].setdefault("calls", []).append(d)
            elif len(records) < limit:
                records.append(d)
            else:
                rec.truncated = True
            return d
        return new

    def _handler_callback(self, tool, name, handler):
        hf = HARNESS_FILES
        rec = self
        clauses = handler.clauses
        label = handler.label
        shape = SHAPE.get(name, "generic")
        fill = self.filler(shape)
        info = self.codes.info
        learn = self.codes.learn
        records = self.records
        append = records.append
        active = self.active
        limit = self.limit
        # A counter, not `nonlocal n`: Brython fails to compile this function with it.
        count = _count(1).__next__

        quiet = _harness_return(name)

        def cb(code, *args):
            real = type(code) is _CODE  # else a code-like object: an event fired through the C API
            if real and code.co_filename in hf:
                return quiet
            n = count()
            try:
                # Inlined _delivery_maker: this is the hot path of recording tools.
                d = {"kind": "delivery", "tool": tool, "event": name}
                if real:
                    e = info.get(id(code)) or learn(code)
                    d["code"] = e[0]
                    fill(d, args, e[1], _getframe(1))
                else:
                    rec.codelike_fields(d, shape, code, args)
                d["n"] = n
                d["callback"] = label
                if active:
                    active[-1].setdefault("calls", []).append(d)
                elif len(records) < limit:
                    append(d)
                else:
                    rec.truncated = True
                if not clauses:
                    d["returned"] = NONE
                    return None
                clause = None
                for c in clauses:
                    if c.matches(n, code, d["code"], d.get("offset"), d.get("line")):
                        clause = c
                        break
                if clause is None:
                    d["returned"] = NONE
                    return None
                # A C-API event has no monitored frame (the caller is the harness's or the program's).
                exc, result = rec.act(clause, d, _getframe(1) if real else None)
            except ScenarioError as x:
                rec.failures.append({"phase": "run", "path": x.path, "message": x.message})
                return None
            except BaseException as x:
                rec.callback_failed("%s callback of tool %s" % (name, tool), x)
                return None
            if clause.raise_ is not None:
                d["raised"] = rec.norm.exc(exc)
                raise exc
            d["returned"] = rec.norm.value(result)
            return result
        return cb

    def act(self, clause, d, frame):
        """A matched clause: its actions (nested in record d, with `frame` the one frame
        actions act on), then (exception to raise, None) or (None, value to return)."""
        if clause.actions:
            self.active.append(d)
            self.frames.append(frame)
            try:
                for i, a in enumerate(clause.actions):
                    self.perform(a, "callback", "%s.actions[%d]" % (clause.path, i))
            finally:
                self.frames.pop()
                self.active.pop()
        if clause.raise_ is not None:
            return self.make_exception(clause.raise_, clause.path + ".raise"), None
        return None, self.resolve(clause.ret, clause.path + ".return")

    def _program_callback(self, tool, name, func):
        hf = HARNESS_FILES
        rec = self
        new = self._delivery_maker(tool, name, self.norm.value(func).get("repr", "?"))
        count = _count(1).__next__

        quiet = _harness_return(name)

        def cb(code, *args):
            if type(code) is _CODE and code.co_filename in hf:
                return quiet
            n = count()
            d = new(code, args, n, _getframe(1))
            rec.active.append(d)
            try:
                r = func(code, *args)
            except BaseException as x:
                d["raised"] = rec.norm.exc(x)
                raise
            finally:
                rec.active.pop()
            d["returned"] = rec.norm.value(r)
            return r
        frames.HIDDEN.add(cb.__code__)  # not the caller of `func` (frames.py)
        return cb

    # -- API calls -----------------------------------------------------------

    def capi_call(self, fn, args, call, by):
        """One monitoring C-API call (capi.py), recorded as an `api` record with the
        already normalised `args`. Added after the call: the deliveries a fire makes
        happen during it and are recorded first."""
        d = {"kind": "api", "by": by, "fn": fn, "args": args}
        try:
            r = call()
        except BaseException as x:
            d["raised"] = self.norm.exc(x, True)
            self.add(d)
            raise
        d["result"] = self.norm.value(r)
        ok, plain = self.norm.plain(r)
        if ok:
            d["value"] = plain
        self.add(d)
        return r

    def api(self, fn, args, kwargs, by, frame=None):
        """Calls sys.monitoring.<fn> for real and records the call and its outcome.
        Short: it is on the stack when set_events re-instruments the stack's code."""
        d, args = self._api_call(fn, args, kwargs, by, frame)
        try:
            real = REAL_API.get(fn)
            if real is None:
                real = getattr(mon, fn)  # raises the interpreter's own AttributeError
            r = real(*args, **kwargs) if kwargs else real(*args)
        except BaseException as x:
            d["raised"] = self.norm.exc(x, True)
            raise
        return self._api_result(fn, d, r)

    def _api_call(self, fn, args, kwargs, by, frame):
        """The api record, added; the arguments to call with."""
        d = {"kind": "api", "by": by, "fn": fn, "args": [self.norm.value(a) for a in args]}
        if kwargs:
            d["kwargs"] = {k: self.norm.value(v) for k, v in kwargs.items()}
        if frame is not None:
            d["code"] = self.codes.learn(frame.f_code)[0]
            d["line"] = frame.f_lineno
        self.add(d)
        if self.probe is not None and args and type(args[0]) in (int, bool) and args[0] == self.probe:
            # The probe's id was not free after all (an id computed at run time):
            # the call goes ahead, the run is reported errored.
            self.failures.append({"phase": "run", "where": "%s API call" % by,
                                  "message": "the scenario used tool %d, the probe's id: pin options.probe_tool "
                                             "to an id the scenario does not use" % self.probe})
        if fn == "register_callback" and len(args) >= 3 and args[2] is not None:
            args = args[:2] + (self.wrap(args[0], args[1], args[2]),) + args[3:]
        elif fn == "set_local_events" and len(args) >= 2 and type(args[1]) is _CODE:
            self.touched[id(args[1])] = args[1]
        return d, args

    def _api_result(self, fn, d, r):
        """What the call returned, recorded; the value the caller gets."""
        if fn == "register_callback":
            r = self.unwrap(r)
        if fn == "_all_events" and self.probe is not None and type(r) is dict:
            # Hide the probe: the program (and the trace) see what they would
            # see without it, so probe-on and probe-off runs stay comparable.
            mask = ~(1 << self.probe)
            r = {k: v & mask for k, v in r.items() if v & mask}
        d["result"] = self.norm.value(r)
        ok, plain = self.norm.plain(r)
        if ok:
            d["value"] = plain
        return r
