#!/usr/bin/env bash
# Stalled clients: the same round is played twice on one server, first by
# contestants who all read their sockets, then by as many again beside
# STALLED contestants who read their state and then never read again while
# sending as fast as their socket takes (messages refused at once, so the
# database is not the bottleneck). Then: in both runs every reading
# contestant finishes with every answer acknowledged and stored; every
# stalled socket is closed by the server (1013 when a thousand replies wait
# for it, or its write timeout); the server's peak memory grows by less
# than LIMIT_MB over the run without stalled clients. The ack latency of
# both runs is printed, not judged.
#
#   cmd/hoithi-load/faults/stalled.sh            # CONTESTANTS=200 STALLED=20
source "$(dirname "$0")/lib.sh"
port=${PORT:-8614}
n=${CONTESTANTS:-200}
stalled=${STALLED:-20}
limit_mb=${LIMIT_MB:-64}

peak_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$server/status"; }

build
start_server "$work/hoithi.db"
say "without stalled clients: $n contestants answering every 100 ms"
load reading -contestants "$n" -duration 10m -think 100ms -acks "$work/reading.acks"
wait "$load" || fail "not every contestant finished without stalled clients: $(tail -n 3 "$work/reading.err")"
before=$(peak_kb)

say "with $stalled stalled clients beside $n contestants answering every 100 ms"
load stalled -contestants $((n + stalled)) -stalled "$stalled" -stall-wait 30s -duration 10m -think 100ms -acks "$work/stalled.acks"
status=0
wait "$load" || status=$?
after=$(peak_kb)
grep -E "^answer → ack|^stalled sockets" "$work/reading.out" | sed 's/^/  without stalled: /'
grep -E "^answer → ack|^stalled sockets" "$work/stalled.out" | sed 's/^/  with stalled:    /'
[ "$status" -eq 0 ] || fail "with stalled clients: $(tail -n 3 "$work/stalled.err")"
say "server peak memory: $((before / 1024)) MB without stalled clients, $((after / 1024)) MB with them"
[ $((after - before)) -lt $((limit_mb * 1024)) ] ||
  fail "the server's peak memory grew by $(((after - before) / 1024)) MB with $stalled stalled clients, want under $limit_mb MB"

check -acks "$work/reading.acks" -db "$work/hoithi.db" -expect submitted
check -acks "$work/stalled.acks" -db "$work/hoithi.db" -expect submitted
say "ok"
