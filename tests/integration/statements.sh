#!/usr/bin/env bash
# Closed statements end to end (docs/statements.md): close, show (json, text), verify, close
# twice (refused), a record entered after the close (the closed statement unchanged, an
# adjustment in the next month's), a row changed or deleted behind colosla's back (found by
# verify), the billing CSV.
# usage: statements.sh COLOSLA SOURCE_DIR
colosla=$1 src=$2
. "$src/tests/integration/lib.sh"
require_tools sqlite3 python3 faketime pdfinfo pdftotext weasyprint

db=$work/store.db
c() { run "$colosla" --db "$db" "$@"; }
c inventory load "$src/examples/inventory.json"
expect_rc 0
# The example month: an outage of 60 min on 2026-11-03 that nobody reported (not counted), two
# emergencies notified late (2 deduction days: 200.00 CNY of 3000.00).
c observe "$src/tests/data/example-month-observations.jsonl"
expect_rc 0

# -- closing ------------------------------------------------------------------------------------
c statement verify
expect_rc 0
expect_eq "$out" "OK: 0 statements, the chain holds; last digest (none)"
c statement close --month 2026-11 --as-of 2026-11-30T23:59:59+08:00 --by alice
expect_rc 1
expect_has "$err" "is before 2026-11 ends (2026-12-01T00:00:00+08:00)"
c statement close --month 2026-11 --as-of 2026-12-01T01:00:00+08:00 --by alice
expect_rc 0
expect_has "$out" "closed C-001 2026-11: statement ST-2026-11-000001, digest "
nov_digest=$(sed -n 's/.*digest \([0-9a-f]\{64\}\)$/\1/p' <<<"$out")
[ -n "$nov_digest" ] || fail "close prints the digest"
c statement close --month 2026-11 --contract C-001 --by bob
expect_rc 1
expect_has "$err" "C-001: 2026-11 is closed already: statement ST-2026-11-000001"
expect_eq "$(sqlite3 "$db" 'SELECT count(*) FROM statement')" "1" "one statement after two closes"

# -- show -----------------------------------------------------------------------------------------
c statement show --contract C-001 --month 2026-11 --format json
expect_rc 0
nov_json=$out
python3 - "$nov_json" "$nov_digest" <<'EOF'
import json, sys
d = json.loads(sys.argv[1])
s = d["statement"]
assert s["number"] == "ST-2026-11-000001", s
assert s["contract"] == "C-001" and s["month"] == "2026-11", s
assert s["closed-by"] == "alice" and s["as-of"] == "2026-11-30T17:00:00Z", s
assert s["digest"] == sys.argv[2] and s["previous-digest"] == "", s
assert s["total"] == "200.00" and s["currency"] == "CNY", s
assert d["report"]["id"] == "C-001" and d["report"]["credit"]["total"] == "200.00", d["report"]
assert d["report"]["network"]["unreported-seconds"] == 3600, d["report"]["network"]
assert d["adjustments"] == [] and d["language"] == "both", d
EOF
c statement show --contract C-001 --month 2026-11
expect_rc 0
expect_has "$out" "statement ST-2026-11-000001: C-001 (Example Ltd), 2026-11"
expect_has "$out" "closed "
expect_has "$out" " by alice, as of 2026-11-30T17:00:00Z"
expect_has "$out" "digest $nov_digest"
expect_has "$out" "credit: 200.00 CNY (deduction 200.00)"
expect_has "$out" "total: 200.00 CNY"
# The customer's statement, from the frozen document: its number, the credit, both languages.
c statement show --contract C-001 --month 2026-11 --format html
expect_rc 0
expect_has "$out" "ST-2026-11-000001" "the HTML statement (number)"
expect_has "$out" "200.00" "the HTML statement (credit)"
expect_has "$out" "网络" "the HTML statement (Chinese)"
expect_has "$out" "Network" "the HTML statement (English)"
c statement show --contract C-001 --month 2026-11 --format html --language en
expect_lacks "$out" "网络" "the English-only statement"
# Its PDF (WeasyPrint), A4, with the number and the credit in its text.
"$colosla" --db "$db" statement show --contract C-001 --month 2026-11 --format pdf >"$work/nov.pdf" ||
  fail "statement show --format pdf failed"
expect_has "$(pdfinfo "$work/nov.pdf")" "(A4)" "pdfinfo"
nov_text=$(pdftotext -layout "$work/nov.pdf" -)
expect_has "$nov_text" "ST-2026-11-000001" "the PDF's text (number)"
expect_has "$nov_text" "200.00 CNY" "the PDF's text (credit)"
c statement verify
expect_rc 0
expect_eq "$out" "OK: 1 statements, the chain holds; last digest $nov_digest"

# -- a record after the close ---------------------------------------------------------------------
# The customer reported the 2026-11-03 outage within its 5 days, but it is entered only now: the
# outage counts (60 min > 44: rent waived, 3000.00), which changes a closed month.
c customer-report add --contract C-001 --at 2026-11-03T09:00:00+08:00 --guarantee network --by ops
expect_rc 0
c report --month 2026-11 --contract C-001 --as-of 2026-12-01T01:00:00+08:00 --format json
expect_has "$out" '"total":"3000.00"' "the report, which moves"
c statement show --contract C-001 --month 2026-11 --format json
expect_eq "$out" "$nov_json" "the closed statement, byte for byte"
# December's draft already carries it; its close freezes it.
c statement show --contract C-001 --month 2026-12 --format json
expect_rc 0
expect_has "$out" '"statement":null'
expect_has "$out" '"amount":"2800.00"'
# December has not ended on this machine's clock: refused, then closed on a clock set after it
# (libfaketime: the only fake here is the time).
c statement close --month 2026-12 --as-of 2027-01-01T00:00:00+08:00 --by bob
expect_rc 1
expect_has "$err" "--as-of 2026-12-31T16:00:00Z is after the time of closing ("
run faketime -f "@2027-01-02 00:00:00" "$colosla" --db "$db" statement close --month 2026-12 \
  --as-of 2027-01-01T00:00:00+08:00 --by bob
expect_rc 0
expect_has "$out" "closed C-001 2026-12: statement ST-2026-12-000002"
c statement show --contract C-001 --month 2026-12 --format json
expect_rc 0
dec_json=$out
python3 - "$dec_json" "$nov_digest" <<'EOF'
import json, sys
d = json.loads(sys.argv[1])
s = d["statement"]
assert s["number"] == "ST-2026-12-000002" and s["previous-digest"] == sys.argv[2], s
assert d["report"]["credit"]["total"] == "0.00", d["report"]["credit"]
[a] = d["adjustments"]
assert a["month"] == "2026-11" and a["statement"] == "ST-2026-11-000001", a
assert a["before"] == "200.00" and a["after"] == "3000.00" and a["amount"] == "2800.00", a
assert a["cause"].startswith("record #1: customer report for network at 2026-11-03T09:00:00+08:00 entered "), a
assert a["cause"].endswith(" by ops"), a
assert s["total"] == "2800.00", s
EOF
c statement show --contract C-001 --month 2026-12
expect_has "$out" "2026-11 (statement ST-2026-11-000001): 200.00 -> 3000.00, amount 2800.00 CNY"
expect_has "$out" "cause: record #1: customer report for network"
expect_has "$out" "figures: network counted 0 min -> 60 min"
expect_has "$out" "total: 2800.00 CNY"
c statement show --contract C-001 --month 2026-11 --format json
expect_eq "$out" "$nov_json" "the closed statement, byte for byte, after the next close"
# Carried once: January's draft has no adjustment for November any more.
c statement show --contract C-001 --month 2027-01 --format json
expect_has "$out" '"adjustments":[]'
c statement verify
expect_rc 0
expect_has "$out" "OK: 2 statements, the chain holds; last digest "

# -- list and the CSV -----------------------------------------------------------------------------
c statement list
expect_rc 0
expect_has "$out" "ST-2026-11-000001  C-001  2026-11  total 200.00 CNY"
expect_has "$out" "ST-2026-12-000002  C-001  2026-12  total 2800.00 CNY"
c statement list --format json
expect_eq "$(wc -l <<<"$out")" "2" "one JSON statement a line"
c statement export --month 2026-12
expect_rc 0
python3 - "$out" <<'EOF'
import csv, io, sys
rows = list(csv.DictReader(io.StringIO(sys.argv[1], newline="")))
assert len(rows) == 1, rows
r = rows[0]
assert r["number"] == "ST-2026-12-000002" and r["contract"] == "C-001", r
assert r["customer"] == "Example Ltd" and r["month"] == "2026-12" and r["currency"] == "CNY", r
assert r["monthly_fee"] == "3000.00" and r["credit"] == "0.00", r
assert r["adjustments"] == "2800.00" and r["total"] == "2800.00", r
assert r["closed_by"] == "bob" and len(r["digest"]) == 64, r
EOF
c statement list --format csv
python3 - "$out" <<'EOF'
import csv, io, sys
rows = list(csv.DictReader(io.StringIO(sys.argv[1], newline="")))
assert [r["total"] for r in rows] == ["200.00", "2800.00"], rows
assert [r["closed_by"] for r in rows] == ["alice", "bob"], rows
EOF

# -- behind colosla's back ------------------------------------------------------------------------
# The triggers refuse a change; an owner of the file can drop them, and verify finds what he did.
cp "$db" "$work/changed.db"
run sqlite3 "$work/changed.db" "UPDATE statement SET closed_by = 'eve' WHERE seq = 1"
expect_rc 19
expect_has "$err" "a closed statement never changes"
sqlite3 "$work/changed.db" "DROP TRIGGER statement_never_updated;
  UPDATE statement SET document = replace(document, '\"total\":\"200.00\"', '\"total\":\"0.00\"')
  WHERE seq = 1"
run "$colosla" --db "$work/changed.db" statement verify
expect_rc 1
expect_has "$out" "BROKEN: statement ST-2026-11-000001 (C-001 2026-11, place 1): its digest $nov_digest does not match its content"

# A changed row whose digest is recomputed too breaks the link from the next one.
cp "$db" "$work/relinked.db"
sqlite3 "$work/relinked.db" "DROP TRIGGER statement_never_updated;
  UPDATE statement SET digest = '$(printf '0%.0s' {1..64})' WHERE seq = 1"
run "$colosla" --db "$work/relinked.db" statement verify
expect_rc 1
expect_has "$out" "BROKEN: statement ST-2026-11-000001"

cp "$db" "$work/deleted.db"
sqlite3 "$work/deleted.db" "DROP TRIGGER statement_never_deleted; DELETE FROM statement WHERE seq = 1"
run "$colosla" --db "$work/deleted.db" statement verify
expect_rc 1
expect_has "$out" "BROKEN: statement ST-2026-12-000002 (C-001 2026-12, place 2): its place in the chain is 2 where 1 was expected"

# The last statements deleted: the shorter chain holds, but not the digest kept before.
c statement verify
dec_digest=$(sed -n 's/.*last digest \([0-9a-f]\{64\}\)$/\1/p' <<<"$out")
[ -n "$dec_digest" ] || fail "verify prints the last digest"
cp "$db" "$work/truncated.db"
sqlite3 "$work/truncated.db" "DROP TRIGGER statement_never_deleted; DELETE FROM statement WHERE seq = 2"
run "$colosla" --db "$work/truncated.db" statement verify
expect_rc 0
expect_eq "$out" "OK: 1 statements, the chain holds; last digest $nov_digest"
run "$colosla" --db "$work/truncated.db" statement verify --last "$dec_digest"
expect_rc 1
expect_has "$out" "BROKEN: no statement has the digest $dec_digest any more"

# The original still holds.
c statement verify --last "$dec_digest"
expect_rc 0
c statement verify --last "$nov_digest"
expect_rc 0
# The statement speaks the contract's language: an inventory that says English gives English
# alone, unless --language asks otherwise.
sed 's/"language":"both"/"language":"en"/' "$src/examples/inventory.json" >"$work/english.json"
grep -qF '"language":"en"' "$work/english.json" || fail "the example inventory has no language leaf to change"
c inventory load "$work/english.json"
expect_rc 0
c statement show --contract C-001 --month 2026-11 --format html
expect_rc 0
expect_has "$out" "ST-2026-11-000001" "the English statement"
expect_lacks "$out" "网络" "the English statement"
c report --month 2026-11 --as-of 2026-12-01T01:00:00+08:00 --format html
expect_lacks "$out" "网络" "the English draft"
c statement show --contract C-001 --month 2026-11 --format html --language both
expect_has "$out" "网络" "the statement asked in both languages"
echo "statements: ok"
