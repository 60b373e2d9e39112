#!/usr/bin/env python3
"""Writes that wait together are committed together, and each keeps its own outcome.

The server gathers the writes waiting for the database into batches: one
write transaction and one durable commit for all of them, each request's
action in its own savepoint (src/api/commit_queue.h, db_batch_begin). This
test makes a batch happen on purpose: it holds the database's write lock
(as another program would), sends WRITES requests at once on their own
keep-alive connections, then releases the lock, so that every request that
arrived meanwhile goes into the same transaction. Among them:

- weights for two patients, each a different value: 201, stored once, with
  one audit entry each;
- weights outside the range a person can weigh: 400 naming the field;
- a weight for a patient who does not exist: 404;
- a patient changed with a version that is not the current one (If-Match):
  409, inside the transaction that reads the version; the patient unchanged;
- a patient changed with the right version, twice with the same version:
  one 200 and one 409 (the second reads the first's change in the batch).

Then: every answer is the one the request would have had alone, nothing
of a refused request is in the database, the audit chain verifies, and the
server reports at its stop that at least one batch held several requests
(otherwise this test proved nothing about batches). Runs on both stores.

    python3 tests/api/test_commit_batches.py --binary build/cellclinic [-v]
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

# a safety net for a hung server, not a measure
SOCKET_TIMEOUT_S = 60
# how long the requests are given to reach the server while the lock is
# held; the checks do not depend on it, only the size of the batch does
ARRIVAL_S = 1.0


def new_patient(srv, family):
    r = srv.request("POST", "/api/v1/patients",
                    {"family_name": family, "given_names": "Ana", "birth_date": "1970-01-02",
                     "sex": "female", "language": "fr"}, role="coordinator")
    if r.status != 201:
        raise harness.CommandError("cannot create a patient: %r" % r)
    return r.json["id"]


def patient_version(srv, patient_id):
    r = srv.request("GET", "/api/v1/patients/%d" % patient_id, role="coordinator")
    if r.status != 200:
        raise harness.CommandError("cannot read a patient: %r" % r)
    return r.json["version"], r.json["given_names"]


def the_requests(first, second, changed, version):
    """(method, path, body, headers, expected status, what) of each request."""
    rows = []
    for i in range(12):
        patient = first if i % 2 == 0 else second
        rows.append(("POST", "/api/v1/patients/%d/weights" % patient,
                     {"date": "2026-02-%02d" % (i + 1), "kg": 60 + i / 10}, (), 201,
                     "weight %d" % (i + 1)))
    for kg in (0, 900):
        rows.append(("POST", "/api/v1/patients/%d/weights" % first,
                     {"date": "2026-03-01", "kg": kg}, (), 400, "weight of %s kg" % kg))
    rows.append(("POST", "/api/v1/patients/987654/weights",
                 {"date": "2026-03-01", "kg": 70}, (), 404, "a weight for no patient"))
    rows.append(("PATCH", "/api/v1/patients/%d" % changed,
                 {"given_names": "Stale", "reason": "spelling"},
                 (("If-Match", '"%d"' % (version + 40)),), 409, "a change on a stale version"))
    return rows


def batch_of_writes(srv, t, token):
    first, second, changed = (new_patient(srv, name) for name in ("Lot", "Lotte", "Lothaire"))
    version, _ = patient_version(srv, changed)
    rows = the_requests(first, second, changed, version)
    # two changes on the current version: the batch runs them in turn, and
    # the second reads the first's change (its savepoint released before)
    racing = [("PATCH", "/api/v1/patients/%d" % changed,
               {"given_names": name, "reason": "spelling"},
               (("If-Match", '"%d"' % version),), None, "a change by %s" % name)
              for name in ("Anaïs", "Anouk")]
    rows += racing
    socks = [harness.raw_connect(srv, SOCKET_TIMEOUT_S) for _ in rows]
    entries_before = srv.db_query("SELECT count(*) FROM audit_log")[0][0]
    try:
        for s in socks:  # each connection accepted and served once
            harness.send_raw_request(s, "GET", "/api/v1/patients/%d" % first, token)
            status, _ = harness.read_json_answer(s)
            t.check(status == 200, "a first read on each connection (%s)" % status)
        lock = srv.db_write_lock()
        try:
            for s, (method, path, body, headers, _, _) in zip(socks, rows):
                harness.send_raw_request(s, method, path, token, body, headers)
            time.sleep(ARRIVAL_S)
        finally:
            lock.rollback()
            lock.close()
        answers = [harness.read_json_answer(s) for s in socks]
    finally:
        for s in socks:
            s.close()

    for (method, path, body, _, want, what), (status, reply) in zip(rows, answers):
        if want is None:
            continue
        t.check(status == want, "%s: %s (%s %s)" % (what, want, status, reply))
        if want == 400:
            t.check(reply and reply.get("error", {}).get("field") == "kg",
                    "%s: the error names the field kg (%s)" % (what, reply))
    racing_status = sorted(status for status, _ in answers[-2:])
    t.check(racing_status == [200, 409], "two changes on one version: one saved, the other "
            "refused as stale (%s)" % racing_status)

    stored = sorted(r[0] for r in srv.db_query(
        "SELECT grams FROM patient_weights WHERE patient_id IN (?, ?) ORDER BY grams",
        (first, second)))
    wanted = sorted(round((60 + i / 10) * 1000) for i in range(12))
    t.check(stored == wanted, "the 12 acknowledged weights are stored once each, and no refused "
            "one (%s)" % stored)
    new_version, new_given = patient_version(srv, changed)
    saved = [name for (_, _, body, _, _, _), (status, _) in zip(racing, answers[-2:])
             if status == 200 for name in [body["given_names"]]]
    t.check(new_version == version + 1 and [new_given] == saved,
            "the patient changed once, by the change acknowledged (%s %s, %s)"
            % (new_version, new_given, saved))
    entries = srv.db_query("SELECT count(*) FROM audit_log")[0][0] - entries_before
    t.check(entries == 13, "one audit entry per acknowledged write, none for a refused one "
            "(%d)" % entries)


def main():
    args = harness.parse_args()
    t = harness.Tally("commit_batches", verbose=args.verbose)
    try:
        with harness.Server(args.binary, verbose=args.verbose, keep=args.keep,
                            roles=["nurse", "coordinator"]) as srv:
            batch_of_writes(srv, t, srv.token("coordinator"))
            r = srv.cli("audit", "verify", *srv.store_args())
            t.check(r.returncode == 0, "audit verify holds", r.stdout + r.stderr)
            rc = srv.stop()
            t.check(rc == 0, "the server stops cleanly (%s)" % rc)
            with open(srv.log_path, encoding="utf-8", errors="replace") as f:
                line = [x for x in f if "writes committed in" in x]
            largest = int(line[-1].rsplit(":", 1)[1].strip(" )\n")) if line else 0
            t.check(largest >= 2, "the server ran several waiting writes in one batch (largest "
                    "batch: %d; %s)" % (largest, line[-1].strip() if line else "no count"))
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
