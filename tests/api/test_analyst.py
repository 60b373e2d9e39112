#!/usr/bin/env python3
"""An analyst sees no free text and no internal patient ids (issue "Analyst
and exports"; docs/security.md "Analysts").

The probe: an adverse event "other, specify" whose text holds a distinctive
string, a site-defined term with its own distinctive code and text, a
patient with a distinctive name. As physician the texts are in the outcome
report (JSON, CSV, PDF); as analyst they are in none of the report's JSON,
CSV, HTML, PDF (pdftotext, poppler-utils) and charts, nor in the
de-identified export. Then: the serious-event list as analyst gives a
per-report pseudonym (P-001 ...) and the day from the first administration,
no patient id, no date, and the same patient gets another pseudonym in
another report; groups smaller than the clinic's threshold (default 5,
PATCH /report-settings by admin) are not shown, with the note; the export
groups ages over 89 as 90+.

    python3 tests/api/test_analyst.py --binary build/cellclinic [-v]
"""
import csv
import datetime
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from test_programmes import day  # noqa: E402
from test_report_filters import ADMIN_SQL, db_write  # noqa: E402

OTHER_TEXT = "Qwertzuiop-Fallen-In-Garden"
SITE_CODE = "SITECODE-Plover"
SITE_TEXT = "Plover-Site-Term-Text"
FAMILY = "Zyxwvutsrq"
SECRETS = (OTHER_TEXT, SITE_CODE, SITE_TEXT, FAMILY)

def pdf_text(body):
    """The text of a PDF by pdftotext (poppler-utils, scripts/install-deps.sh)."""
    if not shutil.which("pdftotext"):
        return None
    r = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, timeout=60)
    return r.stdout.decode("utf-8", "replace") if r.returncode == 0 else None


def main():
    args = harness.parse_args()
    t = harness.Tally("analyst", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        for role in harness.ROLES:
            srv.token(role)
        ids = {}

        def patient(family, birth, protocol, start, n_admins=2, research=True):
            """A patient with an approved plan of protocol starting `start` days from today and
            n_admins administrations, the first on the start day at 09:00 UTC; with a research
            consent unless research is False."""
            r = srv.request("POST", "/api/v1/patients",
                            {"family_name": family, "given_names": "Test", "birth_date": birth,
                             "sex": "female", "language": "en"}, role="coordinator")
            t.check(r.status == 201, "patient %s created" % family, r)
            pid = r.json["id"]
            db_write(srv, "INSERT INTO screenings (patient_id, protocol_id, protocol_version, body, verdict, reasons,"
                          " oldest_date, evaluated_on, decision, created_at, created_by, version)"
                          " VALUES (?, ?, 1, '{}', 'eligible', '[]', ?, ?, 'eligible', 't', 'test', 1)",
                     (pid, protocol, day(start - 30), day(start - 20)))
            plan = srv.db_exec("INSERT INTO plans (patient_id, protocol_id, protocol_version, status, start_date,"
                               " end_date, request, body, created_at, created_by, updated_at, version)"
                               " VALUES (?, ?, 1, 'approved', ?, ?, '{}', '{}', 't', 'test', 't', 1)"
                               " RETURNING id", (pid, protocol, day(start), day(start + 15)))[0][0]
            for k in range(n_admins):
                db_write(srv, ADMIN_SQL, (pid, plan, k + 1, "%d-%d" % (plan, k + 1), day(start + k), "intravenous",
                                          "uc-msc", day(start - 1), day(start + k) + "T09:00:00Z"))
            if research:
                srv.record_consent(pid, protocol, kind="research")
            ids[family] = pid
            return pid

        def event(pid, onset_day, term, text=None, source=None, serious=True, grade=3):
            body = {"patient_id": pid, "term": term, "grade": grade, "onset_at": day(onset_day) + "T10:00:00Z",
                    "related_product": "possible", "related_procedure": "unlikely", "expectedness": "unexpected",
                    "seriousness": ["hospitalisation"] if serious else []}
            if text:
                body["term_text"] = text
            if source:
                body["term_source"] = source
            r = srv.request("POST", "/api/v1/adverse-events", body, role="physician")
            t.check(r.status == 201, "adverse event %s recorded" % term, r)

        # fillers first, so that no patient id reads like a pseudonym number (P-001 .. P-003)
        for k in range(4):
            srv.request("POST", "/api/v1/patients", {"family_name": "Filler%d" % k, "given_names": "Test",
                                                     "birth_date": "1990-01-01", "sex": "male", "language": "en"},
                        role="coordinator")
        a = patient(FAMILY, "1980-01-01", "sci", -100)
        b = patient("Second", "1975-05-05", "sci", -90)
        d = patient("Third", "1920-03-03", "als", -80)  # over 89 at any date of this test
        event(a, -88, "other", text=OTHER_TEXT)                      # J+12
        event(b, -70, SITE_CODE, text=SITE_TEXT, source="site")      # J+20
        event(d, -79, "fever")                                       # J+1, another protocol
        event(a, -60, "fever", serious=False, grade=1)

        def get(query, role):
            return srv.request("GET", "/api/v1/reports/outcomes?" + query, role=role)

        # ---- the probe, as physician: the texts are there ----
        r = get("protocol=sci", "physician")
        text = r.body.decode("utf-8", "replace")
        t.check(r.status == 200 and OTHER_TEXT in text and SITE_TEXT in text,
                "physician: the report names the 'other, specify' and site term texts", text[:300])
        serious = (r.json or {}).get("adverse_events", {}).get("serious_list", [])
        t.check(sorted(x.get("patient_id") for x in serious) == sorted([a, b])
                and all(x.get("onset") for x in serious),
                "physician: the serious-event list gives patient ids and onsets", serious)
        t.check(all(x.get("day") in (12, 20) for x in serious),
                "physician: each serious event also has its day from the first administration", serious)
        r = get("protocol=sci&format=csv", "physician")
        t.check(r.status == 200 and OTHER_TEXT.encode() in r.body, "physician: the CSV holds the 'other' text",
                r.body[:300])
        r = get("protocol=sci&format=pdf", "physician")
        pt = pdf_text(r.body) if r.status == 200 else None
        t.check(pt is not None, "pdftotext reads the PDF (poppler-utils installed by scripts/install-deps.sh)",
                r.status)
        t.check(pt is not None and OTHER_TEXT in pt.replace("\n", ""),
                "physician: the PDF shows the 'other' text (its adverse-event chart)", (pt or "")[:400])

        # ---- as analyst: no free text, no name, no id, anywhere ----
        r = get("protocol=sci", "analyst")
        rep = r.json or {}
        text = r.body.decode("utf-8", "replace")
        t.check(r.status == 200 and not any(s in text for s in SECRETS),
                "analyst JSON: no free-text term, no site code, no name", [s for s in SECRETS if s in text])
        t.check(rep.get("deidentified") is True, "analyst JSON says it is de-identified", rep.get("deidentified"))
        terms = sorted({x["term"] for x in rep.get("adverse_events", {}).get("rows", [])})
        t.check(terms == ["fever", "other", "site_term"],
                "analyst: 'other, specify' reads 'other', a site term 'site_term'", terms)
        for fmt in ("csv", "html"):
            r = get("protocol=sci&format=" + fmt, "analyst")
            body = r.body.decode("utf-8", "replace")
            t.check(r.status == 200 and not any(s in body for s in SECRETS) and "other" in body,
                    "analyst %s: no free text, the term reads 'other'" % fmt, [s for s in SECRETS if s in body])
        r = get("protocol=sci&format=pdf", "analyst")
        pt = pdf_text(r.body) if r.status == 200 else None
        flat = (pt or "").replace("\n", "")
        t.check(pt is not None and not any(s in flat for s in SECRETS) and "site_term" in flat,
                "analyst PDF: no free text (pdftotext), the site term as 'site_term'",
                [s for s in SECRETS if s in flat])
        r = srv.request("GET", "/api/v1/reports/outcomes/chart?protocol=sci&kind=ae", role="analyst")
        t.check(r.status == 200 and not any(s.encode() in r.body for s in SECRETS),
                "analyst AE chart: no free text", r.status)

        # ---- serious events: pseudonym and day, per report ----
        sl = rep.get("adverse_events", {}).get("serious_list", [])
        t.check(len(sl) == 2 and all(set(x) == {"patient", "protocol", "term", "grade", "day"} for x in sl),
                "analyst serious list: pseudonym, protocol, term, grade, day only (no id, no date)", sl)
        t.check([(x.get("patient"), x.get("day"), x.get("term")) for x in sl]
                == [("P-001", 12, "other"), ("P-002", 20, "site_term")],
                "analyst: P-001 at J+12 ('other'), P-002 at J+20 (site term), in order of day", sl)
        pseudo = {x["patient"] for x in sl}
        t.check(not any(p == "P-%03d" % i for p in pseudo for i in ids.values()),
                "pseudonyms are not the patient ids", (pseudo, ids))
        r = get("protocol=all", "analyst")
        sl_all = (r.json or {}).get("adverse_events", {}).get("serious_list", [])
        by_day = {x["day"]: x["patient"] for x in sl_all}
        t.check(by_day == {1: "P-001", 12: "P-002", 20: "P-003"},
                "all protocols: the J+1 event's patient is P-001, the others follow", sl_all)
        t.check(by_day.get(12) != "P-001",
                "the same patient has another pseudonym in another report (P-001 in sci, %s in all)"
                % by_day.get(12), sl_all)

        # ---- small groups: the clinic's threshold, default 5 ----
        r = srv.request("GET", "/api/v1/report-settings", role="analyst")
        t.check(r.status == 200 and r.json == {"min_group": 5}, "the threshold reads 5 by default", r)
        f = rep.get("flow", {})
        sup = rep.get("suppression") or {}
        t.check(f.get("treated") is None and f.get("referred") is None and f.get("suppressed_below") == 5,
                "analyst: 2 treated patients are not shown (fewer than 5)", f)
        t.check(sup.get("min_group") == 5 and sup.get("note") == "fewer than 5 patients: not shown"
                and sup.get("suppressed_values", 0) > 0, "analyst: the report carries the note", sup)
        ae = rep.get("adverse_events", {})
        t.check(all(x["patients"]["x"] is None and x["patients"]["p"] is None and x["patients"]["ci"]["low"] is None
                    and x["events"] is None for x in ae.get("rows", [])),
                "analyst: each adverse-event row of 1 patient: count, proportion and interval left out",
                ae.get("rows"))
        r = get("protocol=sci&format=csv", "analyst")
        t.check(b"fewer than 5 patients: not shown" in r.body and b"\r\nflow,,treated,,,2," not in r.body,
                "analyst CSV: the note, no count of 2", r.body[:400])
        r = get("protocol=sci&format=html", "analyst")
        t.check(b"fewer than 5 patients: not shown" in r.body and b"&lt;5" in r.body,
                "analyst HTML: the note, small counts as <5", r.status)
        r = get("protocol=sci&format=pdf", "analyst")
        pt = pdf_text(r.body) or ""
        t.check("fewer than 5 patients: not shown" in pt and "treated <5" in pt,
                "analyst PDF: the note, 'treated <5'", pt[:400])
        r = srv.request("GET", "/api/v1/reports/outcomes/chart?protocol=sci&kind=ae", role="analyst")
        t.check(r.status == 200 and b"among &lt;5 treated patients" in r.body,
                "analyst AE chart: the treated count as <5", r.body[:300])
        r = get("protocol=sci&min_group=1", "analyst")
        t.check(r.status == 200 and (r.json or {}).get("flow", {}).get("treated") is None,
                "an analyst cannot lower the threshold with ?min_group=1", r)
        r = get("protocol=sci", "physician")
        t.check((r.json or {}).get("flow", {}).get("treated") == 2 and "suppression" not in (r.json or {}),
                "physician: every count shown", (r.json or {}).get("flow"))
        r = get("protocol=sci&min_group=3", "physician")
        t.check(r.status == 200 and (r.json or {}).get("flow", {}).get("treated") is None,
                "physician asking ?min_group=3: 2 treated not shown", (r.json or {}).get("flow"))
        for q in ("min_group=0", "min_group=101", "min_group=x", "min_group=-1"):
            r = get("protocol=sci&" + q, "analyst")
            t.check(r.status == 400 and (r.error() or {}).get("field") == "min_group", "?%s: 400 min_group" % q, r)

        before = srv.db_checksum(("sessions", "api_tokens", "audit_log"))
        for role in ("analyst", "physician"):
            r = srv.request("PATCH", "/api/v1/report-settings", {"min_group": 2}, role=role)
            t.check(r.status == 403, "%s may not change the threshold" % role, r)
        for bad in ({"min_group": 0}, {"min_group": 101}, {"min_group": "2"}, {}):
            r = srv.request("PATCH", "/api/v1/report-settings", bad, role="admin")
            t.check(r.status == 400 and (r.error() or {}).get("field") == "min_group",
                    "PATCH %s: 400 naming min_group" % json.dumps(bad), r)
        t.check(srv.db_checksum(("sessions", "api_tokens", "audit_log")) == before,
                "refused settings change nothing")
        r = srv.request("PATCH", "/api/v1/report-settings", {"min_group": 2}, role="admin")
        t.check(r.status == 200 and r.json == {"min_group": 2}, "admin sets the threshold to 2", r)
        audit = srv.db_query("SELECT entity, after_json FROM audit_log WHERE entity = 'clinic_settings'"
                             " ORDER BY seq DESC LIMIT 1")
        t.check(audit and "report_min_group" in audit[0][1] and '"value":2' in audit[0][1],
                "the change is in the audit trail", audit)
        r = get("protocol=sci", "analyst")
        rep2 = r.json or {}
        t.check(rep2.get("flow", {}).get("treated") == 2
                and all(x["patients"]["x"] is None for x in rep2["adverse_events"]["rows"]),
                "threshold 2: 2 treated shown, rows of 1 patient still left out", rep2.get("flow"))
        t.check(any(x["patients"]["n"] == 2 for x in rep2["adverse_events"]["rows"]),
                "threshold 2: the denominator 2 is shown", rep2["adverse_events"]["rows"])

        # ---- the command line: the analyst's report with --deidentified ----
        r = harness.run_cli(args.binary, ["report", "outcomes", "--data", srv.data, "--protocol", "sci",
                                          "--format", "csv", "--deidentified"])
        t.check(r.returncode == 0 and not any(s in r.stdout for s in SECRETS)
                and "suppression,,fewer than 2 patients: not shown" in r.stdout,
                "report outcomes --deidentified: no free text, the clinic's threshold (2 now)", r.stdout[:300])
        r = harness.run_cli(args.binary, ["report", "outcomes", "--data", srv.data, "--protocol", "sci"])
        t.check(r.returncode == 0 and OTHER_TEXT in r.stdout, "report outcomes without it: identified", r.stderr)
        r = harness.run_cli(args.binary, ["report", "outcomes", "--data", srv.data, "--protocol", "sci",
                                          "--min-group", "0"])
        t.check(r.returncode == 2 and "--min-group" in r.stderr, "--min-group 0 refused naming the option",
                r.stderr)

        # ---- research consent (H15's records): a treated patient without one is left out of
        # what leaves the clinic, and the report says how many ----
        r = get("protocol=sci", "analyst")
        t.check(r.status == 200 and r.json["research_consent"] == {"required": True, "left_out": 0},
                "analyst: every sci patient has a research consent, none left out", r)
        # two of them: the report's threshold is 2 by now, and a smaller count is suppressed
        patient("SansRecherche", "1970-07-07", "sci", -70, research=False)
        patient("SansRecherche2", "1971-07-07", "sci", -60, research=False)
        r = get("protocol=sci", "analyst")
        t.check(r.status == 200 and r.json["research_consent"] == {"required": True, "left_out": 2}
                and r.json["flow"]["treated"] == 2,
                "analyst: the patients without a research consent are left out and counted",
                ((r.json or {}).get("research_consent"), (r.json or {}).get("flow")))
        r = get("protocol=sci", "physician")
        t.check(r.status == 200 and r.json["research_consent"] == {"required": False, "left_out": 0}
                and r.json["flow"]["treated"] == 4,
                "physician: the clinic's own report counts every treated patient", r)
        r = harness.run_cli(args.binary, ["report", "outcomes", "--data", srv.data, "--protocol", "sci",
                                          "--format", "json", "--deidentified"])
        t.check(r.returncode == 0 and json.loads(r.stdout)["research_consent"] == {"required": True, "left_out": 2},
                "report outcomes --deidentified: the same count", r.stderr)

        # ---- the de-identified export ----
        out = os.path.join(tempfile.mkdtemp(prefix="cc-analyst-"), "export")
        r = harness.run_cli(args.binary, ["export", "deidentified", "--data", srv.data, "--out", out])
        t.check(r.returncode == 0, "export deidentified exits 0", r.stderr)
        files = {}
        for name in os.listdir(out) if os.path.isdir(out) else []:
            with open(os.path.join(out, name), encoding="utf-8") as fh:
                files[name] = fh.read()
        every = "".join(files.values())
        t.check(files and not any(s in every for s in SECRETS + ("Filler",)),
                "export: no free text, no site code, no name", [s for s in SECRETS if s in every])
        aes = list(csv.DictReader(io.StringIO(files.get("adverse_events.csv", ""))))
        t.check(sorted(x["term_code"] for x in aes) == ["", "fever", "fever", "other"],
                "export: 'other' for other, specify; a site term without its code", aes)
        pts = list(csv.DictReader(io.StringIO(files.get("patients.csv", ""))))
        ages = sorted(x["age_years"] for x in pts)
        t.check("90+" in ages and all(x == "90+" or int(x) < 90 for x in ages) and ages.count("90+") == 1,
                "export: the patient over 89 is 90+, no age of 90 or more", ages)
        t.check("90+" in files.get("data_dictionary.csv", ""), "the data dictionary says so",
                files.get("data_dictionary.csv"))
        t.check(len(pts) == 3 and "6 patients left out" in r.stderr
                and "6 left out for want of one" in files.get("data_dictionary.csv", ""),
                "export: only the 3 patients with a research consent; the 4 fillers and the two "
                "without it are left out and counted", (len(pts), r.stderr))
        shutil.rmtree(os.path.dirname(out), ignore_errors=True)
    sys.exit(t.finish())


if __name__ == "__main__":
    main()
