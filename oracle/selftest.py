"""Oracle self-test: stdlib only, spawns nothing, runs on every interpreter.

    python3 oracle/selftest.py
    node oracle/pyodide/runner.mjs --pyodide 314 oracle/selftest.py

For every example scenario: schema-valid scenario and result, determinism
(two runs, identical traces), observer independence (records other than
probe events identical without the probe), plus one behavioural check per
example that holds on every version. Then protocol, isolation and error
handling checks. Exit status 1 when anything fails.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from monsim_oracle import protocol, runner  # noqa: E402
from monsim_oracle.events import BRANCH_IS_ALIAS  # noqa: E402
from monsim_oracle.recorder import REAL_API  # noqa: E402


class Schema:
    """The JSON Schema subset the oracle's schemas use (2020-12 keywords)."""

    def __init__(self, folder):
        self.folder = folder
        self.docs = {}

    def doc(self, name):
        if name not in self.docs:
            with open(os.path.join(self.folder, name)) as f:
                self.docs[name] = json.load(f)
        return self.docs[name]

    def errors(self, inst, name):
        errs = []
        self._check(inst, self.doc(name), name, "$", errs)
        return errs

    def _check(self, x, s, base, path, errs):
        if "$ref" in s:
            file, _, frag = s["$ref"].partition("#")
            base = file or base
            target = self.doc(base)
            for part in [p for p in frag.split("/") if p]:
                target = target[part]
            self._check(x, target, base, path, errs)
        t = s.get("type")
        if t is not None and not any(_is(x, tt) for tt in (t if isinstance(t, list) else [t])):
            errs.append("%s: expected %s, got %s" % (path, t, type(x).__name__))
            return
        if "const" in s and not _eq(x, s["const"]):
            errs.append("%s: expected %r" % (path, s["const"]))
        if "enum" in s and not any(_eq(x, e) for e in s["enum"]):
            errs.append("%s: %r not in %r" % (path, x, s["enum"]))
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            if "minimum" in s and x < s["minimum"]:
                errs.append("%s: below %r" % (path, s["minimum"]))
            if "maximum" in s and x > s["maximum"]:
                errs.append("%s: above %r" % (path, s["maximum"]))
        if isinstance(x, str) and "pattern" in s and not re.search(s["pattern"], x):
            errs.append("%s: does not match %r" % (path, s["pattern"]))
        if isinstance(x, dict):
            for k in s.get("required", ()):
                if k not in x:
                    errs.append("%s: missing %r" % (path, k))
            props = s.get("properties", {})
            extra = s.get("additionalProperties", True)
            for k, v in x.items():
                if k in props:
                    self._check(v, props[k], base, "%s.%s" % (path, k), errs)
                elif extra is False:
                    errs.append("%s: unexpected key %r" % (path, k))
                elif isinstance(extra, dict):
                    self._check(v, extra, base, "%s.%s" % (path, k), errs)
                if "propertyNames" in s:
                    self._check(k, s["propertyNames"], base, "%s{%s}" % (path, k), errs)
        if isinstance(x, list) and "items" in s:
            for i, v in enumerate(x):
                self._check(v, s["items"], base, "%s[%d]" % (path, i), errs)
        for key in ("oneOf", "anyOf"):
            if key in s:
                results = []
                for sub in s[key]:
                    e = []
                    self._check(x, sub, base, path, e)
                    results.append(e)
                ok = sum(1 for e in results if not e)
                if (key == "oneOf" and ok != 1) or (key == "anyOf" and ok == 0):
                    best = min(results, key=len) if ok == 0 else []
                    errs.append("%s: %d of %s matched%s" % (path, ok, key, ("; e.g. " + best[0]) if best else ""))
        if "not" in s:
            e = []
            self._check(x, s["not"], base, path, e)
            if not e:
                errs.append("%s: matches a forbidden schema" % path)


def _is(x, t):
    return {"object": lambda: isinstance(x, dict), "array": lambda: isinstance(x, list),
            "string": lambda: isinstance(x, str), "null": lambda: x is None,
            "boolean": lambda: isinstance(x, bool),
            "integer": lambda: isinstance(x, int) and not isinstance(x, bool),
            "number": lambda: isinstance(x, (int, float)) and not isinstance(x, bool)}[t]()


def _eq(a, b):
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


# -- helpers over traces ---------------------------------------------------------

def deliveries(trace, **where):
    return [r for r in trace["records"] if r["kind"] == "delivery"
            and all(r.get(k) == v for k, v in where.items())]


def steps(trace):
    """index -> the records between step i and its step_end (inclusive)."""
    out, cur = {}, None
    for r in trace["records"]:
        if r["kind"] == "step":
            cur = out.setdefault(r["index"], [])
        if cur is not None:
            cur.append(r)
    return out


def step_end(trace, i):
    return [r for r in trace["records"] if r["kind"] == "step_end" and r["index"] == i][0]


def without_probe(trace):
    """The records a probe-less run must reproduce: everything but probe events (also
    those nested in a callback's calls by a C-API fire), with the probe's own bit masked
    out of _all_events() results and of the active state a C-API fire returns."""
    bit = 1 << trace["probe_tool"] if trace["probe_tool"] is not None else 0

    def clean(records):
        out = []
        for r in records:
            if r["kind"] == "event":
                continue
            if r["kind"] == "api" and r["fn"] == "_all_events" and isinstance(r.get("value"), dict):
                r = dict(r, value={k: v & ~bit for k, v in r["value"].items() if v & ~bit})
                r.pop("result")
            if r["kind"] == "api" and r["fn"].startswith("PyMonitoring_Fire") and type(r.get("value")) is int:
                r = dict(r, value=r["value"] & ~bit)
                r.pop("result")
            if "calls" in r:
                r = dict(r, calls=clean(r["calls"]))
                if not r["calls"]:
                    del r["calls"]
            out.append(r)
        return out

    out = clean(trace["records"])
    # step_end of an _all_events step repeats the dict's repr, of a fire step the state.
    masked = {r["index"] for r in trace["records"] if r["kind"] == "step"
              and (r["target"] == "_all_events" or (r["action"] == "capi" and r["target"] == "fire"))}
    return [dict(r, returned="masked") if r["kind"] == "step_end" and r["index"] in masked else r for r in out]


# -- one behavioural check per example (true on 3.12 to 3.15) ---------------------

def check_py_start_disable(t):
    s = steps(t)
    per_step = [sum(1 for r in s[i] if r["kind"] == "delivery" and r["code"].startswith("f@")) for i in (0, 1, 4)]
    assert per_step == [1, 0, 1], per_step
    assert [r["code"] for r in s[2] if r["kind"] == "delivery"] == ["g@4"]
    if t["probe_tool"] is not None:
        probe = [sum(1 for r in s[i] if r["kind"] == "event" and r["event"] == "PY_START") for i in (0, 1, 4)]
        assert probe == [1, 1, 1], probe


def check_line_local(t):
    d = deliveries(t)
    assert {r["code"] for r in d} == {"f@4"} and [r["line"] for r in d] == [5, 6, 7], d
    assert step_end(t, 1)["returned"]["repr"] != "0" and step_end(t, 2)["returned"]["repr"] == "0"


def check_two_tools_order(t):
    d = deliveries(t)
    assert len(d) == 8 and [r["tool"] for r in d] == [3, 0] * 4, [r["tool"] for r in d]


def check_callback_raises(t):
    assert step_end(t, 0)["raised"]["type"] == "ValueError"
    assert step_end(t, 1)["returned"]["repr"] == "'caught from callback'"
    line3 = [r["tool"] for r in deliveries(t, event="LINE", line=3)]
    assert line3 == [3, 3], line3  # the witness (tool 1) never sees the raising occurrence
    assert any(r["event"] == "EXCEPTION_HANDLED" for r in deliveries(t, tool=1))


def check_c_return_gated_by_call(t):
    assert not deliveries(t, tool=4)
    ev2 = [r["event"] for r in deliveries(t, tool=2)]
    assert ev2 == ["CALL", "C_RETURN", "CALL", "C_RAISE"], ev2
    ev3 = [r["event"] for r in deliveries(t, tool=3)]
    assert ev3 == ["CALL", "C_RETURN", "CALL"], ev3


def check_generator_stop_iteration(t):
    stop = deliveries(t, event="STOP_ITERATION")
    assert [(r["code"], r["exc"]["args"][0]["repr"]) for r in stop] == [("deleg@8", "'done'")], stop
    assert step_end(t, 1)["returned"]["repr"] == "[0, 1]"
    throws = [r["exc"]["type"] for r in deliveries(t, event="PY_THROW")]
    # close(): 3.12 throws GeneratorExit in (PY_THROW...); 3.13+ only when it must (12.7).
    assert throws[0] == "KeyError" and set(throws[1:]) <= {"GeneratorExit"}, throws
    assert step_end(t, 6)["raised"]["type"] == "KeyError"
    yields = [r["value"]["repr"] for r in deliveries(t, event="PY_YIELD", code="gen@1")]
    assert yields[2:5] == ["0", "'x'", "1"], yields


def check_for_loop_observer_effect(t):
    got = [(r["event"], r["exc"]["type"]) for r in deliveries(t)]
    if t["probe_tool"] is None:
        assert got == [("STOP_ITERATION", "StopIteration")] * 2, got
    else:
        assert got == [("RAISE", "StopIteration")], got


def check_set_events_from_callback(t):
    s = steps(t)
    lines0 = [r["line"] for r in s[0] if r["kind"] == "delivery" and r["event"] == "LINE"]
    lines1 = [r["line"] for r in s[1] if r["kind"] == "delivery" and r["event"] == "LINE"]
    assert lines0 == [2, 3] and lines1 == [], (lines0, lines1)
    calls = [c["fn"] for r in s[0] if r["kind"] == "delivery" for c in r.get("calls", [])]
    assert calls == ["set_events", "set_events", "get_events"], calls


def check_invalid_api_calls(t):
    msgs = {r["index"]: r.get("raised", {}).get("message") for r in t["records"] if r["kind"] == "step_end"}
    assert msgs[0] == "invalid tool 6 (must be between 0 and 5)", msgs[0]
    assert msgs[1] == "tool name must be a str"
    assert msgs[4] == "tool 1 is not in use"
    assert msgs[6] == "invalid event set 0xffffffff"
    assert msgs[7] == "cannot set C_RETURN or C_RAISE events independently"
    assert msgs[8] == "code must be a code object"
    assert msgs[10] == msgs[11] == "The callback can only be set for one event at a time"
    assert step_end(t, 13)["returned"]["repr"] == "<handler:quiet>"
    if "clear_tool_id" in REAL_API:
        assert "returned" in step_end(t, 14)
    else:
        assert step_end(t, 14)["raised"]["type"] == "AttributeError"
    assert step_end(t, 18)["returned"]["repr"] == "'tool 4 is already in use'"
    prog = [r for r in t["records"] if r["kind"] == "api" and r["by"] == "program"]
    assert [r["fn"] for r in prog] == ["use_tool_id", "use_tool_id", "free_tool_id"]
    # The API shim is invisible at the call site: the callable looks like the builtin.
    for r in t["records"]:
        if r["kind"] == "event" and r["event"] in ("CALL", "C_RETURN", "C_RAISE"):
            assert r["callable"]["type"] in ("builtin_function_or_method", "type"), r


def check_program_callbacks(t):
    assert step_end(t, 2)["returned"]["repr"].startswith("(True, [14, 17, 18, 17,"), step_end(t, 2)
    d = deliveries(t, tool=3)
    assert all(r["callback"] == "<function cb>" for r in d)
    assert [r["returned"].get("marker") for r in d].count("DISABLE") == 1


def check_close_observer_effect(t):
    got = [(r["event"], r["exc"]["type"]) for r in deliveries(t)]
    v = sys.version_info[:2]
    if v == (3, 13):
        assert got == [], got
    elif v == (3, 12) or t["probe_tool"] is not None:
        assert got == [("PY_THROW", "GeneratorExit"), ("RAISE", "GeneratorExit")], got
    else:
        assert got == [], got


def check_legacy_branch_observer_effect(t):
    n = len(deliveries(t))
    assert n == (3 if BRANCH_IS_ALIAS and t["probe_tool"] is not None else 1), n


def check_legacy_hooks(t):
    calls = [(r["hook"], r["event"], r["code"].split("@")[0], r["callback"])
             for r in t["records"] if r["kind"] == "legacy"]
    assert calls == [
        ("trace", "call", "f", "trace:T"), ("profile", "call", "f", "profile:P"),
        ("trace", "line", "f", "trace:L"), ("trace", "call", "g", "trace:T"),
        ("profile", "call", "g", "profile:P"), ("profile", "c_call", "g", "profile:P"),
        ("profile", "c_return", "g", "profile:P"), ("profile", "return", "g", "profile:P"),
        ("trace", "line", "f", "trace:L"), ("trace", "return", "f", "trace:L"),
        ("profile", "return", "f", "profile:P")], calls
    fns = [r["fn"] for r in t["records"] if r["kind"] == "api"]
    assert fns == ["settrace", "setprofile", "settrace", "setprofile"], fns


def _raise_event():
    return sys.monitoring.events.RAISE.bit_length() - 1  # 10 on 3.13, 11 on 3.14+


def check_capi_fire_testcapi(t):
    bit = 1 << t["probe_tool"] if t["probe_tool"] is not None else 0
    s = steps(t)
    got = [[(r["event"], r["code"], r["offset"], r["line"], r.get("exc", {}).get("type"), r["returned"].get("marker"))
            for r in s[i] if r["kind"] == "delivery"] for i in (1, 2, 3, 6)]
    assert got == [[("PY_START", "capi:cl", 0, None, None, None)], [("LINE", "capi:cl", None, 7, None, "DISABLE")],
                   [], [("RAISE", "capi:cl", 0, None, "KeyError", None)]], got
    fires = {i: [r for r in s[i] if r["kind"] == "api"][0] for i in (1, 2, 3, 6)}
    # The state afterwards: tool 0's bit (cleared by DISABLE) and the probe's.
    assert [(fires[i]["fn"], fires[i]["value"]) for i in (1, 2, 3, 6)] == [
        ("PyMonitoring_FirePyStartEvent", 1 | bit), ("PyMonitoring_FireLineEvent", bit),
        ("PyMonitoring_FireLineEvent", bit), ("PyMonitoring_FireRaiseEvent", 1 | bit)], fires
    assert s[1][-2] is fires[1]  # recorded after the delivery the fire made
    assert [r["code"] for r in s[4] if r["kind"] == "delivery"] == ["f@1", "f@1"]
    assert step_end(t, 5)["raised"]["message"] == "Firing event %d with no exception set" % _raise_event()
    assert t["codes"]["capi:cl"] == {"qualname": "cl", "firstlineno": 0, "origin": "capi"}
    if t["probe_tool"] is not None:
        ev = [(r["event"], r["code"], r["depth"]) for i in (1, 2, 3) for r in s[i] if r["kind"] == "event"]
        assert ev == [("PY_START", "capi:cl", 0), ("LINE", "capi:cl", 0), ("LINE", "capi:cl", 0)], ev


def check_capi_fire_extension(t):
    ends = {r["index"]: r for r in t["records"] if r["kind"] == "step_end"}
    assert ends[3]["returned"]["repr"] == "0"  # b entered at a's (shared) version: stale state
    d = [(r["event"], r["code"], r["offset"], r.get("value", r.get("exc"))) for r in deliveries(t)
         if r["code"].startswith("capi:")]
    assert d == [("PY_START", "capi:a", 10, None), ("PY_RETURN", "capi:a", 12, {"type": "int", "repr": "5"}),
                 ("STOP_ITERATION", "capi:a", 14, {"type": "StopIteration", "args": [{"type": "int", "repr": "7"}]})], d
    assert ends[7]["raised"]["message"] == "offset must be non-negative", ends[7]
    assert ends[8]["raised"]["type"] == "IndexError", ends[8]
    assert ends[10]["returned"]["repr"] == "[('States', 12, 5)]", ends[10]


CHECKS = {k[len("check_"):]: v for k, v in globals().items() if k.startswith("check_")}


# -- the test run ---------------------------------------------------------------

class Tally:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, fn):
        try:
            fn()
        except Exception as e:
            self.failed += 1
            print("FAIL %s: %s: %s" % (name, type(e).__name__, str(e)[:1500]))
        else:
            self.passed += 1


# Without sys.monitoring (PyPy 3.9) only what needs nothing else runs: examples
# without tools, and the protocol checks that run no monitored scenario.
MONITORING = hasattr(sys, "monitoring")
CAPABILITY_WHY = {"c_api": "no _testcapi with the monitoring C API wrappers: CPython 3.13+ or pyodide",
                  "capi_ext": "no working monsim_capi extension: native CPython 3.13+, built by ./run setup "
                              "(oracle/capi_ext/build.sh) into build/capi_ext/<version>/ or $MONSIM_CAPI_EXT_PATH"}
HOOKS_ONLY_PROTOCOL = {"bad json", "unknown type", "run without scenario", "stop"}


def main():
    schema = Schema(os.path.join(HERE, "schema"))
    tally = Tally()
    caps = protocol.hello()["capabilities"]
    seq = [0]

    def run(doc, options=None):
        seq[0] += 1
        status, payload = runner.run(doc, options, seq[0])
        assert status == "result", payload
        seen = json.loads(json.dumps(payload))  # what the driver would see (the schema's JSON)
        errs = schema.errors({"type": "result", "seq": seq[0], "trace": seen}, "result.schema.json")
        assert not errs, errs[:5]
        return seen

    def no_errors(inst, name):
        errs = schema.errors(inst, name)
        assert not errs, errs[:5]

    tally.check("hello matches hello.schema.json", lambda: no_errors(protocol.hello(), "hello.schema.json"))

    folder = os.path.join(HERE, "examples")
    # examples/capi/: the monitoring C API. A fire's result carries the probe's bit and a
    # fire inside a callback nests probe events (PROTOCOL.md §5.2), so these are kept out
    # of the top level, whose probe-on and probe-off records other tests compare as they are.
    names = sorted(f for f in os.listdir(folder) if f.endswith(".json"))
    names += sorted(os.path.join("capi", f) for f in os.listdir(os.path.join(folder, "capi")) if f.endswith(".json"))
    for fname in names:
        with open(os.path.join(folder, fname)) as f:
            doc = json.load(f)
        sid = doc["id"]
        tally.check(sid + ": scenario matches scenario.schema.json",
                    lambda: no_errors(doc, "scenario.schema.json"))
        if not MONITORING and (doc.get("tools") or "monitoring" in doc["program"]
                               or any("api" in st for st in doc["steps"])):
            continue
        missing = [c for c in doc.get("meta", {}).get("requires", []) if not caps.get(c)]
        if missing:  # the driver skips such scenarios by their `requires` too
            print("SKIP %s: capability %s is false here (%s)" % (sid, ", ".join(missing), CAPABILITY_WHY[missing[0]]))
            continue
        traces = {}

        def first():
            traces["a"] = run(doc)
            assert (traces["a"]["probe_tool"] is not None) == MONITORING
        tally.check(sid + ": runs, result matches result.schema.json", first)
        if "a" not in traces:
            continue

        def determinism():
            b = run(doc)
            assert b == traces["a"], _first_difference(traces["a"]["records"], b["records"])
        tally.check(sid + ": determinism (same trace twice)", determinism)

        effect = doc.get("meta", {}).get("observer_dependent")
        if isinstance(effect, dict) and "%d.%d" % sys.version_info[:2] not in effect.get("versions", []):
            effect = None  # documented for other versions only

        def independence():
            c = run(doc, {"probe": False})
            traces["c"] = c
            assert c["probe_tool"] is None and not any(r["kind"] == "event" for r in c["records"])
            a, c2 = without_probe(traces["a"]), without_probe(c)
            if effect:  # an interpreter property the example documents: it must still show
                assert a != c2, "documented observer effect no longer reproduces"
            else:
                assert a == c2, _first_difference(a, c2)
        tally.check(sid + (": documented observer effect (records differ without the probe)" if effect
                           else ": probe independence (same records without the probe)"), independence)
        if sid in CHECKS:
            tally.check(sid + ": behaviour", lambda: CHECKS[sid](traces["a"]))
            if "c" in traces:
                tally.check(sid + ": behaviour without probe", lambda: CHECKS[sid](traces["c"]))
    if len(names) < 8:
        tally.check("at least 8 examples", lambda: (_ for _ in ()).throw(AssertionError(names)))

    for name, fn in protocol_checks(schema, run):
        if MONITORING or name in HOOKS_ONLY_PROTOCOL:
            tally.check(name, fn)
    print("%d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


def _first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return "record %d differs:\n  %s\n  %s" % (i, json.dumps(x)[:600], json.dumps(y)[:600])
    return "lengths differ: %d vs %d" % (len(a), len(b))


def protocol_checks(schema, run):
    def reply(line):
        msg, stop = protocol.handle(line)
        assert not stop
        msg = json.loads(json.dumps(msg))  # as sent
        kind = msg["type"]
        errs = schema.errors(msg, kind + ".schema.json")
        assert not errs, errs[:5]
        return msg

    tiny = {"id": "tiny", "program": "def f():\n    print('hi')\n    return 1\n",
            "tools": {"1": {"events": ["PY_START"]}}, "steps": [{"call": "f"}]}

    def bad_json():
        m = reply("{nope")
        assert m["type"] == "errored" and m["seq"] is None and m["context"]["phase"] == "protocol"

    def unknown_type():
        m = reply(json.dumps({"type": "frobnicate", "seq": 4}))
        assert m["type"] == "errored" and m["seq"] == 4 and "frobnicate" in m["context"]["message"]

    def run_without_scenario():
        m = reply(json.dumps({"type": "run", "seq": 5}))
        assert m["type"] == "errored" and m["context"]["phase"] == "protocol"

    def stop():
        assert protocol.handle('{"type": "stop"}') == (None, True)
        assert schema.errors({"type": "stop"}, "stop.schema.json") == []

    def good_run():
        m = reply(json.dumps({"type": "run", "seq": 6, "scenario": tiny}))
        assert m["type"] == "result" and m["trace"]["stdout"] == "hi\n", m
        assert schema.errors({"type": "run", "seq": 6, "scenario": tiny}, "run.schema.json") == []

    def invalid_scenario():
        bad = dict(tiny, tools={"1": {"events": ["NOT_AN_EVENT"]}, "9": {}},
                   steps=[{"api": "set_events", "args": [{"$": "events", "names": ["NOPE"]}]}, {"jump": 1}],
                   extra=1)
        m = reply(json.dumps({"type": "run", "seq": 7, "scenario": bad, "options": {"probe": 3}}))
        ctx = m["context"]
        assert m["type"] == "errored" and ctx["phase"] == "validate", m
        paths = sorted(d["path"] for d in ctx["diagnostics"])
        assert paths == ["options.probe", "scenario", "scenario.steps[0].args[0].names[0]",
                         "scenario.steps[1]", "scenario.tools.1.events[0]", "scenario.tools.9"], paths

    def leak_is_reported_then_scrubbed():
        REAL_API["use_tool_id"](3, "left over")
        REAL_API["set_events"](3, sys.monitoring.events.LINE)
        m = reply(json.dumps({"type": "run", "seq": 8, "scenario": tiny}))
        assert m["type"] == "errored" and m["context"]["phase"] == "isolation", m
        assert "tool 3 is in use ('left over')" in m["context"]["leaks"]
        assert reply(json.dumps({"type": "run", "seq": 9, "scenario": tiny}))["type"] == "result"

    def scenario_error_in_callback():
        doc = dict(tiny, tools={"1": {"events": ["PY_START"], "callbacks": {
            "PY_START": {"actions": [{"call": "no_such_function"}]}}}})
        m = reply(json.dumps({"type": "run", "seq": 10, "scenario": doc}))
        ctx = m["context"]
        assert m["type"] == "errored" and ctx["phase"] == "run", m
        assert ctx["path"] == "scenario.tools.1.callbacks.PY_START.actions[0].call", ctx
        assert reply(json.dumps({"type": "run", "seq": 11, "scenario": tiny}))["type"] == "result"

    def unknown_name_in_step():
        doc = dict(tiny, steps=[{"call": "nope"}])
        m = reply(json.dumps({"type": "run", "seq": 12, "scenario": doc}))
        assert m["type"] == "errored" and m["context"]["path"] == "scenario.steps[0].call", m

    def syntax_error():
        m = reply(json.dumps({"type": "run", "seq": 13, "scenario": dict(tiny, program="def (:")}))
        assert m["type"] == "errored" and m["context"]["phase"] == "compile", m

    def freed_tool_is_scrubbed():
        # 3.12/3.13: free_tool_id leaves events and callbacks behind (behaviour §5.5).
        doc = dict(tiny, tools={"2": {"events": ["PY_START"]}},
                   steps=[{"api": "free_tool_id", "args": [2]}, {"call": "f"}])
        t = run(doc)
        got = [r["tool"] for r in t["records"] if r["kind"] == "delivery"]
        assert got == ([] if "clear_tool_id" in REAL_API else [2]), got
        t = run(tiny)  # the next run starts clean
        assert [r["tool"] for r in t["records"] if r["kind"] == "delivery"] == [1]

    def probe_picks_highest_free_id():
        doc = dict(tiny, program="import sys\n" + tiny["program"] + "def g():\n    sys.monitoring.get_tool(5)\n")
        assert run(doc)["probe_tool"] == 4
        assert run(tiny, {"probe_tool": 0})["probe_tool"] == 0

    def instruction_option():
        t = run(tiny, {"instruction": True})
        assert any(r["kind"] == "event" and r["event"] == "INSTRUCTION" for r in t["records"])

    def stack_option():
        doc = dict(tiny, program="def g():\n    return 1\ndef f():\n    return g()\n")
        t = run(doc, {"stack": True})
        starts = [(r["code"], r["depth"], r["stack"]) for r in t["records"]
                  if r["kind"] == "event" and r["event"] == "PY_START"]
        assert starts == [("f@3", 1, ["f@3"]), ("g@1", 2, ["f@3", "g@1"])], starts

    def probe_id_used_at_run_time():
        doc = dict(tiny, program="import sys\ndef f():\n    t = 2 + 3\n    sys.monitoring.use_tool_id(t, 'x')\n")
        m = reply(json.dumps({"type": "run", "seq": 14, "scenario": doc}))
        assert m["type"] == "errored" and "probe" in m["context"]["message"], m
        assert reply(json.dumps({"type": "run", "seq": 15, "scenario": tiny}))["type"] == "result"

    def truncation():
        doc = dict(tiny, program="def f():\n    for i in range(50):\n        pass\n")
        t = run(doc, {"max_records": 10})
        assert t["truncated"] and len(t["records"]) == 10

    def program_raising_at_load():
        t = run(dict(tiny, program="def f():\n    return 1\nraise KeyError('x')\n"))
        assert t["records"][0] == {"kind": "load", "raised": {
            "type": "KeyError", "args": [{"type": "str", "repr": "'x'"}], "message": "'x'"}}, t["records"][0]

    def int_marker_is_any_int():
        big = {"$": "int", "value": "-1180591620717411303424"}
        doc = dict(tiny, program="def f(x):\n    return x + 1\n",
                   steps=[{"call": "f", "args": [big]}, {"api": "get_tool", "args": [big]}])
        t = run(doc)
        assert step_end(t, 0)["returned"]["repr"] == "-1180591620717411303423", step_end(t, 0)
        assert step_end(t, 1)["raised"]["type"] == "OverflowError", step_end(t, 1)
        bad = dict(doc, steps=[{"call": "f", "args": [{"$": "int", "value": "1e3"}]}])
        m = reply(json.dumps({"type": "run", "seq": 16, "scenario": bad}))
        assert m["type"] == "errored" and m["context"]["phase"] == "validate", m

    def branch_names():
        doc = dict(tiny, program="def f(x):\n    if x:\n        return 1\n    return 2\n",
                   tools={"2": {"events": ["BRANCH_LEFT", "BRANCH_RIGHT"] if BRANCH_IS_ALIAS else ["BRANCH"]}},
                   steps=[{"call": "f", "args": [0]}, {"call": "f", "args": [1]}])
        t = run(doc)
        got = [(r["event"], r["dest"] > r["offset"]) for r in t["records"] if r["kind"] == "delivery"]
        assert len(got) == 2, got

    caps = protocol.hello()["capabilities"]
    cl = {"cl": {"states": 2}}

    def capi_validation():
        bad = dict(tiny, capi={"cl": {"states": 1}, "?": {"states": 0}}, steps=[
            {"capi": "enter", "codelike": "cl", "events": ["PY_START", "LINE"]},
            {"capi": "enter", "codelike": "cl", "events": ["C_RETURN"]},
            {"capi": "fire", "codelike": "nope", "event": "LINE"},
            {"capi": "fire", "codelike": "cl", "event": "INSTRUCTION", "value": 1},
            {"capi": "jump"}])
        m = reply(json.dumps({"type": "run", "seq": 20, "scenario": bad}))
        assert m["type"] == "errored" and m["context"]["phase"] == "validate", m
        paths = sorted(d["path"] for d in m["context"]["diagnostics"])
        assert paths == ["scenario.capi.?", "scenario.capi.?.states", "scenario.steps[0].events",
                         "scenario.steps[1].events[0]", "scenario.steps[2]", "scenario.steps[2].codelike",
                         "scenario.steps[3]", "scenario.steps[3].event", "scenario.steps[4].capi"], paths

    def capi_backend_missing_or_extension():
        # A shared version cell needs the extension: without it the action raises, recorded.
        doc = dict(tiny, capi={"a": {"states": 1, "version": "v"}}, steps=[
            {"capi": "enter", "codelike": "a", "events": ["PY_START"]},
            {"capi": "fire", "codelike": "a", "event": "PY_START"}])
        t = run(doc)
        if caps["capi_ext"]:
            assert [r["code"] for r in t["records"] if r["kind"] == "delivery"] == ["capi:a"], t["records"]
        else:
            e = step_end(t, 0)["raised"]
            assert e["type"] == "RuntimeError" and "capi_ext" in e["message"], e

    def capi_undeclared_codelike():
        # Program code firing with its own CodeLike: code capi:?, its type, the program's depth.
        if not caps["c_api"]:
            return
        prog = ("import _testcapi as T\ndef f():\n    c = T.CodeLike(1)\n"
                "    T.monitoring_enter_scope(c, 0)\n    return T.fire_event_py_start(c, 0)\n")
        t = run(dict(tiny, program=prog), {"stack": True})
        got = [(r["code"], r.get("codelike_type"), r["offset"], r.get("depth"), r.get("stack"))
               for r in t["records"] if r["kind"] in ("event", "delivery") and r["code"].startswith("capi")]
        assert got == [("capi:?", "CodeLike", 0, 1, ["f@2"]), ("capi:?", "CodeLike", 0, None, None)], got
        assert t["codes"]["capi:?"]["origin"] == "capi"

    def capi_fire_in_callback():
        # A fire made by a callback action is delivered: nested in that delivery's calls,
        # in happening order (probe event, delivery), then the fire's api record.
        if not caps["c_api"]:
            return
        doc = dict(tiny, capi=cl, tools={"0": {"events": ["PY_START", "LINE"], "callbacks": {
            "PY_START": {"when": {"functions": ["cl"]}, "actions": [
                {"capi": "fire", "codelike": "cl", "event": "LINE", "index": 1, "line": 7}]},
            "LINE": {"return": {"$": "DISABLE"}}}}}, steps=[
            {"capi": "enter", "codelike": "cl", "events": ["PY_START", "LINE"]},
            {"capi": "fire", "codelike": "cl", "event": "PY_START"}])
        for probe in (True, False):
            t = run(doc, {"probe": probe})
            d = [r for r in t["records"] if r["kind"] == "delivery"]
            assert len(d) == 1 and d[0]["event"] == "PY_START", d
            calls = [(c["kind"], c.get("event") or c["fn"], c.get("line"), c.get("value")) for c in d[0]["calls"]]
            want = [("delivery", "LINE", 7, None),  # DISABLE leaves the probe's bit only
                    ("api", "PyMonitoring_FireLineEvent", None, 1 << t["probe_tool"] if probe else 0)]
            assert calls == ([("event", "LINE", 7, None)] if probe else []) + want, calls
            assert d[0]["calls"][-1]["by"] == "callback"

    def capi_under_settrace():
        # The legacy hooks see C-fired events with the calling (harness) frame: nothing recorded.
        if not caps["c_api"]:
            return
        doc = dict(tiny, capi=cl, trace_functions={"T": {}}, steps=[
            {"settrace": "T"}, {"capi": "enter", "codelike": "cl", "events": ["PY_START"]},
            {"capi": "fire", "codelike": "cl", "event": "PY_START"}, {"settrace": None}])
        t = run(doc)
        assert [r["code"] for r in t["records"] if r["kind"] == "delivery"] == ["capi:cl"]
        assert not [r for r in t["records"] if r["kind"] == "legacy"]

    return [(n.replace("_", " "), f) for n, f in locals().items()
            if callable(f) and n not in ("reply", "run", "schema")]


if __name__ == "__main__":
    sys.exit(main())
