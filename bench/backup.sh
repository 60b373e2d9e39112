#!/usr/bin/env bash
# bench/backup.sh BUILD_DIR [GB] — backup time of a GB-sized database under
# steady writes (called by bench/run.sh when BACKUP_GB is not 0; also runs alone).
#
# 1. a data dir: cellclinic demo (1,000 patients), then its observations copied
#    over and over with INSERT ... SELECT until the file reaches GB (default 1)
#    gigabytes (minutes, where the demo generator would take hours);
# 2. a server on it and a paced writer: WRITES_PER_S (default 200) patient
#    creations per second (durable: each its own transaction and fsync), from
#    WRITERS (default 32) threads;
# 3. `cellclinic backup` timed while the writer runs; the writes the server
#    completed meanwhile; then `cellclinic restore` of it into a new directory
#    (no server; trusting the data directory's audit-signing.pub) and `audit verify
#    --no-rows` there (the chains and checkpoints; the rows check would name the
#    observations step 1 copied without audit entries).
# Prints one table row to paste into bench/RESULTS.md. KEEP=1 keeps the directory.
set -euo pipefail

BUILD="${1:?usage: bench/backup.sh BUILD_DIR [GB]}"
BUILD="$(cd "$BUILD" && pwd)"
GB="${2:-${BACKUP_GB:-1}}"
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="$BUILD/cellclinic"
WRITES_PER_S="${WRITES_PER_S:-200}"
WRITERS="${WRITERS:-32}"
[ -x "$BIN" ] || { echo "bench: $BIN not found (build first)" >&2; exit 1; }

TMP="$(mktemp -d /tmp/cc-bench-backup.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "bench: kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT INT TERM

PASSWORD="bench-Passw0rd-$$"
printf '%s\n' "$PASSWORD" >"$TMP/admin.pw"
DATA="$TMP/data"
"$BIN" init --data "$DATA" --admin-password-file "$TMP/admin.pw" >/dev/null
# the benchmark logs in with a password only
"$BIN" mfa require --data "$DATA" --role admin,physician,qa --required no >/dev/null
"$BIN" demo --data "$DATA" --patients 1000 --seed 1 >/dev/null 2>&1
t0=$(date +%s.%N)
python3 - "$DATA/cellclinic.db" "$GB" <<'EOF' >&2
import os, sqlite3, sys
path, gb = sys.argv[1], float(sys.argv[2])
target = int(gb * 1e9)
con = sqlite3.connect(path)
# rollback journal while growing: new pages are not journaled, nothing is written twice
con.execute("PRAGMA journal_mode=DELETE")
con.execute("PRAGMA synchronous=OFF")
cols = ("patient_id, instrument, instrument_version, observed_on, source, answers, scores, "
        "recorded_at, recorded_by")
while os.path.getsize(path) < target:
    con.execute("INSERT INTO observations (%s) SELECT %s FROM observations LIMIT 500000"
                % (cols, cols))
    con.commit()
con.execute("PRAGMA journal_mode=WAL")
con.close()
print("bench: %.2f GB, %d observations" % (
    os.path.getsize(path) / 1e9,
    sqlite3.connect(path).execute("SELECT count(*) FROM observations").fetchone()[0]))
EOF
t1=$(date +%s.%N)
echo "bench: grew the database in $(python3 -c "print('%.0f' % ($t1 - $t0))") s" >&2

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$BIN" serve --data "$DATA" --listen "127.0.0.1:$PORT" --quiet >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

python3 - "$BIN" "$DATA" "$TMP" "$PORT" "$PASSWORD" "$WRITES_PER_S" "$WRITERS" "$HERE" <<'EOF'
import os, subprocess, sys, threading, time
binary, data, tmp, port, pw = sys.argv[1:6]
rate, writers = float(sys.argv[6]), int(sys.argv[7])
port = int(port)
sys.path.insert(0, sys.argv[8])
from benchlib import admin_token, request

def req(method, path, body=None, token=None):
    return request(port, method, path, body, token, timeout=60)

token = admin_token(port, pw, wait=60)

stop = threading.Event()
done = []  # completion times of 201 answers

def writer(w):
    # each thread keeps its own schedule: rate / writers per second
    period = writers / rate
    next_at = time.time() + w * period / writers
    n = 0
    while not stop.is_set():
        now = time.time()
        if now < next_at:
            time.sleep(next_at - now)
        next_at += period
        n += 1
        try:
            st, _ = req("POST", "/api/v1/patients",
                        {"family_name": "Bench%d-%d" % (w, n), "given_names": "Backup",
                         "birth_date": "1980-01-01", "sex": "other", "language": "en",
                         "confirm_duplicate": True}, token=token)
            if st == 201:
                done.append(time.time())
        except OSError:
            pass

threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
for t in threads:
    t.start()
time.sleep(2)
w0 = time.time()
time.sleep(5)
before = len([x for x in done if x >= w0]) / (time.time() - w0)
out = os.path.join(tmp, "bench.ccbk")
t0 = time.time()
r = subprocess.run([binary, "backup", "--data", data, "--to", out], capture_output=True,
                   text=True)
t1 = time.time()
time.sleep(1)
stop.set()
for t in threads:
    t.join()
if r.returncode != 0:
    sys.exit("bench: backup failed: %s" % r.stderr)
during = [x for x in done if t0 <= x <= t1]
size = os.path.getsize(out)
t2 = time.time()
r2 = subprocess.run([binary, "restore", "--from", out, "--data", os.path.join(tmp, "restored"),
                     "--public-key", os.path.join(data, "audit-signing.pub")],
                    capture_output=True, text=True)
t3 = time.time()
if r2.returncode != 0:
    sys.exit("bench: restore failed: %s" % r2.stderr)
# --no-rows: the observations copied to grow the file have no audit entries
# (written behind the program's back, which the rows check would name)
r3 = subprocess.run([binary, "audit", "verify", "--no-rows", "--data",
                     os.path.join(tmp, "restored")], capture_output=True, text=True)
print("| database | backup (s) | writes/s before it (target) | writes completed during it | "
      "writes/s during it | restore (s) | audit verify --no-rows after restore |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | --- |")
print("| %.2f GB | %.1f | %.0f (%.0f) | %d | %.0f | %.1f | %s |" % (
    size / 1e9, t1 - t0, before, rate, len(during), len(during) / (t1 - t0), t3 - t2,
    "passes" if r3.returncode == 0 else "FAILS: " + r3.stdout.strip()))
EOF
