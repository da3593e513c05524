"""The variants (which tools, how each one gets the event, who returns DISABLE) and
the prediction of what each tool receives, from the documented rules."""
from .programs import C_EVENTS, PROGRAMS


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
    # C_RETURN/C_RAISE follow CALL: "local" = CALL|C_RETURN|C_RAISE set locally (§6.2, §3.3).
    return True if event in C_EVENTS else spec.local(event, v)


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
                break  # the dispatch of this occurrence stops (§9.4, §10.5)
            else:
                raise ValueError("unknown disable rule %r" % rule)
    # Inexact programs (match: contains) list one event per group; can the unlisted
    # ones still reach the tool at the end? A DISABLEd site does not stop the other
    # instructions of its line; an unregistered callback or a cleared local bit does.
    alive = {t.id: any(receives(t, o, ignore_sites=(rule == "site")) for o in prog["occs"])
             for t in tools}
    return deliveries, results, rule, alive
