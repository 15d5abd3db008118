#!/usr/bin/env bash
# The Debian packages as a NOC installs them: scripts/package builds them from a copy of this
# tree (or COLOSLA_DEBS=DIR names .deb files built before); they are installed with dpkg into a
# scratch root: an overlay of / (changes in this test's directory only) in private mount,
# network and PID namespaces (package_root.sh). There the maintainer scripts make the user, the
# groups and the directories; systemd-analyze verify accepts the unit; the unit's command runs as
# its user with only its capabilities (read from the installed unit), receives a trap on
# udp:127.0.0.1:162 from a device of the example inventory and stores it; a purge removes what
# the package made. Needs root (namespaces, overlayfs, dpkg); skipped without it.
# usage: package.sh BUILD_DIR SOURCE_DIR
build=$1 src=$2
if [ "$(id -u)" -ne 0 ]; then
  echo "package: skipped (needs root: namespaces, overlayfs, dpkg -i)"
  exit 0
fi
for tool in dpkg-buildpackage lintian unshare setpriv chroot snmptrap systemd-analyze ip sqlite3 python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "package: skipped ($tool is missing: scripts/deps installs it)"
    exit 0
  fi
done
. "$src/tests/integration/lib.sh"
started=$SECONDS

# --- the packages ---------------------------------------------------------------------------
debs=$work/debs
mkdir -p "$debs"
if [ -n "${COLOSLA_DEBS:-}" ]; then
  cp "$COLOSLA_DEBS"/colosla_*.deb "$COLOSLA_DEBS"/monitoring-plugins-colosla_*.deb "$debs/" ||
    fail "COLOSLA_DEBS=$COLOSLA_DEBS holds no colosla packages"
else
  # A fixed build directory under the build tree: with ccache, a second run compiles little.
  command -v ccache >/dev/null && export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
  run "$src/scripts/package" --no-deps --output "$debs" --build-dir "$build/package"
  expect_rc 0
  expect_lacks "$err" "E: " "lintian's output"
  echo "package: built in $((SECONDS - started)) s"
fi
for p in colosla monitoring-plugins-colosla; do
  ls "$debs"/"${p}"_*.deb >/dev/null 2>&1 || fail "no $p package in $debs"
done

# --- installed into a scratch root, in namespaces of its own --------------------------------
mkdir -p "$work/root"/{upper,wk,merged} "$work/probe"/{upper,wk,merged}
# A container may forbid namespaces or overlayfs even to root: then only the build is tested.
if ! unshare --mount --net --pid --fork --propagation private -- \
  mount -t overlay overlay -o "lowerdir=/,upperdir=$work/probe/upper,workdir=$work/probe/wk" "$work/probe/merged" \
  >"$work/probe.err" 2>&1; then
  echo "package: packages built; the scratch root is skipped (no namespaces or overlayfs here: $(head -c 200 "$work/probe.err"))"
  exit 0
fi
set +e
unshare --mount --net --pid --fork --mount-proc --propagation private -- \
  bash "$src/tests/integration/package_root.sh" "$src" "$work/root" "$debs"
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "the scratch root's checks failed (exit $rc)"
# The PID namespace ended with package_root.sh: nothing it started can still run, and its
# mounts went with its mount namespace.
if grep -qF "$work/root" /proc/mounts; then fail "the scratch root is still mounted"; fi
echo "package: passed in $((SECONDS - started)) s"
