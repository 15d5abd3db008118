#!/usr/bin/env bash
# The leader lease (issue 18, docs/scale-out.md "One leader"): two `colosla evaluate --every 1
# --lead --lease-seconds 6` on one store, each with a json-lines sink (event-log) of its own
# file. Observations imported while they run make events; only the leader (epoch 1) evaluates
# and delivers. The leader killed with kill -9: the other takes over (epoch 2) within 30 s,
# measured from its log; more observations, more events. Then every event id in the store is in
# the two files exactly once together (0 missing, 0 duplicate), the events were recorded by epoch
# 1 then by epoch 2, and the sink's cursor was moved last by epoch 2. Stopped with SIGTERM, the
# leader releases the lease. On PostgreSQL (a server of this test's own:
# tests/support/postgresql.sh), then on SQLite.
# usage: leader.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
require_tools psql sqlite3 python3
colosla=$build/apps/colosla/colosla
pgsh=$src/tests/support/postgresql.sh

bash "$pgsh" start "$work/pg" >/dev/null
cleanup_hooks+=("bash '$pgsh' stop '$work/pg'")
admin=$(cat "$work/pg/uri")
psql -X -q -v ON_ERROR_STOP=1 -d "$admin" -c "CREATE DATABASE colosla_leader"
pg=$(sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\\1/colosla_leader#" <<<"$admin")
expect_has "$pg" "/colosla_leader"

# C-001 moved to 2020-2040, so that the wall clock is inside it (as events.sh does).
sed -e 's/"signed":"2026-10-30"/"signed":"2019-12-20"/' \
  -e 's/"start":"2026-11-01T00:00:00+08:00","end":"2027-11-01T00:00:00+08:00"/"start":"2020-01-01T00:00:00+08:00","end":"2040-01-01T00:00:00+08:00"/' \
  "$src/examples/inventory.json" >"$work/inventory.json"
grep -q '"end":"2040-01-01' "$work/inventory.json" || fail "the example inventory's C-001 dates moved"

# scenario BACKEND STORE
scenario() {
  local backend=$1 db=$2 d=$work/$1 n leader other killed took after total missing duplicates
  mkdir -p "$d"
  q() {
    if [ "$backend" = postgresql ]; then psql -X -q -t -A -d "$db" -c "$1"; else sqlite3 "$db" "$1"; fi
  }
  c() { run "$colosla" --db "$db" --secrets-key "$d/store.key" "$@"; }
  c inventory load "$work/inventory.json" --by test
  expect_rc 0
  # outage N: port ge-0/0/1 down for two minutes, an hour ago plus 5 minutes for each N, so that
  # each outage is another occurrence (new events): a port-down and a port-up event each.
  outage() {
    local down up
    down=$(date -u -d "-$((60 - $1 * 5)) min" +%Y-%m-%dT%H:%M:%SZ)
    up=$(date -u -d "-$((58 - $1 * 5)) min" +%Y-%m-%dT%H:%M:%SZ)
    printf '%s\n' "{\"time\":\"$down\",\"device\":\"sw1\",\"interface\":\"ge-0/0/1\",\"state\":\"down\"}" \
      "{\"time\":\"$up\",\"device\":\"sw1\",\"interface\":\"ge-0/0/1\",\"state\":\"up\"}" >"$d/outage$1.jsonl"
    c observe "$d/outage$1.jsonl"
    expect_rc 0
  }
  events_in_store() { q "SELECT count(*) FROM sla_event"; }
  # The event ids of both files, one a line (a missing file: none).
  delivered_ids() {
    cat "$d"/a.jsonl "$d"/b.jsonl 2>/dev/null |
      python3 -c 'import json,sys
for line in sys.stdin:
    print(next(iter(json.loads(line).values()))["event-id"])'
  }
  all_delivered() {
    local n
    n=$(events_in_store)
    [ "$n" -ge "$1" ] && [ "$(delivered_ids | sort -u | wc -l)" -eq "$n" ]
  }
  leads() { grep -q "is the leader now, epoch $2," "$d/$1.log"; }
  one_leader() { leads a 1 || leads b 1; }
  waits() { grep -q "not the leader: the lease is held by" "$d/$1.log"; }

  outage 1
  declare -A pid
  for n in a b; do
    "$colosla" --db "$db" --secrets-key "$d/store.key" evaluate --every 1 --lead \
      --lease-seconds 6 --event-log "$d/$n.jsonl" --status-dir "$d/status-$n" \
      >"$d/$n.out" 2>"$d/$n.log" &
    pid[$n]=$!
    cleanup_hooks+=("kill -KILL ${pid[$n]} 2>/dev/null")
  done
  wait_for 30 one_leader || { cat "$d"/a.log "$d"/b.log >&2; fail "$backend: no evaluator took the lease"; }
  if leads a 1; then leader=a other=b; else leader=b other=a; fi
  leads "$other" 1 && fail "$backend: both evaluators lead with epoch 1"
  wait_for 20 waits "$other" || { cat "$d/$other.log" >&2; fail "$backend: the other evaluator does not say it waits"; }

  # Events while the leader runs: delivered by it alone.
  wait_for 30 all_delivered 2 || { cat "$d/$leader.log" >&2; fail "$backend: the first outage's events were not delivered"; }
  outage 2
  wait_for 30 all_delivered 4 || { cat "$d/$leader.log" >&2; fail "$backend: the second outage's events were not delivered"; }
  [ -s "$d/$other.jsonl" ] && fail "$backend: the evaluator that does not lead delivered events"
  expect_eq "$(q "SELECT count(*) FROM sla_event WHERE epoch IS NULL OR epoch <> 1")" 0 "$backend: events not recorded by epoch 1"
  [ -s "$d/$other.out" ] && fail "$backend: the evaluator that does not lead evaluated: $(cat "$d/$other.out")"

  # The leader killed: the other takes over within 30 s of its death.
  killed=$(date -u +%s)
  kill -KILL "${pid[$leader]}"
  wait "${pid[$leader]}" 2>/dev/null || true
  outage 3
  wait_for 40 leads "$other" 2 || { cat "$d/$other.log" >&2; fail "$backend: no takeover within 40 s"; }
  took=$(sed -nE 's/.*is the leader now, epoch 2, at ([0-9T:-]+Z);.*/\1/p' "$d/$other.log")
  [ -n "$took" ] || fail "$backend: the takeover's time is not in the log: $(cat "$d/$other.log")"
  after=$(($(date -u -d "$took" +%s) - killed))
  [ "$after" -le 30 ] || fail "$backend: took over $after s after the leader's death (at most 30)"
  echo "leader ($backend): $other took over $after s after $leader was killed"
  outage 4
  wait_for 30 all_delivered 8 || { cat "$d/$other.log" >&2; fail "$backend: the events after the takeover were not delivered"; }

  # Every event once across both files, by its id.
  total=$(events_in_store)
  missing=$(comm -23 <(q "SELECT id FROM sla_event" | sort) <(delivered_ids | sort -u) | wc -l)
  duplicates=$(delivered_ids | sort | uniq -d | wc -l)
  echo "leader ($backend): $total events, $missing missing, $duplicates duplicate"
  expect_eq "$missing" 0 "$backend: events delivered by neither evaluator"
  expect_eq "$duplicates" 0 "$backend: events delivered twice"
  expect_eq "$(delivered_ids | wc -l)" "$total" "$backend: lines in the two files"
  # Recorded by epoch 1, then by epoch 2 (in id order); the cursor moved last by epoch 2.
  expect_eq "$(q "SELECT count(DISTINCT epoch), min(epoch), max(epoch) FROM sla_event")" "2|1|2" \
    "$backend: epochs stamped"
  expect_eq "$(q "SELECT count(*) FROM sla_event a JOIN sla_event b ON a.id < b.id WHERE a.epoch > b.epoch")" 0 \
    "$backend: an event of epoch 1 after one of epoch 2"
  expect_eq "$(q "SELECT epoch FROM sink_cursor WHERE sink = 'event-log'")" 2 "$backend: the cursor's epoch"
  expect_eq "$(q "SELECT count(*) FROM lease WHERE name = 'evaluate' AND holder <> '' AND epoch = 2")" 1 \
    "$backend: the lease"

  # Stopped cleanly, it releases the lease.
  kill -TERM "${pid[$other]}"
  wait "${pid[$other]}" || fail "$backend: the evaluator did not stop cleanly: $(cat "$d/$other.log")"
  expect_has "$(cat "$d/$other.log")" "released the lease (epoch 2)"
}

scenario postgresql "$pg"
scenario sqlite "$work/store.db"

# colosla-trapd with lead = yes: its evaluator takes the lease (epoch 3: epoch 2 was released).
trapd=$build/apps/colosla-trapd/colosla-trapd
printf '%s\n' "lead = yes" "lease-seconds = 6" >"$work/trapd.conf"
"$trapd" --foreground --config "$work/trapd.conf" --listen "udp:127.0.0.1:$(free_udp_port)" \
  --db "$work/store.db" --secrets-key "$work/sqlite/store.key" --state-dir "$work/state" \
  --poll-interval 0 --probe false --evaluate-interval 1 --event-log "$work/trapd.jsonl" \
  >"$work/trapd.log" 2>&1 &
trapd_pid=$!
cleanup_hooks+=("kill -KILL $trapd_pid 2>/dev/null")
trapd_leads() { grep -q "is the leader now, epoch 3," "$work/trapd.log"; }
wait_for 30 trapd_leads || { cat "$work/trapd.log" >&2; fail "colosla-trapd's evaluator did not take the lease"; }
kill -TERM "$trapd_pid"
wait "$trapd_pid" || fail "colosla-trapd did not stop cleanly: $(cat "$work/trapd.log")"
echo "leader: ok"
