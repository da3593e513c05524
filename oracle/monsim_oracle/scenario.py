"""Scenario JSON validation: every problem found, each with its JSON path.

Pure: reads the interpreter's event table (events.BY_NAME) but touches no
monitoring state. The format is documented in oracle/PROTOCOL.md and
oracle/schema/scenario.schema.json.
"""
import builtins

from . import HARNESS_FILES, _here
from . import capi
from .events import BY_NAME

HARNESS_FILES.add(_here())

API = ("use_tool_id", "free_tool_id", "clear_tool_id", "get_tool", "get_events",
       "set_events", "get_local_events", "set_local_events", "register_callback",
       "restart_events", "_all_events")
GEN_OPS = ("next", "send", "throw", "close", "iterate")
MARKERS = ("DISABLE", "MISSING", "events", "code", "var", "handler", "tuple", "builtin", "exc",
           "int", "trace")
# What a trace or profile function is called with (PyTrace_* names).
LEGACY_EVENTS = ("call", "exception", "line", "return", "c_call", "c_exception", "c_return",
                 "opcode")
FRAME_ATTRS = ("f_trace", "f_trace_lines", "f_trace_opcodes")
ACTION_KINDS = ("call", "api", "gen", "delete", "settrace", "setprofile", "frame", "capi")

OPTION_DEFAULTS = {
    "probe": True,        # run the passive probe tool
    "record": True,       # False: the unrecorded run (no API or hook shims, no wrappers)
    "instruction": False,  # probe also listens to INSTRUCTION
    "stack": False,       # probe events also carry the code ids of the frames below them
    "probe_tool": None,   # pin the probe's id; None: highest id the scenario does not mention
    "gc": False,          # leave the cyclic GC enabled during the run (nondeterministic)
    "max_records": 200000,
    "stdout_limit": 65536,
    "repr_limit": 80,
    "instructions_by_key": False,  # code rows name their instruction table (PROTOCOL §4)
    "compact_events": False,  # probe events may be arrays (PROTOCOL §4.5)
}

_TOP = {"id", "description", "meta", "program", "tools", "handlers", "steps",
        "trace_functions", "capi"}
_CODELIKE = {"states", "version"}
MAX_STATES = 256
_TOOL = {"name", "use", "events", "local", "callbacks", "auto_callbacks"}
_CLAUSE = {"when", "actions", "return", "raise"}
_WHEN = {"nth", "from_nth", "functions", "lines", "offsets"}
_TRACE_WHEN = _WHEN | {"events"}


def _is_decimal(text):
    digits = text[1:] if text.startswith("-") else text
    return digits.isascii() and digits.isdigit()


class Checker:
    def __init__(self):
        self.diags = []
        self.trace_names = set()  # the scenario's trace_functions
        self.codelikes = {}       # the scenario's code-likes: name -> number of states

    def err(self, path, msg):
        self.diags.append({"path": path, "message": msg})

    def keys(self, obj, allowed, path, required=()):
        for k in obj:
            if k not in allowed:
                self.err(path, "unknown key %r" % k)
        for k in required:
            if k not in obj:
                self.err(path, "missing key %r" % k)

    def typ(self, v, t, path, what):
        ok = isinstance(v, t) and not (t in (int, (int, float)) and isinstance(v, bool))
        if not ok:
            self.err(path, "must be %s" % what)
        return ok

    def strs(self, v, path):
        if self.typ(v, list, path, "a list of strings"):
            for i, s in enumerate(v):
                self.typ(s, str, "%s[%d]" % (path, i), "a string")

    def ints(self, v, path):
        if isinstance(v, int) and not isinstance(v, bool):
            return
        if self.typ(v, list, path, "an integer or a list of integers"):
            for i, s in enumerate(v):
                self.typ(s, int, "%s[%d]" % (path, i), "an integer")

    def event_names(self, v, path):
        if not self.typ(v, list, path, "a list of event names"):
            return
        for i, n in enumerate(v):
            p = "%s[%d]" % (path, i)
            if self.typ(n, str, p, "an event name") and n not in BY_NAME:
                self.err(p, "unknown event %r on this interpreter" % n)

    def literal(self, v, path, handlers):
        if v is None or isinstance(v, (bool, int, float, str)):
            return
        if isinstance(v, list):
            for i, x in enumerate(v):
                self.literal(x, "%s[%d]" % (path, i), handlers)
            return
        if not isinstance(v, dict):
            self.err(path, "not a JSON literal")
            return
        if "$" not in v:
            for k, x in v.items():
                self.literal(x, "%s.%s" % (path, k), handlers)
            return
        m = v["$"]
        if m not in MARKERS:
            self.err(path, "unknown marker %r" % (m,))
            return
        spec = {"DISABLE": ((), ()), "MISSING": ((), ()),
                "events": (("names",), ()), "code": ((), ("of", "id")),
                "var": (("name",), ()), "handler": (("name",), ()),
                "tuple": (("items",), ()), "builtin": (("name",), ()),
                "exc": (("type",), ("args",)), "int": (("value",), ()),
                "trace": (("name",), ())}[m]
        self.keys(v, {"$"} | set(spec[0]) | set(spec[1]), path, spec[0])
        if m == "events" and "names" in v:
            self.event_names(v["names"], path + ".names")
        elif m == "code":
            if ("of" in v) == ("id" in v):
                self.err(path, "code marker needs exactly one of 'of' and 'id'")
            for k in ("of", "id"):
                if k in v:
                    self.typ(v[k], str, "%s.%s" % (path, k), "a string")
        elif m in ("var", "builtin", "handler") and "name" in v:
            if self.typ(v["name"], str, path + ".name", "a string"):
                if m == "builtin" and not hasattr(builtins, v["name"]):
                    self.err(path + ".name", "no builtin %r" % v["name"])
                if m == "handler" and v["name"] not in handlers:
                    self.err(path + ".name", "no handler %r" % v["name"])
        elif m == "trace" and "name" in v:
            if self.typ(v["name"], str, path + ".name", "a string") and v["name"] not in self.trace_names:
                self.err(path + ".name", "no trace function %r" % v["name"])
        elif m == "tuple" and "items" in v:
            if self.typ(v["items"], list, path + ".items", "a list"):
                self.literal(v["items"], path + ".items", handlers)
        elif m == "int" and "value" in v:
            if not (isinstance(v["value"], str) and _is_decimal(v["value"])):
                self.err(path + ".value", "must be an integer's decimal text")
        elif m == "exc":
            self.typ(v.get("type"), str, path + ".type", "an exception type name")
            if "args" in v and self.typ(v["args"], list, path + ".args", "a list"):
                self.literal(v["args"], path + ".args", handlers)

    def action(self, a, path, handlers):
        if not self.typ(a, dict, path, "an action object"):
            return
        kinds = [k for k in ACTION_KINDS if k in a]
        if len(kinds) != 1:
            self.err(path, "an action needs exactly one of %s"
                     % ", ".join("'%s'" % k for k in ACTION_KINDS))
            return
        k = kinds[0]
        if k == "capi":
            return self.capi_action(a, path, handlers)
        allowed = {"call": {"call", "args", "kwargs", "store"},
                   "api": {"api", "args", "kwargs"},
                   "gen": {"gen", "op", "value", "store"},
                   "delete": {"delete"},
                   "settrace": {"settrace"}, "setprofile": {"setprofile"},
                   "frame": {"frame"}}[k]
        self.keys(a, allowed, path, ("op",) if k == "gen" else ())
        if k in ("settrace", "setprofile"):
            if a[k] is not None and self.typ(a[k], str, "%s.%s" % (path, k), "a trace function name or null") \
                    and a[k] not in self.trace_names:
                self.err("%s.%s" % (path, k), "no trace function %r" % a[k])
            return
        if k == "frame":
            f = a[k]
            if self.typ(f, dict, path + ".frame", "an object") and f:
                self.keys(f, FRAME_ATTRS, path + ".frame")
                for attr in ("f_trace_lines", "f_trace_opcodes"):
                    if attr in f:
                        self.typ(f[attr], bool, "%s.frame.%s" % (path, attr), "a boolean")
                t = f.get("f_trace")
                if t is not None and self.typ(t, str, path + ".frame.f_trace", "a trace function name or null") \
                        and t not in self.trace_names:
                    self.err(path + ".frame.f_trace", "no trace function %r" % t)
            elif isinstance(f, dict):
                self.err(path + ".frame", "names no frame attribute")
            return
        if self.typ(a[k], str, "%s.%s" % (path, k), "a string"):
            if k == "api" and a[k] not in API:
                self.err(path + ".api", "unknown API function %r" % a[k])
        if k == "gen" and "op" in a and a["op"] not in GEN_OPS:
            self.err(path + ".op", "op must be one of %s" % ", ".join(GEN_OPS))
        if "args" in a and self.typ(a["args"], list, path + ".args", "a list"):
            self.literal(a["args"], path + ".args", handlers)
        if "kwargs" in a and self.typ(a["kwargs"], dict, path + ".kwargs", "an object"):
            for kk, x in a["kwargs"].items():
                self.literal(x, "%s.kwargs.%s" % (path, kk), handlers)
        if "value" in a:
            self.literal(a["value"], path + ".value", handlers)
        if "store" in a:
            self.typ(a["store"], str, path + ".store", "a variable name")

    def capi_action(self, a, path, handlers):
        op = a["capi"]
        if not isinstance(op, str) or op not in capi.OPS:
            self.err(path + ".capi", "must be one of %s" % ", ".join(capi.OPS))
            return
        if op == "exit":
            self.keys(a, {"capi"}, path)
            return
        ev = a.get("event")
        args = capi.FIRE[ev][1] if op == "fire" and isinstance(ev, str) and ev in capi.FIRE else ()
        if op == "enter":
            self.keys(a, {"capi", "codelike", "events"}, path, ("codelike", "events"))
        else:
            self.keys(a, {"capi", "codelike", "event", "index", "offset"} | set(args), path,
                      ("codelike", "event") + (("line",) if ev == "LINE" else ()))
        name = a.get("codelike")
        if "codelike" in a and self.typ(name, str, path + ".codelike", "a code-like name") \
                and name not in self.codelikes:
            self.err(path + ".codelike", "no code-like %r in scenario.capi" % name)
        states = self.codelikes.get(name) if isinstance(name, str) else None
        if op == "enter" and "events" in a:
            evs = a["events"]
            if self.typ(evs, list, path + ".events", "a list of event names"):
                for i, n in enumerate(evs):
                    p = "%s.events[%d]" % (path, i)
                    if self.typ(n, str, p, "an event name"):
                        problem = capi.scope_problem(n)
                        if problem:
                            self.err(p, problem)
                if states is not None and len(evs) > states:
                    # PyMonitoring_EnterScope writes one state per event.
                    self.err(path + ".events", "%d events for %d states" % (len(evs), states))
        if op == "fire":
            if "event" in a and self.typ(ev, str, path + ".event", "an event name"):
                problem = capi.fire_problem(ev)
                if problem:
                    self.err(path + ".event", problem)
            for k in ("index", "offset"):
                if k in a:
                    self.typ(a[k], int, "%s.%s" % (path, k), "an integer")
            for k in args:
                if k in a:
                    self.literal(a[k], "%s.%s" % (path, k), handlers)

    def clauses(self, v, path, handlers, when=_WHEN):
        items = v if isinstance(v, list) else [v]
        for i, c in enumerate(items):
            p = "%s[%d]" % (path, i) if isinstance(v, list) else path
            if not self.typ(c, dict, p, "a callback clause object"):
                continue
            self.keys(c, _CLAUSE, p)
            if "return" in c and "raise" in c:
                self.err(p, "'return' and 'raise' are exclusive")
            if "return" in c:
                self.literal(c["return"], p + ".return", handlers)
            if "raise" in c and self.typ(c["raise"], dict, p + ".raise", "an object"):
                self.keys(c["raise"], {"type", "args"}, p + ".raise", ("type",))
                self.typ(c["raise"].get("type"), str, p + ".raise.type", "an exception type name")
                if "args" in c["raise"] and self.typ(c["raise"]["args"], list, p + ".raise.args", "a list"):
                    self.literal(c["raise"]["args"], p + ".raise.args", handlers)
            if "actions" in c and self.typ(c["actions"], list, p + ".actions", "a list"):
                for j, a in enumerate(c["actions"]):
                    self.action(a, "%s.actions[%d]" % (p, j), handlers)
            w = c.get("when")
            if w is not None and self.typ(w, dict, p + ".when", "an object"):
                self.keys(w, when, p + ".when")
                if "events" in w and self.typ(w["events"], list, p + ".when.events", "a list of trace events"):
                    for j, n in enumerate(w["events"]):
                        if n not in LEGACY_EVENTS:
                            self.err("%s.when.events[%d]" % (p, j), "unknown trace event %r" % (n,))
                for k in ("nth", "lines", "offsets"):
                    if k in w:
                        self.ints(w[k], "%s.when.%s" % (p, k))
                if "from_nth" in w:
                    self.typ(w["from_nth"], int, p + ".when.from_nth", "an integer")
                if "functions" in w:
                    self.strs(w["functions"], p + ".when.functions")

    def tool(self, tid, spec, path, handlers):
        if not self.typ(spec, dict, path, "a tool object"):
            return
        self.keys(spec, _TOOL, path)
        if "name" in spec:
            self.typ(spec["name"], str, path + ".name", "a string")
        for k in ("use", "auto_callbacks"):
            if k in spec:
                self.typ(spec[k], bool, "%s.%s" % (path, k), "a boolean")
        if "events" in spec:
            self.event_names(spec["events"], path + ".events")
        if "local" in spec and self.typ(spec["local"], dict, path + ".local", "an object"):
            for fn, names in spec["local"].items():
                self.event_names(names, "%s.local.%s" % (path, fn))
        if "callbacks" in spec and self.typ(spec["callbacks"], dict, path + ".callbacks", "an object"):
            for ev, cl in spec["callbacks"].items():
                p = "%s.callbacks.%s" % (path, ev)
                if ev not in BY_NAME:
                    self.err(p, "unknown event %r on this interpreter" % ev)
                self.clauses(cl, p, handlers)

    def scenario(self, doc):
        if not self.typ(doc, dict, "scenario", "an object"):
            return
        self.keys(doc, _TOP, "scenario", ("id", "program", "steps"))
        if "id" in doc:
            self.typ(doc["id"], str, "scenario.id", "a string")
        if "description" in doc:
            self.typ(doc["description"], str, "scenario.description", "a string")
        if "meta" in doc:
            self.typ(doc["meta"], dict, "scenario.meta", "an object")
        if "program" in doc:
            self.typ(doc["program"], str, "scenario.program", "a string")
        handlers = doc.get("handlers") if isinstance(doc.get("handlers"), dict) else {}
        cls = doc.get("capi")
        if "capi" in doc and self.typ(cls, dict, "scenario.capi", "an object"):
            for name, spec in cls.items():
                p = "scenario.capi." + name
                if name in ("", "?"):
                    self.err(p, "a code-like needs a name (\"?\" stands for unknown ones)")
                if not self.typ(spec, dict, p, "a code-like object"):
                    continue
                self.keys(spec, _CODELIKE, p, ("states",))
                n = spec.get("states")
                self.codelikes[name] = None  # declared (its actions are checked) even if invalid
                if "states" in spec and self.typ(n, int, p + ".states", "an integer"):
                    if not 1 <= n <= MAX_STATES:
                        self.err(p + ".states", "must be 1 to %d" % MAX_STATES)
                    else:
                        self.codelikes[name] = n
                if "version" in spec:
                    self.typ(spec["version"], str, p + ".version", "a version cell name")
        tfs = doc.get("trace_functions")
        if "trace_functions" in doc and self.typ(tfs, dict, "scenario.trace_functions", "an object"):
            self.trace_names = set(tfs)
            for name, cl in tfs.items():
                self.clauses(cl, "scenario.trace_functions.%s" % name, handlers, _TRACE_WHEN)
        if "handlers" in doc and self.typ(doc["handlers"], dict, "scenario.handlers", "an object"):
            for name, cl in doc["handlers"].items():
                self.clauses(cl, "scenario.handlers.%s" % name, handlers)
        if "tools" in doc and self.typ(doc["tools"], dict, "scenario.tools", "an object"):
            for tid, spec in doc["tools"].items():
                p = "scenario.tools.%s" % tid
                if tid not in ("0", "1", "2", "3", "4", "5"):
                    self.err(p, "tool ids are \"0\" to \"5\"")
                self.tool(tid, spec, p, handlers)
        if "steps" in doc and self.typ(doc["steps"], list, "scenario.steps", "a list"):
            for i, a in enumerate(doc["steps"]):
                self.action(a, "scenario.steps[%d]" % i, handlers)

    def options(self, opts):
        if opts is None:
            return
        if not self.typ(opts, dict, "options", "an object"):
            return
        self.keys(opts, set(OPTION_DEFAULTS), "options")
        for k in ("probe", "record", "instruction", "stack", "gc", "instructions_by_key",
                  "compact_events"):
            if k in opts:
                self.typ(opts[k], bool, "options." + k, "a boolean")
        for k, lo in (("max_records", 1), ("stdout_limit", 0), ("repr_limit", 16)):
            if k in opts and self.typ(opts[k], int, "options." + k, "an integer") and opts[k] < lo:
                self.err("options." + k, "must be at least %d" % lo)
        pt = opts.get("probe_tool")
        if pt is not None and (not isinstance(pt, int) or isinstance(pt, bool) or not 0 <= pt <= 5):
            self.err("options.probe_tool", "must be null or an integer 0-5")


def actions_of(doc):
    """Every action of a valid scenario: steps, then the clauses' actions (tools,
    handlers, trace functions)."""
    out = list(doc.get("steps", []))
    specs = [cl for t in doc.get("tools", {}).values() for cl in t.get("callbacks", {}).values()]
    specs += list(doc.get("handlers", {}).values()) + list(doc.get("trace_functions", {}).values())
    for spec in specs:
        for c in spec if isinstance(spec, list) else [spec]:
            out.extend(c.get("actions", []))
    return out


# A run request's diagnostics ([{path, message}], empty when valid) are the scenario's
# and the options' (runner._diagnostics keeps the scenario's for an equal document).
def validate_scenario(doc):
    c = Checker()
    c.scenario(doc)
    return c.diags


def validate_options(options):
    c = Checker()
    c.options(options)
    return c.diags


def effective_options(options):
    o = dict(OPTION_DEFAULTS)
    o.update(options or {})
    return o
