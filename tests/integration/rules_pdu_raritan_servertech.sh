#!/usr/bin/env bash
# The shipped Raritan and Server Technology PDU rule files, end to end (issue 17). Traps written
# from each MIB (OIDs, varbind types and instances as the PDUs send them) are replayed with
# Net-SNMP's snmptrap at colosla-trapd (`rules =` the tree's rules/), in their SNMPv2c form and
# their SNMPv1 form (enterprise E, specific N, which RFC 3584 makes E.0.N), each checked against
# the observation it makes (observation_view: kind, device, item, state):
#  - PDU2-MIB 202209210000Z (rules/raritan-px2.json, Raritan PX2/PX3): outletSensorStateChange of
#    an outlet's onOff sensor (typeOfSensor 14), the outlet from measurementsOutletSensorState's
#    index (pduId.outletId.sensorType), off(8)/on(7); an rmsCurrent threshold crossing, a linked
#    PDU's outlet (pduNumber 2), powerControl (a switching operation, its state not final yet) and
#    userAuthenticationFailure are evidence only;
#  - PDU-MIB 201602220000Z (rules/raritan-px.json, Dominion PX): powerControl, the outlet from
#    outletOperationalState's index, off(0)/on(1); cycling(2) is evidence only;
#  - Sentry3-MIB 201601251630Z (rules/servertech-sentry3.json): outletChangeEvent and
#    outletStatusEvent, the outlet named by outletID's value ("AB1"), outletStatus off(0),
#    offError(4), on(1); onWait(3) is evidence only; infeedStatusEvent of feed AB on a three-phase
#    tower whose inventory gives its outlets' phases: inlet L2 only, off and on again; feed AA of a
#    single-feed tower: the whole inlet; a linked tower's feed (BA), towerStatusEvent and
#    infeedLoadEvent are evidence only;
#  - Sentry4-MIB 202303101100Z (rules/servertech-sentry4.json): st4OutletStateChangeEvent (outlet
#    named by st4OutletID, st4OutletState off(2)/on(1)), st4PhaseStatusEvent of phase AA2 (inlet
#    L2), st4InputCordStatusEvent of cord AA (the whole inlet); st4OutletStatusEvent with state
#    unknown(0) and st4UnitStatusEvent are evidence only.
# Then the poll rules, against snmpsimd serving recordings of the four (tests/data/snmpsim:
# raritan-px2, raritan-px, sentry3, sentry4): `colosla poll` walks each one's outlet states (and
# the ServerTech feeds' or phases' states), chosen by sysObjectID.0; a changed value changes the
# stored state; a PX2 without outlet switching (metered) has no rows, which the poll says. And
# `colosla rules test` reads a Sentry3 feed trap as the phase the inventory gives.
# usage: rules_pdu_raritan_servertech.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
require_tools snmptrap snmpget snmpsimd sqlite3
. "$src/tests/integration/trapd_lib.sh"

silent=$(free_udp_port)  # nothing answers a poll of the trap part's devices

outlets() {  # outlets PREFIX... : inventory outlets PREFIX1 PREFIX2 on the phase of their feed
  local sep='' f o n=0
  for f in "$@"; do
    n=$((n + 1))
    for o in 1 2; do printf '%s{"name":"%s%s","phase":%s}' "$sep" "$f" "$o" "$n"; sep=,; done
  done
}
# Each PDU sends from its own loopback address (its v1 agent-addr too).
cat >"$work/inventory.json" <<JSON
{"colosla-inventory:inventory":{
 "device":[
  {"name":"px2","role":"pdu","address":"127.0.0.31","plugin":"rules",
   "snmp":{"version":"v2c","community":"public","port":$silent}},
  {"name":"px1","role":"pdu","address":"127.0.0.32","plugin":"rules",
   "snmp":{"version":"v2c","community":"public","port":$silent}},
  {"name":"st3","role":"pdu","address":"127.0.0.33","plugin":"rules",
   "snmp":{"version":"v2c","community":"public","port":$silent},
   "outlet":[$(outlets AA AB AC)]},
  {"name":"st3s","role":"pdu","address":"127.0.0.34","plugin":"rules",
   "snmp":{"version":"v2c","community":"public","port":$silent}},
  {"name":"st4","role":"pdu","address":"127.0.0.35","plugin":"rules",
   "snmp":{"version":"v2c","community":"public","port":$silent},
   "outlet":[{"name":"AA1","phase":1},{"name":"AA2","phase":2},{"name":"AA3","phase":3}]}]}}
JSON
trapd_config "rules = $src/rules" "poll-interval = 3600" "poll-timeout = 200" "poll-retries = 0"

start_test_trapd
loaded=$(grep 'trap rules loaded from' "$log")
for f in "raritan-px2.json (PDU2-MIB 202209210000Z)" "raritan-px.json (PDU-MIB 201602220000Z)" \
  "servertech-sentry3.json (Sentry3-MIB 201601251630Z)" "servertech-sentry4.json (Sentry4-MIB 202303101100Z)"; do
  expect_has "$loaded" "$src/rules/$f" "the log"
done

# states DEVICE: what its traps made, oldest first, on one line: KIND:ITEM=STATE ...
states() {
  q "SELECT kind || ':' || item || '=' || state FROM observation_view WHERE device = '$1'
     AND source = 'trap' ORDER BY seq" | paste -sd' '
}
observations() { q "SELECT count(*) FROM observation_view WHERE device = '$1' AND source = 'trap'"; }
# expect_states DEVICE "STATES" WHAT: wait for that many observations from traps, then compare
expect_states() {
  wait_for 20 count_is "SELECT count(*) FROM observation_view WHERE device = '$1' AND source = 'trap'" \
    "$(wc -w <<<"$2")" || { show_log; fail "$3 was not stored ($1 has $(observations "$1") observations from traps)"; }
  expect_eq "$(states "$1")" "$2" "$1 after $3"
}
# evidence DEVICE TRAP_OID N WHAT: wait until N traps of that OID are kept as evidence
evidence() {
  wait_for 20 count_is "SELECT count(*) FROM evidence WHERE device = '$1' AND trap_oid = '$2'" "$3" \
    || { show_log; fail "$4 was not kept as evidence"; }
}
# v2 ADDRESS TRAP_OID VARBINDS...: an SNMPv2c trap from that address
v2() { local from=$1; shift; snmptrap -v2c -c public --clientaddr="$from" "127.0.0.1:$port" '' "$@"; }
# v1 ADDRESS ENTERPRISE SPECIFIC VARBINDS...: an SNMPv1 enterpriseSpecific trap, agent-addr ADDRESS
v1() {
  local from=$1 enterprise=$2 specific=$3
  shift 3
  snmptrap -v1 -c public --clientaddr="$from" "127.0.0.1:$port" "$enterprise" "$from" 6 "$specific" '' "$@"
}
sys=1.3.6.1.2.1.1  # sysContact.0, sysName.0, sysLocation.0 at .4.0, .5.0, .6.0

# --- PDU2-MIB (Raritan PX2/PX3) -------------------------------------------------------------------
r=1.3.6.1.4.1.13742.6
ra=127.0.0.31
# outlet_change PDU OUTLET SENSOR_TYPE STATE OLD_STATE: outletSensorStateChange's varbinds in the
# array vbs; the table columns with their index (pduId, pduId.outletId, pduId.outletId.sensorType),
# the trapInformation objects (pduNumber, agentInetPortNumber, typeOfSensor, oldSensorState) .0.
outlet_change() {
  vbs=("$r.3.2.2.1.13.$1" s "PX2 rack 12" "$r.0.0.3.0" i "$1" "$r.3.2.2.1.50.$1" i 1
    "$r.3.2.2.1.51.$1" x 7F00001F "$r.0.0.18.0" u 161 "$r.3.5.3.1.2.$1.$2" s "$2"
    "$r.0.0.10.0" i "$3" "$r.5.4.3.1.5.$1.$2.$3" u 1765100000 "$r.5.4.3.1.4.$1.$2.$3" u 0
    "$r.5.4.3.1.3.$1.$2.$3" i "$4" "$r.5.4.3.1.6.$1.$2.$3" i 0 "$r.0.0.2.0" i "$5"
    "$sys.4.0" s noc@example.net "$sys.5.0" s px2-rack12 "$sys.6.0" s "Hall 2 rack 12" "$r.3.2.1.1.4.$1" s PKE0954321)
}
outlet_change 1 5 14 8 7  # outlet 5's onOff sensor: on(7) -> off(8)
v2 $ra $r.0.63 "${vbs[@]}"
expect_states px2 "outlet:5=off" "outletSensorStateChange onOff off (v2c)"
outlet_change 1 5 14 7 8
v1 $ra $r 63 "${vbs[@]}"
expect_states px2 "outlet:5=off outlet:5=on" "outletSensorStateChange onOff on (v1)"
expect_has "$(grep 'outletSensorStateChange' "$log")" "(rule raritan-outlet-on-off)" "the log"
outlet_change 1 3 1 5 4  # outlet 3's rmsCurrent: normal(4) -> aboveUpperWarning(5)
v2 $ra $r.0.63 "${vbs[@]}"
evidence px2 $r.0.63 1 "an rmsCurrent threshold crossing"
outlet_change 2 5 14 8 7  # the linked PDU 2's outlet 5 off: not px2's outlet 5
v2 $ra $r.0.63 "${vbs[@]}"
evidence px2 $r.0.63 2 "a linked PDU's outlet"
# userAuthenticationFailure { pduName, userName, pxIPAddress, pxInetAddressType, pxInetIPAddress,
# agentInetPortNumber, sysContact, sysName, sysLocation, pduSerialNumber }
v2 $ra $r.0.5 $r.3.2.2.1.13.1 s "PX2 rack 12" $r.0.0.1.1.2.1 s admin $r.3.2.2.1.8.1 a $ra \
  $r.3.2.2.1.50.1 i 1 $r.3.2.2.1.51.1 x 7F00001F $r.0.0.18.0 u 161 $sys.4.0 s noc@example.net \
  $sys.5.0 s px2-rack12 $sys.6.0 s "Hall 2 rack 12" $r.3.2.1.1.4.1 s PKE0954321
evidence px2 $r.0.5 1 "userAuthenticationFailure"
# powerControl { pduName, userName, pxIPAddress, pxInetAddressType, pxInetIPAddress,
# agentInetPortNumber, outletLabel, measurementsOutletSensorState, switchingOperation, sysContact,
# sysName, sysLocation, pduSerialNumber, pduNumber }: a power cycle of outlet 2, its onOff sensor
# off for now (the MIB: the final state comes in outletSensorStateChange): evidence only.
v2 $ra $r.0.23 $r.3.2.2.1.13.1 s "PX2 rack 12" $r.0.0.1.1.2.1 s admin $r.3.2.2.1.8.1 a $ra \
  $r.3.2.2.1.50.1 i 1 $r.3.2.2.1.51.1 x 7F00001F $r.0.0.18.0 u 161 $r.3.5.3.1.2.1.2 s 2 \
  $r.5.4.3.1.3.1.2.14 i 8 $r.4.1.2.1.2.1.2 i 2 $sys.4.0 s noc@example.net $sys.5.0 s px2-rack12 \
  $sys.6.0 s "Hall 2 rack 12" $r.3.2.1.1.4.1 s PKE0954321 $r.0.0.3.0 i 1
evidence px2 $r.0.23 1 "powerControl"
expect_eq "$(states px2)" "outlet:5=off outlet:5=on" "px2 after the traps without a state"

# --- PDU-MIB (Raritan Dominion PX) ----------------------------------------------------------------
p=1.3.6.1.4.1.13742.4
pa=127.0.0.32
# power_control OUTLET STATE: powerControl { objectName, objectInstance, userName, ipAddress,
# outletLabel, outletOperationalState } (info's objects .0, the outlet's columns .outletIndex)
power_control() {
  vbs=("$p.1.1.12.0" s DPCR8-15 "$p.1.1.13.0" s px1-rack3 "$p.1.1.10.0" s admin "$p.1.1.3.0" a "$pa"
    "$p.1.2.2.1.2.$1" s "OUTLET$1" "$p.1.2.2.1.3.$1" i "$2")
}
power_control 3 0
v1 $pa $p 23 "${vbs[@]}"
expect_states px1 "outlet:3=off" "powerControl off (v1)"
power_control 3 1
v2 $pa $p.0.23 "${vbs[@]}"
expect_states px1 "outlet:3=off outlet:3=on" "powerControl on (v2c)"
power_control 4 2  # cycling
v2 $pa $p.0.23 "${vbs[@]}"
evidence px1 $p.0.23 1 "powerControl cycling"

# --- Sentry3-MIB ----------------------------------------------------------------------------------
s=1.3.6.1.4.1.1718.3
sa=127.0.0.33
# outlet_event INDEX ID STATUS TEXT CONDITION [CONTROL]: outletStatusEvent's { systemLocation,
# outletID, outletName, outletStatus, eventStatusText, eventStatusCondition }, with CONTROL
# (outletControlState) after outletStatus outletChangeEvent's; INDEX is tower.infeed.outlet
outlet_event() {
  vbs=("$s.1.3.0" s "Rack 12" "$s.2.3.1.2.$1" s "$2" "$s.2.3.1.3.$1" s "srv-$2" "$s.2.3.1.5.$1" i "$3")
  [ -z "${6:-}" ] || vbs+=("$s.2.3.1.10.$1" i "$6")
  vbs+=("$s.99.1.0" s "$4" "$s.99.2.0" i "$5")
}
outlet_event 1.2.1 AB1 0 Off 0 4  # control state off(4)
v2 $sa $s.100.0.6 "${vbs[@]}"
expect_states st3 "outlet:AB1=off" "outletChangeEvent AB1 off (v2c)"
outlet_event 1.2.1 AB1 1 On 0 5  # on(5)
v1 $sa $s.100 6 "${vbs[@]}"
expect_states st3 "outlet:AB1=off outlet:AB1=on" "outletChangeEvent AB1 on (v1)"
expect_has "$(grep 'outletChangeEvent' "$log")" "(rule sentry3-outlet-change)" "the log"
# outletStatusEvent { systemLocation, outletID, outletName, outletStatus, eventStatusText,
# eventStatusCondition }: AA2 offError(4), should be on but no current is sensed
outlet_event 1.1.2 AA2 4 "Off Error" 1
v2 $sa $s.100.0.4 "${vbs[@]}"
expect_states st3 "outlet:AB1=off outlet:AB1=on outlet:AA2=off" "outletStatusEvent AA2 offError (v2c)"
outlet_event 1.1.1 AA1 3 "On Wait" 0  # in transition: no state
v1 $sa $s.100 4 "${vbs[@]}"
evidence st3 $s.100.0.4 1 "outletStatusEvent onWait"
# infeed_event INDEX ID STATUS TEXT CONDITION: { systemLocation, infeedID, infeedName, infeedStatus,
# eventStatusText, eventStatusCondition }
infeed_event() {
  vbs=("$s.1.3.0" s "Rack 12" "$s.2.2.1.2.$1" s "$2" "$s.2.2.1.3.$1" s "Feed $2" "$s.2.2.1.5.$1" i "$3"
    "$s.99.1.0" s "$4" "$s.99.2.0" i "$5")
}
infeed_event 1.2 AB 4 "Off Error" 1  # line Y of a three-phase tower lost
v1 $sa $s.100 2 "${vbs[@]}"
expect_states st3 "outlet:AB1=off outlet:AB1=on outlet:AA2=off inlet:L2=off" "infeedStatusEvent AB offError (v1)"
infeed_event 1.2 AB 1 On 0
v2 $sa $s.100.0.2 "${vbs[@]}"
expect_states st3 "outlet:AB1=off outlet:AB1=on outlet:AA2=off inlet:L2=off inlet:L2=on" "infeedStatusEvent AB on (v2c)"
infeed_event 2.1 BA 4 "Off Error" 1  # a linked tower's feed
v2 $sa $s.100.0.2 "${vbs[@]}"
evidence st3 $s.100.0.2 1 "a linked tower's infeedStatusEvent"
# towerStatusEvent { systemLocation, towerID, towerName, towerStatus, ... }: noComm(1)
v2 $sa $s.100.0.1 $s.1.3.0 s "Rack 12" $s.2.1.1.2.2 s B $s.2.1.1.3.2 s "Tower B" $s.2.1.1.4.2 i 1 \
  $s.99.1.0 s "No Comm" $s.99.2.0 i 1
evidence st3 $s.100.0.1 1 "towerStatusEvent"
# infeedLoadEvent { systemLocation, infeedID, infeedName, infeedLoadStatus, infeedLoadValue,
# infeedLoadHighThresh, ... }: loadHigh(4), 14.52 A over 12 A
v1 $sa $s.100 3 $s.1.3.0 s "Rack 12" $s.2.2.1.2.1.1 s AA $s.2.2.1.3.1.1 s "Feed AA" $s.2.2.1.6.1.1 i 4 \
  $s.2.2.1.7.1.1 i 1452 $s.2.2.1.8.1.1 i 12 $s.99.1.0 s "Load High" $s.99.2.0 i 1
evidence st3 $s.100.0.3 1 "infeedLoadEvent"
expect_eq "$(observations st3)" 5 "st3's observations after the traps without a state"
# A single-feed tower (no outlet phases in the inventory): feed AA is the whole inlet.
infeed_event 1.1 AA 4 "Off Error" 1
v2 127.0.0.34 $s.100.0.2 "${vbs[@]}"
expect_states st3s "inlet:=off" "infeedStatusEvent AA offError on a single-feed tower (v2c)"

# --- Sentry4-MIB ----------------------------------------------------------------------------------
f=1.3.6.1.4.1.1718.4
fa=127.0.0.35
# st4_outlet INDEX ID STATE STATUS: { st4SystemLocation, st4OutletID, st4OutletName, st4OutletState,
# st4OutletStatus, st4OutletControlState, st4EventStatusText, st4EventStatusCondition }
st4_outlet() {
  vbs=("$f.1.1.1.2.0" s "Rack 14" "$f.1.8.2.1.2.$1" s "$2" "$f.1.8.2.1.3.$1" s "srv-$2" "$f.1.8.3.1.1.$1" i "$3"
    "$f.1.8.3.1.2.$1" i "$4" "$f.1.8.5.1.1.$1" i 10 "$f.1.99.1.0" s Normal "$f.1.99.2.0" i 0)
}
st4_outlet 1.1.7 AA7 2 0
v2 $fa $f.100.0.16 "${vbs[@]}"
expect_states st4 "outlet:AA7=off" "st4OutletStateChangeEvent AA7 off (v2c)"
st4_outlet 1.1.7 AA7 1 0
v1 $fa $f.100 16 "${vbs[@]}"
expect_states st4 "outlet:AA7=off outlet:AA7=on" "st4OutletStateChangeEvent AA7 on (v1)"
st4_outlet 1.1.8 AA8 0 10  # unknown, noComm
v2 $fa $f.100.0.15 "${vbs[@]}"
evidence st4 $f.100.0.15 1 "st4OutletStatusEvent unknown"
# st4PhaseStatusEvent { st4SystemLocation, st4PhaseID, st4PhaseLabel, st4PhaseState, st4PhaseStatus,
# ... }: phase AA2 off, then on
v2 $fa $f.100.0.9 $f.1.1.1.2.0 s "Rack 14" $f.1.5.2.1.2.1.1.2 s AA2 $f.1.5.2.1.4.1.1.2 s L2-N \
  $f.1.5.3.1.1.1.1.2 i 2 $f.1.5.3.1.2.1.1.2 i 11 $f.1.99.1.0 s "Power Error" $f.1.99.2.0 i 1
expect_states st4 "outlet:AA7=off outlet:AA7=on inlet:L2=off" "st4PhaseStatusEvent AA2 off (v2c)"
v1 $fa $f.100 9 $f.1.1.1.2.0 s "Rack 14" $f.1.5.2.1.2.1.1.2 s AA2 $f.1.5.2.1.4.1.1.2 s L2-N \
  $f.1.5.3.1.1.1.1.2 i 1 $f.1.5.3.1.2.1.1.2 i 0 $f.1.99.1.0 s Normal $f.1.99.2.0 i 0
expect_states st4 "outlet:AA7=off outlet:AA7=on inlet:L2=off inlet:L2=on" "st4PhaseStatusEvent AA2 on (v1)"
# st4InputCordStatusEvent { st4SystemLocation, st4InputCordID, st4InputCordName, st4InputCordState,
# st4InputCordStatus, ... }: cord AA off
v1 $fa $f.100 2 $f.1.1.1.2.0 s "Rack 14" $f.1.3.2.1.2.1.1 s AA $f.1.3.2.1.3.1.1 s "Cord A" \
  $f.1.3.3.1.1.1.1 i 2 $f.1.3.3.1.2.1.1 i 11 $f.1.99.1.0 s "Power Error" $f.1.99.2.0 i 1
expect_states st4 "outlet:AA7=off outlet:AA7=on inlet:L2=off inlet:L2=on inlet:=off" "st4InputCordStatusEvent AA off (v1)"
# st4UnitStatusEvent { st4SystemLocation, st4UnitID, st4UnitName, st4UnitStatus, ... }: lost(8)
v2 $fa $f.100.0.1 $f.1.1.1.2.0 s "Rack 14" $f.1.2.2.1.2.2 s B $f.1.2.2.1.3.2 s "Link unit" \
  $f.1.2.3.1.1.2 i 8 $f.1.99.1.0 s Lost $f.1.99.2.0 i 1
evidence st4 $f.100.0.1 1 "st4UnitStatusEvent"
expect_eq "$(observations st4)" 5 "st4's observations after the traps without a state"

expect_eq "$(stat_of trapd.rejected.malformed)" 0 "malformed traps"
stop_test_trapd 30

# --- Poll rules against snmpsimd --------------------------------------------------------------------
sim=$(free_udp_port)
rec=$src/tests/data/snmpsim
start_snmpsim "$work/sim" "$sim" "$rec/raritan-px2.snmprec" "$rec/raritan-px.snmprec" \
  "$rec/sentry3.snmprec" "$rec/sentry4.snmprec"
cat >"$work/poll-inventory.json" <<JSON
{"colosla-inventory:inventory":{
 "device":[
  {"name":"px2","role":"pdu","address":"127.0.0.1","plugin":"rules","snmp":{"community":"raritan-px2","port":$sim}},
  {"name":"px1","role":"pdu","address":"127.0.0.1","plugin":"rules","snmp":{"community":"raritan-px","port":$sim}},
  {"name":"st3","role":"pdu","address":"127.0.0.1","plugin":"rules","snmp":{"community":"sentry3","port":$sim},
   "outlet":[$(outlets AA AB AC)]},
  {"name":"st4","role":"pdu","address":"127.0.0.1","plugin":"rules","snmp":{"community":"sentry4","port":$sim},
   "outlet":[{"name":"AA1","phase":1},{"name":"AA2","phase":2},{"name":"AA3","phase":3}]}]}}
JSON
pdb=$work/poll.db
run "$colosla" --db "$pdb" inventory load "$work/poll-inventory.json"
expect_rc 0
poll() { run "$colosla" --db "$pdb" poll --device "$1" --rules "$src/rules" --timeout 1000 --retries 0; }
# polled DEVICE: the latest polled state of each of its entities, KIND:ITEM=STATE, sorted
polled() {
  sqlite3 "$pdb" "SELECT kind || ':' || item || '=' || state FROM observation_view o WHERE device = '$1'
    AND source = 'poll' AND seq = (SELECT max(seq) FROM observation_view WHERE device = o.device
    AND kind = o.kind AND item = o.item AND source = 'poll') ORDER BY kind, item" | paste -sd' '
}
# newer FILE: gives the recording a modification time later than any before (snmpsimd rereads a
# file whose time changed), without waiting for the clock
stamp=$(date +%s)
newer() { stamp=$((stamp + 2)); touch -d "@$stamp" "$work/sim/data/$1.snmprec"; }
# changed FILE OID OLD NEW: the recording's value of OID changed
changed() {
  sed -i "s/^$2|2|$3\$/$2|2|$4/" "$work/sim/data/$1.snmprec"
  newer "$1"
  wait_for 30 bash -c "snmpget -v2c -c $1 -On -Oqv 127.0.0.1:$sim $2 | grep -qx -- $4" \
    || fail "snmpsimd did not pick up the changed recording"
}

# Raritan PX2: outletSwitchingState.1.N, outlet 7 off; the linked PDU 2's (off) outlets not read.
poll px2
expect_rc 0
expect_eq "$(polled px2)" "outlet:1=on outlet:2=on outlet:3=on outlet:4=on outlet:5=on outlet:6=on outlet:7=off outlet:8=on" "px2 polled"
expect_has "$(sqlite3 "$pdb" "SELECT evidence FROM observation_view WHERE device = 'px2' AND item = '7'")" \
  "outletSwitchingState" "px2's evidence"
changed raritan-px2 $r.4.1.2.1.3.1.7 8 7
poll px2
expect_rc 0
expect_has "$(polled px2)" "outlet:7=on" "px2 after outlet 7 was switched on"
# A metered PX2 (no outlet switching): the rule matches, the agent has no rows; nothing stored.
sed -i "/^$r\.4\.1\.2\.1\.3\./d" "$work/sim/data/raritan-px2.snmprec"
newer raritan-px2
wait_for 30 bash -c "! snmpget -v2c -c raritan-px2 -On -Oqv 127.0.0.1:$sim $r.4.1.2.1.3.1.1 | grep -qx 7" \
  || fail "snmpsimd did not pick up the changed recording"
before=$(sqlite3 "$pdb" "SELECT count(*) FROM observation_view WHERE device = 'px2'")
poll px2
expect_rc 3
expect_has "$out" "px2: the answer could not be read: the agent has no rows of outletSwitchingState ($r.4.1.2.1.3.1)"
expect_eq "$(sqlite3 "$pdb" "SELECT count(*) FROM observation_view WHERE device = 'px2'")" "$before" "px2's observations"

# Dominion PX: outletOperationalState, outlet 2 off.
poll px1
expect_rc 0
expect_eq "$(polled px1)" "outlet:1=on outlet:2=off outlet:3=on outlet:4=on" "px1 polled"

# Sentry3: outletStatus named by outletID (AB2 off, AC2 offError: off; the linked tower's BA1 off)
# and the first tower's feeds as phases.
poll st3
expect_rc 0
expect_eq "$(polled st3)" "inlet:L1=on inlet:L2=on inlet:L3=on outlet:AA1=on outlet:AA2=on outlet:AB1=on outlet:AB2=off outlet:AC1=on outlet:AC2=off outlet:BA1=off" "st3 polled"
changed sentry3 $s.2.2.1.5.1.3 1 4  # feed AC: offError
changed sentry3 $s.2.3.1.5.1.1.1 1 3  # outlet AA1: onWait, nothing sure
poll st3
expect_rc 0
expect_has "$(polled st3)" "inlet:L1=on inlet:L2=on inlet:L3=off outlet:AA1=unknown" "st3 after feed AC was lost"
expect_has "$(sqlite3 "$pdb" "SELECT evidence FROM observation_view WHERE device = 'st3' AND kind = 'outlet'
  AND item = 'AA1' ORDER BY seq DESC LIMIT 1")" "outletStatus.1.1.1 = 3 (poll rule sentry3-outlet-status)" "st3's evidence"

# Sentry4: st4OutletState named by st4OutletID (AA4 off) and cord AA's phases.
poll st4
expect_rc 0
expect_eq "$(polled st4)" "inlet:L1=on inlet:L2=on inlet:L3=on outlet:AA1=on outlet:AA2=on outlet:AA3=on outlet:AA4=off outlet:AA5=on outlet:AA6=on" "st4 polled"
changed sentry4 $f.1.8.3.1.1.1.1.4 2 1
changed sentry4 $f.1.5.3.1.1.1.1.1 1 2
poll st4
expect_has "$(polled st4)" "inlet:L1=off inlet:L2=on inlet:L3=on outlet:AA1=on outlet:AA2=on outlet:AA3=on outlet:AA4=on" \
  "st4 after phase AA1 was lost and outlet AA4 switched on"

# colosla rules test: Sentry3 feed AB lost on st3, whose inventory puts outlets on phases.
run "$colosla" --db "$pdb" rules test --device st3 --rules "$src/rules" -- -v2c -c public '' $s.100.0.2 \
  $s.1.3.0 s "Rack 12" $s.2.2.1.2.1.2 s AB $s.2.2.1.3.1.2 s "Feed AB" $s.2.2.1.5.1.2 i 4 \
  $s.99.1.0 s "Off Error" $s.99.2.0 i 1
expect_rc 0
expect_has "$out" "read by: rule sentry3-infeed-status-ab (infeedStatusEvent) in $src/rules/servertech-sentry3.json:"
expect_has "$out" "observation: inlet st3 L2 off"

# colosla rules list names the files' poll rules.
run "$colosla" rules list "$src/rules/servertech-sentry3.json"
expect_rc 0
expect_has "$out" "poll sentry3-outlet-status: outletStatus" "rules list"
echo "ok: rules-pdu-raritan-servertech"
