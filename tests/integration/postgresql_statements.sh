#!/usr/bin/env bash
# Closed statements on PostgreSQL (docs/statements.md): close, close twice (refused), a record
# after the close (the closed statement unchanged, an adjustment in the next), verify; a row
# changed behind colosla's back with psql (its trigger disabled first) is found by verify.
# usage: postgresql_statements.sh COLOSLA SOURCE_DIR (COLOSLA_TEST_POSTGRESQL: the admin URI)
colosla=$1 src=$2
. "$src/tests/integration/lib.sh"
require_tools psql python3 faketime
admin=${COLOSLA_TEST_POSTGRESQL:?the admin URI of the tests\' PostgreSQL (tests/support/postgresql.sh run)}

name=colosla_statements_$$
run psql -X -q -v ON_ERROR_STOP=1 -d "$admin" -c "CREATE DATABASE $name"
expect_rc 0
cleanup_hooks+=("psql -X -q -d '$admin' -c 'DROP DATABASE IF EXISTS $name WITH (FORCE)' >/dev/null 2>&1")
pg=$(sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\\1/$name#" <<<"$admin")
c() { run "$colosla" --db "$pg" --secrets-key "$work/store.key" "$@"; }
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$pg" -c "$1"; }

c inventory load "$src/examples/inventory.json"
expect_rc 0
c observe "$src/tests/data/example-month-observations.jsonl"
expect_rc 0
c statement close --month 2026-11 --as-of 2026-12-01T01:00:00+08:00 --by alice
expect_rc 0
expect_has "$out" "closed C-001 2026-11: statement ST-2026-11-000001"
c statement close --month 2026-11 --by bob
expect_rc 1
expect_has "$err" "C-001: 2026-11 is closed already: statement ST-2026-11-000001"
c statement show --contract C-001 --month 2026-11 --format json
nov_json=$out
c customer-report add --contract C-001 --at 2026-11-03T09:00:00+08:00 --guarantee network --by ops
expect_rc 0
# After December has ended (libfaketime sets the clock; the server's stays).
run faketime -f "@2027-01-02 00:00:00" "$colosla" --db "$pg" --secrets-key "$work/store.key" \
  statement close --month 2026-12 --as-of 2027-01-01T00:00:00+08:00 --by bob
expect_rc 0
c statement show --contract C-001 --month 2026-11 --format json
expect_eq "$out" "$nov_json" "the closed statement, byte for byte"
c statement show --contract C-001 --month 2026-12 --format json
python3 - "$out" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
[a] = d["adjustments"]
assert (a["before"], a["after"], a["amount"]) == ("200.00", "3000.00", "2800.00"), a
assert a["cause"].startswith("record #1: customer report for network"), a
assert d["statement"]["total"] == "2800.00", d["statement"]
PY
c statement verify
expect_rc 0
expect_has "$out" "OK: 2 statements, the chain holds"

# The trigger refuses a change; its owner can disable it, and verify finds what was done.
run sql "UPDATE statement SET closed_by = 'eve' WHERE seq = 1"
expect_rc 1
expect_has "$err" "a closed statement never changes (UPDATE refused)"
sql "ALTER TABLE statement DISABLE TRIGGER statement_never_changes;
     UPDATE statement SET closed_by = 'eve' WHERE seq = 1"
c statement verify
expect_rc 1
expect_has "$out" "BROKEN: statement ST-2026-11-000001 (C-001 2026-11, place 1): its digest"
echo "postgresql statements: ok"
