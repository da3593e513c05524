#!/bin/sh
# One shard of a monsim fuzz campaign: the command every recipe here runs.
#   shard.sh K N OUT [monsim fuzz options: --seed S (required), --python, --count, --seconds, ...]
# Writes OUT/shard-K (campaign.json, findings). A shard that found new signatures
# (monsim exit 1) has done its job: it exits 0, so no scheduler retries it; usage or
# harness errors (exit 2) and interruptions (130) stay failures.
# MONSIM: the monsim binary (default: monsim on PATH).
set -u
[ $# -ge 3 ] || { echo "usage: shard.sh K N OUT --seed S [monsim fuzz options]" >&2; exit 2; }
k=$1 n=$2 out=$3
shift 3
"${MONSIM:-monsim}" fuzz --shard "$k/$n" -o "$out/shard-$k" "$@"
rc=$?
[ $rc -eq 1 ] && exit 0
exit $rc
