#!/usr/bin/env bash
# The store and the command line against a NOC's security review: no community, pass phrase or
# password in the store's files or in what `inventory show` prints (unless asked, with the key);
# a user who may only read the store runs the read-only commands (and gets nothing of the secrets);
# an unreadable file is exit 3 for every command; an observation dated in year 0000 or 9999 is
# refused with its line.
# usage: store_security.sh COLOSLA SOURCE_DIR
colosla=$1 src=$2
. "$src/tests/integration/lib.sh"
command -v setpriv >/dev/null || fail "setpriv is not installed (util-linux)"
store_dir=$work/store
mkdir "$store_dir"
db=$store_dir/colosla.db
c() { "$colosla" --db "$db" "$@"; }

# The example inventory, with a secret of each kind that can be looked for.
python3 - "$src/examples/inventory.json" >"$work/inventory.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for d in doc["colosla-inventory:inventory"]["device"]:
    if d["name"] == "sw1":
        d["snmp"]["community"] = "SECRETcommunity"
    if d["name"] == "pdu1":
        d["snmp"]["auth-password"] = "SECRETauthpass"
        d["snmp"]["priv-password"] = "SECRETprivpass"
    if d["name"] == "core1":
        d["netconf"]["password"] = "SECRETnetconf"
json.dump(doc, sys.stdout)
PY
run c inventory load "$work/inventory.json" --by test
expect_rc 0

# --- secrets at rest: sealed in the store, the key beside it and only its owner's ---------------
! grep -q SECRET "$db" || fail "a secret of the inventory is in clear in $db"
# (and in its write-ahead log while a writer holds it: the unit tests look there)
expect_eq "$(stat -c %a "$db.key")" 600 "the secrets key's mode"
expect_eq "$(sqlite3 "$db" "SELECT count(*) FROM device WHERE snmp_community LIKE 'colosla-sealed:1:%'")" 4 \
  "sealed communities"

# --- inventory show: the secrets left out, unless asked for ---------------------------------------
run c inventory show --format json
expect_rc 0
expect_lacks "$out" "SECRET" "inventory show --format json"
expect_has "$out" '"community": "(secret)"' "inventory show --format json"
run c inventory show --format json --show-secrets
expect_rc 0
for s in SECRETcommunity SECRETauthpass SECRETprivpass SECRETnetconf; do
  expect_has "$out" "$s" "inventory show --format json --show-secrets"
done
run c inventory show --show-secrets
expect_rc 2
run c inventory show
expect_rc 0
expect_lacks "$out" "SECRET" "inventory show"

# Loading the same file again is recognised (by a keyed digest, not a clear copy).
run c inventory load "$work/inventory.json" --by test
expect_rc 0
expect_has "$out" "inventory unchanged"

# --- a user who may only read the store --------------------------------------------------------
observations="$work/c001.jsonl"
cat >"$observations" <<'JSONL'
{"time":"2026-11-03T02:00:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"down"}
{"time":"2026-11-03T02:30:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"up"}
JSONL
run c observe "$observations"
expect_rc 0
chmod 755 "$work" "$store_dir"
chmod 644 "$db"
[ ! -e "$db-wal" ] || fail "$db-wal is left after every writer closed"
reader() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$colosla" --db "$db" "$@"; }
read_only_commands() {  # read_only_commands WHEN: each read-only command as the reader
  local cmd
  for cmd in "report --month 2026-11 --format json" "stats" "events" "inventory show" \
    "inventory show --format json" "map list" "exclude list" "notify list" "nagios-config" "zabbix discovery" \
    "check --contract C-001 --as-of 2026-11-05T10:16:00+08:00" "statement list" "statement verify" \
    "statement show --contract C-001 --month 2026-11 --format json"; do
    # shellcheck disable=SC2086
    run reader $cmd
    case $cmd in
      check*) [ "$rc" -le 2 ] || fail "colosla $cmd by a user who may only read the store ($1): exit $rc: $out $err" ;;
      *) [ "$rc" -eq 0 ] || fail "colosla $cmd by a user who may only read the store ($1): exit $rc: $err" ;;
    esac
    expect_lacks "$out" "SECRET" "colosla $cmd as the reader"
  done
  run reader report --month 2026-11 --format json
  expect_has "$out" '"outage-seconds":1800' "the reader's report ($1)"
}
# 1. Nothing writes: the reader may not create the -shm file, and reads the store alone.
read_only_commands "no writer"
# ... who gets no secret, and changes nothing.
run reader inventory show --format json --show-secrets
expect_rc 3
expect_has "$err" "cannot read the secrets key"
run reader observe "$observations"
expect_rc 3
expect_eq "$(sqlite3 "$db" "SELECT count(*) FROM observation")" 2 "observations after the reader's observe"
# 2. A writer holds the store open with something in its -wal: the reader shares its -shm
#    (created with the store's mode).
python3 - "$db" "$work/holder.ready" <<'PY' &
import pathlib, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("INSERT INTO counter(name, value, updated) VALUES ('test.holder', 1, 0)")
pathlib.Path(sys.argv[2]).touch()
time.sleep(120)
PY
holder=$!
cleanup_hooks+=("kill $holder 2>/dev/null")
wait_for 30 test -e "$work/holder.ready" || fail "the writer did not start"
read_only_commands "while written"
run reader stats
expect_has "$out" "test.holder" "stats read while written"
# A reader who was given the store but not its -shm is told what is missing.
chmod 600 "$db-shm"
run reader stats
expect_rc 3
expect_has "$err" "a user who may read it needs read access to $db-wal and $db-shm as well"
kill "$holder"
wait "$holder" 2>/dev/null || true

# --- one exit code for an unreadable file: 3 ----------------------------------------------------
for cmd in "inventory validate $work/missing.json" "inventory load $work/missing.json" "inventory validate $work" \
  "observe $work/missing.jsonl"; do
  # shellcheck disable=SC2086
  run c $cmd
  expect_rc 3
done
printf '{"colosla-inventory:inventory":{}}\n' >"$work/unreadable.json"
chmod 000 "$work/unreadable.json"
run setpriv --reuid=nobody --regid=nogroup --clear-groups "$colosla" inventory validate "$work/unreadable.json"
expect_rc 3
expect_has "$err" "cannot be read: Permission denied"

# --- observation times: before 1970 or more than a day ahead are refused, with the line ----------
cat >"$work/years.jsonl" <<'JSONL'
{"time":"2026-11-04T02:00:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"down"}
{"time":"0000-01-01T00:00:00Z","device":"sw1","interface":"ge-0/0/1","state":"up"}
{"time":"9999-12-31T00:00:00Z","device":"sw1","interface":"ge-0/0/1","state":"down"}
JSONL
run c observe "$work/years.jsonl"
expect_rc 1
expect_has "$err" "$work/years.jsonl:2: \"time\": 0000-01-01T00:00:00Z is before 1970"
expect_has "$err" "$work/years.jsonl:3: \"time\": 9999-12-31T00:00:00Z is more than a day after now"
expect_eq "$(sqlite3 "$db" "SELECT count(*) FROM observation")" 2 "observations after the refused file"
echo "ok: store-security"
