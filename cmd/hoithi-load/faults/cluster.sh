#!/usr/bin/env bash
# Three nodes on one PostgreSQL database behind nginx, and one of them
# killed with SIGKILL mid-round. A scratch PostgreSQL (.ci/postgres.sh,
# as root), three hoithi nodes on loopback ports sharing one session key,
# and nginx (Debian's package) in front, proxying the API and the
# websockets (a live game's sockets hashed to one node by their PIN).
# Contestants play through nginx, two groups as in kill9.sh (short attempts
# of 8 s, long ones of 10 minutes), and node 2 is killed once they all
# play. Then, through nginx to the nodes left: every
# acknowledged answer is stored; every long attempt left running resumes
# with the deadline its contestant saw; every short attempt is submitted
# once, at its deadline, scored from the answers it had, unless its
# contestant, on a node left, submitted it. No attempt is submitted
# twice: the nodes' counts of submissions (node 2's read just before it is
# killed) add up to no more than the database's. And every node's leaderboard agrees:
# a watcher on each node directly sees every ranking on every node up
# within a second of the first, and every node left ends on the
# database's.
#
#   cmd/hoithi-load/faults/cluster.sh              # CONTESTANTS=60 in each group
#   SERVER_CPU=0 LOAD_CPU=1 CONTESTANTS=1000 cmd/hoithi-load/faults/cluster.sh
#       # PostgreSQL, the nodes and nginx on CPU 0, the load tools on CPU 1
source "$(dirname "$0")/lib.sh"
port=${PORT:-8631} # nginx; the nodes on the next three
n=${CONTESTANTS:-60}
short=${SHORT:-8} # seconds: the short attempts' length

command -v nginx >/dev/null || fail "nginx is not installed (apt-get install nginx)"
build
pgdir=$(mktemp -d /tmp/hoithi-cluster-pg.XXXXXX) # outside $work, which only its owner may enter
on_cleanup "rm -rf '$pgdir'"
on_server=${SERVER_CPU:+taskset -c $SERVER_CPU}
db_server=$($on_server bash "$repo/.ci/postgres.sh" start "$pgdir" "${PG_PORT:-25439}" 2>/dev/null) || fail "PostgreSQL did not start"
on_cleanup "bash '$repo/.ci/postgres.sh' stop '$pgdir' >/dev/null 2>&1"
db="${db_server%/postgres*}/hoithi?sslmode=disable"
psql "${db_server}" -qc "CREATE DATABASE hoithi" || fail "could not create the database"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/session.key"
chmod 600 "$work/session.key"

nodes=()
start_node() { # i: node i on port+i
  local i=$1 p=$((port + $1))
  HOITHI_DB="$db" HOITHI_KEY_FILE="$work/session.key" HOITHI_ADDR="127.0.0.1:$p" HOITHI_GRACE=1s \
    HOITHI_RATE_LIMIT=0 HOITHI_WS_PER_ADDRESS=0 HOITHI_BCRYPT_COST=4 HOITHI_LOG_LEVEL=warn \
    HOITHI_TRUSTED_PROXIES=127.0.0.1 $on_server "$work/hoithi" serve >"$work/node$i.out" 2>"$work/node$i.log" &
  nodes[i]=$!
  for _ in $(seq 300); do
    grep -q "listening on" "$work/node$i.out" 2>/dev/null && return 0
    kill -0 "${nodes[i]}" 2>/dev/null || break
    sleep 0.1
  done
  fail "node $i did not start on port $p: $(tail -n 3 "$work/node$i.log")"
}
start_node 1 # the first makes the schema and the demo contest
start_node 2
start_node 3
on_cleanup 'for pid in "${nodes[@]}"; do kill -KILL "$pid" 2>/dev/null; done'

mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
daemon off;
master_process off; # one process, which the drill's exit kills whatever happened
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
worker_rlimit_nofile 19500; # under the 20,000 open files a process may hold here
events { worker_connections 19000; } # two for each socket, the contestant's and the node's: up to 9,000 at once
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  map \$uri \$live_pin { "~^/ws/live/(?<pin>[0-9]{6})" \$pin; default ''; }
  upstream hoithi {
    server 127.0.0.1:$((port + 1)) max_fails=1 fail_timeout=10s;
    server 127.0.0.1:$((port + 2)) max_fails=1 fail_timeout=10s;
    server 127.0.0.1:$((port + 3)) max_fails=1 fail_timeout=10s;
  }
  upstream hoithi_live {
    hash \$live_pin consistent;
    server 127.0.0.1:$((port + 1)) max_fails=1 fail_timeout=10s;
    server 127.0.0.1:$((port + 2)) max_fails=1 fail_timeout=10s;
    server 127.0.0.1:$((port + 3)) max_fails=1 fail_timeout=10s;
  }
  server {
    listen 127.0.0.1:$port;
    proxy_http_version 1.1;
    proxy_set_header Host \$host;
    proxy_set_header Upgrade \$http_upgrade;
    proxy_set_header Connection \$connection_upgrade;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    proxy_read_timeout 1h;
    proxy_next_upstream error timeout;
    location / { proxy_pass http://hoithi; }
    location /ws/live/ { proxy_pass http://hoithi_live; }
  }
}
CONF
$on_server nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>"$work/nginx/start.log" &
nginx_pid=$!
on_cleanup "kill -TERM $nginx_pid 2>/dev/null"
url="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "$url/healthz" >/dev/null || fail "nginx does not answer on $url: $(cat "$work/nginx/start.log" "$work/nginx/error.log")"

say "$n contestants with ${short}s attempts and $n with 10-minute attempts through nginx to three nodes"
load short -contestants "$n" -duration ${short}s -think 300ms -acks "$work/short.acks"
short_load=$load
load long -contestants "$n" -duration 10m -think 300ms -acks "$work/long.acks"
long_load=$load

# round_of NAME: the round the load NAME made, from its first line.
round_of() {
  local r
  for _ in $(seq 300); do
    r=$(sed -n 's/^hoithi-load: .* on round \([0-9]*\) .*/\1/p' "$work/$1.out" 2>/dev/null)
    [ -n "$r" ] && echo "$r" && return 0
    sleep 0.1
  done
  fail "the load $1 named no round: $(tail -n 3 "$work/$1.err")"
}
node_urls="http://127.0.0.1:$((port + 1)),http://127.0.0.1:$((port + 2)),http://127.0.0.1:$((port + 3))"
${LOAD_CPU:+taskset -c "$LOAD_CPU"} "$work/hoithi-load" -watch-boards "$work/boards" -nodes "$node_urls" -rounds "$(round_of short),$(round_of long)" \
  >"$work/boards.out" 2>&1 &
watcher=$!
wait_for state "$n" "$work/short.acks" "$short_load" # every contestant has seen a deadline
wait_for state "$n" "$work/long.acks" "$long_load"
wait_for ack $((n * 2)) "$work/short.acks" "$short_load"
wait_for ack $((n * 2)) "$work/long.acks" "$long_load"

# submitted N: the attempts node N has submitted, by its contestants or at
# their deadline.
submitted() {
  curl -sf "http://127.0.0.1:$((port + $1))/metrics" | awk '/^hoithi_attempts_submitted_total/ { s += $2 } END { print s + 0 }'
}
by_node2=$(submitted 2)
kill -KILL "${nodes[2]}"
say "killed node 2 with SIGKILL after $(count ack "$work/short.acks") + $(count ack "$work/long.acks") acks"
wait "$short_load" "$long_load" 2>/dev/null || true # node 2's contestants lose their sockets
sleep $((short + 2))

say "checking through nginx, on the nodes left"
check -acks "$work/short.acks" -db "$db" -expect expired,submitted
check -acks "$work/long.acks" -db "$db" -expect open,submitted # those on the nodes left went on to the end

by_nodes=$((by_node2 + $(submitted 1) + $(submitted 3)))
in_db=$(psql "$db" -tAc "SELECT count(*) FROM attempts WHERE submitted_at IS NOT NULL")
say "attempts submitted: $in_db in the database, $by_nodes by the nodes (node 2 before it was killed: $by_node2)"
# Every attempt due is submitted (the checks above); none twice: an
# attempt two nodes both submitted would count once in the database and
# twice here. Node 2 may have submitted a few between its count and the
# kill, or committed one it never counted: those count in the database
# only.
[ "$by_nodes" -le "$in_db" ] || fail "the nodes submitted $by_nodes attempts, the database has $in_db: some were submitted twice"
[ "$by_nodes" -eq "$in_db" ] || say "$((in_db - by_nodes)) submitted by node 2 after its count, before the kill"

sleep 2 # a second for the last ranking to reach every node, and a second more
kill -TERM "$watcher"
wait "$watcher" || fail "the leaderboard watcher failed: $(cat "$work/boards.out")"
check -boards "$work/boards" -db "$db"
say "ok"
