"""Disk full and read-only data directory: 503 with a clear error, nothing
half-written, and service resumes when space or write access returns.

Needs root to mount a small tmpfs (as CI runs); without it the test says
it skipped and why.

On PostgreSQL (CC_TEST_STORE=pg) the database lives in the cluster's files,
which cellclinic neither places nor manages; what can fail under it is the
database server. So, with cellclinic serving:
- the database server stopped (pg_ctl -m fast, which ends every session):
  writes and reads answer 503 storage_unavailable with the catalogue's
  message in the caller's language (fr, en), the server stays up, nothing is
  half-written; once the database server is started again the running
  cellclinic reconnects by itself and the very next request succeeds;
- the database made read-only (default_transaction_read_only, as a server
  put in read-only mode): writes answer 503 and change nothing, reads go on,
  writes work again once it is writable;
then every acknowledged write is there and `cellclinic audit verify
--database URL` passes. (The disk-full side: tests/api/test_storage.py.)
"""
import json
import os
import subprocess
import sys
import tempfile
import time

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
        return pg_main(args, t)
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


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def catalogue(lang):
    with open(os.path.join(ROOT, "src", "web", "i18n", lang + ".json"), encoding="utf-8") as f:
        return json.load(f)


def check_unavailable(t, what, r, lang, messages):
    """r is the 503 of a store that cannot be reached, in lang's words."""
    e = r.error() or {}
    t.check(r.status == 503 and e.get("code") == "storage_unavailable",
            "%s (%s): 503 storage_unavailable" % (what, lang), r)
    t.check(r.header("Content-Language") == lang and
            e.get("message") == messages[lang]["error.storage_unavailable"],
            "%s (%s): the message is the %s catalogue's" % (what, lang, lang), r)
    if lang == "en":
        t.check("database" in (e.get("detail") or ""),
                "%s (en): the detail says the database failed" % what, r)
    else:
        t.check("detail" not in e, "%s (%s): no English detail" % (what, lang), r)


class Callers:
    """A French-speaking caller (the admin: setting fr, Accept-Language fr) and an
    English-speaking one (the coordinator: en and en), bearer tokens, so that their
    language is the same whether or not the server can read their setting."""

    def __init__(self, srv, t):
        self.srv = srv
        self.roles = {"fr": "admin", "en": "coordinator"}
        self.tokens = {}
        for lang, role in self.roles.items():
            self.tokens[lang] = ("token", srv.token(role))
            r = self.request(lang, "PATCH", "/api/v1/session/preferences", {"language": lang})
            t.check(r.status == 200, "the %s's language is %s" % (role, lang), r)

    def request(self, lang, method, path, body=None):
        return self.srv.request(method, path, body, role=self.tokens[lang],
                                headers={"Accept-Language": lang})

    def create(self, lang, given):
        return self.request(lang, "POST", "/api/v1/patients", dict(PATIENT, given_names=given))


def pg_database_stopped(srv, t, who, pid, acked, messages):
    cluster = harness.pg_cluster()
    before = srv.db_checksum()
    cluster.halt("fast")
    try:
        for lang in ("fr", "en"):
            check_unavailable(t, "database stopped: create", who.create(lang, "Arret"), lang,
                              messages)
            r = who.request(lang, "POST", "/api/v1/patients/%s/weights" % pid,
                            {"date": "2026-01-03", "kg": 61})
            check_unavailable(t, "database stopped: weight", r, lang, messages)
            r = who.request(lang, "GET", "/api/v1/patients/%s" % pid)
            check_unavailable(t, "database stopped: read", r, lang, messages)
        t.check(srv.proc.poll() is None, "database stopped: the server stays up")
    finally:
        cluster.start()
    t.check(srv.db_checksum() == before, "database stopped: nothing was half-written")
    # Every connection the server holds was cut; the worker that answers may
    # hold one not used while the database was away: each must notice and
    # reconnect, so every request below must succeed at the first attempt.
    statuses = []
    for i in range(8):
        r = who.create("en", "Reprise %d" % i)
        statuses.append(r.status)
        if r.status == 201:
            acked.append(r.json["id"])
        statuses.append(who.request("fr", "GET", "/api/v1/patients/%s" % pid).status)
    t.check(statuses == [201, 200] * 8,
            "database started again: every request succeeds at once (it reconnects)", statuses)


def set_read_only(cluster, on):
    """Every session of the cluster, cellclinic's open ones included, starts its next
    transaction read-only (on) or read-write: ALTER SYSTEM and a reload."""
    cluster.psql("postgres", "SET default_transaction_read_only = off")
    cluster.psql("postgres", "ALTER SYSTEM %s" % (
        "SET default_transaction_read_only = on" if on else "RESET default_transaction_read_only"))
    cluster.reload()
    want = "on" if on else "off"
    for _ in range(100):  # a reload reaches the sessions asynchronously
        fresh = cluster.psql_script("postgres", "SHOW default_transaction_read_only")
        if want in str(fresh):
            break
        time.sleep(0.05)
    time.sleep(0.3)


def pg_read_only(srv, t, who, pid, acked, messages):
    cluster = harness.pg_cluster()
    before = srv.db_checksum()
    set_read_only(cluster, True)
    try:
        for lang in ("fr", "en"):
            check_unavailable(t, "read-only database: create", who.create(lang, "Lecture"), lang,
                              messages)
            r = who.request(lang, "GET", "/api/v1/patients/%s" % pid)
            t.check(r.status == 200, "read-only database: reads go on (%s)" % lang, r)
        t.check(srv.db_checksum() == before, "read-only database: nothing was written")
    finally:
        set_read_only(cluster, False)
    r = who.create("en", "Ecriture")
    t.check(r.status == 201, "writable again: writes work again", r)
    if r.status == 201:
        acked.append(r.json["id"])


def pg_main(args, t):
    messages = {lang: catalogue(lang) for lang in ("en", "fr")}
    with harness.Server(args.binary, verbose=args.verbose,
                        roles=["admin", "coordinator"]) as srv:
        who = Callers(srv, t)
        r = who.create("en", "Avant")
        t.check(r.status == 201, "a patient is created while the database is up", r)
        pid = (r.json or {}).get("id")
        acked = [pid]
        pg_database_stopped(srv, t, who, pid, acked, messages)
        pg_read_only(srv, t, who, pid, acked, messages)
        stored = [who.request("en", "GET", "/api/v1/patients/%s" % i).status for i in acked]
        t.check(stored == [200] * len(acked), "every acknowledged write is there (%d)" % len(acked),
                list(zip(acked, stored)))
        t.check(srv.stop() == 0, "graceful stop after the episodes")
        v = srv.cli("audit", "verify", "--data", srv.data)
        t.check(v.returncode == 0, "the audit chain verifies", v.stdout + v.stderr)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
