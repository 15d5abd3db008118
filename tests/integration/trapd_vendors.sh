#!/usr/bin/env bash
# Vendor traps as the devices send them, replayed with Net-SNMP's snmptrap at colosla-trapd on
# loopback (issue 17): UPS-MIB's upsTraps in their SNMPv1 form (enterprise upsTraps, specific N,
# which RFC 3584 makes 1.3.6.1.2.1.33.2.0.N) and in both v2c forms, one observation each as for
# 1.3.6.1.2.1.33.2.N, the evidence giving the OID as the MIB defines it; APC outlet traps in the
# MIB's form (rPDUOutletControlIndex) and as devices send them (mtrapargsInteger.0); and an APC
# configuration change, which is evidence, not an observation. (Cisco NX-OS cieLinkDown/cieLinkUp
# are the trap rules' now: trap_rules_switches.sh.)
# usage: trapd_vendors.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
. "$src/tests/integration/trapd_lib.sh"
require_tools snmptrap sqlite3

# Each device sends from its own loopback address; none answers a poll (no polling here).
write_inventory "$(v2c_device ups1 ups 127.0.0.4 ups-mib)" "$(v2c_device pdu1 pdu 127.0.0.5 apc-pdu)"
trapd_config "poll-interval = 0" "duplicate-window = 60"
start_test_trapd

# stored KIND DEVICE ITEM N WHAT: wait until the entity has N observations from traps
stored() {
  wait_for 20 count_is "SELECT count(*) FROM observation_view WHERE kind = '$1' AND device = '$2'
                        AND item = '$3' AND source = 'trap'" "$4" || { show_log; fail "$5 was not stored"; }
}

# --- UPS-MIB (RFC 1628): upsTraps = { upsMIB 2 }, upsTrapOnBattery = { upsTraps 1 } ---------------
ups_vars=(1.3.6.1.2.1.33.1.2.3.0 i 41 1.3.6.1.2.1.33.1.2.2.0 i 12 1.3.6.1.2.1.33.1.9.7.0 i 2)
alarm() {  # alarm WELL-KNOWN-ALARM: the varbinds of upsTrapAlarmEntryAdded for it
  echo 1.3.6.1.2.1.33.1.6.2.1.1.5 i 5 1.3.6.1.2.1.33.1.6.2.1.2.5 o "1.3.6.1.2.1.33.1.6.3.$1"
}
# v1: enterprise upsTraps, generic 6, specific 1 (upsTrapOnBattery)
send 127.0.0.4 -v1 "127.0.0.1:$port" 1.3.6.1.2.1.33.2 127.0.0.4 6 1 '' "${ups_vars[@]}"
stored ups ups1 '' 1 "the v1 upsTrapOnBattery (enterprise 1.3.6.1.2.1.33.2, specific 1)"
# v1: specific 3 (upsTrapAlarmEntryAdded), upsAlarmOnBypass (9)
# shellcheck disable=SC2046
send 127.0.0.4 -v1 "127.0.0.1:$port" 1.3.6.1.2.1.33.2 127.0.0.4 6 3 '' $(alarm 9)
stored ups ups1 '' 2 "the v1 upsTrapAlarmEntryAdded"
# v2c in the RFC 3584 form 1.3.6.1.2.1.33.2.0.1
send 127.0.0.4 -v2c "127.0.0.1:$port" '' 1.3.6.1.2.1.33.2.0.1 "${ups_vars[@]}"
stored ups ups1 '' 3 "the v2c upsTrapOnBattery as 1.3.6.1.2.1.33.2.0.1"
# shellcheck disable=SC2046
send 127.0.0.4 -v2c "127.0.0.1:$port" '' 1.3.6.1.2.1.33.2.3 $(alarm 14)  # upsAlarmUpsOutputOff
stored ups ups1 '' 4 "the v2c upsTrapAlarmEntryAdded"
# v2c as the MIB defines it
send 127.0.0.4 -v2c "127.0.0.1:$port" '' 1.3.6.1.2.1.33.2.1 "${ups_vars[@]}"
stored ups ups1 '' 5 "the v2c upsTrapOnBattery as 1.3.6.1.2.1.33.2.1"
expect_eq "$(trap_states ups ups1 '')" "battery bypass battery none battery" "ups1's states from traps"
# The evidence gives each notification as UPS-MIB defines it, whatever form it came in.
expect_eq "$(q "SELECT count(*) FROM observation_view WHERE device = 'ups1'
                AND evidence LIKE '% 1.3.6.1.2.1.33.2.1 [%'")" 3 "upsTrapOnBattery in the evidence"
expect_eq "$(q "SELECT count(*) FROM observation_view WHERE device = 'ups1'
                AND evidence LIKE '% 1.3.6.1.2.1.33.2.3 [%'")" 2 "upsTrapAlarmEntryAdded in the evidence"
expect_eq "$(q "SELECT count(*) FROM observation_view WHERE device = 'ups1' AND evidence LIKE '%33.2.0.%'")" 0 \
  "the v1 form in the evidence"
expect_has "$(q "SELECT evidence FROM observation_view WHERE device = 'ups1' ORDER BY seq LIMIT 1")" \
  "v1 trap from 127.0.0.4:" "the first evidence"
# The v1 form of the last one, same varbinds: the same trap again, a duplicate.
send 127.0.0.4 -v1 "127.0.0.1:$port" 1.3.6.1.2.1.33.2 127.0.0.4 6 1 '' "${ups_vars[@]}"
wait_for 20 stat_is trapd.duplicates 1 || { show_log; fail "the v1 repeat of a v2c upsTrapOnBattery was not a duplicate"; }

# --- APC PowerNet-MIB: outlet traps in both forms -----------------------------------------------
apc=1.3.6.1.4.1.318
# rPDUOutletOff (269) as its TRAP-TYPE says: rPDUIdentSerialNumber, rPDUIdentName,
# rPDUOutletControlIndex, rPDUOutletControlOutletName, mtrapargsString
send 127.0.0.5 -v1 "127.0.0.1:$port" $apc 127.0.0.5 6 269 '' \
  $apc.1.1.12.1.6.0 s ZA1234567890 $apc.1.1.12.1.1.0 s pdu1 \
  $apc.1.1.12.3.3.1.1.1.4 i 4 $apc.1.1.12.3.3.1.1.2.4 s spare $apc.2.3.3.0 s "Outlet 4 turned off."
stored outlet pdu1 4 1 "rPDUOutletOff with rPDUOutletControlIndex"
# outletOff (42) and outletOn (41) as the devices send them: mtrapargsInteger.0, mtrapargsString.0
send 127.0.0.5 -v1 "127.0.0.1:$port" $apc 127.0.0.5 6 42 '' $apc.2.3.1.0 i 2 \
  $apc.2.3.3.0 s "An outlet has turned off. If the outlet number is 0, then all outlets have turned off."
stored outlet pdu1 2 1 "outletOff with mtrapargsInteger.0"
send 127.0.0.5 -v1 "127.0.0.1:$port" $apc 127.0.0.5 6 41 '' $apc.2.3.1.0 i 2 \
  $apc.2.3.3.0 s "An outlet has turned on. If the outlet number is 0, then all outlets have turned on."
stored outlet pdu1 2 2 "outletOn with mtrapargsInteger.0"
expect_eq "$(trap_states outlet pdu1 4)" "off" "pdu1 outlet 4"
expect_eq "$(trap_states outlet pdu1 2)" "off on" "pdu1 outlet 2"
# rPDUDeviceConfigChange (270): kept as evidence, no observation
send 127.0.0.5 -v1 "127.0.0.1:$port" $apc 127.0.0.5 6 270 '' \
  $apc.1.1.12.1.6.0 s ZA1234567890 $apc.1.1.12.1.1.0 s pdu1 $apc.2.3.3.0 s "Device configuration change made."
wait_for 20 has "SELECT 1 FROM evidence WHERE device = 'pdu1' AND trap_oid = '$apc.0.270'" \
  || { show_log; fail "the configuration change was not kept as evidence"; }
expect_eq "$(q "SELECT count(*) FROM observation_view WHERE device = 'pdu1'")" 3 "pdu1's observations"
expect_eq "$(q "SELECT reason FROM evidence WHERE device = 'pdu1'")" \
  "plugin apc-pdu does not translate $apc.0.270" "the configuration change's evidence"

# --- the counters -----------------------------------------------------------------------------------
expect_eq "$(stat_of trapd.rejected.malformed)" 0 "malformed traps"
expect_eq "$(stat_of trapd.observations-stored)" 8 "observations stored"
expect_eq "$(stat_of trapd.evidence-stored)" 1 "evidence stored"
expect_eq "$(stat_of trapd.accepted)" 10 "accepted"

stop_test_trapd 30
echo "ok: trapd-vendors"
