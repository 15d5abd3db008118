#!/usr/bin/env bash
# The shipped vendor rule files, end to end (issue 17): colosla-trapd with `rules =` the tree's
# rules/, each vendor's traps written from its MIB (OIDs, varbind types and values as the devices
# send them) and replayed with Net-SNMP's snmptrap in their SNMPv1 form (enterprise E, specific N)
# and their SNMPv2c form (E.0.N), each checked against the UPS observation its rule makes:
#  - Eaton XUPS-MIB 201909270000Z (rules/eaton-xups.json): xupstdOnBattery (v1, ENTERPRISE
#    xupsTrapDefined 1.3.6.1.4.1.534.1.11.4.1, 3), xupstdUtilityPowerRestored, xupstdOnBypass,
#    xupstdHeartbeat (v1, its xupsOutputSource.0 mapped), xupstdOutputOff; xupstdDiagnosticTestPassed
#    is evidence only;
#  - MG-SNMP-UPS-MIB V1.7 AE (rules/mge-ups.json): upsmgOnBattery (v1, ENTERPRISE upsmgTraps
#    1.3.6.1.4.1.705.1.11, 11), upsmgReturnFromBattery (v2c), upsmgOnBoost (v1),
#    upsmgReturnFromBoost (v2c); upsmgBatteryTestOK is evidence only;
#  - LIEBERT-GP-NOTIFICATIONS-MIB 200807020000Z (rules/liebert-gp.json): lgpEventConditionEntryAdded
#    with lgpConditionDescr = lgpConditionLoadOnBattery (v1, as a GXT5 sends it), its
#    lgpEventConditionEntryRemoved (v2c), lgpConditionLoadTransferedToBypass added and removed (v2c),
#    lgpEventLoadTransferedToBypass (v1); a condition added
#    for a battery test, and lgpEventConfigModified, are evidence only;
#  - EATON-EPDU-MIB 202303311500Z (rules/eaton-epdu.json): notifyOutletControlStatus, the outlet
#    numbered by outletIndex's value, off(0)/on(1) (v2c, and v1: ENTERPRISE eatonEpdu, 33); a
#    pendingOff(2), a daisy-chained unit's outlet (strappingIndex 1) and notifyFailedLogin (an
#    authentication failure) are evidence only.
# usage: trap_rules_vendors.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
. "$src/tests/integration/trapd_lib.sh"
require_tools snmptrap sqlite3

silent=$(free_udp_port)  # nothing answers the polls the rules ask for
# Each UPS sends from its own loopback address (its v1 agent-addr too).
write_inventory "$(v2c_device xups1 ups 127.0.0.21 ups-mib "$silent")" \
  "$(v2c_device mge1 ups 127.0.0.22 ups-mib "$silent")" "$(v2c_device lgp1 ups 127.0.0.23 ups-mib "$silent")" \
  "$(v2c_device epdu1 pdu 127.0.0.24 if-mib "$silent")"
trapd_config "rules = $src/rules" "poll-interval = 3600" "poll-timeout = 200" "poll-retries = 0"
start_test_trapd
for f in "eaton-xups.json (XUPS-MIB 201909270000Z)" "mge-ups.json (MG-SNMP-UPS-MIB V1.7 AE (2012-08-21))" \
  "liebert-gp.json (LIEBERT-GP-NOTIFICATIONS-MIB 200807020000Z)" "eaton-epdu.json (EATON-EPDU-MIB 202303311500Z)"; do
  expect_has "$(grep 'trap rules loaded from' "$log")" "$src/rules/$f" "the log"
done

# states DEVICE: the UPS states its traps made, oldest first, on one line
states() { q "SELECT state FROM observation_view WHERE kind = 'ups' AND device = '$1' AND source = 'trap' ORDER BY seq" | paste -sd' '; }
observations() { q "SELECT count(*) FROM observation_view WHERE device = '$1' AND source = 'trap'"; }
# expect_states DEVICE "STATES" WHAT: wait for that many observations, then compare
expect_states() {
  local n
  n=$(wc -w <<<"$2")
  wait_for 20 count_is "SELECT count(*) FROM observation_view WHERE device = '$1' AND source = 'trap'" "$n" \
    || { show_log; fail "$3 was not stored ($1 has $(observations "$1") observations from traps)"; }
  expect_eq "$(states "$1")" "$2" "$1 after $3"
}
# evidence_only DEVICE TRAP_OID OBSERVATIONS WHAT: the trap is kept as evidence, no observation made
evidence_only() {
  wait_for 20 count_is "SELECT count(*) FROM evidence WHERE device = '$1' AND trap_oid = '$2'" 1 \
    || { show_log; fail "$4 was not kept as evidence"; }
  expect_eq "$(observations "$1")" "$3" "$1's observations after $4"
}

# --- Eaton XUPS-MIB: traps of the xupsTrapDefined source ---------------------------------------
x=1.3.6.1.4.1.534.1
xe=$x.11.4.1  # xupsTrapDefined; its notifications are xupsTrapOidDefined (xupsTrapDefined.0).N
xa=127.0.0.21
# The alarm's varbinds: xupsAlarmID.N (INTEGER), xupsAlarmDescr.N (the well-known alarm's OID),
# xupsTrapMessage.0 (DisplayString).
# alarm ID WELL_KNOWN MESSAGE: sets them in the array vbs
alarm() { vbs=("$x.7.2.1.1.$1" i "$1" "$x.7.2.1.2.$1" o "$x.7.$2" "$x.11.3.0" s "$3"); }
alarm 7 3 "UPS on battery"  # xupsOnBattery
send $xa -v1 "127.0.0.1:$port" $xe $xa 6 3 '' "${vbs[@]}"
expect_states xups1 "battery" "xupstdOnBattery (v1)"
expect_has "$(grep 'xupstdOnBattery (rule xups-on-battery)' "$log")" "xups1: v1 trap from $xa:" "the log"
polls=$(stat_of trapd.polls-requested)
alarm 8 5 "Utility power restored"  # xupsUtilityPowerRestored
send $xa -v2c "127.0.0.1:$port" '' $xe.0.5 "${vbs[@]}"
expect_states xups1 "battery normal" "xupstdUtilityPowerRestored (v2c)"
wait_for 20 at_least trapd.polls-requested $((polls + 1)) || { show_log; fail "xupstdUtilityPowerRestored asked for no poll"; }
alarm 9 11 "UPS on bypass"  # xupsOnBypass
send $xa -v2c "127.0.0.1:$port" '' $xe.0.11 "${vbs[@]}"
expect_states xups1 "battery normal bypass" "xupstdOnBypass (v2c)"
# xupstdHeartbeat: { xupsInputSource.0, xupsOutputSource.0, xupsAlarms.0 }; normal(3)
send $xa -v1 "127.0.0.1:$port" $xe $xa 6 44 '' $x.3.5.0 i 3 $x.4.5.0 i 3 $x.7.1.0 u 0
expect_states xups1 "battery normal bypass normal" "xupstdHeartbeat (v1, xupsOutputSource normal)"
alarm 10 13 "UPS output off"  # xupsOutputOff
send $xa -v2c "127.0.0.1:$port" '' $xe.0.13 "${vbs[@]}"
expect_states xups1 "battery normal bypass normal none" "xupstdOutputOff (v2c)"
# xupstdDiagnosticTestPassed: { xupsTestBatteryStatus.0, xupsLastGeneralTest.0,
# xupsLastGeneralTestResult.0 }: passed(2), testSystem(3), passed(2). No state: evidence only.
send $xa -v2c "127.0.0.1:$port" '' $xe.0.45 $x.8.2.0 i 2 $x.8.3.0 i 3 $x.8.4.0 i 2
evidence_only xups1 $xe.0.45 5 "xupstdDiagnosticTestPassed"

# --- MG-SNMP-UPS-MIB: TRAP-TYPE ENTERPRISE upsmgTraps -------------------------------------------
m=1.3.6.1.4.1.705.1
ma=127.0.0.22
# { upsmgBatteryRemainingTime.0, upsmgBatteryLevel.0 }: seconds and percent, INTEGERs
send $ma -v1 "127.0.0.1:$port" $m.11 $ma 6 11 '' $m.5.1.0 i 1500 $m.5.2.0 i 98
expect_states mge1 "battery" "upsmgOnBattery (v1)"
send $ma -v2c "127.0.0.1:$port" '' $m.11.0.12 $m.5.1.0 i 1320 $m.5.2.0 i 91
expect_states mge1 "battery normal" "upsmgReturnFromBattery (v2c)"
send $ma -v1 "127.0.0.1:$port" $m.11 $ma 6 19 ''
expect_states mge1 "battery normal booster" "upsmgOnBoost (v1)"
send $ma -v2c "127.0.0.1:$port" '' $m.11.0.20
expect_states mge1 "battery normal booster normal" "upsmgReturnFromBoost (v2c)"
expect_has "$(grep 'upsmgReturnFromBoost (rule mge-return-from-boost)' "$log")" "mge1: v2c trap from $ma:" "the log"
send $ma -v1 "127.0.0.1:$port" $m.11 $ma 6 47 ''
evidence_only mge1 $m.11.0.47 4 "upsmgBatteryTestOK (v1)"

# --- LIEBERT-GP-NOTIFICATIONS-MIB: conditions added to and removed from lgpConditionsTable -------
l=1.3.6.1.4.1.476.1.42.3
la=127.0.0.23
entry=$l.2.3.1  # lgpConditionEntry: .1 lgpConditionId, .2 lgpConditionDescr, .3 lgpConditionTime
on_battery=$l.2.1.72  # lgpConditionLoadOnBattery
# As a GXT5 sends lgpEventConditionEntryAdded: SNMPv1, enterprise lgpNotifications, specific 1; the
# table's columns without an instance, then sysName.0 and sysLocation.0.
send $la -v1 "127.0.0.1:$port" $l.3 $la 6 1 '' $entry.1 i 3 $entry.2 o $on_battery $entry.3 t 181200 \
  1.3.6.1.2.1.1.5.0 s 00-09-F5-12-34-56 1.3.6.1.2.1.1.6.0 s Uninitialized
expect_states lgp1 "battery" "lgpEventConditionEntryAdded lgpConditionLoadOnBattery (v1)"
expect_has "$(grep 'lgpEventConditionEntryAdded (rule lgp-load-on-battery)' "$log")" "lgp1: v1 trap from $la:" "the log"
# A battery test (lgpConditionBatteryTestInProgress, 71) added: no state, evidence only.
send $la -v2c "127.0.0.1:$port" '' $l.3.0.1 $entry.1.4 u 4 $entry.2.4 o $l.2.1.71 $entry.3.4 t 181900
evidence_only lgp1 $l.3.0.1 1 "lgpEventConditionEntryAdded lgpConditionBatteryTestInProgress (v2c)"
send $la -v2c "127.0.0.1:$port" '' $l.3.0.2 $entry.1.3 u 3 $entry.2.3 o $on_battery $entry.3.3 t 181200
expect_states lgp1 "battery normal" "lgpEventConditionEntryRemoved lgpConditionLoadOnBattery (v2c)"
# lgpConditionLoadTransferedToBypass (lgpConditionOnBypass 5) added, then removed
send $la -v2c "127.0.0.1:$port" '' $l.3.0.1 $entry.1.5 u 5 $entry.2.5 o $l.2.1.33.5 $entry.3.5 t 185000
expect_states lgp1 "battery normal bypass" "lgpEventConditionEntryAdded lgpConditionLoadTransferedToBypass (v2c)"
send $la -v2c "127.0.0.1:$port" '' $l.3.0.2 $entry.1.5 u 5 $entry.2.5 o $l.2.1.33.5 $entry.3.5 t 185000
expect_states lgp1 "battery normal bypass normal" "lgpEventConditionEntryRemoved lgpConditionLoadTransferedToBypass (v2c)"
send $la -v1 "127.0.0.1:$port" $l.3 $la 6 4 '' 1.3.6.1.2.1.1.3.0 t 190000
expect_states lgp1 "battery normal bypass normal bypass" "lgpEventLoadTransferedToBypass (v1)"
# lgpEventConfigModified { sysUpTime, lgpEventParmTableRef, lgpEventParmTableRowRef }: evidence only.
send $la -v2c "127.0.0.1:$port" '' $l.3.0.18 $l.3.10.5.0 o $l.8.20.1 $l.3.10.6.0 o $l.8.20.1.1.1.1
evidence_only lgp1 $l.3.0.18 5 "lgpEventConfigModified (v2c)"

# --- EATON-EPDU-MIB: notifyOutletControlStatus { strappingIndex, outletIndex, outletControlStatus } --
e=1.3.6.1.4.1.534.6.6.7
ea=127.0.0.24
# outlet_vbs STRAPPING OUTLET STATUS: the varbinds as an ePDU sends them, each with its instance
outlet_vbs() { vbs=("$e.1.2.1.1.$1" i "$1" "$e.6.1.1.1.$1.$2" i "$2" "$e.6.6.1.2.$1.$2" i "$3"); }
outlet_states() {
  q "SELECT item || '=' || state FROM observation_view WHERE kind = 'outlet' AND device = 'epdu1'
     AND source = 'trap' ORDER BY seq" | paste -sd' '
}
outlet_vbs 0 5 0
send $ea -v2c "127.0.0.1:$port" '' $e.0.33 "${vbs[@]}"
wait_for 20 count_is "SELECT count(*) FROM observation_view WHERE device = 'epdu1' AND source = 'trap'" 1 \
  || { show_log; fail "notifyOutletControlStatus off (v2c) was not stored"; }
expect_eq "$(outlet_states)" "5=off" "epdu1 after notifyOutletControlStatus off (v2c)"
outlet_vbs 0 5 1
send $ea -v1 "127.0.0.1:$port" $e $ea 6 33 '' "${vbs[@]}"
wait_for 20 count_is "SELECT count(*) FROM observation_view WHERE device = 'epdu1' AND source = 'trap'" 2 \
  || { show_log; fail "notifyOutletControlStatus on (v1) was not stored"; }
expect_eq "$(outlet_states)" "5=off 5=on" "epdu1 after notifyOutletControlStatus on (v1)"
expect_has "$(grep 'notifyOutletControlStatus outlet 5 (rule epdu-outlet-control-status)' "$log")" \
  "epdu1: v1 trap from $ea:" "the log"
# pendingOff(2): a value the map does not list, no state
outlet_vbs 0 6 2
send $ea -v2c "127.0.0.1:$port" '' $e.0.33 "${vbs[@]}"
wait_for 20 count_is "SELECT count(*) FROM evidence WHERE device = 'epdu1' AND trap_oid = '$e.0.33'" 1 \
  || { show_log; fail "notifyOutletControlStatus pendingOff was not kept as evidence"; }
# outlet 5 of the daisy-chained unit 1 is not epdu1's outlet 5
outlet_vbs 1 5 0
send $ea -v2c "127.0.0.1:$port" '' $e.0.33 "${vbs[@]}"
wait_for 20 count_is "SELECT count(*) FROM evidence WHERE device = 'epdu1' AND trap_oid = '$e.0.33'" 2 \
  || { show_log; fail "a strapped unit's notifyOutletControlStatus was not kept as evidence"; }
# notifyFailedLogin { userName, commInterface }: web(3)
send $ea -v2c "127.0.0.1:$port" '' $e.0.3 $e.1.2.1.40.0 s admin $e.1.2.1.41.0 i 3
evidence_only epdu1 $e.0.3 2 "notifyFailedLogin"
expect_eq "$(outlet_states)" "5=off 5=on" "epdu1's outlets after the traps without a state"

expect_eq "$(stat_of trapd.rejected.malformed)" 0 "malformed traps"

stop_test_trapd 30
echo "ok: trap rules of the vendors"
