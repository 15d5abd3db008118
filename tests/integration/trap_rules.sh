#!/usr/bin/env bash
# Trap rules as data, end to end: colosla-trapd with `rules =` the shipped rules (a copy of the
# tree's rules/), APC PowerNet-MIB traps sent by Net-SNMP's snmptrap in their SNMPv1 form
# (enterprise apc, specific 5) and their SNMPv2c form (1.3.6.1.4.1.318.0.9), each stored as the
# UPS observation its rule says; a CyberPower CPS-MIB upsOnBattery (v1, enterprise cps, specific 5)
# likewise; a malformed rule file on SIGHUP keeps the rules in force and the
# log says why (file, line, path); `colosla rules validate` refuses it with file, line and path;
# `colosla rules test` reads traps built by the real snmptrap (v1 and v2c, with and without the
# AGENT word) and given as traphandle text, stores nothing, and says which rule or plugin reads
# them; the README's "Adding a vendor" (its rule file taken from the README) works as written.
# usage: trap_rules.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
. "$src/tests/integration/trapd_lib.sh"
require_tools snmptrap sqlite3

silent=$(free_udp_port)  # nothing answers the polls the rules ask for
mkdir "$work/rules"
cp "$src/rules/apc-powernet-ups.json" "$src/rules/cyberpower-ups.json" "$work/rules/"  # the counts below are theirs

write_inventory "$(v2c_device ups1 ups 127.0.0.1 ups-mib "$silent")" \
  "$(v2c_device cps1 ups 127.0.0.2 ups-mib "$silent")" "$(v2c_device ups-b12 ups 127.0.0.3 ups-mib "$silent")"
trapd_config "rules = $work/rules" "poll-interval = 3600" "poll-timeout = 200" "poll-retries = 0"
start_test_trapd
expect_has "$(cat "$log")" "16 trap rules loaded from $work/rules/apc-powernet-ups.json (PowerNet-MIB 4.0.5), $work/rules/cyberpower-ups.json (CPS-MIB 2.13)" "the log"

last_trap_state() { q "SELECT state FROM observation_view WHERE kind = 'ups' AND device = 'ups1' AND source = 'trap' ORDER BY seq DESC LIMIT 1"; }
trap_count() { q "SELECT count(*) FROM observation_view WHERE device = 'ups1' AND source = 'trap'"; }

# A trap-argument string as APC's cards send one (the MIB's VARIABLES { mtrapargsString }).
text=1.3.6.1.4.1.318.2.3.3.0

# --- upsOnBattery as SNMPv1: enterprise apc (1.3.6.1.4.1.318), specific 5 ----------------------
snmptrap -v1 -c public "127.0.0.1:$port" 1.3.6.1.4.1.318 127.0.0.1 6 5 '' \
  "$text" s "UPS: On battery power in response to an input power problem."
wait_for 20 has "SELECT 1 FROM observation_view WHERE device = 'ups1' AND source = 'trap'" \
  || { show_log; fail "the v1 upsOnBattery was not stored"; }
expect_eq "$(last_trap_state)" "battery" "ups1 after upsOnBattery (v1)"
expect_has "$(q "SELECT evidence FROM observation_view WHERE device = 'ups1' AND source = 'trap'")" \
  "=> upsOnBattery" "the evidence"
expect_has "$(cat "$log")" "upsOnBattery (rule apc-ups-on-battery)" "the log"

# --- powerRestored as SNMPv2c: 1.3.6.1.4.1.318.0.9; its rule asks for a poll ----------------------
polls=$(stat_of trapd.polls-requested)
snmptrap -v2c -c public "127.0.0.1:$port" '' 1.3.6.1.4.1.318.0.9 "$text" s "UPS: No longer on battery power."
wait_for 20 bash -c "[ \"\$(sqlite3 '$db' \"SELECT count(*) FROM observation_view WHERE device = 'ups1' AND source = 'trap'\")\" = 2 ]" \
  || { show_log; fail "the v2c powerRestored was not stored"; }
expect_eq "$(last_trap_state)" "normal" "ups1 after powerRestored (v2c)"
wait_for 20 at_least trapd.polls-requested $((polls + 1)) || { show_log; fail "powerRestored asked for no poll"; }

# --- CyberPower upsOnBattery as SNMPv1 (enterprise cps 1.3.6.1.4.1.3808, specific 5), relayed:
# its agent-addr 127.0.0.2 names cps1. The varbind is CPS-MIB's mtrapinfoString.0 ----------------
snmptrap -v1 -c public "127.0.0.1:$port" 1.3.6.1.4.1.3808 127.0.0.2 6 5 '' \
  1.3.6.1.4.1.3808.2.2.3.0 s "Utility power failed, transfer to backup mode."
wait_for 20 has "SELECT 1 FROM observation_view WHERE device = 'cps1' AND source = 'trap'" \
  || { show_log; fail "the CyberPower upsOnBattery was not stored"; }
expect_eq "$(q "SELECT kind, state FROM observation_view WHERE device = 'cps1' AND source = 'trap'")" "ups|battery" "cps1"
expect_has "$(cat "$log")" "upsOnBattery (rule cps-ups-on-battery)" "the log"

# --- a malformed rule file: refused on SIGHUP, the rules in force kept ----------------------------
cat >"$work/rules/zz-broken.json" <<'JSON'
{
  "colosla-trap-rules:trap-rules": {
    "mib": {"name": "BROKEN-MIB", "revision": "1"},
    "rule": [
      {
        "name": "broken",
        "object": "brokenTrap",
        "match": {"trap-oid": ".1.3.6.1.4.1.99999.0.1"},
        "entity": {"ups": {}},
        "state": "battery"
      }
    ]
  }
}
JSON
kill -HUP "$pid"
wait_for 20 grep -q "trap rules not loaded; the 16 rules in force are kept" "$log" \
  || { show_log; fail "a broken rule file was not refused on SIGHUP"; }
expect_has "$(cat "$log")" "$work/rules/zz-broken.json:8: /colosla-trap-rules:trap-rules/rule[name='broken']/match/trap-oid: an OID is written in numbers without a leading dot" "the log"
kill -0 "$pid" || fail "colosla-trapd died on a broken rule file"
snmptrap -v2c -c public "127.0.0.1:$port" '' 1.3.6.1.4.1.318.0.5 "$text" s "UPS: On battery power."
wait_for 20 bash -c "[ \"\$(sqlite3 '$db' \"SELECT count(*) FROM observation_view WHERE device = 'ups1' AND source = 'trap'\")\" = 3 ]" \
  || { show_log; fail "the rules in force did not read upsOnBattery after the refused reload"; }
expect_eq "$(last_trap_state)" "battery" "ups1 after upsOnBattery (v2c), rules kept"

# --- colosla-trapd --check-config says so too ----------------------------------------------------
run "$trapd" --check-config --config "$work/colosla-trapd.conf"
expect_rc 1
expect_has "$err" "$work/rules/zz-broken.json:8: /colosla-trap-rules:trap-rules/rule[name='broken']/match/trap-oid: " "stderr"

# --- colosla rules validate: the same file refused with file, line and path ----------------------
run "$colosla" rules validate "$work/rules/zz-broken.json"
expect_rc 1
expect_has "$err" "$work/rules/zz-broken.json:8: /colosla-trap-rules:trap-rules/rule[name='broken']/match/trap-oid: " "stderr"
run "$colosla" rules validate "$src/rules/apc-powernet-ups.json"
expect_rc 0
expect_eq "$out" "$src/rules/apc-powernet-ups.json: valid (PowerNet-MIB 4.0.5, 7 rules)"
run "$colosla" rules list "$src/rules/apc-powernet-ups.json"
expect_rc 0
expect_has "$out" "apc-ups-on-battery: upsOnBattery 1.3.6.1.4.1.318.0.5 => ups battery" "rules list"

# --- fixed again: SIGHUP loads it ----------------------------------------------------------------
sed -i 's/"\.1\.3\.6/"1.3.6/' "$work/rules/zz-broken.json"
kill -HUP "$pid"
wait_for 20 grep -q "17 trap rules loaded" "$log" || { show_log; fail "the fixed rule file was not loaded"; }

# A CyberPower powerRestored as snmptrapd gives it to a traphandle (trap-handler below too).
cat >"$work/traphandle.txt" <<'IN'
127.0.0.2
UDP: [127.0.0.2]:40183->[127.0.0.1]:162
.1.3.6.1.2.1.1.3.0 74848
.1.3.6.1.6.3.1.1.4.1.0 .1.3.6.1.4.1.3808.0.9
.1.3.6.1.4.1.3808.2.2.3.0 "Utility power restored, return from backup mode."
IN
# --- colosla rules test: the real snmptrap's trap, sent to the command itself; nothing stored ------
run "$colosla" --db "$db" rules test --device ups1 --rules "$src/rules" -- \
  -v 1 -c public '' 1.3.6.1.4.1.318 192.0.2.5 6 5 '' "$text" s "UPS: On battery power."
expect_rc 0
expect_has "$out" "read by: rule apc-ups-on-battery (upsOnBattery) in $src/rules/apc-powernet-ups.json:" "rules test (v1, AGENT given)"
expect_has "$out" "observation: ups ups1 battery" "rules test (v1)"
expect_has "$out" "poll to confirm: no" "rules test (v1)"
run "$colosla" --db "$db" rules test --device ups1 --rules "$src/rules" -- \
  -v 2c -c public '' 1.3.6.1.4.1.318.0.9 "$text" s "UPS: No longer on battery power."
expect_rc 0
expect_has "$out" "read by: rule apc-ups-power-restored (powerRestored)" "rules test (v2c, no AGENT)"
expect_has "$out" "observation: ups ups1 normal" "rules test (v2c)"
expect_has "$out" "poll to confirm: yes" "rules test (v2c)"
# A trap the device's plugin declares: the plugin reads it, not a rule.
run "$colosla" --db "$db" rules test --device ups1 --rules "$src/rules" -- \
  -v 2c -c public '' 1.3.6.1.2.1.33.2.1
expect_rc 0
expect_has "$out" "read by: plugin ups-mib" "rules test (UPS-MIB upsTrapOnBattery)"
# Nothing reads it: exit 1, and why.
run "$colosla" --db "$db" rules test --device ups1 --rules "$src/rules" -- \
  -v 2c -c public '' 1.3.6.1.4.1.99999.0.1
expect_rc 1
expect_has "$out" "read by: nothing" "rules test (unknown trap)"
expect_has "$out" "plugin ups-mib does not translate 1.3.6.1.4.1.99999.0.1" "rules test (unknown trap)"
# The trap as snmptrapd hands it to a traphandle.
run_in "$work/traphandle.txt" "$colosla" --db "$db" rules test --device cps1 --rules "$src/rules" --text
expect_rc 0
expect_has "$out" "read by: rule cps-ups-power-restored" "rules test --text"
expect_has "$out" "observation: ups cps1 normal" "rules test --text"
# Usage: no trap, both forms, words snmptrap cannot read, an unknown device.
run "$colosla" --db "$db" rules test --device ups1
expect_rc 2
run "$colosla" --db "$db" rules test --device ups1 --text -- -v 2c -c public '' 1.3.6.1.4.1.318.0.5
expect_rc 2
run "$colosla" --db "$db" rules test --device ups1 -- -v 2c -c public '' 1.3.6.1.4.1.318.0.5 1.3.6.1.4.1.318.2.3.3.0 s
expect_rc 2
run "$colosla" --db "$db" rules test --device nosuch -- -v 2c -c public '' 1.3.6.1.4.1.318.0.5
expect_rc 2
expect_has "$err" 'no device "nosuch"' "stderr"
run "$colosla" rules --help
expect_has "$out" "rules test --device D" "colosla rules --help"
expect_eq "$(q "SELECT count(*) FROM observation_view WHERE device = 'ups-b12'")" 0 "observations before the README's trap"

# --- README "Adding a vendor", as written: its rule file (taken from the README), validate, test,
# install beside the rules in force ($work/rules stands for /etc/colosla/rules), reload, trap ------
awk '/^## Adding a vendor/ {f = 1} f && /^```json/ {g = 1; next} g && /^```/ {exit} g' \
  "$src/README.md" >"$work/eaton-xups.json"
cd "$work"
run "$colosla" rules validate eaton-xups.json
expect_rc 0
expect_eq "$out" "eaton-xups.json: valid (XUPS-MIB 3.00, 1 rule)"
run "$colosla" --db "$db" rules test --device ups-b12 --rules eaton-xups.json -- \
  -v 1 -c public 1.3.6.1.4.1.534.1.11.4.1 192.0.2.31 6 3 ''
expect_rc 0
expect_has "$out" "read by: rule site-xups-on-battery (xupstdOnBattery) in eaton-xups.json:4 (XUPS-MIB 3.00)" "the README's rules test"
expect_has "$out" "observation: ups ups-b12 battery" "the README's rules test"
expect_has "$(awk '/^## Adding a vendor/ {f = 1} f && /^## Building/ {exit} f' "$src/README.md" | tr '\n' ' ')" \
  "read by: rule site-xups-on-battery (xupstdOnBattery) in eaton-xups.json:4 (XUPS-MIB 3.00)" "the README"
cd - >/dev/null
expect_eq "$(q "SELECT count(*) FROM observation_view WHERE device = 'ups-b12'")" 0 "observations after rules test (nothing stored)"
install -D -m 0644 "$work/eaton-xups.json" "$work/rules/eaton-xups.json"
kill -HUP "$pid"
wait_for 20 grep -q "18 trap rules loaded" "$log" || { show_log; fail "the README's rule file was not loaded"; }
snmptrap -v1 -c public "127.0.0.1:$port" 1.3.6.1.4.1.534.1.11.4.1 127.0.0.3 6 3 ''
wait_for 20 has "SELECT 1 FROM observation_view WHERE device = 'ups-b12' AND source = 'trap'" \
  || { show_log; fail "the README's xupstdOnBattery was not stored"; }
expect_eq "$(q "SELECT kind, state FROM observation_view WHERE device = 'ups-b12' AND source = 'trap'")" "ups|battery" "ups-b12"
# The README's configuration: the package's rules and the site's, two `rules` keys.
install -D -m 0644 "$work/eaton-xups.json" "$work/site-rules/eaton-xups.json"
sed "s|^rules = .*|rules = $src/rules\nrules = $work/site-rules|" "$work/colosla-trapd.conf" >"$work/two-rules.conf"
expect_eq "$(grep -c "^rules = " "$work/two-rules.conf")" 2 "rules keys"
run "$trapd" --check-config --config "$work/two-rules.conf"
expect_rc 0

stop_test_trapd 30

# --- colosla trap-handler (snmptrapd's traphandle) reads the same rules --------------------------
run_in "$work/traphandle.txt" "$colosla" --db "$db" trap-handler --rules "$src/rules"
expect_rc 0
expect_eq "$(q "SELECT state FROM observation_view WHERE device = 'cps1' AND source = 'trap' ORDER BY seq DESC LIMIT 1")" \
  "normal" "cps1 after powerRestored through trap-handler"
echo "ok: trap rules"
