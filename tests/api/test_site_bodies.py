#!/usr/bin/env python3
"""Records named in a request's body or query are scoped to the session's site.

The clinic (site MAIN) has a patient with an approved plan, a donor, a
collection and a released unit; a laboratory site (LAB) has its own staff
and units. Every endpoint that names a patient, plan, donor, administration
or unit by id in its body or query, or a patient by MRN, or a unit by its
DIN at the bedside, answers for the other site's record exactly as for one
that does not exist (status, code, field and message, the id sent named
back), and writes nothing.

    python3 tests/api/test_site_bodies.py --binary build/cellclinic [-v]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_laboratory as tl  # noqa: E402
from test_shipping import LabSite, laboratory_site  # noqa: E402

UNKNOWN = 987654


def shape(r, sent):
    """The answer with the id sent replaced, to compare two answers."""
    if r.status < 400:
        return (r.status, r.json)
    e = r.error()
    return (r.status, e.get("code"), e.get("field"),
            (e.get("message") or "").replace(str(sent), "<id>"))


def main():
    args = harness.parse_args()
    t = harness.Tally("site_bodies", verbose=args.verbose)
    try:
        with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
            main_lab = tl.Lab(srv, t)
            tl.configure(main_lab)
            staff = laboratory_site(srv, t, ("lab", "qa", "physician", "nurse", "coordinator"))
            lab = LabSite(srv, t, staff)

            # the clinic's records
            tb, bs = tl.bedside(main_lab)
            patient = bs.patient("Clinique")
            plan_id, items = bs.plan(patient["id"])
            donor = main_lab.donor()
            collection, batch = main_lab.batch(donor)
            main_unit = main_lab.unit(batch)
            # the laboratory's unit
            lab_donor = lab.donor()
            _, lab_batch = lab.batch(lab_donor)
            lab_unit = lab.unit(lab_batch, cells=items[1]["cells"])
            lab.qc(lab_batch)
            lab.release(lab_batch)

            r = srv.request("POST", "/api/v1/patients",
                            {"family_name": "Laboratoire", "given_names": "Anne",
                             "birth_date": "1980-04-05", "sex": "female", "language": "fr"},
                            role=staff["coordinator"])
            lab_patient = r.json["id"]
            p = patient["id"]
            # (method, path, body or None, role at LAB, the argument, its value at MAIN)
            probes = [
                ("POST", "/api/v1/plans", {"patient_id": p, "protocol": "sci",
                                           "start": tb.day(30)}, "coordinator", "patient_id", p),
                ("POST", "/api/v1/screenings", {"patient_id": p, "protocol": "sci",
                                                "results": tb.results()}, "physician",
                 "patient_id", p),
                ("POST", "/api/v1/donors", {"kind": "autologous", "consent_date": tl.D,
                                            "patient_id": p}, "lab", "patient_id", p),
                ("POST", "/api/v1/collections", {"donor_id": donor, "source": "cord-tissue",
                                                 "collected_on": tl.D, "mass_g": 20}, "lab",
                 "donor_id", donor),
                ("GET", "/api/v1/collections?donor_id=%s", None, "lab", "donor_id", donor),
                ("POST", "/api/v1/batches", {"product_type": "uc-msc",
                                             "collection_ids": [collection]}, "lab",
                 "collection_ids", collection),
                ("GET", "/api/v1/planned-administrations?patient_id=%s", None, "nurse",
                 "patient_id", p),
                ("GET", "/api/v1/follow-up?patient_id=%s", None, "nurse", "patient_id", p),
                ("GET", "/api/v1/adverse-events?patient_id=%s", None, "nurse", "patient_id", p),
                ("GET", "/api/v1/units?batch_id=%s", None, "lab", "batch_id", batch),
                ("POST", "/api/v1/administrations/verify",
                 tb.body_for(plan_id, 1, patient, [lab_unit], "intravenous"), "nurse",
                 "plan_id", plan_id),
                ("POST", "/api/v1/administrations",
                 tb.body_for(plan_id, 1, patient, [lab_unit], "intravenous"), "nurse",
                 "plan_id", plan_id),
                ("POST", "/api/v1/units/%d/reserve" % lab_unit["id"],
                 {"patient_id": p, "product_type": "uc-msc"}, "lab", "patient_id", p),
                ("POST", "/api/v1/units/%d/issue" % lab_unit["id"],
                 {"patient_id": p, "ward": "Salle B"}, "lab", "patient_id", p),
                ("POST", "/api/v1/adverse-events",
                 {"patient_id": p, "term": "fever", "grade": 1, "onset_at": tb.now_iso(-1),
                  "related_product": "possible", "related_procedure": "unlikely",
                  "expectedness": "expected"}, "nurse", "patient_id", p),
                ("POST", "/api/v1/adverse-events",
                 {"patient_id": lab_patient, "term": "fever", "grade": 1,
                  "onset_at": tb.now_iso(-1), "related_product": "possible",
                  "related_procedure": "unlikely", "expectedness": "expected",
                  "unit_ids": [main_unit["id"]]}, "nurse", "unit_ids", main_unit["id"]),
            ]
            for method, path, body, role, name, value in probes:
                def send(v):
                    if body is None:
                        return srv.request(method, path % v, role=staff[role])
                    b = dict(body)
                    b[name] = [v] if isinstance(body[name], list) else v
                    return srv.request(method, path, b, role=staff[role])
                before = srv.db_checksum()
                theirs = send(value)
                changed = srv.db_checksum() != before
                missing = send(UNKNOWN)
                what = "%s %s with %s of the other site" % (method, path.split("?")[0], name)
                t.check(shape(theirs, value) == shape(missing, UNKNOWN),
                        what + ": answered as for one that does not exist",
                        (theirs, missing))
                t.check(not changed, what + ": nothing written")

            # records owned through their patient, plan or donor, by id in the path
            owned = [("/api/v1/collections/%s", "lab",
                      "SELECT MAX(id) FROM collections WHERE donor_id = %d" % donor),
                     ("/api/v1/lookback/collections/%s", "qa",
                      "SELECT MAX(id) FROM collections WHERE donor_id = %d" % donor),
                     ("/api/v1/screenings/%s", "physician",
                      "SELECT MAX(id) FROM screenings WHERE patient_id = %d" % p),
                     ("/api/v1/follow-up/%s", "nurse",
                      "SELECT MAX(id) FROM followup_visits WHERE plan_id = %d" % plan_id)]
            for path, role, sql in owned:
                rid = srv.db_query(sql)[0][0]
                if rid is None:
                    t.fail("setup", "no record for " + path)
                    continue
                theirs = srv.request("GET", path % rid, role=staff[role])
                mine = srv.request("GET", path % rid, role=role)
                missing = srv.request("GET", path % UNKNOWN, role=staff[role])
                t.check(mine.status == 200, "the clinic reads %s" % path, mine)
                t.check(theirs.status == 404
                        and shape(theirs, rid) == shape(missing, UNKNOWN),
                        "another site's record at %s is 404 as a missing one" % path,
                        (theirs, missing))

            # a patient named by MRN when reserving a unit
            before = srv.db_checksum()
            r = lab.req("POST", "/api/v1/units/%d/reserve" % lab_unit["id"],
                        {"patient_mrn": patient["mrn"], "product_type": "uc-msc"})
            t.check(r.status == 404 and r.error().get("field") == "patient_mrn"
                    and r.error().get("code") == "not_found",
                    "another site's patient named by MRN is not found", r)
            t.check(srv.db_checksum() == before, "... and nothing is written")

            # the bedside: the laboratory's unit scanned at the clinic is unknown there
            r = srv.request("POST", "/api/v1/administrations/verify",
                            tb.body_for(plan_id, 1, patient, [lab_unit], "intravenous"),
                            role="nurse")
            codes = [x.get("code") for x in (r.json or {}).get("reasons", [])]
            t.check(r.status == 200 and "unit_unknown" in codes,
                    "another site's unit scanned at the bedside reads as unknown", r)
            del main_unit

            r = srv.cli("audit", "verify", *srv.store_args())
            t.check(r.returncode == 0, "audit verify holds", r.stdout + r.stderr)
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
