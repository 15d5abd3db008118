#!/usr/bin/env bash
# scripts/run without its install-and-build step: it creates the store with the example
# inventory and starts colosla-trapd on a loopback port, which prints the traps it receives
# (v1, v2c, an inform), reloads on SIGHUP, and stops cleanly on SIGINT (Ctrl-C) and on SIGTERM.
# usage: run.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
command -v snmptrap >/dev/null || fail "snmptrap is not installed (scripts/deps installs it)"

start_run() {
  port=$(free_udp_port)
  log=$work/run-$1.log
  COLOSLA_SKIP_BUILD=1 COLOSLA_BUILD_DIR=$build COLOSLA_RUN_DIR=$work/var \
    COLOSLA_LISTEN=udp:127.0.0.1:$port "$src/scripts/run" >"$log" 2>&1 &
  pid=$!
  cleanup_hooks+=("kill -KILL $pid 2>/dev/null")
  wait_for 20 grep -q "listening on udp:127.0.0.1:$port" "$log" || { cat "$log" >&2; fail "colosla-trapd did not start"; }
}
stop_run() {  # stop_run SIGNAL
  kill -"$1" "$pid"
  local deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { cat "$log" >&2; fail "colosla-trapd did not stop on SIG$1 within 10 s"; }
    sleep 0.05
  done
  set +e
  wait "$pid"
  local code=$?
  set -e
  [ "$code" -eq 0 ] || { cat "$log" >&2; fail "colosla-trapd exited $code on SIG$1"; }
  grep -q "trapd: stopping" "$log" || fail "no clean stop in the log"
}

start_run int
db=$work/var/colosla.db
expect_eq "$(stat -c %a "$db")" "600" "store file mode"
grep -q "loaded inventory version 1" "$log" || fail "the example inventory was not loaded"

# The example inventory's devices are on TEST-NET addresses: a v2c trap from this machine is
# shown, and rejected as from an unknown source.
snmptrap -v2c -c public "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 \
  1.3.6.1.2.1.2.2.1.1.3 i 3 1.3.6.1.2.1.31.1.1.1.1.3 s ge-0/0/1
wait_for 20 grep -q "v2c trap from 127.0.0.1:[0-9]* 1.3.6.1.6.3.1.1.5.3 \[1.3.6.1.2.1.2.2.1.1.3 = INTEGER 3, 1.3.6.1.2.1.31.1.1.1.1.3 = STRING ge-0/0/1\] => rejected: no device of the inventory has the address 127.0.0.1" "$log" \
  || { cat "$log" >&2; fail "the v2c linkDown was not shown"; }
# v1, with the agent-addr of sw1 in the inventory: the sender is named, the trap is translated
# to its SNMPv2 OID (RFC 3584), and stored.
snmptrap -v1 -c public "127.0.0.1:$port" 1.3.6.1.4.1.8072.2.3.1 192.0.2.10 3 0 '' 1.3.6.1.2.1.2.2.1.1.3 i 3
wait_for 20 grep -q "sw1: v1 trap from 127.0.0.1:[0-9]* (agent 192.0.2.10) community matched 1.3.6.1.6.3.1.1.5.4 .* => " "$log" \
  || { cat "$log" >&2; fail "the v1 linkUp was not shown"; }
# The linkDown scripts/run suggests: sw1's ge-0/0/1 (C-001's port) goes down, in the store.
snmptrap -v1 -c public "127.0.0.1:$port" 1.3.6.1.6.3.1.1.5 192.0.2.10 2 0 '' \
  1.3.6.1.2.1.2.2.1.1.1 i 1 1.3.6.1.2.1.2.2.1.8.1 i 2 1.3.6.1.2.1.31.1.1.1.1.1 s ge-0/0/1
wait_for 20 grep -q "sw1: v1 trap from 127.0.0.1:[0-9]* (agent 192.0.2.10) community matched 1.3.6.1.6.3.1.1.5.3 .* => linkDown ge-0/0/1" "$log" \
  || { cat "$log" >&2; fail "the suggested v1 linkDown was not shown"; }
trap_stored() {
  [ "$(sqlite3 "$db" "SELECT device || ' ' || item || ' ' || state FROM observation_view WHERE item = 'ge-0/0/1' AND source = 'trap'")" = "sw1 ge-0/0/1 down" ]
}
wait_for 20 trap_stored \
  || { sqlite3 "$db" "SELECT * FROM observation_view" >&2; cat "$log" >&2; fail "the suggested v1 linkDown was not stored as sw1 ge-0/0/1 down"; }
grep -q "snmptrap -v1 -c public 127.0.0.1:$port 1.3.6.1.6.3.1.1.5 192.0.2.10 2 0" "$log" || fail "scripts/run does not suggest the v1 trap"
# An inform from an unknown source is shown and not answered: snmpinform times out.
run snmpinform -v2c -c public -t 1 -r 0 "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.4 1.3.6.1.2.1.2.2.1.1.3 i 3
expect_rc 1
wait_for 20 grep -q "v2c inform from 127.0.0.1:[0-9]* 1.3.6.* => rejected" "$log" || fail "the inform was not shown"
# Garbage is not a crash.
printf 'not an snmp packet' >"/dev/udp/127.0.0.1/$port"
kill -HUP "$pid"
wait_for 20 grep -q "inventory unchanged (version 1)" "$log" || { cat "$log" >&2; fail "SIGHUP did not reload"; }
kill -0 "$pid" || fail "colosla-trapd died"
# It evaluates every contract's figures for check_colosla (colosla evaluate, at start and then
# every minute).
has_status() { [ "$(sqlite3 "$db" "SELECT count(*) FROM contract_status WHERE contract = 'C-001'")" = 1 ]; }
wait_for 20 has_status || { cat "$log" >&2; fail "no figures of C-001 were stored for check_colosla"; }
run "$build/apps/check_colosla/check_colosla" --db "$db" --contract C-001
expect_has "$out" "figures of colosla evaluate, "
# The example devices are on documentation addresses: nothing polls them or opens a NETCONF
# session (traffic stays on this machine).
expect_eq "$(sqlite3 "$db" "SELECT count(*) FROM observation_view WHERE source IN ('poll', 'netconf')")" 0 "polled observations"
grep -q "netconf-listen\|poll of" "$log" && fail "scripts/run polled the example devices: $(grep "netconf-listen\|poll of" "$log")"
# ... and the prober runs, but skips the example's probe target (203.0.113.5), probing nothing.
wait_for 30 grep -q "info prober: probing 0 services of 1 contract" "$log" || { cat "$log" >&2; fail "the prober did not start"; }
grep -q "not probing C-001 203.0.113.5: a documentation address" "$log" || fail "the prober did not say why it skips 203.0.113.5"
expect_eq "$(sqlite3 "$db" "SELECT count(*) FROM observation_view WHERE source = 'probe'")" 0 "probe observations"
stop_run INT

# Again, stopped with SIGTERM; the store keeps its inventory.
start_run term
grep -q "inventory unchanged" "$log" || fail "a restart loaded the inventory again"
stop_run TERM
echo "ok: run"
