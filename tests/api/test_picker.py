#!/usr/bin/env python3
"""Human identifiers: what the interface's pickers search, and the
reservation of a unit by choosing a planned administration.

- an MRN is never read as an id: patients are made until one's MRN, read as
  a number, is another's id; the searches (patient list, picker lookup) and a
  reservation by `patient_mrn` find the right one, an MRN sent as
  `patient_id` is refused, and naming both is refused;
- the laboratory finds a patient by MRN and name (and sees nothing else of
  the chart: 403 on the chart's endpoints) and sees the MRN and name of the
  patient a unit is reserved for;
- codes: donors, collections, batches and units are found by part of their
  code, number or DIN, case- and accent-blind, and a scanned DIN finds its
  unit;
- reservation by planned administration: the lab lists the patient's
  planned administrations not given yet, reserves a unit for one, and the
  bedside check accepts that unit for that administration and refuses it for
  another; a plan item of another patient, of another product or unknown is
  refused.

    python3 tests/api/test_picker.py --binary build/cellclinic [-v]
"""

import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_bedside as bst  # noqa: E402
import test_laboratory as labt  # noqa: E402


def new_patient(b, family, given="Éloïse"):
    r = b.req("POST", "/api/v1/patients", {"family_name": family, "given_names": given,
                                           "birth_date": "1990-01-01", "sex": "female", "language": "fr",
                                           "confirm_duplicate": True}, role="coordinator", want=201)
    return r.json


def test_mrn_never_an_id(b, t, srv):
    made = [new_patient(b, "Nombre%02d" % i, "Test") for i in range(24)]
    by_id = {p["id"]: p for p in made}
    # A: a patient whose MRN, read as a number, is the id of another patient B
    pairs = [(a, by_id[int(a["mrn"])]) for a in made if int(a["mrn"]) in by_id and by_id[int(a["mrn"])] is not a]
    t.check(pairs, "the fixture has an MRN equal to another patient's id",
            [(p["id"], p["mrn"]) for p in made])
    if not pairs:
        return None
    a, other = pairs[0]
    r = b.req("GET", "/api/v1/patient-lookup?q=%s" % a["mrn"], role="lab", want=200)
    t.check([x["id"] for x in r.json["items"]] == [a["id"]],
            "the picker's lookup by MRN %s finds that patient, not patient id %d" % (a["mrn"], other["id"]), r)
    t.check(set(r.json["items"][0]) == {"id", "mrn", "family_name", "given_names"},
            "the lookup shows who the patient is and nothing of the chart", r)
    r = b.req("GET", "/api/v1/patients?q=%s" % a["mrn"], role="coordinator", want=200)
    t.check([x["id"] for x in r.json["items"]] == [a["id"]], "the patient search by MRN finds that patient", r)

    did = b.lab.donor()
    _, batch = b.lab.batch(did)
    u = b.lab.unit(batch)
    b.lab.qc(batch)
    b.lab.release(batch)
    U = "/api/v1/units/%d" % u["id"]
    r = b.req("POST", U + "/reserve", {"patient_id": a["mrn"], "product_type": "uc-msc"}, role="lab", want=400,
              what="an MRN sent as patient_id is refused, not read as id %d" % int(a["mrn"]))
    t.check(r.error()["field"] == "patient_id", "the refusal names patient_id", r)
    r = b.req("POST", U + "/reserve", {"patient_id": a["id"], "patient_mrn": a["mrn"], "product_type": "uc-msc"},
              role="lab", want=400, what="a patient named twice is refused")
    t.check(r.error()["code"] == "ambiguous_patient", "ambiguous_patient", r)
    r = b.req("POST", U + "/reserve", {"patient_mrn": a["mrn"], "product_type": "uc-msc"}, role="lab", want=200,
              what="reserved by MRN")
    got = r.json["unit"]
    t.check(got["reserved_patient_id"] == a["id"] and got["reserved_mrn"] == a["mrn"],
            "the unit is reserved for the patient with that MRN, not patient id %d" % other["id"], got)
    b.req("POST", U + "/unreserve", {"reason": "test"}, role="lab", want=200)
    r = b.req("POST", U + "/issue", {"ward": "W", "patient_mrn": a["mrn"]}, role="lab", want=200,
              what="issued by scanned MRN")
    t.check(r.json["unit"]["issued_patient_id"] == a["id"], "issued to the patient with that MRN", r)
    return a


def test_codes(b, t, srv):
    did = b.lab.donor()
    donor = b.req("GET", "/api/v1/donors/%d" % did, role="lab").json["donor"]
    cid, batch = b.lab.batch(did)
    u = b.lab.unit(batch)
    bcode = b.req("GET", "/api/v1/batches/%d" % batch, role="lab").json["batch"]["code"]
    unit = b.req("GET", "/api/v1/units/%d" % u["id"], role="lab").json["unit"]
    din = unit["din"] + unit["din_check"]
    for path, want, what in (
            ("/api/v1/donors?q=%s" % donor["code"].lower(), did, "a donor by its code in lower case"),
            ("/api/v1/donors?q=%s" % donor["code"].replace("-", " "), did, "a donor code typed with spaces"),
            ("/api/v1/collections?q=%s" % donor["code"], cid, "a collection by its donor's code"),
            ("/api/v1/batches?q=%s" % bcode.lower(), batch, "a batch by its number"),
            ("/api/v1/units?q=%s" % din.lower(), u["id"], "a unit by its DIN and check character"),
            ("/api/v1/units?q=%s" % unit["din"][-6:], u["id"], "a unit by the end of its DIN"),
            ("/api/v1/units?q=%s" % ("=" + unit["din"] + unit["din_flags"]), u["id"], "a unit by its scanned DIN")):
        base, q = path.split("?q=")
        r = b.req("GET", base + "?q=" + urllib.parse.quote(q, safe=""), role="lab", want=200)
        t.check(want in [x["id"] for x in r.json["items"]], what, r)
    r = b.req("GET", "/api/v1/units?q=%s" % din.lower(), role="lab", want=200)
    t.check([x["id"] for x in r.json["items"]] == [u["id"]], "a whole DIN finds that unit only", r)
    r = b.req("GET", "/api/v1/donors?q=ZZZNOTACODE", role="lab", want=200)
    t.check(r.json["items"] == [] and r.json["total"] == 0, "an unknown code finds nothing", r)
    p = new_patient(b, "Lefèvre-Dürr", "Hélène")
    for q in ("lefevre", "LEFÈVRE durr", "helene"):
        r = b.req("GET", "/api/v1/patient-lookup?q=%s" % urllib.parse.quote(q), role="lab", want=200)
        t.check(p["id"] in [x["id"] for x in r.json["items"]], "the lookup forgives case and accents: %s" % q, r)


def test_planned_reservation(b, t, srv):
    p = b.patient("Planned")
    plan_id, items = b.plan(p["id"])
    other = b.patient("Other")
    other_plan, _ = b.plan(other["id"])
    r = b.req("GET", "/api/v1/planned-administrations?patient_id=%d" % p["id"], role="lab", want=200)
    listed = r.json["items"]
    t.check(sorted(x["item"] for x in listed) == sorted(items) and all(x["plan_id"] == plan_id for x in listed),
            "the lab lists the patient's planned administrations", listed)
    first = [x for x in listed if x["item"] == 1][0]
    t.check(first["date"] == items[1]["date"] and first["route"] == items[1]["route"] and
            first["product_type"] == "uc-msc" and first["amount"] == items[1]["cells"] and first["dose_unit"] == "cells",
            "each with its date, route, product and dose", first)

    # a released unit reserved for planned administration 1 by choosing it
    did = b.lab.donor()
    _, batch = b.lab.batch(did)
    u = b.lab.unit(batch, cells=items[1]["cells"])
    u2 = b.lab.unit(batch, cells=items[1]["cells"])
    b.lab.qc(batch)
    b.lab.release(batch)
    U = "/api/v1/units/%d" % u["id"]
    before = srv.db_checksum(bst.EXCLUDE)
    for body, status, code in (
            ({"patient_id": p["id"], "product_type": "uc-msc", "plan_id": other_plan, "plan_item": 1}, 409,
             "plan_other_patient"),
            ({"patient_id": p["id"], "product_type": "uc-msc", "plan_id": plan_id, "plan_item": 999}, 404,
             "not_found"),
            ({"patient_id": p["id"], "product_type": "bm-msc", "plan_id": plan_id, "plan_item": 1}, 409,
             "product_type_mismatch")):
        r = b.req("POST", U + "/reserve", body, role="lab", want=status, what="refused: %s" % code)
        t.check(r.error()["code"] == code, code, r)
    t.check(srv.db_checksum(bst.EXCLUDE) == before, "the refused reservations changed nothing")
    r = b.req("POST", U + "/reserve", {"patient_id": p["id"], "product_type": "uc-msc", "plan_id": plan_id,
                                       "plan_item": 1}, role="lab", want=200, what="reserved for the planned administration")
    unit = r.json["unit"]
    t.check(unit["reserved_for"] == "plan:%d:1" % plan_id, "the reservation records the planned administration", unit)
    t.check(unit["reserved_mrn"] == p["mrn"] and unit["reserved_family_name"] == "Planned" and
            unit["reserved_given_names"] == "Test", "the lab sees the MRN and name of the patient", unit)
    r = b.req("GET", "/api/v1/planned-administrations?patient_id=%d" % p["id"], role="lab", want=200)
    t.check([x["reserved_units"] for x in r.json["items"] if x["item"] == 1] == [1],
            "the list says the administration has a unit reserved", r)
    # ... and nothing else of the chart
    for path in ("/api/v1/patients/%d" % p["id"], "/api/v1/patients?q=Planned",
                 "/api/v1/patients/%d/screenings" % p["id"], "/api/v1/plans?patient_id=%d" % p["id"],
                 "/api/v1/plans/%d" % plan_id, "/api/v1/patients/%d/observations" % p["id"]):
        b.req("GET", path, role="lab", want=403, what="the lab may not read %s" % path)
    b.req("GET", "/api/v1/planned-administrations?patient_id=%d" % p["id"], role="qa", want=403,
          what="qa does not list planned administrations")
    b.req("GET", "/api/v1/patient-lookup?q=Planned", role="analyst", want=403, what="the analyst may not look patients up")

    b.req("POST", U + "/issue", {"ward": "Ward A"}, role="lab", want=200)
    unit = b.req("GET", U, role="lab").json["unit"]
    r = b.req("POST", "/api/v1/administrations/verify", bst.body_for(plan_id, 1, p, [unit], "intravenous"),
              want=200)
    t.check(r.json["go"] is True and r.json["reasons"] == [],
            "the bedside check accepts the unit for the administration it was reserved for", r)
    r = b.req("POST", "/api/v1/administrations/verify", bst.body_for(plan_id, 4, p, [unit], "intrathecal"),
              want=200)
    t.check(r.json["go"] is False and "unit_other_item" in bst.codes(r),
            "and refuses it for another planned administration", r)
    b.req("POST", "/api/v1/administrations", bst.body_for(plan_id, 1, p, [unit], "intravenous"), want=201)
    r = b.req("GET", "/api/v1/planned-administrations?patient_id=%d" % p["id"], role="lab", want=200)
    t.check(1 not in [x["item"] for x in r.json["items"]], "a given administration leaves the list", r)
    r = b.req("POST", "/api/v1/units/%d/reserve" % u2["id"],
              {"patient_id": p["id"], "product_type": "uc-msc", "plan_id": plan_id, "plan_item": 1},
              role="lab", want=409)
    t.check(r.error()["code"] == "item_already_given", "a given administration takes no more reservations", r)


def main():
    args = harness.parse_args()
    t = harness.Tally("picker", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        b = bst.Bedside(srv, t)
        labt.configure(b.lab)
        test_mrn_never_an_id(b, t, srv)
        test_codes(b, t, srv)
        test_planned_reservation(b, t, srv)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
