#!/usr/bin/env bash
# The process guarantees (Articles 5-9) over the example inventory's C-001: a clear-text MRTG
# password in the inventory is refused without being repeated; a phone authorization with the
# right MRTG user and password is accepted, with a wrong password or user refused (exit 1) and
# recorded as refused, the password never stored nor printed; each clock met and missed on the
# times given (--at, --as-of); the visits' findings; the report JSON's "process" section; and the
# events in the JSON-lines sink, each a valid notification of yang/colosla-events.yang.
# The example's MRTG password (its hash is in examples/inventory.json): colosla-mrtg-example.
# usage: process.sh COLOSLA SOURCE_DIR
colosla=$1 src=$2
. "$src/tests/integration/lib.sh"
require_tools python3 yanglint
db=$work/colosla.db log=$work/events.jsonl
password=colosla-mrtg-example
c() { run "$colosla" --db "$db" "$@"; }

# -- the inventory ---------------------------------------------------------------------------
bad=$src/tests/data/bad-inventory/31-clear-text-password.json
run "$colosla" inventory validate "$bad"
expect_rc 1
expect_has "$err" "$bad:25: /colosla-inventory:inventory/contract[id='C-001']/mrtg-password-hash: is not a crypt(3) hash"
expect_lacks "$err$out" "Secret-MRTG-2026" "the refusal (it repeats the clear-text password)"
c inventory load "$src/examples/inventory.json" --by test
expect_rc 0

# -- authorizations --------------------------------------------------------------------------
printf '%s\n' "$password" >"$work/right"
printf '%s\n' "not-the-password" >"$work/wrong"
authorize_phone() {  # FILE USER AT
  run_in "$1" "$colosla" --db "$db" authorize add --contract C-001 --contact "Li Lei" --by phone \
    --mrtg-user "$2" --at "$3" --entered-by ops
}
authorize_phone "$work/right" example-mrtg 2026-11-05T10:00:00+08:00   # record #1
expect_rc 0
expect_has "$out" "recorded record #1 (authorization, C-001)"
authorize_phone "$work/wrong" example-mrtg 2026-11-05T10:01:00+08:00   # record #2
expect_rc 1
expect_has "$err" "authorization refused: wrong MRTG user name or password (recorded as refused, record #2)"
authorize_phone "$work/right" someone-else 2026-11-05T10:02:00+08:00   # record #3
expect_rc 1
expect_has "$err" "recorded as refused, record #3"
for f in "$db" "$db"-wal; do
  [ ! -f "$f" ] || ! grep -aq -e "$password" -e not-the-password "$f" || fail "$f holds a password"
done
c authorize list --contract C-001 --format json
expect_rc 0
expect_lacks "$out" "$password"
accepted=$(python3 -c 'import json,sys; print(" ".join(str(r["accepted"]).lower() for r in json.load(sys.stdin) if r["kind"]=="authorization"))' <<<"$out")
expect_eq "$accepted" "true false false" "accepted, refused, refused"
# A contact who is not authorized is refused too; a follow-up of a refused one is refused.
c authorize feedback 2 --at 2026-11-05T10:05:00+08:00
expect_rc 1
expect_has "$err" "record #2 was a refused authorization"

ev() { c evaluate --event-log "$log" --as-of "$1"; expect_rc 0; }
process_kinds() { grep '"guarantee":"process"' "$log" | sed 's/^{"colosla-events:\([a-z-]*\)".*/\1/' | tr '\n' ' '; }
ev 2026-11-05T10:10:00+08:00
expect_eq "$(process_kinds)" "feedback-due written-confirmation-due " "the clocks opened by record #1"

# #1 (phone): feedback in time (met), the operation ends, its report late (missed), never
# confirmed in writing (missed).
c authorize feedback 1 --at 2026-11-05T10:20:00+08:00
expect_rc 0
c authorize done 1 --at 2026-11-05T12:00:00+08:00
expect_rc 0
c authorize report 1 --at 2026-11-06T13:00:00+08:00
expect_rc 0
# #7 (written): no feedback (missed); no confirmation asked of it.
c authorize add --contract C-001 --contact "Li Lei" --by written --at 2026-11-07T09:00:00+08:00
expect_rc 0
expect_has "$out" "recorded record #7"
c authorize confirm 7 --at 2026-11-07T09:30:00+08:00
expect_rc 1
expect_has "$err" "only a phone authorization is confirmed"

# -- complaints ------------------------------------------------------------------------------
c complaint add --contract C-001 --at 2026-11-08T09:00:00+08:00 --about network   # #8
expect_rc 0
c complaint report 8 --at 2026-11-08T20:00:00+08:00                                # met
expect_rc 0
c complaint add --contract C-001 --at 2026-11-09T09:00:00+08:00 --about customer-service  # #10
expect_rc 0
c complaint add --contract C-001 --at 2026-11-09T09:00:00+08:00 --about weather
expect_rc 2

# -- visits ----------------------------------------------------------------------------------
c visit add --contract C-001 --reason "replace a disk" --activity "server work" \
  --expected-in 2026-11-10T09:00:00+08:00 --expected-out 2026-11-10T12:00:00+08:00 --needs trolley  # #11
expect_rc 0
c visit enter 11 --at 2026-11-10T09:10:00+08:00 --escort "Zhao Lei" --badge B-17  # #12
expect_rc 0
c visit leave 11 --at 2026-11-10T12:30:00+08:00                                   # overstayed
expect_rc 0
c visit enter --contract C-001 --at 2026-11-11T09:00:00+08:00 --badge B-18        # #14
expect_rc 0
expect_has "$err" "without announcement and without escort"

# -- the report ------------------------------------------------------------------------------
c report --month 2026-11 --as-of 2026-11-12T00:00:00+08:00 --format json
expect_rc 0
expect_lacks "$out" '$6$' "the report (it shows the password hash)"
python3 - "$out" <<'PY' || fail "the report's process section"
import json, sys
p = json.loads(sys.argv[1])["contracts"][0]["process"]
assert p["staff"] == {"customer-service": ["Wang Fang"], "technical-support": ["Zhao Lei"]}, p["staff"]
got = [(k["kind"], k["article"], k["record"], k["due"], k["status"]) for k in p["clocks"]]
want = [("feedback", "7.2", 1, "2026-11-05T10:30:00+08:00", "met"),
        ("written-confirmation", "6.6", 1, "2026-11-06T10:00:00+08:00", "missed"),
        ("operation-report", "7.2", 1, "2026-11-06T12:00:00+08:00", "missed"),
        ("feedback", "7.2", 7, "2026-11-07T09:30:00+08:00", "missed"),
        ("complaint-report", "8.3", 8, "2026-11-09T09:00:00+08:00", "met"),
        ("complaint-report", "8.3", 10, "2026-11-10T09:00:00+08:00", "missed")]
assert got == want, got
k = p["clocks"][0]
assert k["subject"] == "authorization #1 by Li Lei (phone)" and k["opened"] == "2026-11-05T10:00:00+08:00" and k["done"] == "2026-11-05T10:20:00+08:00", k
a = [(x["record"], x["by"], x["accepted"], x["operation-ended"]) for x in p["authorizations"]]
assert a == [(1, "phone", True, "2026-11-05T12:00:00+08:00"), (2, "phone", False, None),
             (3, "phone", False, None), (7, "written", True, None)], a
assert [(x["record"], x["about"]) for x in p["complaints"]] == [(8, "network"), (10, "customer-service")]
v = [(x["record"], x["entered"], x["left"], x["escort"], x["badge"], x["findings"]) for x in p["visits"]]
assert v == [(11, "2026-11-10T09:10:00+08:00", "2026-11-10T12:30:00+08:00", "Zhao Lei", "B-17", ["overstayed"]),
             (14, "2026-11-11T09:00:00+08:00", None, "", "B-18", ["unannounced", "unescorted"])], v
assert p["visits"][1]["expected-in"] is None and p["visits"][0]["reason"] == "replace a disk"
PY
# As of an earlier time, the later records count for nothing: #1's feedback clock still open.
c report --month 2026-11 --as-of 2026-11-05T10:15:00+08:00 --format json
status=$(python3 -c 'import json,sys; print(" ".join(k["kind"]+":"+k["status"] for k in json.load(sys.stdin)["contracts"][0]["process"]["clocks"]))' <<<"$out")
expect_eq "$status" "feedback:open written-confirmation:open" "the clocks as of 10:15"
c report --month 2026-11 --as-of 2026-11-12T00:00:00+08:00
expect_rc 0
expect_has "$out" "Process guarantees (Articles 5-9):"
expect_has "$out" "written-confirmation (Art. 6.6) of authorization #1 by Li Lei (phone): due 2026-11-06 10:00, not done: missed"

# -- the events ------------------------------------------------------------------------------
ev 2026-11-12T00:00:00+08:00
expect_eq "$(process_kinds)" \
  "feedback-due written-confirmation-due written-confirmation-missed operation-report-missed feedback-missed complaint-report-missed visit-overstayed visit-unannounced visit-unescorted " \
  "the process events"
ev 2026-11-12T00:00:00+08:00
expect_has "$out" "0 new events"
expect_has "$(grep feedback-missed "$log")" '"guarantee":"process","time":"2026-11-07T09:30:00+08:00","month":"2026-11","deadline":"2026-11-07T09:30:00+08:00","reason":"feedback of authorization #7 by Li Lei (written) not done by 2026-11-07T09:30:00+08:00 (Article 7.2)"'
i=0
while IFS= read -r l; do
  i=$((i + 1))
  printf '%s\n' "$l" >"$work/event-$i.json"
  run yanglint -p "$src/yang" -t notif "$src/yang/colosla-events.yang" "$work/event-$i.json"
  [ "$rc" -eq 0 ] || fail "event $i is not a valid notification: $err ($l)"
done < <(grep '"guarantee":"process"' "$log")
expect_lacks "$(cat "$log")" "$password"

# -- check_colosla, from the figures evaluate published for the monitoring users -------------
check=$(dirname "$colosla")/../check_colosla/check_colosla
run "$check" --db "$db" --contract C-001 --guarantee process
expect_rc 2
expect_eq "$(first_line "$out")" "COLOSLA CRITICAL: C-001 process guarantee missed: written-confirmation of record #1, due 2026-11-06T10:00:00+08:00 and 3 more | 'process_open'=0;;;0 'process_met'=2;;;0 'process_missed'=4;;;0"
# ... and computed from the store (--as-of): as of 10:15 on the 5th, two clocks open, none missed.
run "$check" --db "$db" --contract C-001 --guarantee process --as-of 2026-11-05T10:15:00+08:00
expect_rc 0
expect_eq "$(first_line "$out")" "COLOSLA OK: C-001 2 process clocks open, none missed | 'process_open'=2;;;0 'process_met'=0;;;0 'process_missed'=0;;;0"
[ -d "$work/status" ] || fail "evaluate published no figures in $work/status"
! grep -rqF '$6$' "$work/status" || fail "the published figures hold the MRTG password hash"

# -- at a terminal: a prompt on it, and the password typed is not echoed ---------------------
if command -v script >/dev/null; then
  mkfifo "$work/tty-in"
  script -qec "'$colosla' --db '$db' authorize add --contract C-001 --contact 'Li Lei' --by phone --mrtg-user example-mrtg --at 2026-11-15T10:00:00+08:00" \
    /dev/null <"$work/tty-in" >"$work/tty-out" 2>&1 &
  tty_pid=$!
  cleanup_hooks+=("kill $tty_pid 2>/dev/null")
  exec 7>"$work/tty-in"
  prompted() { grep -q 'MRTG password of example-mrtg: ' "$work/tty-out"; }
  wait_for 20 prompted || fail "no prompt at the terminal: $(cat "$work/tty-out")"
  printf '%s\n' "$password" >&7
  exec 7>&-
  wait "$tty_pid" || fail "authorize add at a terminal failed: $(cat "$work/tty-out")"
  expect_has "$(cat "$work/tty-out")" "authorization by Li Lei (phone, MRTG user example-mrtg)" "the terminal"
  expect_lacks "$(cat "$work/tty-out")" "$password" "the terminal (the password echoed)"
fi
echo "process: ok"
