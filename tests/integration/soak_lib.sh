# The kill -9 soak of colosla-trapd's informs, shared by tests/integration/soak.sh (short) and
# bench/soak (long). Source it after lib.sh. The promise under test: every inform colosla-trapd
# acknowledged is in its store afterwards, although it is killed with SIGKILL at random moments
# and started again on the same store, and the SQLite file stays intact.
#
# soak_setup BUILD_DIR DEVICES: the store, an inventory of DEVICES if-mib switches on 127.0.0.1,
#   127.0.0.2, … (v2c, community public), colosla-trapd's configuration file and the SNMPv3
#   credentials file of the v3 senders; then starts colosla-trapd.
# soak_sender TAG v2c|v3 SOURCE: starts a colosla-inform-sender in the background (bounded by
#   $soak_count informs and $soak_seconds).
# soak_kill_cycles CYCLES SECONDS: the kills and restarts.
# soak_finish: stops the senders and colosla-trapd, and reads the figures into soak_* variables.
command -v sqlite3 >/dev/null || fail "sqlite3 is not installed (scripts/deps installs it)"
command -v pgrep >/dev/null || fail "pgrep is not installed (procps)"

soak_count=${soak_count:-1000000}      # informs a sender sends at most
soak_seconds=${soak_seconds:-120}      # … and seconds it runs at most (it is stopped before)
soak_timeout=${soak_timeout:-1000}     # ms a sender waits for an answer, each try
soak_retries=${soak_retries:-5}        # tries after the first
soak_ports=${soak_ports:-8}            # ports a sender flaps at once
soak_kills=0
soak_kill_times=()
soak_senders=()
soak_sender_pids=()
trapd_pid=
trapd_runs=0

soak_setup() {
  local build=$1 devices=$2 d
  soak_trapd=$build/apps/colosla-trapd/colosla-trapd
  soak_sender_exe=$build/bench/colosla-inform-sender
  [ -x "$soak_trapd" ] || fail "$soak_trapd is missing (build it)"
  [ -x "$soak_sender_exe" ] || fail "$soak_sender_exe is missing (build it)"
  soak_port=$(free_udp_port)
  soak_db=$work/colosla.db
  {
    printf '{"colosla-inventory:inventory":{"device":[\n'
    for ((d = 1; d <= devices; d++)); do
      printf '  {"name":"sw%d","role":"switch","address":"127.0.0.%d","plugin":"if-mib",' "$d" "$d"
      printf '"snmp":{"version":"v2c","community":"public"}}%s\n' "$([ "$d" -lt "$devices" ] && echo ,)"
    done
    printf ']}}\n'
  } >"$work/inventory.json"
  # Informs use the receiver's own engine ID: no -e. Nothing runs beside the receiver (no polls,
  # no evaluation, no prober, no NETCONF listener), so a kill leaves no child behind.
  cat >"$work/colosla-trapd.conf" <<CONF
listen = udp:127.0.0.1:$soak_port
db = $soak_db
inventory = $work/inventory.json
state-dir = $work/state
create-user = informuser SHA soakauth123 AES soakpriv123
poll-interval = 0
evaluate-interval = 0
probe = false
netconf-listen = false
CONF
  # The v3 senders read their keys from a file: a command line is readable by every user.
  (umask 077 && echo "informuser SHA soakauth123 AES soakpriv123" >"$work/v3-credentials")
  cleanup_hooks+=('[ -n "$trapd_pid" ] && kill -KILL "$trapd_pid" 2>/dev/null')
  cleanup_hooks+=('for p in "${soak_sender_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done')
  soak_start_trapd
}

# Starts colosla-trapd on the store, logging to a file of its own, and waits until it listens.
soak_start_trapd() {
  trapd_runs=$((trapd_runs + 1))
  trapd_log=$work/trapd.$trapd_runs.log
  "$soak_trapd" --foreground --config "$work/colosla-trapd.conf" >"$trapd_log" 2>&1 &
  trapd_pid=$!
  wait_for 60 grep -q "listening on udp:127.0.0.1:$soak_port" "$trapd_log" ||
    { cat "$trapd_log" >&2; fail "colosla-trapd did not start (start $trapd_runs)"; }
}

soak_sender() {  # soak_sender TAG v2c|v3 SOURCE
  local tag=$1 version=$2 source=$3 n=${#soak_senders[@]}
  local auth=(--community public)
  [ "$version" = v3 ] && auth=(--v3 "$work/v3-credentials")
  # Each sender its own ifIndex range: two senders of one device never touch the same port.
  "$soak_sender_exe" --dest "127.0.0.1:$soak_port" --source "$source" "${auth[@]}" --tag "$tag" \
    --acked "$work/acked.$tag" --trace "$work/trace.$tag" --count "$soak_count" --seconds "$soak_seconds" \
    --timeout "$soak_timeout" --retries "$soak_retries" --ports "$soak_ports" \
    --first-port $((n * 1000000 + 1)) >"$work/sender.$tag.out" 2>&1 &
  soak_sender_pids+=($!)
  soak_senders+=("$tag")
  : >>"$work/acked.$tag"
}

acked_count() { wc -l <"$work/acked.$1"; }
# every_sender_acked N: each sender has had N informs acknowledged (at least).
every_sender_acked() {
  local t
  for t in "${soak_senders[@]}"; do
    [ "$(acked_count "$t")" -ge "$1" ] || return 1
  done
}
# every_sender_acked_since COUNT...: each sender has more acknowledged than its COUNT (in order).
every_sender_acked_since() {
  local t
  for t in "${soak_senders[@]}"; do
    [ "$(acked_count "$t")" -gt "$1" ] || return 1
    shift
  done
}

# soak_kill_cycles CYCLES SECONDS: up to CYCLES times, within SECONDS: lets colosla-trapd run a
# random 0.3-1.5 s, kills it with SIGKILL, and starts it again on the same store.
soak_kill_cycles() {
  local cycles=$1 deadline=$((SECONDS + $2)) ms
  while [ "$soak_kills" -lt "$cycles" ] && [ $SECONDS -lt $deadline ]; do
    ms=$((300 + RANDOM % 1201))
    sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
    kill -0 "$trapd_pid" 2>/dev/null || { cat "$trapd_log" >&2; fail "colosla-trapd ended by itself (start $trapd_runs)"; }
    soak_kill_times+=("$EPOCHREALTIME")
    kill -KILL "$trapd_pid"
    wait "$trapd_pid" 2>/dev/null || true
    soak_kills=$((soak_kills + 1))
    soak_start_trapd
  done
}

# Lets every sender have a few more informs answered by the last colosla-trapd, stops the senders
# (each ends the inform in progress), stops colosla-trapd with SIGTERM and reads the figures.
soak_finish() {
  local i before=() t pid code
  for t in "${soak_senders[@]}"; do before+=("$(acked_count "$t")"); done
  wait_for 60 every_sender_acked_since "${before[@]}" ||
    { cat "$trapd_log" >&2; fail "not every sender had an inform answered after the last start"; }
  for pid in "${soak_sender_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for i in "${!soak_sender_pids[@]}"; do
    set +e
    wait "${soak_sender_pids[$i]}"
    code=$?
    set -e
    [ "$code" -eq 0 ] || { cat "$work/sender.${soak_senders[$i]}.out" >&2; fail "sender ${soak_senders[$i]} exited with $code"; }
  done
  soak_sender_pids=()
  kill -TERM "$trapd_pid"
  wait_for 60 bash -c "! kill -0 $trapd_pid 2>/dev/null" || { cat "$trapd_log" >&2; fail "colosla-trapd did not stop on SIGTERM"; }
  set +e
  wait "$trapd_pid"
  code=$?
  set -e
  [ "$code" -eq 0 ] || { cat "$trapd_log" >&2; fail "colosla-trapd exited with $code after SIGTERM"; }
  grep -q "trapd: stopping" "$trapd_log" || { cat "$trapd_log" >&2; fail "colosla-trapd did not stop cleanly"; }
  trapd_pid=
  soak_figures
}

# The figures: soak_acked (informs acknowledged), soak_lost (acknowledged, not in the store; their
# markers in $work/lost), soak_unacked_stored, soak_stored_twice, soak_integrity,
# soak_inflight_kills (kills with an inform sent and not yet answered), soak_inflight (informs in
# flight at a kill) and soak_inflight_acked (… acknowledged in the end: by the next colosla-trapd,
# retransmitted, or by the one killed, its answer already on the way).
soak_figures() {
  local t
  for t in "${soak_senders[@]}"; do cat "$work/acked.$t"; done | sort >"$work/acked"
  sqlite3 "$soak_db" "SELECT evidence FROM observation UNION ALL SELECT text FROM evidence" |
    grep -oE 'soak:[A-Za-z0-9_.-]+:[0-9]+' | sort >"$work/stored-all" || true
  sort -u "$work/stored-all" >"$work/stored"
  comm -23 "$work/acked" "$work/stored" >"$work/lost"
  soak_acked=$(wc -l <"$work/acked")
  soak_lost=$(wc -l <"$work/lost")
  soak_unacked_stored=$(comm -13 "$work/acked" "$work/stored" | wc -l)
  soak_stored_twice=$(uniq -d "$work/stored-all" | wc -l)
  soak_integrity=$(sqlite3 "$soak_db" "PRAGMA integrity_check" 2>&1 | head -n 5 | tr '\n' ' ' | sed 's/ $//')
  # trace lines: "k first-sent answered acked|failed"; a kill at T had an inform in flight when
  # first-sent < T < answered.
  read -r soak_inflight_kills soak_inflight soak_inflight_acked < <(
    for t in "${soak_senders[@]}"; do cat "$work/trace.$t"; done |
      awk -v kills="${soak_kill_times[*]}" '
        BEGIN { n = split(kills, kill, " ") }
        { hit = 0
          for (i = 1; i <= n; i++) if ($2 < kill[i] && kill[i] < $3) { seen[i] = 1; hit = 1 }
          if (hit) { inflight++; if ($4 == "acked") ok++ } }
        END { k = 0; for (i in seen) k++; print k, inflight + 0, ok + 0 }')
}

# The lost informs, each with its trace line and the kills around it, for the report.
soak_show_lost() {
  local m tag k
  while read -r m; do
    tag=${m#soak:}
    tag=${tag%:*}
    k=${m##*:}
    printf '  %s: sent/answered %s\n' "$m" "$(awk -v k="$k" '$1 == k { print $2, $3, $4 }' "$work/trace.$tag")"
  done < <(head -n 20 "$work/lost")
  printf '  kills at: %s\n' "${soak_kill_times[*]}"
}

# No process of this soak is left: none has $work on its command line.
soak_leftovers() { pgrep -a -f -- "$work" || true; }

soak_sender_summaries() {
  local t
  for t in "${soak_senders[@]}"; do cat "$work/sender.$t.out"; done
}
