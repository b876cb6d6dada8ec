#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on loopback for the tests and print its URL.
#
#   url=$(bash scripts/postgres.sh start [DIR] [PORT])   # installs Debian's postgresql if missing
#   HUITOUKAN_TEST_POSTGRES=$url python3 -m pytest tests/services tests/models
#   bash scripts/postgres.sh stop [DIR]
#
# The cluster lives in DIR (default /tmp/huitoukan-pg), owned by an unprivileged user (the
# server refuses to run as root), listens on 127.0.0.1 only and trusts loopback: a test server,
# never a county's. fsync is off: a crash of the test server loses nothing anyone needs.
set -euo pipefail
action=${1:-start}
dir=${2:-/tmp/huitoukan-pg}
port=${3:-54329}

bindir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ] && command -v pg_ctl >/dev/null 2>&1; then
    found=$(dirname "$(command -v pg_ctl)")
  fi
  echo "$found"
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$action" in
  start)
    bin=$(bindir)
    if [ -z "$bin" ]; then
      SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
      $SUDO apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
      bin=$(bindir)
    fi
    if [ ! -s "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
      as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
    fi
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    bin=$(bindir)
    as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    ;;
  *)
    echo "usage: $0 start|stop [DIR] [PORT]" >&2
    exit 2
    ;;
esac
