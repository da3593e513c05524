"""One scenario run: isolate, compile, set up tools, probe, steps, tear down.

run() returns ("result", trace) or ("errored", context). Step kinds and
callback actions share one vocabulary and one handler per kind (_do_*).
"""
import builtins
import gc
import io
import platform
import re
import sys
import threading
import time
import types
import warnings

from . import HARNESS_FILES, _here
from . import capi, compiling, frames, isolation
from .events import BY_NAME, REAL, mask_of, probe_mask
from .legacy import Hooks, opcode_trace_sticky
from .recorder import REAL_API, ApiShim, Handler, Recorder, ScenarioError
from .scenario import API, actions_of, effective_options, validate_options, validate_scenario

HARNESS_FILES.add(_here())

mon = getattr(sys, "monitoring", None)  # None: legacy hooks only (PyPy 3.9)
_ID_CONSTS = {"DEBUGGER_ID": 0, "COVERAGE_ID": 1, "PROFILER_ID": 2, "OPTIMIZER_ID": 5}
_API_CALL = re.compile(r"\b(?:%s)\s*\(\s*(?:[A-Za-z_][\w.]*\.)?(\d+|%s)\b"
                       % ("|".join(API), "|".join(_ID_CONSTS)))
INTERPRETER = {
    "name": sys.implementation.name,
    "version": platform.python_version(),
    "hexversion": sys.hexversion,
    "platform": sys.platform,
}

# Code objects given to set_local_events by the previous run; the next run's
# isolation check re-reads their local events.
_last_touched = []

# Why the worker must not run another scenario (a thread the run started is still
# running: it would act in the next run); set by a run, taken by the protocol.
retire = []

# How long the teardown waits for the threads a run started to end.
THREAD_GRACE = 2.0


# Runs so far (run() makes a full collection every 64th).
_runs = [0]


def _collections():
    """Collections of any generation the interpreter made so far; None if it does not
    say (PyPy's and Brython's gc differ)."""
    try:
        return sum(s["collections"] for s in gc.get_stats())
    except Exception:
        return None


def _collect(generation):
    """gc.collect(generation), or a full collection where generations are not CPython's."""
    if sys.implementation.name != "cpython":
        generation = 2
    return gc.collect() if generation == 2 else gc.collect(generation)


# The last scenario validated, and its diagnostics: a fuzz case sends one scenario twice
# (with and without the probe), and an equal document has the same diagnostics.
_last_checked = [None, None]


def _diagnostics(doc, options):
    if _last_checked[0] is None or _last_checked[0] != doc:
        _last_checked[:] = [doc, validate_scenario(doc)]
    return _last_checked[1] + validate_options(options)


def run(doc, options=None, seq=0):
    """One run request: ("result", trace) or ("errored", context). Short, as
    _Run.execute is: it is on the stack while the scenario runs."""
    diags = _diagnostics(doc, options)
    if diags:
        return "errored", {"phase": "validate", "message": "invalid scenario or options",
                           "diagnostics": diags}
    opts = effective_options(options)
    gc_was_enabled = gc.isenabled()
    if not opts["gc"]:
        gc.disable()  # no collection (and no finalizer events) at arbitrary points
    try:
        return _isolated(doc, opts, seq)
    finally:
        _after_run(opts, gc_was_enabled)


def _isolated(doc, opts, seq):
    problems = isolation.leaks(_last_touched)
    if problems:
        isolation.scrub(_last_touched)
        return "errored", {"phase": "isolation", "scenario": doc["id"],
                           "message": "monitoring state left over before the run",
                           "leaks": problems}
    isolation.fresh_caches()
    return _Run(doc, opts, seq).execute()


def _after_run(opts, gc_was_enabled):
    if not opts["gc"]:
        # The finished run's own cycles: the two youngest generations hold all the
        # run made (the teardown's collection moved what survived it one up).
        # What survives this one (the reply) goes to the oldest, which only a full
        # collection walks: one run in 64 makes one, so nothing stays there long.
        # The others cost a third of a full one (which also empties the free
        # lists); worker_memory_test checks that a worker does not grow.
        _runs[0] += 1
        _collect(2 if _runs[0] % 64 == 0 else 1)
    if gc_was_enabled:
        gc.enable()


def _join_new_threads(before):
    """Waits (up to THREAD_GRACE in all) for the threads started since `before`; those
    still alive."""
    deadline = time.monotonic() + THREAD_GRACE
    new = [t for t in threading.enumerate() if t not in before]
    for t in new:
        t.join(max(0.0, deadline - time.monotonic()))
    return [t for t in new if t.is_alive()]


def _report_ignored(u):
    """sys.unraisablehook during a run: one line per ignored exception, written with
    builtins only. CPython's own hook formats a traceback with stdlib code (traceback,
    linecache, functools caches, os.environ lookups) that tools with global events see,
    and whose caches make the first run of a worker differ from the next (found by monsim
    fuzz --capi on 3.15)."""
    exc = u.exc_value if u.exc_value is not None else u.exc_type
    where = u.err_msg or "Exception ignored in"
    obj = "" if u.object is None else ": " + object.__repr__(u.object)
    sys.stderr.write("%s%s\n%s: %s\n" % (where, obj, type(exc).__name__,
                                           BaseException.__str__(exc) if isinstance(exc, BaseException) else ""))


def mentioned_tools(doc):
    """Tool ids the scenario may use: declared tools, literal first arguments of
    API actions, and literal first arguments of sys.monitoring calls in the
    program text (a textual guess: an id computed at run time is not seen;
    ids inside comments or strings count, which only makes the probe pick a
    lower id)."""
    ids = {int(k) for k in doc.get("tools", {})}

    def actions(items):
        for a in items:
            args = a.get("args")
            if "api" in a and args and type(args[0]) is int:
                ids.add(args[0])

    actions(doc.get("steps", []))
    for spec in list(doc.get("handlers", {}).values()) + [
            cl for t in doc.get("tools", {}).values() for cl in t.get("callbacks", {}).values()]:
        for c in spec if isinstance(spec, list) else [spec]:
            actions(c.get("actions", []))
    for m in _API_CALL.finditer(doc["program"]):
        arg = m.group(1)
        ids.add(int(arg) if arg.isdigit() else _ID_CONSTS[arg])
    return ids


class _Run:
    def __init__(self, doc, opts, seq):
        self.doc = doc
        self.opts = opts
        self.filename = "<scenario %s#%d>" % (doc["id"], seq)
        self.ns = {"__name__": "__monsim__", "__builtins__": builtins}
        self.rec = Recorder(self.filename, opts)
        self.rec.perform = self.perform
        self.rec.resolve = self.resolve
        self.rec.make_exception = self.make_exception
        self.handlers = {n: Handler("handler:" + n, spec, "scenario.handlers." + n)
                         for n, spec in doc.get("handlers", {}).items()}
        self.hooks = Hooks(self.rec, doc.get("trace_functions", {}))
        self.probe = None
        self.probe_on = False
        # The C API's code-like objects, alive for the whole run (normalise.py keys them by id).
        decl = doc.get("capi", {})
        self.capi = capi.Session(decl, capi.needs_extension(doc, actions_of(doc))) if decl else None
        for name in decl:
            cid = "capi:" + name
            self.rec.codes.add_capi(cid, name)
            obj = self.capi.objs[name]
            if obj is not None:
                self.rec.norm.codelikes[id(obj)] = (obj, cid)

    # -- the run -----------------------------------------------------------

    def execute(self):
        """The run: prepare, redirect, body, teardown, result. Short on purpose: it stays
        on the stack while the scenario runs, and every set_events re-instruments each code
        object on the stack, at a cost that grows with its size (the same holds for the
        protocol's frames below it)."""
        collections = _collections()  # the teardown's collection reads it
        refused = self.choose_probe()
        if refused is not None:
            return refused
        # Asked only where hooks may run: it sets and unsets a trace function.
        self.sticky = bool(self.doc.get("trace_functions") or "settrace" in self.doc["program"]) \
            and opcode_trace_sticky()
        out, err = io.StringIO(), io.StringIO()
        saved = sys.stdout, sys.stderr, sys.stdin, sys.unraisablehook
        failure = None
        threads_before = set(threading.enumerate())
        warn = warnings.catch_warnings()
        warn.__enter__()
        try:
            self.redirect(out, err)
            failure = self.body()
        finally:
            touched = self.teardown(collections, saved, warn)
        return self.result(failure, touched, threads_before, out, err)

    def choose_probe(self):
        """Picks the probe's id; an errored result when none is left."""
        if self.opts["probe"] and self.opts["record"] and mon is not None:
            self.probe = self.opts["probe_tool"]
            if self.probe is None:
                used = mentioned_tools(self.doc)
                free = [t for t in range(5, -1, -1) if t not in used]
                if not free:
                    return "errored", {"phase": "setup", "scenario": self.doc["id"],
                                       "message": "no tool id left for the probe (set options.probe to false)"}
                self.probe = free[0]
        return None

    def redirect(self, out, err):
        # Every warning is shown every time: the "once per location"
        # registry would make a second run differ from the first.
        warnings.simplefilter("always")
        sys.stdout, sys.stderr, sys.stdin = out, err, io.StringIO()
        sys.unraisablehook = _report_ignored
        # The unrecorded run (options.record false) leaves sys.monitoring and the
        # hooks as they are: what a real client then computes is its own result,
        # which the driver compares with the recorded runs' (PROTOCOL §3.6).
        if self.opts["record"]:
            for n in REAL_API:
                setattr(mon, n, ApiShim(n, self.rec))
            self.hooks.shims()
            sys._getframe = frames.program_getframe

    def teardown(self, collections, saved, warn):
        """Scrubs the monitoring state and restores what redirect() replaced; the code
        objects the run gave to set_local_events."""
        rec = self.rec
        touched = list(rec.touched.values())
        self.hooks.restore()
        try:
            if self.probe_on:
                try:
                    REAL_API["set_events"](self.probe, 0)  # teardown is not recorded
                except ValueError:
                    pass  # the scenario freed the probe's id (reported as errored)
            isolation.scrub(touched)
            rec.seal()  # nothing records after the scrub
        finally:
            for n, f in REAL_API.items():
                setattr(mon, n, f)
            sys._getframe = frames._getframe
            # Finalizers run now (unmonitored, output captured); newest names
            # go first so a stored generator's finally still sees its globals.
            for k in reversed(list(self.ns)):
                del self.ns[k]
            if not self.opts["gc"]:
                # The run's cycles, so their finalizers run now. With collection
                # off during the run, all it made is in the youngest generation,
                # unless its program collected (then every generation). What
                # survives (the run's harness objects, still alive) the collection
                # after the run takes (run()).
                same = collections is not None and _collections() == collections
                _collect(0 if same else 2)
            sys.stdout, sys.stderr, sys.stdin, sys.unraisablehook = saved
            warn.__exit__(None, None, None)
        _last_touched[:] = touched
        return touched

    def result(self, failure, touched, threads_before, out, err):
        """The reply's payload once the teardown is done."""
        rec = self.rec
        left_running = _join_new_threads(threads_before)
        if failure is None and rec.failures:
            failure = dict(rec.failures[0], problems=rec.failures[:20])
        if failure is not None:
            failure.setdefault("scenario", self.doc["id"])
            return "errored", failure
        if left_running:
            retire.append("a thread the run started is still running")
            if failure is None:
                return "errored", {
                    "phase": "teardown", "scenario": self.doc["id"],
                    "message": "%d thread(s) the program started still run %.0f s after its "
                               "last step (%s); the worker retires, since they would act in "
                               "the next run" % (len(left_running), THREAD_GRACE,
                                                 ", ".join(t.name for t in left_running[:5]))}
        left = isolation.leaks(touched)
        if left:
            isolation.scrub(touched)
            return "errored", {"phase": "teardown", "scenario": self.doc["id"],
                               "message": "monitoring state survived the teardown", "leaks": left}
        limit = self.opts["stdout_limit"]
        # Warnings and tracebacks name the program's file; its run number must not show.
        stable = "<scenario %s>" % self.doc["id"]
        printed = {name: text.getvalue().replace(self.filename, stable)
                   for name, text in (("stdout", out), ("stderr", err))}
        variable = []
        if sys.flags.hash_randomization:
            variable.append("str_hash_order")
        if self.opts["gc"]:
            variable.append("gc_timing")
        if threading.active_count() > 1:
            variable.append("threads")
        trace = {
            "scenario": self.doc["id"],
            "opcode_trace_sticky": self.sticky,
            "interpreter": INTERPRETER,
            "probe_tool": self.probe,
            "options": self.opts,
            "records": rec.records,
            "codes": rec.codes.table(self.opts["instructions_by_key"]),
            "stdout": printed["stdout"][:limit],
            "stderr": printed["stderr"][:limit],
            "output_cut": {name: len(text) for name, text in printed.items() if len(text) > limit},
            "truncated": rec.truncated,
            "variable": variable,
        }
        if self.opts["compact_events"]:
            trace["compact"] = {"events": rec.compact_events,
                                "codes": [rec.codes.info[id(c)][0] for c in rec.codes.codes],
                                "values": rec.compact_values}
        return "result", trace

    def body(self):
        """Everything between redirection and teardown; an errored context or None."""
        failure = self.load()
        if failure is not None:
            return failure
        phase = "setup"
        try:
            self.setup_tools()
            if self.probe is not None:
                self.start_probe()
            phase = "run"
            self.run_steps()
        except ScenarioError as e:
            return {"phase": phase, "path": e.path, "message": e.message}
        return None

    def load(self):
        """Compiles and executes the program; an errored context if it does not compile."""
        rec = self.rec
        try:
            code = compiling.fresh(self.doc["program"], self.filename)
        except (SyntaxError, ValueError) as e:
            return {"phase": "compile", "path": "scenario.program",
                    "message": "%s: %s" % (type(e).__name__, e)}
        rec.codes.add_tree(code)
        try:
            exec(code, self.ns)
        except BaseException as e:
            rec.add({"kind": "load", "raised": rec.norm.exc(e, True)})
        return None

    def setup_tools(self):
        tools = self.doc.get("tools", {})
        for tid in sorted(tools, key=int):
            self._setup_tool(int(tid), tools[tid], "scenario.tools." + tid)

    def _setup_tool(self, t, spec, path):
        if spec.get("use", True):
            self._setup_api("use_tool_id", (t, spec.get("name", "tool%d" % t)))
        for n, h in self._tool_handlers(spec, path):
            self._setup_api("register_callback", (t, BY_NAME[n], h))
        if "events" in spec:
            self._setup_api("set_events", (t, mask_of(spec["events"])))
        for fname, names in spec.get("local", {}).items():
            code = self.code_of(fname, "%s.local.%s" % (path, fname))
            self._setup_api("set_local_events", (t, code, mask_of(names)))

    def _tool_handlers(self, spec, path):
        """(event name, Handler) for each callback a declared tool registers."""
        cbs = spec.get("callbacks", {})
        names = list(cbs)
        if spec.get("auto_callbacks", True):
            for n in spec.get("events", []) + [n for ns in spec.get("local", {}).values() for n in ns]:
                if n not in names:
                    names.append(n)
        return [(n, Handler("tool", cbs.get(n, {}), "%s.callbacks.%s" % (path, n))) for n in names]

    def _setup_api(self, fn, args):
        try:
            self.rec.api(fn, args, None, "setup")
        except Exception:
            pass  # recorded; a failing setup call may be the point of the scenario

    def start_probe(self):
        p = self.probe
        if REAL_API["get_tool"](p) is not None:
            raise ScenarioError("options.probe_tool", "probe tool %d is already in use by the scenario" % p)
        REAL_API["use_tool_id"](p, "monsim-probe")
        for name, bit in REAL.items():
            REAL_API["register_callback"](p, bit, self.rec.probe_callback(name))
        REAL_API["set_events"](p, probe_mask(self.opts["instruction"]))
        self.probe_on = True
        self.rec.probe = p

    def run_steps(self):
        rec = self.rec
        for i, step in enumerate(self.doc["steps"]):
            path = "scenario.steps[%d]" % i
            kind = _kind(step)
            target = step[kind]
            d = {"kind": "step", "index": i, "action": kind,
                 "target": target if isinstance(target, str) else repr(target)}
            if kind == "gen":
                d["op"] = step["op"]
            rec.add(d)
            try:
                r = self.perform_raw(step, "step", path)
            except ScenarioError:
                raise
            except BaseException as e:
                rec.add({"kind": "step_end", "index": i, "raised": rec.norm.exc(e, True)})
            else:
                rec.add({"kind": "step_end", "index": i, "returned": rec.norm.value(r)})
            r = None  # a returned generator nobody stored is released here
            if rec.failures:
                return

    # -- actions (steps and callback actions) ----------------------------------

    def perform(self, a, by, path):
        """A callback action: performed and recorded; its exceptions never propagate."""
        kind = _kind(a)
        if kind in ("api", "settrace", "setprofile", "frame", "capi"):  # recorded as api records
            try:
                self.perform_raw(a, by, path)
            except ScenarioError:
                raise
            except BaseException:
                pass  # recorded in the api record
            return
        d = {"kind": "action", "action": kind, "target": a[kind]}
        if kind == "gen":
            d["op"] = a["op"]
        self.rec.add(d)
        try:
            r = self.perform_raw(a, by, path)
        except ScenarioError:
            raise
        except BaseException as e:
            d["raised"] = self.rec.norm.exc(e, True)
            return
        d["returned"] = self.rec.norm.value(r)

    def perform_raw(self, a, by, path):
        return getattr(self, "_do_" + _kind(a))(a, by, path)

    def _do_call(self, a, by, path):
        fn = self.lookup(a["call"], path + ".call")
        args = self.resolve(a.get("args", []), path + ".args")
        kwargs = self.resolve(a.get("kwargs", {}), path + ".kwargs")
        r = fn(*args, **kwargs)
        if "store" in a:
            self.ns[a["store"]] = r
        return r

    def _do_api(self, a, by, path):
        args = tuple(self.resolve(a.get("args", []), path + ".args"))
        kwargs = self.resolve(a.get("kwargs", {}), path + ".kwargs")
        return self.rec.api(a["api"], args, kwargs, by)

    def _do_settrace(self, a, by, path):
        name = a["settrace"]
        w = None if name is None else self.hooks.declared(name, "trace", path + ".settrace")
        self.hooks.install("trace", w, by)

    def _do_setprofile(self, a, by, path):
        name = a["setprofile"]
        w = None if name is None else self.hooks.declared(name, "profile", path + ".setprofile")
        self.hooks.install("profile", w, by)

    def _do_frame(self, a, by, path):
        # A fixed order, whatever the scenario's: f_trace_opcodes needs f_trace first.
        for attr in ("f_trace", "f_trace_lines", "f_trace_opcodes"):
            if attr not in a["frame"]:
                continue
            v = a["frame"][attr]
            if attr == "f_trace" and v is not None:
                v = self.hooks.declared(v, "trace", path + ".frame.f_trace")
            try:
                self.hooks.set_frame(attr, v, by)
            except ScenarioError as e:
                raise ScenarioError(path, e.message) from None

    def _do_capi(self, a, by, path):
        """A monitoring C-API call (capi.py), recorded as an api record named after the C function."""
        op, rec, cs = a["capi"], self.rec, self.capi
        if op == "exit":
            if cs is None:  # no code-likes declared: nothing needs a backend but this call
                cs = self.capi = capi.Session({}, False)
            return rec.capi_call("PyMonitoring_ExitScope", [], cs.exit, by)
        name = a["codelike"]
        ref = {"type": "code", "code": "capi:" + name}  # also when the backend is missing
        if op == "enter":
            events = a["events"]
            return rec.capi_call("PyMonitoring_EnterScope", [ref, rec.norm.value(list(events))],
                                 lambda: cs.enter(name, events), by)
        ev = a["event"]
        index = a.get("index", 0)
        offset = a.get("offset", index)
        part, keys = capi.FIRE[ev]
        vals = [self.resolve(a.get(k), "%s.%s" % (path, k)) for k in keys]
        shown = [ref] + [rec.norm.value(v) for v in [ev, index, offset] + vals]
        # The result is the state as the interpreter left it, the probe's bit included
        # (PROTOCOL.md §5.2).
        return rec.capi_call("PyMonitoring_Fire%sEvent" % part, shown,
                             lambda: cs.fire(name, ev, index, offset, vals), by)

    def _do_gen(self, a, by, path):
        g = self.lookup(a["gen"], path + ".gen")
        op = a["op"]
        if op == "next":
            r = next(g)
        elif op == "send":
            r = g.send(self.resolve(a.get("value"), path + ".value"))
        elif op == "throw":
            if "value" not in a:
                raise ScenarioError(path, "throw needs a 'value' (an exception or exception type)")
            r = g.throw(self.resolve(a["value"], path + ".value"))
        elif op == "close":
            r = g.close()
        else:
            r = list(g)
        if "store" in a:
            self.ns[a["store"]] = r
        return r

    def _do_delete(self, a, by, path):
        if a["delete"] not in self.ns:
            raise ScenarioError(path + ".delete", "no variable %r to delete" % a["delete"])
        del self.ns[a["delete"]]

    # -- literals and names ------------------------------------------------------

    def lookup(self, dotted, path):
        head, *rest = dotted.split(".")
        if head not in self.ns:
            raise ScenarioError(path, "no name %r in the program namespace" % head)
        obj = self.ns[head]
        for part in rest:
            try:
                obj = getattr(obj, part)
            except AttributeError:
                raise ScenarioError(path, "%r has no attribute %r" % (head, part)) from None
        return obj

    def code_of(self, name, path):
        if "@" in name:
            code = self.rec.codes.find(name)
            if code is None:
                raise ScenarioError(path, "no code object with id %r" % name)
            return code
        obj = self.lookup(name, path)
        code = obj if type(obj) is types.CodeType else getattr(obj, "__code__", None)
        if type(code) is not types.CodeType:
            raise ScenarioError(path, "%r has no code object" % name)
        return code

    def resolve(self, v, path):
        t = type(v)
        if t is list:
            return [self.resolve(x, "%s[%d]" % (path, i)) for i, x in enumerate(v)]
        if t is not dict:
            return v
        m = v.get("$")
        if m is None:
            return {k: self.resolve(x, "%s.%s" % (path, k)) for k, x in v.items()}
        if m == "DISABLE":
            return mon.DISABLE
        if m == "MISSING":
            return mon.MISSING
        if m == "events":
            return mask_of(v["names"])
        if m == "int":  # an int JSON numbers cannot carry exactly (beyond 64 bits)
            return int(v["value"])
        if m == "code":
            return self.code_of(v.get("of") or v["id"], path)
        if m == "var":
            return self.lookup(v["name"], path + ".name")
        if m == "handler":
            return self.handlers[v["name"]]
        if m == "tuple":
            return tuple(self.resolve(v["items"], path + ".items"))
        if m == "builtin":
            return getattr(builtins, v["name"])
        if m == "exc":
            return self.make_exception(v, path)
        if m == "trace":
            return self.hooks.declared(v["name"], "trace", path + ".name")
        raise ScenarioError(path, "unknown marker %r" % m)

    def make_exception(self, spec, path):
        name = spec["type"]
        cls = self.ns.get(name)
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            cls = getattr(builtins, name, None)
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            raise ScenarioError(path + ".type", "no exception type %r" % name)
        return cls(*self.resolve(spec.get("args", []), path + ".args"))


def _kind(a):
    for k in ("call", "api", "gen", "delete", "settrace", "setprofile", "frame", "capi"):
        if k in a:
            return k
    raise AssertionError("validated action without a kind")
