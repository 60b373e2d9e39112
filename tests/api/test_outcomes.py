"""Outcome instruments over HTTP and the command line: ISNCSCI classification
(every validation case, same answers as the CLI), instrument scoring,
observations stored with answers, scores and version, and bad input that
names the field and changes nothing."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "isncsci", "validation-cases.json")

PATIENT = {"family_name": "Moreau", "given_names": "Loïc", "birth_date": "1979-05-01",
           "sex": "male", "language": "fr"}


def main():
    args = harness.parse_args()
    t = harness.Tally("outcomes", verbose=args.verbose)
    with open(DATA, encoding="utf-8") as f:
        cases = json.load(f)
    exams = [c["exam"] for c in cases]

    # Command line: the whole validation set in one array, same order.
    r = harness.run_cli(args.binary, ["isncsci", "classify"], input_text=json.dumps(exams))
    t.check(r.returncode == 0, "isncsci classify exits 0", r.stderr)
    results = json.loads(r.stdout) if r.returncode == 0 else []
    t.check(results == [c["expected"] for c in cases], "CLI results equal every expected case")
    bad = json.loads(json.dumps(exams[:3]))
    bad[2]["left"]["motor"]["C7"] = "6"
    r = harness.run_cli(args.binary, ["isncsci", "classify"], input_text=json.dumps(bad))
    t.check(r.returncode == 2, "invalid exam: exit 2", r.returncode)
    t.check("2" in r.stderr and "left.motor.C7" in r.stderr,
            "invalid exam: message names the index and the field", r.stderr)
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
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
