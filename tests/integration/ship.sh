#!/usr/bin/env bash
# colosla ship (issue 18, docs/scale-out.md): two colosla-trapd receivers, each with its own
# SQLite store and port, the same inventory, are sent the same v2c linkDown/linkUp traps (each
# trap to both, as a device's two trap destinations); both ship to one PostgreSQL database, which
# then holds every trap once, and a trap kept as evidence once. Shipping again stores nothing.
# With PostgreSQL stopped for 30 s while traps keep arriving, the shippers retry, the local stores
# keep everything, and once it is back the backlog is shipped: nothing lost, nothing twice. Receiver b killed (kill -9) while traps arrive
# and restarted: PostgreSQL still holds each trap once. A PostgreSQL of this test's own (started with
# tests/support/postgresql.sh into $work/pg), so that stopping it disturbs no other test. Last,
# --keep-days 0 forgets what PostgreSQL holds from a receiver's store, its history kept.
# usage: ship.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
. "$src/tests/integration/trapd_lib.sh"
require_tools snmptrap sqlite3 psql
pgsh=$src/tests/support/postgresql.sh
pgbin=/usr/lib/postgresql/15/bin

bash "$pgsh" start "$work/pg" >/dev/null
cleanup_hooks+=("bash '$pgsh' stop '$work/pg'")
admin=$(cat "$work/pg/uri")
srv=$(cat "$work/pg/server")
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
psql -X -q -v ON_ERROR_STOP=1 -d "$admin" -c "CREATE DATABASE colosla_ship"
pg=$(sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\\1/colosla_ship#" <<<"$admin")
expect_has "$pg" "/colosla_ship"
pq() { psql -X -q -t -A -d "$pg" -c "$1"; }
pg_up() { psql -X -q -t -A -d "$pg" -c "SELECT 1" >/dev/null 2>&1; }

# --- two receivers ------------------------------------------------------------------------------
write_inventory "$(v2c_device sw1 switch 127.0.0.1 if-mib)"
declare -A rport rpid
for r in a b; do
  rport[$r]=$(free_udp_port)
  printf '%s\n' "listen = udp:127.0.0.1:${rport[$r]}" "db = $work/$r.db" \
    "inventory = $work/inventory.json" "state-dir = $work/state-$r" "poll-interval = 0" \
    "evaluate-interval = 0" "probe = false" "netconf-listen = false" "rate-per-device = 1000" \
    "rate-burst = 1000" >"$work/$r.conf"
  start_trapd "$trapd" "$work/$r.conf" "$work/$r.log" "udp:127.0.0.1:${rport[$r]}"
  rpid[$r]=$pid
done
stop_receivers() {
  local r
  for r in a b; do
    [ -n "${rpid[$r]:-}" ] || continue
    kill -TERM "${rpid[$r]}"
    wait_for 20 bash -c "! kill -0 ${rpid[$r]} 2>/dev/null" || fail "receiver $r did not stop"
    rpid[$r]=""
  done
}

# trap IFINDEX 1|2 UPTIME: linkUp (1) or linkDown (2) of ge-0/0/IFINDEX at sysUpTime UPTIME,
# sent to both receivers.
trap_both() {
  local oid=1.3.6.1.6.3.1.1.5.3 r
  [ "$2" = 1 ] && oid=1.3.6.1.6.3.1.1.5.4
  for r in a b; do
    MIBS= snmptrap -v 2c -c public "127.0.0.1:${rport[$r]}" "$3" "$oid" \
      1.3.6.1.2.1.2.2.1.1."$1" i "$1" 1.3.6.1.2.1.2.2.1.8."$1" i "$2" \
      1.3.6.1.2.1.31.1.1.1.1."$1" s "ge-0/0/$1"
  done
}
local_traps() { sqlite3 "$work/$1.db" "SELECT count(*) FROM observation WHERE source = 'trap'"; }
local_traps_are() { [ "$(local_traps a)" = "$1" ] && [ "$(local_traps b)" = "$1" ]; }
pg_traps() { pq "SELECT count(*) FROM observation_view WHERE source = 'trap'"; }
pg_traps_are() { [ "$(pg_traps)" = "$1" ]; }
counter() { sqlite3 "$work/$1.db" "SELECT coalesce((SELECT value FROM counter WHERE name = '$2'), 0)"; }
ship() { run "$colosla" --db "$work/$1.db" ship --to "$pg" "${@:2}"; }
# A trap's identity as one word, the same in both stores: its digest in hex and its bucket.
sl_keys() { sqlite3 "$work/$1.db" "SELECT hex(trap_digest) || ':' || trap_bucket FROM observation WHERE source = 'trap'" | sort; }
pg_keys() { pq "SELECT upper(encode(trap_digest, 'hex')) || ':' || trap_bucket FROM observation WHERE source = 'trap'" | sort; }
# Every trap in PostgreSQL exactly once: no two rows of one entity and one key, and the number of
# distinct (port, state, sysUpTime) the receivers stored equals the rows in PostgreSQL.
each_once() {
  local want
  want=$(sl_keys a | uniq | wc -l)
  expect_eq "$(pg_traps)" "$1" "trap observations in PostgreSQL"
  expect_eq "$want" "$1" "distinct trap keys in receiver a"
  expect_eq "$(pq "SELECT count(*) FROM (SELECT 1 FROM observation WHERE source = 'trap'
    GROUP BY entity, trap_key HAVING count(*) > 1) d")" 0 "keys stored twice"
  expect_eq "$(pq "SELECT count(DISTINCT trap_key) FROM observation WHERE source = 'trap'")" "$1" \
    "distinct keys in PostgreSQL"
  # The keys of both receivers are the ones PostgreSQL holds.
  for r in a b; do
    expect_eq "$(sl_keys "$r" | md5sum)" "$(pg_keys | md5sum)" "receiver $r's traps against PostgreSQL's"
  done
}

# --- the same 8 traps to both; both ship: each stored once ------------------------------------
for i in 1 2 3 4; do trap_both "$i" 2 $((1000 + i)); done
for i in 1 2 3 4; do trap_both "$i" 1 $((2000 + i)); done
wait_for 30 local_traps_are 8 || { cat "$work/a.log" "$work/b.log" >&2; fail "the receivers did not store 8 traps each"; }
expect_eq "$(sqlite3 "$work/a.db" "SELECT count(*) FROM observation WHERE source = 'trap' AND length(trap_digest) = 32 AND abs(trap_near - trap_bucket) = 1")" 8 "identities computed by the receiver"
ship a
expect_rc 0
expect_has "$out" "shipped 8 observations (0 already there), backlog 0"
ship b
expect_rc 0
expect_has "$out" "shipped 0 observations (8 already there), backlog 0"
each_once 8
expect_eq "$(pq "SELECT count(*) FROM observation_view WHERE item = 'ge-0/0/3' AND state = 'down'")" 1 "ge-0/0/3 down"
expect_eq "$(counter a ship.shipped) $(counter b ship.shipped) $(counter b ship.duplicates)" "8 0 8" "counters"

# --- a trap kept as evidence only (no plugin reads it), to both: shipped once --------------------
for r in a b; do
  MIBS= snmptrap -v 2c -c public "127.0.0.1:${rport[$r]}" 7777 1.3.6.1.4.1.99999.0.1 \
    1.3.6.1.4.1.99999.1.1.0 s "config changed by 'ops'"
done
local_evidence() { sqlite3 "$work/$1.db" "SELECT count(*) FROM evidence WHERE length(trap_digest) = 32"; }
wait_for 30 bash -c "[ \"\$(sqlite3 '$work/a.db' 'SELECT count(*) FROM evidence')\" = 1 ] && [ \"\$(sqlite3 '$work/b.db' 'SELECT count(*) FROM evidence')\" = 1 ]" ||
  fail "the receivers did not keep the trap as evidence"
expect_eq "$(local_evidence a) $(local_evidence b)" "1 1" "evidence with its trap identity"
ship a
expect_rc 0
expect_has "$out" "shipped 1 traps kept as evidence (0 already there)"
ship b
expect_rc 0
expect_has "$out" "shipped 0 traps kept as evidence (1 already there)"
expect_eq "$(pq "SELECT count(*) FROM evidence WHERE trap_oid = '1.3.6.1.4.1.99999.0.1'")" 1 "the evidence in PostgreSQL"

# --- shipped again: nothing new ------------------------------------------------------------------
for r in a b; do
  ship "$r" --batch 3
  expect_rc 0
  expect_has "$out" "shipped 0 observations (0 already there), backlog 0"
done
each_once 8
# An observation without a trap key (an import) is known by its receiver and its seq there.
echo '{"time":"2026-11-01T00:00:00Z","device":"sw1","interface":"ge-0/0/9","state":"up"}' >"$work/obs.jsonl"
run "$colosla" --db "$work/b.db" observe "$work/obs.jsonl"
expect_rc 0
ship b
expect_rc 0
expect_has "$out" "shipped 1 observations (0 already there), backlog 0"
# A batch shipped again after a crash before the local watermark moved: stored no second time.
sqlite3 "$work/b.db" "UPDATE counter SET value = 0 WHERE name = 'ship.watermark'"
ship b --batch 3
expect_rc 0
expect_has "$out" "shipped 0 observations (9 already there)"
each_once 8
expect_eq "$(pq "SELECT count(*) FROM observation_view WHERE source = 'import'")" 1 "the import"

# --- PostgreSQL stopped while traps keep arriving, then started: the backlog shipped -------------
declare -A spid
for r in a b; do
  "$colosla" --db "$work/$r.db" ship --to "$pg" --every 1 --batch 5 >"$work/ship-$r.log" 2>&1 &
  spid[$r]=$!
  cleanup_hooks+=("kill -KILL ${spid[$r]} 2>/dev/null")
done
as_pg "$pgbin/pg_ctl" -D "$srv/data" -m fast -w -t 30 stop >/dev/null
down_at=$SECONDS
for i in 1 2 3 4; do trap_both "$i" 2 $((3000 + i)); done
wait_for 30 grep -q "retrying" "$work/ship-a.log" || { cat "$work/ship-a.log" >&2; fail "shipper a did not retry"; }
for i in 1 2 3 4; do trap_both "$i" 1 $((4000 + i)); done
wait_for 30 local_traps_are 16 || fail "the receivers did not keep receiving"
backlog_of() { [ "$(counter a ship.backlog)" = "$1" ] && [ "$(counter b ship.backlog)" = "$1" ]; }
wait_for 30 backlog_of 8 || fail "backlog: a $(counter a ship.backlog), b $(counter b ship.backlog), not 8"
# The outage lasts 30 s (the issue's case), the shippers retrying meanwhile with their backoff.
down_30s() { (( SECONDS - down_at >= 30 )) && [ "$(grep -c retrying "$work/ship-a.log")" -ge 4 ]; }
wait_for 90 down_30s || fail "shipper a retried $(grep -c retrying "$work/ship-a.log") times in $((SECONDS - down_at)) s"
expect_eq "$(pg_up && echo up || echo down)" down "PostgreSQL during the outage"
as_pg "$pgbin/pg_ctl" -D "$srv/data" -l "$srv/pg.log" -w -t 60 \
  -o "-k $srv -p 15433 -c listen_addresses='' -c fsync=off" start >/dev/null
wait_for 30 pg_up || fail "PostgreSQL did not start again"
wait_for 90 pg_traps_are 16 || { cat "$work/ship-a.log" "$work/ship-b.log" >&2; fail "PostgreSQL holds $(pg_traps) traps, not 16"; }
wait_for 30 backlog_of 0 || fail "backlog: a $(counter a ship.backlog), b $(counter b ship.backlog), not 0"
for r in a b; do
  kill -TERM "${spid[$r]}"
  wait_for 20 bash -c "! kill -0 ${spid[$r]} 2>/dev/null" || fail "shipper $r did not stop on SIGTERM"
  set +e
  wait "${spid[$r]}"
  code=$?
  set -e
  expect_eq "$code" 0 "shipper $r's exit status"
done
each_once 16
expect_eq "$(( $(counter a ship.shipped) + $(counter b ship.shipped) ))" 17 "shipped by both (16 traps, 1 import)"
# Nothing deleted locally (this first shipper forgets nothing).
expect_eq "$(local_traps a) $(local_traps b)" "16 16" "the local stores"

# --- receiver b killed (kill -9) mid-stream and restarted: still each trap once ------------------
kill -KILL "${rpid[b]}"
wait "${rpid[b]}" 2>/dev/null || true
for i in 1 2 3 4; do trap_both "$i" 2 $((5000 + i)); done  # b is down: a alone has these
start_trapd "$trapd" "$work/b.conf" "$work/b2.log" "udp:127.0.0.1:${rport[b]}"
rpid[b]=$pid
# New ports, so that each trap is a change of state at both receivers.
for i in 5 6 7 8; do trap_both "$i" 2 $((6000 + i)); done
after_restart() { [ "$(local_traps a)" = 24 ] && [ "$(local_traps b)" = 20 ]; }
wait_for 30 after_restart || fail "after b's restart: a stored $(local_traps a) traps (not 24), b $(local_traps b) (not 20)"
ship b
expect_rc 0
expect_has "$out" "shipped 4 observations (0 already there), backlog 0"
ship a
expect_rc 0
expect_has "$out" "shipped 4 observations (4 already there), backlog 0"
expect_eq "$(pg_traps)" 24 "trap observations in PostgreSQL after b's restart"
expect_eq "$(pq "SELECT count(*) FROM (SELECT 1 FROM observation WHERE source = 'trap'
  GROUP BY entity, trap_key HAVING count(*) > 1) d")" 0 "keys stored twice after b's restart"
expect_eq "$(sl_keys a | md5sum)" "$(pg_keys | md5sum)" "receiver a's traps against PostgreSQL's"
# Every trap b stored is in PostgreSQL (once, by the check above).
sl_keys b >"$work/b.keys"
pg_keys >"$work/pg.keys"
expect_eq "$(comm -23 "$work/b.keys" "$work/pg.keys" | wc -l)" 0 "b's traps missing in PostgreSQL"
stop_receivers

# --- forgetting: with --keep-days 0 what PostgreSQL holds leaves the local store, its history stays
# What stays: the last observation, and those colosla-trapd had not merged into the history yet
# (it merges once a second; they go in a later round). "Received more than 0 days ago" is
# received before the shipper's now, to the second: the clock passes the last one's second first.
last_received=$(sqlite3 "$work/a.db" "SELECT max(received) FROM observation")
past_last() { (( $(date -u +%s) > last_received )); }
wait_for 10 past_last || fail "the clock did not pass $last_received"
changes=$(sqlite3 "$work/a.db" "SELECT count(*) FROM state_change")
total=$(sqlite3 "$work/a.db" "SELECT count(*) FROM observation")
stays=$(sqlite3 "$work/a.db" "SELECT count(*) FROM observation WHERE seq > (SELECT seq FROM state_change_merged)
  OR seq = (SELECT max(seq) FROM observation)")
[ "$stays" -lt "$((total / 2))" ] || fail "$stays of $total observations not in the history yet"
ship a --keep-days 0
expect_rc 0
expect_eq "$(sqlite3 "$work/a.db" "SELECT count(*) FROM observation")" "$stays" "observations left in a"
expect_eq "$(counter a ship.forgotten)" "$((total - stays))" "ship.forgotten"
expect_eq "$(sqlite3 "$work/a.db" "SELECT count(*) FROM state_change")" "$changes" "a's state changes"
expect_eq "$(pg_traps)" 24 "trap observations in PostgreSQL after a forgot them"
echo "ship: 16 traps from two receivers, each once in PostgreSQL, the backlog shipped after a stop"
