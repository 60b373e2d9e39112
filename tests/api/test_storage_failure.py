"""Disk full and read-only data directory: 503 with a clear error, nothing
half-written, and service resumes when space or write access returns.

Needs root to mount a small tmpfs (as CI runs); without it the test says
it skipped and why.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

PATIENT = {"family_name": "Plein", "given_names": "Disque", "birth_date": "1980-01-01",
           "sex": "female", "language": "fr"}


def sh(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def fill(path):
    """Writes zeros until the file system refuses, in shrinking pieces so the
    last partial block is taken too."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for size in (1 << 16, 4096, 512, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError:
                    break
    finally:
        os.close(fd)


def main():
    args = harness.parse_args()
    t = harness.Tally("storage failure")
    if harness.STORE == "pg":
        print("skipped (SQLite only): this test fills and write-protects the file system of the"
              " data directory, where SQLite keeps the database; a PostgreSQL database lives"
              " in the cluster's own files, which cellclinic neither places nor manages")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    mnt = tempfile.mkdtemp(prefix="cc-tmpfs-")
    r = sh("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mnt)
    if r.returncode != 0:
        print("skipped: cannot mount a tmpfs here (%s)" % r.stderr.strip())
        print("0 passed, 0 failed, 1 skipped")
        return 0
    try:
        data = os.path.join(mnt, "data")
        with harness.Server(args.binary, verbose=args.verbose, data_dir=data,
                            roles=["admin", "coordinator"]) as srv:
            r = srv.request("POST", "/api/v1/patients", PATIENT, role="coordinator")
            t.check(r.status == 201, "a patient is created while there is space", r)
            pid = (r.json or {}).get("id")
            before = srv.db_checksum()

            # --- disk full
            # A failed write makes the server reopen its connection, and the
            # checkpoint on close may free WAL pages: fill again before each try.
            filler = os.path.join(mnt, "filler")
            for i in range(3):
                fill(filler)
                body = dict(PATIENT, given_names="Disque %d" % i)
                r = srv.request("POST", "/api/v1/patients", body, role="coordinator")
                t.check(r.status == 503, "disk full: create answers 503", r)
                e = r.error() or {}
                t.check(e.get("code") == "storage_unavailable", "disk full: the code says so", r)
                t.check("database" in (e.get("detail") or ""), "disk full: the detail says what failed", r)
            fill(filler)
            r = srv.request("POST", "/api/v1/patients/%s/weights" % pid,
                            {"date": "2026-01-02", "kg": 60}, role="coordinator")
            t.check(r.status == 503, "disk full: weight answers 503", r)
            os.remove(filler)
            t.check(srv.db_checksum() == before, "disk full: the database is unchanged")
            r = srv.request("POST", "/api/v1/patients", dict(PATIENT, given_names="Retour"),
                            role="coordinator")
            t.check(r.status == 201, "space back: writes work again", r)

            # --- read-only data directory (fresh connections meet a read-only mount)
            tok = ("token", srv.token("coordinator"))  # made while the directory is writable
            srv.stop()  # so that no connection is open when the mount turns read-only
            before = srv.db_checksum()
            srv.start()
            ro = sh("mount", "--bind", "-o", "ro", data, data)
            if ro.returncode == 0:
                sh("mount", "-o", "remount,bind,ro", data)
                try:
                    r = srv.request("POST", "/api/v1/patients",
                                    dict(PATIENT, given_names="Lecture"), role=tok)
                    t.check(r.status == 503, "read-only: create answers 503", r)
                    e = r.error() or {}
                    t.check(e.get("code") == "storage_unavailable", "read-only: code says so", r)
                finally:
                    sh("umount", data)
                t.check(srv.db_checksum() == before, "read-only: the database is unchanged")
                r = srv.request("POST", "/api/v1/patients", dict(PATIENT, given_names="Ecriture"),
                                role=tok)
                t.check(r.status == 201, "write access back: writes work again", r)
            else:
                t.check(False, "bind mount read-only: " + ro.stderr.strip())

            srv.stop()
            rows = srv.db_query("PRAGMA integrity_check")
            t.check(rows == [("ok",)], "integrity_check is ok", rows)
            v = srv.cli("audit", "verify", "--data", data)
            t.check(v.returncode == 0, "the audit chain verifies", v.stdout + v.stderr)
    finally:
        sh("umount", "-l", mnt)
        os.rmdir(mnt)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
