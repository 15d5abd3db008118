#!/usr/bin/env bash
# colosla-trapd as an operator expects it: it tells systemd (sd_notify on NOTIFY_SOCKET) READY=1
# once it answers on its port, RELOADING=1 then READY=1 around a SIGHUP, STOPPING=1 at the end;
# --check-config exits 0, or 1 with FILE:LINE: KEY: message of the first error (as nginx -t), and
# a start names the line too; a store whose secrets key is missing is refused at start, by name.
# usage: trapd_operator.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
for tool in snmpinform sqlite3 python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/deps installs it)"
done
colosla=$build/apps/colosla/colosla
trapd=$build/apps/colosla-trapd/colosla-trapd
port=$(free_udp_port)
db=$work/colosla.db
python3 - "$src/examples/inventory.json" >"$work/inventory.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for d in doc["colosla-inventory:inventory"]["device"]:
    if d["name"] == "sw1":
        d["address"] = "127.0.0.1"
print(json.dumps(doc))
PY
conf=$work/colosla-trapd.conf
cat >"$conf" <<CONF
# colosla-trapd for trapd_operator.sh
listen = udp:127.0.0.1:$port
db = $db
inventory = $work/inventory.json
state-dir = $work/state
poll-interval = 0
netconf-listen = false
probe = false
evaluate-interval = 0
CONF

# --- 1. --check-config ------------------------------------------------------------------------
run "$trapd" --check-config --config "$conf"
expect_rc 0
expect_eq "$out" "configuration OK"
[ ! -e "$db" ] || fail "--check-config made the store"
cp "$conf" "$work/bad.conf"
printf 'problem-log-rate = 5\nbudget-warning = 200\n' >>"$work/bad.conf"
run "$trapd" --check-config --config "$work/bad.conf"
expect_rc 1
expect_eq "$err" "$work/bad.conf:11: budget-warning: must be a percent from 1 to 100"
expect_eq "$out" ""
# A start says the same, after the program's name.
run timeout 60 "$trapd" --config "$work/bad.conf" --foreground
expect_rc 1
expect_eq "$err" "colosla-trapd: $work/bad.conf:11: budget-warning: must be a percent from 1 to 100"
cp "$conf" "$work/bad.conf"
printf 'poll-intervall = 5\n' >>"$work/bad.conf"
run "$trapd" --check-config --config "$work/bad.conf"
expect_rc 1
expect_eq "$err" "$work/bad.conf:10: poll-intervall: unknown key (colosla-trapd --help lists them)"
cp "$conf" "$work/bad.conf"
printf 'commit-batch = lots\n' >>"$work/bad.conf"
run "$trapd" --check-config --config "$work/bad.conf"
expect_rc 1
expect_has "$err" "$work/bad.conf:10: commit-batch: "
# An SNMPv3 user that Net-SNMP refuses is named by its line, without its pass phrases.
cp "$conf" "$work/bad.conf"
printf 'create-user = gooduser SHA goodauth123 AES goodpriv123\ncreate-user = baduser SHA sEcReT7\n' >>"$work/bad.conf"
run timeout 60 "$trapd" --config "$work/bad.conf" --foreground
expect_rc 1
expect_has "$err" "colosla-trapd: $work/bad.conf:11: create-user: baduser: not [-e ENGINEID] USER"
expect_lacks "$err" sEcReT7
[ ! -e "$db" ] || fail "a start with a bad create-user made the store"
# A port that is taken: the listen line that names it.
python3 -c 'import socket, sys, time; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1]))); print("bound", flush=True); time.sleep(60)' \
  "$port" >"$work/taker.out" &
taker=$!
cleanup_hooks+=("kill $taker 2>/dev/null")
wait_for 10 grep -q bound "$work/taker.out" || fail "the test could not take port $port"
run timeout 60 "$trapd" --config "$conf" --foreground
expect_rc 1
expect_has "$err" "colosla-trapd: $conf:2: listen: cannot listen on udp:127.0.0.1:$port: Address already in use"
kill "$taker"
wait "$taker" 2>/dev/null || true
run "$trapd" --check-config --config "$conf" --community secret
expect_rc 1
expect_has "$err" "--community holds a secret"
# The inventory the configuration names is checked too: its file, line and path.
sed "s|^inventory = .*|inventory = $src/tests/data/bad-inventory/02-port-unknown-device.json|" "$conf" >"$work/bad.conf"
run "$trapd" --check-config --config "$work/bad.conf"
expect_rc 1
expect_has "$err" "02-port-unknown-device.json:"
expect_has "$err" "/colosla-inventory:inventory/contract[id='C-001']/port[device='sw9'][interface='ge-0/0/1']/device"
expect_has "$err" "names no device"

# --- 2. sd_notify -------------------------------------------------------------------------------
# The test's own NOTIFY_SOCKET: each message one line; at each READY=1, an inform to the port,
# and whether it was answered.
notes=$work/notify.out
python3 - "$work/notify" "$port" "$notes" >"$work/notify.err" 2>&1 <<'PY' &
import socket, subprocess, sys
path, port, out = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
n = 0
with open(out, "a", buffering=1) as f:
    while True:
        message = s.recv(4096).decode()
        f.write(message.replace("\n", " ") + "\n")
        if message.startswith("READY=1"):
            n += 1
            inform = subprocess.run(
                ["snmpinform", "-v2c", "-c", "public", "-t", "5", "-r", "0", "127.0.0.1:" + port, "",
                 "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.2.1.2.2.1.1.%d" % n, "i", str(n),
                 "1.3.6.1.2.1.31.1.1.1.1.%d" % n, "s", "ge-0/0/%d" % n],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            f.write("inform %s\n" % ("answered" if inform.returncode == 0 else "not answered"))
PY
listener=$!
cleanup_hooks+=("kill $listener 2>/dev/null")
wait_for 10 test -S "$work/notify" || fail "the notification socket was not made: $(cat "$work/notify.err")"
log=$work/trapd.log
NOTIFY_SOCKET=$work/notify "$trapd" --config "$conf" --foreground >"$log" 2>&1 &
pid=$!
cleanup_hooks+=("kill -KILL $pid 2>/dev/null")
lines_past() { [ "$(wc -l <"$notes" 2>/dev/null || echo 0)" -ge "$1" ]; }
show() { printf 'notifications:\n%s\nlog:\n%s\n' "$(cat "$notes" 2>/dev/null)" "$(cat "$log")" >&2; }
wait_for 30 lines_past 2 || { show; fail "no READY=1 and answer"; }
starts_with() { [ "${1#"$2"}" != "$1" ] || { show; fail "expected $3 to start with '$2', got '$1'"; }; }
starts_with "$(sed -n 1p "$notes")" "READY=1 STATUS=listening on udp:127.0.0.1:$port" "the first notification"
expect_eq "$(sed -n 2p "$notes")" "inform answered" "an inform at READY=1"
kill -HUP "$pid"
wait_for 30 lines_past 4 || { show; fail "no RELOADING=1 and READY=1 after SIGHUP"; }
sed -n 3p "$notes" | grep -Eqx 'RELOADING=1 MONOTONIC_USEC=[0-9]+' || { show; fail "not RELOADING=1 with MONOTONIC_USEC"; }
starts_with "$(sed -n 4p "$notes")" "READY=1 STATUS=listening on udp:127.0.0.1:$port" "the notification after the reload"
wait_for 30 lines_past 5 || { show; fail "no inform after the reload"; }
expect_eq "$(sed -n 5p "$notes")" "inform answered" "an inform after the reload"
kill "$pid"
wait "$pid" || { show; fail "colosla-trapd ended with $?"; }
wait_for 10 lines_past 6 || { show; fail "no STOPPING=1"; }
expect_eq "$(sed -n 6p "$notes")" "STOPPING=1" "the last notification"
expect_eq "$(wc -l <"$notes")" 6 "notifications"

# --- 3. a store with sealed secrets and no key: refused at start, the key named ---------------
# (Without inventory = FILE: loading an inventory file makes a new key and seals with it.)
sed '/^inventory = /d' "$conf" >"$work/noinventory.conf"
mv "$db.key" "$work/elsewhere.key"
run timeout 60 "$trapd" --config "$work/noinventory.conf" --foreground
expect_rc 1
expect_has "$err" "$db.key"
expect_has "$err" "no secrets key"
# A key that is not the store's is refused too (its sealed values do not open).
run "$colosla" --db "$work/other.db" inventory load "$work/inventory.json" --by test
expect_rc 0
run timeout 60 "$trapd" --config "$work/noinventory.conf" --foreground --secrets-key "$work/other.db.key"
expect_rc 1
expect_has "$err" "cannot read the inventory's secrets"
echo "trapd_operator: ok"
