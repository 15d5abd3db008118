#!/usr/bin/env bash
# Telling the customer (Article 4) through Nagios, with Debian's real Nagios Core 4 (nagios4): an
# emergency of the example inventory's C-001 is open right now; `colosla nagios-config
# --customer-contacts` gives each authorized contact a Nagios contact on C-001's emergency
# service; Nagios runs check_colosla, sees the emergency (WARNING), and notifies both contacts
# (e-mail, and a pager command for the mobile one) through `colosla notify send`, which runs the
# test's sender and records each notification; the report counts the emergency as met, and the
# RECOVERY that follows is sent but not recorded. Then `notify send` on its own: a RECOVERY, a
# sender that fails or cannot be run, a contact who is not authorized, a store that cannot be
# used, the contact's own channel by default.
# Nagios drops to the user nagios, so it needs root; elsewhere the test is skipped.
# usage: notify.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
if [ "$(id -u)" -ne 0 ]; then
  echo "notify: skipped (needs root)"
  exit 0
fi
. "$src/tests/integration/lib.sh"
. "$src/tests/integration/nagios_lib.sh"
colosla=$build/apps/colosla/colosla
check=$build/apps/check_colosla/check_colosla
# check_colosla judges the month of now; an emergency whose deadline falls in the next one is not
# in it (C-001's month is Asia/Shanghai's).
if [ "$(TZ=Asia/Shanghai date +%Y-%m)" != "$(TZ=Asia/Shanghai date -d '+15 min' +%Y-%m)" ]; then
  echo "notify: skipped (C-001's month ends within 15 minutes; run it again after)"
  exit 0
fi
for f in "$check" "$colosla"; do
  runuser -u nagios -- test -x "$f" || fail "the user nagios cannot run $f (check the build tree's permissions)"
done
chmod a+x "$work"  # mktemp made it 0700
mkdir -p "$work/var/sent"
db=$work/var/colosla.db

# The example inventory, in force around now, with more contacts of C-001: Han Meimei,
# authorized, by e-mail; Wang Wu, not authorized; "Zhao $Liu", authorized, whose name the shell of
# a Nagios notification would expand. (Li Lei, the example's, is authorized, mobile.)
python3 - "$src/examples/inventory.json" "$work/inventory.json" <<'PY'
import datetime, json, sys
doc = json.load(open(sys.argv[1]))
[c] = doc["colosla-inventory:inventory"]["contract"]
assert [(k["name"], k["authorized"], k["channel"]) for k in c["contact"]] == [("Li Lei", True, "mobile")], c["contact"]
start = datetime.date.today() - datetime.timedelta(days=40)
c["signed"] = (start - datetime.timedelta(days=2)).isoformat()
c["start"] = start.isoformat() + "T00:00:00+08:00"
c["end"] = start.replace(year=start.year + 2).isoformat() + "T00:00:00+08:00"
c["contact"] += [
    {"name": "Han Meimei", "authorized": True, "channel": "email", "address": "han.meimei@example.com"},
    {"name": "Wang Wu", "authorized": False, "channel": "office-phone", "address": "+86 10 0000 0000"},
    {"name": "Zhao $Liu", "authorized": True, "channel": "email", "address": "zhao@example.com"}]
json.dump(doc, open(sys.argv[2], "w"), ensure_ascii=False, indent=1)
PY
run "$colosla" --db "$db" inventory load "$work/inventory.json" --by test
expect_rc 0
# Two failed probes of C-001's target, 7 and 2 minutes ago: an emergency declared 2 minutes ago,
# open, its deadline 13 minutes ahead.
for ago in 7 2; do
  printf '{"time":"%s","target":"203.0.113.5","service":"icmp","result":"fail"}\n' "$(date -d "-$ago min" +%FT%T%:z)"
done >"$work/probes.jsonl"
run "$colosla" --db "$db" observe "$work/probes.jsonl"
expect_rc 0
chown -R nagios:nagios "$work/var"  # colosla exited: nothing is left in its WAL

# colosla as Nagios' user, on the store it shares with Nagios' notifications.
c() { runuser -u nagios -- "$colosla" --db "$db" "$@"; }
# The test's mail and pager program: each message in a file of its own (Nagios notifies the two
# contacts at once), its arguments on the first line.
cat >"$work/var/sender" <<'SH'
#!/bin/sh
f=$(mktemp "$(dirname "$0")/sent/msg.XXXXXX")
{ printf '%s\n' "$*"; cat; } >"$f"
SH
cat >"$work/var/failing-sender" <<'SH'
#!/bin/sh
cat >/dev/null
exit 4
SH
chmod 755 "$work/var/sender" "$work/var/failing-sender"
chown nagios:nagios "$work/var/sender" "$work/var/failing-sender"
sent() { grep -l -- "$1" "$work/var/sent"/msg.* 2>/dev/null | grep -c . || true; }  # sent TEXT: messages that hold it
sent_is() { [ "$(sent "$1")" -eq "$2" ]; }              # sent_is TEXT N: re-evaluated by wait_for on every try
recorded_is() { [ "$(notifications | grep -c .)" -eq "$1" ]; }
# The notification records of C-001, one "contact channel" line each, in order.
notifications() {
  c notify list --contract C-001 --format json |
    python3 -c 'import json, sys; [print(r["contact"], r["channel"]) for r in json.load(sys.stdin)]'
}

# 1. Without --pager-command the mobile contact is told by hand: a comment says so, and its Nagios
#    contact has notifications off (and a command that cannot fail); the e-mail contact is
#    notified through colosla notify send and mail(1); Wang Wu is not a contact of Nagios.
run c nagios-config --interval-length 1 --check-interval 2 --contacts ci --customer-contacts
expect_rc 0
printf '%s\n' "$out" >"$work/by-hand.cfg"
expect_has "$out" "# C-001: Li Lei (mobile) must be told by hand (no --pager-command was given),"
expect_has "$out" "#   colosla notify record --contract C-001 --at T --channel mobile --contact \"Li Lei\""
expect_has "$out" "command_line  /usr/bin/printf \"%b\" \"***** colosla *****\\n\\nNotification Type: \$NOTIFICATIONTYPE\$"
expect_has "$out" "| $(readlink -f "$colosla") --db $db notify send --contract \"\$_CONTACTCOLOSLA_CONTRACT\$\" --contact \"\$_CONTACTCOLOSLA_CONTACT\$\" --channel \"\$_CONTACTCOLOSLA_CHANNEL\$\" --type \"\$NOTIFICATIONTYPE\$\" -- /usr/bin/mail -s \"colosla: \$SERVICEDISPLAYNAME\$ is \$SERVICESTATE\$\" \$CONTACTEMAIL\$"
expect_has "$out" "# C-001: Zhao _Liu (email) must be told by hand (its name or address holds characters a Nagios notification cannot pass on),"
expect_lacks "$out" "notify-customer-colosla-by-pager"
expect_lacks "$out" "Wang Wu"
expect_lacks "$out" '$Liu'
expect_has "$out" "  alias                          Zhao _Liu (C-001, email)
  email                          zhao@example.com
  host_notifications_enabled     0
  service_notifications_enabled  0"
contact_of() {  # contact_of CONFIG NAME: the contact definition of NAME, one line
  awk -v n="$2" '/^define contact \{/ { b = ""; on = 1 } on { b = b $0 "|" } on && /^\}/ { on = 0; if (index(b, "_COLOSLA_CONTACT               " n "|")) print b }' "$1"
}
li=$(contact_of "$work/by-hand.cfg" "Li Lei")
expect_has "$li" "contact_name                   colosla-C-001-1|"
expect_has "$li" "pager                          +86 138 0000 0000|"
expect_has "$li" "service_notifications_enabled  0|"
expect_has "$li" "service_notification_commands  notify-customer-colosla-by-hand|"
han=$(contact_of "$work/by-hand.cfg" "Han Meimei")
expect_has "$han" "contact_name                   colosla-C-001-2|"
expect_has "$han" "email                          han.meimei@example.com|"
expect_has "$han" "service_notifications_enabled  1|"
expect_has "$han" "service_notification_options   c,w,u,r|"
expect_has "$han" "host_notification_options      n|"
expect_has "$han" "service_notification_commands  notify-customer-colosla-by-email|"
expect_has "$han" "_COLOSLA_CONTRACT              C-001|"
expect_has "$han" "_COLOSLA_CHANNEL               email|"
# Only the emergency service has them, beside --contacts.
expect_eq "$(grep -c '^  contacts                ci$' <<<"$out")" 3 "services with the NOC's contact only (network, power, process)"
expect_eq "$(grep -c '^  contacts                ci,colosla-C-001-1,colosla-C-001-2,colosla-C-001-4$' <<<"$out")" 1 \
  "services with the customer's contacts"
nagios_cfg by-hand "$work/by-hand.cfg" </dev/null
verify by-hand
expect_eq "$warnings" "" "warnings of nagios4 -v with --customer-contacts"
expect_has "$out" "Checked 4 services."
expect_has "$out" "Checked 4 contacts."

# With a service template of one's own (--use), the customer's contacts come beside the
# template's (Nagios' additive inheritance), and the timeperiod they use is there all the same.
site_cfg "$work/site.cfg"
run c nagios-config --use colosla-service --customer-contacts
expect_rc 0
printf '%s\n' "$out" >"$work/use.cfg"
expect_eq "$(grep -c '^  contacts                +colosla-C-001-1,colosla-C-001-2,colosla-C-001-4$' <<<"$out")" 1 \
  "services with the template's and the customer's contacts"
expect_has "$out" "timeperiod_name  colosla-24x7"
nagios_cfg use "$work/site.cfg" "$work/use.cfg" </dev/null
verify use
expect_eq "$warnings" "" "warnings of nagios4 -v with --use and --customer-contacts"
run c nagios-config --email-command /bin/true
expect_rc 2
expect_has "$err" "--email-command and --pager-command go with --customer-contacts"

# 2. Both contacts notified by Nagios: e-mail and pager, both through the test's sender.
run c nagios-config --interval-length 1 --check-interval 2 --contacts ci --customer-contacts \
  --email-command "$work/var/sender email \$CONTACTEMAIL\$" \
  --pager-command "$work/var/sender pager \"\$CONTACTPAGER\$\""
expect_rc 0
printf '%s\n' "$out" >"$work/notify.cfg"
expect_eq "$(grep -c 'must be told by hand' <<<"$out")" 1 "contacts told by hand with a pager command"
expect_has "$(contact_of "$work/notify.cfg" "Li Lei")" "service_notification_commands  notify-customer-colosla-by-pager|"
nagios_cfg notify "$work/notify.cfg" <<<"enable_notifications=1"
verify notify
expect_eq "$warnings" "" "warnings of nagios4 -v with --email-command and --pager-command"
expect_eq "$(notifications)" "" "notifications before Nagios ran"
start_nagios notify
# check_colosla finds no figures of colosla evaluate and has colosla check compute them now.
# (nagios.log, not status.dat: the WARNING lasts one check interval, 2 s.)
alert="SERVICE ALERT: colosla;C-001 emergency;WARNING;HARD;1;COLOSLA WARNING: C-001 emergency open, notification due: 203.0.113.5 icmp"
wait_for 30 grep -qF "$alert" "$work/notify/var/nagios.log" ||
  fail "no WARNING of C-001 emergency in nagios.log: $(grep 'C-001 emergency' "$work/notify/var/nagios.log")"
wait_for 60 sent_is 'Notification Type: PROBLEM' 2 ||
  fail "Nagios did not notify the customer's two contacts: $(grep -h 'NOTIFICATION' "$work/notify/var/nagios.log")"
f=$(grep -l '^email han.meimei@example.com$' "$work/var/sent"/msg.* | head -n 1) || true
[ -n "$f" ] || fail "no e-mail to han.meimei@example.com"
msg=$(cat "$f")
expect_has "$msg" "Notification Type: PROBLEM" "the e-mail"
expect_has "$msg" "Service: Example Ltd (C-001) emergency" "the e-mail"
expect_has "$msg" "State: WARNING" "the e-mail"
expect_has "$msg" "COLOSLA WARNING: C-001 emergency open, notification due: 203.0.113.5 icmp" "the e-mail"
expect_eq "$(sent '^pager +86 138 0000 0000$')" 1 "messages to Li Lei's pager"
wait_for 30 recorded_is 2 || fail "notifications recorded: $(notifications)"
expect_eq "$(notifications | sort)" "Han Meimei email
Li Lei mobile" "notifications recorded"
# Told: the next check is OK, and its RECOVERY is sent to both, but not recorded.
wait_checked notify "C-001 emergency" 0 0
expect_output notify "C-001 emergency" "COLOSLA OK: C-001 "
wait_for 60 sent_is 'Notification Type: RECOVERY' 2 || fail "no RECOVERY to both contacts"
stop_nagios
expect_eq "$(notifications | grep -c .)" 2 "notifications recorded after the RECOVERY"
# The report: the emergency notified in time, met even once its deadline has passed.
month=$(TZ=Asia/Shanghai date -d '+13 min' +%Y-%m)
run c report --month "$month" --contract C-001 --format json --as-of "$(date -d '+20 min' +%FT%T%:z)"
expect_rc 0
python3 - "$out" <<'PY' || fail "the report's emergency"
import json, sys
[c] = json.loads(sys.argv[1])["contracts"]
[e] = c["emergencies"]
assert (e["target"], e["service"]) == ("203.0.113.5", "icmp"), e
assert e["notified"] is not None and e["status"] == "met", e
assert c["notification-deduction-days"] == 0, c
PY

# 3. notify send on its own (the message on stdin, as Nagios and Zabbix pipe it).
echo "C-001: 203.0.113.5 does not answer" >"$work/var/message"
send() { run_in "$work/var/message" c notify send --contract C-001 "$@"; }
messages() { find "$work/var/sent" -name 'msg.*' | wc -l; }
before=$(messages)
#    A RECOVERY: sent, nothing recorded.
send --contact "Li Lei" --channel mobile --type RECOVERY -- "$work/var/sender" pager
expect_rc 0
expect_has "$out" "not recorded: a RECOVERY notification tells of no emergency (only PROBLEM is recorded)"
expect_eq "$(messages)" $((before + 1)) "messages sent"
expect_eq "$(notifications | grep -c .)" 2 "notifications after a RECOVERY"
#    The sender fails, or cannot be run: exit 3, nothing recorded.
send --contact "Li Lei" --type PROBLEM -- "$work/var/failing-sender" -x
expect_rc 3
expect_has "$err" "colosla: $work/var/failing-sender -x exited with status 4; nothing recorded"
send --contact "Li Lei" -- "$work/var/no-such-sender"
expect_rc 3
expect_has "$err" "colosla: cannot run $work/var/no-such-sender: No such file or directory; nothing recorded"
expect_eq "$(notifications | grep -c .)" 2 "notifications after failed sends"
#    Not an authorized contact: the message still goes, nothing is recorded, exit 1.
send --contact "Wang Wu" --type PROBLEM -- "$work/var/sender" office
expect_rc 1
expect_has "$err" "colosla: warning: sent, but not recorded: Wang Wu is not an authorized contact of C-001"
expect_eq "$(sent '^office$')" 1 "messages to Wang Wu"
send --contact "Zhang San" -- "$work/var/sender" nobody
expect_rc 1
expect_has "$err" "sent, but not recorded: C-001 has no contact \"Zhang San\" (its contacts: Li Lei, Han Meimei, Wang Wu, Zhao \$Liu)"
expect_eq "$(notifications | grep -c .)" 2 "notifications after unauthorized contacts"
#    Sent, but the store cannot be used: exit 3, and the message says so.
run_in "$work/var/message" runuser -u nagios -- "$colosla" --db "$work/var/none.db" notify send --contract C-001 \
  --contact "Li Lei" -- "$work/var/sender" lost
expect_rc 3
expect_has "$err" "colosla: sent, but not recorded: $work/var/none.db: no store here"
expect_eq "$(sent '^lost$')" 1 "messages sent with no store"
#    Without --channel: the contact's own (Li Lei: mobile), recorded when the sender finished.
send --contact "Li Lei" --type problem --note "by hand" -- "$work/var/sender" default
expect_rc 0
expect_has "$out" "sent: $work/var/sender default"
expect_has "$out" "(notification, C-001): "
expect_has "$out" " told Li Lei by mobile"
expect_eq "$(notifications | tail -n 1)" "Li Lei mobile" "the last notification"
run_in "$work/var/message" c notify send --contact "Li Lei" -- "$work/var/sender"
expect_rc 2
expect_has "$err" "--contract is required"
run c notify send --contract C-001 --contact "Li Lei"
expect_rc 2
expect_has "$err" "give the command that sends the message after --"
echo "notify: ok"
