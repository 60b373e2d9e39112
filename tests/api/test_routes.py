#!/usr/bin/env python3
"""The route table: `cellclinic routes` against docs/api.md, then every route
as every role.

(a) every route printed by `cellclinic routes` has a non-empty roles list, and
    the set of (method, path, roles) equals the table in docs/api.md;
(b) every route is requested as admin, coordinator, physician, nurse, lab, qa,
    analyst (bearer tokens) and without credentials, with a body that would be
    valid: a role outside the row answers 403 (401 without login) and the
    database does not change; a role inside it answers anything but 401/403.

    python3 tests/api/test_routes.py --binary build/cellclinic [-v]
"""

import datetime
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
API_MD = os.path.join(ROOT, "docs", "api.md")
IDENTITIES = harness.ROLES + [None]
# POST routes that compute and store nothing (docs/api.md): no audit entry expected.
NO_WRITE = {("POST", "/api/v1/instruments/{id}/score"), ("POST", "/api/v1/isncsci/classify")}


def parse_api_md(path=API_MD):
    """[(method, path, (roles...))] from the markdown route table."""
    rows = []
    in_table = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("|"):
                if in_table:
                    break
                continue
            cells = [c.strip() for c in line.strip("|").split("|")]
            if [c.lower() for c in cells[:3]] == ["method", "path", "roles"]:
                in_table = True
                continue
            if not in_table or set(cells[0]) <= set("-: "):
                continue
            method = cells[0].strip("`")
            rpath = cells[1].strip("`")
            roles = tuple(sorted(r.strip() for r in cells[2].split(",") if r.strip()))
            rows.append((method, rpath, roles))
    return rows


def server_routes(binary):
    r = harness.run_cli(binary, ["routes"])
    if r.returncode != 0:
        raise harness.CommandError("cellclinic routes exited %d: %s" % (r.returncode, r.stderr))
    return json.loads(r.stdout)


def allowed(roles, identity):
    if "public" in roles:
        return True
    if identity is None:
        return False
    return "any" in roles or identity in roles


class Matrix:
    def __init__(self, srv, t):
        self.srv = srv
        self.t = t
        self.n = 0
        self.today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()

    def fixtures(self):
        s = self.srv
        r = s.request("POST", "/api/v1/patients",
                      {"family_name": "Routes", "given_names": "Fixture",
                       "birth_date": "1970-01-02", "sex": "female", "language": "fr",
                       "confirm_duplicate": True},
                      role="admin")
        if r.status != 201:
            raise harness.CommandError("fixture patient: %r" % r)
        self.patient = r.json["id"]
        r = s.request("POST", "/api/v1/consultation-requests",
                      {"name": "Route Fixture", "email": "rf@example.org",
                       "condition": "Stroke", "language": "en", "consent": True})
        if r.status != 201:
            raise harness.CommandError("fixture consultation request: %r" % r)
        self.cr = r.json["id"]
        for role in harness.ROLES:
            s.token(role)
        r = s.request("GET", "/api/v1/instruments", role="nurse")
        items = (r.json or {}).get("items") if r.status == 200 else None
        self.instrument = items[0].get("id") if items else None

    def uniq(self):
        self.n += 1
        n = self.n
        s = ""
        for _ in range(5):
            s = chr(ord("a") + n % 26) + s
            n //= 26
        return s

    def prepare(self, method, path, identity):
        """(path, body, extra headers, credentials) for one attempt."""
        s = self.srv
        cred = identity
        headers = {}
        body = None
        p = path
        user_role = identity or "nurse"
        if path == "/api/v1/tokens/{id}":
            # a spare token of the caller (or of the nurse without login)
            tid, _ = s.new_token(user_role, label="spare")
            p = path.replace("{id}", str(tid))
        elif path.startswith("/api/v1/patients/{id}"):
            p = path.replace("{id}", str(self.patient))
        elif path.startswith("/api/v1/consultation-requests/{id}"):
            p = path.replace("{id}", str(self.cr))
        elif path.startswith("/api/v1/instruments/{id}") and self.instrument:
            p = path.replace("{id}", str(self.instrument))
        elif path.startswith("/api/v1/users/{id}"):
            # an account of its own, so that disabling one or ending its sessions
            # leaves the shared fixtures working
            r = s.request("POST", "/api/v1/users", {"username": "acct" + self.uniq(),
                                                    "role": "nurse", "password": harness.PASSWORD},
                          role="admin")
            if r.status != 201:
                raise harness.CommandError("fixture account: %r" % r)
            p = path.replace("{id}", str(r.json["id"]))
            if path == "/api/v1/users/{id}/enable":
                s.request("POST", "/api/v1/users/%d/disable" % r.json["id"], {}, role="admin")
        p = re.sub(r"\{[^}]+\}", "1", p)
        key = (method, path)
        if key == ("POST", "/api/v1/session"):
            u = harness.user_of(user_role)
            body = {"username": u, "password": s.passwords[u]}
        elif key == ("DELETE", "/api/v1/session") and identity is not None:
            # a token of its own, so the shared one survives a logout
            _, tok = s.new_token(identity, label="logout")
            cred = ("token", tok)
        elif key == ("PATCH", "/api/v1/session/preferences"):
            body = {"language": "en"}
        elif key == ("POST", "/api/v1/tokens"):
            u = harness.user_of(user_role)
            body = {"username": u, "password": s.passwords[u], "label": "routes"}
        elif key == ("POST", "/api/v1/patients"):
            body = {"family_name": "Route" + self.uniq(), "given_names": "Ana",
                    "birth_date": "1970-01-02", "sex": "female", "language": "fr"}
        elif key == ("PATCH", "/api/v1/patients/{id}"):
            r = s.request("GET", p, role="admin")
            headers["If-Match"] = r.header("ETag") or '"1"'
            body = {"phone": "+33 1 00 00 00 " + str(self.n % 100), "reason": "correction"}
            self.n += 1
        elif key == ("POST", "/api/v1/patients/{id}/weights"):
            body = {"date": self.today, "kg": 70}
        elif key == ("POST", "/api/v1/patients/{id}/conditions"):
            body = {"icd10": "G35", "label": "Multiple sclerosis"}
        elif key == ("POST", "/api/v1/consultation-requests"):
            body = {"name": "Route Test", "email": "rt@example.org", "condition": "Stroke", "language": "en",
                    "consent": True}
        elif key == ("POST", "/api/v1/consultation-requests/{id}/convert"):
            body = {"family_name": "Conv" + self.uniq(), "given_names": "Ana",
                    "birth_date": "1970-01-02", "sex": "female", "language": "fr",
                    "confirm_duplicate": True}
        elif key == ("POST", "/api/v1/consultation-requests/{id}/decline"):
            body = {"reason": "Route test"}
        elif key == ("POST", "/api/v1/users/{id}/role"):
            body = {"role": "lab"}
        elif key == ("POST", "/api/v1/users/{id}/password"):
            body = {"password": harness.PASSWORD + "-reset"}
        elif key == ("POST", "/api/v1/session/password"):
            u = harness.user_of(user_role)
            new = s.passwords[u] + "x"
            body = {"current_password": s.passwords[u], "new_password": new}
            if identity is not None:  # the change succeeds: later logins use the new one
                s.passwords[u] = new
        elif key == ("POST", "/api/v1/users"):
            body = {"username": "route" + self.uniq(), "role": "nurse",
                    "password": harness.PASSWORD}
        elif method in ("POST", "PUT", "PATCH"):
            body = {}
        return p, body, headers, cred

    def attempt(self, method, path, roles, identity, source):
        p, body, headers, cred = self.prepare(method, path, identity)
        before = self.srv.db_tables()
        who = identity or "no login"
        label = "%s %s as %s (%s: %s)" % (method, path, who, source, ",".join(roles))
        try:
            r = self.srv.request(method, p, body, role=cred, headers=headers)
        except OSError as e:
            self.t.fail(label + " answers", "connection error: %r" % e)
            if self.srv.proc is None or self.srv.proc.poll() is not None:
                raise harness.CommandError("server died; log:\n" + self.srv.log_text())
            return
        after = self.srv.db_tables()
        if allowed(roles, identity):
            self.t.check(r.status not in (401, 403) and r.status != 0,
                         label + " is allowed", "answered %r" % r)
            # DESIGN 4: a successful mutation commits with its audit entry
            if method in ("POST", "PUT", "PATCH", "DELETE") and 200 <= r.status < 300 and \
                    "audit_log" in before and (method, path) not in NO_WRITE:
                self.t.check("audit_log" in harness.db_diff(before, after),
                             label + " wrote its audit entry", "answered %r" % r)
        else:
            want = 401 if identity is None else 403
            changed = harness.db_diff(before, after)
            problems = []
            if r.status != want:
                problems.append("status %d, wanted %d" % (r.status, want))
            if not harness.is_error_shape(r):
                problems.append("no error object")
            if changed:
                problems.append("database changed (tables: %s)" % ", ".join(changed))
            self.t.check(not problems, label + " is denied",
                         "; ".join(problems) + "; answer %r" % r)
        if self.srv.proc is None or self.srv.proc.poll() is not None:
            raise harness.CommandError("server died; log:\n" + self.srv.log_text())


def main():
    args = harness.parse_args()
    t = harness.Tally("routes", verbose=args.verbose)
    doc = parse_api_md()
    t.check(len(doc) >= 20, "docs/api.md has a route table (%d rows)" % len(doc))
    try:
        served = server_routes(args.binary)
    except (harness.CommandError, ValueError) as e:
        t.fail("cellclinic routes prints JSON", e)
        served = []
    srv_rows = []
    for i, r in enumerate(served):
        ok = isinstance(r, dict) and isinstance(r.get("method"), str) and \
            isinstance(r.get("path"), str) and isinstance(r.get("roles"), list) and \
            len(r["roles"]) > 0 and all(isinstance(x, str) and x for x in r["roles"])
        t.check(ok, "route %d %s %s has a non-empty roles list" % (
            i, r.get("method") if isinstance(r, dict) else "?",
            r.get("path") if isinstance(r, dict) else "?"), r)
        if ok:
            known = set(harness.ROLES) | {"public", "any"}
            t.check(set(r["roles"]) <= known, "route %s %s names only known roles" % (
                r["method"], r["path"]), r["roles"])
            t.check(not (("public" in r["roles"] or "any" in r["roles"]) and
                         len(r["roles"]) > 1),
                    "route %s %s: public/any stand alone" % (r["method"], r["path"]),
                    r["roles"])
            srv_rows.append((r["method"], r["path"], tuple(sorted(r["roles"]))))
    if served:
        keys = [(m, p) for m, p, _ in srv_rows]
        t.check(len(keys) == len(set(keys)), "cellclinic routes has no duplicate rows",
                sorted(k for k in keys if keys.count(k) > 1))
        only_srv = sorted(set(srv_rows) - set(doc))
        only_doc = sorted(set(doc) - set(srv_rows))
        t.check(not only_srv and not only_doc, "cellclinic routes equals docs/api.md",
                "only in the program: %s\nonly in docs/api.md: %s" % (only_srv, only_doc))

    # (b) the matrix: the contract's rows, plus rows only the program has.
    rows = [(m, p, roles, "docs") for m, p, roles in doc]
    doc_keys = {(m, p) for m, p, _ in doc}
    rows += [(m, p, roles, "program") for m, p, roles in srv_rows if (m, p) not in doc_keys]
    try:
        with harness.Server(args.binary, verbose=False, keep=args.keep) as srv:
            mx = Matrix(srv, t)
            mx.fixtures()
            for method, path, roles, source in rows:
                for ident in IDENTITIES:
                    try:
                        mx.attempt(method, path, roles, ident, source)
                    except harness.CommandError as e:
                        t.fail("%s %s as %s" % (method, path, ident), e)
                        if srv.proc is None or srv.proc.poll() is not None:
                            srv.proc = None
                            srv.start()
                            mx.fixtures()
            # every entry written belongs to its record's site or is group-wide
            # (store/audit_sites.h): an entity left out of the map is at none
            lost = srv.db_query("SELECT DISTINCT entity FROM audit_log WHERE site_id = 0")
            t.check(not lost, "every audit entry the routes wrote has a site or is group-wide",
                    lost)
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
