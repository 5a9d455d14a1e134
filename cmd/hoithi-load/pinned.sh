#!/usr/bin/env bash
# Runs a fresh hoithi server on CPU 0 and hoithi-load on CPU 1 of the same
# machine (each with GOMAXPROCS=1), so that the two do not fight over a
# core, then stops the server. Arguments go to hoithi-load; BCRYPT (default
# 4) sets the server's password hashing cost, PORT (default 8484) its
# port on 127.0.0.1. The server may hold 20,000
# open files (a live game of 15,000 players); the load tool gets the
# server's first admin account (for the live scenario's host) and its pid
# (to read its CPU and peak memory from /proc). The live scenario's player
# processes inherit CPU 1 and GOMAXPROCS=1. PROFILE=FILE records the
# server's CPU with perf (itself on CPU 1) while the load runs; read it with
# `perf report -i FILE --no-children`. PPROF=DIR turns on the server's Go
# profiles and saves them in DIR: CPU over PPROF_SECONDS (default 30) from
# PPROF_DELAY seconds (default 0) into the load (past the registrations;
# PPROF_SECONDS=0 for none), then the heap, allocations, mutex, block and goroutine
# profiles at the end, and the server binary they name; read them with
# `go tool pprof -top DIR/hoithi DIR/cpu.pprof`. SERVER_PROCS sets the
# server's GOMAXPROCS (default 1; 2 lets a goroutine run while another's
# thread waits in a system call, still on CPU 0). DB=postgres://… runs the
# server on that PostgreSQL database (empty or made by an earlier run)
# instead of a fresh SQLite file, with a session key made for the run; start
# the PostgreSQL server on CPU 0 as well for the database's work to share
# the server's core (taskset -c 0 .ci/postgres.sh start DIR PORT).
#
#   cmd/hoithi-load/pinned.sh -contestants 1000 -watchers 100
#   BCRYPT=10 cmd/hoithi-load/pinned.sh -contestants 300 -watchers 0
#   cmd/hoithi-load/pinned.sh -scenario live -players 15000
set -euo pipefail
profile=${PROFILE:+$(realpath -m "$PROFILE")}
pprofdir=${PPROF:+$(realpath -m "$PPROF")}
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)
go build -o "$bin/hoithi" .
go build -o "$bin/hoithi-load" ./cmd/hoithi-load
cd "$bin"
ulimit -n 20000
export HOITHI_ADMIN_EMAIL=load@example.vn HOITHI_ADMIN_PASSWORD=load-test-password
if [ -n "$pprofdir" ]; then
  mkdir -p "$pprofdir"
  cp hoithi "$pprofdir/hoithi"
  export HOITHI_PPROF=1 HOITHI_METRICS_TOKEN=load-test-metrics-token
fi
if [ -n "${DB:-}" ]; then
  export HOITHI_DB="$DB" HOITHI_KEY_FILE="$bin/session.key"
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$HOITHI_KEY_FILE"
  chmod 600 "$HOITHI_KEY_FILE"
fi
GOMAXPROCS=${SERVER_PROCS:-1} HOITHI_ADDR=127.0.0.1:"${PORT:-8484}" HOITHI_RATE_LIMIT=0 HOITHI_WS_PER_ADDRESS=0 HOITHI_BCRYPT_COST="${BCRYPT:-4}" \
  HOITHI_LOG_LEVEL=warn taskset -c 0 ./hoithi >server.out 2>server.err &
server=$!
perf=
cpuprof=
url="http://127.0.0.1:${PORT:-8484}"
pprof_get() { # name [query]: one of the server's profiles into the directory
  curl -sf -H "Authorization: Bearer $HOITHI_METRICS_TOKEN" -o "$pprofdir/$1.pprof" "$url/debug/pprof/$1${2:-}"
}
stop() {
  set +e
  if [ -n "$pprofdir" ]; then
    for name in heap allocs mutex block goroutine; do pprof_get "$name"; done
    [ -n "$cpuprof" ] && wait "$cpuprof"
  fi
  [ -n "$perf" ] && kill -INT "$perf" 2>/dev/null && wait "$perf"
  kill -TERM "$server" 2>/dev/null && wait "$server"
  tail -n 20 server.err >&2
  rm -rf "$bin"
}
trap stop EXIT
for _ in $(seq 100); do
  grep -q "listening on" server.out 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if ! grep -q "listening on" server.out 2>/dev/null; then
  echo "pinned.sh: the server did not start" >&2
  exit 1
fi
if [ -n "$profile" ]; then
  taskset -c 1 perf record -q -k realtime -F 499 -g -p "$server" -o "$profile" 2>/dev/null &
  perf=$!
fi
if [ -n "$pprofdir" ] && [ "${PPROF_SECONDS:-30}" != 0 ]; then
  (sleep "${PPROF_DELAY:-0}" && taskset -c 1 curl -sf -H "Authorization: Bearer $HOITHI_METRICS_TOKEN" -o "$pprofdir/cpu.pprof" \
    "$url/debug/pprof/profile?seconds=${PPROF_SECONDS:-30}") &
  cpuprof=$!
fi
GOMAXPROCS=1 taskset -c 1 ./hoithi-load -url "$url" -server-pid "$server" "$@"
