"""monsim oracle: records what the running interpreter's sys.monitoring does.

Stdlib only; runs unchanged on CPython 3.12-3.15 and pyodide.
"""
import sys

PROTOCOL_VERSION = 1

# co_filename of every module of this package. Events whose code object lives
# in one of these files are the harness's own and are never recorded or acted
# on (the step runner and the API shims are ordinary monitored Python code).
HARNESS_FILES = set()


def _here():
    return sys._getframe(1).f_code.co_filename


HARNESS_FILES.add(_here())
