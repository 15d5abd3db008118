#!/usr/bin/env bash
# The SLA events: colosla evaluate, run as time goes by over the example inventory's C-001 (an
# outage of its port, an emergency nobody reports, the installation never completed), records
# each occurrence once (again and again evaluated, also by a new process: once), writes new ones
# to the event log as JSON lines, each a valid instance of its notification in
# yang/colosla-events.yang (yanglint), and colosla events lists them.
# usage: events.sh COLOSLA SOURCE_DIR
colosla=$1 src=$2
. "$src/tests/integration/lib.sh"
command -v yanglint >/dev/null || fail "yanglint is not installed (scripts/deps installs libyang2-tools)"
db=$work/colosla.db log=$work/events.jsonl
c001_scenario "$colosla" "$src" "$db" reported
ev() { run "$colosla" --db "$db" evaluate --event-log "$log" --as-of "$1"; expect_rc 0; }
kinds() { sed 's/^{"colosla-events:\([a-z-]*\)".*/\1/' "$log" | tr '\n' ' '; }

ev 2026-11-03T02:10:00+08:00   # the port is down
expect_has "$out" "1 new event"
expect_has "$out" "#1 port-down C-001 at 2026-11-02T18:00:00Z: port sw1 ge-0/0/1 down"
ev 2026-11-03T02:20:00+08:00   # nothing new
expect_has "$out" "0 new events"
ev 2026-11-05T10:16:00+08:00   # up again; the emergency, its notification due; half the budget; installation late
expect_eq "$(kinds)" "port-down port-up emergency-declared notification-due budget-warning installation-overdue " "events so far"
ev 2026-11-05T10:25:00+08:00   # the deadline passed
ev 2026-11-05T10:25:00+08:00   # again: each occurrence once
expect_has "$out" "0 new events"
expect_eq "$(kinds)" \
  "port-down port-up emergency-declared notification-due budget-warning installation-overdue notification-missed " \
  "events after the deadline"
expect_eq "$(grep -c . "$log")" 7 "event log lines"

# The figures behind them.
line() { sed -n "$1p" "$log"; }
expect_eq "$(line 1)" '{"colosla-events:port-down":{"event-id":"1","contract":"C-001","guarantee":"network","time":"2026-11-03T02:00:00+08:00","month":"2026-11","entity":{"port":{"device":"sw1","interface":"ge-0/0/1"}},"counted-minutes":0,"budget-minutes":44,"reason":"port sw1 ge-0/0/1 down"}}'
expect_has "$(line 2)" '"counted-minutes":30,"budget-minutes":44,"pending-minutes":0,"availability":"99.931"'
expect_has "$(line 4)" '"time":"2026-11-05T10:15:00+08:00","month":"2026-11","entity":{"probe":{"target":"203.0.113.5","service":"icmp"}},"deadline":"2026-11-05T10:20:00+08:00"'
expect_has "$(line 5)" '"budget-share-used":"68.181","budget-threshold":"50.000","counted-minutes":30'
expect_has "$(line 7)" '{"colosla-events:notification-missed":{"event-id":"7"'

# Each is its YANG notification, valid.
i=0
while IFS= read -r l; do
  i=$((i + 1))
  printf '%s\n' "$l" >"$work/event-$i.json"
  run yanglint -p "$src/yang" -t notif "$src/yang/colosla-events.yang" "$work/event-$i.json"
  [ "$rc" -eq 0 ] || fail "event $i is not a valid notification: $err"
done <"$log"
# (and yanglint does refuse a leaf a notification does not have)
sed 's/"availability":"99.931"}}/"availability":"99.931","reason":"x"}}/' "$work/event-2.json" >"$work/bad.json"
run yanglint -p "$src/yang" -t notif "$src/yang/colosla-events.yang" "$work/bad.json"
[ "$rc" -ne 0 ] || fail "yanglint accepted a port-up with a reason"

# colosla events lists what the store recorded, the same lines.
run "$colosla" --db "$db" events
expect_rc 0
expect_eq "$out" "$(cat "$log")" "colosla events"
run "$colosla" --db "$db" events --after 6
expect_eq "$out" "$(line 7)" "colosla events --after 6"

# colosla-trapd runs colosla evaluate itself and appends to its event log: an outage of C-001's
# port that ended two minutes ago (C-001 moved to 2020-2040, so that the wall clock is inside it).
db2=$work/daemon.db log2=$work/daemon-events.jsonl
sed -e 's/"signed":"2026-10-30"/"signed":"2019-12-20"/' \
    -e 's/"start":"2026-11-01T00:00:00+08:00","end":"2027-11-01T00:00:00+08:00"/"start":"2020-01-01T00:00:00+08:00","end":"2040-01-01T00:00:00+08:00"/' \
    "$src/examples/inventory.json" >"$work/inventory-2040.json"
grep -q '"end":"2040-01-01' "$work/inventory-2040.json" || fail "the example inventory's C-001 dates moved"
run "$colosla" --db "$db2" inventory load "$work/inventory-2040.json" --by test
expect_rc 0
down=$(date -u -d '-3 min' +%Y-%m-%dT%H:%M:%SZ) up=$(date -u -d '-2 min' +%Y-%m-%dT%H:%M:%SZ)
printf '%s\n' "{\"time\":\"$down\",\"device\":\"sw1\",\"interface\":\"ge-0/0/1\",\"state\":\"down\"}" \
  "{\"time\":\"$up\",\"device\":\"sw1\",\"interface\":\"ge-0/0/1\",\"state\":\"up\"}" >"$work/now.jsonl"
run "$colosla" --db "$db2" observe "$work/now.jsonl"
expect_rc 0
trapd=$(dirname "$colosla")/../colosla-trapd/colosla-trapd
"$trapd" --foreground --listen "udp:127.0.0.1:$(free_udp_port)" --db "$db2" --state-dir "$work/state" \
  --poll-interval 0 --evaluate-interval 1 --event-log "$log2" >"$work/trapd.log" 2>&1 &
trapd_pid=$!
cleanup_hooks+=("kill -KILL $trapd_pid 2>/dev/null")
logged_both() { grep -q '"colosla-events:port-down"' "$log2" && grep -q '"colosla-events:port-up"' "$log2"; }
wait_for 20 logged_both || { cat "$work/trapd.log" >&2; fail "colosla-trapd logged no port-down and port-up"; }
expect_has "$(grep port-down "$log2")" "\"entity\":{\"port\":{\"device\":\"sw1\",\"interface\":\"ge-0/0/1\"}}"
evaluations() { grep -c "^evaluated " "$work/trapd.log" || true; }
more_evaluations() { [ "$(evaluations)" -ge "$1" ]; }
wait_for 60 more_evaluations $(($(evaluations) + 2)) || { cat "$work/trapd.log" >&2; fail "no more evaluations"; }  # nothing twice
expect_eq "$(grep -c '"colosla-events:port-down"' "$log2")" 1 "port-down events in the daemon's log"
kill -TERM "$trapd_pid"
wait "$trapd_pid" || fail "colosla-trapd did not stop cleanly"
echo "events: ok"
