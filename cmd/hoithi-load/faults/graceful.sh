#!/usr/bin/env bash
# SIGTERM under load: contestants answer over their sockets when the
# server is sent SIGTERM. Then: the server exits 0 within its shutdown
# timeout (15 s for the sockets and requests, plus the writer's flush);
# every socket that had not got its result was closed with 1001 (going
# away); and, once the server is started again, every answer a contestant
# saw acknowledged is stored and every attempt runs on with its deadline.
#
#   cmd/hoithi-load/faults/graceful.sh           # CONTESTANTS=300
source "$(dirname "$0")/lib.sh"
port=${PORT:-8612}
n=${CONTESTANTS:-300}
limit=20 # seconds the server may take to exit

build
start_server "$work/hoithi.db"
say "$n contestants answering every 200 ms"
load run -contestants "$n" -duration 10m -think 200ms -acks "$work/run.acks"
wait_for ack $((n * 3)) "$work/run.acks" "$load"

kill -TERM "$server"
say "SIGTERM after $(count ack "$work/run.acks") acks"
waited=0
while kill -0 "$server" 2>/dev/null; do
  [ "$waited" -ge $((limit * 10)) ] && fail "the server did not exit within $limit s of SIGTERM"
  sleep 0.1
  waited=$((waited + 1))
done
status=0
wait "$server" || status=$?
[ "$status" -eq 0 ] || fail "the server exited with status $status after SIGTERM, want 0"
if grep -q 'did not all close in time\|http shutdown' "$server_log"; then
  fail "the shutdown ran out of time: $(grep 'did not all close in time\|http shutdown' "$server_log")"
fi
say "the server exited 0 within $((waited / 10)).$((waited % 10)) s"
wait "$load" 2>/dev/null || true # its contestants fail: the server is gone
grep -E "closed by the server" "$work/run.out" || true

start_server "$work/hoithi.db"
check -acks "$work/run.acks" -db "$work/hoithi.db" -expect open,submitted -want-close 1001
say "ok"
