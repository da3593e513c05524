"""Shared helpers for the monsim research probes (stdlib only)."""
import sys

M = sys.monitoring
E = M.events
VER = "%d.%d" % sys.version_info[:2]
V = sys.version_info[:2]
T, U = 2, 3

SRC = '''
def f(hook, boom=False):
    hook()
    x = len("ab")
    if x:
        y = 1
    else:
        y = 2
    if y == 2:
        y = 3
    try:
        raise KeyError(y)
    except KeyError:
        pass
    if boom:
        try:
            raise ValueError(y)
        finally:
            y += 0
    return y
'''


def fresh(src=SRC, name="f"):
    """A fresh function (fresh code object) compiled from src."""
    ns = {}
    exec(compile(src, "<probe-%s>" % name, "exec"), ns)
    return ns[name]


def noop():
    pass


def event_names():
    return [n for n in dir(E) if n.isupper() and n != "NO_EVENTS"]


def reset_tools():
    """Unregister everything for tools 0-5 and free them, on every version."""
    for tool in range(6):
        if M.get_tool(tool) is None:
            M.use_tool_id(tool, "cleanup")
        M.set_events(tool, 0)
        for n in event_names():
            M.register_callback(tool, getattr(E, n), None)
        M.free_tool_id(tool)


def call(f, *a, **k):
    try:
        return f(*a, **k)
    except Exception as e:  # boom=True ends in ValueError
        return type(e).__name__
