#!/usr/bin/env python3
"""Use cases decide on facts read inside their write transaction: races.

- two clients create the same patient (same names and birth date) at once:
  exactly what the sequential case gives, one 201 and one 422
  "possible_duplicate" whose matches name the first record, and one record;
- two coordinators convert the same consultation request at once: exactly
  one patient, the other answer 409, and exactly one "convert" audit entry.

Bounded rounds, both requests released together by a barrier; no timing
thresholds.

    python3 tests/api/test_app_races.py --binary build/cellclinic [-v]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_security import concurrently  # noqa: E402

ROUNDS = 20


def together(fns):
    """Runs each function in its own thread, released together; results in order."""
    return concurrently(len(fns), lambda i: fns[i]())


def word(n):
    """A letters-only name part unique per n."""
    s = ""
    for _ in range(4):
        s = chr(ord("a") + n % 26) + s
        n //= 26
    return s.capitalize()


def status_of(r):
    return r.status if isinstance(r, harness.Response) else repr(r)


def same_patient_races(srv, t):
    for n in range(ROUNDS):
        body = {"family_name": "Race" + word(n), "given_names": "Ana", "birth_date": "1970-01-02",
                "sex": "female", "language": "fr"}
        results = together([lambda: srv.request("POST", "/api/v1/patients", body, role="coordinator"),
                            lambda: srv.request("POST", "/api/v1/patients", body, role="admin")])
        statuses = sorted(status_of(r) for r in results)
        t.check(statuses == [201, 422], "round %d: one create, one duplicate warning" % n, statuses)
        created = [r for r in results if status_of(r) == 201]
        warned = [r for r in results if status_of(r) == 422]
        if created and warned:
            e = warned[0].error() or {}
            t.check(e.get("code") == "possible_duplicate", "round %d: the warning is possible_duplicate" % n,
                    warned[0])
            matches = [m.get("id") for m in (warned[0].json or {}).get("matches", [])]
            t.check(created[0].json.get("id") in matches,
                    "round %d: the warning names the record created first" % n, warned[0])
        rows = srv.db_query("SELECT count(*) FROM patients WHERE family_name = ?", (body["family_name"],))
        t.check(rows[0][0] == 1, "round %d: one record" % n, rows)
        # The sequential case gives the same answer to a third attempt.
        r = srv.request("POST", "/api/v1/patients", body, role="coordinator")
        t.check(r.status == 422, "round %d: sequential duplicate warned" % n, r)


def new_request(srv, n):
    body = {"name": "Ana Convert" + word(n), "email": "race%d@example.org" % n,
            "condition": "Spinal cord injury", "language": "en", "birth_date": "1980-03-04",
            "consent": True}
    # the public form takes 10 requests per address per hour, counted in the
    # database: each request comes from its own loopback address
    r = srv.request("POST", "/api/v1/consultation-requests", body,
                    source="127.0.%d.%d" % (1 + n // 200, 1 + n % 200))
    if r.status != 201:
        raise harness.CommandError("consultation request: %r" % r)
    return r.json["id"]


def convert_races(srv, t):
    for n in range(ROUNDS):
        rid = new_request(srv, n)
        path = "/api/v1/consultation-requests/%d/convert" % rid
        results = together([lambda: srv.request("POST", path, {"sex": "female"}, role="coordinator"),
                            lambda: srv.request("POST", path, {"sex": "female"}, role="admin")])
        statuses = sorted(status_of(r) for r in results)
        t.check(statuses == [201, 409], "round %d: one conversion, one conflict" % n, statuses)
        family = "Convert" + word(n)
        rows = srv.db_query("SELECT count(*) FROM patients WHERE family_name = ?", (family,))
        t.check(rows[0][0] == 1, "round %d: exactly one patient" % n, rows)
        rows = srv.db_query("SELECT count(*) FROM audit_log WHERE entity = 'consultation_request'"
                            " AND entity_id = ? AND action = 'convert'", (str(rid),))
        t.check(rows[0][0] == 1, "round %d: exactly one convert audit entry" % n, rows)
        rows = srv.db_query("SELECT count(*) FROM audit_log a JOIN patients p"
                            " ON a.entity = 'patient' AND a.entity_id = CAST(p.id AS TEXT)"
                            " WHERE p.family_name = ? AND a.action = 'create'", (family,))
        t.check(rows[0][0] == 1, "round %d: exactly one patient creation audited" % n, rows)
        rows = srv.db_query("SELECT status, patient_id FROM consultation_requests WHERE id = ?", (rid,))
        created = [r for r in results if status_of(r) == 201]
        t.check(rows and rows[0][0] == "converted" and created
                and rows[0][1] == created[0].json.get("patient_id"),
                "round %d: the request points at the one patient" % n, (rows, statuses))


def main():
    args = harness.parse_args()
    t = harness.Tally("app_races", verbose=args.verbose)
    try:
        with harness.Server(args.binary, keep=args.keep, threads=4) as srv:
            same_patient_races(srv, t)
            convert_races(srv, t)
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
