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
command -v nagios4 >/dev/null || fail "nagios4 is not installed (scripts/deps installs nagios4-core)"
id nagios >/dev/null 2>&1 || fail "there is no user nagios (nagios4-common creates it)"
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

# nagios.cfg of an instance NAME (its files under $work/NAME), with the object files given and
# extra settings from stdin. One contact: Nagios refuses a configuration without any.
nagios_cfg() {  # nagios_cfg NAME OBJECT_FILE...
  local d=$work/$1 f
  shift
  mkdir -p "$d/var/rw" "$d/var/spool/checkresults"
  {
    cat <<CONF
log_file=$d/var/nagios.log
object_cache_file=$d/var/objects.cache
precached_object_file=$d/var/objects.precache
resource_file=$d/resource.cfg
status_file=$d/var/status.dat
status_update_interval=1
nagios_user=nagios
nagios_group=nagios
check_external_commands=1
command_file=$d/var/rw/nagios.cmd
lock_file=$d/var/nagios.pid
temp_file=$d/var/nagios.tmp
temp_path=$d/var
check_result_path=$d/var/spool/checkresults
check_result_reaper_frequency=1
retain_state_information=0
interval_length=1
service_inter_check_delay_method=n
host_inter_check_delay_method=n
max_service_check_spread=1
max_host_check_spread=1
use_syslog=0
log_rotation_method=n
log_passive_checks=1
log_external_commands=1
enable_notifications=0
enable_event_handlers=0
enable_flap_detection=0
process_performance_data=0
accept_passive_service_checks=1
illegal_macro_output_chars=\`~\$&|'"<>
date_format=iso8601
cfg_file=$work/contact.cfg
CONF
    for f in "$@"; do echo "cfg_file=$f"; done
    cat
  } >"$d/nagios.cfg"
  echo "\$USER1\$=/usr/lib/nagios/plugins" >"$d/resource.cfg"
  chown -R nagios:nagios "$d/var"
}
cat >"$work/contact.cfg" <<'CONF'
define contact {
  contact_name                  ci
  host_notifications_enabled    0
  service_notifications_enabled 0
  host_notification_period      ci-24x7
  service_notification_period   ci-24x7
  host_notification_options     n
  service_notification_options  n
  host_notification_commands    ci-noop
  service_notification_commands ci-noop
}
define command {
  command_name ci-noop
  command_line /bin/true
}
define timeperiod {
  timeperiod_name ci-24x7
  alias           always
  sunday    00:00-24:00
  monday    00:00-24:00
  tuesday   00:00-24:00
  wednesday 00:00-24:00
  thursday  00:00-24:00
  friday    00:00-24:00
  saturday  00:00-24:00
}
CONF

# nagios4 -v on an instance: no errors; the warnings are kept in $warnings.
verify() {  # verify NAME
  run nagios4 -v "$work/$1/nagios.cfg"
  expect_rc 0
  expect_has "$out" "Total Errors:   0" "nagios4 -v"
  warnings=$(grep '^Warning' <<<"$out" || true)
}

# A servicestatus field of status.dat, by service_description.
svc() {  # svc NAME SERVICE FIELD
  awk -v s="$2" -v k="$3" '
    /^servicestatus \{/ { b = 1; m = 0; next }
    b && $0 == "\tservice_description=" s { m = 1 }
    b && /^\t\}/ { if (m && found) { print v; exit } b = 0; found = 0 }
    b && index($0, "\t" k "=") == 1 { v = substr($0, length(k) + 3); found = 1 }
  ' "$work/$1/var/status.dat" 2>/dev/null
}
# checked NAME SERVICE STATE CHECK_TYPE: the service has a result of that state and type.
checked() {
  [ "$(svc "$1" "$2" has_been_checked)" = 1 ] && [ "$(svc "$1" "$2" current_state)" = "$3" ] &&
    [ "$(svc "$1" "$2" check_type)" = "$4" ]
}
wait_checked() {  # wait_checked NAME SERVICE STATE CHECK_TYPE
  wait_for 30 checked "$@" ||
    fail "status.dat of $1: '$2' has no result of state $3, check type $4 (has_been_checked" \
      "$(svc "$1" "$2" has_been_checked), current_state $(svc "$1" "$2" current_state), check_type" \
      "$(svc "$1" "$2" check_type), output: $(svc "$1" "$2" plugin_output))"
}

expect_output() {  # expect_output NAME SERVICE PREFIX: status.dat's plugin_output starts so
  local o
  o=$(svc "$1" "$2" plugin_output)
  [[ $o == "$3"* ]] || fail "status.dat of $1: '$2' has plugin_output '$o', expected it to start '$3'"
}

nagios_pid=
start_nagios() {  # start_nagios NAME: in the foreground (as root it drops to nagios), backgrounded
  rm -f "$work/$1/var/status.dat"
  nagios4 "$work/$1/nagios.cfg" >>"$work/$1/nagios.out" 2>&1 &
  nagios_pid=$!
  wait_for 20 test -p "$work/$1/var/rw/nagios.cmd" -a -s "$work/$1/var/status.dat" ||
    { cat "$work/$1/nagios.out" "$work/$1/var/nagios.log" >&2; fail "nagios4 ($1) did not start"; }
}
worker_gone() { case $(ps -o stat= -p "$1") in '' | Z*) return 0 ;; *) return 1 ;; esac; }
stop_nagios() {
  [ -n "$nagios_pid" ] || return 0
  local workers p
  workers=$(pgrep -P "$nagios_pid" | tr '\n' ' ' || true)  # its check workers, which follow it
  kill "$nagios_pid" 2>/dev/null || true
  wait_for 15 bash -c "! kill -0 $nagios_pid 2>/dev/null" || kill -KILL "$nagios_pid" 2>/dev/null || true
  wait "$nagios_pid" 2>/dev/null || true
  for p in $workers; do  # gone, or a zombie waiting for init
    wait_for 10 worker_gone "$p" || { [ "$(cat "/proc/$p/comm" 2>/dev/null)" = nagios4 ] && kill -KILL "$p"; } || true
  done
  nagios_pid=
}
cleanup_hooks+=("stop_nagios")

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
cat >"$work/site.cfg" <<'CONF'
define host {
  host_name             colosla
  alias                 colosla SLA store
  address               127.0.0.1
  max_check_attempts    1
  check_period          ci-24x7
  contacts              ci
  notification_period   ci-24x7
  notification_interval 0
}
define service {
  name                  colosla-service
  register              0
  max_check_attempts    1
  check_interval        2
  retry_interval        2
  check_period          ci-24x7
  contacts              ci
  notification_period   ci-24x7
  notification_interval 0
}
CONF
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
start_nagios active
wait_checked active "C-001 network" 1 0
wait_checked active "C-001 power" 0 0
wait_checked active "C-001 emergency" 2 0
expect_output active "C-001 network" "COLOSLA WARNING: C-001 network 30.0 of 44.0 min used"
expect_output active "C-001 power" "COLOSLA OK"
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
