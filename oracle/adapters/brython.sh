#!/bin/sh
# An adapter for an implementation that is not CPython-compatible at all: Brython (Python
# written in JavaScript, npm brython, installed by ./run) run under Node by
# oracle/brython/runner.mjs, which gives it what `python3` gives a script — blocking
# line-oriented stdin, stdout and stderr that carry only the program's output, modules
# beside the script importable, and the program's exit status (interpreter/ADAPTERS.md §6).
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
exec node "$here/../brython/runner.mjs" "$@"
