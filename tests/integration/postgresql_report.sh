#!/usr/bin/env bash
# The example month on both backends: the same inventory, observations and records entered with
# colosla into a SQLite file and into a PostgreSQL database (the tests' own, ctest's fixture
# "postgresql"); the inventory, the report in every format, the evaluation's events and figures
# are the same from both.
# usage: postgresql_report.sh COLOSLA SOURCE_DIR (COLOSLA_TEST_POSTGRESQL: the admin URI)
colosla=$1 src=$2
. "$src/tests/integration/lib.sh"
require_tools psql python3
admin=${COLOSLA_TEST_POSTGRESQL:?the admin URI of the tests\' PostgreSQL (tests/support/postgresql.sh run)}

declare -A published
name=colosla_report_$$
run psql -X -q -v ON_ERROR_STOP=1 -d "$admin" -c "CREATE DATABASE $name"
expect_rc 0
cleanup_hooks+=("psql -X -q -d '$admin' -c 'DROP DATABASE IF EXISTS $name WITH (FORCE)' >/dev/null 2>&1")
pg=$(sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\\1/$name#" <<<"$admin")
expect_has "$pg" "/$name"


# Everything entered the same way into one store; what it shows kept in $work/<backend>.*.
enter() {
  local backend=$1 db=$2
  c() { run "$colosla" --db "$db" --secrets-key "$work/$backend.key" "$@"; }
  c inventory load "$src/examples/inventory.json"
  expect_rc 0
  c observe "$src/tests/data/example-month-observations.jsonl"
  expect_rc 0
  c customer-report add --contract C-001 --at 2026-11-03T09:00:00+08:00 --guarantee network --by alice
  expect_rc 0
  c exclude add --contract C-001 --from 2026-11-03T02:40:00+08:00 --to 2026-11-03T04:00:00+08:00 \
    --reason approved-maintenance --approved-by "Wang Wei" --by bob --note "CHG-7"
  expect_rc 0
  c notify record --contract C-001 --at 2026-11-05T10:20:00+08:00 --channel mobile --contact "Li Lei" --by noc
  expect_rc 0
  c customer-report add --contract C-001 --at 2026-11-03T09:10:00+08:00 --guarantee network --supersedes 1
  expect_rc 0
  c install complete --contract C-001 --at 2026-11-04T18:00:00+08:00
  expect_rc 0
  c contact-invalid add --contract C-001 --from 2026-11-06T00:00:00+08:00
  expect_rc 0
  c map add --contract C-001 --device sw1 --interface ge-0/0/2 --from 2026-11-15T00:00:00+08:00
  expect_rc 0
  c inventory show
  expect_rc 0
  printf '%s\n' "$out" | sed -E 's/loaded [0-9T:-]+Z/loaded (time)/' >"$work/$backend.inventory"
  c inventory show --format json --show-secrets
  expect_rc 0
  printf '%s\n' "$out" >"$work/$backend.secrets.json"
  for format in text json csv html; do
    c report --month 2026-11 --as-of 2026-12-10T00:00:00+08:00 --format "$format"
    expect_rc 0
    printf '%s\n' "$out" >"$work/$backend.report.$format"
  done
  mkdir -p "$work/$backend.status"
  c evaluate --as-of 2026-11-20T00:00:00Z --status-dir "$work/$backend.status" \
    --event-log "$work/$backend.events.jsonl"
  expect_rc 0
  printf '%s\n' "$out" >"$work/$backend.evaluate"
  # The figures without the wall-clock time they were computed at.
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["status"], sort_keys=True))' \
    "$work/$backend.status/C-001.json" >"$work/$backend.figures"
  c exclude list --format json
  expect_rc 0
  printf '%s\n' "$out" | sed -E 's/"entered-at": ?"[^"]*"/"entered-at":"(time)"/g' >"$work/$backend.exclusions"
}
enter sqlite "$work/store.db"
enter postgresql "$pg"

for what in inventory secrets.json report.text report.json report.csv report.html evaluate \
  events.jsonl figures exclusions; do
  diff -u "$work/sqlite.$what" "$work/postgresql.$what" >"$work/diff" ||
    fail "$what differs between SQLite and PostgreSQL: $(cat "$work/diff")"
done
expect_has "$(cat "$work/postgresql.evaluate")" "port-down C-001"
expect_has "$(cat "$work/postgresql.report.text")" "C-001"

# Entered again, each event is recorded once: nothing new from either.
for db in "$work/store.db" "$pg"; do
  run "$colosla" --db "$db" --secrets-key "$work/x.key" evaluate --as-of 2026-11-20T00:00:00Z \
    --status-dir "$work/sqlite.status"
  expect_rc 0
  expect_has "$out" "0 new events"
done
# check_colosla's live path (colosla check computes the figures from the store): the same state,
# summary and perfdata from both, whatever its exit code (a Nagios state).
run "$colosla" --db "$work/store.db" --secrets-key "$work/sqlite.key" check --contract C-001 \
  --as-of 2026-11-25T00:00:00+08:00
sqlite_check="$rc $out"
expect_has "$out" "C-001" "colosla check"
run "$colosla" --db "$pg" --secrets-key "$work/postgresql.key" check --contract C-001 \
  --as-of 2026-11-25T00:00:00+08:00
expect_eq "$rc $out" "$sqlite_check" "colosla check from PostgreSQL"
# check_colosla hands over to colosla check on PostgreSQL too (no file to try first: the server
# decides who may read), and reads the published figures of either without opening the store.
check=$(dirname "$colosla")/../check_colosla/check_colosla
run "$check" --db "$pg" --status-dir "$work/postgresql.status" --contract C-001 \
  --as-of 2026-11-25T00:00:00+08:00
expect_eq "$rc $out" "$sqlite_check" "check_colosla's live path on PostgreSQL"
for backend in sqlite postgresql; do
  db=$work/store.db
  [ "$backend" = postgresql ] && db=$pg
  run "$check" --db "$db" --status-dir "$work/$backend.status" --contract C-001 --max-age 86400
  expect_has "$out" "figures of colosla evaluate" "check_colosla's usual path ($backend)"
  published[$backend]="$rc ${out%%figures of colosla evaluate*}"
done
expect_eq "${published[postgresql]}" "${published[sqlite]}" "check_colosla's published figures"

# A password in the location (a command line, $COLOSLA_DB) is refused, never printed back: it
# belongs in ~/.pgpass or a service file. A store that cannot be reached is named in the error.
run "$colosla" --db "postgresql://colosla:s3cret-pw@/nosuchdb?host=$work/no-socket" report --month 2026-11
expect_rc 3
expect_has "$err" "must not hold a password" "the error"
expect_has "$err" "nosuchdb" "the error"
expect_lacks "$err$out" "s3cret-pw" "the error"
run "$colosla" --db "postgresql://colosla@/nosuchdb?host=$work/no-socket" report --month 2026-11
expect_rc 3
expect_has "$err" "cannot connect to PostgreSQL" "the error"
echo "postgresql_report: the example month is the same from SQLite and PostgreSQL"
