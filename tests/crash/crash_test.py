#!/usr/bin/env python3
"""Kill the server during writes; every acknowledged write must survive.

Each round: concurrent writers (threads with bearer tokens) create patients
and post weights, recording every write the server acknowledged (2xx). At a
random moment the server gets SIGKILL. Then `cellclinic audit verify` must
exit 0, the restarted server must serve every acknowledged write, and
`PRAGMA integrity_check` must answer ok.

On PostgreSQL (CC_TEST_STORE=pg, the harness's throwaway cluster) every other
round kills the database server instead (`pg_ctl -m immediate`, its crash
recovery at the next start) while the writers run, then restarts it and the
cellclinic server; the same checks follow (PostgreSQL has no integrity_check:
its pages are checked as they are read). Loopback only; each round is bounded
(--max-write-seconds of writing, HTTP timeouts of 10 s) and the whole run by
--max-seconds.

    python3 tests/crash/crash_test.py --binary build/cellclinic --rounds 3
"""

import argparse
import datetime
import os
import random
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "api"))
import harness  # noqa: E402


class Ledger:
    """Acknowledged writes, shared by the writer threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.patients = {}   # id -> (family, given, birth)
        self.weights = []    # (patient id, date, kg)
        self.errors = 0
        self.unexpected = []  # non-2xx answers that are not connection errors

    def add_patient(self, pid, fam, given, birth):
        with self.lock:
            self.patients[pid] = (fam, given, birth)

    def add_weight(self, pid, date, kg):
        with self.lock:
            self.weights.append((pid, date, kg))


class Writer(threading.Thread):
    def __init__(self, wid, rnd, port, tokens, ledger, stop, rng_seed, today):
        super().__init__(daemon=True)
        self.wid = wid
        self.rnd = rnd
        self.port = port
        self.tokens = tokens
        self.ledger = ledger
        self.stop = stop
        self.rng = random.Random(rng_seed)
        self.today = today
        self.mine = []          # (pid, next day offset)
        self.n = 0

    def post(self, path, body, role):
        import http.client
        import json
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("POST", path, body=json.dumps(body),
                         headers={"Content-Type": "application/json",
                                  "Authorization": "Bearer " + self.tokens[role]})
            r = conn.getresponse()
            data = r.read()
            return r.status, data
        finally:
            conn.close()

    def run(self):
        import json
        while not self.stop.is_set():
            self.n += 1
            try:
                if not self.mine or self.rng.random() < 0.3:
                    fam = "Crash%dW%dN%d" % (self.rnd, self.wid, self.n)
                    given = "Écrit"
                    birth = "19%02d-%02d-%02d" % (self.rng.randint(30, 99),
                                                  self.rng.randint(1, 12),
                                                  self.rng.randint(1, 28))
                    st, data = self.post("/api/v1/patients",
                                         {"family_name": fam, "given_names": given,
                                          "birth_date": birth, "sex": "unknown",
                                          "language": "fr", "confirm_duplicate": True},
                                         "coordinator")
                    if 200 <= st < 300:
                        pid = json.loads(data)["id"]
                        self.ledger.add_patient(pid, fam, given, birth)
                        self.mine.append([pid, 0])
                    else:
                        self.ledger.unexpected.append((st, data[:200]))
                else:
                    slot = self.rng.choice(self.mine)
                    pid, k = slot
                    slot[1] += 1
                    date = (self.today - datetime.timedelta(days=k)).isoformat()
                    kg = round(40 + self.rng.randint(0, 800) / 10, 1)
                    st, data = self.post("/api/v1/patients/%s/weights" % pid,
                                         {"date": date, "kg": kg}, "nurse")
                    if 200 <= st < 300:
                        self.ledger.add_weight(pid, date, kg)
                    else:
                        self.ledger.unexpected.append((st, data[:200]))
            except (OSError, ValueError, KeyError):
                # connection refused/reset once killed; not acknowledged
                with self.ledger.lock:
                    self.ledger.errors += 1
                if self.stop.is_set():
                    return
                time.sleep(0.01)


def round_new_ids(ledger, n_before):
    """Patient ids added to the ledger since it held n_before[0] patients."""
    ids = list(ledger.patients)
    return set(ids[n_before[0]:])


def bulk_check(srv, ledger):
    """Checks every acknowledged write with SQL, on either store.
    Returns (missing patients, missing weights, patients without audit)."""
    pats = {r[0]: tuple(r[1:]) for r in srv.db_query(
        "SELECT id, family_name, given_names, birth_date FROM patients")}
    weights = {tuple(r) for r in srv.db_query(
        "SELECT patient_id, measured_on, grams FROM patient_weights")}
    audited = {str(r[0]) for r in srv.db_query(
        "SELECT entity_id FROM audit_log WHERE entity='patient' AND action='create'")}
    mp = [(pid, v) for pid, v in ledger.patients.items() if pats.get(pid) != v]
    mw = [(pid, d, kg) for pid, d, kg in ledger.weights
          if (pid, d, int(round(kg * 1000))) not in weights]
    ma = [pid for pid in ledger.patients if str(pid) not in audited]
    return mp, mw, ma


def reconnects(srv, tokens, ledger, today, seconds=10):
    """Whether the server, still running, acknowledges a new patient within seconds
    of the database's return (the acknowledged one joins the ledger)."""
    body = {"family_name": "Reconnect", "given_names": "Élise", "birth_date": "1980-05-06",
            "sex": "female", "language": "fr", "confirm_duplicate": True}
    deadline = time.time() + seconds
    while time.time() < deadline:
        r = srv.request("POST", "/api/v1/patients", body, role=("token", tokens["coordinator"]))
        if r.status == 201:
            ledger.add_patient(r.json["id"], body["family_name"], body["given_names"],
                               body["birth_date"])
            return True
        time.sleep(0.2)
    return False


def integrity(srv):
    """SQLite's integrity check of the file; None on PostgreSQL (none to run)."""
    if srv.db_path is None:
        return None
    con = harness.db_connect_ro(srv.db_path)
    try:
        return con.execute("PRAGMA integrity_check").fetchall()
    finally:
        con.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--writers", type=int, default=8)
    p.add_argument("--max-write-seconds", type=float, default=2.5)
    p.add_argument("--max-seconds", type=float, default=1800,
                   help="stop starting new rounds after this long")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--verbose", "-v", action="store_true")
    args = p.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    print("crash test: seed %d, %d rounds, %d writers" % (seed, args.rounds, args.writers))
    t = harness.Tally("crash", verbose=args.verbose)
    t0 = time.time()
    ledger = Ledger()
    today = datetime.datetime.now(datetime.timezone.utc).date()
    srv = harness.Server(args.binary, keep=args.keep)
    try:
        srv.setup()
        srv.start()
        tokens = {"coordinator": srv.token("coordinator"), "nurse": srv.token("nurse")}
        for rnd in range(1, args.rounds + 1):
            if time.time() - t0 > args.max_seconds:
                print("time budget spent after %d rounds" % (rnd - 1))
                break
            stop = threading.Event()
            ws = [Writer(i, rnd, srv.port, tokens, ledger, stop, rng.random(), today)
                  for i in range(args.writers)]
            n_before = (len(ledger.patients), len(ledger.weights))
            for w in ws:
                w.start()
            time.sleep(rng.uniform(0.05, args.max_write_seconds))
            kill_database = srv.db_path is None and rnd % 2 == 0
            if kill_database:  # the database crashes under the running server
                harness.pg_cluster().kill_immediate()
                stop.set()
                for w in ws:
                    w.join(timeout=15)
                harness.pg_cluster().start()
                t.check(reconnects(srv, tokens, ledger, today),
                        "round %d: the running server writes again once the database is "
                        "back (it reconnects)" % rnd)
            srv.kill()
            stop.set()
            for w in ws:
                w.join(timeout=15)
            t.check(not any(w.is_alive() for w in ws), "round %d: writers stopped" % rnd)
            acked = (len(ledger.patients) - n_before[0], len(ledger.weights) - n_before[1])
            print("round %d: %s killed after %d new patients and %d new weights acknowledged" % (
                rnd, "the database and the server" if kill_database else "the server",
                acked[0], acked[1]))
            # 503: the database went away under a request (storage_unavailable)
            bad = [u for u in ledger.unexpected if u[0] not in (503,)]
            t.check(not bad, "round %d: no unexpected non-2xx answers before the kill" % rnd,
                    bad[:5])
            ledger.unexpected.clear()

            r = srv.cli("audit", "verify", "--data", srv.data, timeout=300)
            t.check(r.returncode == 0 and "audit chain intact" in r.stdout,
                    "round %d: audit verify exits 0 after SIGKILL" % rnd,
                    "exit %s %r %r" % (r.returncode, r.stdout[-300:], r.stderr[-300:]))

            try:
                srv.start()
            except harness.CommandError as e:
                t.fail("round %d: the server restarts after SIGKILL" % rnd, e)
                break
            tokens_ok = srv.request("GET", "/api/v1/session",
                                    role=("token", tokens["nurse"])).status == 200
            t.check(tokens_ok, "round %d: bearer tokens survive the crash" % rnd)

            # every acknowledged write is there: this round's through the API,
            # all rounds' through SQLite in bulk (the API check costs a GET each)
            missing_p, wrong_p, missing_w = [], [], []
            by_pid = {}
            for pid, date, kg in ledger.weights:
                by_pid.setdefault(pid, []).append((date, kg))
            this_round = round_new_ids(ledger, n_before)
            api_pids = set(this_round) | {pid for pid, _, _ in ledger.weights[n_before[1]:]}
            for pid in sorted(api_pids):
                fam, given, birth = ledger.patients[pid]
                r = srv.request("GET", "/api/v1/patients/%s" % pid,
                                role=("token", tokens["coordinator"]))
                if r.status != 200 or not isinstance(r.json, dict):
                    missing_p.append((pid, r.status))
                    continue
                j = r.json
                if (j.get("family_name"), j.get("given_names"), j.get("birth_date")) != \
                        (fam, given, birth):
                    wrong_p.append((pid, j.get("family_name"), fam))
                have = [(w.get("date"), w.get("kg")) for w in j.get("weights") or []]
                for date, kg in by_pid.get(pid, []):
                    if not any(d == date and isinstance(k, (int, float)) and abs(k - kg) < 1e-6
                               for d, k in have):
                        missing_w.append((pid, date, kg))
            t.check(not missing_p, "round %d: this round's acknowledged patients are served" %
                    rnd, missing_p[:10])
            t.check(not wrong_p, "round %d: surviving patients have their data" % rnd,
                    wrong_p[:10])
            t.check(not missing_w, "round %d: this round's acknowledged weights are served" %
                    rnd, missing_w[:10])
            bulk = bulk_check(srv, ledger)
            t.check(not bulk[0], "round %d: all %d acknowledged patients (all rounds) are "
                    "in the database" % (rnd, len(ledger.patients)), bulk[0][:10])
            t.check(not bulk[1], "round %d: all %d acknowledged weights (all rounds) are "
                    "in the database" % (rnd, len(ledger.weights)), bulk[1][:10])
            t.check(not bulk[2], "round %d: every acknowledged patient has its audit entry"
                    % rnd, bulk[2][:10])
            ic = integrity(srv)
            if ic is not None:
                t.check(ic == [("ok",)], "round %d: PRAGMA integrity_check is ok" % rnd, ic)
            if args.verbose:
                print("round %d done at %.1fs" % (rnd, time.time() - t0))
        # a final clean stop and one more verification
        rc = srv.stop()
        t.check(rc == 0, "graceful stop at the end exits 0", rc)
        r = srv.cli("audit", "verify", "--data", srv.data, timeout=300)
        t.check(r.returncode == 0, "final audit verify exits 0", r.stdout + r.stderr)
    except (harness.CommandError, subprocess.TimeoutExpired) as e:
        t.fail("harness", e)
    finally:
        srv.stop(sig=9)
        srv.cleanup()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
