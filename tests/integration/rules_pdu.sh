#!/usr/bin/env bash
# The shipped rack PDU rule files, end to end (issue 17), for devices whose inventory plugin is
# "rules":
#  - PowerNet-MIB 4.5.8 (rules/apc-powernet-pdu.json), traps replayed with Net-SNMP's snmptrap at
#    colosla-trapd, each outlet trap in both forms: rPDUOutletOff/On with rPDUOutletControlIndex
#    (v1, v2c) and with mtrapargsInteger.0 (v1), outletOff/On with mtrapargsInteger.0 (v1, v2c)
#    and with sPDUOutletControlIndex (v1); outletOn for outlet 0 (every outlet) in the MIB's form
#    (sPDUOutletControlIndex.0) and outletOff for outlet 0 with mtrapargsInteger.0 make no
#    observation and poll the PDU: snmpsimd serving an AP8953's rPDU2 tables, read by the poll
#    rules; pduUPSInputVoltageLost/Restored for phase 2 of a three-phase PDU whose inventory gives
#    its outlets' phases: inlet L2 off then on, and check_colosla says only the contract on an L2
#    outlet is without power; the same trap at a PDU without phases is its whole inlet;
#    rPDUDeviceConfigChange and an authenticationFailure are evidence only;
#  - CPS-MIB 2.13 (rules/cyberpower-pdu.json): ePDUOutletOff (v1) and ePDUOutletOn (v2c);
#    ePDUDeviceConfigChange and failAuthViaHTTP are evidence only;
#  - poll rules with colosla poll against snmpsimd: APC rPDU (AP79xx) and rPDU2 outlet states,
#    rPDU2 phase voltages (a phase without voltage off; -1, cannot measure, unknown), CyberPower
#    ePDUOutletStatusOutletState, Eaton xupsOutputSource (XUPS-MIB 201909270000Z,
#    rules/eaton-xups.json), and an Eaton ePDU that no Eaton UPS poll rule reads.
# usage: rules_pdu.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
require_tools snmptrap snmpget snmpsimd sqlite3
. "$src/tests/integration/trapd_lib.sh"
check=$build/apps/check_colosla/check_colosla

silent=$(free_udp_port)  # nothing answers the polls of the PDUs that only send traps
sim=$(free_udp_port)
rec=$src/tests/data/snmpsim
start_snmpsim "$work/sim" "$sim" "$rec/apc-rpdu2-3ph.snmprec" "$rec/pdu.snmprec" "$rec/pdu2.snmprec" \
  "$rec/cyberpower-pdu.snmprec" "$rec/eaton-xups.snmprec" "$rec/eaton-epdu.snmprec"

contract() {  # contract ID DEVICE OUTLET
  echo "{\"id\":\"$1\",\"customer\":\"X\",\"service\":\"colocation\",\"signed\":\"2026-10-30\",
   \"start\":\"2026-11-01T00:00:00+08:00\",\"monthly-fee\":\"100.00\",
   \"power-source\":[{\"device\":\"$2\",\"outlet\":\"$3\"}]}"
}
phases='"outlet":[{"name":"1","phase":1},{"name":"2","phase":2},{"name":"3","phase":3},
                  {"name":"4","phase":1},{"name":"5","phase":2},{"name":"6","phase":3},{"name":"7","phase":1}]'
# Each PDU that sends traps sends them from its own loopback address (its v1 agent-addr too);
# apdu3 is the simulated AP8953 on 127.0.0.1, which its traps come from and its polls go to.
cat >"$work/inventory.json" <<JSON
{"colosla-inventory:inventory":{
 "device":[
  {"name":"apdu1","role":"pdu","address":"127.0.0.31","plugin":"rules",
   "snmp":{"version":"v2c","community":"public","port":$silent},$phases},
  {"name":"apdu2","role":"pdu","address":"127.0.0.32","plugin":"rules",
   "snmp":{"version":"v2c","community":"public","port":$silent}},
  {"name":"cpdu1","role":"pdu","address":"127.0.0.33","plugin":"rules",
   "snmp":{"version":"v2c","community":"public","port":$silent}},
  {"name":"apdu3","role":"pdu","address":"127.0.0.1","plugin":"rules",
   "snmp":{"version":"v2c","community":"apc-rpdu2-3ph","port":$sim},$phases}],
 "contract":[$(contract C-A1 apdu1 1),$(contract C-A2 apdu1 2),$(contract C-A3 apdu1 3),
             $(contract C-B1 apdu2 1)]}}
JSON
trapd_config "rules = $src/rules" "poll-interval = 0" "poll-timeout = 1000" "poll-retries = 0"

start_test_trapd
for f in "apc-powernet-pdu.json (PowerNet-MIB 4.5.8)" "cyberpower-pdu.json (CPS-MIB 2.13)" \
  "apc-powernet-ups.json (PowerNet-MIB 4.0.5)" "cyberpower-ups.json (CPS-MIB 2.13)"; do
  expect_has "$(grep 'trap rules loaded from' "$log")" "$src/rules/$f" "the log"
done

# trap_states DEVICE: ITEM=STATE of every observation its traps made, oldest first, one line
trap_states() {
  q "SELECT kind || ':' || item || '=' || state FROM observation_view WHERE device = '$1'
     AND source = 'trap' ORDER BY seq" | paste -sd' '
}
observations() { q "SELECT count(*) FROM observation_view WHERE device = '$1' AND source = 'trap'"; }
# expect_trap_states DEVICE "STATES" WHAT: wait for that many observations, then compare
expect_trap_states() {
  local n
  n=$(wc -w <<<"$2")
  wait_for 20 count_is "SELECT count(*) FROM observation_view WHERE device = '$1' AND source = 'trap'" "$n" \
    || { show_log; fail "$3 was not stored ($1 has $(observations "$1") observations from traps)"; }
  expect_eq "$(trap_states "$1")" "$2" "$1 after $3"
}
# evidence_only DEVICE TRAP_OID N OBSERVATIONS WHAT: the Nth such trap is kept as evidence, and
# the device still has OBSERVATIONS observations from traps
evidence_only() {
  wait_for 20 count_is "SELECT count(*) FROM evidence WHERE device = '$1' AND trap_oid = '$2'" "$3" \
    || { show_log; fail "$5 was not kept as evidence"; }
  expect_eq "$(observations "$1")" "$4" "$1's observations after $5"
}
power_now() {  # power_now CONTRACT: check_colosla -v's power lines, computed now from the store
  "$check" --db "$db" --contract "$1" --max-age 0 --unmonitored-warning 0 -v | grep '^power' || true
}
without_power() { power_now "$1" | grep -q "power: without power now, since "; }
# v1 FROM SPECIFIC VARBINDS...: an SNMPv1 trap of ENTERPRISE apc from that address
apc=1.3.6.1.4.1.318
v1() { local from=$1 n=$2; shift 2; snmptrap -v1 -c public --clientaddr="$from" "127.0.0.1:$port" $apc "$from" 6 "$n" '' "$@"; }
# v2c FROM N VARBINDS...: the same trap in SNMPv2c form, snmpTrapOID apc.0.N (RFC 3584)
v2c() { local from=$1 n=$2; shift 2; snmptrap -v2c -c public --clientaddr="$from" "127.0.0.1:$port" '' $apc.0.$n "$@"; }

# --- PowerNet-MIB: rack PDU outlets ----------------------------------------------------------
a1=127.0.0.31
ident=($apc.1.1.12.1.6.0 s ZA1234567890 $apc.1.1.12.1.1.0 s apdu1)  # rPDUIdentSerialNumber, rPDUIdentName
# rpdu_outlet N: rPDUOutletControlIndex.N and rPDUOutletControlOutletName.N, as the MIB names them
rpdu_outlet() { vbs=("${ident[@]}" $apc.1.1.12.3.3.1.1.1.$1 i "$1" $apc.1.1.12.3.3.1.1.2.$1 s "outlet $1"); }
rpdu_outlet 4
v1 $a1 269 "${vbs[@]}" $apc.2.3.3.0 s "Outlet 4 turned off."
expect_trap_states apdu1 "outlet:4=off" "rPDUOutletOff (v1, rPDUOutletControlIndex)"
expect_has "$(grep 'rPDUOutletOff outlet 4 (rule apc-rpdu-outlet-off)' "$log")" "apdu1: v1 trap from $a1:" "the log"
v2c $a1 268 "${vbs[@]}" $apc.2.3.3.0 s "Outlet 4 turned on."
expect_trap_states apdu1 "outlet:4=off outlet:4=on" "rPDUOutletOn (v2c, rPDUOutletControlIndex)"
# rPDUOutletOff as some firmware sends it: no rPDUOutletControlIndex, the outlet in mtrapargsInteger.0
v1 $a1 269 "${ident[@]}" $apc.2.3.1.0 i 7 $apc.2.3.3.0 s "Outlet 7 turned off."
expect_trap_states apdu1 "outlet:4=off outlet:4=on outlet:7=off" "rPDUOutletOff (v1, mtrapargsInteger.0)"
expect_has "$(grep 'rPDUOutletOff outlet 7 (rule apc-rpdu-outlet-off-mtrapargs)' "$log")" "apdu1: v1 trap from $a1:" "the log"
# outletOff/On as MasterSwitch units and rack PDUs send them: the outlet in mtrapargsInteger.0,
# the text in mtrapargsString.0
text="An outlet has turned off. If the outlet number is 0, then all outlets have turned off."
v1 $a1 42 $apc.2.3.1.0 i 7 $apc.2.3.3.0 s "$text"
before="outlet:4=off outlet:4=on outlet:7=off outlet:7=off"
expect_trap_states apdu1 "$before" "outletOff (v1, mtrapargsInteger.0)"
v2c $a1 42 $apc.2.3.1.0 i 2 $apc.2.3.3.0 s "$text"
expect_trap_states apdu1 "$before outlet:2=off" "outletOff (v2c, mtrapargsInteger.0)"
v2c $a1 41 $apc.2.3.1.0 i 2 $apc.2.3.3.0 s "An outlet has turned on. If the outlet number is 0, then all outlets have turned on."
expect_trap_states apdu1 "$before outlet:2=off outlet:2=on" "outletOn (v2c, mtrapargsInteger.0)"
expect_has "$(grep 'outletOn outlet 2 (rule apc-outlet-on)' "$log")" "apdu1: v2c trap from $a1:" "the log"
# outletOn in the MIB's form: sPDUOutletControlIndex
v1 $a1 41 $apc.1.1.4.4.2.1.1.7 i 7
expect_trap_states apdu1 "$before outlet:2=off outlet:2=on outlet:7=on" "outletOn (v1, sPDUOutletControlIndex)"

# --- PowerNet-MIB: one phase of a three-phase PDU ----------------------------------------------
# pduUPSInputVoltageLost (218) / …Restored (219): mtrapargsString03 (serial), mtrapargsString02
# (device name), mtrapargsInteger (the phase number), mtrapargsString
phase() {  # phase SEND ADDRESS SPECIFIC PHASE NAME
  "$1" "$2" "$3" $apc.2.3.11.0 s ZA1234567890 $apc.2.3.10.0 s "$5" $apc.2.3.1.0 i "$4" \
    $apc.2.3.3.0 s "UPS Input Voltage phase-$4 event."
}
phase v1 $a1 218 2 apdu1
before="$before outlet:2=off outlet:2=on outlet:7=on"
expect_trap_states apdu1 "$before inlet:L2=off" "pduUPSInputVoltageLost phase 2 (v1)"
wait_for 10 without_power C-A2 || fail "C-A2 (outlet 2, on L2) is not without power: $(power_now C-A2)"
for c in C-A1 C-A3; do
  expect_lacks "$(power_now $c)" "without power" "$c (on L1, L3)"
done
phase v2c $a1 219 2 apdu1
expect_trap_states apdu1 "$before inlet:L2=off inlet:L2=on" "pduUPSInputVoltageRestored phase 2 (v2c)"
expect_lacks "$(power_now C-A2)" "without power now" "C-A2 after the restore"
# A PDU whose inventory gives no phases: the phase lost is its whole inlet.
a2=127.0.0.32
phase v1 $a2 218 1 apdu2
expect_trap_states apdu2 "inlet:=off" "pduUPSInputVoltageLost phase 1 at a PDU without phases"
wait_for 10 without_power C-B1 || fail "C-B1 (apdu2 outlet 1) is not without power: $(power_now C-B1)"

# --- PowerNet-MIB: traps that are no state ------------------------------------------------------
# rPDUDeviceConfigChange (270): { rPDUIdentSerialNumber, rPDUIdentName, mtrapargsString }
v1 $a1 270 "${ident[@]}" $apc.2.3.3.0 s "Device configuration change made."
evidence_only apdu1 $apc.0.270 1 9 "rPDUDeviceConfigChange (v1)"
# authenticationFailure (SNMPv1 generic trap 4), as the card sends it for a wrong community
snmptrap -v1 -c public --clientaddr=$a1 "127.0.0.1:$port" $apc $a1 4 0 ''
evidence_only apdu1 1.3.6.1.6.3.1.1.5.5 1 9 "authenticationFailure (v1)"

# --- PowerNet-MIB: every outlet (outlet 0), confirmed by the poll rules ------------------------
# outletOn in the MIB's form, sPDUOutletControlIndex.0 = 0: every outlet on; no observation, a poll
polls=$(stat_of trapd.polls-requested)
v2c $a1 41 $apc.1.1.4.4.2.1.1.0 i 0
evidence_only apdu1 $apc.0.41 1 9 "outletOn for every outlet (v2c, sPDUOutletControlIndex)"
wait_for 20 at_least trapd.polls-requested $((polls + 1)) || { show_log; fail "outletOn for every outlet asked for no poll"; }
# outletOff with mtrapargsInteger.0 = 0 at the simulated AP8953: its poll reads its rPDU2 tables
polls=$(stat_of trapd.polls-requested)
snmptrap -v1 -c apc-rpdu2-3ph "127.0.0.1:$port" $apc 127.0.0.1 6 42 '' $apc.2.3.1.0 i 0 $apc.2.3.3.0 s "$text"
wait_for 20 count_is "SELECT count(*) FROM evidence WHERE device = 'apdu3' AND trap_oid = '$apc.0.42'" 1 \
  || { show_log; fail "outletOff for every outlet was not kept as evidence"; }
expect_eq "$(observations apdu3)" 0 "apdu3's observations from the trap for outlet 0"
wait_for 20 at_least trapd.polls-requested $((polls + 1)) || { show_log; fail "outletOff for every outlet asked for no poll"; }
poll_states() {  # poll_states DEVICE KIND: ITEM=STATE of its last poll, by item
  q "SELECT item || '=' || state FROM observation_view o WHERE device = '$1' AND kind = '$2'
     AND source = 'poll' AND seq = (SELECT max(seq) FROM observation_view WHERE device = o.device
     AND kind = o.kind AND item = o.item AND source = 'poll') ORDER BY item" | paste -sd' '
}
wait_for 30 has "SELECT 1 FROM observation_view WHERE device = 'apdu3' AND kind = 'outlet' AND source = 'poll'" \
  || { show_log; fail "the poll did not read apdu3's outlets by the poll rules"; }
expect_eq "$(poll_states apdu3 outlet)" "1=on 2=on 3=on 4=on 5=on 6=off" "apdu3's outlets polled"
expect_eq "$(poll_states apdu3 inlet)" "L1=on L2=off L3=on" "apdu3's phases polled"

# --- CPS-MIB: ePDU outlets ---------------------------------------------------------------------
cps=1.3.6.1.4.1.3808
c1=127.0.0.33
# ePDUIdentSerialNumber, ePDUIdentName, ePDUOutletControlIndex.N, ePDUOutletControlOutletName.N
cps_outlet() { vbs=($cps.1.1.3.1.6.0 s 2B1234567890 $cps.1.1.3.1.1.0 s cpdu1 $cps.1.1.3.3.3.1.1.1.$1 i "$1" $cps.1.1.3.3.3.1.1.2.$1 s "Outlet$1"); }
cps_outlet 5
snmptrap -v1 -c public --clientaddr=$c1 "127.0.0.1:$port" $cps $c1 6 103 '' "${vbs[@]}" $cps.2.2.3.0 s "Outlet 5 turned off."
expect_trap_states cpdu1 "outlet:5=off" "ePDUOutletOff (v1)"
expect_has "$(grep 'ePDUOutletOff' "$log")" "cpdu1: v1 trap from $c1:" "the log"
snmptrap -v2c -c public --clientaddr=$c1 "127.0.0.1:$port" '' $cps.0.102 "${vbs[@]}" $cps.2.2.3.0 s "Outlet 5 turned on."
expect_trap_states cpdu1 "outlet:5=off outlet:5=on" "ePDUOutletOn (v2c)"
# ePDUDeviceConfigChange (104) { ePDUIdentSerialNumber, ePDUIdentName, mtrapinfoString }
snmptrap -v2c -c public --clientaddr=$c1 "127.0.0.1:$port" '' $cps.0.104 "${vbs[@]:0:6}" $cps.2.2.3.0 s "Configuration changed."
evidence_only cpdu1 $cps.0.104 1 2 "ePDUDeviceConfigChange (v2c)"
# failAuthViaHTTP (61) { mtrapinfoString }
snmptrap -v1 -c public --clientaddr=$c1 "127.0.0.1:$port" $cps $c1 6 61 '' $cps.2.2.3.0 s "Login failed from 192.0.2.9."
evidence_only cpdu1 $cps.0.61 1 2 "failAuthViaHTTP (v1)"

expect_eq "$(stat_of trapd.rejected.malformed)" 0 "malformed traps"
stop_test_trapd 30

# --- Poll rules, one device at a time with colosla poll ----------------------------------------
pdb=$work/poll.db
cat >"$work/poll-inventory.json" <<JSON
{"colosla-inventory:inventory":{
 "device":[
  {"name":"rpdu","role":"pdu","address":"127.0.0.1","plugin":"rules","snmp":{"community":"pdu","port":$sim}},
  {"name":"rpdu2","role":"pdu","address":"127.0.0.1","plugin":"rules","snmp":{"community":"pdu2","port":$sim}},
  {"name":"rpdu2-3ph","role":"pdu","address":"127.0.0.1","plugin":"rules",
   "snmp":{"community":"apc-rpdu2-3ph","port":$sim},$phases},
  {"name":"cps","role":"pdu","address":"127.0.0.1","plugin":"rules","snmp":{"community":"cyberpower-pdu","port":$sim}},
  {"name":"xups","role":"ups","address":"127.0.0.1","plugin":"rules","snmp":{"community":"eaton-xups","port":$sim}},
  {"name":"epdu","role":"pdu","address":"127.0.0.1","plugin":"rules","snmp":{"community":"eaton-epdu","port":$sim}}]}}
JSON
c() { run "$colosla" --db "$pdb" "$@"; }
polled() {  # polled DEVICE KIND: ITEM=STATE of its last poll, by item
  sqlite3 "$pdb" "SELECT item || '=' || state FROM observation_view o WHERE device = '$1' AND kind = '$2'
     AND source = 'poll' AND seq = (SELECT max(seq) FROM observation_view WHERE device = o.device
     AND kind = o.kind AND item = o.item AND source = 'poll') ORDER BY item" | paste -sd' '
}
poll() { c poll --device "$1" --rules "$src/rules" --timeout 1000 --retries 0; }
c inventory load "$work/poll-inventory.json"
expect_rc 0

# rPDU (AP79xx, masterSwitchrPDU): rPDUOutletStatusOutletState on(1), off(2)
poll rpdu
expect_rc 0
expect_eq "$(polled rpdu outlet)" "1=on 2=on 3=on 4=off" "rpdu's outlets"
expect_has "$(sqlite3 "$pdb" "SELECT evidence FROM observation_view WHERE device = 'rpdu' AND item = '4'")" \
  "rPDUOutletStatusOutletState" "rpdu's evidence"
# rPDU2 (masterSwitchrPDU2): off(1), on(2); the outlet is the row's rPDU2OutletSwitchedStatusNumber
# (row 3 is outlet 8); its only phase (230 V) is the whole inlet, the inventory giving no phases.
poll rpdu2
expect_rc 0
expect_eq "$(polled rpdu2 outlet)" "1=on 2=off 8=on" "rpdu2's outlets"
expect_eq "$(polled rpdu2 inlet)" "=on" "rpdu2's inlet"
# A three-phase rPDU2 with no voltage on phase 2.
poll rpdu2-3ph
expect_rc 0
expect_eq "$(polled rpdu2-3ph outlet)" "1=on 2=on 3=on 4=on 5=on 6=off" "rpdu2-3ph's outlets"
expect_eq "$(polled rpdu2-3ph inlet)" "L1=on L2=off L3=on" "rpdu2-3ph's phases"
# A model that cannot measure a phase's voltage says -1: that phase is unknown, never on or off.
sleep 1.1  # a new mtime: snmpsimd rereads a changed file
sed -i 's/^1.3.6.1.4.1.318.1.1.26.6.3.1.6.3|2|229$/1.3.6.1.4.1.318.1.1.26.6.3.1.6.3|2|-1/' \
  "$work/sim/data/apc-rpdu2-3ph.snmprec"
wait_for 30 bash -c "snmpget -v2c -c apc-rpdu2-3ph -On -Oqv 127.0.0.1:$sim 1.3.6.1.4.1.318.1.1.26.6.3.1.6.3 | grep -qx -- -1" \
  || fail "snmpsimd did not pick up the changed recording"
poll rpdu2-3ph
expect_rc 0
expect_eq "$(polled rpdu2-3ph inlet)" "L1=on L2=off L3=unknown" "rpdu2-3ph's phases, L3 not measured"
# CyberPower ePDU: ePDUOutletStatusOutletState on(1), off(2)
poll cps
expect_rc 0
expect_eq "$(polled cps outlet)" "1=on 2=on 3=off 4=on 5=on 6=on 7=off 8=on" "cps's outlets"
# Eaton XUPS: xupsOutputSource normal(3), then battery(5)
poll xups
expect_rc 0
expect_eq "$(polled xups ups)" "=normal" "xups on line"
expect_has "$(sqlite3 "$pdb" "SELECT evidence FROM observation_view WHERE device = 'xups'")" \
  "xupsOutputSource = 3 (poll rule xups-output-source)" "xups's evidence"
sleep 1.1
sed -i 's/^1.3.6.1.4.1.534.1.4.5.0|2|3$/1.3.6.1.4.1.534.1.4.5.0|2|5/' "$work/sim/data/eaton-xups.snmprec"
wait_for 30 bash -c "snmpget -v2c -c eaton-xups -On -Oqv 127.0.0.1:$sim 1.3.6.1.4.1.534.1.4.5.0 | grep -qx 5" \
  || fail "snmpsimd did not pick up the changed recording"
poll xups
expect_rc 0
expect_eq "$(polled xups ups)" "=battery" "xups on battery"
# An Eaton ePDU (1.3.6.1.4.1.534.6.6.7) is no XUPS agent: no UPS poll rule reads it.
poll epdu
expect_rc 3
expect_has "$out" "epdu: the answer could not be read: no poll rule in force matches its sysObjectID"

# colosla rules test: phase 3 lost on rpdu2-3ph, whose inventory puts outlets on phases; outletOff
# for every outlet, which makes no observation and asks for a poll.
rt() { run "$colosla" --db "$pdb" rules test --device rpdu2-3ph --rules "$src/rules/apc-powernet-pdu.json" -- "$@"; }
rt -v1 -c public '' $apc 127.0.0.1 6 218 '' $apc.2.3.11.0 s ZA1234567890 $apc.2.3.10.0 s rpdu2-3ph \
  $apc.2.3.1.0 i 3 $apc.2.3.3.0 s "UPS Input Voltage phase-3 Lost."
expect_rc 0
expect_has "$out" "read by: rule apc-input-voltage-lost (pduUPSInputVoltageLost) in $src/rules/apc-powernet-pdu.json:"
expect_has "$out" "observation: inlet rpdu2-3ph L3 off"
rt -v2c -c public '' $apc.0.42 $apc.2.3.1.0 i 0 $apc.2.3.3.0 s "$text"
expect_rc 0
expect_has "$out" "read by: rule apc-all-outlets-off-mtrapargs (outletOff)"
expect_lacks "$out" "observation:"
expect_has "$out" "poll to confirm: yes"
echo "ok: rules-pdu-apc-cyberpower"
