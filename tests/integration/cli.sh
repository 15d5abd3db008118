#!/usr/bin/env bash
# Drives the colosla command line end to end on a fresh store: inventory, mapping, observations,
# the store's properties (mode 0600, WAL, schema version), exit codes and messages.
# usage: cli.sh COLOSLA SOURCE_DIR
colosla=$1 src=$2
. "$src/tests/integration/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is not installed (scripts/deps installs it)"

db=$work/store.db
example=$src/examples/inventory.json
c() { run "$colosla" --db "$db" "$@"; }

# -- usage --------------------------------------------------------------------------------------
run "$colosla"
expect_rc 2
expect_has "$err" "usage: colosla"
run "$colosla" frobnicate
expect_rc 2
expect_has "$err" 'unknown command "frobnicate"'
run "$colosla" inventory show --format yaml --db "$db"
expect_rc 2
expect_has "$err" "--format must be one of text, json"
run "$colosla" inventory validate
expect_rc 2
# an option or a value that holds Boost.Program_options' own placeholders (it once hung)
run timeout 20 "$colosla" report --db "$db" --%canonical_option%=1
expect_rc 2
expect_has "$err" "unrecognised option '--?canonical_option?=1'"
run "$colosla" map add --help
expect_rc 0
expect_has "$out" "--contract"
# every command answers --help with its synopsis (the command table) and its options
run "$colosla" --help
expect_rc 0
usage=$out
# the exit status of a record accepted with a warning (it can no longer count) is documented
expect_has "$usage" "Exit: 0 done (also a record accepted with a warning"
for words in "inventory validate" "inventory load" "inventory show" "map add" "map remove" \
  "map list" observe "exclude add" "exclude list" "exclude remove" "customer-report add" \
  "customer-report list" "customer-report remove" "notify record" "notify send" "notify list" \
  "notify remove" "install complete" "install list" "install remove" "contact-invalid add" \
  "contact-invalid list" "contact-invalid remove" report evaluate events nagios-config \
  "zabbix discovery" "zabbix get" poll discover netconf-check netconf-listen probe prober \
  trap-handler stats plugins; do
  expect_has "$usage" "  $words" "colosla --help"
  # shellcheck disable=SC2086
  run "$colosla" $words --help
  expect_rc 0
  expect_eq "$(first_line "$out" | cut -d' ' -f1-$(($(wc -w <<<"$words") + 2)))" "usage: colosla $words"
  expect_has "$out" "--db"
done
run "$colosla" check --help
expect_rc 3
expect_has "$out" "usage: check_colosla"
run "$colosla" inventory --help
expect_rc 0
expect_has "$out" "inventory load FILE..."
run "$colosla" inventory
expect_rc 2
expect_has "$err" "colosla inventory needs a subcommand"
run "$colosla" zabbix frobnicate
expect_rc 2
expect_has "$err" 'unknown subcommand "zabbix frobnicate" (discovery, get)'

# -- no store yet -------------------------------------------------------------------------------
c inventory show
expect_rc 3
expect_has "$err" "no store here"
[ ! -e "$db" ] || fail "inventory show created a store"
c inventory load "$src/tests/data/bad-inventory/14-unknown-time-zone.json"
expect_rc 1
[ ! -e "$db" ] || fail "a rejected load created a store"

# -- validate and load --------------------------------------------------------------------------
run "$colosla" inventory validate "$example"
expect_rc 0
expect_eq "$out" "$example: valid (4 devices, 1 uplink, 1 contract)"
c inventory load "$example" --by alice
expect_rc 0
expect_has "$out" "loaded inventory version 1"
expect_eq "$(stat -c %a "$db")" "600" "store file mode"
expect_eq "$(sqlite3 "$db" 'PRAGMA journal_mode')" "wal" "journal mode"
schema=$("$colosla" --version | sed -n 's/.*store schema \([0-9]*\)).*/\1/p')
[ -n "$schema" ] || fail "colosla --version does not say its store schema"
expect_eq "$(sqlite3 "$db" 'PRAGMA user_version')" "$schema" "schema version"
expect_eq "$(sqlite3 "$db" 'SELECT loaded_by FROM inventory_version')" "alice" "loaded_by"
expect_eq "$(sqlite3 "$db" 'SELECT monthly_fee, installation_fee, currency FROM contract')" \
  "300000|50000|CNY" "fees in minor units"

# nagios-config takes the Nagios host from colosla-trapd's configuration (the sinks' options, read
# as colosla-trapd and colosla evaluate read them), unless --host says otherwise.
printf 'listen = udp:127.0.0.1:1162\nnagios-host = noc-sla\ntrap-sink = -v 2c -c public 192.0.2.50:162\n' \
  >"$work/trapd.conf"
c nagios-config --config "$work/trapd.conf"
expect_rc 0
expect_has "$out" "host_name               noc-sla"
expect_lacks "$out" "host_name               colosla"
c nagios-config --config "$work/trapd.conf" --host other
expect_has "$out" "host_name               other"
c nagios-config --config "$work/no-such.conf"
expect_rc 3
expect_has "$err" "no-such.conf: cannot read"

# XML is the same document.
yanglint -f xml -p "$src/yang" "$src/yang/colosla-inventory.yang" "$example" >"$work/inventory.xml"
run "$colosla" inventory validate "$work/inventory.xml"
expect_rc 0
expect_has "$out" "valid (4 devices, 1 uplink, 1 contract)"

# Defaults are written out: a contract without end, time zone or sla gets the agreement's.
python3 - "$example" "$work/minimal.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["colosla-inventory:inventory"]["contract"][0]
for k in ("end", "time-zone", "sla", "currency", "port-mode", "installation-auto-complete"):
    c.pop(k)
c["start"] = "2028-02-29T09:30:00+08:00"
json.dump(d, open(sys.argv[2], "w"))
PY
db2=$work/minimal.db
run "$colosla" --db "$db2" inventory load "$work/minimal.json"
expect_rc 0
run "$colosla" --db "$db2" inventory show --format json --contract C-001
expect_rc 0
python3 - "$out" <<'PY' || fail "defaults were not written out"
import json, sys
c = json.loads(sys.argv[1])["colosla-inventory:inventory"]["contract"][0]
assert c["time-zone"] == "Asia/Shanghai", c
assert c["currency"] == "CNY", c
assert c["port-mode"] == "any", c
assert c["installation-auto-complete"] is False, c
assert c["end"] == "2029-02-28T09:30:00+08:00", c["end"]   # Article 11, 29 Feb -> 28 Feb
sla = c["sla"]
assert sla == {"max-outage-minutes": 44, "availability-target": "99.9",
               "require-customer-report": True, "report-window-days": 5,
               "probe-interval-seconds": 300, "notify-within-minutes": 15,
               "installation-business-days": 3, "feedback-minutes": 30,
               "operation-report-hours": 24, "written-confirmation-hours": 24,
               "complaint-report-hours": 24}, sla
assert c["language"] == "both", c
PY

# -- show ---------------------------------------------------------------------------------------
c inventory show
expect_rc 0
expect_has "$(first_line "$out")" "inventory version 1, loaded"
expect_has "$out" "C-001  Example Ltd  (colocation)"
expect_has "$out" "fee 3000.00 CNY a month; installation 500.00 CNY"
expect_has "$out" "power: pdu1 outlet 4; ups1;"
c inventory show --contract C-404
expect_rc 1
expect_has "$err" "no contract C-404"
c inventory show --format json
expect_rc 0
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["colosla-inventory:inventory"]["contract"][0]["id"]=="C-001"' "$out" \
  || fail "inventory show --format json is not the inventory document"

# -- port mapping -------------------------------------------------------------------------------
c map list --at 2026-11-05T00:00:00+08:00
expect_rc 0
expect_has "$out" "ge-0/0/1"
c map add --contract C-001 --device sw1 --interface ge-0/0/2 --from 2026-11-10T00:00:00+08:00 --by bob --note "CHG-1"
expect_rc 0
expect_has "$out" "recorded mapping change #1"
c map remove --contract C-001 --device sw1 --interface ge-0/0/1 --at 2026-11-15T12:00:00+08:00 --by bob
expect_rc 0
c map list --at 2026-11-12T00:00:00+08:00 --format json
expect_rc 0
python3 - "$out" <<'PY' || fail "map list --at shows the wrong ports"
import json, sys
rows = json.loads(sys.argv[1])
assert sorted(r["interface"] for r in rows) == ["ge-0/0/1", "ge-0/0/2"], rows
PY
c map list --at 2026-11-20T00:00:00+08:00 --format json
python3 - "$out" <<'PY' || fail "map list after the removal"
import json, sys
rows = json.loads(sys.argv[1])
assert [r["interface"] for r in rows] == ["ge-0/0/2"], rows
assert rows[0]["opened-by"] == "#1" and rows[0]["from"] == "2026-11-10T00:00:00+08:00", rows
PY
c map list --at 2026-10-20T00:00:00+08:00
expect_rc 0
expect_has "$out" "no port is mapped at that time"
# Conflicts are refused and record nothing.
count() { sqlite3 "$db" 'SELECT count(*) FROM mapping_change'; }
c map add --contract C-001 --device sw1 --interface ge-0/0/2 --from 2026-11-20T00:00:00+08:00
expect_rc 1
expect_has "$err" "already mapped to C-001"
c map remove --contract C-001 --device sw1 --interface ge-0/0/9 --at 2026-11-20T00:00:00+08:00
expect_rc 1
expect_has "$err" "is not mapped to C-001"
c map add --contract C-001 --device pdu1 --interface 4
expect_rc 1
expect_has "$err" "pdu1 is a pdu, not a switch"
c map add --contract C-001 --device core1 --interface xe-0/0/0
expect_rc 1
expect_has "$err" "is an uplink"
c map add --contract C-999 --device sw1 --interface ge-0/0/3
expect_rc 1
expect_has "$err" "no contract C-999"
c map add --contract C-001 --device sw1 --interface ge-0/0/3 --from "yesterday"
expect_rc 2
expect_has "$err" "--from"
expect_eq "$(count)" "2" "mapping records after the refused changes"
expect_eq "$(sqlite3 "$db" 'SELECT entered_by, note FROM mapping_change WHERE id = 1')" "bob|CHG-1"

# A new inventory that contradicts a recorded change is refused inside the transaction:
# the store stays byte for byte what it was.
python3 - "$example" "$work/shorter.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["colosla-inventory:inventory"]["contract"][0]["port"] = []   # record #2 removes ge-0/0/1
json.dump(d, open(sys.argv[2], "w"))
PY
before=$(sha256sum "$db")
c inventory load "$work/shorter.json"
expect_rc 1
expect_has "$err" "contradicts a recorded port mapping"
expect_has "$err" "mapping record #2"
expect_eq "$(sha256sum "$db")" "$before" "store after a load rolled back"

# -- observations -------------------------------------------------------------------------------
cat >"$work/good.jsonl" <<'J'
{"time":"2026-11-03T02:00:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"down"}
{"time":"2026-11-03T02:30:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"up"}

{"time":"2026-11-03T02:00:00+08:00","device":"pdu1","outlet":"4","state":"off"}
{"time":"2026-11-03T02:00:00+08:00","device":"pdu1","state":"off"}
{"time":"2026-11-03T02:00:00+08:00","device":"ups1","state":"battery"}
{"time":"2026-11-03T02:05:00.750+08:00","target":"203.0.113.5","service":"icmp","result":"fail"}
J
c observe "$work/good.jsonl"
expect_rc 0
expect_eq "$out" "stored 6 observations from $work/good.jsonl"
expect_eq "$(sqlite3 "$db" "SELECT kind, device, item, state, source, time FROM observation_view WHERE seq = 6")" \
  "probe|203.0.113.5|icmp|fail|import|1793642700" "a probe observation (fraction of a second dropped)"
expect_eq "$(sqlite3 "$db" "SELECT kind, item FROM observation_view WHERE device = 'pdu1' ORDER BY seq")" \
  "outlet|4
inlet|" "PDU outlet and inlet"
expect_eq "$(sqlite3 "$db" "SELECT origin FROM observation WHERE seq = 3")" "$work/good.jsonl:4" "origin (file:line)"
expect_has "$(sqlite3 "$db" "SELECT evidence FROM observation WHERE seq = 1")" '"state":"down"' "evidence"

cat >"$work/mixed.jsonl" <<'J'
{"time":"2026-11-04T01:00:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"down"}
{"time":"2026-11-04T01:00:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"off"}
{"time":"2026-11-04T01:00:00","device":"ups1","state":"none"}
not json
{"time":"2026-11-04T01:00:00+08:00","device":"sw7","interface":"ge-0/0/1","state":"down"}
{"time":"2026-11-04T01:00:00+08:00","device":"pdu1","interface":"4","state":"off"}
{"time":"2026-11-04T01:00:00+08:00","target":"203.0.113.5","service":"ftp","result":"fail"}
{"time":"2026-11-04T01:05:00+08:00","device":"ups1","state":"normal"}
J
c observe "$work/mixed.jsonl"
expect_rc 1
expect_has "$err" "mixed.jsonl:2: unknown port state \"off\""
expect_has "$err" "mixed.jsonl:3: \"time\": \"2026-11-04T01:00:00\" has no UTC offset"
expect_has "$err" "mixed.jsonl:4: not JSON"
expect_has "$err" "mixed.jsonl:5: no device sw7 in the inventory"
expect_has "$err" "mixed.jsonl:6: pdu1 is a pdu: it has outlets, not interfaces"
expect_has "$err" "mixed.jsonl:7: 203.0.113.5 is not watched for ftp"
expect_lacks "$err" "mixed.jsonl:1:" "the errors"
expect_lacks "$err" "mixed.jsonl:8:" "the errors"
expect_has "$err" "6 bad lines of 8; nothing stored"
expect_eq "$(sqlite3 "$db" 'SELECT count(*) FROM observation')" "6" "observations after a rejected file"

run_in "$work/mixed.jsonl" "$colosla" --db "$db" observe --skip-bad -
expect_rc 0
expect_eq "$out" "stored 2 observations from <stdin>; skipped 6 bad lines"
expect_has "$err" "<stdin>:4: not JSON"
expect_eq "$(sqlite3 "$db" 'SELECT count(*) FROM observation')" "8" "observations after --skip-bad"

# COLOSLA_DB chooses the store when --db is not given.
COLOSLA_DB=$db run "$colosla" inventory show --contract C-001
expect_rc 0
expect_has "$out" "C-001  Example Ltd"

# A store written by a newer colosla is refused, not changed.
cp "$db" "$work/newer.db"
sqlite3 "$work/newer.db" 'PRAGMA user_version = 99'
run "$colosla" --db "$work/newer.db" inventory show
expect_rc 3
expect_has "$err" "schema version 99"
# A SQLite file that is not a store is refused too.
sqlite3 "$work/other.db" 'CREATE TABLE t(x)'
run "$colosla" --db "$work/other.db" inventory load "$example"
expect_rc 3
expect_has "$err" "not a colosla store"

echo "ok: cli"
