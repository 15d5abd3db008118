#!/usr/bin/env bash
# colosla netconf-check over SSH against Debian's yuma123 netconfd 2.13 (its ietf-interfaces SIL
# serves this machine's real interfaces, pre-NMDA /interfaces-state), behind a private sshd on a
# free 127.0.0.1 port: public-key login as root, password login as a test user; then a wrong
# password, a host key that is not the one in known_hosts, a host that is not in known_hosts,
# and each fails fast with a clear error. netconfd must survive all of it.
# Needs root (sshd, useradd); CI runs as root.
# usage: netconfd.sh COLOSLA SOURCE_DIR
colosla=$1 src=$2
if [ "$(id -u)" -ne 0 ]; then
  echo "netconfd: skipped (needs root for sshd)"
  exit 0
fi
. "$src/tests/integration/lib.sh"
for f in /usr/sbin/netconfd /usr/sbin/netconf-subsystem /usr/sbin/sshd; do
  [ -x "$f" ] || fail "$f is missing (scripts/deps installs netconfd and openssh-server)"
done
ls /usr/lib/*/yuma/libietf-interfaces.so >/dev/null 2>&1 \
  || fail "netconfd's ietf-interfaces SIL is missing (scripts/deps installs netconfd-module-ietf-interfaces)"
command -v ssh-keygen >/dev/null || fail "ssh-keygen is missing (scripts/deps installs openssh-client)"

port=$(free_tcp_port)
# The password user's netconf-subsystem must reach netconfd's socket in $work (mktemp made it 0700).
chmod 711 "$work"
mkdir -p "$work/bin" "$work/home" "$work/ssh"

# netconfd's ietf-interfaces SIL runs "get-interface-ipv4 IFNAME" and aborts (assert) when it is
# not on PATH; Debian does not ship it. Same as yuma123's helper script.
cat >"$work/bin/get-interface-ipv4" <<'SH'
#!/bin/sh
ip=$(ip -4 addr show "$1" | grep -oP '(?<=inet\s)\d+(\.\d+){3}' | head -n1)
[ -z "$ip" ] && exit 0
printf '<ipv4 xmlns="urn:ietf:params:xml:ns:yang:ietf-ip"><address><ip>%s</ip></address></ipv4>\n' "$ip"
SH
chmod 755 "$work/bin/get-interface-ipv4"

# Keys: the server's host key, the client's key (root logs in with it), a stranger's host key.
ssh-keygen -q -t ed25519 -N '' -C netconfd-host -f "$work/ssh/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -C colosla-client -f "$work/ssh/client_ed25519"
ssh-keygen -q -t ed25519 -N '' -C other-host -f "$work/ssh/other_ed25519"
cp "$work/ssh/client_ed25519.pub" "$work/ssh/authorized_keys"
kh=$work/known_hosts
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$work/ssh/host_ed25519.pub")" >"$kh"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$work/ssh/other_ed25519.pub")" >"$kh.wrong"
: >"$kh.empty"

# A user for password logins; removed again only if this test made it.
nc_user=colosla-nctest nc_pass="nc-pw-$RANDOM$RANDOM"
if ! id "$nc_user" >/dev/null 2>&1; then
  useradd -M -d /nonexistent -s /bin/sh "$nc_user"
  cleanup_hooks+=("userdel '$nc_user' 2>/dev/null")
fi
echo "$nc_user:$nc_pass" | chpasswd

# netconfd: empty configuration (--no-startup), this machine's interfaces. --port must name the
# port sshd listens on: netconf-subsystem reports it and netconfd refuses ports it was not given.
# HOME keeps its ~/.yuma in $work.
modules=(--module=ietf-interfaces)
if [ -n "$(find /usr/share/yuma/modules -name 'interfaces-notifications*.yang' -print -quit)" ]; then
  modules+=(--module=interfaces-notifications)
fi
sock=$work/ncxserver.sock
(cd "$work" && exec env PATH="$work/bin:$PATH" HOME="$work/home" netconfd --no-startup --superuser=root \
  "${modules[@]}" --port="$port" --ncxserver-sockname="$sock" \
  --log="$work/netconfd.log" --log-level=debug >"$work/netconfd.out" 2>&1) &
netconfd_pid=$!
cleanup_hooks+=("kill $netconfd_pid 2>/dev/null; wait $netconfd_pid 2>/dev/null")
wait_for 20 test -S "$sock" || fail "netconfd did not start: $(tail -n 20 "$work/netconfd.out" "$work/netconfd.log" 2>&1)"

mkdir -p /run/sshd # sshd's privilege separation directory (systemd makes it on a real host)
cat >"$work/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $work/ssh/host_ed25519
PidFile $work/sshd.pid
AuthorizedKeysFile $work/ssh/authorized_keys
# authorized_keys is under /tmp
StrictModes no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
LogLevel VERBOSE
Subsystem netconf /usr/sbin/netconf-subsystem --ncxserver-sockname=$port@$sock
CONF
/usr/sbin/sshd -t -f "$work/sshd_config" || fail "sshd refuses $work/sshd_config"
/usr/sbin/sshd -f "$work/sshd_config" -E "$work/sshd.log"
cleanup_hooks+=("stop_pidfile '$work/sshd.pid'")
tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
wait_for 20 tcp_open || fail "sshd does not listen on 127.0.0.1:$port: $(cat "$work/sshd.log")"

key=$work/ssh/client_ed25519
# ssh_device NAME NETCONF-MEMBERS: an ietf-interfaces switch at 127.0.0.1 over SSH.
ssh_device() {
  printf '{"name":"%s","role":"switch","address":"127.0.0.1","plugin":"ietf-interfaces",' "$1"
  printf '"netconf":{"transport":"ssh","port":%s,%s}}' "$port" "$2"
}
cat >"$work/inventory.json" <<JSON
{"colosla-inventory:inventory":{
 "device":[
  $(ssh_device ysw1 "\"username\":\"root\",\"private-key\":\"$key\",\"known-hosts\":\"$kh\""),
  $(ssh_device ysw-pw "\"username\":\"$nc_user\",\"password\":\"$nc_pass\",\"known-hosts\":\"$kh\""),
  $(ssh_device ysw-badpw "\"username\":\"$nc_user\",\"password\":\"not-$nc_pass\",\"known-hosts\":\"$kh\""),
  $(ssh_device ysw-badkey "\"username\":\"root\",\"private-key\":\"$key\",\"known-hosts\":\"$kh.wrong\""),
  $(ssh_device ysw-unknown "\"username\":\"root\",\"private-key\":\"$key\",\"known-hosts\":\"$kh.empty\""),
  $(ssh_device ysw-nofile "\"username\":\"root\",\"private-key\":\"$key\",\"known-hosts\":\"$work/none\""),
  $(ssh_device ysw-nokh "\"username\":\"root\",\"private-key\":\"$key\"")],
 "uplink":[],
 "contract":[]}}
JSON
db=$work/colosla.db
run "$colosla" --db "$db" inventory load "$work/inventory.json" --by test
expect_rc 0

# nc DEVICE: netconf-check with the default YANG directories (yuma's modules among them), killed
# after 60 s; it must end within 30 s. Notes the sshd log lines it caused in $sshd_lines.
since_mark() { tail -n +"$((mark + 1))" "$work/sshd.log"; }  # (mark: nc's)
connection_settled() { since_mark | grep -qE 'Accepted |Connection closed by|Disconnected from|Received disconnect from'; }
nc() {
  local t0 mark
  mark=$(wc -l <"$work/sshd.log")
  t0=$(date +%s%N)
  run timeout -s KILL 60 "$colosla" --db "$db" netconf-check --device "$1"
  took=$((($(date +%s%N) - t0) / 1000000))
  echo "netconf-check --device $1: exit $rc in $took ms"
  [ "$took" -lt 30000 ] || fail "netconf-check --device $1 took $took ms"
  # sshd logs the end of a refused connection after the client has gone: wait for it, so that
  # what the test makes sure is not there (a session) is all in. An accepted session is in the
  # log already (its end may come later: the netconf subsystem ends after the client).
  if since_mark | grep -q 'Connection from '; then
    wait_for 60 connection_settled || fail "sshd did not log the end of netconf-check --device $1's connection"
  fi
  sshd_lines=$(since_mark)
}
# netconfd 2.13 crashes ("double free or corruption") when a session asks it for a module such as
# ietf-netconf with <get-schema> after an earlier session did: the client must take the modules
# it has locally from disk.
netconfd_alive() {
  kill -0 "$netconfd_pid" 2>/dev/null \
    || fail "netconfd died after netconf-check --device $1 ($(grep -c '<get-schema>' "$work/netconfd.log") <get-schema> requests): $(tail -n 5 "$work/netconfd.out" "$work/netconfd.log")"
}
no_session() {
  expect_lacks "$sshd_lines" "Accepted " "the sshd log"
  expect_lacks "$sshd_lines" "Starting session" "the sshd log"
}

# The ports netconfd must report: every interface of this machine, with the state of its
# /sys/class/net operstate (netconfd's oper-status).
expected_ports() {
  local dev name op word state
  for dev in /sys/class/net/*; do
    [ -d "$dev" ] || continue
    name=${dev##*/}
    op=$(cat "$dev/operstate")
    case $op in
      notpresent) word=not-present ;;
      lowerlayerdown) word=lower-layer-down ;;
      *) word=$op ;;
    esac
    case $op in
      up) state=up ;;
      unknown | testing) state=unknown ;;
      *) state=down ;;
    esac
    echo "$name $state (oper-status $word"
  done
}

# 1. Public key, root: the session, the modules, and this machine's interfaces.
nc ysw1
expect_rc 0
netconfd_alive ysw1
expect_has "$out" "ysw1: NETCONF session established"
expect_has "$out" "  yes  ietf-interfaces@2014-05-08"
expect_has "$out" "  port ysw1 lo "
n=0
while read -r line; do
  expect_has "$out" "  port ysw1 $line"
  n=$((n + 1))
done < <(expected_ports)
expect_has "$out" "plugin ietf-interfaces reads $n states:"
expect_has "$sshd_lines" "Accepted publickey for root from 127.0.0.1" "the sshd log"
expect_has "$sshd_lines" "Starting session: subsystem 'netconf' for root" "the sshd log"
echo "$out"

# 2. Password, a second session to the same netconfd.
nc ysw-pw
netconfd_alive ysw-pw
expect_rc 0
expect_has "$out" "ysw-pw: NETCONF session established"
expect_has "$out" "  yes  ietf-interfaces@2014-05-08"
expect_has "$out" "  port ysw-pw lo "
expect_has "$out" "plugin ietf-interfaces reads $n states:"
expect_has "$sshd_lines" "Accepted password for $nc_user from 127.0.0.1" "the sshd log"

# 3. Wrong password: refused once, no session, no hang.
nc ysw-badpw
expect_rc 3
expect_eq "$(first_line "$err")" \
  "colosla: ysw-badpw: cannot connect to 127.0.0.1:$port: user $nc_user was refused (password): Unable to authenticate to the remote server (all attempts via supported authentication methods failed)."
echo "$err"
expect_lacks "$out" "NETCONF session established"
expect_eq "$(grep -c "Failed password for $nc_user" <<<"$sshd_lines")" 1 "failed password attempts in the sshd log"
no_session

# 4. A host key that is not the one in known_hosts: refused before authentication.
nc ysw-badkey
expect_rc 3
expect_eq "$(first_line "$err")" \
  "colosla: ysw-badkey: cannot connect to 127.0.0.1:$port: the host key of 127.0.0.1 is not the one in $kh.wrong: it changed (a replaced device, or someone in between); check it and update the file"
echo "$err"
expect_lacks "$out" "NETCONF session established"
no_session

# 5. A host that is not in known_hosts (an empty file, a missing file, no file configured).
nc ysw-unknown
expect_rc 3
expect_has "$err" "colosla: ysw-unknown: cannot connect to 127.0.0.1:$port: the host key of 127.0.0.1 port $port is not in $kh.empty (add it: ssh-keyscan -p $port 127.0.0.1 >> $kh.empty"
echo "$err"
no_session
nc ysw-nofile
expect_rc 3
expect_has "$err" "colosla: ysw-nofile: cannot connect to 127.0.0.1:$port: the known-hosts file $work/none does not exist (make it: ssh-keyscan -p $port 127.0.0.1 > $work/none"
echo "$err"
no_session
nc ysw-nokh
expect_rc 3
expect_has "$err" "colosla: ysw-nokh: cannot connect to 127.0.0.1:$port: no known-hosts file is configured for this device, so its host key cannot be checked"
echo "$err"
no_session

# 6. netconfd still serves after all that.
nc ysw1
netconfd_alive ysw1
expect_rc 0
expect_has "$out" "  port ysw1 lo "

# 7. colosla poll over SSH stores this machine's interfaces as NETCONF observations.
run timeout -s KILL 60 "$colosla" --db "$db" poll --device ysw1
expect_rc 0
expect_has "$out" "ysw1: $n states; $n changes recorded"
netconfd_alive ysw1
lo_state=$(expected_ports | awk '$1 == "lo" { print $2 }')
expect_eq "$(sqlite3 "$db" "SELECT state || ' ' || source || ' ' || origin FROM observation_view WHERE device = 'ysw1' AND item = 'lo'")" \
  "$lo_state netconf netconf:ssh:127.0.0.1:$port"
# Asked again, nothing has changed.
run timeout -s KILL 60 "$colosla" --db "$db" poll --device ysw1
expect_rc 0
expect_has "$out" "ysw1: $n states; 0 changes recorded"
echo "netconfd: ok"
