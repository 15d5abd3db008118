#!/usr/bin/env bash
# One malformed inventory from tests/data/bad-inventory/: `inventory validate` and
# `inventory load` both reject it with a message that names the file, the data path (and the
# line where libyang gives one), and the store is byte-for-byte what it was before.
# usage: bad_inventory.sh COLOSLA SOURCE_DIR BAD_FILE
colosla=$1 src=$2 bad=$3
. "$src/tests/integration/lib.sh"

expect_file=${bad%.*}.expect
[ -f "$expect_file" ] || fail "no $expect_file beside $bad"
want_path=$(sed -n 's/^path: //p' "$expect_file")
want_msg=$(sed -n 's/^message: //p' "$expect_file")
want_line=$(sed -n 's/^line: //p' "$expect_file")
[ -n "$want_msg" ] || fail "$expect_file has no message line"

check_message() {
  expect_has "$err" "$bad" "the error (file name)"
  [ -z "$want_path" ] || expect_has "$err" "$want_path" "the error (data path)"
  expect_has "$err" "$want_msg" "the error (message)"
  [ -z "$want_line" ] || expect_has "$err" "$bad:$want_line:" "the error (line number)"
}

# A store that holds more than an inventory: a mapping record and an observation.
db=$work/store.db
run "$colosla" --db "$db" inventory load "$src/examples/inventory.json"
expect_rc 0
run "$colosla" --db "$db" map add --contract C-001 --device sw1 --interface ge-0/0/2 \
  --from 2026-11-10T00:00:00+08:00 --by test
expect_rc 0
printf '%s\n' '{"time":"2026-11-03T02:00:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"down"}' \
  >"$work/obs.jsonl"
run "$colosla" --db "$db" observe "$work/obs.jsonl"
expect_rc 0
before=$(sha256sum "$db" | cut -d' ' -f1)
files_before=$(ls -A "$work" | grep -v '^\.')

run "$colosla" inventory validate "$bad"
expect_rc 1
check_message
expect_has "$(tail -n 1 <<<"$err")" "the inventory is not valid" "the last line"
[ -z "$out" ] || fail "validate printed on stdout for a bad file"

run "$colosla" --db "$db" inventory load "$bad"
expect_rc 1
check_message
expect_has "$err" "nothing loaded"

# Beside a good file, the bad one still rejects the whole load.
run "$colosla" inventory validate "$src/tests/data/extra-device.json"
expect_rc 0
run "$colosla" --db "$db" inventory load "$src/tests/data/extra-device.json" "$bad"
expect_rc 1
expect_has "$err" "$want_msg" "the error (message)"

after=$(sha256sum "$db" | cut -d' ' -f1)
expect_eq "$after" "$before" "store checksum after the rejected loads"
expect_eq "$(ls -A "$work" | grep -v '^\.')" "$files_before" "files beside the store"
run "$colosla" --db "$db" inventory show
expect_rc 0
expect_has "$out" "inventory version 1," "inventory show"
echo "ok: $(basename "$bad")"
