#!/usr/bin/env bash
# Prints, every 200 ms while a hoithi-load runs, how busy the server and
# the load tool each kept their core: which of the two a run waits on at
# each moment. Start it beside pinned.sh:
#
#   cmd/hoithi-load/cpuwatch.sh > cpu.txt & cmd/hoithi-load/pinned.sh -contestants 10000 -think 1s
#
# Each line: seconds since the load tool started, the server's and the
# tool's CPU over the last interval, in % of one core (from /proc, which
# counts in clock ticks: short intervals come out lumpy). INTERVAL sets
# the interval in seconds (default 0.2).
set -euo pipefail
until tool=$(pgrep -x hoithi-load | head -1); do sleep 0.05; done
server=$(pgrep -x hoithi | head -1)
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
start=$(date +%s%N)
last=$start lastServer=$(cpu "$server") lastTool=$(cpu "$tool")
while kill -0 "$tool" 2>/dev/null; do
  sleep "${INTERVAL:-0.2}"
  now=$(date +%s%N) s=$(cpu "$server") t=$(cpu "$tool")
  awk -v at="$((now - start))" -v dt="$((now - last))" -v ds="$((s - lastServer))" -v dtool="$((t - lastTool))" -v hz="$ticks" \
    'BEGIN { printf "%6.1f s  server %3.0f %%  load tool %3.0f %%\n", at / 1e9, 100 * ds / hz / (dt / 1e9), 100 * dtool / hz / (dt / 1e9) }'
  last=$now lastServer=$s lastTool=$t
done
