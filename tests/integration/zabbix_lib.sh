# Helpers for the tests against a real Zabbix 6.0 server (zabbix_server.sh, zabbix_frontend.sh),
# sourced after lib.sh: Debian's zabbix-server-pgsql on a private PostgreSQL 15, both dropping to
# their own users (the tests run as root). The test sets pgbin (PostgreSQL 15's programs) for its
# own check of what is installed, and makes $work reachable by postgres and zabbix.

# low_free_tcp_port: a TCP port on 127.0.0.1 that nothing is bound to right now, in 20000-32767
# (Zabbix takes a ListenPort of 1024-32767 only, below the ephemeral ports free_tcp_port gives).
low_free_tcp_port() {
  python3 -c '
import random, socket
for _ in range(200):
    p = random.randint(20000, 32767)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()'
}

as_pg() { runuser -u postgres -- "$@"; }

# zabbix_postgres_start DIR PORT: PostgreSQL on a Unix socket of its own in DIR (PORT names it; no
# TCP), stopped on exit, with the role and database zabbix holding the Zabbix schema, images and
# data; PGHOST and PGPORT are exported for psql.
zabbix_postgres_start() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  chown postgres:postgres "$dir"
  export PGHOST=$dir PGPORT=$port
  as_pg "$pgbin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >/dev/null ||
    fail "initdb"
  as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -w -t 60 \
    -o "-k $dir -p $port -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || fail "PostgreSQL did not start: $(cat "$dir/pg.log")"
  cleanup_hooks+=("as_pg $pgbin/pg_ctl -D $dir/data -m fast -w stop >/dev/null 2>&1")
  psql -X -q -U postgres -c "CREATE ROLE zabbix LOGIN" -c "CREATE DATABASE zabbix OWNER zabbix" >/dev/null
  zcat /usr/share/zabbix-server-pgsql/{schema,images,data}.sql.gz | psql -X -q -U zabbix -d zabbix >"$dir/import.log" 2>&1 ||
    fail "the Zabbix schema did not import: $(tail "$dir/import.log")"
}

# zabbix_server_start DIR PORT [LINE...]: zabbix_server on 127.0.0.1:PORT with the database of
# zabbix_postgres_start, stopped on exit (before PostgreSQL): its configuration DIR/server.conf,
# its log DIR/server.log, its pid file and sockets in DIR; its configuration cache reloaded every
# second, no housekeeping, one process of each kind the tests need and none of the others. The
# LINEs add what a test sets itself (at least StartPollers, StartTrappers and Timeout).
zabbix_server_start() {
  local dir=$1 port=$2
  shift 2
  mkdir -p "$dir"
  {
    cat <<CONF
LogFile=$dir/server.log
LogFileSize=0
PidFile=$dir/server.pid
SocketDir=$dir
DBHost=$PGHOST
DBPort=$PGPORT
DBName=zabbix
DBUser=zabbix
ListenIP=127.0.0.1
ListenPort=$port
CacheUpdateFrequency=1
StartPollersUnreachable=1
StartPingers=0
StartDiscoverers=0
StartHTTPPollers=0
StartPreprocessors=1
StartDBSyncers=1
StartLLDProcessors=1
StartAlerters=1
StartEscalators=1
StartTimers=1
StartReportWriters=0
HousekeepingFrequency=0
CONF
    printf '%s\n' "$@"
  } >"$dir/server.conf"
  chown -R zabbix:zabbix "$dir"
  zabbix_server -c "$dir/server.conf" || fail "zabbix_server did not start: $(tail -n 20 "$dir/server.log" 2>/dev/null)"
  cleanup_hooks=("stop_pidfile '$dir/server.pid'" "${cleanup_hooks[@]}")
}
