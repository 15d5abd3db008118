#!/usr/bin/env bash
# v2c relays (issue 17): the real snmptrap and snmpinform, sent from 127.0.0.1 (a trusted relay,
# trap-relay) with snmpTrapAddress.0 naming a device of the inventory at 192.0.2.x, which is not
# the sender: the observation is that device's, and its origin names the relay and the device.
# The same from 127.0.0.2 (no relay; Linux answers every 127/8 address) is not the named
# device's: 127.0.0.2 is edge1 in the inventory, and the trap is edge1's own; snmpTrapAddress.0
# is ignored and counted (trapd.relay.untrusted). --check-config names a bad trap-relay's line.
# usage: trapd_relay.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
. "$src/tests/integration/trapd_lib.sh"
require_tools snmptrap snmpinform sqlite3 python3

write_inventory "$(v2c_device rack1-sw switch 192.0.2.21 if-mib)" \
  "$(v2c_device rack2-sw switch 192.0.2.22 if-mib)" "$(v2c_device edge1 switch 127.0.0.2 if-mib)"
# Nothing runs beside the receiver (no polls of 192.0.2.x, no evaluation, no probes).
trapd_config "poll-interval = 0" "evaluate-interval = 0" "probe = false" "netconf-listen = false" \
  "# snmptrapd forwarding on this host: trusted to say which device sent a trap" \
  "trap-relay = 127.0.0.1" "trap-relay = 198.51.100.0/24"

# --- --check-config: a bad trap-relay is named with its file and line -----------------------
cp "$work/colosla-trapd.conf" "$work/bad.conf"
echo "trap-relay = 192.0.2.1/24" >>"$work/bad.conf"
line=$(wc -l <"$work/bad.conf")
out=$("$trapd" --check-config --config "$work/bad.conf" 2>&1) && fail "--check-config accepted trap-relay = 192.0.2.1/24"
expect_has "$out" "$work/bad.conf:$line: trap-relay: \"192.0.2.1/24\" is not an address or a network" "--check-config"

start_test_trapd
obs() { q "SELECT device, item, state, source FROM observation_view WHERE $1 ORDER BY seq"; }

linkdown() {  # linkdown FROM IFINDEX NAME SNMPTRAPADDRESS: a v2c linkDown relayed for a device
  snmptrap -v2c -c public --clientaddr="$1" "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.3 \
    1.3.6.1.2.1.2.2.1.1."$2" i "$2" 1.3.6.1.2.1.2.2.1.8."$2" i 2 1.3.6.1.2.1.31.1.1.1.1."$2" s "$3" \
    1.3.6.1.6.3.18.1.3.0 a "$4"
}

# --- from the trusted relay: the device is rack1-sw --------------------------------------------
linkdown 127.0.0.1 3 ge-0/0/3 192.0.2.21
wait_for 20 has "SELECT 1 FROM observation_view WHERE item = 'ge-0/0/3'" || { show_log; fail "the relayed linkDown was not stored"; }
expect_eq "$(obs "item = 'ge-0/0/3'")" "rack1-sw|ge-0/0/3|down|trap" "the relayed linkDown"
origin=$(q "SELECT origin FROM observation_view WHERE item = 'ge-0/0/3'")
expect_has "$origin" "udp:127.0.0.1:" "the relayed linkDown's origin (the relay)"
expect_has "$origin" "relay for 192.0.2.21" "the relayed linkDown's origin (the device)"
wait_for 20 stat_is trapd.relay.trusted 1 || { show_log; fail "trapd.relay.trusted is $(stat_of trapd.relay.trusted), not 1"; }

# --- a v2c inform from the relay: answered (snmpinform exits 0 only then), rack2-sw's --------
run snmpinform -v2c -c public -t 5 -r 3 "127.0.0.1:$port" '' 1.3.6.1.6.3.1.1.5.4 \
  1.3.6.1.2.1.2.2.1.1.4 i 4 1.3.6.1.2.1.2.2.1.8.4 i 1 1.3.6.1.2.1.31.1.1.1.1.4 s ge-0/0/4 \
  1.3.6.1.6.3.18.1.3.0 a 192.0.2.22
expect_rc 0
expect_eq "$(obs "item = 'ge-0/0/4'")" "rack2-sw|ge-0/0/4|up|trap" "the relayed inform"

# --- from 127.0.0.2, no relay: not rack1-sw's, but edge1's own; the varbind is counted ------
linkdown 127.0.0.2 5 ge-0/0/5 192.0.2.21
wait_for 20 has "SELECT 1 FROM observation_view WHERE item = 'ge-0/0/5'" || { show_log; fail "the trap from 127.0.0.2 was not stored"; }
expect_eq "$(obs "item = 'ge-0/0/5'")" "edge1|ge-0/0/5|down|trap" "the trap from an untrusted sender"
expect_eq "$(q "SELECT count(*) FROM observation_view WHERE device = 'rack1-sw' AND item = 'ge-0/0/5'")" "0" \
  "observations of rack1-sw from 127.0.0.2"
expect_eq "$(q "SELECT count(*) FROM observation_view WHERE item = 'ge-0/0/5' AND origin LIKE '%relay%'")" "0" \
  "the untrusted trap's origin"
wait_for 20 stat_is trapd.relay.untrusted 1 || { show_log; fail "trapd.relay.untrusted is $(stat_of trapd.relay.untrusted), not 1"; }
wait_for 20 grep -q "snmpTrapAddress.0 192.0.2.21 from 127.0.0.2 ignored" "$log" \
  || { show_log; fail "the ignored snmpTrapAddress.0 was not logged at debug"; }

# --- a relay naming an address no device has: an unknown source, not the relay's ------------
linkdown 127.0.0.1 6 ge-0/0/6 192.0.2.99
wait_for 20 stat_is trapd.rejected.unknown-source 1 || { show_log; fail "the trap for 192.0.2.99 was not an unknown source"; }
expect_eq "$(q "SELECT count(*) FROM observation_view WHERE item = 'ge-0/0/6'")" "0" "observations of ge-0/0/6"
expect_eq "$(stat_of trapd.relay.trusted)" "3" "trapd.relay.trusted"

stop_test_trapd 20
echo "trapd_relay: ok"
