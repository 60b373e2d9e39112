#!/usr/bin/env python3
"""The program's clock and its test offset (src/store/clock.h, docs/operations.md).

CELLCLINIC_CLOCK_OFFSET_DAYS moves every "now" and "today" of the program by whole days,
so tests and drills move time instead of editing dates in the database:

- bad values (not an integer, out of +/-36500, empty, trailing characters) are refused
  by `serve` and by the other commands with exit 2 and a message naming the variable;
- a clinic is built with the real clock: an approved plan whose month-1 follow-up visit
  lies about five weeks ahead, so nothing is overdue and the dashboard says today;
- the same data directory served with the offset 400: the dashboard's date is 400 days
  on, the month-1 visit is overdue on the follow-up worklist, a new audit entry is
  stamped 400 days on, the server log says the clock is moved, and `audit verify` holds;
- served again without the offset, everything is as before.

    python3 tests/api/test_clock.py --binary build/cellclinic [-v]
"""
import datetime
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_followup import approved_patient  # noqa: E402

VARIABLE = "CELLCLINIC_CLOCK_OFFSET_DAYS"
OFFSET = 400


def utc_days(offset):
    """The UTC dates (ISO) `offset` days from now, read before and after a step, so a run
    across midnight still matches."""
    def one():
        today = datetime.datetime.now(datetime.timezone.utc).date()
        return (today + datetime.timedelta(days=offset)).isoformat()
    return one


def set_offset(value):
    if value is None:
        os.environ.pop(VARIABLE, None)
    else:
        os.environ[VARIABLE] = value


def check_refusals(t, srv):
    for value in ("abc", "36501", "-36501", "", "1.5", "12x", "+", "99999999999999999999"):
        env = dict(os.environ, **{VARIABLE: value})
        for args in (["serve", "--data", srv.data, "--listen", "127.0.0.1:%d" % harness.free_port()],
                     ["routes"]):
            r = subprocess.run([srv.binary] + args, capture_output=True, text=True, timeout=30,
                               env=env, stdin=subprocess.DEVNULL)
            t.check(r.returncode == 2 and VARIABLE in r.stderr and "36500" in r.stderr,
                    "%s=%r refused by %s with exit 2 naming the variable" % (VARIABLE, value,
                                                                          args[0]),
                    (r.returncode, r.stdout[-300:], r.stderr[-300:]))
    for value in ("36500", "-36500", "+3", "0"):
        env = dict(os.environ, **{VARIABLE: value})
        r = subprocess.run([srv.binary, "routes"], capture_output=True, text=True, timeout=30,
                           env=env)
        t.check(r.returncode == 0, "%s=%r accepted" % (VARIABLE, value), r.stderr[-300:])


def dashboard_today(srv):
    r = srv.request("GET", "/api/v1/dashboard", role="nurse")
    return r, (r.json or {}).get("today") if r.status == 200 else None


def followup_states(srv):
    r = srv.request("GET", "/api/v1/follow-up", role="nurse")
    return r, {v["label"]: v["state"] for v in (r.json or {}).get("items", [])}


def last_audit_day(srv):
    rows = srv.db_query("SELECT at FROM audit_log ORDER BY seq DESC LIMIT 1")
    return rows[0][0][:10] if rows else None


def observe(t, srv, offset, what):
    """Dashboard date, overdue visits and the stamp of a new audit entry under `offset`."""
    expected = utc_days(offset)
    before = expected()
    r, today = dashboard_today(srv)
    t.check(today in (before, expected()), "dashboard today is %s (%s)" % (before, what), r)
    r, states = followup_states(srv)
    srv.new_token("coordinator", label="clock")  # a mutation with its audit entry
    stamped = last_audit_day(srv)
    t.check(stamped in (before, expected()),
            "a new audit entry is stamped %s (%s)" % (before, what), stamped)
    return r, states


def main():
    args = harness.parse_args()
    t = harness.Tally("clock", verbose=args.verbose)
    set_offset(None)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        check_refusals(t, srv)

        pid, plan, r = approved_patient(srv, "Horloge")
        t.check(r.status == 200 and r.json.get("follow_up_visits") == 4,
                "an approved plan with its 4 follow-up visits (real clock)", r)
        r, states = observe(t, srv, 0, "real clock")
        t.check(r.status == 200 and "overdue" not in states.values(),
                "no visit is overdue with the real clock", r)

        srv.stop()
        set_offset(str(OFFSET))
        try:
            srv.start()
            r, states = observe(t, srv, OFFSET, "offset %d days" % OFFSET)
            t.check(r.status == 200 and states.get("month-1") == "overdue",
                    "with the offset the month-1 visit is overdue on the worklist", r)
            t.check("clock moved by %d days" % OFFSET in srv.log_text(),
                    "the server log says the clock is moved", srv.log_text()[-500:])
        finally:
            srv.stop()
            set_offset(None)

        r = srv.cli("audit", "verify", "--data", srv.data)
        t.check(r.returncode == 0, "audit verify holds after entries stamped in the future",
                r.stdout + r.stderr)

        srv.start()
        r, states = observe(t, srv, 0, "offset removed")
        t.check(r.status == 200 and "overdue" not in states.values(),
                "without the offset nothing is overdue again", r)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
