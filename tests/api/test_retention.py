#!/usr/bin/env python3
"""Traceability retention (docs/security.md, core/patient.h).

Identified traceability data (donor - unit - recipient) is kept at least 30 years
(Directive 2004/23/EC art. 8(4), Commission Directive 2006/86/EC art. 9(2)):

- an erasure request for a person linked to a unit (here an autologous donor) is
  recorded in the audit trail and refused: 409 "traceability_retention", the text in
  the caller's language (English and French), what is kept, nothing erased;
- a person with no such link: 409 "erasure_not_available" (the system erases nothing);
- a request without a reason, with a control character or too long: 400 naming
  "reason", the database unchanged; only the administrator may ask (403 otherwise);
  an unknown patient: 404;
- every traceability table carries a guard (src/store/schema.c) and the database
  refuses to delete its rows, even written to directly.

    python3 tests/api/test_retention.py --binary build/cellclinic [-v]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_laboratory import Lab  # noqa: E402

EXCLUDE = ("sessions", "api_tokens", "login_attempts") + harness.SECURITY_BOOKKEEPING
TRACEABILITY = ("patients", "donors", "donor_tests", "collections", "batches", "batch_collections",
                "units", "custody_events", "unit_administrations", "unit_freezings", "unit_thaws",
                "administrations", "administration_units", "adverse_events")


def erasure(srv, pid, body, role="admin", language=None):
    headers = {"Accept-Language": language} if language else None
    return srv.request("POST", "/api/v1/patients/%d/erasure-requests" % pid, body, role=role,
                       headers=headers)


def main():
    args = harness.parse_args()
    t = harness.Tally("retention", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        lab = Lab(srv, t)
        donor_patient = lab.patient("Donneuse")
        lab.donor(donor_patient, screen=False, sign=False)
        plain = lab.patient("Sanslien")
        for role in harness.ROLES:
            srv.token(role)

        before = srv.db_checksum(EXCLUDE)
        tables = srv.db_tables()
        for body, what in (({}, "no reason"), ({"reason": "   "}, "a blank reason"),
                           ({"reason": "a\u0007b"}, "a control character"),
                           ({"reason": "x" * 501}, "501 characters")):
            r = erasure(srv, donor_patient, body)
            t.check(r.status == 400 and r.error()["field"] == "reason", "%s: 400 naming reason" % what, r)
        for role in harness.ROLES:
            if role != "admin":
                r = erasure(srv, donor_patient, {"reason": "asked by phone"}, role=role)
                t.check(r.status == 403, "only the administrator records an erasure request (%s: 403)" % role, r)
        r = erasure(srv, 999999, {"reason": "asked by phone"})
        t.check(r.status == 404, "unknown patient: 404", r)
        t.check(srv.db_checksum(EXCLUDE) == before, "no refused input changed the database",
                harness.db_diff(tables, srv.db_tables()))

        r = erasure(srv, donor_patient, {"reason": "letter of 2026-12-01 from the donor"})
        e = r.json.get("error", {}) if r.json else {}
        req = (r.json or {}).get("erasure_request", {})
        t.check(r.status == 409 and e.get("code") == "traceability_retention" and
                "30 years" in e.get("message", ""),
                "a donor's erasure request is refused: traceability data kept 30 years", r)
        t.check(req.get("erased") == [] and req.get("retention_years") == 30 and req.get("donations") == 1 and
                "identity" in req.get("kept", []), "the answer says what is kept and that nothing is erased", req)
        r = srv.request("PATCH", "/api/v1/session/preferences", {"language": "fr"}, role="admin")
        t.check(r.status == 200, "the administrator works in French", r)
        r = erasure(srv, donor_patient, {"reason": "second letter"})
        e = r.json["error"]
        t.check(r.status == 409 and e["code"] == "traceability_retention" and
                "30 ans" in e["message"] and "Rien n’a été effacé" in e["message"],
                "the refusal in French with the same stable code", r)
        rows = srv.db_query("SELECT username, action, reason, after_json FROM audit_log"
                            " WHERE entity = 'patient' AND entity_id = ? AND action = 'erasure_request'"
                            " ORDER BY seq", (str(donor_patient),))
        t.check(len(rows) == 2 and rows[0][0] == "admin" and rows[0][2].startswith("letter of") and
                '"traceability_retention"' in rows[0][3], "each request and its refusal is in the audit trail",
                rows)
        t.check(srv.db_query("SELECT COUNT(*) FROM patients WHERE id = ?", (donor_patient,)) == [(1,)],
                "the patient is still there", None)

        r = erasure(srv, plain, {"reason": "email from the patient"})
        t.check(r.status == 409 and r.json["error"]["code"] == "erasure_not_available" and
                r.json["erasure_request"]["retention_years"] is None,
                "no link to a unit: refused all the same, the system erases nothing", r)

        # the database refuses, whoever writes to it: every traceability table has its
        # guard, and deleting the rows written above fails
        if srv.on_pg:  # src/store/db_pg.c makes each guard a trigger calling cc_refuse_delete
            guards = ("SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid"
                      " WHERE g.tgname = c.relname || '_kept' AND pg_get_triggerdef(g.oid)"
                      " LIKE '%BEFORE DELETE%cc_refuse_delete%'")
        else:
            guards = ("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND"
                      " name = tbl_name || '_kept' AND sql LIKE '%BEFORE DELETE%RAISE(ABORT%'")
        guarded = {row[0] for row in srv.db_query(guards)}
        t.check(guarded >= set(TRACEABILITY), "every traceability table refuses DELETE",
                sorted(set(TRACEABILITY) - guarded))
        for table in ("patients", "donors"):
            try:
                srv.db_exec("DELETE FROM %s" % table)
                t.fail("DELETE FROM %s was accepted by the database" % table)
            except harness.DatabaseError as ex:
                t.check("traceability data is kept 30 years" in str(ex),
                        "the database refuses DELETE FROM %s" % table, str(ex))
        r = srv.cli("audit", "verify", "--data", srv.data)
        t.check(r.returncode == 0, "the audit chain is intact", r.stdout + r.stderr)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
