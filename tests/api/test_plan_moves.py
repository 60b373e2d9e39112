#!/usr/bin/env python3
"""Moving a stay against a real server: a postponed dose, the rest of a stay
shifted, and a dose given late.

- a physician moves one planned administration of an approved sci plan
  (POST /plans/{id}/items/{item}/move) or shifts the rest of the stay
  (POST /plans/{id}/shift); each rule that blocks a move answers 409 with
  its own code and the field, and changes nothing in the database
  (spacing between lumbar punctures, one administration a day, the order of
  the administrations, nothing on the admission day, nothing in the past,
  the longest stay, the clinic's capacity, an administration already given);
- an accepted move bumps the plan version, keeps the first planned date,
  books the slots again, re-dates the scheduled follow-up visits (1, 3, 6,
  12 months after the last administration) and writes one audit entry with
  the reason;
- only a physician moves a plan; a reason is required;
- a late administration: after the shift, the dose is given (clock moved
  forward with CELLCLINIC_CLOCK_OFFSET_DAYS) on its new day, against its
  planned item; the plan shows the day it was given and the delay after
  its first planned date; a given administration no longer moves.

    python3 tests/api/test_plan_moves.py --binary build/cellclinic [-v]
"""

import calendar
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_bedside as bt  # noqa: E402
import test_laboratory as labt  # noqa: E402

TODAY = datetime.date.today()
EXCLUDE = ("sessions", "api_tokens", "login_attempts") + harness.SECURITY_BOOKKEEPING


def day(offset):
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


def add_months(iso, months):
    d = datetime.date.fromisoformat(iso)
    total = d.year * 12 + d.month - 1 + months
    y, m = divmod(total, 12)
    m += 1
    return datetime.date(y, m, min(d.day, calendar.monthrange(y, m)[1])).isoformat()


def dates(plan):
    return [a["date"] for a in plan["plan"]["administrations"]]


def test_refusals(b, t, srv):
    p = b.patient("Deplace")
    plan_id, plan = b.approved_plan(p["id"], day(1))
    t.check(dates(plan) == [day(d) for d in (2, 3, 4, 6, 7, 9, 10, 12)] and plan["end"] == day(15),
            "the approved sci plan from tomorrow", dates(plan))
    move = "/api/v1/plans/%d/items/%%d/move" % plan_id
    cases = [
        # (path, body, code, field, the protocol rule)
        (move % 4, {"date": day(5)}, "move_spacing", "date",
         "sci spacing_hours.intrathecal 72: lumbar punctures on days 3 and 5"),
        (move % 5, {"date": day(6)}, "move_gap", "date",
         "sci gap_hours 24: two administrations on day 6"),
        (move % 3, {"date": day(8)}, "move_order", "date",
         "administration 3 after administration 4"),
        (move % 1, {"date": day(1)}, "move_admission_day", "date",
         "sci first_administration_day 2: nothing on the admission day"),
        (move % 1, {"date": day(-1)}, "move_in_past", "date", "a day in the past"),
        (move % 8, {"date": day(23)}, "move_stay_too_long", "date",
         "sci stay_days.max 23: the last dose on day 23 ends the stay on day 24"),
        ("/api/v1/plans/%d/shift" % plan_id, {"days": 12, "from_item": 6}, "move_stay_too_long", "days",
         "sci stay_days.max 23: the rest of the stay 12 days later"),
    ]
    for path, body, code, field, rule in cases:
        before = srv.db_checksum(EXCLUDE)
        r = b.req("POST", path, dict(body, reason="patient febrile"), role="physician")
        e = r.error() or {}
        t.check(r.status == 409 and e.get("code") == code and e.get("field") == field,
                "refused by its rule (%s): %s" % (code, rule), r)
        t.check(srv.db_checksum(EXCLUDE) == before, "a refused move changes nothing (%s)" % code)
    # the clinic's capacity: no intrathecal slot left on day 13
    b.req("PATCH", "/api/v1/capacity", {"intrathecal": 0}, role="admin", want=200)
    before = srv.db_checksum(EXCLUDE)
    r = b.req("POST", move % 8, {"date": day(13), "reason": "theatre closed"}, role="physician")
    t.check(r.status == 409 and (r.error() or {}).get("code") == "move_capacity",
            "refused by the clinic's capacity for the route", r)
    t.check(srv.db_checksum(EXCLUDE) == before, "a refused move changes nothing (capacity)")
    b.req("PATCH", "/api/v1/capacity", {"intrathecal": 3}, role="admin", want=200)
    # the refusal's message names the rule in the physician's language
    b.req("PATCH", "/api/v1/session/preferences", {"language": "fr"}, role="physician", want=200)
    r = b.req("POST", move % 4, {"date": day(5), "reason": "fièvre"}, role="physician")
    t.check(r.status == 409 and "espacement par voie" in (r.error() or {}).get("message", ""),
            "the message names the rule in French", r)
    b.req("PATCH", "/api/v1/session/preferences", {"language": "en"}, role="physician", want=200)
    # who and why
    for role in ("nurse", "coordinator", "admin", "lab"):
        r = b.req("POST", move % 3, {"date": day(5), "reason": "x"}, role=role)
        t.check(r.status == 403, "%s may not move a plan" % role, r)
    before = srv.db_checksum(EXCLUDE)
    r = b.req("POST", move % 3, {"date": day(5)}, role="physician")
    t.check(r.status == 400 and (r.error() or {}).get("field") == "reason", "a move needs a reason", r)
    r = b.req("POST", move % 3, {"date": day(5), "reason": "   "}, role="physician")
    t.check(r.status == 400 and (r.error() or {}).get("field") == "reason", "a blank reason is none", r)
    t.check(srv.db_checksum(EXCLUDE) == before, "refused input changes nothing")
    return p, plan_id, plan


def test_accepted(b, t, srv, p, plan_id, plan):
    version = plan["version"]
    r = b.req("POST", "/api/v1/plans/%d/items/3/move" % plan_id, {"date": day(5), "reason": "dose postponed"},
              role="physician", want=200, what="a dose postponed by one day")
    moved = r.json
    a3 = moved["plan"]["administrations"][2]
    t.check(a3["date"] == day(5) and a3["day"] == 5 and a3["original_date"] == day(4),
            "the moved administration keeps its first date", a3)
    t.check(moved["version"] == version + 1, "the plan version is bumped", moved["version"])
    t.check(moved["follow_up_redated"] == 0, "the last administration did not move: visits unchanged", moved)
    slots = srv.db_query("SELECT slot_date FROM plan_slots WHERE plan_id = ? AND route = 'intravenous'"
                         " ORDER BY slot_date", (plan_id,))
    t.check([s[0] for s in slots] == [day(2), day(5), day(7), day(10)], "the slots follow the move", slots)
    rows = srv.db_query("SELECT action, username, reason, before_json, after_json FROM audit_log"
                        " WHERE entity = 'plan' AND entity_id = ? ORDER BY seq", (str(plan_id),))
    t.check(rows[-1][0] == "move" and rows[-1][1] == harness.user_of("physician") and
            rows[-1][2] == "dose postponed" and day(4) in rows[-1][3] and day(5) in rows[-1][4],
            "audited: who, the reason, the dates before and after", rows[-1])

    # the patient arrives two days late: the whole stay moves
    r = b.req("POST", "/api/v1/plans/%d/shift" % plan_id, {"days": 2, "reason": "arrives late"},
              role="physician", want=200, what="the stay shifted by two days")
    s = r.json
    t.check(s["start"] == day(3) and dates(s) == [day(d) for d in (4, 5, 7, 8, 9, 11, 12, 14)] and
            s["end"] == day(17), "every administration and the admission two days later", dates(s))
    t.check(s["plan"]["administrations"][0]["original_date"] == day(2) and
            s["plan"]["administrations"][2]["original_date"] == day(4),
            "each moved administration keeps its first planned date", s["plan"]["administrations"][:3])
    t.check(s["follow_up_redated"] == 4, "the four follow-up visits are re-dated", s)
    r = b.req("GET", "/api/v1/follow-up?state=all&patient_id=%d" % p["id"], role="physician", want=200)
    got = sorted((v["months"], v["target_date"]) for v in r.json["items"])
    want = [(m, add_months(day(14), m)) for m in (1, 3, 6, 12)]
    t.check(got == want, "visits 1, 3, 6, 12 months after the new last administration", got)
    rows = srv.db_query("SELECT action, reason FROM audit_log WHERE entity = 'plan' AND entity_id = ?"
                        " ORDER BY seq DESC LIMIT 1", (str(plan_id),))
    t.check(rows[0] == ("shift", "arrives late"), "the shift is audited with its reason", rows)
    return s


def test_late(b, t, srv, p, plan_id, plan):
    """After the shift, administration 1 is planned on day(4) (first planned
    day(2)); the clock moves to day(4) and the dose is given then."""
    item1 = plan["plan"]["administrations"][0]
    u = b.unit(p["id"], plan_id, 1, item1["cells"])
    srv.stop()
    os.environ["CELLCLINIC_CLOCK_OFFSET_DAYS"] = "4"
    try:
        srv.start()
        body = bt.body_for(plan_id, 1, p, [u], "intravenous")
        r = b.req("POST", "/api/v1/administrations", body, want=201,
                  what="the postponed dose is given on its new day, against its planned item")
        adm = r.json["administration"]
        t.check(adm["plan_ref"] == "plan:%d:1" % plan_id and adm["started_at"].startswith(day(4)),
                "recorded on the day it is given", adm)
        r = b.req("GET", "/api/v1/plans/%d" % plan_id, role="physician", want=200)
        a1 = r.json["plan"]["administrations"][0]
        t.check(a1.get("given_on") == day(4) and a1.get("late_days") == 2,
                "the plan shows it given two days after its first planned date", a1)
        a2 = r.json["plan"]["administrations"][1]
        t.check("given_on" not in a2, "an administration not given shows no given day", a2)
        r = b.req("GET", "/api/v1/plans?patient_id=%d" % p["id"], role="nurse", want=200)
        t.check(r.json["items"][0]["plan"]["administrations"][0].get("late_days") == 2,
                "the plan list (patient page) shows the delay too", r.json["items"][0]["plan"]["administrations"][0])
        # a given administration does not move, nor does a shift that would move it
        for path, body in (("/api/v1/plans/%d/items/1/move" % plan_id, {"date": day(6)}),
                           ("/api/v1/plans/%d/shift" % plan_id, {"days": 1, "from_item": 1})):
            before = srv.db_checksum(EXCLUDE)
            r = b.req("POST", path, dict(body, reason="again"), role="physician")
            t.check(r.status == 409 and (r.error() or {}).get("code") == "move_item_given" and
                    r.error().get("field") == "item", "a given administration no longer moves", r)
            t.check(srv.db_checksum(EXCLUDE) == before, "refused: nothing changed")
        # the plan is in progress; the rest still shifts, spacing counted from the given day
        r = b.req("POST", "/api/v1/plans/%d/shift" % plan_id, {"days": 1, "reason": "lumbar puncture postponed"},
                  role="physician", want=200, what="the rest of an in-progress plan shifts")
        t.check(r.json["status"] == "in_progress" and
                dates(r.json) == [day(d) for d in (4, 6, 8, 9, 10, 12, 13, 15)] and
                r.json["plan"]["administrations"][0]["date"] == day(4),
                "the given administration stays, the others move by a day", dates(r.json))
    finally:
        del os.environ["CELLCLINIC_CLOCK_OFFSET_DAYS"]


def main():
    args = harness.parse_args()
    t = harness.Tally("plan_moves", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        b = bt.Bedside(srv, t)
        labt.configure(b.lab)
        p, plan_id, plan = test_refusals(b, t, srv)
        plan = test_accepted(b, t, srv, p, plan_id, plan)
        test_late(b, t, srv, p, plan_id, plan)
        r = srv.cli("audit", "verify", "--data", srv.data)
        t.check(r.returncode == 0, "the audit chain and rows are intact", r.stdout + r.stderr)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
