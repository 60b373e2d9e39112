#!/usr/bin/env python3
"""Concurrent laboratory decisions against a real server (H2, H12).

Two clients send the same decision at the same instant (two threads released
together by a barrier), round after round:

- two QA users (qa1, qa2, each signing with their own password) release the
  same batch, reject it, or one releases while the other rejects it: exactly
  one answers 200, the other 409 with the batch state machine's refusal
  (`batch_closed`); the batch has exactly one decision in the audit trail
  and its unit moved exactly once (one custody event);
- two laboratory users (lab1, lab2) issue the same released unit: exactly
  one answers 200, the other 409 with the unit state machine's refusal
  (`unit_not_released`: the unit is already issued); the unit has exactly
  one issue in the audit trail and in its custody events (H12).

A fixed number of rounds; nothing depends on timing: whichever thread the
server serves first wins, and the test checks only that there is one winner.

    python3 tests/api/test_lab_races.py --binary build/cellclinic [-v]
"""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_laboratory as labt  # noqa: E402

ROUNDS = 20
# who races in each batch round: both release, both reject, one of each
BATCH_KINDS = [("release", "release"), ("reject", "reject"), ("release", "reject")]


def add_user(srv, username, role):
    """A second user of a role, with the harness's password, and its token."""
    pf = os.path.join(srv.tmp, username + ".pw")
    with open(pf, "w") as f:
        f.write(harness.PASSWORD + "\n")
    r = srv.cli("user", "add", "--data", srv.data, "--username", username, "--role", role,
                "--password-file", pf)
    if r.returncode != 0:
        raise harness.CommandError("user add %s: %s%s" % (username, r.stdout, r.stderr))
    srv.passwords[username] = harness.PASSWORD
    r = srv.request("POST", "/api/v1/tokens",
                    {"username": username, "password": harness.PASSWORD, "label": "race"})
    if r.status not in (200, 201):
        raise harness.CommandError("token for %s: %r" % (username, r))
    return ("token", r.json["token"])


def race(srv, calls):
    """Sends the calls [(method, path, body, credentials)] at once, one thread
    each; returns their responses in the same order."""
    barrier = threading.Barrier(len(calls))
    out = [None] * len(calls)

    def run(i, method, path, body, who):
        barrier.wait()
        out[i] = srv.request(method, path, body, role=who)

    threads = [threading.Thread(target=run, args=(i,) + c) for i, c in enumerate(calls)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return out


def one_winner(t, responses, refusal, what):
    statuses = sorted(r.status for r in responses)
    loser = [r for r in responses if r.status != 200]
    code = (loser[0].error() or {}).get("code") if loser else None
    t.check(statuses == [200, 409] and code == refusal,
            "%s: exactly one wins, the other is refused with %s" % (what, refusal),
            [(r.status, r.json) for r in responses])


def count(srv, sql, params):
    return srv.db_query(sql, params)[0][0]


def test_batch_races(srv, lab, t, qa):
    did = lab.donor()
    for n in range(ROUNDS):
        kinds = BATCH_KINDS[n % len(BATCH_KINDS)]
        _, bid = lab.batch(did)
        uid = lab.unit(bid)["id"]
        lab.qc(bid)
        calls = []
        for who, kind in zip(qa, kinds):
            body = {"password": harness.PASSWORD}
            if kind == "reject":
                body["reason"] = "race round %d" % n
            calls.append(("POST", "/api/v1/batches/%d/%s" % (bid, kind), body, who))
        responses = race(srv, calls)
        what = "round %d (%s and %s)" % (n, kinds[0], kinds[1])
        one_winner(t, responses, "batch_closed", what)
        decisions = count(srv, "SELECT COUNT(*) FROM audit_log WHERE entity = 'batch' AND entity_id = ?"
                               " AND action IN ('release', 'reject')", (str(bid),))
        t.check(decisions == 1, "%s: one decision in the audit trail" % what, decisions)
        winner = kinds[[r.status for r in responses].index(200)] if 200 in [r.status for r in responses] else None
        status = count(srv, "SELECT status FROM batches WHERE id = ?", (bid,))
        t.check(status == {"release": "released", "reject": "rejected"}.get(winner),
                "%s: the batch holds the winner's decision" % what, status)
        moves = count(srv, "SELECT COUNT(*) FROM custody_events WHERE unit_id = ? AND event IN"
                           " ('release', 'discard')", (uid,))
        t.check(moves == 1, "%s: its unit moved once" % what, moves)


def test_issue_race(srv, lab, t, clients):
    did = lab.donor()
    _, bid = lab.batch(did)
    units = [lab.unit(bid)["id"] for _ in range(ROUNDS)]
    lab.qc(bid)
    lab.release(bid)
    patient = lab.patient("Race")
    for n, uid in enumerate(units):
        body = {"ward": "W", "patient_id": patient}
        responses = race(srv, [("POST", "/api/v1/units/%d/issue" % uid, body, who) for who in clients])
        what = "issue round %d" % n
        one_winner(t, responses, "unit_not_released", what)
        issues = count(srv, "SELECT COUNT(*) FROM audit_log WHERE entity = 'unit' AND entity_id = ?"
                            " AND action = 'issue'", (str(uid),))
        custody = count(srv, "SELECT COUNT(*) FROM custody_events WHERE unit_id = ? AND event = 'issue'",
                        (uid,))
        t.check(issues == 1 and custody == 1, "%s: one issue in the audit trail and the custody" % what,
                (issues, custody))


def main():
    args = harness.parse_args()
    t = harness.Tally("lab_races", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep, threads=4) as srv:
        lab = labt.Lab(srv, t)
        labt.configure(lab)
        qa = ["qa", add_user(srv, "qa2", "qa")]
        test_batch_races(srv, lab, t, qa)
        test_issue_race(srv, lab, t, ["lab", add_user(srv, "lab2", "lab")])
        r = srv.cli("audit", "verify", "--data", srv.data)
        t.check(r.returncode == 0, "the audit chain is intact after the races", r.stdout + r.stderr)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
