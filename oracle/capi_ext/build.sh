#!/bin/sh
# Builds the oracle's monitoring C-API extension for one interpreter:
#   oracle/capi_ext/build.sh PYTHON OUTDIR   ->   OUTDIR/monsim_capi<EXT_SUFFIX>
# PYTHON must be CPython >= 3.13 with its C headers (cpython/monitoring.h); otherwise
# this says why and exits 0 without building (the oracle then reports capi_ext false).
# Up to date (newer than this script and the sources): nothing to do.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 PYTHON OUTDIR" >&2; exit 2; }
PY=$1
OUT=$2
DIR="$(cd "$(dirname "$0")" && pwd)"
SRC="$DIR/monsim_capi.c"
SOURCES="$SRC $DIR/probe.c $DIR/probe.h"

# Lines "ok", INCLUDE, PLATINCLUDE, EXT_SUFFIX; or "no", REASON.
info=$("$PY" - <<'EOF'
import os, sys, sysconfig
if sys.version_info < (3, 13) or sys.implementation.name != "cpython":
    print("no\n%s has no monitoring C API (CPython 3.13+)" % sys.version.split()[0])
else:
    paths = sysconfig.get_paths()
    inc, plat = paths["include"], paths.get("platinclude") or paths["include"]
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    if not os.path.isfile(os.path.join(inc, "cpython", "monitoring.h")):
        print("no\nC headers not found (%s/cpython/monitoring.h)" % inc)
    elif not suffix:
        print("no\nsysconfig has no EXT_SUFFIX")
    else:
        print("ok\n%s\n%s\n%s" % (inc, plat, suffix))
EOF
) || { echo "capi_ext: $PY did not run; not built"; exit 0; }

line() { printf '%s\n' "$info" | sed -n "$1p"; }
if [ "$(line 1)" != ok ]; then
  echo "capi_ext: not built for $PY: $(line 2)"
  exit 0
fi
INC=$(line 2) PLAT=$(line 3) SUFFIX=$(line 4)
TARGET="$OUT/monsim_capi$SUFFIX"
fresh=1
for f in $SOURCES "$0"; do
  [ -f "$TARGET" ] && [ "$TARGET" -nt "$f" ] || fresh=0
done
[ $fresh = 1 ] && exit 0
mkdir -p "$OUT"
# Built beside the target, then renamed: a worker never loads a half-written file.
"${CC:-gcc}" -shared -fPIC -O2 -Wall -I"$INC" -I"$PLAT" -o "$TARGET.tmp$$" "$SRC" "$DIR/probe.c"
mv -f "$TARGET.tmp$$" "$TARGET"
echo "capi_ext: built $TARGET"
