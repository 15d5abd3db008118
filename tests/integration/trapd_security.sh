#!/usr/bin/env bash
# colosla-trapd against what a NOC's security review tries on loopback: SNMPv3 below a user's
# security level, replayed v3 messages, log injection through a community and a varbind, a log
# flood of malformed datagrams, informs that change nothing (each answered inform stored), and a
# new inform that reuses an answered one's request-id with other content.
# usage: trapd_security.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
for tool in snmptrap snmpinform sqlite3 python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/deps installs it)"
done
colosla=$build/apps/colosla/colosla
trapd=$build/apps/colosla-trapd/colosla-trapd
port=$(free_udp_port)
db=$work/colosla.db

cat >"$work/inventory.json" <<'JSON'
{"colosla-inventory:inventory":{"device":[
  {"name":"sw1","role":"switch","address":"127.0.0.1","plugin":"if-mib","snmp":{"version":"v2c","community":"public"}}]}}
JSON
# trapuser and informuser have both keys: authPriv only. authuser has an authentication key
# only: authNoPriv or authPriv. A device may send 1 trap a second that changes nothing (5 at
# once); refusals are logged 5 a second.
cat >"$work/colosla-trapd.conf" <<CONF
listen = udp:127.0.0.1:$port
db = $db
inventory = $work/inventory.json
state-dir = $work/state
create-user = -e 0x8000000001020304 trapuser SHA trapauth123 AES trappriv123
create-user = -e 0x8000000001020305 authuser SHA authauth123
create-user = informuser SHA informauth123 AES informpriv123
rate-per-device = 1
rate-burst = 5
problem-log-rate = 5
poll-interval = 0
evaluate-interval = 0
probe = false
netconf-listen = false
CONF
log=$work/trapd.log
"$trapd" --config "$work/colosla-trapd.conf" --foreground >"$log" 2>&1 &
pid=$!
cleanup_hooks+=("kill -KILL $pid 2>/dev/null")
wait_for 30 grep -q "listening on udp:127.0.0.1:$port" "$log" || { cat "$log" >&2; fail "colosla-trapd did not start"; }

q() { sqlite3 "$db" "$1"; }
stat_of() { "$colosla" --db "$db" stats --format json | python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', 0))"; }
stat_is() { [ "$(stat_of "$1")" = "$2" ]; }
stored() { q "SELECT count(*) FROM observation_view WHERE item = '$1'"; }
has_item() { [ "$(stored "$1")" -gt 0 ]; }
show_log() { cat "$log" >&2; }
linkdown() {  # linkdown N: the varbinds of a linkDown of ifIndex N, named ge-0/0/N
  echo 1.3.6.1.6.3.1.1.5.3 1.3.6.1.2.1.2.2.1.1."$1" i "$1" 1.3.6.1.2.1.31.1.1.1.1."$1" s ge-0/0/"$1"
}
trapuser() {  # trapuser LEVEL N [snmptrap options...]
  local level=$1 n=$2 keys=()
  shift 2
  case $level in
    authNoPriv) keys=(-a SHA -A trapauth123) ;;
    authPriv) keys=(-a SHA -A trapauth123 -x AES -X trappriv123) ;;
  esac
  # shellcheck disable=SC2046
  snmptrap -v3 -e 0x8000000001020304 -u trapuser -l "$level" "${keys[@]}" "$@" "127.0.0.1:$port" '' $(linkdown "$n")
}

# --- 1. a user's keys are the least security level it is accepted at --------------------------
trapuser noAuthNoPriv 41
trapuser authNoPriv 42
trapuser authPriv 43
# shellcheck disable=SC2046
snmptrap -v3 -e 0x8000000001020305 -u authuser -l authNoPriv -a SHA -A authauth123 "127.0.0.1:$port" '' $(linkdown 44)
# shellcheck disable=SC2046
snmptrap -v3 -e 0x8000000001020305 -u authuser -l noAuthNoPriv "127.0.0.1:$port" '' $(linkdown 45)
# shellcheck disable=SC2046
run snmpinform -v3 -u informuser -l noAuthNoPriv -t 2 -r 0 "127.0.0.1:$port" '' $(linkdown 46)
[ "$rc" -ne 0 ] || fail "a noAuthNoPriv inform of an authPriv user was answered"
# shellcheck disable=SC2046
run snmpinform -v3 -u informuser -l authNoPriv -a SHA -A informauth123 -t 2 -r 0 "127.0.0.1:$port" '' $(linkdown 47)
[ "$rc" -ne 0 ] || fail "an authNoPriv inform of an authPriv user was answered"
# shellcheck disable=SC2046
run snmpinform -v3 -u informuser -l authPriv -a SHA -A informauth123 -x AES -X informpriv123 -t 5 -r 3 \
  "127.0.0.1:$port" '' $(linkdown 48)
expect_rc 0
for n in 43 44 48; do
  wait_for 30 has_item "ge-0/0/$n" || { show_log; fail "ge-0/0/$n, sent at the user's level, was not stored"; }
done
wait_for 30 stat_is trapd.rejected.usm 5 || { show_log; fail "trapd.rejected.usm is $(stat_of trapd.rejected.usm), not 5"; }
for n in 41 42 45 46 47; do
  expect_eq "$(stored "ge-0/0/$n")" 0 "observations of ge-0/0/$n, sent below its user's level"
done
expect_eq "$(q "SELECT count(*) FROM evidence")" 0 "evidence kept of the refused v3 messages"
grep -q "refused: user trapuser sent noAuthNoPriv, below its authPriv" "$log" || { show_log; fail "no log line for trapuser's noAuthNoPriv"; }
grep -q "refused: user informuser sent authNoPriv, below its authPriv" "$log" || { show_log; fail "no log line for informuser's authNoPriv"; }

# --- replays: a v3 trap whose engine boots and time are behind what the sender said before ------
discovery=$(stat_of trapd.v3-discovery)
# (boots far above what snmptrap keeps for itself, which its runs increment)
trapuser authPriv 50 -Z 1000000,5000
wait_for 30 has_item ge-0/0/50 || { show_log; fail "the trap that moved trapuser's engine time forward was not stored"; }
trapuser authPriv 51 -Z 1000000,100  # 4900 s behind
trapuser authPriv 52 -Z 999999,6000  # an older boot
wait_for 30 stat_is trapd.rejected.usm 7 || { show_log; fail "the replays were not counted as refused (usm $(stat_of trapd.rejected.usm))"; }
expect_eq "$(stat_of trapd.v3-discovery)" "$discovery" "v3-discovery after the replays"
expect_eq "$(stored ge-0/0/51)$(stored ge-0/0/52)" 00 "observations of the replays"
expect_eq "$(grep -c "refused: outside the time window" "$log")" 2 "log lines of the replays"

# --- 4. log injection: a community and a varbind with a line break and escape sequences --------
# shellcheck disable=SC2046
snmptrap -v2c -c $'x\ninfo trapd: sw1: FORGED-COMMUNITY\e[31m' "127.0.0.1:$port" '' $(linkdown 60)
# shellcheck disable=SC2046
snmptrap -v2c -c public "127.0.0.1:$port" '' $(linkdown 61) \
  1.3.6.1.2.1.31.1.1.1.18.61 s $'cust\ninfo trapd: FORGED-VARBIND\xc2\x9b[0m'
wait_for 30 has_item ge-0/0/61 || { show_log; fail "the trap with the odd ifAlias was not stored"; }
wait_for 30 stat_is trapd.rejected.bad-community 1 || { show_log; fail "the odd community was not refused"; }
wait_for 30 grep -q "ge-0/0/61" "$log" || { show_log; fail "the trap was not logged"; }
grep -q "^info trapd: FORGED" "$log" && { show_log; fail "a line was forged in the log"; }
grep -q "^info trapd: sw1: FORGED" "$log" && { show_log; fail "a line was forged in the log"; }
expect_eq "$(grep -c $'\e' "$log")" 0 "escape characters in the log"
expect_lacks "$(cat "$log")" "FORGED-COMMUNITY" "the log (the community is never written)"
expect_has "$(cat "$log")" 'STRING cust\ninfo trapd: FORGED-VARBIND\xc2\x9b[0m]' "the log"
expect_eq "$(q "SELECT count(*) FROM observation WHERE instr(evidence, char(10)) > 0 OR instr(evidence, char(27)) > 0")" 0 \
  "evidence with a line break or an escape character"

# --- 4. a flood of malformed datagrams: counted, a few lines a second, and one line of the rest -
malformed_before=$(stat_of trapd.rejected.malformed)
started=$SECONDS
python3 - "$port" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
deadline = time.monotonic() + 20
for i in range(3000):
    if time.monotonic() > deadline:
        break
    s.sendto(b"\x30\x03garbage %d" % i, ("127.0.0.1", int(sys.argv[1])))
    if i % 200 == 199:
        time.sleep(0.01)  # paced so the socket buffer holds them on a busy machine
PY
flooded() { [ "$(stat_of trapd.rejected.malformed)" -ge $((malformed_before + 2900)) ]; }
wait_for 60 flooded || { show_log; fail "the malformed datagrams were not counted ($(stat_of trapd.rejected.malformed))"; }
elapsed=$((SECONDS - started + 2))
lines=$(grep -c "malformed packet from" "$log")
[ "$lines" -le $((5 * elapsed)) ] || fail "$lines log lines for malformed datagrams in $elapsed s (5 a second at most)"
wait_for 30 grep -q "in the last second, not logged: [0-9]* malformed datagrams" "$log" ||
  { tail -n 30 "$log" >&2; fail "no line of the malformed datagrams left out"; }

# --- 5. informs that change nothing: every one answered is stored ------------------------------
# ge-0/0/70 goes down with the first; the 29 after change nothing (each with a varbind of its
# own, so none is a repeat), far beyond the device's rate of 1 a second with bursts of 5.
for k in $(seq 1 30); do
  # shellcheck disable=SC2046
  snmpinform -v2c -c public -t 5 -r 3 "127.0.0.1:$port" '' $(linkdown 70) 1.3.6.1.4.1.8072.9999.1.0 s "inform-$k" ||
    fail "inform $k was not answered"
done
kept() { [ "$(q "SELECT count(*) FROM (SELECT evidence AS t FROM observation UNION ALL SELECT text FROM evidence) WHERE t LIKE '%STRING inform-%'")" -eq 30 ]; }
wait_for 30 kept || fail "answered informs not stored: $(q "SELECT count(*) FROM evidence WHERE text LIKE '%STRING inform-%'") of 30 as evidence"
for k in 1 2 6 7 29 30; do
  expect_eq "$(q "SELECT count(*) FROM (SELECT evidence AS t FROM observation UNION ALL SELECT text FROM evidence) WHERE t LIKE '%STRING inform-$k]%'")" 1 \
    "stored copies of inform $k"
done
expect_eq "$(stat_of trapd.rate-limited)" 0 "informs rate-limited"

# --- 5. a new inform that reuses an answered inform's request-id, from the same port ---------
src_port=$(free_udp_port)
run python3 "$src/tests/integration/inform.py" "$port" "$src_port" public 777 80 81
expect_eq "$out" "answered 80
answered 81" "the two informs with request-id 777"
wait_for 30 has_item ge-0/0/81 || { show_log; fail "the second inform with the same request-id was not processed"; }
expect_eq "$(stored ge-0/0/80)" 1 "observations of ge-0/0/80"

# --- the counters account for every datagram ---------------------------------------------------
kill -TERM "$pid"
wait_for 30 bash -c "! kill -0 $pid 2>/dev/null" || fail "colosla-trapd did not stop"
run "$colosla" --db "$db" stats --format json
python3 - "$out" <<'PY' || fail "the counters do not add up: $out"
import json, sys
s = json.loads(sys.argv[1])
g = lambda k: s.get("trapd." + k, 0)
part = lambda prefix: sum(v for k, v in s.items() if k.startswith("trapd." + prefix))
handled = g("accepted") + part("rejected.") + g("v3-discovery") + part("ignored.")
assert g("received") == handled, ("received", g("received"), "handled", handled)
assert g("accepted") == g("observations-stored") + g("evidence-stored") + g("duplicates") + g("rate-limited"), s
assert g("informs-answered") == 33, s  # 48, the 30 of ge-0/0/70, 80 and 81
PY
echo "ok: trapd-security"
