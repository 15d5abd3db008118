#!/usr/bin/env bash
# colosla with Debian's real Nagios Core 4 (nagios4) on a private configuration: the objects
# `colosla nagios-config` prints pass `nagios4 -v` on their own, and it warns when Nagios could
# notify an emergency later than Article 4 allows (Debian's generic-service); Nagios runs
# check_colosla for the example inventory's C-001 (as in events.sh) and status.dat shows each guarantee's state, output and
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

# 1. The generated objects pass Nagios' pre-flight check on their own: the host, a timeperiod,
#    the services, the check command and a contact group with its contact and their commands ...
#    (The example's power sources are never observed: check_colosla's warning for unmonitored
#    time, on by default, shows it through Nagios below.)
run "$colosla" --db "$db" nagios-config --interval-length 1 --check-interval 2
expect_rc 0
printf '%s\n' "$out" >"$work/colosla.cfg"
expect_has "$out" "command_line  $(readlink -f "$check") --db $db --contract \$ARG1\$ --guarantee \$ARG2\$ -t \$_SERVICECOLOSLA_TIMEOUT\$ \$ARG3\$"
expect_has "$out" "check_command           check_colosla!C-001!network"
expect_eq "$(grep -c '^  _COLOSLA_TIMEOUT        10$' <<<"$out")" 4 "services with check_colosla's -t"
expect_eq "$(grep -c '^define service {' <<<"$out")" 4 "services (network, power, emergency, process)"
expect_eq "$(grep -c '^  contact_groups  *colosla-noc$' <<<"$out")" 5 "host and services notifying colosla-noc"
expect_has "$out" "  members            colosla-noc"
expect_has "$out" "  email                          root@localhost"
nagios_cfg --alone active "$work/colosla.cfg" </dev/null
expect_lacks "$(cat "$work/active/nagios.cfg")" "contact.cfg" "nagios.cfg of the output alone"
verify active
expect_eq "$warnings" "" "warnings of nagios4 -v on nagios-config's output alone"
expect_has "$out" "Checked 4 services."
expect_has "$out" "Checked 1 hosts."
expect_has "$out" "Checked 1 contacts."
expect_has "$out" "Checked 1 contact groups."
# ... or with Debian's stock contact template (generic-contact, its 24x7 and notify-*-by-email),
# the contact's name and address given.
run "$colosla" --db "$db" nagios-config --use-stock-templates --noc-contact noc --noc-email noc@example.net
expect_rc 0
printf '%s\n' "$out" >"$work/stock.cfg"
expect_has "$out" "  use                            generic-contact"
expect_has "$out" "  email                          noc@example.net"
expect_lacks "$out" "notify-service-colosla-by-email" "output with --use-stock-templates"
expect_lacks "$out" "placeholder" "output with --noc-email"
nagios_cfg --alone stock "$work/stock.cfg" /etc/nagios4/objects/templates.cfg \
  /etc/nagios4/objects/commands.cfg /etc/nagios4/objects/timeperiods.cfg </dev/null
verify stock
expect_eq "$warnings" "" "warnings of nagios4 -v with Debian's stock templates"
# ... and both fit Debian's stock configuration (its nagios.cfg, the output in conf.d's place),
# as does a configuration using its generic-service and localhost.
debian_cfg() {  # debian_cfg OBJECT_FILE: Debian's nagios.cfg with it for conf.d, checked
  sed "s|^cfg_dir=/etc/nagios4/conf.d\$|cfg_file=$1|" /etc/nagios4/nagios.cfg >"$work/debian.cfg"
  grep -qxF "cfg_file=$1" "$work/debian.cfg" || fail "no cfg_dir=/etc/nagios4/conf.d in /etc/nagios4/nagios.cfg"
  run nagios4 -v "$work/debian.cfg"
  expect_rc 0
  expect_has "$out" "Total Warnings: 0" "nagios4 -v with Debian's nagios.cfg and $1"
  expect_has "$out" "Total Errors:   0" "nagios4 -v with Debian's nagios.cfg and $1"
}
debian_cfg "$work/colosla.cfg"
debian_cfg "$work/stock.cfg"
run "$colosla" --db "$db" nagios-config --use generic-service --host localhost --max-check-attempts 1 \
  --template-file /etc/nagios4/objects/templates.cfg
expect_rc 0
printf '%s\n' "$out" >"$work/debian-use.cfg"
debian_cfg "$work/debian-use.cfg"
# ... or with contact groups of one's own: none defined.
run "$colosla" --db "$db" nagios-config --contact-groups admins
expect_rc 0
expect_eq "$(grep -c '^  contact_groups  *admins$' <<<"$out")" 5 "host and services notifying admins"
expect_lacks "$out" "define contact" "output with --contact-groups"
run "$colosla" --db "$db" nagios-config --contacts ci --noc-email x@example.net
expect_rc 2
expect_has "$err" "not with --contacts, --contact-groups or --use"
# check_colosla's options reach its command line.
run "$colosla" --db "$db" nagios-config --timeout 20 --status-dir /srv/st --unmonitored-warning 90 \
  --no-now-warning --check-colosla /opt/check_colosla
expect_rc 0
expect_has "$out" "command_line  /opt/check_colosla --db $db --contract \$ARG1\$ --guarantee \$ARG2\$ -t \$_SERVICECOLOSLA_TIMEOUT\$ --status-dir /srv/st --unmonitored-warning 90 --no-now-warning \$ARG3\$"
expect_eq "$(grep -c '^  _COLOSLA_TIMEOUT        20$' <<<"$out")" 4 "services with --timeout 20"

# Article 4 (15 minutes from an emergency to the customer): the defaults (300 s checks, one
# attempt) leave Nagios 6.2 minutes, and nothing warns ...
run "$colosla" --db "$db" nagios-config
expect_rc 0
expect_has "$out" "# (its HARD state) takes at most 6.2 min, with interval_length 60 s:"
expect_lacks "$out" "WARNING" "nagios-config's defaults"
expect_eq "$err" "" "stderr of nagios-config's defaults"
# ... Debian's generic-service (3 attempts, 10 minutes, retried every 2) can take 15.2 minutes:
# a warning on stderr and in the output ...
tpl=/etc/nagios4/objects/templates.cfg
expect_eq "$(awk '/name[ \t]+generic-service/,/^}/' "$tpl" | awk '$1 ~ /^(max_check_attempts|check_interval|retry_interval)$/ { print $1, $2 }' | sort | tr '\n' ' ')" \
  "check_interval 10 max_check_attempts 3 retry_interval 2 " "Debian's generic-service"
run "$colosla" --db "$db" nagios-config --use generic-service --template-file "$tpl"
expect_rc 0
expect_has "$err" "colosla nagios-config: warning: Article 4: the customer of C-001 must be told within 15 min of an emergency, but Nagios may notify only after 15.2 min (colosla-trapd's evaluate-interval 60 s + check_interval 600 s + (max_check_attempts 3 - 1) x retry_interval 120 s + first_notification_delay 0 s + check_colosla's timeout 10 s, with interval_length 60 s)" "stderr"
expect_has "$out" "# WARNING: the customer of C-001 must be told within 15 min of an emergency:"
expect_eq "$(grep -c '^  max_check_attempts' <<<"$out")" 0 "services using generic-service with max_check_attempts"
# ... and so do its own options when they are too slow, and a first notification delayed ...
run "$colosla" --db "$db" nagios-config --check-interval 900
expect_has "$err" "notify only after 16.2 min" "stderr with --check-interval 900"
run "$colosla" --db "$db" nagios-config --first-notification-delay 600 --timeout 30
expect_has "$err" "notify only after 16.5 min" "stderr with --first-notification-delay 600"
expect_eq "$(grep -c '^  first_notification_delay 10$' <<<"$out")" 4 "services with a first_notification_delay"
# ... and colosla-trapd's evaluations every 10 minutes (its configuration file) ...
printf 'nagios-host = colosla\nevaluate-interval = 600\n' >"$work/trapd.conf"
run "$colosla" --db "$db" nagios-config --config "$work/trapd.conf"
expect_rc 0
expect_has "$err" "notify only after 15.2 min (colosla-trapd's evaluate-interval 600 s + check_interval 300 s" \
  "stderr with evaluate-interval = 600"
run "$colosla" --db "$db" nagios-config --config "$work/trapd.conf" --host other
expect_has "$err" "notify only after 15.2 min" "stderr with evaluate-interval = 600 and --host"
run "$colosla" --db "$db" nagios-config --config "$work/trapd.conf" --evaluate-interval 60
expect_eq "$err" "" "stderr with --evaluate-interval 60 beside evaluate-interval = 600"
# ... not generic-service with one attempt (written beside the template), nor Debian's
# local-service (4 attempts, 5 minutes, retried every minute, what it does not say from
# generic-service) ...
run "$colosla" --db "$db" nagios-config --use generic-service --template-file "$tpl" --max-check-attempts 1
expect_eq "$err" "" "stderr with generic-service and one attempt"
expect_eq "$(grep -c '^  max_check_attempts      1$' <<<"$out")" 4 "services with one attempt"
run "$colosla" --db "$db" nagios-config --use local-service --template-file "$tpl"
expect_eq "$err" "" "stderr with local-service"
expect_has "$out" "# (its HARD state) takes at most 9.2 min, with interval_length 60 s:"
# ... and a template it cannot read is said so.
run "$colosla" --db "$db" nagios-config --use colosla-service
expect_rc 0
expect_has "$err" "note: the template's check_interval, retry_interval, max_check_attempts and first_notification_delay are unknown" "stderr"
run "$colosla" --db "$db" nagios-config --use no-such-service --template-file "$tpl"
expect_rc 2
expect_has "$err" "no service template named no-such-service in the --template-file files"

# ... and with a service template of one's own (--use) and one's own host: no warning at all.
site_cfg "$work/site.cfg"
run "$colosla" --db "$db" nagios-config --use colosla-service
expect_rc 0
printf '%s\n' "$out" >"$work/colosla-use.cfg"
expect_eq "$(grep -c '^  use  *colosla-service$' <<<"$out")" 4 "services using the template"
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
