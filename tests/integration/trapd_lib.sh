# Helpers of the tests that send traps to colosla-trapd (trap_rules*.sh, trapd_*.sh), sourced
# after lib.sh by a test called with BUILD_DIR SOURCE_DIR in $build and $src. It sets $colosla
# and $trapd (the programs built), $port (a free UDP port for colosla-trapd on 127.0.0.1) and $db
# (the store); start_test_trapd sets $log and $pid.
colosla=$build/apps/colosla/colosla
trapd=$build/apps/colosla-trapd/colosla-trapd
port=$(free_udp_port)
db=$work/colosla.db

# v2c_device NAME ROLE ADDRESS PLUGIN [PORT [COMMUNITY]]: an inventory device, SNMP v2c with
# COMMUNITY (default public), its agent at PORT when given (else 161).
v2c_device() {
  printf '{"name":"%s","role":"%s","address":"%s","plugin":"%s",\n   "snmp":{"version":"v2c","community":"%s"%s}}' \
    "$1" "$2" "$3" "$4" "${6:-public}" "${5:+,\"port\":$5}"
}
# write_inventory DEVICE...: $work/inventory.json, these devices (v2c_device) and no contract.
write_inventory() {
  local devices="" d
  for d in "$@"; do
    devices+="${devices:+,$'\n'  }$d"
  done
  printf '{"colosla-inventory:inventory":{\n "device":[\n  %s]}}\n' "$devices" >"$work/inventory.json"
}

# trapd_config LINE...: $work/colosla-trapd.conf: listen on udp:127.0.0.1:$port, the store $db,
# the inventory $work/inventory.json, the state directory $work/state, then each LINE.
trapd_config() {
  printf '%s\n' "listen = udp:127.0.0.1:$port" "db = $db" "inventory = $work/inventory.json" \
    "state-dir = $work/state" "$@" >"$work/colosla-trapd.conf"
}
# start_test_trapd: colosla-trapd with that configuration (start_trapd), logging to $log.
start_test_trapd() {
  log=$work/trapd.log
  start_trapd "$trapd" "$work/colosla-trapd.conf" "$log" "udp:127.0.0.1:$port"
}
# stop_test_trapd SECONDS: SIGTERM; it must have ended within SECONDS, with exit status 0.
stop_test_trapd() {
  local code
  kill -TERM "$pid"
  wait_for "$1" bash -c "! kill -0 $pid 2>/dev/null" || { show_log; fail "colosla-trapd did not stop on SIGTERM"; }
  set +e
  wait "$pid"
  code=$?
  set -e
  expect_eq "$code" 0 "exit status after SIGTERM"
}
show_log() { cat "$log" >&2; }
# send ADDRESS SNMPTRAP-ARGS...: one trap from that loopback address, community public.
send() { local from=$1; shift; snmptrap -c public --clientaddr="$from" "$@"; }

# The store: q SQL prints its rows; has SQL: a row; count_is SQL N: its one value is N.
q() { sqlite3 "$db" "$1"; }
has() { [ -n "$(q "$1")" ]; }
count_is() { [ "$(q "$1")" = "$2" ]; }
# trap_states KIND DEVICE ITEM: the entity's states from traps, oldest first, on one line.
trap_states() {
  q "SELECT state FROM observation_view WHERE kind = '$1' AND device = '$2' AND item = '$3'
     AND source = 'trap' ORDER BY seq" | paste -sd' '
}
# colosla stats: stat_of NAME prints the counter (0 when absent); stat_is NAME N; at_least NAME N.
stat_of() { "$colosla" --db "$db" stats --format json | python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', 0))"; }
stat_is() { [ "$(stat_of "$1")" = "$2" ]; }
at_least() { [ "$(stat_of "$1")" -ge "$2" ]; }
