#!/usr/bin/env bash
# bench/report.sh BUILD_DIR — the outcome report benchmark, also run by
# bench/run.sh (`make bench`). For each size in REPORT_SIZES (default "10000 100000"):
# a fresh data dir filled by bench/outcomes_gen.py (20 observations per patient over
# five programmes), then `cellclinic report outcomes --out /dev/null` for one protocol
# (sci) and for all as JSON, and for all as CSV: wall seconds, best of 3, and beside them
# the CPU seconds (user + system, best of 3: on a shared machine, what the run itself
# cost); the first run, which builds the measure series from the stored observations
# and then the report digests; a run after the digests are marked unbuilt (the digests
# alone made anew, then the sci report); and the max RSS of the
# runs (it counts the pages of the mapped data file). Prints a markdown table on
# stdout, progress on stderr. KEEP=1 keeps the temporary directory.
# REPORT_CACHE=DIR keeps a pristine copy of each generated data dir (series not
# built) in DIR/report-N and copies it on the next run instead of generating
# again (1,000,000 patients take about twenty minutes to generate).
# REPORT_BASELINE=BIN also runs another build's cellclinic on a copy of the same data dir
# (its own schema), after its first run: three rounds, the two builds alternating within each, of the
# three reports; prints a second table (best of 3 each, wall and CPU, this / baseline)
# and whether each report is byte for byte the baseline's.
set -euo pipefail
BUILD="${1:?usage: bench/report.sh BUILD_DIR}"
BUILD="$(cd "$BUILD" && pwd)"
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="$BUILD/cellclinic"
REPORT_SIZES="${REPORT_SIZES:-10000 100000}"
TMP="$(mktemp -d /tmp/cc-bench-report.XXXXXX)"
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "bench: kept $TMP" >&2; else rm -rf "$TMP"; fi; }
trap cleanup EXIT INT TERM
printf 'bench-Passw0rd-%s\n' "$$" >"$TMP/admin.pw"

# report_size N: a data dir of N generated patients; prints one markdown table row
report_size() {
  local n="$1" dir="$TMP/report-$1"
  local gen cache="${REPORT_CACHE:-}"
  if [ -n "$cache" ] && [ -f "$cache/report-$n.gen" ]; then
    cp -r "$cache/report-$n" "$dir"
    gen="$(cat "$cache/report-$n.gen")"
    echo "copied from $cache: $gen" >&2
  else
    "$BIN" init --data "$dir" --admin-password-file "$TMP/admin.pw" >/dev/null
    gen="$(python3 "$HERE/outcomes_gen.py" "$dir/cellclinic.db" "$n")"
    echo "generated: $gen" >&2
    if [ -n "$cache" ]; then
      mkdir -p "$cache" && rm -rf "$cache/report-$n" && cp -r "$dir" "$cache/report-$n"
      printf '%s\n' "$gen" >"$cache/report-$n.gen"
    fi
  fi
  [ -n "${REPORT_BASELINE:-}" ] && cp -r "$dir" "$dir.baseline"
  python3 - "$BIN" "$dir" "$gen" "${REPORT_BASELINE:-}" "$TMP/baseline.md" <<'EOF'
import filecmp, os, resource, sqlite3, subprocess, sys, time
binary, data, gen, baseline, baseline_table = sys.argv[1:6]
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
def run(protocol, fmt, program=binary, where=data, out="/dev/null"):
    t, c = time.monotonic(), cpu()
    subprocess.run([program, "report", "outcomes", "--data", where, "--protocol", protocol,
                    "--format", fmt, "--out", out], check=True)
    return time.monotonic() - t, cpu() - c
build = run("sci", "json")  # the first report builds the measure series, then the digests
def best(protocol, fmt):
    runs = [run(protocol, fmt) for _ in range(3)]
    return min(w for w, _ in runs), min(c for _, c in runs)
sci, every, csv = best("sci", "json"), best("all", "json"), best("all", "csv")
con = sqlite3.connect(os.path.join(data, "cellclinic.db"))
con.execute("UPDATE derived_data SET built = 0 WHERE name = 'report_digests'")
con.commit()
con.close()
digests = run("sci", "json")
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
words = gen.split()
print("| %s | %s | %.2f (%.2f) | %.2f (%.2f) | %.2f (%.2f) | %.2f (%.2f) | %.2f (%.2f) | %d |" % (
    words[0], words[2], build[0], build[1], digests[0], digests[1], sci[0], sci[1], every[0],
    every[1], csv[0], csv[1], rss))
if not baseline:
    sys.exit(0)
base_data = data + ".baseline"
run("sci", "json", baseline, base_data)  # its first run builds what it needs
kinds = (("sci", "json"), ("all", "json"), ("all", "csv"))
runs = {(k, who): [] for k in kinds for who in ("baseline", "this")}
for _ in range(3):
    for k in kinds:
        for who, program, where in (("baseline", baseline, base_data), ("this", binary, data)):
            runs[(k, who)].append(run(k[0], k[1], program, where, "%s.%s.%s.%s" % (data, who, *k)))
with open(baseline_table, "a") as f:
    for k in kinds:
        b, t = runs[(k, "baseline")], runs[(k, "this")]
        bw, bc = min(w for w, _ in b), min(c for _, c in b)
        tw, tc = min(w for w, _ in t), min(c for _, c in t)
        same = filecmp.cmp("%s.baseline.%s.%s" % (data, *k), "%s.this.%s.%s" % (data, *k), shallow=False)
        f.write("| %s | %s %s | %.2f (%.2f) | %.2f (%.2f) | %.2f | %s |\n" % (
            words[0], k[0], k[1], bw, bc, tw, tc, tw / bw, "yes" if same else "NO"))
EOF
}
echo "| patients | observations | first run (builds series, then digests): wall s (CPU s) | digests made anew, then sci | --protocol sci | --protocol all | all as CSV | max RSS (MiB) |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for n in $REPORT_SIZES; do
  report_size "$n"
done
if [ -n "${REPORT_BASELINE:-}" ]; then
  echo
  echo "Against REPORT_BASELINE ($REPORT_BASELINE), builds alternating, best of 3: wall s (CPU s)"
  echo
  echo "| patients | report | baseline | this | this / baseline (wall) | same bytes |"
  echo "| ---: | --- | ---: | ---: | ---: | --- |"
  cat "$TMP/baseline.md"
fi

