#!/usr/bin/env python3
"""Failover: kill the PostgreSQL primary under write load; nothing acknowledged is lost.

Each round, in a new temporary directory (tests/pg/pgcluster.py: initdb and the
servers run as the postgres user when we are root):

 1. node1, the primary (synchronous_commit on, wal_log_hints on), and node2, its
    streaming standby (pg_basebackup -R); then synchronous_standby_names = '*' on
    node1 and node2 must be its synchronous standby before any load, so a write
    the primary acknowledges is flushed on both.
 2. Load: two `cellclinic serve --database URL` processes, URL naming both nodes
    (host=SOCK1,SOCK2&port=P1,P2&target_session_attrs=read-write), and writer
    threads posting patient weights to both servers through the API (bearer token,
    as tests/crash/crash_test.py does); every 2xx is recorded. With --psql-only, no
    cellclinic: the writers run one `psql -c INSERT` each through the same URL and
    record every exit status 0 (this checks the clusters, replication and rewind
    by themselves).
 3. `pg_ctl -m immediate stop` on node1, a pause (--down-seconds, as a failover
    manager's detection time), `pg_ctl promote` on node2.
 4. Checks: every acknowledged write is on node2; writes resume (on each server,
    or each psql writer) within 10 s of the promotion; `cellclinic audit verify
    --database` (node2) exits 0 (the servers sign checkpoints with one
    --audit-key; its public half is given to verify); node1 rejoins as node2's
    standby with pg_rewind, becomes its synchronous standby again, holds every
    acknowledged write and receives a new one.

    python3 tests/pg/failover.py --binary build/cellclinic --rounds 20
    python3 tests/pg/failover.py --psql-only --rounds 3 -v

`make stress-pg` runs 20 rounds (ROUNDS=N to change).
"""

import argparse
import datetime
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "api"))
import pgcluster  # noqa: E402
import harness  # noqa: E402  (Tally, free_port, PASSWORD)

RESUME_LIMIT = 10.0   # seconds from the promotion to the first acknowledged write
DBNAME = "cellclinic"


class Ledger:
    """Acknowledged writes of one round, shared by the writers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acks = []        # (started, finished, channel, key)
        self.failures = 0
        self.unexpected = []  # answers other than 2xx, 503 or a connection error

    def ack(self, started, channel, key):
        with self.lock:
            self.acks.append((started, time.time(), channel, key))

    def keys(self, before=None):
        with self.lock:
            return [k for s, f, c, k in self.acks if before is None or f < before]

    def first_started_after(self, t, channel):
        """Finish time of the first write started after t on channel (None if none)."""
        with self.lock:
            done = [f for s, f, c, k in self.acks if s >= t and c == channel]
        return min(done) if done else None


# ------------------------------------------------------------------ psql writers
class PsqlWriter(threading.Thread):
    def __init__(self, wid, url, ledger, stop):
        super().__init__(daemon=True)
        self.wid, self.url, self.ledger, self.stop = wid, url, ledger, stop
        self.n = 0

    def run(self):
        env = dict(os.environ, PGCONNECT_TIMEOUT="3")
        psql = pgcluster.tool("psql")
        while not self.stop.is_set():
            self.n += 1
            started = time.time()
            try:
                r = subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url,
                                    "-c", "INSERT INTO acks (writer, n) VALUES (%d, %d)"
                                    % (self.wid, self.n)],
                                   capture_output=True, text=True, timeout=15, env=env,
                                   stdin=subprocess.DEVNULL)
                ok = r.returncode == 0
            except subprocess.TimeoutExpired:
                ok = False
            if ok:
                self.ledger.ack(started, "psql%d" % self.wid, (self.wid, self.n))
            else:
                with self.ledger.lock:
                    self.ledger.failures += 1
                time.sleep(0.05)


# ------------------------------------------------------------------ API writers
def http_post(port, path, body, token=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        h = {"Content-Type": "application/json"}
        if token:
            h["Authorization"] = "Bearer " + token
        conn.request("POST", path, body=json.dumps(body), headers=h)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


class ApiWriter(threading.Thread):
    """Creates a patient, then posts its weights on successive days back from today
    (a new patient every 100 weights)."""

    def __init__(self, wid, rnd, server, token, ledger, stop, seed):
        super().__init__(daemon=True)
        self.wid, self.rnd, self.server, self.token = wid, rnd, server, token
        self.ledger, self.stop = ledger, stop
        self.rng = random.Random(seed)
        self.pid = None
        self.k = 0
        self.n = 0
        self.today = datetime.datetime.now(datetime.timezone.utc).date()

    def run(self):
        while not self.stop.is_set():
            self.n += 1
            started = time.time()
            try:
                if self.pid is None or self.k >= 100:
                    st, data = http_post(self.server.port, "/api/v1/patients",
                                         {"family_name": "Bascule%dW%dN%d" % (
                                             self.rnd, self.wid, self.n),
                                          "given_names": "Écrit", "birth_date": "1960-05-17",
                                          "sex": "unknown", "language": "fr",
                                          "confirm_duplicate": True}, self.token)
                    if 200 <= st < 300:
                        self.pid = json.loads(data)["id"]
                        self.k = 0
                        self.ledger.ack(started, self.server.name, ("patient", self.pid))
                        continue
                else:
                    date = (self.today - datetime.timedelta(days=self.k)).isoformat()
                    kg = round(40 + self.rng.randint(0, 800) / 10, 1)
                    st, data = http_post(self.server.port,
                                         "/api/v1/patients/%s/weights" % self.pid,
                                         {"date": date, "kg": kg}, self.token)
                    if 200 <= st < 300:
                        self.k += 1
                        self.ledger.ack(started, self.server.name,
                                        ("weight", self.pid, date, int(round(kg * 1000))))
                        continue
                if st != 503:
                    with self.ledger.lock:
                        self.ledger.unexpected.append((self.server.name, st, data[:200]))
            except (OSError, ValueError, KeyError, http.client.HTTPException):
                pass
            with self.ledger.lock:
                self.ledger.failures += 1
            time.sleep(0.05)


class CcServer:
    def __init__(self, binary, name, url, workdir, audit_key):
        self.binary, self.name, self.url = binary, name, url
        self.port = harness.free_port()
        self.log_path = os.path.join(workdir, name + ".log")
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([binary, "serve", "--database", url, "--listen",
                                      "127.0.0.1:%d" % self.port, "--audit-key", audit_key,
                                      "--checkpoint-every", "50"], cwd=workdir,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise harness.CommandError("%s exited with %s:\n%s" % (
                    name, self.proc.returncode, self.log_text()))
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    c.close()
                    return
                c.close()
            except OSError:
                pass
            time.sleep(0.05)
        raise harness.CommandError("%s does not answer /healthz:\n%s" % (name, self.log_text()))

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-3000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        self.log.close()
        return rc


def cli(binary, args, cwd, timeout=300):
    return subprocess.run([binary] + list(args), capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, stdin=subprocess.DEVNULL)


# ------------------------------------------------------------------ checks
def present_keys(node, psql_only):
    """The recorded keys found on node (through its own socket, whatever its role)."""
    if psql_only:
        return set(node.query(DBNAME, "SELECT writer, n FROM acks"))
    out = {("patient", r[0]) for r in node.query(DBNAME, "SELECT id FROM patients")}
    for pid, d, grams in node.query(DBNAME, "SELECT patient_id, measured_on, grams "
                                    "FROM patient_weights"):
        out.add(("weight", pid, str(d), grams))
    return out


def check_commit_waits(node1, node2, t, rnd):
    """With node2's WAL receiver stopped (SIGSTOP), a commit on node1 is not
    acknowledged; it is once the receiver goes on: acknowledged means on both."""
    rows = node2.psql("postgres", "SELECT pid FROM pg_stat_wal_receiver")
    if not t.check(rows and rows[0][0], "round %d: node2 has a WAL receiver" % rnd, rows):
        return
    pid = int(rows[0][0])
    cmd = [pgcluster.tool("psql"), "-X", "-q", "-d", node1.url("postgres"), "-c",
           "INSERT INTO sync_probe VALUES (%d)" % rnd]
    os.kill(pid, signal.SIGSTOP)
    try:
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        try:
            p.wait(timeout=2)
            waited = False
        except subprocess.TimeoutExpired:
            waited = True
    finally:
        os.kill(pid, signal.SIGCONT)
    try:
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    t.check(waited and p.returncode == 0, "round %d: a commit on the primary waits for the "
            "standby (no answer in 2 s while its WAL receiver is stopped, then exit 0)" % rnd,
            "waited %s, exit %s" % (waited, p.returncode))


def one_round(args, rnd, t, seed):
    rng = random.Random(seed)
    base = pgcluster.make_base(keep=args.keep)
    servers = []
    stop = threading.Event()
    writers = []
    try:
        node1 = pgcluster.Cluster(base=base, name="node1")
        node1.create_database(DBNAME)
        node1.psql("postgres", "CREATE TABLE sync_probe (x INT)")
        work = os.path.join(base, "cellclinic")
        os.makedirs(work)
        if args.psql_only:
            node1.psql(DBNAME, "CREATE TABLE acks (writer INT NOT NULL, n INT NOT NULL, "
                       "at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (writer, n))")
        else:
            pw = os.path.join(work, "pw")
            audit_key = os.path.join(work, "audit-signing.key")
            with open(pw, "w") as f:
                f.write(harness.PASSWORD + "\n")
            url1 = node1.url(DBNAME)
            for argv in (["init", "--database", url1, "--admin-password-file", pw,
                          "--audit-key", audit_key],
                         ["mfa", "require", "--database", url1, "--role",
                          harness.MFA_DEFAULT_ROLES, "--required", "no"],
                         ["user", "add", "--database", url1, "--username", "coordinator1",
                          "--role", "coordinator", "--password-file", pw]):
                r = cli(args.binary, argv, work)
                if not t.check(r.returncode == 0, "round %d: cellclinic %s" % (rnd, argv[0]),
                               "exit %d: %s%s" % (r.returncode, r.stdout[-800:],
                                                  r.stderr[-800:])):
                    return
        # the standby stays asynchronous-capable: after its promotion nobody waits for
        # a standby that is gone (until node1 rejoins)
        node2 = node1.make_standby("node2", settings={"synchronous_standby_names": "''"})
        node1.wait_streaming("node2", timeout=60)
        # from now on a commit on node1 returns once node2 has flushed it
        node1.psql("postgres", "ALTER SYSTEM SET synchronous_standby_names = '*'")
        node1.psql("postgres", "SELECT pg_reload_conf()")
        node1.wait_streaming("node2", sync="sync", timeout=60)
        t.check(True, "round %d: node2 streams from node1 as its synchronous standby" % rnd)
        check_commit_waits(node1, node2, t, rnd)
        multi = pgcluster.multi_host_url([node1, node2], DBNAME,
                                         target_session_attrs="read-write",
                                         connect_timeout="3")
        ledger = Ledger()
        if args.psql_only:
            channels = ["psql%d" % i for i in range(args.writers)]
            writers = [PsqlWriter(i, multi, ledger, stop) for i in range(args.writers)]
        else:
            for name in ("serverA", "serverB"):
                servers.append(CcServer(args.binary, name, multi, work, audit_key))
            st, data = http_post(servers[0].port, "/api/v1/tokens",
                                 {"username": "coordinator1", "password": harness.PASSWORD,
                                  "label": "failover"})
            if not t.check(st in (200, 201), "round %d: a bearer token" % rnd, (st, data)):
                return
            token = json.loads(data)["token"]
            channels = [s.name for s in servers]
            writers = [ApiWriter(i, rnd, servers[i % 2], token, ledger, stop, rng.random())
                       for i in range(args.writers)]
        for w in writers:
            w.start()
        time.sleep(args.load_seconds * rng.uniform(0.5, 1.0))

        # ---- the primary dies
        t_kill = time.time()
        node1.kill_immediate()
        acked_before_kill = ledger.keys(before=t_kill)
        time.sleep(args.down_seconds)
        node2.promote()
        t_promote = time.time()
        # keep writing until every channel has written after the promotion (or 30 s)
        resumed = {}
        deadline = t_promote + 30
        while time.time() < deadline and len(resumed) < len(channels):
            for c in channels:
                if c not in resumed:
                    f = ledger.first_started_after(t_promote, c)
                    if f is not None:
                        resumed[c] = f - t_promote
            time.sleep(0.05)
        time.sleep(args.after_seconds)
        stop.set()
        for w in writers:
            w.join(timeout=30)
        t.check(not any(w.is_alive() for w in writers), "round %d: writers stopped" % rnd)
        acked = ledger.keys()
        print("round %d: %d writes acknowledged before the kill, %d in all, %d refused or "
              "failed; resumed after the promotion in %s" % (
                  rnd, len(acked_before_kill), len(acked), ledger.failures,
                  ", ".join("%s %.2fs" % (c, resumed[c]) if c in resumed else
                            "%s never" % c for c in channels)))
        sys.stdout.flush()
        t.check(len(acked_before_kill) > 0, "round %d: writes were acknowledged before the kill"
                % rnd)
        t.check(not ledger.unexpected, "round %d: no answers other than 2xx and 503" % rnd,
                ledger.unexpected[:5])
        slow = {c: resumed.get(c) for c in channels
                if resumed.get(c) is None or resumed[c] > RESUME_LIMIT}
        t.check(not slow, "round %d: writes resume on every %s within %.0f s of the promotion"
                % (rnd, "psql writer" if args.psql_only else "server", RESUME_LIMIT), slow)

        # ---- nothing acknowledged is lost (read on the promoted node)
        have = present_keys(node2, args.psql_only)
        lost_before = [k for k in acked_before_kill if k not in have]
        lost = [k for k in acked if k not in have]
        t.check(not lost_before, "round %d: all %d writes acknowledged before the kill are on "
                "the promoted standby" % (rnd, len(acked_before_kill)), lost_before[:10])
        t.check(not lost, "round %d: all %d acknowledged writes are on the new primary" %
                (rnd, len(acked)), lost[:10])
        if not args.psql_only:
            r = cli(args.binary, ["audit", "verify", "--database", node2.url(DBNAME),
                                  "--public-key", os.path.join(work, "audit-signing.pub")],
                    work)
            t.check(r.returncode == 0, "round %d: audit verify on the new primary exits 0" % rnd,
                    "exit %d: %s%s" % (r.returncode, r.stdout[-800:], r.stderr[-800:]))

        # ---- the old primary rejoins as a standby (pg_rewind)
        node2.psql("postgres", "CHECKPOINT")  # pg_rewind reads the new timeline from it
        try:
            node1.rewind_from(node2)
            node1.start()
            node2.wait_streaming("node1", timeout=60)
            node2.psql("postgres", "ALTER SYSTEM SET synchronous_standby_names = '*'")
            node2.psql("postgres", "SELECT pg_reload_conf()")
            node2.wait_streaming("node1", sync="sync", timeout=60)
            t.check(True, "round %d: the old primary rejoins with pg_rewind as the synchronous "
                    "standby" % rnd)
        except pgcluster.PgError as e:
            t.fail("round %d: the old primary rejoins with pg_rewind" % rnd,
                   "%s\nnode1 log:\n%s" % (e, node1.log_text(2000)))
            return
        t.check(node1.is_in_recovery(), "round %d: the old primary is read-only now" % rnd)
        # a write after the rejoin, through the multi-host URL, reaches the rejoined node
        if args.psql_only:
            node2.psql(DBNAME, "INSERT INTO acks (writer, n) VALUES (-1, %d)" % rnd)
            probe = (-1, rnd)
        else:
            st, data = http_post(servers[0].port, "/api/v1/patients",
                                 {"family_name": "Rejoint%d" % rnd, "given_names": "Après",
                                  "birth_date": "1970-01-01", "sex": "unknown",
                                  "language": "fr", "confirm_duplicate": True}, token)
            t.check(200 <= st < 300, "round %d: a write through serverA after the rejoin" % rnd,
                    (st, data[:300]))
            probe = ("patient", json.loads(data)["id"]) if 200 <= st < 300 else None
        # synchronous: once acknowledged it is flushed on node1; replayed a moment later
        deadline = time.time() + 15
        on1 = set()
        while time.time() < deadline:
            on1 = present_keys(node1, args.psql_only)
            if probe in on1:
                break
            time.sleep(0.2)
        t.check(probe is not None and probe in on1,
                "round %d: the rejoined node receives a write made after the rejoin" % rnd,
                probe)
        lost1 = [k for k in acked if k not in on1]
        t.check(not lost1, "round %d: the rejoined node holds every acknowledged write" % rnd,
                lost1[:10])
        for s in servers:
            rc = s.stop()
            t.check(rc == 0, "round %d: %s stops cleanly" % (rnd, s.name),
                    "exit %s\n%s" % (rc, s.log_text()))
    except (pgcluster.PgError, harness.CommandError, subprocess.TimeoutExpired, OSError) as e:
        t.fail("round %d: harness" % rnd, e)
    finally:
        stop.set()
        for w in writers:
            w.join(timeout=30)
        for s in servers:
            if s.proc:
                s.stop()
        if args.keep:
            sys.stderr.write("round %d: kept %s\n" % (rnd, base))
        pgcluster.remove_base(base)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--binary", help="cellclinic program (serve --database)")
    g.add_argument("--psql-only", action="store_true",
                   help="no cellclinic: psql writers test the clusters alone")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--writers", type=int, default=6)
    p.add_argument("--load-seconds", type=float, default=3.0,
                   help="write load before the kill (a random part of it)")
    p.add_argument("--down-seconds", type=float, default=1.0,
                   help="from the kill to the promotion")
    p.add_argument("--after-seconds", type=float, default=1.0,
                   help="load kept after every writer resumed")
    p.add_argument("--max-seconds", type=float, default=3600,
                   help="start no new round after this long")
    p.add_argument("--seed", type=int)
    p.add_argument("--keep", action="store_true", help="keep the temp dirs (nodes stopped)")
    p.add_argument("--verbose", "-v", action="store_true")
    args = p.parse_args()
    if args.binary:
        args.binary = os.path.abspath(args.binary)
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    print("failover test: seed %d, %d rounds, %d writers, %s" % (
        seed, args.rounds, args.writers, "psql only" if args.psql_only else args.binary))
    t = harness.Tally("failover", verbose=args.verbose)
    t0 = time.time()
    for rnd in range(1, args.rounds + 1):
        if time.time() - t0 > args.max_seconds:
            print("time budget spent after %d rounds" % (rnd - 1))
            break
        one_round(args, rnd, t, rng.random())
        if args.verbose:
            print("round %d done at %.1fs" % (rnd, time.time() - t0))
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
