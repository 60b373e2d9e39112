#!/usr/bin/env python3
"""Laboratory API against a real server.

- the whole path: site configuration, donor, screening, eligibility,
  collection, batch, steps, QC, signed release, unit with its DIN, label,
  storage, reservation for a planned administration, issue, the bedside
  administration (POST /api/v1/administrations, the only way a unit is
  administered), lookback both ways (JSON, CSV);
- hazards at the API level: H2 (quarantine, missing or failed QC), H3
  (expired unit), H7 (autologous unit for another patient: reservation and
  issue), H12 (issue and administration twice), H13 (donor eligibility);
- the label PNG read back with zbarimg (DIN and product code barcodes, the
  type of donation '1' on an autologous unit, 'V' on an allogeneic one) and
  the label PDF read back with pdftotext: the facility set by the admin, the
  21 CFR 1271.370 statements that apply (autologous not screened, ineligible
  donor with a reactive test) and the recipient of an autologous unit, in
  the site's label language and with ?lang=;
- `cellclinic isbt128 new` shares the site's DIN counter;
- bad input for every laboratory endpoint: 4xx with an error naming the
  field, and the database checksum unchanged; roles refused with 403.

    python3 tests/api/test_laboratory.py --binary build/cellclinic [-v]
"""

import datetime
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

TODAY = datetime.date.today()
NEXT_YEAR = (TODAY + datetime.timedelta(days=365)).isoformat()
D = TODAY.isoformat()
# The allogeneic default panel (core/donor_testing.h: Directive 2006/17/EC Annex II 1.1,
# 21 CFR 1271.85(a),(b)); autologous needs only the first five (Annex I 2.1.1).
SCREENING = ["hbsag", "anti-hbc", "anti-hcv", "anti-hiv-1-2", "syphilis", "htlv-1-2",
             "nat-hiv", "nat-hcv", "nat-hbv", "cmv"]
# A passing MSC set (ISCT minimal criteria): None is "not detected", True "observed";
# CD14 answers "CD14 or CD11b", CD19 "CD79alpha or CD19".
MSC_QC = [("sterility", None, ""), ("mycoplasma", None, ""), ("endotoxin", 0.1, "EU/mL"),
          ("viability", 92, "%"), ("plastic_adherence", True, ""), ("cd73", 98, "%"), ("cd90", 99, "%"),
          ("cd105", 97, "%"), ("cd34", 0.5, "%"), ("cd45", 0.4, "%"), ("cd14", 0.6, "%"), ("cd19", 0.2, "%"),
          ("hla_dr", 0.3, "%"), ("diff_osteo", True, ""), ("diff_adipo", True, ""), ("diff_chondro", True, "")]


class Lab:
    def __init__(self, srv, t):
        self.srv, self.t = srv, t

    def req(self, method, path, body=None, role="lab", want=None, what=None):
        r = self.srv.request(method, path, body, role=role)
        if want is not None:
            self.t.check(r.status == want, what or "%s %s answers %d" % (method, path, want), r)
        return r

    def patient(self, family):
        r = self.req("POST", "/api/v1/patients", {"family_name": family, "given_names": "Test",
                                                  "birth_date": "1980-01-01", "sex": "female",
                                                  "language": "fr", "confirm_duplicate": True},
                     role="coordinator", want=201)
        return r.json["id"]

    def donor(self, patient_id=None, screen=True, sign=True, markers=SCREENING, sampled_on=D):
        body = {"kind": "autologous" if patient_id else "allogeneic", "consent_date": D}
        if patient_id:
            body["patient_id"] = patient_id
        r = self.req("POST", "/api/v1/donors", body, want=201, what="donor created")
        did = r.json["donor"]["id"]
        for test in markers if screen else []:
            self.req("POST", "/api/v1/donors/%d/tests" % did,
                     {"test": test, "result": "negative", "sampled_on": sampled_on}, want=201)
        if sign:
            self.req("POST", "/api/v1/donors/%d/eligibility" % did,
                     {"decision": "eligible", "password": harness.PASSWORD},
                     role="physician", want=200, what="physician signs eligible")
        return did

    def batch(self, donor_id, product="uc-msc", collected_on=D):
        r = self.req("POST", "/api/v1/collections", {"donor_id": donor_id, "source": "cord-tissue",
                                                     "collected_on": collected_on, "mass_g": 20},
                     want=201)
        cid = r.json["collection"]["id"]
        r = self.req("POST", "/api/v1/batches", {"product_type": product, "collection_ids": [cid]},
                     want=201)
        return cid, r.json["batch"]["id"]

    def unit(self, batch_id, code="S1234", position=None, expiry=NEXT_YEAR, cells=100000000):
        body = {"product_code": code, "cells": cells, "volume_ml": 10, "viability": 93,
                "expiry": expiry, "storage": "<= -150 C"}
        if position:
            body.update({"freezer": "F1", "rack": "R1", "box": "B1", "position": position})
        r = self.req("POST", "/api/v1/batches/%d/units" % batch_id, body, want=201, what="unit created")
        return r.json["unit"]

    def qc(self, batch_id, results=MSC_QC):
        for test, value, unit in results:
            body = {"test": test, "tested_on": D}
            if value is None or value is True:
                body["detected"] = value is True
            else:
                body.update({"value": value, "unit": unit})
            self.req("POST", "/api/v1/batches/%d/qc" % batch_id, body, want=201)

    def release(self, batch_id, want=200):
        return self.req("POST", "/api/v1/batches/%d/release" % batch_id,
                        {"password": self.srv.passwords["qa1"]}, role="qa", want=want)

    def state(self, unit_id):
        return self.req("GET", "/api/v1/units/%d" % unit_id).json["unit"]["state"]


def bedside(lab):
    """The bedside helpers of test_bedside.py (patient with a weight, approved
    plan due today, the scanned body). Imported here, not at the top:
    test_bedside imports this module."""
    import test_bedside
    return test_bedside, test_bedside.Bedside(lab.srv, lab.t)


def configure(lab):
    lab.req("PUT", "/api/v1/lab/site", {"fin": "W1234"}, role="admin", want=200, what="FIN set")
    lab.req("POST", "/api/v1/lab/product-codes", {"code": "S1234", "product_type": "uc-msc"},
            role="admin", want=201)
    lab.req("POST", "/api/v1/lab/product-codes", {"code": "S2000", "product_type": "bm-msc"},
            role="admin", want=201)


def test_flow(lab, t, srv):
    tb, bs = bedside(lab)
    patient = bs.patient("Flow")
    p1 = patient["id"]
    plan_id, items = bs.plan(p1)
    cells = items[1]["cells"]
    did = lab.donor()
    cid, bid = lab.batch(did)
    lab.req("POST", "/api/v1/batches/%d/steps" % bid,
            {"step": "isolation", "performed_at": D + "T08:00:00Z", "operator": "A. Martin"}, want=201)
    u = lab.unit(bid, position="A1", cells=cells)
    t.check(u["state"] == "quarantine", "a new unit is in quarantine", u)
    t.check(len(u["din"]) == 13 and u["din"].startswith("W1234"), "the DIN uses the site's FIN", u)
    r = subprocess.run([srv.binary, "isbt128", "verify", u["din"] + u["din_check"]], capture_output=True, text=True)
    t.check(r.returncode == 0, "the unit's DIN verifies with its check character", r.stdout + r.stderr)
    lab.qc(bid)
    r = lab.release(bid)
    t.check(r.json["batch"]["status"] == "released", "QA releases the batch", r)
    t.check(lab.state(u["id"]) == "released", "its unit is released", r)
    # label: PDF and PNG, read back
    r = lab.req("GET", "/api/v1/units/%d/label.pdf" % u["id"], role="nurse", want=200)
    t.check(r.header("Content-Type") == "application/pdf" and r.body[:5] == b"%PDF-", "label PDF", r.header("Content-Type"))
    r = lab.req("GET", "/api/v1/units/%d/label.png" % u["id"], want=200)
    t.check(r.header("Content-Type") == "image/png" and r.body[:8] == b"\x89PNG\r\n\x1a\n", "label PNG", r.header("Content-Type"))
    zbar = shutil.which("zbarimg")
    if t.check(zbar is not None, "zbarimg is installed (zbar-tools)"):
        with tempfile.NamedTemporaryFile(suffix=".png") as f:
            f.write(r.body)
            f.flush()
            z = subprocess.run([zbar, "-q", "--raw", f.name], capture_output=True, text=True)
        codes = z.stdout.split()
        t.check("=" + u["din"] + "00" in codes, "zbarimg reads the DIN barcode back", codes)
        t.check("=<S1234V00" in codes, "zbarimg reads the product code barcode back (type of donation V: volunteer allogeneic)", codes)
    # storage map, move
    r = lab.req("GET", "/api/v1/storage?freezer=F1", role="physician", want=200)
    t.check([p["unit_id"] for p in r.json["positions"]] == [u["id"]], "the freezer map shows the unit", r)
    u2 = lab.unit_after_release = None
    # reserve for the first planned administration, issue, administer at the bedside
    lab.req("POST", "/api/v1/units/%d/reserve" % u["id"],
            {"patient_id": p1, "product_type": "uc-msc", "dose_cells": cells, "plan_id": plan_id, "plan_item": 1},
            want=200, what="reservation with a matching dose")
    r = lab.req("POST", "/api/v1/units/%d/issue" % u["id"], {"ward": "Ward A"}, want=200)
    t.check(r.json["unit"]["issued_patient_id"] == p1 and r.json["unit"]["position"] == "",
            "issued for the reserved patient; the position is freed", r)
    lab.req("POST", "/api/v1/administrations", tb.body_for(plan_id, 1, patient, [u], "intravenous"), role="nurse",
            want=201, what="the bedside administration records the unit")
    r = lab.req("GET", "/api/v1/units/%d" % u["id"])
    events = [c["event"] for c in r.json["custody"]]
    t.check(events == ["create", "release", "reserve", "issue", "administer"], "custody history in order", events)
    # lookback both ways
    for kind, ident in (("donors", did), ("collections", cid), ("batches", bid)):
        r = lab.req("GET", "/api/v1/lookback/%s/%d" % (kind, ident), role="physician", want=200)
        t.check([x["patient_id"] for x in r.json["recipients"]] == [p1], "lookback from %s finds the recipient" % kind, r)
    r = lab.req("GET", "/api/v1/lookback/donors/%d?format=csv" % did, want=200)
    t.check(r.header("Content-Type").startswith("text/csv") and b'"recipient"' in r.body and u["din"].encode() in r.body,
            "lookback CSV export", r.body[:300])
    # in French: headers, sections and coded values in the catalogue's words, the data as stored
    r = lab.req("GET", "/api/v1/lookback/donors/%d?format=csv&lang=fr" % did, want=200)
    text = r.body.decode("utf-8")
    header = text.split("\r\n")[0] if "\r\n" in text else text.split("\n")[0]
    t.check(header.startswith('"Section","Numéro de l’unité (interne)","DIN"') and '"Receveur"' in text
            and '"Unité"' in text and "UC-MSC" in text and u["din"] in text and '"recipient"' not in text
            and '"product_type"' not in text, "lookback CSV in French", text[:400])
    r = lab.req("GET", "/api/v1/lookback/patients/%d?format=csv&lang=fr" % p1, want=200)
    text = r.body.decode("utf-8")
    t.check('"Exposition"' in text and '"Code du donneur"' in text and "tissu de cordon" in text,
            "exposure CSV in French", text[:400])
    r = lab.req("GET", "/api/v1/lookback/donors/%d?format=csv&lang=xx" % did, want=400)
    t.check(r.json["error"]["field"] == "lang", "an unknown lang is refused, naming the field", r)
    r = lab.req("GET", "/api/v1/lookback/patients/%d" % p1, want=200)
    t.check([x["donor_id"] for x in r.json["exposures"]] == [did], "lookback from the patient finds the donor", r)
    # isbt128 new shares the counter of this data directory
    r = srv.cli("isbt128", "new", "--facility", "W1234", "--year", u["din"][5:7], "--data", srv.data)
    t.check(r.returncode == 0 and r.stdout.startswith("W1234%s%06d" % (u["din"][5:7], int(u["din"][7:]) + 1)),
            "isbt128 new allocates the sequence after the unit's", r.stdout + r.stderr)


def day(offset):
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


def sign(lab, did, want, what, role="physician"):
    return lab.req("POST", "/api/v1/donors/%d/eligibility" % did,
                   {"decision": "eligible", "password": harness.PASSWORD}, role=role, want=want,
                   what=what)


def test_donor_testing(lab, t, srv):
    """H13: the marker panel per donor kind, each result's sample date against the
    collection date (Directive 2006/17/EC Annex II 2.5; 21 CFR 1271.80(b))."""
    r = lab.req("GET", "/api/v1/lab/donor-panels", want=200)
    panels = {p["kind"]: p for p in r.json["panels"]}
    allo, auto = panels["allogeneic"], panels["autologous"]
    t.check([m["marker"] for m in allo["markers"]] == SCREENING
            and all(m["need"] == ("result" if m["marker"] == "cmv" else "negative") for m in allo["markers"])
            and (allo["days_before"], allo["days_after"]) == (0, 7),
            "allogeneic default: Annex II 1.1 + HTLV + NAT negative, CMV recorded, 0 days before to 7 after", allo)
    t.check([m["marker"] for m in auto["markers"] if m["need"] == "negative"] == SCREENING[:5]
            and all(m["need"] == "none" for m in auto["markers"][5:]),
            "autologous default: the Annex II 1.1 minimum set (Annex I 2.1.1)", auto)

    # a missing marker is named, in the caller's language
    did = lab.donor(markers=[m for m in SCREENING if m != "anti-hbc"], sign=False)
    r = sign(lab, did, 409, "eligible refused: anti-HBc has no result")
    t.check(r.error()["code"] == "marker_missing" and r.error()["field"] == "anti-hbc",
            "the refusal names the missing marker", r)
    lab.req("PATCH", "/api/v1/session/preferences", {"language": "fr"}, role="physician", want=200)
    r = lab.srv.request("POST", "/api/v1/donors/%d/eligibility" % did,
                        {"decision": "eligible", "password": harness.PASSWORD}, role="physician")
    t.check(r.status == 409 and "anticorps anti-HBc : aucun résultat saisi" in r.error()["message"],
            "in French the refusal names « anticorps anti-HBc »", r)
    lab.req("PATCH", "/api/v1/session/preferences", {"language": "en"}, role="physician", want=200)
    r = lab.srv.request("POST", "/api/v1/donors/%d/eligibility" % did,
                        {"decision": "eligible", "password": harness.PASSWORD}, role="physician",
                        headers={"Accept-Language": "en"})
    t.check(r.status == 409 and "anti-HBc antibody" in r.error()["message"],
            "in English the refusal names the anti-HBc antibody", r)

    # autologous: the minimum set suffices
    p = lab.patient("Autologous-panel")
    adid = lab.donor(p, markers=SCREENING[:5], sign=False)
    sign(lab, adid, 200, "autologous donor with the Annex II 1.1 set signed eligible")

    # window: the collection today, a sample 8 days before it is outside (0 days before);
    # one 1 day before is outside too; on the day it is inside
    did = lab.donor(sign=False, sampled_on=day(-8))
    lab.batch(did)
    r = sign(lab, did, 409, "eligible refused: samples 8 days before the collection")
    t.check(r.error()["code"] == "marker_outside_window" and r.error()["field"] == "hbsag",
            "the refusal names the first marker outside its window", r)
    did = lab.donor(sign=False, sampled_on=day(-1))
    lab.batch(did)
    sign(lab, did, 409, "Annex II 2.5: the day before the donation is outside the default window")
    # sampled on the collection day + 7 is inside (Annex II 2.5): samples today, collection 7 days ago
    did = lab.donor(sign=False)
    lab.batch(did, collected_on=day(-7))
    sign(lab, did, 200, "Annex II 2.5: a sample 7 days after the donation is inside")
    did = lab.donor(sign=False)
    lab.batch(did, collected_on=day(-8))
    sign(lab, did, 409, "Annex II 2.5: 8 days after the donation is outside")

    # signed before any collection; a later collection outside the window reopens it (H13)
    did = lab.donor(sampled_on=day(-10))
    r = lab.req("GET", "/api/v1/donors/%d" % did)
    t.check(r.json["donor"]["eligibility"] == "eligible", "signed on the results alone", r)
    _, bid = lab.batch(did)
    r = lab.req("GET", "/api/v1/donors/%d" % did)
    t.check(r.json["donor"]["eligibility"] == "incomplete",
            "a collection 10 days after the samples sets the signature back to incomplete", r)
    reopen = srv.db_query("SELECT reason FROM audit_log WHERE entity = 'donor' AND entity_id = ?"
                          " AND action = 'reopen_eligibility'", (str(did),))
    t.check(len(reopen) == 1 and "HBsAg" in (reopen[0][0] or ""),
            "the reopening is audited with the marker as reason", reopen)
    lab.unit(bid)
    lab.qc(bid)
    r = lab.release(bid, want=409)
    kinds = [b["kind"] for b in (r.json or {}).get("readiness", {}).get("blocks", [])]
    t.check(kinds == ["donor_incomplete"], "H13: its batch is not released", r)
    # a collection inside the window keeps the signature
    did = lab.donor()
    lab.batch(did)
    r = lab.req("GET", "/api/v1/donors/%d" % did)
    t.check(r.json["donor"]["eligibility"] == "eligible", "a collection on the sample day keeps it", r)

    # configured: 10 days before (1271.80(b)(1) allows up to 30); then the 8-day-old samples pass
    before = srv.db_query("SELECT COUNT(*) FROM audit_log WHERE entity = 'donor_panel'")[0][0]
    r = lab.req("PUT", "/api/v1/lab/donor-panels",
                {"kind": "allogeneic", "days_before": 10, "days_after": 7,
                 "markers": {"htlv-1-2": "none"}}, role="admin", want=200, what="panel configured")
    allo = {p["kind"]: p for p in r.json["panels"]}["allogeneic"]
    t.check(allo["days_before"] == 10 and [m["need"] for m in allo["markers"] if m["marker"] == "htlv-1-2"] == ["none"]
            and [m["default"] for m in allo["markers"] if m["marker"] == "htlv-1-2"] == ["negative"],
            "the panel answers the new window and need, with the default beside", allo)
    after = srv.db_query("SELECT COUNT(*) FROM audit_log WHERE entity = 'donor_panel'")[0][0]
    t.check(after == before + 1, "the change is audited", (before, after))
    did = lab.donor(markers=[m for m in SCREENING if m != "htlv-1-2"], sign=False, sampled_on=day(-8))
    lab.batch(did)
    sign(lab, did, 200, "samples 8 days before pass a 10-day window; HTLV no longer needed")
    lab.req("PUT", "/api/v1/lab/donor-panels",
            {"kind": "allogeneic", "days_before": 0, "days_after": 7, "markers": {"htlv-1-2": "negative"}},
            role="admin", want=200, what="panel back to the default")
    lab.req("PUT", "/api/v1/lab/donor-panels", {"kind": "allogeneic", "days_before": 0, "days_after": 7},
            role="lab", want=403, what="only an admin configures the panel")


def test_h2_h13(lab, t):
    # H13: every test passes but the donor is not signed eligible
    did = lab.donor(sign=False)
    _, bid = lab.batch(did)
    u = lab.unit(bid)
    lab.qc(bid)
    r = lab.release(bid, want=409)
    kinds = [b["kind"] for b in (r.json or {}).get("readiness", {}).get("blocks", [])]
    t.check(r.json["error"]["code"] == "release_blocked" and kinds == ["donor_incomplete"],
            "H13: release refused while the donor's eligibility is incomplete", r)
    t.check(lab.state(u["id"]) == "quarantine", "H13: the unit stays in quarantine")
    # H2: a quarantined unit is neither reserved nor issued
    p = lab.patient("Quarantine")
    r = lab.req("POST", "/api/v1/units/%d/issue" % u["id"], {"ward": "W", "patient_id": p}, want=409)
    t.check(r.json["error"]["code"] == "unit_not_released", "H2: issue of a quarantined unit refused", r)
    lab.req("POST", "/api/v1/units/%d/reserve" % u["id"], {"patient_id": p, "product_type": "uc-msc"}, want=409,
            what="H2: reservation of a quarantined unit refused")
    # H2: no path around QA's batch release
    r = lab.req("POST", "/api/v1/units/%d/release" % u["id"], {"password": lab.srv.passwords["qa1"]}, role="qa", want=409)
    t.check(r.json["error"]["code"] == "batch_not_released", "H2: a unit cannot be released before its batch", r)
    # H2: missing and failed QC
    did2 = lab.donor()
    _, bid2 = lab.batch(did2)
    lab.unit(bid2)
    r = lab.release(bid2, want=409)
    rd = r.json["readiness"]
    t.check(rd["count"] == 16, "H2: sixteen missing tests block release (one per ISCT pair of alternatives)", r)
    t.check([b["test"] for b in rd["blocks"] if b["kind"] == "missing"][10:12] == ["cd14", "cd79a"]
            and "CD14+ cells or CD11b+ cells" in rd["blocks"][10]["message"],
            "the pairs CD14/CD11b and CD79alpha/CD19 are each one missing test", rd)
    e = rd.get("endotoxin", {})
    t.check(abs((e.get("limit") or 0) - 1.4) < 1e-9 and e.get("k") == 0.2 and e.get("dose_ml") == 10
            and e.get("body_kg") == 70 and e.get("route") is None,
            "endotoxin limit: strictest route (intrathecal K 0.2 EU/kg) x 70 kg / the 10 mL unit", e)
    lab.qc(bid2, [x if x[0] != "viability" else ("viability", 60, "%") for x in MSC_QC])
    r = lab.release(bid2, want=409)
    blocks = r.json["readiness"]["blocks"]
    t.check([(b["kind"], b["test"]) for b in blocks] == [("failed", "viability")], "H2: failed viability blocks release", r)
    r = lab.req("GET", "/api/v1/batches/%d" % bid2)
    verdicts = {x["test"]: x["verdict"] for x in r.json["qc_results"]}
    t.check(verdicts["viability"] == "fail" and verdicts["cd73"] == "pass", "verdicts computed from the specification", verdicts)
    # rejection discards the units
    r = lab.req("POST", "/api/v1/batches/%d/reject" % bid2, {"password": lab.srv.passwords["qa1"], "reason": "viability 60 %"},
                role="qa", want=200)
    t.check(all(x["state"] == "discarded" for x in r.json["units"]), "rejection discards the batch's units", r)
    # a held unit of a released batch goes back only through QA
    did3 = lab.donor()
    _, bid3 = lab.batch(did3)
    u3 = lab.unit(bid3)
    lab.qc(bid3)
    lab.release(bid3)
    lab.req("POST", "/api/v1/units/%d/hold" % u3["id"], {"reason": "lookback query"}, want=200)
    lab.req("POST", "/api/v1/units/%d/issue" % u3["id"], {"ward": "W", "patient_id": p}, want=409,
            what="H2: a held unit cannot be issued")
    lab.req("POST", "/api/v1/units/%d/release" % u3["id"], {"password": "wrong password!"}, role="qa", want=403,
            what="a wrong signature is refused")
    lab.req("POST", "/api/v1/units/%d/release" % u3["id"], {"password": lab.srv.passwords["qa1"]}, role="qa", want=200,
            what="QA releases the held unit again")


def test_h3(lab, t, srv):
    did = lab.donor()
    _, bid = lab.batch(did)
    u = lab.unit(bid, expiry=D)
    lab.qc(bid)
    lab.release(bid)
    r = lab.req("GET", "/api/v1/units?expiring_within=1", want=200)
    t.check(u["id"] in [x["id"] for x in r.json["items"]], "the unit is listed as expiring", r)
    # time passes: the expiry date is moved to yesterday behind the server's back
    srv.db_exec("UPDATE units SET expiry = ? WHERE id = ?", ((TODAY - datetime.timedelta(days=1)).isoformat(), u["id"]))
    p = lab.patient("Expired")
    r = lab.req("POST", "/api/v1/units/%d/issue" % u["id"], {"ward": "W", "patient_id": p}, want=409)
    t.check(r.json["error"]["code"] in ("unit_not_released", "unit_expired"), "H3: an expired unit is not issued", r)
    t.check(lab.state(u["id"]) == "expired", "H3: the unit turned expired by itself")
    lab.req("POST", "/api/v1/units/%d/reserve" % u["id"], {"patient_id": p, "product_type": "uc-msc"}, want=409,
            what="H3: an expired unit is not reserved")


def test_h7(lab, t):
    tb, bs = bedside(lab)
    owner = lab.patient("Owner")
    other_patient = bs.patient("Other")
    other = other_patient["id"]
    did = lab.donor(patient_id=owner)
    _, bid = lab.batch(did, product="bm-msc")
    u = lab.unit(bid, code="S2000")
    t.check(u["owner_patient_id"] == owner, "an autologous unit belongs to its patient", u)
    lab.qc(bid)
    lab.release(bid)
    r = lab.req("GET", "/api/v1/units/%d/label.png" % u["id"], want=200)
    r = lab.req("POST", "/api/v1/units/%d/reserve" % u["id"], {"patient_id": other, "product_type": "bm-msc"}, want=409)
    t.check(r.json["error"]["code"] == "autologous_other_patient", "H7: reservation for another patient refused", r)
    r = lab.req("POST", "/api/v1/units/%d/issue" % u["id"], {"ward": "W", "patient_id": other}, want=409)
    t.check(r.json["error"]["code"] == "autologous_other_patient", "H7: issue for another patient refused", r)
    lab.req("POST", "/api/v1/units/%d/reserve" % u["id"], {"patient_id": owner, "product_type": "uc-msc"}, want=409,
            what="reservation of another product type refused")
    lab.req("POST", "/api/v1/units/%d/reserve" % u["id"], {"patient_id": owner, "product_type": "bm-msc",
                                                           "dose_cells": 50000000}, want=409,
            what="reservation with a dose the unit exceeds by far refused")
    lab.req("POST", "/api/v1/units/%d/reserve" % u["id"], {"patient_id": owner, "product_type": "bm-msc"}, want=200,
            what="H7: reservation for its own patient")
    r = lab.req("POST", "/api/v1/units/%d/issue" % u["id"], {"ward": "W", "patient_id": other}, want=409)
    t.check(r.json["error"]["code"] == "autologous_other_patient", "H7: a reserved autologous unit still refuses another patient", r)
    lab.req("POST", "/api/v1/units/%d/issue" % u["id"], {"ward": "W"}, want=200)
    oplan, _ = bs.plan(other)
    r = lab.req("POST", "/api/v1/administrations", tb.body_for(oplan, 1, other_patient, [u], "intravenous"),
                role="nurse", want=409)
    t.check(r.json["error"]["code"] == "bedside_refused" and "autologous_other_patient" in tb.codes(r),
            "H7: administration to another patient refused", r)
    t.check(lab.state(u["id"]) == "issued", "H7: the refused unit is not administered")
    lab.req("POST", "/api/v1/units/%d/return" % u["id"], {"reason": "plan postponed"}, role="nurse", want=200)
    lab.req("POST", "/api/v1/units/%d/restock" % u["id"], {"password": lab.srv.passwords["qa1"], "reason": "cold chain kept"},
            role="qa", want=200, what="QA restocks the returned unit")


def test_h12(lab, t):
    tb, bs = bedside(lab)
    patient = bs.patient("Twice")
    p = patient["id"]
    plan_id, items = bs.plan(p)
    did = lab.donor()
    _, bid = lab.batch(did)
    u = lab.unit(bid, cells=items[1]["cells"])
    lab.qc(bid)
    lab.release(bid)
    lab.req("POST", "/api/v1/units/%d/reserve" % u["id"], {"patient_id": p, "product_type": "uc-msc",
                                                           "plan_id": plan_id, "plan_item": 1}, want=200)
    lab.req("POST", "/api/v1/units/%d/issue" % u["id"], {"ward": "W", "patient_id": p}, want=200)
    r = lab.req("POST", "/api/v1/units/%d/issue" % u["id"], {"ward": "W", "patient_id": p}, want=409)
    t.check(r.json["error"]["code"] == "unit_not_released", "H12: issued twice refused", r)
    body = tb.body_for(plan_id, 1, patient, [u], "intravenous")
    lab.req("POST", "/api/v1/administrations", body, role="nurse", want=201)
    r = lab.req("POST", "/api/v1/administrations", body, role="nurse", want=409)
    t.check(r.json["error"]["code"] == "bedside_refused" and "unit_already_administered" in tb.codes(r),
            "H12: administered twice refused", r)
    for ev, body in (("discard", {"reason": "x"}), ("hold", {"reason": "x"}), ("return", {"reason": "x"})):
        r = lab.req("POST", "/api/v1/units/%d/%s" % (u["id"], ev), body, want=409)
        t.check(r.json["error"]["code"] == "invalid_transition", "H12: administered unit refuses %s" % ev, r)
    n = lab.srv.db_query("SELECT COUNT(*) FROM unit_administrations WHERE unit_id = ?", (u["id"],))[0][0]
    t.check(n == 1, "one administration recorded", n)


def pdf_text(body):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(body)
        f.flush()
        z = subprocess.run(["pdftotext", "-enc", "UTF-8", f.name, "-"], capture_output=True, text=True)
    return " ".join(z.stdout.split())


def zbar_codes(body):
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        f.write(body)
        f.flush()
        z = subprocess.run(["zbarimg", "-q", "--raw", f.name], capture_output=True, text=True)
    return z.stdout.split()


def test_labels(lab, t):
    """The facility on every label, the statements and type of donation per
    donor situation, the recipient on an autologous unit, the language."""
    address = "12 rue des Lilas\n75012 Paris"
    r = lab.req("PUT", "/api/v1/lab/site", {"facility_name": "Laboratoire de thérapie cellulaire",
                                            "facility_address": address, "label_language": "fr"},
                role="admin", want=200, what="facility set without changing the FIN")
    site = r.json["site"]
    t.check((site["fin"], site["facility_name"], site["facility_address"], site["label_language"]) ==
            ("W1234", "Laboratoire de thérapie cellulaire", address, "fr"), "the site shows the facility", site)
    lab.req("POST", "/api/v1/lab/product-codes", {"code": "S1A2B", "product_type": "uc-msc",
                                                  "description": "Cellules stromales mésenchymateuses de cordon"},
            role="admin", want=201, what="a product code with letters in its four characters")
    r = lab.req("POST", "/api/v1/patients", {"family_name": "Étiquette", "given_names": "Test",
                                             "birth_date": "1980-01-01", "sex": "female", "language": "fr",
                                             "confirm_duplicate": True}, role="coordinator", want=201)
    owner, mrn = r.json["id"], r.json["mrn"]
    # autologous, not screened: FOR AUTOLOGOUS USE ONLY, the recipient, NOT EVALUATED (1271.90(c))
    did = lab.donor(patient_id=owner, screen=False, sign=False)
    _, bid = lab.batch(did)
    u = lab.unit(bid, code="S1A2B")
    r = lab.req("GET", "/api/v1/units/%d/label.pdf" % u["id"], want=200)
    text = pdf_text(r.body)
    for want in ("RÉSERVÉ À UN USAGE AUTOLOGUE", "Receveur : Étiquette, Test",
                 "Né(e) le 01/01/1980 · dossier %s" % mrn, "NON ÉVALUÉ POUR LES SUBSTANCES INFECTIEUSES",
                 "Cellules stromales mésenchymateuses de cordon", "Laboratoire de thérapie cellulaire",
                 "12 rue des Lilas", "75012 Paris", "(FIN) W1234", "Prélevé le %s" % "/".join(reversed(D.split("-"))),
                 "QUARANTAINE", "S1A2B 1 00"):
        t.check(want in text, "autologous label (fr) shows %r" % want, text)
    t.check("DANGER BIOLOGIQUE" not in text and "FOR AUTOLOGOUS" not in text,
            "no biohazard legend, no English on the French label", text)
    r = lab.req("GET", "/api/v1/units/%d/label.pdf?lang=en" % u["id"], want=200)
    text = pdf_text(r.body)
    for want in ("FOR AUTOLOGOUS USE ONLY", "Recipient: Étiquette, Test", "record %s" % mrn,
                 "NOT EVALUATED FOR INFECTIOUS SUBSTANCES", "QUARANTINE"):
        t.check(want in text, "autologous label (?lang=en) shows %r" % want, text)
    r = lab.req("GET", "/api/v1/units/%d/label.png" % u["id"], want=200)
    codes = zbar_codes(r.body)
    t.check("=<S1A2B100" in codes, "type of donation '1' (for autologous use only) in the product code barcode", codes)
    # allogeneic donor signed ineligible with a reactive HBsAg test: Biohazard legend (1271.65(b)(2))
    did = lab.donor(screen=False, sign=False)
    for test in SCREENING:
        lab.req("POST", "/api/v1/donors/%d/tests" % did,
                {"test": test, "result": "positive" if test == "hbsag" else "negative", "sampled_on": D}, want=201)
    lab.req("POST", "/api/v1/donors/%d/eligibility" % did,
            {"decision": "ineligible", "reason": "HBsAg reactive", "password": harness.PASSWORD},
            role="physician", want=200)
    _, bid = lab.batch(did)
    u = lab.unit(bid)
    text = pdf_text(lab.req("GET", "/api/v1/units/%d/label.pdf" % u["id"], want=200).body)
    for want in ("DANGER BIOLOGIQUE", "AVERTISSEMENT : informer le patient des risques de maladies transmissibles",
                 "résultats réactifs pour HBsAg", "Don allogénique bénévole"):
        t.check(want in text, "ineligible donor label shows %r" % want, text)
    t.check("RÉSERVÉ" not in text and "Receveur" not in text, "no autologous statement on an allogeneic unit", text)
    r = lab.req("GET", "/api/v1/units/%d/label.pdf?lang=de" % u["id"], want=400)
    t.check(r.json["error"]["field"] == "lang", "an unknown label language is refused naming lang", r)
    lab.req("PUT", "/api/v1/lab/site", {"label_language": "en"}, role="admin", want=200)


def test_bad_input(lab, t, srv):
    """Every laboratory endpoint with bad bodies: 4xx, error names the field,
    nothing written."""
    p = lab.patient("Bad")
    did = lab.donor()
    cid, bid = lab.batch(did)
    lab.req("POST", "/api/v1/batches/%d/deviations" % bid, {"description": "x"}, want=201)
    dev = lab.req("GET", "/api/v1/batches/%d" % bid).json["deviations"][0]["id"]
    u = lab.unit(bid, position="Z9")
    B = "/api/v1/batches/%d" % bid
    U = "/api/v1/units/%d" % u["id"]
    cases = [
        # (method, path, role, body, field)
        ("PUT", "/api/v1/lab/site", "admin", {"fin": "O1234"}, "fin"),
        ("PUT", "/api/v1/lab/site", "admin", {"fin": 12345}, "fin"),
        ("PUT", "/api/v1/lab/site", "admin", {}, "fin"),
        ("PUT", "/api/v1/lab/site", "admin", {"fin": "W1234", "label_language": "de"}, "label_language"),
        ("PUT", "/api/v1/lab/site", "admin", {"fin": "W1234", "facility_name": "a\nb"}, "facility_name"),
        ("PUT", "/api/v1/lab/site", "admin", {"fin": "W1234", "facility_address": "1\n2\n3\n4\n5"}, "facility_address"),
        ("PUT", "/api/v1/lab/site", "admin", {"fin": "W1234", "facility_name": "x" * 121}, "facility_name"),
        ("POST", "/api/v1/lab/product-codes", "admin", {"code": "S1a2B", "product_type": "uc-msc"}, "code"),
        ("POST", "/api/v1/lab/product-codes", "admin", {"code": "s1234", "product_type": "uc-msc"}, "code"),
        ("POST", "/api/v1/lab/product-codes", "admin", {"code": "S9999", "product_type": "UC-MSC"}, "product_type"),
        ("POST", "/api/v1/lab/product-codes", "admin", {"code": "S1234", "product_type": "uc-msc"}, "code"),
        ("PATCH", "/api/v1/lab/product-codes/1", "admin", {"active": "no"}, "active"),
        ("PATCH", "/api/v1/lab/product-codes/999", "admin", {"active": False}, "id"),
        ("POST", "/api/v1/donors", "lab", {"kind": "other"}, "kind"),
        ("POST", "/api/v1/donors", "lab", {"kind": "autologous"}, "patient_id"),
        ("POST", "/api/v1/donors", "lab", {"kind": "allogeneic", "patient_id": p}, "patient_id"),
        ("POST", "/api/v1/donors", "lab", {"kind": "allogeneic", "code": "bad code"}, "code"),
        ("POST", "/api/v1/donors", "lab", {"kind": "allogeneic", "consent_date": "2026-02-30"}, "consent_date"),
        ("POST", "/api/v1/donors", "lab", {"kind": "allogeneic", "consent_date": "2999-01-01"}, "consent_date"),
        ("POST", "/api/v1/donors", "lab", {"kind": "allogeneic", "name": "Jane"}, "name"),
        ("POST", "/api/v1/donors", "lab", {"kind": "autologous", "patient_id": 999999}, "patient_id"),
        ("PATCH", "/api/v1/donors/%d" % did, "lab", {"consent_date": D, "version": 999}, "version"),
        ("PATCH", "/api/v1/donors/%d" % did, "lab", {"consent_date": D}, "If-Match"),
        ("POST", "/api/v1/donors/%d/tests" % did, "lab", {"test": "hbsag", "result": "neg", "sampled_on": D}, "result"),
        ("POST", "/api/v1/donors/%d/tests" % did, "lab", {"test": "hiv1", "result": "negative", "sampled_on": D}, "test"),
        ("POST", "/api/v1/donors/%d/tests" % did, "lab", {"test": "hiv", "result": "negative", "sampled_on": D}, "test"),
        ("POST", "/api/v1/donors/%d/tests" % did, "lab", {"test": "HBsAg", "result": "negative", "sampled_on": D}, "test"),
        ("POST", "/api/v1/donors/%d/tests" % did, "lab", {"test": "hbsag", "result": "negative", "sampled_on": D}, "reason"),
        ("POST", "/api/v1/donors/%d/tests" % did, "lab", {"test": "hbsag", "result": "negative"}, "sampled_on"),
        ("POST", "/api/v1/donors/%d/tests" % did, "lab", {"test": "hbsag", "result": "negative", "sampled_on": day(2)}, "sampled_on"),
        ("POST", "/api/v1/donors/%d/tests" % did, "lab", {"test": "hbsag", "result": "negative", "sampled_on": "2026-02-30"}, "sampled_on"),
        ("POST", "/api/v1/donors/999999/tests", "lab", {"test": "hbsag", "result": "negative", "sampled_on": D}, "id"),
        ("PUT", "/api/v1/lab/donor-panels", "admin", {"kind": "other", "days_before": 0, "days_after": 7}, "kind"),
        ("PUT", "/api/v1/lab/donor-panels", "admin", {"kind": "allogeneic", "days_before": 31, "days_after": 7}, "days_before"),
        ("PUT", "/api/v1/lab/donor-panels", "admin", {"kind": "allogeneic", "days_before": -1, "days_after": 7}, "days_before"),
        ("PUT", "/api/v1/lab/donor-panels", "admin", {"kind": "allogeneic", "days_before": 0, "days_after": 8}, "days_after"),
        ("PUT", "/api/v1/lab/donor-panels", "admin", {"kind": "allogeneic", "days_before": 0}, "days_after"),
        ("PUT", "/api/v1/lab/donor-panels", "admin", {"kind": "allogeneic", "days_before": 0, "days_after": 7, "markers": {"hiv": "negative"}}, "markers"),
        ("PUT", "/api/v1/lab/donor-panels", "admin", {"kind": "allogeneic", "days_before": 0, "days_after": 7, "markers": {"hbsag": "maybe"}}, "markers"),
        ("PUT", "/api/v1/lab/donor-panels", "admin", {"kind": "allogeneic", "days_before": 0, "days_after": 7, "markers": ["hbsag"]}, "markers"),
        ("POST", "/api/v1/donors/%d/eligibility" % did, "qa", {"decision": "maybe", "password": harness.PASSWORD}, "decision"),
        ("POST", "/api/v1/donors/%d/eligibility" % did, "qa", {"decision": "ineligible", "password": harness.PASSWORD}, "reason"),
        ("POST", "/api/v1/donors/%d/eligibility" % did, "qa", {"decision": "eligible"}, "password"),
        ("POST", "/api/v1/collections", "lab", {"donor_id": did, "source": "blood", "collected_on": D, "mass_g": 1}, "source"),
        ("POST", "/api/v1/collections", "lab", {"donor_id": did, "source": "placenta", "collected_on": D}, "volume_ml"),
        ("POST", "/api/v1/collections", "lab", {"donor_id": did, "source": "placenta", "collected_on": D, "mass_g": -1}, "mass_g"),
        ("POST", "/api/v1/collections", "lab", {"donor_id": 0, "source": "placenta", "collected_on": D, "mass_g": 1}, "donor_id"),
        ("POST", "/api/v1/collections", "lab", {"donor_id": 999999, "source": "placenta", "collected_on": D, "mass_g": 1}, "donor_id"),
        ("POST", "/api/v1/batches", "lab", {"product_type": "uc-msc", "collection_ids": []}, "collection_ids"),
        ("POST", "/api/v1/batches", "lab", {"product_type": "uc-msc", "collection_ids": ["1"]}, "collection_ids"),
        ("POST", "/api/v1/batches", "lab", {"product_type": "uc-msc", "collection_ids": [cid, cid]}, "collection_ids"),
        ("POST", "/api/v1/batches", "lab", {"product_type": "uc-msc", "collection_ids": 5}, "collection_ids"),
        ("POST", "/api/v1/batches", "lab", {"product_type": "msc", "collection_ids": [cid]}, "product_type"),
        ("POST", "/api/v1/batches", "lab", {"product_type": "uc-msc", "collection_ids": [999999]}, "collection_ids"),
        ("POST", B + "/steps", "lab", {"step": "thawing", "performed_at": D + "T00:00:00Z", "operator": "x"}, "step"),
        ("POST", B + "/steps", "lab", {"step": "harvest", "performed_at": D, "operator": "x"}, "performed_at"),
        ("POST", B + "/steps", "lab", {"step": "harvest", "performed_at": D + "T00:00:00Z", "operator": " "}, "operator"),
        ("POST", B + "/steps", "lab", {"step": "cm-harvest", "performed_at": D + "T00:00:00Z", "operator": "x"}, "step"),
        ("POST", B + "/steps", "lab", {"step": "passage", "performed_at": D + "T00:00:00Z", "operator": "x", "passage": -1}, "passage"),
        ("POST", B + "/steps", "lab", {"step": "passage", "performed_at": D + "T00:00:00Z", "operator": "x\u0007"}, "operator"),
        ("POST", B + "/deviations", "lab", {"description": ""}, "description"),
        ("POST", B + "/deviations/%d/close" % dev, "qa", {}, "disposition"),
        ("POST", B + "/deviations/999999/close", "qa", {"disposition": "ok"}, "deviation_id"),
        ("POST", B + "/qc", "lab", {"test": "potency", "tested_on": D, "value": 1, "unit": "%"}, "test"),
        ("POST", B + "/qc", "lab", {"test": "sterility", "tested_on": D}, "detected"),
        ("POST", B + "/qc", "lab", {"test": "viability", "tested_on": D}, "value"),
        ("POST", B + "/qc", "lab", {"test": "viability", "tested_on": "yesterday", "value": 90, "unit": "%"}, "tested_on"),
        ("POST", B + "/qc", "lab", {"test": "viability", "tested_on": D, "value": "90", "unit": "%"}, "value"),
        ("POST", B + "/qc", "lab", {"test": "sterility", "tested_on": D, "detected": False, "unit": "%"}, "unit"),
        ("POST", B + "/release", "qa", {}, "password"),
        ("POST", B + "/release", "qa", {"password": "not the password"}, "password"),
        ("POST", B + "/reject", "qa", {"password": srv.passwords["qa1"], "reason": "  "}, "reason"),
        ("POST", B + "/units", "lab", {"product_code": "S2000", "cells": 1, "volume_ml": 1, "expiry": NEXT_YEAR}, "product_code"),
        ("POST", B + "/units", "lab", {"product_code": "S7777", "cells": 1, "volume_ml": 1, "expiry": NEXT_YEAR}, "product_code"),
        ("POST", B + "/units", "lab", {"product_code": "S1234", "cells": 0, "volume_ml": 1, "expiry": NEXT_YEAR}, "cells"),
        ("POST", B + "/units", "lab", {"product_code": "S1234", "cells": 1, "volume_ml": 0, "expiry": NEXT_YEAR}, "volume_ml"),
        ("POST", B + "/units", "lab", {"product_code": "S1234", "cells": 1, "volume_ml": 1, "expiry": "2000-01-01"}, "expiry"),
        ("POST", B + "/units", "lab", {"product_code": "S1234", "cells": 1, "volume_ml": 1, "expiry": NEXT_YEAR, "viability": 101}, "viability"),
        ("POST", B + "/units", "lab", {"product_code": "S1234", "cells": 1, "volume_ml": 1, "expiry": NEXT_YEAR, "division": 27}, "division"),
        ("POST", B + "/units", "lab", {"product_code": "S1234", "cells": 1, "volume_ml": 1, "expiry": NEXT_YEAR, "freezer": "F1"}, "position"),
        ("POST", B + "/units", "lab", {"product_code": "S1234", "cells": 1, "volume_ml": 1, "expiry": NEXT_YEAR,
                                       "freezer": "F1", "rack": "R1", "box": "B1", "position": "Z9"}, "position"),
        ("POST", U + "/reserve", "lab", {"patient_id": p, "product_type": "xx"}, "product_type"),
        ("POST", U + "/reserve", "lab", {"patient_id": 0, "product_type": "uc-msc"}, "patient_id"),
        ("POST", U + "/reserve", "lab", {"patient_id": p, "product_type": "uc-msc", "dose_cells": -5}, "dose_cells"),
        # a patient named twice, an MRN where an id is expected, a malformed or unknown MRN
        ("POST", U + "/reserve", "lab", {"patient_id": p, "patient_mrn": "00000018", "product_type": "uc-msc"}, "patient_mrn"),
        ("POST", U + "/reserve", "lab", {"patient_id": "00000018", "product_type": "uc-msc"}, "patient_id"),
        ("POST", U + "/reserve", "lab", {"patient_mrn": "00000019", "product_type": "uc-msc"}, "patient_mrn"),
        ("POST", U + "/reserve", "lab", {"patient_mrn": 18, "product_type": "uc-msc"}, "patient_mrn"),
        ("POST", U + "/reserve", "lab", {"patient_mrn": "99999997", "product_type": "uc-msc"}, "patient_mrn"),
        ("POST", U + "/reserve", "lab", {"product_type": "uc-msc"}, "patient_id"),
        # the planned administration: both numbers, positive ids, one that exists
        ("POST", U + "/reserve", "lab", {"patient_id": p, "product_type": "uc-msc", "plan_id": 1}, "plan_item"),
        ("POST", U + "/reserve", "lab", {"patient_id": p, "product_type": "uc-msc", "plan_item": 1}, "plan_id"),
        ("POST", U + "/reserve", "lab", {"patient_id": p, "product_type": "uc-msc", "plan_id": "1", "plan_item": 1}, "plan_id"),
        ("POST", U + "/reserve", "lab", {"patient_id": p, "product_type": "uc-msc", "plan_id": 1, "plan_item": 0}, "plan_item"),
        ("POST", U + "/issue", "lab", {"ward": "W", "patient_id": p, "patient_mrn": "00000018"}, "patient_mrn"),
        ("POST", U + "/unreserve", "lab", {"reason": 5}, "reason"),
        ("POST", U + "/issue", "lab", {"ward": ""}, "ward"),
        ("POST", U + "/issue", "lab", {"ward": "W", "patient_id": "1"}, "patient_id"),
        ("POST", U + "/return", "lab", {}, "reason"),
        ("POST", "/api/v1/administrations", "nurse", {"plan_id": 1, "item": 1, "wristband": "00000000",
                                                      "route": "intravenous", "units": [{"din": "x", "product_code": "y"}],
                                                      "started_at": "2026-13-01T00:00:00Z"}, "started_at"),
        ("POST", U + "/hold", "lab", {"reason": ""}, "reason"),
        ("POST", U + "/discard", "lab", {}, "reason"),
        ("POST", U + "/release", "qa", {"password": 1}, "password"),
        ("POST", U + "/restock", "qa", {"password": srv.passwords["qa1"]}, "reason"),
        ("POST", U + "/move", "lab", {"freezer": "F1", "rack": "R1", "box": "B1"}, "position"),
        ("POST", U + "/custody", "lab", {"event": "melt", "note": "x"}, "event"),
        ("POST", U + "/custody", "lab", {"event": "thaw", "note": ""}, "note"),
        ("POST", "/api/v1/units/999999/hold", "lab", {"reason": "x"}, "id"),
    ]
    for role in harness.ROLES:  # tokens are made on first use: make them before the checksum
        srv.token(role)
    before = srv.db_tables()
    for method, path, role, body, field in cases:
        r = srv.request(method, path, body, role=role)
        err = (r.json or {}).get("error") or {}
        t.check(400 <= r.status < 500 and err.get("field") == field,
                "bad input %s %s %s -> 4xx naming %s" % (method, path, sorted(body), field), r)
    # bodies that are not JSON objects, and unknown fields, on every mutating route
    mutating = sorted({(m, p_, r_) for m, p_, r_, _, _ in cases})
    for method, path, role in mutating:
        for raw in ("not json", "[1,2]", '{"a":1,"a":2}'):
            r = srv.request(method, path, raw, role=role)
            t.check(r.status == 400 and (r.json or {}).get("error", {}).get("code") == "invalid_json",
                    "%s %s refuses %s" % (method, path, raw), r)
        r = srv.request(method, path, {"zzz_unknown": 1}, role=role)
        t.check(r.status in (400, 404) and (r.json or {}).get("error", {}).get("field") in ("zzz_unknown", "id"),
                "%s %s refuses an unknown field" % (method, path), r)
    for path, field in (("/api/v1/units?state=lost", "state"), ("/api/v1/units?expiring_within=0", "expiring_within"),
                        ("/api/v1/units?din=W123", "din"), ("/api/v1/units?batch_id=x", "batch_id"),
                        ("/api/v1/batches?status=open", "status"), ("/api/v1/collections?donor_id=-1", "donor_id"),
                        ("/api/v1/units?q=" + "W" * 41, "q"), ("/api/v1/batches?q=" + "B" * 41, "q"),
                        ("/api/v1/collections?q=" + "C" * 41, "q"), ("/api/v1/donors?q=" + "D" * 41, "q"),
                        ("/api/v1/patient-lookup?q=" + "x" * 201, "q"),
                        ("/api/v1/planned-administrations", "patient_id"),
                        ("/api/v1/planned-administrations?patient_id=x", "patient_id"),
                        ("/api/v1/lookback/donors/%d?format=xml" % did, "format")):
        r = srv.request("GET", path, role="lab")
        t.check(r.status == 400 and (r.json or {}).get("error", {}).get("field") == field, "GET %s -> 400 %s" % (path, field), r)
    for path in ("/api/v1/donors/999999", "/api/v1/batches/999999", "/api/v1/units/0", "/api/v1/collections/abc",
                 "/api/v1/lookback/patients/999999", "/api/v1/units/999999/label.png",
                 "/api/v1/planned-administrations?patient_id=999999"):
        t.check(srv.request("GET", path, role="lab").status == 404, "GET %s -> 404" % path)
    # roles: lab writes, qa releases, physician and nurse read
    for method, path, role, body in (("POST", "/api/v1/donors", "nurse", {"kind": "allogeneic"}),
                                     ("POST", B + "/release", "lab", {"password": srv.passwords["lab1"]}),
                                     ("POST", "/api/v1/donors/%d/eligibility" % did, "lab", {"decision": "eligible", "password": srv.passwords["lab1"]}),
                                     ("PUT", "/api/v1/lab/site", "lab", {"fin": "W1234"}),
                                     ("GET", "/api/v1/units", "coordinator", None),
                                     ("GET", "/api/v1/lookback/donors/%d" % did, "analyst", None),
                                     ("POST", U + "/issue", "nurse", {"ward": "W", "patient_id": p})):
        r = srv.request(method, path, body, role=role)
        t.check(r.status == 403, "%s %s refused to %s" % (method, path, role), r)
    after = srv.db_tables()
    changed = [name for name in harness.db_diff(before, after)
               if name not in harness.SECURITY_BOOKKEEPING]
    t.check(not changed, "no bad request changed the database", changed)


def main():
    args = harness.parse_args()
    t = harness.Tally("laboratory", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        lab = Lab(srv, t)
        configure(lab)
        test_flow(lab, t, srv)
        test_h2_h13(lab, t)
        test_h3(lab, t, srv)
        test_h7(lab, t)
        test_h12(lab, t)
        test_labels(lab, t)
        test_bad_input(lab, t, srv)
        test_donor_testing(lab, t, srv)
        r = srv.cli("audit", "verify", "--data", srv.data)
        t.check(r.returncode == 0, "the audit chain is intact after all of it", r.stdout + r.stderr)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
