#!/usr/bin/env bash
# colosla-trapd against Net-SNMP's own senders: snmptrap (v1, v2c, v3 authPriv) and snmpinform
# (v2c, v3) on loopback. The store then holds the right observations; wrong community, unknown
# source, wrong v3 keys and garbage are rejected and counted; an inform is answered only once
# what it said is committed; the poll loop asks snmpd and learns ifIndex names; SIGHUP reloads
# the inventory; SIGTERM stops it cleanly.
# usage: trapd.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
for tool in snmptrap snmpinform snmpd sqlite3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/deps installs it)"
done
colosla=$build/apps/colosla/colosla
trapd=$build/apps/colosla-trapd/colosla-trapd

snmpd_port=$(free_udp_port)
start_snmpd "$work/snmpd" "$snmpd_port"
port=$(free_udp_port)
port6=$(free_udp_port)
db=$work/colosla.db

# sw1 is this machine (its snmpd answers polls); sw2 is 127.0.0.2, which nothing answers, and
# sends v1 traps through a relay (agent-addr); sw6 is ::1; sw4 (127.0.0.4) sends a storm.
inventory() {  # inventory [EXTRA_DEVICE_JSON]
  cat <<JSON
{"colosla-inventory:inventory":{
 "device":[
  {"name":"sw1","role":"switch","address":"127.0.0.1","plugin":"if-mib",
   "snmp":{"version":"v2c","community":"public","port":$snmpd_port}},
  {"name":"sw2","role":"switch","address":"127.0.0.2","plugin":"if-mib",
   "snmp":{"version":"v2c","community":"s3cret","port":$snmpd_port}},
  {"name":"sw6","role":"switch","address":"::1","plugin":"if-mib",
   "snmp":{"version":"v2c","community":"public","port":$snmpd_port}},
  {"name":"sw4","role":"switch","address":"127.0.0.4","plugin":"if-mib",
   "snmp":{"version":"v2c","community":"public","port":$snmpd_port}}${1:+,$1}]}}
JSON
}
inventory >"$work/inventory.json"

cat >"$work/colosla-trapd.conf" <<CONF
# colosla-trapd configuration, as an operator writes it
listen = udp:127.0.0.1:$port
listen = udp6:[::1]:$port6
db = $db
inventory = $work/inventory.json
state-dir = $work/state
# traps: the sender's engine ID; informs: ours (no -e)
create-user = -e 0x8000000001020304 trapuser SHA-256 trapauth123 AES trappriv123
create-user = informuser SHA informauth123 AES informpriv123
poll-interval = 2
poll-timeout = 300
poll-retries = 0
# A repeat within this window is a duplicate: long enough for a slow machine (and ASan) to send
# the same trap again within it.
duplicate-window = 60
# Per device, 5 traps that change nothing, and hardly any more for the rest of the test: a storm
# is rate-limited by a count that does not depend on how fast this machine is.
rate-per-device = 0.01
rate-burst = 5
CONF

log=$work/trapd.log
"$trapd" --config "$work/colosla-trapd.conf" --foreground --log-level debug >"$log" 2>&1 &
pid=$!
cleanup_hooks+=("kill -KILL $pid 2>/dev/null")
wait_for 20 grep -q "listening on udp:127.0.0.1:$port" "$log" || { cat "$log" >&2; fail "colosla-trapd did not start"; }
expect_has "$(cat "$log")" "udp6:[::1]:$port6" "the log"

q() { sqlite3 "$db" "$1"; }
has() { [ -n "$(q "$1")" ]; }            # has SQL: at least one row
obs() { q "SELECT device, item, state, source FROM observation_view WHERE $1 ORDER BY seq"; }
stat_of() { "$colosla" --db "$db" stats --format json | python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', 0))"; }
stat_is() { [ "$(stat_of "$1")" = "$2" ]; }
show_log() { cat "$log" >&2; }

# --- the poll loop: snmpd answers for sw1, its ifIndex names are learned -----------------
wait_for 20 has "SELECT 1 FROM port_index WHERE device = 'sw1' AND if_name = 'lo'" \
  || { show_log; fail "the poll loop did not learn sw1's ifIndex names from snmpd"; }
lo=$(q "SELECT if_index FROM port_index WHERE device = 'sw1' AND if_name = 'lo'")
wait_for 30 has "SELECT 1 FROM observation_view WHERE device = 'sw1' AND item = 'lo' AND state = 'up' AND source = 'poll'" \
  || { show_log; fail "the poll of sw1 recorded no state for lo"; }

# --- v2c linkDown, named by ifName ----------------------------------------------------------
snmptrap -v2c -c public "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 \
  1.3.6.1.2.1.2.2.1.1.3 i 3 1.3.6.1.2.1.2.2.1.7.3 i 1 1.3.6.1.2.1.2.2.1.8.3 i 2 \
  1.3.6.1.2.1.31.1.1.1.1.3 s ge-0/0/3
wait_for 20 has "SELECT 1 FROM observation_view WHERE item = 'ge-0/0/3'" || { show_log; fail "the v2c linkDown was not stored"; }
expect_eq "$(obs "item = 'ge-0/0/3'")" "sw1|ge-0/0/3|down|trap" "the v2c linkDown"
# The same trap again at once changes nothing: recorded once, counted as a duplicate.
snmptrap -v2c -c public "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 \
  1.3.6.1.2.1.2.2.1.1.3 i 3 1.3.6.1.2.1.2.2.1.7.3 i 1 1.3.6.1.2.1.2.2.1.8.3 i 2 \
  1.3.6.1.2.1.31.1.1.1.1.3 s ge-0/0/3
wait_for 20 stat_is trapd.duplicates 1 || { show_log; fail "the repeated linkDown was not counted as a duplicate"; }

# --- a linkDown that names only the ifIndex: the name comes from the poll -------------------
snmptrap -v2c -c public "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 1.3.6.1.2.1.2.2.1.1."$lo" i "$lo"
wait_for 20 has "SELECT 1 FROM observation_view WHERE item = 'lo' AND state = 'down' AND source = 'trap'" \
  || { show_log; fail "the linkDown of ifIndex $lo was not resolved to lo"; }
# lo is up in fact: the poll the trap asks for records that.
down_seq=$(q "SELECT max(seq) FROM observation_view WHERE item = 'lo' AND state = 'down'")
wait_for 30 has "SELECT 1 FROM observation_view WHERE item = 'lo' AND state = 'up' AND source = 'poll' AND seq > $down_seq" \
  || { show_log; fail "no poll reconciled lo after the linkDown"; }

# --- v1 through a relay: agent-addr 127.0.0.2 names sw2 --------------------------------------
snmptrap -v1 -c s3cret "127.0.0.1:$port" 1.3.6.1.4.1.8072.2.3.1 127.0.0.2 3 0 '' \
  1.3.6.1.2.1.2.2.1.1.5 i 5 1.3.6.1.2.1.31.1.1.1.1.5 s xe-0/0/5
wait_for 20 has "SELECT 1 FROM observation_view WHERE item = 'xe-0/0/5'" || { show_log; fail "the v1 linkUp was not stored"; }
expect_eq "$(obs "item = 'xe-0/0/5' AND source = 'trap'")" "sw2|xe-0/0/5|up|trap" "the v1 linkUp"
# sw2 answers no poll: what is known of it becomes unknown, never down.
wait_for 30 has "SELECT 1 FROM observation_view WHERE item = 'xe-0/0/5' AND state = 'unknown' AND source = 'poll'" \
  || { show_log; fail "a silent sw2 did not make xe-0/0/5 unknown"; }

# --- v3 authPriv trap (SHA-256, AES) with the sender's engine ID ------------------------------
v3trap() {  # v3trap AUTHPASS PRIVPASS IFINDEX NAME
  snmptrap -v3 -e 0x8000000001020304 -u trapuser -l authPriv -a SHA-256 -A "$1" -x AES -X "$2" \
    "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 1.3.6.1.2.1.2.2.1.1."$3" i "$3" 1.3.6.1.2.1.31.1.1.1.1."$3" s "$4"
}
v3trap trapauth123 trappriv123 7 ge-0/0/7
wait_for 20 has "SELECT 1 FROM observation_view WHERE item = 'ge-0/0/7'" || { show_log; fail "the v3 trap was not stored"; }
expect_eq "$(obs "item = 'ge-0/0/7'")" "sw1|ge-0/0/7|down|trap" "the v3 trap"
expect_has "$(q "SELECT evidence FROM observation_view WHERE item = 'ge-0/0/7'")" "v3 trap from 127.0.0.1:" "the evidence"
expect_has "$(q "SELECT evidence FROM observation_view WHERE item = 'ge-0/0/7'")" "user trapuser" "the evidence"

# --- informs: answered (snmpinform exits 0 only then), and stored ----------------------------
run snmpinform -v2c -c public -t 5 -r 3 "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 \
  1.3.6.1.2.1.2.2.1.1.8 i 8 1.3.6.1.2.1.31.1.1.1.1.8 s ge-0/0/8
expect_rc 0
expect_eq "$(obs "item = 'ge-0/0/8'")" "sw1|ge-0/0/8|down|trap" "the v2c inform, stored before its answer"
run snmpinform -v3 -u informuser -l authPriv -a SHA -A informauth123 -x AES -X informpriv123 -t 5 -r 3 \
  "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 1.3.6.1.2.1.2.2.1.1.9 i 9 1.3.6.1.2.1.31.1.1.1.1.9 s ge-0/0/9
expect_rc 0
expect_eq "$(obs "item = 'ge-0/0/9'")" "sw1|ge-0/0/9|down|trap" "the v3 inform, stored before its answer"

# --- IPv6 ----------------------------------------------------------------------------------
snmptrap -v2c -c public "udp6:[::1]:$port6" '' 1.3.6.1.6.3.1.1.5.4 \
  1.3.6.1.2.1.2.2.1.1.2 i 2 1.3.6.1.2.1.31.1.1.1.1.2 s et-0/0/2
wait_for 20 has "SELECT 1 FROM observation_view WHERE item = 'et-0/0/2'" || { show_log; fail "the trap over IPv6 was not stored"; }
expect_eq "$(obs "item = 'et-0/0/2'")" "sw6|et-0/0/2|up|trap" "the trap over IPv6"

# --- a trap no plugin translates is kept as evidence only --------------------------------------
snmptrap -v2c -c public "127.0.0.1:$port" '' 1.3.6.1.4.1.9.9.41.2.0.1 1.3.6.1.4.1.9.9.41.1.2.3.1.5.1 s "config changed"
wait_for 20 has "SELECT 1 FROM evidence WHERE trap_oid = '1.3.6.1.4.1.9.9.41.2.0.1'" || { show_log; fail "the unknown trap was not kept as evidence"; }

# --- rejections: nothing stored, every one counted -----------------------------------------------
snmptrap -v2c -c wrong "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 1.3.6.1.2.1.2.2.1.1.11 i 11 1.3.6.1.2.1.31.1.1.1.1.11 s ge-0/0/11
snmptrap -v2c -c public --clientaddr=127.0.0.9 "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 \
  1.3.6.1.2.1.2.2.1.1.12 i 12 1.3.6.1.2.1.31.1.1.1.1.12 s ge-0/0/12
v3trap trapauth123 wrongpriv99 13 ge-0/0/13   # right digest, wrong privacy key
v3trap wrongauth99 trappriv123 14 ge-0/0/14   # wrong authentication key
run snmpinform -v3 -u informuser -l authPriv -a SHA -A wrongauth99 -x AES -X informpriv123 -t 2 -r 0 \
  "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 1.3.6.1.2.1.2.2.1.1.15 i 15 1.3.6.1.2.1.31.1.1.1.1.15 s ge-0/0/15
[ "$rc" -ne 0 ] || fail "an inform with a wrong key was answered"
printf 'not an snmp packet' >"/dev/udp/127.0.0.1/$port"
wait_for 20 stat_is trapd.rejected.malformed 1 || { show_log; fail "the garbage packet was not counted as malformed"; }
wait_for 20 stat_is trapd.rejected.usm 3 || { show_log; "$colosla" --db "$db" stats >&2; fail "three USM failures were not counted"; }
expect_eq "$(stat_of trapd.rejected.bad-community)" 1 "bad community"
expect_eq "$(stat_of trapd.rejected.unknown-source)" 1 "unknown source"
expect_eq "$(q "SELECT count(*) FROM observation_view WHERE item IN ('ge-0/0/11','ge-0/0/12','ge-0/0/13','ge-0/0/14','ge-0/0/15')")" 0 \
  "observations from rejected traps"
grep -q "v2c trap from 127.0.0.1:[0-9]* community refused .* => rejected: the community is not one sw1 uses" "$log" ||
  { show_log; fail "no log line for the bad community"; }
# The log and the evidence say whether the community matched, never what it was.
expect_lacks "$(cat "$log")" "wrong" "the log"
expect_lacks "$(cat "$log")" "community public" "the log"
expect_lacks "$(q "SELECT evidence FROM observation UNION ALL SELECT text FROM evidence")" "public" "the evidence"
grep -q "rejected: no device of the inventory has the address 127.0.0.9" "$log" || { show_log; fail "no log line for the unknown source"; }
grep -q "SNMPv3 message from 127.0.0.1 refused" "$log" || { show_log; fail "no log line for the USM failures"; }

# --- more of the paths a datagram can take, each counted once (the counters below) ------------
# A plugin cannot read it (ifIndex as a STRING): kept as evidence, counted as unreadable too.
snmptrap -v2c -c public "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 1.3.6.1.2.1.2.2.1.1.21 s twenty-one
wait_for 20 stat_is trapd.diagnostic.unreadable 1 || { show_log; fail "the unreadable linkDown was not counted"; }
# A storm from sw4 of traps no plugin reads, each its own (so no duplicate): 5 pass, 3 are over
# its rate.
for k in 1 2 3 4 5 6 7 8; do
  snmptrap -v2c -c public --clientaddr=127.0.0.4 "127.0.0.1:$port" '' 1.3.6.1.4.1.9.9.41.2.0.1 \
    1.3.6.1.4.1.9.9.41.1.2.3.1.5.1 s "storm $k"
done
wait_for 20 stat_is trapd.rate-limited 3 || { show_log; "$colosla" --db "$db" stats >&2; fail "the storm was not rate-limited"; }
# Raw UDP: a BER length that runs past the datagram, and a GetRequest sent to the trap port.
python3 - "$port" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"\x30\x82\xff\xff\x02\x01\x01", ("127.0.0.1", int(sys.argv[1])))
get = "302402010104067075626c6963a017020101020100020100300c300a06062b06010201010500"  # sysDescr
s.sendto(bytes.fromhex(get), ("127.0.0.1", int(sys.argv[1])))
PY
wait_for 20 stat_is trapd.ignored.not-notification 1 || { show_log; fail "the GetRequest was not counted as ignored"; }
wait_for 20 stat_is trapd.rejected.malformed 2 || { show_log; fail "the truncated datagram was not counted as malformed"; }

# --- an inform is answered only after its commit ------------------------------------------------
# Another process holds the store's write lock for 3 s: the inform is received but its commit
# waits, so no answer comes (snmpinform times out). Once the lock is gone, its observation is
# stored, once.
python3 - "$db" "$work/locked" <<'PY' &
import sqlite3, sys, time, pathlib
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
pathlib.Path(sys.argv[2]).touch()
time.sleep(3)
c.execute("ROLLBACK")
PY
locker=$!
wait_for 20 test -e "$work/locked" || fail "could not lock the store"
run snmpinform -v2c -c public -t 1 -r 0 "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 \
  1.3.6.1.2.1.2.2.1.1.16 i 16 1.3.6.1.2.1.31.1.1.1.1.16 s ge-0/0/16
expect_rc 1
expect_has "$err" "Timeout" "snmpinform's error"
wait "$locker"
wait_for 20 has "SELECT 1 FROM observation_view WHERE item = 'ge-0/0/16'" || { show_log; fail "the inform held back was not stored after the lock"; }
expect_eq "$(q "SELECT count(*) FROM observation_view WHERE item = 'ge-0/0/16'")" 1 "the held inform, stored once"
grep -q "commit failed" "$log" || { show_log; fail "the failed commit was not logged"; }
# And with the store back, informs are answered again.
run snmpinform -v2c -c public -t 5 -r 3 "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.4 \
  1.3.6.1.2.1.2.2.1.1.16 i 16 1.3.6.1.2.1.31.1.1.1.1.16 s ge-0/0/16
expect_rc 0

# --- SIGHUP reloads the inventory: a new device is known at once ---------------------------------
inventory '{"name":"sw3","role":"switch","address":"127.0.0.3","plugin":"if-mib","snmp":{"community":"public","port":1}}' \
  >"$work/inventory.json"
kill -HUP "$pid"
wait_for 20 grep -q "inventory version 2 loaded" "$log" || { show_log; fail "SIGHUP did not load the new inventory"; }
snmptrap -v2c -c public --clientaddr=127.0.0.3 "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 \
  1.3.6.1.2.1.2.2.1.1.4 i 4 1.3.6.1.2.1.31.1.1.1.1.4 s ge-0/0/4
wait_for 20 has "SELECT 1 FROM observation_view WHERE device = 'sw3'" || { show_log; fail "the device added by SIGHUP was not known"; }
# A broken inventory on SIGHUP is refused; the daemon keeps the one it had.
echo '{"colosla-inventory:inventory":{"device":[{"name":"x"}]}}' >"$work/inventory.json"
kill -HUP "$pid"
wait_for 20 grep -q "inventory not loaded; the store keeps the one it had" "$log" || { show_log; fail "a broken inventory was not refused"; }
kill -0 "$pid" || fail "colosla-trapd died on a broken inventory"

# --- the counters account for every packet ---------------------------------------------------------
# 8, 9, the two of ge-0/0/16: the one held back is answered once its commit succeeds (too late
# for that snmpinform, which gave up; a sender still retrying gets it).
wait_for 20 stat_is trapd.informs-answered 4 || { show_log; "$colosla" --db "$db" stats >&2; fail "informs-answered is not 4"; }
run "$colosla" --db "$db" stats --format json
expect_rc 0
python3 - "$out" <<'PY' || fail "the counters do not add up: $out"
import json, sys
s = json.loads(sys.argv[1])
g = lambda k: s.get("trapd." + k, 0)
part = lambda prefix: sum(v for k, v in s.items() if k.startswith("trapd." + prefix))
# the identities of docs/operations.md ("Counters"), exactly
assert g("received") == (g("accepted") + part("rejected.") + g("v3-discovery") + part("ignored.")), s
assert g("accepted") == g("observations-stored") + g("evidence-stored") + g("duplicates") + g("rate-limited"), s
# and each counter: ge-0/0/3, lo, xe-0/0/5, ge-0/0/7, ge-0/0/8, ge-0/0/9, et-0/0/2,
# ge-0/0/16 twice, sw3's ge-0/0/4
assert g("observations-stored") == 10, s
# the config-change trap, the 5 of the storm within sw4's rate, the unreadable linkDown
assert g("evidence-stored") == 7 and g("diagnostic.unreadable") == 1, s
assert g("duplicates") == 1 and g("rate-limited") == 3, s
assert g("accepted") == 21, s
assert g("rejected.malformed") == 2, s  # the garbage and the truncated datagram; no plugin's verdict
assert g("rejected.bad-community") == 1 and g("rejected.unknown-source") == 1, s
assert g("rejected.usm") == 3 and g("rejected.overload") == 0, s
assert g("ignored.not-notification") == 1, s
assert "trapd.informs-retransmitted" not in s, s  # now ignored.inform-retransmitted
assert g("v3-discovery") >= 2, s   # the v3 informs' engine ID and time discovery
assert g("polls-requested") >= 3, s
PY

# --- SIGTERM: a clean stop --------------------------------------------------------------------------
kill -TERM "$pid"
wait_for 30 bash -c "! kill -0 $pid 2>/dev/null" || { show_log; fail "colosla-trapd did not stop on SIGTERM"; }
set +e
wait "$pid"
code=$?
set -e
expect_eq "$code" 0 "exit status after SIGTERM"
grep -q "trapd: stopping" "$log" || fail "no clean stop in the log"
echo "ok: trapd"
