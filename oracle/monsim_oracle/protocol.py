"""JSON-lines protocol, version 1 (oracle/PROTOCOL.md, oracle/schema/).

  worker -> hello                      once, at start
  run {seq, scenario, options?}   ->   result {seq, trace} | errored {seq, context}
  stop                            ->   (exit 0)
  anything else                   ->   errored {seq, context}
"""
import gc
import json
import os
import platform
import sys

from . import HARNESS_FILES, PROTOCOL_VERSION, _here
from . import capi, normalise, processes, runner
from .events import BRANCH_IS_ALIAS, BY_NAME
from .recorder import REAL_API, REAL_HOOKS

HARNESS_FILES.add(_here())


def _capabilities():
    caps = {"monitoring": bool(REAL_API),  # sys.monitoring exists (else: hooks only)
            "clear_tool_id": "clear_tool_id" in REAL_API,
            "branch_left_right": BRANCH_IS_ALIAS,
            "instruction": bool(REAL_API),
            "hash_randomization": bool(getattr(sys.flags, "hash_randomization", 0)),
            # The legacy hooks, each usable (Brython has settrace but no setprofile).
            "settrace": "settrace" in REAL_HOOKS and "gettrace" in REAL_HOOKS,
            "setprofile": "setprofile" in REAL_HOOKS and "getprofile" in REAL_HOOKS,
            # Code rows can name their instruction table (options.instructions_by_key).
            "instructions_by_key": True,
            # Probe events can be arrays (options.compact_events).
            "compact_events": True}
    try:
        import threading
        t = threading.Thread(target=lambda: None)
        t.start()
        t.join()
        caps["threads"] = True
    except Exception:
        caps["threads"] = False
    # The monitoring C API (behaviour §13): through _testcapi, or our extension.
    caps["c_api"], caps["capi_ext"] = capi.capabilities()
    is_gil = getattr(sys, "_is_gil_enabled", None)
    caps["free_threaded"] = bool(is_gil is not None and not is_gil())
    caps.update(_clients(caps))
    return caps


def _clients(caps):
    """The real clients a scenario can run (its `clients.real`), judged from the stdlib
    without importing it: an import here would leave modules and their caches behind
    for every run."""
    import importlib.util

    def spec(name):
        try:
            return importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return None

    def source_has(name, text):
        s = spec(name)
        try:
            src = s.loader.get_source(name) if s is not None else None
        except (ImportError, OSError, AttributeError):
            src = None
        return src is not None and text in src

    mon = caps["monitoring"]
    return {
        # cProfile as a sys.monitoring client (tool 2): its C profiler under it.
        "cprofile": bool(mon and spec("_lsprof") and spec("cProfile")),
        "profile_module": bool(caps["setprofile"] and spec("profile")),
        "trace_module": bool(caps["settrace"] and spec("trace")),
        # bdb's sys.monitoring backend (3.14+: Bdb(backend='monitoring')).
        "bdb_monitoring": bool(mon and source_has("bdb", "class _MonitoringTracer")),
    }


def hello():
    impl = {
        "name": sys.implementation.name,
        "version": platform.python_version(),
        "hexversion": sys.hexversion,
        "build": list(platform.python_build()),
        "compiler": platform.python_compiler(),
        "platform": sys.platform,
        "machine": platform.machine(),
    }
    if sys.platform == "emscripten":
        try:
            import pyodide  # (natively, oracle/pyodide/ would shadow nothing useful)
            impl["pyodide"] = getattr(pyodide, "__version__", None)
        except ImportError:
            pass
    out = {"type": "hello", "protocol": PROTOCOL_VERSION, "implementation": impl,
           "capabilities": _capabilities(), "events": dict(BY_NAME)}
    sig = _stack_dump_signal()
    if sig is not None:
        out["stack_dump_signal"] = sig
    return out


def _stack_dump_signal():
    """A signal on which every thread's Python stack goes to stderr (faulthandler), so
    that a driver can see where a worker that stopped answering hangs before it kills
    it. Native processes only: under Node (pyodide) a signal reaches Node, not Python."""
    if sys.platform == "emscripten":
        return None
    try:
        import faulthandler
        import signal
        faulthandler.register(signal.SIGUSR1, all_threads=True)
        return int(signal.SIGUSR1)
    except (ImportError, AttributeError, ValueError, RuntimeError, OSError):
        return None


def _errored(seq, phase, message, **extra):
    ctx = {"phase": phase, "message": message}
    ctx.update(extra)
    return {"type": "errored", "seq": seq, "context": ctx}


def handle(line):
    """One input line -> (reply message or None, stop?). Short, as runner.run is: it is
    on the stack while the scenario runs."""
    msg, refused = _request(line)
    if refused is not None:
        return refused
    seq = msg["seq"]
    try:
        status, payload = runner.run(msg["scenario"], msg.get("options"), seq)
    except BaseException as e:  # neither an oracle bug nor the program kills the worker
        return _failed(seq, e), False
    return _reply(seq, status, payload), False


def _request(line):
    """(a run request, None), or (None, (reply or None, stop?)) for anything else."""
    try:
        msg = json.loads(line)
    except ValueError as e:
        return None, (_errored(None, "protocol", "input is not JSON: %s" % e), False)
    if not isinstance(msg, dict):
        return None, (_errored(None, "protocol", "a message must be a JSON object"), False)
    seq = msg.get("seq")
    if not (seq is None or (type(seq) is int)):
        return None, (_errored(None, "protocol", "seq must be an integer"), False)
    kind = msg.get("type")
    if kind == "stop":
        return None, (None, True)
    if kind != "run":
        return None, (_errored(seq, "protocol", "unknown message type %r" % (kind,)), False)
    extra = set(msg) - {"type", "seq", "scenario", "options"}
    if extra or seq is None or "scenario" not in msg:
        return None, (_errored(seq, "protocol", "run needs seq and scenario (and optionally options)",
                               unknown_keys=sorted(extra)), False)
    return msg, None


def _failed(seq, e):
    """The reply to a run that raised out of the runner."""
    import traceback
    tb = traceback.extract_tb(e.__traceback__)
    text = traceback.format_exc()[-2000:]
    if tb and tb[-1].filename.startswith("<scenario "):
        # The program's own callback fired on the oracle's code (a global event
        # covers it too) and raised there: the teardown may not have finished, so
        # a fresh worker takes the next run.
        reply = _errored(seq, "run", "%s: %s raised by the program's code inside the "
                         "oracle's own (its callback fires on every function)"
                         % (type(e).__name__, e), traceback=text)
        reply["retire"] = "the program's exception interrupted the oracle"
        return reply
    return _errored(seq, "internal", "%s: %s" % (type(e).__name__, e), traceback=text)


def _reply(seq, status, payload):
    if status == "result":
        reply = {"type": "result", "seq": seq, "trace": payload}
    else:
        reply = {"type": "errored", "seq": seq, "context": payload}
    if runner.retire:
        reply["retire"] = runner.retire[0]
    return reply


# No check for cycles (a third of the encoding's time): a reply is a tree the worker
# builds itself; one with a cycle would be its bug, and fail with RecursionError.
_ENCODE = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
# Stands in for each record that is JSON text already while the message is encoded: a
# string no reply holds (random per worker; encode() checks the count).
_MARK = "\x00monsim record %s" % os.urandom(8).hex()
_MARK_TEXT = _ENCODE(_MARK)


def encode(m):
    """The message's JSON text, as pieces to write one after another. A result's
    top-level records may be JSON text already (compact records written by the C probe,
    capi_ext/probe.c, joined after the run): the message is encoded in one call with a
    mark in their place, and they go in between the pieces as they are, so their
    megabytes are not copied again."""
    trace = m.get("trace") if m.get("type") == "result" else None
    records = trace.get("records") if type(trace) is dict else None
    if type(records) is not list:
        return [_ENCODE(m)]
    texts = [r for r in records if type(r) is str]
    if not texts:
        return [_ENCODE(m)]
    trace["records"] = [_MARK if type(r) is str else r for r in records]
    try:
        parts = _ENCODE(m).split(_MARK_TEXT)
    finally:
        trace["records"] = records
    if len(parts) == len(texts) + 1:
        out = [parts[0]]
        for t, p in zip(texts, parts[1:]):
            out.append(t)
            out.append(p)
        return out
    # The mark is elsewhere too (a program that found it): the records as values.
    plain = [json.loads(r) if type(r) is str else r for r in records]
    return [_ENCODE(dict(m, trace=dict(trace, records=plain)))]


def main():
    """Serves requests until stop or end of input. Short, as handle() is: it is on the
    stack while every scenario runs."""
    inp, out = processes.protocol_streams()
    # Anything printed outside the protocol (stray finalizers, warnings) goes
    # to stderr; only this function writes to the protocol's stream.
    sys.stdout = sys.stderr
    send = _sender(out)
    send(hello())
    # What the worker itself holds from now on is permanent: the full collection
    # after every run then walks only the run's own objects.
    if hasattr(gc, "freeze"):
        gc.collect()
        gc.freeze()
    while True:
        line = inp.readline()
        if not line:
            return 0
        if line.strip() and _serve(line, send):
            return 0


def _sender(out):
    def send(m):
        for piece in encode(m):
            out.write(piece)
        out.write("\n")
        out.flush()
    return send


def _serve(line, send):
    """Answers one request line; True when the worker is to stop."""
    reply, stop = handle(line)
    if processes.is_forked_child():
        os._exit(0)  # a copy made by the run's fork: the worker answers, not it
    processes.end_strays()  # nothing the run started outlives it
    if stop:
        return True
    lost = processes.lost_descriptors()
    if lost and not reply.get("retire"):
        reply["retire"] = "the run closed the worker's file descriptors %s" % lost
    send(reply)
    if reply.get("type") == "result":
        normalise.result_sent()
    if reply.get("retire"):
        # The driver starts a fresh worker (PROTOCOL §2); no waiting for the
        # threads that are why.
        os._exit(0)
    return False
