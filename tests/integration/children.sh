#!/usr/bin/env bash
# colosla-trapd's children: the prober and colosla evaluate end when colosla-trapd ends, however
# it ends (kill -9 too), and a restarted daemon has one prober, never two; a second prober of the
# store is refused; the trap sinks' pass phrases are neither on colosla evaluate's command line nor
# in its environment.
# usage: children.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
colosla=$build/apps/colosla/colosla
trapd=$build/apps/colosla-trapd/colosla-trapd
db=$work/colosla.db
c001_scenario "$colosla" "$src" "$db" reported
# C-001's port down a minute ago: an SLA event this month for the trap sink to deliver.
printf '{"time":"%s","device":"sw1","interface":"ge-0/0/1","state":"down"}\n' "$(date -u -d '-1 min' +%FT%TZ)" \
  >"$work/now.jsonl"
run "$colosla" --db "$db" observe "$work/now.jsonl"
expect_rc 0

port=$(free_udp_port)
nobody_port=$(free_udp_port)  # a trap sink that never answers: each evaluation waits for it
cat >"$work/colosla-trapd.conf" <<CONF
listen = udp:127.0.0.1:$port
db = $db
state-dir = $work/state
poll-interval = 0
netconf-listen = false
probe = true
evaluate-interval = 1
trap-sink = -v 3 -u sinkuser -l authPriv -a SHA -A sinkauthSECRET1 -x AES -X sinkprivSECRET2 -Ci -t 3 -r 1 127.0.0.1:$nobody_port
CONF
log=$work/trapd.log
starts() {  # how many times the log says colosla-trapd started listening
  local n=0
  if [ -f "$log" ]; then n=$(grep -c "listening on udp:127.0.0.1:$port" "$log" || true); fi
  echo "$n"
}
more_starts() { [ "$(starts)" -gt "$1" ]; }
start() {  # (the log is appended to: this start's line is one more than there were)
  local before
  before=$(starts)
  "$trapd" --config "$work/colosla-trapd.conf" --foreground >>"$log" 2>&1 &
  pid=$!
  cleanup_hooks+=("kill -KILL $pid 2>/dev/null")
  wait_for 30 more_starts "$before" || { cat "$log" >&2; fail "colosla-trapd did not start"; }
}
# pids_of WORD: the colosla processes of this store running WORD (prober, evaluate)
pids_of() { pgrep -f -- "--db $db $1" || true; }
count_of() { pids_of "$1" | grep -c . || true; }
one_prober() { [ "$(count_of prober)" -eq 1 ]; }
none_left() { [ -z "$(pgrep -f -- "--db $db" || true)" ]; }
# An evaluation caught running: its pid in $work/evaluate.pid, its command line and environment
# kept (it lasts a few seconds: the sink does not answer).
caught_evaluate() {
  local p
  for p in $(pids_of evaluate); do
    tr '\0' ' ' <"/proc/$p/cmdline" >"$work/evaluate.cmdline" 2>/dev/null || continue
    tr '\0' '\n' <"/proc/$p/environ" >"$work/evaluate.environ" 2>/dev/null || continue
    echo "$p" >"$work/evaluate.pid"
    return 0
  done
  return 1
}

start
wait_for 30 one_prober || { cat "$log" >&2; fail "colosla-trapd started no prober"; }

# The trap sink's pass phrases go to colosla evaluate on a pipe, not on its command line, which
# every user can read in /proc, nor in its environment.
wait_for 60 caught_evaluate || { cat "$log" >&2; fail "no colosla evaluate was seen running"; }
expect_has "$(cat "$work/evaluate.cmdline")" "evaluate" "colosla evaluate's command line"
expect_lacks "$(cat "$work/evaluate.cmdline")" "SECRET" "colosla evaluate's command line"
expect_lacks "$(cat "$work/evaluate.environ")" "SECRET" "colosla evaluate's environment"
# ... and it has them: it tries the sink (and says that nobody acknowledges).
wait_for 60 grep -q "trap sink 127.0.0.1:$nobody_port: no acknowledgement" "$log" ||
  { cat "$log" >&2; fail "colosla evaluate did not try the trap sink"; }

# A second prober of the store is refused: it would probe everything twice.
run "$colosla" --db "$db" prober --lock-wait 1
expect_rc 3
expect_has "$err" "another colosla prober (pid $(pids_of prober)) probes this store"

# kill -9: the prober and a running evaluation end with the daemon.
wait_for 60 caught_evaluate || fail "no colosla evaluate running to kill with the daemon"
kill -KILL "$pid"
wait_for 30 none_left || fail "left behind by a killed colosla-trapd: $(pgrep -af -- "--db $db")"

# Started again: one prober.
start
wait_for 30 one_prober || fail "probers after the restart: $(count_of prober)"
wait_for 60 caught_evaluate || fail "no colosla evaluate after the restart"
expect_eq "$(count_of prober)" 1 "probers after the restart"

# SIGTERM: a clean stop, and nothing left.
kill -TERM "$pid"
wait_for 30 bash -c "! kill -0 $pid 2>/dev/null" || fail "colosla-trapd did not stop on SIGTERM"
wait_for 30 none_left || fail "left behind by a stopped colosla-trapd: $(pgrep -af -- "--db $db")"
echo "ok: children"
