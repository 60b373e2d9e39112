#!/usr/bin/env python3
"""CPU per patient read (or creation) on PostgreSQL, builds alternating, and their answers compared.

    python3 bench/pg_cpu.py [--patients N] [--rounds R] [--duration S] [--connections C]
                            [--creates] [--compare] BIN...

One throwaway cluster (tests/pg/pgcluster.py) and one database filled by the
first binary's `demo --patients N --seed 1`. For each round and each binary:
one `cellclinic serve` on that database, wrk -t2 -c64 (-c C) on
GET /api/v1/patients/{id} (bench/wrk/get_patient.lua), and the CPU time
(utime + stime from /proc) of the server and of the cluster's processes
(the postmaster, its children and its children that ended) before and after:
reads/s and milliseconds of CPU per read on each side. The machine's load
average is printed with each run: on a shared machine only the ratios within
one run mean anything. --creates measures POST /api/v1/patients instead
(bench/wrk/post_patient.lua, a new patient each): creations/s and CPU per
creation.

--compare first reads every patient (and a few ids that name none, or no id at
all) through each binary, on PostgreSQL and on SQLite (a data directory with
the same demo), and fails unless every answer (status, headers but Date,
body) is the same byte for byte.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "pg"))
sys.path.insert(0, HERE)
import benchlib  # noqa: E402
import pgcluster  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid, ended=False):
    """utime + stime (and the ended children's, when asked) of pid, in seconds."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if ended:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICK


def children(pid):
    out = []
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/children" % (pid, task)) as f:
                out += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return out


def cluster_cpu(postmaster):
    return cpu_of(postmaster, ended=True) + sum(cpu_of(c) for c in children(postmaster))


def postmaster_pid(cluster):
    with open(os.path.join(cluster.data, "postmaster.pid")) as f:
        return int(f.readline())


class Serve:
    def __init__(self, binary, store, log):
        self.port = benchlib_free_port()
        self.proc = subprocess.Popen(
            [binary, "serve"] + store + ["--listen", "127.0.0.1:%d" % self.port,
                                         "--per-address-connections", "0", "--quiet"],
            stdout=log, stderr=log)
        benchlib.wait_healthz(self.port)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def benchlib_free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def prepare(binary, store, tmp, patients):
    pw = os.path.join(tmp, "admin.pw")
    with open(pw, "w") as f:
        f.write("bench-Passw0rd-%d\n" % os.getpid())
    subprocess.run([binary, "init"] + store + ["--admin-password-file", pw], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([binary, "mfa", "require"] + store + ["--role", "admin,physician,qa",
                                                         "--required", "no"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([binary, "demo"] + store + ["--patients", str(patients), "--seed", "1"],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(tmp, "server.log"), "a") as log:
        s = Serve(binary, store, log)
        try:
            token = benchlib.admin_token(s.port, open(pw).read().strip())
            ids = benchlib.patient_ids(s.port, token)
        finally:
            s.stop()
    return token, ids


# Rows in every list of a patient's answer for --compare (the demo leaves some
# empty): several per patient, ties, NULLs, quotes, backslashes, accents, JSON.
ENRICH = [
    "INSERT INTO patient_medications (patient_id, name, class, dose, start_date, stop_date,"
    " recorded_at) SELECT id, 'Méthotrexate \"MTX\" ' || id, 'dmard',"
    " CASE WHEN id % 3 = 0 THEN '' ELSE '15 mg\\weekly' END, '2024-01-0' || (id % 9 + 1),"
    " CASE WHEN id % 2 = 0 THEN '2024-06-01' END, '2024-01-01T00:00:00Z' FROM patients"
    " WHERE id % 4 <> 0",
    "INSERT INTO patient_medications (patient_id, name, class, dose, start_date, recorded_at)"
    " SELECT id, 'Prednisone', 'steroid', '5 mg', '2023-12-31', '2024-01-01T00:00:00Z'"
    " FROM patients WHERE id % 5 = 0",
    "INSERT INTO patient_allergies (patient_id, substance, reaction, severity, recorded_at)"
    " SELECT id, 'Pénicilline', CASE WHEN id % 2 = 0 THEN 'rash <b>&</b>' ELSE '' END,"
    " 'severe', '2024-01-01T00:00:00Z' FROM patients WHERE id % 3 <> 0",
    "INSERT INTO patient_allergies (patient_id, substance, reaction, severity, recorded_at)"
    " SELECT id, 'Latex', 'urticaire', 'mild', '2024-01-01T00:00:00Z' FROM patients"
    " WHERE id % 6 = 1",
    "INSERT INTO patient_weights (patient_id, measured_on, grams, recorded_at)"
    " SELECT patient_id, measured_on, grams + 1234, recorded_at FROM patient_weights"
    " WHERE patient_id % 5 = 0",
    "UPDATE patient_conditions SET details = '{\"note\": \"é\\\\x\", \"n\": [1, 2.5]}',"
    " onset_date = NULL WHERE id % 2 = 0",
    "UPDATE consultation_requests SET patient_id = (SELECT MIN(id) FROM patients)"
    " + (id * 7) % 250",
]


def enrich(store, tmp):
    if store[0] == "--database":
        for sql in ENRICH:
            subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", store[1], "-c",
                            sql], check=True)
        return
    import sqlite3
    con = sqlite3.connect(os.path.join(store[1], "cellclinic.db"))
    for sql in ENRICH:
        con.execute(sql)
    con.commit()
    con.close()


def answers(binary, store, token, paths, tmp):
    import http.client
    out = []
    with open(os.path.join(tmp, "server.log"), "a") as log:
        s = Serve(binary, store, log)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
            for p in paths:
                conn.request("GET", p, headers={"Authorization": "Bearer " + token})
                r = conn.getresponse()
                body = r.read()
                headers = sorted((k, v) for k, v in r.getheaders() if k.lower() != "date")
                out.append((p, r.status, headers, body))
        finally:
            s.stop()
    return out


def compare(bins, stores, tmp):
    ok = True
    for name, store, token, ids in stores:
        paths = ["/api/v1/patients/%s" % i for i in ids]
        top = max(int(i) for i in ids)
        paths += ["/api/v1/patients/%s" % x for x in
                  (top + 1, top + 1000, 999999999999, 0, "abc", "0%s" % ids[0], "-1")]
        got = [answers(b, store, token, paths, tmp) for b in bins]
        same = sum(1 for i in range(len(paths)) if all(g[i] == got[0][i] for g in got))
        statuses = sorted({a[1] for a in got[0]})
        print("compare %s: %d of %d answers identical across the builds (statuses %s)" %
              (name, same, len(paths), statuses), flush=True)
        lists = ("weights", "conditions", "medications", "allergies", "consultation_requests")
        print("  answers with rows in %s" % ", ".join(
            "%s %d" % (k, sum(1 for a in got[0] if b'"%s":[{' % k.encode() in a[3]))
            for k in lists))
        for i in range(len(paths)):
            if not all(g[i] == got[0][i] for g in got):
                print("  differs: %s\n    %r" % (paths[i], [g[i][1:] for g in got]))
                ok = False
                break
    return ok


def load(binary, store, token, ids_file, duration, tmp, postmaster, connections=64,
         script="get_patient.lua"):
    with open(os.path.join(tmp, "server.log"), "a") as log:
        s = Serve(binary, store, log)
        try:
            out = os.path.join(tmp, "wrk.txt")
            # warm: every polling thread prepares its statements
            nthreads = min(2, connections)
            threads = "-t%d" % nthreads
            conns = "-c%d" % connections
            lua = os.path.join(HERE, "wrk", script)
            extra = [str(nthreads)]  # post_patient.lua: its threads' names never collide
            subprocess.run(["wrk", threads, conns, "-d2s", "-s", lua,
                            "http://127.0.0.1:%d/" % s.port, "--", token, ids_file] + extra,
                           check=True, stdout=subprocess.DEVNULL)
            time.sleep(1)  # post_patient.lua names a run by the second it starts in
            s0, p0 = cpu_of(s.proc.pid), cluster_cpu(postmaster)
            with open(out, "w") as f:
                subprocess.run(["wrk", threads, conns, "-d%ds" % duration, "--timeout", "10s",
                                "--latency", "-s", lua, "http://127.0.0.1:%d/" % s.port, "--",
                                token, ids_file] + extra, check=True, stdout=f)
            s1, p1 = cpu_of(s.proc.pid), cluster_cpu(postmaster)
        finally:
            s.stop()
    fig = benchlib.wrk_figures(out)
    reads = fig["ok_rps"] * duration
    return fig, 1000 * (s1 - s0) / reads, 1000 * (p1 - p0) / reads


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bins", nargs="+")
    ap.add_argument("--patients", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--compare", action="store_true")
    ap.add_argument("--creates", action="store_true",
                    help="POST /api/v1/patients (a new patient each) instead of reads")
    a = ap.parse_args()
    bins = [os.path.abspath(b) for b in a.bins]
    tmp = tempfile.mkdtemp(prefix="cc-pg-cpu.")
    cluster = pgcluster.Cluster(settings={"shared_buffers": "'256MB'"})
    try:
        admin = cluster.url("postgres")
        subprocess.run(["psql", "-X", "-q", "-d", admin, "-c", "CREATE DATABASE cc_cpu"],
                       check=True)
        pg = ["--database", admin.replace("/postgres?", "/cc_cpu?")]
        token, ids = prepare(bins[0], pg, tmp, a.patients)
        if a.compare:
            enrich(pg, tmp)
        ids_file = os.path.join(tmp, "ids")
        with open(ids_file, "w") as f:
            f.write("\n".join(ids) + "\n")
        if a.compare:
            sq = ["--data", os.path.join(tmp, "data")]
            sq_token, sq_ids = prepare(bins[0], sq, tmp, a.patients)
            enrich(sq, tmp)
            if not compare(bins, [("PostgreSQL", pg, token, ids),
                                  ("SQLite", sq, sq_token, sq_ids)], tmp):
                return 1
        postmaster = postmaster_pid(cluster)
        what = "creation" if a.creates else "read"
        script = "post_patient.lua" if a.creates else "get_patient.lua"
        print("| round | build | load avg | %ss/s | p99 ms | server ms/%s | PostgreSQL ms/%s"
              " | total ms/%s | non-2xx |" % (what, what, what, what))
        print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in range(1, a.rounds + 1):
            for b in a.bins:
                fig, srv, pgc = load(os.path.abspath(b), pg, token, ids_file, a.duration, tmp,
                                     postmaster, a.connections, script)
                print("| %d | %s | %.1f | %.0f | %s | %.3f | %.3f | %.3f | %d |" % (
                    r, b, os.getloadavg()[0], fig["ok_rps"], fig["p99_ms"], srv, pgc, srv + pgc,
                    fig["non2xx"]), flush=True)
        return 0
    finally:
        cluster.stop()
        if cluster.own_base:
            pgcluster.remove_base(cluster.base)
        if os.environ.get("KEEP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
