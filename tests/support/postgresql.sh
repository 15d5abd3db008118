#!/usr/bin/env bash
# A PostgreSQL 15 of the tests' own, on a Unix socket only (listen_addresses=''), test-only
# durability (fsync=off): ctest's fixture "postgresql" (tests/CMakeLists.txt) starts it before the
# tests that need it and stops it after. Its data and socket are in a directory of its own under
# $TMPDIR (/tmp): user postgres must reach them, which it may not in a build directory under a
# home; DIR (in the build directory) keeps that directory's name and the admin URI.
#
#   postgresql.sh start DIR      initdb + pg_ctl start; writes the admin URI to DIR/uri
#   postgresql.sh stop DIR       pg_ctl stop (fast, then immediate); no process left behind
#   postgresql.sh run DIR CMD... CMD with COLOSLA_TEST_POSTGRESQL set to the admin URI
#
# The server runs as user postgres when started by root (initdb refuses root), else as the
# caller. Authentication is "trust" on the socket, which only the tests' users can reach: the URI
# holds no password.
set -euo pipefail

pgbin=/usr/lib/postgresql/15/bin
port=15433  # names the socket file only (.s.PGSQL.15433): nothing listens on TCP

usage() {
  echo "usage: postgresql.sh start|stop DIR | run DIR CMD..." >&2
  exit 2
}
[ $# -ge 2 ] || usage
action=$1
dir=$(realpath -m "$2")  # absolute: the server runs in its data directory
shift 2

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# The server's directory, as start wrote it into DIR/server (empty when none).
server_dir() { cat "$dir/server" 2>/dev/null || true; }

stop() {
  local srv
  srv=$(server_dir)
  if [ -n "$srv" ] && [ -f "$srv/data/postmaster.pid" ]; then
    as_pg "$pgbin/pg_ctl" -D "$srv/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
      as_pg "$pgbin/pg_ctl" -D "$srv/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  if [ -n "$srv" ] && [ -f "$srv/data/postmaster.pid" ]; then
    echo "postgresql.sh: PostgreSQL in $srv/data did not stop" >&2
    return 1
  fi
  if [ -n "$srv" ]; then
    rm -rf "$srv"
  fi
  rm -f "$dir/server" "$dir/uri"
}

case $action in
start)
  if [ ! -x "$pgbin/initdb" ]; then
    echo "postgresql.sh: $pgbin/initdb is missing (scripts/deps installs postgresql-15)" >&2
    exit 1
  fi
  stop  # a server a crashed run left behind
  mkdir -p "$dir"
  srv=$(mktemp -d "${TMPDIR:-/tmp}/colosla-postgresql.XXXXXX")
  echo "$srv" >"$dir/server"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$srv"
  fi
  as_pg "$pgbin/initdb" -D "$srv/data" -U postgres -A trust -E UTF8 --no-locale --no-sync \
    >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  as_pg "$pgbin/pg_ctl" -D "$srv/data" -l "$srv/pg.log" -w -t 60 \
    -o "-k $srv -p $port -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || {
    echo "postgresql.sh: PostgreSQL did not start:" >&2
    cat "$srv/pg.log" >&2
    exit 1
  }
  uri="postgresql://postgres@/postgres?host=$srv&port=$port"
  as_pg "$pgbin/psql" -X -q -d "$uri" -c "SELECT 1" >/dev/null
  echo "$uri" >"$dir/uri.tmp"
  mv "$dir/uri.tmp" "$dir/uri"
  echo "postgresql.sh: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on $srv"
  ;;
stop)
  stop
  ;;
run)
  [ $# -ge 1 ] || usage
  if [ ! -f "$dir/uri" ]; then
    echo "postgresql.sh: no PostgreSQL started in $dir (the fixture's setup failed?)" >&2
    exit 1
  fi
  COLOSLA_TEST_POSTGRESQL=$(cat "$dir/uri")
  export COLOSLA_TEST_POSTGRESQL
  exec "$@"
  ;;
*)
  usage
  ;;
esac
