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
  one 200 and one 409 (the second reads the first's change in the batch);
- patient creations: one alone, one with a weight (two audit entries in
  one action), one with the names and birth date of a patient who exists
  (422, its record number not taken); and three whose audit entry the
  database refuses (a trigger put there by the test, as a full disk or a
  broken constraint would refuse it): the patient's entry, last of its
  action; the patient's entry followed by the weight's; the weight's entry
  after the patient's was written. An audit entry may be sent with the
  action's end (db_run_later), so its failure shows there: each must
  answer 409 and leave nothing, neither the patient nor the weight nor a
  record number, while the others of the batch stay.

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


REFUSED = "Refused"      # a patient whose audit entry the trigger refuses
REFUSED_GRAMS = 123456   # a weight whose audit entry the trigger refuses


def refuse_some_entries(srv):
    """A trigger refusing the audit entries of REFUSED patients and REFUSED_GRAMS weights."""
    when = ("NEW.after_json LIKE '%%\"family_name\":\"%s%%' OR NEW.after_json LIKE "
            "'%%\"grams\":%d,%%'" % (REFUSED, REFUSED_GRAMS))
    if srv.on_pg:
        srv.db_script(
            "CREATE FUNCTION test_refuse_entry() RETURNS trigger LANGUAGE plpgsql AS $f$BEGIN "
            "IF %s THEN RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = "
            "'entry refused'; END IF; RETURN NEW; END$f$; CREATE TRIGGER test_refuse_entry "
            "BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_refuse_entry();" % when)
    else:
        srv.db_script("CREATE TRIGGER test_refuse_entry BEFORE INSERT ON audit_log WHEN %s "
                      "BEGIN SELECT RAISE(ABORT, 'entry refused'); END;" % when)


def creations():
    """(body, expected status, what) of the patient creations in the batch."""
    def body(family, **more):
        b = {"family_name": family, "given_names": "Ana", "birth_date": "1971-05-06",
             "sex": "female", "language": "fr"}
        b.update(more)
        return b
    return [
        (body("Batchnew"), 201, "a new patient"),
        (body("Batchweight", weight_kg=71.5), 201, "a new patient with a weight"),
        (dict(body("Lot"), birth_date="1970-01-02"), 422, "a possible duplicate"),
        (body(REFUSED), 409, "a patient whose audit entry is refused"),
        (body(REFUSED + "too", weight_kg=70), 409,
         "a patient with a weight, the patient's entry refused"),
        (body("Heavyweight", weight_kg=REFUSED_GRAMS / 1000), 409,
         "a patient with a weight, the weight's entry refused"),
    ]


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
    for body, want, what in creations():
        rows.append(("POST", "/api/v1/patients", body, (), want, what))
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
    mrn_before = srv.db_query("SELECT value FROM counters WHERE name = 'mrn'")[0][0]
    refuse_some_entries(srv)
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
        if want == 409 and what.startswith("a patient"):
            t.check(reply and reply.get("error", {}).get("code") == "constraint",
                    "%s: the database's refusal (%s)" % (what, reply))
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
    created = srv.db_query(
        "SELECT family_name, mrn FROM patients WHERE family_name IN (?, ?, ?, ?, ?)"
        " ORDER BY family_name", ("Batchnew", "Batchweight", REFUSED, REFUSED + "too",
                                  "Heavyweight"))
    t.check([r[0] for r in created] == ["Batchnew", "Batchweight"],
            "the two acknowledged patients are stored once each, no refused one (%s)" % created)
    mrn_after = srv.db_query("SELECT value FROM counters WHERE name = 'mrn'")[0][0]
    t.check(mrn_after == mrn_before + 2, "two record numbers taken, none by a refused creation "
            "(%s then %s)" % (mrn_before, mrn_after))
    weights = srv.db_query(
        "SELECT p.family_name, w.grams FROM patient_weights w JOIN patients p"
        " ON p.id = w.patient_id WHERE w.grams IN (?, ?, ?) ORDER BY w.grams",
        (71500, 70000, REFUSED_GRAMS))
    t.check([tuple(r) for r in weights] == [("Batchweight", 71500)],
            "the acknowledged new patient's weight is stored, no refused one (%s)" % weights)
    entries = srv.db_query("SELECT count(*) FROM audit_log")[0][0] - entries_before
    t.check(entries == 16, "one audit entry per acknowledged write, none for a refused one "
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
