"""A scenario program's code objects, fresh for every run, compiled once per text.

Every run needs code objects of its own: instrumentation, DISABLEd sites, local events
and specialisation live in them. But a fuzz case runs one program twice (with and
without the probe) and compiling costs more than the run itself. So the program is
compiled once under a neutral file name into a template that never runs, and each run
gets a copy renamed to its own file name (code.replace makes new code objects from the
unquickened bytecode). A program whose compilation warns or fails is compiled for each
run as before: the warning or error names the run's file.
"""
import sys
import types
import warnings

from . import HARNESS_FILES, _here

HARNESS_FILES.add(_here())

_CODE = types.CodeType
# CPython only: other implementations' code objects may not copy faithfully.
_ENABLED = sys.implementation.name == "cpython" and hasattr(_CODE, "replace")
_TEMPLATES = {}
_TEMPLATES_MAX = 256  # bounded; cleared when full
_NEUTRAL = "<monsim template>"


def fresh(source, filename):
    """compile(source, filename, "exec", dont_inherit=True), from the template if it can."""
    template = _TEMPLATES.get(source) if _ENABLED else None
    if template is None and _ENABLED:
        template = _template(source)
    if template is None:
        return compile(source, filename, "exec", dont_inherit=True)
    return _renamed(template, filename)


def _template(source):
    try:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            t = compile(source, _NEUTRAL, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    if seen:
        return None
    if len(_TEMPLATES) >= _TEMPLATES_MAX:
        _TEMPLATES.clear()
    _TEMPLATES[source] = t
    return t


def _renamed(code, filename):
    consts = tuple(_renamed(c, filename) if type(c) is _CODE else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)
