#!/usr/bin/env bash
# COLOSLA-MIB (mibs/) and the YANG module of the SLA events (yang/colosla-events.yang):
# - Net-SNMP's parser loads the MIB without a word on stderr, and at its highest warning level
#   says nothing but its notes on the SMI macros of SNMPv2-SMI/-TC/-CONF;
# - every notification and every object has the OID of the documented layout, both ways;
# - smilint -l 4 (libsmi) finds nothing in the MIB;
# - yanglint finds nothing in the YANG module;
# - the MIB and the YANG module define the same events, each with the same figures in the same
#   order (YANG leaf -> MIB object by name).
# Debian ships no IETF MIB modules (they are in non-free snmp-mibs-downloader), so the SMI
# modules COLOSLA-MIB imports come from the stand-ins in tests/data/mibs.
# usage: mib.sh SOURCE_DIR
src=$1
. "$src/tests/integration/lib.sh"

mib=$src/mibs/COLOSLA-MIB.txt
standins=$src/tests/data/mibs
events=$src/yang/colosla-events.yang
for tool in snmptranslate smilint yanglint; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/deps installs snmp, smitools, libyang2-tools)"
done

# The documented layout: coloslaMIB = enterprises.32473.5 (RFC 5612's documentation PEN),
# notifications under .0, objects under .1.
arc=.1.3.6.1.4.1.32473.5
notifications=(port-down port-up power-lost power-restored emergency-declared notification-due
  notification-missed budget-warning sla-breached installation-overdue emergency-cleared
  feedback-due feedback-missed operation-report-due operation-report-missed
  written-confirmation-due written-confirmation-missed complaint-report-due
  complaint-report-missed visit-unannounced visit-unescorted visit-overstayed)
objects=(coloslaEventId coloslaContract coloslaGuarantee coloslaEventTime coloslaMonth coloslaDevice
  coloslaInterface coloslaOutlet coloslaTarget coloslaService coloslaCountedMinutes
  coloslaBudgetMinutes coloslaPendingMinutes coloslaAvailability coloslaBudgetShareUsed
  coloslaBudgetThreshold coloslaDeadline coloslaReason)

# port-down -> PortDown
camel() { sed -E 's/(^|-)([a-z])/\U\2/g' <<<"$1"; }
# A YANG leaf's MIB object: colosla + the leaf's name in camel case; `time` is coloslaEventTime.
mib_object() { if [ "$1" = time ]; then echo coloslaEventTime; else echo "colosla$(camel "$1")"; fi; }

# --- Net-SNMP --------------------------------------------------------------------------------
# Nothing from the environment, snmp.conf files or ~/.snmp: the MIB search path and the modules
# to load are set here, and the parser settings are the strict ones (errors shown, a comment
# ends at the next "--", no underscores in names). The warning level stays at its default, 0,
# (a mibWarningLevel line here would override -PW below).
mkdir -p "$work/snmpconf" "$work/persist/cert_indexes" "$work/persist/mib_indexes"
cat >"$work/snmpconf/snmp.conf" <<CONF
showMibErrors yes
commentToEOL no
mibAllowUnderline no
CONF
unset MIBFILES PREFIX
export SNMPCONFPATH=$work/snmpconf SNMP_PERSISTENT_DIR=$work/persist
export MIBDIRS=$standins:$src/mibs MIBS=COLOSLA-MIB
snmp=(-M "$MIBDIRS" -m COLOSLA-MIB)

run snmptranslate "${snmp[@]}" -Tp -IR coloslaMIB
expect_rc 0
[ -z "$err" ] || fail "snmptranslate printed on stderr while loading COLOSLA-MIB"
expect_has "$out" "+--coloslaMIB(5)" "the MIB tree"
tree=$out

# -PW: the parser's highest warning level (mibWarningLevel 2). It notes each SMI macro of the
# imported modules (the IETF modules draw the same notes); anything else is a finding.
run snmptranslate "${snmp[@]}" -PW -Tp -IR coloslaMIB
expect_rc 0
expect_has "$err" "MACRO (lines" "stderr at -PW (the parser's warnings are on)"
other=$(grep -Ev '^(MODULE-IDENTITY|OBJECT-TYPE|NOTIFICATION-TYPE|TEXTUAL-CONVENTION|OBJECT-GROUP|NOTIFICATION-GROUP|MODULE-COMPLIANCE) MACRO \(lines [0-9]+\.\.[0-9]+ parsed and ignored\)\.$' <<<"$err" || true)
[ -z "$other" ] || fail "snmptranslate -PW warned about more than the SMI macros: $other"

# Every notification and every object: name -> OID and OID -> name.
check_oid() {
  local name=$1 oid=$2
  run snmptranslate "${snmp[@]}" -On "COLOSLA-MIB::$name"
  expect_rc 0
  expect_eq "$out" "$oid" "OID of $name"
  [ -z "$err" ] || fail "snmptranslate printed on stderr for $name"
  run snmptranslate "${snmp[@]}" "$oid"
  expect_rc 0
  expect_eq "$out" "COLOSLA-MIB::$name" "name of $oid"
  [ -z "$err" ] || fail "snmptranslate printed on stderr for $oid"
}
check_oid coloslaMIB "$arc"
n=0
for ev in "${notifications[@]}"; do
  n=$((n + 1))
  check_oid "colosla$(camel "$ev")" "$arc.0.$n"
done
n=0
for o in "${objects[@]}"; do
  n=$((n + 1))
  check_oid "$o" "$arc.1.$n"
done

# The MIB's notifications, as Net-SNMP parsed them, are exactly these eleven.
mib_notifs=$(sed -n 's/^ *| *+--\(colosla[A-Za-z]*\)([0-9]*)$/\1/p' <<<"$tree" | grep -v -e '^coloslaNotifications$' \
  -e '^coloslaObjects$' -e '^coloslaConformance$' -e '^coloslaCompliances$' -e '^coloslaGroups$' \
  -e '^coloslaCompliance$' -e 'Group$' || true)
want_notifs=$(for ev in "${notifications[@]}"; do echo "colosla$(camel "$ev")"; done)
expect_eq "$mib_notifs" "$want_notifs" "the MIB's notifications"

# --- libsmi ----------------------------------------------------------------------------------
# smilint exits 0 whatever it finds, so the test is that it prints nothing. -c /dev/null keeps
# /etc/smi.conf (its preloads, its path, its level) out; SMIPATH holds only the stand-ins.
run env SMIPATH="$standins" smilint -c /dev/null -s -m -l 4 "$mib"
expect_rc 0
[ -z "$out$err" ] || fail "smilint -l 4 found something in COLOSLA-MIB"
run env SMIPATH="$standins" smilint -c /dev/null -s -m -l 6 "$mib"
lint6=$out$err
printf 'note: smilint -l 6 says (not checked):\n%s\n' "${lint6:-(nothing)}"

# --- YANG ------------------------------------------------------------------------------------
run yanglint -p "$src/yang" "$events"
expect_rc 0
[ -z "$out$err" ] || fail "yanglint printed something for colosla-events.yang"
run yanglint -p "$src/yang" -f tree "$events"
expect_rc 0
yang_tree=$out

# yanglint does not ask for descriptions; the house style does, for every node and type.
run yanglint -p "$src/yang" -f yin "$events"
expect_rc 0
printf '%s\n' "$out" >"$work/events.yin"
run python3 - "$work/events.yin" <<'PY'
import sys
import xml.etree.ElementTree as ET
yin = "{urn:ietf:params:xml:ns:yang:yin:1}"
kinds = ("module", "revision", "typedef", "grouping", "notification", "container", "leaf",
         "leaf-list", "list", "choice", "case", "enum")
root = ET.parse(sys.argv[1]).getroot()
for el in root.iter():
    kind = el.tag.replace(yin, "")
    if kind in kinds and el.find(yin + "description") is None:
        print(f"{kind} {el.get('name') or el.get('date') or ''} has no description")
PY
expect_rc 0
[ -z "$out$err" ] || fail "colosla-events.yang has nodes without a description"

yang_notifs=$(sed -n 's/^ *+---n \([a-z-]*\)$/\1/p' <<<"$yang_tree")
expect_eq "$yang_notifs" "$(printf '%s\n' "${notifications[@]}")" "the YANG module's notifications"

# --- the same events, the same figures ---------------------------------------------------------
# For each notification: its YANG leaves (containers left out), mapped to MIB objects, are the
# OBJECTS of the MIB's notification, in the same order.
yang_leaves() {  # NOTIFICATION: its leaves in tree order, one a line
  awk -v want="$1" '
    $0 ~ /\+---n / { cur = $NF; next }
    cur == want {
      for (i = 1; i <= NF; i++) if ($i == "+----") break
      if (i + 2 <= NF) { name = $(i + 1); sub(/\?$/, "", name); print name }
    }' <<<"$yang_tree"
}
for ev in "${notifications[@]}"; do
  name=colosla$(camel "$ev")
  leaves=$(yang_leaves "$ev")
  [ -n "$leaves" ] || fail "no leaves found for the YANG notification $ev"
  want=$(while read -r leaf; do mib_object "$leaf"; done <<<"$leaves" | paste -sd, | sed 's/,/, /g')
  run snmptranslate "${snmp[@]}" -Td "COLOSLA-MIB::$name"
  expect_rc 0
  got=$(sed -n 's/^ *OBJECTS[[:space:]]*{ \(.*\) }$/\1/p' <<<"$out")
  expect_eq "$got" "$want" "OBJECTS of $name against the leaves of the YANG notification $ev"
done

echo "ok: COLOSLA-MIB and colosla-events define the same ${#notifications[@]} events"
