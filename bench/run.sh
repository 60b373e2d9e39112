#!/usr/bin/env bash
# bench/run.sh BUILD_DIR — the server benchmarks (called by `make bench`).
#
# 1. a data dir with 10,000 synthetic patients (cellclinic demo);
# 2. wrk (loopback only, 64 connections, DURATION seconds each) against
#    GET /healthz and GET /api/v1/patients/{id} (bearer token, spread over ids):
#    requests/s, p99 latency and their ratio;
# 3. durable writes: POST /api/v1/patients/{id}/weights per second against a
#    plain C loop of SQLite insert+commit with the same settings (WAL,
#    synchronous=FULL; bench/sqlite_insert_loop.c), and their ratio;
# 4. the server's RSS after the run (from /proc);
# 5. every other bench_* executable in BUILD_DIR/bench;
# 6. the outcome report: bench/report.sh (10,000 and 100,000 generated
#    patients, 20 observations each; one protocol, all, CSV; also runs alone;
#    REPORT_BASELINE=PATH also measures another binary against it);
# 6b. `isncsci classify` streaming against the whole-document jansson path, 1,000 and
#    100,000 generated exams: exams/s and peak RSS (bench/isncsci_stream.sh; also runs alone).
# 7. backup and restore of a BACKUP_GB database under 200 writes/s:
#    bench/backup.sh (also runs alone; BACKUP_GB=0 skips it).
# 7b. PostgreSQL against SQLite in one run: the patient read and the durable
#    weight write on each engine, 1, 2 and 4 server processes on one PostgreSQL
#    database, and the outcome report on both engines (bench/pg.sh; also runs
#    alone; skipped without PostgreSQL's programs).
# 8. server threads: `serve --threads T` for each T in SERVER_THREADS_LIST,
#    GET /healthz and the patient read at each of SERVER_THREADS_CONNECTIONS
#    connections (wrk, DURATION s each), with each figure's ratio to the same
#    workload on the largest T; SERVER_THREADS_BASELINE=PATH measures another
#    cellclinic binary (an earlier build) in the same run, alternating with
#    this one, and adds its column and the ratio of the two.
# 9. reads beside writers (capacity_step; CAPACITY_READERS=0 skips it), durable
#    writes in rounds at 1 and 64 connections (writes_step), and the pages in the
#    browser (bench/web.mjs, as `make bench-web`; WEB=0 skips it).
# Ends with a summary block to paste into bench/RESULTS.md.
#
# Environment: DURATION (default 10), CONNECTIONS (64), THREADS (2, wrk threads),
# PATIENTS (10000), REPORT_SIZES ("10000 100000"), BACKUP_GB (1; 0 skips),
# SERVER_THREADS_LIST ("1 2 4"; empty skips step 8), SERVER_THREADS_CONNECTIONS
# ("64 256"), SERVER_THREADS_BASELINE (unset), ONLY_SERVER_THREADS=1 (runs steps 1
# and 8 alone), ONLY_WRITES=1 (steps 1 and writes_step alone: WRITE_CONNECTIONS
# "1 64", WRITE_ROUNDS 3, WRITES_BASELINE another binary), ONLY_CAPACITY=1
# (steps 1 and capacity_step alone: CAPACITY_READERS 1000 keep-alive readers and
# CAPACITY_WRITERS 64 writers at once, CAPACITY_THREADS server threads (serve's
# default: one per processor),
# CAPACITY_BASELINE another binary, CAPACITY_ROUNDS 1, CAPACITY_PAUSE_MS 0),
# ONLY_PG=1 (step 7b alone; PG_* settings in bench/pg.sh), KEEP=1 keeps the temporary directory.
set -euo pipefail

BUILD="${1:?usage: bench/run.sh BUILD_DIR}"
BUILD="$(cd "$BUILD" && pwd)"
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="$BUILD/cellclinic"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
PATIENTS="${PATIENTS:-10000}"
REPORT_SIZES="${REPORT_SIZES:-10000 100000}"
BACKUP_GB="${BACKUP_GB:-1}"
SERVER_THREADS_LIST="${SERVER_THREADS_LIST-1 2 4}"
SERVER_THREADS_CONNECTIONS="${SERVER_THREADS_CONNECTIONS:-64 256}"
SERVER_THREADS_BASELINE="${SERVER_THREADS_BASELINE:-}"
WRITE_CONNECTIONS="${WRITE_CONNECTIONS:-1 64}"
WRITE_ROUNDS="${WRITE_ROUNDS:-3}"
WRITES_BASELINE="${WRITES_BASELINE:-}"
CAPACITY_READERS="${CAPACITY_READERS:-1000}"
CAPACITY_WRITERS="${CAPACITY_WRITERS:-64}"
CAPACITY_THREADS="${CAPACITY_THREADS:-$(nproc)}"
CAPACITY_BASELINE="${CAPACITY_BASELINE:-}"
CAPACITY_ROUNDS="${CAPACITY_ROUNDS:-1}"
CAPACITY_PAUSE_MS="${CAPACITY_PAUSE_MS:-0}"

[ -x "$BIN" ] || { echo "bench: $BIN not found (build first)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench: wrk not installed (apt-get install wrk)" >&2; exit 1; }

if [ "${ONLY_PG:-0}" = 1 ]; then
  exec "$HERE/pg.sh" "$BUILD"
fi

TMP="$(mktemp -d /tmp/cc-bench.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "bench: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT INT TERM

# serve_threads BIN T [SERVE OPTIONS...]: starts BIN with T threads on PORT
# (SERVER_PID), waits for /healthz
serve_threads() {
  local bin="$1" t="$2"; shift 2
  "$bin" serve --data "$DATA" --listen "127.0.0.1:$PORT" --per-address-connections 0 \
    --threads "$t" --quiet "$@" >>"$TMP/server-threads.log" 2>&1 &
  SERVER_PID=$!
  python3 "$HERE/benchlib.py" wait "$PORT"
}

# wrk_rps C ARGS...: requests/s of one wrk run at C connections
wrk_rps() {
  local c="$1"; shift
  wrk -t"$THREADS" -c"$c" -d"${DURATION}s" --timeout 10s "$@" | awk '/Requests\/sec/ {print $2}'
}

# connections_closed: waits (up to 10 s) until the server has closed every
# connection of the clients gone (none of its sockets left established or
# closed by the client only: close-wait). It counts a connection until its
# polling thread has seen it close (serve --help, --max-connections), and the
# step's limit leaves room for 64 more than its clients: a second set of 1,000
# clients coming within milliseconds of the first would find it full.
connections_closed() {
  for _ in $(seq 100); do
    [ "$(ss -Htn state established state close-wait "( sport = :$PORT )" | wc -l)" -eq 0 ] &&
      return
    sleep 0.1
  done
}

# capacity_step: CAPACITY_READERS keep-alive clients reading patients and
# CAPACITY_WRITERS writing weights at the same time (ONLY_CAPACITY=1):
# requests/s, p99, non-2xx answers and socket errors of each; then the reads
# alone at CAPACITY_READERS connections. CAPACITY_PAUSE_MS > 0: each reader
# pauses that long between an answer and its next request
# (wrk/get_patient_paced.lua). With CAPACITY_BASELINE (another
# cellclinic binary) both builds, turn by turn, CAPACITY_ROUNDS times.
capacity_step() {
  echo "== capacity: ${CAPACITY_READERS} readers (pause ${CAPACITY_PAUSE_MS} ms) and ${CAPACITY_WRITERS} writers at once, ${DURATION}s, ${CAPACITY_ROUNDS} rounds"
  local bins="$BIN" n=0 reader=get_patient.lua
  [ -n "$CAPACITY_BASELINE" ] && bins="$CAPACITY_BASELINE $BIN"
  [ "$CAPACITY_PAUSE_MS" -gt 0 ] && reader=get_patient_paced.lua
  : >"$TMP/cap-runs.txt"
  for round in $(seq "$CAPACITY_ROUNDS"); do
    for b in $bins; do
      which=this; [ "$b" = "$BIN" ] || which=baseline
      n=$((n + 1))
      serve_threads "$b" "$CAPACITY_THREADS" --max-connections $((CAPACITY_READERS + CAPACITY_WRITERS + 64))
      wrk -t2 -c"$CAPACITY_READERS" -d"${DURATION}s" --timeout 10s --latency -s "$HERE/wrk/$reader" \
        "$URL/" -- "$TOKEN" "$TMP/ids" "$CAPACITY_PAUSE_MS" >"$TMP/cap-reads-$n.txt" &
      local readers=$!
      wrk -t1 -c"$CAPACITY_WRITERS" -d"${DURATION}s" --timeout 10s --latency -s "$HERE/wrk/post_weight.lua" \
        "$URL/" -- "$TOKEN" "$TMP/ids" 1 >"$TMP/cap-writes-$n.txt"
      wait "$readers"
      connections_closed
      wrk -t2 -c"$CAPACITY_READERS" -d"${DURATION}s" --timeout 10s --latency -s "$HERE/wrk/$reader" \
        "$URL/" -- "$TOKEN" "$TMP/ids" "$CAPACITY_PAUSE_MS" >"$TMP/cap-alone-$n.txt"
      kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
      printf '%s\t%s\n' "$which" "$n" >>"$TMP/cap-runs.txt"
    done
  done
  python3 - "$HERE" "$TMP" "$CAPACITY_READERS" "$CAPACITY_WRITERS" "$CAPACITY_THREADS" "$CAPACITY_PAUSE_MS" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
from benchlib import wrk_figures
tmp, readers, writers = sys.argv[2], sys.argv[3], sys.argv[4]
print("| build | round | clients | workload | requests/s | p99 ms | requests | non-2xx | socket errors |")
print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |")
rounds = {}
for line in open(tmp + "/cap-runs.txt"):
    which, n = line.split()
    rounds[which] = rounds.get(which, 0) + 1
    for kind, clients, what in (("reads", readers, "GET patient (keep-alive), with the writers"),
                                ("writes", writers, "POST weight, with the readers"),
                                ("alone", readers, "GET patient (keep-alive), alone")):
        f = wrk_figures("%s/cap-%s-%s.txt" % (tmp, kind, n))
        p99 = "%.1f" % f["p99_ms"] if f["p99_ms"] is not None else "NA"
        print("| %s | %d | %s | %s | %.0f | %s | %d | %d | %s |" % (
            which, rounds[which], clients, what, f["rps"], p99, f["total"], f["non2xx"], f["errors"]))
print("server threads: %s; reader pause: %s ms" % (sys.argv[5], sys.argv[6]))
EOF
}

# writes_step: durable writes alone (ONLY_WRITES=1), for group commit.
# POST weights at each of WRITE_CONNECTIONS connections with this build and,
# when WRITES_BASELINE names another cellclinic binary, that one too, turn
# by turn; the plain SQLite insert+commit loop before and after; a table of
# 2xx/s, p99 and the ratios (to the loop, and this / baseline).
writes_step() {
  echo "== durable writes at ${WRITE_CONNECTIONS} connections, ${WRITE_ROUNDS} rounds"
  : >"$TMP/writes.tsv"
  local loop="$BUILD/bench/sqlite_insert_loop" bins="$BIN"
  [ -n "$WRITES_BASELINE" ] && bins="$WRITES_BASELINE $BIN"
  for round in $(seq "$WRITE_ROUNDS"); do
    out="$("$loop" "$TMP/loop-$round.db" "$DURATION")"
    printf 'loop\t0\t%s\t0\n' "$(echo "$out" | sed -n 's/.*inserts_per_s: \([0-9.]*\).*/\1/p')" >>"$TMP/writes.tsv"
    for c in $WRITE_CONNECTIONS; do
      for b in $bins; do
        which=current; [ "$b" = "$BIN" ] || which=baseline
        serve_threads "$b" 2
        local t=$THREADS; [ "$c" -lt "$t" ] && t=$c
        wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 10s --latency -s "$HERE/wrk/post_weight.lua" "$URL/" \
          -- "$TOKEN" "$TMP/ids" "$t" >"$TMP/w.txt"
        kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
        python3 - "$HERE" "$TMP/w.txt" "$which" "$c" >>"$TMP/writes.tsv" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
from benchlib import wrk_figures
f = wrk_figures(sys.argv[2])
print("%s\t%s\t%.1f\t%s" % (sys.argv[3], sys.argv[4], f["ok_rps"], "%.2f" % f["p99_ms"] if f["p99_ms"] is not None else "NA"))
EOF
        tail -1 "$TMP/writes.tsv"
      done
    done
  done
  python3 - "$TMP/writes.tsv" <<'EOF'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
loop = statistics.median(float(r[2]) for r in rows if r[0] == "loop")
base = any(r[0] == "baseline" for r in rows)
print("plain SQLite insert+commit loop (WAL, synchronous=FULL): %.0f/s (median of %d)"
      % (loop, sum(r[0] == "loop" for r in rows)))
head = "| connections | build | writes/s (2xx, median) | p99 ms (median) | / loop |"
rule = "| ---: | --- | ---: | ---: | ---: |"
if base:
    head += " this / baseline |"
    rule += " ---: |"
print(head)
print(rule)
for c in sorted({int(r[1]) for r in rows if r[0] != "loop"}):
    med = {}
    for which in ("baseline", "current"):
        xs = [r for r in rows if r[0] == which and int(r[1]) == c]
        if not xs:
            continue
        rate = statistics.median(float(r[2]) for r in xs)
        p99 = statistics.median(float(r[3]) for r in xs if r[3] != "NA") if xs else float("nan")
        med[which] = rate
        line = "| %d | %s | %.0f | %.1f | %.2f |" % (c, "this" if which == "current" else "baseline", rate, p99, rate / loop)
        if base:
            line += " %s |" % ("%.2f" % (rate / med["baseline"]) if which == "current" and med.get("baseline") else "")
        print(line)
EOF
}

# step 8 (sets THREADS_TABLE); the main server is stopped
server_threads_step() {
  THREADS_TABLE="(skipped: SERVER_THREADS_LIST is empty)"
  [ -n "$SERVER_THREADS_LIST" ] || return 0
  echo "== server threads: ${SERVER_THREADS_LIST} at ${SERVER_THREADS_CONNECTIONS} connections"
  : >"$TMP/threads.tsv"
  BINS="$BIN"
  [ -n "$SERVER_THREADS_BASELINE" ] && BINS="$SERVER_THREADS_BASELINE $BIN"
  for t in $SERVER_THREADS_LIST; do
    for b in $BINS; do
      which=current; [ "$b" = "$BIN" ] || which=baseline
      serve_threads "$b" "$t"
      for c in $SERVER_THREADS_CONNECTIONS; do
        h="$(wrk_rps "$c" "$URL/healthz")"
        p="$(wrk_rps "$c" -s "$HERE/wrk/get_patient.lua" "$URL/" -- "$TOKEN" "$TMP/ids")"
        printf '%s\t%s\t%s\thealthz\t%s\n' "$which" "$t" "$c" "${h:-0}" | tee -a "$TMP/threads.tsv"
        printf '%s\t%s\t%s\tpatient\t%s\n' "$which" "$t" "$c" "${p:-0}" | tee -a "$TMP/threads.tsv"
      done
      kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
    done
  done
  THREADS_TABLE="$(python3 - "$TMP/threads.tsv" "$SERVER_THREADS_LIST" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
rps = {(w, int(t), int(c), k): float(v) for w, t, c, k, v in rows}
top = max(int(t) for t in sys.argv[2].split())
base = any(r[0] == "baseline" for r in rows)
head = "| threads | connections | workload | requests/s | / %d threads |" % top
rule = "| ---: | ---: | --- | ---: | ---: |"
if base:
    head += " baseline requests/s | / %d threads | this / baseline |" % top
    rule += " ---: | ---: | ---: |"
print(head)
print(rule)
def ratio(a, b):
    return "%.2f" % (a / b) if b else "NA"
for t in sorted({k[1] for k in rps}):
    for c in sorted({k[2] for k in rps}):
        for k in ("healthz", "patient"):
            cur = rps.get(("current", t, c, k), 0)
            line = "| %d | %d | %s | %.0f | %s |" % (
                t, c, k, cur, ratio(cur, rps.get(("current", top, c, k), 0)))
            if base:
                b = rps.get(("baseline", t, c, k), 0)
                line += " %.0f | %s | %s |" % (
                    b, ratio(b, rps.get(("baseline", top, c, k), 0)), ratio(cur, b))
            print(line)
EOF
)"
  echo "$THREADS_TABLE"
}

PASSWORD="bench-Passw0rd-$$"
printf '%s\n' "$PASSWORD" >"$TMP/admin.pw"
DATA="$TMP/data"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
URL="http://127.0.0.1:$PORT"

echo "== setup: init + demo --patients $PATIENTS"
"$BIN" init --data "$DATA" --admin-password-file "$TMP/admin.pw" >/dev/null
# the benchmark logs in with a password only
"$BIN" mfa require --data "$DATA" --role admin,physician,qa --required no >/dev/null
t0=$(date +%s.%N)
"$BIN" demo --data "$DATA" --patients "$PATIENTS" --seed 1 >/dev/null
t1=$(date +%s.%N)
DEMO_S=$(python3 -c "print('%.1f' % ($t1 - $t0))")
echo "demo: ${DEMO_S}s"

# wrk is one address with CONNECTIONS sockets: no per-address connection limit.
"$BIN" serve --data "$DATA" --listen "127.0.0.1:$PORT" --per-address-connections 0 \
  >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

# wait for /healthz, create a token, collect patient ids
python3 "$HERE/benchlib.py" session "$PORT" "$PASSWORD" "$TMP"
TOKEN="$(cat "$TMP/token")"

if [ "${ONLY_CAPACITY:-0}" = 1 ]; then
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  capacity_step
  exit 0
fi

if [ "${ONLY_WRITES:-0}" = 1 ]; then
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  writes_step
  exit 0
fi

if [ "${ONLY_SERVER_THREADS:-0}" = 1 ]; then
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  server_threads_step
  exit 0
fi

# run_wrk NAME ARGS... ; sets RPS_<NAME>, P99_<NAME> (ms), N2XX_<NAME>
run_wrk() {
  local name="$1"; shift
  echo "== wrk: $name (${CONNECTIONS} connections, ${DURATION}s)"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency "$@" \
    | tee "$TMP/wrk-$name.txt"
  python3 - "$HERE" "$TMP/wrk-$name.txt" "$name" >>"$TMP/results.sh" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
from benchlib import wrk_figures
f, name = wrk_figures(sys.argv[2]), sys.argv[3]
print("RPS_%s=%s" % (name, f["rps"]))
print("P99_%s=%s" % (name, "%.2f" % f["p99_ms"] if f["p99_ms"] is not None else "NA"))
print("BAD_%s=%d" % (name, f["non2xx"]))
print("OK_RPS_%s=%.1f" % (name, f["ok_rps"]))
print("ERRS_%s=%r" % (name, "Socket errors: " + f["errors"] if f["errors"] != "none" else "none"))
EOF
}

: >"$TMP/results.sh"
run_wrk healthz "$URL/healthz"
run_wrk patient -s "$HERE/wrk/get_patient.lua" "$URL/" -- "$TOKEN" "$TMP/ids"
run_wrk weights -s "$HERE/wrk/post_weight.lua" "$URL/" -- "$TOKEN" "$TMP/ids" "$THREADS"

RSS_KB=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status")
HWM_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status")

# the floor: a plain C loop of insert+commit with WAL + synchronous=FULL, same disk
echo "== sqlite_insert_loop (${DURATION}s)"
LOOP="$BUILD/bench/sqlite_insert_loop"
LOOP_RATE=0
if [ -x "$LOOP" ]; then
  out="$("$LOOP" "$TMP/loop.db" "$DURATION")"
  echo "$out"
  LOOP_RATE="$(echo "$out" | sed -n 's/.*inserts_per_s: \([0-9.]*\).*/\1/p')"
else
  echo "bench: $LOOP not built" >&2
fi

# shellcheck disable=SC1090,SC1091
. "$TMP/results.sh"

kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

server_threads_step

# the figures issue-sized goals name, in the same run: reads beside writers,
# durable writes in rounds at 1 and 64 connections, and pages in the browser
# (progress lines left out of the tables)
tables_only() { grep -E '^(\||plain SQLite|server threads)' || true; }
CAPACITY_TABLE="(skipped: CAPACITY_READERS=0)"
if [ "$CAPACITY_READERS" != 0 ]; then
  CAPACITY_TABLE="$(capacity_step | tables_only)"
  echo "$CAPACITY_TABLE"
fi
WRITES_TABLE="$(writes_step | tables_only)"
echo "$WRITES_TABLE"
WEB_TABLE="(skipped: WEB=0, or node or chromium missing)"
if [ "${WEB:-1}" != 0 ] && command -v node >/dev/null && command -v chromium >/dev/null; then
  echo "== pages in the browser (bench/web.mjs)"
  WEB_TABLE="$(node "$HERE/web.mjs" --binary "$BIN" 2>>"$TMP/web.log" || echo "(bench/web.mjs failed: see its log)")"
  echo "$WEB_TABLE"
fi

OTHER=""
for b in "$BUILD"/bench/bench_*; do
  [ -x "$b" ] && [ -f "$b" ] || continue
  echo "== $(basename "$b")"
  if o="$(timeout 300 "$b" 2>&1)"; then :; else o="$o
(exit status $?)"; fi
  echo "$o"
  OTHER="$OTHER
### $(basename "$b")
\`\`\`
$o
\`\`\`"
done

echo "== outcome report: ${REPORT_SIZES} patients (bench/report.sh)"
REPORT_TABLE="$(REPORT_SIZES="$REPORT_SIZES" "$HERE/report.sh" "$BUILD")"
echo "$REPORT_TABLE"

echo "== isncsci classify, streaming vs whole document (bench/isncsci_stream.sh)"
ISNCSCI_TABLE="$("$HERE/isncsci_stream.sh" "$BUILD")"
echo "$ISNCSCI_TABLE"

BACKUP_TABLE="(skipped: BACKUP_GB=0)"
if [ "$BACKUP_GB" != 0 ]; then
  echo "== backup of a ${BACKUP_GB} GB database under 200 writes/s (bench/backup.sh)"
  BACKUP_TABLE="$("$HERE/backup.sh" "$BUILD" "$BACKUP_GB")"
  echo "$BACKUP_TABLE"
fi

echo "== PostgreSQL against SQLite (bench/pg.sh)"
PG_TABLE="$("$HERE/pg.sh" "$BUILD")"
echo "$PG_TABLE"

ratio() { python3 -c "import sys; a,b=float(sys.argv[1] or 0),float(sys.argv[2] or 0); print('%.2f' % (a/b) if b else 'NA')" "$1" "$2"; }

cat <<EOF

==================== paste into bench/RESULTS.md ====================
## $(date -u +%Y-%m-%d) $(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) cores ($(uname -m))

Setup: ${PATIENTS} synthetic patients (demo: ${DEMO_S}s); wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s, loopback.

| workload | requests/s | p99 latency (ms) | non-2xx |
| --- | ---: | ---: | ---: |
| GET /healthz | ${RPS_healthz} | ${P99_healthz} | ${BAD_healthz} |
| GET /api/v1/patients/{id} (bearer) | ${RPS_patient} | ${P99_patient} | ${BAD_patient} |
| POST /api/v1/patients/{id}/weights (bearer) | ${RPS_weights} (2xx: ${OK_RPS_weights}) | ${P99_weights} | ${BAD_weights} |

- patient read / healthz throughput: $(ratio "$RPS_patient" "$RPS_healthz"); p99 ratio: $(ratio "$P99_patient" "$P99_healthz")
- durable writes: server ${OK_RPS_weights}/s (2xx) vs plain SQLite insert+commit loop ${LOOP_RATE}/s (WAL, synchronous=FULL): ratio $(ratio "$OK_RPS_weights" "$LOOP_RATE")
- server RSS after the run: $((RSS_KB / 1024)) MiB (peak $((HWM_KB / 1024)) MiB)
- socket errors: healthz ${ERRS_healthz}; patient ${ERRS_patient}; weights ${ERRS_weights}

Outcome report (bench/outcomes_gen.py: 20 observations per patient over five programmes;
\`cellclinic report outcomes --out /dev/null\`, seconds, best of 3; the first run builds
the measure series from the stored observations):

${REPORT_TABLE}

\`isncsci classify\` streaming against the whole-document jansson path (bench/isncsci_stream.sh):

${ISNCSCI_TABLE}

Backup under steady writes (bench/backup.sh, ${BACKUP_GB} GB, 200 patient creations/s):

${BACKUP_TABLE}

PostgreSQL against SQLite, same binary, same run (bench/pg.sh):

${PG_TABLE}

Reads beside writers (${CAPACITY_READERS} keep-alive readers and ${CAPACITY_WRITERS} writers at once, ${DURATION}s):

${CAPACITY_TABLE}

Durable writes in rounds (POST weights, ${WRITE_ROUNDS} rounds, medians; the plain loop each round):

${WRITES_TABLE}

Pages in the browser, navigation to usable (bench/web.mjs):

${WEB_TABLE}

Server threads (\`serve --threads T --per-address-connections 0\`; wrk -t${THREADS} -d${DURATION}s;
patient = GET /api/v1/patients/{id} with a bearer token${SERVER_THREADS_BASELINE:+; baseline: $SERVER_THREADS_BASELINE}):

${THREADS_TABLE}
${OTHER}
=====================================================================
EOF
