#!/usr/bin/env python3
"""Reads keep being answered while writes wait for the database's write lock.

Another process (this test) holds the write lock of the clinical database
(SQLite: BEGIN IMMEDIATE; PostgreSQL: every table locked IN EXCLUSIVE MODE, which
lets reads through and makes every write wait). Meanwhile, on a server with ONE thread (the worst case:
every connection is served by the same polling thread):

- a weight is posted on one keep-alive connection: it must wait for the lock;
- a read with a revoked token is sent on another: its answer (401) waits for
  the security event it records, a write too;
- then patient reads, one after the other on a third connection, are each
  answered while neither of those two has its answer yet. Before writes ran
  apart from the polling threads, the thread that took the write waited in
  it for the lock (up to SQLite's busy timeout, then 503), and every read
  behind it waited as long: the second read could only be answered after the
  write had been.

The lock released, the write is acknowledged (201, stored, audited) and the
revoked token's read answers 401 with its security event recorded.

Last, graceful stop with a write waiting: SIGTERM arrives while a write waits
for the lock; the lock released, the write is acknowledged, the server exits
0 and the weight is in the database (no acknowledged write is lost, and the
library is not stopped with a connection still suspended).

No timing threshold: the order of answers is what is checked; the lock is
held for as long as the checks take.

    python3 tests/api/test_reads_beside_writes.py --binary build/cellclinic [-v]
"""

import os
import select
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

READS = 5
# a safety net for a hung server, not a measure
SOCKET_TIMEOUT_S = 60


def has_answer(sock):
    """Whether anything (an answer, or the connection's end) is waiting on sock."""
    ready, _, _ = select.select([sock], [], [], 0)
    return bool(ready)


def hold_write_lock(srv):
    return srv.db_write_lock()


def weights_of(srv, patient_id):
    return [r[0] / 1000 for r in srv.db_query(
        "SELECT grams FROM patient_weights WHERE patient_id = ? ORDER BY grams", (patient_id,))]


def reads_beside_a_blocked_write(srv, t, token, patient_id):
    revoked_id, revoked = srv.new_token("nurse", label="revoked")
    r = srv.request("DELETE", "/api/v1/tokens/%d" % revoked_id, role=("token", revoked))
    t.check(r.status in (200, 204), "a token is revoked", r)
    writer, refused, reader = (harness.raw_connect(srv, SOCKET_TIMEOUT_S) for _ in range(3))
    try:
        # each connection accepted and served once before the lock is taken
        for s in (writer, refused, reader):
            harness.send_raw_request(s, "GET", "/api/v1/patients/%d" % patient_id, token)
            status, _ = harness.read_json_answer(s)
            t.check(status == 200, "a first read on each connection is answered (%s)" % status)
        lock = hold_write_lock(srv)
        try:
            harness.send_raw_request(writer, "POST", "/api/v1/patients/%d/weights" % patient_id,
                                     token,
                 {"date": "2026-01-02", "kg": 71.5})
            harness.send_raw_request(refused, "GET", "/api/v1/patients/%d" % patient_id, revoked)
            answered = 0
            for i in range(READS):
                harness.send_raw_request(reader, "GET", "/api/v1/patients/%d" % patient_id, token)
                status, body = harness.read_json_answer(reader)
                waiting = not has_answer(writer) and not has_answer(refused)
                t.check(status == 200 and body and body.get("id") == patient_id,
                        "read %d while the write waits for the lock: 200 with the patient "
                        "(%s)" % (i + 1, status))
                t.check(waiting, "read %d is answered while the write and the revoked token's "
                        "read still wait for the lock" % (i + 1))
                answered += status == 200 and waiting
            t.check(answered == READS, "threads 1: %d of %d reads answered while a write was "
                    "blocked on the write lock" % (answered, READS))
        finally:
            lock.rollback()
            lock.close()
        status, body = harness.read_json_answer(writer)
        t.check(status == 201, "the lock released, the write is acknowledged: 201 (%s %s)"
                % (status, body))
        t.check(71.5 in weights_of(srv, patient_id), "the acknowledged weight is stored")
        status, body = harness.read_json_answer(refused)
        t.check(status == 401, "the revoked token's read answers 401 (%s %s)" % (status, body))
        r = srv.request("GET", "/api/v1/security-events?kind=token_revoked", role="admin")
        t.check(r.status == 200 and r.json["total"] >= 1,
                "the revoked token's use is a recorded security event", r)
        audited = srv.db_query("SELECT count(*) FROM audit_log"
                               " WHERE entity = 'patient_weight'")[0][0]
        t.check(audited == 1, "the weight's one audit entry is written (%d)" % audited)
    finally:
        for s in (writer, refused, reader):
            s.close()


def stop_with_a_blocked_write(srv, t, token, patient_id):
    writer, reader = (harness.raw_connect(srv, SOCKET_TIMEOUT_S) for _ in range(2))
    try:
        for s in (writer, reader):
            harness.send_raw_request(s, "GET", "/api/v1/patients/%d" % patient_id, token)
            harness.read_json_answer(s)
        lock = hold_write_lock(srv)
        try:
            harness.send_raw_request(writer, "POST", "/api/v1/patients/%d/weights" % patient_id,
                                     token,
                 {"date": "2026-01-03", "kg": 72.5})
            # a read answered after the write was sent: the server has taken the write
            harness.send_raw_request(reader, "GET", "/api/v1/patients/%d" % patient_id, token)
            status, _ = harness.read_json_answer(reader)
            t.check(status == 200 and not has_answer(writer),
                    "a read is answered while the write waits (%s)" % status)
            srv.proc.send_signal(signal.SIGTERM)
        finally:
            lock.rollback()
            lock.close()
        status, body = harness.read_json_answer(writer)
        t.check(status == 201, "stopping: the waiting write is acknowledged once the lock is "
                "free (%s %s)" % (status, body))
    finally:
        writer.close()
        reader.close()
    proc = srv.proc
    try:
        rc = proc.wait(timeout=SOCKET_TIMEOUT_S)
    except Exception:  # noqa: BLE001 - a hung stop is a failure, not a crash of the test
        rc = None
    t.check(rc == 0, "the server stops cleanly with a write that was waiting (exit %s)" % rc)
    t.check(72.5 in weights_of(srv, patient_id), "the write acknowledged while stopping is "
            "stored")


def main():
    args = harness.parse_args()
    t = harness.Tally("reads_beside_writes", verbose=args.verbose)
    try:
        with harness.Server(args.binary, verbose=args.verbose, keep=args.keep, threads=1,
                            roles=["nurse", "coordinator"]) as srv:
            token = srv.token("nurse")
            r = srv.request("POST", "/api/v1/patients",
                            {"family_name": "Beside", "given_names": "Ana",
                             "birth_date": "1970-01-02", "sex": "female", "language": "fr"},
                            role="coordinator")
            if r.status != 201:
                raise harness.CommandError("cannot create a patient: %r" % r)
            patient_id = r.json["id"]
            reads_beside_a_blocked_write(srv, t, token, patient_id)
            stop_with_a_blocked_write(srv, t, token, patient_id)
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
