#!/usr/bin/env bash
# The Zabbix template and sink against a real Zabbix 6.0 server with its frontend API, as a NOC
# sets them up: Debian's zabbix-server-pgsql on a private PostgreSQL 15, zabbix-frontend-php
# under PHP's built-in web server (its own copy of the frontend, whose configuration file is the
# test's), and a real zabbix_agentd serving the discovery rules. Through the JSON-RPC API:
# configuration.import of examples/zabbix-template-colosla.yaml (no error), a host linked to it,
# discovery until the item prototypes are items; then colosla-trapd with its Zabbix sink sees a
# customer port down past the contract's outage budget: its values are in the server's history,
# the server refused none of them (sink.zabbix.refused 0 in colosla stats), and the template's
# triggers fire (the SLA broken, the SLA event). A contract discovery has not seen yet: its
# values are refused, counted in sink.zabbix.refused and logged with their keys. The daemons drop
# to their own users, so the test needs root; without root or the packages it is skipped
# (scripts/deps installs them).
# usage: zabbix_frontend.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
colosla=$build/apps/colosla/colosla trapd=$build/apps/colosla-trapd/colosla-trapd
pgbin=/usr/lib/postgresql/15/bin
if [ "$(id -u)" -ne 0 ]; then
  echo "zabbix_frontend: skipped (needs root)"
  exit 0
fi
for f in /usr/sbin/zabbix_server /usr/share/zabbix-server-pgsql/schema.sql.gz "$pgbin/initdb" \
  /usr/sbin/zabbix_agentd /usr/bin/zabbix_sender /usr/share/zabbix/api_jsonrpc.php /usr/bin/php; do
  if [ ! -e "$f" ]; then
    echo "zabbix_frontend: skipped ($f is missing: apt-get install --no-install-recommends zabbix-server-pgsql zabbix-agent zabbix-frontend-php php-pgsql php-cli postgresql-15)"
    exit 0
  fi
done
if ! php -m | grep -qx pgsql; then
  echo "zabbix_frontend: skipped (PHP has no pgsql module: apt-get install php-pgsql)"
  exit 0
fi
. "$src/tests/integration/lib.sh"
. "$src/tests/integration/zabbix_lib.sh"
chmod a+x "$work"  # mktemp made it 0700; postgres, zabbix and nobody need to reach their directories

# The scenario needs the last 100 minutes in this month, in the contract's zone (+08:00) and in
# the server's (UTC): the outage must count in the month the triggers look at.
if [ "$(date -u -d '-100 min' +%Y-%m)" != "$(date -u +%Y-%m)" ] ||
  [ "$(TZ=Asia/Shanghai date -d '-100 min' +%Y-%m)" != "$(TZ=Asia/Shanghai date +%Y-%m)" ]; then
  echo "zabbix_frontend: skipped (a month began less than 100 minutes ago; run it again later)"
  exit 0
fi

# 1. PostgreSQL on a Unix socket of its own, with the Zabbix schema and data.
pgport=$(free_tcp_port) srvport=$(low_free_tcp_port) agport=$(low_free_tcp_port) webport=$(free_tcp_port)
mkdir -p "$work/agent"
zabbix_postgres_start "$work/pg" "$pgport"

# 2. The server: its configuration cache reloaded every second, so that what the API configures
#    (the discovered items) is soon in force.
zabbix_server_start "$work/run" "$srvport" StartPollers=2 StartTrappers=2 Timeout=10

# 3. The frontend: a copy of Debian's (/usr/share/zabbix), whose configuration file is the
#    test's. Debian's frontend reads /etc/zabbix/zabbix.conf.php, a path written in
#    include/classes/core/CConfigFile.php; the frontend finds its own files from that class's
#    real path, so a tree of symbolic links would lead it back to /usr/share/zabbix: a copy it is,
#    with the path in the copy pointed at the test's file. PHP's built-in web server serves it as
#    nobody.
fe=$work/frontend
mkdir -p "$fe"
tar -C /usr/share/zabbix --exclude=./locale -cf - . | tar -C "$fe" -xf -
grep -q "const CONFIG_FILE_PATH = '/etc/zabbix/zabbix.conf.php';" "$fe/include/classes/core/CConfigFile.php" ||
  fail "the frontend does not read /etc/zabbix/zabbix.conf.php any more: look at its CConfigFile.php"
sed -i "s|const CONFIG_FILE_PATH = '/etc/zabbix/zabbix.conf.php';|const CONFIG_FILE_PATH = '$fe/conf/zabbix.conf.php';|" \
  "$fe/include/classes/core/CConfigFile.php"
cat >"$fe/conf/zabbix.conf.php" <<PHP
<?php
\$DB['TYPE'] = 'POSTGRESQL';
\$DB['SERVER'] = '$work/pg';
\$DB['PORT'] = '$pgport';
\$DB['DATABASE'] = 'zabbix';
\$DB['USER'] = 'zabbix';
\$DB['PASSWORD'] = '';
\$DB['SCHEMA'] = '';
\$DB['ENCRYPTION'] = false;
\$DB['KEY_FILE'] = '';
\$DB['CERT_FILE'] = '';
\$DB['CA_FILE'] = '';
\$DB['VERIFY_HOST'] = false;
\$DB['CIPHER_LIST'] = '';
\$DB['VAULT_URL'] = '';
\$DB['VAULT_DB_PATH'] = '';
\$DB['VAULT_TOKEN'] = '';
\$DB['DOUBLE_IEEE754'] = true;
\$ZBX_SERVER = '127.0.0.1';
\$ZBX_SERVER_PORT = '$srvport';
\$ZBX_SERVER_NAME = 'colosla test';
\$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
PHP
chmod -R a+rX "$fe"
runuser -u nobody -- php -S "127.0.0.1:$webport" -t "$fe" >"$work/php.log" 2>&1 &
php_pid=$!
cleanup_hooks=("kill $php_pid 2>/dev/null; wait $php_pid 2>/dev/null" "${cleanup_hooks[@]}")
url=http://127.0.0.1:$webport/api_jsonrpc.php
token=$work/api.token
# api METHOD [PARAMS_JSON]: the result as JSON in $out (an error fails the test).
api() {
  printf '%s' "${2:-"{}"}" >"$work/params.json"
  run_in "$work/params.json" python3 "$src/tests/integration/zabbix_api.py" "$url" "$token" "$1"
  [ "$rc" -eq 0 ] || fail "the API refused $1: $err"
}
# jq-less: python3 reads the JSON in $out with the expression given (x is the result).
pick() { python3 -c 'import json, sys; x = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$out" "$1"; }
api_up() {
  echo '{}' >"$work/params.json"
  run_in "$work/params.json" python3 "$src/tests/integration/zabbix_api.py" "$url" "$token" apiinfo.version
  [ "$rc" -eq 0 ]
}
wait_for 60 api_up || fail "the frontend's API did not answer: $(tail -n 20 "$work/php.log")"
api apiinfo.version
expect_has "$out" '"6.0.' "the API's version"
api user.login '{"username": "Admin", "password": "zabbix"}'

# 4. The template, imported as a NOC would (Configuration > Templates > Import: the rules of a
#    first import).
python3 -c '
import json, sys
rules = {r: {"createMissing": True, "updateExisting": True} for r in
         ("groups", "templates", "valueMaps", "items", "discoveryRules", "triggers", "graphs",
          "httptests", "templateDashboards")}
rules["templateLinkage"] = {"createMissing": True}
print(json.dumps({"format": "yaml", "rules": rules, "source": open(sys.argv[1]).read()}))' \
  "$src/examples/zabbix-template-colosla.yaml" >"$work/import.json"
api configuration.import "$(cat "$work/import.json")"
expect_eq "$out" true "configuration.import"
api template.get '{"filter": {"host": ["colosla SLA"]}, "output": ["templateid"], "selectDiscoveries": "count", "selectMacros": ["macro", "value"]}'
templateid=$(pick 'x[0]["templateid"]')
expect_eq "$(pick 'x[0]["discoveries"]')" 2 "the template's discovery rules"
# What colosla-trapd sends is trapper items (type 2), what the agent serves agent items (0).
types='sorted(set((i["key_"].split("[")[0], i["type"]) for i in x))'
api itemprototype.get "{\"templateids\": [\"$templateid\"], \"output\": [\"key_\", \"type\"]}"
expect_eq "$(pick "$types")" "[('colosla.event', '2'), ('colosla.sla', '2'), ('colosla.status', '0')]" \
  "the item prototypes' types"
expect_eq "$(pick 'len(x)')" 13 "item prototypes"
api triggerprototype.get "{\"templateids\": [\"$templateid\"], \"output\": [\"description\"]}"
expect_eq "$(pick 'len(x)')" 5 "trigger prototypes"

# 5. The store and its contract: the example inventory, C-001 moved to 2020-2040 so that the wall
#    clock is inside it; its port sw1 ge-0/0/1 down for 100 minutes (as a linkDown trap would have
#    said) and reported by the customer 95 minutes ago: 100 counted minutes, past its 44; and its
#    server 203.0.113.5 not answering ping 10 and 5 minutes ago: an emergency nobody has told the
#    customer about yet.
db=$work/colosla.db
sed -e 's/"signed":"2026-10-30"/"signed":"2019-12-20"/' \
  -e 's/"start":"2026-11-01T00:00:00+08:00","end":"2027-11-01T00:00:00+08:00"/"start":"2020-01-01T00:00:00+08:00","end":"2040-01-01T00:00:00+08:00"/' \
  "$src/examples/inventory.json" >"$work/inventory.json"
grep -q '"end":"2040-01-01' "$work/inventory.json" || fail "the example inventory's C-001 dates moved"
run "$colosla" --db "$db" inventory load "$work/inventory.json" --by test
expect_rc 0
down=$(date -u -d '-100 min' +%Y-%m-%dT%H:%M:%SZ)
printf '%s\n' "{\"time\":\"$down\",\"device\":\"sw1\",\"interface\":\"ge-0/0/1\",\"state\":\"down\"}" \
  "{\"time\":\"$(date -u -d '-10 min' +%Y-%m-%dT%H:%M:%SZ)\",\"target\":\"203.0.113.5\",\"service\":\"icmp\",\"result\":\"fail\"}" \
  "{\"time\":\"$(date -u -d '-5 min' +%Y-%m-%dT%H:%M:%SZ)\",\"target\":\"203.0.113.5\",\"service\":\"icmp\",\"result\":\"fail\"}" \
  >"$work/down.jsonl"
run "$colosla" --db "$db" observe "$work/down.jsonl"
expect_rc 0
run "$colosla" --db "$db" customer-report add --contract C-001 --at "$(date -u -d '-95 min' +%Y-%m-%dT%H:%M:%SZ)" \
  --guarantee network --by test
expect_rc 0

# 6. The agent serving the discovery rules: the packaged lines (examples/zabbix_agentd.d/
#    colosla.conf) with the test's colosla and status directory (the store's), which read the
#    published figures (a first evaluation publishes them; the Zabbix sink, new, takes its events
#    later all the same); without that file, docs/nms.md's earlier lines, which read the store.
#    The agent runs as root here (AllowRoot): that the lines work as user zabbix and see no secret
#    is the Nagios and agent tests' part.
if [ -f "$src/examples/zabbix_agentd.d/colosla.conf" ]; then
  agent_lines=$(sed -n -e "s|/usr/bin/colosla|$colosla|g" -e "s|/var/lib/colosla/status|$work/status|g" \
    -e '/^UserParameter=/p' "$src/examples/zabbix_agentd.d/colosla.conf")
  run "$colosla" --db "$db" evaluate
  expect_rc 0
  packaged_lines=1
else
  agent_lines="UserParameter=colosla.discovery,$colosla --db $db zabbix discovery
UserParameter=colosla.discovery.budgets,$colosla --db $db zabbix discovery --guarantee network --guarantee power"
  packaged_lines=0
fi
expect_has "$agent_lines" "UserParameter=colosla.discovery," "the agent's lines"
cat >"$work/agent/agentd.conf" <<CONF
PidFile=$work/agent/agentd.pid
LogFile=$work/agent/agentd.log
LogFileSize=0
Server=127.0.0.1
ListenIP=127.0.0.1
ListenPort=$agport
Hostname=noc-sla
StartAgents=2
Timeout=10
AllowRoot=1
$agent_lines
CONF
zabbix_agentd -c "$work/agent/agentd.conf" || fail "zabbix_agentd did not start"
cleanup_hooks=("stop_pidfile '$work/agent/agentd.pid'" "${cleanup_hooks[@]}")

# 7. The host that runs colosla-trapd, linked to the template, discovery every 5 s.
api hostgroup.get '{"filter": {"name": ["Zabbix servers"]}, "output": ["groupid"]}'
groupid=$(pick 'x[0]["groupid"]')
api host.create "{\"host\": \"noc-sla\", \"groups\": [{\"groupid\": \"$groupid\"}],
  \"interfaces\": [{\"type\": 1, \"main\": 1, \"useip\": 1, \"ip\": \"127.0.0.1\", \"dns\": \"\", \"port\": \"$agport\"}],
  \"templates\": [{\"templateid\": \"$templateid\"}],
  \"macros\": [{\"macro\": \"{\$COLOSLA.DISCOVERY.INTERVAL}\", \"value\": \"5s\"}]}"
hostid=$(pick 'x["hostids"][0]')

# Discovery: C-001's network and power (status, events, 6 figures, down now, unmonitored each)
# and emergency (status, events, open, due, missed), and process (status, events): 27 items, none
# of the emergency figures for network, power or process.
discovered() {
  api item.get "{\"hostids\": [\"$hostid\"], \"filter\": {\"flags\": 4}, \"output\": [\"key_\", \"type\"]}"
  [ "$(pick 'len(x)')" -eq 27 ]
}
wait_for 120 discovered || fail "discovery made $(pick 'len(x)') items, not 27: $(pick 'sorted(i["key_"] for i in x)');
  the rules: $(psql -X -At -U zabbix -d zabbix -c "SELECT i.key_, r.state, r.error FROM items i JOIN item_rtdata r USING (itemid) WHERE i.hostid = $hostid AND i.flags = 1")"
keys=$(pick '" ".join(sorted(i["key_"] for i in x))')
for k in 'colosla.event[C-001,network]' 'colosla.sla[C-001,network,breached]' 'colosla.sla[C-001,power,availability]' \
  'colosla.sla[C-001,emergency,missed]' 'colosla.event[C-001,emergency]' 'colosla.sla[C-001,process,status]' \
  'colosla.event[C-001,process]'; do
  expect_has "$keys" "$k" "the discovered items"
done
expect_lacks "$keys" 'colosla.sla[C-001,network,open]' "the discovered items"
expect_lacks "$keys" 'colosla.sla[C-001,emergency,breached]' "the discovered items"
expect_lacks "$keys" 'colosla.sla[C-001,process,missed]' "the discovered items"
expect_eq "$(pick "$types")" "[('colosla.event', '2'), ('colosla.sla', '2'), ('colosla.status', '0')]" \
  "the discovered items' types"
api trigger.get "{\"hostids\": [\"$hostid\"], \"output\": [\"description\"]}"
expect_eq "$(pick 'len(x)')" 16 "discovered triggers (3 a guarantee, 2 more for network and power)"

# The server's configuration cache has them once it takes a value of an item of each rule (figures
# colosla-trapd will not send here: power has no event).
printf '%s\n' 'noc-sla colosla.sla[C-001,power,pending-minutes] 0' 'noc-sla colosla.sla[C-001,power,status] 0' \
  'noc-sla colosla.sla[C-001,emergency,open] 0' >"$work/probe.txt"
cache_has_items() {
  zabbix_sender -z 127.0.0.1 -p "$srvport" -i "$work/probe.txt" 2>&1 | grep -q 'processed: 3'
}
wait_for 60 cache_has_items || fail "the server took no value of a discovered item: $(tail -n 20 "$work/run/server.log")"

# 8. colosla-trapd with its Zabbix sink: its first evaluation sees the breach.
"$trapd" --foreground --listen "udp:127.0.0.1:$(free_udp_port)" --db "$db" --state-dir "$work/state" \
  --poll-interval 0 --evaluate-interval 1 --probe false \
  --zabbix-server "127.0.0.1:$srvport" --zabbix-host noc-sla >"$work/trapd.log" 2>&1 &
trapd_pid=$!
cleanup_hooks=("kill -KILL $trapd_pid 2>/dev/null" "${cleanup_hooks[@]}")
sent_to_zabbix() { grep -q "values\? to Zabbix" "$work/trapd.log"; }
wait_for 60 sent_to_zabbix || fail "colosla-trapd sent nothing to Zabbix: $(cat "$work/trapd.log")"
# port-down, budget-warning and sla-breached of network and its 7 figures, emergency-declared and
# the emergency's 4 (installation-overdue has no item and is not sent).
grep -qF "15 values to Zabbix: 15 processed, 0 failed" "$work/trapd.log" || fail "colosla-trapd's log: $(cat "$work/trapd.log")"
run "$colosla" --db "$db" stats --format json
expect_rc 0
# A counter of colosla stats (the store keeps a counter from its first non-zero count: none is 0).
counter() { python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get(sys.argv[2], 0))' "$out" "$1"; }
expect_eq "$(counter sink.zabbix.sent)" 15 "sink.zabbix.sent"
expect_eq "$(counter sink.zabbix.refused)" 0 "sink.zabbix.refused"

# The values arrived: in the history, through the API.
itemid_of() {
  api item.get "{\"hostids\": [\"$hostid\"], \"filter\": {\"key_\": \"$1\"}, \"output\": [\"itemid\"]}"
  pick 'x[0]["itemid"]'
}
events_item=$(itemid_of 'colosla.event[C-001,network]')
status_item=$(itemid_of 'colosla.sla[C-001,network,status]')
counted_item=$(itemid_of 'colosla.sla[C-001,network,counted-minutes]')
# history_of ITEMID TYPE: its values in $out, in time order (clock, then ns).
history_of() {
  api history.get "{\"itemids\": [\"$1\"], \"history\": $2, \"output\": \"extend\"}"
  out=$(pick 'json.dumps(sorted(x, key=lambda v: (int(v["clock"]), int(v["ns"]))))')
}
three_events() { history_of "$events_item" 4 && [ "$(pick 'len(x)')" -eq 3 ]; }
wait_for 60 three_events || fail "the server's history has $(pick 'len(x)') network events, not 3"
expect_eq "$(pick '" ".join(v["value"].split("\"")[1] for v in x)')" \
  "colosla-events:port-down colosla-events:budget-warning colosla-events:sla-breached" "the events in Zabbix"
expect_eq "$(pick 'x[0]["clock"]')" "$(date -u -d "$down" +%s)" "the port-down's time in Zabbix"
status_stored() { history_of "$status_item" 3 && [ "$(pick 'x[-1]["value"]')" = 2 ]; }
wait_for 60 status_stored || fail "the network state in Zabbix is not 2: $out"
history_of "$counted_item" 0
expect_has "$(pick 'x[-1]["value"]')" "100" "the counted minutes in Zabbix"

# The triggers fire: network's SLA broken (state 2 this month) and SLA event (the breach, just
# now); the emergency's SLA at risk (state 1: the customer is to be told) and SLA event.
problems() {
  api problem.get "{\"hostids\": [\"$hostid\"], \"output\": [\"name\", \"severity\"], \"selectTags\": \"extend\"}"
  pick '"|".join(sorted(p["name"] for p in x))'
}
# (With the packaged agent lines, the polled items' triggers too: network down now.)
expected='Example Ltd (C-001): emergency SLA at risk|Example Ltd (C-001): emergency SLA event|Example Ltd (C-001): network SLA broken|Example Ltd (C-001): network SLA event'
[ "$packaged_lines" -eq 0 ] || expected+='|Example Ltd (C-001): network down now'
sla_problems() { problems | tr '|' '\n' | grep -E 'SLA|down now' | sort | paste -sd '|'; }
all_fired() { [ "$(sla_problems)" = "$expected" ]; }
wait_for 90 all_fired || fail "the problems in Zabbix: $(problems)"
api trigger.get "{\"hostids\": [\"$hostid\"], \"only_true\": true, \"filter\": {\"value\": 1}, \"output\": [\"description\", \"priority\"]}"
expect_eq "$(pick 'sorted((t["description"], t["priority"]) for t in x if "SLA" in t["description"])')" \
  "[('Example Ltd (C-001): emergency SLA at risk', '2'), ('Example Ltd (C-001): emergency SLA event', '3'), ('Example Ltd (C-001): network SLA broken', '4'), ('Example Ltd (C-001): network SLA event', '3')]" \
  "the SLA triggers in problem state"
api problem.get "{\"hostids\": [\"$hostid\"], \"output\": [\"name\"], \"selectTags\": \"extend\", \"search\": {\"name\": \"broken\"}}"
expect_eq "$(pick 'sorted((t["tag"], t["value"]) for t in x[0]["tags"] if t["tag"] in ("contract", "guarantee"))')" \
  "[('contract', 'C-001'), ('guarantee', 'network')]" "the problem's tags (the actions' conditions)"

# 9. A contract discovery has not seen (the agent is stopped, so discovery fails): the server has
#    no item for C-002's keys and refuses their values; colosla counts and logs them, with the
#    keys, and does not send them again.
stop_pidfile "$work/agent/agentd.pid"
python3 - "$work/inventory.json" >"$work/inventory-2.json" <<'PY'
import copy, json, sys
d = json.load(open(sys.argv[1]))
inv = d["colosla-inventory:inventory"]
c = copy.deepcopy(inv["contract"][0])
c["id"] = "C-002"
c["port"] = [{"device": "sw1", "interface": "ge-0/0/2"}]
c["power-source"] = []
c["probe-target"] = []
inv["contract"].append(c)
print(json.dumps(d))
PY
run "$colosla" --db "$db" inventory load "$work/inventory-2.json" --by test
expect_rc 0
printf '%s\n' "{\"time\":\"$(date -u -d '-1 min' +%Y-%m-%dT%H:%M:%SZ)\",\"device\":\"sw1\",\"interface\":\"ge-0/0/2\",\"state\":\"down\"}" >"$work/down2.jsonl"
run "$colosla" --db "$db" observe "$work/down2.jsonl"
expect_rc 0
refused() {
  run "$colosla" --db "$db" stats --format json
  [ "$(counter sink.zabbix.refused)" != 0 ]
}
wait_for 60 refused || fail "no value refused: $(cat "$work/trapd.log")"
# C-002's port-down and its network figures: 8 values, none with an item.
expect_eq "$(counter sink.zabbix.refused)" 8 "sink.zabbix.refused"
expect_eq "$(counter sink.zabbix.sent)" 23 "sink.zabbix.sent"
log=$(cat "$work/trapd.log")
expect_has "$log" "8 values to Zabbix: 0 processed, 8 failed"
expect_has "$log" "did not take 8 values of the 8 sent: processed: 0; failed: 8; total: 8"
expect_has "$log" "the keys sent (the reply does not say which it refused): colosla.event[C-002,network], colosla.sla[C-002,network,counted-minutes]"
evaluations() { grep -c "^evaluated " "$work/trapd.log" || true; }
more_evaluations() { [ "$(evaluations)" -ge "$1" ]; }
wait_for 30 more_evaluations $(($(evaluations) + 2)) || fail "colosla-trapd evaluates no more"
run "$colosla" --db "$db" stats --format json
expect_eq "$(counter sink.zabbix.refused)" 8 "sink.zabbix.refused, evaluations later"
kill -TERM "$trapd_pid"
wait "$trapd_pid" || fail "colosla-trapd did not stop cleanly: $(tail -n 20 "$work/trapd.log")"
echo "zabbix_frontend: ok"
