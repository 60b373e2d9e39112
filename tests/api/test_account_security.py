#!/usr/bin/env python3
"""Passwords, signatures, lockout and security events against a real server.

- password rules (POST /api/v1/users and `cellclinic user add`): at least 12
  characters, not the username (case ignored), not among the 10,000 most
  common passwords; each refusal names the field and writes nothing;
- a wrong signature password gets the same answer whether or not the record
  signed exists, on every signing endpoint; the right password on a missing
  record is 404 (the record is looked up only after the signature holds);
- account lockout: 5 failed passwords lock the account from every address
  (429 with Retry-After), a restart does not lift it, and the owner's next
  login carries `security_notice`; failures from one address block only
  that address, never the clinic;
- security events: failed logins and signatures, lockouts, CSRF refusals,
  an expired session and a revoked token used, each recorded (when, kind,
  account, address, route pattern, never a secret); admin and qa list them
  with filters, other roles get 403.

    python3 tests/api/test_account_security.py --binary build/cellclinic [-v]
"""

import http.client
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_bedside as bst  # noqa: E402
import test_laboratory as labt  # noqa: E402

PW = harness.PASSWORD
WRONG = "not-the-password-at-all"


def from_addr(srv, addr, method, path, body=None, headers=None):
    """A JSON request sent from a loopback address of our choice (127.0.0.x)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30,
                                      source_address=(addr, 0))
    try:
        h = {"Content-Type": "application/json"} if body is not None else {}
        h.update(headers or {})
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
        resp = conn.getresponse()
        return harness.Response(resp.status, resp.getheaders(), resp.read())
    finally:
        conn.close()


def code(r):
    return (r.error() or {}).get("code")


def field(r):
    return (r.error() or {}).get("field")


def events(srv, role="qa", **query):
    qs = "&".join("%s=%s" % kv for kv in query.items())
    r = srv.request("GET", "/api/v1/security-events?per_page=100" + ("&" + qs if qs else ""),
                    role=role)
    return r, (r.json or {}).get("items", [])


def test_password_rules(srv, t):
    rows = [
        ("nurse.short", "Abcdefgh1-x", "password_too_short"),  # 11 characters
        ("nurse.same.user", "Nurse.Same.User", "password_equals_username"),
        ("physician.dupont", "PHYSICIAN.DUPONT", "password_equals_username"),
        ("nurse.common", "1qaz2wsx3edc", "password_too_common"),
        ("nurse.common2", "QWERTY123456", "password_too_common"),
        ("nurse.long", "x" * 257, "invalid_length"),
    ]
    srv.token("admin")  # made before the checksums
    for username, password, want in rows:
        before = srv.db_checksum()
        r = srv.request("POST", "/api/v1/users",
                        {"username": username, "role": "nurse", "password": password}, role="admin")
        if want == "invalid_length":
            ok = r.status == 400 and field(r) == "password"
        else:
            ok = r.status == 400 and code(r) == want and field(r) == "password"
        t.check(ok, "user %s with password %r refused: %s on password" % (username, password, want), r)
        t.check(srv.db_checksum() == before, "refused user %s: database unchanged" % username)
    r = srv.request("POST", "/api/v1/users", {"username": "nurse.twelve", "role": "nurse",
                                              "password": "Abcdefgh1-xy"}, role="admin")
    t.check(r.status == 201, "a 12-character uncommon password is accepted", r)
    r = srv.request("POST", "/api/v1/users", {"username": "physician.dupont", "role": "physician",
                                              "password": "physician.dupont!"}, role="admin")
    t.check(r.status == 201, "the username with one more character is accepted", r)
    # the command line applies the same rules
    pf = os.path.join(srv.tmp, "refused.pw")
    for username, password, says in (("lab.common", "1q2w3e4r5t6y", "most common"),
                                     ("lab.same.name", "lab.same.name", "username")):
        with open(pf, "w") as f:
            f.write(password + "\n")
        r = srv.cli("user", "add", "--data", srv.data, "--username", username, "--role", "lab",
                    "--password-file", pf)
        t.check(r.returncode == 2 and says in r.stderr,
                "cellclinic user add refuses %r for %s" % (password, username), r.stdout + r.stderr)


def signing_targets(srv, t):
    """One existing record for every signing endpoint: [(what, role, path of an
    existing record, path of a missing one, body without password)]."""
    lab = labt.Lab(srv, t)
    labt.configure(lab)
    did = lab.donor(sign=False)
    _, bid = lab.batch(did)
    unit = lab.unit(bid)
    b = bst.Bedside(srv, t)
    p = b.patient("Oracle")
    r = b.req("POST", "/api/v1/screenings",
              {"patient_id": p["id"], "protocol": "sci", "results": bst.results(),
               "findings": {"ecg": {"state": "normal", "date": bst.day(-2)}},
               "history": {"cancer_history": "no", "pregnancy": "no", "active_infection": "no"}},
              role="physician", want=201, what="screening for the signature checks")
    sid = r.json["id"]
    # a second screening, signed, so that a draft plan may be made
    p2 = b.patient("Oracle-plan")
    plan_id, _ = b.plan(p2["id"])
    r = b.req("POST", "/api/v1/plans", {"patient_id": p2["id"], "protocol": "sci",
                                        "start": bst.day(60)}, role="coordinator")
    draft = r.json["id"] if r.status == 201 else plan_id
    ae = {"patient_id": p["id"], "term": "fever", "grade": 1, "onset_at": bst.now_iso(-1),
          "related_product": "unlikely", "related_procedure": "unlikely",
          "expectedness": "expected", "action": "none", "outcome": "recovering"}
    r = b.req("POST", "/api/v1/adverse-events", ae, want=201, what="adverse event to assess")
    aid = r.json["adverse_event"]["id"]
    M = 999999
    return [
        ("batch release", "qa", "/api/v1/batches/%d/release" % bid, "/api/v1/batches/%d/release" % M, {}),
        ("batch reject", "qa", "/api/v1/batches/%d/reject" % bid, "/api/v1/batches/%d/reject" % M,
         {"reason": "contaminated"}),
        ("unit release", "qa", "/api/v1/units/%d/release" % unit["id"], "/api/v1/units/%d/release" % M, {}),
        ("unit restock", "qa", "/api/v1/units/%d/restock" % unit["id"], "/api/v1/units/%d/restock" % M,
         {"reason": "returned unopened"}),
        ("donor eligibility", "qa", "/api/v1/donors/%d/eligibility" % did,
         "/api/v1/donors/%d/eligibility" % M, {"decision": "eligible"}),
        ("adverse-event assessment", "physician", "/api/v1/adverse-events/%d/assessment" % aid,
         "/api/v1/adverse-events/%d/assessment" % M, {}),
        ("eligibility decision", "physician", "/api/v1/screenings/%d/decision" % sid,
         "/api/v1/screenings/%d/decision" % M, {"decision": "eligible"}),
        ("plan approval", "physician", "/api/v1/plans/%d/approve" % draft,
         "/api/v1/plans/%d/approve" % M, {}),
    ], (p, plan_id)


def test_signature_oracle(srv, t):
    targets, (patient, plan_id) = signing_targets(srv, t)
    for role in ("qa", "physician", "nurse"):
        srv.token(role)  # made before the checksums
    for what, role, existing, missing, body in targets:
        wrong = dict(body, password=WRONG)
        before = srv.db_checksum(harness.SECURITY_BOOKKEEPING)
        r1 = srv.request("POST", existing, wrong, role=role)
        r2 = srv.request("POST", missing, wrong, role=role)
        t.check(r1.status in (400, 403) and (r1.status, r1.body) == (r2.status, r2.body),
                "%s: a wrong password answers the same for an existing and a missing record" % what,
                (r1, r2))
        t.check(srv.db_checksum(harness.SECURITY_BOOKKEEPING) == before,
                "%s: a wrong password changes nothing signed" % what)
        r = srv.request("POST", missing, dict(body, password=PW), role=role)
        t.check(r.status == 404, "%s: the right password on a missing record is 404" % what, r)
    # the bedside second person: the plan is the record
    verifier = {"username": "physician1", "password": WRONG}
    scan = [{"din": "W123426000001A", "product_code": "=<S12340000"}]
    bodies = [{"plan_id": pid, "item": 1, "wristband": patient["mrn"], "route": "intravenous",
               "units": scan, "second_verifier": verifier} for pid in (plan_id, 999999)]
    r1 = srv.request("POST", "/api/v1/administrations", bodies[0], role="nurse")
    r2 = srv.request("POST", "/api/v1/administrations", bodies[1], role="nurse")
    t.check(r1.status == 403 and (r1.status, r1.body) == (r2.status, r2.body),
            "second verifier: a wrong password answers the same for an existing and a missing plan",
            (r1, r2))
    bodies[1]["second_verifier"] = {"username": "physician1", "password": PW}
    r = srv.request("POST", "/api/v1/administrations", bodies[1], role="nurse")
    t.check(r.status == 404 and field(r) == "plan_id",
            "second verifier: the right password on a missing plan is 404", r)
    _, got = events(srv, kind="signature_failed")
    routes = {e["route"] for e in got}
    t.check({"/api/v1/batches/{id}/release", "/api/v1/adverse-events/{id}/assessment",
             "/api/v1/administrations"} <= routes and
            all(e["username"] in ("qa1", "physician1") and e["address"] == "127.0.0.1" for e in got),
            "each failed signature is a security event with the signer and the route pattern", got)


def test_events(srv, t):
    # failed logins: a known account is named, an unknown name is not kept
    # (from another address: the signature checks above used most of this one's allowance)
    r = from_addr(srv, "127.0.0.2", "POST", "/api/v1/session", {"username": "analyst1", "password": WRONG})
    t.check(r.status == 401, "wrong password: 401", r)
    r = from_addr(srv, "127.0.0.2", "POST", "/api/v1/session",
                  {"username": "Secret-typed-here", "password": WRONG})
    t.check(r.status == 401, "unknown name: 401", r)
    r, got = events(srv, kind="login_failed")
    t.check(r.status == 200 and [(e["username"], e["address"], e["route"]) for e in got] ==
            [(None, "127.0.0.2", "/api/v1/session"), ("analyst1", "127.0.0.2", "/api/v1/session")],
            "failed logins are events; a name without an account is not kept", got)
    # CSRF refusal
    s = srv.session("coordinator")
    r = srv.request("PATCH", "/api/v1/session/preferences", {"language": "fr"}, role=("cookie", s[1]))
    t.check(r.status == 403 and code(r) == "csrf", "no CSRF header: 403", r)
    _, got = events(srv, kind="csrf_refused")
    t.check([(e["username"], e["route"]) for e in got] ==
            [("coordinator1", "/api/v1/session/preferences")], "a CSRF refusal is an event", got)
    # a session used after its expiry
    s = srv.session("nurse")
    con = sqlite3.connect(srv.db_path, timeout=30)
    con.execute("UPDATE sessions SET last_seen = last_seen - 7200")
    con.commit()
    con.close()
    r = srv.request("GET", "/api/v1/session", role=s)
    t.check(r.status == 401, "an expired session: 401", r)
    _, got = events(srv, kind="session_expired")
    t.check([(e["username"], e["route"]) for e in got] == [("nurse1", "/api/v1/session")],
            "an expired session used is an event", got)
    # a token used after its revocation (on a read-only route)
    tid, tok = srv.new_token("lab", label="to revoke")
    r = srv.request("DELETE", "/api/v1/tokens/%d" % tid, role=("token", tok))
    t.check(r.status == 200, "token revoked", r)
    r = srv.request("GET", "/api/v1/tokens", role=("token", tok))
    t.check(r.status == 401, "a revoked token: 401", r)
    _, got = events(srv, kind="token_revoked")
    t.check([(e["username"], e["route"]) for e in got] == [("lab1", "/api/v1/tokens")],
            "a revoked token used is an event", got)
    # filters, paging, roles, bad filters
    r, got = events(srv, role="admin", username="analyst1")
    t.check(r.status == 200 and got and all(e["username"] == "analyst1" for e in got),
            "admin filters by username", got)
    r = srv.request("GET", "/api/v1/security-events?per_page=1", role="qa")
    t.check(r.status == 200 and len(r.json["items"]) == 1 and r.json["total"] > 1,
            "paged: per_page and total", r)
    for role in ("analyst", "nurse", "physician", "lab", "coordinator"):
        r = srv.request("GET", "/api/v1/security-events", role=role)
        t.check(r.status == 403, "%s may not read the security events" % role, r)
    for query, fld in (("kind=nonsense", "kind"), ("username=Bad%20Name", "username"),
                       ("page=0", "page")):
        r = srv.request("GET", "/api/v1/security-events?" + query, role="qa")
        t.check(r.status == 400 and field(r) == fld, "?%s -> 400 naming %s" % (query, fld), r)
    # never a secret
    rows = srv.db_query("SELECT * FROM security_events")
    text = json.dumps(rows)
    t.check(PW not in text and WRONG not in text and tok not in text and s[1] not in text and
            "Secret-typed-here" not in text, "no password, token, session or typed name is kept")


def test_lockout(srv, t):
    # five failures from one address lock the account from every address
    for i in range(5):
        r = from_addr(srv, "127.0.0.3", "POST", "/api/v1/session",
                      {"username": "nurse1", "password": WRONG + str(i)})
        t.check(r.status == 401, "failure %d: 401" % (i + 1), r)
    r = from_addr(srv, "127.0.0.4", "POST", "/api/v1/session", {"username": "nurse1", "password": PW})
    ra = r.header("Retry-After") or ""
    t.check(r.status == 429 and ra.isdigit() and 800 < int(ra) <= 900 and not r.headers_all("Set-Cookie"),
            "locked: the right password from another address answers 429 with Retry-After", r)
    r = from_addr(srv, "127.0.0.4", "POST", "/api/v1/session", {"username": "lab1", "password": PW})
    t.check(r.status == 200, "another account logs in from the same addresses", r)
    r = from_addr(srv, "127.0.0.5", "POST", "/api/v1/tokens",
                  {"username": "nurse1", "password": PW, "label": "bypass"})
    t.check(r.status == 429, "locked: token creation answers 429 too", r)
    _, got = events(srv, kind="account_locked")
    t.check([(e["username"], e["address"]) for e in got] == [("nurse1", "127.0.0.3")],
            "the lockout is an event", got)
    # the lock lives in the database: a restart does not lift it
    srv.restart()
    r = from_addr(srv, "127.0.0.6", "POST", "/api/v1/session", {"username": "nurse1", "password": PW})
    t.check(r.status == 429 and (r.header("Retry-After") or "").isdigit(),
            "after a restart the account is still locked", r)

    # failures from one address block that address only
    for i in range(20):
        r = from_addr(srv, "127.0.0.7", "POST", "/api/v1/session",
                      {"username": "nobody%d" % i, "password": WRONG})
    r = from_addr(srv, "127.0.0.7", "POST", "/api/v1/session", {"username": "qa1", "password": PW})
    t.check(r.status == 429, "20 failures from one address: that address waits", r)
    r = from_addr(srv, "127.0.0.8", "POST", "/api/v1/session", {"username": "qa1", "password": PW})
    n = (r.json or {}).get("security_notice") or {}
    t.check(r.status == 200 and n.get("failed_attempts") == 10 and n.get("locked_until") is None,
            "another address logs in to the same account; qa1 is told of the 10 wrong "
            "signatures made above (5 endpoints, twice each), and of no lock", r)

    # a day later the lock is over and the owner is told, once
    os.environ["CELLCLINIC_CLOCK_OFFSET_DAYS"] = "1"
    try:
        srv.restart()
        r = srv.request("POST", "/api/v1/session", {"username": "nurse1", "password": PW})
        n = (r.json or {}).get("security_notice") or {}
        t.check(r.status == 200 and n.get("failed_attempts") == 5 and
                str(n.get("last_failure", "")).endswith("Z") and
                str(n.get("locked_until", "")) > str(n.get("last_failure")),
                "the owner's next login carries security_notice (5 failures, the lock)", r)
        r = srv.request("POST", "/api/v1/session", {"username": "nurse1", "password": PW})
        t.check(r.status == 200 and "security_notice" not in r.json, "told once", r)
    finally:
        del os.environ["CELLCLINIC_CLOCK_OFFSET_DAYS"]
        srv.restart()


def main():
    args = harness.parse_args()
    t = harness.Tally("account security", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        test_password_rules(srv, t)
        test_signature_oracle(srv, t)
        test_events(srv, t)
        test_lockout(srv, t)
        r = srv.cli("audit", "verify", "--data", srv.data)
        t.check(r.returncode == 0, "the audit chain is intact", r.stdout + r.stderr)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
