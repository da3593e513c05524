#pragma once
// The fixed part of every standalone script (pyrepro.h): imports and the few
// helpers the generated callbacks and steps use. Kept as Python text so that
// the script reads the same as this file.

namespace monsim::harness::pyrepro {

inline constexpr const char* kPreamble = R"PY(import gc
import sys
import types
import warnings

# None before 3.12 and on PyPy: a scenario with only trace and profile functions runs
# there too (Python >= 3.9).
mon = getattr(sys, "monitoring", None)
E = mon.events if mon is not None else None
EVENT_NAMES = {} if mon is None else {
    bit: name for name, bit in vars(E).items() if name.isupper() and name != "NO_EVENTS"}
EXCEPTION_EVENTS = {"RAISE", "RERAISE", "EXCEPTION_HANDLED", "PY_UNWIND", "PY_THROW", "STOP_ITERATION"}
JUMP_EVENTS = {"JUMP", "BRANCH", "BRANCH_LEFT", "BRANCH_RIGHT"}
# Events in this script's own code (the steps below) are not the scenario's: every
# callback ignores them, as the oracle ignores its harness code.
HERE = sys._getframe().f_code.co_filename

# As in the oracle: no cyclic collection (and no finalizer events) at arbitrary
# points, and every warning shown every time.
gc.disable()
warnings.simplefilter("always")


def qualname(code):
    """co_qualname (3.11+); before, co_name."""
    return getattr(code, "co_qualname", None) or code.co_name


def line_of(code, offset):
    for start, end, line in code.co_lines():
        if start <= offset < end:
            return line
    return None


# C API code-like objects (behaviour §13): id -> the scenario's name for them.
CAPI = {}


def is_here(code):
    """Code of this script (a code-like object of the C API is nobody's code)."""
    return getattr(code, "co_filename", None) == HERE


def locate(event, code, args, frame):
    """(offset, line, text) of a delivery; for LINE the offset is the frame's f_lasti."""
    name = CAPI.get(id(code))
    if name is not None:  # C-fired: the offset as given (LINE gets none), no lines
        offset, line = (None, args[0]) if event == "LINE" else (args[0], None)
        detail = ""
        if event in EXCEPTION_EVENTS:
            detail = " " + type(args[1]).__qualname__
        elif event in JUMP_EVENTS:
            detail = f" to {args[1]}"
        return offset, line, f"{name} line {line} offset {offset}{detail}"
    if event == "LINE":
        offset, line, detail = frame.f_lasti, args[0], ""
    else:
        offset, line, detail = args[0], line_of(code, args[0]), ""
        if event in EXCEPTION_EVENTS:
            detail = " " + type(args[1]).__qualname__
        elif event in JUMP_EVENTS:
            detail = f" to {args[1]}"
    return offset, line, f"{code.co_qualname} line {line} offset {offset}{detail}"


def plain(value):
    if type(value) in (tuple, list):
        return all(map(plain, value))
    if type(value) is dict:
        return all(map(plain, value)) and all(map(plain, value.values()))
    return type(value) in (type(None), bool, int, float, str, bytes)


# How show() names instances of this script's own types (the trace functions).
SHOWN = {}


def show(value):
    """A short repr that runs none of the program's code (its __repr__ would be monitored)."""
    if mon is not None and (value is mon.DISABLE or value is mon.MISSING):
        return "DISABLE" if value is mon.DISABLE else "MISSING"
    if type(value) in SHOWN:
        return SHOWN[type(value)](value)
    if plain(value):
        return repr(value)
    kind = type(value).__qualname__
    named = (type, types.FunctionType, types.BuiltinFunctionType, types.GeneratorType,
             types.CoroutineType, types.AsyncGeneratorType)
    return f"<{kind} {value.__qualname__}>" if isinstance(value, named) else f"<{kind} object>"


def failed(label, e):
    message = f": {e}" if type(e).__module__ == "builtins" else ""
    print(f"{label} raised {type(e).__qualname__}{message}")


def setup(fn, *args):
    """A setup call: like the oracle, print a failure and go on."""
    try:
        fn(*args)
    except BaseException as e:
        failed(f"setup {fn.__name__}", e)
)PY";

// Code ids as the oracle names the program's code objects (oracle/PROTOCOL.md
// §4.2); only emitted when the scenario names code by id.
inline constexpr const char* kCodeIds = R"PY(

def code_ids(code, ids):
    """"qualname@firstlineno" ("#2", "#3"… on a collision), depth first in co_consts order."""
    base = f"{qualname(code)}@{code.co_firstlineno}"
    cid, k = base, 2
    while cid in ids:
        cid, k = f"{base}#{k}", k + 1
    ids[cid] = code
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            code_ids(c, ids)
    return ids


def code_id(code):
    for cid, c in CODES.items():
        if c is code:
            return cid
    return f"{qualname(code)}@{code.co_firstlineno}"
)PY";

// Emitted for a scenario with C API objects (behaviour §13): CPython's _testcapi, or
// monsim's extension (oracle/capi_ext) for what _testcapi cannot express. Both call
// PyMonitoring_EnterScope / ExitScope / Fire*Event; a fire returns the state's tools.
inline constexpr const char* kCapi = R"PY(

if CAPI_EXT:
    # Built by ./run into build/capi_ext/<version>/ of the checkout that wrote this
    # script; MONSIM_CAPI_EXT_PATH (folders, ':'-separated) names another.
    import platform
    sys.path[:0] = [d for d in os.environ.get("MONSIM_CAPI_EXT_PATH", "").split(":") if d]
    sys.path.append(os.path.join(CAPI_EXT_BUILT, platform.python_version()))
    import monsim_capi as capi_module
else:
    import _testcapi as capi_module
CAPI_OBJECTS, CAPI_CELLS, cells = {}, {}, {}
for name, (states, version) in CAPI_DECL.items():
    if CAPI_EXT:
        CAPI_OBJECTS[name] = capi_module.States(states)
        CAPI_CELLS[name] = cells.setdefault(version, capi_module.Version())
    else:
        CAPI_OBJECTS[name] = capi_module.CodeLike(states)
    CAPI[id(CAPI_OBJECTS[name])] = name


def event_number(name):
    return getattr(mon.events, name).bit_length() - 1


def capi_enter(name, *events):
    numbers = [event_number(e) for e in events]
    if CAPI_EXT:
        return capi_module.enter_scope(CAPI_OBJECTS[name], CAPI_CELLS[name], tuple(numbers))
    return capi_module.monitoring_enter_scope(CAPI_OBJECTS[name], *numbers)


def capi_exit():
    return capi_module.exit_scope() if CAPI_EXT else capi_module.monitoring_exit_scope()


def capi_fire(name, event, index, offset, *args):
    obj = CAPI_OBJECTS[name]
    if CAPI_EXT:
        return capi_module.fire(event_number(event), obj, index, obj, offset, *args)
    return getattr(capi_module, "fire_event_" + event.lower())(obj, offset, *args)
)PY";

// Emitted when the program (or an action) registers its own callables: as the
// oracle does (oracle/PROTOCOL.md §4.4), they are wrapped so that they do not
// see this script's own code and their deliveries print too.
inline constexpr const char* kRegisterShim = R"PY(

class RegisterCallback:
    """Stands in for sys.monitoring.register_callback, as in the oracle. An instance,
    not a function: a call site sees CALL and C_RETURN exactly as for the builtin."""

    def __init__(self, real):
        self.real = real
        self.wrappers = {}  # id(wrapper) -> (wrapper, what the program registered)

    def __call__(self, *args, **kwargs):
        if len(args) >= 3 and args[2] is not None and not generated(args[2]):
            args = args[:2] + (self.wrap(args[0], args[1], args[2]),) + args[3:]
        previous = self.real(*args, **kwargs)
        got = self.wrappers.get(id(previous))
        return got[1] if got is not None and got[0] is previous else previous

    def wrap(self, tool, event, func):
        event = EVENT_NAMES.get(event, "?") if type(event) is int else "?"

        def wrapper(code, *args):
            if is_here(code):
                return None
            offset, line, site = locate(event, code, args, sys._getframe(1))
            try:
                result = func(code, *args)
            except BaseException as e:
                print(f"tool {tool} {event} {site} -> raised {type(e).__qualname__}")
                raise
            print(f"tool {tool} {event} {site} -> {show(result)}")
            return result

        self.wrappers[id(wrapper)] = (wrapper, func)
        HIDDEN.add(wrapper.__code__)
        return wrapper


# sys._getframe skips the wrappers' frames (the oracle's frames.py, embedded above).
sys._getframe = program_getframe


def generated(func):
    """One of this script's own callbacks (the scenario's tools and handlers)."""
    return isinstance(func, types.FunctionType) and func.__code__.co_filename == HERE


mon.register_callback = RegisterCallback(mon.register_callback)
)PY";

// Emitted when the scenario has trace or profile functions (its own or the
// program's): the oracle's wrappers (oracle/monsim_oracle/legacy.py) and its
// shims of sys.settrace, sys.setprofile, sys.gettrace and sys.getprofile.
inline constexpr const char* kHooks = R"PY(

# Trace and profile functions, as in the oracle. Each one installed (the scenario's
# or the program's) is a TraceFunction, which prints every call it gets as
#   HOOK EVENT QUALNAME line L offset O [DETAIL] -> RESULT
# (L and O: the frame's f_lineno and f_lasti; DETAIL: the exception's type for
# 'exception', the callable for 'c_call', 'c_return' and 'c_exception'). Installing
# one, or setting a frame's f_trace, f_trace_lines or f_trace_opcodes, prints
#   hook WHAT(VALUE) by step|callback|program [QUALNAME line L] -> RESULT
import re

REAL_HOOKS = {name: getattr(sys, name) for name in ("settrace", "setprofile", "gettrace", "getprofile")}
HOOKED = {}   # (trace function name or id(program function), hook) -> its TraceFunction
KEEP = []     # the program's functions wrapped (so that their ids stay theirs)
PENDING = []  # lines printed while a program's trace function runs: they follow its own


def emit(text):
    if PENDING:
        PENDING[-1].append(text)
    else:
        print(text)


def done(site, outcome):
    """The line of a program's trace function call, then what printed while it ran."""
    lines = PENDING.pop()
    emit(f"{site} -> {outcome}")
    for text in lines:
        emit(text)


def callable_repr(f):
    """The oracle's short repr of a callable: no address, none of the program's code run."""
    kind = type(f)
    if kind is types.FunctionType:
        text = f"<function {f.__qualname__}>"
    elif kind is types.MethodType:
        name = getattr(f.__func__, "__qualname__", None)
        name = name if type(name) is str else "?"
        text = f"<bound method {name} of {type(f.__self__).__qualname__} object>"
    elif kind in (types.BuiltinFunctionType, types.MethodDescriptorType, types.WrapperDescriptorType,
                  types.MethodWrapperType, types.ClassMethodDescriptorType):
        text = re.sub(r" at 0x[0-9a-fA-F]+", "", repr(f))
    else:
        text = f"<{kind.__qualname__} object>"
    return text if len(text) <= 80 else text[:80] + "..."


def hook_detail(event, arg):
    if event == "exception" and type(arg) is tuple and len(arg) == 3:
        return " " + type(arg[1]).__qualname__
    if event.startswith("c_"):
        return " " + callable_repr(arg)
    return ""


class TraceFunction:
    """What sys.settrace, sys.setprofile and f_trace get: a scenario's trace function
    (`act`, its clauses) or the program's own (`func`, whose result is wrapped too)."""

    def __init__(self, hook, label, act=None, func=None):
        self.hook, self.label, self.act, self.func = hook, label, act, func
        self.n = 0  # calls as this hook's function

    def __call__(self, frame, event, arg):
        code = frame.f_code
        if is_here(code):
            return None  # this script's own frames are not the scenario's
        self.n += 1
        site = (f"{self.hook} {event} {qualname(code)} line {frame.f_lineno} "
                f"offset {frame.f_lasti}{hook_detail(event, arg)}")
        if self.func is None:
            return self.act(self.n, frame, event, site)
        PENDING.append([])
        try:
            result = self.func(frame, event, arg)
        except BaseException as e:
            done(site, f"raised {type(e).__qualname__}")
            raise
        if result is self.func:
            result = self
        elif result is not None and callable(result):
            result = program_hook(result, "trace")
        done(site, show(result))
        return result


SHOWN[TraceFunction] = lambda w: w.label


def declared(name, hook):
    """trace_functions.NAME as the hook's function (one per name and hook)."""
    w = HOOKED.get((name, hook))
    if w is None:
        w = HOOKED[(name, hook)] = TraceFunction(hook, f"{hook}:{name}", act=TRACE_FUNCTIONS[name])
    return w


def program_hook(func, hook):
    """A function of the program's as the hook's function."""
    if type(func) is TraceFunction:
        return func
    w = HOOKED.get((id(func), hook))
    if w is None:
        KEEP.append(func)
        name = getattr(func, "__qualname__", type(func).__name__)
        w = HOOKED[(id(func), hook)] = TraceFunction(hook, f"{hook}:<{name}>", func=func)
    return w


def hook_call(text, fn, *args):
    try:
        fn(*args)
    except BaseException as e:
        emit(f"{text} -> raised {type(e).__qualname__}")
        raise
    emit(f"{text} -> None")


def install(hook, w, by, caller=None):
    """sys.settrace / sys.setprofile for real, printed."""
    where = "" if caller is None else f" {qualname(caller.f_code)} line {caller.f_lineno}"
    hook_call(f"hook set{hook}({show(w)}) by {by}{where}", REAL_HOOKS["set" + hook], w)


def set_frame(frame, values):
    """A frame action: its (attribute, value) pairs in order, each printed."""
    for attr, value in values:
        hook_call(f"hook {attr}({show(value)}) by callback", setattr, frame, attr, value)


def unwrapped(w):
    return w.func if type(w) is TraceFunction and w.func is not None else w


def caller():
    try:
        return sys._getframe(2)
    except ValueError:
        return None  # called from no Python code


# The program's sys.settrace and sys.setprofile calls install its function wrapped.
def settrace(func):
    install("trace", None if func is None else program_hook(func, "trace"), "program", caller())


def setprofile(func):
    install("profile", None if func is None else program_hook(func, "profile"), "program", caller())


def gettrace():
    return unwrapped(REAL_HOOKS["gettrace"]())


def getprofile():
    return unwrapped(REAL_HOOKS["getprofile"]())


sys.settrace, sys.setprofile, sys.gettrace, sys.getprofile = settrace, setprofile, gettrace, getprofile

if sys.implementation.name != "cpython":
    # There printing runs Python code (the stream's encoder): no trace or profile
    # function sees it, as none sees the oracle's own code.
    builtin_print = print

    def print(*args, **kwargs):
        trace, profile = REAL_HOOKS["gettrace"](), REAL_HOOKS["getprofile"]()
        REAL_HOOKS["settrace"](None)
        REAL_HOOKS["setprofile"](None)
        try:
            builtin_print(*args, **kwargs)
        finally:
            REAL_HOOKS["settrace"](trace)
            REAL_HOOKS["setprofile"](profile)


class ApiShim:
    """Stands in for a sys.monitoring function, as in the oracle: an instance, so that
    the program's calls of it are no C calls to a profile function."""

    def __init__(self, real):
        self.real = real

    def __call__(self, *args, **kwargs):
        return self.real(*args, **kwargs)


if mon is not None:
    for api in ("use_tool_id", "free_tool_id", "clear_tool_id", "get_tool", "get_events", "set_events",
                "get_local_events", "set_local_events", "register_callback", "restart_events",
                "_all_events"):
        if type(getattr(mon, api, None)) is types.BuiltinFunctionType:
            setattr(mon, api, ApiShim(getattr(mon, api)))
)PY";

// Run last: like the oracle's teardown, nothing stays monitored while the
// program's objects are finalized (3.12/3.13 free_tool_id keeps events and
// callbacks, so each id is re-acquired and emptied first).
inline constexpr const char* kCleanup = R"PY(
# Cleanup: no tool, event or callback left.
if mon is not None:
    for tool in range(6):
        if mon.get_tool(tool) is None:
            mon.use_tool_id(tool, "cleanup")
        mon.set_events(tool, 0)
        for bit in EVENT_NAMES:
            mon.register_callback(tool, bit, None)
        mon.free_tool_id(tool)
)PY";

// Before kCleanup when there is kHooks.
inline constexpr const char* kHooksCleanup = R"PY(
# Cleanup: no trace or profile function left, and the real functions back.
REAL_HOOKS["settrace"](None)
REAL_HOOKS["setprofile"](None)
for hook, fn in REAL_HOOKS.items():
    setattr(sys, hook, fn)
)PY";

}  // namespace monsim::harness::pyrepro
