#!/usr/bin/env bash
# check_colosla against a store made with the colosla CLI (the example inventory, observations,
# a customer report): its states and exit codes through a month (an outage, an emergency open,
# then missed), -w/-c ranges, UNKNOWN for a bad store, contract or option; its figures agree with
# `colosla report`'s; and it loads no Net-SNMP, libyang or libnetconf2.
# The usual path reads the figures `colosla evaluate` stored; stale or missing ones are computed.
# usage: check.sh COLOSLA CHECK_COLOSLA SOURCE_DIR
colosla=$1 check=$2 src=$3
. "$src/tests/integration/lib.sh"
db=$work/colosla.db
c001_scenario "$colosla" "$src" "$db"
c() { run "$check" --db "$db" --contract C-001 "$@"; }

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
c
expect_rc 1
expect_eq "$(first_line "$out")" "$live" "the stored figures' verdict"
expect_has "$out" "figures of colosla evaluate, "
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
run "$check" --db "$work/none.db" --contract C-001
expect_rc 3
expect_has "$out" "COLOSLA UNKNOWN: cannot read the store $work/none.db"
run "$check" --db "$db"
expect_rc 3
expect_has "$out" "--contract is required"
run "$check" --db "$db" --contract C-001 --guarantee uptime
expect_rc 3
expect_has "$out" "--guarantee must be network, power or emergency"

# It starts light: none of the big libraries is loaded.
libs=$(ldd "$check")
for lib in libnetsnmp libyang libnetconf2 libssh libboost libdate-tz libstdc++; do
  expect_lacks "$libs" "$lib" "ldd check_colosla"
done
echo "check: ok"
