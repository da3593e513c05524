"""Object -> JSON normalisation: stable code ids and address-free short reprs.

Nothing here calls code defined by the scenario's program (no user __repr__,
__str__ or __eq__): normalising runs inside monitoring callbacks and at
harness level between steps, where user code would produce events of its own.
"""
import dis
import hashlib
import re
import sys
import types

from . import HARNESS_FILES, _here
from .bytecode import rows as _bytecode_rows  # bytecode() below is another thing

HARNESS_FILES.add(_here())

mon = getattr(sys, "monitoring", None)  # None: legacy hooks only (PyPy 3.9)
MISSING = mon.MISSING if mon is not None else object()
DISABLE = mon.DISABLE if mon is not None else object()
M_MISSING = {"marker": "MISSING"}
M_DISABLE = {"marker": "DISABLE"}
NONE = {"type": "NoneType", "repr": "None"}

def qualname(code):
    """co_qualname (3.11+); before, co_name (nested functions then share a name)."""
    q = getattr(code, "co_qualname", None)
    return q if isinstance(q, str) and q else code.co_name


# Code objects of other implementations may lack CPython's attributes or hold
# placeholders in them (Brython: no co_firstlineno on compile()'s code objects).
# What is missing reads as empty: the trace then says less, and a check that needs
# it fails on that implementation instead of the oracle failing.
def firstlineno(code):
    n = getattr(code, "co_firstlineno", None)
    return n if isinstance(n, int) else 0


def bytecode(code):
    b = getattr(code, "co_code", None)
    return b if isinstance(b, bytes) else b""


def consts(code):
    try:
        c = code.co_consts
        return tuple(c) if isinstance(c, tuple) else ()
    except Exception:
        return ()


def _lines(code):
    """co_lines() (3.10+); before, the same ranges rebuilt from dis."""
    if not isinstance(getattr(code, "co_code", None), bytes):
        return []
    if hasattr(code, "co_lines"):
        return code.co_lines()
    import dis
    starts = list(dis.findlinestarts(code))
    out = []
    end = len(code.co_code)
    for i, (start, line) in enumerate(starts):
        out.append((start, starts[i + 1][0] if i + 1 < len(starts) else end, line))
    return out


_ADDR = re.compile(r" at 0x[0-9a-fA-F]+")
_ITEMS = 8  # elements shown per container
_DEPTH = 3  # container nesting shown


# instructions() by what decides it: the bytecode, the line table and first line, and
# the exception table (handlers are jump targets). dis costs milliseconds per run, and
# every case compiles the same program twice (with and without the probe) and the same
# prelude functions as every other case. Bounded; cleared when full.
_INSTRUCTIONS = {}
_INSTRUCTIONS_MAX = 4096


def instructions(code):
    """(offset, opname, line, arg, line_site) per instruction (caches left out).

    arg: FOR_ITER's END_FOR offset (dis argval), RESUME's oparg, else None.
    line_site: a jump target or the first instruction of a line, where CPython
    instruments LINE.
    """
    return _keyed_instructions(code)[1]


def _keyed_instructions(code):
    """(table id, instructions()); the id is None where there is no bytecode."""
    if not bytecode(code) or not hasattr(dis, "get_instructions"):
        return None, ()  # no CPython bytecode to describe (Brython)
    key = (code.co_code, getattr(code, "co_linetable", None), code.co_firstlineno,
           getattr(code, "co_exceptiontable", None))
    got = _INSTRUCTIONS.get(key)
    if got is None:
        if len(_INSTRUCTIONS) >= _INSTRUCTIONS_MAX:
            _INSTRUCTIONS.clear()
        # Tuples of atoms: the collector stops tracking them, so the full collection
        # after every run does not walk the cache. The id is never reused in the
        # worker's life, even when the cache is cleared.
        _TABLE_IDS[0] += 1
        got = _INSTRUCTIONS[key] = ("t%d" % _TABLE_IDS[0],
                                    tuple(tuple(row) for row in _instructions(code)))
    return got  # shared between runs: nothing changes a trace once it is made


# Instruction tables by key (options.instructions_by_key, PROTOCOL §4): a code row
# names its table and carries it only when this worker's previous result did not.
_TABLE_IDS = [0]
_SENT = [frozenset(), set()]  # ids in the previous result; ids in the one being made


def result_sent():
    """The result just made was sent: its tables are the ones the next may name."""
    _SENT[0] = frozenset(_SENT[1])
    _SENT[1] = set()


_HASHES = {}  # bytecode -> bytecode_hash, bounded like _INSTRUCTIONS
# _line_per_unit() by what decides it (the line table, first line and code length).
_LINES = {}


def _line_per_unit(code):
    """The line of every code unit (None: no line), read-only, shared between runs."""
    table = getattr(code, "co_linetable", None)
    key = (table, code.co_firstlineno, len(bytecode(code))) if isinstance(table, bytes) else None
    got = _LINES.get(key) if key is not None else None
    if got is None:
        lines = [None] * (len(bytecode(code)) >> 1)
        for start, end, line in _lines(code):
            for i in range(start >> 1, end >> 1):
                lines[i] = line
        got = tuple(lines)
        if key is not None:
            if len(_LINES) >= _INSTRUCTIONS_MAX:
                _LINES.clear()
            _LINES[key] = got
    return got


def _hash(b):
    h = _HASHES.get(b)
    if h is None:
        if len(_HASHES) >= _INSTRUCTIONS_MAX:
            _HASHES.clear()
        h = _HASHES[b] = hashlib.sha256(b).hexdigest()[:16]
    return h


def _instructions(code):
    got = _bytecode_rows(code, _line_per_unit)
    return got if got is not None else _dis_instructions(code)


def _dis_instructions(code):
    """_instructions() through dis: slower, for what bytecode.py is unsure of."""
    lines = {}
    for start, end, line in _lines(code):
        for o in range(start, end, 2):
            lines[o] = line
    out, prev = [], object()
    for i in dis.get_instructions(code):
        line = lines.get(i.offset)
        arg = {"FOR_ITER": i.argval, "RESUME": i.arg}.get(i.opname)
        out.append([i.offset, i.opname, line, arg, bool(i.is_jump_target or line != prev)])
        prev = line
    return out


class CodeTable:
    """Stable ids ("qualname@firstlineno", "#n" on collision) for code objects.

    Keeps every code object it names alive so id() keys are never reused
    within a run.
    """

    def __init__(self, program_file):
        self.program_file = program_file
        self.info = {}  # id(code) -> (cid, line-per-code-unit list, index in codes)
        self.codes = []
        self.taken = set()
        self.capi = {}  # code id -> row, for code-like objects of the C API (capi.py)

    def add_capi(self, cid, name):
        """Names a code-like object: no code object behind it, so no bytecode to describe."""
        if cid not in self.capi:
            self.capi[cid] = {"qualname": name, "firstlineno": 0, "origin": "capi"}

    def learn(self, code):
        """Registers code (first sight) and returns its (cid, lines, index) entry."""
        got = self.info.get(id(code))
        if got is not None:
            return got
        base = "%s@%s" % (qualname(code), firstlineno(code))
        cid, k = base, 2
        while cid in self.taken:
            cid, k = "%s#%d" % (base, k), k + 1
        self.taken.add(cid)
        entry = (cid, _line_per_unit(code), len(self.codes))
        self.info[id(code)] = entry
        self.codes.append(code)
        return entry

    def add_tree(self, code):
        """Names code and its nested code objects, depth first in co_consts order."""
        self.learn(code)
        for c in consts(code):
            if type(c) is types.CodeType:
                self.add_tree(c)

    def find(self, cid):
        for c in self.codes:
            if self.info[id(c)][0] == cid:
                return c
        return None

    def table(self, by_key=False):
        out = {}
        _SENT[1] = set()
        for c in self.codes:
            cid = self.info[id(c)][0]
            row = {
                "qualname": qualname(c),
                "firstlineno": firstlineno(c),
                "origin": "program" if c.co_filename == self.program_file else "other",
                "bytecode_hash": _hash(bytecode(c)),
            }
            if row["origin"] == "other":
                row["file"] = c.co_filename.replace("\\", "/").rsplit("/", 1)[-1]
            # Some rules of the dispatch layer depend on the instruction that reports
            # an event, in the program's code and in the library code it runs (the
            # model reads this once per code object; monitoring is off by now).
            tid, table = _keyed_instructions(c)
            if by_key and tid is not None:
                row["instructions_key"] = tid
                _SENT[1].add(tid)
                if tid not in _SENT[0]:
                    row["instructions"] = table
            else:
                row["instructions"] = table
            row["generator"] = bool(c.co_flags & 0x20)  # CO_GENERATOR
            out[cid] = row
        out.update(self.capi)
        return out


class Normaliser:
    """Turns objects into {type, repr} / {type, args} / markers / code refs."""

    def __init__(self, codes, limit=80):
        self.codes = codes
        self.limit = limit
        # Exact-type dispatch; everything else falls back to a generic form.
        self.special = {}
        # id -> (object, code id) of the scenario's code-like objects (capi.py), alive
        # for the whole run, so the id is never another object's.
        self.codelikes = {}

    def value(self, v, depth=0):
        if v is None:
            return NONE
        if v is MISSING:
            return M_MISSING
        if v is DISABLE:
            return M_DISABLE
        t = type(v)
        f = self.special.get(t)
        if f is not None:
            return f(v)
        f = _BY_TYPE.get(t)
        if f is not None:
            return {"type": t.__name__, "repr": self._cut(f(self, v, depth))}
        if t is types.CodeType:
            return {"type": "code", "code": self.codes.learn(v)[0]}
        # issubclass on the exact type: isinstance could consult a user __class__.
        if issubclass(t, BaseException):
            return self.exc(v, False, depth)
        if issubclass(t, type):
            return {"type": t.__name__, "repr": self._cut(_class_repr(v))}
        cl = self.codelikes.get(id(v))
        if cl is not None and cl[0] is v:
            return {"type": "code", "code": cl[1]}
        return {"type": t.__qualname__, "repr": "<%s object>" % t.__qualname__}

    def exc(self, e, message=False, depth=0):
        """{type, args} for an exception; message=True adds str(e) when that is safe."""
        try:
            args = e.args
        except Exception:  # a user property that raises
            args = ()
        if type(args) is not tuple or depth >= _DEPTH:
            args = ()
        d = {"type": type(e).__qualname__,
             "args": [self.value(a, depth + 1) for a in args[:_ITEMS]]}
        if message and type(e).__module__ == "builtins" and all(type(a) in _PLAIN for a in args):
            d["message"] = self._cut(_ADDR.sub("", str(e)), 400)
        return d

    def plain(self, v):
        """JSON-native copy of an API result, or None when it has none."""
        t = type(v)
        if t in (int, bool) or v is None:
            return True, v
        if t is str:
            return True, v[:400]
        if t is dict and all(type(k) is str and type(x) is int for k, x in v.items()):
            return True, dict(v)
        return False, None

    def _cut(self, s, limit=None):
        limit = limit or self.limit
        return s if len(s) <= limit else s[:limit] + "..."


_PLAIN = {int, str, float, bool, type(None)}


def _class_repr(c):
    mod = c.__dict__.get("__module__") if isinstance(c.__dict__.get("__module__"), str) else None
    if mod in (None, "builtins"):
        return "<class '%s'>" % c.__qualname__
    return "<class '%s.%s'>" % (mod, c.__qualname__)


def _r_repr(n, v, depth):
    return _ADDR.sub("", repr(v))


def _r_int(n, v, depth):
    if -10**30 < v < 10**30:
        return repr(v)
    return "<int of %d bits>" % v.bit_length()


def _r_str(n, v, depth):
    return repr(v[: n.limit + 1])


def _r_bytes(n, v, depth):
    return repr(v[: n.limit + 1])


def _qual(v):
    for attr in ("__qualname__", "__name__"):  # placeholders on Brython's coroutines
        q = getattr(v, attr, None)
        if isinstance(q, str):
            return q
    return "?"


def _r_func(n, v, depth):
    return "<function %s>" % _qual(v)


def _r_gen(kind):
    return lambda n, v, depth: "<%s object %s>" % (kind, _qual(v))


def _r_method(n, v, depth):
    f = v.__func__
    name = getattr(f, "__qualname__", None)
    if type(name) is not str:
        name = "?"
    return "<bound method %s of %s object>" % (name, type(v.__self__).__qualname__)


def _r_module(n, v, depth):
    return "<module %r>" % (v.__name__,)


def _r_seq(open_, close, one=""):
    def r(n, v, depth):
        if depth >= _DEPTH:
            return open_ + "..." + close
        items = [_inner(n, x, depth + 1) for x in list(v)[:_ITEMS]]
        more = ", ..." if len(v) > _ITEMS else ""
        return open_ + ", ".join(items) + (one if len(v) == 1 else "") + more + close
    return r


def _r_set(n, v, depth):
    if not v:
        return "set()" if type(v) is set else "frozenset()"
    body = _r_seq("{", "}")(n, v, depth)
    return body if type(v) is set else "frozenset(%s)" % body


def _r_dict(n, v, depth):
    if depth >= _DEPTH:
        return "{...}"
    items = ["%s: %s" % (_inner(n, k, depth + 1), _inner(n, x, depth + 1))
             for k, x in list(v.items())[:_ITEMS]]
    return "{" + ", ".join(items) + (", ..." if len(v) > _ITEMS else "") + "}"


def _inner(n, x, depth):
    d = n.value(x, depth)
    if "repr" in d:
        return d["repr"]
    if "code" in d:
        return "<code %s>" % d["code"]
    if "marker" in d:
        return "<%s>" % d["marker"]
    return "%s(%s)" % (d["type"], ", ".join(a.get("repr", "...") for a in d["args"]))


_BY_TYPE = {
    int: _r_int,
    bool: _r_repr,
    float: _r_repr,
    complex: _r_repr,
    str: _r_str,
    bytes: _r_bytes,
    bytearray: _r_bytes,
    range: _r_repr,
    slice: lambda n, v, d: "slice(...)",
    type(Ellipsis): _r_repr,
    type(NotImplemented): _r_repr,
    object: lambda n, v, d: "<object object>",
    types.BuiltinFunctionType: _r_repr,
    types.MethodDescriptorType: _r_repr,
    types.WrapperDescriptorType: _r_repr,
    types.MethodWrapperType: _r_repr,
    types.ClassMethodDescriptorType: _r_repr,
    types.GetSetDescriptorType: _r_repr,
    types.MemberDescriptorType: _r_repr,
    types.FunctionType: _r_func,
    types.MethodType: _r_method,
    types.GeneratorType: _r_gen("generator"),
    types.CoroutineType: _r_gen("coroutine"),
    types.AsyncGeneratorType: _r_gen("async_generator"),
    types.ModuleType: _r_module,
    list: _r_seq("[", "]"),
    tuple: _r_seq("(", ")", ","),
    set: _r_set,
    frozenset: _r_set,
    dict: _r_dict,
}
