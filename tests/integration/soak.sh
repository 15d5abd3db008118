#!/usr/bin/env bash
# The kill -9 soak, short: three colosla-inform-senders (v2c from 127.0.0.1, v2c from 127.0.0.2,
# v3 authPriv from 127.0.0.1) send informs that each change a port's state, while colosla-trapd is
# killed with SIGKILL 8 times, each after a random 0.3-1.5 s, and started again on the same store.
# Afterwards every inform that was acknowledged is in the store, the store passes SQLite's
# integrity check, and nothing of the test is left running. bench/soak is the long version.
# usage: soak.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
. "$src/tests/integration/lib.sh"
. "$src/tests/integration/soak_lib.sh"

cycles=8
soak_setup "$build" 2
soak_sender v2c-a v2c 127.0.0.1
soak_sender v2c-b v2c 127.0.0.2
soak_sender v3-a v3 127.0.0.1
wait_for 60 every_sender_acked 1 || { soak_sender_summaries >&2; cat "$trapd_log" >&2; fail "the senders got no answer"; }
soak_kill_cycles "$cycles" 90
soak_finish

soak_sender_summaries
echo "kills: $soak_kills, with an inform in flight: $soak_inflight_kills; informs in flight at a kill:" \
  "$soak_inflight, of which acknowledged in the end: $soak_inflight_acked"
echo "stored without an answer: $soak_unacked_stored; stored twice (an answer lost with the process): $soak_stored_twice"
if [ "$soak_lost" -gt 0 ]; then
  soak_show_lost >&2
  fail "$soak_lost of $soak_acked acknowledged informs are not in the store: $(head -n 20 "$work/lost" | tr '\n' ' ')"
fi
expect_eq "$soak_integrity" ok "PRAGMA integrity_check"
[ "$soak_kills" -eq "$cycles" ] || fail "only $soak_kills of $cycles kills within the time allowed"
for t in "${soak_senders[@]}"; do
  [ "$(acked_count "$t")" -ge 10 ] || fail "sender $t had only $(acked_count "$t") informs acknowledged: the soak proves nothing"
done
[ "$soak_inflight_kills" -ge 3 ] ||
  fail "only $soak_inflight_kills kills came with an inform in flight (3 needed): the soak proves nothing"
# The counters are committed with what they count: a kill cannot leave informs answered but not
# counted (one committed but not yet answered when the daemon died is counted, and counted again
# by the next daemon, which stores its retransmission).
answered=$("$build/apps/colosla/colosla" --db "$soak_db" stats --format json |
  python3 -c 'import json, sys; print(json.load(sys.stdin).get("trapd.informs-answered", 0))')
[ "$answered" -ge "$soak_acked" ] ||
  fail "trapd.informs-answered is $answered after the kills, below the $soak_acked informs acknowledged"
left=$(soak_leftovers)
[ -z "$left" ] || fail "processes of this test are still running: $left"
echo "ok: soak: $soak_acked informs acknowledged over $soak_kills kills, all stored"
