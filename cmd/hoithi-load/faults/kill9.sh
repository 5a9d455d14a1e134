#!/usr/bin/env bash
# kill -9 under load: two groups of contestants play a round over their
# sockets (short attempts of 8 s, and long ones of 10 minutes) when the
# server is killed with SIGKILL. It stays down until every short attempt's
# deadline and grace have passed, then starts again on the same database.
# Then: every answer a contestant saw acknowledged is stored; every long
# attempt is still running and its socket's state has the deadline the
# contestant saw before the kill; every short attempt is submitted (by the
# server, at its deadline, scored from the answers it had).
#
#   cmd/hoithi-load/faults/kill9.sh              # CONTESTANTS=150 in each group
source "$(dirname "$0")/lib.sh"
port=${PORT:-8611}
n=${CONTESTANTS:-150}
short=8 # seconds

build
start_server "$work/hoithi.db"
say "$n contestants with ${short}s attempts and $n with 10-minute attempts, answering every 300 ms"
load short -contestants "$n" -duration ${short}s -think 300ms -acks "$work/short.acks"
short_load=$load
load long -contestants "$n" -duration 10m -think 300ms -acks "$work/long.acks"
long_load=$load
# Every attempt has started once acks come (the tool starts all, then plays).
wait_for ack $((n * 2)) "$work/short.acks" "$short_load"
wait_for ack $((n * 2)) "$work/long.acks" "$long_load"

kill -KILL "$server"
wait "$server" 2>/dev/null || true
say "killed the server with SIGKILL after $(count ack "$work/short.acks") + $(count ack "$work/long.acks") acks"
wait "$short_load" "$long_load" 2>/dev/null || true # their contestants fail: the server is gone
sleep $((short + 2))

start_server "$work/hoithi.db"
say "started again; the short attempts' deadlines have passed"
check -acks "$work/short.acks" -db "$work/hoithi.db" -expect expired,submitted
check -acks "$work/long.acks" -db "$work/hoithi.db" -expect open
say "ok"
