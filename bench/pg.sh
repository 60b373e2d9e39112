#!/usr/bin/env bash
# bench/pg.sh BUILD_DIR — PostgreSQL against SQLite, same binary, same run
# (called by bench/run.sh, i.e. `make bench`; ONLY_PG=1 runs it alone; also runs alone).
#
# A throwaway PostgreSQL cluster (tests/pg/pgcluster.py: fsync and synchronous_commit on,
# shared_buffers PG_SHARED_BUFFERS) on this machine, reached by its unix socket.
# 1. the same data on both engines: `cellclinic demo --patients PG_PATIENTS --seed 1`
#    into a SQLite data dir and into a PostgreSQL database; then, PG_ROUNDS times, engine
#    after engine: GET /api/v1/patients/{id} and the durable POST .../weights, wrk
#    -t THREADS -c CONNECTIONS -d DURATION on 127.0.0.1 (bench/wrk/*.lua), then patient
#    creations (POST /api/v1/patients, a new name each): 2xx/s and p99,
#    medians over the rounds, and PostgreSQL / SQLite;
# 2. PostgreSQL with each count of `cellclinic serve` processes in PG_PROCESSES on the one
#    database (one port each), PG_ROUNDS times: one wrk per process, side by side, each
#    with CONNECTIONS / N connections and one wrk thread: 2xx/s summed, the largest p99;
# 3. the outcome report at each size in PG_REPORT_SIZES (20 observations per patient,
#    bench/outcomes_gen.py into a SQLite file, the same rows copied into PostgreSQL by
#    bench/pg_load.py): `report outcomes --protocol sci`, `--protocol all`, and all as
#    CSV, --out /dev/null, wall seconds, engine after engine, best of 3, and the first
#    run (which builds the measure series and the report digests). REPORT_CACHE=DIR
#    copies the data dirs bench/report.sh keeps there instead of generating them
#    (1,000,000 patients: about twenty minutes to generate, seven to copy into
#    PostgreSQL).
# Prints markdown tables on stdout (progress on stderr); without PostgreSQL's programs
# (initdb, pg_ctl, psql) it says so and exits 0.
#
# Environment: DURATION (10), CONNECTIONS (64), THREADS (2), PG_PATIENTS (2000),
# PG_ROUNDS (2; 0 skips steps 1 and 2), PG_PROCESSES ("1 2 4"), PG_REPORT_SIZES ("100000"; "" skips step 3),
# PG_SHARED_BUFFERS (256MB), KEEP=1 keeps the temporary directory (the cluster goes).
set -euo pipefail

[ -d "${1:-}" ] || { echo "usage: bench/pg.sh BUILD_DIR" >&2; exit 2; }
BIN="$(cd "$1" && pwd)/cellclinic"
HERE="$(cd "$(dirname "$0")" && pwd)"
: "${DURATION:=10}" "${CONNECTIONS:=64}" "${THREADS:=2}" "${PG_PATIENTS:=2000}" "${PG_ROUNDS:=2}"
: "${PG_PROCESSES:=1 2 4}" "${PG_SHARED_BUFFERS:=256MB}"
PG_REPORT_SIZES="${PG_REPORT_SIZES-100000}"
PGLIB="$HERE/../tests/pg"

[ -x "$BIN" ] || { echo "bench: $BIN not found (build first)" >&2; exit 1; }
if ! python3 -c "import sys; sys.path.insert(0, sys.argv[1]); import pgcluster; pgcluster.tool('initdb')" \
  "$PGLIB" >/dev/null 2>&1 || ! command -v psql >/dev/null; then
  echo "(skipped: PostgreSQL server programs or psql not installed)"
  exit 0
fi

TMP="$(mktemp -d /tmp/cc-bench-pg.XXXXXX)"
SERVERS=()
CLUSTER_PID=""
stop_servers() {
  local pid
  for pid in "${SERVERS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SERVERS[@]}"; do wait "$pid" 2>/dev/null || true; done
  SERVERS=()
}
cleanup() {
  stop_servers
  if [ -n "$CLUSTER_PID" ]; then kill -TERM "$CLUSTER_PID" 2>/dev/null || true; wait "$CLUSTER_PID" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "bench: kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT INT TERM

# The cluster lives as long as this holder process; SIGTERM stops it (pgcluster's handler).
python3 - "$PGLIB" "$TMP/admin.url" "$PG_SHARED_BUFFERS" >"$TMP/cluster.log" 2>&1 <<'EOF' &
import os, signal, sys
sys.path.insert(0, sys.argv[1])
import pgcluster
c = pgcluster.Cluster(settings={"shared_buffers": "'%s'" % sys.argv[3]})
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(c.url("postgres"))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
while True:
    signal.pause()
EOF
CLUSTER_PID=$!
for _ in $(seq 600); do [ -s "$TMP/admin.url" ] && break; kill -0 "$CLUSTER_PID" 2>/dev/null || break; sleep 0.1; done
[ -s "$TMP/admin.url" ] || { cat "$TMP/cluster.log" >&2; echo "bench: no PostgreSQL cluster" >&2; exit 1; }
ADMIN_URL="$(cat "$TMP/admin.url")"
PG_VERSION="$(psql -X -At -d "$ADMIN_URL" -c 'SHOW server_version')"

# new_database NAME: an empty database; prints its URL
new_database() {
  psql -X -q -v ON_ERROR_STOP=1 -d "$ADMIN_URL" -c "CREATE DATABASE \"$1\"" >&2
  echo "${ADMIN_URL/\/postgres\?//$1?}"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# serve STORE PORT: one server on STORE ("--data DIR" or "--database URL"), added to SERVERS
serve() {
  # shellcheck disable=SC2086
  "$BIN" serve $1 --listen "127.0.0.1:$2" --per-address-connections 0 --quiet \
    >>"$TMP/server.log" 2>&1 &
  SERVERS+=($!)
  python3 "$HERE/benchlib.py" wait "$2"
}

printf 'bench-Passw0rd-%s\n' "$$" >"$TMP/admin.pw"
PASSWORD="$(cat "$TMP/admin.pw")"

# prepare NAME STORE: init, password-only logins, demo data; token and ids in TMP/NAME
prepare() {
  local t0 t1
  # shellcheck disable=SC2086
  "$BIN" init $2 --admin-password-file "$TMP/admin.pw" >/dev/null
  # shellcheck disable=SC2086
  "$BIN" mfa require $2 --role admin,physician,qa --required no >/dev/null
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$BIN" demo $2 --patients "$PG_PATIENTS" --seed 1 >/dev/null
  t1=$(date +%s.%N)
  echo "$1 $(python3 -c "print('%.1f' % ($t1 - $t0))") s" | tee -a "$TMP/demo.txt" >&2
  mkdir -p "$TMP/$1"
  local port
  port="$(free_port)"
  serve "$2" "$port"
  python3 "$HERE/benchlib.py" session "$port" "$PASSWORD" "$TMP/$1" >&2
  stop_servers
}

if [ "$PG_ROUNDS" -gt 0 ]; then  # steps 1 and 2
SQLITE_STORE="--data $TMP/data"
PG_STORE="--database $(new_database cc_web)"
echo "== pg.sh: PostgreSQL $PG_VERSION; demo --patients $PG_PATIENTS on both engines" >&2
prepare sqlite "$SQLITE_STORE"
prepare pg "$PG_STORE"

# load NAME STORE N RUN: N servers on STORE, one wrk per server (reads, then writes), rows
# "NAME N RUN workload 2xx/s p99 non-2xx errors" into TMP/web.tsv
load() {
  local name="$1" store="$2" n="$3" run="$4" c t port i
  c=$((CONNECTIONS / n)); t=1
  [ "$n" = 1 ] && t="$THREADS"
  local ports=()
  for i in $(seq "$n"); do port="$(free_port)"; serve "$store" "$port"; ports+=("$port"); done
  local token ids
  token="$(cat "$TMP/$name/token")"; ids="$TMP/$name/ids"
  for w in reads writes creates; do
    local script=get_patient.lua extra=() files=() wrks=()
    [ "$w" = writes ] && { script=post_weight.lua; extra=("$t"); }
    [ "$w" = creates ] && { script=post_patient.lua; extra=("$t"); }
    for i in $(seq "$n"); do
      local instance=()  # each wrk's creations are names of its own (post_patient.lua)
      [ "$w" = creates ] && instance=("$i")
      wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 10s --latency -s "$HERE/wrk/$script" \
        "http://127.0.0.1:${ports[$((i - 1))]}/" -- "$token" "$ids" "${extra[@]}" "${instance[@]}" \
        >"$TMP/wrk-$w-$i.txt" &
      wrks+=($!)
      files+=("$TMP/wrk-$w-$i.txt")
    done
    wait "${wrks[@]}"
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$n" "$run" "$w" "$(python3 "$HERE/benchlib.py" sum "${files[@]}")" \
      | tee -a "$TMP/web.tsv" >&2
  done
  stop_servers
}

: >"$TMP/web.tsv"
for round in $(seq "$PG_ROUNDS"); do
  echo "== round $round: one server on each engine, then ${PG_PROCESSES} servers on PostgreSQL" >&2
  load sqlite "$SQLITE_STORE" 1 "$round"
  load pg "$PG_STORE" 1 "$round"
  for n in $PG_PROCESSES; do
    [ "$n" = 1 ] || load pg "$PG_STORE" "$n" "$round"
  done
done

python3 - "$TMP/web.tsv" "$CONNECTIONS" "$THREADS" "$DURATION" "$PG_PATIENTS" "$PG_ROUNDS" <<'EOF'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
conns, threads, dur, patients, rounds = sys.argv[2:7]
def med(name, n, w, col):
    xs = [float(r[col]) for r in rows if r[0] == name and r[1] == str(n) and r[3] == w and r[col] != "NA"]
    return statistics.median(xs) if xs else float("nan")
def bad(name, n, w):
    return sum(int(r[6]) for r in rows if r[0] == name and r[1] == str(n) and r[3] == w)
def errs(name, n, w):
    return "; ".join(sorted({r[7] for r in rows if r[0] == name and r[1] == str(n) and r[3] == w} - {"none"})) or "none"
print("Web, one server each, %s patients from `demo --seed 1` on both engines; wrk -t%s -c%s -d%ss "
      "on 127.0.0.1, median of %s rounds (engine after engine):\n" % (patients, threads, conns, dur, rounds))
print("| workload | SQLite 2xx/s | SQLite p99 ms | PostgreSQL 2xx/s | PostgreSQL p99 ms | PG / SQLite (2xx/s) | non-2xx (SQLite, PG) |")
print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
for w, label in (("reads", "GET /api/v1/patients/{id}"), ("writes", "POST /api/v1/patients/{id}/weights (durable)"),
                 ("creates", "POST /api/v1/patients (durable, a new patient each)")):
    s, p = med("sqlite", 1, w, 4), med("pg", 1, w, 4)
    print("| %s | %.0f | %.1f | %.0f | %.1f | %.2f | %d, %d |" % (
        label, s, med("sqlite", 1, w, 5), p, med("pg", 1, w, 5), p / s, bad("sqlite", 1, w), bad("pg", 1, w)))
ns = sorted({int(r[1]) for r in rows if r[0] == "pg"})
print("\nPostgreSQL, N `cellclinic serve` processes on the one database (one port each, default "
      "--threads); one wrk per process side by side, -t1 -c%d/N each (-t%s -c%s for N = 1); 2xx/s "
      "summed over the processes, p99 the largest of the wrk runs; median of %s rounds:\n" % (int(conns), threads, conns, rounds))
print("| processes | reads 2xx/s | reads p99 ms | / 1 process | writes 2xx/s | writes p99 ms | / 1 process"
      " | creations 2xx/s | creations p99 ms | non-2xx creations | socket errors |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
for n in ns:
    r, w = med("pg", n, "reads", 4), med("pg", n, "writes", 4)
    print("| %d | %.0f | %.1f | %.2f | %.0f | %.1f | %.2f | %.0f | %.1f | %d | %s |" % (
        n, r, med("pg", n, "reads", 5), r / med("pg", 1, "reads", 4), w, med("pg", n, "writes", 5),
        w / med("pg", 1, "writes", 4), med("pg", n, "creates", 4), med("pg", n, "creates", 5),
        bad("pg", n, "creates"), errs("pg", n, "reads") + " / " + errs("pg", n, "writes")))
EOF
echo
echo "\`demo --patients $PG_PATIENTS --seed 1\`: $(paste -sd ';' "$TMP/demo.txt" | sed 's/;/; /')"
fi

[ -n "$PG_REPORT_SIZES" ] || exit 0

# report_size N: N generated patients on both engines; one table row
report_size() {
  local n="$1" dir="$TMP/report-$1" url cache="${REPORT_CACHE:-}"
  if [ -n "$cache" ] && [ -f "$cache/report-$n.gen" ]; then
    cp -r "$cache/report-$n" "$dir"
    echo "copied from $cache: $(cat "$cache/report-$n.gen")" >&2
  else
    "$BIN" init --data "$dir" --admin-password-file "$TMP/admin.pw" >/dev/null
    echo "generated: $(python3 "$HERE/outcomes_gen.py" "$dir/cellclinic.db" "$n")" >&2
  fi
  url="$(new_database "cc_report_$n")"
  "$BIN" init --database "$url" --admin-password-file "$TMP/admin.pw" >/dev/null
  python3 "$HERE/pg_load.py" "$dir/cellclinic.db" "$url" >&2
  python3 - "$BIN" "$dir" "$url" "$n" <<'EOF'
import subprocess, sys, time
binary, data, url, n = sys.argv[1:5]
stores = (("SQLite", ["--data", data]), ("PostgreSQL", ["--database", url]))
def run(store, protocol, fmt):
    t = time.monotonic()
    subprocess.run([binary, "report", "outcomes"] + store + ["--protocol", protocol, "--format", fmt,
                   "--out", "/dev/null"], check=True)
    return time.monotonic() - t
times = {}
for name, store in stores:  # the first report builds the measure series and the digests
    times[(name, "first")] = [run(store, "sci", "json")]
for _ in range(3):
    for what in (("sci", "json"), ("all", "json"), ("all", "csv")):
        for name, store in stores:
            times.setdefault((name, what), []).append(run(store, *what))
for name, _ in stores:
    cells = [min(times[(name, k)]) for k in ("first", ("sci", "json"), ("all", "json"), ("all", "csv"))]
    print("| %s | %s | %s |" % (n, name, " | ".join("%.2f" % c for c in cells)), flush=True)
pg = [min(times[("PostgreSQL", k)]) / min(times[("SQLite", k)])
      for k in ("first", ("sci", "json"), ("all", "json"), ("all", "csv"))]
print("| %s | PG / SQLite | %s |" % (n, " | ".join("%.2f" % c for c in pg)))
EOF
  psql -X -q -d "$ADMIN_URL" -c "DROP DATABASE \"cc_report_$n\" WITH (FORCE)" >&2
  rm -rf "$dir"
}

echo
echo "Outcome report (\`report outcomes --out /dev/null\`; bench/outcomes_gen.py, 20 observations"
echo "per patient; PostgreSQL loaded with the same rows by bench/pg_load.py, then ANALYZE); wall"
echo "seconds, best of 3, engine after engine:"
echo
echo "| patients | engine | first run (builds series, then digests) | --protocol sci | --protocol all | all as CSV |"
echo "| ---: | --- | ---: | ---: | ---: | ---: |"
for n in $PG_REPORT_SIZES; do
  report_size "$n"
done
