#!/usr/bin/env python3
"""Disk full: writes answer 503, reads go on, the server recovers, nothing is lost.

The data dir lives on a small tmpfs (needs root for mount; skipped otherwise).
The free space is filled with a file, writes are attempted until one fails,
then the file is removed and writes must work again. Every write that was
acknowledged must be there; the audit chain and PRAGMA integrity_check must
hold.

On PostgreSQL (CC_TEST_STORE=pg) the file system that fills is the one of
the clinic database's tables and indexes: the tmpfs is a tablespace and
they are moved into it (the cluster's write-ahead log stays on its own
disk, as a database server's usually does). PostgreSQL then refuses to
extend a table (SQLSTATE 53100, disk_full) and the same checks follow, with
amcheck's bt_index_check(heapallindexed) of every index in place of
integrity_check.

    python3 tests/api/test_storage.py --binary build/cellclinic [-v]
"""

import errno
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def fill(path):
    """Writes path until the file system is full; returns bytes written."""
    n = 0
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                n += f.write(chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                if len(chunk) == 1:
                    break
                chunk = chunk[:len(chunk) // 2]
    return n


def main():
    args = harness.parse_args()
    t = harness.Tally("storage", verbose=args.verbose)
    if os.geteuid() != 0:
        print("skipped: mounting a small tmpfs needs root")
        print("0 passed, 0 failed")
        return 0
    srv = harness.Server(args.binary, verbose=args.verbose, keep=args.keep)
    # PostgreSQL: beside the cluster's data, where its server can reach
    mnt = os.path.join(harness.pg_cluster().dir if srv.on_pg else srv.tmp, "mnt")
    os.makedirs(mnt)
    # PostgreSQL: room for the clinic database's tables and indexes (a few MB empty)
    size = "24m" if srv.on_pg else "4m"
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mnt],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print("skipped: cannot mount a tmpfs: %s" % r.stderr.strip())
        print("0 passed, 0 failed")
        srv.cleanup()
        return 0
    try:
        if srv.on_pg:
            srv.setup()
            pg_tablespace_on(srv, mnt)
        else:
            srv.data = os.path.join(mnt, "data")
            srv.db_path = os.path.join(srv.data, "cellclinic.db")
            srv.setup()
        srv.start()
        run(srv, t, mnt)
    except harness.CommandError as e:
        t.fail("harness", e)
    finally:
        srv.stop()
        if srv.on_pg:
            srv.cleanup()  # the database goes, then its tablespace can
            harness.pg_cluster().psql("postgres", "DROP TABLESPACE IF EXISTS %s" % TABLESPACE)
        subprocess.run(["umount", "-l", mnt], capture_output=True)
        srv.cleanup()
    return t.finish()


TABLESPACE = "cc_small_disk"


def pg_tablespace_on(srv, mnt):
    """The clinic database's tables and indexes moved to a tablespace in mnt."""
    import pgcluster
    where = os.path.join(mnt, "tablespace")
    os.makedirs(where)
    ids = pgcluster._owner_ids()
    if ids:  # the database server's user owns a tablespace's directory
        os.chown(where, *ids)
    pg = harness.pg_cluster()
    pg.psql("postgres", "CREATE TABLESPACE %s LOCATION '%s'" % (TABLESPACE, where))
    for kind in ("TABLE", "INDEX"):
        srv.db_exec("ALTER %s ALL IN TABLESPACE pg_default SET TABLESPACE %s" % (kind, TABLESPACE))


def integrity(srv):
    """SQLite: PRAGMA integrity_check; PostgreSQL: the indexes that do not pass
    amcheck's bt_index_check with heapallindexed (every heap row in its indexes)."""
    if not srv.on_pg:
        con = harness.db_connect_ro(srv.db_path)
        try:
            return con.execute("PRAGMA integrity_check").fetchall()
        finally:
            con.close()
    srv.db_exec("CREATE EXTENSION IF NOT EXISTS amcheck")
    bad, checked = [], 0
    for (name,) in srv.db_query("SELECT c.relname FROM pg_index i JOIN pg_class c ON"
                                " c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
                                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                                " WHERE a.amname = 'btree' AND n.nspname = 'public'"):
        try:
            srv.db_query("SELECT bt_index_check(?::regclass, true)", (name,))
            checked += 1
        except harness.DatabaseError as e:
            bad.append((name, str(e)))
    if not checked:
        bad.append(("no index was checked",))
    return bad or [("ok",)]


def run(srv, t, mnt):
    def create(i):
        return srv.request("POST", "/api/v1/patients",
                           {"family_name": "Plein%04d" % i, "given_names": "Disque",
                            "birth_date": "1960-06-06", "sex": "male", "language": "fr",
                            "address": "x" * 300}, role="coordinator")
    r = create(0)
    t.check(r.status == 201, "a write before the disk fills", r)
    pid = r.json["id"] if r.status == 201 else None
    acked = 1 if r.status == 201 else 0
    srv.token("physician")
    filler = os.path.join(mnt, "filler")
    fill(filler)
    failure = None
    statuses = []
    for i in range(1, 3000):
        r = create(i)
        statuses.append(r.status)
        if r.status == 201:
            acked += 1
            continue
        failure = r
        break
    t.check(failure is not None, "with the disk full a write eventually fails",
            "%d writes all succeeded" % len(statuses))
    if failure is not None:
        t.check(failure.status == 503 and harness.is_error_shape(failure),
                "the failed write answers 503 with the error object", failure)
        t.check(all(s in (201, 503) for s in statuses), "only 201 or 503 while filling",
                sorted(set(statuses)))
        # SQLite may free a little space (rolled-back pages, WAL reset), so a later
        # write can succeed; every answer must still be 201 or 503.
        more = [create(9000 + i).status for i in range(5)]
        acked += more.count(201)
        t.check(all(s in (201, 503) for s in more) and 503 in more,
                "further writes answer 503 (or 201 when space was freed)", more)
    t.check(srv.proc.poll() is None, "the server survives the full disk")
    r = srv.request("GET", "/api/v1/patients/%s" % pid, role="physician")
    t.check(r.status == 200, "reads still work with the disk full", r)
    r = srv.request("GET", "/healthz")
    t.check(r.status in (200, 503), "healthz answers with the disk full", r)

    os.unlink(filler)
    ok = None
    for i in range(20):
        r = create(5000 + i)
        if r.status == 201:
            acked += 1
            ok = r
            break
    t.check(ok is not None, "writes work again once space is freed", r)
    r = srv.request("GET", "/api/v1/patients?q=Plein&per_page=1", role="coordinator")
    t.check(r.status == 200 and r.json.get("total") == acked,
            "exactly the acknowledged writes are stored (%d)" % acked, r)
    rc = srv.stop()
    t.check(rc == 0, "graceful stop after the episode", rc)
    r = harness.run_cli(srv.binary, ["audit", "verify", "--data", srv.data])
    t.check(r.returncode == 0, "audit chain intact after the disk-full episode",
            r.stdout + r.stderr)
    ic = integrity(srv)
    t.check(ic == [("ok",)], "%s ok after the disk-full episode" % (
        "amcheck" if srv.on_pg else "PRAGMA integrity_check"), ic)


if __name__ == "__main__":
    sys.exit(main())
