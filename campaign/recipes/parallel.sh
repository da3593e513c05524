#!/bin/sh
# A monsim fuzz campaign in N shards with GNU parallel (Debian: parallel), then merged.
#   parallel.sh N OUT --seed S [monsim fuzz options]
# On this machine by default: N shards, as many at once as there are cores
# (PARALLEL_JOBS to change). Across hosts: set PARALLEL_HOSTS to GNU parallel's
# --sshlogin list (e.g. "2/host1,2/host2,:"); every host needs monsim, this
# checkout at the same path and the interpreters, and OUT must be a shared folder
# (NFS) so that the merge sees every shard.
# MONSIM: the monsim binary (default: monsim on PATH). The merged campaign is OUT/merged.
set -u
[ $# -ge 2 ] || { echo "usage: parallel.sh N OUT --seed S [monsim fuzz options]" >&2; exit 2; }
n=$1 out=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
monsim=${MONSIM:-monsim}
mkdir -p "$out"
# --halt never: one failing shard does not stop the others; the merge reports it.
export MONSIM="$monsim"
seq 0 $((n - 1)) | parallel --will-cite --halt never --jobs "${PARALLEL_JOBS:-100%}" \
  --env MONSIM ${PARALLEL_HOSTS:+--sshlogin "$PARALLEL_HOSTS"} \
  "$here/shard.sh" {} "$n" "$out" "$@"
failed=$?
"$monsim" fuzz merge "$out"/shard-* -o "$out/merged"
rc=$?
[ $failed -ne 0 ] && echo "parallel.sh: $failed shard(s) failed (see above)" >&2 && exit 2
exit $rc
