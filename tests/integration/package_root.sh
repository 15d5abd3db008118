#!/usr/bin/env bash
# package.sh's scratch root, run inside its own mount, network and PID namespaces (unshare):
# an overlay of / whose changes land in ROOT/upper, the packages installed there with dpkg, the
# unit's command run as its user with its capabilities, a trap received and stored, a purge.
# Everything it starts ends with it (the PID namespace), and its mounts with the mount namespace.
# usage: package_root.sh SOURCE_DIR ROOT DEBS_DIR
src=$1 root=$2 debs=$3
. "$src/tests/integration/lib.sh"

m=$root/merged
mount -t overlay overlay -o "lowerdir=/,upperdir=$root/upper,workdir=$root/wk" "$m" ||
  fail "cannot mount an overlay of / (overlayfs)"
mount -t proc proc "$m/proc"
mount --rbind /dev "$m/dev"
mount --rbind /sys "$m/sys"
mount -t tmpfs -o mode=0755 tmpfs "$m/run"
mount -t tmpfs -o mode=1777 tmpfs "$m/tmp"
ip link set lo up
ip addr add 192.0.2.10/32 dev lo   # sw1 of the example inventory sends from here

daemon_pid= notify_pid=
teardown() {
  [ -z "$daemon_pid" ] || kill -KILL "$daemon_pid" 2>/dev/null || true
  [ -z "$notify_pid" ] || kill "$notify_pid" 2>/dev/null || true
  umount -R -l "$m" 2>/dev/null || true
}
cleanup_hooks+=(teardown)

path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin   # systemd's default PATH
in_root() { chroot "$m" env -i PATH=$path LANG=C.UTF-8 HOME=/root "$@"; }
as_colosla() { in_root runuser -u colosla -- "$@"; }
mode_of() { in_root stat -c '%a %U %G' "$1"; }   # names as the root has them

# --- install --------------------------------------------------------------------------------
mkdir -p "$m/tmp/debs"
cp "$debs"/colosla_*.deb "$debs"/monitoring-plugins-colosla_*.deb "$m/tmp/debs/"
# man-db would rebuild its index for the new pages at every install: not needed here.
echo 'man-db man-db/auto-update boolean false' | in_root debconf-set-selections
run in_root sh -c 'DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/debs/*.deb'
expect_rc 0

# Files where the packages put them.
for f in /usr/bin/colosla /usr/sbin/colosla-trapd /usr/lib/nagios/plugins/check_colosla \
  /usr/share/colosla/notify/colosla-zabbix-notify; do
  [ -x "$m$f" ] || fail "$f is not installed (executable)"
done
for f in /usr/share/colosla/yang/colosla-inventory.yang /usr/share/colosla/yang/colosla-events.yang \
  /usr/share/colosla/mibs/COLOSLA-MIB.txt /usr/share/colosla/zabbix/zabbix-template-colosla.yaml \
  /usr/share/colosla/yang/colosla-trap-rules.yang /usr/share/colosla/rules/apc-powernet-ups.json \
  /usr/share/colosla/rules/cyberpower-ups.json \
  /usr/share/colosla/rules/eaton-xups.json /usr/share/colosla/rules/mge-ups.json \
  /usr/share/colosla/rules/liebert-gp.json /usr/share/colosla/rules/eaton-epdu.json \
  /usr/share/colosla/rules/raritan-px2.json /usr/share/colosla/rules/raritan-px.json \
  /usr/share/colosla/rules/servertech-sentry3.json /usr/share/colosla/rules/servertech-sentry4.json \
  /usr/share/colosla/examples/inventory.json /usr/share/colosla/examples/colosla-trapd.conf \
  /usr/share/man/man1/colosla.1.gz /usr/share/man/man8/colosla-trapd.8.gz \
  /usr/share/man/man1/check_colosla.1.gz /lib/systemd/system/colosla-trapd.service \
  /etc/colosla/colosla-trapd.conf /usr/share/doc/colosla/copyright; do
  [ -f "$m$f" ] || fail "$f is not installed"
done
if [ -f "$src/examples/zabbix_agentd.d/colosla.conf" ]; then
  [ -f "$m/usr/share/colosla/zabbix/zabbix_agentd.d-colosla.conf" ] || fail "the Zabbix agent's items are not installed"
fi
for f in "$src"/examples/icinga2/*.conf; do
  [ -e "$f" ] || continue
  [ -f "$m/usr/share/colosla/icinga2/$(basename "$f")" ] || fail "icinga2/$(basename "$f") is not installed"
done
run in_root dpkg-query --control-show colosla conffiles
expect_has "$out" /etc/colosla/colosla-trapd.conf "colosla's conffiles"
grep -q SIGUSR1 <<<"$(zcat "$m/usr/share/man/man8/colosla-trapd.8.gz")" || fail "colosla-trapd(8) says nothing of SIGUSR1"

# The user and groups the maintainer scripts made, and who owns what.
run in_root id colosla
expect_rc 0
expect_has "$out" "gid=$(in_root getent group colosla | cut -d: -f3)(colosla)" "colosla's primary group"
uid=$(in_root id -u colosla)
[ "$uid" -lt 1000 ] || fail "colosla is not a system user (uid $uid)"
in_root getent group colosla-monitor >/dev/null || fail "no group colosla-monitor"
expect_eq "$(in_root getent passwd colosla | cut -d: -f7)" /usr/sbin/nologin "colosla's shell"
expect_eq "$(mode_of /var/lib/colosla)" "750 colosla colosla-monitor" "/var/lib/colosla"
expect_eq "$(mode_of /var/lib/colosla/status)" "2750 colosla colosla-monitor" "/var/lib/colosla/status"
expect_eq "$(mode_of /etc/colosla/colosla-trapd.conf)" "640 root colosla" "the configuration"
if in_root getent passwd nagios >/dev/null; then
  grep -qw colosla-monitor <<<"$(in_root id -nG nagios)" || fail "nagios did not join colosla-monitor"
fi

# --- the unit -------------------------------------------------------------------------------
unit=/lib/systemd/system/colosla-trapd.service
run in_root systemd-analyze verify "$unit"
expect_rc 0
expect_lacks "$out$err" "colosla-trapd.service:" "systemd-analyze verify"
key() { sed -n "s/^$1=//p" "$m$unit" | tail -n 1; }
user=$(key User) group=$(key Group) umask_=$(key UMask)
read -r -a exec_start <<<"$(key ExecStart)"
read -r -a exec_pre <<<"$(key ExecStartPre)"
read -r -a exec_reload <<<"$(key ExecReload)"
expect_eq "$user" colosla "the unit's User="
expect_eq "$(key NoNewPrivileges)" yes "the unit's NoNewPrivileges="
# CAP_NET_RAW CAP_FOO -> +net_raw,+foo (setpriv) and the bit mask /proc/PID/status shows.
caps_of() { local c out= ; for c in $1; do c=${c#CAP_}; out+="${out:+,}+${c,,}"; done; echo "$out"; }
mask_of() {
  local c n mask=0
  for c in $1; do
    n=$(awk -v c="$c" '$1 == "#define" && $2 == c { print $3 }' /usr/include/linux/capability.h)
    [ -n "$n" ] || fail "unknown capability $c"
    mask=$((mask | (1 << n)))
  done
  echo "$mask"
}
ambient=$(key AmbientCapabilities) bounding=$(key CapabilityBoundingSet)
allowed=$(mask_of "$bounding")
expect_eq "$(mask_of "$ambient")" "$allowed" "AmbientCapabilities= is CapabilityBoundingSet="
# What systemd makes before the start: RuntimeDirectory= and LogsDirectory=, owned by the user.
for d in "/run/$(key RuntimeDirectory):$(key RuntimeDirectoryMode)" "/var/log/$(key LogsDirectory):$(key LogsDirectoryMode)"; do
  install -d -o "$uid" -g "$(in_root id -g colosla)" -m "${d#*:}" "$m${d%:*}"
done

# The administrator's edit: receive on 127.0.0.1:162 only (the shipped file otherwise).
conf=$m/etc/colosla/colosla-trapd.conf
sed -e 's/^listen = .*//' -e 's/^inventory = .*//' "$m/usr/share/colosla/examples/colosla-trapd.conf" >"$work/conf"
{ echo "listen = udp:127.0.0.1:162"; cat "$work/conf"; } >"$conf"   # keeps its owner and mode
expect_eq "$(mode_of /etc/colosla/colosla-trapd.conf)" "640 root colosla" "the edited configuration"

# The example inventory, loaded by the daemon's user: the store and its key are its own.
run as_colosla colosla --db /var/lib/colosla/colosla.db inventory load /usr/share/colosla/examples/inventory.json --by noc
expect_rc 0
expect_eq "$(mode_of /var/lib/colosla/colosla.db)" "600 colosla colosla" "the store"
expect_eq "$(mode_of /var/lib/colosla/colosla.db.key)" "600 colosla colosla" "the store's key"

# as_unit CMD...: CMD as the unit runs it: its user and groups, umask, capabilities, no new
# privileges, systemd's environment (and a notification socket). Each program execs the next:
# a background as_unit's pid is CMD's.
unit_env=(chroot "$m" env -i PATH=$path LANG=C.UTF-8 NOTIFY_SOCKET=/run/notify.sock
  setpriv --reuid "$user" --regid "$group" --init-groups --inh-caps "$(caps_of "$ambient")"
  --ambient-caps "$(caps_of "$ambient")" --bounding-set "-all,$(caps_of "$bounding")" --no-new-privs --)
# MemoryDenyWriteExecute= as the kernel's own PR_SET_MDWE (Linux 6.3; kept across execve), when
# it has it: libyang, Net-SNMP and libssh must not need writable code.
if [ "$(key MemoryDenyWriteExecute)" = yes ] &&
  python3 -c 'import ctypes, sys; sys.exit(ctypes.CDLL(None).prctl(66, 0, 0, 0, 0) < 0)'; then
  unit_env+=(python3 -c 'import ctypes, os, sys
if ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) != 0: sys.exit("PR_SET_MDWE failed")
os.execv(sys.argv[1], sys.argv[1:])')
fi
as_unit() { umask "$umask_" && exec "${unit_env[@]}" "$@"; }
if grep -q -- --check-config <<<"$(in_root "${exec_start[0]}" --help 2>&1 || true)"; then
  run bash -c "$(declare -p unit_env umask_ exec_pre; declare -f as_unit); as_unit \"\${exec_pre[@]}\""
  expect_rc 0
  echo "package: ExecStartPre passed: ${exec_pre[*]}"
else
  echo "package: ${exec_start[0]} has no --check-config yet: ExecStartPre not run"
fi

# sd_notify's socket, as systemd listens on it for Type=notify.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
import os; os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "a") as out:
    print("bound", file=out, flush=True)
    while True:
        print(s.recv(4096).decode(errors="replace").replace("\n", " "), file=out, flush=True)
' "$m/run/notify.sock" "$work/notify.log" &
notify_pid=$!
wait_for 10 grep -q bound "$work/notify.log" || fail "the notification socket did not start"

log=$work/trapd.log
(as_unit "${exec_start[@]}") >"$log" 2>&1 &
daemon_pid=$!   # chroot, env and setpriv exec: this is colosla-trapd
show_log() { cat "$log" >&2; }
wait_for 30 grep -q "listening on udp:127.0.0.1:162" "$log" || { show_log; fail "colosla-trapd did not start"; }
if grep -aq "READY=1" "$m/usr/sbin/colosla-trapd"; then
  wait_for 10 grep -q "READY=1" "$work/notify.log" || { show_log; fail "no READY=1 on NOTIFY_SOCKET"; }
  echo "package: READY=1 on NOTIFY_SOCKET"
fi

# Its identity and capabilities, and its children's (the prober's ICMP needs CAP_NET_RAW).
status_of() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"; }
check_process() {  # check_process PID WHAT
  expect_eq "$(status_of "$1" Uid)" "$uid $uid $uid $uid" "$2's Uid"
  expect_eq "$(status_of "$1" NoNewPrivs)" "1" "$2's NoNewPrivs"
  local k v
  for k in CapEff CapPrm CapBnd CapAmb; do
    v=$((16#$(status_of "$1" "$k" | tr -d ' ')))
    [ $((v & ~allowed)) -eq 0 ] || fail "$2's $k is $(status_of "$1" "$k"), more than the unit's $bounding"
  done
}
check_process "$daemon_pid" colosla-trapd
wait_for 20 pgrep -P "$daemon_pid" -f " prober" || { show_log; pgrep -a -P "$daemon_pid" >&2; fail "the prober did not start"; }
for child in $(pgrep -P "$daemon_pid"); do
  check_process "$child" "child $(tr '\0' ' ' <"/proc/$child/cmdline" | cut -c1-60)"
done

# A linkDown from sw1 (192.0.2.10, community public) on its port ge-0/0/1, stored.
run in_root env MIBS= snmptrap -v2c -c public --clientaddr=192.0.2.10 127.0.0.1:162 '' 1.3.6.1.6.3.1.1.5.3 \
  1.3.6.1.2.1.2.2.1.1.1 i 1 1.3.6.1.2.1.2.2.1.7.1 i 1 1.3.6.1.2.1.2.2.1.8.1 i 2 \
  1.3.6.1.2.1.31.1.1.1.1.1 s ge-0/0/1
expect_rc 0
db=/var/lib/colosla/colosla.db
stored() {
  [ "$(as_colosla sqlite3 -readonly "$db" \
    "SELECT state FROM observation_view WHERE device = 'sw1' AND item = 'ge-0/0/1' AND source = 'trap'")" = down ]
}
wait_for 30 stored || { show_log; fail "the trap from sw1 was not stored"; }
run as_colosla colosla --db "$db" stats --format json
expect_rc 0
[ "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("trapd.observations-stored", 0))' "$out")" -ge 1 ] ||
  fail "colosla stats counts no stored observation: $out"

# ExecReload: SIGHUP.
run in_root "${exec_reload[@]/\$MAINPID/$daemon_pid}"
expect_rc 0
wait_for 20 grep -q "SIGHUP" "$log" || { show_log; fail "ExecReload did not reach colosla-trapd"; }
kill -0 "$daemon_pid" || { show_log; fail "colosla-trapd ended on SIGHUP"; }

# The figures it publishes are the monitoring group's; the store is not.
# (--help is read whole first: check_colosla's exits 3, and grep -q may end a pipe early.)
help_of() { in_root "$@" --help 2>&1 || true; }
if grep -q -- --status-dir <<<"$(help_of colosla evaluate)"; then
  wait_for 90 sh -c "ls -A '$m/var/lib/colosla/status' | grep -q ." || { show_log; fail "no figures published in /var/lib/colosla/status"; }
  for f in "$m"/var/lib/colosla/status/*; do
    expect_eq "$(mode_of "${f#"$m"}")" "640 colosla colosla-monitor" "${f#"$m"}"
  done
  echo "package: figures published: $(ls "$m/var/lib/colosla/status" | tr '\n' ' ')"
fi
if in_root getent passwd nagios >/dev/null; then
  run in_root runuser -u nagios -- ls /var/lib/colosla/status
  expect_rc 0
  # The packaged check, as Nagios runs it, from the published figures (once it reads them).
  if grep -q -- --status-dir <<<"$(help_of /usr/lib/nagios/plugins/check_colosla)"; then
    run in_root runuser -u nagios -- /usr/lib/nagios/plugins/check_colosla --contract C-001 -t 20
    [ "$rc" -le 2 ] || fail "check_colosla as nagios: UNKNOWN"
    expect_lacks "$out" public "check_colosla's output (sw1's community)"
    echo "package: check_colosla as nagios: exit $rc: $(first_line "$out")"
  fi
  run in_root runuser -u nagios -- cat "$db.key"
  [ "$rc" -ne 0 ] || fail "nagios can read the store's key"
  run in_root runuser -u nagios -- cat "$db"
  [ "$rc" -ne 0 ] || fail "nagios can read the store"
fi

# Stop (as systemd does: SIGTERM): it and all its children end.
kill -TERM "$daemon_pid"
wait_for 30 sh -c "! kill -0 $daemon_pid 2>/dev/null" || { show_log; fail "colosla-trapd did not stop on SIGTERM"; }
wait "$daemon_pid" 2>/dev/null || true
daemon_pid=
wait_for 30 sh -c "! pgrep -u $uid >/dev/null" || fail "processes of colosla left: $(pgrep -a -u "$uid")"

# --- purge ----------------------------------------------------------------------------------
cp "$m/usr/share/colosla/examples/inventory.json" "$m/etc/colosla/inventory.json"   # the administrator's
run in_root dpkg --purge colosla monitoring-plugins-colosla
expect_rc 0
for f in /var/lib/colosla /etc/colosla/colosla-trapd.conf /usr/sbin/colosla-trapd /usr/bin/colosla \
  /usr/lib/nagios/plugins/check_colosla /lib/systemd/system/colosla-trapd.service /var/log/colosla; do
  [ ! -e "$m$f" ] || fail "$f is still there after the purge"
done
[ -f "$m/etc/colosla/inventory.json" ] || fail "the purge removed the administrator's inventory"
run in_root dpkg-statoverride --list
expect_lacks "$out" colosla "the stat overrides after the purge"
# Debian leaves system users and groups in place (files elsewhere may still be theirs).
in_root getent passwd colosla >/dev/null || fail "the purge removed the user colosla"
