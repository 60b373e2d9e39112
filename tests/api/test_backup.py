#!/usr/bin/env python3
"""Backup and restore: the drill of docs/operations.md, kills, refusals, encryption.

    python3 tests/api/test_backup.py --binary build/cellclinic [-v]

The drill (docs/operations.md, "Restore drill") is run_drill: a backup while a
server runs and a writer thread makes durable writes, a restore into a new
directory (trusting a copy of the clinic's audit-signing.pub), that directory
served, the data answering, audit verify passing; then a restore into the
server's own directory once it is stopped, audit verify passing there too.
run_checkpoints: backups whose signed checkpoints or trail were tampered with,
or that are signed by a key not trusted, are refused before anything changes.
"""

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_audit_integrity import rehash_from  # noqa: E402
from test_cli import cli, one_line, usage_error  # noqa: E402

PASSPHRASE = "a long backup passphrase"


def listing(d):
    """Names, sizes and content hashes of a directory (the lock file aside)."""
    out = {}
    if not os.path.isdir(d):
        return None
    for n in sorted(os.listdir(d)):
        if n == "cellclinic.lock":
            continue
        with open(os.path.join(d, n), "rb") as f:
            out[n] = hash(f.read())
    return out


def count(db, sql):
    con = harness.db_connect_ro(db)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def add_ballast(db, megabytes):
    """Grows a database with a table of random bytes, so a copy takes a while."""
    con = sqlite3.connect(db, timeout=30)
    con.execute("CREATE TABLE IF NOT EXISTS test_ballast (b BLOB)")
    con.executemany("INSERT INTO test_ballast VALUES (randomblob(65536))",
                    [()] * (megabytes * 16))
    con.commit()
    con.close()


def pub_of(srv):
    """The server's trusted audit public keys (restore into a new directory needs them)."""
    return os.path.join(srv.data, "audit-signing.pub")


def log_lines(d):
    with open(os.path.join(d, "audit-checkpoints.log")) as f:
        return [line.split() for line in f if line.strip()]


def write_file(path, text):
    with open(path, "w") as f:
        f.write(text + "\n")
    return path


def new_patient(srv, n, tag):
    return srv.request("POST", "/api/v1/patients",
                       {"family_name": "%s%d" % (tag, n), "given_names": "Load",
                        "birth_date": "1990-02-03", "sex": "male", "language": "fr",
                        "confirm_duplicate": True}, role="coordinator")


class Writer:
    """A thread making durable writes (patient creations) until stopped."""

    def __init__(self, srv, tag):
        self.srv, self.tag, self.ids = srv, tag, []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        n = 0
        while not self.stop_event.is_set():
            n += 1
            try:
                r = new_patient(self.srv, n, self.tag)
                if r.status == 201:
                    self.ids.append(r.json["id"])
            except OSError:
                pass

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join()


def run_help(t, b, tmp, args):
    for argv in (["backup", "--help"], ["backup", "keygen", "--help"], ["restore", "--help"]):
        r = cli(b, argv)
        t.check(r.returncode == 0 and r.stdout.startswith("usage: cellclinic"),
                "%s prints its usage and exits 0" % " ".join(argv), r.stdout[:200] + r.stderr)
    r = cli(b, ["restore", "--help"])
    t.check("--from FILE --data DIR" in r.stdout and "--passphrase-file" in r.stdout
            and "--secret-key" in r.stdout and "--public-key" in r.stdout
            and "--audit-key" in r.stdout and "--no-checkpoint" in r.stdout
            and "audit-checkpoints.log.before-restore" in r.stdout,
            "restore --help names its options and the checkpoint log it keeps aside", r.stdout)
    r = cli(b, ["backup", "--help"])
    t.check("--audit-key" in r.stdout and "checkpoint" in r.stdout,
            "backup --help names --audit-key and the checkpoint it signs", r.stdout)
    r = cli(b, ["--help"])
    t.check("restore" in r.stdout, "the program's help lists restore", r.stdout)
    d, f = os.path.join(tmp, "nodir"), os.path.join(tmp, "x.db")
    usage_error(t, b, ["restore", "--data", d], "--from", "restore without --from")
    usage_error(t, b, ["restore", "--from", f], "--data", "restore without --data")
    usage_error(t, b, ["restore", "--from", f, "--data", d, "--bogus", "1"], "--bogus",
                "restore with an unknown option")
    pp = write_file(os.path.join(tmp, "pp"), PASSPHRASE)
    usage_error(t, b, ["restore", "--from", f, "--data", d, "--passphrase-file", pp,
                       "--secret-key", pp], "--secret-key", "restore with two keys")
    usage_error(t, b, ["restore", "--from", f, "--data", d, "--passphrase-file",
                       os.path.join(tmp, "missing.pp")], "--passphrase-file",
                "restore with an unreadable passphrase file")
    usage_error(t, b, ["restore", "--from", f, "--data", d, "--secret-key", pp], "--secret-key",
                "restore with a secret key file that is no key")
    usage_error(t, b, ["backup", "--data", d, "--to", f, "--encrypt-passphrase-file", pp,
                       "--encrypt-to", pp], "--encrypt-to", "backup with two keys")
    short = write_file(os.path.join(tmp, "short"), "short")
    usage_error(t, b, ["backup", "--data", d, "--to", f, "--encrypt-passphrase-file", short],
                "--encrypt-passphrase-file", "backup with a passphrase of 5 characters")
    usage_error(t, b, ["backup", "--data", d, "--to", f, "--encrypt-to", pp], "--encrypt-to",
                "backup to a public key file that is no key")
    usage_error(t, b, ["backup", "keygen"], "--out", "backup keygen without --out")
    t.check(not os.path.exists(d), "refused commands created no data directory")


def run_drill(t, b, tmp, args):
    """docs/operations.md, restore drill: every step as the document says."""
    with harness.Server(b, keep=args.keep) as srv:
        first = new_patient(srv, 0, "Drill")
        t.check(first.status == 201, "drill: a patient before the backup", first)
        for _ in range(3):  # reads for the access log the backup carries
            srv.request("GET", "/api/v1/patients/%s" % first.json["id"], role="coordinator")
        time.sleep(0.3)
        add_ballast(srv.db_path, 24)
        bk = os.path.join(tmp, "drill", "clinic.ccbk")
        os.makedirs(os.path.dirname(bk))
        with Writer(srv, "Drill") as w:
            time.sleep(0.3)
            before = len(w.ids)
            t0 = time.time()
            r = cli(b, ["backup", "--data", srv.data, "--to", bk])
            seconds = time.time() - t0
            during = len(w.ids) - before
            time.sleep(0.2)
        t.check(r.returncode == 0 and os.path.isfile(bk),
                "drill: backup under steady writes exits 0 (%.1f s, %d writes meanwhile)"
                % (seconds, during), "exit %s %r" % (r.returncode, r.stderr))
        t.check(during >= 3, "drill: the server kept writing during the backup (%d)" % during)
        t.check(os.listdir(os.path.dirname(bk)) == ["clinic.ccbk"],
                "drill: nothing but the backup in its directory",
                os.listdir(os.path.dirname(bk)))
        if not os.path.isfile(bk):
            return
        t.check(os.stat(bk).st_mode & 0o777 == 0o600, "drill: the backup has mode 0600",
                oct(os.stat(bk).st_mode))
        t.check("audit chain intact" in r.stdout and "signed checkpoint" in r.stdout,
                "drill: backup reports the checked chain and its signed checkpoint", r.stdout)
        signed = [ln for ln in r.stdout.splitlines() if ln.startswith("signed checkpoint")]
        n_backup = count(bk, "SELECT count(*) FROM patients")
        n_access = count(bk, "SELECT COALESCE(SUM(n), 0) FROM access_batches")
        t.check(n_access >= 3 and "access log chain intact: %d rows" % n_access in r.stdout,
                "drill: the backup carries the access log, checked (%d rows)" % n_access,
                r.stdout)
        ids_before = [first.json["id"]] + w.ids[:before]
        rd = os.path.join(tmp, "drill", "restored")
        r = cli(b, ["restore", "--from", bk, "--data", rd])
        t.check(r.returncode == 2 and "--public-key" in r.stderr and not os.path.exists(rd),
                "drill: restore into a new directory without trusted keys: exit 2 naming "
                "--public-key, no directory made", "exit %s %r" % (r.returncode, r.stderr))
        pub_copy = os.path.join(tmp, "drill", "clinic-audit-signing.pub")
        shutil.copyfile(pub_of(srv), pub_copy)
        r = cli(b, ["restore", "--from", bk, "--data", rd, "--public-key", pub_copy])
        t.check(r.returncode == 0, "drill: restore into a new directory exits 0",
                "exit %s %r %r" % (r.returncode, r.stdout, r.stderr))
        t.check(signed and signed[0] in r.stdout,
                "drill: restore names the same signed checkpoint as the backup", (signed, r.stdout))
        t.check("created the audit signing key" in r.stderr
                and os.stat(os.path.join(rd, "audit-signing.key")).st_mode & 0o777 == 0o600,
                "drill: the new directory gets its own signing key (0600), and says so", r.stderr)
        t.check(os.stat(rd).st_mode & 0o777 == 0o700, "drill: the new data directory is 0700",
                oct(os.stat(rd).st_mode))
        t.check("access log: the backup's %d rows restored" % n_access in r.stdout,
                "drill: restore into a new directory says it restored the access log",
                r.stdout)
        r = cli(b, ["audit", "verify", "--data", rd])
        t.check(r.returncode == 0 and "intact" in r.stdout,
                "drill: audit verify passes on the restored directory", r.stdout + r.stderr)
        t.check("access log chain intact: %d rows" % n_access in r.stdout and
                count(os.path.join(rd, "access-log.db"), "SELECT count(*) FROM access_log")
                == n_access and
                count(os.path.join(rd, "cellclinic.db"), "SELECT count(*) FROM sqlite_master"
                      " WHERE name LIKE 'access%'") == 0,
                "drill: the restored directory has the backup's access log in its own file, "
                "none in the clinical database", r.stdout)
        ic = count(os.path.join(rd, "cellclinic.db"), "PRAGMA integrity_check")
        t.check(ic == "ok", "drill: the restored database passes integrity_check", ic)
        rs = harness.Server(b, keep=args.keep, data_dir=rd)
        rs.passwords = dict(srv.passwords)
        try:
            rs.start()
            r = rs.request("GET", "/api/v1/patients?per_page=1", role="admin")
            t.check(r.status == 200 and r.json.get("total") == n_backup,
                    "drill: the restored server lists the backup's %s patients" % n_backup, r)
            missing = [i for i in ids_before
                       if rs.request("GET", "/api/v1/patients/%s" % i,
                                     role="coordinator").status != 200]
            t.check(not missing, "drill: every patient written before the backup answers "
                    "(%d)" % len(ids_before), missing)
            r = rs.request("GET", "/api/v1/audit?per_page=5", role="admin")
            t.check(r.status == 200 and b'"restore"' in r.body,
                    "drill: the audit trail records the restore", r)
        except harness.CommandError as e:
            t.fail("drill: the restored directory can be served", e)
        finally:
            rs.stop()
            rs.cleanup()
        # the same directory, the server stopped: its log covers more than the backup
        srv.stop()
        n_log = len(log_lines(srv.data))
        live_access = os.path.join(srv.data, "access-log.db")
        n_live_access = count(live_access, "SELECT count(*) FROM access_log")
        r = cli(b, ["restore", "--from", bk, "--data", srv.data])
        t.check(r.returncode == 0, "drill: restore into the stopped server's directory exits 0",
                "exit %s %r %r" % (r.returncode, r.stdout, r.stderr))
        t.check(n_live_access >= n_access and
                "the data directory's own is kept (%d rows" % n_live_access in r.stdout and
                count(live_access, "SELECT count(*) FROM access_log") == n_live_access,
                "drill: restore in place keeps the directory's own access log, which goes on "
                "from the backup's", (n_live_access, n_access, r.stdout))
        names = os.listdir(srv.data)
        old_db = [n for n in names if n.startswith("cellclinic.db.before-restore-")]
        old_log = [n for n in names if n.startswith("audit-checkpoints.log.before-restore-")]
        t.check(len(old_db) == 1 and len(old_log) == 1
                and old_log[0].split("before-restore-")[1] == old_db[0].split("before-restore-")[1],
                "drill: the old checkpoint log is kept aside with the old database's time",
                names)
        if old_log:
            with open(os.path.join(srv.data, old_log[0])) as f:
                t.check(len([x for x in f if x.strip()]) == n_log,
                        "drill: the log kept aside is the old log, whole (%d lines)" % n_log)
        con = harness.db_connect_ro(srv.db_path)
        rows = con.execute("SELECT seq, entries, head, at, public_key, signature FROM "
                           "audit_checkpoints ORDER BY seq").fetchall()
        con.close()
        lines = log_lines(srv.data)
        t.check([["v1"] + [str(x) for x in row] for row in rows] == lines,
                "drill: the new log is the restored database's checkpoints, line for line "
                "(%d)" % len(rows), (rows[-2:], lines[-2:]))
        t.check(lines and int(lines[-1][2]) == count(srv.db_path, "SELECT max(seq) FROM audit_log"),
                "drill: the last checkpoint (the restore's) covers the whole restored trail",
                lines[-1:])
        r = cli(b, ["audit", "verify", "--data", srv.data])
        t.check(r.returncode == 0 and "checkpoints: %d verified" % len(lines) in r.stdout,
                "drill: audit verify exits 0 on the directory restored in place",
                r.stdout + r.stderr)


def run_kills(t, b, tmp, args):
    """SIGKILL at random moments never leaves a file at the target name that is not a
    complete backup, and restore refuses every leftover."""
    with harness.Server(b, keep=args.keep) as srv:
        new_patient(srv, 0, "Kill")
        add_ballast(srv.db_path, 32)
        kd = os.path.join(tmp, "kills")
        os.makedirs(kd)
        t0 = time.time()
        r = cli(b, ["backup", "--data", srv.data, "--to", os.path.join(kd, "timing.ccbk")])
        full = time.time() - t0
        t.check(r.returncode == 0, "kills: a backup of the ballasted server (%.2f s)" % full,
                r.stderr)
        rng = random.Random(12)
        leftovers, targets, complete = [], 0, 0
        with Writer(srv, "Kill"):
            for i in range(16):
                target = os.path.join(kd, "k%02d.ccbk" % i)
                p = subprocess.Popen([b, "backup", "--data", srv.data, "--to", target],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(rng.uniform(0, full * 1.1))
                p.send_signal(signal.SIGKILL)
                p.wait()
                if os.path.exists(target):
                    targets += 1
                    r = cli(b, ["restore", "--from", target, "--data",
                                os.path.join(kd, "r%02d" % i), "--public-key", pub_of(srv)])
                    complete += r.returncode == 0
                partial = target + ".partial-%d" % p.pid
                if os.path.exists(partial):
                    leftovers.append(partial)
        t.check(complete == targets,
                "kills: every file at a target name after a kill is a complete backup "
                "(%d of %d)" % (complete, targets))
        t.check(leftovers, "kills: some kills left a temporary file (%d of 16)" % len(leftovers))
        for p in leftovers:
            t.check(os.stat(p).st_mode & 0o777 == 0o600,
                    "kills: a leftover temporary file has mode 0600", oct(os.stat(p).st_mode))
        rd = os.path.join(kd, "leftover-target")
        refused = 0
        for p in leftovers:
            r = cli(b, ["restore", "--from", p, "--data", rd])
            refused += r.returncode == 1 and "did not finish" in r.stderr
        t.check(refused == len(leftovers),
                "kills: restore refuses every leftover temporary file by name (%d)" % refused)
        t.check(not os.path.exists(os.path.join(rd, "cellclinic.db")),
                "kills: refused leftovers put no database in place")


def refuse_case(t, b, src, dst, what, expect, extra=()):
    before = listing(dst)
    r = cli(b, ["restore", "--from", src, "--data", dst] + list(extra))
    t.check(r.returncode == 1 and expect in r.stderr and one_line(r.stderr),
            "restore refuses %s, saying %r" % (what, expect),
            "exit %s %r" % (r.returncode, r.stderr))
    t.check(listing(dst) == before, "restore of %s changed nothing in the data directory"
            % what)


def run_refusals(t, b, tmp, args):
    with harness.Server(b, keep=args.keep) as srv:
        for i in range(3):
            p = new_patient(srv, i, "Keep")
            srv.request("GET", "/api/v1/patients/%s" % p.json["id"], role="coordinator")
        time.sleep(0.3)
        add_ballast(srv.db_path, 2)
        rf = os.path.join(tmp, "refusals")
        os.makedirs(rf)
        good = os.path.join(rf, "good.ccbk")
        r = cli(b, ["backup", "--data", srv.data, "--to", good])
        t.check(r.returncode == 0, "refusals: a good backup", r.stderr)
        r = cli(b, ["backup", "--data", srv.data, "--to", good])
        t.check(r.returncode == 2 and "--to" in r.stderr, "backup refuses an existing --to",
                r.stderr)
        # while the server runs on the directory
        live = srv.data
        refuse_case(t, b, good, live, "while a server runs on the directory", "in use")
        n_live = count(srv.db_path, "SELECT count(*) FROM patients")
        srv.stop()
        # bad files
        edited = tampered_copy(good, os.path.join(rf, "access-edited.ccbk"),
                               "UPDATE access_batches SET rows_json = json_replace(rows_json,"
                               " '$[0][3]', 'someone') WHERE seq = 1")
        refuse_case(t, b, edited, live, "a backup whose access log was edited",
                    "access log chain is broken at row 1")
        text = write_file(os.path.join(rf, "notes.txt"), "not a backup at all")
        refuse_case(t, b, text, live, "a text file", "not a cellclinic backup")
        data = open(good, "rb").read()
        with open(os.path.join(rf, "truncated.ccbk"), "wb") as f:
            f.write(data[:len(data) // 2])
        refuse_case(t, b, os.path.join(rf, "truncated.ccbk"), live, "a truncated backup",
                    "damaged")
        corrupt = bytearray(data)
        page = 4096
        for p in range(2, 12):
            corrupt[p * page:p * page + 16] = b"\xa5" * 16
        with open(os.path.join(rf, "corrupt.ccbk"), "wb") as f:
            f.write(corrupt)
        refuse_case(t, b, os.path.join(rf, "corrupt.ccbk"), live, "a corrupt backup",
                    "damaged")
        raw = os.path.join(rf, "raw-copy.db")
        src = sqlite3.connect(srv.db_path, timeout=30)
        dst = sqlite3.connect(raw)
        src.backup(dst)
        src.close()
        dst.close()
        refuse_case(t, b, raw, live, "a copy not made by cellclinic backup", "no backup mark")
        forged = os.path.join(rf, "forged.ccbk")
        shutil.copyfile(good, forged)
        con = sqlite3.connect(forged)
        con.execute("UPDATE audit_log SET reason = 'rewritten' WHERE seq = "
                    "(SELECT min(seq) FROM audit_log)")
        con.commit()
        con.close()
        refuse_case(t, b, forged, live, "a backup whose audit trail was rewritten",
                    "audit chain is broken")
        newer = os.path.join(rf, "newer.ccbk")
        shutil.copyfile(good, newer)
        con = sqlite3.connect(newer)
        con.execute("INSERT INTO schema_version SELECT max(version) + 1 FROM schema_version")
        con.commit()
        con.close()
        refuse_case(t, b, newer, live, "a backup of a newer schema", "newer cellclinic")
        renamed = os.path.join(rf, "x.ccbk.partial-123")
        shutil.copyfile(good, renamed)
        refuse_case(t, b, renamed, live, "a file named like an unfinished backup",
                    "did not finish")
        # the lock the other way: a server does not start while a restore holds it
        import fcntl
        fd = os.open(os.path.join(live, "cellclinic.lock"), os.O_RDWR)
        fcntl.flock(fd, fcntl.LOCK_EX)
        r = cli(b, ["serve", "--data", live, "--listen", "127.0.0.1:%d" % harness.free_port()],
                timeout=20)
        os.close(fd)
        t.check(r.returncode == 1 and "being restored" in r.stderr,
                "serve refuses to start while a restore holds the directory",
                "exit %s %r" % (r.returncode, r.stderr))
        # the old database has committed transactions only in its WAL (a crash)
        wal_pid = os.fork()
        if wal_pid == 0:
            con = sqlite3.connect(srv.db_path)
            con.execute("PRAGMA wal_autocheckpoint=0")
            con.execute("CREATE TABLE test_only_in_wal (x)")
            con.execute("INSERT INTO test_only_in_wal VALUES ('kept')")
            con.commit()
            os._exit(0)
        os.waitpid(wal_pid, 0)
        t.check(os.path.getsize(srv.db_path + "-wal") > 0,
                "the old database has a WAL with committed transactions")
        r = cli(b, ["restore", "--from", good, "--data", live])
        t.check(r.returncode == 0 and "before-restore-" in r.stdout,
                "restore over a stopped server's directory exits 0 and names the old database",
                "exit %s %r %r" % (r.returncode, r.stdout, r.stderr))
        aside = [n for n in os.listdir(live) if n.startswith("cellclinic.db.before-restore-")]
        t.check(len(aside) == 1 and not aside[0].endswith("-wal"),
                "the replaced database is kept beside it, self-contained", aside)
        if aside:
            got = count(os.path.join(live, aside[0]), "SELECT x FROM test_only_in_wal")
            t.check(got == "kept", "the kept database has the transactions of its old WAL", got)
        n_good = count(good, "SELECT count(*) FROM patients")
        n_restored = count(srv.db_path, "SELECT count(*) FROM patients")
        t.check(n_restored == n_good == n_live,
                "the restored database has the backup's patients (%s)" % n_good,
                "restored %s, backup %s" % (n_restored, n_good))
        t.check(count(srv.db_path, "SELECT count(*) FROM sqlite_master WHERE name = "
                      "'test_only_in_wal'") == 0,
                "no page of the old WAL reached the restored database")
        t.check(count(srv.db_path, "PRAGMA application_id") == 0,
                "the restored database carries no backup mark (a copy of it is no backup)")
        r = cli(b, ["audit", "verify", "--data", live])
        t.check(r.returncode == 0, "audit verify passes after the restore", r.stdout + r.stderr)
        # a WAL left without its database never meets the restored one
        stray = os.path.join(rf, "stray")
        os.makedirs(stray)
        with open(os.path.join(stray, "cellclinic.db-wal"), "wb") as f:
            f.write(b"stray WAL bytes" * 100)
        r = cli(b, ["restore", "--from", good, "--data", stray, "--public-key",
                    os.path.join(live, "audit-signing.pub")])
        kept = [n for n in os.listdir(stray) if n.endswith("-wal")]
        t.check(r.returncode == 0 and len(kept) == 1 and "before-restore-" in kept[0]
                and "replaced" not in r.stdout,
                "a stray WAL without its database is moved aside by the restore",
                (r.returncode, r.stdout, r.stderr, os.listdir(stray)))


def tampered_copy(good, path, *sql):
    shutil.copyfile(good, path)
    con = sqlite3.connect(path)
    for q in sql:
        con.execute(q)
    con.commit()
    con.close()
    return path


def run_checkpoints(t, b, tmp, args):
    """A backup carries signed checkpoints of its trail; restore checks them against the
    trusted keys and the backup's chain before it replaces anything."""
    ck = os.path.join(tmp, "checkpoints")
    os.makedirs(ck)
    with harness.Server(b, keep=args.keep) as other:
        foreign = os.path.join(ck, "foreign.ccbk")
        r = cli(b, ["backup", "--data", other.data, "--to", foreign])
        t.check(r.returncode == 0, "checkpoints: a backup of another clinic", r.stderr)
        foreign_pub = os.path.join(ck, "foreign.pub")
        shutil.copyfile(pub_of(other), foreign_pub)
    with harness.Server(b, keep=args.keep) as srv:
        for i in range(6):
            new_patient(srv, i, "Sign")
        good = os.path.join(ck, "good.ccbk")
        r = cli(b, ["backup", "--data", srv.data, "--to", good])
        t.check(r.returncode == 0, "checkpoints: a good backup", r.stderr)
        entries = count(good, "SELECT max(seq) FROM audit_log")
        newest = count(good, "SELECT max(seq) FROM audit_checkpoints")
        covered = count(good, "SELECT entries FROM audit_checkpoints WHERE seq = %d" % newest)
        sig = count(good, "SELECT signature FROM audit_checkpoints WHERE seq = %d" % newest)
        t.check(covered == entries and len(sig) == 128,
                "checkpoints: the backup's newest checkpoint row, with its signature, covers its "
                "whole trail (%d entries)" % entries, (covered, sig))
        srv.stop()
        live = srv.data
        flipped = ("0" if sig[0] != "0" else "1") + sig[1:]
        cases = [
            ("a backup whose newest checkpoint's signature was changed", "does not verify",
             ["UPDATE audit_checkpoints SET signature = '%s' WHERE seq = %d"
              % (flipped, newest)]),
            ("a backup whose newest checkpoint's head was changed", "does not verify",
             ["UPDATE audit_checkpoints SET head = '%s' WHERE seq = %d" % ("ab" * 32, newest)]),
            ("a backup whose newest checkpoint's entry count was lowered", "does not verify",
             ["UPDATE audit_checkpoints SET entries = entries - 1 WHERE seq = %d" % newest]),
            ("a backup whose trail was cut below its checkpoint", "audit trail is cut",
             ["DELETE FROM audit_log WHERE seq > %d" % (entries - 2)]),
            ("a backup with a malformed checkpoint row", "malformed",
             ["UPDATE audit_checkpoints SET at = 'yesterday' WHERE seq = %d" % newest]),
        ]
        for what, expect, sql in cases:
            path = tampered_copy(good, os.path.join(ck, "case.ccbk"), *sql)
            refuse_case(t, b, path, live, what, expect)
            os.unlink(path)
        # an entry edited and every later hash recomputed: the chain alone looks sound
        path = os.path.join(ck, "rehashed.ccbk")
        shutil.copyfile(good, path)
        con = sqlite3.connect(path)
        con.execute("UPDATE audit_log SET username = 'nobody' WHERE seq = 2")
        rehash_from(lambda q, p: con.execute(q, p).fetchall(), con.execute, 2)
        con.commit()
        con.close()
        refuse_case(t, b, path, live, "a backup whose trail was rewritten and re-hashed",
                    "audit trail was rewritten")
        # keys
        refuse_case(t, b, foreign, live, "a backup signed by a key the directory does not trust",
                    "not a trusted audit signing key")
        nd = os.path.join(ck, "new")
        r = cli(b, ["restore", "--from", good, "--data", nd, "--public-key", foreign_pub])
        t.check(r.returncode == 1 and "not a trusted audit signing key" in r.stderr
                and not os.path.exists(nd),
                "checkpoints: restore with a public key file that does not match: refused, no "
                "directory made", "exit %s %r" % (r.returncode, r.stderr))
        refuse_case(t, b, good, live, "a backup checked against another clinic's public key",
                    "not a trusted audit signing key", ["--public-key", foreign_pub])
        # no checkpoint: an older backup, or its checkpoints removed
        path = tampered_copy(good, os.path.join(ck, "nocheckpoint.ccbk"),
                             "DELETE FROM audit_checkpoints")
        refuse_case(t, b, path, live, "a backup carrying no signed checkpoint", "--no-checkpoint")
        r = cli(b, ["restore", "--from", path, "--data", live, "--no-checkpoint"])
        t.check(r.returncode == 0 and "no signed checkpoint" in r.stdout,
                "checkpoints: restore --no-checkpoint accepts it and says so",
                "exit %s %r %r" % (r.returncode, r.stdout, r.stderr))
        r = cli(b, ["audit", "verify", "--data", live])
        t.check(r.returncode == 0 and "checkpoints: 1 verified" in r.stdout,
                "checkpoints: after it audit verify exits 0 (the restore checkpoint alone)",
                r.stdout + r.stderr)
        # the restored directory's checkpoints end with one of its own key
        r = cli(b, ["restore", "--from", good, "--data", live])
        t.check(r.returncode == 0, "checkpoints: the good backup restores", r.stderr)
        lines = log_lines(live)
        t.check(len(lines) == newest + 1 and int(lines[-1][1]) == newest + 1,
                "checkpoints: the new log holds the backup's %d checkpoints and the restore's"
                % newest, [x[:3] for x in lines])
        r = cli(b, ["audit", "verify", "--data", live])
        t.check(r.returncode == 0, "checkpoints: audit verify exits 0 after the restore",
                r.stdout + r.stderr)
        # a key outside the directory
        r = cli(b, ["backup", "--data", live, "--to", os.path.join(ck, "nokey.ccbk"),
                    "--audit-key", os.path.join(ck, "missing.key")])
        t.check(r.returncode == 1 and "does not exist" in r.stderr
                and not os.path.exists(os.path.join(ck, "nokey.ccbk")),
                "checkpoints: backup --audit-key with a missing key file fails, writes nothing",
                "exit %s %r" % (r.returncode, r.stderr))


def run_encryption(t, b, tmp, args):
    with harness.Server(b, keep=args.keep) as srv:
        p = new_patient(srv, 0, "Secret")
        add_ballast(srv.db_path, 3)  # several 1 MiB chunks
        ed = os.path.join(tmp, "enc")
        os.makedirs(ed)
        pp = write_file(os.path.join(ed, "pp"), PASSPHRASE)
        wrong = write_file(os.path.join(ed, "wrong"), PASSPHRASE + "!")
        bk = os.path.join(ed, "pass.ccbk")
        r = cli(b, ["backup", "--data", srv.data, "--to", bk, "--encrypt-passphrase-file", pp])
        t.check(r.returncode == 0 and "encrypted" in r.stdout,
                "backup --encrypt-passphrase-file exits 0", r.stdout + r.stderr)
        data = open(bk, "rb").read() if os.path.exists(bk) else b""
        t.check(data.startswith(b"CCBACKUP") and b"SQLite format 3" not in data
                and b"Secret0" not in data,
                "the encrypted backup starts with its magic and shows no plaintext")
        t.check(sorted(os.listdir(ed)) == ["pass.ccbk", "pp", "wrong"]
                and not [n for n in os.listdir(srv.data) if ".backup-" in n],
                "no plaintext copy is left beside the backup or in the data directory",
                (os.listdir(ed), os.listdir(srv.data)))
        t.check(os.stat(bk).st_mode & 0o777 == 0o600, "the encrypted backup has mode 0600")
        rd = os.path.join(ed, "restored")
        os.makedirs(rd)
        refuse_case(t, b, bk, rd, "an encrypted backup with a wrong passphrase",
                    "does not decrypt", ["--passphrase-file", wrong])
        tampered = bytearray(data)
        tampered[len(data) // 2] ^= 0x01
        open(os.path.join(ed, "tampered.ccbk"), "wb").write(tampered)
        refuse_case(t, b, os.path.join(ed, "tampered.ccbk"), rd,
                    "an encrypted backup with one byte changed", "altered",
                    ["--passphrase-file", pp])
        open(os.path.join(ed, "cut.ccbk"), "wb").write(data[:len(data) - 100])
        refuse_case(t, b, os.path.join(ed, "cut.ccbk"), rd, "a truncated encrypted backup",
                    "cut", ["--passphrase-file", pp])
        t.check(not [n for n in os.listdir(rd) if n.startswith("cellclinic.db")],
                "refused encrypted backups leave nothing in the data directory", os.listdir(rd))
        r = cli(b, ["restore", "--from", bk, "--data", rd])
        t.check(r.returncode == 2 and "--passphrase-file" in r.stderr,
                "restore of a passphrase backup without a passphrase: exit 2 naming the option",
                r.stderr)
        r = cli(b, ["restore", "--from", bk, "--data", rd, "--passphrase-file", pp,
                    "--public-key", pub_of(srv)])
        t.check(r.returncode == 0, "restore with the right passphrase exits 0", r.stderr)
        n = count(os.path.join(rd, "cellclinic.db"),
                  "SELECT count(*) FROM patients WHERE id = %d" % p.json["id"])
        t.check(n == 1, "the passphrase backup restores the patient")
        # public key
        key = os.path.join(ed, "backup.key")
        r = cli(b, ["backup", "keygen", "--out", key])
        t.check(r.returncode == 0 and os.stat(key).st_mode & 0o777 == 0o600
                and os.path.isfile(key + ".pub"),
                "backup keygen writes a 0600 secret key and a public key", r.stdout + r.stderr)
        r = cli(b, ["backup", "keygen", "--out", key])
        t.check(r.returncode == 2 and "--out" in r.stderr, "keygen refuses an existing file",
                r.stderr)
        other = os.path.join(ed, "other.key")
        cli(b, ["backup", "keygen", "--out", other])
        pk = os.path.join(ed, "pk.ccbk")
        r = cli(b, ["backup", "--data", srv.data, "--to", pk, "--encrypt-to", key + ".pub"])
        t.check(r.returncode == 0, "backup --encrypt-to exits 0", r.stderr)
        rk = os.path.join(ed, "restored-pk")
        refuse_case(t, b, pk, rk, "a public-key backup with another secret key",
                    "secret key does not open it", ["--secret-key", other])
        pkdata = open(pk, "rb").read()
        tampered = bytearray(pkdata)
        tampered[-50] ^= 0x80
        open(os.path.join(ed, "pk-tampered.ccbk"), "wb").write(tampered)
        refuse_case(t, b, os.path.join(ed, "pk-tampered.ccbk"), rk,
                    "a public-key backup with its last chunk changed", "altered",
                    ["--secret-key", key])
        r = cli(b, ["restore", "--from", pk, "--data", rk, "--secret-key", key,
                    "--public-key", pub_of(srv)])
        t.check(r.returncode == 0, "restore with the secret key exits 0", r.stderr)
        r = cli(b, ["audit", "verify", "--data", rk])
        t.check(r.returncode == 0, "audit verify passes on the key-restored directory",
                r.stdout + r.stderr)
        plain = os.path.join(ed, "plain.ccbk")
        cli(b, ["backup", "--data", srv.data, "--to", plain])
        r = cli(b, ["restore", "--from", plain, "--data", rk, "--secret-key", key])
        t.check(r.returncode == 2 and "--secret-key" in r.stderr and "not encrypted" in r.stderr,
                "restore of a plain backup with a key: exit 2 naming the option", r.stderr)


def run_postgresql(t, b, tmp, args):
    """backup and restore refuse a PostgreSQL database by design (pg_dump or pgBackRest
    back it up, docs/operations.md): both exit 2 (the location is refused) naming those tools, write no file and
    leave the database as it was, also when the file to restore is a good backup."""
    sqlite_dir = os.path.join(tmp, "pg-source")
    with harness.Server(b, keep=args.keep, data_dir=sqlite_dir) as src:
        new_patient(src, 0, "Source")
        good = os.path.join(tmp, "pg-good.ccbk")
        r = cli(b, ["backup", "--data", src.data, "--to", good])
        t.check(r.returncode == 0, "postgresql: a good backup of a SQLite data dir", r.stderr)
    with harness.Server(b, keep=args.keep) as srv:
        new_patient(srv, 0, "Kept")
        srv.stop()  # (a clean stop signs a checkpoint: before it, the database would change)
        before = srv.db_checksum()
        out = os.path.join(tmp, "pg.ccbk")
        r = cli(b, ["backup", "--data", srv.data, "--to", out])
        t.check(r.returncode == 2 and "pg_dump" in r.stderr and not os.path.exists(out)
                and not [n for n in os.listdir(tmp) if n.startswith("pg.ccbk")]
                and srv.db_checksum() == before,
                "postgresql: backup refuses the database, names pg_dump, writes nothing",
                (r.returncode, r.stderr))
        r = cli(b, ["restore", "--from", good, "--data", srv.data, "--public-key",
                    os.path.join(sqlite_dir, "audit-signing.pub")])
        t.check(r.returncode == 2 and "pg_dump" in r.stderr and srv.db_checksum() == before,
                "postgresql: restore refuses the database, names pg_dump, changes nothing",
                (r.returncode, r.stderr))


def main():
    args = harness.parse_args()
    b = os.path.abspath(args.binary)
    t = harness.Tally("backup", verbose=args.verbose)
    tmp = tempfile.mkdtemp(prefix="cc-backuptest-")
    parts = (run_help, run_drill, run_kills, run_refusals, run_checkpoints, run_encryption)
    if harness.STORE == "pg":
        print("skip (SQLite only): the backup drill, kills, refusals, checkpoints and"
              " encryption; backup and restore refuse a PostgreSQL database by design"
              " (pg_dump or pgBackRest back it up): run_postgresql proves the refusal")
        parts = (run_help, run_postgresql)
    # each part on its own servers: one part's harness failure does not hide the others
    for part in parts:
        try:
            part(t, b, tmp, args)
        except harness.CommandError as e:
            t.fail("%s: harness" % part.__name__, e)
        harness._kill_all()
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
