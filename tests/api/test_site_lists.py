#!/usr/bin/env python3
"""Lists, searches, worklists, dashboards and exports show only the session's site.

The clinic (site MAIN) has a patient "Secretville" with an approved plan,
an administration given (its observation tasks open) from a unit issued to
the ward "Salle Secrete", an overdue follow-up visit and an open serious
adverse event, a donor with a collection and a unit in a freezer, and
reads of the patient in the access log. A second site (LAB) has its own
staff and nothing else. Every read route that lists identified data is
walked as the second site's staff: each row of the table names the route,
the role and what it must not show (a text: the clinic's MRN, family name,
donor code, DIN or ward; or a test on the answer: a count), and the same
route as the clinic's staff must show it (so that the row can fail).

LEAKS are the rows the build before this suite's change answered with the
clinic's data (the audit trail and the units reserved for the clinic's
patient and shipped to the second site among them); SCOPED are the routes
that were already site-scoped, walked the same way so that they stay so.
RECEIVED are the reads of a unit the second site received from a freezer
of the clinic: each shown by the clinic's staff before it is shipped, none
by the second site's once received (its position, its patient's name).
MIGRATED walks the audit rows again after the migration that gives the
audit entries their site has run on the entries already written. Consultation requests are the group's
one inbox (docs/api.md, Sites) and are not walked.

    python3 tests/api/test_site_lists.py --binary build/cellclinic [-v]
"""

import datetime
import json
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_laboratory as tl  # noqa: E402
from test_accounts import UNDO_AFTER_ACCOUNTS  # noqa: E402
from test_shipping import laboratory_site  # noqa: E402

AUDIT_SITES_UNDO = "DROP INDEX audit_log_site; ALTER TABLE audit_log DROP COLUMN site_id;"

FAMILY = "Secretville"
WARD = "Salle Secrete"
# what a read may change: its session's last use, the login bookkeeping
UNCHANGED = ("sessions", "api_tokens", "login_attempts") + harness.SECURITY_BOOKKEEPING


def utc_day(offset=0):
    d = datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=offset)
    return d.isoformat()


def test(label, fn):
    """A row's test on the answer (true: it shows the record), named for the report."""
    fn.label = label
    return fn


def section_total(name):
    """The dashboard counts something in section name."""
    return test("a count in " + name,
                lambda r: ((r.json or {}).get("sections", {}).get(name, {}).get("total") or 0) > 0)


def build(srv, t, staff):
    """The clinic's records; the markers the rows look for."""
    main_lab = tl.Lab(srv, t)
    tl.configure(main_lab)
    tb, bs = tl.bedside(main_lab)
    patient = bs.patient(FAMILY)
    plan_id, items = bs.plan(patient["id"])
    unit = bs.unit(patient["id"], plan_id, 1, items[1]["cells"], issue=False)
    bs.req("POST", "/api/v1/units/%d/issue" % unit["id"], {"ward": WARD}, role="lab", want=200)
    unit = bs.req("GET", "/api/v1/units/%d" % unit["id"], role="lab").json["unit"]
    r = bs.req("POST", "/api/v1/administrations",
               tb.body_for(plan_id, 1, patient, [unit], "intravenous"), want=201,
               what="the clinic's administration")
    administration = r.json["administration"]["id"]
    bs.req("POST", "/api/v1/administrations/%d/complete" % administration, {}, want=200)

    # the month-1 visit overdue by 20 days
    body = json.loads(srv.db_query("SELECT body FROM plans WHERE id = ?", (plan_id,))[0][0])
    for f in body["follow_up"]:
        if f["label"] == "month-1":
            f["date"], f["window_start"], f["window_end"] = (
                utc_day(-30), utc_day(-40), utc_day(-20))
    bs.sql("UPDATE plans SET body = ? WHERE id = ?", (json.dumps(body), plan_id))
    bs.req("POST", "/api/v1/plans/%d/follow-up/sync" % plan_id, {}, role="coordinator", want=200)

    bs.req("POST", "/api/v1/adverse-events",
           {"patient_id": patient["id"], "term": "hypotension", "grade": 3,
            "onset_at": tb.now_iso(-30), "aware_at": tb.now_iso(-26),
            "seriousness": ["hospitalisation"], "related_product": "unlikely",
            "related_procedure": "unlikely", "expectedness": "expected"}, want=201)

    donor = main_lab.donor()
    _, batch = main_lab.batch(donor)
    stored = main_lab.unit(batch, position="A1")
    donor_code = main_lab.req("GET", "/api/v1/donors/%d" % donor).json["donor"]["code"]

    # two units reserved for the patient shipped to the laboratory site: one
    # on its way, one received there from a freezer position of the clinic
    first = bs.unit(patient["id"], plan_id, 2, items[2]["cells"], issue=False)
    travelling = bs.unit(patient["id"], plan_id, 3, items[3]["cells"], issue=False)
    for u, position in ((first, "A1"), (travelling, "A2")):
        bs.req("POST", "/api/v1/units/%d/move" % u["id"],
               {"freezer": "F2", "rack": "R1", "box": "B1", "position": position}, role="lab", want=200)
    m = {"mrn": patient["mrn"], "received": first["id"], "received_din": first["din"]}
    for path, role, what in received(m):
        r = srv.request("GET", path, role=role)
        t.check(r.status == 200 and shows(r, what),
                "RECEIVED: before shipping, GET %s as the clinic's %s shows %s"
                % (path, role, what if isinstance(what, str) else what.label), r)
    box = bs.req("GET", "/api/v1/storage?freezer=F2", role="lab", want=200).body.decode()
    t.check(travelling["din"] in box, "before shipping, the clinic's freezer F2 holds the unit", box)
    for u in (first, travelling):
        bs.req("POST", "/api/v1/units/%d/ship" % u["id"], {"to_site": "LAB"}, role="lab", want=201)
    box = bs.req("GET", "/api/v1/storage?freezer=F2", role="lab", want=200).body.decode()
    t.check(travelling["din"] not in box,
            "a unit on its way is in no freezer of the sending site: its position is free", box)
    r = srv.request("POST", "/api/v1/units/%d/receive" % first["id"], {"temperature_c": 5},
                    role=staff["lab"])
    t.check(r.status == 200, "the laboratory site receives the unit", r)

    # the clinic's nurse reads the patient: the access log holds it once written
    bs.req("GET", "/api/v1/patients/%d" % patient["id"], want=200)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        r = srv.request("GET", "/api/v1/access-log?username=nurse1", role="qa")
        if r.status == 200 and patient["mrn"] in r.body.decode("utf-8", "replace"):
            break
        time.sleep(0.1)
    m.update({"patient": patient["id"], "donor_code": donor_code, "din": stored["din"],
              "unit": stored["id"], "batch": batch})
    return m


def leaks(m):
    """(route, role, what it must not show) for the rows that showed it."""
    mrn = m["mrn"]
    return [
        ("/api/v1/follow-up?state=all", "nurse", mrn),
        ("/api/v1/follow-up?state=all", "nurse", FAMILY),
        ("/api/v1/follow-up?state=overdue", "coordinator", mrn),
        ("/api/v1/adverse-events", "nurse", mrn),
        ("/api/v1/adverse-events?serious=true&open=true", "physician", FAMILY),
        ("/api/v1/adverse-events?format=csv", "qa", mrn),
        ("/api/v1/adverse-events/deadlines", "qa", mrn),
        ("/api/v1/dashboard", "nurse", mrn),
        ("/api/v1/dashboard", "nurse", section_total("overdue_visits")),
        ("/api/v1/dashboard", "nurse", section_total("open_serious_events")),
        ("/api/v1/worklist", "nurse", mrn),
        ("/api/v1/worklist", "nurse", WARD),
        ("/api/v1/collections", "lab", m["donor_code"]),
        ("/api/v1/collections?q=" + m["donor_code"], "lab", m["donor_code"]),
        ("/api/v1/storage", "lab", m["din"]),
        ("/api/v1/storage?freezer=F1", "qa", m["din"]),
        ("/api/v1/access-log?username=nurse1", "qa", mrn),
        ("/api/v1/access-log?username=nurse1", "qa", FAMILY),
        ("/api/v1/access-log?patient=" + urllib.parse.quote(mrn), "qa",
         test("the patient's reads", lambda r: r.status == 200)),
        # the audit trail: the records' entries, before and after images
        ("/api/v1/audit?entity=patient", "qa", mrn),
        ("/api/v1/audit?entity=patient", "qa", FAMILY),
        ("/api/v1/audit?entity=donor", "qa", m["donor_code"]),
        ("/api/v1/audit?entity=adverse_event", "qa", entries),
        ("/api/v1/audit?entity=plan", "qa", entries),
        ("/api/v1/audit?entity=unit&id=%d" % m["unit"], "qa", entries),
        ("/api/v1/audit?entity=batch&id=%d" % m["batch"], "qa", entries),
        # the units shipped to the other site: reserved for the clinic's patient
        ("/api/v1/units", "lab", mrn),
        ("/api/v1/units", "lab", FAMILY),
        ("/api/v1/units?state=reserved", "qa", mrn),
    ]


def received(m):
    """(route, role, what it must not show) for the unit the other site received:
    each shown by the clinic's staff before it is shipped, walked as the other
    site's staff once received there."""
    unit = "/api/v1/units/%d" % m["received"]
    return [
        ("/api/v1/storage", "lab", m["received_din"]),
        ("/api/v1/storage?freezer=F2", "qa", m["received_din"]),
        (unit, "lab", test("a storage position", lambda r: bool(
            ((r.json or {}).get("unit") or {}).get("position")))),
        (unit, "lab", m["mrn"]),
        (unit, "lab", FAMILY),
    ]


entries = test("an entry", lambda r: bool((r.json or {}).get("items")))


def scoped(m):
    """The same, for the routes that were site-scoped already."""
    mrn = m["mrn"]
    return [
        ("/api/v1/patients", "coordinator", mrn),
        ("/api/v1/patients?q=" + FAMILY, "physician", mrn),
        ("/api/v1/patient-lookup?q=" + FAMILY, "nurse", mrn),
        ("/api/v1/plans", "physician", test("the patient's plan", lambda r: m["patient"] in [
            x["patient_id"] for x in (r.json or {}).get("items", [])])),
        ("/api/v1/planned-administrations?patient_id=%d" % m["patient"], "nurse",
         test("the patient's plans", lambda r: r.status == 200)),
        ("/api/v1/administrations", "nurse", mrn),
        ("/api/v1/donors", "lab", m["donor_code"]),
        ("/api/v1/batches", "lab", test("the batch", lambda r: m["batch"] in [
            x["id"] for x in (r.json or {}).get("items", [])])),
        ("/api/v1/units", "lab", m["din"]),
        ("/api/v1/units?q=" + m["din"], "qa", m["din"]),
        ("/api/v1/dashboard", "nurse", section_total("administrations_today")),
        ("/api/v1/dashboard", "lab", section_total("batches_awaiting_release")),
    ]


def shows(r, what):
    if callable(what):
        return what(r)
    return what in r.body.decode("utf-8", "replace")


def walk(t, srv, staff, rows, table, mine_too=True):
    for path, role, what in rows:
        label = what if isinstance(what, str) else what.label
        mine = srv.request("GET", path, role=role)
        t.check(not mine_too or (mine.status == 200 and shows(mine, what)),
                "%s: GET %s as the clinic's %s shows %s" % (table, path, role, label), mine)
        theirs = srv.request("GET", path, role=staff[role])
        t.check(theirs.status in (200, 404) and not shows(theirs, what),
                "%s: GET %s as the other site's %s does not show %s" % (table, path, role, label),
                theirs)


def check_received(t, srv, staff, m):
    """The received unit: seen at the other site, reserved, its patient not
    named, out of storage; its custody event says it left the position."""
    r = srv.request("GET", "/api/v1/units/%d" % m["received"], role=staff["lab"])
    u = (r.json or {}).get("unit") or {}
    t.check(r.status == 200 and u.get("state") == "reserved" and u.get("reserved_patient_id")
            and u.get("reserved_mrn") is None and u.get("reserved_family_name") is None
            and not any(u.get(k) for k in ("freezer", "rack", "box", "position")),
            "the received unit reads as reserved for a patient, unnamed, in no freezer", r)
    custody = (r.json or {}).get("custody", [])
    shipped = [c for c in custody if c.get("event") == "shipped"]
    got = [c for c in custody if c.get("event") == "received"]
    t.check(len(shipped) == 1 and shipped[0].get("from_location") == "F2/R1/B1/A1"
            and shipped[0].get("to_location") == "",
            "the shipment's custody event leaves the sending site's position", shipped)
    t.check(len(got) == 1 and got[0].get("from_location") == "" and got[0].get("to_location") == "",
            "the receipt's custody event: in no freezer before, none after", got)


def check_audit_migration(t, srv, staff, m):
    """Entries written before the audit trail had sites get theirs from the
    migration: the audit rows hold again once the column is made anew."""
    # that migration and those after it undone (test_accounts' list), so
    # that they run again
    undo = UNDO_AFTER_ACCOUNTS[UNDO_AFTER_ACCOUNTS.index(AUDIT_SITES_UNDO):]
    # the sites the store wrote, some taken from the row an INSERT returned
    # (audit_sites.h, AUDIT_OWN_SITE_TABLES), others asked of the map; a
    # unit's entries keep the site that held it then, the migration gives
    # its site now
    moved = ("unit", "unit_freezing", "unit_thaw")
    written = srv.db_query("SELECT seq, entity, site_id FROM audit_log ORDER BY seq")
    srv.stop()
    srv.db_script("".join(reversed(undo)) +
                  "DELETE FROM schema_version WHERE version >"
                  " (SELECT MAX(version) FROM schema_version) - %d;" % len(undo))
    srv.start()
    walk(t, srv, staff, [r for r in leaks(m) if r[0].startswith("/api/v1/audit")], "MIGRATED")
    unknown = srv.db_query("SELECT DISTINCT entity FROM audit_log WHERE site_id = 0")
    t.check(not unknown, "the migration finds every entry's site", unknown)
    migrated = dict((seq, site) for seq, site in
                    srv.db_query("SELECT seq, site_id FROM audit_log ORDER BY seq"))
    created = {e for _, e, _ in written}
    differ = [(seq, entity, site, migrated.get(seq)) for seq, entity, site in written
              if entity not in moved and migrated.get(seq) != site]
    t.check(len(written) > 100 and {"patient", "plan", "donor", "batch", "unit"} <= created
            and not differ, "each entry's site as written is the one the migration computes"
            " (%d entries)" % len(written), differ[:10])


def check_access_log_mrn(t, srv, staff, m):
    """Another site's MRN answers as one no patient has."""
    def shape(r, sent):
        e = r.error() or {}
        return (r.status, e.get("code"), e.get("field"),
                (e.get("message") or "").replace(sent, "<mrn>"))
    theirs = srv.request("GET", "/api/v1/access-log?patient=" + urllib.parse.quote(m["mrn"]),
                         role=staff["qa"])
    missing = srv.request("GET", "/api/v1/access-log?patient=NOSUCHMRN", role=staff["qa"])
    t.check(theirs.status == 404 and shape(theirs, m["mrn"]) == shape(missing, "NOSUCHMRN"),
            "the access log answers for another site's MRN as for a missing one",
            (theirs, missing))


def main():
    args = harness.parse_args()
    t = harness.Tally("site_lists", verbose=args.verbose)
    try:
        with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
            staff = laboratory_site(srv, t, ("coordinator", "physician", "nurse", "lab", "qa"))
            markers = build(srv, t, staff)
            before = srv.db_checksum(UNCHANGED)
            walk(t, srv, staff, leaks(markers), "LEAKS")
            walk(t, srv, staff, scoped(markers), "SCOPED")
            # shown by the clinic before shipping (build), no longer the clinic's
            walk(t, srv, staff, received(markers), "RECEIVED", mine_too=False)
            check_received(t, srv, staff, markers)
            check_access_log_mrn(t, srv, staff, markers)
            t.check(srv.db_checksum(UNCHANGED) == before, "reading the lists wrote nothing")
            lost = srv.db_query("SELECT DISTINCT entity FROM audit_log WHERE site_id = 0")
            t.check(not lost, "every audit entry has a site or is group-wide", lost)
            check_audit_migration(t, srv, staff, markers)
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
