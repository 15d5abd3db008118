# Helpers for the integration tests (bash). Each test sources this file, gets a private work
# directory that is removed on exit, and fails loudly with what it saw.
set -euo pipefail

work=$(mktemp -d "${TMPDIR:-/tmp}/colosla-test.XXXXXX")
cleanup_hooks=()
on_exit() {
  local h
  for h in "${cleanup_hooks[@]}"; do eval "$h" || true; done
  rm -rf "$work"
}
trap on_exit EXIT

fail() {
  printf 'FAIL: %s\n' "$*" >&2
  [ -n "${last_cmd:-}" ] && printf '  command: %s\n  exit: %s\n  stdout:\n%s\n  stderr:\n%s\n' \
    "$last_cmd" "${rc:-}" "${out:-}" "${err:-}" >&2
  exit 1
}

# run CMD...: runs it, keeping stdout in $out, stderr in $err and the exit code in $rc.
run() {
  last_cmd="$*"
  set +e
  "$@" >"$work/.out" 2>"$work/.err"
  rc=$?
  set -e
  out=$(cat "$work/.out")
  err=$(cat "$work/.err")
}

# run_in FILE CMD...: like run, with FILE as standard input.
run_in() {
  local input=$1
  shift
  last_cmd="$* < $input"
  set +e
  "$@" <"$input" >"$work/.out" 2>"$work/.err"
  rc=$?
  set -e
  out=$(cat "$work/.out")
  err=$(cat "$work/.err")
}

expect_rc() { [ "$rc" -eq "$1" ] || fail "expected exit $1, got $rc"; }
# expect_has TEXT NEEDLE [WHAT]
expect_has() { grep -qF -- "$2" <<<"$1" || fail "expected ${3:-output} to contain: $2"; }
expect_lacks() { ! grep -qF -- "$2" <<<"$1" || fail "expected ${3:-output} not to contain: $2"; }
expect_eq() { [ "$1" = "$2" ] || fail "expected '$2', got '$1'${3:+ ($3)}"; }
# first_line TEXT
first_line() { head -n 1 <<<"$1"; }

# wait_for SECONDS CMD...: runs CMD every 0.1 s until it succeeds or the time is up.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

# free_udp_port: a UDP port on 127.0.0.1 that nothing is bound to right now.
free_udp_port() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
