# Shared by the fault drills in this directory (sourced, not run): builds
# hoithi and hoithi-load into a fresh temporary directory, starts and stops
# servers there on the drill's own port and database, and cleans up on
# exit, whatever happened. A drill calls fail with a clear message when a
# check does not hold; it exits non-zero.
#
# Scale: CONTESTANTS (each drill has its default, a few hundred), PORT.
# KEEP=1 keeps the temporary directory (logs, databases, -acks files).
# LOAD_CPU=N runs the load tool on CPU N only (taskset), for drills whose
# servers run elsewhere (SERVER_CPU, where a drill offers it).

set -euo pipefail
drill=$(basename "$0" .sh)
repo=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/hoithi-$drill.XXXXXX")
server=
server_log=
cleanups=()
export HOITHI_ADMIN_EMAIL=dien-tap@example.vn HOITHI_ADMIN_PASSWORD=mat-khau-dien-tap

say() { echo "$drill: $*"; }

fail() {
  echo "$drill: FAIL: $*" >&2
  exit 1
}

on_exit() {
  local status=$?
  set +e
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -KILL "$server" 2>/dev/null
    wait "$server" 2>/dev/null
  fi
  for job in $(jobs -p); do kill -KILL "$job" 2>/dev/null; done
  wait 2>/dev/null
  if [ "$status" -ne 0 ] && [ -n "$server_log" ] && [ -s "$server_log" ]; then
    echo "$drill: the server's last log lines:" >&2
    tail -n 15 "$server_log" >&2
  fi
  for ((i = ${#cleanups[@]} - 1; i >= 0; i--)); do eval "${cleanups[i]}"; done
  if [ -n "${KEEP:-}" ]; then
    echo "$drill: kept $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap on_exit EXIT

# on_cleanup CMD runs CMD at exit, the last added first.
on_cleanup() { cleanups+=("$1"); }

build() {
  (cd "$repo" && go build -o "$work/hoithi" . && go build -o "$work/hoithi-load" ./cmd/hoithi-load) ||
    fail "the build failed"
}

# start_server DB: a server on 127.0.0.1:$port with the database DB, 1 s of
# grace; sets $server (its pid) and $url.
runs=0
start_server() {
  local db=$1
  runs=$((runs + 1))
  server_log="$work/server.$runs.log"
  HOITHI_DB="$db" HOITHI_ADDR="127.0.0.1:$port" HOITHI_GRACE=1s HOITHI_RATE_LIMIT=0 HOITHI_WS_PER_ADDRESS=0 \
    HOITHI_BCRYPT_COST=4 HOITHI_LOG_LEVEL=warn "$work/hoithi" serve >"$work/server.$runs.out" 2>"$server_log" &
  server=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 300); do
    grep -q "listening on" "$work/server.$runs.out" 2>/dev/null && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  fail "the server did not start on port $port (taken?): $(tail -n 3 "$server_log")"
}

# load NAME ARGS...: hoithi-load against the server in the background,
# its output in $work/NAME.out; sets $load (its pid).
load() {
  local name=$1
  shift
  ${LOAD_CPU:+taskset -c "$LOAD_CPU"} "$work/hoithi-load" -url "$url" -watchers 10 "$@" >"$work/$name.out" 2>"$work/$name.err" &
  load=$!
}

# count KIND FILE: how many records of KIND an -acks file has so far.
count() {
  local c
  c=$(grep -c "\"kind\":\"$1\"" "$2" 2>/dev/null) || true
  echo "${c:-0}"
}

# wait_for KIND N FILE PID: until FILE has N records of KIND; fails when
# the load PID ends first, or after 180 s (a drill at a large scale registers and starts thousands first).
wait_for() {
  local kind=$1 n=$2 file=$3 pid=$4
  for _ in $(seq 1800); do
    [ "$(count "$kind" "$file")" -ge "$n" ] && return 0
    kill -0 "$pid" 2>/dev/null || fail "the load ended before $n ${kind}s: $(tail -n 5 "${file%.acks}.out" "${file%.acks}.err")"
    sleep 0.1
  done
  fail "no $n ${kind}s within 180 s"
}

# check ARGS...: hoithi-load -check against the server and its database.
check() {
  ${LOAD_CPU:+taskset -c "$LOAD_CPU"} "$work/hoithi-load" -check -url "$url" -grace 1s "$@" || fail "the check above failed"
}
