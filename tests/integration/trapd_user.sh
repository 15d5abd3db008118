#!/usr/bin/env bash
# colosla-trapd --user, as snmptrapd -u: started as root in a private network namespace, it binds
# udp:127.0.0.1:162 and writes its pid file as root, then becomes an unprivileged user with
# CAP_NET_RAW alone (probe = true: the prober's ICMP) or no capability at all (probe = false).
# Its children (the prober, colosla evaluate) run as that user with the same capabilities, and
# the store and its key it makes are that user's. A user that does not exist, or a store the user
# cannot write, is refused at start with a message that says so.
# usage: trapd_user.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
if [ "$(id -u)" -ne 0 ]; then
  echo "trapd_user: skipped (needs root)"
  exit 0
fi
if [ -z "${COLOSLA_TEST_NETNS:-}" ]; then
  command -v unshare >/dev/null || { echo "FAIL: unshare is missing (util-linux)" >&2; exit 1; }
  exec unshare -n env COLOSLA_TEST_NETNS=1 bash "$0" "$@"
fi
. "$src/tests/integration/lib.sh"
for tool in ip snmptrap sqlite3 python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/deps installs it)"
done
ip link set lo up
colosla=$build/apps/colosla/colosla
trapd=$build/apps/colosla-trapd/colosla-trapd

# The Debian package's user when it is installed; else a system user of the tests' own.
user=colosla
if ! id "$user" >/dev/null 2>&1; then
  user=colosla-test
  id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$user" 2>/dev/null || id "$user" >/dev/null 2>&1 ||
    fail "cannot create the user $user"
fi
uid=$(id -u "$user") gid=$(id -g "$user")
# The user reaches its directory and the inventory, not the configuration (it holds secrets).
chmod 0711 "$work"
mkdir "$work/data"
chown "$user:" "$work/data"
chmod 0700 "$work/data"
db=$work/data/colosla.db
python3 - "$src/examples/inventory.json" >"$work/inventory.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for d in doc["colosla-inventory:inventory"]["device"]:
    if d["name"] == "sw1":
        d["address"] = "127.0.0.1"
# The prober pings 127.0.0.1: in a new network namespace ping sockets are off
# (net.ipv4.ping_group_range), so only a raw socket, CAP_NET_RAW's, can.
c001 = doc["colosla-inventory:inventory"]["contract"][0]
c001["probe-target"] = [{"address": "127.0.0.1", "service": ["icmp"]}]
assert '"probe-interval-seconds": 300' in json.dumps(c001), "the example inventory's C-001 moved"
print(json.dumps(doc).replace('"probe-interval-seconds": 300', '"probe-interval-seconds": 10'))
sys.exit(0)
print(json.dumps(doc))
PY
chmod 0644 "$work/inventory.json"

# config PROBE: the configuration, root's alone
config() {
  cat >"$work/colosla-trapd.conf" <<CONF
listen = udp:127.0.0.1:162
db = $db
inventory = $work/inventory.json
state-dir = $work/state
pid-file = $work/colosla-trapd.pid
user = $user
poll-interval = 0
netconf-listen = false
evaluate-interval = 1
probe = $1
probe-timeout = 500
CONF
  chmod 0600 "$work/colosla-trapd.conf"
}
log=$work/trapd.log
start() {
  : >"$log"
  "$trapd" --config "$work/colosla-trapd.conf" --foreground >"$log" 2>&1 &
  pid=$!
  cleanup_hooks+=("kill -KILL $pid 2>/dev/null")
  wait_for 30 grep -q "listening on udp:127.0.0.1:162" "$log" || { cat "$log" >&2; fail "colosla-trapd did not start"; }
}
stop() {
  kill "$pid"
  wait "$pid" || fail "colosla-trapd ended with $?: $(cat "$log")"
}
field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
# expect_process PID WHAT CAPS: PID runs as the user, its groups the user's, with CAPS
expect_process() {
  expect_eq "$(field "$1" Uid)" "$uid" "$2: Uid"
  expect_eq "$(awk '$1 == "Uid:" { print $2 $3 $4 $5 }' "/proc/$1/status")" "$uid$uid$uid$uid" "$2: real, effective, saved, fs uid"
  expect_eq "$(awk '$1 == "Gid:" { print $2 $3 $4 $5 }' "/proc/$1/status")" "$gid$gid$gid$gid" "$2: gids"
  for c in CapPrm CapEff CapAmb; do
    expect_eq "$(field "$1" $c)" "$3" "$2: $c"
  done
  expect_eq "$(field "$1" NoNewPrivs)" 1 "$2: NoNewPrivs (no exec gains a privilege)"
  expect_eq "$(awk '$1 == "Groups:" { $1 = ""; print }' "/proc/$1/status" | tr ' ' '\n' | sort -n | xargs)" \
    "$(id -G "$user" | tr ' ' '\n' | sort -n | xargs)" "$2: groups (initgroups)"
}
child() { pgrep -f -- "--db $db $1" | head -n 1; }
has_child() { [ -n "$(child "$1")" ]; }
stored() { sqlite3 "$db" "SELECT count(*) FROM observation_view WHERE item = '$1'"; }
has_item() { [ "$(stored "$1")" -gt 0 ]; }

# --- 1. probe = true: CAP_NET_RAW alone, for the daemon and its children ----------------------
config true
start
expect_eq "$(cat "$work/colosla-trapd.pid")" "$pid" "the pid file"
expect_eq "$(stat -c %U "$work/colosla-trapd.pid")" root "the pid file's owner (written before the drop)"
expect_process "$pid" colosla-trapd 0000000000002000
wait_for 30 has_child prober || { cat "$log" >&2; fail "no prober"; }
expect_process "$(child prober)" "the prober" 0000000000002000
wait_for 30 has_child evaluate || { cat "$log" >&2; fail "no colosla evaluate"; }
expect_process "$(child evaluate)" "colosla evaluate" 0000000000002000
# The prober, as the user, pings with its CAP_NET_RAW.
icmp() { sqlite3 "$db" "SELECT state FROM observation_view WHERE kind = 'probe' AND device = '127.0.0.1' AND item = 'icmp' ORDER BY seq DESC LIMIT 1"; }
icmp_passed() { [ "$(icmp)" = pass ]; }
wait_for 30 icmp_passed || { cat "$log" >&2; fail "the prober's ping of 127.0.0.1: '$(icmp)', not pass"; }
# A trap on udp:162, stored by the user.
snmptrap -v2c -c public 127.0.0.1:162 '' 1.3.6.1.6.3.1.1.5.3 \
  1.3.6.1.2.1.2.2.1.1.1 i 1 1.3.6.1.2.1.31.1.1.1.1.1 s ge-0/0/1
wait_for 30 has_item ge-0/0/1 || { cat "$log" >&2; fail "the trap was not stored"; }
for f in "$db" "$db.key"; do
  expect_eq "$(stat -c '%U %a' "$f")" "$user 600" "owner and mode of $f"
done
expect_eq "$(stat -c %U "$work/state")" "$user" "the owner of the state directory"
stop
expect_lacks "$(cat "$log")" "cannot" "the log"
# Started again on the user's store and state; killed (-9), its children, started as the user
# with CAP_NET_RAW, end with it all the same (PR_SET_PDEATHSIG survives their exec).
start
wait_for 30 has_child prober || { cat "$log" >&2; fail "no prober after a restart"; }
wait_for 30 has_child evaluate || { cat "$log" >&2; fail "no colosla evaluate after a restart"; }
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
none_left() { ! has_child prober && ! has_child evaluate; }
wait_for 30 none_left || fail "left behind by a killed colosla-trapd: $(pgrep -af -- "--db $db")"

# --- 2. probe = false: no capability at all -----------------------------------------------------
config false
start
expect_process "$pid" colosla-trapd 0000000000000000
wait_for 30 has_child evaluate || { cat "$log" >&2; fail "no colosla evaluate"; }
expect_process "$(child evaluate)" "colosla evaluate" 0000000000000000
has_child prober && fail "a prober with probe = false"
stop

# --- 3. refusals: no such user; a store the user cannot write ---------------------------------
run "$trapd" --config "$work/colosla-trapd.conf" --foreground --user colosla-no-such-user
expect_rc 1
expect_has "$err" 'no such user "colosla-no-such-user"'
mkdir "$work/rootonly"
chmod 0755 "$work/rootonly"
run "$trapd" --config "$work/colosla-trapd.conf" --foreground --db "$work/rootonly/colosla.db"
expect_rc 1
expect_has "$err" "$work/rootonly (owner root, mode 0755) is not writable (to create the store $work/rootonly/colosla.db in it) by user $user"
[ ! -e "$work/rootonly/colosla.db" ] || fail "a store was made where the user cannot write"
run "$trapd" --config "$work/colosla-trapd.conf" --foreground --state-dir "$work/rootonly"
expect_rc 1
expect_has "$err" "$work/rootonly (owner root, mode 0755) is not writable (the SNMPv3 engine's boots are saved there) by user $user"
echo "trapd_user: ok"
