#!/usr/bin/env bash
# The SLA events as SNMP notifications: colosla evaluate --trap-sink sends COLOSLA-MIB
# notifications to Debian's snmptrapd, which names every object from mibs/COLOSLA-MIB.txt (with
# the tests' stand-ins for SNMPv2-SMI/-TC/-CONF): SNMPv2c traps, and SNMPv3 informs (authPriv)
# acknowledged by snmptrapd; an inform nobody acknowledges is sent again at the next evaluation,
# and nothing is sent twice.
# usage: snmp_notify.sh COLOSLA SOURCE_DIR
colosla=$1 src=$2
. "$src/tests/integration/lib.sh"
command -v snmptrapd >/dev/null || fail "snmptrapd is not installed (scripts/deps installs it)"
db=$work/colosla.db
c001_scenario "$colosla" "$src" "$db" reported

# snmptrapd with COLOSLA-MIB: v2c community public; an SNMPv3 user for informs (bound to
# snmptrapd's own engine ID, which the sender discovers).
port=$(free_udp_port)
start_trapd() {
  mkdir -p "$work/trapd"
  cat >"$work/trapd/snmptrapd.conf" <<CONF
[snmp] persistentDir $work/trapd
snmpTrapdAddr udp:127.0.0.1:$port
doNotRetainNotificationLogs yes
authCommunity log public
createUser informer SHA informauth123 AES informpriv123
authUser log informer
CONF
  MIBS=COLOSLA-MIB MIBDIRS="$src/tests/data/mibs:$src/mibs" SNMPCONFPATH=/nonexistent \
    snmptrapd -C -c "$work/trapd/snmptrapd.conf" -Lf "$work/trapd/snmptrapd.log" -p "$work/trapd/pid"
  cleanup_hooks+=("stop_pidfile '$work/trapd/pid'")
  wait_for 20 test -s "$work/trapd/pid" || fail "snmptrapd did not start"
  # Listening once a coldStart sent to it is logged (re-sent on every try).
  wait_for 30 snmptrapd_ready || fail "snmptrapd does not log what it receives: $(cat "$work/trapd/snmptrapd.log")"
}
snmptrapd_ready() {
  snmptrap -v 2c -c public "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.1 >/dev/null 2>&1
  grep -qF 'OID: SNMPv2-SMI::internet.6.3.1.1.5.1' "$work/trapd/snmptrapd.log"
}
start_trapd
# The sinks hold a community and pass phrases: in a configuration file, never on the command line.
printf 'trap-sink = -v 2c -c public 127.0.0.1:%s\n' "$port" >"$work/v2c.conf"
printf 'trap-sink = -v 3 -u informer -l authPriv -a SHA -A informauth123 -x AES -X informpriv123 -Ci -t 3 -r 2 127.0.0.1:%s\n' \
  "$port" >"$work/v3.conf"
v2c="--config $work/v2c.conf"
v3="--config $work/v3.conf"
run "$colosla" --db "$db" evaluate --as-of 2026-11-05T10:16:00+08:00 --trap-sink "-v 2c -c public 127.0.0.1:$port"
expect_rc 2
expect_has "$err" "--trap-sink holds a community or pass phrases"

# 1. SNMPv2c traps: each event, with its objects named from COLOSLA-MIB.
run "$colosla" --db "$db" evaluate --as-of 2026-11-05T10:16:00+08:00 $v2c
expect_rc 0
expect_has "$out" "6 new events"
expect_has "$out" "6 notifications to 127.0.0.1:$port"
logged() { [ "$(grep -c "$1" "$work/trapd/snmptrapd.log")" -ge "$2" ]; }
wait_for 30 logged 'COLOSLA-MIB::colosla' 6 || { cat "$work/trapd/snmptrapd.log" >&2; fail "snmptrapd logged no COLOSLA-MIB notifications"; }
trapd_log=$(cat "$work/trapd/snmptrapd.log")
# (the stand-ins have no SNMPv2-MIB, so snmpTrapOID.0 is printed under internet)
expect_has "$trapd_log" "internet.6.3.1.1.4.1.0 = OID: COLOSLA-MIB::coloslaPortDown"
expect_has "$trapd_log" "COLOSLA-MIB::coloslaCountedMinutes.0 = Gauge32: 0 minutes"
expect_has "$trapd_log" "COLOSLA-MIB::coloslaEventId.0 = STRING: 1"
expect_has "$trapd_log" "COLOSLA-MIB::coloslaContract.0 = STRING: C-001"
expect_has "$trapd_log" "COLOSLA-MIB::coloslaGuarantee.0 = INTEGER: network(1)"
expect_has "$trapd_log" "COLOSLA-MIB::coloslaEventTime.0 = STRING: 2026-11-3,2:0:0.0,+8:0"
expect_has "$trapd_log" "COLOSLA-MIB::coloslaDevice.0 = STRING: sw1"
expect_has "$trapd_log" "COLOSLA-MIB::coloslaInterface.0 = STRING: ge-0/0/1"
expect_has "$trapd_log" "COLOSLA-MIB::coloslaBudgetMinutes.0 = Gauge32: 44 minutes"
expect_has "$trapd_log" "OID: COLOSLA-MIB::coloslaEmergencyDeclared"
expect_has "$trapd_log" "COLOSLA-MIB::coloslaService.0 = INTEGER: icmp(1)"
expect_has "$trapd_log" "OID: COLOSLA-MIB::coloslaBudgetWarning"
expect_has "$trapd_log" "COLOSLA-MIB::coloslaBudgetShareUsed.0 = Gauge32: 68181"
expect_has "$trapd_log" "OID: COLOSLA-MIB::coloslaInstallationOverdue"
expect_lacks "$trapd_log" "Wrong Type"
# Sent: again, nothing.
run "$colosla" --db "$db" evaluate --as-of 2026-11-05T10:17:00+08:00 $v2c
expect_lacks "$out" "notifications to"

# 2. SNMPv3 informs, acknowledged: every event so far to this new receiver, then the missed
# notification when it happens.
run "$colosla" --db "$db" evaluate --as-of 2026-11-05T10:25:00+08:00 $v3
expect_rc 0
expect_has "$out" "7 notifications to 127.0.0.1:$port"
wait_for 30 logged 'OID: COLOSLA-MIB::coloslaNotificationMissed' 1 || fail "the inform was not logged"
expect_has "$(cat "$work/trapd/snmptrapd.log")" "COLOSLA-MIB::coloslaDeadline.0 = STRING: 2026-11-5,10:20:0.0,+8:0"
inform_lines=$(grep -c 'OID: COLOSLA-MIB::coloslaPortDown' "$work/trapd/snmptrapd.log")
expect_eq "$inform_lines" 2 "port-down notifications logged (one trap, one inform)"

# 3. An inform nobody acknowledges: the evaluation goes on, the notification waits, and is sent
# when the receiver is back; the trap sink (fire and forget) has sent it already.
stop_pidfile "$work/trapd/pid"
printf '%s\n' '{"time":"2026-11-20T08:00:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"down"}' >"$work/more.jsonl"
run "$colosla" --db "$db" observe "$work/more.jsonl"
expect_rc 0
run "$colosla" --db "$db" evaluate --as-of 2026-11-20T08:10:00+08:00 $v3
expect_rc 0
expect_has "$out" "1 new event"
expect_has "$err" "no acknowledgement of the inform; 1 notification waits for the next evaluation"
start_trapd
run "$colosla" --db "$db" evaluate --as-of 2026-11-20T08:11:00+08:00 $v3
expect_has "$out" "1 notification to 127.0.0.1:$port"
wait_for 30 logged 'OID: COLOSLA-MIB::coloslaPortDown' 1 || fail "the waiting inform was not delivered"
expect_has "$(cat "$work/trapd/snmptrapd.log")" "COLOSLA-MIB::coloslaEventTime.0 = STRING: 2026-11-20,8:0:0.0,+8:0"

# 4. The process guarantees (Articles 5-9): a complaint without its written report, missed a
# day later, as coloslaComplaintReportMissed with the guarantee process and its reason.
run "$colosla" --db "$db" complaint add --contract C-001 --at 2026-11-20T09:00:00+08:00 --about network
expect_rc 0
run "$colosla" --db "$db" evaluate --as-of 2026-11-21T10:00:00+08:00 $v2c
expect_rc 0
wait_for 30 logged 'OID: COLOSLA-MIB::coloslaComplaintReportMissed' 1 || { cat "$work/trapd/snmptrapd.log" >&2; fail "no coloslaComplaintReportMissed"; }
trapd_log=$(cat "$work/trapd/snmptrapd.log")
expect_has "$trapd_log" "COLOSLA-MIB::coloslaGuarantee.0 = INTEGER: process(5)"
expect_has "$trapd_log" "COLOSLA-MIB::coloslaDeadline.0 = STRING: 2026-11-21,9:0:0.0,+8:0"
expect_has "$trapd_log" 'complaint-report of complaint #'
expect_lacks "$trapd_log" "Wrong Type"
echo "snmp_notify: ok"
