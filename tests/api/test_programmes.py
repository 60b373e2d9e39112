"""Treatment programmes against a real server: protocols, screening
and eligibility with the physician's signature, plans (draft, approve,
cancel), capacity, and every bad input of each mutating endpoint leaving the
database unchanged. Hazards: H4 (stale weight, weight changed), H5 (the
approved calendar never exceeds capacity), H6 (no approval without a signed,
current decision; an exclusion needs a signed override with a reason).

Also the command line: `cellclinic plan ... --json` and `protocols`.
"""
import datetime
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

TODAY = datetime.date.today()


def day(offset):
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


def normal_results(age_days=3):
    d = day(-age_days)
    q = lambda v, u, lo=None, hi=None: dict({"value": v, "unit": u, "date": d},
                                            **({"ref_low": lo, "ref_high": hi} if lo is not None else {}))
    return {
        "hb": q(13.5, "g/dL", 12, 16), "wbc": q(6.1, "10^9/L"), "plt": q(240, "10^9/L"),
        "creatinine": q(0.9, "mg/dL"), "alt": q(22, "U/L"), "ast": q(25, "U/L"),
            "inr": q(1.0, "1"), "aptt": q(30, "s", 25, 38),
        "hiv": {"positive": False, "date": d}, "hbv": {"positive": False, "date": d},
        "hcv": {"positive": False, "date": d}, "syphilis": {"positive": False, "date": d},
    }


def work_up(pid, protocol="sci", **changes):
    body = {"patient_id": pid, "protocol": protocol, "results": normal_results(),
            "findings": {"ecg": {"state": "normal", "date": day(-2)}},
            "history": {"cancer_history": "no", "pregnancy": "no", "active_infection": "no"}}
    body.update(changes)
    return body


def main():
    args = harness.parse_args()
    t = harness.Tally("programmes", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose) as srv:
        pw = lambda role: srv.passwords[harness.user_of(role)]
        exclude = ("sessions", "api_tokens") + harness.SECURITY_BOOKKEEPING

        def patient(family, weight_days=0, kg=72.5, icd10="S14.1", birth_date="1988-04-02"):
            r = srv.request("POST", "/api/v1/patients",
                            {"family_name": family, "given_names": "Test", "birth_date": birth_date,
                             "sex": "male", "language": "fr"}, role="coordinator")
            pid = r.json["id"]
            srv.request("POST", "/api/v1/patients/%d/weights" % pid,
                        {"date": day(-weight_days), "kg": kg}, role="nurse")
            srv.request("POST", "/api/v1/patients/%d/conditions" % pid,
                        {"icd10": icd10, "label": "Cord injury", "onset_date": day(-90),
                         # a level is a detail of an injury or spina bifida only (core/condition.h)
                         "details": {"level": "C5"} if icd10[:3] in ("S14", "S24", "S34", "Q05") else {}},
                        role="physician")
            srv.record_consent(pid, "sci")  # H15: approval needs it
            return pid

        # --- protocols
        r = srv.request("GET", "/api/v1/protocols", role="nurse")
        ids = sorted(p["id"] for p in (r.json or {}).get("items", []))
        t.check(r.status == 200 and ids == ["als", "msc", "sci", "secretome", "spina-bifida"],
                "five shipped protocols are listed", r)
        r = srv.request("GET", "/api/v1/protocols/sci", role="analyst")
        t.check(r.status == 200 and r.json["versions"] == [1, 2] and r.json["origin"] == "shipped"
                and r.json["body"]["stay_days"] == {"min": 15, "max": 23},
                "sci versions 1 and 2 with the latest JSON", r)
        r = srv.request("GET", "/api/v1/protocols/nope", role="nurse")
        t.check(r.status == 404, "unknown protocol: 404", r)
        r = srv.request("GET", "/api/v1/screening-tests", role="nurse")
        t.check(r.status == 200 and any(x["code"] == "hb" and x["loinc"] == "718-7" for x in r.json["items"]),
                "screening test catalogue with LOINC codes", r)

        # --- follow-up instruments by indication (msc v2: EDSS for G35, KOOS for M17)
        for icd10, want, absent in (("G35", "edss", "koos"), ("M17.1", "koos", "edss"),
                                    ("M16", None, "koos")):
            pid = patient("Indication " + icd10.replace(".", ""), icd10=icd10)
            r = srv.request("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "msc", "start": day(7)},
                            role="coordinator")
            visits = ((r.json or {}).get("plan") or {}).get("follow_up", [])
            t.check(r.status == 201 and r.json["protocol_version"] == 2 and len(visits) == 4
                    and all((want is None or want in v["instruments"]) and absent not in v["instruments"]
                            and "satisfaction" in v["instruments"] for v in visits),
                    "msc plan for %s: follow-up asks %s, not %s" % (icd10, want, absent), visits)

        # --- follow-up instruments by age at the visit (spina-bifida v2): FLACC observed below
        # 8 years, the self-rated NRS from 8, NBSS from 18; the visits of a young child name no
        # NRS, so no link can ask the parents for a self-rating, and FLACC is never sent by link
        years_ago = lambda n: TODAY.replace(year=TODAY.year - n, day=min(TODAY.day, 28)).isoformat()
        for age, want, absent in ((5, {"flacc"}, {"nrs-pain", "nbss"}), (12, {"nrs-pain"}, {"flacc", "nbss"}),
                                  (30, {"nrs-pain", "nbss"}, {"flacc"})):
            pid = patient("Age %d" % age, kg=18 if age < 8 else 40 if age < 18 else 70, icd10="Q05.7",
                          birth_date=years_ago(age))
            r = srv.request("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "spina-bifida", "start": day(7)},
                            role="coordinator")
            visits = ((r.json or {}).get("plan") or {}).get("follow_up", [])
            t.check(r.status == 201 and r.json["protocol_version"] == 2 and len(visits) == 4
                    and all(want <= set(v["instruments"]) and not (absent & set(v["instruments"]))
                            for v in visits),
                    "spina-bifida plan at %d years: %s, not %s" % (age, sorted(want), sorted(absent)), visits)
            if age == 5 and r.status == 201:
                child_plan, child = r.json["id"], pid
        r = srv.request("POST", "/api/v1/screenings", work_up(child, protocol="spina-bifida"), role="physician")
        srv.request("POST", "/api/v1/screenings/%d/decision" % (r.json or {}).get("id", 0),
                    {"decision": "eligible", "password": pw("physician")}, role="physician")
        srv.record_consent(child, "spina-bifida")  # H15
        r = srv.request("POST", "/api/v1/plans/%d/approve" % child_plan,
                        {"password": pw("physician"), "dose_reason": "dose by weight, as the protocol says"},
                        role="physician")
        t.check(r.status == 200, "the child's plan is approved (its follow-up visits are made)", r)
        r = srv.request("GET", "/api/v1/follow-up?state=all&patient_id=%d" % child, role="nurse")
        items = (r.json or {}).get("items", [])
        visit = items[0]["id"] if items else 0
        before = srv.db_checksum(exclude)
        r = srv.request("POST", "/api/v1/follow-up/%d/links" % visit, {"instrument": "nrs-pain"}, role="nurse")
        t.check(r.status == 400 and r.error()["field"] == "instrument" and r.error()["code"] == "not_in_visit",
                "no NRS self-rating link for a 5-year-old's visit", r)
        r = srv.request("POST", "/api/v1/follow-up/%d/links" % visit, {"instrument": "flacc"}, role="nurse")
        t.check(r.status == 400 and r.error()["field"] == "instrument" and r.error()["code"] == "staff_only",
                "FLACC is scored by staff, never sent by link", r)
        r = srv.request("POST", "/api/v1/patients/%d/observations" % child,
                        {"instrument": "flacc", "date": day(0), "source": "patient",
                         "answers": {"face": "0", "legs": "0", "activity": "0", "cry": "0", "consolability": "0"}},
                        role="nurse")
        t.check(r.status == 400 and r.error()["field"] == "source" and r.error()["code"] == "staff_only",
                "a FLACC reported by the patient is refused", r)
        t.check(srv.db_checksum(exclude) == before, "the refused links and observation change nothing")

        # --- eligible patient: screening, signed decision, plan, approval
        p1 = patient("Eligible")
        r = srv.request("POST", "/api/v1/screenings", work_up(p1), role="physician")
        t.check(r.status == 201 and r.json["verdict"] == "eligible" and r.json["reasons"] == [],
                "complete normal work-up: eligible", r)
        s1 = (r.json or {}).get("id")
        t.check(r.json.get("work_up", {}).get("injury", {}).get("level") == "C5",
                "the injury comes from the patient's condition", r)

        r = srv.request("POST", "/api/v1/plans", {"patient_id": p1, "protocol": "sci", "start": day(7)},
                        role="coordinator")
        t.check(r.status == 201 and r.json["status"] == "draft", "draft plan", r)
        plan1 = r.json or {}
        body = plan1.get("plan", {})
        admins = body.get("administrations", [])
        t.check(len(admins) == 8 and admins[0]["route"] == "intravenous" and admins[0]["day"] == 2
                and admins[1]["route"] == "intrathecal", "8 administrations alternating from IV on day 2", body)
        it_days = [a["day"] for a in admins if a["route"] == "intrathecal"]
        t.check(all(b - a >= 3 for a, b in zip(it_days, it_days[1:])), "intrathecal >= 72 h apart (H5)", it_days)
        t.check(body.get("total_cells") == 8 * admins[0]["cells"] and 120e6 <= body["total_cells"] <= 400e6,
                "course within 120-400 million cells (H4)", body)
        t.check(body.get("quote", {}).get("currency") == "EUR" and body["quote"]["total_cents"] ==
                sum(l["amount_cents"] for l in body["quote"]["lines"]), "quote lines add up", body.get("quote"))
        t.check([f["label"] for f in body.get("follow_up", [])] == ["month-1", "month-3", "month-6", "month-12"],
                "follow-up at 1, 3, 6, 12 months", body.get("follow_up"))

        before = srv.db_checksum(exclude)
        r = srv.request("POST", "/api/v1/plans/%d/approve" % plan1["id"], {"password": pw("physician")},
                        role="physician")
        t.check(r.status == 409 and r.error()["code"] == "eligibility_missing",
                "approve without a signed decision: 409 (H6)", r)
        t.check(srv.db_checksum(exclude) == before, "refused approval changes nothing")

        r = srv.request("POST", "/api/v1/screenings/%d/decision" % s1,
                        {"decision": "eligible", "password": "wrong password!"}, role="physician")
        t.check(r.status == 400 and r.error()["field"] == "password", "wrong signature password: 400", r)
        t.check(srv.db_checksum(exclude) == before, "failed signature changes nothing")
        r = srv.request("POST", "/api/v1/screenings/%d/decision" % s1,
                        {"decision": "eligible", "password": pw("physician")}, role="physician")
        t.check(r.status == 200 and r.json["decision"]["decision"] == "eligible"
                and r.json["decision"]["signed_by"] == "physician1", "signed decision", r)
        rows = srv.db_query("SELECT action, reason FROM audit_log WHERE entity = 'screening' AND entity_id = ?",
                            (str(s1),))
        t.check(("sign", r.json["decision"]["meaning"]) in rows, "the signature's meaning is in the audit trail", rows)
        r = srv.request("POST", "/api/v1/screenings/%d/decision" % s1,
                        {"decision": "not_eligible", "password": pw("physician")}, role="physician")
        t.check(r.status == 409 and r.error()["code"] == "already_decided", "a decision is signed once", r)

        r = srv.request("POST", "/api/v1/plans/%d/approve" % plan1["id"], {"password": pw("nurse")},
                        role="nurse")
        t.check(r.status == 403, "a nurse cannot approve", r)
        r = srv.request("POST", "/api/v1/plans/%d/approve" % plan1["id"], {"password": pw("physician")},
                        role="physician")
        t.check(r.status == 200 and r.json["status"] == "approved" and r.json["screening_id"] == s1,
                "approved with the physician's signature", r)
        slots = srv.db_query("SELECT COUNT(*) FROM plan_slots WHERE plan_id = ?", (plan1["id"],))[0][0]
        t.check(slots == 8, "an approved plan books its 8 slots", slots)
        r = srv.request("POST", "/api/v1/plans/%d/approve" % plan1["id"], {"password": pw("physician")},
                        role="physician")
        t.check(r.status == 409 and r.error()["code"] == "wrong_state", "approve twice: 409", r)

        # --- a child in spina-bifida version 2: the 5 million cells/kg maximum binds
        # before the 120 million course floor; approval needs a signed dose reason
        r = srv.request("POST", "/api/v1/patients",
                        {"family_name": "Enfant", "given_names": "Test",
                         "birth_date": (TODAY - datetime.timedelta(days=3 * 365 + 30)).isoformat(),
                         "sex": "female", "language": "fr"}, role="coordinator")
        child = r.json["id"]
        srv.request("POST", "/api/v1/patients/%d/weights" % child, {"date": day(0), "kg": 12}, role="nurse")
        srv.request("POST", "/api/v1/patients/%d/conditions" % child,
                    {"icd10": "Q05", "label": "Spina bifida", "onset_date": day(-1000)}, role="physician")
        r = srv.request("POST", "/api/v1/screenings", work_up(child, "spina-bifida"), role="physician")
        srv.request("POST", "/api/v1/screenings/%d/decision" % r.json["id"],
                    {"decision": "eligible", "password": pw("physician")}, role="physician")
        r = srv.request("POST", "/api/v1/plans", {"patient_id": child, "protocol": "spina-bifida",
                                                  "start": day(30)}, role="physician")
        dose = ((r.json or {}).get("plan") or {}).get("dose", {})
        # 12 kg x 5M = 60M; 60M / 8 = 7.5 would round to 8M (64M > 60M): 7M each, 56M
        t.check(r.status == 201 and r.json["protocol_version"] == 2 and r.json["plan"]["total_cells"] == 56000000
                and dose.get("per_kg_given") == 4666666 and dose.get("needs_confirmation") is True,
                "child of 12 kg: 56 million cells (4.67 million/kg), not the 120 million floor", r)
        child_plan = (r.json or {}).get("id")
        srv.record_consent(child, "spina-bifida")  # H15
        before_child = srv.db_checksum(exclude)
        r = srv.request("POST", "/api/v1/plans/%d/approve" % child_plan, {"password": pw("physician")},
                        role="physician")
        t.check(r.status == 400 and r.error()["field"] == "dose_reason",
                "a child's plan is not approved without a dose reason", r)
        r = srv.request("POST", "/api/v1/plans/%d/approve" % child_plan,
                        {"password": "wrong password!", "dose_reason": "Posologie pédiatrique validée"},
                        role="physician")
        t.check(r.status == 400 and r.error()["field"] == "password", "the dose reason is signed", r)
        t.check(srv.db_checksum(exclude) == before_child, "refused child approvals change nothing")
        r = srv.request("POST", "/api/v1/plans/%d/approve" % child_plan,
                        {"password": pw("physician"), "dose_reason": "Posologie pédiatrique validée en RCP"},
                        role="physician")
        t.check(r.status == 200 and "4666666 cells per kg confirmed (age 3 years): Posologie pédiatrique"
                in r.json["meaning"], "child approved with the signed dose reason in the meaning", r)
        rows = srv.db_query("SELECT reason FROM audit_log WHERE entity = 'plan' AND entity_id = ? AND action = 'sign'",
                            (str(child_plan),))
        t.check(len(rows) == 1 and "Posologie pédiatrique validée en RCP" in rows[0][0],
                "the dose reason is in the audit trail", rows)

        # --- excluded patient: override needs a written reason (H6)
        p2 = patient("Excluded")
        r = srv.request("POST", "/api/v1/screenings",
                        work_up(p2, history={"cancer_history": "yes", "pregnancy": "no",
                                             "active_infection": "no"}), role="physician")
        t.check(r.status == 201 and r.json["verdict"] == "not_eligible"
                and r.json["reasons"][0]["rule"] == "cancer-history", "cancer history excludes", r)
        # An exclusion question left out is not read as "no": it is unknown and goes to review.
        for family, history in (("Unanswered", None), ("Partly Answered", {"cancer_history": "no"})):
            body = work_up(patient(family))
            if history is None:
                del body["history"]
            else:
                body["history"] = history
            u = srv.request("POST", "/api/v1/screenings", body, role="physician")
            open_questions = {x["subject"] for x in u.json["reasons"]
                              if x["observed"] == "unknown" and x["outcome"] == "review"}
            want = {"cancer_history", "pregnancy", "active_infection"} - set(history or {})
            t.check(u.status == 201 and u.json["verdict"] != "eligible" and want <= open_questions,
                    "a history answer left out goes to review, never to 'no' (%s)" % sorted(want), u)
        s2 = r.json["id"]
        before = srv.db_checksum(exclude)
        r = srv.request("POST", "/api/v1/screenings/%d/decision" % s2,
                        {"decision": "eligible", "password": pw("physician")}, role="physician")
        t.check(r.status == 400 and r.error()["code"] == "override_required", "override without reason: 400", r)
        t.check(srv.db_checksum(exclude) == before, "refused override changes nothing")
        r = srv.request("POST", "/api/v1/screenings/%d/decision" % s2,
                        {"decision": "eligible", "password": pw("physician"),
                         "override_reason": "Cured in 2009, oncologist's letter on file"}, role="physician")
        t.check(r.status == 200 and r.json["decision"]["override"] is True, "signed override", r)
        r = srv.request("POST", "/api/v1/plans", {"patient_id": p2, "protocol": "sci", "start": day(7),
                                                  "count": 6}, role="physician")
        r = srv.request("POST", "/api/v1/plans/%d/approve" % r.json["id"], {"password": pw("physician")},
                        role="physician")
        t.check(r.status == 200, "an overridden exclusion can be approved", r)

        # --- decided not eligible; stale work-up
        p3 = patient("Refused")
        r = srv.request("POST", "/api/v1/screenings", work_up(p3, results=normal_results(31)), role="nurse")
        t.check(r.status == 201 and r.json["verdict"] == "needs_review"
                and any(x["rule"] == "results-current" for x in r.json["reasons"]),
                "results 31 days old are stale: needs review", r)
        s3 = r.json["id"]
        r = srv.request("POST", "/api/v1/screenings/%d/decision" % s3,
                        {"decision": "eligible", "password": pw("physician")}, role="physician")
        t.check(r.status == 200, "the physician reviews and signs eligible", r)
        r = srv.request("POST", "/api/v1/plans", {"patient_id": p3, "protocol": "sci", "start": day(7)},
                        role="physician")
        plan3 = r.json["id"]
        r = srv.request("POST", "/api/v1/plans/%d/approve" % plan3, {"password": pw("physician")},
                        role="physician")
        t.check(r.status == 409 and r.error()["code"] == "eligibility_stale", "stale work-up: approval refused", r)
        r = srv.request("POST", "/api/v1/screenings", work_up(p3, results=normal_results(1)), role="physician")
        s3b = r.json["id"]
        srv.request("POST", "/api/v1/screenings/%d/decision" % s3b,
                    {"decision": "not_eligible", "password": pw("physician")}, role="physician")
        r = srv.request("POST", "/api/v1/plans/%d/approve" % plan3, {"password": pw("physician")},
                        role="physician")
        t.check(r.status == 409 and r.error()["code"] == "not_eligible", "decided not eligible: refused", r)
        r = srv.request("POST", "/api/v1/plans/%d/cancel" % plan3, {"reason": "Not eligible"}, role="coordinator")
        t.check(r.status == 200 and r.json["status"] == "cancelled", "cancel with a reason", r)
        r = srv.request("POST", "/api/v1/plans/%d/cancel" % plan3, {"reason": "again"}, role="coordinator")
        t.check(r.status == 409, "cancel twice: 409", r)

        # --- H4: a weight 31 days old; weight changed after drafting
        p4 = patient("Stale", weight_days=31)
        r = srv.request("POST", "/api/v1/plans", {"patient_id": p4, "protocol": "sci", "start": day(7)},
                        role="physician")
        t.check(r.status == 400 and r.error()["code"] == "stale_weight", "weight 31 days old: refused (H4)", r)
        p5 = patient("Reweighed")
        r = srv.request("POST", "/api/v1/screenings", work_up(p5), role="physician")
        srv.request("POST", "/api/v1/screenings/%d/decision" % r.json["id"],
                    {"decision": "eligible", "password": pw("physician")}, role="physician")
        r = srv.request("POST", "/api/v1/plans", {"patient_id": p5, "protocol": "sci", "start": day(10)},
                        role="physician")
        plan5 = r.json["id"]
        srv.request("POST", "/api/v1/patients/%d/weights" % p5, {"date": day(0), "kg": 90}, role="nurse")
        r = srv.request("POST", "/api/v1/plans/%d/approve" % plan5, {"password": pw("physician")},
                        role="physician")
        t.check(r.status == 409 and r.error()["code"] == "weight_changed", "re-weighed since drafting: refused (H4)", r)

        # --- capacity (H5): cancelled plan frees its slots; full intrathecal blocks
        r = srv.request("POST", "/api/v1/plans/%d/cancel" % plan1["id"], {"reason": "Patient postponed"},
                        role="physician")
        slots = srv.db_query("SELECT COUNT(*) FROM plan_slots WHERE plan_id = ?", (plan1["id"],))[0][0]
        t.check(r.status == 200 and slots == 0, "cancelling an approved plan frees its slots", r)
        r = srv.request("PATCH", "/api/v1/capacity", {"intrathecal": 0}, role="admin")
        t.check(r.status == 200 and r.json["slots_per_day"]["intrathecal"] == 0, "capacity set by admin", r)
        r = srv.request("POST", "/api/v1/plans", {"patient_id": p5, "protocol": "sci", "start": day(7)},
                        role="physician")
        t.check(r.status == 409 and r.error()["field"] == "capacity.intrathecal",
                "no intrathecal slot: 409 naming the blocking constraint", r)
        srv.request("PATCH", "/api/v1/capacity", {"intrathecal": 1}, role="admin")
        # two patients want the same single slots: the second plan starts later
        drafts = []
        for fam in ("Slot A", "Slot B"):
            pid = patient(fam)
            r = srv.request("POST", "/api/v1/screenings", work_up(pid), role="physician")
            srv.request("POST", "/api/v1/screenings/%d/decision" % r.json["id"],
                        {"decision": "eligible", "password": pw("physician")}, role="physician")
            r = srv.request("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci", "start": day(20)},
                            role="physician")
            drafts.append(r.json["id"])
        r = srv.request("POST", "/api/v1/plans/%d/approve" % drafts[0], {"password": pw("physician")},
                        role="physician")
        t.check(r.status == 200, "first of two competing drafts approved", r)
        r = srv.request("POST", "/api/v1/plans/%d/approve" % drafts[1], {"password": pw("physician")},
                        role="physician")
        t.check(r.status == 409 and r.error()["code"] == "capacity_taken",
                "second draft on the same slot: capacity_taken (H5)", r)
        over = srv.db_query("SELECT slot_date, route, COUNT(*) FROM plan_slots GROUP BY slot_date, route"
                            " HAVING (route = 'intrathecal' AND COUNT(*) > 1)")
        t.check(over == [], "no day has more intrathecal bookings than slots", over)

        # --- publishing a new protocol version (admin)
        r = srv.request("GET", "/api/v1/protocols/sci", role="admin")
        v2 = r.json["body"]
        v2["version"] = 3
        v2["stay_days"] = {"min": 16, "max": 23}
        r = srv.request("POST", "/api/v1/protocols", v2, role="physician")
        t.check(r.status == 403, "only an admin publishes", r)
        r = srv.request("POST", "/api/v1/protocols", v2, role="admin")
        t.check(r.status == 201 and r.json["version"] == 3 and r.json["origin"] == "published", "sci v3 published", r)
        r = srv.request("POST", "/api/v1/protocols", v2, role="admin")
        t.check(r.status == 409 and r.error()["code"] == "version_conflict", "a published version never changes", r)
        r = srv.request("GET", "/api/v1/protocols/sci?version=1", role="nurse")
        t.check(r.status == 200 and r.json["stay_days"]["min"] == 15, "version 1 stays readable", r)
        r = srv.request("GET", "/api/v1/plans/%d" % drafts[0], role="nurse")
        t.check(r.json["protocol_version"] == 2, "a plan pins the version it used", r)

        # --- every bad input leaves the database unchanged
        pid = p5
        bad = [
            ("POST", "/api/v1/screenings", {"protocol": "sci"}, "physician", 400, "patient_id"),
            ("POST", "/api/v1/screenings", {"patient_id": pid, "protocol": "nope"}, "physician", 400, "protocol"),
            ("POST", "/api/v1/screenings", {"patient_id": 99999, "protocol": "sci"}, "physician", 400, "patient_id"),
            ("POST", "/api/v1/screenings", {"patient_id": pid, "protocol": "sci", "extra": 1}, "physician", 400, "extra"),
            ("POST", "/api/v1/screenings", work_up(pid, results={"zz": {"value": 1, "unit": "", "date": day(0)}}),
             "physician", 400, "results.zz"),
            ("POST", "/api/v1/screenings", work_up(pid, results={"hb": {"value": "high", "unit": "g/dL", "date": day(0)}}),
             "physician", 400, "results.hb.value"),
            ("POST", "/api/v1/screenings", work_up(pid, results={"hb": {"value": 12, "unit": "g/dL", "date": day(2)}}),
             "physician", 400, "results.hb"),
            ("POST", "/api/v1/screenings", work_up(pid, results={"hiv": {"positive": "no", "date": day(0)}}),
             "physician", 400, "results.hiv.positive"),
            ("POST", "/api/v1/screenings", work_up(pid, findings={"ecg": {"state": "fine", "date": day(0)}}),
             "physician", 400, "findings.ecg"),
            ("POST", "/api/v1/screenings", work_up(pid, findings={"mri": {"state": "normal"}}), "physician", 400, "findings.mri"),
            ("POST", "/api/v1/screenings", work_up(pid, history={"cancer_history": "maybe"}), "physician", 400, "cancer_history"),
            ("POST", "/api/v1/screenings", work_up(pid, injury={"date": day(0), "level": "X9"}), "physician", 400, "injury.level"),
            ("POST", "/api/v1/screenings", work_up(pid, injury={"date": "2026-02-30", "level": "C5"}), "physician", 400, "injury.date"),
            ("POST", "/api/v1/screenings", work_up(pid), "coordinator", 403, ""),
            ("POST", "/api/v1/screenings/%d/decision" % s3b, {"decision": "maybe", "password": pw("physician")}, "physician", 400, "decision"),
            ("POST", "/api/v1/screenings/%d/decision" % s3b, {"decision": "eligible"}, "physician", 400, "password"),
            ("POST", "/api/v1/screenings/99999/decision", {"decision": "eligible", "password": pw("physician")}, "physician", 404, "id"),
            ("POST", "/api/v1/screenings/%d/decision" % s3b, {"decision": "eligible", "password": pw("coordinator")}, "coordinator", 403, ""),
            ("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci"}, "physician", 400, "start"),
            ("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci", "start": "2026-13-01"}, "physician", 400, "start"),
            ("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci", "start": day(-1)}, "physician", 400, "start"),
            ("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci", "start": day(7), "count": 5}, "physician", 400, "count"),
            ("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci", "start": day(7), "count": 9}, "physician", 400, "count"),
            ("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci", "start": day(7), "product": "BM-MSC"}, "physician", 400, "product"),
            ("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci", "start": day(7), "routes": "topical"}, "physician", 400, "routes"),
            ("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci", "start": day(7), "ancillary": "nutrition"}, "physician", 400, "ancillary"),
            ("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "nope", "start": day(7)}, "physician", 400, "protocol"),
            ("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci", "version": 9, "start": day(7)}, "physician", 400, "version"),
            ("POST", "/api/v1/plans", {"patient_id": 99999, "protocol": "sci", "start": day(7)}, "physician", 400, "patient_id"),
            ("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci", "start": day(7)}, "nurse", 403, ""),
            ("POST", "/api/v1/plans/%d/approve" % drafts[1], {}, "physician", 400, "password"),
            ("POST", "/api/v1/plans/%d/approve" % drafts[1], {"password": pw("physician"), "x": 1}, "physician", 400, "x"),
            ("POST", "/api/v1/plans/99999/approve", {"password": pw("physician")}, "physician", 404, "id"),
            ("POST", "/api/v1/plans/%d/cancel" % drafts[1], {}, "physician", 400, "reason"),
            ("POST", "/api/v1/plans/%d/cancel" % drafts[1], {"reason": "   "}, "physician", 400, "reason"),
            ("POST", "/api/v1/plans/99999/cancel", {"reason": "gone"}, "physician", 404, "id"),
            ("PATCH", "/api/v1/capacity", {"intrathecal": -1}, "admin", 400, "intrathecal"),
            ("PATCH", "/api/v1/capacity", {"teleport": 1}, "admin", 400, "teleport"),
            ("PATCH", "/api/v1/capacity", {}, "admin", 400, ""),
            ("PATCH", "/api/v1/capacity", {"intrathecal": 5}, "physician", 403, ""),
            ("POST", "/api/v1/protocols", dict(v2, version=3, id="Bad Id"), "admin", 400, "id"),
            ("POST", "/api/v1/protocols", dict(v2, version=3, extra=1), "admin", 400, "extra"),
            ("POST", "/api/v1/protocols", dict(v2, version=3, administrations={"min": 6, "max": 16, "default": 8}),
             "admin", 400, "stay_days"),
            ("POST", "/api/v1/protocols", dict(v2, version=3, dose=dict(v2["dose"], course_min=500000000)), "admin", 400, "dose.course_min"),
            ("POST", "/api/v1/protocols", dict(v2, version=5), "admin", 409, "version"),
            ("POST", "/api/v1/protocols", "not json", "admin", 400, ""),
        ]
        before = srv.db_checksum(exclude)
        for method, path, body, role, status, field in bad:
            r = srv.request(method, path, body, role=role)
            e = r.error() or {}
            ok = r.status == status and (status == 403 or e.get("field", "").startswith(field))
            t.check(ok, "bad input %s %s %s -> %d %s" % (method, path, json.dumps(body)[:80], status, field), r)
        t.check(srv.db_checksum(exclude) == before, "no bad input changed the database")

    # --- command line
    def cli(*a):
        return subprocess.run([args.binary] + list(a), capture_output=True, text=True)

    r = cli("plan", "--protocol", "sci", "--weight", "72.5", "--start", "2026-12-01", "--json")
    doc = json.loads(r.stdout) if r.returncode == 0 else {}
    keys = {"protocol", "version", "start", "end", "stay_days", "administrations", "total_cells",
            "follow_up", "quote"}
    t.check(keys <= set(doc), "plan --json has the documented keys", r.stdout[:400])
    a0 = (doc.get("administrations") or [{}])[0]
    t.check(set(a0) >= {"n", "date", "day", "route", "product", "cells"} and doc["start"] == "2026-12-01"
            and doc["stay_days"] == 15 and doc["total_cells"] == 360000000, "plan --json values", doc)
    f0 = (doc.get("follow_up") or [{}])[0]
    t.check(set(f0) >= {"label", "date", "window_start", "window_end"}
            and set(doc.get("quote", {})) >= {"currency", "total_cents", "lines"}, "follow-up and quote shape", doc)
    for argv, option in [(("--protocol", "nope", "--weight", "70", "--start", "2026-12-01"), "--protocol"),
                         (("--protocol", "sci", "--weight", "0", "--start", "2026-12-01"), "--weight"),
                         (("--protocol", "sci", "--weight", "500", "--start", "2026-12-01"), "--weight"),
                         (("--protocol", "sci", "--weight", "70", "--start", "2026-02-30"), "--start"),
                         (("--protocol", "sci", "--weight", "70", "--start", "2026-12-01", "--count", "5"), "--count"),
                         (("--protocol", "sci", "--weight", "70", "--start", "2026-12-01", "--count", "9"), "--count"),
                         (("--protocol", "spina-bifida", "--weight", "12", "--start", "2026-12-01"), "--age-years")]:
        r = cli("plan", *argv)
        t.check(r.returncode == 2 and option in r.stderr, "plan %s: exit 2 naming %s" % (" ".join(argv), option),
                (r.returncode, r.stderr))
    for pid in ("sci", "spina-bifida", "msc", "secretome", "als"):
        extra = ("--age-years", "6") if pid == "spina-bifida" else ()
        r = cli("plan", "--protocol", pid, "--weight", "30", "--start", "2027-01-04", "--json", *extra)
        t.check(r.returncode == 0 and json.loads(r.stdout)["protocol"] == pid, "plan %s end to end" % pid, r.stderr)
    r = cli("protocols", "list")
    t.check(r.returncode == 0 and len(r.stdout.strip().splitlines()) == 5, "protocols list", r.stdout)
    r = cli("protocols", "show", "msc", "--version", "1")
    t.check(r.returncode == 0 and json.loads(r.stdout)["id"] == "msc", "protocols show msc --version 1", r.stderr)
    r = cli("protocols", "show", "msc", "--version", "7")
    t.check(r.returncode == 2 and "--version" in r.stderr, "protocols show unknown version: exit 2", r.stderr)
    sys.exit(t.finish())


if __name__ == "__main__":
    main()
