#!/usr/bin/env bash
# Poll rules as data: colosla poll reads a UPS without UPS-MIB (an APC card, recorded for
# snmpsimd with PowerNet-MIB's upsBasicOutputStatus only) through the shipped rule files'
# poll rules, chosen by the device's sysObjectID.0; a changed value changes the stored state.
# colosla rules test --poll polls the same way and says which rules matched and what they would
# observe, storing nothing; rules test --sys-object-id lists the rules that apply to an OID.
# usage: poll_rules.sh COLOSLA SOURCE_DIR
colosla=$1 src=$2
. "$src/tests/integration/lib.sh"
require_tools snmpsimd snmpget sqlite3

sim=$(free_udp_port)
rec=$src/tests/data/snmpsim
printf '%s\n' '1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10' '1.3.6.1.2.1.1.5.0|4|net-snmp' >"$work/other.snmprec"
start_snmpsim "$work/sim" "$sim" "$rec/apc-ups.snmprec" "$rec/pdu.snmprec" "$rec/switch.snmprec" "$work/other.snmprec"

cat >"$work/inventory.json" <<JSON
{"colosla-inventory:inventory":{
 "device":[
  {"name":"ups2","role":"ups","address":"127.0.0.1","plugin":"rules","snmp":{"community":"apc-ups","port":$sim}},
  {"name":"not-apc","role":"ups","address":"127.0.0.1","plugin":"rules","snmp":{"community":"other","port":$sim}},
  {"name":"apc-pdu","role":"ups","address":"127.0.0.1","plugin":"rules","snmp":{"community":"pdu","port":$sim}},
  {"name":"no-id","role":"ups","address":"127.0.0.1","plugin":"rules","snmp":{"community":"switch","port":$sim}},
  {"name":"rpdu","role":"pdu","address":"127.0.0.1","plugin":"rules","snmp":{"community":"pdu","port":$sim}}],
 "contract":[
  {"id":"C-001","customer":"X","service":"colocation","signed":"2026-10-30","start":"2026-11-01T00:00:00+08:00",
   "monthly-fee":"100.00","power-source":[{"device":"ups2"}]}]}}
JSON
db=$work/store.db
c() { run "$colosla" --db "$db" "$@"; }
state() { sqlite3 "$db" "SELECT state FROM observation_view WHERE kind='ups' AND device='$1' ORDER BY seq DESC LIMIT 1"; }
c inventory load "$work/inventory.json"
expect_rc 0

# README "Adding a vendor": rules test --poll of an APC card, as the README says it (ups-a1 there).
c rules test --device ups2 --poll --rules "$src/rules" --timeout 1000 --retries 0
expect_rc 0
readme=$(awk '/^## Adding a vendor/ {f = 1} f && /^## Building/ {exit} f' "$src/README.md" | tr '\n' ' ')
expect_has "$readme" "$(grep '^observation: ' <<<"$out" | sed 's/ups2/ups-a1/')" "the README"
expect_has "$readme" "$(grep '^sysObjectID: ' <<<"$out")" "the README"
expect_has "$readme" "rules test --device ups-a1 --poll" "the README"
expect_has "$readme" "rules test --sys-object-id 1.3.6.1.4.1.318.1.3.27 " "the README"
expect_eq "$(state ups2)" "" "ups2 after rules test --poll (nothing stored)"

# onLine(2): normal, by the APC rule file's poll rule.
c poll --device ups2 --rules "$src/rules" --timeout 1000 --retries 0
expect_rc 0
expect_has "$out" "ups2: 1 state; 1 change recorded: ups ups2 normal since"
expect_eq "$(state ups2)" "normal" "ups2 on line"
expect_has "$(sqlite3 "$db" "SELECT evidence FROM observation_view WHERE device='ups2'")" \
  "upsBasicOutputStatus = 2 (poll rule apc-ups-output-status)" "evidence"

# The UPS goes on battery: onBattery(3) -> battery (snmpsimd rereads a changed file).
sleep 1.1  # a new mtime
sed -i 's/^1.3.6.1.4.1.318.1.1.1.4.1.1.0|2|2$/1.3.6.1.4.1.318.1.1.1.4.1.1.0|2|3/' "$work/sim/data/apc-ups.snmprec"
wait_for 30 bash -c "snmpget -v2c -c apc-ups -On -Oqv 127.0.0.1:$sim 1.3.6.1.4.1.318.1.1.1.4.1.1.0 | grep -qx 3" \
  || fail "snmpsimd did not pick up the changed recording"
# rules test --poll reads battery, and stores nothing: the poll after it still records the change.
rows=$(store_rows "$db")
c rules test --device ups2 --poll --rules "$src/rules" --timeout 1000 --retries 0
expect_rc 0
expect_has "$(first_line "$out")" "device: ups2 (plugin rules, " "rules test --poll"
expect_has "$out" "sysObjectID: 1.3.6.1.4.1.318.1.3.27" "rules test --poll"
expect_has "$out" "poll rule: apc-ups-output-status in $src/rules/apc-powernet-ups.json:" "rules test --poll"
expect_has "$out" " (PowerNet-MIB 4.0.5): upsBasicOutputStatus 1.3.6.1.4.1.318.1.1.1.4.1.1.0 on sysObjectID 1.3.6.1.4.1.318 => ups map: 1=unknown 2=normal 3=battery" "rules test --poll"
expect_eq "$(grep -c '^poll rule: ' <<<"$out")" 1 "poll rules matching ups2"
expect_has "$out" "observation: ups ups2 battery (upsBasicOutputStatus = 3 (poll rule apc-ups-output-status))" "rules test --poll"
expect_eq "$(grep -c '^observation: ' <<<"$out")" 1 "observations of rules test --poll"
expect_eq "$(tail -n 1 <<<"$out")" "nothing stored" "rules test --poll"
expect_eq "$(store_rows "$db")" "$rows" "the store after rules test --poll"
expect_eq "$(state ups2)" "normal" "ups2 after rules test --poll"
c poll --device ups2 --rules "$src/rules" --timeout 1000 --retries 0
expect_rc 0
expect_has "$out" "ups2: 1 state; 1 change recorded: ups ups2 battery since"
expect_eq "$(state ups2)" "battery" "ups2 on battery"

# A value the map does not list is said, and changes nothing.
sleep 1.1
sed -i 's/^1.3.6.1.4.1.318.1.1.1.4.1.1.0|2|3$/1.3.6.1.4.1.318.1.1.1.4.1.1.0|2|99/' "$work/sim/data/apc-ups.snmprec"
wait_for 30 bash -c "snmpget -v2c -c apc-ups -On -Oqv 127.0.0.1:$sim 1.3.6.1.4.1.318.1.1.1.4.1.1.0 | grep -qx 99" \
  || fail "snmpsimd did not pick up the changed recording"
c poll --device ups2 --rules "$src/rules" --timeout 1000 --retries 0
expect_rc 3
expect_has "$out" "ups2: the answer could not be read: upsBasicOutputStatus = 99 is not in poll rule apc-ups-output-status's state map"
expect_eq "$(state ups2)" "battery" "ups2 after an unmapped value"

# A device no poll rule matches (Net-SNMP's sysObjectID): said, nothing stored.
c poll --device not-apc --rules "$src/rules" --timeout 1000 --retries 0
expect_rc 3
expect_has "$out" "not-apc: the answer could not be read: no poll rule in force matches its sysObjectID"
expect_eq "$(state not-apc)" "" "nothing for a device no rule reads"
# An APC product without upsBasicOutputStatus (a rack PDU): the UPS rule matches, the agent says
# no; alone, the answer cannot be read; beside the rack PDU file's outlet column, it is not a UPS.
c poll --device apc-pdu --rules "$src/rules/apc-powernet-ups.json" --timeout 1000 --retries 0
expect_rc 3
expect_has "$out" "apc-pdu: the answer could not be read: the agent has no upsBasicOutputStatus (1.3.6.1.4.1.318.1.1.1.4.1.1.0)"
c poll --device apc-pdu --rules "$src/rules" --timeout 1000 --retries 0
expect_rc 0
expect_has "$out" "apc-pdu: 4 states; 4 changes recorded: outlet apc-pdu 1 on since"
expect_eq "$(sqlite3 "$db" "SELECT count(*) FROM observation_view WHERE device = 'apc-pdu' AND kind = 'ups'")" 0 \
  "UPS observations of a rack PDU"
# An agent without sysObjectID.0.
c poll --device no-id --rules "$src/rules" --timeout 1000 --retries 0
expect_rc 3
expect_has "$out" "no-id: the answer could not be read: it has no sysObjectID.0, by which poll rules match"

# rules test --poll: no rule matches, no sysObjectID.0; a site's column rule, one outlet a row.
rows=$(store_rows "$db")
c rules test --device not-apc --poll --rules "$src/rules" --timeout 1000 --retries 0
expect_rc 1
expect_has "$out" "sysObjectID: 1.3.6.1.4.1.8072.3.2.10" "rules test --poll not-apc"
expect_has "$out" "poll rule: none matches (" "rules test --poll not-apc"
expect_has "$out" "answer: could not be read: no poll rule in force matches its sysObjectID 1.3.6.1.4.1.8072.3.2.10" "rules test --poll not-apc"
c rules test --device no-id --poll --rules "$src/rules" --timeout 1000 --retries 0
expect_rc 1
expect_lacks "$out" "sysObjectID: " "rules test --poll no-id"
expect_has "$out" "answer: could not be read: it has no sysObjectID.0, by which poll rules match" "rules test --poll no-id"
cat >"$work/site-pdu.json" <<'JSON'
{"colosla-trap-rules:trap-rules":{"mib":{"name":"PowerNet-MIB","revision":"4.0.5"},
 "poll":[
  {"name":"site-rpdu-outlets","object":"rPDUOutletStatusOutletState","sys-object-id":"1.3.6.1.4.1.318.1.3.4",
   "column":"1.3.6.1.4.1.318.1.1.12.3.5.1.1.4","entity":{"outlet":{"suffix-position":1}},
   "state-map":{"value":[{"equals":"1","state":"on"},{"equals":"2","state":"off"}]}}]}}
JSON
c rules test --device rpdu --poll --rules "$work/site-pdu.json" --timeout 1000 --retries 0
expect_rc 0
expect_has "$out" "sysObjectID: 1.3.6.1.4.1.318.1.3.4.5" "rules test --poll rpdu"
expect_has "$out" "poll rule: site-rpdu-outlets in $work/site-pdu.json:3 (PowerNet-MIB 4.0.5): rPDUOutletStatusOutletState 1.3.6.1.4.1.318.1.1.12.3.5.1.1.4 (column) on sysObjectID 1.3.6.1.4.1.318.1.3.4 => outlet by the row's index map: 1=on 2=off" "rules test --poll rpdu"
expect_eq "$(grep '^observation: ' <<<"$out")" "observation: outlet rpdu 1 on (rPDUOutletStatusOutletState.1 = 1 (poll rule site-rpdu-outlets))
observation: outlet rpdu 2 on (rPDUOutletStatusOutletState.2 = 1 (poll rule site-rpdu-outlets))
observation: outlet rpdu 3 on (rPDUOutletStatusOutletState.3 = 1 (poll rule site-rpdu-outlets))
observation: outlet rpdu 4 off (rPDUOutletStatusOutletState.4 = 2 (poll rule site-rpdu-outlets))" "rules test --poll rpdu"
expect_eq "$(store_rows "$db")" "$rows" "the store after rules test --poll of three devices"

# rules test --sys-object-id: the rules for an OID, no device and no store.
run "$colosla" --db "$work/none.db" rules test --sys-object-id 1.3.6.1.4.1.318.1.3.27 --rules "$src/rules"
expect_rc 0
expect_eq "$(first_line "$out")" "sysObjectID: 1.3.6.1.4.1.318.1.3.27" "rules test --sys-object-id"
expect_has "$out" "poll rule: apc-ups-output-status in $src/rules/apc-powernet-ups.json:" "rules test --sys-object-id"
[ ! -e "$work/none.db" ] || fail "rules test --sys-object-id made a store"
run "$colosla" rules test --sys-object-id 1.3.6.1.4.1.8072.3.2.10 --rules "$src/rules"
expect_rc 1
expect_has "$out" "poll rule: none matches (" "rules test --sys-object-id (no rule)"
run "$colosla" rules test --sys-object-id 1.3.6.1.4.1.318.1.3.4 --rules "$work/site-pdu.json"
expect_rc 0
expect_has "$out" "poll rule: site-rpdu-outlets in $work/site-pdu.json:3" "rules test --sys-object-id (site file)"
run "$colosla" rules test --sys-object-id iso.3.6 --rules "$src/rules"
expect_rc 2
expect_has "$err" "--sys-object-id: not a numeric OID: \"iso.3.6\"" "rules test --sys-object-id iso.3.6"
run "$colosla" --db "$db" rules test --device ups2 --poll --rules "$src/rules" -- -v 2c -c public '' 1.3.6.1.4.1.318.0.9
expect_rc 2
expect_has "$err" "--poll and --sys-object-id take no trap" "rules test --poll with a trap"

# colosla rules list shows the poll rule.
run "$colosla" rules list "$src/rules/apc-powernet-ups.json"
expect_rc 0
expect_has "$out" "  poll apc-ups-output-status: upsBasicOutputStatus 1.3.6.1.4.1.318.1.1.1.4.1.1.0 on sysObjectID 1.3.6.1.4.1.318 => ups map: 1=unknown 2=normal 3=battery"

# A bad rule file: no device polled, the problem with its file and line.
printf '{"colosla-trap-rules:trap-rules":{"mib":{"name":"X","revision":"1"},\n"poll":[{"name":"p"}]}}\n' >"$work/bad.json"
c poll --device ups2 --rules "$work/bad.json" --timeout 1000 --retries 0
expect_rc 1
expect_has "$err" "$work/bad.json:2: /colosla-trap-rules:trap-rules/poll[name='p']/object: \"object\" is missing"
expect_has "$err" "the rule files are not valid; no device polled"

# The simulator stops: the UPS becomes unknown, never off.
stop_snmpsim "$work/sim"
rows=$(store_rows "$db")
c rules test --device ups2 --poll --rules "$src/rules" --timeout 500 --retries 0
expect_rc 3
expect_has "$out" "answer: none: no answer from udp:127.0.0.1:$sim" "rules test --poll of a silent device"
expect_eq "$(store_rows "$db")" "$rows" "the store after rules test --poll of a silent device"
c poll --device ups2 --rules "$src/rules" --timeout 500 --retries 0
expect_rc 3
expect_eq "$(state ups2)" "unknown" "ups2 after it went silent"
echo "ok: poll-rules"
