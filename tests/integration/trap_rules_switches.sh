#!/usr/bin/env bash
# The switch vendors' port traps, end to end (issue 17): colosla-trapd with `rules =` the tree's
# rules/, five switches recorded for snmpsimd (each its own community; the poll loop learns their
# ifIndex names from the walk), and each vendor's traps written from its MIB (OIDs, varbind types
# and values as the devices send them) replayed with Net-SNMP's snmptrap from the switch's own
# loopback address, in SNMPv1 and SNMPv2c form, each checked against the port observation it
# must make (kind port, the device, the port as the walk names it, the state):
#  - Cisco IOS (no rule: the if-mib plugin reads IETF linkDown/linkUp): linkDown as IOS sends it
#    (v1, ENTERPRISE cat29xxStack, generic 2) with ifIndex, ifDescr, ifType and
#    OLD-CISCO-INTERFACES-MIB locIfReason; linkUp (v2c) the same way. CISCO-CONFIG-MAN-MIB
#    200608220000Z ciscoConfigManEvent and SNMPv2-MIB authenticationFailure (v1 generic 4, with
#    OLD-CISCO-SYSTEM-MIB authAddr.0) are evidence only;
#  - CISCO-IF-EXTENSION-MIB 202102120000Z (rules/cisco-if-extension.json): NX-OS cieLinkDown
#    (v2c) and cieLinkUp (v1, ENTERPRISE ciscoIfExtensionMIB, 2), cieDelayedLinkUpDownNotif down
#    and up (no ifIndex varbind: the port is ifOperStatus's instance); a cieLinkDown for an
#    ifIndex the walk did not give makes no observation;
#  - Junos: linkDown (v2c) and linkUp (v1) with ifIndex, ifAdminStatus, ifOperStatus, ifName (no
#    rule: if-mib); JUNIPER-L2CP-FEATURES-MIB 201609230000Z
#    (rules/juniper-l2cp-features.json) jnxPortBpduErrorStatusChangeTrap detected (v2c, down) and
#    no-error (v1: no observation, a poll); JUNIPER-CFGMGMT-MIB 200310240000Z jnxCmCfgChange is
#    evidence only;
#  - Arista EOS: linkDown (v2c, IETF varbinds; no rule, and no Arista MIB defines a port trap);
#    ARISTA-CONFIG-MAN-MIB 201408150000Z aristaConfigManEvent is evidence only;
#  - Huawei VRP: HUAWEI-BASE-TRAP-MIB 202208042000Z (rules/huawei-base-trap.json)
#    hwPortPhysicalDown (v2c) and hwPortPhysicalUp (v1, ENTERPRISE hwPortTrap, 2);
#    HUAWEI-ENTITY-TRAP-MIB 202211031624Z (rules/huawei-entity-trap.json) hwPortDown and hwPortUp
#    (v2c); HUAWEI-IF-EXT-MIB 202206180000Z (rules/huawei-if-ext.json) hwIfFlowDown (v1) and
#    hwIfFlowUp (v2c); HUAWEI-CONFIG-MAN-MIB 202210151000Z hwCfgManEventlog is evidence only.
# usage: trap_rules_switches.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
require_tools snmptrap snmpsimd sqlite3
. "$src/tests/integration/trapd_lib.sh"

sim=$(free_udp_port)
data=$src/tests/data/snmpsim
# Each switch is at its own loopback address, where snmpsimd answers its polls (the community
# picks its recording) and whence it sends its traps (its v1 agent-addr too).
start_snmpsim_at "$work/sim" "127.0.0.41:$sim 127.0.0.42:$sim 127.0.0.43:$sim 127.0.0.44:$sim 127.0.0.45:$sim" \
  "$data/cisco-ios.snmprec" "$data/cisco-nxos.snmprec" "$data/junos.snmprec" "$data/arista-eos.snmprec" \
  "$data/huawei-vrp.snmprec"

device() {  # device NAME ADDRESS COMMUNITY
  printf '{"name":"%s","role":"switch","address":"%s","plugin":"if-mib","snmp":{"version":"v2c","community":"%s","port":%s}}' \
    "$1" "$2" "$3" "$sim"
}
cat >"$work/inventory.json" <<JSON
{"colosla-inventory:inventory":{"device":[
 $(device ios1 127.0.0.41 cisco-ios),
 $(device nx1 127.0.0.42 cisco-nxos),
 $(device jnx1 127.0.0.43 junos),
 $(device ar1 127.0.0.44 arista-eos),
 $(device hw1 127.0.0.45 huawei-vrp)]}}
JSON
trapd_config "rules = $src/rules" "poll-interval = 3600" "poll-timeout = 1000" "poll-retries = 0" "duplicate-window = 60"

start_test_trapd
for f in "cisco-if-extension.json (CISCO-IF-EXTENSION-MIB 202102120000Z)" \
  "juniper-l2cp-features.json (JUNIPER-L2CP-FEATURES-MIB 201609230000Z)" \
  "huawei-base-trap.json (HUAWEI-BASE-TRAP-MIB 202208042000Z)" \
  "huawei-entity-trap.json (HUAWEI-ENTITY-TRAP-MIB 202211031624Z)" \
  "huawei-if-ext.json (HUAWEI-IF-EXT-MIB 202206180000Z)"; do
  expect_has "$(grep 'trap rules loaded from' "$log")" "$src/rules/$f" "the log"
done

# send ADDRESS COMMUNITY SNMPTRAP-ARGS...: one trap from that loopback address
send() { local from=$1 community=$2; shift 2; snmptrap -c "$community" --clientaddr="$from" "$@"; }
# ports DEVICE: its ports' states from traps, oldest first, on one line (ITEM=STATE ...)
ports() {
  q "SELECT item || '=' || state FROM observation_view WHERE kind = 'port' AND device = '$1'
     AND source = 'trap' ORDER BY seq" | paste -sd' '
}
observations() { q "SELECT count(*) FROM observation_view WHERE device = '$1' AND source = 'trap'"; }
# expect_ports DEVICE "ITEM=STATE ..." WHAT: wait for that many observations, then compare
expect_ports() {
  local n
  n=$(wc -w <<<"$2")
  wait_for 20 count_is "SELECT count(*) FROM observation_view WHERE device = '$1' AND source = 'trap'" "$n" \
    || { show_log; fail "$3 was not stored ($1 has $(observations "$1") observations from traps)"; }
  expect_eq "$(ports "$1")" "$2" "$1 after $3"
}
# evidence_only DEVICE TRAP_OID N OBSERVATIONS WHAT: the trap is the Nth of that OID kept as
# evidence, and the device still has that many observations from traps
evidence_only() {
  wait_for 20 count_is "SELECT count(*) FROM evidence WHERE device = '$1' AND trap_oid = '$2'" "$3" \
    || { show_log; fail "$5 was not kept as evidence"; }
  expect_eq "$(observations "$1")" "$4" "$1's observations after $5"
}

# The walk names the ports (ifName, by ifIndex); a port trap before it would only ask for one. The
# poll loop spreads its first polls over the hour: each switch says coldStart, and is walked now.
# Then only the polls the traps ask for read the switches.
for d in ios1:127.0.0.41:cisco-ios nx1:127.0.0.42:cisco-nxos jnx1:127.0.0.43:junos \
  ar1:127.0.0.44:arista-eos hw1:127.0.0.45:huawei-vrp; do
  IFS=: read -r name from community <<<"$d"
  send "$from" "$community" -v2c "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.1
  wait_for 30 has "SELECT 1 FROM port_index WHERE device = '$name'" \
    || { show_log; fail "$name's coldStart did not have it walked"; }
  wait_for 30 has "SELECT 1 FROM observation_view WHERE device = '$name' AND source = 'poll'" \
    || { show_log; fail "$name's poll recorded no state"; }
done
expect_eq "$(q "SELECT if_index || '=' || if_name FROM port_index WHERE device = 'nx1' ORDER BY if_index" | paste -sd' ')" \
  "83886080=mgmt0 436224000=Ethernet1/5 436224512=Ethernet1/6" "nx1's ifIndex names"

if_mib=1.3.6.1.2.1.2.2.1      # ifEntry: .1 ifIndex, .2 ifDescr, .3 ifType, .7 ifAdminStatus, .8 ifOperStatus
if_name=1.3.6.1.2.1.31.1.1.1.1  # ifName
link_down=1.3.6.1.6.3.1.1.5.3
link_up=1.3.6.1.6.3.1.1.5.4

# --- Cisco IOS: IETF linkDown/linkUp with Cisco's varbinds (the if-mib plugin) -----------------
ca=127.0.0.41
ios() {  # ios IFINDEX DESCR REASON: the varbinds of IOS's link traps, in the array vbs
  vbs=("$if_mib.1.$1" i "$1" "$if_mib.2.$1" s "$2" "$if_mib.3.$1" i 6 "1.3.6.1.4.1.9.2.2.1.1.20.$1" s "$3")
}
ios 10102 GigabitEthernet1/0/2 "administratively down"
send $ca cisco-ios -v1 "127.0.0.1:$port" 1.3.6.1.4.1.9.1.1208 $ca 2 0 '' "${vbs[@]}"
expect_ports ios1 "Gi1/0/2=down" "IOS linkDown (v1, locIfReason)"
ios 10102 GigabitEthernet1/0/2 up
send $ca cisco-ios -v2c "127.0.0.1:$port" '' $link_up "${vbs[@]}"
expect_ports ios1 "Gi1/0/2=down Gi1/0/2=up" "IOS linkUp (v2c, locIfReason)"
# ciscoConfigManEvent { ccmHistoryEventCommandSource, ccmHistoryEventConfigSource,
# ccmHistoryEventConfigDestination, ccmHistoryEventTerminalUser } of ccmHistoryEventEntry 42:
# commandLine(1), commandSource(2) to running(3)
ccm=1.3.6.1.4.1.9.9.43
send $ca cisco-ios -v2c "127.0.0.1:$port" '' $ccm.2.0.1 \
  $ccm.1.1.6.1.3.42 i 1 $ccm.1.1.6.1.4.42 i 2 $ccm.1.1.6.1.5.42 i 3 $ccm.1.1.6.1.8.42 s noc
evidence_only ios1 $ccm.2.0.1 1 2 "ciscoConfigManEvent"
# authenticationFailure (v1 generic 4), with authAddr.0: the manager that used a wrong community
send $ca cisco-ios -v1 "127.0.0.1:$port" 1.3.6.1.4.1.9.1.1208 $ca 4 0 '' 1.3.6.1.4.1.9.2.1.5.0 a 192.0.2.99
evidence_only ios1 1.3.6.1.6.3.1.1.5.5 1 2 "authenticationFailure (v1)"

# --- CISCO-IF-EXTENSION-MIB: NX-OS cieLinkDown/cieLinkUp, cieDelayedLinkUpDownNotif ----------------
na=127.0.0.42
cie=1.3.6.1.4.1.9.9.276
cie() {  # cie IFINDEX NAME OPERSTATUS: ifIndex, ifAdminStatus, ifOperStatus, ifName, ifType
  vbs=("$if_mib.1.$1" i "$1" "$if_mib.7.$1" i 1 "$if_mib.8.$1" i "$3" "$if_name.$1" s "$2" "$if_mib.3.$1" i 6)
}
cie 436224000 Ethernet1/5 2
send $na cisco-nxos -v2c "127.0.0.1:$port" '' $cie.0.1 "${vbs[@]}"
expect_ports nx1 "Ethernet1/5=down" "cieLinkDown (v2c)"
expect_has "$(grep 'cieLinkDown Ethernet1/5 (rule cie-link-down)' "$log")" "nx1: v2c trap from $na:" "the log"
cie 436224000 Ethernet1/5 1
send $na cisco-nxos -v1 "127.0.0.1:$port" $cie $na 6 2 '' "${vbs[@]}"
expect_ports nx1 "Ethernet1/5=down Ethernet1/5=up" "cieLinkUp (v1)"
# cieDelayedLinkUpDownNotif { ifAdminStatus, ifOperStatus, ifName, ifType, cieIfOperStatusCause }:
# linkFailure(7), then none(2)
delayed() {  # delayed IFINDEX NAME OPERSTATUS CAUSE
  vbs=("$if_mib.7.$1" i 1 "$if_mib.8.$1" i "$3" "$if_name.$1" s "$2" "$if_mib.3.$1" i 6 "$cie.1.1.2.1.9.$1" i "$4")
}
delayed 436224512 Ethernet1/6 2 7
send $na cisco-nxos -v2c "127.0.0.1:$port" '' $cie.0.3 "${vbs[@]}"
expect_ports nx1 "Ethernet1/5=down Ethernet1/5=up Ethernet1/6=down" "cieDelayedLinkUpDownNotif down (v2c)"
delayed 436224512 Ethernet1/6 1 2
send $na cisco-nxos -v1 "127.0.0.1:$port" $cie $na 6 3 '' "${vbs[@]}"
expect_ports nx1 "Ethernet1/5=down Ethernet1/5=up Ethernet1/6=down Ethernet1/6=up" "cieDelayedLinkUpDownNotif up (v1)"
# An ifIndex the walk did not give (a port added since): no observation, the switch walked again.
cie 436228096 Ethernet1/13 2
send $na cisco-nxos -v2c "127.0.0.1:$port" '' $cie.0.1 "${vbs[@]}"
evidence_only nx1 $cie.0.1 1 4 "cieLinkDown of an unknown ifIndex"
expect_has "$(q "SELECT reason FROM evidence WHERE device = 'nx1'")" "ifIndex 436228096 (no name known for it yet: walking the device)" \
  "the evidence's reason"

# --- Junos: IETF link traps with ifName (if-mib); JUNIPER-L2CP-FEATURES-MIB ---------------------
ja=127.0.0.43
junos() {  # junos IFINDEX NAME OPERSTATUS: ifIndex, ifAdminStatus, ifOperStatus, ifName
  vbs=("$if_mib.1.$1" i "$1" "$if_mib.7.$1" i 1 "$if_mib.8.$1" i "$3" "$if_name.$1" s "$2")
}
junos 514 ge-0/0/2 2
send $ja junos -v2c "127.0.0.1:$port" '' $link_down "${vbs[@]}"
expect_ports jnx1 "ge-0/0/2=down" "Junos linkDown (v2c)"
junos 514 ge-0/0/2 1
send $ja junos -v1 "127.0.0.1:$port" 1.3.6.1.4.1.2636.1.1.1.2.63 $ja 3 0 '' "${vbs[@]}"
expect_ports jnx1 "ge-0/0/2=down ge-0/0/2=up" "Junos linkUp (v1)"
# jnxPortBpduErrorStatusChangeTrap { jnxL2cpPortBpduError.ifIndex }: detected(1), no-error(0).
# Both ask for a poll (poll-interval is an hour: only asked polls read the switch); each poll says
# what it read in the log ("jnx1: 3 states; N changes recorded").
l2cp=1.3.6.1.4.1.2636.3.53.1
jnx_polls() { grep -c '^jnx1: [0-9]* states' "$log" || true; }
jnx_polled_since() { [ "$(jnx_polls)" -gt "$1" ]; }
polls=$(jnx_polls)
send $ja junos -v2c "127.0.0.1:$port" '' $l2cp.2.0.3 $l2cp.1.2.1.1.2.513 i 1
expect_ports jnx1 "ge-0/0/2=down ge-0/0/2=up ge-0/0/1=down" "jnxPortBpduErrorStatusChangeTrap detected (v2c)"
expect_has "$(grep 'jnxPortBpduErrorStatusChangeTrap ge-0/0/1 (rule jnx-port-bpdu-error)' "$log")" \
  "jnx1: v2c trap from $ja:" "the log"
wait_for 30 jnx_polled_since "$polls" || { show_log; fail "the BPDU error asked for no poll"; }
polls=$(jnx_polls)
send $ja junos -v1 "127.0.0.1:$port" $l2cp.2 $ja 6 3 '' $l2cp.1.2.1.1.2.513 i 0
evidence_only jnx1 $l2cp.2.0.3 1 3 "jnxPortBpduErrorStatusChangeTrap no-error (v1)"
wait_for 30 jnx_polled_since "$polls" || { show_log; fail "the BPDU error's clearing asked for no poll"; }
# jnxCmCfgChange { jnxCmCfgChgEventTime, ..Date, ..Source, ..User, ..Log } of event 7: cli(2)
cm=1.3.6.1.4.1.2636.3.18.1.7.1
send $ja junos -v2c "127.0.0.1:$port" '' 1.3.6.1.4.1.2636.4.5.0.1 $cm.2.7 t 8641000 \
  $cm.3.7 x 07EA0C070B1E0000 $cm.4.7 i 2 $cm.5.7 s noc $cm.6.7 s "commit: set interfaces ge-0/0/3 disable"
evidence_only jnx1 1.3.6.1.4.1.2636.4.5.0.1 1 3 "jnxCmCfgChange"

# --- Arista EOS: IETF linkDown (if-mib); ARISTA-CONFIG-MAN-MIB --------------------------------
aa=127.0.0.44
send $aa arista-eos -v2c "127.0.0.1:$port" '' $link_down $if_mib.1.3 i 3 $if_mib.7.3 i 1 $if_mib.8.3 i 2
expect_ports ar1 "Ethernet3=down" "EOS linkDown (v2c)"
# aristaConfigManEvent { aristaCmdHistoryEventCommandSource, ..ConfigSource, ..ConfigDestination,
# ..ConfigSourceURLScheme, ..ConfigDestURLScheme } of event 12: commandLine(0), commandSource(2)
# to running(3)
acm=1.3.6.1.4.1.30065.3.9
send $aa arista-eos -v2c "127.0.0.1:$port" '' $acm.3.0.1 $acm.1.1.2.1.3.12 i 0 $acm.1.1.2.1.4.12 i 2 \
  $acm.1.1.2.1.5.12 i 3 $acm.1.1.2.1.6.12 s '' $acm.1.1.2.1.7.12 s ''
evidence_only ar1 $acm.3.0.1 1 1 "aristaConfigManEvent"

# --- Huawei VRP: HUAWEI-BASE-TRAP-MIB, HUAWEI-ENTITY-TRAP-MIB, HUAWEI-IF-EXT-MIB -----------------
ha=127.0.0.45
base=1.3.6.1.4.1.2011.5.25.129
# hwPortPhysicalDown { hwBaseTrapSeverity, hwBaseTrapProbableCause, hwBaseTrapEventType,
# entPhysicalName, hwPortPhysicalDownReason, ifOperStatus, ifAdminStatus }, the hwBaseTrap objects
# and entPhysicalName for entPhysicalIndex 10
send $ha huawei-vrp -v2c "127.0.0.1:$port" '' $base.2.5.1 $base.1.1.10 i 4 $base.1.2.10 i 1024 \
  $base.1.3.10 i 8 1.3.6.1.2.1.47.1.1.1.1.7.10 s GigabitEthernet0/0/1 $base.1.17.10 s LOS \
  $if_mib.8.6 i 2 $if_mib.7.6 i 1
expect_ports hw1 "GigabitEthernet0/0/1=down" "hwPortPhysicalDown (v2c)"
send $ha huawei-vrp -v1 "127.0.0.1:$port" $base.2.5 $ha 6 2 '' $base.1.1.10 i 1 $base.1.2.10 i 1024 \
  $base.1.3.10 i 8 1.3.6.1.2.1.47.1.1.1.1.7.10 s GigabitEthernet0/0/1 $if_mib.8.6 i 1 $if_mib.7.6 i 1
expect_ports hw1 "GigabitEthernet0/0/1=down GigabitEthernet0/0/1=up" "hwPortPhysicalUp (v1)"
expect_has "$(grep 'hwPortPhysicalUp GigabitEthernet0/0/1 (rule hw-port-physical-up)' "$log")" \
  "hw1: v1 trap from $ha:" "the log"
# hwPortDown { hwEntityPhysicalIndex, entPhysicalName, hwEntityTrapFaultID, hwPortDownReason,
# ifOperStatus, ifAdminStatus } for entPhysicalIndex 11, ifIndex 7
ent=1.3.6.1.4.1.2011.5.25.219
send $ha huawei-vrp -v2c "127.0.0.1:$port" '' $ent.2.12.1 $ent.1.1.11 i 11 \
  1.3.6.1.2.1.47.1.1.1.1.7.11 s GigabitEthernet0/0/2 $ent.1.3.11 i 136192 $ent.1.11.11 s LOCAL_FAULT \
  $if_mib.8.7 i 2 $if_mib.7.7 i 1
expect_ports hw1 "GigabitEthernet0/0/1=down GigabitEthernet0/0/1=up GigabitEthernet0/0/2=down" "hwPortDown (v2c)"
send $ha huawei-vrp -v2c "127.0.0.1:$port" '' $ent.2.12.2 $ent.1.1.11 i 11 \
  1.3.6.1.2.1.47.1.1.1.1.7.11 s GigabitEthernet0/0/2 $ent.1.3.11 i 136192 $if_mib.8.7 i 1 $if_mib.7.7 i 1
expect_ports hw1 "GigabitEthernet0/0/1=down GigabitEthernet0/0/1=up GigabitEthernet0/0/2=down GigabitEthernet0/0/2=up" \
  "hwPortUp (v2c)"
# hwIfFlowDown { sysUpTime, hwIFExtFlowStatus, ifName } of ifIndex 8: flowDown(2), flowUp(1)
ifx=1.3.6.1.4.1.2011.5.25.41
send $ha huawei-vrp -v1 "127.0.0.1:$port" $ifx.3 $ha 6 5 '' 1.3.6.1.2.1.1.3.0 t 8650000 \
  $ifx.1.1.1.1.8.8 i 2 $if_name.8 s GigabitEthernet0/0/3
expect_ports hw1 "GigabitEthernet0/0/1=down GigabitEthernet0/0/1=up GigabitEthernet0/0/2=down GigabitEthernet0/0/2=up GigabitEthernet0/0/3=down" \
  "hwIfFlowDown (v1)"
send $ha huawei-vrp -v2c "127.0.0.1:$port" '' $ifx.3.6 1.3.6.1.2.1.1.3.0 t 8660000 \
  $ifx.1.1.1.1.8.8 i 1 $if_name.8 s GigabitEthernet0/0/3
expect_ports hw1 "GigabitEthernet0/0/1=down GigabitEthernet0/0/1=up GigabitEthernet0/0/2=down GigabitEthernet0/0/2=up GigabitEthernet0/0/3=down GigabitEthernet0/0/3=up" \
  "hwIfFlowUp (v2c)"
# hwCfgManEventlog { hwCfgLogSrcCmd, hwCfgLogSrcData, hwCfgLogDesData, hwCfgLogTerminalUser, ... }
# of log entry 3: cmdLine(1), commandSource(3) to runningData(2)
cfg=1.3.6.1.4.1.2011.6.10
send $ha huawei-vrp -v2c "127.0.0.1:$port" '' $cfg.2.1 $cfg.1.1.7.1.3.3 i 1 $cfg.1.1.7.1.4.3 i 3 \
  $cfg.1.1.7.1.5.3 i 2 $cfg.1.1.7.1.7.3 s noc
evidence_only hw1 $cfg.2.1 1 6 "hwCfgManEventlog"

expect_eq "$(stat_of trapd.rejected.malformed)" 0 "malformed traps"

stop_test_trapd 30
echo "ok: trap rules of the switch vendors"
