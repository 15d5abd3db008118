#!/usr/bin/env bash
# colosla netconf-check against a real NETCONF server on a Unix socket: the tests' own server on
# libnetconf2's server API (tests/netconf), serving ietf-interfaces, openconfig-interfaces and
# ietf-hardware, whose states the test changes; then a server that stops answering mid-session.
# usage: netconf.sh COLOSLA SERVER SOURCE_DIR
colosla=$1 server=$2 src=$3
. "$src/tests/integration/lib.sh"

sock=$work/nc.sock
start_netconf_server "$server" "$src" "$sock"

cat >"$work/inventory.json" <<JSON
{"colosla-inventory:inventory":{
 "device":[
  {"name":"nsw1","role":"switch","address":"127.0.0.1","plugin":"ietf-interfaces","netconf":{"transport":"unix","socket":"$sock"}},
  {"name":"nsw2","role":"switch","address":"127.0.0.1","plugin":"openconfig-interfaces","netconf":{"transport":"unix","socket":"$sock"}},
  {"name":"shelf1","role":"pdu","address":"127.0.0.1","plugin":"ietf-hardware","netconf":{"transport":"unix","socket":"$sock"}},
  {"name":"nowhere","role":"switch","address":"127.0.0.1","plugin":"ietf-interfaces","netconf":{"transport":"unix","socket":"$work/none.sock"}},
  {"name":"sw1","role":"switch","address":"192.0.2.10","plugin":"if-mib"}],
 "uplink":[{"device":"nsw1","interface":"eth0"}],
 "contract":[]}}
JSON
db=$work/colosla.db
run "$colosla" --db "$db" inventory load "$work/inventory.json" --by test
expect_rc 0
nc() { run timeout -s KILL 60 "$colosla" --db "$db" netconf-check --yang-dir "$src/tests/data/yang" "$@"; }

nc --device nsw1
expect_rc 0
expect_has "$out" "nsw1: NETCONF session established"
expect_has "$out" "yes  notifications (RFC 5277)"
expect_has "$out" "yes  ietf-interfaces@2014-05-08"
expect_has "$out" "port nsw1 eth0 up (oper-status up"
expect_has "$out" "port nsw1 eth2 down (oper-status down"

control if eth1 down
control psu PSU2 disabled
nc --device nsw1
expect_rc 0
expect_has "$out" "port nsw1 eth1 down"
nc --device nsw2
expect_rc 0
expect_has "$out" "yes  openconfig-interfaces"
expect_has "$out" "port nsw2 eth1 down (state/oper-status DOWN"
expect_has "$out" "port nsw2 eth0 up (state/oper-status UP"
nc --device shelf1
expect_rc 0
expect_has "$out" "plugin ietf-hardware reads 2 states"
expect_has "$out" "outlet shelf1 PSU1 on (oper-state enabled)"
expect_has "$out" "outlet shelf1 PSU2 off (oper-state disabled)"
expect_lacks "$out" "fan1"

# Clear errors, no hang.
nc --device nowhere
expect_rc 3
expect_has "$err" "cannot connect to $work/none.sock"
nc --device sw1
expect_rc 1
expect_has "$err" "sw1 is read over SNMP, not NETCONF"
control stall 8
started=$SECONDS
nc --device nsw1 --timeout 2
expect_rc 3
expect_has "$err" "nsw1: no answer within 6 s"
[ $((SECONDS - started)) -lt 20 ] || fail "a stalled server held netconf-check for $((SECONDS - started)) s"
echo "netconf: ok"
