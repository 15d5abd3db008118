#!/usr/bin/env bash
# check_colosla against a store made with the colosla CLI (the example inventory, observations,
# a customer report): its states and exit codes through a month (an outage, an emergency open,
# then missed), -w/-c ranges, UNKNOWN for a bad store, contract or option; its figures agree with
# `colosla report`'s; and it loads no Net-SNMP, libyang or libnetconf2.
# The usual path reads the figures `colosla evaluate` publishes (status/ beside the store); stale
# or missing ones are computed when the store can be read, else UNKNOWN; -t, -v; the NOC's
# warnings (unmonitored time, a port down now whatever the SLA makes of it).
# usage: check.sh COLOSLA CHECK_COLOSLA SOURCE_DIR
colosla=$1 check=$2 src=$3
. "$src/tests/integration/lib.sh"
db=$work/colosla.db
c001_scenario "$colosla" "$src" "$db"
# The SLA's own verdicts first: the NOC's warnings (unmonitored time, down now) are off here and
# tested at the end.
c() { run "$check" --db "$db" --contract C-001 --unmonitored-warning 0 --no-now-warning "$@"; }

# Before anything happened: OK.
c --as-of 2026-11-02T00:00:00+08:00
expect_rc 0
expect_has "$(first_line "$out")" "COLOSLA OK: C-001 network 0.0 of 44.0 min used; power 0.0 of 43.2 min used; no emergency | "
# The 30-minute outage is pending a customer report (5 days): nothing counted yet.
c --as-of 2026-11-03T03:00:00+08:00 --guarantee network
expect_rc 0
expect_has "$out" "network 0.0 of 44.0 min used, 30.0 pending"
expect_has "$out" "'network_pending_min'=30.0;;;0"
run "$colosla" --db "$db" customer-report add --contract C-001 --at 2026-11-03T03:00:00+08:00 --guarantee network --by test
expect_rc 0
# Reported: 30 of 44 minutes counted, over half the budget: WARNING; the emergency is open and
# the customer not yet told: WARNING too.
c --as-of 2026-11-05T10:12:00+08:00
expect_rc 1
expect_has "$(first_line "$out")" "COLOSLA WARNING: C-001 network 30.0 of 44.0 min used; emergency open, notification due: 203.0.113.5 icmp (tell the customer by 2026-11-05T10:20:00+08:00) | "
expect_has "$out" "'network_left_min'=14.0;;;0;44.0 'network_counted_min'=30.0;;;0 'network_budget_min'=44.0 'network_availability'=99.931%;;;0;100"
# The deadline passed without a notification: CRITICAL.
c --as-of 2026-11-20T00:00:00+08:00 --guarantee emergency
expect_rc 2
expect_has "$(first_line "$out")" "COLOSLA CRITICAL: C-001 emergency notification missed: 203.0.113.5 icmp (deadline 2026-11-05T10:20:00+08:00) | 'emergencies'=1;;;0 'emergencies_open'=0;;;0 'emergencies_missed'=1;;;0"
# Ranges on the minutes left (14).
c --as-of 2026-11-20T00:00:00+08:00 --guarantee network -w 20: -c 10:
expect_rc 1
c --as-of 2026-11-20T00:00:00+08:00 --guarantee network -w20: -c15:
expect_rc 2
expect_has "$out" "'network_left_min'=14.0;20:;15:;0;44.0"
c --as-of 2026-11-20T00:00:00+08:00 --guarantee network --budget-warning 80
expect_rc 0
# The same figures as the report.
run "$colosla" --db "$db" report --month 2026-11 --as-of 2026-11-20T00:00:00+08:00 --contract C-001
expect_has "$out" "network: counted 30 min (breach at 44 min), availability 99.931 %"
expect_has "$out" "missed (deadline 2026-11-05 10:20)"

# The usual path: the figures `colosla evaluate` stored (colosla-trapd runs it every minute),
# judged the same way as when computed.
c --as-of 2026-11-05T10:12:00+08:00
live=$(first_line "$out")
run "$colosla" --db "$db" evaluate --as-of 2026-11-05T10:12:00+08:00
expect_rc 0
expect_eq "$(first_line "$out")" "evaluated 1 contract as of 2026-11-05T02:12:00Z; 5 new events"
expect_eq "$(sqlite3 "$db" "SELECT count(*) FROM contract_status WHERE contract = 'C-001'")" 1 "stored figures"
# ... and published for the monitoring users, one file a contract, 0640, beside the store.
expect_eq "$(stat -c %a "$work/status")" 2750 "the status directory's mode"
expect_eq "$(stat -c %a "$work/status/C-001.json")" 640 "the published figures' mode"
expect_has "$(cat "$work/status/C-001.json")" '"status":{"as-of":1793844720,"contract":"C-001"'
expect_has "$(cat "$work/status/.contracts.json")" '[{"contract":"C-001","customer":"Example Ltd"}]'
expect_lacks "$(cat "$work/status/"* "$work/status/".[a-z]*)" "public" "the published figures (the community)"
c
expect_rc 1
expect_eq "$(first_line "$out")" "$live" "the published figures' verdict"
expect_has "$out" "figures of colosla evaluate, "
expect_lacks "$out" "source: "
c -v
expect_has "$out" "source: $work/status/C-001.json, computed at "
c -vv
expect_has "$out" 'figures: {"as-of":1793844720,"contract":"C-001"'
# Without the store (as a monitoring user sees it), the published figures alone.
mv "$db" "$work/aside.db"
c
expect_rc 1
expect_eq "$(first_line "$out")" "$live" "the published figures' verdict without the store"
# Too old, and no store to compute them from: UNKNOWN, saying why.
sleep 1.1
c --max-age 0
expect_rc 3
expect_has "$(first_line "$out")" "COLOSLA UNKNOWN: figures "
expect_has "$(first_line "$out")" " s old (--max-age 0): is colosla-trapd's evaluator running?; cannot read the store $db to compute them: No such file or directory"
mv "$work/aside.db" "$db"
# Too old for --max-age: computed now instead (the real date, whatever it finds).
sleep 1.1
c --max-age 0
expect_has "$out" "figures computed from the store as of "
expect_lacks "$out" "figures of colosla evaluate"

# UNKNOWN, with the reason on stdout (Nagios shows stdout only).
c --guarantee network -w 20:10
expect_rc 3
expect_has "$out" "COLOSLA UNKNOWN: -w: the range \"20:10\" starts after it ends"
run "$check" --db "$db" --contract C-404
expect_rc 3
expect_has "$out" "COLOSLA UNKNOWN: no contract C-404 in the store's inventory"
# (in a directory of its own: $work/status holds the figures published for $db)
mkdir "$work/nowhere"
run "$check" --db "$work/nowhere/none.db" --contract C-001
expect_rc 3
expect_has "$out" "COLOSLA UNKNOWN: $work/nowhere/status: no status directory (No such file or directory): is colosla-trapd's evaluator running?; cannot read the store $work/nowhere/none.db to compute them: No such file or directory"
run "$check" --db "$db"
expect_rc 3
expect_has "$out" "--contract is required"
run "$check" --db "$db" --contract C-001 --guarantee uptime
expect_rc 3
expect_has "$out" "--guarantee must be network, power or emergency"

# -t: UNKNOWN when no verdict comes in time, also after the hand-over to colosla check (a store
# locked by a writer: colosla check waits for it).
run "$check" --db "$db" --contract C-001 -t 0
expect_rc 3
expect_has "$out" "-t must be whole seconds from 1 to 3600"
sqlite3 "$db" "PRAGMA journal_mode=DELETE" >/dev/null
python3 - "$db" "$work/locked" <<'PY' &
import sqlite3, sys, time, os
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(30)
PY
locker=$!
cleanup_hooks+=("kill $locker 2>/dev/null")
wait_for 20 test -e "$work/locked" || fail "the store was not locked"
started=$SECONDS
run "$check" --db "$db" --contract C-001 --max-age 0 -t 2
expect_rc 3
expect_eq "$(first_line "$out")" "COLOSLA UNKNOWN: no verdict within 2 s (-t)"
[ $((SECONDS - started)) -le 5 ] || fail "-t 2 took $((SECONDS - started)) s"
kill "$locker"; wait "$locker" 2>/dev/null || true

# What the SLA does not count, for the NOC (the defaults): the power sources were never observed
# (unmonitored the whole month so far), the port unknown until 3 November 02:00.
run "$check" --db "$db" --contract C-001 --as-of 2026-11-02T00:00:00+08:00
expect_rc 1
expect_eq "$(first_line "$out" | cut -d'|' -f1)" "COLOSLA WARNING: C-001 ports unmonitored 1440 min this month (over 60); power sources unmonitored 1440 min this month (over 60) "
expect_has "$out" "'network_unmonitored_min'=1440.0;60;;0"
run "$check" --db "$db" --contract C-001 --as-of 2026-11-02T00:00:00+08:00 --unmonitored-warning 1441
expect_rc 0
# The port down now, its outage waiting for the customer's report: WARNING, whatever the SLA says.
run "$check" --db "$db" --contract C-001 --as-of 2026-11-03T02:10:00+08:00 --guarantee network --unmonitored-warning 0
expect_rc 1
expect_has "$(first_line "$out")" "COLOSLA WARNING: C-001 port sw1 ge-0/0/1 down now (not counted: waits for the customer's report) | "
expect_has "$out" "network: port sw1 ge-0/0/1 down now, since 2026-11-03T02:00:00+08:00 (not counted: waits for the customer's report)"
run "$check" --db "$db" --contract C-001 --as-of 2026-11-03T02:10:00+08:00 --guarantee network --unmonitored-warning 0 --no-now-warning
expect_rc 0
# The SLA's CRITICAL wins over the NOC's WARNING, and both are said.
run "$check" --db "$db" --contract C-001 --as-of 2026-11-20T00:00:00+08:00 --guarantee emergency --guarantee network -c 15:
expect_rc 2
expect_has "$(first_line "$out")" "COLOSLA CRITICAL: C-001 emergency notification missed: 203.0.113.5 icmp (deadline 2026-11-05T10:20:00+08:00); network 30.0 of 44.0 min used; ports unmonitored 3000 min this month (over 60) | "

# It starts light: none of the big libraries is loaded.
libs=$(ldd "$check")
for lib in libnetsnmp libyang libnetconf2 libssh libboost libdate-tz libstdc++ libsqlite3; do
  expect_lacks "$libs" "$lib" "ldd check_colosla"
done
echo "check: ok"
