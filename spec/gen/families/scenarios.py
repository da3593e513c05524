"""One scenario per (event, variant, version): its metadata, program, tools, steps and
expectations, and the set_local_events refusals."""
from .prediction import predict
from .programs import AREA, C_EVENTS, PROGRAMS
from .rendering import Scenario, code_marker, events_marker, pattern, ys


def tool_lines(spec, event, t, v):
    lines = ["name: " + {"global": "global", "local": "local", "both": "global-and-local"}[t.mode]
             + ("-disabler" if t.disabler else "")]
    if t.is_global:
        lines.append("events: " + ys(setting(event)))
    if event in C_EVENTS:
        lines.append("auto_callbacks: false   # no CALL callback: C events follow CALL anyway")
    if t.disabler:
        lines += ["callbacks:",
                  "  %s:" % event,
                  "    - when: {nth: 1}            # its first call only",
                  "      return: {$: DISABLE}"]
    else:
        lines.append("callbacks: {%s: []}" % event)
    return lines


def setting(event):
    return ["CALL", "C_RETURN", "C_RAISE"] if event in C_EVENTS else [event]


def who(tools):
    parts = []
    for t in tools:
        where = {"global": "globally", "local": "locally on f", "both": "globally and locally on f"}[t.mode]
        parts.append("tool %d %s" % (t.id, where))
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# The documentation clauses (spec/clauses.yaml) a family scenario checks, cited as
# "doc: <id>". They depend on the event and the variant only, so that versions whose
# scenarios are otherwise identical still share one file. 3.15's local exception
# events get none: the seed documentation (3.12-3.14) does not describe them.
EVENT_CLAUSES = {
    "PY_START": ["events.py-start"], "PY_RESUME": ["events.py-resume"],
    "PY_RETURN": ["events.py-return"], "PY_YIELD": ["events.py-yield"], "CALL": ["events.call"],
    "LINE": ["events.line"], "INSTRUCTION": ["events.instruction"], "JUMP": ["events.jump"],
    "BRANCH": ["events.branch"], "BRANCH_LEFT": ["events.branch-left"],
    "BRANCH_RIGHT": ["events.branch-right"], "STOP_ITERATION": ["events.stop-iteration"],
    "RAISE": ["events.raise"], "EXCEPTION_HANDLED": ["events.exception-handled"],
    "PY_UNWIND": ["events.py-unwind"], "PY_THROW": ["events.py-throw"], "RERAISE": ["events.reraise"],
    "C_RETURN": ["events.c-return"], "C_RAISE": ["events.c-raise"],
}


def doc_clauses(event, variant, disabling, rule, multi, local_tools):
    if (disabling and rule == "local") or (local_tools and event in (
            "RAISE", "EXCEPTION_HANDLED", "PY_UNWIND", "PY_THROW", "RERAISE")):
        return []
    out = list(EVENT_CLAUSES[event])
    if event in C_EVENTS:
        out.append("events.ancillary.controlled-by-call")
    if not disabling:
        if event == "BRANCH":
            out.append("events.branch.deprecated")
        out.append({"global": "events.global.set-events", "local": "events.local.set-local-events",
                    "3tools-mixed": "events.fire-once"}[variant])
        if multi:
            out += ["callbacks.once-global-and-local", "tools.multiple-at-once"]
    elif rule == "site":
        out += ["disable.location", "disable.other-locations", "events.local.all-disableable"]
        if event == "STOP_ITERATION":
            out.append("events.stop-iteration.locally-disableable")
        if event in ("BRANCH_LEFT", "BRANCH_RIGHT"):
            out.append("events.branch-left-right.independent")
        if multi:
            out.append("tools.independent")
    elif rule == "error" and event not in C_EVENTS:
        out.append("events.other.not-disableable")
    return out


def build(spec, event, variant, tools, v):
    prog = PROGRAMS[event]
    inexact = prog.get("inexact")
    sc = Scenario()
    disabling = any(t.disabler for t in tools)
    deliveries, results, rule, alive = predict(spec, event, tools, v)
    what = "CALL|C_RETURN|C_RAISE" if event in C_EVENTS else event
    local_tools = [t for t in tools if t.is_local]
    multi = len(tools) > 1

    # -- metadata
    refs = ["behaviour " + r.strip() for r in prog["refs"].split(",")]
    if event in C_EVENTS:
        refs = ["behaviour §6.2", "behaviour §3.3"]
    spec_refs = []
    feats = [event]
    if event in C_EVENTS:
        feats.append("CALL")
    if any(t.is_global for t in tools):
        feats.append("global-events")
    if local_tools:
        feats.append("local-events")
    if multi:
        feats.append("dispatch-order")
    if disabling:
        feats.append("disable")
    if AREA.get(event):
        feats.append(AREA[event])
    if disabling and rule == "error":
        feats.append("api-errors")
    if disabling and rule == "local" or (local_tools and event in ("RAISE", "EXCEPTION_HANDLED",
                                                                     "PY_UNWIND", "PY_THROW", "RERAISE")):
        feats.append("versions")
    sc.features = feats

    if not disabling:
        sc.comment = ("Checks that %s set %s is delivered once per occurrence%s."
                      % (event, {"global": "globally", "local": "locally on f only",
                                 "3tools-mixed": "by three tools in different ways"}[variant],
                         ", to every tool, highest id first" if multi else ""))
        if variant == "global":
            sc.description = ("With %s set globally for tool 2, %s delivers to it %s, each exactly once."
                              % (what, prog["run"], prog["occ_text"]))
            spec_refs = ["3.12 sys.monitoring §Events", "behaviour §9.1"]
        elif variant == "local":
            sc.description = ("With %s set only locally on f for tool 2, %s delivers to it %s, each exactly once, and nothing from g."
                              % (what, prog["run"], prog["occ_f_text"]))
            spec_refs = ["3.12 sys.monitoring §Local events (events set per code object)",
                         "behaviour §7.1, §7.4, §9.1"]
        else:
            sc.description = ("With %s set for %s, %s delivers %s to tools 4, 3 and 2 in that order, each exactly once (tool 4 has the event both globally and locally), and the occurrences in g to tools 4 and 2 only."
                              % (what, who(tools), prog["run"], prog["occ_f_text"]))
            spec_refs = ["3.12 sys.monitoring §Local events (an event triggers only once, even if set both globally and locally)",
                         "behaviour §9.1, §9.2"]
    else:
        d = next(t for t in tools if t.disabler)
        others = [t for t in tools if not t.disabler]
        head = ("With %s set for %s, tool %d returns DISABLE from its first %s callback; when %s, "
                % (what, who(tools), d.id, event, prog["run"]))
        if rule == "site":
            sc.comment = "Checks that DISABLE from %s turns that tool off at that one site only%s." % (
                event, " and never affects the other tools" if others else "")
            tail = ("the site of that first callback is never delivered to tool %d again, while %s keep being delivered"
                    % (d.id, "its other sites and every occurrence for the other tools" if others
                       else "its other sites"))
            if d.mode == "both":
                tail += " (DISABLE removes the site whether the event came from the global or the local set)"
            spec_refs = ["3.12 sys.monitoring §Disabling events (DISABLE disables the event for that code location and that tool only)",
                         "behaviour §10.1" + (", §10.2" if event in ("LINE", "INSTRUCTION", "JUMP", "BRANCH") else "")
                         + (", §10.4" if event == "STOP_ITERATION" else "")
                         + (", §10.3" if event in ("BRANCH_LEFT", "BRANCH_RIGHT") else "")
                         + (", §11.1" if d.mode == "both" else "")]
        elif rule == "error":
            sc.level = "implementation-defined"
            sc.comment = "Checks that %s cannot be disabled: DISABLE raises ValueError and unregisters the callback%s." % (
                event, ", and how that affects the other tools" if others else "")
            lower = [t for t in others if t.id < d.id]
            tail = ('that occurrence raises ValueError("%s") in place of its own outcome and tool %d\'s %s callback is unregistered, so it receives no later %s'
                    % (spec.message("cannot_disable", v, name=event), d.id, event, event))
            if lower:
                tail += ("; the dispatch of that occurrence stops there, so tool %s misses it but receives every later one"
                         % " and ".join(str(t.id) for t in lower))
            elif others:
                tail += "; the other tools receive every occurrence"
            if "after_error_text" in prog:
                tail += "; " + prog["after_error_text"]
            spec_refs = ["3.13 sys.monitoring §Disabling events (events that are not local events cannot be disabled)",
                         "behaviour %s, §9.4" % ("§10.5" if event in C_EVENTS else "§10.6"),
                         "spec/errors.yaml cannot_disable; spec/events.yaml disable: error"]
            if "after_error_text" in prog:
                spec_refs[1] += ", §9.6"
        else:  # local (3.15 exception events)
            if d.is_local:
                sc.comment = "Checks that on 3.15 DISABLE from a locally set %s clears it from the tool's local events of that code object, without error." % event
            else:
                sc.comment = "Checks that on 3.15 DISABLE from a globally set %s raises no error and changes nothing." % event
            if d.mode == "local":
                tail = ("no error is raised and %s is cleared from tool %d's local events of f, so it receives no later %s in f, while %s"
                        % (event, d.id, event, "the other tools receive every occurrence" if others
                           else "the callback stays registered"))
            elif d.mode == "both":
                tail = ("no error is raised and %s is cleared from tool %d's local events of f, but its global set keeps delivering every later occurrence to it"
                        % (event, d.id))
            else:
                tail = ("no error is raised, the callback stays registered and every later occurrence is still delivered to it (the 3.15 documentation says the event is then disabled for the whole code object; per FINDINGS F5/F8 DISABLE only clears a local bit, see also disable-global-raise-3.15)")
            sc.level = "must" if d.is_local else "implementation-defined"
            spec_refs = ["3.15 sys.monitoring §Local events (non-instrumented local events: DISABLE disables the event for the entire code object, for the current tool; gh-142186)",
                         "FINDINGS F5 (statement 4)" + (", F8" if not d.is_local or d.mode == "both" else ""),
                         "spec/events.yaml disable: local"]
        sc.description = head + tail + "."
    if local_tools and event in ("RAISE", "EXCEPTION_HANDLED", "PY_UNWIND", "PY_THROW", "RERAISE"):
        spec_refs.append("FINDINGS F5 (statements 1-3: 3.15 exception events may be set locally)")
    if event in C_EVENTS:
        spec_refs.append("3.12 sys.monitoring §Ancillary events (C_RETURN and C_RAISE are controlled by CALL)")
    if event == "BRANCH":
        spec_refs.append("3.14 sys.monitoring §Deprecated event (BRANCH: BRANCH_LEFT|BRANCH_RIGHT through a legacy handler)")
    if event == "STOP_ITERATION":
        spec_refs.append("3.13 sys.monitoring §STOP_ITERATION (RAISE(StopIteration) is equivalent)")
    sc.spec = spec_refs + refs
    sc.spec += ["doc: " + c for c in doc_clauses(event, variant, disabling, rule, multi, local_tools)]
    if inexact:
        sc.expect_note = "Note: " + inexact + "."

    # -- program, tools, steps
    sc.program = prog["text"]
    for t in sorted(tools, key=lambda t: t.id):
        sc.tools.append((t.id, tool_lines(spec, event, t, v)))
    setup = [t for t in sorted(tools, key=lambda t: t.id) if t.is_local]
    for t in setup:
        sc.steps.append(({"api": "set_local_events",
                          "args": [t.id, code_marker("f"), events_marker(setting(event))]},
                         ": tool %d, locally on f" % t.id))
    n0 = len(setup)
    if setup:
        sc.steps_note = ("Local events are set by the first steps, once every tool (and monsim's probe) has "
                         "its global events, so that f's code object is instrumented with all of its tools at "
                         "once (a code object instrumented for one tool that gains a second one later drops the "
                         "INSTRUCTION tools it had, FINDINGS F4).")
    sc.steps += [(s, "") for s in prog["steps"]]

    # -- expect
    ex = []
    if inexact:
        ex.append("match: contains")
    ex.append("scope: {events: [%s]}" % event)
    ex.append("deliveries:")
    for tid, o, res in deliveries:
        r = res if (disabling and any(t.id == tid and t.disabler for t in tools)) else None
        ex.append("  - " + ys(pattern(tid, event, o, r)))
    if not deliveries:
        ex[-1] = "deliveries: []"
    if inexact:
        absent = []
        fns = []
        for o in PROGRAMS[event]["occs"]:
            if o.fn not in fns:
                fns.append(o.fn)
        for t in sorted(tools, key=lambda t: -t.id):
            got = [(o, res) for tid, o, res in deliveries if tid == t.id]
            if not got:
                absent.append({"tool": t.id, "event": event})
                continue
            if all(res == "disable" for _, res in got) and not alive[t.id]:
                absent.append({"tool": t.id, "event": event, "result": "returned"})
            for fn in fns:
                if not any(o.fn == fn for o, _ in got):
                    absent.append({"tool": t.id, "event": event, "function": fn})
        if absent:
            ex.append("absent:")
            ex += ["  - " + ys(a) for a in absent]
    ex.append("steps:")
    for t in setup:
        ex.append("  - " + ys({"step": setup.index(t), "result": None}))
    for k in sorted(results):
        ex.append("  - " + ys({"step": n0 + k, "result": results[k]}))
    sc.expect = ex
    return sc


def build_refused(spec, event, v):
    """set_local_events with an event that may not be set locally."""
    sc = Scenario()
    sc.level = "implementation-defined"
    sc.program = "def f():\n    return 1\n"
    sc.tools = [(2, ["name: t"])]
    code = code_marker("f")
    line = spec.bit("LINE", v)
    if event in C_EVENTS:
        msg = spec.message("c_events_not_paired", v)
        typ = spec.error_type("c_events_not_paired")
        call_bit = spec.bit("CALL", v)
        sc.comment = "Checks that %s cannot be set without CALL and C_%s, globally or locally." % (
            event, "RAISE" if event == "C_RETURN" else "RETURN")
        other = "C_RAISE" if event == "C_RETURN" else "C_RETURN"
        sc.description = ("%s alone, or with CALL but without %s, is refused by set_events and set_local_events with %s(\"%s\") and leaves the sets at 0; CALL|C_RETURN|C_RAISE is accepted locally and reads back as CALL."
                          % (event, other, typ, msg))
        sc.steps = [
            ({"api": "set_events", "args": [2, events_marker([event])]}, ""),
            ({"api": "set_local_events", "args": [2, code, events_marker([event])]}, ""),
            ({"api": "set_local_events", "args": [2, code, events_marker(["CALL", event])]}, ""),
            ({"api": "get_events", "args": [2]}, ""),
            ({"api": "get_local_events", "args": [2, code]}, ""),
            ({"api": "set_local_events", "args": [2, code, events_marker(["CALL", "C_RETURN", "C_RAISE"])]}, ""),
            ({"api": "get_local_events", "args": [2, code]}, ""),
        ]
        sc.expect = ["steps:"] + ["  - " + ys(x) for x in [
            {"step": 0, "raises": typ, "message": msg},
            {"step": 1, "raises": typ, "message": msg},
            {"step": 2, "raises": typ, "message": msg},
            {"step": 3, "result": 0},
            {"step": 4, "result": 0},
            {"step": 5, "result": None},
            {"step": 6, "result": 1 << call_bit},
        ]]
        sc.spec = ["3.12 sys.monitoring §Ancillary events (C_RETURN and C_RAISE are controlled by CALL)",
                   "behaviour §6.2, §7.1, §7.2", "spec/errors.yaml c_events_not_paired"]
        sc.spec += ["doc: events.ancillary.controlled-by-call"]
        sc.features = [event, "CALL", "ancillary", "local-events", "global-events", "api-errors"]
        return sc
    bit = spec.bit(event, v)
    typ = spec.error_type("invalid_local_event_set")
    msg1 = spec.message("invalid_local_event_set", v, set="0x%x" % (1 << bit))
    msg2 = spec.message("invalid_local_event_set", v, set="0x%x" % ((1 << bit) | (1 << line)))
    sc.comment = "Checks that %s may not be set locally on this version, with the exact error." % event
    sc.description = ('set_local_events with %s (bit %d) raises %s("%s"), with LINE|%s raises %s("%s"), and the local set of f stays 0.'
                      % (event, bit, typ, msg1, event, typ, msg2))
    sc.steps = [
        ({"api": "set_local_events", "args": [2, code, events_marker([event])]}, ""),
        ({"api": "set_local_events", "args": [2, code, events_marker(["LINE", event])]}, ""),
        ({"api": "get_local_events", "args": [2, code]}, ""),
    ]
    sc.expect = ["steps:"] + ["  - " + ys(x) for x in [
        {"step": 0, "raises": typ, "message": msg1},
        {"step": 1, "raises": typ, "message": msg2},
        {"step": 2, "result": 0},
    ]]
    sc.spec = ["3.12 sys.monitoring §Local events (only the local events may be set per code object)",
               "behaviour §7.1, §7.2", "spec/errors.yaml invalid_local_event_set",
               "spec/events.yaml local", "doc: events.local.list"]
    if event in ("RAISE", "EXCEPTION_HANDLED", "PY_UNWIND", "PY_THROW"):
        sc.spec.append("doc: events.other.list")
    sc.features = [event, "local-events", "api-errors", "versions"]
    if event in AREA:
        sc.features.insert(1, AREA[event])
    return sc
