#!/usr/bin/env bash
# The Zabbix sink against a real Zabbix server (Debian's zabbix-server-pgsql 6.0 on a private
# PostgreSQL 15, configured by SQL as the frontend would): the server takes the values of the
# trapper items it has and refuses the others ("processed: N; failed: M"); colosla evaluate reads
# that reply, says how many were processed and failed, logs the refusal, and does not send the
# refused values again (they would be refused again). The values it took are in the server's
# history. The server and PostgreSQL drop to their own users, so the test needs root; without
# root or the packages it is skipped (scripts/deps installs them).
# usage: zabbix_server.sh COLOSLA SOURCE_DIR
colosla=$1 src=$2
pgbin=/usr/lib/postgresql/15/bin
if [ "$(id -u)" -ne 0 ]; then
  echo "zabbix_server: skipped (needs root)"
  exit 0
fi
for f in /usr/sbin/zabbix_server /usr/share/zabbix-server-pgsql/schema.sql.gz "$pgbin/initdb" /usr/bin/zabbix_sender; do
  if [ ! -e "$f" ]; then
    echo "zabbix_server: skipped ($f is missing: apt-get install zabbix-server-pgsql zabbix-agent postgresql-15)"
    exit 0
  fi
done
. "$src/tests/integration/lib.sh"
. "$src/tests/integration/zabbix_lib.sh"
chmod a+x "$work"  # mktemp made it 0700; postgres and zabbix need to reach their directories

# PostgreSQL on a Unix socket of its own with the Zabbix schema and data, configured below.
pgport=$(free_tcp_port) srvport=$(low_free_tcp_port)
zabbix_postgres_start "$work/pg" "$pgport"
# Host noc-sla with three trapper items colosla sends (the events of C-001's network guarantee,
# its counted minutes) and one for the test's own probe; every other key colosla sends is
# unknown to the server, which refuses its values. (Ids above the 13 378 items of data.sql;
# without item_rtdata rows the server does not load the items.)
psql -X -q -v ON_ERROR_STOP=1 -U zabbix -d zabbix <<'SQL' || fail "configuring Zabbix"
INSERT INTO hosts (hostid, host, name, status) VALUES (9000001, 'noc-sla', 'noc-sla', 0);
INSERT INTO hosts_groups (hostgroupid, hostid, groupid) VALUES (9000001, 9000001, 2);
INSERT INTO items (itemid, type, hostid, name, key_, delay, value_type, interfaceid) VALUES
  (9100001, 2, 9000001, 'network events', 'colosla.event[C-001,network]', '0', 4, NULL),
  (9100002, 2, 9000001, 'counted minutes', 'colosla.sla[C-001,network,counted-minutes]', '0', 0, NULL),
  (9100003, 2, 9000001, 'probe', 'colosla.probe', '0', 3, NULL);
INSERT INTO item_rtdata (itemid) VALUES (9100001), (9100002), (9100003);
SQL
zabbix_server_start "$work/run" "$srvport" StartPollers=1 StartTrappers=1 Timeout=4
# Ready once it takes a value of a trapper item (its configuration cache is loaded).
probe_taken() { zabbix_sender -z 127.0.0.1 -p "$srvport" -s noc-sla -k colosla.probe -o 1 2>&1 | grep -q 'processed: 1'; }
wait_for 90 probe_taken || fail "zabbix_server took no value: $(tail -n 20 "$work/run/server.log")"

# C-001's month so far, evaluated with the Zabbix sink: 6 events, of which 5 are sent (3 of the
# network guarantee, 2 of the emergency one; the installation overdue has no item in the
# template and is not sent), and the figures of network (7 items) and emergency (4): 16 values,
# of which the server has items for 4 (3 events, counted minutes).
db=$work/colosla.db
c001_scenario "$colosla" "$src" "$db" reported
run "$colosla" --db "$db" evaluate --as-of 2026-11-05T10:16:00+08:00 --zabbix-server "127.0.0.1:$srvport" --zabbix-host noc-sla
expect_rc 0
expect_has "$out" "6 new events"
expect_has "$out" "16 values to Zabbix: 4 processed, 12 failed"
expect_has "$err" "did not take 12 values of the 16 sent: processed: 4; failed: 12; total: 16"
expect_has "$err" "the keys sent (the reply does not say which it refused): colosla.event[C-001,network], colosla.event[C-001,emergency], colosla.sla[C-001,emergency,open]"
stat() {
  run "$colosla" --db "$db" stats --format json
  python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get(sys.argv[2], 0))' "$out" "$1"
}
expect_eq "$(stat sink.zabbix.sent)" 16 "sink.zabbix.sent"
expect_eq "$(stat sink.zabbix.refused)" 12 "sink.zabbix.refused"
expect_eq "$(sqlite3 "$db" "SELECT last_id FROM sink_cursor WHERE sink = 'zabbix'")" 6 "the zabbix sink's cursor"
# What the server took is in its history (the events' JSON, the counted minutes).
history() { psql -X -At -U zabbix -d zabbix -c "$1"; }
events_stored() { [ "$(history 'SELECT count(*) FROM history_text WHERE itemid = 9100001')" = 3 ]; }
wait_for 30 events_stored || fail "the server stored $(history 'SELECT count(*) FROM history_text WHERE itemid = 9100001') network events, not 3"
expect_has "$(history 'SELECT value FROM history_text WHERE itemid = 9100001 ORDER BY clock LIMIT 1')" \
  '{"colosla-events:port-down":{"event-id":"1","contract":"C-001"'
expect_eq "$(history 'SELECT clock FROM history_text WHERE itemid = 9100001 ORDER BY clock LIMIT 1')" 1793642400 "the event's time"
minutes_stored() { [ "$(history 'SELECT value FROM history WHERE itemid = 9100002')" = 30 ]; }
wait_for 30 minutes_stored || fail "the counted minutes are not in the server's history"

# The refused values are not sent again (the server would refuse them again); a new event is.
run "$colosla" --db "$db" evaluate --as-of 2026-11-05T10:17:00+08:00 --zabbix-server "127.0.0.1:$srvport" --zabbix-host noc-sla
expect_rc 0
expect_has "$out" "0 new events"
expect_lacks "$out" "to Zabbix"
run "$colosla" --db "$db" evaluate --as-of 2026-11-05T10:25:00+08:00 --zabbix-server "127.0.0.1:$srvport" --zabbix-host noc-sla
expect_rc 0
expect_has "$out" "1 new event"
# notification-missed (emergency): its event and the emergency's 4 figures, none with an item.
expect_has "$out" "5 values to Zabbix: 0 processed, 5 failed"
expect_eq "$(sqlite3 "$db" "SELECT last_id FROM sink_cursor WHERE sink = 'zabbix'")" 7 "the cursor after the refusal"
expect_eq "$(stat sink.zabbix.refused)" 17 "sink.zabbix.refused after the second refusal"
echo "zabbix_server: ok"
