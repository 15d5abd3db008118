#!/usr/bin/env bash
# The snmptrapd alternative: Debian's snmptrapd receives the traps and runs `colosla
# trap-handler` for each (traphandle default …); the store then holds what colosla-trapd would
# have stored, SNMPv1 traps converted by snmptrapd included (an APC outletOff with
# mtrapargsInteger.0, a UPS-MIB upsTrapOnBattery as enterprise upsTraps, specific 1).
# usage: trap_handler.sh COLOSLA SOURCE_DIR
colosla=$1 src=$2
. "$src/tests/integration/lib.sh"
for tool in snmptrapd snmptrap; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/deps installs it)"
done
port=$(free_udp_port)
db=$work/store.db
cat >"$work/inventory.json" <<'JSON'
{"colosla-inventory:inventory":{
 "device":[{"name":"sw1","role":"switch","address":"127.0.0.1","plugin":"if-mib"},
           {"name":"pdu1","role":"pdu","address":"127.0.0.2","plugin":"apc-pdu"},
           {"name":"sw3","role":"switch","address":"192.0.2.23","plugin":"if-mib"},
           {"name":"ups1","role":"ups","address":"127.0.0.3","plugin":"ups-mib"}]}}
JSON
run "$colosla" --db "$db" inventory load "$work/inventory.json"
expect_rc 0

mkdir -p "$work/trapd"
cat >"$work/trapd/snmptrapd.conf" <<CONF
[snmp] persistentDir $work/trapd
snmpTrapdAddr udp:127.0.0.1:$port
doNotRetainNotificationLogs yes
authCommunity log,execute public
outputOption nte
traphandle default $colosla --db $db trap-handler --trap-relay 127.0.0.1
CONF
MIBS= snmptrapd -C -c "$work/trapd/snmptrapd.conf" -Lf "$work/trapd/snmptrapd.log" -p "$work/trapd/pid"
cleanup_hooks+=("stop_pidfile '$work/trapd/pid'")
wait_for 30 test -s "$work/trapd/pid" || fail "snmptrapd did not start"
bound() { ss -Hlun "sport = :$port" | grep -q .; }  # its socket bound: what it receives now is read
wait_for 30 bound || fail "snmptrapd does not listen on udp:127.0.0.1:$port"

count() { sqlite3 "$db" "SELECT count(*) FROM observation"; }
stored() { test "$(count)" = "$1"; }   # re-evaluated by wait_for on every try
evidence() { test "$(sqlite3 "$db" 'SELECT count(*) FROM evidence')" = "$1"; }
# v2c linkDown from 127.0.0.1 (sw1), naming its port.
snmptrap -v2c -c public "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 \
  1.3.6.1.2.1.2.2.1.1.3 i 3 1.3.6.1.2.1.2.2.1.8.3 i 2 1.3.6.1.2.1.31.1.1.1.1.3 s ge-0/0/3
wait_for 30 stored 1 || { cat "$work/trapd/snmptrapd.log" >&2; fail "the linkDown was not stored"; }
expect_eq "$(sqlite3 "$db" "SELECT kind, device, item, state, source FROM observation_view")" \
  "port|sw1|ge-0/0/3|down|trap" "the stored linkDown"
# A v1 APC outlet trap sent from 127.0.0.2 (pdu1): snmptrapd converts it, the handler reads it.
snmptrap -v1 -c public "127.0.0.1:$port" 1.3.6.1.4.1.318 127.0.0.2 6 269 '' \
  1.3.6.1.4.1.318.1.1.12.3.3.1.1.1.4 i 4
wait_for 30 stored 2 || { cat "$work/trapd/snmptrapd.log" >&2; fail "the v1 outlet trap was not stored"; }
expect_eq "$(sqlite3 "$db" "SELECT kind, device, item, state FROM observation_view WHERE seq = 2")" \
  "outlet|pdu1|4|off" "the converted v1 trap"
# outletOff (42) as APC PDUs send it, the outlet in mtrapargsInteger.0.
snmptrap -v1 -c public "127.0.0.1:$port" 1.3.6.1.4.1.318 127.0.0.2 6 42 '' \
  1.3.6.1.4.1.318.2.3.1.0 i 2 1.3.6.1.4.1.318.2.3.3.0 s "An outlet has turned off."
wait_for 30 stored 3 || { cat "$work/trapd/snmptrapd.log" >&2; fail "the mtrapargs outlet trap was not stored"; }
expect_eq "$(sqlite3 "$db" "SELECT kind, device, item, state FROM observation_view WHERE seq = 3")" \
  "outlet|pdu1|2|off" "the outletOff with mtrapargsInteger.0"
# upsTrapOnBattery from an SNMPv1 agent (enterprise upsTraps, specific 1): snmptrapd makes it
# 1.3.6.1.2.1.33.2.0.1, which is UPS-MIB's 1.3.6.1.2.1.33.2.1 (RFC 3584).
snmptrap -v1 -c public "127.0.0.1:$port" 1.3.6.1.2.1.33.2 127.0.0.3 6 1 '' 1.3.6.1.2.1.33.1.2.3.0 i 41
wait_for 30 stored 4 || { cat "$work/trapd/snmptrapd.log" >&2; fail "the v1 upsTrapOnBattery was not stored"; }
expect_eq "$(sqlite3 "$db" "SELECT kind, device, state FROM observation_view WHERE seq = 4")" \
  "ups|ups1|battery" "the v1 upsTrapOnBattery"
expect_has "$(sqlite3 "$db" "SELECT evidence FROM observation_view WHERE seq = 4")" " 1.3.6.1.2.1.33.2.1 [" \
  "the v1 upsTrapOnBattery's evidence"
# A trap no plugin understands is kept as evidence; one from nowhere is only counted.
snmptrap -v2c -c public "127.0.0.1:$port" '' 1.3.6.1.4.1.9.9.41.2.0.1 1.3.6.1.4.1.9.9.41.1.2.3.1.5.1 s "hello"
wait_for 30 evidence 1 || fail "the unknown trap was not kept"
expect_eq "$(sqlite3 "$db" "SELECT device, trap_oid FROM evidence")" "sw1|1.3.6.1.4.1.9.9.41.2.0.1"
run "$colosla" --db "$db" stats --format json
expect_rc 0
python3 - "$out" <<'PY' || fail "stats after the handler ran"
import json, sys
s = json.loads(sys.argv[1])
assert s["trapd.received"] == 5 and s["trapd.accepted"] == 5, s
assert s["trapd.observations-stored"] == 4 and s["trapd.evidence-stored"] == 1, s
PY
# A v2c trap relayed by 127.0.0.1 (--trap-relay) for sw3, named in snmpTrapAddress.0: sw3's.
snmptrap -v2c -c public "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 \
  1.3.6.1.2.1.2.2.1.1.7 i 7 1.3.6.1.2.1.2.2.1.8.7 i 2 1.3.6.1.2.1.31.1.1.1.1.7 s ge-0/0/7 \
  1.3.6.1.6.3.18.1.3.0 a 192.0.2.23
wait_for 30 stored 5 || { cat "$work/trapd/snmptrapd.log" >&2; fail "the relayed trap was not stored"; }
expect_eq "$(sqlite3 "$db" "SELECT device, item, state FROM observation_view WHERE seq = 5")" \
  "sw3|ge-0/0/7|down" "the relayed trap"
expect_has "$(sqlite3 "$db" "SELECT origin FROM observation_view WHERE seq = 5")" "relay for 192.0.2.23" \
  "the relayed trap's origin"
# The same from 127.0.0.2 (pdu1, no relay): pdu1's own (its plugin reads no linkDown: evidence).
snmptrap -v2c -c public --clientaddr=127.0.0.2 "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 \
  1.3.6.1.2.1.2.2.1.1.8 i 8 1.3.6.1.2.1.2.2.1.8.8 i 2 1.3.6.1.6.3.18.1.3.0 a 192.0.2.23
wait_for 30 evidence 2 || { cat "$work/trapd/snmptrapd.log" >&2; fail "the untrusted trap was not kept"; }
expect_eq "$(sqlite3 "$db" "SELECT device FROM evidence WHERE trap_oid = '1.3.6.1.6.3.1.1.5.3'")" "pdu1" \
  "the trap from an untrusted sender"
expect_eq "$(sqlite3 "$db" "SELECT count(*) FROM observation_view WHERE device = 'sw3'")" "1" "sw3's observations"
run "$colosla" --db "$db" stats --format json
expect_rc 0
python3 - "$out" <<'PY' || fail "the relay counters after the handler ran"
import json, sys
s = json.loads(sys.argv[1])
assert s["trapd.relay.trusted"] == 1 and s["trapd.relay.untrusted"] == 1, s
PY
echo "ok: trap-handler"
