#!/usr/bin/env python3
"""A use case the database aborts for another transaction's sake runs again.

PostgreSQL only (CC_TEST_STORE=pg; ctest pg/deadlock-retry). Another session,
as another program on the same database would, holds a patient's row and
then asks for the writers' advisory lock that the server's transaction holds
while it waits for that row: a deadlock. PostgreSQL aborts the server's
transaction (its deadlock_timeout is the shorter); the server runs the
request's use case again once the other session has committed, and the
change is saved once, with its one audit entry, and answered 200. Without
the retry the answer is 503 and nothing is saved.

    CC_TEST_STORE=pg python3 tests/pg/deadlock_retry.py --binary build/cellclinic [-v]
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
import harness  # noqa: E402

WRITE_LOCK = 7162263021765635182  # src/store/db_pg.c WRITE_LOCK_SQL


def waiting_on_lock(srv):
    rows = harness.pg_cluster().psql(
        "postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = ?"
        " AND wait_event_type = 'Lock'", (srv._pg_dbname(),))
    return int(rows[0][0])


def wait_for(what, predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    raise harness.CommandError("timed out waiting for " + what)


def main():
    args = harness.parse_args()
    if harness.STORE != "pg":
        print("deadlock_retry needs CC_TEST_STORE=pg (a PostgreSQL deadlock)")
        return 2
    t = harness.Tally("pg deadlock retry", verbose=args.verbose)
    try:
        with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
            r = srv.request("POST", "/api/v1/patients",
                            {"family_name": "Verrou", "given_names": "Anne",
                             "birth_date": "1975-02-03", "sex": "female", "language": "fr"},
                            role="coordinator")
            t.check(r.status == 201, "a patient", r)
            pid = r.json["id"]
            audits = lambda: srv.db_query(  # noqa: E731
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'patient' AND entity_id = ?"
                " AND action = 'update'", (str(pid),))[0][0]

            other = harness._PsqlSession(harness.pg_cluster(), srv._pg_dbname())
            other.run("SET deadlock_timeout = '60s'")
            other.run("BEGIN")
            other.run("UPDATE patients SET address = address WHERE id = %d" % pid)

            answer = {}

            def patch():
                answer["r"] = srv.request("PATCH", "/api/v1/patients/%d" % pid,
                                          {"phone": "+33 4 72 00 00 01", "reason": "appel",
                                           "version": 1}, role="coordinator")

            writer = threading.Thread(target=patch)
            writer.start()
            # the server holds the advisory lock and waits for the row
            wait_for("the server to wait for the row", lambda: waiting_on_lock(srv) >= 1)
            got_lock = {}

            def take_write_lock():
                other.run("SELECT pg_advisory_xact_lock(%d)" % WRITE_LOCK, timeout=120)
                got_lock["at"] = time.monotonic()

            locker = threading.Thread(target=take_write_lock)
            locker.start()
            locker.join(timeout=90)
            t.check("at" in got_lock,
                    "the deadlock is broken on the server's side: the other session gets the "
                    "lock once PostgreSQL aborts the server's transaction")
            t.check("r" not in answer, "the request is not answered while its retry waits")
            other.run("COMMIT")
            other.close()
            writer.join(timeout=90)
            r = answer.get("r")
            t.check(r is not None and r.status == 200 and r.json.get("phone") == "+33 4 72 00 00 01",
                    "the request is answered 200 with the change: its use case ran again", r)
            t.check(audits() == 1, "the change is saved once, with one audit entry", audits())
            log = harness.pg_cluster().log_text(tail=200000)
            t.check("deadlock detected" in log,
                    "PostgreSQL did abort a transaction for the deadlock (its log says so)")
            r = srv.cli("audit", "verify", *srv.store_args())
            t.check(r.returncode == 0, "audit verify holds", r.stdout + r.stderr)
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
