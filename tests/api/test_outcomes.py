"""Outcome instruments over HTTP and the command line: ISNCSCI classification
(every validation case, same answers as the CLI), instrument scoring,
observations stored with answers, scores and version, and bad input that
names the field and changes nothing; and the outcome report's satisfaction
table over a cohort built through the API: patients who answer
through a link or at the visit, who are asked and do not answer, who answer
"not applicable" to an item; its counts exact in the JSON and the CSV."""
import csv
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from test_followup import approved_patient, record_administrations  # noqa: E402
from test_programmes import day  # noqa: E402

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "isncsci", "validation-cases.json")

# Segments without a non-key muscle on the ISNCSCI worksheet: refused.
NO_NON_KEY_MUSCLE = {"T%d" % i for i in range(2, 13)} | {"L1"}
NON_KEY = "lowestNonKeyMuscleWithMotorFunction"


DERMATOMES = ["C2", "C3", "C4", "C5", "C6", "C7", "C8"] + ["T%d" % i for i in range(1, 13)] + \
    ["L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3", "S4_5"]


def without_non_key_at_t2_l1(exam):
    """The exam without a non-key muscle at T2-L1 (the reference ignores it,
    the expected results are the same), and the path of what was removed."""
    exam = json.loads(json.dumps(exam))
    removed = None
    for side in ("right", "left"):
        if exam[side].get(NON_KEY) in NO_NON_KEY_MUSCLE:
            del exam[side][NON_KEY]
            removed = removed or "%s.%s" % (side, NON_KEY)
    return exam, removed


PATIENT = {"family_name": "Moreau", "given_names": "Loïc", "birth_date": "1979-05-01",
           "sex": "male", "language": "fr"}


def main():
    args = harness.parse_args()
    t = harness.Tally("outcomes", verbose=args.verbose)
    with open(DATA, encoding="utf-8") as f:
        cases = json.load(f)
    exams = [without_non_key_at_t2_l1(c["exam"])[0] for c in cases]
    refused = [(i, without_non_key_at_t2_l1(c["exam"])[1], c["exam"]) for i, c in enumerate(cases)
               if without_non_key_at_t2_l1(c["exam"])[1]]
    t.check(len(refused) == 2, "two validation cases give a non-key muscle at T5 / L1", refused)

    # Command line: the whole validation set in one array, same order.
    r = harness.run_cli(args.binary, ["isncsci", "classify"], input_text=json.dumps(exams))
    t.check(r.returncode == 0, "isncsci classify exits 0", r.stderr)
    results = json.loads(r.stdout) if r.returncode == 0 else []
    t.check(results == [c["expected"] for c in cases], "CLI results equal every expected case")
    bad = json.loads(json.dumps(exams[:3]))
    bad[2]["left"]["motor"]["C7"] = "6"
    r = harness.run_cli(args.binary, ["isncsci", "classify"], input_text=json.dumps(bad))
    t.check(r.returncode == 2, "invalid exam: exit 2", r.returncode)
    t.check("exam 2: left.motor.C7: must be one of" in r.stderr,
            "invalid exam: message names the index and the field", r.stderr)
    # streamed: the two results before it are written, the array is never closed
    t.check(r.stdout.startswith("[") and not r.stdout.rstrip().endswith("]")
            and r.stdout.count('"classification"') == 2,
            "invalid exam: output stops after the results before it, unclosed", r.stdout[-200:])
    # A non-key muscle where the worksheet has none (T2-T12, L1): exit 2
    # naming the field, alone or in an array (the two validation cases).
    for i, path, exam in refused:
        r = harness.run_cli(args.binary, ["isncsci", "classify"], input_text=json.dumps(exam))
        t.check(r.returncode == 2 and path in r.stderr and r.stdout == "",
                "case %d, non-key muscle without a worksheet muscle: exit 2 naming %s" % (i, path),
                (r.returncode, r.stderr))
        r = harness.run_cli(args.binary, ["isncsci", "classify"],
                            input_text=json.dumps([exams[0], exam]))
        t.check(r.returncode == 2 and ("exam 1: %s: " % path) in r.stderr,
                "case %d in an array: exit 2 naming the index and the field" % i, r.stderr)
    for segment in ("T2", "T12", "L1"):
        exam = json.loads(json.dumps(exams[0]))
        exam["right"][NON_KEY] = segment
        r = harness.run_cli(args.binary, ["isncsci", "classify"], input_text=json.dumps(exam))
        t.check(r.returncode == 2 and "right." + NON_KEY in r.stderr,
                "non-key muscle at %s: exit 2 naming the field" % segment, (r.returncode, r.stderr))
    # An otherwise normal exam with VAC not tested: AIS B or E, as the
    # reference algorithm says (VAC absent would make it B, present E).
    normal = {side: {"motor": {m: "5" for m in ("C5", "C6", "C7", "C8", "T1", "L2", "L3", "L4",
                                                 "L5", "S1")},
                     "lightTouch": {d: "2" for d in DERMATOMES},
                     "pinPrick": {d: "2" for d in DERMATOMES}} for side in ("right", "left")}
    normal.update({"voluntaryAnalContraction": "NT", "deepAnalPressure": "Yes"})
    r = harness.run_cli(args.binary, ["isncsci", "classify"], input_text=json.dumps(normal))
    got = json.loads(r.stdout)["classification"] if r.returncode == 0 else {}
    t.check(got.get("ASIAImpairmentScale") == "B,E" and got.get("neurologicalLevelOfInjury") == "INT",
            "normal exam, VAC NT: AIS B,E", got)
    r = harness.run_cli(args.binary, ["isncsci", "classify", "--compact"],
                        input_text=json.dumps(exams[:2]) + " x")
    t.check(r.returncode == 2 and "not valid JSON" in r.stderr and not r.stdout.endswith("]\n"),
            "text after the array: exit 2, output not closed", (r.returncode, r.stderr, r.stdout[-80:]))
    r = harness.run_cli(args.binary, ["isncsci", "classify", "--compact"],
                        input_text=json.dumps(exams[0]) + " x")
    t.check(r.returncode == 2 and r.stdout == "", "single exam then garbage: nothing written",
            (r.returncode, r.stdout[:80]))
    r = harness.run_cli(args.binary, ["isncsci", "classify", "--compact"],
                        input_text=json.dumps(exams))
    t.check(r.returncode == 0 and r.stdout == json.dumps([c["expected"] for c in cases],
                                                          separators=(",", ":")) + "\n",
            "--compact: one line, jansson's compact layout", r.stdout[:200])
    r = harness.run_cli(args.binary, ["isncsci", "classify", "--help"])
    t.check(r.returncode == 0 and "closing ']'" in r.stdout, "--help says what an error midway leaves",
            r.stdout[-400:])
    t.check("C5-T1 or L2-S1" in r.stdout, "--help names the segments a non-key muscle may have",
            r.stdout[:800])
    r = harness.run_cli(args.binary, ["isncsci", "classify"], input_text="{not json")
    t.check(r.returncode == 2, "malformed JSON on stdin: exit 2", r.returncode)
    r = harness.run_cli(args.binary, ["instruments", "list"])
    t.check(r.returncode == 0 and "alsfrs-r" in r.stdout, "instruments list", r.stdout[:300])
    r = harness.run_cli(args.binary, ["instruments", "score", "nrs-pain"],
                        input_text='{"answers":{"current":"3","average":"4","worst":"7"}}')
    t.check(r.returncode == 0 and '"worst"' in r.stdout, "instruments score nrs-pain", r.stdout + r.stderr)

    with harness.Server(args.binary, verbose=args.verbose) as srv:
        r = srv.request("POST", "/api/v1/isncsci/classify", exams, role="analyst")
        t.check(r.status == 200, "classify over HTTP (any role)", r)
        t.check(r.json == [c["expected"] for c in cases], "HTTP results equal every expected case")
        r = srv.request("POST", "/api/v1/isncsci/classify", exams[0], role="lab")
        t.check(r.status == 200 and r.json == cases[0]["expected"], "one exam object", r)
        r = srv.request("POST", "/api/v1/isncsci/classify", bad, role="nurse")
        e = r.error() or {}
        t.check(r.status == 400 and e.get("field") == "[2].left.motor.C7",
                "HTTP invalid exam names index and field", r)
        for i, path, exam in refused:
            r = srv.request("POST", "/api/v1/isncsci/classify", [exams[0], exam], role="analyst")
            e = r.error() or {}
            t.check(r.status == 400 and e.get("field") == "[1]." + path,
                    "HTTP: case %d refused naming the field" % i, r)
        r = srv.request("POST", "/api/v1/isncsci/classify", exams[0])
        t.check(r.status == 401, "classify needs a login", r)

        r = srv.request("GET", "/api/v1/instruments", role="qa")
        ids = [i["id"] for i in (r.json or {}).get("items", [])]
        for want in ("alsfrs-r", "nrs-pain", "mas", "scim-iii", "nbd", "koos", "edss",
                     "satisfaction", "isncsci"):
            t.check(want in ids, "instrument listed: " + want, ids)
        r = srv.request("GET", "/api/v1/instruments/koos", role="physician")
        t.check(r.status == 200 and r.json.get("id") == "koos", "one definition", r)
        r = srv.request("GET", "/api/v1/instruments/nope", role="physician")
        t.check(r.status == 404, "unknown instrument: 404", r)

        r = srv.request("POST", "/api/v1/patients", PATIENT, role="coordinator")
        pid = (r.json or {}).get("id")
        t.check(r.status == 201, "patient created", r)
        path = "/api/v1/patients/%s/observations" % pid
        r = srv.request("POST", path, {"instrument": "isncsci", "date": "2026-10-01",
                                       "source": "clinician", "answers": exams[0]},
                        role="physician")
        t.check(r.status == 201, "ISNCSCI observation stored", r)
        t.check((r.json or {}).get("scores") == cases[0]["expected"], "its scores are the classification")
        t.check((r.json or {}).get("version") == "2019", "its version is recorded")
        r = srv.request("POST", path, {"instrument": "nrs-pain", "date": "2026-10-01", "source": "patient",
                                       "answers": {"current": "3", "average": "4", "worst": "7"}},
                        role="nurse")
        t.check(r.status == 201, "NRS observation stored", r)
        r = srv.request("GET", path, role="physician")
        items = (r.json or {}).get("items", [])
        t.check(len(items) == 2, "two observations listed", r)
        t.check(items and items[0]["answers"] == exams[0], "raw answers kept as sent")
        rows = srv.db_query("SELECT instrument, instrument_version FROM observations ORDER BY id")
        t.check(rows == [("isncsci", "2019"), ("nrs-pain", "1")], "stored with the instrument version", rows)
        r = srv.request("POST", path, {"instrument": "nrs-pain", "date": "2026-10-01", "source": "patient",
                                       "answers": {"current": "3"}}, role="coordinator")
        t.check(r.status == 403, "coordinator may not record observations", r)

        bad_bodies = [
            ({"instrument": "nrs-pain", "date": "2026-10-01", "source": "patient",
              "answers": {"current": "11", "average": "4", "worst": "7"}}, "current"),
            ({"instrument": "nrs-pain", "date": "2026-10-01", "source": "patient",
              "answers": {"current": "1", "average": "4", "worst": "7", "best": "0"}}, "best"),
            ({"instrument": "nrs-pain", "date": "2026-10-01", "source": "patient",
              "answers": {"average": "4", "worst": "7"}}, "current"),
            ({"instrument": "nrs-pain", "version": "9", "date": "2026-10-01", "source": "patient",
              "answers": {"current": "1", "average": "4", "worst": "7"}}, "version"),
            ({"instrument": "unknown", "date": "2026-10-01", "source": "patient", "answers": {}},
             "instrument"),
            ({"instrument": "nrs-pain", "date": "2026-02-30", "source": "patient", "answers": {}}, "date"),
            ({"instrument": "nrs-pain", "date": "2999-01-01", "source": "patient", "answers": {}}, "date"),
            ({"instrument": "nrs-pain", "date": "2026-10-01", "source": "robot", "answers": {}}, "source"),
            ({"instrument": "isncsci", "date": "2026-10-01", "source": "clinician",
              "answers": {"right": {}}}, "answers."),
            ({"instrument": "nrs-pain", "date": "2026-10-01", "source": "patient", "answers": [],
              }, "answers"),
            ({"instrument": "nrs-pain", "date": "2026-10-01", "source": "patient", "answers": {},
              "extra": 1}, "extra"),
        ]
        for i, nk_path, exam in refused:
            bad_bodies.append(({"instrument": "isncsci", "date": "2026-10-01", "source": "clinician",
                                "answers": exam}, "answers." + nk_path))
        for body, field in bad_bodies:
            before = srv.db_checksum()
            r = srv.request("POST", path, body, role="physician")
            e = r.error() or {}
            t.check(r.status == 400, "bad observation refused (%s)" % field, r)
            t.check((e.get("field") or "").startswith(field), "error names %s" % field, r)
            t.check(srv.db_checksum() == before, "database unchanged (%s)" % field)
        r = srv.request("POST", "/api/v1/patients/999999/observations",
                        {"instrument": "nrs-pain", "date": "2026-10-01", "source": "patient",
                         "answers": {"current": "1", "average": "4", "worst": "7"}}, role="physician")
        t.check(r.status == 404, "unknown patient: 404", r)
    with harness.Server(args.binary, verbose=args.verbose) as srv:
        satisfaction_table(srv, t)
    return t.finish()


def wilson(x, n, z=1.959963984540054):
    """Wilson score interval, closed form (independent of src/core/stats.c)."""
    p = x / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return round(max(0.0, c - h), 6), round(min(1.0, c + h), 6)


def satisfaction_table(srv, t):
    """Seven SCI patients, six treated (two administrations each, recorded in
    the bedside's administrations table directly as test_followup does). Their month-1 window is
    moved around today; the later visits stay in the future.
      A  link, answers: satisfaction 5, PGIC 1, motor better, recommend yes, a comment
      B  link, answers: satisfaction 4, PGIC 3, motor NOT APPLICABLE, recommend no
      C  link, never answers (window still open: pending)
      D  no link, visit marked missed
      E  answers at the visit (clinician records it): satisfaction 2, PGIC 5,
         motor worse, recommend yes; visit done
      F  visit done without the questionnaire
      G  plan approved, nothing administered: not treated, not counted
    month-1: treated 6, asked 6, answered 3 (A, B, E); links 3 (A, B, C);
    not answered: pending 1, missed 1, visit done 1. Satisfied (4-5): 2 of 3
    answered, 2 of 6 asked, 2 of 6 treated. Motor better: 1 of 2 answered
    (B not applicable). Would recommend: 2 of 3."""
    pids, plans, visits = {}, {}, {}
    for name in "ABCDEFG":
        pid, plan, r = approved_patient(srv, "Satis" + name, birth_date="1985-03-02", sex="female")
        t.check(r.status == 200, "satisfaction cohort: plan of %s approved" % name, r)
        pids[name], plans[name] = pid, plan
        srv.db_exec("UPDATE plans SET start_date = ? WHERE id = ?", (day(-45), plan))
        srv.db_exec("UPDATE followup_visits SET target_date = ?, window_start = ?, window_end = ?"
                      " WHERE plan_id = ? AND label = 'month-1'", (day(0), day(-10), day(10), plan))
        visits[name] = srv.db_query("SELECT id FROM followup_visits WHERE plan_id = ? AND label = 'month-1'",
                                    (plan,))[0][0]
        if name != "G":
            record_administrations(srv, pid, plan, -45)
    answers = {
        "A": {"satisfaction": "5", "pgic": "1", "change_motor": "better", "would_recommend": "yes",
              "comments": "Merci au Dr Secret"},
        "B": {"satisfaction": "4", "pgic": "3", "change_motor": "not_applicable", "would_recommend": "no"},
    }
    srv.set_clinic_site()
    for name in "ABC":
        r = srv.request("POST", "/api/v1/follow-up/%d/links" % visits[name], {"instrument": "satisfaction"},
                        role="nurse")
        t.check(r.status == 201, "satisfaction link for %s" % name, r)
        if name in answers:
            r = srv.request("POST", "/api/v1/questionnaire/" + r.json["token"], {"answers": answers[name]})
            t.check(r.status == 201, "%s answers through the link" % name, r)
    r = srv.request("POST", "/api/v1/follow-up/%d/status" % visits["D"], {"status": "missed", "reason": "no show"},
                    role="physician")
    t.check(r.status == 200, "D missed", r)
    r = srv.request("POST", "/api/v1/patients/%d/observations" % pids["E"],
                    {"instrument": "satisfaction", "date": day(-2), "source": "patient",
                     "answers": {"satisfaction": "2", "pgic": "5", "change_motor": "worse",
                                 "would_recommend": "yes"}}, role="nurse")
    t.check(r.status == 201, "E answers at the visit", r)
    for name in "EF":
        r = srv.request("POST", "/api/v1/follow-up/%d/status" % visits[name], {"status": "done"}, role="physician")
        t.check(r.status == 200, "%s visit done" % name, r)

    srv.token("physician")  # its session (and audit entry) before the checksum
    before = srv.db_checksum(("sessions", "api_tokens"))
    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci", role="physician")
    t.check(r.status == 200, "report with the satisfaction table", r)
    rep = r.json or {}
    sat = rep.get("satisfaction") or {}
    pts = {p["label"]: p for p in sat.get("timepoints", [])}
    m1 = pts.get("month-1", {})
    counts = {k: m1.get(k) for k in ("treated", "not_yet_due", "due", "scheduled", "asked", "answered",
                                      "links_issued", "answered_unscheduled")}
    t.check(counts == {"treated": 6, "not_yet_due": 0, "due": 6, "scheduled": 6, "asked": 6, "answered": 3,
                       "links_issued": 3, "answered_unscheduled": 0},
            "month-1: treated 6, asked 6, answered 3, 3 links", counts)
    t.check(m1.get("not_answered") == {"total": 3, "pending": 1, "visit_done": 1, "missed": 1, "withdrawn": 0,
                                       "lost": 0, "died": 0},
            "month-1: the 3 non-responders by reason (pending, visit done, missed)", m1.get("not_answered"))
    lo, hi = wilson(3, 6)
    t.check(m1.get("response_rate") == {"x": 3, "n": 6, "p": 0.5, "ci": {"low": lo, "high": hi}}
            and m1.get("response_rate_treated", {}).get("n") == 6,
            "response rate 3/6 with its Wilson interval", m1.get("response_rate"))
    items = {i["item"]: i for i in m1.get("items", [])}
    t.check("comments" not in items and "Secret" not in json.dumps(rep),
            "free text is never reported", list(items))
    s_ = items.get("satisfaction", {})
    opts = {o["code"]: o["count"] for o in s_.get("options", [])}
    t.check(s_.get("answered") == 3 and s_.get("skipped") == 0 and s_.get("not_applicable") == 0
            and opts == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1},
            "satisfaction: 3 answered, one each of 2, 4, 5", s_)
    top = s_.get("top_box") or {}
    want = {"of_answered": (2, 3), "of_asked": (2, 6), "of_treated": (2, 6)}
    for k, (x, n) in want.items():
        lo, hi = wilson(x, n)
        got = top.get(k, {})
        t.check(got.get("x") == x and got.get("n") == n and got.get("ci") == {"low": lo, "high": hi},
                "satisfied %s: %d/%d, Wilson %.6f-%.6f" % (k, x, n, lo, hi), got)
    motor = items.get("change_motor", {})
    t.check(motor.get("answered") == 2 and motor.get("not_applicable") == 1 and motor.get("skipped") == 0
            and motor.get("top_box", {}).get("of_answered", {}).get("x") == 1
            and motor["top_box"]["of_answered"]["n"] == 2 and motor["top_box"]["of_asked"]["n"] == 6,
            "motor: 2 answered, 1 not applicable (B), better 1/2", motor)
    pain = items.get("change_pain", {})
    t.check(pain.get("answered") == 0 and pain.get("skipped") == 3
            and pain.get("top_box", {}).get("of_answered", {}).get("ci", {}).get("not_computable") == "empty",
            "pain left blank by all 3: 0/0 not computable", pain)
    rec = items.get("would_recommend", {})
    t.check(rec.get("top_box", {}).get("of_answered", {}).get("x") == 2
            and rec["top_box"]["of_answered"]["n"] == 3 and rec["top_box"]["of_treated"]["n"] == 6,
            "would recommend 2/3 (2/6 treated)", rec)
    m3 = pts.get("month-3", {})
    t.check(m3.get("asked") == 0 and m3.get("not_yet_due") == 6
            and m3.get("response_rate", {}).get("ci", {}).get("not_computable") == "empty",
            "month-3 not yet due: nobody asked, 0/0 not computable", m3)
    t.check("satisfaction_asked" in rep.get("definitions", {}), "the definitions say what asked means")
    t.check(srv.db_checksum(("sessions", "api_tokens")) == before, "the report changes nothing")

    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=all", role="physician")
    allm1 = {p["label"]: p for p in ((r.json or {}).get("satisfaction") or {}).get("timepoints", [])}
    t.check(r.status == 200 and allm1.get("month-1") == m1,
            "protocol=all: the same month-1 table (the cohort is all SCI)", allm1.get("month-1"))
    # a protocol whose visits never name the questionnaire: the section is null
    r = srv.request("GET", "/api/v1/protocols/msc", role="admin")
    body = dict(r.json["body"], id="msc-nosat", version=1)
    for f in body["follow_up"]:
        f["instruments"] = [i for i in f["instruments"] if i != "satisfaction"]
    r = srv.request("POST", "/api/v1/protocols", body, role="admin")
    t.check(r.status == 201, "a protocol without the questionnaire published", r)
    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=msc-nosat", role="physician")
    t.check(r.status == 200 and "satisfaction" in (r.json or {}) and r.json["satisfaction"] is None
            and "satisfaction_asked" not in r.json.get("definitions", {}),
            "its report: satisfaction null, no satisfaction definitions", r)

    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&format=csv", role="physician")
    rows = list(csv.reader(io.StringIO(r.body.decode("utf-8")))) if r.status == 200 else []
    by = {(x[2], x[3]): x for x in rows if x and x[0] == "satisfaction"}
    head = rows[0] if rows else []
    col = lambda row, name: row[head.index(name)] if row and name in head else None
    rr = by.get(("response_rate", "month-1"))
    lo, hi = wilson(3, 6)
    t.check(rr is not None and col(rr, "x") == "3" and col(rr, "n") == "6" and col(rr, "p") == "0.5"
            and float(col(rr, "ci_low")) == lo and float(col(rr, "ci_high")) == hi,
            "CSV: response_rate 3 of 6 with its interval", rr)
    checks = {("asked", "month-1"): ("n", "6"), ("answered", "month-1"): ("n", "3"),
              ("not_answered:missed", "month-1"): ("n", "1"),
              ("change_motor:not_applicable", "month-1"): ("n", "1"),
              ("satisfaction=5", "month-1"): ("x", "1"),
              ("satisfaction:top_box_of_treated", "month-1"): ("n", "6")}
    for key, (c, v) in checks.items():
        t.check(col(by.get(key), c) == v, "CSV row %s %s: %s = %s" % (key + (c, v)), by.get(key))
    t.check(all(len(x) == len(head) for x in rows), "CSV: every row has every column")
    # lang=fr: the same rows under French column headers
    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&format=csv&lang=fr", role="physician")
    fr = list(csv.reader(io.StringIO(r.body.decode("utf-8")))) if r.status == 200 else []
    t.check(bool(fr) and fr[0][:4] == ["Tableau", "Instrument", "Score", "Échéance"] and
            "Moyenne" in fr[0] and "IC 95 % bas" in fr[0] and len(fr[0]) == len(head) and
            fr[1:] == rows[1:], "CSV in French: the headers translated, the rows unchanged",
            fr[0] if fr else r.status)
    french_report(srv, t)
    for bad in ("format=csv&lang=xx", "format=json&lang=fr", "format=html&lang=xx",
                "format=pdf&lang=xx"):
        r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&" + bad, role="physician")
        t.check(r.status == 400 and (r.json or {}).get("error", {}).get("field") == "lang",
                "lang refused: " + bad, r)
    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&format=html", role="physician")
    i = r.body.find(b"Answered 3 / asked 6 / treated 6")
    t.check(r.status == 200 and 0 < i < r.body.find(b'data-testid="satisfaction-table"', i),
            "HTML: the response line above the table", r.status)


# English words of the HTML and PDF report that French replaces (a French
# report holding one of them was left half translated).
ENGLISH = ("Outcome report", "Participant flow", "Time point", "Not yet due", "Assessed",
           "Withdrawn", "Mean (SD)", "95% CI", "Change (pairs)", "Adverse events",
           "At least one event", "At least one serious event", "Definitions", "Answered",
           "asked", "treated", "Satisfaction and perceived efficacy", "Top box", "Of asked",
           "not computable", "As of", "of treated", "Every figure gives its denominator", "Referred",
           "patients screened for the protocol", "visit recorded as done", "never imputed",
           "Small groups", "Pairs", "Improved", "Sensitivity",
           "Chart of", "patients drawn", "time point (n assessed", "baseline",
           "mean with", "month-", "(empty)", "no adverse event", "cut at the scale", "by term and grade")


def pdf_text(body):
    """The text of a PDF by pdftotext (poppler-utils, scripts/install-deps.sh)."""
    if not shutil.which("pdftotext"):
        return None
    r = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, timeout=60)
    return r.stdout.decode("utf-8", "replace") if r.returncode == 0 else None


def french_report(srv, t):
    """The HTML and PDF report in French by lang=fr, and by the caller's Accept-Language."""
    base = "/api/v1/reports/outcomes?protocol=sci&format="
    en = srv.request("GET", base + "html", role="physician")
    en_again = srv.request("GET", base + "html&lang=en", role="physician")
    no_svg = lambda b: re.sub(rb"<svg.*?</svg>", b"", b, flags=re.S)
    t.check(en.status == 200 and no_svg(en_again.body) == no_svg(en.body) and b"<h1>Outcome report: " in en.body
            and b"<h2>Definitions</h2>" in en.body and b'<html lang="en">' in en.body,
            "HTML lang=en: the English report as without lang", en_again.status)
    r = srv.request("GET", base + "html&lang=fr", role="physician")
    html = r.body.decode("utf-8") if r.status == 200 else ""
    text = re.sub(r"<[^>]+>", " ", html)
    text = re.sub(r"\s+", " ", text)
    t.check('<html lang="fr">' in html and "<h1>Rapport de résultats : " in html
            and "<h2>Flux des participants</h2>" in html and "<h2>Définitions</h2>" in html
            and "<th>Échéance</th>" in html and "<th>Moyenne (ET)</th>" in html
            and "<h2>Événements indésirables</h2>" in html
            and "Satisfaction et efficacité perçue" in html,
            "HTML lang=fr: French headings and table headers", r.status)
    t.check("<dt>Valeur initiale</dt><dd>observation la plus récente" in html
            and "<dd>visite enregistrée comme faite</dd>" in html,
            "HTML lang=fr: French definitions")
    t.check("<dt>95% CI of the mean</dt>" in en.body.decode("utf-8") and "<dt>ci_mean</dt>" not in en.body.decode("utf-8"),
            "HTML in English: definitions named by their terms, not their keys")
    # every definition the report gives has its term and text in every full catalogue
    keys = list(srv.request("GET", "/api/v1/reports/outcomes?protocol=sci", role="physician").json["definitions"])
    i18n = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "web", "i18n")
    for lang in ("en", "fr"):
        with open(os.path.join(i18n, lang + ".json"), encoding="utf-8") as f:
            cat = json.load(f)
        lacking = [k for k in keys for kind in ("term", "def") if "rep.doc.%s.%s" % (kind, k) not in cat]
        t.check(len(keys) >= 10 and lacking == [], "%s catalogue defines every report definition" % lang, lacking)
    t.check(re.search(r"\b\d+,\d+ %", text) is not None
            and re.search(r"\b\d+\.\d+\b", text) is None,
            "HTML lang=fr: decimal commas, no decimal point",
            re.findall(r"\b\d+\.\d+\b", text)[:5])
    t.check(re.search(r"Au \d\d/\d\d/\d{4}\.", text) is not None
            and re.search(r"\d{4}-\d\d-\d\d", text) is None,
            "HTML lang=fr: the date dd/mm/yyyy")
    left = [w for w in ENGLISH if w in text]
    t.check(not left, "HTML lang=fr: no English word left",
            [text[max(0, text.find(w) - 60):text.find(w) + 60] for w in left])
    # without lang: the caller's language, as the API's errors
    r = srv.request("PATCH", "/api/v1/session/preferences", {"language": "fr"}, role="physician")
    t.check(r.status == 200, "physician prefers French", r)
    r = srv.request("GET", base + "html", role="physician")
    t.check(r.status == 200 and "<h1>Rapport de résultats : " in r.body.decode("utf-8"),
            "HTML without lang: in the caller's preferred language", r.status)
    r = srv.request("GET", base + "html&lang=en", role="physician")
    t.check(r.status == 200 and b"<h1>Outcome report: " in r.body,
            "HTML lang=en: English whatever the caller prefers", r.status)
    srv.request("PATCH", "/api/v1/session/preferences", {"language": "en"}, role="physician")
    r = srv.request("GET", "/api/v1/reports/outcomes/chart?protocol=sci&kind=ae&lang=fr",
                    role="physician")
    svg = r.body.decode("utf-8") if r.status == 200 else ""
    t.check("Graphique des événements indésirables" in svg and "by term and grade" not in svg,
            "chart lang=fr: the SVG's text alternative in French", r.status)
    r = srv.request("GET", "/api/v1/reports/outcomes/chart?protocol=sci&kind=ae&lang=xx",
                    role="physician")
    t.check(r.status == 400 and (r.json or {}).get("error", {}).get("field") == "lang",
            "chart lang=xx refused naming lang", r)
    r = srv.request("GET", base + "pdf&lang=fr", role="physician")
    pdf = pdf_text(r.body) if r.status == 200 else ""
    if pdf is None:
        t.check(False, "pdftotext is installed (poppler-utils)")
        return
    flat = re.sub(r"\s+", " ", pdf)
    t.check("Rapport de résultats : " in flat and "Adressés " in flat
            and "Événements indésirables" in flat,
            "PDF lang=fr: the French heading, flow and adverse events", flat[:200])
    left = [w for w in ENGLISH if w in flat]
    t.check(not left, "PDF lang=fr: no English word left",
            [flat[max(0, flat.find(w) - 60):flat.find(w) + 60] for w in left])
    r = srv.request("GET", base + "pdf&lang=en", role="physician")
    t.check(r.status == 200 and "Outcome report: " in (pdf_text(r.body) or ""),
            "PDF lang=en: English", r.status)


if __name__ == "__main__":
    sys.exit(main())
