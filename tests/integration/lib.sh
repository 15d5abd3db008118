# Helpers for the integration tests (bash). Each test sources this file, gets a private work
# directory that is removed on exit, and fails loudly with what it saw.
set -euo pipefail

work=$(mktemp -d "${TMPDIR:-/tmp}/colosla-test.XXXXXX")
cleanup_hooks=()
on_exit() {
  local status=$? h
  for h in "${cleanup_hooks[@]}"; do eval "$h" || true; done
  # A test leaves no process behind: what still runs with the test's directory on its command
  # line (a daemon, a poll, a prober, a peer) after the hooks stopped theirs is a defect, of the
  # test or of what it started. Given time to go (a peer writes its state on the way out).
  if ! wait_for 20 no_process_left; then
    printf 'FAIL: processes left behind:\n%s\n' "$(pgrep -af -- "$work")" >&2
    pkill -KILL -f -- "$work" || true
    status=1
  fi
  rm -rf "$work"
  exit "$status"
}
no_process_left() { ! pgrep -f -- "$work" >/dev/null; }
trap on_exit EXIT

fail() {
  printf 'FAIL: %s\n' "$*" >&2
  [ -n "${last_cmd:-}" ] && printf '  command: %s\n  exit: %s\n  stdout:\n%s\n  stderr:\n%s\n' \
    "$last_cmd" "${rc:-}" "${out:-}" "${err:-}" >&2
  exit 1
}

# run CMD...: runs it, keeping stdout in $out, stderr in $err and the exit code in $rc.
run() {
  last_cmd="$*"
  set +e
  "$@" >"$work/.out" 2>"$work/.err"
  rc=$?
  set -e
  out=$(cat "$work/.out")
  err=$(cat "$work/.err")
}

# run_in FILE CMD...: like run, with FILE as standard input.
run_in() {
  local input=$1
  shift
  last_cmd="$* < $input"
  set +e
  "$@" <"$input" >"$work/.out" 2>"$work/.err"
  rc=$?
  set -e
  out=$(cat "$work/.out")
  err=$(cat "$work/.err")
}

# require_tools TOOL...: each is on the PATH, else the test fails saying so.
require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/deps installs it)"
  done
}

expect_rc() { [ "$rc" -eq "$1" ] || fail "expected exit $1, got $rc"; }
# expect_has TEXT NEEDLE [WHAT]
expect_has() { grep -qF -- "$2" <<<"$1" || fail "expected ${3:-output} to contain: $2"; }
expect_lacks() { ! grep -qF -- "$2" <<<"$1" || fail "expected ${3:-output} not to contain: $2"; }
expect_eq() { [ "$1" = "$2" ] || fail "expected '$2', got '$1'${3:+ ($3)}"; }
# first_line TEXT
first_line() { head -n 1 <<<"$1"; }

# wait_for SECONDS CMD...: runs CMD every 0.1 s until it succeeds or the time is up.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

# free_udp_port: a UDP port on 127.0.0.1 that nothing is bound to right now.
free_udp_port() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# free_tcp_port: a TCP port on 127.0.0.1 that nothing is bound to right now.
free_tcp_port() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_snmpd DIR PORT: Net-SNMP's snmpd on 127.0.0.1:PORT serving this machine's IF-MIB, v2c
# community "public" and SNMPv3 user ciuser (SHA / AES, ciauthpass123 / ciprivpass123).
start_snmpd() {
  local dir=$1 port=$2
  mkdir -p "$dir/persist"
  cat >"$dir/snmpd.conf" <<CONF
[snmp] persistentDir $dir/persist
agentAddress udp:127.0.0.1:$port
rocommunity public 127.0.0.1
createUser ciuser SHA ciauthpass123 AES ciprivpass123
rouser ciuser priv
CONF
  MIBS= snmpd -C -c "$dir/snmpd.conf" -Lf "$dir/snmpd.log" -p "$dir/snmpd.pid"
  cleanup_hooks+=("stop_pidfile '$dir/snmpd.pid'")
  wait_for 10 snmpget -v2c -c public -t 0.2 -r 0 -On "127.0.0.1:$port" 1.3.6.1.2.1.1.3.0 \
    || { cat "$dir/snmpd.log" >&2; fail "snmpd did not start"; }
}

# start_snmpsim DIR PORT DATA...: snmpsimd on 127.0.0.1:PORT serving the .snmprec files given
# (community = file name without .snmprec). It will not run as root, so it runs as nobody.
start_snmpsim() {
  local dir=$1 port=$2
  shift 2
  start_snmpsim_at "$dir" "127.0.0.1:$port" "$@"
}

# start_snmpsim_at DIR "ADDRESS:PORT..." DATA...: the same on each of these endpoints (devices
# at several loopback addresses, each polled at its own), every one serving every file.
start_snmpsim_at() {
  local dir=$1 endpoints=() e
  read -ra endpoints <<<"$2"
  shift 2
  mkdir -p "$dir/data" "$dir/cache" "$dir/run"
  chmod a+x "$work"  # mktemp made it 0700; nobody must reach the data
  cp "$@" "$dir/data/"
  chmod -R a+rX "$dir"
  chown -R nobody:nogroup "$dir/cache" "$dir/run" "$dir/data" 2>/dev/null || true
  snmpsimd --daemonize --pid-file="$dir/run/snmpsimd.pid" \
    --process-user=nobody --process-group=nogroup \
    --logging-method=file:"$dir/run/snmpsimd.log" \
    --data-dir="$dir/data" --cache-dir="$dir/cache" \
    "${endpoints[@]/#/--agent-udpv4-endpoint=}" >/dev/null 2>&1
  cleanup_hooks+=("stop_snmpsim '$dir'")
  local first
  first=$(basename "$1" .snmprec)
  for e in "${endpoints[@]}"; do
    wait_for 20 snmpget -v2c -c "$first" -t 0.3 -r 0 -On "$e" 1.3.6.1.2.1.1.5.0 \
      || { cat "$dir/run/snmpsimd.log" >&2; fail "snmpsimd did not start on $e"; }
  done
}

# stop_pidfile FILE: stops the process whose pid FILE holds, and waits until it is gone (it may
# write its state files on the way out).
stop_pidfile() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || return 0
  wait_for 10 bash -c "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null || true
}

stop_snmpsim() { stop_pidfile "$1/run/snmpsimd.pid"; }

# start_trapd TRAPD CONFIG LOG ENDPOINT: colosla-trapd in the foreground at log-level debug,
# logging to LOG and killed at exit (its pid in $pid); returns once it says it listens on
# ENDPOINT (udp:127.0.0.1:PORT), re-read until a deadline.
start_trapd() {
  "$1" --config "$2" --foreground --log-level debug >"$3" 2>&1 &
  pid=$!
  cleanup_hooks+=("kill -KILL $pid 2>/dev/null")
  wait_for 20 grep -q "listening on $4" "$3" || { cat "$3" >&2; fail "colosla-trapd did not start"; }
}

# store_rows DB: every table of the store and its rows, one "TABLE COUNT" a line (the same
# before and after a command that must store nothing).
store_rows() {
  local t
  for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
    echo "$t $(sqlite3 "$1" "SELECT count(*) FROM \"$t\"")"
  done
}

# descendants PID: its children, theirs, ...
descendants() {
  local c
  for c in $(pgrep -P "$1" || true); do echo "$c"; descendants "$c"; done
}
# process_gone PID: it has ended, or is a zombie waiting for its parent (init).
process_gone() { case $(ps -o stat= -p "$1") in '' | Z*) return 0 ;; *) return 1 ;; esac; }
# stop_process_tree PID NAME SECONDS: stops a daemon this shell started in the background (kill,
# kill -KILL after SECONDS) and reaps it, then waits for the processes it had started (its
# workers, helpers and their children, which follow it); one still named NAME after 10 s is
# killed.
stop_process_tree() {
  local pid=$1 name=$2 seconds=$3 p others
  others=$(descendants "$pid" | tr '\n' ' ')
  kill "$pid" 2>/dev/null || true
  wait_for "$seconds" bash -c "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in $others; do
    wait_for 10 process_gone "$p" || { [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$name" ] && kill -KILL "$p"; } || true
  done
}

# start_netconf_server SERVER SOURCE_DIR SOCKET: the tests' own NETCONF server (tests/netconf)
# on a Unix socket, stopped on exit; its control FIFO is $work/ctl, its answers $work/server.out.
start_netconf_server() {
  [ -d /usr/share/yuma/modules ] || fail "/usr/share/yuma/modules is missing (scripts/deps installs libyuma-base)"
  "$1" --unix "$3" --yang-dir /usr/share/yuma/modules --yang-dir "$2/tests/data/yang" \
    --control "$work/ctl" >"$work/server.out" 2>"$work/server.err" &
  local pid=$!
  cleanup_hooks+=("kill $pid 2>/dev/null; wait $pid 2>/dev/null")
  wait_for 10 grep -qx ready "$work/server.out" || fail "the NETCONF server did not start: $(cat "$work/server.err")"
}
# The server's answers to control commands (a replay's report line is not one).
answers() { grep -v '^replayed' "$work/server.out" | grep -c .; }
answers_past() { [ "$(answers)" -gt "$1" ]; }
# control COMMAND...: sends it to the NETCONF server and waits for its "ok" line.
control() {
  local n
  n=$(answers)
  echo "$*" >"$work/ctl"
  wait_for 10 answers_past "$n" || fail "the server did not answer '$*'"
  grep -v '^replayed' "$work/server.out" | tail -n 1 | grep -q '^ok' ||
    fail "the server refused '$*': $(tail -n 1 "$work/server.out")"
}

# c001_scenario COLOSLA SOURCE_DIR DB [reported]: the example inventory in DB, and C-001's month so
# far: its port sw1 ge-0/0/1 down 02:00-02:30 on 3 November (+08:00), two failed icmp probes of
# 203.0.113.5 at 10:00 and 10:05 on the 5th (an emergency, deadline 10:20); with "reported", the
# customer's report of the network problem at 03:00 on the 3rd (so the 30 minutes count).
c001_scenario() {
  local colosla=$1 src=$2 db=$3
  run "$colosla" --db "$db" inventory load "$src/examples/inventory.json" --by test
  expect_rc 0
  cat >"$work/c001.jsonl" <<'JSONL'
{"time":"2026-11-03T02:00:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"down"}
{"time":"2026-11-03T02:30:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"up"}
{"time":"2026-11-05T10:00:00+08:00","target":"203.0.113.5","service":"icmp","result":"fail"}
{"time":"2026-11-05T10:05:00+08:00","target":"203.0.113.5","service":"icmp","result":"fail"}
JSONL
  run "$colosla" --db "$db" observe "$work/c001.jsonl"
  expect_rc 0
  if [ "${4:-}" = reported ]; then
    run "$colosla" --db "$db" customer-report add --contract C-001 --at 2026-11-03T03:00:00+08:00 \
      --guarantee network --by test
    expect_rc 0
  fi
}
