#!/usr/bin/env bash
# colosla with Debian's real Nagios Core 4 (nagios4) on a private configuration: the objects
# `colosla nagios-config` prints pass `nagios4 -v`; Nagios runs check_colosla for the example
# inventory's C-001 (as in events.sh) and status.dat shows each guarantee's state, output and
# performance data; with active checks off, `colosla evaluate --nagios-command-file` feeds the
# same states as passive results through Nagios' command FIFO, once only, and when Nagios is
# stopped the evaluation still succeeds and the results wait until it is back.
# Nagios drops to the user nagios, so it needs root; elsewhere the test is skipped.
# usage: nagios.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
if [ "$(id -u)" -ne 0 ]; then
  echo "nagios: skipped (needs root)"
  exit 0
fi
. "$src/tests/integration/lib.sh"
. "$src/tests/integration/nagios_lib.sh"
colosla=$build/apps/colosla/colosla
check=$build/apps/check_colosla/check_colosla
as_of=2026-11-25T00:00:00+08:00

# The store, as an operator makes it (root's, mode 0600) ...
c001_scenario "$colosla" "$src" "$work/colosla.db" reported
expect_eq "$(stat -c %a "$work/colosla.db")" 600 "the store's mode"
# ... and a copy Nagios' user can read (colosla exited: nothing is left in its WAL).
chmod a+x "$work"  # mktemp made it 0700
mkdir -p "$work/var"
cp "$work/colosla.db" "$work/var/colosla.db"
chown -R nagios:nagios "$work/var"
db=$work/var/colosla.db

# Nagios' user reaches check_colosla and colosla (its fallback) in the build tree.
for f in "$check" "$colosla"; do
  runuser -u nagios -- test -x "$f" || fail "the user nagios cannot run $f (check the build tree's permissions)"
done

# 1. The generated objects pass Nagios' pre-flight check. In full (the host, a timeperiod, the
#    services), Nagios only warns that they have no contacts (nagios-config writes none) ...
run "$colosla" --db "$db" nagios-config --interval-length 1 --check-interval 2
expect_rc 0
printf '%s\n' "$out" >"$work/colosla.cfg"
expect_has "$out" "command_line  $(readlink -f "$check") --db $db --contract \$ARG1\$ --guarantee \$ARG2\$"
expect_has "$out" "check_command           check_colosla!C-001!network"
expect_eq "$(grep -c '^define service {' <<<"$out")" 3 "services"
nagios_cfg active "$work/colosla.cfg" </dev/null
verify active
expect_eq "$(grep -v 'has no default contacts or contactgroups defined!$' <<<"$warnings" || true)" "" \
  "warnings of nagios4 -v but about contacts"
expect_has "$out" "Checked 3 services."
expect_has "$out" "Checked 1 hosts."
# ... and with a service template of one's own (--use) and one's own host: no warning at all.
site_cfg "$work/site.cfg"
run "$colosla" --db "$db" nagios-config --use colosla-service
expect_rc 0
printf '%s\n' "$out" >"$work/colosla-use.cfg"
expect_eq "$(grep -c '^  use  *colosla-service$' <<<"$out")" 3 "services using the template"
expect_lacks "$out" "define host" "nagios-config --use"
# Active checks off for everything: the passive instance of part 3.
nagios_cfg passive "$work/site.cfg" "$work/colosla-use.cfg" <<<"execute_service_checks=0"
verify passive
expect_eq "$warnings" "" "warnings of nagios4 -v with --use"

# 2. Active checks: Nagios runs check_colosla, which reads the figures colosla evaluate stored
#    (fresh for 150 s; without them it would run colosla check, as of the real clock, not $as_of).
run "$colosla" --db "$db" evaluate --as-of "$as_of"
expect_rc 0
expect_has "$out" "evaluated 1 contract as of 2026-11-24T16:00:00Z; 6 new events"
# (published in status/ beside the store, by root here: Nagios' user reads them as the group
# colosla-monitor does in a package; tests/integration/monitoring_users.sh does it so)
chown -R nagios:nagios "$work/var/status"
start_nagios active
wait_checked active "C-001 network" 1 0
wait_checked active "C-001 power" 1 0
wait_checked active "C-001 emergency" 2 0
expect_output active "C-001 network" "COLOSLA WARNING: C-001 network 30.0 of 44.0 min used"
# (its power sources were never observed: the NOC is warned, whatever the SLA counts)
expect_output active "C-001 power" "COLOSLA WARNING: C-001 power sources unmonitored 34560 min this month (over 60)"
expect_output active "C-001 emergency" "COLOSLA CRITICAL: C-001 emergency notification missed"
expect_has "$(svc active "C-001 network" performance_data)" "'network_counted_min'=30.0" \
  "status.dat's performance_data (network)"
expect_has "$(svc active "C-001 emergency" performance_data)" "'emergencies_missed'=1" \
  "status.dat's performance_data (emergency)"
expect_has "$(svc active "C-001 network" long_plugin_output)" "figures of colosla evaluate, " \
  "status.dat's long_plugin_output (network)"
stop_nagios

# 3. Passive results: Nagios with active checks off has no result yet ...
start_nagios passive
cmd=$work/passive/var/rw/nagios.cmd
sleep 2
for s in network power emergency; do
  expect_eq "$(svc passive "C-001 $s" has_been_checked)" 0 "C-001 $s checked with active checks off"
done
# ... colosla evaluate writes one for each service an event touched (power: none) ...
run "$colosla" --db "$db" evaluate --as-of "$as_of" --nagios-command-file "$cmd"
expect_rc 0
expect_has "$out" "; 0 new events"
expect_has "$out" "2 passive results to Nagios"
wait_checked passive "C-001 network" 1 1
wait_checked passive "C-001 emergency" 2 1
expect_output passive "C-001 network" "COLOSLA WARNING: C-001 network 30.0 of 44.0 min used"
expect_output passive "C-001 emergency" "COLOSLA CRITICAL: C-001 emergency notification missed"
expect_has "$(svc passive "C-001 network" performance_data)" "'network_counted_min'=30.0" \
  "status.dat's passive performance_data (network)"
expect_eq "$(svc passive "C-001 power" has_been_checked)" 0 "C-001 power checked (no event touched it)"
# (the lines colosla wrote, as Nagios logged them; its log is kept across restarts)
passive_results() { grep -c 'EXTERNAL COMMAND: PROCESS_SERVICE_CHECK_RESULT;colosla;C-001 ' "$work/passive/var/nagios.log" || true; }
expect_eq "$(passive_results)" 2 "passive checks in nagios.log"
# ... and nothing more when nothing new happened.
run "$colosla" --db "$db" evaluate --as-of "$as_of" --nagios-command-file "$cmd"
expect_rc 0
expect_lacks "$out" "passive result"
sleep 2
expect_eq "$(passive_results)" 2 "passive checks in nagios.log after evaluating again"

# Nagios stopped (no reader on its FIFO): a new event, the outage of 23:00 not over by the as-of
# time; the evaluation succeeds, warns, and keeps the result ...
stop_nagios
printf '%s\n' '{"time":"2026-11-24T23:00:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"down"}' \
  >"$work/obs2.jsonl"
run "$colosla" --db "$db" observe "$work/obs2.jsonl"
expect_rc 0
run "$colosla" --db "$db" evaluate --as-of "$as_of" --nagios-command-file "$cmd"
expect_rc 0
expect_has "$out" "; 1 new event"
expect_has "$out" "port-down C-001 at 2026-11-24T15:00:00Z"
expect_lacks "$out" "passive result"
expect_has "$err" "cannot write to Nagios' command file $cmd: No such device or address" "stderr"
expect_has "$err" "(the results wait for the next evaluation)" "stderr"
# ... which the next evaluation delivers once Nagios is back: network's, and only that one.
start_nagios passive
run "$colosla" --db "$db" evaluate --as-of "$as_of" --nagios-command-file "$cmd"
expect_rc 0
expect_has "$out" "; 0 new events"
expect_has "$out" "1 passive result to Nagios"
wait_checked passive "C-001 network" 1 1
expect_has "$(svc passive "C-001 network" plugin_output)" "60.0 pending" "network's plugin_output after the restart"
sleep 2
expect_eq "$(svc passive "C-001 emergency" has_been_checked)" 0 "C-001 emergency checked again after the restart"
expect_eq "$(passive_results)" 3 "passive checks in nagios.log after the restart"
stop_nagios
echo "nagios: ok"
