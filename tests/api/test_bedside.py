#!/usr/bin/env python3
"""Bedside administration, vital signs and adverse events against a
real server.

- the whole path: patient, screening, signed eligibility, plan,
  approval; donor, batch, QC, release, unit reserved for one planned
  administration and issued; worklist; the bedside check; the
  administration record (unit administered, custody event, lookback link);
  vital signs with an abnormal temperature prompting an adverse event;
  completion with the observation tasks; the adverse event with its
  deadlines, signed assessment, reports, lists, CSV; the wristband read back
  with zbarimg;
- hazards at the API level: H1 (wrong patient, wrong unit, unit of another
  planned administration, bad check digit / check character), H2 (quarantined
  unit), H3 (expired unit), H4 (dose, route, stale weight), H5 (lumbar
  punctures too close, physician override with a reason only), H7 (autologous
  unit of another patient, no override), H9 (deadlines, overdue), H12
  (double administration, twice the same planned administration); the
  intrathecal second verification;
- bad input for every bedside endpoint: 4xx naming the field and the database
  unchanged; roles refused with 403.

Time travel: a plan's first administration is at the earliest tomorrow, so
the tests move planned dates to today (and weights, expiries, awareness
instants into the past) by writing the database behind the server's back,
as test_laboratory.py does for expiry.

    python3 tests/api/test_bedside.py --binary build/cellclinic [-v]
"""

import csv
import datetime
import io
import json
import os
import shutil
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_laboratory as labt  # noqa: E402

TODAY = datetime.date.today()
D = TODAY.isoformat()
EXCLUDE = ("sessions", "api_tokens", "login_attempts") + harness.SECURITY_BOOKKEEPING


def day(offset):
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


def now_iso(hours=0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=hours)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def results():
    d = day(-3)
    q = lambda v, u, lo=None, hi=None: dict({"value": v, "unit": u, "date": d},
                                            **({"ref_low": lo, "ref_high": hi} if lo is not None else {}))
    return {"hb": q(13.5, "g/dL", 12, 16), "wbc": q(6.1, "10^9/L"), "plt": q(240, "10^9/L"),
            "creatinine": q(0.9, "mg/dL"), "alt": q(22, "U/L"), "ast": q(25, "U/L"),
            "inr": q(1.0, "1"), "aptt": q(30, "s", 25, 38),
            "hiv": {"positive": False, "date": d}, "hbv": {"positive": False, "date": d},
            "hcv": {"positive": False, "date": d}, "syphilis": {"positive": False, "date": d}}


class Bedside:
    def __init__(self, srv, t):
        self.srv, self.t = srv, t
        self.lab = labt.Lab(srv, t)

    def pw(self, role):
        return self.srv.passwords[harness.user_of(role)]

    def req(self, method, path, body=None, role="nurse", want=None, what=None):
        r = self.srv.request(method, path, body, role=role)
        if want is not None:
            self.t.check(r.status == want, what or "%s %s answers %d" % (method, path, want), r)
        return r

    def sql(self, statement, params=()):
        self.srv.db_exec(statement, params)

    def patient(self, family, birth="1988-04-02", kg=72.5):
        r = self.req("POST", "/api/v1/patients", {"family_name": family, "given_names": "Test",
                                                  "birth_date": birth, "sex": "male", "language": "fr",
                                                  "confirm_duplicate": True}, role="coordinator", want=201)
        pid = r.json["id"]
        self.req("POST", "/api/v1/patients/%d/weights" % pid, {"date": D, "kg": kg}, want=201)
        self.req("POST", "/api/v1/patients/%d/conditions" % pid,
                 {"icd10": "S14.1", "label": "Cord injury", "onset_date": day(-90), "details": {"level": "C5"}},
                 role="physician", want=201)
        return r.json

    def approved_plan(self, pid, start):
        """A signed eligible screening and an approved sci plan from start;
        (plan id, the approval's answer)."""
        r = self.req("POST", "/api/v1/screenings", {"patient_id": pid, "protocol": "sci", "results": results(),
                                                    "findings": {"ecg": {"state": "normal", "date": day(-2)}},
                                                    "history": {"cancer_history": "no", "pregnancy": "no",
                                                                "active_infection": "no"}},
                     role="physician", want=201)
        self.req("POST", "/api/v1/screenings/%d/decision" % r.json["id"],
                 {"decision": "eligible", "password": self.pw("physician")}, role="physician", want=200)
        r = self.req("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci", "start": start},
                     role="coordinator", want=201)
        plan_id = r.json["id"]
        self.srv.record_consent(pid, "sci")  # H15: approval needs it
        r = self.req("POST", "/api/v1/plans/%d/approve" % plan_id, {"password": self.pw("physician")},
                     role="physician", want=200)
        return plan_id, r.json

    def plan(self, pid):
        """An approved sci plan whose planned dates are moved so that item 1 (IV)
        and items 2 and 4 (intrathecal) are due today."""
        plan_id, _ = self.approved_plan(pid, day(7))
        body = json.loads(self.srv.db_query("SELECT body FROM plans WHERE id = ?", (plan_id,))[0][0])
        for a in body["administrations"]:
            if a["n"] in (1, 2, 4):
                a["date"] = D
        self.sql("UPDATE plans SET body = ? WHERE id = ?", (json.dumps(body), plan_id))
        return plan_id, {a["n"]: a for a in body["administrations"]}

    def unit(self, pid, plan_id, item, cells, reserve=True, issue=True, batch=None, dose=True):
        if batch is None:
            did = self.lab.donor()
            _, batch = self.lab.batch(did)
            u = self.lab.unit(batch, cells=cells)
            self.lab.qc(batch)
            self.lab.release(batch)
        else:
            u = self.lab.unit(batch, cells=cells)
        if reserve:
            body = {"patient_id": pid, "product_type": "uc-msc", "plan_id": plan_id, "plan_item": item}
            if dose:
                body["dose_cells"] = cells
            self.req("POST", "/api/v1/units/%d/reserve" % u["id"], body, role="lab", want=200,
                     what="unit reserved for plan %d item %d" % (plan_id, item))
        if issue:
            self.req("POST", "/api/v1/units/%d/issue" % u["id"], {"ward": "Ward A"}, role="lab", want=200)
        u = self.req("GET", "/api/v1/units/%d" % u["id"], role="lab").json["unit"]
        u["batch"] = batch
        return u


def scan(u):
    return {"din": u["din"] + u["din_check"], "product_code": "=<%s0%s" % (
        u["product_code"], "00" if not u["division"] else chr(64 + u["division"]) + "0")}


def body_for(plan_id, item, patient, units, route, **extra):
    b = {"plan_id": plan_id, "item": item, "wristband": patient["mrn"], "route": route,
         "units": [scan(u) for u in units], "site": "arm"}
    b.update(extra)
    return b


def codes(r):
    return sorted(x["code"] for x in (r.json or {}).get("reasons", []))


def test_flow(b, t, srv):
    p = b.patient("Bedside")
    plan_id, items = b.plan(p["id"])
    it1 = items[1]
    t.check(it1["route"] == "intravenous" and items[2]["route"] == "intrathecal", "sci: IV then intrathecal", items)
    u1 = b.unit(p["id"], plan_id, 1, it1["cells"])

    r = b.req("GET", "/api/v1/worklist", want=200)
    mine = [x for x in r.json["administrations"] if x["plan_id"] == plan_id]
    t.check(any(x["item"] == 1 and x["status"] == "planned" and x["ward"] == "Ward A"
                and x["units"][0]["id"] == u1["id"] for x in mine), "the worklist shows today's administration", mine)
    r = b.req("GET", "/api/v1/worklist?ward=Nowhere", want=200)
    t.check(not [x for x in r.json["administrations"] if x["plan_id"] == plan_id], "ward filter", r)

    # wristband: PDF, PNG read back by zbarimg
    r = b.req("GET", "/api/v1/patients/%d/wristband.pdf" % p["id"], want=200)
    t.check(r.body[:5] == b"%PDF-", "wristband PDF", r.header("Content-Type"))
    r = b.req("GET", "/api/v1/patients/%d/wristband.png" % p["id"], want=200)
    if shutil.which("zbarimg"):
        with tempfile.NamedTemporaryFile(suffix=".png") as f:
            f.write(r.body)
            f.flush()
            out = subprocess.run(["zbarimg", "-q", "--raw", f.name], capture_output=True, text=True).stdout
        t.check(out.split() == [p["mrn"]], "the wristband barcode reads back as the MRN", out)

    body = body_for(plan_id, 1, p, [u1], "intravenous")
    before = srv.db_checksum(EXCLUDE)
    r = b.req("POST", "/api/v1/administrations/verify", body, want=200)
    t.check(r.json["go"] is True and r.json["reasons"] == [] and r.json["total_amount"] == it1["cells"],
            "verify: everything right", r)
    t.check(r.json["prescription"]["route"] == "intravenous" and r.json["prescription"]["dose"] == it1["cells"],
            "verify shows the prescription", r)
    t.check(srv.db_checksum(EXCLUDE) == before, "verify stores nothing")
    r = b.req("POST", "/api/v1/administrations", body, want=201, what="administration recorded")
    adm = r.json["administration"]
    t.check(adm["status"] == "in_progress" and adm["actual_amount"] == it1["cells"] and adm["plan_ref"] ==
            "plan:%d:1" % plan_id and r.json["units"][0]["id"] == u1["id"], "record with its unit", r)
    t.check(b.lab.state(u1["id"]) == "administered", "the unit is administered")
    unit = b.req("GET", "/api/v1/units/%d" % u1["id"], role="lab").json
    t.check(unit["custody"][-1]["event"] == "administer" and unit["administrations"][0]["patient_id"] == p["id"],
            "custody event and lookback link", unit)
    r = b.req("GET", "/api/v1/lookback/patients/%d" % p["id"], role="physician", want=200)
    t.check([x["unit_id"] for x in r.json["exposures"]] == [u1["id"]], "the lookback sees the exposure", r)

    # vital signs: before normal, after with fever -> prompt
    aid = adm["id"]
    r = b.req("POST", "/api/v1/administrations/%d/vitals" % aid,
              {"phase": "before", "systolic": 120, "diastolic": 75, "heart_rate": 72, "spo2": 98,
               "temperature": 36.8, "respiratory_rate": 14}, want=201)
    t.check(r.json["abnormal"] == [] and r.json["prompt_adverse_event"] is False, "normal vital signs", r)
    r = b.req("POST", "/api/v1/administrations/%d/vitals" % aid, {"phase": "after", "temperature": 38.6}, want=201)
    t.check([x["code"] for x in r.json["abnormal"]] == ["temperature_high"] and r.json["prompt_adverse_event"],
            "fever prompts an adverse-event report", r)
    t.check("fièvre" in r.json["abnormal"][0]["fr"], "the finding in French", r)
    t.check(r.json["autonomic_dysreflexia"] is None, "a fever is not autonomic dysreflexia", r)
    # autonomic dysreflexia: the patient's injury is at C5 (T6 or above); baseline
    # is the 'before' reading (120) while no earlier day has one
    vit = "/api/v1/administrations/%d/vitals" % aid
    r = b.req("POST", vit, {"phase": "during", "systolic": 139, "diastolic": 80}, want=201)
    t.check(r.json["abnormal"] == [] and r.json["autonomic_dysreflexia"] is None,
            "C5 injury: a rise of 19 mmHg over the baseline is no alert", r)
    r = b.req("POST", vit, {"phase": "during", "systolic": 140, "diastolic": 80}, want=201)
    ad = r.json["autonomic_dysreflexia"]
    t.check([x["code"] for x in r.json["abnormal"]] == ["autonomic_dysreflexia"] and r.json["prompt_adverse_event"]
            and ad and ad["field"] == "systolic" and "20 above the baseline of 120" in ad["en"]
            and "Dysréflexie autonome" in ad["fr"],
            "C5 injury: a rise of 20 mmHg alerts and prompts a report though 140 is inside the ward limits", r)
    # a reading from an earlier day is the baseline: 100 yesterday, so 125 today is a 25 mmHg rise
    r = b.req("POST", vit, {"phase": "before", "systolic": 100, "diastolic": 60, "taken_at": now_iso(-24)},
              want=201)
    t.check(r.json["autonomic_dysreflexia"] is None, "yesterday's lower reading alerts nothing", r)
    r = b.req("POST", vit, {"phase": "after", "systolic": 125, "diastolic": 70}, want=201)
    ad = r.json["autonomic_dysreflexia"]
    t.check(ad and "25 above the baseline of 100" in ad["en"],
            "the baseline is the last reading of an earlier day, not the day's own", r)

    r = b.req("POST", "/api/v1/administrations/%d/complete" % aid, {"notes": "uneventful infusion"}, want=200)
    tasks = r.json["tasks"]
    t.check(r.json["administration"]["status"] == "completed" and len(tasks) == 8 and
            all(x["kind"] == "vitals" for x in tasks), "completion generates 8 vital-sign tasks (IV)", tasks)
    b.req("POST", "/api/v1/administrations/%d/complete" % aid, {}, want=409, what="complete twice: 409")
    r = b.req("GET", "/api/v1/worklist", want=200)
    open_tasks = [x for x in r.json["tasks"] if x["administration_id"] == aid]
    t.check(len(open_tasks) == 8, "the tasks are on the worklist", r.json["tasks"])
    r = b.req("POST", "/api/v1/administrations/%d/tasks/%d/done" % (aid, tasks[0]["id"]), {"note": "BP ok"}, want=200)
    b.req("POST", "/api/v1/administrations/%d/tasks/%d/done" % (aid, tasks[0]["id"]), {}, want=409,
          what="a task is done once")

    # adverse event: fever linked to the administration and unit
    r = b.req("GET", "/api/v1/adverse-events/terms", role="analyst", want=200)
    fever = [x for x in r.json["terms"] if x["code"] == "fever"][0]
    t.check([g["grade"] for g in fever["grades"]] == [1, 2, 3, 4, 5] and "38.0" in fever["grades"][0]["en"],
            "fever grades 1-5 with definitions", fever)
    ae = {"patient_id": p["id"], "term": "fever", "grade": 1, "onset_at": now_iso(-1),
          "related_product": "possible", "related_procedure": "unlikely", "expectedness": "expected",
          "administration_ids": [aid], "unit_ids": [u1["id"]], "action": "treated", "outcome": "recovering"}
    r = b.req("POST", "/api/v1/adverse-events", ae, want=201)
    e = r.json
    t.check(e["deadlines"] == [] and e["adverse_event"]["serious"] == 0, "a non-serious event has no deadline", e)
    r = b.req("GET", "/api/v1/administrations/%d" % aid, want=200)
    t.check([x["id"] for x in r.json["adverse_events"]] == [e["adverse_event"]["id"]], "the record shows its event", r)
    r = b.req("GET", "/api/v1/lookback/batches/%d" % u1["batch"], role="physician", want=200)
    t.check([x["id"] for x in r.json["adverse_events"]] == [e["adverse_event"]["id"]],
            "lookback from the batch shows the recipient's adverse event", r)
    r = b.req("GET", "/api/v1/lookback/patients/%d" % p["id"], role="physician", want=200)
    t.check([x["term_code"] for x in r.json.get("adverse_events", [])] == ["fever"],
            "the patient's exposure lists the event", r)
    return p, plan_id, items, aid


def test_hazards(b, t, srv):
    p = b.patient("Hazards")
    other = b.patient("Someone")
    plan_id, items = b.plan(p["id"])
    oplan, oitems = b.plan(other["id"])
    cells = items[1]["cells"]
    good = b.unit(p["id"], plan_id, 1, cells)
    mine_item4 = b.unit(p["id"], plan_id, 4, cells)
    theirs = b.unit(other["id"], oplan, 1, cells)

    def refused(body, code, what, role="nurse"):
        before = srv.db_checksum(EXCLUDE)
        r = b.req("POST", "/api/v1/administrations", body, role=role)
        t.check(r.status == 409 and r.error()["code"] == "bedside_refused" and code in codes(r),
                "%s: refused with %s" % (what, code), r)
        t.check(srv.db_checksum(EXCLUDE) == before, "%s: nothing stored" % what)
        return r

    iv = lambda units, **kw: body_for(plan_id, 1, p, units, "intravenous", **kw)
    # H1
    r = refused(dict(iv([good]), wristband=other["mrn"]), "wrong_patient", "H1 wrong wristband")
    t.check("Mauvais patient" in r.json["reasons"][0]["fr"] and r.json["reasons"][0]["message"] ==
            r.json["reasons"][0]["en"], "the refusal in both languages, the user's first", r.json)
    bad = p["mrn"][:-1] + str((int(p["mrn"][-1]) + 1) % 10)
    refused(dict(iv([good]), wristband=bad), "wristband_unreadable", "H1 MRN check digit")
    refused(iv([theirs]), "unit_other_patient", "H1 another patient's unit")
    refused(iv([mine_item4]), "unit_other_item", "H1 the unit of another planned administration")
    wrong_k = dict(scan(good), din=good["din"] + ("A" if good["din_check"] != "A" else "B"))
    r = b.req("POST", "/api/v1/administrations", dict(iv([good]), units=[wrong_k]))
    t.check(r.status == 409 and "din_unreadable" in codes(r), "H1 DIN check character", r)
    refused(dict(iv([good]), units=[dict(scan(good), product_code="=<S9999000")]), "product_code_mismatch",
            "H1 product code of another product")
    # H2: a quarantined unit (batch not released)
    did = b.lab.donor()
    _, qbatch = b.lab.batch(did)
    q = b.lab.unit(qbatch, cells=cells)
    refused(iv([q]), "unit_not_released", "H2 quarantined unit")
    # H3: an issued unit whose expiry passed
    exp = b.unit(p["id"], plan_id, 1, cells)
    b.sql("UPDATE units SET expiry = ? WHERE id = ?", (day(-1), exp["id"]))
    refused(iv([exp]), "unit_expired", "H3 expired unit")
    b.req("POST", "/api/v1/units/%d/return" % exp["id"], {"reason": "expired at the bedside"}, want=200)
    b.req("GET", "/api/v1/units", role="lab", want=200)  # the sweep turns the returned unit expired (H3)
    # H4: route, dose, stale weight
    refused(dict(iv([good]), route="intrathecal"), "route_mismatch", "H4 wrong route")
    big = b.unit(p["id"], plan_id, 1, int(cells * 1.2), dose=False)
    refused(iv([big]), "dose_above_prescription", "H4 too many cells")
    b.req("POST", "/api/v1/units/%d/return" % big["id"], {"reason": "wrong dose"}, want=200)
    b.req("GET", "/api/v1/units", role="lab", want=200)
    b.sql("UPDATE patient_weights SET measured_on = ? WHERE patient_id = ?", (day(-31), p["id"]))
    refused(iv([good]), "weight_stale", "H4 weight 31 days old")
    b.req("POST", "/api/v1/patients/%d/weights" % p["id"], {"date": D, "kg": 72.5}, want=201)
    # H7: an autologous unit of another patient, no override
    owner = b.patient("Owner")
    adid = b.lab.donor(owner["id"])
    _, abatch = b.lab.batch(adid, product="bm-msc")
    au = b.lab.unit(abatch, code="S2000", cells=cells)
    r = refused(dict(iv([au]), override_reason="physician insists"), "autologous_other_patient",
                "H7 autologous unit of another patient", role="physician")
    t.check("override_not_needed" in codes(r), "the override cannot lift H7", r)
    # the good one goes through
    r = b.req("POST", "/api/v1/administrations", iv([good]), want=201, what="right unit, right patient: given")
    # H12: the same unit again, the same planned administration again
    r = b.req("POST", "/api/v1/administrations", iv([good]))
    t.check(r.status == 409 and "unit_already_administered" in codes(r) and "item_already_given" in codes(r),
            "H12 twice: refused", r)
    # H5 and the second verification: items 2 and 4 are intrathecal, both due today
    u2 = b.unit(p["id"], plan_id, 2, items[2]["cells"])
    it2 = body_for(plan_id, 2, p, [u2], "intrathecal")
    refused(it2, "second_check_required", "intrathecal without a second person")
    refused(dict(it2, second_verifier={"username": "nurse1", "password": b.pw("nurse")}),
            "second_check_same_person", "the operator cannot be the second verifier")
    before = srv.db_checksum(EXCLUDE)
    r = b.req("POST", "/api/v1/administrations", dict(it2, second_verifier={"username": "physician1",
                                                                              "password": "wrong password!"}))
    t.check(r.status == 403 and r.error()["code"] == "bad_second_signature", "wrong second password: 403", r)
    t.check(srv.db_checksum(EXCLUDE, ) == before, "a failed second signature stores nothing")
    sv = {"username": "physician1", "password": b.pw("physician")}
    # H16: platelets, INR/aPTT and the medication list before the lumbar puncture
    it2ok = dict(it2, second_verifier=sv, started_at=now_iso(-2))
    r = b.req("POST", "/api/v1/patients/%d/medications" % p["id"],
              {"name": "Apixaban", "class": "anticoagulant", "dose": "5 mg deux fois par jour",
               "start_date": day(-30)}, role="nurse", want=201, what="a nurse records an anticoagulant")
    med = r.json["id"]
    r = b.req("POST", "/api/v1/screenings", {"patient_id": p["id"], "protocol": "sci", "results": results(),
                                             "findings": {"ecg": {"state": "normal", "date": day(-2)}}},
              role="physician", want=201, what="H16 a work-up judged under a current anticoagulant")
    t.check(r.json["verdict"] == "not_eligible" and
            any(x["rule"] == "intrathecal-coagulation" and x["observed"].startswith("Apixaban")
                for x in r.json["reasons"]),
            "H16 eligibility excludes a lumbar puncture under a current anticoagulant", r.json)
    r = refused(it2ok, "anticoagulant_active", "H16 intrathecal under a current anticoagulant")
    fr = [x["fr"] for x in r.json["reasons"] if x["code"] == "anticoagulant_active"]
    t.check(fr and "Apixaban" in fr[0] and "anticoagulant" in fr[0] and "médecin" in fr[0],
            "H16 the refusal names the drug, in French too", r.json)
    refused(dict(it2ok, override_reason="haematologist agrees"), "override_not_allowed",
            "H16 a nurse cannot override")
    refused(dict(it2ok, second_verifier={"username": "nurse1", "password": b.pw("nurse")}, override_reason="  "),
            "override_reason_missing", "H16 a physician's override needs a reason", role="physician")
    b.req("POST", "/api/v1/patients/%d/medications/%d/stop" % (p["id"], med), {"stop_date": day(-3)},
          role="physician", want=200)
    refused(it2ok, "anticoagulant_active", "H16 stopped 3 days ago: still refused")
    b.sql("UPDATE patient_medications SET stop_date = ? WHERE id = ?", (day(-8), med))
    b.req("POST", "/api/v1/administrations/verify", it2ok, want=200, what="H16 stopped 8 days ago: verify passes")
    # a newer count of 45 x 10^9/L
    low = dict(results(), plt={"value": 45, "unit": "10^9/L", "date": day(-1)})
    b.req("POST", "/api/v1/screenings", {"patient_id": p["id"], "protocol": "sci", "results": low,
                                         "findings": {"ecg": {"state": "normal", "date": day(-2)}}},
          role="physician", want=201)
    r = refused(it2ok, "coagulation_out_of_range", "H16 platelets 45 x 10^9/L")
    t.check(any("45" in x["en"] and "50" in x["en"] for x in r.json["reasons"]), "H16 the count and the limit", r.json)
    b.sql("UPDATE screenings SET body = replace(body, '\"value\":45', '\"value\":240') WHERE patient_id = ?",
          (p["id"],))
    b.sql("UPDATE screenings SET body = replace(body, ?, ?) WHERE patient_id = ?", (day(-3), day(-9), p["id"]))
    b.sql("UPDATE screenings SET body = replace(body, ?, ?) WHERE patient_id = ?", (day(-1), day(-9), p["id"]))
    refused(it2ok, "coagulation_stale", "H16 the newest results 9 days old")
    sv_n = {"username": "nurse1", "password": b.pw("nurse")}
    r = b.req("POST", "/api/v1/administrations/verify",
              dict(it2ok, second_verifier=sv_n, override_reason="Count of yesterday by telephone; haematologist agrees"),
              role="physician", want=200)
    t.check(r.json.get("go") is True and r.json.get("override_used") is True, "H16 physician override with a reason", r.json)
    b.sql("UPDATE screenings SET body = replace(body, ?, ?) WHERE patient_id = ?", (day(-9), day(-3), p["id"]))
    r = b.req("POST", "/api/v1/administrations", it2ok, want=201,
              what="intrathecal with the second verification")
    t.check(r.json["administration"]["second_verifier"] == "physician1", "the second verifier is recorded", r)
    r = b.req("POST", "/api/v1/administrations/%d/complete" % r.json["administration"]["id"], {}, want=200)
    kinds = [x["kind"] for x in r.json["tasks"]]
    t.check(kinds.count("neuro_check") == 4 and kinds.count("headache_check") == 3
            and kinds.count("site_check") == 2, "lumbar-puncture tasks with the neurological checks", kinds)
    t.check("lie_flat" not in kinds, "no lying flat unless the site chose it (Cochrane CD009199)", kinds)
    u4 = mine_item4
    it4 = body_for(plan_id, 4, p, [u4], "intrathecal", second_verifier=sv)
    refused(it4, "lp_too_soon", "H5 second lumbar puncture 2 hours later")
    r = refused(dict(it4, override_reason="CSF leak repaired"), "override_not_allowed", "H5 a nurse cannot override")
    sv_nurse = {"username": "nurse1", "password": b.pw("nurse")}
    refused(dict(it4, second_verifier=sv_nurse, override_reason="   "), "override_reason_missing",
            "H5 override without a reason", role="physician")
    r = b.req("POST", "/api/v1/administrations", dict(it4, second_verifier=sv_nurse, override_reason="CSF leak repaired; neurologist agrees"),
              role="physician", want=201, what="H5 physician override with a reason")
    t.check(r.json["administration"]["override_reason"].startswith("CSF"), "the override reason is recorded", r)
    rows = srv.db_query("SELECT reason FROM audit_log WHERE entity = 'administration' AND entity_id = ?",
                        (str(r.json["administration"]["id"]),))
    t.check(rows and rows[0][0].startswith("CSF"), "the override reason is in the audit trail", rows)
    return p, plan_id


def test_h9(b, t, srv):
    p = b.patient("Serious")
    ae = {"patient_id": p["id"], "term": "anaphylaxis", "grade": 4, "onset_at": now_iso(-30),
          "aware_at": now_iso(-26), "seriousness": ["life_threatening", "hospitalisation"],
          "related_product": "probable", "related_procedure": "unlikely", "expectedness": "unexpected"}
    r = b.req("POST", "/api/v1/adverse-events", ae, want=201)
    e = r.json
    dls = {d["kind"]: d for d in e["deadlines"]}
    t.check(sorted(dls) == ["biovigilance_conclusion", "biovigilance_notification", "expedited", "followup",
                            "initial"],
            "SUSAR: 24 h, 7 days, 15 days; related to the cells: the two biovigilance reports too", e["deadlines"])
    t.check(dls["initial"]["status"] == "overdue", "H9: aware 26 hours ago, initial report overdue", dls)
    t.check(dls["expedited"]["status"] == "pending", "7-day report pending", dls)
    r = b.req("GET", "/api/v1/adverse-events/deadlines", role="qa", want=200)
    t.check(r.json["overdue"] >= 1 and any(x["adverse_event_id"] == e["adverse_event"]["id"] and
                                             x["status"] == "overdue" for x in r.json["deadlines"]),
            "H9: the dashboard shows the overdue report", r)
    aid = e["adverse_event"]["id"]
    r = b.req("POST", "/api/v1/adverse-events/%d/reports" % aid, {"kind": "initial", "reference": "ANSM-1"},
              role="physician", want=200)
    st = {d["kind"]: d["status"] for d in r.json["deadlines"]}
    t.check(st["initial"] == "late", "reported after the deadline: late", st)
    b.req("POST", "/api/v1/adverse-events/%d/reports" % aid, {"kind": "initial"}, role="physician", want=409,
          what="a report is recorded once")
    b.req("POST", "/api/v1/adverse-events/%d/assessment" % aid, {"password": "wrong password!"}, role="physician",
          want=403, what="assessment with a wrong password")
    b.req("POST", "/api/v1/adverse-events/%d/assessment" % aid, {"password": b.pw("nurse")}, role="nurse",
          want=403, what="a nurse cannot sign the assessment")
    r = b.req("POST", "/api/v1/adverse-events/%d/assessment" % aid, {"password": b.pw("physician")},
              role="physician", want=200)
    t.check(r.json["adverse_event"]["assessed_by"] == "physician1", "signed assessment", r)
    v = r.json["adverse_event"]["version"]
    upd = dict(ae, outcome="recovered", resolved_at=now_iso(-1), version=v)
    r = b.req("PATCH", "/api/v1/adverse-events/%d" % aid, upd, role="physician")
    t.check(r.status == 400 and r.error()["field"] == "reason", "a signed event needs a reason to change", r)
    r = b.req("PATCH", "/api/v1/adverse-events/%d" % aid, dict(upd, reason="resolved"), role="physician", want=200)
    t.check(r.json["adverse_event"]["outcome"] == "recovered", "updated", r)
    r = b.req("PATCH", "/api/v1/adverse-events/%d" % aid, dict(upd, reason="again"), role="physician", want=409,
              what="stale version: 409")
    # non-serious, serious expected, serious unexpected unrelated: only the 24 h report
    ae2 = dict(ae, term="hypotension", grade=3, seriousness=["hospitalisation"], expectedness="expected",
               related_product="unlikely", aware_at=now_iso(-1))
    r = b.req("POST", "/api/v1/adverse-events", ae2, want=201)
    t.check([d["kind"] for d in r.json["deadlines"]] == ["initial"] and
            r.json["deadlines"][0]["status"] == "due_soon", "serious expected: initial report only, due soon", r)
    ae3 = dict(ae2, expectedness="unexpected", related_product="possible")
    r = b.req("POST", "/api/v1/adverse-events", ae3, want=201)
    due = {d["kind"]: d["due_at"] for d in r.json["deadlines"]}
    t.check(sorted(due) == ["biovigilance_conclusion", "biovigilance_notification", "expedited", "initial"],
            "serious unexpected related, not fatal: 15 days (and biovigilance)", r)
    # lists and CSV
    r = b.req("GET", "/api/v1/adverse-events?serious=true&patient_id=%d" % p["id"], want=200)
    t.check(r.json["total"] == 3, "per-patient list filtered on seriousness", r)
    r = b.req("GET", "/api/v1/adverse-events?grade=4&related=related", role="qa", want=200)
    t.check([x["id"] for x in r.json["items"]] == [aid], "grade and relatedness filters", r)
    r = b.req("GET", "/api/v1/adverse-events?format=csv&term=anaphylaxis", want=200)
    rows = list(csv.reader(io.StringIO(r.body.decode())))
    t.check(rows[0][:2] == ["id", "patient_mrn"] and len(rows) == 2 and rows[1][0] == str(aid) and
            rows[1][5] == "anaphylaxis", "CSV export", rows)
    # lang=fr: the headers and the coded values in the French catalogue's words
    r = b.req("GET", "/api/v1/adverse-events?format=csv&term=anaphylaxis&lang=fr", want=200)
    fr = list(csv.reader(io.StringIO(r.body.decode())))
    head = fr[0]
    t.check(head[:3] == ["Numéro", "N° de dossier (MRN)", "Nom"] and "Grade" in head and
            "Lien avec le produit" in head and len(fr) == 2 and fr[1][0] == str(aid),
            "CSV export in French: column headers", fr)
    cells = dict(zip(head, fr[1]))
    english = dict(zip(rows[0], rows[1]))
    t.check(cells["Lien avec l’acte"] == "peu probable" and english["related_procedure"] == "unlikely" and
            cells["Évolution"] == "guéri" and english["outcome"] == "recovered" and
            cells["Grave"] == "oui" and english["serious"] == "1" and
            cells["Code du terme"] == english["term_code"] == "anaphylaxis",
            "CSV export in French: coded values translated, data kept", (cells, english))
    b.req("GET", "/api/v1/adverse-events?format=csv&lang=xx", want=400)


def test_biovigilance(b, t, srv):
    """A serious reaction possibly linked to the cells owes the competent authority
    the rapid notification and the conclusions (Directive 2004/23/EC art. 11,
    Commission Directive 2006/86/EC Annex III), with the site's deadlines, shown
    with the H9 ones and each marked sent with who, when and the reference."""
    r = b.req("GET", "/api/v1/bedside/settings", role="qa", want=200)
    t.check(r.json["bv_notify_hours"] == 24 and r.json["bv_conclusion_days"] == 90,
            "biovigilance defaults: 24 hours, 90 days", r)
    p = b.patient("Biovig")
    ae = {"patient_id": p["id"], "term": "fever", "grade": 3, "onset_at": now_iso(-40), "aware_at": now_iso(-30),
          "seriousness": ["hospitalisation"], "related_product": "possible", "related_procedure": "unlikely",
          "expectedness": "expected"}
    r = b.req("POST", "/api/v1/adverse-events", ae, want=201)
    aid = r.json["adverse_event"]["id"]
    dls = {d["kind"]: d for d in r.json["deadlines"]}
    t.check(sorted(dls) == ["biovigilance_conclusion", "biovigilance_notification", "initial"],
            "expected reaction to the cells: no ICH expedited report, but the biovigilance ones", r.json)
    t.check(dls["biovigilance_notification"]["status"] == "overdue" and
            dls["biovigilance_conclusion"]["status"] == "pending",
            "aware 30 hours ago: notification overdue, conclusions pending", dls)
    r = b.req("GET", "/api/v1/adverse-events/deadlines", role="qa", want=200)
    t.check(any(x["adverse_event_id"] == aid and x["kind"] == "biovigilance_notification" and
                x["status"] == "overdue" for x in r.json["deadlines"]),
            "the deadline dashboard lists the biovigilance notification", r.json)
    r = b.req("POST", "/api/v1/adverse-events/%d/reports" % aid,
              {"kind": "biovigilance_notification", "reference": "BV-2026-0042"}, role="qa", want=200)
    d = {x["kind"]: x for x in r.json["deadlines"]}["biovigilance_notification"]
    t.check(d["status"] == "late" and d["reported_by"] == "qa1" and d["reference"] == "BV-2026-0042" and
            d["reported_at"], "marked sent by the QA with the authority's reference: late", d)
    rows = srv.db_query("SELECT username, action FROM audit_log WHERE entity = 'adverse_event_deadline'"
                        " AND entity_id = ?", (str(d["id"]),))
    t.check(rows == [("qa1", "report")], "the notification sent is in the audit trail", rows)
    r = b.req("GET", "/api/v1/adverse-events/deadlines", role="qa", want=200)
    t.check(not any(x["adverse_event_id"] == aid and x["kind"] == "biovigilance_notification"
                    for x in r.json["deadlines"]), "once sent it leaves the dashboard", r.json)
    b.req("POST", "/api/v1/adverse-events/%d/reports" % aid, {"kind": "biovigilance_notification"}, role="qa",
          want=409, what="the notification is recorded once")
    b.req("POST", "/api/v1/adverse-events/%d/reports" % aid, {"kind": "expedited"}, role="qa",
          want=404, what="no expedited report owed by an expected reaction")
    # the procedure alone is not the cells
    r = b.req("POST", "/api/v1/adverse-events", dict(ae, related_product="unlikely", related_procedure="definite"),
              want=201)
    t.check(not [x for x in r.json["deadlines"] if x["kind"].startswith("biovigilance")],
            "related to the lumbar puncture only: no biovigilance report", r.json)
    # the site's deadlines
    r = b.req("PUT", "/api/v1/bedside/settings", {"bv_notify_hours": 48, "bv_conclusion_days": 30}, role="admin",
              want=200)
    t.check(r.json["bv_notify_hours"] == 48, "biovigilance deadlines configurable", r)
    aware = now_iso(-30)
    r = b.req("POST", "/api/v1/adverse-events", dict(ae, aware_at=aware), want=201)
    dls = {d["kind"]: d for d in r.json["deadlines"]}
    when = lambda x: datetime.datetime.strptime(x, "%Y-%m-%dT%H:%M:%SZ")
    t.check(dls["biovigilance_notification"]["status"] == "due_soon" and
            when(dls["biovigilance_notification"]["due_at"]) - when(aware) == datetime.timedelta(hours=48) and
            when(dls["biovigilance_conclusion"]["due_at"]) - when(aware) == datetime.timedelta(days=30),
            "the site's 48 hours and 30 days: due 18 hours from now, not yet overdue", dls)
    for bad in ({"bv_notify_hours": 0}, {"bv_conclusion_days": 400}):
        r = b.req("PUT", "/api/v1/bedside/settings", bad, role="admin")
        t.check(r.status == 400 and r.error()["field"] == list(bad)[0], "out of range refused: %s" % bad, r)
    b.req("PUT", "/api/v1/bedside/settings", {"bv_notify_hours": 24, "bv_conclusion_days": 90}, role="admin",
          want=200)


def test_bad_input(b, t, srv, p, plan_id, aid):
    for role in harness.ROLES:
        srv.token(role)
    b.req("GET", "/api/v1/worklist", role="nurse")
    before = srv.db_checksum(EXCLUDE)
    tables = srv.db_tables()
    good = body_for(plan_id, 3, p, [{"din": "W123426000001", "din_check": "X", "product_code": "S1234",
                                     "division": 0}], "intravenous")
    cases = [
        ("/api/v1/administrations", {}, "plan_id"),
        ("/api/v1/administrations", dict(good, plan_id="1"), "plan_id"),
        ("/api/v1/administrations", dict(good, item=0), "item"),
        ("/api/v1/administrations", dict(good, item=999), "item"),
        ("/api/v1/administrations", dict(good, units=[]), "units"),
        ("/api/v1/administrations", dict(good, units=[1]), "units"),
        ("/api/v1/administrations", dict(good, units=[{"din": "x"}]), "units[0].product_code"),
        ("/api/v1/administrations", dict(good, units=[{"din": "x", "product_code": "y", "z": 1}]), "units[0].z"),
        ("/api/v1/administrations", dict(good, units=[good["units"][0]] * 5), "units"),
        ("/api/v1/administrations", dict(good, wristband="1\n2"), "wristband"),
        ("/api/v1/administrations", dict(good, started_at="yesterday"), "started_at"),
        ("/api/v1/administrations", dict(good, started_at="2001-01-01T00:00:00Z"), "started_at"),
        ("/api/v1/administrations", dict(good, second_verifier={"username": "x"}), "second_verifier.password"),
        ("/api/v1/administrations", dict(good, extra=1), "extra"),
        ("/api/v1/administrations/verify", dict(good, route=7), "route"),
        ("/api/v1/administrations/%d/vitals" % aid, {"phase": "later", "spo2": 90}, "phase"),
        ("/api/v1/administrations/%d/vitals" % aid, {"phase": "after"}, "vitals"),
        ("/api/v1/administrations/%d/vitals" % aid, {"phase": "after", "spo2": 140}, "spo2"),
        ("/api/v1/administrations/%d/vitals" % aid, {"phase": "after", "temperature": 60}, "temperature"),
        ("/api/v1/administrations/%d/vitals" % aid, {"phase": "after", "systolic": 80, "diastolic": 90}, "diastolic"),
        ("/api/v1/administrations/%d/vitals" % aid, {"phase": "after", "heart_rate": "fast"}, "heart_rate"),
        ("/api/v1/administrations/%d/vitals" % aid, {"phase": "after", "spo2": 95, "taken_at": "2099-01-01T00:00:00Z"}, "taken_at"),
        ("/api/v1/administrations/%d/complete" % aid, {"ended_at": "now"}, "ended_at"),
        ("/api/v1/adverse-events", {"patient_id": p["id"]}, "term"),
        ("/api/v1/adverse-events", {"patient_id": p["id"], "term": "fevre", "grade": 1, "onset_at": now_iso(-1),
                                    "related_product": "possible", "related_procedure": "unlikely",
                                    "expectedness": "expected"}, "term"),
    ]
    ae = {"patient_id": p["id"], "term": "headache", "grade": 2, "onset_at": now_iso(-1),
          "related_product": "possible", "related_procedure": "unlikely", "expectedness": "expected"}
    for change, field in ((dict(grade=4), "grade"), (dict(grade=0), "grade"), (dict(onset_at="2026-13-01T00:00:00Z"), "onset_at"),
                          (dict(onset_at=now_iso(2)), "onset_at"), (dict(resolved_at=now_iso(-3)), "resolved_at"),
                          (dict(seriousness=["serious"]), "seriousness"), (dict(related_product="maybe"), "related_product"),
                          (dict(related_procedure=None), "related_procedure"), (dict(expectedness="surprising"), "expectedness"),
                          (dict(action="panic"), "action"), (dict(outcome="dead"), "outcome"),
                          (dict(term="other"), "term_text"), (dict(term_source="meddra", term_text="x"), "term_source"),
                          (dict(grade=5, term="fever"), "seriousness"), (dict(administration_ids=[0]), "administration_ids"),
                          (dict(unit_ids=["1"]), "unit_ids"), (dict(version=1), "version"), (dict(description="a\x01"), "description"),
                          (dict(patient_id=0), "patient_id")):
        cases.append(("/api/v1/adverse-events", dict(ae, **change), field))
    for path, body, field in cases:
        r = b.req("POST", path, body, role="physician")
        t.check(r.status == 400 and (r.error() or {}).get("field") == field, "POST %s -> 400 %s" % (path, field), r)
    for path, body, status in (("/api/v1/administrations", dict(good, plan_id=999999), 404),
                               ("/api/v1/administrations/999999/vitals", {"phase": "after", "spo2": 95}, 404),
                               ("/api/v1/administrations/999999/complete", {}, 404),
                               ("/api/v1/administrations/%d/tasks/999999/done" % aid, {}, 404),
                               ("/api/v1/adverse-events", dict(ae, patient_id=999999), 404),
                               ("/api/v1/adverse-events", dict(ae, administration_ids=[999999]), 404),
                               ("/api/v1/adverse-events/999999/reports", {"kind": "initial"}, 404),
                               ("/api/v1/adverse-events/999999/assessment", {"password": b.pw("physician")}, 404)):
        r = b.req("POST", path, body, role="physician")
        t.check(r.status == status, "POST %s -> %d" % (path, status), r)
    for path, field in (("/api/v1/adverse-events?grade=7", "grade"), ("/api/v1/adverse-events?serious=yes", "serious"),
                        ("/api/v1/adverse-events?related=maybe", "related"),
                        ("/api/v1/adverse-events?product_type=blood", "product_type"),
                        ("/api/v1/adverse-events?format=xml", "format"), ("/api/v1/worklist?date=tomorrow", "date"),
                        ("/api/v1/administrations?patient_id=x", "patient_id")):
        r = b.req("GET", path, role="physician")
        t.check(r.status == 400 and (r.error() or {}).get("field") == field, "GET %s -> 400 %s" % (path, field), r)
    r = b.req("PUT", "/api/v1/bedside/settings", {"fever_dc": 100}, role="admin")
    t.check(r.status == 400 and r.error()["field"] == "temperature", "settings: fever below the low limit", r)
    r = b.req("PUT", "/api/v1/bedside/settings", {"lie_flat_minutes": -5}, role="admin")
    t.check(r.status == 400 and r.error()["field"] == "lie_flat_minutes", "settings: negative bed rest", r)
    r = b.req("PUT", "/api/v1/bedside/settings", {"fatal_days": 0}, role="admin")
    t.check(r.status == 400 and r.error()["field"] == "fatal_days", "settings: zero days", r)
    r = b.req("PATCH", "/api/v1/adverse-events/999999", dict(ae, version=1), role="physician")
    t.check(r.status == 404, "PATCH unknown event: 404", r)
    # roles
    for method, path, role, body in (("POST", "/api/v1/administrations", "lab", good),
                                     ("POST", "/api/v1/administrations", "coordinator", good),
                                     ("POST", "/api/v1/adverse-events", "analyst", ae),
                                     ("GET", "/api/v1/adverse-events", "lab", None),
                                     ("GET", "/api/v1/worklist", "lab", None),
                                     ("PUT", "/api/v1/bedside/settings", "physician", {"fever_dc": 385}),
                                     ("POST", "/api/v1/administrations/%d/vitals" % aid, "qa", {"phase": "after"})):
        r = b.req(method, path, body, role=role)
        t.check(r.status == 403, "%s %s refused to %s" % (method, path, role), r)
    t.check(srv.db_checksum(EXCLUDE) == before, "no bad request changed the database",
            harness.db_diff(tables, srv.db_tables()))
    r = b.req("PUT", "/api/v1/bedside/settings", {"fever_dc": 385}, role="admin", want=200)
    t.check(r.json["fever_dc"] == 385 and r.json["initial_hours"] == 24, "settings changed", r)
    t.check(r.json["lie_flat_minutes"] == 0, "no bed rest by default", r)


def test_h14(b, t, srv):
    """H14: a cryopreserved unit is given only thawed, inside its product type's
    post-thaw window and at or above its minimum viability; each refusal changes
    nothing."""
    p = b.patient("Cryo")
    plan_id, items = b.plan(p["id"])
    cells = items[1]["cells"]
    iv = lambda units: body_for(plan_id, 1, p, units, "intravenous")
    freeze = {"cryoprotectant": "DMSO", "cryoprotectant_percent": 10, "rate_c_per_min": 1,
              "frozen_at": now_iso(-24 * 30)}

    def refused(units, code, what):
        before = srv.db_checksum(EXCLUDE)
        r = b.req("POST", "/api/v1/administrations", iv(units), role="nurse")
        t.check(r.status == 409 and r.error()["code"] == "bedside_refused" and code in codes(r),
                "%s: refused with %s" % (what, code), r)
        t.check(srv.db_checksum(EXCLUDE) == before, "%s: the refusal changes nothing" % what)
        return r

    late = b.unit(p["id"], plan_id, 1, cells)
    r = b.req("POST", "/api/v1/units/%d/freezing" % late["id"], freeze, role="lab", want=201,
              what="H14 freezing recorded")
    f = r.json["freezing"][0]
    t.check(f["cryoprotectant"] == "DMSO" and f["cryoprotectant_tenths"] == 100 and
            f["rate_tenths"] == 10 and r.json["thaw"] == [], "H14 the unit view shows the freezing", r.json)
    b.req("POST", "/api/v1/units/%d/freezing" % late["id"], freeze, role="lab", want=409,
          what="H14 a second freezing record is refused")
    refused([late], "unit_not_thawed", "H14 frozen unit not thawed")
    thaw = {"thawed_at": now_iso(-3), "viable_cells": cells, "viability_percent": 91.5}
    b.req("POST", "/api/v1/units/%d/thaw" % late["id"], thaw, role="physician", want=403,
          what="H14 a physician does not record a thaw")
    r = b.req("POST", "/api/v1/units/%d/thaw" % late["id"], thaw, role="nurse", want=201,
              what="H14 thaw recorded by the nurse")
    th = r.json["thaw"][0]
    t.check(th["viability_tenths"] == 915 and th["post_thaw_hours"] == 2 and
            th["expires_at"] == (datetime.datetime.strptime(thaw["thawed_at"], "%Y-%m-%dT%H:%M:%SZ") +
                                 datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ") and
            r.json["custody"][-1]["event"] == "thaw", "H14 the unit view shows the thaw and its expiry", r.json)
    r = refused([late], "unit_thaw_expired", "H14 unit past its post-thaw window")
    reason = [x for x in r.json["reasons"] if x["code"] == "unit_thaw_expired"][0]
    t.check("décongelée" in reason["fr"] and "2 hours" in reason["en"],
            "H14 the refusal in English and French", reason)
    low = b.unit(p["id"], plan_id, 1, cells)
    b.req("POST", "/api/v1/units/%d/freezing" % low["id"], freeze, role="lab", want=201)
    b.req("POST", "/api/v1/units/%d/thaw" % low["id"],
          {"thawed_at": now_iso(), "viable_cells": cells, "viability_percent": 69.9}, role="lab",
          want=201)
    refused([low], "unit_viability_low", "H14 unit below the minimum viability")
    # the product type's settings are read at the bedside: a 4-hour window admits the unit
    # thawed 3 hours ago
    r = b.req("PUT", "/api/v1/lab/cryo-settings",
              {"product_type": "uc-msc", "post_thaw_hours": 4, "min_viability_percent": 70},
              role="admin", want=200, what="H14 post-thaw window set to 4 hours")
    t.check({"product_type": "uc-msc", "post_thaw_hours": 4, "min_viability_tenths": 700} in r.json,
            "H14 settings answer the new window", r.json)
    b.req("POST", "/api/v1/units/%d/return" % low["id"], {"reason": "not viable"}, want=200)
    r = b.req("POST", "/api/v1/administrations", iv([late]), role="nurse", want=201,
              what="H14 thawed 3 hours ago, inside a 4-hour window: given")
    b.req("PUT", "/api/v1/lab/cryo-settings",
          {"product_type": "uc-msc", "post_thaw_hours": 2, "min_viability_percent": 70},
          role="admin", want=200)
    # a whole batch frozen at once: every unit without a record gets the same one
    _, batch = b.lab.batch(b.lab.donor())
    units = [b.lab.unit(batch), b.lab.unit(batch, code="S1234")]
    r = b.req("POST", "/api/v1/batches/%d/freezing" % batch, freeze, role="lab", want=201,
              what="H14 batch freezing recorded")
    t.check(r.json == {"frozen": 2}, "H14 batch freezing: both units", r.json)
    views = [b.req("GET", "/api/v1/units/%d" % u["id"], role="lab").json for u in units]
    t.check(all(v["freezing"] and v["freezing"][0]["cryoprotectant_tenths"] == 100 for v in views),
            "H14 batch freezing: each unit shows its record", views)
    before = srv.db_checksum(EXCLUDE)
    r = b.req("POST", "/api/v1/batches/%d/freezing" % batch, freeze, role="lab", want=409,
              what="H14 batch freezing again: nothing to freeze")
    t.check(r.error()["code"] == "nothing_to_freeze" and srv.db_checksum(EXCLUDE) == before,
            "H14 batch freezing again changes nothing", r)
    b.req("POST", "/api/v1/batches/999999/freezing", freeze, role="lab", want=404)


def test_child_vitals(b, t, srv, p, aid):
    """A child's vital signs are judged by age band (core/paediatric): the
    patient becomes a girl of 3 years and 1 month through the demographics
    form, then her readings are judged by Fleming's centiles (heart rate and
    respiratory rate), PALS hypotension and the CTCAE v5.0 paediatric grade."""
    born = (datetime.date.today() - datetime.timedelta(days=3 * 365 + 40)).isoformat()
    version = srv.db_query("SELECT version FROM patients WHERE id = ?", (p["id"],))[0][0]
    b.req("PATCH", "/api/v1/patients/%d" % p["id"], {"birth_date": born, "sex": "female", "version": version,
                                                    "reason": "date of birth corrected"},
          role="coordinator", want=200)
    vit = "/api/v1/administrations/%d/vitals" % aid
    # adult limits would flag all four: heart rate > 120, respiratory rate > 24, systolic < 90
    # breathing, 3-4 years: Fleming's 1st and 99th centiles 17 and 33 (WHO's fast breathing, 40, is laxer)
    r = b.req("POST", vit, {"phase": "after", "heart_rate": 136, "respiratory_rate": 33, "systolic": 80,
                            "diastolic": 45}, want=201)
    t.check(r.json["abnormal"] == [] and r.json["prompt_adverse_event"] is False,
            "a girl of 3: heart rate 136 (99th centile), 33 breaths, 80/45 mmHg are normal for her age", r)
    r = b.req("POST", vit, {"phase": "after", "heart_rate": 137, "respiratory_rate": 34, "systolic": 75}, want=201)
    t.check(sorted(x["code"] for x in r.json["abnormal"]) == ["heart_rate_high", "respiratory_rate_high",
                                                             "systolic_low"] and r.json["prompt_adverse_event"],
            "a girl of 3: heart rate 137, 34 breaths and systolic 75 (PALS limit 76) are abnormal", r)
    r = b.req("POST", vit, {"phase": "after", "respiratory_rate": 16}, want=201)
    t.check([x["code"] for x in r.json["abnormal"]] == ["respiratory_rate_low"],
            "a girl of 3: 16 breaths, under the 1st centile (17), is slow though the adult limit is 10", r)
    r = b.req("POST", vit, {"phase": "after", "respiratory_rate": 17}, want=201)
    t.check(r.json["abnormal"] == [], "a girl of 3: 17 breaths (1st centile) is normal", r)
    # girls 3 years, 5th height percentile: systolic 90th 100, 95th 104, 99th 111
    r = b.req("POST", vit, {"phase": "after", "systolic": 104, "diastolic": 60}, want=201)
    t.check([x["code"] for x in r.json["abnormal"]] == ["hypertension_grade_2"] and r.json["prompt_adverse_event"]
            and "grade 2" in r.json["abnormal"][0]["en"] and "hypertension de grade 2" in r.json["abnormal"][0]["fr"],
            "a girl of 3: 104/60 mmHg is hypertension grade 2 (CTCAE v5.0, children), inside adult limits", r)


def test_endotoxin(b, t, srv):
    """Release judged the batch's endotoxin for a 70 kg adult (0.2 EU/kg x 70 kg
    / 10 mL = 1.4 EU/mL intrathecal); the bedside judges it for the patient's
    real weight: 0.5 EU/mL x 10 mL = 5 EU is 0.5 EU/kg for a 10 kg child,
    above K = 0.2 EU/kg intrathecal (USP <85>)."""
    child = b.patient("Endotoxin", birth=(datetime.date.today() - datetime.timedelta(days=4 * 365)).isoformat(),
                      kg=10)
    plan_id, items = b.plan(child["id"])
    did = b.lab.donor()
    _, batch = b.lab.batch(did)
    u = b.lab.unit(batch, cells=items[2]["cells"])
    b.lab.qc(batch, [(test, 0.5 if test == "endotoxin" else value, unit) for test, value, unit in labt.MSC_QC])
    b.lab.release(batch)
    b.req("POST", "/api/v1/units/%d/reserve" % u["id"], {"patient_id": child["id"], "product_type": "uc-msc",
                                                         "plan_id": plan_id, "plan_item": 2,
                                                         "dose_cells": items[2]["cells"]}, role="lab", want=200)
    b.req("POST", "/api/v1/units/%d/issue" % u["id"], {"ward": "Ward A"}, role="lab", want=200)
    u = b.req("GET", "/api/v1/units/%d" % u["id"], role="lab").json["unit"]
    sv = {"username": "physician1", "password": b.pw("physician")}
    body = body_for(plan_id, 2, child, [u], "intrathecal", second_verifier=sv)
    before = srv.db_checksum(EXCLUDE)
    r = b.req("POST", "/api/v1/administrations/verify", body, want=200)
    reason = [x for x in (r.json or {}).get("reasons", []) if x["code"] == "endotoxin_over_limit"]
    t.check(r.json["go"] is False and codes(r) == ["endotoxin_over_limit"] and reason
            and "0.5 EU/kg" in reason[0]["en"] and "10 kg" in reason[0]["en"]
            and "Endotoxines : 0,5 UE/kg pour les 10 kg de ce patient" in reason[0]["fr"]
            and "0,2 UE/kg" in reason[0]["fr"],
            "a released unit's endotoxin is refused for a 10 kg child intrathecal (0.5 EU/kg > 0.2)", r)
    r = b.req("POST", "/api/v1/administrations", body)
    t.check(r.status == 409 and "endotoxin_over_limit" in codes(r), "recording it is refused too", r)
    t.check(srv.db_checksum(EXCLUDE) == before, "the refusal changes nothing")
def test_h15(b, t, srv):
    """H15: a withdrawn treatment consent blocks the bedside check and the
    administration, whatever else is right; the facts are read inside the
    administration's transaction."""
    p = b.patient("Retrait")
    plan_id, items = b.plan(p["id"])
    u = b.unit(p["id"], plan_id, 1, items[1]["cells"])
    body = body_for(plan_id, 1, p, [u], "intravenous")
    r = b.req("POST", "/api/v1/administrations/verify", body, want=200)
    t.check(r.json["go"] is True, "H15 with a current treatment consent: go", r)
    consent = srv.db_query("SELECT id FROM patient_consents WHERE patient_id = ? AND kind = 'treatment'",
                           (p["id"],))[0][0]
    b.req("POST", "/api/v1/patients/%d/consents/%d/withdraw" % (p["id"], consent),
          {"reason": "ne souhaite plus être traité"}, role="coordinator", want=200,
          what="H15 the treatment consent is withdrawn")
    r = b.req("POST", "/api/v1/administrations/verify", body, want=200)
    t.check(r.json["go"] is False and codes(r) == ["consent_withdrawn"],
            "H15 withdrawn treatment consent: the bedside check refuses", r)
    reason = (r.json.get("reasons") or [{}])[0]
    t.check("retiré son consentement" in reason.get("fr", "") and "withdrew" in reason.get("en", ""),
            "H15 the refusal in English and French", reason)
    before = srv.db_checksum(EXCLUDE)
    r = b.req("POST", "/api/v1/administrations", body, want=409,
              what="H15 withdrawn treatment consent: nothing is given")
    t.check(srv.db_checksum(EXCLUDE) == before and b.lab.state(u["id"]) == "issued",
            "H15 the refused administration changes nothing", r)


def test_timeline(b, t, srv, p, plan_id, aid):
    """The patient's stay in date order, read at once: screening, plan, the
    administration with its unit's DIN, its vital signs, the fever."""
    r = b.req("GET", "/api/v1/patients/%d/timeline" % p["id"], role="coordinator", want=200)
    events = r.json["events"]
    kinds = [e["kind"] for e in events]
    t.check(r.json["patient_id"] == p["id"] and kinds.index("screening") < kinds.index("plan")
            < kinds.index("administration"), "screening, then the plan, then the administration", kinds)
    t.check([e["at"][:10] for e in events] == sorted(e["at"][:10] for e in events), "in date order", events)
    adm = [e for e in events if e["kind"] == "administration"]
    unit = srv.db_query("SELECT u.din FROM administration_units au JOIN units u ON u.id = au.unit_id"
                        " WHERE au.administration_id = ?", (aid,))
    unit = {"din": unit[0][0] if unit else None}
    t.check([e["id"] for e in adm] == [aid] and adm[0]["detail"]["units"][0]["din"] == unit["din"]
            and adm[0]["detail"]["route"] == "intravenous", "the administration with its unit's DIN", adm)
    vitals = [e for e in events if e["kind"] == "vitals"]
    t.check(len(vitals) == 6 and all(v["detail"]["administration_id"] == aid for v in vitals)
            and any(v["detail"]["temperature_dc"] == 386 for v in vitals), "the six vital-sign readings", vitals)
    aes = [e for e in events if e["kind"] == "adverse_event"]
    t.check([e["detail"]["term_code"] for e in aes] == ["fever"] and aes[0]["detail"]["grade"] == 1,
            "the fever reported after it", aes)
    t.check([e["id"] for e in events if e["kind"] == "plan"] == [plan_id]
            and len([e for e in events if e["kind"] == "visit"]) == 4, "its plan and its four follow-up visits", kinds)
    # the plan and screening lists page with their total instead of stopping at a cap
    plans = srv.db_query("SELECT COUNT(*) FROM plans")[0][0]
    r = b.req("GET", "/api/v1/plans?per_page=1", role="coordinator", want=200)
    t.check(plans >= 1 and r.json["total"] == plans and len(r.json["items"]) == 1 and r.json["page"] == 1,
            "plans: one page of one, the total of all", r)
    r = b.req("GET", "/api/v1/patients/%d/screenings?per_page=1" % p["id"], role="coordinator", want=200)
    mine = srv.db_query("SELECT COUNT(*) FROM screenings WHERE patient_id = ?", (p["id"],))[0][0]
    t.check(r.json["total"] == mine and len(r.json["items"]) == 1, "screenings: the page and the total", r)
    b.req("GET", "/api/v1/plans?per_page=0", role="coordinator", want=400, what="per_page 0: 400")
    b.req("GET", "/api/v1/patients/999999/timeline", role="coordinator", want=404, what="unknown patient: 404")
    b.req("GET", "/api/v1/patients/%d/timeline" % p["id"], role="lab", want=403,
          what="the laboratory does not read the chart")


def main():
    args = harness.parse_args()
    t = harness.Tally("bedside", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        b = Bedside(srv, t)
        labt.configure(b.lab)
        p, plan_id, items, aid = test_flow(b, t, srv)
        test_timeline(b, t, srv, p, plan_id, aid)
        test_hazards(b, t, srv)
        test_h9(b, t, srv)
        test_biovigilance(b, t, srv)
        test_h14(b, t, srv)
        test_h15(b, t, srv)
        test_bad_input(b, t, srv, p, plan_id, aid)
        r = b.req("POST", "/api/v1/patients/%d/erasure-requests" % p["id"], {"reason": "asked at the desk"},
                  role="admin", want=409)
        t.check(r.error()["code"] == "traceability_retention" and
                r.json["erasure_request"]["units_received"] >= 1,
                "a patient who received units: erasure refused, traceability kept 30 years", r)
        test_child_vitals(b, t, srv, p, aid)
        test_endotoxin(b, t, srv)
        r = srv.cli("audit", "verify", "--data", srv.data, "--no-rows")
        t.check(r.returncode == 0, "the audit chain is intact after all of it", r.stdout + r.stderr)
        # test_hazards moved a weight's date with SQL: the row check must name that row only
        r = srv.cli("audit", "verify", "--data", srv.data)
        named = set(re.findall(r"row check: (\w+) id", r.stdout))
        t.check(r.returncode == 6 and named == {"patient_weights"},
                "audit verify's row check names the weight this test wrote behind the program's "
                "back, and nothing else", r.stdout + r.stderr)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
