#!/usr/bin/env python3
"""Multi-factor login (TOTP, RFC 6238) through the API.

- the per-role requirement: a new data directory requires it for admin,
  physician and qa; `cellclinic mfa require` and PUT /api/v1/mfa/policy change
  it (audited);
- a role that requires it and has no authenticator logs in to a session
  restricted to enrolment (403 mfa_enrolment_required elsewhere, no token);
- enrolment: the password is needed, the otpauth URI and QR code come back,
  confirmation with a code computed here (HMAC-SHA1, 30 s, 6 digits) returns
  10 recovery codes stored only as hashes, and lifts the restriction;
- login: no code -> 401 mfa_required and no session; a step's code is good
  once (reused -> 401 mfa_code_reused), the next step's code is accepted; a
  recovery code is good once; token creation needs the code too;
- the same code sent by 4 clients at once logs in once;
- wrong codes count in the password throttle (429 afterwards even with the
  right password and code);
- an administrator's reset removes the authenticator; every change is in the
  audit trail and no secret or code is.

    python3 tests/api/test_mfa.py --binary build/cellclinic [-v]
"""

import base64
import hashlib
import hmac
import os
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

PW = harness.PASSWORD


def hotp(secret_b32, counter):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1000000)


def step_now():
    return int(time.time()) // 30


def login(srv, user, **extra):
    body = {"username": user, "password": PW}
    body.update(extra)
    return srv.request("POST", "/api/v1/session", body)


def session_of(r):
    cookie = None
    for v in r.headers_all("Set-Cookie"):
        first = v.split(";", 1)[0].strip()
        if first.startswith("cc_session="):
            cookie = first[len("cc_session="):]
    return ("session", cookie, (r.json or {}).get("csrf"))


def code_of(r):
    return (r.error() or {}).get("code")


def concurrently(n, fn):
    """Runs fn(i) in n threads released together; the results in order."""
    out = [None] * n
    gate = threading.Barrier(n)

    def run(i):
        try:
            gate.wait(timeout=10)
            out[i] = fn(i)
        except Exception as e:  # recorded, checked by the caller
            out[i] = e
    ths = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in ths:
        th.start()
    for th in ths:
        th.join(timeout=60)
    return out


def count(srv, sql, params=()):
    return srv.db_query(sql, params)[0][0]


def listed_mfa(srv, username):
    """The account's mfa_enrolled in the administrator's user list (None when absent)."""
    r = srv.request("GET", "/api/v1/users?per_page=200", role="admin")
    for u in (r.json or {}).get("items", []):
        if u.get("username") == username:
            return u.get("mfa_enrolled")
    return None


def main():
    args = harness.parse_args()
    t = harness.Tally("mfa", args.verbose)
    b = args.binary

    with harness.Server(b, verbose=args.verbose) as srv:
        # --- the default of a new data directory, and the CLI
        fresh = os.path.join(srv.tmp, "fresh")
        pwf = os.path.join(srv.tmp, "admin.pw")
        harness.location_new(fresh)
        r = srv.cli("init", "--data", fresh, "--admin-password-file", pwf)
        t.check(r.returncode == 0, "init of a second data directory", r.stderr)
        rows = dict(harness.location_query(fresh, "SELECT name, value FROM clinic_settings"
                                                  " WHERE name LIKE 'mfa_required.%'"))
        t.check(rows == {"mfa_required.admin": 1, "mfa_required.physician": 1,
                         "mfa_required.qa": 1, "mfa_required.coordinator": 0,
                         "mfa_required.nurse": 0, "mfa_required.lab": 0,
                         "mfa_required.analyst": 0},
                "new data directory: required for admin, physician and qa only", rows)
        r = srv.cli("mfa", "require", "--data", fresh, "--role", "admin,doctor",
                    "--required", "no")
        t.check(r.returncode == 2 and "doctor" in r.stderr, "mfa require: unknown role refused",
                r.stderr)
        r = srv.cli("mfa", "require", "--data", fresh, "--role", "nurse", "--required", "maybe")
        t.check(r.returncode == 2 and "--required" in r.stderr, "mfa require: yes or no", r.stderr)
        r = srv.cli("mfa", "reset", "--data", fresh, "--username", "nobody")
        t.check(r.returncode == 2 and "nobody" in r.stderr, "mfa reset: unknown user", r.stderr)

        # --- the policy over the API (the harness turned it off for every role)
        r = srv.request("GET", "/api/v1/mfa/policy", role="admin")
        t.check(r.status == 200 and r.json["required"]["physician"] is False,
                "harness data: physician not required", r)
        audit_before = count(srv, "SELECT COUNT(*) FROM audit_log")
        policy_sql = ("SELECT COUNT(*) FROM audit_log WHERE entity = 'clinic_settings'"
                      " AND after_json LIKE '%mfa_required.physician\",\"value\":1%'")
        policy_before = count(srv, policy_sql)
        r = srv.request("PUT", "/api/v1/mfa/policy", {"role": "physician", "required": True},
                        role="admin")
        t.check(r.status == 200 and r.json["required"]["physician"] is True
                and r.json["required"]["nurse"] is False, "PUT policy: physician required", r)
        t.check(count(srv, policy_sql) == policy_before + 1, "policy change audited")
        r = srv.request("PUT", "/api/v1/mfa/policy", {"role": "root", "required": True},
                        role="admin")
        t.check(r.status == 400 and (r.error() or {}).get("field") == "role", "PUT policy: bad role", r)
        r = srv.request("PUT", "/api/v1/mfa/policy", {"role": "qa", "required": True},
                        role="nurse")
        t.check(r.status == 403, "PUT policy: nurse refused", r)

        # --- a required role without an authenticator: a restricted session
        r = login(srv, "physician1")
        t.check(r.status == 200 and r.json.get("mfa_enrolment_required") is True,
                "physician logs in restricted to enrolment", r)
        phys = session_of(r)
        r = srv.request("GET", "/api/v1/patients", role=phys)
        t.check(r.status == 403 and code_of(r) == "mfa_enrolment_required",
                "restricted session: patients refused with mfa_enrolment_required", r)
        r = srv.request("GET", "/api/v1/session", role=phys)
        t.check(r.status == 200 and r.json.get("mfa_enrolment_required") is True,
                "restricted session: GET session says so", r)
        r = srv.request("POST", "/api/v1/tokens",
                        {"username": "physician1", "password": PW, "label": "x"})
        t.check(r.status == 403 and code_of(r) == "mfa_enrolment_required",
                "no API token before enrolment", r)
        r = srv.request("GET", "/api/v1/mfa", role=phys)
        t.check(r.status == 200 and r.json == {"enrolled": False, "pending": False,
                                               "required": True, "recovery_codes_left": 0},
                "GET mfa before enrolment", r)

        # --- enrolment
        r = srv.request("POST", "/api/v1/mfa/enrol", {"password": "wrong password!"}, role=phys)
        t.check(r.status == 400 and (r.error() or {}).get("field") == "password",
                "enrol: wrong password refused", r)
        r = srv.request("POST", "/api/v1/mfa/enrol", {"password": PW}, role=phys)
        ok = t.check(r.status == 200, "enrol with the password", r)
        if not ok:
            return t.finish()
        secret = r.json["secret"]
        t.check(len(base64.b32decode(secret + "=" * (-len(secret) % 8))) == 20,
                "secret: 20 bytes in base32", secret)
        t.check(r.json["otpauth_uri"] == "otpauth://totp/cellclinic:physician1?secret=%s"
                "&issuer=cellclinic&algorithm=SHA1&digits=6&period=30" % secret,
                "otpauth URI in the Key Uri Format", r.json["otpauth_uri"])
        t.check(r.json["qr_svg"].lstrip().startswith("<") and "<svg" in r.json["qr_svg"],
                "QR code as SVG", r.json["qr_svg"][:80])
        r = srv.request("POST", "/api/v1/mfa/confirm", {"code": "12345"}, role=phys)
        t.check(r.status == 400 and code_of(r) == "invalid_format", "confirm: 5 digits", r)
        t.check(listed_mfa(srv, "physician1") == 0,
                "user list: an enrolment begun but not confirmed is not enrolled")
        s = step_now()
        wrong = "%06d" % ((int(hotp(secret, s)) + 1) % 1000000)
        if wrong in (hotp(secret, s - 1), hotp(secret, s + 1)):
            wrong = "%06d" % ((int(wrong) + 1) % 1000000)
        r = srv.request("POST", "/api/v1/mfa/confirm", {"code": wrong}, role=phys)
        t.check(r.status == 400 and code_of(r) == "wrong_code", "confirm: wrong code", r)
        s = step_now()
        r = srv.request("POST", "/api/v1/mfa/confirm", {"code": hotp(secret, s)}, role=phys)
        t.check(r.status == 200 and len(r.json.get("recovery_codes", [])) == 10,
                "confirm with the current code: 10 recovery codes", r)
        recovery = r.json.get("recovery_codes", [])
        t.check(listed_mfa(srv, "physician1") == 1 and listed_mfa(srv, "nurse1") == 0,
                "user list: mfa_enrolled 1 once confirmed, 0 for an account without one")
        t.check(len(set(recovery)) == 10 and all(len(c) == 11 and c[5] == "-" for c in recovery),
                "recovery codes distinct, xxxxx-xxxxx", recovery)
        r = srv.request("POST", "/api/v1/mfa/enrol", {"password": PW}, role=phys)
        t.check(r.status == 409 and code_of(r) == "mfa_already_enrolled",
                "enrol again after confirmation: 409", r)
        r = srv.request("GET", "/api/v1/patients", role=phys)
        t.check(r.status == 200, "confirmed: the same session reaches patients", r)
        raw = srv.db_raw_bytes()
        t.check(not any(c.encode() in raw or c.replace("-", "").encode() in raw
                        for c in recovery), "no recovery code in clear in the database")
        t.check(count(srv, "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id ="
                      " (SELECT id FROM users WHERE username = 'physician1')") == 10,
                "10 recovery code hashes stored")

        # --- login with the second factor
        sessions = count(srv, "SELECT COUNT(*) FROM sessions")
        r = login(srv, "physician1")
        t.check(r.status == 401 and code_of(r) == "mfa_required"
                and (r.error() or {}).get("field") == "totp" and not r.headers_all("Set-Cookie"),
                "password only: 401 mfa_required, no cookie", r)
        t.check(count(srv, "SELECT COUNT(*) FROM sessions") == sessions,
                "mfa_required creates no session")
        r = login(srv, "physician1", totp="000000", password="not the password")
        t.check(r.status == 401 and code_of(r) == "bad_credentials",
                "wrong password with a code: bad_credentials, the code is not looked at", r)
        r = login(srv, "physician1", totp=hotp(secret, s))
        t.check(r.status == 401 and code_of(r) == "mfa_code_reused",
                "the step used to confirm is not good again", r)
        r = login(srv, "physician1", totp=hotp(secret, s + 1))
        t.check(r.status == 200 and r.json.get("mfa_enrolment_required") is False,
                "the next step's code logs in", r)
        r = login(srv, "physician1", totp=hotp(secret, s + 1))
        t.check(r.status == 401 and code_of(r) == "mfa_code_reused",
                "the same code a second time: mfa_code_reused", r)
        r = login(srv, "physician1", recovery_code=recovery[0].upper())
        t.check(r.status == 200, "a recovery code logs in (any case)", r)
        r = login(srv, "physician1", recovery_code=recovery[0])
        t.check(r.status == 401 and code_of(r) == "mfa_code_wrong"
                and (r.error() or {}).get("field") == "recovery_code", "the recovery code is good once", r)
        r = srv.request("GET", "/api/v1/mfa", role=session_of(login(
            srv, "physician1", recovery_code=recovery[1].replace("-", ""))))
        t.check(r.status == 200 and r.json["enrolled"] is True
                and r.json["recovery_codes_left"] == 8, "GET mfa: 8 codes left", r)
        r = srv.request("POST", "/api/v1/tokens",
                        {"username": "physician1", "password": PW, "label": "t"})
        t.check(r.status == 401 and code_of(r) == "mfa_required", "token needs the code too", r)
        r = srv.request("POST", "/api/v1/tokens", {"username": "physician1", "password": PW,
                                                   "label": "t", "recovery_code": recovery[2]})
        t.check(r.status == 201, "token with a recovery code", r)

        # --- the same code sent by several clients at once logs in once
        nurse = session_of(login(srv, "nurse1"))
        r = srv.request("POST", "/api/v1/mfa/enrol", {"password": PW}, role=nurse)
        nurse_secret = r.json["secret"]
        ns = step_now()
        r = srv.request("POST", "/api/v1/mfa/confirm", {"code": hotp(nurse_secret, ns)},
                        role=nurse)
        t.check(r.status == 200, "nurse enrols", r)
        same = hotp(nurse_secret, ns + 1)
        results = concurrently(4, lambda i: login(srv, "nurse1", totp=same))
        statuses = sorted(x.status if hasattr(x, "status") else str(x) for x in results)
        t.check(statuses == [200, 401, 401, 401], "one code, 4 clients at once: one login",
                statuses)
        t.check(sorted(code_of(x) for x in results if getattr(x, "status", 0) == 401)
                == ["mfa_code_reused"] * 3, "the others: mfa_code_reused", results)

        # --- wrong codes count in the password throttle (an optional role enrols too)
        r = login(srv, "lab1")
        lab = session_of(r)
        t.check(r.status == 200 and r.json.get("mfa_enrolment_required") is False,
                "lab (optional) logs in unrestricted", r)
        r = srv.request("POST", "/api/v1/mfa/enrol", {"password": PW}, role=lab)
        lab_secret = r.json["secret"]
        ls = step_now()
        r = srv.request("POST", "/api/v1/mfa/confirm", {"code": hotp(lab_secret, ls)}, role=lab)
        t.check(r.status == 200, "lab enrols", r)
        good = {hotp(lab_secret, x) for x in range(ls - 1, ls + 4)}
        bad = [c for c in ("111111", "222222", "333333", "444444", "555555", "666666",
                           "777777") if c not in good][:5]
        statuses = [login(srv, "lab1", totp=c).status for c in bad]
        t.check(statuses == [401] * 5, "5 wrong codes with the right password: 401", statuses)
        r = login(srv, "lab1", totp=hotp(lab_secret, ls + 1))
        t.check(r.status == 429 and r.header("Retry-After"),
                "then the right password and code: 429 with Retry-After", r)

        # --- an administrator's reset
        phys_id = count(srv, "SELECT id FROM users WHERE username = 'physician1'")
        r = srv.request("DELETE", "/api/v1/users/%d/mfa" % phys_id, role="nurse")
        t.check(r.status == 403, "reset: nurse refused", r)
        r = srv.request("DELETE", "/api/v1/users/999999/mfa", role="admin")
        t.check(r.status == 404, "reset: unknown user 404", r)
        r = srv.request("DELETE", "/api/v1/users/%d/mfa" % phys_id, role="admin")
        t.check(r.status == 200 and r.json.get("mfa_reset") is True, "admin resets", r)
        t.check(listed_mfa(srv, "physician1") == 0, "user list: mfa_enrolled 0 after the reset")
        r = login(srv, "physician1")
        t.check(r.status == 200 and r.json.get("mfa_enrolment_required") is True,
                "after the reset: password login, restricted to enrolment again", r)
        r = srv.cli("mfa", "reset", "--data", srv.data, "--username", "lab1")
        t.check(r.returncode == 0, "cellclinic mfa reset while the server runs", r.stderr)
        t.check(count(srv, "SELECT COUNT(*) FROM mfa_totp WHERE user_id ="
                      " (SELECT id FROM users WHERE username = 'lab1')") == 0
                and count(srv, "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id ="
                          " (SELECT id FROM users WHERE username = 'lab1')") == 0,
                "the CLI reset removed lab1's authenticator and codes")

        # --- the audit trail
        actions = {a for (a,) in srv.db_query("SELECT DISTINCT action FROM audit_log"
                                              " WHERE entity = 'mfa'")}
        t.check({"mfa_enrol_begin", "mfa_enrol_confirm", "mfa_code_used",
                 "mfa_recovery_code_used", "mfa_reset"} <= actions, "mfa changes audited",
                actions)
        text = " ".join("%s %s" % row for row in srv.db_query(
            "SELECT COALESCE(before_json, ''), COALESCE(after_json, '') FROM audit_log"))
        t.check(secret not in text and lab_secret not in text
                and not any(c in text for c in recovery), "no secret or code in the audit trail")
        t.check(count(srv, "SELECT COUNT(*) FROM audit_log") > audit_before, "audit grew")
        r = srv.cli("audit", "verify", "--data", srv.data)
        t.check(r.returncode == 0, "audit chain intact", r.stdout + r.stderr)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
