#!/usr/bin/env bash
# colosla-trapd with NETCONF devices, against the tests' own NETCONF server (tests/netconf) on a
# Unix socket. First polls only: the polls store the switch's and the power shelf's states, a
# change without a notification, and `unknown` while the server refuses connections. Then the
# notification listeners: link and power notifications become observations at their eventTime;
# a dropped session is reconnected, and what happened while it was down comes back through the
# replay (a flap that a fresh read could not see); a killed listener is started again; SIGTERM
# stops every child.
# usage: netconf_daemon.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is not installed (scripts/deps installs it)"
colosla=$build/apps/colosla/colosla
trapd=$build/apps/colosla-trapd/colosla-trapd
export COLOSLA_YANG_PATH=$src/tests/data/yang  # the openconfig stand-in, for the server's modules

sock=$work/nc.sock
start_netconf_server "$build/tests/netconf/colosla-test-netconf-server" "$src" "$sock"
db=$work/colosla.db
cat >"$work/inventory.json" <<JSON
{"colosla-inventory:inventory":{
 "device":[
  {"name":"nsw1","role":"switch","address":"127.0.0.1","plugin":"ietf-interfaces","netconf":{"transport":"unix","socket":"$sock"}},
  {"name":"shelf1","role":"pdu","address":"127.0.0.1","plugin":"ietf-hardware","netconf":{"transport":"unix","socket":"$sock"}}],
 "contract":[]}}
JSON

q() { sqlite3 "$db" "$1"; }
has() { [ -n "$(q "$1")" ]; }
# latest DEVICE ITEM: the entity's last stored state and source.
latest() { q "SELECT state || ' ' || source FROM observation_view WHERE device = '$1' AND item = '$2' ORDER BY seq DESC LIMIT 1"; }
is_now() { [ "$(latest "$1" "$2")" = "$3" ]; }
log=$work/trapd.log
port=$(free_udp_port)

# start_trapd EXTRA-CONFIG-LINES: colosla-trapd in the foreground, its children's log lines in its own.
start_trapd() {
  {
    echo "listen = udp:127.0.0.1:$port"
    echo "db = $db"
    echo "inventory = $work/inventory.json"
    echo "state-dir = $work/state"
    echo "netconf-timeout = 3"
    printf '%s\n' "$@"
  } >"$work/colosla-trapd.conf"
  : >"$log"
  "$trapd" --config "$work/colosla-trapd.conf" --foreground --log-level debug >>"$log" 2>&1 &
  trapd_pid=$!
  cleanup_hooks+=("kill -KILL $trapd_pid 2>/dev/null; pkill -KILL -f 'colosla --db $db' 2>/dev/null")
  wait_for 20 grep -q "listening on udp:127.0.0.1:$port" "$log" || { cat "$log" >&2; fail "colosla-trapd did not start"; }
}
stop_trapd() {
  kill -TERM "$trapd_pid"
  wait_for 20 bash -c "! kill -0 $trapd_pid 2>/dev/null" || fail "colosla-trapd did not stop"
  wait "$trapd_pid" 2>/dev/null || true
  ! pgrep -f "colosla --db $db" >/dev/null || fail "children of colosla-trapd are left: $(pgrep -af "colosla --db $db")"
}
logged() { grep -qF -- "$1" "$log"; }

# -- 1. Polls only -------------------------------------------------------------------------------
start_trapd "poll-interval = 2" "netconf-listen = false"
wait_for 20 is_now nsw1 eth2 "down netconf" || { cat "$log" >&2; fail "no poll stored nsw1's eth2"; }
wait_for 20 is_now shelf1 PSU2 "on netconf" || { cat "$log" >&2; fail "no poll stored shelf1's PSU2"; }
expect_eq "$(latest nsw1 eth0)" "up netconf" "nsw1 eth0 after the first poll"
expect_eq "$(q "SELECT origin FROM observation_view WHERE device = 'nsw1' AND item = 'eth0'")" "netconf:unix:$sock"
expect_has "$(q "SELECT evidence FROM observation_view WHERE device = 'nsw1' AND item = 'eth2'")" \
  "netconf read netconf:unix:$sock: oper-status down"

# A change the server does not announce: the next poll finds it.
control if eth1 down
wait_for 20 is_now nsw1 eth1 "down netconf" || fail "no poll stored eth1 down"
# A device that stops answering: unknown (never down or off), and back after it answers.
control refuse on
wait_for 20 is_now shelf1 PSU1 "unknown netconf" || { cat "$log" >&2; fail "shelf1 did not become unknown"; }
wait_for 20 is_now nsw1 eth0 "unknown netconf" || fail "nsw1 did not become unknown"
expect_has "$(q "SELECT evidence FROM observation_view WHERE device = 'shelf1' AND state = 'unknown' LIMIT 1")" \
  "no answer to a poll: cannot connect to $sock"
control refuse off
wait_for 20 is_now nsw1 eth0 "up netconf" || fail "nsw1 eth0 did not come back"
wait_for 20 is_now shelf1 PSU1 "on netconf" || fail "shelf1 PSU1 did not come back"
logged "netconf-listen" && fail "a NETCONF listener ran with netconf-listen = false"
stop_trapd

# -- 2. Notifications ----------------------------------------------------------------------------
start_trapd "poll-interval = 0"
wait_for 30 grep -q "netconf nsw1: subscribed to notifications" "$log" || { cat "$log" >&2; fail "nsw1's listener did not subscribe"; }
wait_for 30 grep -q "netconf shelf1: subscribed to notifications" "$log" || { cat "$log" >&2; fail "shelf1's listener did not subscribe"; }
# It knew nsw1's last change, so it asked for a replay from then.
expect_has "$(grep "netconf nsw1: subscribed" "$log")" "replay from"

control notify-link eth2 up
wait_for 20 is_now nsw1 eth2 "up netconf" || { cat "$log" >&2; fail "the link-up notification was not stored"; }
expect_has "$(q "SELECT evidence FROM observation_view WHERE device = 'nsw1' AND item = 'eth2' ORDER BY seq DESC LIMIT 1")" \
  "notification interfaces-notifications:link-up eventTime "
control notify-psu PSU2 disabled
wait_for 20 is_now shelf1 PSU2 "off netconf" || { cat "$log" >&2; fail "the power loss was not stored"; }
expect_has "$(q "SELECT evidence FROM observation_view WHERE device = 'shelf1' AND item = 'PSU2' ORDER BY seq DESC LIMIT 1")" \
  "notification ietf-hardware:hardware-state-oper-disabled"

# The sessions drop and the server cannot be reached for a while; meanwhile eth1 comes up and
# goes down again. The listeners find the device unknown, reconnect, and the replay brings the
# flap back with its own times, in order.
control refuse on
control drop
wait_for 20 is_now nsw1 eth0 "unknown netconf" || { cat "$log" >&2; fail "the listener did not mark nsw1 unknown"; }
unknown_at=$(q "SELECT time FROM observation_view WHERE device = 'nsw1' AND item = 'eth1' ORDER BY seq DESC LIMIT 1")
control notify-link eth1 up
sleep 1.2  # the server's eventTimes are whole seconds
control notify-link eth1 down
expect_has "$(tail -n 1 "$work/server.out")" "sent=0"  # nobody listened
control refuse off
wait_for 30 grep -q "^replayed [1-9]" "$work/server.out" || { cat "$log" >&2; fail "no replay was asked for"; }
wait_for 20 is_now nsw1 eth1 "down netconf" || { cat "$log" >&2; fail "the replayed link-down was not stored"; }
flap=$(q "SELECT state FROM observation_view WHERE device = 'nsw1' AND item = 'eth1' AND time >= $unknown_at ORDER BY seq")
expect_eq "$(tr '\n' ' ' <<<"$flap")" "unknown up down " "eth1's history across the outage"
up_at=$(q "SELECT time FROM observation_view WHERE device = 'nsw1' AND item = 'eth1' AND state = 'up' ORDER BY seq DESC LIMIT 1")
down_at=$(q "SELECT time FROM observation_view WHERE device = 'nsw1' AND item = 'eth1' AND state = 'down' ORDER BY seq DESC LIMIT 1")
[ "$up_at" -lt "$down_at" ] || fail "the replayed up ($up_at) is not before the down ($down_at)"
expect_has "$(q "SELECT evidence FROM observation_view WHERE device = 'nsw1' AND item = 'eth1' AND time = $up_at")" \
  "notification interfaces-notifications:link-up"
# After the replay, the full state: eth0 is up again.
wait_for 20 is_now nsw1 eth0 "up netconf" || fail "nsw1 eth0 was not read again after the reconnect"

# A listener that dies is started again.
subscriptions() { grep -c "netconf nsw1: subscribed" "$log"; }
more_subscriptions() { [ "$(subscriptions)" -gt "$1" ]; }
before=$(subscriptions)
pkill -KILL -f "colosla --db $db netconf-listen --device nsw1"
wait_for 30 logged "the NETCONF listener of nsw1 ended (signal 9); starting it again in 10 s" ||
  { cat "$log" >&2; fail "colosla-trapd did not notice its listener died"; }
wait_for 25 more_subscriptions "$before" || { cat "$log" >&2; fail "the listener was not started again"; }

stop_trapd
logged "netconf nsw1: stopping" || fail "nsw1's listener was not stopped cleanly"
logged "netconf shelf1: stopping" || fail "shelf1's listener was not stopped cleanly"
echo "netconf_daemon: ok"
