#!/usr/bin/env bash
# colosla with Debian's real Icinga 2 (icinga2-bin) on a private configuration and state
# directory: the shipped CheckCommand (examples/icinga2/command-colosla.conf) and services
# (services-colosla.conf), with the host `colosla nagios-config --icinga` prints, pass
# `icinga2 daemon -C`; Icinga then runs check_colosla for the example inventory's C-001 (as
# nagios.sh does) and the state and output it records for each service, read from its PerfdataWriter's files, are what check_colosla says when run directly
# as Icinga's user with the same arguments; an array of guarantees becomes a repeated
# --guarantee (repeat_key) and -t carries vars.colosla_timeout.
# Icinga drops to the user nagios, so it needs root; elsewhere the test is skipped.
# usage: icinga.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
if [ "$(id -u)" -ne 0 ]; then
  echo "icinga: skipped (needs root)"
  exit 0
fi
. "$src/tests/integration/lib.sh"
command -v icinga2 >/dev/null || fail "icinga2 is not installed (scripts/deps installs icinga2-bin)"
id nagios >/dev/null 2>&1 || fail "there is no user nagios (icinga2-common creates it)"
colosla=$build/apps/colosla/colosla
check=$build/apps/check_colosla/check_colosla
as_of=2026-11-25T00:00:00+08:00

# The store (root's), a copy Icinga's user reads, and the figures colosla evaluate stores.
c001_scenario "$colosla" "$src" "$work/colosla.db" reported
chmod a+x "$work"  # mktemp made it 0700
mkdir -p "$work/var"
cp "$work/colosla.db" "$work/var/colosla.db"
db=$work/var/colosla.db
for f in "$check" "$colosla"; do
  runuser -u nagios -- test -x "$f" || fail "the user nagios cannot run $f (check the build tree's permissions)"
done

# Icinga's private directories and configuration: the ITL, PluginDir at the build tree's
# check_colosla, the shipped files (the services' template checking every second), the host
# `colosla nagios-config --icinga` prints (the example's contract), and one service with two
# guarantees.
D=$work/icinga
mkdir -p "$D"/{etc,run,state,cache,log,spool/perfdata,spool/tmp}
cp "$src/examples/icinga2/command-colosla.conf" "$D/etc/"  # as shipped
sed -e 's/^\(\tcheck_interval = \)5m$/\11s/' -e 's/^\(\tretry_interval = \)5m$/\11s/' \
  "$src/examples/icinga2/services-colosla.conf" >"$D/etc/services-colosla.conf"
expect_eq "$(grep -c -P '^\t(check|retry)_interval = 1s$' "$D/etc/services-colosla.conf")" 2 \
  "intervals of the services' template made 1 s"
run "$colosla" --db "$db" nagios-config --icinga
expect_rc 0
expect_has "$out" "object Host \"colosla\" {"
expect_has "$out" "  vars.colosla_db = \"$db\""
expect_has "$out" "  vars.colosla_contracts = [
    \"C-001\"
  ]"
printf '%s\n' "$out" >"$D/etc/colosla-host.conf"
run "$colosla" --db "$db" nagios-config --icinga --timeout 20 --status-dir /srv/st --unmonitored-warning 0 \
  --no-now-warning --host noc
expect_rc 0
expect_has "$out" "object Host \"noc\" {"
expect_has "$out" "  vars.colosla_no_now_warning = true
  vars.colosla_status_dir = \"/srv/st\"
  vars.colosla_timeout = 20
  vars.colosla_unmonitored_warning = 0"
run "$colosla" --db "$db" nagios-config --icinga --contact-groups admins
expect_rc 2
expect_has "$err" "--contact-groups is for Nagios, not with --icinga"
run "$colosla" --db "$db" nagios-config --icinga --status-dir '/srv/$USER1$'
expect_rc 2
expect_has "$err" "--status-dir: not a value Icinga can take as it is"
cat >"$D/etc/icinga2.conf" <<CONF
include <itl>
const PluginDir = "$(dirname "$(readlink -f "$check")")"
include "$D/etc/command-colosla.conf"
include "$D/etc/services-colosla.conf"
object CheckerComponent "checker" { }
object PerfdataWriter "perfdata" {
  host_perfdata_path = "$D/spool/perfdata/host-perfdata"
  service_perfdata_path = "$D/spool/perfdata/service-perfdata"
  host_temp_path = "$D/spool/tmp/host-perfdata"
  service_temp_path = "$D/spool/tmp/service-perfdata"
  host_format_template = "HOSTSTATE::\$host.state\$"
  service_format_template = "SERVICEDESC::\$service.name\$\tSERVICESTATE::\$service.state\$\tSERVICEPERFDATA::\$service.perfdata\$\tSERVICEOUTPUT::\$service.output\$"
  rotation_interval = 1s
}
object FileLogger "main-log" { severity = "debug"; path = "$D/log/icinga2.log" }
include "$D/etc/colosla-host.conf"
object Service "C-001 network and power" {
  import "colosla-service"
  host_name = "colosla"
  vars.colosla_contract = "C-001"
  vars.colosla_guarantee = [ "network", "power" ]
  vars.colosla_timeout = 20
  vars.colosla_status_dir = "$work/var/status"
  vars.colosla_unmonitored_warning = 0
  vars.colosla_no_now_warning = true
  vars.colosla_verbose = true
}
CONF
chown -R nagios:nagios "$D"
defs=(-DInitRunDir="$D/run" -DPidPath="$D/run/icinga2.pid" -DStatePath="$D/state/icinga2.state"
  -DObjectsPath="$D/cache/icinga2.debug" -DVarsPath="$D/cache/icinga2.vars" -DCacheDir="$D/cache"
  -DLogDir="$D/log" -DSpoolDir="$D/spool" -DDataDir="$D/state" -DConfigDir="$D/etc"
  -DZonesDir="$D/etc/zones.d")
export ICINGA2_USER=nagios ICINGA2_GROUP=nagios

# 1. The configuration is valid: the CheckCommand, and the five services.
run icinga2 daemon -C -c "$D/etc/icinga2.conf" "${defs[@]}"
expect_rc 0
expect_has "$out" "Instantiated 5 Services." "icinga2 daemon -C"
expect_has "$out" "Finished validating the configuration file(s)." "icinga2 daemon -C"
expect_lacks "$out" "warning/" "icinga2 daemon -C"
run icinga2 object list --type CheckCommand --name colosla "${defs[@]}"
expect_rc 0
expect_has "$out" "Object 'colosla' of type 'CheckCommand':" "icinga2 object list"
expect_has "$out" "* colosla_timeout = 10" "icinga2 object list"
run icinga2 object list --type Service "${defs[@]}"
for s in network power emergency process; do
  expect_has "$out" "Object 'colosla!C-001 $s' of type 'Service':" "icinga2 object list"
done

# 2. Icinga runs check_colosla on the figures colosla evaluate stored (fresh for 150 s).
run "$colosla" --db "$db" evaluate --as-of "$as_of"
expect_rc 0
expect_has "$out" "evaluated 1 contract as of 2026-11-24T16:00:00Z; 6 new events"
chown -R nagios:nagios "$work/var"
icinga_pid=
stop_icinga() {  # the process started, and those it started (its daemon and spawn helper)
  [ -n "$icinga_pid" ] || return 0
  stop_process_tree "$icinga_pid" icinga2 20
  icinga_pid=
}
cleanup_hooks+=("stop_icinga")
icinga2 daemon -c "$D/etc/icinga2.conf" "${defs[@]}" >"$D/log/stdout" 2>&1 &
icinga_pid=$!

# What Icinga recorded last for a service (its PerfdataWriter's files: a line of the name, state,
# performance data and output, then the rest of the output), and what check_colosla says run
# directly as Icinga's user: "STATE|first line of the output".
recorded() {  # recorded SERVICE
  cat "$D"/spool/perfdata/service-perfdata.* 2>/dev/null | grep -F -- "SERVICEDESC::$1	" | tail -n 1 |
    sed -n 's/^.*	SERVICESTATE::\([A-Z]*\)	SERVICEPERFDATA::[^	]*	SERVICEOUTPUT::\(.*\)$/\1|\2/p'
}
recorded_perfdata() {  # recorded_perfdata SERVICE
  cat "$D"/spool/perfdata/service-perfdata.* 2>/dev/null | grep -F -- "SERVICEDESC::$1	" | tail -n 1 |
    sed -n 's/^.*	SERVICEPERFDATA::\([^	]*\)	.*$/\1/p'
}
direct() {  # direct ARG...: check_colosla's state word and status line (without performance data)
  local o rc=0
  o=$(runuser -u nagios -- "$check" --db "$db" --contract C-001 "$@") || rc=$?
  local words=(OK WARNING CRITICAL UNKNOWN)
  printf '%s|%s\n' "${words[$rc]:-UNKNOWN}" "$(head -n 1 <<<"$o" | sed 's/ | .*$//')"
}
recorded_is() { [ "$(recorded "$1" | cut -d '|' -f 1)" = "$2" ] && [[ "$(recorded "$1")" == "$3"* ]]; }
# Each guarantee with the command's defaults (the example's ports and power sources were never
# observed most of the month: check_colosla warns of that too) ...
for s in network power emergency process; do
  expected=$(direct --guarantee $s -t 10)
  case $s in
    network) expect_has "$expected" "WARNING|COLOSLA WARNING: C-001 network 30.0 of 44.0 min used" ;;
    power) expect_has "$expected" "|COLOSLA " ;;
    emergency) expect_has "$expected" "CRITICAL|COLOSLA CRITICAL: C-001 emergency notification missed" ;;
    process) expect_has "$expected" "OK|COLOSLA OK: C-001 no process clock missed" ;;
  esac
  wait_for 30 recorded_is "C-001 $s" "${expected%%|*}" "$expected" ||
    fail "Icinga recorded for 'C-001 $s': '$(recorded "C-001 $s")', check_colosla says '$expected'" \
      "$(tail -n 20 "$D/log/icinga2.log")"
done
# ... and two guarantees, every option set: only the SLA's verdict (network's budget).
expected=$(direct --guarantee network --guarantee power -t 20 --status-dir "$work/var/status" \
  --unmonitored-warning 0 --no-now-warning -v)
expect_eq "$expected" "WARNING|COLOSLA WARNING: C-001 network 30.0 of 44.0 min used" \
  "check_colosla with two guarantees"
wait_for 30 recorded_is "C-001 network and power" "${expected%%|*}" "$expected" ||
  fail "Icinga recorded for 'C-001 network and power': '$(recorded "C-001 network and power")', check_colosla says '$expected'"
expect_has "$(recorded_perfdata "C-001 network and power")" "power_left_min=43.2;;;0;43.2" \
  "the performance data Icinga recorded for two guarantees"
expect_lacks "$(recorded_perfdata "C-001 network")" "power_left_min" \
  "the performance data Icinga recorded for network"
# The command lines Icinga ran (its debug log): vars.colosla_timeout as -t, the array as two
# --guarantee, the booleans as flags.
ran=$(grep -F "/check_colosla'" "$D/log/icinga2.log" || true)
expect_has "$ran" "'--contract' 'C-001' '--db' '$db' '--guarantee' 'emergency' '-t' '10'" "the command lines Icinga ran"
two=$(grep -F "'--guarantee' 'network' '--guarantee' 'power'" <<<"$ran" | head -n 1)
for a in "'-t' '20'" "'--status-dir' '$work/var/status'" "'--unmonitored-warning' '0'" \
  "'--no-now-warning'" "'-v'"; do
  expect_has "$two" "$a" "the command line of 'C-001 network and power'"
done
stop_icinga
echo "icinga: ok"
