#!/usr/bin/env bash
# Wake-ups (docs/scale-out.md): `colosla evaluate --every 300` on PostgreSQL evaluates again soon
# after `colosla observe` (another process, another connection) commits observations, by the
# NOTIFY sent with them, not after its 300 s timer; and at once on SIGUSR1 as before. A database
# of its own in the tests' PostgreSQL (ctest's fixture "postgresql").
# usage: evaluate_wake.sh COLOSLA SOURCE_DIR (COLOSLA_TEST_POSTGRESQL: the admin URI)
colosla=$1 src=$2
. "$src/tests/integration/lib.sh"
require_tools psql
admin=${COLOSLA_TEST_POSTGRESQL:?the admin URI of the tests\' PostgreSQL (tests/support/postgresql.sh run)}

name=colosla_wake_$$
run psql -X -q -v ON_ERROR_STOP=1 -d "$admin" -c "CREATE DATABASE $name"
expect_rc 0
cleanup_hooks+=("psql -X -q -d '$admin' -c 'DROP DATABASE IF EXISTS $name WITH (FORCE)' >/dev/null 2>&1")
pg=$(sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\\1/$name#" <<<"$admin")
expect_has "$pg" "/$name"
pq() { psql -X -q -t -A -d "$pg" -c "$1"; }
c() { run "$colosla" --db "$pg" --secrets-key "$work/store.key" "$@"; }

c inventory load "$src/examples/inventory.json"
expect_rc 0
# sw1 ge-0/0/1 (contract C-001) up since a minute ago.
now=$(date -u +%s)
stamp() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
echo "{\"time\":\"$(stamp $((now - 60)))\",\"device\":\"sw1\",\"interface\":\"ge-0/0/1\",\"state\":\"up\"}" >"$work/up.jsonl"
c observe "$work/up.jsonl"
expect_rc 0

"$colosla" --db "$pg" --secrets-key "$work/store.key" evaluate --every 300 \
  --status-dir "$work/status" >"$work/evaluate.out" 2>"$work/evaluate.err" &
evaluator=$!
cleanup_hooks+=("kill -TERM $evaluator 2>/dev/null; wait $evaluator 2>/dev/null")
rounds() { grep -c "^evaluated" "$work/evaluate.out" || true; }
events() { pq "SELECT count(*) FROM sla_event WHERE kind = 'port-down' AND contract = 'C-001'"; }
# For wait_for, which runs its command again (an argument $(…) would be expanded once).
rounds_over() { [ "$(rounds)" -gt "$1" ]; }
events_are() { [ "$(events)" -eq "$1" ]; }
listening() {
  [ "$(pq "SELECT count(*) FROM pg_stat_activity WHERE datname = '$name' AND query LIKE 'LISTEN%'")" -ge 1 ]
}
wait_for 60 rounds_over 0 ||
  fail "no first evaluation: $(cat "$work/evaluate.out" "$work/evaluate.err")"
expect_eq "$(events)" 0 "port-down events before the port went down"
# The listener is in place once the first round is over and the wait began: a round after a
# notification sent earlier would be missed by this test (the timer would catch it in 300 s).
wait_for 10 listening || fail "the evaluator does not listen"

# The port goes down: imported by another process, the evaluator wakes and records the event
# within seconds (the deadline is for a loaded machine; the round starts 1 s after the commit).
echo "{\"time\":\"$(stamp $((now - 5)))\",\"device\":\"sw1\",\"interface\":\"ge-0/0/1\",\"state\":\"down\"}" >"$work/down.jsonl"
start=$SECONDS
c observe "$work/down.jsonl"
expect_rc 0
wait_for 30 events_are 1 ||
  fail "no port-down event after the observation: $(cat "$work/evaluate.out" "$work/evaluate.err")"
echo "port-down recorded $((SECONDS - start)) s after the import" >&2
expect_eq "$(rounds)" 2 "rounds: the first, then the one the observation woke"

# A burst of imports: a round follows (the commits within a second of the first make one).
for i in 1 2 3; do
  echo "{\"time\":\"$(stamp $((now - 4 + i)))\",\"device\":\"sw1\",\"interface\":\"ge-0/0/2\",\"state\":\"up\"}" >"$work/burst.jsonl"
  c observe "$work/burst.jsonl"
  expect_rc 0
done
wait_for 30 rounds_over 2 || fail "no round after the burst"
# SIGUSR1 still starts a round at once; SIGTERM ends the command.
before=$(rounds)
kill -USR1 "$evaluator"
wait_for 30 rounds_over "$before" || fail "no round on SIGUSR1"
kill -TERM "$evaluator"
wait_for 20 bash -c "! kill -0 $evaluator 2>/dev/null" || fail "evaluate did not end on SIGTERM"
wait "$evaluator" || fail "evaluate exited with $?"
expect_eq "$(events)" 1 "port-down events"

# The leader (--lead) wakes the same way: a round soon after an import, not after its 300 s.
: >"$work/evaluate.out"
"$colosla" --db "$pg" --secrets-key "$work/store.key" evaluate --every 300 --lead \
  --lease-seconds 60 --status-dir "$work/status" >"$work/evaluate.out" 2>"$work/evaluate.err" &
evaluator=$!
cleanup_hooks+=("kill -TERM $evaluator 2>/dev/null; wait $evaluator 2>/dev/null")
wait_for 60 rounds_over 0 ||
  fail "no first evaluation as leader: $(cat "$work/evaluate.out" "$work/evaluate.err")"
wait_for 10 listening || fail "the leader does not listen"
echo "{\"time\":\"$(stamp $((now - 1)))\",\"device\":\"sw1\",\"interface\":\"ge-0/0/2\",\"state\":\"down\"}" >"$work/down2.jsonl"
c observe "$work/down2.jsonl"
expect_rc 0
wait_for 30 rounds_over 1 ||
  fail "the leader did not evaluate after the import: $(cat "$work/evaluate.out" "$work/evaluate.err")"
kill -TERM "$evaluator"
wait_for 20 bash -c "! kill -0 $evaluator 2>/dev/null" || fail "evaluate --lead did not end on SIGTERM"
wait "$evaluator" || fail "evaluate --lead exited with $?"
expect_eq "$(pq "SELECT count(*) FROM lease WHERE name = 'evaluate' AND expires > clock_timestamp()")" 0 \
  "the lease released on SIGTERM"
