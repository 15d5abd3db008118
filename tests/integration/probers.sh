#!/usr/bin/env bash
# Two probers share the targets (issue 18, docs/scale-out.md "Probers"): two `colosla prober`
# processes on one store probe C-001's www targets on 127.0.0.2-6 every 10 s. 127.0.0.2-5 answer
# (an HTTP server each, whose log counts the probes); 127.0.0.6 refuses until its first failure
# is stored, then answers. Then: each (target, round) has one result; each answering target
# was probed once a round (its requests = its stored results = the rounds from its first to its
# last); both probers probed; the one refused connection declares no emergency (colosla
# evaluate, then colosla events). First on PostgreSQL (a server of the test's own, started with
# tests/support/postgresql.sh into $work/pg), then on SQLite (colosla prober --share).
# usage: probers.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
require_tools psql sqlite3 python3
colosla=$build/apps/colosla/colosla
pgsh=$src/tests/support/postgresql.sh

bash "$pgsh" start "$work/pg" >/dev/null
cleanup_hooks+=("bash '$pgsh' stop '$work/pg'")
admin=$(cat "$work/pg/uri")
psql -X -q -v ON_ERROR_STOP=1 -d "$admin" -c "CREATE DATABASE colosla_probers"
pg=$(sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\\1/colosla_probers#" <<<"$admin")
expect_has "$pg" "/colosla_probers"

# C-001 in force now, probed every 10 s: www on 127.0.0.2 to 127.0.0.6.
targets=(127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6)
refused=127.0.0.6
list=$(printf '{"address":"%s","service":["www"]},' "${targets[@]}")
sed -e 's/"signed":"2026-10-30"/"signed":"2019-12-20"/' \
  -e 's/"start":"2026-11-01T00:00:00+08:00","end":"2027-11-01T00:00:00+08:00"/"start":"2020-01-01T00:00:00+08:00","end":"2040-01-01T00:00:00+08:00"/' \
  -e "s|\"probe-target\":\\[{\"address\":\"203.0.113.5\",\"service\":\\[\"icmp\",\"www\"\\]}\\]|\"probe-target\":[${list%,}]|" \
  -e 's/"probe-interval-seconds":300,"notify-within-minutes":15/"probe-interval-seconds":10,"notify-within-minutes":1/' \
  "$src/examples/inventory.json" >"$work/inventory.json"
grep -q '"address":"127.0.0.6"' "$work/inventory.json" && grep -q '"probe-interval-seconds":10,' "$work/inventory.json" &&
  grep -q '"end":"2040-01-01' "$work/inventory.json" || fail "the example inventory's C-001 moved"

www=$(free_tcp_port)
mkdir -p "$work/htdocs" && echo hello >"$work/htdocs/index.html"
# serve ADDRESS LOG: an HTTP server on ADDRESS:$www logging each request to LOG; its pid in $pid.
serve() {
  python3 -m http.server "$www" --bind "$1" --directory "$work/htdocs" >"$2" 2>&1 &
  pid=$!
  cleanup_hooks+=("kill $pid 2>/dev/null")
}
listening() { (exec 3<>"/dev/tcp/$1/$www") 2>/dev/null; }
requests() { grep -c '"GET / ' "$1" || true; }

# exercise NAME DB Q [PROBER-OPTION...]: the whole test on one store; Q runs one SQL query on it
# and prints the rows (|-separated).
exercise() {
  local name=$1 db=$2 q=$3
  shift 3
  local c=("$colosla" --db "$db" --secrets-key "$work/$name.key")
  run "${c[@]}" inventory load "$work/inventory.json" --by test
  expect_rc 0
  local t pids=() server=()
  for t in "${targets[@]}"; do
    [ "$t" = "$refused" ] && continue
    serve "$t" "$work/$name-$t.log"
    server+=("$pid")
    wait_for 30 listening "$t" || fail "the HTTP server on $t did not start"
  done
  local p
  for p in a b; do
    "${c[@]}" prober --name "$p" --www-port "$www" --timeout 1000 --retries 0 --workers 4 "$@" \
      >"$work/$name-$p.log" 2>&1 &
    pids+=($!)
    cleanup_hooks+=("kill -KILL $! 2>/dev/null")
  done
  # results ADDRESS [STATE]: how many results of the target are stored.
  results() {
    "$q" "SELECT count(*) FROM observation o JOIN entity e ON e.id = o.entity
          WHERE e.kind = 'probe' AND e.device = '$1' ${2:+AND o.state = '$2'}"
  }
  failed_once() { [ "$(results "$refused" fail)" -ge 1 ]; }
  wait_for 60 failed_once || { cat "$work/$name-a.log" "$work/$name-b.log" >&2; fail "$name: no failure of $refused stored"; }
  # The refused target answers from the next round on.
  serve "$refused" "$work/$name-$refused.log"
  server+=("$pid")
  wait_for 30 listening "$refused" || fail "the HTTP server on $refused did not start"
  enough() {
    local t
    for t in "${targets[@]}"; do [ "$(results "$t")" -ge 4 ] || return 1; done
    [ "$(results "$refused" pass)" -ge 2 ] &&
      [ "$("$q" "SELECT count(DISTINCT holder) FROM probe_lease WHERE holder <> ''")" = 2 ]
  }
  wait_for 90 enough || { cat "$work/$name-a.log" "$work/$name-b.log" >&2; fail "$name: the probers did not probe every target 4 times, both of them"; }
  for p in "${pids[@]}"; do kill -TERM "$p"; done
  for p in "${pids[@]}"; do wait "$p" || fail "$name: a prober did not stop cleanly"; done
  for p in "${server[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
  expect_has "$(cat "$work/$name-a.log" "$work/$name-b.log")" "left to other probers"

  # Every probe result has its round, and each (target, service, round) one result.
  expect_eq "$("$q" "SELECT count(*) FROM observation WHERE source = 'probe' AND probe_round IS NULL")" 0 \
    "$name: probe results without a round"
  expect_eq "$("$q" "SELECT count(*) FROM (SELECT entity, probe_round FROM observation
    WHERE source = 'probe' GROUP BY entity, probe_round HAVING count(*) > 1) d")" 0 \
    "$name: rounds stored twice"
  # Each target once a round: its server saw as many requests as results are stored, one for
  # every round from its first to its last.
  local rows span
  for t in "${targets[@]}"; do
    rows=$(results "$t" pass)
    span=$("$q" "SELECT max(o.probe_round) - min(o.probe_round) + 1 FROM observation o
      JOIN entity e ON e.id = o.entity WHERE e.kind = 'probe' AND e.device = '$t'")
    expect_eq "$(requests "$work/$name-$t.log")" "$rows" "$name: requests to $t (its stored passes)"
    expect_eq "$(results "$t")" "$span" "$name: results of $t (its rounds from first to last)"
  done
  # The refused connection: one failure, in one round, by one prober.
  expect_eq "$(results "$refused" fail)" 1 "$name: failures of $refused"
  # It declares nothing.
  run "${c[@]}" evaluate --status-dir "$work/$name-status" --event-log "$work/$name-events.jsonl"
  expect_rc 0
  run "${c[@]}" events
  expect_rc 0
  expect_lacks "$out" "emergency-declared" "$name: events"
  expect_lacks "$(cat "$work/$name-events.jsonl" 2>/dev/null || true)" "emergency" "$name: the event log"
  echo "$name: $("$q" "SELECT count(*) FROM observation WHERE source = 'probe'") results; turns by holder:" \
    "$("$q" "SELECT holder || '=' || count(*) FROM probe_lease GROUP BY holder ORDER BY holder" | tr '\n' ' ')"
}

pq() { psql -X -q -t -A -d "$pg" -c "$1"; }
exercise postgresql "$pg" pq
sq() { sqlite3 "$work/sqlite.db" "$1"; }
exercise sqlite "$work/sqlite.db" sq --share
echo "probers: ok"
