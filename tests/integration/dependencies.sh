#!/usr/bin/env bash
# integration.dependencies: the packages scripts/deps installs are exactly those
# docs/development.md's "Dependencies" table lists (each `package` in its first column).
set -euo pipefail
src=$1
deps=$(sed -n '/^packages=(/,/^)/p' "$src/scripts/deps" | sed -e 's/#.*//' -e '1d;$d' | tr -s ' \t' '\n' |
  sed '/^$/d' | sort -u)
doc=$(sed -n '/^## Dependencies/,/^## /p' "$src/docs/development.md" | grep '^| `' |
  cut -d'|' -f2 | grep -o '`[^`]*`' | tr -d '`' | sort -u)
[ -n "$deps" ] || { echo "FAIL: no package read from scripts/deps" >&2; exit 1; }
[ -n "$doc" ] || { echo "FAIL: no package read from docs/development.md" >&2; exit 1; }
only_deps=$(comm -23 <(printf '%s\n' "$deps") <(printf '%s\n' "$doc"))
only_doc=$(comm -13 <(printf '%s\n' "$deps") <(printf '%s\n' "$doc"))
status=0
[ -z "$only_deps" ] || { echo "FAIL: in scripts/deps, not in docs/development.md: $(echo $only_deps)" >&2; status=1; }
[ -z "$only_doc" ] || { echo "FAIL: in docs/development.md, not in scripts/deps: $(echo $only_doc)" >&2; status=1; }
[ "$status" -ne 0 ] || echo "ok: $(wc -l <<<"$deps") packages, the same in scripts/deps and docs/development.md"
exit "$status"
