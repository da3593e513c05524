"""The monitoring C API (PyMonitoring_EnterScope/ExitScope/Fire*Event, CPython 3.13+).

A Python program cannot call it, so scenarios reach it through one of two backends:
  * _testcapi (shipped by CPython and pyodide): CodeLike(n) holds n states and one
    version; monitoring_enter_scope takes 1 or 2 events; fire_event_<name>(cl, offset, …)
    uses state `offset`. Anything outside that (an out-of-range offset, 0 or 3+ events)
    trips a C assert and aborts the process, so it is only used when the whole
    scenario stays inside it;
  * monsim_capi, our extension (oracle/capi_ext/): any state index, any int32 offset,
    version cells shared between code-likes, any number of events. Native only.
"""
import os
import platform
import sys

from . import HARNESS_FILES, _here
from .events import BRANCH_IS_ALIAS, BY_NAME, MONITORING

HARNESS_FILES.add(_here())

# event -> (the C function's name part, the action keys of its arguments after the offset)
FIRE = {
    "PY_START": ("PyStart", ()), "PY_RESUME": ("PyResume", ()),
    "PY_RETURN": ("PyReturn", ("value",)), "PY_YIELD": ("PyYield", ("value",)),
    "CALL": ("Call", ("callable", "arg0")), "LINE": ("Line", ("line",)),
    "JUMP": ("Jump", ("target",)), "BRANCH": ("Branch", ("target",)),
    "BRANCH_LEFT": ("BranchLeft", ("target",)), "BRANCH_RIGHT": ("BranchRight", ("target",)),
    "C_RETURN": ("CReturn", ("value",)), "PY_THROW": ("PyThrow", ("exc",)),
    "RAISE": ("Raise", ("exc",)), "C_RAISE": ("CRaise", ("exc",)), "RERAISE": ("Reraise", ("exc",)),
    "EXCEPTION_HANDLED": ("ExceptionHandled", ("exc",)), "PY_UNWIND": ("PyUnwind", ("exc",)),
    "STOP_ITERATION": ("StopIteration", ("value",)),
}
OPS = ("enter", "exit", "fire")
EXT_ENV = "MONSIM_CAPI_EXT_PATH"


def event_number(name):
    """PY_MONITORING_EVENT_<name>: log2 of the event's bit on this interpreter."""
    return BY_NAME[name].bit_length() - 1


def scope_problem(name):
    """Why `name` cannot be one of PyMonitoring_EnterScope's events, or None."""
    if name not in BY_NAME:
        return "unknown event %r on this interpreter" % (name,)
    # CPython keeps a scope state per event up to RERAISE only; a higher number
    # (C_RETURN, C_RAISE, 3.14+ BRANCH) reads unrelated interpreter flags past its table.
    if BY_NAME[name] > BY_NAME.get("RERAISE", 0):
        return ("no scope state for %s: CPython keeps none for it (C_RETURN/C_RAISE are "
                "gated by CALL's state)" % name)
    return None


def fire_problem(name):
    """Why no PyMonitoring_Fire*Event can fire `name` here, or None."""
    if name not in FIRE:
        return "no PyMonitoring_Fire*Event for %r" % (name,)
    if name not in BY_NAME:
        return "unknown event %r on this interpreter" % (name,)
    if name == "BRANCH" and BRANCH_IS_ALIAS:
        return "3.14+: fire BRANCH_LEFT or BRANCH_RIGHT (the deprecated BRANCH fires BRANCH_RIGHT)"
    return None


# -- backends ------------------------------------------------------------------

_cache = {}


def testcapi():
    """_testcapi when it has the monitoring C API wrappers (and sys.monitoring exists), else None."""
    if "testcapi" not in _cache:
        m = None
        if MONITORING is not None:
            try:
                import _testcapi as m
            except Exception:  # ImportError; PyPy's _testcapi builds itself from missing sources
                m = None
            if m is not None and not (hasattr(m, "CodeLike") and hasattr(m, "monitoring_enter_scope")):
                m = None
        _cache["testcapi"] = m
    return _cache["testcapi"]


def ext_dirs():
    """Where monsim_capi is looked for: $MONSIM_CAPI_EXT_PATH (dirs joined by ':'),
    else <repo>/build/capi_ext/<python version>/, where ./run builds it."""
    env = os.environ.get(EXT_ENV)
    if env:
        return [d for d in env.split(os.pathsep) if d]
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return [os.path.join(repo, "build", "capi_ext", platform.python_version())]


def extension():
    """The monsim_capi module when it loads and works, else None."""
    if "ext" not in _cache:
        _cache["ext"] = _load_extension()
    return _cache["ext"]


def _load_extension():
    if sys.implementation.name != "cpython" or sys.version_info < (3, 13) \
            or MONITORING is None:
        return None
    import importlib.util
    from importlib.machinery import EXTENSION_SUFFIXES
    for d in ext_dirs():
        for suffix in EXTENSION_SUFFIXES:  # only this interpreter's ABI tags load
            path = os.path.join(d, "monsim_capi" + suffix)
            if not os.path.isfile(path):
                continue
            try:
                spec = importlib.util.spec_from_file_location("monsim_capi", path)
                m = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(m)
                # Works: a zeroed state is inactive, so this fire calls nothing.
                s = m.States(1)
                m.Version()
                if m.active(s, 0) == 0 and m.fire(event_number("PY_START"), s, 0, s, 0) == 0:
                    return m
            except Exception:  # a stale or foreign build: try the next one
                continue
    return None


def capabilities():
    """(c_api, capi_ext) for hello."""
    return testcapi() is not None, extension() is not None


def needs_extension(doc, actions):
    """Whether the scenario goes beyond what _testcapi can do without aborting."""
    decl = doc.get("capi") or {}
    if any(spec.get("version", name) != name for name, spec in decl.items()):
        return True
    for a in actions:
        op = a.get("capi")
        if op == "enter" and len(a.get("events", ())) not in (1, 2):
            return True
        if op == "fire":
            i = a.get("index", 0)
            n = decl.get(a.get("codelike"), {}).get("states", 0)
            if a.get("offset", i) != i or not 0 <= i < n:
                return True
    return False


class Session:
    """One run's code-like objects, called through one backend."""

    def __init__(self, decl, need_ext):
        # _testcapi when it suffices; the extension also stands in for a missing
        # _testcapi (a CPython built without test modules): both call the same API.
        use_ext = need_ext or (testcapi() is None and extension() is not None)
        self.ext = use_ext
        self.mod = extension() if use_ext else testcapi()
        self.objs = {}   # NAME -> the code-like (None without the backend)
        self.cells = {}  # NAME -> its version cell (extension only)
        versions = {}
        for name, spec in decl.items():
            obj = None
            if self.mod is not None:
                obj = self.mod.States(spec["states"]) if use_ext else self.mod.CodeLike(spec["states"])
                if use_ext:
                    v = spec.get("version", name)
                    if v not in versions:
                        versions[v] = self.mod.Version()
                    self.cells[name] = versions[v]
            self.objs[name] = obj

    def _module(self):
        if self.mod is None:
            if self.ext:
                raise RuntimeError("the scenario needs the monsim_capi extension (hello capability "
                                   "capi_ext; oracle/capi_ext/build.sh), which is not available here")
            raise RuntimeError("the monitoring C API is not available here (hello capability c_api: "
                               "_testcapi with CodeLike, CPython 3.13+)")
        return self.mod

    def enter(self, name, events):
        m = self._module()
        nums = [event_number(e) for e in events]
        if self.ext:
            return m.enter_scope(self.objs[name], self.cells[name], tuple(nums))
        return m.monitoring_enter_scope(self.objs[name], *nums)

    def exit(self):
        m = self._module()
        return m.exit_scope() if self.ext else m.monitoring_exit_scope()

    def fire(self, name, event, index, offset, args):
        m = self._module()
        if FIRE[event][1] == ("exc",) and args[0] is not None \
                and not issubclass(type(args[0]), BaseException):
            # Both backends would hand a non-exception to PyErr_SetRaisedException.
            raise TypeError("exc must be an exception instance or None, not %s" % type(args[0]).__name__)
        obj = self.objs[name]
        if self.ext:
            return m.fire(event_number(event), obj, index, obj, offset, *args)
        return getattr(m, "fire_event_" + event.lower())(obj, offset, *args)
