#!/usr/bin/env bash
# The monitoring users, as the real users: the store written by colosla-trapd running as the
# system user colosla (made here as the package's postinst makes it, if missing), the test's
# directory laid out as the package lays out /var/lib/colosla (0750 colosla:colosla-monitor, the
# status directory 2750). Then check_colosla as nagios with the supplementary group
# colosla-monitor, and the Zabbix agent items of examples/zabbix_agentd.d/colosla.conf through a
# real zabbix_agentd running as zabbix in that group (queried with zabbix_get), give the right
# figures, the NOC's warnings among them; and both users try to read every secret (the store, its
# -wal and -shm, its key, the configuration file with the communities, sqlite3 on the store) and
# fail, and no community, pass phrase or device address is in what they may read.
# The host's group memberships are not changed: setpriv gives the group to the process only.
# Skipped (with a message) without root, or without the users nagios and zabbix (nagios4,
# zabbix-agent) or zabbix_agentd/zabbix_get.
# usage: monitoring_users.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
if [ "$(id -u)" != 0 ]; then
  echo "monitoring_users: skipped (needs root: it makes the users and runs as them)"
  exit 0
fi
for user in nagios zabbix; do
  getent passwd "$user" >/dev/null || {
    echo "monitoring_users: skipped (no user $user: apt-get install nagios4 zabbix-agent)"
    exit 0
  }
done
for tool in setpriv zabbix_agentd zabbix_get sqlite3 useradd groupadd; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/deps installs it)"
done
colosla=$build/apps/colosla/colosla
check=$build/apps/check_colosla/check_colosla
trapd=$build/apps/colosla-trapd/colosla-trapd

# The users and groups, as the package's postinst makes them (idempotent; another test may be
# making them at the same moment).
getent group colosla >/dev/null || groupadd --system colosla || getent group colosla >/dev/null
getent passwd colosla >/dev/null ||
  useradd --system --gid colosla --home-dir /var/lib/colosla --no-create-home \
    --shell /usr/sbin/nologin colosla || getent passwd colosla >/dev/null
getent group colosla-monitor >/dev/null || groupadd --system colosla-monitor ||
  getent group colosla-monitor >/dev/null
as_colosla() { setpriv --reuid colosla --regid colosla --init-groups "$@"; }
as_nagios() { setpriv --reuid nagios --regid nagios --groups colosla-monitor "$@"; }
as_zabbix() { setpriv --reuid zabbix --regid zabbix --groups colosla-monitor "$@"; }

# The directories, as the package makes /var/lib/colosla and /etc/colosla.
chmod 0755 "$work"
var=$work/var
install -d -m 0750 -o colosla -g colosla-monitor "$var"
install -d -m 2750 -o colosla -g colosla-monitor "$var/status"
install -d -m 0700 -o colosla -g colosla "$work/state"
install -d -m 0755 "$work/etc"
db=$var/colosla.db
status=$var/status

# Secrets: the devices' communities and pass phrases in the inventory (sealed in the store), the
# trap receiver's in its configuration file (0640 root:colosla).
inv_community=inv-C0MMUNITY-s3cret
inv_auth=inv-AUTHpass-s3cret
inv_priv=inv-PRIVpass-s3cret
trap_community=trapd-C0MMUNITY-s3cret
trap_auth=trapd-AUTHpass-s3cret
trap_priv=trapd-PRIVpass-s3cret
secrets=("$inv_community" "$inv_auth" "$inv_priv" "$trap_community" "$trap_auth" "$trap_priv")
python3 - "$src/examples/inventory.json" "$inv_community" "$inv_auth" "$inv_priv" >"$work/etc/inventory.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for d in doc["colosla-inventory:inventory"]["device"]:
    snmp = d.get("snmp", {})
    if "community" in snmp:
        snmp["community"] = sys.argv[2]
    if "auth-password" in snmp:
        snmp["auth-password"] = sys.argv[3]
        snmp["priv-password"] = sys.argv[4]
print(json.dumps(doc, indent=1))
PY
port=$(free_udp_port)
conf=$work/etc/colosla-trapd.conf
cat >"$conf" <<CONF
listen = udp:127.0.0.1:$port
db = $db
state-dir = $work/state
community = $trap_community
create-user = trapuser SHA $trap_auth AES $trap_priv
poll-interval = 0
probe = false
netconf-listen = false
evaluate-interval = 2
CONF
chown root:colosla "$conf" "$work/etc/inventory.json"
chmod 0640 "$conf" "$work/etc/inventory.json"

# The store, written by colosla: the inventory, C-001's port monitored since November, its power
# sources never observed (unmonitored all this month).
run as_colosla "$colosla" --db "$db" inventory load "$work/etc/inventory.json" --by test
expect_rc 0
printf '%s\n' '{"time":"2026-11-03T02:30:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"up"}' \
  >"$work/up.jsonl"
chmod 0644 "$work/up.jsonl"
run as_colosla "$colosla" --db "$db" observe "$work/up.jsonl"
expect_rc 0
log=$work/trapd.log
# (setpriv itself in the background, not a function: $! is then the daemon)
setpriv --reuid colosla --regid colosla --init-groups "$trapd" --config "$conf" --foreground >"$log" 2>&1 &
trapd_pid=$!
cleanup_hooks+=("kill $trapd_pid 2>/dev/null; wait $trapd_pid 2>/dev/null")
wait_for 20 grep -q "listening on udp:127.0.0.1:$port" "$log" || { cat "$log" >&2; fail "colosla-trapd did not start as colosla"; }
wait_for 30 test -e "$status/C-001.json" || { cat "$log" >&2; fail "no figures of C-001 were published"; }
expect_eq "$(stat -c '%U:%G %a' "$status/C-001.json")" "colosla:colosla-monitor 640" "the published file"
expect_eq "$(stat -c '%U:%G %a' "$db")" "colosla:colosla 600" "the store"
expect_eq "$(stat -c '%U:%G %a' "$db.key")" "colosla:colosla 600" "the store's key"
for f in "$db-wal" "$db-shm"; do
  [ -e "$f" ] || fail "$f is missing (colosla-trapd holds the store open in WAL mode)"
  expect_eq "$(stat -c '%U %a' "$f")" "colosla 600" "$f"
done

# check_colosla as nagios: the published figures, judged; the NOC's warning for the power
# sources never observed this month.
run as_nagios "$check" --db "$db" --contract C-001 -v
expect_rc 1
expect_has "$(first_line "$out")" "COLOSLA WARNING: C-001 power sources unmonitored "
expect_has "$out" "'power_unmonitored_min'="
expect_has "$out" "figures of colosla evaluate, "
expect_has "$out" "source: $status/C-001.json, computed at "
run as_nagios "$check" --db "$db" --contract C-001 --guarantee network
expect_rc 0
expect_has "$(first_line "$out")" "COLOSLA OK: C-001 network 0.0 of 44.0 min used | "
# A port down now, its outage waiting for the customer's report: WARNING at once.
printf '{"time":"%s","device":"sw1","interface":"ge-0/0/1","state":"down"}\n' "$(date -u -d '-2 min' +%FT%TZ)" \
  >"$work/down.jsonl"
chmod 0644 "$work/down.jsonl"
run as_colosla "$colosla" --db "$db" observe "$work/down.jsonl"
expect_rc 0
network_warns() {
  run as_nagios "$check" --db "$db" --contract C-001 --guarantee network
  [ "$rc" = 1 ]
}
wait_for 30 network_warns || fail "check_colosla as nagios did not warn of the port down now: $out"
expect_has "$(first_line "$out")" "COLOSLA WARNING: C-001 port sw1 ge-0/0/1 down now (not counted: waits for the customer's report) | "
# Too old for --max-age: it may not read the store, so UNKNOWN, saying why (not a hand-over).
sleep 1.1
run as_nagios "$check" --db "$db" --contract C-001 --max-age 0
expect_rc 3
expect_has "$(first_line "$out")" " s old (--max-age 0): is colosla-trapd's evaluator running?; cannot read the store $db to compute them: Permission denied"
# Without the group: nothing to read, and it says what to do.
run setpriv --reuid nagios --regid nagios --clear-groups "$check" --db "$db" --contract C-001
expect_rc 3
expect_has "$(first_line "$out")" "COLOSLA UNKNOWN: "
expect_has "$(first_line "$out")" "Permission denied"

# The Zabbix agent as zabbix, with the shipped UserParameter lines (this build's colosla and this
# test's status directory in place of the packaged paths).
install -d -m 0700 -o zabbix -g zabbix "$work/zbx"
sed -e "s|/usr/bin/colosla|$colosla|g" -e "s|/var/lib/colosla/status|$status|g" \
  "$src/examples/zabbix_agentd.d/colosla.conf" >"$work/zbx/colosla.conf"
# (zabbix_agentd takes ports 1024 to 32767 only)
zport=$(python3 -c 'import socket, random
while True:
    p = random.randint(20000, 32767)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass')
cat >"$work/zbx/agentd.conf" <<CONF
LogType=console
PidFile=$work/zbx/agentd.pid
ListenIP=127.0.0.1
ListenPort=$zport
Server=127.0.0.1
StartAgents=2
Timeout=10
Include=$work/zbx/colosla.conf
CONF
chown zabbix:zabbix "$work/zbx/"*
setpriv --reuid zabbix --regid zabbix --groups colosla-monitor \
  zabbix_agentd -f -c "$work/zbx/agentd.conf" >"$work/zbx/agentd.log" 2>&1 &
agent_pid=$!
cleanup_hooks+=("kill $agent_pid 2>/dev/null; wait $agent_pid 2>/dev/null")
wait_for 20 zabbix_get -s 127.0.0.1 -p "$zport" -k agent.ping || { cat "$work/zbx/agentd.log" >&2; fail "zabbix_agentd did not start as zabbix"; }
expect_eq "$(ps -o user= -p "$agent_pid")" zabbix "the agent's user"
item() { run zabbix_get -s 127.0.0.1 -p "$zport" -k "$1"; expect_rc 0; }
item colosla.discovery
expect_eq "$out" '[{"{#CONTRACT}":"C-001","{#CUSTOMER}":"Example Ltd","{#GUARANTEE}":"network"},{"{#CONTRACT}":"C-001","{#CUSTOMER}":"Example Ltd","{#GUARANTEE}":"power"},{"{#CONTRACT}":"C-001","{#CUSTOMER}":"Example Ltd","{#GUARANTEE}":"emergency"},{"{#CONTRACT}":"C-001","{#CUSTOMER}":"Example Ltd","{#GUARANTEE}":"process"}]' "colosla.discovery"
item colosla.discovery.budgets
expect_eq "$out" '[{"{#CONTRACT}":"C-001","{#CUSTOMER}":"Example Ltd","{#GUARANTEE}":"network"},{"{#CONTRACT}":"C-001","{#CUSTOMER}":"Example Ltd","{#GUARANTEE}":"power"}]' "colosla.discovery.budgets"
item 'colosla.status[C-001,network,down-now]'
expect_eq "$out" 1 "colosla.status[C-001,network,down-now]"
item 'colosla.status[C-001,power,down-now]'
expect_eq "$out" 0 "colosla.status[C-001,power,down-now]"
item 'colosla.status[C-001,power,unmonitored-minutes]'
# Unmonitored since the month began in Shanghai: within a minute of what the clock says.
month_start=$(TZ=Asia/Shanghai date -d "$(TZ=Asia/Shanghai date +%Y-%m-01)" +%s)
python3 -c "import sys; v=float(sys.argv[1]); e=($(date +%s)-$month_start)/60; sys.exit(0 if abs(v-e) < 3 else 1)" "$out" ||
  fail "colosla.status[C-001,power,unmonitored-minutes] is $out"
item 'colosla.status[C-001,network,counted-minutes]'
expect_eq "$out" "0.000" "colosla.status[C-001,network,counted-minutes]"
item 'colosla.status[C-001,network,age-seconds]'
[ "$out" -ge 0 ] && [ "$out" -le 150 ] || fail "colosla.status[C-001,network,age-seconds] is $out"
run zabbix_get -s 127.0.0.1 -p "$zport" -k 'colosla.status[C-404,network,counted-minutes]'
# (the agent hands on what colosla said; a numeric item makes it "not supported" on the server)
expect_eq "$out" "colosla: $status: no published figures of C-404" "an unknown contract's item"

# Every secret, tried as both users: none can be read.
for who in as_nagios as_zabbix; do
  for f in "$db" "$db-wal" "$db-shm" "$db.key" "$conf"; do
    run "$who" cat "$f"
    [ "$rc" != 0 ] || fail "$who read $f"
    expect_has "$err" "Permission denied" "$who cat $f"
  done
  run "$who" sqlite3 -readonly "$db" "SELECT count(*) FROM device"
  [ "$rc" != 0 ] || fail "$who read the store with sqlite3: $out"
  run "$who" sqlite3 "file:$db?immutable=1" "SELECT count(*) FROM device"
  [ "$rc" != 0 ] || fail "$who read the store with sqlite3 (immutable): $out"
  run "$who" "$colosla" --db "$db" zabbix get 'colosla.sla[C-001,network,counted-minutes]'
  [ "$rc" != 0 ] || fail "$who read the store with colosla zabbix get: $out"
  # What they may read holds no secret, and no device address.
  run "$who" cat "$status/C-001.json" "$status/.contracts.json" "$status/.evaluated"
  expect_rc 0
  for s in "${secrets[@]}" 192.0.2.10 192.0.2.20; do
    expect_lacks "$out" "$s" "what $who reads in $status"
  done
done
for s in "${secrets[@]}"; do
  ! grep -rqF -- "$s" "$status" || fail "the status directory holds the secret $s"
done
# ... while the daemon's user can read them (the tries above failed for want of rights).
run as_colosla sqlite3 -readonly "$db" "SELECT count(*) FROM device"
expect_rc 0
run as_colosla cat "$conf"
expect_has "$out" "$trap_community"
echo "monitoring_users: ok"
