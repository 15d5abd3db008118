#!/usr/bin/env bash
# colosla probe against targets on this machine: ICMP echo to 127.0.0.1 and ::1, www to an HTTP
# server, email and ftp to greeters started by the test; then the same with the servers stopped
# (refused), an HTTP server that answers 500, and (as root) ICMP from a network namespace made
# by the test, whose loopback is down (no route): each a failed probe with its reason, stored as
# a probe observation. Never an address outside the machine.
# usage: probe.sh COLOSLA SOURCE_DIR
colosla=$1 src=$2
. "$src/tests/integration/lib.sh"
db=$work/colosla.db
sed 's|"probe-target":\[{"address":"203.0.113.5","service":\["icmp","www"\]}\]|"probe-target":[{"address":"127.0.0.1","service":["icmp","www","email","ftp"],"www-path":"/index.html"},{"address":"::1","service":["icmp"]}]|' \
  "$src/examples/inventory.json" >"$work/inventory.json"
grep -q '"address":"::1"' "$work/inventory.json" || fail "the example inventory's probe target moved"
run "$colosla" --db "$db" inventory load "$work/inventory.json" --by test
expect_rc 0

www=$(free_tcp_port) smtp=$(free_tcp_port) ftp=$(free_tcp_port)
mkdir -p "$work/htdocs" && echo hello >"$work/htdocs/index.html"
start() {  # start NAME CMD...: a server in the background, stopped on exit; its pid in $pid_NAME
  local name=$1
  shift
  "$@" >"$work/$name.out" 2>&1 &
  eval "pid_$name=$!"
  cleanup_hooks+=("kill $! 2>/dev/null")
}
start www python3 -m http.server "$www" --bind 127.0.0.1 --directory "$work/htdocs"
start smtp python3 "$src/tests/integration/greeter.py" "$smtp" smtp.test
start ftp python3 "$src/tests/integration/greeter.py" "$ftp" ftp.test
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$www" "$smtp" "$ftp"; do wait_for 30 listening "$p" || fail "a test server on port $p did not start"; done
probe() { run timeout -s KILL 60 "$colosla" --db "$db" probe --contract C-001 --timeout 1000 --retries 1 \
  --www-port "$www" --smtp-port "$smtp" --ftp-port "$ftp" "$@"; }
line() { grep -E "^$1 +$2 " <<<"$out"; }

probe
expect_rc 0
expect_has "$(line 127.0.0.1 icmp)" "pass  echo reply in"
expect_has "$(line ::1 icmp)" "pass  echo reply in"
expect_has "$(line 127.0.0.1 www)" "pass  HTTP 200"
expect_has "$(line 127.0.0.1 email)" 'pass  "220 smtp.test ready", QUIT answered'
expect_has "$(line 127.0.0.1 ftp)" 'pass  "220 ftp.test ready", QUIT answered'
stored() { sqlite3 "$db" "SELECT state FROM observation_view WHERE kind = 'probe' AND device = '$1' AND item = '$2' ORDER BY seq DESC LIMIT 1"; }
expect_eq "$(stored 127.0.0.1 www)" pass "stored www result"
expect_eq "$(stored ::1 icmp)" pass "stored icmp result over IPv6"
expect_eq "$(sqlite3 "$db" "SELECT source || ' ' || origin FROM observation_view WHERE device = '127.0.0.1' AND item = 'email' LIMIT 1")" \
  "probe probe:email:127.0.0.1" "origin of the email probe"

# A missing page is not a dead web server (404 < 500); a server error is.
sed -i 's|"www-path":"/index.html"|"www-path":"/missing"|' "$work/inventory.json"
run "$colosla" --db "$db" inventory load "$work/inventory.json" --by test
probe
expect_has "$(line 127.0.0.1 www)" "pass  HTTP 404"

# The servers stopped: refused, each a failed probe, stored.
kill "$pid_www" "$pid_smtp" "$pid_ftp"
wait "$pid_www" "$pid_smtp" "$pid_ftp" 2>/dev/null || true
probe
expect_rc 0
expect_has "$(line 127.0.0.1 www)" "FAIL  cannot connect to port $www: Connection refused (2 attempts)"
expect_has "$(line 127.0.0.1 email)" "FAIL  cannot connect to port $smtp: Connection refused"
expect_has "$(line 127.0.0.1 ftp)" "FAIL  cannot connect to port $ftp: Connection refused"
expect_has "$(line 127.0.0.1 icmp)" "pass"
expect_eq "$(stored 127.0.0.1 ftp)" fail "stored ftp result"
expect_has "$(sqlite3 "$db" "SELECT evidence FROM observation_view WHERE device = '127.0.0.1' AND item = 'ftp' ORDER BY seq DESC LIMIT 1")" "Connection refused"

# A greeter that is not one: an HTTP server on the smtp port.
start smtp2 python3 -m http.server "$smtp" --bind 127.0.0.1 --directory "$work/htdocs"
wait_for 30 listening "$smtp" || fail "the HTTP server on the smtp port did not start"
probe
expect_has "$(line 127.0.0.1 email)" "FAIL  no greeting within 1000 ms"

# ICMP without a route: a network namespace of the test's own, its loopback down.
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null; then
  ns=colosla-probe-$$
  ip netns add "$ns" || fail "cannot make a network namespace"
  cleanup_hooks+=("ip netns del $ns 2>/dev/null")
  run timeout -s KILL 60 ip netns exec "$ns" "$colosla" --db "$db" probe --contract C-001 --timeout 500 --retries 1 \
    --www-port "$www" --smtp-port "$smtp" --ftp-port "$ftp"
  expect_rc 0
  expect_has "$(line 127.0.0.1 icmp)" "FAIL"
  expect_has "$(line ::1 icmp)" "FAIL"
  expect_eq "$(stored 127.0.0.1 icmp)" fail "stored icmp result from the namespace"
  echo "$out"
else
  echo "probe: the network-namespace part needs root; skipped"
fi

# A user who may open no ICMP socket (ping_group_range leaves its group out, no CAP_NET_RAW):
# the probe is not made, which says nothing of the target; nothing is stored and colosla exits 3.
read -r lo hi </proc/sys/net/ipv4/ping_group_range
nogroup=$(id -g nobody 2>/dev/null || echo "")
if [ "$(id -u)" -eq 0 ] && [ -n "$nogroup" ] && { [ "$nogroup" -lt "$lo" ] || [ "$nogroup" -gt "$hi" ]; }; then
  before=$(sqlite3 "$db" "SELECT count(*) FROM observation_view WHERE kind = 'probe'")
  chmod a+rwx "$work" && chmod a+rw "$db"*
  run runuser -u nobody -- "$colosla" --db "$db" probe --contract C-001 --timeout 500 --retries 0 \
    --www-port "$www" --smtp-port "$smtp" --ftp-port "$ftp"
  expect_rc 3
  expect_has "$(line 127.0.0.1 icmp)" "NOT MADE  cannot open an ICMP socket (Operation not permitted): allow ping in net.ipv4.ping_group_range or give colosla CAP_NET_RAW"
  expect_has "$(line 127.0.0.1 email)" "FAIL"  # the TCP probes are made
  after=$(sqlite3 "$db" "SELECT count(*) FROM observation_view WHERE kind = 'probe'")
  expect_eq "$after" "$((before + 3))" "probe observations stored (www, email, ftp; no icmp)"
else
  echo "probe: the no-ICMP-socket part needs root and a ping_group_range without nobody's group; skipped"
fi
echo "probe: ok"
