"""The oracle's per-code instruction table (normalise.instructions) is cached by what
decides it: two code objects share a table only when their bytecode, line table,
first line and exception table are the same; the cached table equals a fresh one.
usage: instructions_cache_test.py SOURCE_ROOT"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases  # noqa: E402

sys.path.insert(0, os.path.join(os.path.abspath(sys.argv[1]), "oracle"))
from monsim_oracle import normalise  # noqa: E402

cases = Cases("InstructionsCache")


def code_of(source, name="f", filename="<t>"):
    ns = {}
    exec(compile(source, filename, "exec"), ns)
    return ns[name].__code__


def main():
    body = "def f(k):\n    for i in range(k):\n        x = i\n    return k\n"
    a, b = code_of(body), code_of(body, filename="<other>")
    shifted = code_of("\n\n" + body)  # the same bytecode two lines further down
    handler = code_of("def f(k):\n    try:\n        x = k\n    except E:\n        pass\n"
                      "    return k\n")
    cases.case("the same code compiled twice shares one table, equal to a fresh one")
    normalise.instructions(a)
    cases.check(len(normalise._INSTRUCTIONS) == 1 and normalise.instructions(b) ==
                normalise.instructions(a) and len(normalise._INSTRUCTIONS) == 1,
                f"{len(normalise._INSTRUCTIONS)} tables for one code")
    fresh = [list(r) for r in normalise._instructions(a)]
    cases.check([list(r) for r in normalise.instructions(a)] == fresh,
                f"cached {normalise.instructions(a)} != fresh {fresh}")
    cases.case("another first line gets its own table, with its own lines")
    cases.check(shifted.co_code == a.co_code, "the shifted code differs in bytecode")
    got = normalise.instructions(shifted)
    cases.check([r[2] for r in got] != [r[2] for r in normalise.instructions(a)],
                f"lines not shifted: {got}")
    cases.check([list(r) for r in got] == [list(r) for r in normalise._instructions(shifted)],
                "shifted table differs from a fresh one")
    cases.case("a handler's exception table marks its jump targets")
    rows = normalise.instructions(handler)
    cases.check([list(r) for r in rows] == [list(r) for r in normalise._instructions(handler)],
                f"{rows}")
    cases.finish()


main()
