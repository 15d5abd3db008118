#!/usr/bin/env bash
# Poll rules in colosla-trapd's poll cycle: a device whose plugin is "rules" (an APC card without
# UPS-MIB, recorded for snmpsimd, its upsBasicOutputStatus onBattery(3)) sends powerRestored;
# the trap rule says normal and asks for a poll; the poll (a child colosla poll with the
# daemon's rules) reads upsBasicOutputStatus by the poll rule and stores battery.
# usage: trapd_poll_rules.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
for tool in snmptrap snmpsimd sqlite3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/deps installs it)"
done
colosla=$build/apps/colosla/colosla
trapd=$build/apps/colosla-trapd/colosla-trapd

port=$(free_udp_port)
sim=$(free_udp_port)
db=$work/colosla.db
mkdir "$work/rules"
cp "$src/rules/"*.json "$work/rules/"
sed 's/^1.3.6.1.4.1.318.1.1.1.4.1.1.0|2|2$/1.3.6.1.4.1.318.1.1.1.4.1.1.0|2|3/' \
  "$src/tests/data/snmpsim/apc-ups.snmprec" >"$work/apc-ups.snmprec"
start_snmpsim "$work/sim" "$sim" "$work/apc-ups.snmprec"

cat >"$work/inventory.json" <<JSON
{"colosla-inventory:inventory":{
 "device":[
  {"name":"ups2","role":"ups","address":"127.0.0.1","plugin":"rules",
   "snmp":{"version":"v2c","community":"apc-ups","port":$sim}}]}}
JSON
cat >"$work/colosla-trapd.conf" <<CONF
listen = udp:127.0.0.1:$port
db = $db
inventory = $work/inventory.json
state-dir = $work/state
rules = $work/rules
poll-interval = 3600
poll-timeout = 1000
poll-retries = 0
CONF

log=$work/trapd.log
start_trapd "$trapd" "$work/colosla-trapd.conf" "$log" "udp:127.0.0.1:$port"
show_log() { cat "$log" >&2; }

q() { sqlite3 "$db" "$1"; }
has() { [ -n "$(q "$1")" ]; }
stat_of() { "$colosla" --db "$db" stats --format json | python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', 0))"; }
at_least() { [ "$(stat_of "$1")" -ge "$2" ]; }

polls=$(stat_of trapd.polls-requested)
snmptrap -v2c -c apc-ups "127.0.0.1:$port" '' 1.3.6.1.4.1.318.0.9 \
  1.3.6.1.4.1.318.2.3.3.0 s "UPS: No longer on battery power."
wait_for 20 has "SELECT 1 FROM observation_view WHERE device = 'ups2' AND source = 'trap'" \
  || { show_log; fail "powerRestored was not stored"; }
expect_eq "$(q "SELECT state FROM observation_view WHERE device = 'ups2' AND source = 'trap'")" "normal" "the trap"
wait_for 20 at_least trapd.polls-requested $((polls + 1)) || { show_log; fail "powerRestored asked for no poll"; }
# The daemon's schedule may have polled ups2 before the trap came: the poll that confirms is one
# stored after the trap's observation.
trap_seq=$(q "SELECT seq FROM observation_view WHERE device = 'ups2' AND source = 'trap'")
wait_for 30 has "SELECT 1 FROM observation_view WHERE device = 'ups2' AND source = 'poll' AND state = 'battery' AND seq > $trap_seq" \
  || { show_log; fail "the poll did not read upsBasicOutputStatus by the poll rule"; }
expect_has "$(q "SELECT evidence FROM observation_view WHERE device = 'ups2' AND source = 'poll'")" \
  "upsBasicOutputStatus = 3 (poll rule apc-ups-output-status)" "the poll's evidence"
expect_eq "$(q "SELECT state FROM observation_view WHERE kind = 'ups' AND device = 'ups2' ORDER BY seq DESC LIMIT 1")" \
  "battery" "ups2 after the poll"

kill -TERM "$pid"
wait_for 20 bash -c "! kill -0 $pid 2>/dev/null" || fail "colosla-trapd did not stop"
echo "ok: trapd-poll-rules"
