# Helpers for the tests that run Debian's Nagios Core 4 (nagios4) on a private configuration
# (nagios.sh, notify.sh). Source it after lib.sh, as root; it writes $work/contact.cfg, the one
# contact Nagios wants, and stops the instance it started on exit.
command -v nagios4 >/dev/null || fail "nagios4 is not installed (scripts/deps installs nagios4-core)"
id nagios >/dev/null 2>&1 || fail "there is no user nagios (nagios4-common creates it)"

# nagios.cfg of an instance NAME (its files under $work/NAME), with the object files given and
# extra settings from stdin. One contact (ci, $work/contact.cfg): Nagios refuses a configuration
# without any; with --alone, the object files only.
nagios_cfg() {  # nagios_cfg [--alone] NAME OBJECT_FILE...
  local ci=$work/contact.cfg
  [ "$1" != --alone ] || { ci=; shift; }
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
CONF
    [ -z "$ci" ] || echo "cfg_file=$ci"
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
# A site's own host (colosla) and service template (colosla-service), for nagios-config --use.
site_cfg() {  # site_cfg FILE
  cat >"$1" <<'CONF'
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
}

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
