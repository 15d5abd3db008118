#!/usr/bin/env bash
# Three-phase PDUs (issue 17): APC pduUPSInputVoltageLost/Restored (PowerNet-MIB traps 218/219,
# the phase number in mtrapargsInteger.0) replayed with Net-SNMP's snmptrap at colosla-trapd on
# loopback. pdu3's inventory gives its outlets' phases (1 on L1, 2 on L2, 3 on L3): losing phase 2
# switches off only inlet L2 (which the SLA applies to outlet 2 only: tests/unit/sla), not the
# whole inlet; check_colosla says the contract on outlet 2 is without power now, not those on
# outlets 1 and 3; the restore trap switches L2 on again and gives it power back. pdu4 gives no phases: the same trap is its whole
# inlet, as before.
# usage: trapd_phase.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
. "$src/tests/integration/trapd_lib.sh"
require_tools snmptrap sqlite3
check=$build/apps/check_colosla/check_colosla

contract() {  # contract ID DEVICE OUTLET
  echo "{\"id\":\"$1\",\"customer\":\"X\",\"service\":\"colocation\",\"signed\":\"2026-10-30\",
   \"start\":\"2026-11-01T00:00:00+08:00\",\"monthly-fee\":\"100.00\",
   \"power-source\":[{\"device\":\"$2\",\"outlet\":\"$3\"}]}"
}
cat >"$work/inventory.json" <<JSON
{"colosla-inventory:inventory":{
 "device":[
  {"name":"pdu3","role":"pdu","address":"127.0.0.7","plugin":"apc-pdu",
   "snmp":{"version":"v2c","community":"public"},
   "outlet":[{"name":"1","phase":1},{"name":"2","phase":2},{"name":"3","phase":3}]},
  {"name":"pdu4","role":"pdu","address":"127.0.0.8","plugin":"apc-pdu",
   "snmp":{"version":"v2c","community":"public"}}],
 "contract":[$(contract C-P1 pdu3 1),$(contract C-P2 pdu3 2),$(contract C-P3 pdu3 3),
             $(contract C-Q1 pdu4 1)]}}
JSON
trapd_config "poll-interval = 0" "duplicate-window = 60"
start_test_trapd

stored() {  # stored N WHAT: wait until N observations from traps are stored
  wait_for 20 count_is "SELECT count(*) FROM observation_view WHERE source = 'trap'" "$1" \
    || { show_log; fail "$2 was not stored"; }
}
apc=1.3.6.1.4.1.318
# apc_v1 ADDRESS SPECIFIC UPTIME VARBINDS...: an APC enterprise-specific v1 trap from that address
apc_v1() { local from=$1; shift; send "$from" -v1 "127.0.0.1:$port" $apc "$from" 6 "$@"; }
# outletOn (41) as the devices send it: the outlet in mtrapargsInteger.0
on() { apc_v1 "$1" 41 '' $apc.2.3.1.0 i "$2" $apc.2.3.3.0 s "An outlet has turned on."; }
# pduUPSInputVoltageLost (218) / …Restored (219): mtrapargsString03 (serial), mtrapargsString02
# (device name), mtrapargsInteger (phase number), mtrapargsString
power_now() {  # power_now CONTRACT: check_colosla -v's power lines, computed now from the store
  "$check" --db "$db" --contract "$1" --max-age 0 --unmonitored-warning 0 -v | grep '^power' || true
}
without_power() { power_now "$1" | grep -q "power: without power now, since "; }
phase() {  # phase ADDRESS SPECIFIC PHASE NAME
  apc_v1 "$1" "$2" '' $apc.2.3.11.0 s ZA1234567890 $apc.2.3.10.0 s "$4" $apc.2.3.1.0 i "$3" \
    $apc.2.3.3.0 s "UPS Input Voltage phase-$3 event."
}

on 127.0.0.7 1; on 127.0.0.7 2; on 127.0.0.7 3; on 127.0.0.8 1
stored 4 "the outlets on"
phase 127.0.0.7 218 2 pdu3
stored 5 "pdu3's phase 2 lost"
expect_eq "$(trap_states inlet pdu3 L2)" "off" "pdu3 inlet L2"
expect_eq "$(q "SELECT count(*) FROM observation_view WHERE kind = 'inlet' AND device = 'pdu3' AND item = ''")" 0 \
  "pdu3's whole inlet"
grep -q "input power lost on phase 2" "$log" || { show_log; fail "no log line for the phase lost"; }
# An outage starts when the phase is lost: once a second has passed, check_colosla says so.
wait_for 10 without_power C-P2 || fail "C-P2 (outlet 2, on L2) is not without power: $(power_now C-P2)"
for c in C-P1 C-P3; do
  expect_lacks "$(power_now $c)" "without power" "$c (on L1, L3)"
done
phase 127.0.0.7 219 2 pdu3
stored 6 "pdu3's phase 2 restored"
expect_eq "$(trap_states inlet pdu3 L2)" "off on" "pdu3 inlet L2"
expect_lacks "$(power_now C-P2)" "without power now" "C-P2 after the restore"
expect_eq "$(q "SELECT count(*) FROM observation_view WHERE kind = 'inlet' AND device = 'pdu3'
                AND item IN ('', 'L1', 'L3')")" 0 "pdu3's other phases and whole inlet"
# A PDU whose inventory gives no phases: a phase lost is its whole inlet lost.
phase 127.0.0.8 218 2 pdu4
stored 7 "pdu4's phase 2 lost"
expect_eq "$(trap_states inlet pdu4 '')" "off" "pdu4's whole inlet"
wait_for 10 without_power C-Q1 || fail "C-Q1 (pdu4 outlet 1) is not without power: $(power_now C-Q1)"

stop_test_trapd 30
echo "ok: trapd-phase"
