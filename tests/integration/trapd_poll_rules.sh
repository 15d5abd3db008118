#!/usr/bin/env bash
# Poll rules in colosla-trapd's poll cycle: a device whose plugin is "rules" (an APC card without
# UPS-MIB, recorded for snmpsimd, its upsBasicOutputStatus onBattery(3)) sends powerRestored;
# the trap rule says normal and asks for a poll; the poll (a child colosla poll with the
# daemon's rules) reads upsBasicOutputStatus by the poll rule and stores battery. A rule file
# broken after start (SIGHUP) keeps the rules in force, for the traps and for the polls, which
# read the daemon's copy of those rules in its state directory, not the broken file.
# usage: trapd_poll_rules.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
. "$src/tests/integration/trapd_lib.sh"
require_tools snmptrap snmpsimd sqlite3

sim=$(free_udp_port)
mkdir "$work/rules"
cp "$src/rules/"*.json "$work/rules/"
sed 's/^1.3.6.1.4.1.318.1.1.1.4.1.1.0|2|2$/1.3.6.1.4.1.318.1.1.1.4.1.1.0|2|3/' \
  "$src/tests/data/snmpsim/apc-ups.snmprec" >"$work/apc-ups.snmprec"
start_snmpsim "$work/sim" "$sim" "$work/apc-ups.snmprec"

write_inventory "$(v2c_device ups2 ups 127.0.0.1 rules "$sim" apc-ups)"
trapd_config "rules = $work/rules" "poll-interval = 3600" "poll-timeout = 1000" "poll-retries = 0"
start_test_trapd

# powerRestored: the trap says normal and asks for a poll, which reads battery by the poll rule.
# The daemon's schedule may have polled ups2 before the trap came: the poll that confirms is one
# stored after the trap's observation.
trap_then_poll() {
  local polls trap_seq
  polls=$(stat_of trapd.polls-requested)
  snmptrap -v2c -c apc-ups "127.0.0.1:$port" '' 1.3.6.1.4.1.318.0.9 \
    1.3.6.1.4.1.318.2.3.3.0 s "UPS: No longer on battery power."
  wait_for 20 has "SELECT 1 FROM observation_view WHERE device = 'ups2' AND source = 'trap' AND seq > $1" \
    || { show_log; fail "powerRestored was not stored"; }
  trap_seq=$(q "SELECT max(seq) FROM observation_view WHERE device = 'ups2' AND source = 'trap'")
  expect_eq "$(q "SELECT state FROM observation_view WHERE seq = $trap_seq")" "normal" "the trap"
  wait_for 20 at_least trapd.polls-requested $((polls + 1)) || { show_log; fail "powerRestored asked for no poll"; }
  wait_for 30 has "SELECT 1 FROM observation_view WHERE device = 'ups2' AND source = 'poll' AND state = 'battery' AND seq > $trap_seq" \
    || { show_log; fail "the poll did not read upsBasicOutputStatus by the poll rule"; }
  expect_has "$(q "SELECT evidence FROM observation_view WHERE device = 'ups2' AND source = 'poll' AND seq > $trap_seq")" \
    "upsBasicOutputStatus = 3 (poll rule apc-ups-output-status)" "the poll's evidence"
  expect_eq "$(q "SELECT state FROM observation_view WHERE kind = 'ups' AND device = 'ups2' ORDER BY seq DESC LIMIT 1")" \
    "battery" "ups2 after the poll"
}
trap_then_poll 0
expect_lacks "$(cat "$log")" "the poll of ups2 failed" "the log"
copies() { ls "$work/state/rules-in-force"; }
expect_eq "$(copies)" "1" "the copies of the rules in force"

# The APC rule file is broken, SIGHUP: the rules in force are kept, and so is their copy.
seen=$(q "SELECT max(seq) FROM observation_view")
loaded=$(grep -c "trap rules loaded" "$log")
printf '{"colosla-trap-rules:trap-rules":{"mib":{"name":"PowerNet-MIB","revision":"4.0.5"},\n"poll":[{"name":"p"}]}}\n' \
  >"$work/rules/apc-powernet-ups.json"
kill -HUP "$pid"
wait_for 20 grep -q "trap rules not loaded; the [0-9]* rules in force are kept" "$log" \
  || { show_log; fail "the broken rule file was not refused"; }
expect_has "$(cat "$log")" "$work/rules/apc-powernet-ups.json:2: /colosla-trap-rules:trap-rules/poll[name='p']/object: \"object\" is missing" "the log"
expect_eq "$(grep -c "trap rules loaded" "$log")" "$loaded" "rule loads after the broken file"
expect_eq "$(copies)" "1" "the copies of the rules in force"
# The next poll of ups2 (the one a trap asks for) still reads it by the APC poll rule in force.
trap_then_poll "$seen"
expect_lacks "$(cat "$log")" "the poll of ups2 failed" "the log"

# Fixed again, SIGHUP: a new copy, and the one before is removed once no poll reads it.
cp "$src/rules/apc-powernet-ups.json" "$work/rules/"
kill -HUP "$pid"
wait_for 20 bash -c "[ \$(grep -c 'trap rules loaded' '$log') -gt $loaded ]" \
  || { show_log; fail "the fixed rule file was not loaded"; }
wait_for 20 bash -c "[ \"\$(ls '$work/state/rules-in-force')\" = 2 ]" \
  || fail "the copies of the rules in force: $(copies | tr '\n' ' ')"
expect_eq "$(ls "$work/state/rules-in-force/2")" "$(cd "$work/rules" && LC_ALL=C ls | awk '{printf "%03d-%s\n", NR - 1, $0}')" \
  "the copy's files, in order"
seen=$(q "SELECT max(seq) FROM observation_view")
trap_then_poll "$seen"

stop_test_trapd 20
echo "ok: trapd-poll-rules"
