#!/usr/bin/env python3
"""The audit trail cannot be cut short or rewritten without detection.

Signed checkpoints (DIR/audit-checkpoints.log, Ed25519 key DIR/audit-signing.key
with mode 0600, public keys in DIR/audit-signing.pub) and `cellclinic audit
verify`: truncation (exit 3), a rewrite re-hashed consistently (exit 4), a
missing, cut or forged checkpoint log, or no checkpoint at all where a key has
signed (exit 5), a row changed behind the program's back (exit 6), an
untouched data dir (exit 0).

    python3 tests/api/test_audit_integrity.py --binary build/cellclinic [-v]
"""

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

EVERY = 5
LOG = "audit-checkpoints.log"


def cli(binary, args, timeout=120):
    try:
        return harness.run_cli(binary, args, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, -999, "", "timed out")


def verify(binary, data, *extra):
    return cli(binary, ["audit", "verify", "--data", data] + list(extra))


def log_lines(data):
    with open(os.path.join(data, LOG)) as f:
        return [line.split() for line in f if line.strip()]


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


# The entry hash of src/store/audit.c: SHA-256 over length-prefixed fields
# ("LEN:" and the bytes; "-;" for NULL) of seq, at, user_id (0 when NULL),
# username, action, entity, entity_id, before, after, reason, prev_hash.
def field(v):
    if v is None:
        return b"-;"
    b = str(v).encode("utf-8")
    return str(len(b)).encode() + b":" + b


def entry_hash(row):
    seq, at, user_id, username, action, entity, entity_id, before, after, reason, prev = row
    h = hashlib.sha256()
    for v in (seq, at, user_id or 0, username, action, entity, entity_id, before, after, reason,
              prev):
        h.update(field(v))
    return h.hexdigest()


def rehash_from(query, run, first):
    """Recomputes every hash from entry `first` on, as a forger would; query(sql, params)
    gives rows and run(sql, params) writes, on whatever database is forged."""
    rows = query("SELECT seq, at, user_id, username, action, entity, entity_id, before_json,"
                 " after_json, reason FROM audit_log WHERE seq >= ? ORDER BY seq", (first,))
    prev = query("SELECT hash FROM audit_log WHERE seq = ?", (first - 1,))
    prev = prev[0][0] if prev else "0" * 64
    for r in rows:
        h = entry_hash(tuple(r) + (prev,))
        run("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, h, r[0]))
        prev = h


def tamper(data, sql, args=()):
    harness.location_exec(data, sql, args)


def copy_of(src, tmp, name):
    """A copy of the stopped server's data dir (on PostgreSQL: its directory and a
    copy of its database)."""
    return harness.location_copy(src, os.path.join(tmp, name))


def main():
    args = harness.parse_args()
    b = os.path.abspath(args.binary)
    t = harness.Tally("audit_integrity", verbose=args.verbose)
    tmp = tempfile.mkdtemp(prefix="cc-audittest-")
    try:
        run_all(b, t, tmp, args)
    except harness.CommandError as e:
        t.fail("harness", e)
    finally:
        if args.keep:
            sys.stderr.write("kept %s\n" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return t.finish()


def run_all(b, t, tmp, args):
    srv = harness.Server(b, verbose=args.verbose, keep=args.keep,
                         serve_args=["--checkpoint-every", str(EVERY)])
    try:
        srv.setup()
        data = srv.data
        key = os.path.join(data, "audit-signing.key")
        t.check(os.path.isfile(key) and mode_of(key) == 0o600,
                "init makes the audit signing key with mode 0600",
                oct(mode_of(key)) if os.path.exists(key) else "missing")
        t.check(len(log_lines(data)) == 1, "init writes the first checkpoint", log_lines(data))

        srv.start()
        ids = []
        for i in range(12):
            r = srv.request("POST", "/api/v1/patients",
                            {"family_name": "Audit%02d" % i, "given_names": "Chain",
                             "birth_date": "1970-03-%02d" % (i + 1), "sex": "female",
                             "language": "en"}, role="coordinator")
            if r.status == 201:
                ids.append(r.json["id"])
        t.check(len(ids) == 12, "12 patients created", len(ids))
        entries = srv.db_query("SELECT MAX(seq) FROM audit_log")[0][0]
        lines = log_lines(data)
        covered = max(int(x[2]) for x in lines)
        t.check(entries - covered < EVERY,
                "a running server checkpoints at least every %d entries (%d entries, the newest "
                "checkpoint covers %d)" % (EVERY, entries, covered), lines)
        rc = srv.stop()
        t.check(rc == 0, "the server stops cleanly", rc)
        lines = log_lines(data)
        t.check(int(lines[-1][2]) == entries,
                "a clean stop checkpoints the whole trail (%d entries)" % entries, lines[-1])
        t.check([int(x[1]) for x in lines] == list(range(1, len(lines) + 1)),
                "checkpoints are numbered 1, 2, ... in the log", [x[1] for x in lines])

        r = verify(b, data)
        t.check(r.returncode == 0 and "audit chain intact: %d entries" % entries in r.stdout
                and "checkpoints: %d verified" % len(lines) in r.stdout
                and "tables agree" in r.stdout,
                "audit verify on an untouched data dir exits 0", r.stdout + r.stderr)

        # --- truncation: the newest entries deleted
        d = copy_of(data, tmp, "truncated")
        tamper(d, "DELETE FROM audit_log WHERE seq > ?", (entries - 3,))
        r = verify(b, d, "--no-rows")
        t.check(r.returncode == 3 and ("audit trail truncated: checkpoint %d covers %d entries, "
                                       "the database has %d" % (len(lines), entries, entries - 3))
                in r.stdout,
                "audit verify: the last 3 entries deleted -> exit 3 naming the truncation",
                r.stdout + r.stderr)
        t.check("audit chain intact" in r.stdout,
                "(the cut chain is still consistent: only the checkpoint shows it)", r.stdout)

        # --- rewrite: an entry edited and every later hash recomputed
        d = copy_of(data, tmp, "rehashed")
        victim = entries // 2
        tamper(d, "UPDATE audit_log SET username = 'nobody' WHERE seq = ?", (victim,))
        rehash_from(lambda q, p: harness.location_query(d, q, p),
                    lambda q, p: harness.location_exec(d, q, p), victim)
        r = verify(b, d)
        t.check("audit chain intact" in r.stdout,
                "(the forged chain is consistent: the hash chain alone does not see it)",
                r.stdout)
        t.check(r.returncode == 4 and "audit trail rewritten" in r.stdout,
                "audit verify: entry %d edited and the chain re-hashed -> exit 4 'rewritten'"
                % victim, r.stdout + r.stderr)

        # --- the checkpoint log: a forged signature, a removed line, a missing log
        d = copy_of(data, tmp, "badsig")
        path = os.path.join(d, LOG)
        with open(path) as f:
            text = f.read().rstrip("\n").split("\n")
        last = text[-1].split(" ")
        last[6] = ("0" if last[6][0] != "0" else "1") + last[6][1:]
        text[-1] = " ".join(last)
        with open(path, "w") as f:
            f.write("\n".join(text) + "\n")
        r = verify(b, d)
        t.check(r.returncode == 5 and "signature does not verify" in r.stdout,
                "audit verify: a checkpoint with a tampered signature -> exit 5", r.stdout)

        d = copy_of(data, tmp, "cutlog")
        path = os.path.join(d, LOG)
        with open(path) as f:
            text = f.readlines()
        with open(path, "w") as f:
            f.writelines(text[:-1])
        tamper(d, "DELETE FROM audit_log WHERE seq > ?", (int(text[-2].split()[2]),))
        r = verify(b, d)
        t.check(r.returncode == 5 and "database records checkpoint %d" % len(text) in r.stdout,
                "audit verify: the last checkpoint line removed (and the trail cut to the one "
                "before) -> exit 5 naming the removed checkpoint", r.stdout)

        d = copy_of(data, tmp, "nolog")
        os.unlink(os.path.join(d, LOG))
        r = verify(b, d)
        t.check(r.returncode == 5 and "is missing" in r.stdout,
                "audit verify: the checkpoint log deleted -> exit 5 'missing'", r.stdout)

        # the log and the rows both removed: a directory with a key has signed one
        d = copy_of(data, tmp, "nocheckpoint")
        os.unlink(os.path.join(d, LOG))
        tamper(d, "DELETE FROM audit_checkpoints")
        r = verify(b, d)
        t.check(r.returncode == 5 and "checkpoints missing" in r.stdout,
                "audit verify: the log and every audit_checkpoints row removed -> exit 5 "
                "'checkpoints missing'", r.stdout + r.stderr)
        pub_copy = os.path.join(tmp, "kept-apart.pub")
        shutil.copyfile(os.path.join(d, "audit-signing.pub"), pub_copy)
        os.unlink(os.path.join(d, "audit-signing.pub"))
        r = verify(b, d, "--public-key", pub_copy)
        t.check(r.returncode == 5 and "checkpoints missing" in r.stdout,
                "audit verify --public-key COPY: log, rows and audit-signing.pub removed -> "
                "exit 5 'checkpoints missing'", r.stdout + r.stderr)
        open(os.path.join(d, LOG), "w").close()
        with open(pub_copy) as f, open(os.path.join(d, "audit-signing.pub"), "w") as g:
            g.write(f.read())
        r = verify(b, d)
        t.check(r.returncode == 5 and "checkpoints missing" in r.stdout,
                "audit verify: an empty log and no row -> exit 5 'checkpoints missing'",
                r.stdout + r.stderr)

        d = copy_of(data, tmp, "otherkey")
        other = os.path.join(tmp, "other.pub")
        with open(other, "w") as f:
            f.write("ab" * 32 + "\n")
        r = verify(b, d, "--public-key", other)
        t.check(r.returncode == 5 and "not a trusted audit signing key" in r.stdout,
                "audit verify --public-key: checkpoints signed by another key -> exit 5",
                r.stdout)
        r = verify(b, d, "--public-key", os.path.join(data, "audit-signing.pub"))
        t.check(r.returncode == 0, "audit verify --public-key with the right key exits 0",
                r.stdout)

        # --- a row changed behind the program's back
        d = copy_of(data, tmp, "rowedit")
        tamper(d, "UPDATE patients SET family_name = 'Forged' WHERE id = ?", (ids[3],))
        r = verify(b, d)
        t.check(r.returncode == 6 and re.search(r"row check: patients id %d differs .*family_name"
                                                % ids[3], r.stdout),
                "audit verify: UPDATE patients behind the program's back -> exit 6 naming "
                "patients id %d and the column" % ids[3], r.stdout)
        r = verify(b, d, "--no-rows")
        t.check(r.returncode == 0, "audit verify --no-rows skips the row check", r.stdout)

        d = copy_of(data, tmp, "rowgone")
        # the database refuses to delete a patient (traceability retention): whoever
        # holds the file drops that guard first
        tamper(d, "DROP TRIGGER patients_kept" + (" ON patients" if harness.location_is_pg(d)
                                                  else ""))
        tamper(d, "DELETE FROM patients WHERE id = ?", (ids[5],))
        r = verify(b, d)
        t.check(r.returncode == 6 and "patients id %d is missing" % ids[5] in r.stdout,
                "audit verify: a patient row deleted behind the program's back -> exit 6",
                r.stdout)

        # --- the key: mode, a missing key, a key outside the data dir
        d = copy_of(data, tmp, "keymode")
        os.chmod(os.path.join(d, "audit-signing.key"), 0o644)
        r = cli(b, ["serve", "--data", d, "--listen", "127.0.0.1:%d" % harness.free_port()],
                timeout=20)
        t.check(r.returncode == 2 and "chmod 600" in r.stderr,
                "serve refuses a key file readable by others (exit 2, 'chmod 600')",
                "exit %s %r" % (r.returncode, r.stderr[-300:]))

        d = copy_of(data, tmp, "nokey")
        os.unlink(os.path.join(d, "audit-signing.key"))
        s2 = harness.Server(b, data_dir=d)
        s2.passwords = dict(srv.passwords)
        try:
            s2.start()
            s2.stop()
            log = s2.log_text()
        finally:
            s2.cleanup()
        newkey = os.path.join(d, "audit-signing.key")
        t.check(os.path.isfile(newkey) and mode_of(newkey) == 0o600
                and "created the audit signing key" in log,
                "serve on a data dir without a key makes one (0600) and says so", log[-500:])
        with open(os.path.join(d, "audit-signing.pub")) as f:
            pubs = f.read().split()
        t.check(len(pubs) == 2, "the new public key is added, the old one kept", pubs)
        r = verify(b, d)
        t.check(r.returncode == 0, "checkpoints of the old and the new key verify", r.stdout)

        outside = os.path.join(tmp, "keys", "clinic.key")
        os.makedirs(os.path.dirname(outside))
        d = copy_of(data, tmp, "outside")
        # SQLite keeps the log and the public keys in the data dir wherever the key is;
        # a PostgreSQL database keeps them beside the key: moving the key elsewhere
        # moves them with it
        files = d
        if harness.location_is_pg(d):
            files = os.path.dirname(outside)
            for name in (LOG, "audit-signing.pub"):
                shutil.copyfile(os.path.join(d, name), os.path.join(files, name))
        s3 = harness.Server(b, data_dir=d, serve_args=["--audit-key", outside])
        s3.passwords = dict(srv.passwords)
        try:
            s3.start()
            s3.stop()
        finally:
            s3.cleanup()
        t.check(os.path.isfile(outside) and mode_of(outside) == 0o600,
                "serve --audit-key FILE makes the key there with mode 0600",
                oct(mode_of(outside)) if os.path.exists(outside) else "missing")
        r = verify(b, d, "--checkpoints", files) if files != d else verify(b, d)
        t.check(r.returncode == 0 and log_lines(files)[-1][5] != log_lines(data)[-1][5],
                "checkpoints signed with the --audit-key key verify", r.stdout)

        # --- backup writes a checkpoint
        if harness.location_is_pg(data):
            print("skip (SQLite only): backup signs a checkpoint; backup refuses a PostgreSQL"
                  " database by design (pg_dump or pgBackRest back it up)")
            return
        d = copy_of(data, tmp, "backup")
        before = len(log_lines(d))
        pw = os.path.join(tmp, "nurse.pw")
        with open(pw, "w") as f:
            f.write(harness.PASSWORD + "\n")
        r = cli(b, ["user", "add", "--data", d, "--username", "late", "--role", "nurse",
                    "--password-file", pw])
        t.check(r.returncode == 0, "a user added from the command line", r.stderr)
        r = cli(b, ["backup", "--data", d, "--to", os.path.join(tmp, "b.db")])
        lines = log_lines(d)
        n = harness.location_query(d, "SELECT MAX(seq) FROM audit_log")[0][0]
        t.check(r.returncode == 0 and len(lines) == before + 1 and int(lines[-1][2]) == n,
                "backup signs a checkpoint of the whole trail first", (r.stderr, lines[-1], n))
    finally:
        srv.stop()
        srv.cleanup()


if __name__ == "__main__":
    sys.exit(main())
