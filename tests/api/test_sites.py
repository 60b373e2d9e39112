#!/usr/bin/env python3
"""Sites of a clinic group: each site sees its own patients.

An administrator creates a second site (Lyon) and a physician who works
there; a patient is registered at each site. A physician of the first site
finds neither Lyon's patient by MRN search nor by id (404, not 403: the
record's existence does not show), and the Lyon physician not the first
site's; a switch to a site the user is not a member of is refused naming
the field, with the database unchanged; an administrator (all-sites grant)
switches, and the switch is audited.

    python3 tests/api/test_sites.py --binary build/cellclinic [-v]
"""

import csv
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_bedside as tb  # noqa: E402

LYON = {"code": "LYO", "name": "Clinique de Lyon", "address": "3 quai du Rhône, Lyon",
        "time_zone": "Europe/Paris", "language": "fr", "kind": "clinic"}


def login(srv, username):
    r = srv.request("POST", "/api/v1/session", {"username": username, "password": harness.PASSWORD})
    if r.status != 200:
        raise harness.CommandError("login %s: %r" % (username, r))
    cookie = None
    for v in r.headers_all("Set-Cookie"):
        first = v.split(";", 1)[0].strip()
        if first.startswith("cc_session="):
            cookie = first[len("cc_session="):]
    return ("session", cookie, r.json["csrf"]), r.json


def new_patient(srv, role, family):
    r = srv.request("POST", "/api/v1/patients",
                    {"family_name": family, "given_names": "Anne", "birth_date": "1980-04-05",
                     "sex": "female", "language": "fr"}, role=role)
    if r.status != 201:
        raise harness.CommandError("patient %s: %r" % (family, r))
    return r.json["id"], r.json["mrn"]


def search(srv, role, q):
    r = srv.request("GET", "/api/v1/patients?q=%s" % q, role=role)
    return [p["mrn"] for p in (r.json or {}).get("items", [])] if r.status == 200 else None


def schedule(srv, plan_id, role):
    r = srv.request("GET", "/api/v1/plans/%s" % plan_id, role=role)
    return [(a["date"], a["route"]) for a in (r.json or {}).get("plan", {}).get(
        "administrations", [])]


def draft(srv, role, pid, start):
    r = srv.request("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci",
                                              "start": start}, role=role)
    if r.status != 201:
        raise harness.CommandError("draft: %r" % r)
    return r.json["id"], [(a["date"], a["route"]) for a in r.json["plan"]["administrations"]]


def check_capacity(t, srv, admin, lyon_phys, lyon_patient):
    """Each site plans against its own capacity: the clinic's bookings do not
    take Lyon's slots, nor Lyon's the clinic's."""
    srv.request("POST", "/api/v1/session/site", {"site": "MAIN"}, role=admin)
    r = srv.request("PATCH", "/api/v1/capacity", {"intravenous": 2, "intrathecal": 2}, role=admin)
    t.check(r.status == 200, "the clinic's capacity is set to 2 a day", r)
    srv.request("POST", "/api/v1/session/site", {"site": "LYO"}, role=admin)
    r = srv.request("PATCH", "/api/v1/capacity", {"intravenous": 1, "intrathecal": 1}, role=admin)
    t.check(r.status == 200 and r.json["slots_per_day"]["intrathecal"] == 1,
            "Lyon's capacity is set to 1 a day", r)
    r = srv.request("GET", "/api/v1/capacity", role="physician")
    t.check(r.status == 200 and r.json["slots_per_day"]["intrathecal"] == 2
            and r.json["slots_per_day"]["intravenous"] == 2,
            "the clinic keeps its own capacity", r)
    r = srv.request("GET", "/api/v1/capacity", role=lyon_phys)
    t.check(r.status == 200 and r.json["slots_per_day"]["intrathecal"] == 1,
            "Lyon reads its own capacity", r)
    audited = srv.db_query("SELECT COUNT(*) FROM audit_log WHERE entity = 'site_capacity'")[0][0]
    t.check(audited == 4, "each capacity change is audited on its site", audited)

    bs = tb.Bedside(srv, t)
    start = tb.day(20)
    first = bs.patient("Capaclinique")
    plan_a, _ = bs.approved_plan(first["id"], start)
    booked = schedule(srv, plan_a, "physician")
    t.check(len(booked) > 0, "the clinic's plan books its days", booked)
    second = bs.patient("Capaclinique-Deux")
    _, dates = draft(srv, "coordinator", second["id"], start)
    t.check(dates == booked, "the clinic's second plan fits the same days (2 a day)",
            (dates, booked))

    # Lyon: the clinic's booking does not take Lyon's one slot a day
    pid = lyon_patient
    srv.request("POST", "/api/v1/patients/%d/weights" % pid, {"date": tb.D, "kg": 70},
                role=lyon_phys)
    srv.request("POST", "/api/v1/patients/%d/conditions" % pid,
                {"icd10": "S14.1", "label": "Cord injury", "onset_date": tb.day(-90),
                 "details": {"level": "C5"}}, role=lyon_phys)
    _, dates = draft(srv, lyon_phys, pid, start)
    t.check(dates == booked, "Lyon plans on the days the clinic booked: its slots are free",
            (dates, booked))
    r = srv.request("POST", "/api/v1/screenings",
                    {"patient_id": pid, "protocol": "sci", "results": tb.results(),
                     "findings": {"ecg": {"state": "normal", "date": tb.day(-2)}},
                     "history": {"cancer_history": "no", "pregnancy": "no",
                                 "active_infection": "no"}}, role=lyon_phys)
    srv.request("POST", "/api/v1/screenings/%d/decision" % r.json["id"],
                {"decision": "eligible", "password": harness.PASSWORD}, role=lyon_phys)
    srv.record_consent(pid, "sci", role=lyon_phys)
    lyon_plan, _ = draft(srv, lyon_phys, pid, start)
    r = srv.request("POST", "/api/v1/plans/%d/approve" % lyon_plan,
                    {"password": harness.PASSWORD}, role=lyon_phys)
    t.check(r.status == 200, "Lyon approves its plan on those days", r)
    _, dates = draft(srv, lyon_phys, pid, start)
    t.check(dates != booked, "Lyon's own booking fills its one slot: the next plan moves",
            (dates, booked))
    third = bs.patient("Capaclinique-Trois")
    _, dates = draft(srv, "coordinator", third["id"], start)
    t.check(dates == booked, "... while the clinic still plans on those days", (dates, booked))


def pooled(r):
    return [(x["code"], x["name"]) for x in
            ((r.json or {}).get("source") or {}).get("sites", [])] if r.status == 200 else r


def check_report_sites(t, srv, admin, lyon_name, lyon_phys, lyon_patient):
    """The outcome report pools the session's site unless asked for others the
    reader works in, and always names the sites it pooled."""
    main_only = [("MAIN", "")]
    both = [("LYO", lyon_name), ("MAIN", "")]
    srv.request("POST", "/api/v1/session/site", {"site": "MAIN"}, role=admin)
    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci", role="physician")
    t.check(pooled(r) == main_only, "the report pools the session's site and names it", r)
    main_referred = r.json["flow"]["referred"] if r.status == 200 else None
    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&sites=all", role=admin)
    t.check(pooled(r) == both, "sites=all pools every site the admin may see, named", r)
    t.check(r.status == 200 and r.json["flow"]["referred"] == main_referred + 1,
            "... and counts Lyon's patient with the clinic's", (r, main_referred))
    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&sites=LYO", role=admin)
    t.check(pooled(r) == [("LYO", lyon_name)] and r.json["flow"]["referred"] == 1,
            "sites=LYO reports Lyon's patients only", r)
    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&sites=LYO,MAIN", role=admin)
    t.check(pooled(r) == both, "codes separated by commas pool those sites", r)

    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&sites=all", role="analyst")
    t.check(pooled(r) == main_only, "an analyst's sites=all is the sites they work in", r)
    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&sites=LYO", role="analyst")
    nope = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&sites=NOPE",
                       role="analyst")
    t.check(r.status == 400 and r.error().get("field") == "sites",
            "an analyst may not pool a site they are not a member of (400 sites)", r)
    t.check(nope.status == 400 and r.error() == nope.error(),
            "... answered as for a site that does not exist", (r, nope))
    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&sites=MAIN,LYO",
                    role="physician")
    t.check(r.status == 400 and r.error().get("field") == "sites",
            "one site of the list the reader does not work in refuses the report", r)

    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&sites=all&format=csv",
                    role=admin)
    rows = [line.split(",")[:4] for line in r.body.decode().splitlines()] if r.status == 200 \
        else []
    t.check(["source", "site", "LYO", lyon_name] in rows and ["source", "site", "MAIN", ""] in rows,
            "the CSV names the sites pooled", rows[:4])
    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci&sites=LYO&format=html&lang=fr",
                    role=admin)
    page = r.body.decode() if r.status == 200 else ""
    t.check("Établissements regroupés : %s (LYO)" % lyon_name in page,
            "the French HTML report names the sites pooled", page[:300])

    r = srv.cli("report", "outcomes", *srv.store_args(), "--protocol", "sci", "--sites", "LYO")
    t.check(r.returncode == 0 and '"LYO"' in r.stdout and '"MAIN"' not in r.stdout,
            "report outcomes --sites LYO pools Lyon and names it", r.stdout[-300:] + r.stderr)
    r = srv.cli("report", "outcomes", *srv.store_args(), "--protocol", "sci", "--sites", "NOPE")
    t.check(r.returncode != 0 and "--sites" in r.stderr,
            "an unknown site code is refused naming --sites", r.stderr)

    # the de-identified export: the patients of the sites asked for, named in its dictionary
    srv.record_consent(lyon_patient, "sci", kind="research", role=lyon_phys)
    with tempfile.TemporaryDirectory() as tmp:
        counts = {}
        for code in ("LYO", "MAIN"):
            out = os.path.join(tmp, code)
            r = srv.cli("export", "deidentified", *srv.store_args(), "--out", out,
                        "--sites", code)
            t.check(r.returncode == 0, "export deidentified --sites %s" % code, r.stderr)
            if r.returncode:
                continue
            with open(os.path.join(out, "patients.csv"), newline="") as f:
                counts[code] = len(list(csv.DictReader(f)))
            with open(os.path.join(out, "data_dictionary.csv"), newline="") as f:
                named = [row["meaning"] for row in csv.DictReader(f) if row["column"] == "sites"]
            t.check(len(named) == 1 and "(%s)" % code in named[0]
                    and ("(MAIN)" in named[0]) == (code == "MAIN"),
                    "the export's dictionary names the site pooled (%s)" % code, named)
        t.check(counts.get("LYO") == 1 and counts.get("MAIN") == 0,
                "each export holds only its site's consented patients", counts)
        r = srv.cli("export", "deidentified", *srv.store_args(), "--out",
                    os.path.join(tmp, "nope"), "--sites", "NOPE")
        t.check(r.returncode != 0 and "--sites" in r.stderr,
                "an unknown site code is refused naming --sites", r.stderr)


def main():
    args = harness.parse_args()
    t = harness.Tally("sites", verbose=args.verbose)
    try:
        with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
            admin, _ = login(srv, harness.user_of("admin"))
            r = srv.request("GET", "/api/v1/sites", role=admin)
            t.check(r.status == 200 and [s["code"] for s in r.json["items"]] == ["MAIN"]
                    and r.json["current"]["code"] == "MAIN",
                    "an existing clinic is the first site, the one the session works in", r)

            r = srv.request("POST", "/api/v1/sites", LYON, role=admin)
            t.check(r.status == 201 and r.json["code"] == "LYO"
                    and r.json["time_zone"] == "Europe/Paris", "the admin creates a site", r)
            lyon_id = (r.json or {}).get("id")
            r = srv.request("POST", "/api/v1/sites", dict(LYON, name="Autre"), role=admin)
            t.check(r.status == 409 and r.error().get("field") == "code",
                    "a second site with the same code is refused naming code", r)

            # a physician who works at Lyon only
            r = srv.request("POST", "/api/v1/users", {"username": "lyon.physician",
                                                      "role": "physician",
                                                      "password": harness.PASSWORD}, role=admin)
            lyon_user = (r.json or {}).get("id")
            r = srv.request("PUT", "/api/v1/users/%s/sites" % lyon_user, {"sites": ["LYO"]},
                            role=admin)
            t.check(r.status == 200, "the admin makes the physician a member of Lyon", r)
            r = srv.request("PUT", "/api/v1/users/%s/sites" % lyon_user,
                            {"sites": ["LYO"], "all_sites": True}, role=admin)
            t.check(r.status == 400 and r.error().get("field") == "all_sites",
                    "only admin and qa may hold the all-sites grant", r)
            lyon_phys, who = login(srv, "lyon.physician")
            t.check((who.get("site") or {}).get("code") == "LYO",
                    "the Lyon physician's session works in Lyon", who.get("site"))

            main_patient, main_mrn = new_patient(srv, "coordinator", "Premiersite")
            r = srv.request("POST", "/api/v1/session/site", {"site": "LYO"}, role=admin)
            t.check(r.status == 200 and r.json["current"]["code"] == "LYO",
                    "the admin (all sites) switches to Lyon", r)
            switched = srv.db_query("SELECT COUNT(*) FROM audit_log WHERE action = 'switch_site'"
                                    " AND entity = 'session'")[0][0]
            t.check(switched == 1, "the switch is audited", switched)
            lyon_patient, lyon_mrn = new_patient(srv, admin, "Lyonnaise")
            owner = srv.db_query("SELECT site_id FROM patients WHERE id = ?", (lyon_patient,))
            t.check(owner == [(lyon_id,)], "a patient created in Lyon belongs to Lyon", owner)

            # the first site's physician: Lyon's patient does not exist for them
            t.check(search(srv, "physician", lyon_mrn) == [],
                    "a physician of the first site does not find Lyon's patient by MRN")
            t.check(search(srv, "physician", main_mrn) == [main_mrn],
                    "... and finds the first site's patient")
            for path in ("/api/v1/patients/%s", "/api/v1/patients/%s/timeline",
                         "/api/v1/lookback/patients/%s"):
                r = srv.request("GET", path % lyon_patient, role="physician")
                t.check(r.status == 404 and r.error().get("code") == "not_found",
                        "another site's patient is 404 at %s" % (path % "{id}"), r)
            import test_access_log as tal
            seq = tal.last_seq(srv)
            other = srv.request("GET", "/api/v1/patients/%s" % lyon_patient, role="physician")
            r = srv.request("GET", "/api/v1/patients/%s" % (lyon_patient + 1000),
                            role="physician")
            t.check(r.status == 404, "as a patient that does not exist", r)
            t.check(other.body == r.body.replace(str(lyon_patient + 1000).encode(),
                                                 str(lyon_patient).encode()),
                    "... with the very same answer (the id sent apart)", (other.body, r.body))
            srv.request("GET", "/api/v1/patients/%s" % main_patient, role="physician")
            logged = [row[2] for row in tal.rows_since(srv, seq, "/api/v1/patients/{id}")]
            t.check(logged == [main_patient],
                    "the refused read leaves no access row (the next read does)", logged)
            r = srv.request("PATCH", "/api/v1/patients/%s" % lyon_patient,
                            {"phone": "0102030405", "reason": "x", "version": 1},
                            role="physician")
            t.check(r.status == 404, "another site's patient cannot be changed either", r)

            # the Lyon physician: the other way round
            t.check(search(srv, lyon_phys, lyon_mrn) == [lyon_mrn],
                    "the Lyon physician finds Lyon's patient")
            t.check(search(srv, lyon_phys, main_mrn) == [],
                    "... and not the first site's")
            r = srv.request("GET", "/api/v1/patients/%s" % main_patient, role=lyon_phys)
            t.check(r.status == 404, "the first site's patient is 404 in Lyon", r)
            r = srv.request("GET", "/api/v1/patients/%s" % lyon_patient, role=lyon_phys)
            t.check(r.status == 200 and r.json["mrn"] == lyon_mrn, "Lyon's patient reads", r)

            # records owned through the first site's patient or donor: 404 in Lyon
            import test_bedside as tb
            import test_laboratory as tl
            bs = tb.Bedside(srv, t)
            p = bs.patient("Suivisite")
            plan_id, _ = bs.approved_plan(p["id"], tb.day(7))
            screening = srv.db_query("SELECT id FROM screenings WHERE patient_id = ?",
                                     (p["id"],))[0][0]
            visit = srv.db_query("SELECT id FROM followup_visits WHERE plan_id = ? ORDER BY id",
                                 (plan_id,))[0][0]
            r = srv.request("POST", "/api/v1/adverse-events",
                            {"patient_id": p["id"], "term": "fever", "grade": 1,
                             "onset_at": tb.now_iso(-1), "related_product": "possible",
                             "related_procedure": "unlikely", "expectedness": "expected"},
                            role="physician")
            t.check(r.status == 201, "an adverse event at the first site", r)
            event = (r.json or {}).get("adverse_event", {}).get("id")
            lab = tl.Lab(srv, t)
            collection, _ = lab.batch(lab.donor())
            for path in ("/api/v1/screenings/%s" % screening,
                         "/api/v1/adverse-events/%s" % event,
                         "/api/v1/follow-up/%s" % visit,
                         "/api/v1/collections/%s" % collection,
                         "/api/v1/lookback/collections/%s" % collection):
                r = srv.request("GET", path, role="physician")
                t.check(r.status == 200, "the first site reads %s" % path, r)
                r = srv.request("GET", path, role=lyon_phys)
                t.check(r.status == 404 and r.error().get("code") == "not_found",
                        "Lyon's physician finds no %s" % path.rsplit("/", 1)[0], r)
            before = srv.db_checksum()
            r = srv.request("POST", "/api/v1/follow-up/%s/contacts" % visit,
                            {"channel": "phone", "outcome": "reached", "note": "x"}, role=lyon_phys)
            t.check(r.status == 404 and srv.db_checksum() == before,
                    "nor records a contact on the first site's visit", r)

            # a switch to a site the user is not a member of: refused, nothing written
            phys, _ = login(srv, harness.user_of("physician"))
            before = srv.db_checksum()
            r = srv.request("POST", "/api/v1/session/site", {"site": "LYO"}, role=phys)
            t.check(r.status == 400 and r.error().get("field") == "site",
                    "a switch to a site the physician is not a member of is refused naming site",
                    r)
            t.check(srv.db_checksum() == before, "... and the database is unchanged")
            r = srv.request("GET", "/api/v1/session", role=phys)
            t.check(r.status == 200 and r.json["site"]["code"] == "MAIN",
                    "the session still works in its site", r)
            r = srv.request("POST", "/api/v1/session/site", {"site": "NOPE"}, role=phys)
            t.check(r.status == 400 and r.error().get("field") == "site",
                    "an unknown site is refused naming site", r)
            r = srv.request("GET", "/api/v1/sites", role=phys)
            t.check(r.status == 200 and [s["code"] for s in r.json["items"]] == ["MAIN"],
                    "the physician's sites are their own", r)

            r = srv.request("PATCH", "/api/v1/sites/%s" % lyon_id,
                            {"name": "Clinique de Lyon-Confluence", "version": 1}, role=admin)
            t.check(r.status == 200 and r.json["name"] == "Clinique de Lyon-Confluence"
                    and r.json["version"] == 2, "the admin renames the site", r)
            r = srv.request("PATCH", "/api/v1/sites/%s" % lyon_id,
                            {"name": "Again", "version": 1}, role=admin)
            t.check(r.status == 409, "a stale version is refused", r)
            r = srv.request("POST", "/api/v1/sites", dict(LYON, code="GVA"), role="physician")
            t.check(r.status == 403, "only the admin creates sites", r)

            check_capacity(t, srv, admin, lyon_phys, lyon_patient)
            check_report_sites(t, srv, admin, "Clinique de Lyon-Confluence", lyon_phys,
                               lyon_patient)

            r = srv.cli("audit", "verify", *srv.store_args())
            t.check(r.returncode == 0, "audit verify holds", r.stdout + r.stderr)
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
