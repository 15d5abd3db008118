#!/usr/bin/env bash
# colosla for Zabbix: the real zabbix_agentd answers UserParameter items with `colosla zabbix
# get` and low-level discovery with `colosla zabbix discovery` (zabbix_agentd -t); the sender
# sink of colosla evaluate speaks the trapper protocol to a receiver of the test's own
# (tests/integration/zabbix_receiver.py), byte for byte as zabbix_sender does, resends what a
# refusing server did not take, and sends nothing twice. The media script that tells the customer
# (notify/colosla-zabbix-notify) mails and records as Zabbix would run it; the template is valid
# YAML with its contract tags.
# usage: zabbix.sh COLOSLA SOURCE_DIR
colosla=$1 src=$2
. "$src/tests/integration/lib.sh"
for tool in zabbix_agentd zabbix_sender python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/deps installs zabbix-agent)"
done
python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml is not installed (scripts/deps installs it)"
db=$work/colosla.db
c001_scenario "$colosla" "$src" "$db" reported

# 1. The agent: UserParameter items answered by colosla (from the figures colosla evaluate stored).
run "$colosla" --db "$db" evaluate --as-of 2026-11-25T00:00:00+08:00
expect_rc 0
cat >"$work/agentd.conf" <<CONF
LogType=console
PidFile=$work/agentd.pid
AllowRoot=1
Timeout=10
UserParameter=colosla.discovery,$colosla --db $db zabbix discovery
UserParameter=colosla.discovery.budgets,$colosla --db $db zabbix discovery --guarantee network --guarantee power
UserParameter=colosla.sla[*],$colosla --db $db zabbix get "colosla.sla[\$1,\$2,\$3]"
CONF
item() { run timeout -s KILL 30 zabbix_agentd -c "$work/agentd.conf" -t "$1"; expect_rc 0; }
item 'colosla.sla[C-001,network,counted-minutes]'
expect_has "$out" "colosla.sla[C-001,network,counted-minutes]"
expect_has "$out" "[t|30.000]"
item 'colosla.sla[C-001,network,status]'
expect_has "$out" "[t|1]"
item 'colosla.sla[C-001,power,budget-minutes]'
expect_has "$out" "[t|43.200]"
item 'colosla.sla[C-001,emergency,missed]'
expect_has "$out" "[t|1]"
# The process guarantees (Articles 5-9): no clock in this month, none missed; status OK.
item 'colosla.sla[C-001,process,missed]'
expect_has "$out" "[t|0]"
item 'colosla.sla[C-001,process,status]'
expect_has "$out" "[t|0]"
item 'colosla.discovery'
expect_has "$out" '[t|[{"{#CONTRACT}":"C-001","{#CUSTOMER}":"Example Ltd","{#GUARANTEE}":"network"},'
expect_has "$out" '"{#GUARANTEE}":"emergency"},'
expect_has "$out" '"{#GUARANTEE}":"process"}]]'
item 'colosla.discovery.budgets'
expect_has "$out" '"{#GUARANTEE}":"power"}]]'
expect_lacks "$out" 'emergency'
# An item colosla does not know: the agent reports what colosla said.
run timeout -s KILL 30 zabbix_agentd -c "$work/agentd.conf" -t 'colosla.sla[C-001,network,uptime]'
expect_has "$out$err" "no item uptime for guarantee network"

# 2. The sender sink, against a receiver that first refuses, then takes the values.
port=$(free_tcp_port)
python3 "$src/tests/integration/zabbix_receiver.py" "$port" "$work/refused.log" --refuse >"$work/recv.out" 2>&1 &
recv=$!
cleanup_hooks+=("kill $recv 2>/dev/null")
wait_for 30 grep -q ready "$work/recv.out" || fail "the receiver did not start"
db2=$work/sender.db
cp "$db" "$db2"
sqlite3 "$db2" "DELETE FROM sla_event; DELETE FROM sink_cursor"
run "$colosla" --db "$db2" evaluate --as-of 2026-11-05T10:16:00+08:00 --zabbix-server "127.0.0.1:$port" --zabbix-host noc-sla
expect_rc 0
expect_has "$err" "the server refused the values"
expect_eq "$(grep -c . "$work/refused.log")" 1 "requests to the refusing server"
kill "$recv"; wait "$recv" 2>/dev/null || true
# (its own output file: the first receiver's "ready" must not be taken for this one's)
python3 "$src/tests/integration/zabbix_receiver.py" "$port" "$work/taken.log" >"$work/recv2.out" 2>&1 &
recv=$!
cleanup_hooks+=("kill $recv 2>/dev/null")
wait_for 30 grep -q ready "$work/recv2.out" || fail "the receiver did not start again"
# Nothing new happened, but what was refused is sent now.
run "$colosla" --db "$db2" evaluate --as-of 2026-11-05T10:17:00+08:00 --zabbix-server "127.0.0.1:$port" --zabbix-host noc-sla
expect_rc 0
expect_has "$out" "0 new events"
expect_has "$out" "values to Zabbix"
expect_eq "$(grep -c . "$work/taken.log")" 1 "requests that were taken"
req=$(cut -d' ' -f3- "$work/taken.log")
expect_eq "$(cut -d' ' -f1-2 "$work/taken.log")" "5a42584401 00000000" "header: ZBXD, flags 0x01; reserved 0"
expect_eq "$(python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["request"])' <<<"$req")" "sender data"
keys=$(python3 -c 'import json,sys; print(" ".join(d["key"] for d in json.loads(sys.stdin.read())["data"]))' <<<"$req")
expect_has "$keys" "colosla.event[C-001,network] colosla.event[C-001,network] colosla.event[C-001,emergency]"
expect_has "$keys" "colosla.sla[C-001,network,counted-minutes]"
expect_has "$keys" "colosla.sla[C-001,emergency,due]"
values=$(python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
for d in r["data"]:
    assert d["host"] == "noc-sla", d
    print(d["key"], d["value"] if not d["key"].startswith("colosla.event") else json.loads(d["value"]).popitem()[0], d["clock"])' <<<"$req")
expect_has "$values" "colosla.event[C-001,network] colosla-events:port-down 1793642400"
expect_has "$values" "colosla.sla[C-001,network,counted-minutes] 30.000"
expect_has "$values" "colosla.sla[C-001,emergency,due] 1"
# zabbix_sender's own request to the same receiver has the same header.
run zabbix_sender -z 127.0.0.1 -p "$port" -s noc-sla -k colosla.probe -o 1
expect_rc 0
expect_eq "$(tail -n 1 "$work/taken.log" | cut -d' ' -f1-2)" "5a42584401 00000000" "zabbix_sender's header"
# Delivered: evaluating again sends nothing.
run "$colosla" --db "$db2" evaluate --as-of 2026-11-05T10:18:00+08:00 --zabbix-server "127.0.0.1:$port" --zabbix-host noc-sla
expect_rc 0
expect_lacks "$out" "to Zabbix"
expect_eq "$(grep -c . "$work/taken.log")" 2 "requests after all (ours, zabbix_sender's)"

# 3. The media script notify/colosla-zabbix-notify, run as Zabbix's alerter runs it: the five
#    parameters of the media type, and a mail program of the test's that writes what it was given.
#    The contact is the one whose address the message goes to (Li Lei: +86 138 0000 0000).
script=$src/notify/colosla-zabbix-notify
test -x "$script" || fail "$script is not executable"
cat >"$work/mail" <<'SH'
#!/bin/sh
{ printf '%s|' "$@"; echo; cat; } >>"$(dirname "$0")/mail.out"
SH
chmod +x "$work/mail"
told() { "$colosla" --db "$db" notify list --contract C-001 | grep ' told ' || true; }
zbx() { run env COLOSLA="$colosla" COLOSLA_DB="$db" COLOSLA_MAIL="$work/mail" "$script" "$@"; }
subject="Problem: Example Ltd (C-001): emergency SLA at risk"
expect_eq "$(told)" "" "notifications before the media script ran"
zbx +8613800000000 "$subject" "C-001 emergency: 203.0.113.5 icmp" PROBLEM C-001
expect_rc 0
expect_has "$out" "sent: $work/mail -s '$subject' +8613800000000"
expect_has "$(cat "$work/mail.out")" "-s|$subject|+8613800000000|
C-001 emergency: 203.0.113.5 icmp" "what the mail program got"
expect_has "$(told)" " told Li Lei by mobile  [in force]" "the notification recorded (the contact's channel)"
expect_has "$(told)" '"zabbix media script"' "the notification's note"
#    RESOLVED: mailed, not recorded.
zbx "+86 138 0000 0000" "Resolved: $subject" "over" RESOLVED C-001
expect_rc 0
expect_has "$out" "not recorded: a RESOLVED notification tells of no emergency"
expect_has "$(cat "$work/mail.out")" "-s|Resolved: $subject|+86 138 0000 0000|"
expect_eq "$(told | grep -c .)" 1 "notifications after RESOLVED"
#    Not a contact of the contract, or no contract tag: mailed, not recorded, the alert fails.
zbx han@example.com "$subject" "m" PROBLEM C-001
expect_rc 1
expect_has "$err" "sent, but not recorded: C-001 has no contact at han@example.com"
zbx +8613800000000 "$subject" "m" PROBLEM ""
expect_rc 1
expect_has "$err" "sent, but not recorded: a notification record needs a contract"
expect_eq "$(grep -c '^-s|' "$work/mail.out")" 4 "messages mailed"
expect_eq "$(told | grep -c .)" 1 "notifications after refused records"
#    Settings as options instead of the environment; the channel of an SMS gateway.
run env -u COLOSLA_DB "$script" --colosla "$colosla" --db "$db" --mail "$work/mail" --channel pager \
  +8613800000000 "$subject" "m" PROBLEM C-001
expect_rc 0
expect_has "$(told | tail -n 1)" " told Li Lei by pager" "the notification sent with options"
#    colosla missing: the customer is mailed all the same, and the script says it recorded nothing.
run env COLOSLA="$work/no-colosla" COLOSLA_MAIL="$work/mail" "$script" +8613800000000 "$subject" "m" PROBLEM C-001
expect_rc 3
expect_has "$err" "sent to +8613800000000, but not recorded: $work/no-colosla cannot be run"
expect_eq "$(grep -c '^-s|' "$work/mail.out")" 6 "messages mailed without colosla"
#    Four parameters: a usage error, nothing mailed.
zbx +8613800000000 "$subject" "m" PROBLEM
expect_rc 2
expect_has "$err" "4 parameters; Zabbix passes {ALERT.SENDTO} {ALERT.SUBJECT} {ALERT.MESSAGE} {EVENT.STATUS} {EVENT.TAGS.contract}"
expect_eq "$(grep -c '^-s|' "$work/mail.out")" 6 "messages mailed after a usage error"

# 4. The template: YAML in Zabbix 6.0's export format, every discovered item and trigger tagged with
#    its contract and guarantee (the media script's contract; the actions' conditions), every
#    uuid a UUIDv4 as Zabbix's import wants, every item colosla-trapd sends (colosla.sla[…],
#    colosla.event[…]) a trapper item, the others and the discovery rules agent items. (Imported into a real server by
#    zabbix_frontend.sh.)
python3 - "$src/examples/zabbix-template-colosla.yaml" <<'PY' || fail "examples/zabbix-template-colosla.yaml"
import re, sys, yaml
text = open(sys.argv[1]).read()
uuids = re.findall(r"uuid: (\S+)", text)
assert uuids and len(set(uuids)) == len(uuids), uuids
for u in uuids:
    assert re.fullmatch(r"[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}", u), u
x = yaml.safe_load(text)["zabbix_export"]
assert x["version"] == "6.0", x["version"]
[t] = x["templates"]
tags = [{"tag": "contract", "value": "{#CONTRACT}"}, {"tag": "guarantee", "value": "{#GUARANTEE}"}]
triggers = 0
for rule in t["discovery_rules"]:
    assert rule.get("type", "ZABBIX_PASSIVE") == "ZABBIX_PASSIVE", rule
    for item in rule["item_prototypes"]:
        assert item["tags"] == tags, item
        # what colosla-trapd sends: trapper; what the agent serves (colosla.status[*]): agent
        trapper = item["key"].startswith(("colosla.sla[", "colosla.event["))
        assert item.get("type", "ZABBIX_PASSIVE") == ("TRAP" if trapper else "ZABBIX_PASSIVE"), item
        for trigger in item.get("trigger_prototypes", []):
            assert trigger["tags"] == tags, trigger
            triggers += 1
assert triggers == 5, triggers
PY
echo "zabbix: ok"
