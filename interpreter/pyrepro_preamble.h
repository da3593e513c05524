#pragma once
// The fixed part of every standalone script (pyrepro.h): imports and the few
// helpers the generated callbacks and steps use. Kept as Python text so that
// the script reads the same as this file.

namespace monsim::harness::pyrepro {

inline constexpr const char* kPreamble = R"PY(import gc
import sys
import types
import warnings

mon = sys.monitoring
E = mon.events
EVENT_NAMES = {bit: name for name, bit in vars(E).items() if name.isupper() and name != "NO_EVENTS"}
EXCEPTION_EVENTS = {"RAISE", "RERAISE", "EXCEPTION_HANDLED", "PY_UNWIND", "PY_THROW", "STOP_ITERATION"}
JUMP_EVENTS = {"JUMP", "BRANCH", "BRANCH_LEFT", "BRANCH_RIGHT"}
# Events in this script's own code (the steps below) are not the scenario's: every
# callback ignores them, as the oracle ignores its harness code.
HERE = sys._getframe().f_code.co_filename

# As in the oracle: no cyclic collection (and no finalizer events) at arbitrary
# points, and every warning shown every time.
gc.disable()
warnings.simplefilter("always")


def line_of(code, offset):
    for start, end, line in code.co_lines():
        if start <= offset < end:
            return line
    return None


def locate(event, code, args, frame):
    """(offset, line, text) of a delivery; for LINE the offset is the frame's f_lasti."""
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


def show(value):
    """A short repr that runs none of the program's code (its __repr__ would be monitored)."""
    if value is mon.DISABLE or value is mon.MISSING:
        return "DISABLE" if value is mon.DISABLE else "MISSING"
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
    base = f"{code.co_qualname}@{code.co_firstlineno}"
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
    return f"{code.co_qualname}@{code.co_firstlineno}"
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
            if code.co_filename == HERE:
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
        return wrapper


def generated(func):
    """One of this script's own callbacks (the scenario's tools and handlers)."""
    return isinstance(func, types.FunctionType) and func.__code__.co_filename == HERE


mon.register_callback = RegisterCallback(mon.register_callback)
)PY";

// Run last: like the oracle's teardown, nothing stays monitored while the
// program's objects are finalized (3.12/3.13 free_tool_id keeps events and
// callbacks, so each id is re-acquired and emptied first).
inline constexpr const char* kCleanup = R"PY(
# Cleanup: no tool, event or callback left.
for tool in range(6):
    if mon.get_tool(tool) is None:
        mon.use_tool_id(tool, "cleanup")
    mon.set_events(tool, 0)
    for bit in EVENT_NAMES:
        mon.register_callback(tool, bit, None)
    mon.free_tool_id(tool)
)PY";

}  // namespace monsim::harness::pyrepro
