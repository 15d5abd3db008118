#!/usr/bin/env bash
# The records and the report end to end: colosla exclude|customer-report|notify|install|
# contact-invalid with their validation and audit trail, then colosla report in every format.
# usage: report.sh COLOSLA SOURCE_DIR
colosla=$1 src=$2
. "$src/tests/integration/lib.sh"

db=$work/store.db
c() { run "$colosla" --db "$db" "$@"; }
c inventory load "$src/examples/inventory.json"
expect_rc 0

c observe "$src/tests/data/example-month-observations.jsonl"
expect_rc 0

# -- recording, with its checks -------------------------------------------------------------------
c customer-report add --contract C-001 --at 2026-11-03T09:00:00+08:00 --guarantee network --by alice
expect_rc 0
expect_has "$out" "recorded record #1 (customer-report, C-001)"
expect_lacks "$err" "warning" "a report within its window"
# Maintenance needs who consented on the customer's side.
c exclude add --contract C-001 --from 2026-11-03T02:40:00+08:00 --to 2026-11-03T04:00:00+08:00 \
  --reason approved-maintenance
expect_rc 1
expect_has "$err" "approved-maintenance needs --approved-by"
c exclude add --contract C-001 --from 2026-11-03T02:40:00+08:00 --to 2026-11-03T04:00:00+08:00 \
  --reason approved-maintenance --approved-by "Wang Wei" --by bob --note "CHG-7"
expect_rc 0
expect_has "$out" "recorded record #2 (exclusion, C-001)"
expect_has "$out" "excuses network outages only"   # recorded for both: says what that means
c exclude add --contract C-001 --from 2026-11-03T04:00:00+08:00 --to 2026-11-03T02:40:00+08:00 \
  --reason customer-equipment
expect_rc 1
expect_has "$err" "--to must be after its --from"
c exclude add --contract C-001 --from 2026-11-03T01:00:00+08:00 --to 2026-11-03T02:00:00+08:00 \
  --reason approved-maintenance --approved-by X --guarantee power
expect_rc 1
expect_has "$err" "does not excuse a power interruption"
c exclude add --contract C-001 --from 2026-11-03T01:00:00+08:00 --to 2026-11-03T02:00:00+08:00 --reason typhoon
expect_rc 2
expect_has "$err" 'unknown exclusion reason "typhoon"'
c exclude add --contract C-404 --from 2026-11-03T01:00:00+08:00 --to 2026-11-03T02:00:00+08:00 --reason force-majeure
expect_rc 1
expect_has "$err" "no contract C-404"
c exclude add --contract C-001 --all --from 2026-11-03T01:00:00+08:00 --to 2026-11-03T02:00:00+08:00 --reason force-majeure
expect_rc 2

c notify record --contract C-001 --at 2026-11-05T10:20:00+08:00 --channel sms --contact "Li Lei"
expect_rc 2
expect_has "$err" 'unknown channel "sms"'
c notify record --contract C-001 --at 2026-11-05T10:20:00+08:00 --channel mobile --contact "Zhang San"
expect_rc 1
expect_has "$err" 'C-001 has no contact "Zhang San" (its contacts: Li Lei)'
c notify record --contract C-001 --at 2026-11-05T10:20:00+08:00 --channel mobile --contact "Li Lei" --by noc
expect_rc 0
expect_has "$out" "recorded record #3"
expect_lacks "$err" "warning" "a notification by the deadline"

# A correction supersedes; a withdrawal withdraws; both stay listed.
c customer-report add --contract C-001 --at 2026-11-03T09:05:00+08:00 --guarantee network --supersedes 1
expect_rc 0
expect_has "$out" "record #4"
c customer-report add --contract C-001 --at 2026-11-03T09:10:00+08:00 --guarantee network --supersedes 1
expect_rc 1
expect_has "$err" "record #1 was already superseded by record #4"
c customer-report add --contract C-001 --at 2026-11-03T09:10:00+08:00 --guarantee network --supersedes 2
expect_rc 1
expect_has "$err" "record #2 is a exclusion record"
c customer-report list --contract C-001
expect_rc 0
expect_has "$out" "#1  C-001  2026-11-03 09:00 network problem reported  [superseded by record #4]  by alice"
expect_has "$out" "#4  C-001  2026-11-03 09:05 network problem reported; corrects record #1  [in force]"
c install complete --contract C-001 --at 2026-11-04T18:00:00+08:00
expect_rc 0
expect_lacks "$err" "warning" "an installation on time"
c install complete --contract C-001 --at 2026-11-06T18:00:00+08:00
expect_rc 0   # accepted, with a warning on stderr
expect_has "$err" "colosla: warning: record #6 changes nothing: the installation of C-001 was complete at 2026-11-04T18:00:00+08:00 (record #5), and the earliest completion counts"
id=$(sed -n 's/^recorded record #\([0-9]*\).*/\1/p' <<<"$out")
c install remove "$id" --note "entered by mistake"
expect_rc 0
expect_has "$out" "withdraws record #$id"
c install list --format json
expect_rc 0
python3 - "$out" "$id" <<'PY' || fail "install list --format json"
import json, sys
rows = json.loads(sys.argv[1]); wrong = int(sys.argv[2])
status = {r["id"]: r["status"] for r in rows}
assert status[wrong] == f"withdrawn by record #{wrong + 1}", status
assert status[wrong + 1] == f"withdraws record #{wrong}", status
PY
c contact-invalid add --contract C-001 --from 2026-11-06T00:00:00+08:00
expect_rc 0
c exclude list --format json
python3 - "$out" <<'PY' || fail "exclude list --format json"
import json, sys
[e] = json.loads(sys.argv[1])
assert e["reason"] == "approved-maintenance" and e["approved-by"] == "Wang Wei", e
assert e["entered-by"] == "bob" and e["note"] == "CHG-7" and e["guarantee"] == "both", e
assert e["from"] == "2026-11-03T02:40:00+08:00", e
PY
expect_eq "$(sqlite3 "$db" 'SELECT count(*) FROM record')" "8" "records stored (nothing deleted)"

# -- the report -----------------------------------------------------------------------------------
c report --month 2026-11 --as-of 2026-12-10T00:00:00+08:00 --format json
expect_rc 0
echo "$out" >"$work/report.json"
python3 - "$work/report.json" <<'PY' || { cat "$work/report.json" >&2; fail "report JSON"; }
import json, sys
r = json.load(open(sys.argv[1]))
assert r["month"] == "2026-11", r["month"]
[c] = r["contracts"]
assert c["id"] == "C-001" and c["period-seconds"] == 2592000, c
n = c["network"]
# 02:00-03:00 down; 02:40-03:00 excluded (maintenance): 2400 counted, reported at 09:05.
assert (n["outage-seconds"], n["excluded-seconds"], n["counted-seconds"]) == (3600, 1200, 2400), n
assert n["outage-seconds"] == n["excluded-seconds"] + n["unreported-seconds"] + n["pending-seconds"] + n["counted-seconds"]
assert n["availability-percent"] == "99.907" and n["breached"] is False, n
assert n["outages"] == [dict(n["outages"][0], start="2026-11-03T02:00:00+08:00", end="2026-11-03T03:00:00+08:00", **{"counted-seconds": 2400})], n["outages"]
assert n["outages"][0]["reported"] == "2026-11-03T09:05:00+08:00"
p = c["power"]
# The UPS on battery kept power: no interruption.
assert p["outage-seconds"] == 0 and p["availability-percent"] == "100.000", p
e = c["emergencies"]
assert [(x["service"], x["declared"], x["deadline"], x["notified"], x["status"]) for x in e] == [
    ("icmp", "2026-11-05T10:10:00+08:00", "2026-11-05T10:25:00+08:00", "2026-11-05T10:20:00+08:00", "met"),
    ("www", "2026-11-06T10:10:00+08:00", "2026-11-06T10:25:00+08:00", None, "exempt"),
], e
assert e[1]["exempt-because"] == "contact details wrong (record #8)", e[1]
assert c["notification-deduction-days"] == 0
i = c["installation"]
assert i == dict(i, deadline="2026-11-05T00:00:00+08:00", completed="2026-11-04T18:00:00+08:00", late=False, refund="0.00"), i
assert c["credit"] == {"rent-waived": False, "deduction": "0.00", "total": "0.00", "currency": "CNY"}, c["credit"]
PY

c report --month 2026-11 --as-of 2026-12-10T00:00:00+08:00
expect_rc 0
expect_eq "$(first_line "$out")" "SLA report 2026-11, as of 2026-12-09T16:00:00Z"
expect_eq "$(tail -n 1 <<<"$out")" "1 contract, 0 network and 0 power breached, 0 deduction days; credits 0.00 CNY" "the totals line"
expect_has "$out" "CREDIT 0.00 CNY"
expect_has "$out" "network: counted 40 min (breach at 44 min), availability 99.907 %, unmonitored 0 min (0.000 % of the month)"
expect_lacks "$out" "NOTE:" "a report with nothing unmonitored"
c report --month 2026-11 --as-of 2026-12-10T00:00:00+08:00 --format csv
expect_rc 0
# The columns of before, then (issue 16) the unmonitored seconds and share of each guarantee.
expect_eq "$(sed -n 1p <<<"$out" | tr -d '\r')" \
  "month,contract,customer,currency,monthly_fee,period_seconds,network_counted_seconds,network_availability_percent,network_breached,power_counted_seconds,power_availability_percent,power_breached,missed_notification_days,deduction,rent_waived,credit_total,installation_late,installation_refund,network_unmonitored_seconds,network_unmonitored_percent,power_unmonitored_seconds,power_unmonitored_percent" "CSV header"
expect_eq "$(sed -n 2p <<<"$out" | tr -d '\r')" \
  "2026-11,C-001,Example Ltd,CNY,3000.00,2592000,2400,99.907,false,0,100.000,false,0,0.00,false,0.00,false,0.00,0,0.000,0,0.000" "CSV row"
c report --month 2026-11 --as-of 2026-12-10T00:00:00+08:00 --format html
expect_rc 0
# The customer's draft statement (its layout: tests/integration/statement_render.sh).
expect_has "$out" "<dd>C-001</dd>"
expect_has "$out" "<dd>Example Ltd</dd>"
expect_has "$out" '<td>2026-11-03 02:00</td><td>2026-11-03 03:00</td><td class="num">40 min</td>'

# The notification withdrawn: the icmp emergency is missed, one day's fee deducted.
c notify remove 3
expect_rc 0
c report --month 2026-11 --as-of 2026-12-10T00:00:00+08:00 --format json --contract C-001
python3 - "$out" <<'PY' || fail "report after the withdrawal"
import json, sys
[c] = json.loads(sys.argv[1])["contracts"]
assert c["emergencies"][0]["status"] == "missed", c["emergencies"]
assert c["notification-deduction-days"] == 1
assert c["credit"] == {"rent-waived": False, "deduction": "100.00", "total": "100.00", "currency": "CNY"}, c["credit"]
PY
# -- a record that can no longer change anything says so (on stderr; still accepted, exit 0) -------
# The outage began 2026-11-03 02:00; its report window ended 5 days later.
c customer-report add --contract C-001 --at 2026-11-09T09:00:00+08:00 --guarantee network
expect_rc 0
n=$(sed -n 's/^recorded record #\([0-9]*\).*/\1/p' <<<"$out")
[ -n "$n" ] || fail "no record number in: $out"
expect_has "$err" "colosla: warning: record #$n counts for nothing: a customer report makes a network outage count only when it comes at most 5 days after the outage's start"
expect_has "$err" "the last one before began 2026-11-03T02:00:00+08:00, and its report window ended 2026-11-08T02:00:00+08:00"
c customer-report list --contract C-001
expect_has "$out" "#$n  C-001  2026-11-09 09:00 network problem reported  [in force]" "the late report, stored"
c notify record --contract C-001 --at 2026-11-05T10:40:00+08:00 --channel mobile --contact "Li Lei"
expect_rc 0
expect_has "$err" "no emergency of C-001 was declared between 2026-11-05T10:25:00+08:00 and 2026-11-05T10:40:00+08:00; the last one before was declared 2026-11-05T10:10:00+08:00, and its deadline passed at 2026-11-05T10:25:00+08:00"
c exclude add --contract C-001 --from 2026-11-20T00:00:00+08:00 --to 2026-11-20T06:00:00+08:00 --reason customer-equipment
expect_rc 0
expect_has "$err" "excuses nothing: no network or power outage of C-001 lies between 2026-11-20T00:00:00+08:00 and 2026-11-20T06:00:00+08:00, as the store stands"
c contact-invalid add --contract C-001 --from 2026-11-20T00:00:00+08:00 --to 2026-11-21T00:00:00+08:00
expect_rc 0
expect_has "$err" "exempts nothing: no emergency of C-001 was declared between"
# None of them changed a figure.
c report --month 2026-11 --as-of 2026-12-10T00:00:00+08:00 --format json --contract C-001
python3 - "$out" <<'PY' || fail "report after the records that count for nothing"
import json, sys
[c] = json.loads(sys.argv[1])["contracts"]
assert c["network"]["counted-seconds"] == 2400 and c["network"]["excluded-seconds"] == 1200, c["network"]
assert c["emergencies"][0]["status"] == "missed", c["emergencies"]
assert c["credit"]["total"] == "100.00", c["credit"]
PY

c report --month 2026-13
expect_rc 2
c report --month 2026-11 --contract C-404
expect_rc 1
expect_has "$err" "no contract C-404"

# -- unmonitored time beside availability (issue 16) ----------------------------------------------
# A store whose port was first seen 9,012 minutes into November: the SLA counts nothing (unknown is
# never an outage), and every format says how long no one saw it.
db=$work/gap.db
c inventory load "$src/examples/inventory.json"
expect_rc 0
cat >"$work/gap.jsonl" <<'J'
{"time":"2026-11-07T06:12:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"up"}
{"time":"2026-11-01T00:00:00+08:00","device":"pdu1","outlet":"4","state":"on"}
{"time":"2026-11-01T00:00:00+08:00","device":"ups1","state":"normal"}
J
c observe "$work/gap.jsonl"
expect_rc 0
c report --month 2026-11 --as-of 2026-12-10T00:00:00+08:00
expect_rc 0
expect_has "$out" "  network: counted 0 min (breach at 44 min), availability 100.000 %, unmonitored 9012 min (20.861 % of the month)"
expect_has "$out" "    NOTE: 9012 min (20.861 % of the month) unmonitored: a mapped port's state was unknown. The SLA counts that time as available"
expect_has "$out" "  power: counted 0 min, availability 100.000 % (target 99.9 %), unmonitored 0 min (0.000 % of the month)"
expect_eq "$(tail -n 1 <<<"$out")" "1 contract, 0 network and 0 power breached, 0 deduction days; credits 0.00 CNY; 1 contract has unmonitored time, counted as available" "the totals line"
c report --month 2026-11 --as-of 2026-12-10T00:00:00+08:00 --format json
expect_rc 0
python3 - "$out" <<'PY' || fail "report JSON with a gap"
import json, sys
[c] = json.loads(sys.argv[1])["contracts"]
n, p = c["network"], c["power"]
assert n["availability-percent"] == "100.000" and n["counted-seconds"] == 0, n
assert n["unmonitored-seconds"] == 540720 and n["unmonitored-percent"] == "20.861", n
assert n["unmonitored-note"].startswith("9012 min (20.861 % of the month) unmonitored"), n
assert p["unmonitored-seconds"] == 0 and p["unmonitored-percent"] == "0.000" and p["unmonitored-note"] is None, p
PY
c report --month 2026-11 --as-of 2026-12-10T00:00:00+08:00 --format csv
expect_rc 0
expect_eq "$(sed -n 2p <<<"$out" | tr -d '\r')" \
  "2026-11,C-001,Example Ltd,CNY,3000.00,2592000,0,100.000,false,0,100.000,false,0,0.00,false,0.00,true,500.00,540720,20.861,0,0.000" "CSV row with a gap (never installed: refund)"
c report --month 2026-11 --as-of 2026-12-10T00:00:00+08:00 --format html
expect_rc 0
expect_has "$out" '<span class="en" lang="en">Unmonitored</span></div><div class="v">9012 min</div>' "the network's unmonitored figure"
expect_has "$out" "9012 min (20.861 % of the month) unmonitored: the state was not known"
echo "ok: report"
