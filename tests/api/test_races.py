#!/usr/bin/env python3
"""Races against one real server: two clients acting at the same instant on
the same facts. Each use case reads its facts inside its own write
transaction, so the second one sees the first one's result and core refuses
it; nothing is decided on a fact read before the transaction.

- (a) H12: two nurses give the same planned administration with the same
  unit: exactly one 201, the other 409 "item_already_given"; one record, one
  "administer" audit entry; the plan moves to in_progress once;
- (b) H5: two intrathecal administrations of one patient (plan items 2 and 4,
  both due today) raced: one 201, the other 409 "lp_too_soon" (no override);
- (c) H4, H6: a physician approves a plan while another client records a new
  weight: either the weight committed first (the approval reads it inside its
  transaction: 409 "weight_changed", the plan stays a draft) or the approval
  did (200 on the drafted weight, its audit entry before the weight's); one
  approval in the audit trail at most;
- (d) H16: a nurse records an anticoagulant while another gives an
  intrathecal administration: either the medication committed first (the
  administration reads it inside its transaction: 409 "anticoagulant_active",
  nothing recorded) or the administration did (201, its audit entry before
  the medication's);
- (e) H15: a physician approves a plan while another client withdraws the
  patient's treatment consent: either the approval committed first (its
  audit entry before the withdrawal's) or the withdrawal did (409
  "consent_withdrawn", the plan stays a draft): never approved after;
- and the plan's status moves with its administrations: in_progress at the
  first one, completed after the last one (core/plan_state).

Each race runs ROUNDS times ((d) a quarter as many), two threads released
together by a barrier.
No timing threshold: only the outcomes are checked.

    python3 tests/api/test_races.py --binary build/cellclinic [-v] [--rounds N]
"""

import json
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_bedside as bt  # noqa: E402
import test_laboratory as labt  # noqa: E402

ROUNDS = 20


def race(srv, first, second):
    """Sends two requests (method, path, body, role) at once; returns both responses."""
    barrier = threading.Barrier(2)
    out = [None, None]

    def go(i, req):
        barrier.wait()
        out[i] = srv.request(*req)

    threads = [threading.Thread(target=go, args=(i, r)) for i, r in enumerate((first, second))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return out


def audit_count(srv, entity, entity_id, action):
    return srv.db_query("SELECT COUNT(*) FROM audit_log WHERE entity = ? AND entity_id = ? AND action = ?",
                        (entity, str(entity_id), action))[0][0]


def winner_and_loser(responses):
    ok = [r for r in responses if r.status == 201]
    refused = [r for r in responses if r.status == 409]
    return (ok[0] if len(ok) == 1 else None), (refused[0] if len(refused) == 1 else None)


def test_same_item_and_spacing(b, t, srv, n):
    p = b.patient("Race%d" % n)
    plan_id, items = b.plan(p["id"])
    # keep only the items due today, so that giving them all completes the plan
    body = json.loads(srv.db_query("SELECT body FROM plans WHERE id = ?", (plan_id,))[0][0])
    body["administrations"] = [a for a in body["administrations"] if a["n"] in (1, 2, 4)]
    b.sql("UPDATE plans SET body = ? WHERE id = ?", (json.dumps(body), plan_id))
    u1 = b.unit(p["id"], plan_id, 1, items[1]["cells"])
    u2 = b.unit(p["id"], plan_id, 2, items[2]["cells"])
    u4 = b.unit(p["id"], plan_id, 4, items[4]["cells"])
    # (a) the same planned administration, the same unit, twice at once
    give = ("POST", "/api/v1/administrations", bt.body_for(plan_id, 1, p, [u1], "intravenous"), "nurse")
    win, lose = winner_and_loser(race(srv, give, give))
    t.check(win and lose and lose.error()["code"] == "bedside_refused" and "item_already_given" in bt.codes(lose),
            "round %d (a): one 201, the other 409 item_already_given (H12)" % n, (win, lose))
    ref = "plan:%d:1" % plan_id
    ids = [r[0] for r in srv.db_query("SELECT id FROM administrations WHERE plan_ref = ?", (ref,))]
    t.check(len(ids) == 1 and audit_count(srv, "administration", ids[0], "administer") == 1,
            "round %d (a): one record, one audit entry" % n, ids)
    status = srv.db_query("SELECT status FROM plans WHERE id = ?", (plan_id,))[0][0]
    t.check(status == "in_progress" and audit_count(srv, "plan", plan_id, "start") == 1,
            "round %d (a): the plan is in progress, started once" % n, status)
    # (b) two lumbar punctures at once, inside the 72 h spacing
    sv = {"username": "physician1", "password": b.pw("physician")}
    it2 = bt.body_for(plan_id, 2, p, [u2], "intrathecal", second_verifier=sv)
    it4 = bt.body_for(plan_id, 4, p, [u4], "intrathecal", second_verifier=sv)
    win, lose = winner_and_loser(race(srv, ("POST", "/api/v1/administrations", it2, "nurse"),
                                      ("POST", "/api/v1/administrations", it4, "nurse")))
    t.check(win and lose and bt.codes(lose) == ["lp_too_soon"],
            "round %d (b): one lumbar puncture given, the other refused lp_too_soon (H5)" % n, (win, lose))
    lps = srv.db_query("SELECT COUNT(*) FROM administrations WHERE patient_id = ? AND route = 'intrathecal'",
                       (p["id"],))[0][0]
    t.check(lps == 1, "round %d (b): one intrathecal record" % n, lps)
    # the last planned administration, given with a physician's override, completes the plan
    last = it4 if win and win.json["administration"]["plan_item"] == 2 else it2
    r = b.req("POST", "/api/v1/administrations",
              dict(last, second_verifier={"username": "nurse1", "password": b.pw("nurse")},
                   override_reason="second puncture agreed by the neurologist"), role="physician")
    status = srv.db_query("SELECT status FROM plans WHERE id = ?", (plan_id,))[0][0]
    t.check(r.status == 201 and status == "completed" and audit_count(srv, "plan", plan_id, "complete") == 1,
            "round %d: the last planned administration completes the plan" % n, (r, status))


def draft(b, pid):
    """A draft sci plan whose patient has a signed eligibility decision."""
    r = b.req("POST", "/api/v1/screenings", {"patient_id": pid, "protocol": "sci", "results": bt.results(),
                                             "findings": {"ecg": {"state": "normal", "date": bt.day(-2)}},
                                             "history": {"cancer_history": "no", "pregnancy": "no",
                                                         "active_infection": "no"}},
              role="physician", want=201)
    b.req("POST", "/api/v1/screenings/%d/decision" % r.json["id"],
          {"decision": "eligible", "password": b.pw("physician")}, role="physician", want=200)
    srv_consent(b, pid)
    return b.req("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci", "start": bt.day(7)},
                 role="coordinator", want=201).json["id"]


def srv_consent(b, pid):
    """The treatment consent an approval needs (H15); its id."""
    return b.srv.record_consent(pid, "sci")


def test_approval_against_withdrawal(b, t, srv, n, seen):
    p = b.patient("Retrait%d" % n)
    plan_id = draft(b, p["id"])
    consent = srv.db_query("SELECT id FROM patient_consents WHERE patient_id = ? AND kind = 'treatment'",
                           (p["id"],))[0][0]
    approve, withdraw = race(srv, ("POST", "/api/v1/plans/%d/approve" % plan_id, {"password": b.pw("physician")},
                                   "physician"),
                             ("POST", "/api/v1/patients/%d/consents/%d/withdraw" % (p["id"], consent),
                              {"reason": "the patient changed their mind"}, "coordinator"))
    t.check(withdraw.status == 200, "round %d (d): the withdrawal is recorded" % n, withdraw)
    status = srv.db_query("SELECT status FROM plans WHERE id = ?", (plan_id,))[0][0]
    signs = audit_count(srv, "plan", plan_id, "sign")
    withdraw_seq = srv.db_query("SELECT seq FROM audit_log WHERE entity = 'patient_consent' AND entity_id = ?"
                                " AND action = 'withdraw'", (str(consent),))
    sign_seq = srv.db_query("SELECT seq FROM audit_log WHERE entity = 'plan' AND entity_id = ? AND action = 'sign'",
                            (str(plan_id),))
    if approve.status == 200:
        seen.add("approved")
        t.check(status == "approved" and signs == 1 and sign_seq and withdraw_seq
                and sign_seq[0][0] < withdraw_seq[0][0],
                "round %d (d): approved before the withdrawal, never after it (H15)" % n,
                (status, signs, sign_seq, withdraw_seq))
    else:
        seen.add("refused")
        t.check(approve.status == 409 and approve.error()["code"] == "consent_withdrawn" and status == "draft"
                and signs == 0, "round %d (d): the withdrawal came first; approval refused consent_withdrawn (H15)"
                % n, (approve, status, signs))


def test_approval_against_weight(b, t, srv, n, seen):
    p = b.patient("Weigh%d" % n)
    plan_id = draft(b, p["id"])
    approve, weigh = race(srv, ("POST", "/api/v1/plans/%d/approve" % plan_id, {"password": b.pw("physician")},
                                "physician"),
                          ("POST", "/api/v1/patients/%d/weights" % p["id"], {"date": bt.D, "kg": 80.0}, "nurse"))
    t.check(weigh.status == 201, "round %d (c): the weight is recorded" % n, weigh)
    status = srv.db_query("SELECT status FROM plans WHERE id = ?", (plan_id,))[0][0]
    signs = audit_count(srv, "plan", plan_id, "sign")
    weight_id = srv.db_query("SELECT MAX(id) FROM patient_weights WHERE patient_id = ?", (p["id"],))[0][0]
    weight_seq = srv.db_query("SELECT seq FROM audit_log WHERE entity = 'patient_weight' AND entity_id = ?",
                              (str(weight_id),))
    sign_seq = srv.db_query("SELECT seq FROM audit_log WHERE entity = 'plan' AND entity_id = ? AND action = 'sign'",
                            (str(plan_id),))
    if approve.status == 200:
        seen.add("approved")
        t.check(status == "approved" and signs == 1 and sign_seq and weight_seq and sign_seq[0][0] < weight_seq[0][0],
                "round %d (c): approved on the weight it read; the new weight came after" % n,
                (status, signs, sign_seq, weight_seq))
    else:
        seen.add("refused")
        t.check(approve.status == 409 and approve.error()["code"] == "weight_changed" and status == "draft"
                and signs == 0, "round %d (c): the new weight came first; approval refused weight_changed (H4)" % n,
                (approve, status, signs))
    visits = srv.db_query("SELECT COUNT(*) FROM followup_visits WHERE plan_id = ?", (plan_id,))[0][0]
    t.check((visits > 0) == (status == "approved"),
            "round %d (c): follow-up visits exist exactly when the plan is approved" % n, visits)


def test_lumbar_puncture_against_medication(b, t, srv, n, seen):
    p = b.patient("Drug%d" % n)
    plan_id, items = b.plan(p["id"])
    u2 = b.unit(p["id"], plan_id, 2, items[2]["cells"])
    sv = {"username": "physician1", "password": b.pw("physician")}
    give, med = race(srv, ("POST", "/api/v1/administrations",
                           bt.body_for(plan_id, 2, p, [u2], "intrathecal", second_verifier=sv), "nurse"),
                     ("POST", "/api/v1/patients/%d/medications" % p["id"],
                      {"name": "Rivaroxaban", "class": "anticoagulant", "start_date": bt.day(-1)}, "nurse"))
    t.check(med.status == 201, "round %d (d): the medication is recorded" % n, med)
    given = srv.db_query("SELECT id FROM administrations WHERE patient_id = ?", (p["id"],))
    med_seq = srv.db_query("SELECT seq FROM audit_log WHERE entity = 'patient_medication' AND entity_id = ?",
                           (str(med.json["id"]) if med.status == 201 else "0",))
    if give.status == 201:
        seen.add("given")
        adm_seq = srv.db_query("SELECT seq FROM audit_log WHERE entity = 'administration' AND entity_id = ?",
                               (str(given[0][0]),)) if given else []
        t.check(len(given) == 1 and adm_seq and med_seq and adm_seq[0][0] < med_seq[0][0],
                "round %d (d): given on the list it read; the anticoagulant came after" % n, (adm_seq, med_seq))
    else:
        seen.add("refused")
        t.check(give.status == 409 and bt.codes(give) == ["anticoagulant_active"] and not given,
                "round %d (d): the anticoagulant came first; refused anticoagulant_active (H16)" % n, (give, given))


def main():
    args = harness.parse_args(lambda p: p.add_argument("--rounds", type=int, default=ROUNDS))
    t = harness.Tally("races", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        b = bt.Bedside(srv, t)
        labt.configure(b.lab)
        for role in ("nurse", "physician", "coordinator", "lab"):
            srv.token(role)  # tokens made before any thread runs
        for n in range(1, args.rounds + 1):
            test_same_item_and_spacing(b, t, srv, n)
        seen = set()
        for n in range(1, args.rounds + 1):
            test_approval_against_weight(b, t, srv, n, seen)
        if args.verbose:
            print("approval outcomes seen: %s" % sorted(seen))
        seen = set()
        # each round builds a patient, an approved plan and a released unit
        # (three signatures): a quarter of the rounds keeps the file in its time
        for n in range(1, max(1, args.rounds // 4) + 1):
            test_lumbar_puncture_against_medication(b, t, srv, n, seen)
        if args.verbose:
            print("lumbar puncture outcomes seen: %s" % sorted(seen))
        for n in range(1, args.rounds + 1):
            test_approval_against_withdrawal(b, t, srv, n, seen)
        if args.verbose:
            print("approval against withdrawal, outcomes seen: %s" % sorted(seen))
        r = srv.cli("audit", "verify", "--data", srv.data)
        t.check(r.returncode == 0, "the audit chain is intact after the races", r.stdout + r.stderr)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
