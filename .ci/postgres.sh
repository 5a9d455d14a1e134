#!/usr/bin/env bash
# Starts a scratch PostgreSQL 15 for the PostgreSQL store's tests and prints
# its URL. Runs as root; the server runs as the postgres user, from Debian's
# package (installed here only if it is missing), on a new data directory
# under DIR (default: a new temporary directory), listening on 127.0.0.1
# only, on PORT (default 25432: below the kernel's range of ports for outgoing
# connections, 32768–60999 by default, so that no connection of a test or a
# load run just before can hold it), trusting local connections. It returns once
# the server accepts connections. Stop it with `.ci/postgres.sh stop DIR`.
#
#   url=$(.ci/postgres.sh start /tmp/pg 25432)   # prints postgres://postgres@127.0.0.1:25432/postgres?sslmode=disable
#   .ci/postgres.sh stop /tmp/pg
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
action=${1:-start}
dir=${2:-$(mktemp -d /tmp/hoithi-pg.XXXXXX)}
port=${3:-25432}

if [ "$action" = stop ]; then
  su postgres -c "$bin/pg_ctl -D '$dir/data' -m fast stop" >&2
  exit 0
fi

if [ ! -x "$bin/initdb" ]; then
  echo "== installing postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends postgresql >&2
fi
mkdir -p "$dir"
chown postgres "$dir"
su postgres -c "$bin/initdb -D '$dir/data' -A trust -U postgres" >/dev/null
su postgres -c "$bin/pg_ctl -D '$dir/data' -l '$dir/log' -w \
  -o '-p $port -k $dir -c listen_addresses=127.0.0.1' start" >&2
until su postgres -c "$bin/pg_isready -q -h 127.0.0.1 -p $port"; do sleep 0.2; done
echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
