"""The rows of normalise's instruction tables, read straight from co_code.

Every fuzz case compiles new code objects, and dis.get_instructions resolves every
argument of every instruction (constant reprs, names, positions) only for the tables
to keep offsets, names, two arguments and jump targets: a fifth of the worker's time
per case on 3.13. rows() walks co_code with per-opcode facts read once from the
running interpreter's own dis module, and gives None where it cannot be sure they
mean what dis does with them (PyPy, Brython, CPython before 3.12: a dis without
the helpers read here, or one that reads a sample otherwise); the caller then asks dis.
"""
import dis
import sys

from . import HARNESS_FILES, _here

HARNESS_FILES.add(_here())

# Opcode kinds: what the walk does with the oparg.
_NONE, _EXT, _FWD, _BACK, _ABS, _ARG = range(6)
_UNREAD = object()  # _FACTS before the first rows()
_FACTS = _UNREAD


def _cache_size():
    """deop -> inline cache units, as dis counts them (a list in 3.12, by name after)."""
    size = getattr(dis, "_get_cache_size", None)
    if size is not None:
        return lambda d: size(dis._all_opname[d])
    entries = dis._inline_cache_entries
    if isinstance(entries, list):
        return entries.__getitem__
    raise AttributeError("_inline_cache_entries of an unknown shape")


def _read_facts():
    """(names, steps, kinds, row_arg, overflow) per opcode byte, or None."""
    if sys.implementation.name != "cpython":
        return None
    names = tuple(dis._all_opname[op] for op in range(256))
    cache = _cache_size()
    hasarg, jrel, jabs = set(dis.hasarg), set(dis.hasjrel), set(dis.hasjabs)  # 3.12+
    # 3.12 resolves argval by hasconst, hasname, then jumps; 3.13+ by hasjump/hasexc.
    other = set(dis.hasconst) | set(dis.hasname)
    jumps = set(getattr(dis, "hasjump", jrel | jabs)) | set(getattr(dis, "hasexc", ()))
    backward, ext, overflow = dis._is_backward_jump, dis.EXTENDED_ARG, dis._INT_OVERFLOW
    # steps: the instruction and its caches; a relative jump counts from past both.
    steps, kinds, row_arg = [], [], [False] * 256
    for op in range(256):
        d = dis._deoptop(op)
        steps.append(2 + 2 * cache(d))
        if d in jrel and d in jabs:
            return None
        if d not in hasarg:
            kind = _NONE
        elif d == ext:
            kind = _EXT
        elif d in jrel:
            kind = _BACK if backward(d) else _FWD
        elif d in jabs:
            kind = _ABS
        else:
            kind = _NONE  # an oparg the tables do not show
        if names[op] == "FOR_ITER":  # the row shows dis's argval: the jump target
            if kind not in (_FWD, _BACK, _ABS) or d in other or d not in jumps:
                return None
            row_arg[op] = True
        elif names[op] == "RESUME":  # the row shows the oparg
            if d not in hasarg or kind != _NONE:
                return None
            kind, row_arg[op] = _ARG, True
        kinds.append(kind)
    return names, tuple(steps), tuple(kinds), tuple(row_arg), overflow


def _facts():
    """The facts, read and checked against dis on a sample at first use; None if unsure."""
    global _FACTS
    if _FACTS is _UNREAD:
        try:
            _FACTS = _read_facts()
        except Exception:  # a dis without the helpers read here (before 3.12)
            _FACTS = None
        if _FACTS is not None and not _agrees_on_sample():
            _FACTS = None
    return _FACTS


def rows(code, line_per_unit):
    """[(offset, opname, line, arg, line_site)] as normalise._dis_instructions() makes
    them, or None when unsure. line_per_unit(code): the line of each code unit, asked
    only when the rows are read here."""
    facts = _facts()
    if facts is None:
        return None
    names, steps, kinds, row_arg, overflow = facts
    co = code.co_code
    n = len(co)
    lines = line_per_unit(code)
    if len(lines) != n >> 1:
        return None
    out = []
    append = out.append
    labels = set()
    ext = 0
    prev = _UNREAD  # no line: the first row starts one
    i = 0
    while i < n:
        op = co[i]
        kind = kinds[op]
        line = lines[i >> 1]
        if not kind:
            ext = 0
            append((i, names[op], line, None, line != prev))
        else:
            a = co[i + 1] | ext
            arg = None
            if kind == _EXT:
                ext = a << 8
                if ext >= overflow:  # dis reads the oparg as a signed C int
                    ext -= 2 * overflow
            else:
                ext = 0
                if kind == _ARG:
                    arg = a
                else:
                    t = a * 2 if kind == _ABS else i + steps[op] + (a * 2 if kind == _FWD
                                                                     else -a * 2)
                    labels.add(t)
                    if row_arg[op]:
                        arg = t
            append((i, names[op], line, arg, line != prev))
        prev = line
        i += steps[op]
    if labels:
        out = [r if r[4] or r[0] not in labels else r[:4] + (True,) for r in out]
    return out


# Loops forward and back, a handler, a generator, a with, and a forward jump long
# enough to need EXTENDED_ARG.
_SAMPLE = """
def f(xs):
    t = 0
    for x in xs:
        while x > 0:
            x -= 1
        try:
            t += 1 / x
        except ZeroDivisionError:
            t = -t
    if t:
%s
    return t
def g(n):
    with open(n) as h:
        yield from (y for y in h if y)
""" % "".join("        t = t * %d + xs[%d]\n" % (k, k) for k in range(60))


def _agrees_on_sample():
    from . import normalise  # imports this module: not at import time
    todo = [compile(_SAMPLE, "<monsim bytecode sample>", "exec")]
    while todo:
        c = todo.pop()
        todo.extend(k for k in c.co_consts if type(k) is type(c))
        want = [tuple(r) for r in normalise._dis_instructions(c)]
        if rows(c, normalise._line_per_unit) != want:
            return False
    return True
