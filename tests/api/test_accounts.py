#!/usr/bin/env python3
"""Account lifecycle (docs/api.md "Accounts", docs/security.md).

- an administrator disables an account: its live session and its token answer 401 at
  their next request, it cannot log in; re-enabled, it logs in again;
- the same from the command line while the server runs (`user disable`, `user enable`,
  `user list`, `user reset-password`), holding at the server's next request;
- a password reset (API and command line) ends the sessions and tokens, the login answers
  must_change_password and that session may do nothing but change its password (through
  the throttled check) or log out (403 password_change_required);
- a user sees and ends their own sessions;
- tokens: a read-only token is refused every mutation (403 token_read_only), a token
  expires (the clock moved past it: 401), at most 10 active tokens per user (409
  too_many_tokens), tokens made before the migration get an expiry;
- the last administrator stays; every action is in the audit trail.

    python3 tests/api/test_accounts.py --binary build/cellclinic [-v]
"""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

# Long enough for any password rule of the project (at least 16 characters).
PW = "Account-lifecycle-passphrase-1"
PW_RESET = "Reset-by-the-administrator-22"
PW_NEW = "Chosen-by-the-user-again-333"
CLOCK = "CELLCLINIC_CLOCK_OFFSET_DAYS"


def login(srv, username, password):
    """(status, json, cred) of a password login; cred is a session credential."""
    r = srv.request("POST", "/api/v1/session", {"username": username, "password": password})
    cookie = None
    for v in r.headers_all("Set-Cookie"):
        first = v.split(";", 1)[0].strip()
        if first.startswith("cc_session="):
            cookie = first[len("cc_session="):]
    csrf = (r.json or {}).get("csrf") if r.status == 200 else None
    return r.status, r.json, ("session", cookie, csrf) if cookie and csrf else None


def new_user(srv, t, username, role="nurse"):
    r = srv.request("POST", "/api/v1/users", {"username": username, "role": role, "password": PW},
                    role="admin")
    t.check(r.status == 201, "admin creates %s" % username, r)
    return r.json["id"]


def token(srv, username, password, **extra):
    body = {"username": username, "password": password, "label": "t"}
    body.update(extra)
    return srv.request("POST", "/api/v1/tokens", body)


def user_actions(srv, uid):
    return [a for (a,) in srv.db_query(
        "SELECT action FROM audit_log WHERE entity = 'user' AND entity_id = ? ORDER BY seq",
        (str(uid),))]


def check_disable(t, srv):
    uid = new_user(srv, t, "acct.disable")
    _, _, sess = login(srv, "acct.disable", PW)
    tok = token(srv, "acct.disable", PW).json["token"]
    t.check(srv.request("GET", "/api/v1/patients", role=sess).status == 200,
            "the session works before")
    t.check(srv.request("GET", "/api/v1/patients", role=("token", tok)).status == 200,
            "the token works before")
    r = srv.request("POST", "/api/v1/users/%d/disable" % uid, {}, role="admin")
    t.check(r.status == 200 and r.json["active"] is False, "admin disables the account", r)
    r = srv.request("GET", "/api/v1/patients", role=sess)
    t.check(r.status == 401, "the live session's next request answers 401", r)
    r = srv.request("GET", "/api/v1/patients", role=("token", tok))
    t.check(r.status == 401, "the token's next request answers 401", r)
    t.check(login(srv, "acct.disable", PW)[0] == 401, "a disabled account cannot log in")
    t.check(srv.db_query("SELECT COUNT(*) FROM sessions WHERE user_id = ?", (uid,))[0][0] == 0,
            "its sessions are deleted")
    t.check(srv.db_query("SELECT COUNT(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL",
                         (uid,))[0][0] == 0, "its tokens are revoked")
    r = srv.request("POST", "/api/v1/users/%d/disable" % uid, {}, role="admin")
    t.check(r.status == 409 and r.error()["code"] == "already_disabled",
            "disabling it again answers 409 already_disabled", r)
    r = srv.request("POST", "/api/v1/users/%d/enable" % uid, {}, role="admin")
    t.check(r.status == 200 and r.json["active"] is True, "admin re-enables it", r)
    status, _, sess = login(srv, "acct.disable", PW)
    t.check(status == 200 and srv.request("GET", "/api/v1/patients", role=sess).status == 200,
            "re-enabled, it logs in and works")
    r = srv.request("POST", "/api/v1/users/%d/role" % uid, {"role": "lab"}, role="admin")
    t.check(r.status == 200 and r.json["role"] == "lab", "admin changes the role", r)
    r = srv.request("GET", "/api/v1/patients", role=sess)
    t.check(r.status == 403, "the live session has the new role at once (lab: no patients)", r)
    r = srv.request("POST", "/api/v1/users/%d/role" % uid, {"role": "root"}, role="admin")
    t.check(r.status == 400 and r.error()["field"] == "role", "a bad role is refused", r)
    r = srv.request("DELETE", "/api/v1/users/%d/sessions" % uid, role="admin")
    t.check(r.status == 200, "admin ends all the user's sessions and tokens", r)
    t.check(srv.request("GET", "/api/v1/session", role=sess).status == 401,
            "that session answers 401")
    t.check(user_actions(srv, uid) == ["create", "disable", "end_sessions", "enable", "set_role",
                                       "end_sessions"],
            "every action is in the audit trail, in order", user_actions(srv, uid))
    r = srv.request("POST", "/api/v1/users/999999/disable", {}, role="admin")
    t.check(r.status == 404, "an unknown account answers 404", r)


def check_last_admin(t, srv):
    admin_id = srv.db_query("SELECT id FROM users WHERE username = 'admin'")[0][0]
    r = srv.request("POST", "/api/v1/users/%d/disable" % admin_id, {}, role="admin")
    t.check(r.status == 409 and r.error()["code"] == "own_account",
            "an administrator cannot disable their own account", r)
    r = srv.request("POST", "/api/v1/users/%d/role" % admin_id, {"role": "nurse"}, role="admin")
    t.check(r.status == 409 and r.error()["code"] == "last_admin",
            "the last administrator keeps the role", r)
    r = srv.cli("user", "disable", "--data", srv.data, "--username", "admin")
    t.check(r.returncode == 1 and "last active administrator" in r.stderr,
            "the command line cannot disable the last administrator", (r.returncode, r.stderr))
    t.check(srv.request("GET", "/api/v1/users", role="admin").status == 200,
            "the administrator still works")


def forced_change(t, srv, username, old_password, reset_password, what):
    """After a reset: the old password is gone, the new one logs in under a forced change."""
    t.check(login(srv, username, old_password)[0] == 401, what + ": the old password is refused")
    status, body, sess = login(srv, username, reset_password)
    t.check(status == 200 and body.get("must_change_password") is True,
            what + ": the login answers must_change_password", body)
    r = srv.request("GET", "/api/v1/patients", role=sess)
    t.check(r.status == 403 and r.error()["code"] == "password_change_required",
            what + ": the session may not read patients (403 password_change_required)", r)
    r = srv.request("PATCH", "/api/v1/session/preferences", {"language": "fr"}, role=sess)
    t.check(r.status == 403 and r.error()["code"] == "password_change_required",
            what + ": nor change its preferences", r)
    r = srv.request("GET", "/api/v1/session", role=sess)
    t.check(r.status == 200 and r.json["must_change_password"] is True,
            what + ": GET /session says a change is due", r)
    r = token(srv, username, reset_password)
    t.check(r.status == 403 and r.error()["code"] == "password_change_required",
            what + ": no token before the change", r)
    r = srv.request("POST", "/api/v1/session/password",
                    {"current_password": "not-the-current-password", "new_password": PW_NEW},
                    role=sess)
    t.check(r.status == 400 and r.error()["field"] == "current_password",
            what + ": a wrong current password is refused naming current_password", r)
    r = srv.request("POST", "/api/v1/session/password",
                    {"current_password": reset_password, "new_password": reset_password},
                    role=sess)
    t.check(r.status == 400 and r.error()["code"] == "same_password",
            what + ": the same password again is refused", r)
    r = srv.request("POST", "/api/v1/session/password",
                    {"current_password": reset_password, "new_password": PW_NEW}, role=sess)
    t.check(r.status == 200, what + ": the user changes the password", r)
    r = srv.request("GET", "/api/v1/patients", role=sess)
    t.check(r.status == 200, what + ": then the same session works", r)
    status, body, _ = login(srv, username, PW_NEW)
    t.check(status == 200 and body["must_change_password"] is False,
            what + ": the new password logs in without a forced change", body)


def check_reset_api(t, srv):
    uid = new_user(srv, t, "acct.reset")
    _, _, sess = login(srv, "acct.reset", PW)
    tok = token(srv, "acct.reset", PW).json["token"]
    r = srv.request("POST", "/api/v1/users/%d/password" % uid, {"password": "short"}, role="admin")
    t.check(r.status == 400 and r.error()["field"] == "password", "a weak reset is refused", r)
    r = srv.request("POST", "/api/v1/users/%d/password" % uid, {"password": PW_RESET},
                    role="admin")
    t.check(r.status == 200 and r.json["must_change_password"] is True,
            "admin resets the password", r)
    t.check(srv.request("GET", "/api/v1/session", role=sess).status == 401,
            "reset: the user's live session answers 401")
    t.check(srv.request("GET", "/api/v1/session", role=("token", tok)).status == 401,
            "reset: the user's token answers 401")
    forced_change(t, srv, "acct.reset", PW, PW_RESET, "API reset")
    t.check(user_actions(srv, uid) == ["create", "reset_password", "end_sessions",
                                       "change_password", "end_sessions"],
            "reset and change are in the audit trail", user_actions(srv, uid))


def check_cli(t, srv, tmp):
    new_user(srv, t, "acct.cli")
    _, _, sess = login(srv, "acct.cli", PW)
    r = srv.cli("user", "disable", "--data", srv.data, "--username", "acct.cli")
    t.check(r.returncode == 0, "user disable works while the server runs", r.stderr)
    r = srv.request("GET", "/api/v1/session", role=sess)
    t.check(r.status == 401, "after user disable the live session answers 401 at once", r)
    t.check(login(srv, "acct.cli", PW)[0] == 401, "after user disable no login")
    r = srv.cli("user", "list", "--data", srv.data)
    line = [x for x in r.stdout.splitlines() if x.split()[:1] == ["acct.cli"]]
    t.check(r.returncode == 0 and len(line) == 1 and "disabled" in line[0],
            "user list shows the account disabled", r.stdout)
    r = srv.cli("user", "enable", "--data", srv.data, "--username", "acct.cli")
    t.check(r.returncode == 0, "user enable works", r.stderr)
    t.check(login(srv, "acct.cli", PW)[0] == 200, "after user enable the login works")
    r = srv.cli("user", "list", "--data", srv.data)
    line = [x for x in r.stdout.splitlines() if x.split()[:1] == ["acct.cli"]]
    t.check(len(line) == 1 and "active" in line[0] and "disabled" not in line[0],
            "user list shows it active", r.stdout)
    r = srv.cli("user", "disable", "--data", srv.data, "--username", "nobody.here")
    t.check(r.returncode == 1 and "nobody.here" in r.stderr,
            "user disable of an unknown name fails naming it", (r.returncode, r.stderr))
    pf = os.path.join(tmp, "reset.pw")
    with open(pf, "w") as f:
        f.write(PW_RESET + "\n")
    r = srv.cli("user", "reset-password", "--data", srv.data, "--username", "acct.cli",
                "--password-file", pf)
    t.check(r.returncode == 0, "user reset-password works while the server runs", r.stderr)
    forced_change(t, srv, "acct.cli", PW, PW_RESET, "CLI reset")
    actions = srv.db_query("SELECT username, action FROM audit_log WHERE entity = 'user'"
                           " AND action IN ('disable', 'enable', 'reset_password')"
                           " AND entity_id = (SELECT CAST(id AS TEXT) FROM users WHERE username = 'acct.cli')"
                           " ORDER BY seq")
    t.check(actions == [("cli", "disable"), ("cli", "enable"), ("cli", "reset_password")],
            "the command line's actions are audited as cli", actions)


def check_own_sessions(t, srv):
    new_user(srv, t, "acct.sessions")
    _, _, first = login(srv, "acct.sessions", PW)
    _, _, second = login(srv, "acct.sessions", PW)
    r = srv.request("GET", "/api/v1/sessions", role=second)
    items = r.json["items"] if r.status == 200 else []
    t.check(len(items) == 2 and sum(1 for i in items if i["current"]) == 1,
            "the user sees their two sessions, one marked current", r)
    other = [i["id"] for i in items if not i["current"]]
    r = srv.request("DELETE", "/api/v1/sessions/%d" % other[0], role=second)
    t.check(r.status == 200, "the user ends the other session", r)
    t.check(srv.request("GET", "/api/v1/session", role=first).status == 401,
            "the ended session answers 401")
    t.check(srv.request("GET", "/api/v1/session", role=second).status == 200,
            "the current one still works")
    admin_sessions = srv.request("GET", "/api/v1/sessions", role=srv.session("admin")).json
    foreign = [i["id"] for i in admin_sessions["items"]]
    r = srv.request("DELETE", "/api/v1/sessions/%d" % foreign[0], role=second)
    t.check(r.status == 404, "another user's session cannot be ended (404)", r)


def check_tokens(t, srv):
    new_user(srv, t, "acct.tokens", role="coordinator")
    r = token(srv, "acct.tokens", PW, scope="read", expires_in_days=1)
    t.check(r.status == 201 and r.json["scope"] == "read", "a read-only token for one day", r)
    ro = ("token", r.json["token"])
    t.check(srv.request("GET", "/api/v1/patients", role=ro).status == 200,
            "the read-only token reads")
    before = srv.db_checksum()
    body = {"family_name": "Readonly", "given_names": "Ana", "birth_date": "1970-01-02",
            "sex": "female", "language": "fr"}
    for method, path, b in (("POST", "/api/v1/patients", body),
                            ("PATCH", "/api/v1/session/preferences", {"language": "fr"}),
                            ("DELETE", "/api/v1/session", None)):
        r = srv.request(method, path, b, role=ro)
        t.check(r.status == 403 and r.error()["code"] == "token_read_only",
                "the read-only token is refused %s %s (403 token_read_only)" % (method, path), r)
    t.check(srv.db_checksum() == before, "and nothing changed")
    full = ("token", token(srv, "acct.tokens", PW).json["token"])
    r = srv.request("POST", "/api/v1/patients", body, role=full)
    t.check(r.status == 201, "a full token writes", r)
    listed = srv.request("GET", "/api/v1/tokens", role=full).json["items"]
    full_row = [x for x in listed if x["scope"] == "full"][0]
    created = datetime.datetime.strptime(full_row["created_at"], "%Y-%m-%dT%H:%M:%SZ")
    expires = datetime.datetime.strptime(full_row["expires_at"], "%Y-%m-%dT%H:%M:%SZ")
    t.check(expires - created == datetime.timedelta(days=90),
            "a token expires 90 days after its creation by default", full_row)
    for bad in (0, 91, -1):
        r = token(srv, "acct.tokens", PW, expires_in_days=bad)
        t.check(r.status == 400 and r.error()["field"] == "expires_in_days",
                "expires_in_days %d is refused" % bad, r)
    r = token(srv, "acct.tokens", PW, scope="admin")
    t.check(r.status == 400 and r.error()["field"] == "scope", "an unknown scope is refused", r)

    # the bound: 2 active so far, 8 more, then the 11th is refused
    made = [token(srv, "acct.tokens", PW) for _ in range(8)]
    t.check(all(r.status == 201 for r in made), "up to 10 active tokens", [r.status for r in made])
    r = token(srv, "acct.tokens", PW)
    t.check(r.status == 409 and r.error()["code"] == "too_many_tokens",
            "the 11th active token answers 409 too_many_tokens", r)
    r = srv.request("DELETE", "/api/v1/tokens/%d" % made[0].json["id"], role=full)
    t.check(r.status == 200, "one is revoked", r)
    r = token(srv, "acct.tokens", PW)
    t.check(r.status == 201, "then a new one may be made", r)

    # expiry: the clock moved two days on
    os.environ[CLOCK] = "2"
    try:
        srv.restart()
        r = srv.request("GET", "/api/v1/patients", role=ro)
        t.check(r.status == 401 and r.error()["code"] == "token_expired",
                "two days on, the one-day token answers 401 token_expired", r)
        t.check(srv.request("GET", "/api/v1/patients", role=full).status == 200,
                "the 90-day token still works")
        r = srv.request("GET", "/api/v1/security-events?kind=token_expired", role="admin")
        events = r.json.get("items", []) if r.status == 200 else []
        t.check(any(e.get("username") == "acct.tokens" and e.get("kind") == "token_expired"
                    for e in events),
                "the expired token's use is a security event of its account", r)
    finally:
        os.environ.pop(CLOCK, None)
        srv.restart()


# What each migration appended after the accounts one did, undone, oldest
# first: the test rolls the database back to just before the accounts
# migration, so that every later entry runs again on a database of its time.
# A new migration needs its line here (the test fails on re-running it).
UNDO_AFTER_ACCOUNTS = [
    # unit labels: facility and label language
    "ALTER TABLE lab_site DROP COLUMN facility_name;"
    "ALTER TABLE lab_site DROP COLUMN facility_address;"
    "ALTER TABLE lab_site DROP COLUMN label_language;",
    # traceability guards (created IF NOT EXISTS: kept)
    "",
    # donor testing panels
    "DROP TABLE donor_panels;",
    # medications and allergies (created IF NOT EXISTS: kept)
    "",
    # consent documents and patients' consents
    "DROP VIEW research_consented; DROP TABLE patient_consents; DROP TABLE consent_documents;",
    # clinic site: name and public base URL of patient links
    "DROP TABLE clinic_site;",
    # consultation requests: structured condition and consent to be contacted
    "DROP INDEX consultation_requests_patient;"
    "ALTER TABLE consultation_requests DROP COLUMN country;"
    "ALTER TABLE consultation_requests DROP COLUMN diagnosis;"
    "ALTER TABLE consultation_requests DROP COLUMN injury_level;"
    "ALTER TABLE consultation_requests DROP COLUMN injury_date;"
    "ALTER TABLE consultation_requests DROP COLUMN contact_consent;",
    # throttles in the database
    "DROP TABLE rate_limits;",
    # sites: the sites, their records' owner, memberships, a session's site
    "DROP INDEX patients_site; DROP INDEX plans_site; DROP INDEX administrations_site;"
    "DROP INDEX donors_site; DROP INDEX batches_site; DROP INDEX units_site;"
    "DROP TABLE user_sites; ALTER TABLE users DROP COLUMN all_sites;"
    "ALTER TABLE sessions DROP COLUMN site_id;"
    "ALTER TABLE custody_events DROP COLUMN to_site_id;"
    "ALTER TABLE custody_events DROP COLUMN from_site_id;"
    "ALTER TABLE units DROP COLUMN shipped_to_site_id;"
    "ALTER TABLE units DROP COLUMN site_id; ALTER TABLE batches DROP COLUMN site_id;"
    "ALTER TABLE donors DROP COLUMN site_id; ALTER TABLE administrations DROP COLUMN site_id;"
    "ALTER TABLE plans DROP COLUMN site_id; ALTER TABLE patients DROP COLUMN site_id;"
    "DROP TABLE sites;",
    # sites: the planner's capacity per site
    "DROP INDEX plan_slots_plan; DROP TABLE site_capacity;",
    # audit trail per site
    "DROP INDEX audit_log_site; ALTER TABLE audit_log DROP COLUMN site_id;",
    # the clinic settings are the site's: the one-row table goes
    "CREATE TABLE clinic_site (id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL DEFAULT '',"
    " public_base_url TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL DEFAULT 1, updated_at TEXT);"
    "INSERT INTO clinic_site (id) VALUES (1);",
    # the report digests (the stale marks and the triggers that write them,
    # created IF NOT EXISTS or replaced: kept)
    "DROP TABLE report_digests; DELETE FROM derived_data WHERE name = 'report_digests';",
    # a patient's weights from one index
    "CREATE INDEX patient_weights_patient ON patient_weights(patient_id);"
    "DROP INDEX patient_weights_by_date;",
]


def check_migration(t, srv):
    """A token made before the migration gets an expiry 90 days after its creation."""
    tok = ("token", srv.token("nurse"))
    srv.stop()
    srv.db_script(
        "DROP INDEX api_tokens_user; DROP INDEX sessions_user;"
        "ALTER TABLE api_tokens DROP COLUMN expires_at;"
        "ALTER TABLE api_tokens DROP COLUMN scope;"
        "ALTER TABLE users DROP COLUMN must_change_password;"
        + "".join(reversed(UNDO_AFTER_ACCOUNTS)) +
        # the accounts migration and those appended after it run again
        "DELETE FROM schema_version WHERE version >= (SELECT MAX(version) FROM schema_version)"
        " - %d;" % len(UNDO_AFTER_ACCOUNTS))
    srv.start()
    rows = srv.db_query("SELECT created_at, expires_at, scope FROM api_tokens")
    ok = bool(rows) and all(
        datetime.datetime.strptime(e, "%Y-%m-%dT%H:%M:%SZ") -
        datetime.datetime.strptime(c, "%Y-%m-%dT%H:%M:%SZ") == datetime.timedelta(days=90)
        and s == "full" for c, e, s in rows)
    t.check(ok, "migrated tokens expire 90 days after their creation, scope full", rows[:3])
    t.check(srv.request("GET", "/api/v1/patients", role=tok).status == 200,
            "a migrated token still works")
    os.environ[CLOCK] = "91"
    try:
        srv.restart()
        t.check(srv.request("GET", "/api/v1/patients", role=tok).status == 401,
                "91 days on, the migrated token has expired")
    finally:
        os.environ.pop(CLOCK, None)
        srv.restart()


def main():
    args = harness.parse_args()
    t = harness.Tally("accounts", verbose=args.verbose)
    os.environ.pop(CLOCK, None)
    try:
        with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
            check_disable(t, srv)
            check_last_admin(t, srv)
            check_reset_api(t, srv)
            check_cli(t, srv, srv.tmp)
            check_own_sessions(t, srv)
            check_tokens(t, srv)
            check_migration(t, srv)
            r = srv.cli("audit", "verify", "--data", srv.data)
            t.check(r.returncode == 0, "audit verify holds", r.stdout + r.stderr)
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
