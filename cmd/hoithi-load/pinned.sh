#!/usr/bin/env bash
# Runs a fresh hoithi server on CPU 0 and hoithi-load on CPU 1 of the same
# machine (each with GOMAXPROCS=1), so that the two do not fight over a
# core, then stops the server. Arguments go to hoithi-load; BCRYPT (default
# 4) sets the server's password hashing cost.
#
#   cmd/hoithi-load/pinned.sh -contestants 1000 -watchers 100
#   BCRYPT=10 cmd/hoithi-load/pinned.sh -contestants 300 -watchers 0
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)
go build -o "$bin/hoithi" .
go build -o "$bin/hoithi-load" ./cmd/hoithi-load
cd "$bin"
GOMAXPROCS=1 HOITHI_ADDR=127.0.0.1:8484 HOITHI_RATE_LIMIT=0 HOITHI_WS_PER_ADDRESS=0 HOITHI_BCRYPT_COST="${BCRYPT:-4}" \
  HOITHI_LOG_LEVEL=warn taskset -c 0 ./hoithi >server.out 2>server.err &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server; rm -rf "$bin"' EXIT
for _ in $(seq 50); do
  grep -q "listening on" server.out 2>/dev/null && break
  sleep 0.1
done
GOMAXPROCS=1 taskset -c 1 ./hoithi-load -url http://127.0.0.1:8484 "$@"
