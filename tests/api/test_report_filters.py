#!/usr/bin/env python3
"""Outcome report scope and filters: one protocol or every protocol
(`protocol=all`), a condition (ICD-10 prefix, case ignored), a product type and
a route; every count checked against a cohort built here; bad filters refused
naming the field with nothing changed; the command line gives the same report;
and the measure series rebuilt from the stored observations (an older data
dir) give the same report as the series written with each observation.

    python3 tests/api/test_report_filters.py --binary build/cellclinic [-v]
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from test_programmes import day  # noqa: E402

ADMIN_SQL = ("INSERT INTO administrations (patient_id, plan_id, plan_item, plan_ref, planned_date, route,"
             " product_type, dose_unit, prescribed_amount, actual_amount, weight_grams, weight_date, status,"
             " started_at, operator_id, operator, created_at, updated_at, version)"
             " VALUES (?, ?, ?, ?, ?, ?, ?, 'cells', 1, 1, 70000, ?, 'completed', ?, 1, 'admin', 't', 't', 1)")


def db_write(srv, sql, params=()):
    return srv.db_exec(sql, params)


def main():
    args = harness.parse_args()
    t = harness.Tally("report_filters", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        for role in harness.ROLES:
            srv.token(role)

        def patient(family, icd10, protocol, eligible, start, admins, visits, worst):
            """A patient screened for protocol; when eligible an approved plan starting `start`
            days from today, administrations (product, route), visits (label, months, target
            day, status) and NRS observations {day: worst} stored through the API."""
            r = srv.request("POST", "/api/v1/patients",
                            {"family_name": family, "given_names": "Test", "birth_date": "1980-01-01",
                             "sex": "female", "language": "en"}, role="coordinator")
            pid = r.json["id"]
            r = srv.request("POST", "/api/v1/patients/%d/conditions" % pid,
                            {"icd10": icd10, "label": "Condition " + icd10}, role="physician")
            t.check(r.status == 201, "condition %s recorded" % icd10, r)
            decision = "eligible" if eligible else "ineligible"
            db_write(srv, "INSERT INTO screenings (patient_id, protocol_id, protocol_version, body, verdict, reasons,"
                          " oldest_date, evaluated_on, decision, created_at, created_by, version)"
                          " VALUES (?, ?, 1, '{}', ?, '[]', ?, ?, ?, 't', 'test', 1)",
                     (pid, protocol, decision, day(start - 30), day(start - 20), decision))
            for when, value in sorted(worst.items()):
                r = srv.request("POST", "/api/v1/patients/%d/observations" % pid,
                                {"instrument": "nrs-pain", "date": day(when), "source": "clinician",
                                 "answers": {"current": "2", "average": "3", "worst": str(value)}},
                                role="physician")
                t.check(r.status == 201, "observation of %s on day %d" % (family, when), r)
            if not eligible:
                return pid
            plan = db_write(srv, "INSERT INTO plans (patient_id, protocol_id, protocol_version, status, start_date,"
                                 " end_date, request, body, created_at, created_by, updated_at, version)"
                                 " VALUES (?, ?, 1, 'approved', ?, ?, '{}', '{}', 't', 'test', 't', 1) RETURNING id",
                            (pid, protocol, day(start), day(start + 15)))
            for k, (product, route) in enumerate(admins):
                db_write(srv, ADMIN_SQL, (pid, plan, k + 1, "%d-%d" % (plan, k + 1), day(start + k), route, product,
                                          day(start - 1), day(start + k) + "T09:00:00Z"))
            for seq, (label, months, target, status) in enumerate(visits):
                db_write(srv, "INSERT INTO followup_visits (plan_id, patient_id, protocol_id, seq, label, months,"
                              " target_date, window_start, window_end, instruments, status, created_at, updated_at,"
                              " version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, 't', 't', 1)",
                         (plan, pid, protocol, seq + 1, label, months, day(target), day(target - 14),
                          day(target + 14), status))
            return pid

        patient("Un", "S14.1", "sci", True, -100, [("uc-msc", "intravenous"), ("uc-msc", "intrathecal")],
                [("month-1", 1, -70, "done"), ("month-3", 3, -10, "scheduled")], {-101: 8, -69: 5})
        patient("Deux", "S14.1", "sci", True, -90, [("ucb-sc", "intravenous")],
                [("month-1", 1, -60, "done")], {-92: 6, -60: 6})
        patient("Trois", "G12.21", "als", True, -80, [("uc-msc", "intravenous")],
                [("month-1", 1, -50, "done")], {-81: 4, -50: 3})
        patient("Quatre", "S14.1", "sci", False, -50, [], [], {-70: 7})

        def report(query, role="physician"):
            r = srv.request("GET", "/api/v1/reports/outcomes?" + query, role=role)
            t.check(r.status == 200, "report ?%s" % query, r)
            return r.json or {}

        def worst(rep, label):
            for m in rep.get("measures", []):
                if m["instrument"] == "nrs-pain" and m["score"] == "worst":
                    return {c["label"]: c for c in m["timepoints"]}.get(label, {})
            return {}

        def flow(rep):
            f = rep.get("flow", {})
            return (f.get("referred"), f.get("screened"), f.get("eligible"), f.get("treated"))

        sci = report("protocol=sci")
        t.check(flow(sci) == (3, 3, 2, 2), "sci: 3 referred, 3 screened, 2 eligible, 2 treated", sci.get("flow"))
        m1 = worst(sci, "month-1")
        t.check(m1.get("n") == 2 and m1.get("mean") == 5.5 and m1["change"]["pairs"] == 2
                and m1["change"]["mean_diff"] == -1.5, "sci: NRS worst at month 1 (5, 6) and change -1.5", m1)
        m3 = worst(sci, "month-3")
        # Deux has no month-3 visit row: a time point without its visit counts as due, never dropped
        t.check(m3.get("due") == 2 and m3.get("n") == 0 and m3.get("missing") == 2,
                "sci: month 3 due for both treated patients (one has no visit row), no value", m3)
        t.check(sci["adverse_events"]["administrations"] == 3, "sci: 3 administrations", sci["adverse_events"])
        t.check(sci.get("filters") == {"condition": None, "product_type": None, "route": None},
                "no filter: filters all null", sci.get("filters"))

        every = report("protocol=all")
        t.check(every.get("protocol") == "all" and flow(every) == (4, 4, 3, 3),
                "all protocols: 4 referred, 3 treated", every.get("flow"))
        m1 = worst(every, "month-1")
        t.check(m1.get("n") == 3 and abs(m1.get("mean", 0) - 14 / 3) < 1e-4,
                "all protocols: month 1 pools the sci and als patients (5, 6, 3)", m1)

        for query, expected, what in (
                ("protocol=all&condition=G12", (1, 1, 1, 1), "condition G12 (ALS only)"),
                ("protocol=sci&condition=s14", (3, 3, 2, 2), "condition prefix, case ignored"),
                ("protocol=sci&condition=S14.2", (0, 0, 0, 0), "a condition nobody has"),
                ("protocol=sci&product_type=ucb-sc", (1, 1, 1, 1), "product type ucb-sc"),
                ("protocol=all&product_type=uc-msc", (2, 2, 2, 2), "product type uc-msc over every protocol"),
                ("protocol=all&route=intrathecal", (1, 1, 1, 1), "route intrathecal"),
                ("protocol=all&route=intrathecal&product_type=ucb-sc", (0, 0, 0, 0),
                 "product and route must meet in one administration"),
                ("protocol=sci&condition=S14&route=intravenous&from=%s" % day(-95), (1, 1, 1, 1),
                 "filters combine with the period")):
            rep = report(query)
            t.check(flow(rep) == expected, "%s: flow %s" % (what, expected), rep.get("flow"))
        rep = report("protocol=sci&product_type=ucb-sc")
        t.check(rep["filters"]["product_type"] == "ucb-sc" and worst(rep, "month-1").get("mean") == 6
                and rep["adverse_events"]["administrations"] == 1,
                "a filtered report computes on the kept patients only", rep.get("filters"))
        r = srv.request("GET", "/api/v1/reports/outcomes?protocol=all&condition=G12&format=csv", role="physician")
        t.check(r.status == 200 and b"flow,,treated,,,1" in r.body, "filtered CSV", r.body[:300])

        exclude = ("sessions", "api_tokens")
        before = srv.db_checksum(exclude)
        for query, field in (("protocol=sci&condition=S14%25", "condition"),
                             ("protocol=sci&condition=S14.123456", "condition"),
                             ("protocol=sci&condition=", "condition"),
                             ("protocol=sci&product_type=uc%20msc", "product_type"),
                             ("protocol=sci&product_type=" + "x" * 41, "product_type"),
                             ("protocol=sci&route=%3Cscript%3E", "route"),
                             ("protocol=all&from=2026-02-30", "from"),
                             ("protocol=al", "protocol")):
            r = srv.request("GET", "/api/v1/reports/outcomes?" + query, role="physician")
            t.check(r.status == 400 and (r.error() or {}).get("field") == field,
                    "bad filter ?%s: 400 naming %s" % (query, field), r)
        t.check(srv.db_checksum(exclude) == before, "bad filters change nothing")

        # The command line: same report, options named in errors.
        out = os.path.join(srv.tmp, "all-g12.json")
        r = harness.run_cli(args.binary, ["report", "outcomes", "--data", srv.data, "--protocol", "all",
                                          "--condition", "G12", "--out", out])
        t.check(r.returncode == 0, "CLI --protocol all --condition G12", r.stderr)
        if r.returncode == 0:
            with open(out, encoding="utf-8") as f:
                cli = json.load(f)
            api = report("protocol=all&condition=G12")
            t.check(cli["flow"] == api["flow"] and cli["measures"] == api["measures"]
                    and cli["filters"] == api["filters"], "CLI report equals the API's")
        for option, value in (("--condition", "S 14"), ("--product-type", "a/b"), ("--route", "")):
            r = harness.run_cli(args.binary, ["report", "outcomes", "--data", srv.data, "--protocol", "sci",
                                              option, value])
            t.check(r.returncode == 2 and option in r.stderr, "CLI %s %r: exit 2 naming it" % (option, value),
                    r.stderr)

        # An older data dir: series missing and not marked built. The next report builds them
        # from the stored observations and says the same as the series written one by one.
        expected = report("protocol=all")
        db_write(srv, "DELETE FROM measure_series")
        db_write(srv, "UPDATE derived_data SET built = 0 WHERE name = 'measure_series'")
        out = os.path.join(srv.tmp, "rebuilt.json")
        r = harness.run_cli(args.binary, ["report", "outcomes", "--data", srv.data, "--protocol", "all",
                                          "--out", out])
        t.check(r.returncode == 0, "report on a data dir without series", r.stderr)
        if r.returncode == 0:
            with open(out, encoding="utf-8") as f:
                rebuilt = json.load(f)
            t.check(rebuilt["measures"] == expected["measures"] and rebuilt["flow"] == expected["flow"],
                    "series rebuilt from the observations give the same report")
        rows = srv.db_query("SELECT COUNT(*) FROM measure_series")[0][0]
        built = srv.db_query("SELECT built FROM derived_data WHERE name = 'measure_series'")[0][0]
        t.check(rows == 4 and built == 1, "four patients' series rebuilt and marked built", (rows, built))
        t.check(report("protocol=all")["measures"] == expected["measures"], "the server reads the rebuilt series")
    sys.exit(t.finish())


if __name__ == "__main__":
    main()
