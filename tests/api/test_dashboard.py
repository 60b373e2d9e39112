#!/usr/bin/env python3
"""The dashboard: GET /api/v1/dashboard against a real server.

A small clinic is built through the API (the helpers of test_bedside.py and
test_laboratory.py): one patient with an approved plan whose administrations
1, 2 and 4 are due today, one of them then recorded and completed; an
overdue follow-up visit; serious and non-serious adverse events, open,
resolved and reported; units expiring in 3, 5 and 30 days, one already
expired (first before, then after the expiry sweep), one discarded; batches
with complete QC (passing, failing), incomplete QC, and released. Then:

- every section's total and items are checked exactly, in their order;
- `days` changes the unit horizon; bad values (0, 91, "x", "", -1, 1.5,
  a huge number, repeated) are 400 naming `days`; unknown arguments are
  ignored like on the other lists;
- the dashboard writes nothing: the database checksum is the same before and
  after (no expiry sweep, no audit entry), good or bad request;
- each role sees exactly the sections it may read elsewhere; no login is 401.

Dates are moved into the past by writing the database behind the server's
back, as test_bedside.py and test_followup.py do.

    python3 tests/api/test_dashboard.py --binary build/cellclinic [-v]
"""

import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_bedside as tb  # noqa: E402
import test_laboratory as labt  # noqa: E402

# The server's expiry timer records due expiries every minute; this test ages
# a unit behind the server's back and then checks that no sweep ran while the
# dashboard was read: the timer must not tick in between (it still runs at
# start, before the unit is aged).
os.environ["CELLCLINIC_EXPIRY_INTERVAL"] = "86400"

EXCLUDE = ("sessions", "api_tokens", "login_attempts") + harness.SECURITY_BOOKKEEPING
SECTIONS = ["administrations_today", "overdue_visits", "open_serious_events", "units_expiring",
            "units_arriving", "batches_awaiting_release"]
# Who may read the list each section summarises (src/api/routes.c).
EXPECTED = {
    "admin": ["administrations_today", "overdue_visits", "open_serious_events", "new_requests"],
    "coordinator": ["administrations_today", "overdue_visits", "open_serious_events", "new_requests"],
    "physician": SECTIONS,
    "nurse": SECTIONS,
    "lab": ["units_expiring", "units_arriving", "batches_awaiting_release"],
    "qa": ["open_serious_events", "units_expiring", "units_arriving", "batches_awaiting_release"],
    "analyst": [],
}
FAILING_QC = [x if x[0] != "endotoxin" else ("endotoxin", 5.0, "EU/mL") for x in labt.MSC_QC]


def utc_day(offset=0):
    d = datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=offset)
    return d.isoformat()


def dash(srv, role="nurse", query=""):
    return srv.request("GET", "/api/v1/dashboard" + query, role=role)


def build(b, t, srv):
    """The clinic; returns the ids the checks need."""
    lab = b.lab
    ids = {}
    p = b.patient("Tableau")
    ids["patient"] = p
    plan_id, items = b.plan(p["id"])  # items 1, 2, 4 due today
    ids["plan"] = plan_id
    ids["routes"] = {n: items[n]["route"] for n in (1, 2, 4)}
    ids["products"] = {n: items[n]["product"] for n in (1, 2, 4)}
    # the administration of item 1, recorded (in progress)
    u1 = b.unit(p["id"], plan_id, 1, items[1]["cells"])
    r = b.req("POST", "/api/v1/administrations", tb.body_for(plan_id, 1, p, [u1], "intravenous"), want=201,
              what="item 1 administered")
    ids["administration"] = r.json["administration"]["id"]

    # follow-up: month-1 overdue by 20 days, month-3 in its window (not overdue)
    body = json.loads(srv.db_query("SELECT body FROM plans WHERE id = ?", (plan_id,))[0][0])
    for f in body["follow_up"]:
        if f["label"] == "month-1":
            f["date"], f["window_start"], f["window_end"] = utc_day(-30), utc_day(-40), utc_day(-20)
        elif f["label"] == "month-3":
            f["date"], f["window_start"], f["window_end"] = utc_day(0), utc_day(-5), utc_day(5)
    b.sql("UPDATE plans SET body = ? WHERE id = ?", (json.dumps(body), plan_id))
    r = b.req("POST", "/api/v1/plans/%d/follow-up/sync" % plan_id, {}, role="coordinator", want=200)
    ids["visit"] = [v["id"] for v in r.json["visits"] if v["label"] == "month-1"][0]

    # adverse events
    base = {"patient_id": p["id"], "term": "hypotension", "grade": 3, "onset_at": tb.now_iso(-30),
            "related_product": "unlikely", "related_procedure": "unlikely", "expectedness": "expected"}
    mk = lambda **kw: b.req("POST", "/api/v1/adverse-events", dict(base, **kw), want=201).json["adverse_event"]["id"]
    ids["ae_overdue"] = mk(aware_at=tb.now_iso(-26), seriousness=["hospitalisation"])       # report overdue
    ids["ae_soon"] = mk(aware_at=tb.now_iso(-1), seriousness=["hospitalisation"])           # due within 24 h
    ids["ae_owed"] = mk(aware_at=tb.now_iso(-2), seriousness=["hospitalisation"],            # resolved, report owed
                        resolved_at=tb.now_iso(-1), outcome="recovered")
    ids["ae_recovered"] = mk(aware_at=tb.now_iso(-3), seriousness=["hospitalisation"],       # recovered, no end time
                             outcome="recovered")
    done = mk(aware_at=tb.now_iso(-2), seriousness=["hospitalisation"], resolved_at=tb.now_iso(-1),
              outcome="recovered")                                                           # resolved and reported
    b.req("POST", "/api/v1/adverse-events/%d/reports" % done, {"kind": "initial", "reference": "R-1"},
          role="physician", want=200)
    mk(term="fever", grade=1, aware_at=tb.now_iso(-26))                                      # not serious
    reported_open = mk(aware_at=tb.now_iso(-3), seriousness=["medically_important"])        # open, reported
    b.req("POST", "/api/v1/adverse-events/%d/reports" % reported_open, {"kind": "initial", "reference": "R-2"},
          role="physician", want=200)
    ids["ae_reported_open"] = reported_open

    # laboratory: a released batch with units of several expiries
    did = lab.donor()
    _, rel = lab.batch(did)
    ids["u3"] = lab.unit(rel, expiry=utc_day(3))["id"]
    ids["u30"] = lab.unit(rel, expiry=utc_day(30))["id"]
    ids["uold"] = lab.unit(rel, expiry=utc_day(3))["id"]
    ids["udisc"] = lab.unit(rel, expiry=utc_day(2))["id"]
    lab.qc(rel)
    lab.release(rel)
    lab.req("POST", "/api/v1/units/%d/discard" % ids["udisc"], {"reason": "bag damaged"}, want=200)
    # batches in process: QC complete and passing, complete and failing, incomplete
    _, ready = lab.batch(lab.donor())
    ids["uq5"] = lab.unit(ready, expiry=utc_day(5))["id"]  # quarantine, in stock
    lab.qc(ready)
    _, failed = lab.batch(lab.donor())
    lab.qc(failed, FAILING_QC)
    _, partial = lab.batch(lab.donor())
    lab.qc(partial, labt.MSC_QC[:3])
    _, incubating = lab.batch(lab.donor())  # every result in, sterility still incubating
    lab.req("POST", "/api/v1/batches/%d/qc" % incubating, {"test": "sterility", "pending": True,
                                                            "tested_on": utc_day(0)}, want=201)
    lab.qc(incubating, labt.MSC_QC[1:])
    ids["ready"], ids["failed"], ids["partial"], ids["released"] = ready, failed, partial, rel
    ids["incubating"] = incubating
    # expired two days ago, the server not told yet (no sweep has run)
    b.sql("UPDATE units SET expiry = ? WHERE id = ?", (utc_day(-2), ids["uold"]))
    return ids


def check_sections(t, srv, ids):
    r = dash(srv, "nurse")
    t.check(r.status == 200, "the nurse's dashboard answers 200", r)
    d = r.json or {}
    s = d.get("sections", {})
    t.check(d.get("today") == utc_day(0) and d.get("days") == 7 and d.get("limit") == 20,
            "today (server clock), days 7 by default, 20 items at most", {k: d.get(k) for k in ("today", "days", "limit")})
    p = ids["patient"]

    a = s.get("administrations_today", {})
    got = [(x["plan_id"], x["item"], x["status"], x["route"], x["product"], x["patient_mrn"], x["family_name"],
            x["administration_id"]) for x in a.get("items", [])]
    want = [(ids["plan"], 1, "in_progress", ids["routes"][1], ids["products"][1], p["mrn"], "Tableau",
             ids["administration"]),
            (ids["plan"], 2, "planned", ids["routes"][2], ids["products"][2], p["mrn"], "Tableau", None),
            (ids["plan"], 4, "planned", ids["routes"][4], ids["products"][4], p["mrn"], "Tableau", None)]
    t.check(a.get("total") == 3 and got == want and a.get("link") == "#/bedside",
            "administrations today: items 1 (in progress), 2 and 4 (planned), with MRN, route, product", a)
    t.check(a.get("counts") == {"planned": 2, "in_progress": 1, "done": 0}, "administrations: counts by status",
            a.get("counts"))

    v = s.get("overdue_visits", {})
    got = [(x["id"], x["label"], x["days_overdue"], x["mrn"], x["window_end"]) for x in v.get("items", [])]
    t.check(v.get("total") == 1 and got == [(ids["visit"], "month-1", 20, p["mrn"], utc_day(-20))]
            and v.get("link") == "#/follow-up?state=overdue",
            "overdue visits: month-1, 20 days overdue; the in-window visit is not", v)
    r2 = srv.request("GET", "/api/v1/follow-up?state=overdue", role="nurse")
    t.check(r2.status == 200 and [x["id"] for x in r2.json["items"]] == [x["id"] for x in v.get("items", [])],
            "the same overdue visits as the follow-up worklist (one definition)", r2)

    e = s.get("open_serious_events", {})
    got = [(x["id"], x["deadline_status"]) for x in e.get("items", [])]
    # deadlines: 24 h after awareness: -2 h, +22 h (aware 2 h ago), +23 h (aware 1 h ago), none owed
    t.check(e.get("total") == 3 and got == [(ids["ae_overdue"], "overdue"), (ids["ae_soon"], "due_soon"),
                                            (ids["ae_reported_open"], None)],
            "open serious events: soonest unreported deadline first; resolved (also with a report owed, or an "
            "outcome of recovered) and non-serious left out", e)
    r2 = srv.request("GET", "/api/v1/adverse-events?serious=true&open=true", role="nurse")
    t.check(r2.status == 200 and r2.json["total"] == e.get("total")
            and sorted(x["id"] for x in r2.json["items"]) == sorted(x[0] for x in got),
            "the same events as the list the tile links to (serious, open)", r2)
    r2 = srv.request("GET", "/api/v1/adverse-events?open=maybe", role="nurse")
    t.check(r2.status == 400 and (r2.json or {}).get("error", {}).get("field") == "open",
            "open is true or false: 400 naming open", r2)
    first = (e.get("items") or [{}])[0]
    t.check(first.get("term_code") == "hypotension" and first.get("term_name", {}).get("fr")
            and first.get("patient_mrn") == p["mrn"] and first.get("next_due_at")
            and e.get("link") == "#/adverse-events?serious=true&open=true",
            "an event names its term, patient and deadline", first)

    u = s.get("units_expiring", {})
    got = [(x["id"], x["state"], x["days_left"], x["expired"]) for x in u.get("items", [])]
    t.check(u.get("total") == 3 and u.get("expired") == 1 and got == [
        (ids["uold"], "released", -2, True), (ids["u3"], "released", 3, False), (ids["uq5"], "quarantine", 5, False)]
        and u.get("link") == "#/lab/inventory?expiring_within=7",
        "units within 7 days: the expired one (not yet swept), 3 and 5 days; not the discarded, not 30 days", u)
    r2 = srv.request("GET", "/api/v1/units?expiring_within=7&with_expired=true", role="lab")
    t.check(r2.status == 200 and [x["id"] for x in r2.json["items"]] == [x[0] for x in got],
            "the same units as the inventory list the tile links to (with the expired still in stock)", r2)
    r2 = srv.request("GET", "/api/v1/units?expiring_within=7&with_expired=maybe", role="lab")
    t.check(r2.status == 400 and (r2.json or {}).get("error", {}).get("field") == "with_expired",
            "with_expired is true or false: 400 naming with_expired", r2)

    ua = s.get("units_arriving", {})
    t.check(ua.get("total") == 0 and ua.get("items") == [] and ua.get("link") == "#/lab/arrivals",
            "units to receive: none shipped to the site (tests/api/test_shipping.py ships some)", ua)

    bt = s.get("batches_awaiting_release", {})
    got = [(x["id"], x["qc_complete"], x["ready"], x["blocks"] > 0) for x in bt.get("items", [])]
    t.check(bt.get("total") == 4 and got == [(ids["ready"], True, True, False), (ids["failed"], True, False, True),
                                             (ids["partial"], False, False, True),
                                             (ids["incubating"], False, False, True)]
            and bt.get("link") == "#/lab?status=in_process",
            "batches in process, oldest first: complete QC (passing, failing), then waiting for QC results "
            "(missing, pending); not released", bt)
    r2 = srv.request("GET", "/api/v1/batches?status=in_process", role="lab")
    t.check(r2.status == 200 and r2.json["total"] == bt.get("total"), "as many as the list the tile links to", r2)


def check_days(t, srv, ids):
    r = dash(srv, "lab", "?days=30")
    u = (r.json or {}).get("sections", {}).get("units_expiring", {})
    t.check(r.status == 200 and u.get("total") == 4 and u.get("days") == 30
            and [x["id"] for x in u.get("items", [])][-1] == ids["u30"]
            and u.get("link") == "#/lab/inventory?expiring_within=30",
            "days=30 takes the unit expiring in 30 days too (the last day counts)", r)
    r = dash(srv, "lab", "?days=1")
    u = (r.json or {}).get("sections", {}).get("units_expiring", {})
    t.check(r.status == 200 and [x["id"] for x in u.get("items", [])] == [ids["uold"]] and u.get("expired") == 1,
            "days=1: only the expired unit", r)
    r = dash(srv, "lab", "?days=90&unknown=1&page=7")
    t.check(r.status == 200 and r.json["days"] == 90, "days=90 is allowed; unknown arguments are ignored", r)
    before = srv.db_checksum(EXCLUDE)
    for bad in ["0", "91", "x", "", "-1", "1.5", "7x", "%207", "+7", "99999999999999999999", "7&days=7", "3&days=4"]:
        r = dash(srv, "nurse", "?days=" + bad)
        e = r.error() or {}
        t.check(r.status == 400 and e.get("field") == "days" and harness.is_error_shape(r),
                "days=%r is 400 naming days" % bad, r)
    r = dash(srv, "nurse", "?days")
    t.check(r.status == 400 and (r.error() or {}).get("field") == "days", "days without a value is 400", r)
    t.check(srv.db_checksum(EXCLUDE) == before, "bad days: the database is unchanged")


def check_read_only(t, srv, ids):
    before = srv.db_checksum(EXCLUDE)
    for role in harness.ROLES:
        dash(srv, role)
    t.check(srv.db_checksum(EXCLUDE) == before,
            "the dashboard writes nothing (no expiry sweep, no audit entry), whoever asks")
    state = srv.db_query("SELECT state FROM units WHERE id = ?", (ids["uold"],))[0][0]
    t.check(state == "released", "the expired unit is still released: no sweep ran", state)
    # after a sweep (reads never sweep; any change of a unit does), the unit is "expired",
    # still in stock, still listed
    r = srv.request("POST", "/api/v1/units/%d/move" % ids["u30"],
                    {"freezer": "F9", "rack": "R9", "box": "B9", "position": "A1"}, role="lab")
    t.check(r.status == 200, "another unit is moved in storage", r)
    r = dash(srv, "qa")
    u = (r.json or {}).get("sections", {}).get("units_expiring", {})
    first = (u.get("items") or [{}])[0]
    t.check(first.get("id") == ids["uold"] and first.get("state") == "expired" and first.get("expired") is True
            and u.get("expired") == 1 and u.get("total") == 3, "a swept expired unit still shows until discarded", u)
    srv.request("POST", "/api/v1/units/%d/discard" % ids["uold"], {"reason": "expired"}, role="lab")
    r = dash(srv, "qa")
    u = (r.json or {}).get("sections", {}).get("units_expiring", {})
    t.check(u.get("expired") == 0 and ids["uold"] not in [x["id"] for x in u.get("items", [])],
            "discarded: gone from the dashboard", u)


def check_done(t, srv, b, ids):
    b.req("POST", "/api/v1/administrations/%d/complete" % ids["administration"], {}, want=200)
    a = dash(srv, "physician").json["sections"]["administrations_today"]
    t.check([x["status"] for x in a["items"]] == ["done", "planned", "planned"]
            and a["counts"] == {"planned": 2, "in_progress": 0, "done": 1}, "completed: done", a)


def check_roles(t, srv):
    for role in harness.ROLES:
        r = dash(srv, role)
        keys = sorted((r.json or {}).get("sections", {}).keys()) if r.status == 200 else None
        t.check(keys == sorted(EXPECTED[role]), "%s sees exactly %s" % (role, EXPECTED[role] or "no section"),
                "got %r: %r" % (keys, r))
    r = dash(srv, None)
    t.check(r.status == 401 and harness.is_error_shape(r), "no login: 401", r)
    # the new consultation requests are the inbox's "new" list
    before = dash(srv, "coordinator").json["sections"]["new_requests"]["total"]
    r = srv.request("POST", "/api/v1/consultation-requests",
                    {"name": "Dashboard Request", "phone": "+33 1 23 45 67 89", "diagnosis": "als",
                     "language": "fr", "consent": True}, source="127.0.0.9")
    t.check(r.status == 201, "a public request", r)
    sec = dash(srv, "coordinator").json["sections"]["new_requests"]
    inbox = srv.request("GET", "/api/v1/consultation-requests?status=new", role="coordinator").json
    t.check(sec["total"] == before + 1 == inbox["total"] and sec["link"] == "#/requests?status=new"
            and sec["items"][0]["name"] == "Dashboard Request" and sec["items"][0]["diagnosis"] == "als",
            "new requests: the inbox's count, newest first", sec)


def check_limit(t, srv, b):
    """More than 20 overdue visits: 20 items and the true total."""
    sid = srv.db_query("SELECT MAX(id) FROM followup_visits")[0][0]
    # synthetic treated patients from cellclinic demo; their scheduled visits moved into the past
    r = srv.cli("demo", "--data", srv.data, "--patients", "200", "--seed", "7")
    t.check(r.returncode == 0, "cellclinic demo adds synthetic patients", r.stdout + r.stderr)
    b.sql("UPDATE followup_visits SET window_start = ?, window_end = ? WHERE status = 'scheduled' AND id > ?",
          (utc_day(-10), utc_day(-1), sid))
    n = srv.db_query("SELECT COUNT(*) FROM followup_visits WHERE status = 'scheduled' AND window_start <= ?"
                     " AND window_end < ?", (utc_day(0), utc_day(0)))[0][0]
    v = dash(srv, "nurse").json["sections"]["overdue_visits"]
    t.check(n > 20 and v["total"] == n and len(v["items"]) == 20, "%d overdue: 20 shown, total %d" % (n, n),
            {"total": v["total"], "items": len(v["items"])})
    t.check(any(x["synthetic"] is True for x in v["items"]), "synthetic patients are marked synthetic", v["items"][:2])


def main():
    args = harness.parse_args()
    t = harness.Tally("dashboard", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        for role in harness.ROLES:
            srv.token(role)
        b = tb.Bedside(srv, t)
        labt.configure(b.lab)
        empty = dash(srv, "nurse")
        got = (empty.json or {}).get("sections", {})
        t.check(empty.status == 200 and all(got.get(k, {}).get("total") == 0 and
                                            got.get(k, {}).get("items") == [] for k in SECTIONS),
                "an empty clinic: every section 0, no items", empty)
        ids = build(b, t, srv)
        check_read_only_first = srv.db_checksum(EXCLUDE)
        check_sections(t, srv, ids)
        check_days(t, srv, ids)
        t.check(srv.db_checksum(EXCLUDE) == check_read_only_first, "reading the dashboard changed nothing")
        check_roles(t, srv)
        check_read_only(t, srv, ids)
        check_done(t, srv, b, ids)
        check_limit(t, srv, b)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
