#!/usr/bin/env python3
"""Report digests (store/report_digests.h): each patient's part of the outcome
report in one row, trusted only while none of its facts changed.

- A change to any of the six kinds of rows the report reads (screenings,
  plans, administrations, follow-up visits, questionnaire links, measure
  series) marks its patient stale in the changing transaction; a refused
  request marks nothing.
- The report is the same whether the patients' parts come from the tables
  (every patient stale), from the digests (after the server's start refreshed
  them) or from both (some stale), for every programme, a condition, sites,
  a period, the analyst's de-identified report and the CSV; with writers
  racing the reports, the report after them is the same as from the tables.
- More visit labels than the report shows give the same report from digests
  made all at once and afresh.
- A damaged digest refuses the report (503, its code) instead of a wrong
  figure (its words in both languages: the catalogue checks); the server's
  next start makes the digests anew.

    python3 tests/api/test_report_digests.py --binary build/cellclinic [-v]
"""
import datetime
import json
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

QUERIES = ["protocol=all", "protocol=sci", "protocol=msc", "protocol=all&condition=G",
           "protocol=all&sites=all", "protocol=all&from=2020-01-01&to=2099-12-31",
           "protocol=all&format=csv"]


def reports(srv):
    """Every query's answer as bytes, physician's and analyst's."""
    out = {}
    for q in QUERIES:
        r = srv.request("GET", "/api/v1/reports/outcomes?" + q, role="physician")
        out[q] = (r.status, r.body)
    r = srv.request("GET", "/api/v1/reports/outcomes?protocol=all&deidentified=1", role="analyst")
    out["analyst"] = (r.status, r.body)
    return out


def stale(srv):
    return {row[0] for row in srv.db_query("SELECT patient_id FROM report_digest_stale")}


def all_stale(srv):
    srv.db_exec("INSERT INTO report_digest_stale (patient_id) SELECT id FROM patients"
                " WHERE id NOT IN (SELECT patient_id FROM report_digest_stale)")


def same(t, a, b, what):
    differ = [q for q in a if a[q] != b.get(q)]
    t.check(all(a[q][0] == 200 for q in a) and not differ, what, differ[:3])


def issue_link(t, srv):
    """A questionnaire link for a scheduled visit (the demo issues none)."""
    visit, instrument = next(
        (v, i) for v, instruments in srv.db_query(
            "SELECT id, instruments FROM followup_visits WHERE status = 'scheduled' ORDER BY id")
        for i in json.loads(instruments) if i not in ("isncsci", "mas"))
    srv.set_clinic_site()
    r = srv.request("POST", "/api/v1/follow-up/%d/links" % visit, {"instrument": instrument},
                    role="physician")
    pid = srv.db_query("SELECT patient_id FROM followup_visits WHERE id = ?", (visit,))[0][0]
    t.check(r.status == 201 and pid in stale(srv), "a questionnaire link marks its patient", r)


def check_marks(t, srv):
    """Each kind of row marks its patient when changed, in its transaction."""
    tables = ["screenings", "plans", "administrations", "followup_visits",
              "questionnaire_links", "measure_series"]
    for table in tables:
        rows = srv.db_query("SELECT patient_id FROM %s ORDER BY patient_id LIMIT 1" % table)
        t.check(bool(rows), "the demo wrote %s" % table)
        if not rows:
            continue
        pid = rows[0][0]
        srv.db_exec("DELETE FROM report_digest_stale")
        # an update that changes nothing still marks: the digest is made anew
        column = "records" if table == "measure_series" else "patient_id"
        srv.db_exec("UPDATE %s SET %s = %s WHERE patient_id = ?" % (table, column, column), (pid,))
        t.check(stale(srv) == {pid}, "a change to %s marks its patient stale, only it" % table,
                stale(srv))
    srv.db_exec("DELETE FROM report_digest_stale")
    pid = srv.db_query("SELECT patient_id FROM measure_series ORDER BY patient_id LIMIT 1")[0][0]
    r = srv.request("POST", "/api/v1/patients/%d/observations" % pid,
                    {"instrument": "nrs-pain", "date": "not a date", "source": "clinician",
                     "answers": {"current": "2", "average": "3", "worst": "4"}}, role="physician")
    t.check(r.status == 400 and not stale(srv), "a refused observation marks nothing", (r, stale(srv)))
    r = srv.request("POST", "/api/v1/patients/%d/observations" % pid,
                    {"instrument": "nrs-pain", "date": harness_today(srv), "source": "clinician",
                     "answers": {"current": "2", "average": "3", "worst": "4"}}, role="physician")
    t.check(r.status == 201 and stale(srv) == {pid},
            "an observation recorded through the API marks its patient", (r, stale(srv)))


def harness_today(srv):
    """Yesterday (UTC): a day every clinic's time zone has already seen."""
    return (datetime.datetime.now(datetime.timezone.utc).date() -
            datetime.timedelta(days=1)).isoformat()


def race(t, srv, patients):
    """Writers add observations while reports are read; once they stop, the
    report equals the one made from the tables alone."""
    stop = threading.Event()
    errors = []

    def writer(k):
        i = 0
        while not stop.is_set():
            pid = patients[(k * 7 + i) % len(patients)]
            i += 1
            r = srv.request("POST", "/api/v1/patients/%d/observations" % pid,
                            {"instrument": "nrs-pain", "date": harness_today(srv),
                             "source": "clinician",
                             "answers": {"current": "1", "average": "2", "worst": str(i % 11)}},
                            role="physician")
            if r.status != 201:
                errors.append(r)
    threads = [threading.Thread(target=writer, args=(k,)) for k in range(3)]
    for th in threads:
        th.start()
    during = []
    for _ in range(6):
        during.append(srv.request("GET", "/api/v1/reports/outcomes?protocol=all", role="physician"))
    stop.set()
    for th in threads:
        th.join()
    t.check(not errors and all(r.status == 200 for r in during),
            "reports read while observations are written (%d reports)" % len(during), errors[:2])
    mixed = reports(srv)
    t.check(bool(stale(srv)), "the writers left patients stale", len(stale(srv)))
    all_stale(srv)
    same(t, mixed, reports(srv), "after the writers: the report from digests and stale patients"
         " is the report from the tables")


def check_many_labels(t, srv):
    """More visit labels than the report shows (16): the digests keep every
    label, so the report is the same however its patients' digests were made
    (all at once at the start, or afresh a few at a time), and says it left
    time points out."""
    visits = srv.db_query("SELECT id FROM followup_visits ORDER BY patient_id DESC, id LIMIT 20")
    for k, (vid,) in enumerate(visits):
        srv.db_exec("UPDATE followup_visits SET label = ? WHERE id = ?", ("extra-%02d" % k, vid))
    fresh = reports(srv)
    body = json.loads(fresh["protocol=all"][1])
    t.check(len(body["timepoints"]) == 17 and body["measures_truncated"],
            "20 more labels: 16 time points shown and the report says it left some out",
            body["timepoints"])
    srv.restart()
    same(t, fresh, reports(srv), "with 24 labels: the same report from the digests as afresh")
    srv.db_exec("UPDATE derived_data SET built = 0 WHERE name = 'report_digests'")
    srv.restart()  # every digest made again, all at once
    same(t, fresh, reports(srv), "with 24 labels: the same report from digests all made at once")


def main():
    args = harness.parse_args()
    t = harness.Tally("report_digests", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        r = srv.cli("demo", "--data", srv.data, "--patients", "120", "--seed", "11", timeout=300)
        t.check(r.returncode == 0, "cellclinic demo --patients 120", r.stdout + r.stderr)
        with_rows = {row[0] for row in srv.db_query(
            "SELECT patient_id FROM screenings UNION SELECT patient_id FROM plans")}
        t.check(len(with_rows) > 20 and with_rows <= stale(srv),
                "the demo's writes marked each of its screened patients stale (%d)" % len(with_rows))
        from_tables = reports(srv)  # every demo patient stale: made from the tables
        srv.restart()  # the start refreshes the digests
        t.check(not stale(srv), "the server's start made the stale digests anew", len(stale(srv)))
        digests = {row[0] for row in srv.db_query("SELECT patient_id FROM report_digests")}
        t.check(digests == with_rows, "one digest for each patient with a screening or plan",
                (len(digests), len(with_rows)))
        from_digests = reports(srv)
        same(t, from_tables, from_digests, "the report from the digests is the report from the tables")
        some = sorted(with_rows)[::3]
        for pid in some:
            srv.db_exec("INSERT INTO report_digest_stale (patient_id) VALUES (?)", (pid,))
        same(t, from_tables, reports(srv), "with a third of the patients stale: the same report")
        issue_link(t, srv)
        check_marks(t, srv)
        race(t, srv, sorted(with_rows))
        check_many_labels(t, srv)
        srv.restart()
        from_digests_after_race = reports(srv)
        victim = sorted(with_rows)[0]
        # cut inside its first protocol's name
        srv.db_exec("UPDATE report_digests SET digest = substr(digest, 1, 3) WHERE patient_id = ?",
                    (victim,))
        r = srv.request("GET", "/api/v1/reports/outcomes?protocol=all", role="physician")
        e = r.error() or {}
        t.check(r.status == 503 and e.get("code") == "report_digest_damaged",
                "a damaged digest refuses the report instead of a wrong figure", r)
        srv.restart()  # the start reads every digest and makes them anew
        same(t, from_digests_after_race, reports(srv),
             "after a restart the damaged digest is made anew: the same report")
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
