#!/usr/bin/env bash
# colosla poll and discover against the real peers on loopback: Net-SNMP's snmpd serving this
# machine's IF-MIB (v2c and SNMPv3 authPriv), and snmpsimd serving the recordings of
# tests/data/snmpsim (UPS-MIB, PowerNet-MIB rPDU and rPDU2, a switch with ifAlias labels).
# usage: poll.sh COLOSLA SOURCE_DIR
colosla=$1 src=$2
. "$src/tests/integration/lib.sh"
for tool in snmpd snmpsimd snmpget; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/deps installs it)"
done

agent=$(free_udp_port)
sim=$(free_udp_port)
start_snmpd "$work/snmpd" "$agent"
rec=$src/tests/data/snmpsim
start_snmpsim "$work/sim" "$sim" "$rec/ups.snmprec" "$rec/pdu.snmprec" "$rec/pdu2.snmprec" "$rec/switch.snmprec"
dead=$(free_udp_port)

cat >"$work/inventory.json" <<JSON
{"colosla-inventory:inventory":{
 "device":[
  {"name":"host","role":"switch","address":"127.0.0.1","plugin":"if-mib","snmp":{"community":"public","port":$agent}},
  {"name":"host-v3","role":"switch","address":"127.0.0.1","plugin":"if-mib",
   "snmp":{"version":"v3","user":"ciuser","auth-protocol":"sha","auth-password":"ciauthpass123",
           "priv-protocol":"aes","priv-password":"ciprivpass123","port":$agent}},
  {"name":"ups1","role":"ups","address":"127.0.0.1","plugin":"ups-mib","snmp":{"community":"ups","port":$sim}},
  {"name":"pdu1","role":"pdu","address":"127.0.0.1","plugin":"apc-pdu","snmp":{"community":"pdu","port":$sim}},
  {"name":"pdu2","role":"pdu","address":"127.0.0.1","plugin":"apc-pdu","snmp":{"community":"pdu2","port":$sim}},
  {"name":"sw-rec","role":"switch","address":"127.0.0.1","plugin":"if-mib","snmp":{"community":"switch","port":$sim}},
  {"name":"gone","role":"pdu","address":"127.0.0.1","plugin":"apc-pdu","snmp":{"community":"x","port":$dead}}],
 "contract":[
  {"id":"C-001","customer":"X","service":"colocation","signed":"2026-10-30","start":"2026-11-01T00:00:00+08:00",
   "monthly-fee":"100.00","port":[{"device":"host","interface":"lo"}],
   "power-source":[{"device":"ups1"},{"device":"pdu1","outlet":"4"},{"device":"gone","outlet":"2"}]}]}}
JSON
db=$work/store.db
c() { run "$colosla" --db "$db" "$@"; }
state() { sqlite3 "$db" "SELECT state FROM observation_view WHERE kind='$1' AND device='$2' AND item='$3' ORDER BY seq DESC LIMIT 1"; }
c inventory load "$work/inventory.json"
expect_rc 0

c poll --timeout 1000 --retries 0
expect_rc 3  # one device does not answer
expect_has "$out" "host: "
expect_has "$out" "gone: no answer from udp:127.0.0.1:$dead to a walk of 1.3.6.1.4.1.318.1.1.12.3.5.1.1.4 (1000 ms, 1 try)"
# The IF-MIB of this machine: lo is up; its name comes from ifName.
expect_eq "$(state port host lo)" "up" "host lo"
expect_eq "$(state port host-v3 lo)" "up" "host-v3 lo (SNMPv3 authPriv)"
expect_eq "$(sqlite3 "$db" "SELECT if_name FROM port_index WHERE device='host' AND if_index=1")" "lo" "port index"
# The recordings.
expect_eq "$(state ups ups1 '')" "normal" "ups1"
expect_eq "$(state outlet pdu1 4)" "off" "pdu1 outlet 4 (rPDU off(2))"
expect_eq "$(state outlet pdu1 1)" "on" "pdu1 outlet 1"
expect_eq "$(state outlet pdu2 8)" "on" "pdu2 outlet 8 (rPDU2 row 3, on(2))"
expect_eq "$(state outlet pdu2 2)" "off" "pdu2 outlet 2 (rPDU2 off(1))"
expect_eq "$(state inlet pdu2 '')" "on" "pdu2 inlet (phase voltage 230)"
expect_eq "$(state port sw-rec Gi1/0/3)" "down" "sw-rec Gi1/0/3 (lowerLayerDown)"
# A device that never answered: its power source is unknown, never off.
expect_eq "$(state outlet gone 2)" "unknown" "the silent PDU's outlet"
expect_has "$(sqlite3 "$db" "SELECT evidence FROM observation_view WHERE device='ups1'")" "upsOutputSource.0 = 3" "evidence"
# The recorded switch dates its Gi1/0/1 by ifLastChange: 100 s before the poll.
expect_eq "$(sqlite3 "$db" "SELECT received - time FROM observation_view WHERE device='sw-rec' AND item='Gi1/0/1'")" "100" \
  "ifLastChange dating"

# A second poll finds nothing new.
c poll --device ups1
expect_rc 0
expect_has "$out" "ups1: 1 state; 0 changes recorded"

# The UPS goes on battery: the next poll records it (snmpsimd rereads a changed file).
sleep 1.1  # a new mtime
sed -i 's/^1.3.6.1.2.1.33.1.4.1.0|2|3$/1.3.6.1.2.1.33.1.4.1.0|2|5/' "$work/sim/data/ups.snmprec"
wait_for 30 bash -c "snmpget -v2c -c ups -On -Oqv 127.0.0.1:$sim 1.3.6.1.2.1.33.1.4.1.0 | grep -qx 5" \
  || fail "snmpsimd did not pick up the changed recording"
c poll --device ups1
expect_rc 0
expect_has "$out" "ups1: 1 state; 1 change recorded: ups ups1 battery since"
expect_eq "$(state ups ups1 '')" "battery" "ups1 on battery"

# Port discovery from ifAlias labels, then applied.
c discover --device sw-rec
expect_rc 0
expect_has "$out" "Gi1/0/1"
expect_has "$out" "-> map to C-001"
expect_has "$out" "names C-002, which is not in the inventory"
expect_has "$out" "1 to map (--apply maps them)"
expect_eq "$(sqlite3 "$db" 'SELECT count(*) FROM mapping_change')" "0" "nothing mapped without --apply"
c discover --device sw-rec --apply --by noc
expect_rc 0
expect_has "$out" "mapped to C-001 (mapping change #1)"
expect_eq "$(sqlite3 "$db" "SELECT contract, device, interface, entered_by FROM mapping_change")" "C-001|sw-rec|Gi1/0/1|noc"
c discover --device sw-rec
expect_has "$out" "already mapped to C-001"

# The simulator stops: its devices become unknown, never off.
stop_snmpsim "$work/sim"
c poll --device pdu1 --timeout 500 --retries 0
expect_rc 3
expect_eq "$(state outlet pdu1 4)" "unknown" "pdu1 outlet 4 after the PDU went silent"
expect_eq "$(state outlet pdu1 1)" "unknown" "pdu1 outlet 1 after the PDU went silent"
c poll --device ups1 --timeout 500 --retries 0
expect_eq "$(state ups ups1 '')" "unknown" "ups1 after it went silent"

# SNMPv3 with a wrong privacy pass phrase: the agent cannot decrypt, so it does not answer.
sed -i 's/"priv-password":"ciprivpass123"/"priv-password":"not-the-key1"/' "$work/inventory.json"
c inventory load "$work/inventory.json"
c poll --device host-v3 --timeout 500 --retries 0
expect_rc 3
expect_has "$out" "with SNMPv3 a wrong privacy pass phrase looks like this too"
echo "ok: poll"
