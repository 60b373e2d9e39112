#!/usr/bin/env python3
"""Follow-up: visits generated from an approved plan, re-dated by
sync, worklist states computed from the dates (H10: an overdue visit stays on
the worklist until resolved), resolutions with their rules, contact attempts
and lost to follow-up after N failed contacts, patient questionnaire links
(hashed single-use expiring tokens, save-and-resume, submitted once, stored
as a patient observation), the outcome report endpoint, and bad input on
every new endpoint leaving the database unchanged.

    python3 tests/api/test_followup.py --binary build/cellclinic [-v]
"""
import csv
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from test_programmes import day, work_up  # noqa: E402

NRS = {"current": "3", "average": "4", "worst": "7"}


def eligible_patient(srv, family, birth_date="1988-04-02", sex="male"):
    """A French-speaking SCI patient with a weight, a condition and a signed
    eligible screening: the patient's id."""
    pw = lambda role: srv.passwords[harness.user_of(role)]
    r = srv.request("POST", "/api/v1/patients",
                    {"family_name": family, "given_names": "Test", "birth_date": birth_date,
                     "sex": sex, "language": "fr", "phone": "+33 1 23 45 67 89"},
                    role="coordinator")
    pid = r.json["id"]
    srv.request("POST", "/api/v1/patients/%d/weights" % pid, {"date": day(0), "kg": 72.5}, role="nurse")
    srv.request("POST", "/api/v1/patients/%d/conditions" % pid,
                {"icd10": "S14.1", "label": "Cord injury", "onset_date": day(-90),
                 "details": {"level": "C5"}}, role="physician")
    r = srv.request("POST", "/api/v1/screenings", work_up(pid), role="physician")
    srv.request("POST", "/api/v1/screenings/%d/decision" % r.json["id"],
                {"decision": "eligible", "password": pw("physician")}, role="physician")
    return pid


def approved_patient(srv, family, birth_date="1988-04-02", sex="male"):
    """A French-speaking SCI patient (weight, condition, eligible screening)
    with an approved plan starting in a week: (patient id, plan id, the
    approval's response)."""
    pw = lambda role: srv.passwords[harness.user_of(role)]
    pid = eligible_patient(srv, family, birth_date, sex)
    srv.record_consent(pid, "sci")  # H15: approval needs it
    r = srv.request("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci", "start": day(7)},
                    role="coordinator")
    plan = r.json["id"]
    r = srv.request("POST", "/api/v1/plans/%d/approve" % plan, {"password": pw("physician")},
                    role="physician")
    return pid, plan, r


def record_administrations(srv, pid, plan, first_day, count=2, weight_grams=72500):
    """Simulated bedside records (the bedside's administrations table), one a day from first_day
    (days from today) + 1: completed intravenous UC-MSC administrations."""
    for item in range(1, count + 1):
        srv.db_exec("INSERT INTO administrations (patient_id, plan_id, plan_item, plan_ref, planned_date,"
                      " route, product_type, dose_unit, prescribed_amount, actual_amount, weight_grams,"
                      " weight_date, status, started_at, operator_id, operator, created_at, updated_at,"
                      " version) VALUES (?, ?, ?, ?, ?, 'intravenous', 'uc-msc', 'cells', 1, 1, ?, ?,"
                      " 'completed', ?, 1, 'admin', ?, ?, 1)",
                 (pid, plan, item, "%d-%d" % (plan, item), day(first_day + item), weight_grams,
                  day(first_day - 1), day(first_day + item) + "T09:00:00Z", day(first_day) + "T09:00:00Z",
                  day(first_day) + "T09:00:00Z"))


def svg_qr_to_png(svg, path, scale=8):
    """Rasterizes the QR SVG (one path of 1x1 modules "Mx yh1v1h-1z") to a PNG for zbarimg."""
    import re
    import struct
    import zlib
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    dark = {(int(x), int(y)) for x, y in re.findall(r"M(\d+) (\d+)h1v1h-1z", svg)}
    w = size * scale
    rows = b"".join(b"\x00" + bytes(0 if (x // scale, y // scale) in dark else 255 for x in range(w))
                    for y in range(w))
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, w, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def svg_title(body):
    """The text alternative of a chart: the SVG's <title>."""
    import re
    import xml.etree.ElementTree as ET
    root = ET.fromstring(body)  # well-formed, or this raises
    first = next(iter(root), None)
    title = first.text if first is not None and first.tag.endswith("title") else ""
    return re.sub(r"\s+", " ", title or "")


def check_trajectories(t, rep, what):
    """Each measure's trajectories agree with its table: one entry per time point, the
    non-null values of a time point are its n (when every patient is drawn) and their mean its mean."""
    for m in rep.get("measures", []):
        tr = m.get("trajectories") or {}
        pts = tr.get("patients", [])
        name = "%s %s (%s)" % (m["instrument"], m["score"], what)
        t.check(tr.get("drawn") == len(pts) == min(tr.get("of", -1), 200)
                and all(len(p) == len(rep["timepoints"]) and any(v is not None for v in p) for p in pts),
                "trajectories of %s: drawn = listed = min(of, 200), full rows with a value" % name, tr)
        if tr.get("drawn") != tr.get("of"):
            continue
        for k, cell in enumerate(m["timepoints"]):
            col = [p[k] for p in pts if p[k] is not None]
            mean_ok = (cell["mean"] is None and not col) or (
                col and cell["mean"] is not None and abs(sum(col) / len(col) - cell["mean"]) < 1e-3)
            t.check(len(col) == cell["n"] and mean_ok, "trajectories of %s at %s: n %d, mean %s"
                    % (name, cell["label"], cell["n"], cell["mean"]), col)


def main():
    args = harness.parse_args()
    t = harness.Tally("followup", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        pw = lambda role: srv.passwords[harness.user_of(role)]
        exclude = ("sessions", "api_tokens")
        for role in harness.ROLES:
            srv.token(role)  # tokens (and their audit entries) before any checksum

        def treated_patient(family):
            return approved_patient(srv, family)

        pid, plan, r = treated_patient("Suivi")
        t.check(r.status == 200 and r.json.get("follow_up_visits") == 4,
                "approval generates the 4 follow-up visits", r)
        rows = srv.db_query("SELECT label, status, target_date FROM followup_visits WHERE plan_id = ? ORDER BY seq",
                            (plan,))
        t.check([x[0] for x in rows] == ["month-1", "month-3", "month-6", "month-12"]
                and all(x[1] == "scheduled" for x in rows), "visits stored as rows", rows)
        audit = srv.db_query("SELECT COUNT(*) FROM audit_log WHERE entity = 'followup_visit' AND action = 'create'")
        t.check(audit[0][0] == 4, "each visit has its audit entry", audit)

        r = srv.request("POST", "/api/v1/plans/%d/follow-up/sync" % plan, {}, role="coordinator")
        t.check(r.status == 200 and r.json["created"] == 0 and r.json["redated"] == 0
                and len(r.json["visits"]) == 4 and r.json["visits"][0]["state"] == "upcoming",
                "sync again: nothing to do; future visits are upcoming", r)

        # The stay moved (simulated on the stored plan): sync re-dates scheduled visits.
        # Shift the windows so that month-1 is overdue, month-3 in window, month-6 due.
        body = json.loads(srv.db_query("SELECT body FROM plans WHERE id = ?", (plan,))[0][0])
        shifts = {"month-1": (-40, -30, -20), "month-3": (-5, -10, 5), "month-6": (15, 10, 30)}
        for f in body["follow_up"]:
            if f["label"] in shifts:
                a, b, c = shifts[f["label"]]
                f["date"], f["window_start"], f["window_end"] = day(a), day(b), day(c)
        srv.db_exec("UPDATE plans SET body = ? WHERE id = ?", (json.dumps(body), plan))
        r = srv.request("POST", "/api/v1/plans/%d/follow-up/sync" % plan, {}, role="physician")
        states = {v["label"]: v["state"] for v in (r.json or {}).get("visits", [])}
        t.check(r.status == 200 and r.json["redated"] == 3, "sync re-dates the 3 moved visits", r)
        t.check(states == {"month-1": "overdue", "month-3": "in_window", "month-6": "due",
                           "month-12": "upcoming"}, "states computed from the dates", states)
        redate = srv.db_query("SELECT COUNT(*) FROM audit_log WHERE entity='followup_visit' AND action='redate'")
        t.check(redate[0][0] == 3, "each re-dating is audited", redate)
        visits = {v["label"]: v["id"] for v in r.json["visits"]}

        # H10: the overdue visit is on the worklist, with contact details and language
        r = srv.request("GET", "/api/v1/follow-up", role="nurse")
        labels = [(v["label"], v["state"]) for v in (r.json or {}).get("items", [])]
        t.check(r.status == 200 and labels == [("month-1", "overdue"), ("month-3", "in_window"),
                                                ("month-6", "due")],
                "worklist: overdue, in window, due (oldest first) (H10)", r)
        first = r.json["items"][0] if r.status == 200 else {}
        t.check(first.get("phone") == "+33 1 23 45 67 89" and first.get("language") == "fr"
                and first.get("days_overdue") == 20 and first.get("mrn"),
                "worklist rows carry contact details, language, days overdue", first)
        r = srv.request("GET", "/api/v1/follow-up?state=overdue", role="coordinator")
        t.check(r.status == 200 and r.json["total"] == 1 and r.json["counts"].get("overdue") == 1,
                "state=overdue filter", r)
        r = srv.request("GET", "/api/v1/follow-up?state=all&patient_id=%d" % pid, role="physician")
        t.check(r.status == 200 and r.json["total"] == 4, "state=all lists every visit", r)

        # bad input on the read endpoints
        for q, field in (("state=late", "state"), ("patient_id=x", "patient_id"), ("per_page=0", "per_page")):
            r = srv.request("GET", "/api/v1/follow-up?" + q, role="nurse")
            t.check(r.status == 400 and (r.error() or {}).get("field") == field, "worklist ?%s: 400" % q, r)
        r = srv.request("GET", "/api/v1/follow-up/999999", role="nurse")
        t.check(r.status == 404, "unknown visit: 404", r)
        r = srv.request("GET", "/api/v1/follow-up/%d" % visits["month-3"], role="nurse")
        t.check(r.status == 200 and r.json["visit"]["state"] == "in_window" and r.json["contacts"] == []
                and r.json["lost_after_failed_contacts"] == 3, "one visit", r)

        # --- bad input on mutations: error names the field, database unchanged
        v1, v3, v6, v12 = visits["month-1"], visits["month-3"], visits["month-6"], visits["month-12"]
        bad = [
            ("POST", "/api/v1/follow-up/%d/status" % v1, {}, "status", 400),
            ("POST", "/api/v1/follow-up/%d/status" % v1, {"status": "scheduled"}, "status", 400),
            ("POST", "/api/v1/follow-up/%d/status" % v1, {"status": "gone"}, "status", 400),
            ("POST", "/api/v1/follow-up/%d/status" % v1, {"status": "missed"}, "reason", 400),
            ("POST", "/api/v1/follow-up/%d/status" % v1, {"status": "withdrawn", "reason": ""}, "reason", 400),
            ("POST", "/api/v1/follow-up/%d/status" % v1, {"status": "died", "cause": "x"}, "died_on", 400),
            ("POST", "/api/v1/follow-up/%d/status" % v1, {"status": "died", "died_on": day(3), "cause": "x"},
             "died_on", 400),
            ("POST", "/api/v1/follow-up/%d/status" % v1, {"status": "died", "died_on": "2026-02-30",
                                                          "cause": "x"}, "died_on", 400),
            ("POST", "/api/v1/follow-up/%d/status" % v1, {"status": "died", "died_on": day(-1)}, "cause", 400),
            ("POST", "/api/v1/follow-up/%d/status" % v1, {"status": "done", "died_on": day(-1)}, "died_on", 400),
            ("POST", "/api/v1/follow-up/%d/status" % v1, {"status": "missed", "reason": "a\nb"}, "reason", 400),
            ("POST", "/api/v1/follow-up/%d/status" % v1, {"status": "done", "extra": 1}, "extra", 400),
            ("POST", "/api/v1/follow-up/%d/status" % v1, {"status": 3}, "status", 400),
            ("POST", "/api/v1/follow-up/999999/status", {"status": "done"}, "id", 404),
            ("POST", "/api/v1/follow-up/%d/contacts" % v1, {"channel": "pigeon", "outcome": "reached"},
             "channel", 400),
            ("POST", "/api/v1/follow-up/%d/contacts" % v1, {"channel": "phone", "outcome": "maybe"},
             "outcome", 400),
            ("POST", "/api/v1/follow-up/%d/contacts" % v1, {"channel": "phone"}, "outcome", 400),
            ("POST", "/api/v1/follow-up/999999/contacts", {"channel": "phone", "outcome": "reached"}, "id", 404),
            ("POST", "/api/v1/follow-up/%d/links" % v3, {"instrument": "isncsci"}, "instrument", 400),
            ("POST", "/api/v1/follow-up/%d/links" % v3, {"instrument": "koos"}, "instrument", 400),
            ("POST", "/api/v1/follow-up/%d/links" % v3, {"instrument": "nrs-pain", "days": 0}, "days", 400),
            ("POST", "/api/v1/follow-up/%d/links" % v3, {"instrument": "nrs-pain", "days": 61}, "days", 400),
            ("POST", "/api/v1/follow-up/%d/links" % v3, {}, "instrument", 400),
            ("POST", "/api/v1/follow-up/999999/links", {"instrument": "nrs-pain"}, "id", 404),
            ("POST", "/api/v1/plans/999999/follow-up/sync", {}, "id", 404),
            ("POST", "/api/v1/plans/%d/follow-up/sync" % plan, {"x": 1}, "x", 400),
            ("PATCH", "/api/v1/follow-up-settings", {"lost_after_failed_contacts": 0},
             "lost_after_failed_contacts", 400),
            ("PATCH", "/api/v1/follow-up-settings", {"lost_after_failed_contacts": 21},
             "lost_after_failed_contacts", 400),
            ("PATCH", "/api/v1/follow-up-settings", {}, "lost_after_failed_contacts", 400),
        ]
        for method, path, body_, field, status in bad:
            role = "admin"
            before = srv.db_checksum(exclude)
            r = srv.request(method, path, body_, role=role)
            e = r.error() or {}
            t.check(r.status == status and e.get("field") == field and srv.db_checksum(exclude) == before,
                    "%s %s %s: %d naming %s, database unchanged" % (method, path, json.dumps(body_), status, field),
                    r)
        # a draft plan has no follow-up yet
        r = srv.request("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci", "start": day(200)},
                        role="coordinator")
        if r.status == 201:
            before = srv.db_checksum(exclude)
            r = srv.request("POST", "/api/v1/plans/%d/follow-up/sync" % r.json["id"], {}, role="coordinator")
            t.check(r.status == 409 and r.error()["code"] == "wrong_state" and srv.db_checksum(exclude) == before,
                    "sync of a draft plan: 409 wrong_state", r)
        r = srv.request("POST", "/api/v1/follow-up/%d/status" % v1, {"status": "done"}, role="nurse")
        t.check(r.status == 403, "a nurse cannot resolve a visit", r)

        # --- patient questionnaire link: only on the clinic's public base URL
        before = srv.db_checksum(exclude)
        r = srv.request("POST", "/api/v1/follow-up/%d/links" % v3, {"instrument": "nrs-pain", "days": 7},
                        role="nurse")
        t.check(r.status == 409 and r.error()["code"] == "public_base_url_not_configured"
                and r.error()["field"] == "public_base_url" and srv.db_checksum(exclude) == before,
                "no link before the administrator sets the public base URL: 409, unchanged", r)
        r = srv.request("POST", "/api/v1/follow-up/%d/links" % v3,
                        {"instrument": "nrs-pain", "base_url": "https://clinic.example.org/app/"}, role="nurse")
        t.check(r.status == 400 and r.error()["field"] == "base_url" and srv.db_checksum(exclude) == before,
                "the staff browser cannot give the patient's address: 400, unchanged", r)
        r = srv.request("GET", "/api/v1/clinic-site", role="nurse")
        t.check(r.status == 200 and r.json["public_base_url"] == "" and r.json["name"] == "",
                "the clinic site starts unset", r)
        for bad in ("javascript:alert(1)", "https://", "https://x.org/a b", "https://x.org/#/q", "ftp://x.org/",
                    "https://x.org/?a=1", "https://x.org/\u00e9"):
            r = srv.request("PUT", "/api/v1/clinic-site", {"public_base_url": bad}, role="admin")
            t.check(r.status == 400 and r.error()["field"] == "public_base_url" and srv.db_checksum(exclude) == before,
                    "public base URL %r refused: 400 naming the field, unchanged" % bad, r)
        r = srv.request("PUT", "/api/v1/clinic-site", {"public_base_url": "https://clinic.example.org/app"},
                        role="nurse")
        t.check(r.status == 403 and srv.db_checksum(exclude) == before, "a nurse cannot set the clinic site", r)
        r = srv.request("PUT", "/api/v1/clinic-site",
                        {"name": "Clinique du Lac", "public_base_url": "https://clinic.example.org/app"}, role="admin")
        t.check(r.status == 200 and r.json["public_base_url"] == "https://clinic.example.org/app/"
                and r.json["name"] == "Clinique du Lac", "the administrator sets it (a final / is added)", r)
        audit = srv.db_query("SELECT action FROM audit_log WHERE entity = 'site'")
        t.check(audit == [("update",)], "the change is audited on the session's site", audit)
        r = srv.request("GET", "/api/v1/sites", role="nurse")
        current = (r.json or {}).get("current") or {}
        t.check(r.status == 200 and current.get("name") == "Clinique du Lac"
                and current.get("public_base_url") == "https://clinic.example.org/app/",
                "the site the nurse works in has that name and address (one record)", r)
        r = srv.request("POST", "/api/v1/follow-up/%d/links" % v3, {"instrument": "nrs-pain", "days": 7},
                        role="nurse")
        t.check(r.status == 201 and len(r.json.get("token", "")) >= 40 and r.json["language"] == "fr"
                and r.json["path"].endswith(r.json.get("token", "?")), "a link is made for nrs-pain", r)
        token = (r.json or {}).get("token", "x" * 43)
        t.check(r.status == 201 and r.json["url"] == "https://clinic.example.org/app/#/q/" + token
                and r.json["clinic_name"] == "Clinique du Lac"
                and r.json.get("qr_svg", "").startswith("<svg"),
                "the link is on the public base URL and comes with the clinic's name and a QR code", r)
        if r.status == 201 and shutil.which("zbarimg"):
            png = os.path.join(srv.tmp, "qr.png")
            svg_qr_to_png(r.json["qr_svg"], png)
            z = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True, text=True)
            t.check(z.stdout.strip() == r.json["url"], "the QR code reads back as the link (zbarimg)", z.stdout + z.stderr)
        stored = srv.db_query("SELECT token_hash FROM questionnaire_links ORDER BY id LIMIT 1")
        t.check(stored == [(hashlib.sha256(token.encode()).hexdigest(),)], "only the token's SHA-256 is stored",
                stored)
        t.check(token not in json.dumps(srv.db_query("SELECT * FROM audit_log")),
                "the token is not in the audit trail")
        r = srv.request("GET", "/api/v1/questionnaire/" + token)
        t.check(r.status == 200 and r.json["instrument"]["id"] == "nrs-pain" and r.json["language"] == "fr"
                and r.json["draft"] == {} and r.json["visit"] == "month-3", "the patient opens the link (no login)", r)
        t.check("family_name" not in json.dumps(r.json or {}), "the public page shows no names", r)
        r = srv.request("PUT", "/api/v1/questionnaire/%s/draft" % token, {"answers": {"current": "3"}})
        t.check(r.status == 200, "save a draft", r)
        r = srv.request("GET", "/api/v1/questionnaire/" + token)
        t.check(r.status == 200 and r.json["draft"] == {"current": "3"}, "resume from the draft", r)
        before = srv.db_checksum(exclude)
        for body_, field in (({"answers": {"current": "3"}}, "answers"), ({"answers": {"current": "11",
                             "average": "4", "worst": "7"}}, "answers"), ({}, "answers"),
                             ({"answers": {"current": "3"}, "x": 1}, "x")):
            r = srv.request("POST", "/api/v1/questionnaire/" + token, body_)
            e = r.error() or {}
            t.check(r.status == 400 and e.get("field", "").startswith(field) and srv.db_checksum(exclude) == before,
                    "submit %s: 400 naming %s, unchanged" % (json.dumps(body_), field), r)
        r = srv.request("PUT", "/api/v1/questionnaire/%s/draft" % token, {"answers": {"current": 3}})
        t.check(r.status == 400 and srv.db_checksum(exclude) == before, "draft with a non-text answer: 400", r)
        r = srv.request("POST", "/api/v1/questionnaire/" + token, {"answers": NRS})
        t.check(r.status == 201 and r.json["submitted"] is True, "submit the answers", r)
        obs = srv.db_query("SELECT instrument, source, patient_id, recorded_by FROM observations")
        t.check(obs == [("nrs-pain", "patient", pid, None)], "stored as an observation with source patient", obs)
        before = srv.db_checksum(exclude)
        r = srv.request("POST", "/api/v1/questionnaire/" + token, {"answers": NRS})
        t.check(r.status == 409 and r.error()["code"] == "link_used" and srv.db_checksum(exclude) == before,
                "submitted once: a second submission is 409 link_used", r)
        r = srv.request("GET", "/api/v1/questionnaire/" + token)
        t.check(r.status == 409 and r.error()["code"] == "link_used" and "already" in r.error()["message"],
                "a used link gets a clear message", r)
        r = srv.request("PUT", "/api/v1/questionnaire/%s/draft" % token, {"answers": {}})
        t.check(r.status == 409 and srv.db_checksum(exclude) == before, "no draft on a used link", r)
        for bad_token in ("nope", "A" * 43, token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 200):
            r = srv.request("GET", "/api/v1/questionnaire/" + bad_token)
            t.check(r.status == 404 and r.error()["code"] == "unknown_link", "unknown token %s...: 404" % bad_token[:8], r)
            r = srv.request("POST", "/api/v1/questionnaire/" + bad_token, {"answers": NRS})
            t.check(r.status == 404 and srv.db_checksum(exclude) == before, "submit with unknown token: 404", r)
        # expired link
        r = srv.request("POST", "/api/v1/follow-up/%d/links" % v3, {"instrument": "satisfaction"}, role="coordinator")
        expired = (r.json or {}).get("token", "y" * 43)
        srv.db_exec("UPDATE questionnaire_links SET expires_at = '2020-01-01T00:00:00Z' WHERE token_hash = ?",
                 (hashlib.sha256(expired.encode()).hexdigest(),))
        before = srv.db_checksum(exclude)
        r = srv.request("GET", "/api/v1/questionnaire/" + expired)
        t.check(r.status == 409 and r.error()["code"] == "link_expired", "an expired link: 409 link_expired", r)
        r = srv.request("POST", "/api/v1/questionnaire/" + expired, {"answers": {}})
        t.check(r.status == 409 and srv.db_checksum(exclude) == before, "an expired link cannot submit", r)

        # --- resolutions and contacts
        r = srv.request("POST", "/api/v1/follow-up/%d/status" % v3, {"status": "done"}, role="physician")
        t.check(r.status == 200 and r.json["visit"]["status"] == "done" and r.json["visit"]["state"] == "resolved"
                and len(r.json["observations"]) == 1, "month-3 done (its observation is in the window)", r)
        before = srv.db_checksum(exclude)
        r = srv.request("POST", "/api/v1/follow-up/%d/status" % v3, {"status": "missed", "reason": "x"},
                        role="physician")
        t.check(r.status == 409 and r.error()["code"] == "already_resolved" and srv.db_checksum(exclude) == before,
                "a resolution is final: 409", r)
        r = srv.request("POST", "/api/v1/follow-up/%d/contacts" % v3, {"channel": "phone", "outcome": "reached"},
                        role="nurse")
        t.check(r.status == 409 and srv.db_checksum(exclude) == before, "no contact attempt on a resolved visit", r)

        r = srv.request("PATCH", "/api/v1/follow-up-settings", {"lost_after_failed_contacts": 2}, role="admin")
        t.check(r.status == 200 and r.json["lost_after_failed_contacts"] == 2, "threshold set to 2", r)
        r = srv.request("POST", "/api/v1/follow-up/%d/contacts" % v1,
                        {"channel": "phone", "outcome": "no_answer", "note": "rang 10 times"}, role="nurse")
        t.check(r.status == 201 and r.json["became_lost"] is False and r.json["visit"]["failed_contacts"] == 1
                and len(r.json["contacts"]) == 1, "first failed contact", r)
        r = srv.request("POST", "/api/v1/follow-up/%d/contacts" % v1,
                        {"channel": "sms", "outcome": "reached"}, role="nurse")
        t.check(r.status == 201 and r.json["visit"]["failed_contacts"] == 1, "a reached contact is not a failure", r)
        r = srv.request("POST", "/api/v1/follow-up/%d/contacts" % v1,
                        {"channel": "email", "outcome": "message_left"}, role="coordinator")
        t.check(r.status == 201 and r.json["became_lost"] is True and r.json["visit"]["status"] == "lost",
                "second failed contact: lost to follow-up", r)
        r = srv.request("GET", "/api/v1/follow-up?state=overdue", role="nurse")
        t.check(r.status == 200 and r.json["total"] == 0, "a resolved visit leaves the overdue list", r)

        r = srv.request("POST", "/api/v1/follow-up/%d/status" % v6,
                        {"status": "died", "died_on": day(-2), "cause": "Pneumonia"}, role="physician")
        t.check(r.status == 200 and r.json["closed_later"] == 1, "died closes the later visits", r)
        rows = dict(srv.db_query("SELECT label, status FROM followup_visits WHERE plan_id = ?", (plan,)))
        t.check(rows == {"month-1": "lost", "month-3": "done", "month-6": "died", "month-12": "died"},
                "final statuses", rows)
        r = srv.request("POST", "/api/v1/follow-up/%d/links" % v12, {"instrument": "nrs-pain"}, role="nurse")
        t.check(r.status == 409, "no link for a closed visit", r)

        # --- outcome report: the plan started 60 days ago (simulated), baseline NRS before it
        srv.db_exec("UPDATE plans SET start_date = ? WHERE id = ?", (day(-60), plan))
        before = srv.db_checksum(exclude)
        r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci", role="physician")
        t.check(r.status == 200 and r.json["flow"]["treated"] == 0 and r.json["flow"]["eligible"] == 1,
                "no administration recorded: not counted as treated", r)
        # Simulated bedside records (the bedside's tables): two administrations, one serious AE.
        record_administrations(srv, pid, plan, -60)
        srv.db_exec("INSERT INTO adverse_events (patient_id, term_source, term_code, term_text, grade, onset_at,"
                      " aware_at, serious, related_product, related_procedure, expectedness, reported_by,"
                      " created_at, updated_at, version) VALUES (?, 'ctcae', '10019211', 'Headache', 3, ?, ?, 1,"
                      " 'possible', 'unlikely', 'expected', 'nurse1', ?, ?, 1)",
                 (pid, day(-58) + "T10:00:00Z", day(-58) + "T10:00:00Z", day(-58) + "T10:00:00Z",
                  day(-58) + "T10:00:00Z"))
        r = srv.request("POST", "/api/v1/patients/%d/observations" % pid,
                        {"instrument": "nrs-pain", "date": day(-61), "source": "clinician",
                         "answers": {"current": "5", "average": "6", "worst": "9"}}, role="physician")
        t.check(r.status == 201, "baseline observation", r)
        before = srv.db_checksum(exclude)
        r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci", role="physician")
        rep = r.json or {}
        flow = rep.get("flow", {})
        t.check(r.status == 200 and flow.get("referred") == 1 and flow.get("screened") == 1
                and flow.get("eligible") == 1 and flow.get("treated") == 1, "report flow: 1 treated", r)
        pts = {p["label"]: p for p in flow.get("timepoints", [])}
        t.check(pts.get("month-1", {}).get("lost") == 1 and pts.get("month-3", {}).get("assessed") == 1
                and pts.get("month-6", {}).get("died") == 1 and pts.get("month-12", {}).get("died") == 1
                and all(p["due"] == 1 for p in pts.values()),
                "report flow per time point: lost, assessed, died, died (missing by reason)", flow)
        worst = [m for m in rep.get("measures", []) if m["instrument"] == "nrs-pain" and m["score"] == "worst"]
        cells = {c["label"]: c for c in (worst[0]["timepoints"] if worst else [])}
        m3 = cells.get("month-3", {})
        t.check(cells.get("baseline", {}).get("n") == 1 and cells["baseline"]["mean"] == 9
                and m3.get("n") == 1 and m3.get("due") == 1 and m3.get("mean") == 7
                and m3.get("change", {}).get("pairs") == 1 and m3["change"]["mean_diff"] == -2
                and m3["change"]["ci"]["low"] is None and m3["ci"]["not_computable"] == "single",
                "NRS worst: baseline 9, month-3 7 (patient link), change -2, no interval from one pair", cells)
        m1 = cells.get("month-1", {})
        t.check(m1.get("due") == 1 and m1.get("n") == 0 and m1.get("missing") == 1,
                "month-1 counts its missing value", m1)
        ae = rep.get("adverse_events", {})
        t.check(ae.get("treated") == 1 and ae.get("patients_any", {}).get("n") == 1
                and ae["patients_any"]["x"] == 1 and ae["patients_serious"]["x"] == 1
                and ae["patients_any"]["ci"]["low"] == 0.025 and ae["patients_any"]["ci"]["high"] == 1
                and ae["per_administration"] == {"events": 1, "administrations": 2, "rate": 0.5,
                                                 "ci": ae["per_administration"]["ci"]}
                and ae["rows"] == [{"term": "Headache", "grade": 3, "events": 1,
                                    "patients": ae["patients_any"]}]
                and len(ae["serious_list"]) == 1,
                "adverse events: 1/1 treated (Clopper-Pearson 0.025-1), 1 event / 2 administrations", ae)
        t.check(rep.get("ais") is None and "definitions" in rep, "no ISNCSCI data: ais null; definitions given", rep)
        # per-patient trajectories: the one treated patient's NRS values as recorded above
        # (baseline 5/6/9 before the start, month-3 3/4/7 by the patient link, nothing else)
        t.check(rep.get("timepoints") == ["baseline", "month-1", "month-3", "month-6", "month-12"],
                "report time points", rep.get("timepoints"))
        trajs = {m["score"]: m.get("trajectories") for m in rep.get("measures", []) if m["instrument"] == "nrs-pain"}
        t.check(trajs == {"current": {"drawn": 1, "of": 1, "patients": [[5, None, 3, None, None]]},
                          "average": {"drawn": 1, "of": 1, "patients": [[6, None, 4, None, None]]},
                          "worst": {"drawn": 1, "of": 1, "patients": [[9, None, 7, None, None]]}},
                "trajectories: one array per patient, one value per time point, null where absent", trajs)
        check_trajectories(t, rep, "one-patient cohort")
        chart = "/api/v1/reports/outcomes/chart?protocol=sci&kind="
        wi = next((i for i, m in enumerate(rep.get("measures", []))
                   if m["instrument"] == "nrs-pain" and m["score"] == "worst"), 0)
        for kind, want in (("trajectory&measure=%d" % wi,
                            "nrs-pain worst: 1 of 1 patients drawn as lines; mean (95% CI), n assessed / due: "
                            "baseline 9, 1 / 1; month-1 no mean, 0 / 1; month-3 7, 1 / 1"),
                           ("ais", "no AIS grade recorded"),
                           ("ae", "among 1 treated patients: Headache: grade 3 1 / 1.")):
            for role in ("physician", "admin"):
                r = srv.request("GET", chart + kind, role=role)
                title = svg_title(r.body) if r.status == 200 else ""
                t.check(r.status == 200 and r.header("Content-Type") == "image/svg+xml" and want in title,
                        "chart %s as %s: SVG whose title gives the numbers" % (kind, role), (r.status, title))
            for role in ("nurse", "coordinator", "lab", "qa"):
                r = srv.request("GET", chart + kind, role=role)
                t.check(r.status == 403, "chart %s as %s: 403, as the report" % (kind, role), r)
            r = srv.request("GET", chart + kind)
            t.check(r.status == 401, "chart %s without login: 401" % kind, r)
        # the period reaches the chart: nobody treated from 30 days ago (a measure left, if any, has no line)
        later = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&from=%s" % day(-30), role="physician").json or {}
        r = srv.request("GET", chart + "trajectory&measure=0&from=%s" % day(-30), role="physician")
        if later.get("measures"):
            t.check(r.status == 200 and ": 0 of 0 patients drawn" in svg_title(r.body),
                    "the period reaches the trajectory chart: no patient treated from 30 days ago", r.status)
        else:
            t.check(r.status == 400 and (r.error() or {}).get("field") == "measure",
                    "the period reaches the trajectory chart: no measure from 30 days ago, measure 0 refused", r)
        r = srv.request("GET", chart + "ae&from=%s" % day(-30), role="physician")
        t.check(r.status == 200 and "among 0 treated patients: no adverse event" in svg_title(r.body),
                "the period reaches the AE chart: 0 treated", r.status)
        for q, treated in (("condition=G12", 0), ("product_type=uc-msc", 1), ("route=intrathecal", 0)):
            r = srv.request("GET", chart + "ae&" + q, role="physician")
            t.check(r.status == 200 and "among %d treated patients" % treated in svg_title(r.body),
                    "the report's filter %s reaches the chart: %d treated" % (q, treated), r.status)
        n_measures = len(rep.get("measures", []))
        for q, field in (("protocol=sci", "kind"), ("protocol=sci&kind=pie", "kind"), ("protocol=sci&kind=", "kind"),
                         ("protocol=sci&kind=trajectory", "measure"),
                         ("protocol=sci&kind=trajectory&measure=abc", "measure"),
                         ("protocol=sci&kind=trajectory&measure=-1", "measure"),
                         ("protocol=sci&kind=trajectory&measure=1.5", "measure"),
                         ("protocol=sci&kind=trajectory&measure=%d" % n_measures, "measure"),
                         ("protocol=sci&kind=trajectory&measure=99999", "measure"),
                         ("protocol=sci&kind=ae&measure=0", "measure"),
                         ("kind=ae", "protocol"), ("protocol=nope&kind=ais", "protocol"),
                         ("protocol=sci&kind=ae&from=2026-13-01", "from"),
                         ("protocol=sci&kind=ae&from=2026-05-01&to=2026-04-01", "to")):
            r = srv.request("GET", "/api/v1/reports/outcomes/chart?" + q, role="physician")
            t.check(r.status == 400 and (r.error() or {}).get("field") == field, "chart ?%s: 400 %s" % (q, field), r)
        t.check(srv.db_checksum(exclude) == before, "the report changes nothing")
        r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&format=csv", role="physician")
        t.check(r.status == 200 and (r.header("Content-Type") or "").startswith("text/csv")
                and b"measure,nrs-pain,worst,month-3,1,1,0,7" in r.body, "CSV export", r)
        r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&format=pdf", role="physician")
        t.check(r.status == 200 and r.header("Content-Type") == "application/pdf" and r.body.startswith(b"%PDF"),
                "PDF report", r.status)
        r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&format=html", role="physician")
        t.check(r.status == 200 and b"Participant flow" in r.body and b"<svg" in r.body
                and b"1 / 1" in r.body, "HTML report with SVG charts and denominators", r.status)
        t.check(r.body.count(b"<figure>") == len(rep.get("measures", [])) + 1
                and b"1 of 1 patients drawn" in r.body and b"Headache: grade 3 1 / 1" in r.body,
                "HTML: a trajectory chart per measure and the adverse-event chart, each with its text", r.status)
        r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&from=%s" % day(-30), role="admin")
        t.check(r.status == 200 and r.json["flow"]["treated"] == 0, "period filter on the treatment start", r)
        for q, field in (("", "protocol"), ("protocol=nope", "protocol"), ("protocol=sci&from=2026-13-01", "from"),
                         ("protocol=sci&from=2026-05-01&to=2026-04-01", "to"), ("protocol=sci&format=xml", "format")):
            r = srv.request("GET", "/api/v1/reports/outcomes?" + q, role="physician")
            t.check(r.status == 400 and (r.error() or {}).get("field") == field, "report ?%s: 400 %s" % (q, field), r)
        r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci", role="nurse")
        t.check(r.status == 403, "a nurse cannot read the outcome report", r)
        out = os.path.join(srv.tmp, "report.json")
        r = harness.run_cli(args.binary, ["report", "outcomes", "--data", srv.data, "--protocol", "sci",
                                          "--format", "json", "--out", out])
        t.check(r.returncode == 0, "cellclinic report outcomes exits 0", r.stderr)
        if r.returncode == 0:
            with open(out, encoding="utf-8") as f:
                cli = json.load(f)
            t.check(cli["flow"] == rep["flow"] and cli["measures"] == rep["measures"],
                    "the command line report equals the API's", cli.get("flow"))
        pdf = os.path.join(srv.tmp, "report.pdf")
        r = harness.run_cli(args.binary, ["report", "outcomes", "--data", srv.data, "--protocol", "sci",
                                          "--format", "pdf", "--out", pdf])
        t.check(r.returncode == 0 and open(pdf, "rb").read(5) == b"%PDF-", "cellclinic report --format pdf", r.stderr)
        r = harness.run_cli(args.binary, ["report", "outcomes", "--data", srv.data, "--protocol", "nope"])
        t.check(r.returncode == 2 and "--protocol" in r.stderr, "unknown protocol: exit 2", r.stderr)
        r = harness.run_cli(args.binary, ["report", "outcomes", "--data", srv.data, "--protocol", "sci",
                                          "--format", "csv"])
        t.check(r.returncode == 0 and r.stdout.startswith("table,instrument"), "CSV on stdout", r.stdout[:200])

        # --- de-identified export: no names, contacts, MRN, birth date or free text; shifted dates
        exp = os.path.join(srv.tmp, "deid-no-consent")
        r = harness.run_cli(args.binary, ["export", "deidentified", "--data", srv.data, "--out", exp])
        with open(os.path.join(exp, "patients.csv"), encoding="utf-8") as f:
            t.check(r.returncode == 0 and "(1 patients left out" in r.stderr and "(no rows)" in f.read(),
                    "without a research consent the patient is left out of the export, and counted", r.stderr)
        srv.record_consent(pid, "sci", kind="research")
        exp = os.path.join(srv.tmp, "deid")
        r = harness.run_cli(args.binary, ["export", "deidentified", "--data", srv.data, "--out", exp])
        t.check(r.returncode == 0 and "(0 patients left out" in r.stderr,
                "cellclinic export deidentified exits 0", r.stderr)
        files = sorted(os.listdir(exp)) if os.path.isdir(exp) else []
        t.check(files == ["administrations.csv", "adverse_events.csv", "data_dictionary.csv", "observations.csv",
                          "patients.csv", "plans.csv", "visits.csv"], "one CSV per table and a data dictionary", files)
        blob = "".join(open(os.path.join(exp, f), encoding="utf-8").read() for f in files)
        mrn = srv.db_query("SELECT mrn FROM patients WHERE id = ?", (pid,))[0][0]
        leaks = [x for x in ("Suivi", "Test", "+33 1 23 45 67 89", mrn, "1988-04-02", "Pneumonia",
                             "rang 10 times", "Headache") if x in blob]
        t.check(not leaks, "no name, phone, MRN, birth date or free text in the export", leaks)
        with open(os.path.join(exp, "patients.csv"), encoding="utf-8") as f:
            prow = list(csv.DictReader(f))
        start = datetime.date.fromisoformat(day(-60))  # age at the first treatment start
        t.check(len(prow) == 1 and set(prow[0]) == {"patient_id", "sex", "age_years", "synthetic"}
                and prow[0]["age_years"] == str(start.year - 1988 - ((start.month, start.day) < (4, 2)))
                and len(prow[0]["patient_id"]) == 16 and prow[0]["patient_id"] != str(pid),
                "patients: pseudonym, sex, age in years", prow)
        with open(os.path.join(exp, "plans.csv"), encoding="utf-8") as f:
            plrow = [x for x in csv.DictReader(f) if x["status"] == "approved"]
        shift = (datetime.date.fromisoformat(plrow[0]["start_date"]) - datetime.date.fromisoformat(day(-60))).days \
            if plrow else 0
        with open(os.path.join(exp, "visits.csv"), encoding="utf-8") as f:
            vrows = list(csv.DictReader(f))
        real = dict(srv.db_query("SELECT label, target_date FROM followup_visits WHERE plan_id = ?", (plan,)))
        t.check(plrow and shift != 0 and -182 <= shift <= 182 and all(
            (datetime.date.fromisoformat(v["target_date"]) - datetime.date.fromisoformat(real[v["label"]])).days == shift
            for v in vrows if v["label"] in real and v["patient_id"] == plrow[0]["patient_id"]),
            "every date of a patient moves by the same non-zero offset", shift)
        r2 = harness.run_cli(args.binary, ["export", "deidentified", "--data", srv.data, "--out", exp])
        t.check(r2.returncode == 2 and "--out" in r2.stderr, "an existing --out directory is refused", r2.stderr)
        r = harness.run_cli(args.binary, ["audit", "verify", "--data", srv.data, "--no-rows"])
        t.check(r.returncode == 0, "audit chain intact", r.stdout + r.stderr)
        # this test wrote a plan date, a link expiry, administrations and an adverse event with
        # SQL: the row check must name those tables and no other
        r = harness.run_cli(args.binary, ["audit", "verify", "--data", srv.data])
        named = set(re.findall(r"row check: (\w+) id", r.stdout))
        t.check(r.returncode == 6 and named == {"plans", "questionnaire_links", "administrations",
                                                "adverse_events"},
                "audit verify's row check names the rows this test wrote behind the program's "
                "back, and nothing else", r.stdout + r.stderr)
    # --- demonstration data: a synthetic treated cohort with follow-up, reported honestly
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        r = harness.run_cli(args.binary, ["demo", "--data", srv.data, "--patients", "100", "--seed", "5"])
        # the demo screens up to 2 in 5 patients (40 of 100) for the programme of their condition:
        # "N of the patients have ... (sci a, spina-bifida b, msc c, als d, secretome e); m more ..."
        m = re.search(r"(\d+) of the patients have a synthetic treatment and follow-up history \(([^)]*)\);"
                      r" (\d+) more were screened not eligible", r.stdout)
        per = dict((k, int(v)) for k, v in (x.rsplit(" ", 1) for x in m.group(2).split(", "))) if m else {}
        treated, sci = (int(m.group(1)), per.get("sci", 0)) if m else (0, 0)
        t.check(r.returncode == 0 and m and sorted(per) == sorted(["sci", "spina-bifida", "msc", "als", "secretome"])
                and sum(per.values()) == treated and 20 <= treated + int(m.group(3)) <= 40
                and all(n > 0 for n in per.values()),
                "demo treats patients in all five programmes, the counts adding up to the total",
                r.stdout + r.stderr)
        r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci", role="physician")
        f = (r.json or {}).get("flow", {})
        t.check(r.status == 200 and r.json["synthetic_data"] is True and f.get("treated") == sci > 0
                and all(p["due"] == p["pending"] + p["assessed"] + p["missing"]
                        and p["not_yet_due"] + p["due"] == sci for p in f.get("timepoints", []))
                and any(m["instrument"] == "nrs-pain" for m in r.json["measures"])
                and any(m["instrument"] == "isncsci" for m in r.json["measures"]) and r.json.get("ais"),
                "demo cohort: synthetic SCI report whose time points add up, with ISNCSCI measures and AIS grades", f)
        demo = r.json or {}
        check_trajectories(t, demo, "demo cohort")
        t.check(all(m["trajectories"]["of"] <= sci and m["trajectories"]["drawn"] == m["trajectories"]["of"]
                    for m in demo.get("measures", [])), "demo: every patient with a value drawn (%d treated)" % sci)
        for i, m in enumerate(demo.get("measures", [])[:3]):
            r = srv.request("GET", "/api/v1/reports/outcomes/chart?protocol=sci&kind=trajectory&measure=%d" % i,
                            role="physician")
            want = "%d of %d patients drawn" % (m["trajectories"]["drawn"], m["trajectories"]["of"])
            t.check(r.status == 200 and want in svg_title(r.body) and r.body.count(b"<path") > m["trajectories"]["drawn"],
                    "demo chart of measure %d: %s" % (i, want), r.status)
        if demo.get("ais"):
            r = srv.request("GET", "/api/v1/reports/outcomes/chart?protocol=sci&kind=ais", role="physician")
            a0 = demo["ais"][0]
            want = "%s: %d pairs, missing %d" % (a0["label"], a0["pairs"], a0["missing"])
            t.check(r.status == 200 and want in svg_title(r.body), "demo AIS chart: " + want, r.status)
        r = srv.request("GET", "/api/v1/follow-up?state=all&per_page=200", role="coordinator")
        t.check(r.status == 200 and r.json["total"] == 4 * treated and all(v["synthetic"] == 1 for v in r.json["items"]),
                "demo visits belong to synthetic patients", r.json and r.json.get("total"))
        r = harness.run_cli(args.binary, ["audit", "verify", "--data", srv.data])
        t.check(r.returncode == 0, "audit chain intact after the demo", r.stdout + r.stderr)
    # --- more treated patients than a chart draws: 800 generated by bench/outcomes_gen.py (about a third
    # of them treated under sci, each with NRS values), the first 200 by patient id drawn, the same every time
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        gen = os.path.join(os.path.dirname(__file__), "..", "..", "bench", "outcomes_gen.py")
        if srv.on_pg:
            # the generator writes SQLite: into a scratch data dir of the same schema (its
            # only user the administrator, id 1, as here), then copied row for row
            scratch = os.path.join(srv.tmp, "generated")
            harness.run_cli(args.binary, ["init", "--data", scratch])
            g = subprocess.run([sys.executable, gen, os.path.join(scratch, "cellclinic.db"), "800"],
                               capture_output=True, text=True)
            if g.returncode == 0:
                harness.location_load_sqlite(srv.data, os.path.join(scratch, "cellclinic.db"), (
                    "patients", "patient_conditions", "screenings", "plans", "administrations",
                    "followup_visits", "observations", "adverse_events"))
                srv.db_exec("UPDATE derived_data SET built = 0 WHERE name = 'measure_series'")
        else:
            g = subprocess.run([sys.executable, gen, srv.db_path, "800"], capture_output=True,
                               text=True)
        t.check(g.returncode == 0, "800 patients generated", g.stderr)
        # the generator leaves the measure series to be built, as on an older data dir: the command line does it
        c = harness.run_cli(args.binary, ["report", "outcomes", "--data", srv.data, "--protocol", "sci",
                                          "--out", os.path.join(srv.tmp, "built.json")])
        t.check(c.returncode == 0, "cellclinic report outcomes builds the measure series", c.stderr)
        r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci", role="physician")
        rep = r.json or {}
        treated = srv.db_query("SELECT p.patient_id, p.start_date FROM plans p WHERE p.protocol_id = 'sci'"
                               " AND p.status = 'approved' AND EXISTS (SELECT 1 FROM administrations a"
                               " WHERE a.plan_id = p.id) ORDER BY p.patient_id")
        idx = next((i for i, m in enumerate(rep.get("measures", []))
                    if m["instrument"] == "nrs-pain" and m["score"] == "worst"), None)
        tr = rep["measures"][idx]["trajectories"] if idx is not None else {}
        t.check(r.status == 200 and len(treated) > 200 and rep["flow"]["treated"] == len(treated)
                and tr.get("of") == len(treated) and tr.get("drawn") == 200 and len(tr.get("patients", [])) == 200,
                "%d treated, each with an NRS value: 200 of them drawn" % len(treated), (tr.get("drawn"), tr.get("of")))
        # baseline: the newest NRS on or before the start, at most 180 days before it (docs/api.md)
        want = []
        for pid, start in treated[:200]:
            lo = (datetime.date.fromisoformat(start) - datetime.timedelta(days=180)).isoformat()
            o = srv.db_query("SELECT scores FROM observations WHERE patient_id = ? AND instrument = 'nrs-pain'"
                             " AND observed_on BETWEEN ? AND ? ORDER BY observed_on DESC, id DESC LIMIT 1",
                             (pid, lo, start))
            want.append(json.loads(o[0][0])["scores"]["worst"] if o else None)
        t.check([p[0] for p in tr.get("patients", [])] == want,
                "the drawn are the first 200 treated patients by id (their baselines, in order)", want[:8])
        check_trajectories(t, rep, "800 generated")
        r2 = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci", role="physician")
        t.check((r2.json or {}).get("measures") == rep.get("measures"), "the same patients on every request")
        r = srv.request("GET", "/api/v1/reports/outcomes/chart?protocol=sci&kind=trajectory&measure=%s" % idx,
                        role="physician")
        t.check(r.status == 200 and "200 of %d patients drawn" % len(treated) in svg_title(r.body)
                and r.body.count(b"stroke-opacity:0.5;") == 200,
                "the chart says 200 of N and draws 200 patient lines", r.status)
        if rep.get("ais"):
            r = srv.request("GET", "/api/v1/reports/outcomes/chart?protocol=sci&kind=ais", role="admin")
            title = svg_title(r.body) if r.status == 200 else ""
            parts = ["%s: %d pairs, missing %d" % (a["label"], a["pairs"], a["missing"]) for a in rep["ais"]]
            flows = ["%s to %s %d" % (b, g, n) for b, row in sorted(rep["ais"][0]["table"].items())
                     for g, n in sorted(row.items()) if n]
            t.check(r.status == 200 and all(p in title for p in parts) and all(f in title for f in flows),
                    "AIS chart: pairs, missing and every count of the grade table", title[:300])
            r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&format=html", role="physician")
            t.check(r.status == 200 and r.body.count(b"<figure>") == len(rep["measures"]) + 2,
                    "HTML: a chart per measure, the AIS chart and the adverse-event chart", r.status)
    sys.exit(t.finish())


if __name__ == "__main__":
    main()
