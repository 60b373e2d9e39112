#!/usr/bin/env bash
# bench/isncsci_stream.sh BUILD_DIR — `isncsci classify` on generated arrays of exams,
# streaming (the command) against the whole-document jansson path it replaced
# (BUILD_DIR/bench/isncsci_classify_jansson), in the same run, on the same files.
#
# For each size in ISNCSCI_SIZES (default "1000 100000"): an array of that many exams
# (the 64 validation cases of tests/data/isncsci cycled, json.dumps layout), then each
# program RUNS times (default 3; best wall time kept) under /usr/bin/time -v: wall seconds
# (the shell's clock around it), CPU seconds (time -v, to 10 ms), exams/s, peak resident
# memory. Both outputs must be identical (cmp).
# The reference implementation's JSON-to-JSON figure (REFERENCE_RATE, exams/s,
# default 7218: the reference implementation on 32,768 exams, this machine class) gives the ratio.
# BASELINE=PATH (optional): another cellclinic binary (say main's build) measured in the
# same run on the same files, its output compared with cmp too; the summary gives the ratio.
# Prints a Markdown table. Runs alone or from bench/run.sh.
set -euo pipefail

BUILD="${1:?usage: bench/isncsci_stream.sh BUILD_DIR}"
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="$BUILD/cellclinic"
OLD="$BUILD/bench/isncsci_classify_jansson"
SIZES="${ISNCSCI_SIZES:-1000 100000}"
RUNS="${RUNS:-3}"
REFERENCE_RATE="${REFERENCE_RATE:-7218}"
BASELINE="${BASELINE:-}"
[ -x "$BIN" ] && [ -x "$OLD" ] || { echo "isncsci_stream: build first ($BIN, $OLD)" >&2; exit 1; }
[ -z "$BASELINE" ] || [ -x "$BASELINE" ] || { echo "isncsci_stream: BASELINE $BASELINE is not executable" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "isncsci_stream: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }

TMP="$(mktemp -d /tmp/cc-isncsci.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT

# measure NAME N CMD...: best of RUNS (the jansson path once above 10,000 exams: it takes
# a minute and gigabytes there); prints "wall cpu rss_kb"
measure() {
  local name="$1" n="$2"; shift 2
  local best="" runs="$RUNS"
  if [ "$name" = jansson ] && [ "$n" -gt 10000 ]; then runs=1; fi
  for _ in $(seq "$runs"); do
    local wall cpu rss t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -v -o "$TMP/time" "$@" <"$TMP/in-$n.json" >"$TMP/out-$name-$n.json"
    t1=$(date +%s%N)
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", (b - a) / 1e9}')
    cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u+s}' "$TMP/time")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TMP/time")
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$wall" "${best%% *}"; then
      best="$wall $cpu $rss"
    fi
  done
  echo "$best"
}

echo "| exams | input MB | program | wall s (best of $RUNS; jansson above 10,000: 1 run) | CPU s | exams/s (wall) | exams/s (CPU) | peak RSS MiB |"
echo "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |"
declare -A RATE
for n in $SIZES; do
  python3 - "$HERE/../tests/data/isncsci/validation-cases.json" "$n" >"$TMP/in-$n.json" <<'PY'
import json, sys
# leave out the cases refused for a non-key muscle where the worksheet has none (T2-L1)
no_nk = {"T%d" % i for i in range(2, 13)} | {"L1"}
cases = [json.dumps(c["exam"]) for c in json.load(open(sys.argv[1]))
         if not any(c["exam"][s].get("lowestNonKeyMuscleWithMotorFunction") in no_nk
                    for s in ("right", "left"))]
n = int(sys.argv[2])
out = sys.stdout
out.write("[")
for i in range(n):
    if i:
        out.write(", ")
    out.write(cases[i % len(cases)])
out.write("]")
PY
  mb=$(python3 -c "import os,sys; print('%.1f' % (os.path.getsize(sys.argv[1]) / 1e6))" "$TMP/in-$n.json")
  for prog in stream ${BASELINE:+baseline} jansson; do
    case "$prog" in
      stream) r=$(measure stream "$n" "$BIN" isncsci classify) ;;
      baseline) r=$(measure baseline "$n" "$BASELINE" isncsci classify) ;;
      *) r=$(measure jansson "$n" "$OLD") ;;
    esac
    read -r wall cpu rss <<<"$r"
    line=$(python3 -c "
import sys
n, wall, cpu, rss = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print('%.4f | %.2f | %.0f | %s | %.1f' % (wall, cpu, n / wall if wall else 0, '%.0f' % (n / cpu) if cpu else 'under 10 ms', rss / 1024))
" "$n" "$wall" "$cpu" "$rss")
    RATE[$prog-$n]=$(python3 -c "import sys; print('%.0f' % (int(sys.argv[1]) / max(float(sys.argv[2]), 0.001)))" "$n" "$wall")
    label="\`cellclinic isncsci classify\` ($BIN)"
    [ "$prog" = baseline ] && label="\`cellclinic isncsci classify\`, baseline ($BASELINE)"
    [ "$prog" = jansson ] && label="whole document, jansson (before streaming)"
    echo "| $n | $mb | $label | $line |"
  done
  cmp -s "$TMP/out-stream-$n.json" "$TMP/out-jansson-$n.json" \
    || { echo "isncsci_stream: outputs differ for $n exams" >&2; exit 1; }
  if [ -n "$BASELINE" ]; then
    cmp -s "$TMP/out-stream-$n.json" "$TMP/out-baseline-$n.json" \
      || { echo "isncsci_stream: output differs from the baseline's for $n exams" >&2; exit 1; }
  fi
done
echo
for n in $SIZES; do
  python3 -c "
import sys
n, new, old, ref = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print('- %s exams: streaming %.0f exams/s = %.1fx the jansson path, %.1fx the reference (%.0f exams/s); goal >= 20x: %s; outputs identical (cmp)' % (n, new, new / old, new / ref, ref, 'met' if new / ref >= 20 else 'NOT MET'))
" "$n" "${RATE[stream-$n]}" "${RATE[jansson-$n]}" "$REFERENCE_RATE"
  if [ -n "$BASELINE" ]; then
    python3 -c "
import sys
print('  - against the baseline (%.0f exams/s, same run, same output): %.2fx by wall time' % (float(sys.argv[2]), float(sys.argv[1]) / float(sys.argv[2])))
" "${RATE[stream-$n]}" "${RATE[baseline-$n]}"
  fi
done
