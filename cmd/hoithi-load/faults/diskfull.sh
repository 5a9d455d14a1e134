#!/usr/bin/env bash
# A full disk, then a read-only database, under load. The database lives
# on a small ext4 filesystem of its own (a loop-mounted image: run as root;
# elsewhere than CI the drill is skipped when not root). In each fault,
# contestants answer over their sockets and resend what is refused, as the
# quiz page lets them:
#   1. the disk fills up (a file takes every free block), stays full for a
#      while, and is freed;
#   2. the database and its WAL become immutable (chattr +i: every write
#      fails as on a read-only filesystem), for a while, and writable again.
# Then: the contestants were refused with storage_unavailable and nothing
# else (never a silent loss, never "internal"), and so was a registration
# over HTTP (503); every answer acknowledged
# is stored; and once the cause is gone the same server, never restarted,
# stores again: every contestant finishes and submits.
#
#   cmd/hoithi-load/faults/diskfull.sh           # CONTESTANTS=200
source "$(dirname "$0")/lib.sh"
port=${PORT:-8613}
n=${CONTESTANTS:-200}
hold=${HOLD:-3} # seconds each fault lasts once the first refusal came

if [ "$(id -u)" -ne 0 ]; then
  [ -n "${CI:-}" ] && fail "CI runs this drill as root, and this is not root"
  say "SKIP: needs root to loop-mount a small filesystem (CI runs it as root)"
  exit 0
fi
build
disk="$work/disk"
mkdir "$disk"
truncate -s 48M "$work/disk.img"
mkfs.ext4 -q -m 0 "$work/disk.img" || fail "mkfs.ext4 failed"
mount -o loop "$work/disk.img" "$disk" || fail "could not loop-mount the image"
on_cleanup "umount '$disk'"
db="$disk/hoithi.db"
start_server "$db"

# drill NAME BREAK MEND: contestants play; BREAK once they are under way,
# MEND $hold seconds after the first refusal; every one must finish.
drill() {
  local name=$1 break=$2 mend=$3
  say "$name: $n contestants answering every 200 ms"
  load "$name" -contestants "$n" -duration 10m -think 200ms -retry 250ms -acks "$work/$name.acks"
  wait_for ack $((n * 2)) "$work/$name.acks" "$load"
  eval "$break"
  say "$name: $(df -h --output=avail "$disk" | tail -n 1 | tr -d ' ') free, after $(count ack "$work/$name.acks") acks"
  wait_for error 1 "$work/$name.acks" "$load"
  # A registration meanwhile is refused the same way over HTTP.
  local phone status
  phone=09$(printf '%08d' $((RANDOM * 1000 + RANDOM % 1000)))
  status=$(curl -s -o "$work/$name.register" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"full_name":"Người Đăng Ký Lúc Sự Cố","birth_date":"1990-01-01","id_number":"001090099999","phone":"'"$phone"'","province":"01","unit":"Đơn vị Z","password":"mat-khau-tai","consent":true}' \
    "$url/api/v1/auth/register")
  grep -q '"code":"storage_unavailable"' "$work/$name.register" && [ "$status" = 503 ] ||
    fail "$name: a registration got $status $(cat "$work/$name.register"), want 503 storage_unavailable"
  sleep "$hold"
  say "$name: $(count error "$work/$name.acks") refusals so far; mending"
  eval "$mend"
  local status=0
  wait "$load" || status=$?
  cat "$work/$name.out"
  [ "$status" -eq 0 ] || fail "$name: not every contestant finished once the fault was mended: $(tail -n 3 "$work/$name.err")"
  check -acks "$work/$name.acks" -db "$db" -expect submitted -want-error storage_unavailable
}

drill full "dd if=/dev/zero of='$disk/filler' bs=64k status=none 2>/dev/null || true" "rm -f '$disk/filler'"
drill readonly "chattr +i '$db' '$db-wal'" "chattr -i '$db' '$db-wal'"
say "ok"
