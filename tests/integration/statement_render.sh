#!/usr/bin/env bash
# The customer's statement rendered by real programs: colosla report --format html for the
# example month (entered as report.sh enters it, plus a power interruption, an unreported and a
# pending outage), shown by headless Chromium at 1280 px (a screenshot, and no horizontal scroll)
# and printed by it to an A4 PDF, and colosla report --format pdf (WeasyPrint); poppler reads both
# PDFs: A4, the figures in Chinese and English, nothing cut at the page's edge.
# usage: statement_render.sh COLOSLA SOURCE_DIR [SCREENSHOT_OUT]
colosla=$1 src=$2 shot_out=${3:-}
. "$src/tests/integration/lib.sh"
require_tools chromium pdfinfo pdftotext weasyprint python3

db=$work/store.db
c() { run "$colosla" --db "$db" "$@"; }
c inventory load "$src/examples/inventory.json"
expect_rc 0
c observe "$src/tests/data/example-month-observations.jsonl"
expect_rc 0
cat >"$work/more.jsonl" <<'J'
{"time":"2026-11-08T14:00:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"down"}
{"time":"2026-11-08T14:07:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"up"}
{"time":"2026-11-15T03:00:00+08:00","device":"pdu1","outlet":"4","state":"off"}
{"time":"2026-11-15T03:00:00+08:00","device":"ups1","state":"none"}
{"time":"2026-11-15T03:12:00+08:00","device":"pdu1","outlet":"4","state":"on"}
{"time":"2026-11-15T03:12:00+08:00","device":"ups1","state":"normal"}
{"time":"2026-11-20T10:00:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"down"}
{"time":"2026-11-20T10:25:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"up"}
J
c observe "$work/more.jsonl"
expect_rc 0
c customer-report add --contract C-001 --at 2026-11-03T09:05:00+08:00 --guarantee network
expect_rc 0
c exclude add --contract C-001 --from 2026-11-03T02:40:00+08:00 --to 2026-11-03T04:00:00+08:00 \
  --reason approved-maintenance --approved-by "Wang Wei"
expect_rc 0
c customer-report add --contract C-001 --at 2026-11-15T08:00:00+08:00 --guarantee power
expect_rc 0
month=(--month 2026-11 --as-of 2026-11-22T12:00:00+08:00)

# The figures, from the JSON report: what the statement must show.
c report "${month[@]}" --format json
expect_rc 0
python3 - "$out" <<'PY' || fail "the example month's figures"
import json, sys
[c] = json.loads(sys.argv[1])["contracts"]
n, p = c["network"], c["power"]
assert (n["counted-seconds"], n["excluded-seconds"], n["unreported-seconds"], n["pending-seconds"]) == (2400, 1200, 420, 1500), n
assert p["counted-seconds"] == 720, p
assert c["credit"]["deduction"] == "200.00" and c["notification-deduction-days"] == 2, c["credit"]
for g in (n, p):
    spans = {}
    for s in g["timeline"]:
        spans[s["state"]] = spans.get(s["state"], 0) + 1
    assert set(spans) <= {"available", "counted", "excluded", "unreported", "pending", "unmonitored"}, spans
assert [s["state"] for s in n["timeline"]] == ["available", "counted", "excluded", "available", "unreported", "available", "pending", "available"], n["timeline"]
PY

# -- the HTML ---------------------------------------------------------------------------------
c report "${month[@]}" --format html
expect_rc 0
printf '%s\n' "$out" >"$work/statement.html"
expect_has "$out" "网络联通性（第一条）"
expect_has "$out" "Network connectivity (Article 1)"
expect_lacks "$out" "{{{" "the page (an unescaped Mustache tag)"

# Chromium, headless, with a private profile in the test's directory and nothing from the
# network: the page is a file:// URL that loads nothing else. Each run is its own process tree,
# stopped on exit if the test ends while it runs.
chrome() {
  local log=$1
  shift
  chromium --headless --no-sandbox --disable-gpu --user-data-dir="$work/chromium" \
    --no-first-run --no-default-browser-check --disable-extensions --disable-sync \
    --disable-background-networking --disable-component-update --disable-default-apps \
    --disable-breakpad --metrics-recording-only --hide-scrollbars --force-device-scale-factor=1 \
    "$@" >"$log" 2>"$work/chromium.err" &
  chrome_pid=$!
  cleanup_hooks+=("stop_process_tree $chrome_pid chromium 5")
  wait "$chrome_pid" || fail "chromium $* failed: $(tail -n 20 "$work/chromium.err")"
  wait_for 10 process_gone "$chrome_pid"
  for p in $(descendants "$chrome_pid"); do wait_for 10 process_gone "$p" || true; done
}

# (a) At 1280 px: the page's width against the window's. The measurement is written into the DOM
# by a script added to a copy of the page (the page itself has none), after the load event and
# the fonts, and read back from --dump-dom: virtual time lets the script run before the dump.
# Besides the document's scroll width, every table cell, paragraph and list item is checked for
# content wider than itself (cut or overflowing text inside a box that does not scroll).
cp "$work/statement.html" "$work/measure.html"
cat >>"$work/measure.html" <<'JS'
<script>
window.addEventListener("load", () => document.fonts.ready.then(() => {
  const d = document.documentElement;
  const wide = [...document.querySelectorAll("td, th, p, li, dd, dt, h1, h2, h3")]
    .filter(e => e.scrollWidth > e.clientWidth + 1).length;
  const out = document.createElement("pre");
  out.id = "measure";
  out.textContent = `scrollWidth=${d.scrollWidth} clientWidth=${d.clientWidth} innerWidth=${window.innerWidth} wide=${wide}`;
  document.body.appendChild(out);
}));
</script>
JS
chrome "$work/dom.html" --window-size=1280,900 --virtual-time-budget=10000 --dump-dom "file://$work/measure.html"
measure=$(grep -o 'scrollWidth=[0-9]* clientWidth=[0-9]* innerWidth=[0-9]* wide=[0-9]*' "$work/dom.html") ||
  fail "no measurement in Chromium's DOM: $(head -c 500 "$work/dom.html")"
read -r sw cw iw wide < <(sed 's/[a-zA-Z]*=//g' <<<"$measure")
[ "$iw" -eq 1280 ] || fail "the window is $iw px wide, not 1280 ($measure)"
[ "$sw" -le "$cw" ] || fail "horizontal scroll at 1280 px: $measure"
[ "$wide" -eq 0 ] || fail "$wide boxes wider than their content allows at 1280 px: $measure"
echo "measured at 1280 px: $measure"

chrome "$work/shot.log" --window-size=1280,1700 --virtual-time-budget=10000 \
  --screenshot="$work/statement.png" "file://$work/statement.html"
python3 - "$work/statement.png" <<'PY' || fail "the screenshot"
import struct, sys
head = open(sys.argv[1], "rb").read(24)
assert head[:8] == b"\x89PNG\r\n\x1a\n", head
w, h = struct.unpack(">II", head[16:24])
assert w == 1280, (w, h)
PY
[ -z "$shot_out" ] || cp "$work/statement.png" "$shot_out"

# (b) Printed by Chromium: A4 from the page's @page rule, the figures in both languages, every
# word inside the page (poppler's word boxes), long lines whole.
chrome "$work/print.log" --no-pdf-header-footer --virtual-time-budget=10000 \
  --print-to-pdf="$work/chromium.pdf" "file://$work/statement.html"
check_pdf() {
  local pdf=$1 who=$2 info text layout
  info=$(pdfinfo "$pdf") || fail "$who: pdfinfo"
  # 595 × 842 pt, to Chromium's rounding (594.96 × 841.92) and WeasyPrint's (595.276 × 841.89).
  grep -Eq '^Page size: +(594\.9[0-9]*|595(\.[0-9]+)?) x 841\.[89][0-9]* pts \(A4\)' <<<"$info" ||
    fail "$who: not A4: $(grep 'Page size' <<<"$info")"
  # Compared with white space removed: a label wrapped at a cell's edge still reads whole.
  text=$(pdftotext -enc UTF-8 "$pdf" -) || fail "$who: pdftotext"
  layout=$(pdftotext -enc UTF-8 -layout "$pdf" -)
  for want in "网络联通性" "Network connectivity (Article 1)" "电力持续供应" \
    "Continuous power supply (Article 2)" "草稿：本月尚未结账" "Draft: the month is not closed" \
    "40 min" "12 min" "200.00 CNY" "2 × 3000.00 CNY ÷ 30" "Example Ltd" "C-001"; do
    grep -qF -- "$(tr -d ' ' <<<"$want")" <<<"$(tr -d ' \n\t' <<<"$text")" ||
      fail "$who: the PDF's text lacks: $want"
  done
  # Long lines whole: the agreement's sentence and the states' explanations, white space aside,
  # read in the order the PDF draws them (-raw: a table's columns do not interleave).
  local flat
  flat=$(pdftotext -enc UTF-8 -raw "$pdf" - | tr -d ' \n\t')
  for want in "乙方保證甲方網絡系統99.9%的聯通性,即每月不聯通時間少于44分鐘。" \
    "Pending:outagetimethecustomerhasnotreportedyetwhilethe5daysafteritsstarthavenotpassed;itcountsoncethecustomerreportsitintime." \
    "待报告：中断开始后5天尚未届满、客户尚未报告的时间；客户在期限内报告后即计入。"; do
    grep -qF -- "$want" <<<"$flat" || fail "$who: a long line is not whole in the PDF: $want"
  done
  # Each outage row on one line of the layout: number, start, end, counted minutes.
  grep -Eq '^ *1 +2026-11-03 02:00 +2026-11-03 03:00 +40 min' <<<"$layout" ||
    fail "$who: the first network outage's row is not whole: $(grep -n '2026-11-03 02:00' <<<"$layout")"
  grep -Eq '^ *1 +2026-11-15 03:00 +2026-11-15 03:12 +12 min' <<<"$layout" ||
    fail "$who: the power interruption's row is not whole"
  # Nothing outside the page: every word's box lies within 595 × 842 pt.
  pdftotext -bbox "$pdf" "$work/bbox.html"
  python3 - "$work/bbox.html" "$who" <<'PY' || fail "$who: words outside the page"
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)
assert len(words) > 200, len(words)
out = [w for w in words if float(w[0]) < 0 or float(w[2]) > 595.3 or float(w[3]) > 842]
assert not out, (sys.argv[2], out[:5])
PY
}
check_pdf "$work/chromium.pdf" chromium

# (c) colosla's own PDF, by WeasyPrint.
"$colosla" --db "$db" report "${month[@]}" --format pdf >"$work/weasyprint.pdf" 2>"$work/pdf.err" ||
  fail "report --format pdf: $(cat "$work/pdf.err")"
head -c 5 "$work/weasyprint.pdf" | grep -q '%PDF-' || fail "report --format pdf wrote no PDF"
check_pdf "$work/weasyprint.pdf" weasyprint
echo "ok: statement_render"
