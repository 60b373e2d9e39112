#!/usr/bin/env python3
"""`cellclinic demo` across the five programmes, against a real server:
- treated patients in sci, spina-bifida, msc, als and secretome, the counts
  adding up, and each programme's outcome report computing with the
  instruments its protocol names (the SCI report with its AIS table);
- some screenings signed "not eligible", without a plan;
- ISNCSCI examinations classified by the real classifier: the baseline NLI
  and AIS grade are those of the condition's details, later grades the same
  or one better (most unchanged);
- observations with their measure series complete;
- the laboratory: synthetic donors, batches released, rejected after a
  failed QC result and waiting for QC, units released, quarantined,
  discarded, expired and expiring within the month;
- the laboratory's units given through the bedside record: every administered
  unit has its planned administration, the nurse worklist, the dashboard and
  the lookback agree (check_agreement);
- the same seed gives the same data; the audit chain verifies.

    python3 tests/api/test_demo.py --binary build/cellclinic [-v]
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

PROGRAMMES = ["sci", "spina-bifida", "msc", "als", "secretome"]
# instruments each protocol names at its follow-up visits (src/protocols/*.json, latest versions);
# OPTIONAL: named for some patients only (MAS when spasticity is graded, NBSS from 18 years,
# FLACC below 8 years and the NRS from 8 in spina bifida)
INSTRUMENTS = {"sci": {"isncsci", "nrs-pain", "nbd", "satisfaction"},
               "spina-bifida": {"nbd", "satisfaction"},
               "msc": {"nrs-pain", "satisfaction"},
               "als": {"alsfrs-r", "satisfaction"},
               "secretome": {"nrs-pain", "satisfaction"}}
SUMMARY = re.compile(r"(\d+) of the patients have a synthetic treatment and follow-up history \(([^)]*)\);"
                     r" (\d+) more were screened not eligible")


def parse(stdout):
    m = SUMMARY.search(stdout)
    if not m:
        return None, {}, 0
    per = {k: int(v) for k, v in (x.rsplit(" ", 1) for x in m.group(2).split(", "))}
    return int(m.group(1)), per, int(m.group(3))


def check_programmes(t, srv, treated, per):
    t.check(sorted(per) == sorted(PROGRAMMES) and all(per[p] > 0 for p in PROGRAMMES)
            and sum(per.values()) == treated, "treated patients in all five programmes, adding up to %d" % treated, per)
    for p in PROGRAMMES:
        r = srv.request("GET", "/api/v1/reports/outcomes?protocol=" + p, role="physician")
        rep = r.json or {}
        f = rep.get("flow", {})
        got = {m["instrument"] for m in rep.get("measures", [])} | (
            {"satisfaction"} if rep.get("satisfaction") else set())
        t.check(r.status == 200 and rep.get("synthetic_data") is True and f.get("treated") == per.get(p)
                and all(x["not_yet_due"] + x["due"] == per.get(p) for x in f.get("timepoints", []))
                and INSTRUMENTS[p] <= got and (got - INSTRUMENTS[p]) <= {"mas", "nbss", "flacc", "nrs-pain"},
                "%s report: synthetic, %s treated, the protocol's instruments %s" % (p, per.get(p), sorted(got)),
                {"status": r.status, "flow": f})
        if p == "sci":
            t.check(bool(rep.get("ais")), "the sci report has an AIS table", rep.get("ais"))
        r = srv.cli("report", "outcomes", "--data", srv.data, "--protocol", p, "--format", "csv")
        t.check(r.returncode == 0 and r.stdout, "cellclinic report outcomes --protocol %s computes" % p,
                r.stderr[:300])


def check_screenings(t, srv, not_eligible):
    rows = srv.db_query("SELECT s.patient_id, s.verdict, s.decision, s.decided_by, s.reasons,"
                        " (SELECT COUNT(*) FROM plans WHERE patient_id = s.patient_id)"
                        " FROM screenings s WHERE s.verdict = 'not_eligible'")
    t.check(len(rows) == not_eligible > 0 and all(
        r[2] == "not_eligible" and r[3] is not None and json.loads(r[4]) and r[5] == 0 for r in rows),
        "%d screenings signed not eligible, with reasons and no plan" % not_eligible, rows[:3])
    screened = srv.db_query("SELECT COUNT(*) FROM screenings")[0][0]
    t.check(0.05 <= not_eligible / screened <= 0.25, "not eligible: %d of %d screened" % (not_eligible, screened))


def check_isncsci(t, srv):
    rows = srv.db_query(
        "SELECT o.patient_id, o.answers, o.scores, c.details FROM observations o"
        " JOIN patient_conditions c ON c.patient_id = o.patient_id"
        " WHERE o.instrument = 'isncsci' ORDER BY o.patient_id, o.observed_on, o.id")
    first, later = {}, {}
    for pid, answers, scores, details in rows:
        c = json.loads(scores)["classification"]
        d = json.loads(details)
        if pid not in first:
            first[pid] = (c["neurologicalLevelOfInjury"], c["ASIAImpairmentScale"], d.get("level"), d.get("ais"))
        else:
            later.setdefault(pid, []).append(c["ASIAImpairmentScale"])
    sci = srv.db_query("SELECT COUNT(*) FROM plans WHERE protocol_id = 'sci'")[0][0]
    match = sum(1 for nli, g, lv, ais in first.values() if nli == lv and g == ais)
    t.check(sci > 0 and len(first) == sci and match >= 0.9 * len(first),
            "baseline ISNCSCI: NLI and AIS grade of the condition for %d of %d sci patients" % (match, len(first)),
            [v for v in first.values() if v[0] != v[2] or v[1] != v[3]][:5])
    steady = sum(1 for pid, gs in later.items() if all(g == first[pid][1] for g in gs))
    t.check(later and all(g in (first[pid][1], chr(ord(first[pid][1]) + 1)) for pid, gs in later.items() for g in gs)
            and steady >= 0.7 * len(later),
            "later examinations: the same grade for most (%d of %d), never worse, at most one better"
            % (steady, len(later)))
    levels = {v[2] for v in first.values()}
    t.check(any(x.startswith("C") for x in levels) and any(x.startswith("T") for x in levels)
            and len({v[3] for v in first.values()}) >= 3, "cervical and thoracic injuries, several grades",
            sorted(levels))


def check_measures(t, srv):
    built = srv.db_query("SELECT built FROM derived_data WHERE name = 'measure_series'")
    names = set(srv.db_query("SELECT instrument, score FROM measure_names"))
    missing = srv.db_query("SELECT COUNT(DISTINCT o.patient_id) FROM observations o WHERE NOT EXISTS"
                           " (SELECT 1 FROM measure_series m WHERE m.patient_id = o.patient_id)")[0][0]
    t.check(built == [(1,)] and missing == 0 and {("isncsci", "ais_grade"), ("alsfrs-r", "total"), ("nbd", "total"),
                                                  ("nrs-pain", "worst")} <= names,
            "every observed patient has its measure series", {"built": built, "missing": missing})


def check_lab(t, srv):
    r = srv.request("GET", "/api/v1/donors?per_page=100", role="lab")
    donors = (r.json or {}).get("items", [])
    t.check(r.status == 200 and len(donors) >= 3 and all(d.get("synthetic") in (1, True) for d in donors),
            "%d laboratory donors, all marked synthetic" % len(donors), donors[:2])
    tests = srv.db_query("SELECT COUNT(DISTINCT donor_id) FROM donor_tests")[0][0]
    t.check(tests == len(donors), "every donor has screening tests")
    batches = dict(srv.db_query("SELECT status, COUNT(*) FROM batches GROUP BY status"))
    t.check(batches.get("released", 0) > 0 and batches.get("rejected", 0) > 0,
            "batches released and rejected", batches)
    failed = srv.db_query("SELECT COUNT(*) FROM batches b WHERE b.status = 'rejected' AND EXISTS"
                          " (SELECT 1 FROM qc_results q WHERE q.batch_id = b.id AND q.verdict = 'fail')")[0][0]
    t.check(failed == batches.get("rejected"), "each rejected batch has a failed QC result", failed)
    states = dict(srv.db_query("SELECT state, COUNT(*) FROM units GROUP BY state"))
    t.check({"released", "discarded", "expired"} <= set(states), "units in several states", states)
    r = srv.request("GET", "/api/v1/units?expiring_within=30&state=released&per_page=100", role="lab")
    t.check(r.status == 200 and r.json["total"] > 0, "released units expiring within the month",
            r.json and r.json.get("total"))


def check_agreement(t, srv):
    """The demo's units and administrations are linked to their plan items as a real bedside
    record links them, so the worklist, the dashboard and the lookback tell the same story."""
    bad_refs = srv.db_query("SELECT id, plan_ref FROM administrations"
                            " WHERE plan_ref <> 'plan:' || plan_id || ':' || plan_item")
    t.check(not bad_refs, "every demo administration names its plan item as the bedside does", bad_refs[:3])
    items = {}
    for pid, body in srv.db_query("SELECT id, body FROM plans"):
        items[pid] = {a["n"]: a for a in json.loads(body)["administrations"]}
    off_plan = [r for r in srv.db_query("SELECT plan_id, plan_item, planned_date FROM administrations")
                if r[1] not in items.get(r[0], {}) or items[r[0]][r[1]]["date"] != r[2]]
    t.check(not off_plan, "every demo administration is an item of its plan, on its planned date", off_plan[:3])
    administered = srv.db_query("SELECT COUNT(*) FROM units WHERE state = 'administered'")[0][0]
    orphans = srv.db_query(
        "SELECT u.id, u.reserved_for FROM units u WHERE u.state = 'administered' AND NOT EXISTS"
        " (SELECT 1 FROM administration_units au JOIN administrations a ON a.id = au.administration_id"
        " JOIN unit_administrations ua ON ua.unit_id = u.id AND ua.patient_id = a.patient_id"
        " WHERE au.unit_id = u.id AND a.plan_ref = u.reserved_for)")
    t.check(administered >= 5 and not orphans,
            "%d administered demo units, each with its administration, plan item and lookback link" % administered,
            orphans[:3])
    # the worklist and the dashboard: today's planned administrations are the same list
    r = srv.request("GET", "/api/v1/worklist", role="nurse")
    wl = r.json or {}
    today = wl.get("date")
    todays = [a for a in wl.get("administrations", []) if a["date"] == today]
    d = srv.request("GET", "/api/v1/dashboard", role="nurse").json or {}
    due = d.get("sections", {}).get("administrations_today", {})
    t.check(r.status == 200 and todays and due.get("total") == len(todays)
            and sorted(x["plan_ref"] for x in due.get("items", [])) == sorted(x["plan_ref"] for x in todays),
            "the dashboard's administrations due today (%s) are the worklist's (%d)" % (due.get("total"), len(todays)),
            {"dashboard": due, "worklist": todays})
    t.check(all(a["status"] == "planned" and a["units"] and a["ward"] and a["synthetic"] is True for a in todays),
            "today's demo administrations: planned, their unit issued to a ward, marked synthetic", todays)
    sessions = [x for x in wl.get("sessions", []) if x["date"] == today]
    t.check({x["patient_id"] for x in sessions} >= {a["patient_id"] for a in todays}
            and any(x["programme"] == "rehabilitation" for x in sessions),
            "the stays under way have today's ancillary sessions (rehabilitation)", sessions)
    wards = {w["ward"]: w["synthetic"] for w in wl.get("wards", [])}
    t.check(wards.get("Neurologie A") == 1 and wards.get("Neurologie B") == 1,
            "the demo's wards are demonstration wards", wards)
    # one ward: its own patients only
    ward = todays[0]["ward"] if todays else "Neurologie A"
    r = srv.request("GET", "/api/v1/worklist?ward=" + ward.replace(" ", "%20"), role="nurse")
    one = r.json or {}
    t.check(r.status == 200 and one.get("administrations") and one.get("sessions")
            and all(x["ward"] == ward for x in one["administrations"] + one["sessions"] + one["tasks"])
            and len({x["patient_id"] for x in one["administrations"]}) < len({x["patient_id"] for x in todays}),
            "the worklist for %s shows that ward's administrations and sessions only" % ward, one)
    # the lookback from each donor whose units were given lists its recipients' adverse events
    donors = srv.db_query("SELECT DISTINCT c.donor_id FROM unit_administrations ua JOIN units u ON u.id = ua.unit_id"
                          " JOIN batch_collections bc ON bc.batch_id = u.batch_id"
                          " JOIN collections c ON c.id = bc.collection_id")
    with_events = 0
    for (donor,) in donors:
        lb = srv.request("GET", "/api/v1/lookback/donors/%d" % donor, role="lab").json or {}
        recipients = {x["patient_id"] for x in lb.get("recipients", [])}
        want = sorted(r[0] for r in srv.db_query(
            "SELECT id FROM adverse_events WHERE patient_id IN (%s)" % ",".join(map(str, recipients or {0}))))
        got = sorted(e["id"] for e in lb.get("adverse_events", []))
        t.check(recipients and got == want, "lookback from donor %d: %d recipients, their %d adverse events"
                % (donor, len(recipients), len(want)), {"got": got, "want": want})
        with_events += bool(want)
    fever = srv.db_query("SELECT COUNT(*) FROM adverse_events e JOIN unit_administrations ua"
                         " ON ua.patient_id = e.patient_id WHERE e.term_code = 'fever'")[0][0]
    t.check(donors and with_events > 0 and fever > 0,
            "some demo donors' recipients had adverse events (a fever among them)", (len(donors), with_events))


def snapshot(data):
    return [harness.location_query(data, q) for q in (
            "SELECT patient_id, protocol_id, verdict, reasons FROM screenings ORDER BY id",
            "SELECT patient_id, instrument, observed_on, answers, scores FROM observations ORDER BY id",
            "SELECT patient_id, status, reason FROM followup_visits ORDER BY id",
            "SELECT din, state, expiry, cells FROM units ORDER BY id",
            "SELECT status FROM batches ORDER BY id",
            "SELECT patient_id, protocol_id, kind, signed_on FROM patient_consents ORDER BY id")]


def check_consents(t, srv):
    """H15: documents for every programme in English and French; every treated patient with a
    current treatment consent; most, not all, with a research consent, so the analyst's report
    leaves some out and says so."""
    docs = srv.db_query("SELECT protocol_id, language, kind, version FROM consent_documents")
    progs = {x[0] for x in srv.db_query("SELECT DISTINCT protocol_id FROM protocol_versions")}
    t.check(len(docs) == 6 * len(progs) and {(p, l, k) for p, l, k, _ in docs} ==
            {(p, l, k) for p in progs for l in ("en", "fr") for k in ("treatment", "research", "follow_up_contact")},
            "demo: consent documents of every kind for every programme in English and French", docs)
    missing = srv.db_query("SELECT COUNT(*) FROM plans p WHERE p.status <> 'draft' AND NOT EXISTS (SELECT 1"
                           " FROM patient_consents c WHERE c.patient_id = p.patient_id AND c.kind = 'treatment'"
                           " AND c.protocol_id = p.protocol_id AND c.withdrawn_at IS NULL)")[0][0]
    t.check(missing == 0, "demo: every treated patient has a current treatment consent", missing)
    treated = srv.db_query("SELECT COUNT(DISTINCT patient_id) FROM plans WHERE status <> 'draft'")[0][0]
    research = srv.db_query("SELECT COUNT(DISTINCT patient_id) FROM patient_consents WHERE kind = 'research'")[0][0]
    t.check(0 < research < treated, "demo: most treated patients, not all, gave a research consent",
            (research, treated))
    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=all", role="analyst")
    rc = (r.json or {}).get("research_consent", {})
    t.check(r.status == 200 and rc.get("required") is True and (rc.get("left_out") or 0) > 0,
            "demo: the analyst's report leaves out the patients without a research consent and says how many", rc)


def check_site(t, srv):
    """The demo configures its clinic's site, the one record the header, the
    sites page and the clinic settings all read: a name, a time zone and a
    language, not the empty name, UTC and English of an unconfigured site."""
    r = srv.request("GET", "/api/v1/sites", role="admin")
    site = (r.json or {}).get("current") or {}
    t.check(r.status == 200 and site.get("name") == "Clinique de démonstration"
            and site.get("time_zone") == "Europe/Paris" and site.get("language") == "fr"
            and site.get("public_base_url") == "http://127.0.0.1:8080/",
            "the demo's site has its name, time zone, language and public address", r)
    r = srv.request("GET", "/api/v1/clinic-site", role="nurse")
    t.check(r.status == 200 and r.json.get("code") == site.get("code")
            and r.json.get("name") == site.get("name")
            and r.json.get("public_base_url") == site.get("public_base_url"),
            "the clinic settings are the site's record, not a second copy", r)


def main():
    args = harness.parse_args()
    t = harness.Tally("demo", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        r = srv.cli("demo", "--data", srv.data, "--patients", "200", "--seed", "7", timeout=300)
        first_stdout = r.stdout
        treated, per, not_eligible = parse(r.stdout)
        t.check(r.returncode == 0 and treated, "cellclinic demo --patients 200", r.stdout + r.stderr)
        check_programmes(t, srv, treated or 0, per)
        check_screenings(t, srv, not_eligible)
        check_isncsci(t, srv)
        check_measures(t, srv)
        check_lab(t, srv)
        check_consents(t, srv)
        check_agreement(t, srv)
        check_site(t, srv)
        r = srv.cli("audit", "verify", "--data", srv.data)
        t.check(r.returncode == 0, "audit chain intact after the demo", r.stdout + r.stderr)
        # the same seed, another data directory: the same data
        other = harness.location_new(os.path.join(srv.tmp, "again"))
        srv.cli("init", "--data", other)
        r2 = srv.cli("demo", "--data", other, "--patients", "200", "--seed", "7", timeout=300)
        t.check(r2.returncode == 0 and r2.stdout == first_stdout, "the demo runs again in another data directory",
                first_stdout + "\n" + r2.stdout + r2.stderr)
        same = snapshot(srv.data) == snapshot(other)
        t.check(same, "the same --seed gives the same screenings, observations, visits, batches and units")
        # a second run on the same clinic adds to it (the site's configuration is kept)
        r3 = srv.cli("demo", "--data", srv.data, "--patients", "40", "--seed", "8", timeout=300)
        t.check(r3.returncode == 0 and srv.db_query("SELECT fin FROM lab_site") == [("W9999",)],
                "a second demo on the same data directory succeeds and keeps the site's FIN", r3.stdout + r3.stderr)
        r = srv.cli("audit", "verify", "--data", srv.data)
        t.check(r.returncode == 0, "audit chain intact after a second demo", r.stdout + r.stderr)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
