#!/usr/bin/env bash
# Runs the opening rush at growing sizes, one fresh server each (pinned.sh:
# the server on CPU 0, the load tool on CPU 1), and writes each run's
# output and a table of the figures that grow with it into DIR, then the
# chart of that table (DIR/growth.svg):
#
#   cmd/hoithi-load/growth.sh DIR [SIZES...]     (default 1000 2000 5000 10000 15000)
#
# Every contestant starts at the same instant and answers 20 questions one
# second apart (-think 1s), with 100 spectators; ARGS adds load-tool flags.
# The servers serve their profiles (DIR/pprof-N: heap, allocations, locks
# and goroutines at the end of each run).
set -euo pipefail
dir=$(realpath -m "${1:?usage: growth.sh DIR [SIZES...]}")
shift
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 2000 5000 10000 15000)
here=$(dirname "$0")
mkdir -p "$dir"
for n in "${sizes[@]}"; do
  echo "== $n contestants" >&2
  # shellcheck disable=SC2086
  PPROF="$dir/pprof-$n" PPROF_SECONDS=0 "$here/pinned.sh" -contestants "$n" -watchers 100 -think 1s ${ARGS:-} >"$dir/$n.txt" 2>&1 || {
    tail -20 "$dir/$n.txt" >&2
    exit 1
  }
done
cd "$here/../.."
go run ./cmd/hoithi-load -growth "$dir" "${sizes[@]/%/.txt}" >"$dir/growth.md"
cat "$dir/growth.md"
echo "chart: $dir/growth.svg" >&2
