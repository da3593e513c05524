#!/bin/sh
# A template adapter: monsim runs an implementation through one executable that behaves
# like `python3` — `EXE SCRIPT [ARGS…]`, `EXE -c CODE`, `EXE -` (the program on stdin) —
# passing stdin, stdout and stderr through and exiting with the program's status. A
# CPython-compatible binary (pypy3, graalpy, rustpython) is its own adapter; one that needs
# a host or flags gets a wrapper like this one. Copy it, change the exec line, make it
# executable, and give its path to `monsim interpreters --python` / `monsim check --python`
# (interpreter/ADAPTERS.md).
#
# As shipped it runs CPython 3.12.7 compiled to WebAssembly (npm pyodide 0.27.7, installed
# by ./run as node_modules/pyodide0277) through monsim's pyodide runner.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
exec node "$here/../pyodide/runner.mjs" --pyodide 0277 "$@"
