#!/usr/bin/env python3
"""Security and concurrency properties that a single request cannot show.

- secrets at rest: no password or bearer token in clear in the database files,
  nor any secret in the audit trail;
- session fixation: login never adopts a cookie the client brought;
- login throttling: repeated failures answer 429 with Retry-After, even for
  the right password while blocked; no user enumeration by login timing;
- security headers on every kind of answer (CSP with base-uri 'none' and
  form-action 'self'); over plain HTTP no HSTS and no Secure cookie;
- behind a trusted proxy declared as TLS (--trusted-proxy, --proxy-tls): the
  session cookie is __Host-cc_session with Secure, HSTS on every answer, and
  only the cookie of that name authenticates through the proxy;
- search: quotes cannot inject; wildcard-only q is an empty search;
- races: concurrent PATCHes with one If-Match (one wins, the rest 409),
  concurrent identical creates (one 201, the rest 422), concurrent converts
  of one consultation request (one 201, the rest 409);
- oversize URLs and query strings do not hurt the server;
- idle and half-sent connections do not starve the others.

    python3 tests/api/test_security.py --binary build/cellclinic [-v]
"""

import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SEC_HEADERS = {
    "Content-Security-Policy": lambda v: "default-src 'self'" in v and
    "frame-ancestors 'none'" in v and "base-uri 'none'" in v and "form-action 'self'" in v,
    "X-Content-Type-Options": lambda v: v == "nosniff",
    "Referrer-Policy": lambda v: v == "no-referrer",
    "X-Frame-Options": lambda v: v == "DENY",
}


def patient(fam, given="Ana", birth="1970-01-02", **extra):
    b = {"family_name": fam, "given_names": given, "birth_date": birth, "sex": "female",
         "language": "fr"}
    b.update(extra)
    return b


def concurrently(n, fn):
    """Runs fn(i) in n threads released together; returns the results in order."""
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


def statuses(results):
    return sorted(r.status if isinstance(r, harness.Response) else repr(r) for r in results)


def main():
    args = harness.parse_args()
    t = harness.Tally("security", verbose=args.verbose)
    try:
        with harness.Server(args.binary, keep=args.keep) as srv:
            shared_checks(srv, t)
            refused_reads(srv, t)
        with harness.Server(args.binary, keep=args.keep) as srv:
            throttling(srv, t)
        with harness.Server(args.binary, keep=args.keep,
                            serve_args=["--trusted-proxy", PROXY, "--proxy-tls"]) as srv:
            tls_proxy(srv, t)
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


def shared_checks(srv, t):
    # --- secrets at rest
    tid, tok = srv.new_token("coordinator", label="at-rest")
    s = srv.session("nurse")
    srv.request("GET", "/api/v1/session", role=s)
    blobs = srv.db_raw_bytes()
    t.check(harness.PASSWORD.encode() not in blobs, "no password in clear in the database files")
    t.check(tok.encode() not in blobs, "no bearer token in clear in the database files")
    t.check(s[1].encode() not in blobs, "no session cookie value in clear in the database files")

    # --- the audit trail (readable by qa) carries no secrets
    srv.request("POST", "/api/v1/users", {"username": "auditzed", "role": "nurse",
                                          "password": harness.PASSWORD}, role="admin")
    r = srv.request("GET", "/api/v1/audit?per_page=200", role="qa")
    text = r.body.decode("utf-8", "replace")
    leaks = [w for w in (harness.PASSWORD, tok, s[1], s[2], "$argon2", "password_hash",
                         "token_hash", "secret") if w in text]
    t.check(r.status == 200 and not leaks,
            "audit entries hold no password, hash of a password, token or session secret",
            leaks)

    r = srv.request("POST", "/api/v1/session", {"username": "nurse1",
                                                "password": harness.PASSWORD})
    cookies = r.headers_all("Set-Cookie")
    t.check(r.status == 200 and len(cookies) == 1 and cookies[0].startswith("cc_session=") and
            "secure" not in cookies[0].lower(),
            "over plain HTTP the session cookie is cc_session without Secure", cookies)

    # --- session fixation
    r = srv.request("POST", "/api/v1/session", {"username": "nurse1",
                                                "password": harness.PASSWORD},
                    headers={"Cookie": "cc_session=attackerchosenvalue0000000000000000"})
    cookies = [v.split(";")[0] for v in r.headers_all("Set-Cookie")]
    t.check(r.status in (200, 201) and cookies and
            all("attackerchosenvalue" not in c for c in cookies),
            "login issues a new session id, never the one the client sent", cookies)
    r = srv.request("GET", "/api/v1/session",
                    role=("cookie", "attackerchosenvalue0000000000000000"))
    t.check(r.status == 401, "the attacker's cookie value is not a session", r)

    # --- CSRF is about mutations only
    s = srv.session("coordinator")
    r = srv.request("GET", "/api/v1/patients", role=("cookie", s[1]))
    t.check(r.status == 200, "GET with the session cookie needs no CSRF header", r)
    for method, path, body in [("PATCH", "/api/v1/session/preferences", {"language": "fr"}),
                               ("POST", "/api/v1/tokens", None),
                               ("DELETE", "/api/v1/tokens/%s" % tid, None)]:
        if path == "/api/v1/tokens":
            continue  # public: login by password, no session involved
        before = srv.db_tables()
        r = srv.request(method, path, body, role=("cookie", s[1]))
        changed = harness.db_diff(before, srv.db_tables())
        t.check(r.status == 403 and changed == ["security_events"],
                "%s %s with the cookie and no CSRF header: 403, nothing changed but the "
                "security event" % (method, path), (r, changed))

    # --- security headers on every kind of answer
    big = "x" * (70 * 1024)
    probes = [
        ("GET /healthz", lambda: srv.request("GET", "/healthz")),
        ("GET / (web UI)", lambda: srv.request("GET", "/")),
        ("200 API", lambda: srv.request("GET", "/api/v1/patients", role="coordinator")),
        ("401", lambda: srv.request("GET", "/api/v1/patients")),
        ("403", lambda: srv.request("GET", "/api/v1/patients", role="analyst")),
        ("404", lambda: srv.request("GET", "/api/v1/nope", role="admin")),
        ("400", lambda: srv.request("POST", "/api/v1/patients", "{", role="coordinator")),
        ("413", lambda: srv.request("POST", "/api/v1/patients", {"x": big},
                                    role="coordinator")),
    ]
    for label, fn in probes:
        r = fn()
        missing = [h for h, ok in SEC_HEADERS.items()
                   if r.header(h) is None or not ok(r.header(h))]
        t.check(not missing, "security headers on %s (%d)" % (label, r.status),
                "missing or wrong: %s; headers %r" % (missing, r.headers))
        t.check(r.header("Strict-Transport-Security") is None,
                "no HSTS over plain HTTP on %s" % label, r.headers)
        if label not in ("GET /healthz", "GET / (web UI)"):
            t.check("no-store" in (r.header("Cache-Control") or ""),
                    "Cache-Control: no-store on API %s" % label, r.headers)

    # --- the web interface's files: revalidated, not reloaded, while unchanged
    first = srv.request("GET", "/app.js")
    tag = first.header("ETag")
    t.check(first.status == 200 and tag and tag.startswith('"') and len(tag) == 66
            and first.header("Cache-Control") == "no-cache", "a web file has a strong ETag and no-cache", first.headers)
    again = srv.request("GET", "/app.js", headers={"If-None-Match": tag})
    t.check(again.status == 304 and again.body == b"" and again.header("ETag") == tag
            and again.header("Content-Security-Policy") is not None,
            "the same ETag answers 304 with no body, security headers kept", (again.status, again.headers))
    other = srv.request("GET", "/app.js", headers={"If-None-Match": '"0000"'})
    t.check(other.status == 200 and other.body == first.body, "another ETag gets the file", other.status)
    t.check(srv.request("GET", "/ui.js").header("ETag") != tag, "each file has its own ETag")
    index = srv.request("GET", "/").body.decode("utf-8")
    named = re.search(r'<script type="module" src="(/v/[0-9a-f]{16}/)app\.js"></script>', index)
    t.check(named is not None and srv.request("GET", "/").header("Cache-Control") == "no-cache",
            "index.html (revalidated) names the scripts under the build's version", index[:800])
    prefix = named.group(1) if named else "/v/none/"
    t.check('<link rel="modulepreload" href="%sapp.js">' % prefix in index and "<!-- modulepreload -->" not in index
            and 'views/patients.js"' not in index and 'href="%sapp.css"' % prefix in index,
            "index.html preloads the scripts every page runs, not every view", index[:800])
    t.check('<link rel="preload" href="/api/v1/session" as="fetch" crossorigin>' in index
            and '<script type="application/json" id="module-deps">{' in index,
            "index.html asks for the session while the scripts load and lists each view's views", index[:1600])
    # under the version the files never change: kept without asking again
    lasting = srv.request("GET", prefix + "app.js")
    t.check(lasting.status == 200 and lasting.body == first.body
            and lasting.header("Cache-Control") == "public, max-age=31536000, immutable"
            and lasting.header("Content-Security-Policy") is not None,
            "a file under the build's version is immutable", lasting.headers)
    t.check(srv.request("GET", prefix + "i18n/en.json").header("Cache-Control")
            == "public, max-age=31536000, immutable", "so is a catalogue under it")
    # a page of an earlier build gets today's file, revalidated
    stale = srv.request("GET", "/v/0123456789abcdef/app.js")
    t.check(stale.status == 200 and stale.body == first.body and stale.header("Cache-Control") == "no-cache",
            "another version's path gets today's file with no-cache", stale.headers)

    # --- search treats its input literally
    for fam in ("Litteral", "Autre"):
        srv.request("POST", "/api/v1/patients", patient(fam), role="coordinator")
    total = srv.request("GET", "/api/v1/patients?per_page=1", role="coordinator").json["total"]
    t.check(total >= 2, "patients exist for the search checks", total)
    r = srv.request("GET", "/api/v1/patients?q=%27%20OR%20%271%27%3D%271", role="coordinator")
    t.check(r.status == 200 and r.json.get("total") == 0,
            "search q=\"' OR '1'='1\" matches nothing (no injection)", r)
    # Search folds punctuation away (text_fold), so a q made only of LIKE
    # wildcards or quotes is an empty search: everything or nothing, never a 5xx.
    for q, enc in [("%", "%25"), ("_", "_"), ("%%", "%25%25"), ("\"", "%22"), ("*", "*"),
                   ("\\", "%5C")]:
        r = srv.request("GET", "/api/v1/patients?q=" + enc, role="coordinator")
        t.check(r.status == 200 and r.json.get("total") in (0, total),
                "search q=%r answers 200 with nothing or everything" % q, r)
    # --- oversize URLs do not hurt
    for label, path in [("q of 10000 characters", "/api/v1/patients?q=" + "a" * 10000),
                        ("path of 100000 characters", "/api/v1/" + "p" * 100000),
                        ("page=99999999999999999999", "/api/v1/patients?page=99999999999999999999"),
                        ("page=-1", "/api/v1/patients?page=-1"),
                        ("per_page=0", "/api/v1/patients?per_page=0")]:
        try:
            r = srv.request("GET", path, role="coordinator")
            st = r.status
        except OSError as e:
            st = "connection error %s" % e
        t.check(isinstance(st, int) and 400 <= st < 500 or st == 200,
                "%s answers 200 or 4xx, never 5xx" % label, st)
        t.check(srv.proc.poll() is None, "server alive after %s" % label)
    r = srv.request("GET", "/api/v1/patients?page=-1", role="coordinator")
    t.check(r.status == 400 and (r.error() or {}).get("field") == "page",
            "page=-1 answers 400 naming page", r)

    # --- a chunked body cannot slip past the size limit
    import socket
    tokc = srv.token("coordinator")
    for total_kib in (70, 1024):
        before = srv.db_tables()
        payload = b'{"family_name": "Chunk", "given_names": "Ana", "birth_date": "1970-01-02", ' \
                  b'"sex": "female", "language": "fr", "address": "' + b"y" * (total_kib * 1024) + \
                  b'"}'
        st = None
        try:
            c = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            c.sendall(b"POST /api/v1/patients HTTP/1.1\r\nHost: x\r\n"
                      b"Authorization: Bearer " + tokc.encode() + b"\r\n"
                      b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            try:
                for i in range(0, len(payload), 8192):
                    part = payload[i:i + 8192]
                    c.sendall(b"%x\r\n" % len(part) + part + b"\r\n")
                c.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # the server may answer and close early
            data = b""
            while True:
                try:
                    chunk = c.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
                if b"\r\n\r\n" in data and len(data) > 200:
                    break
            c.close()
            first = data.split(b"\r\n", 1)[0].split()
            st = int(first[1]) if len(first) > 1 else None
        except OSError as e:
            st = repr(e)
        t.check(st == 413 and not harness.db_diff(before, srv.db_tables()),
                "a chunked body of %d KiB answers 413 and writes nothing" % total_kib, st)
        t.check(srv.proc.poll() is None, "server alive after a chunked %d KiB body" % total_kib)

    # --- races
    r = srv.request("POST", "/api/v1/patients", patient("Course"), role="coordinator")
    pid = r.json["id"]
    for role in ("coordinator", "physician", "admin"):
        srv.token(role)
    res = concurrently(8, lambda i: srv.request(
        "PATCH", "/api/v1/patients/%s" % pid, {"phone": "+33 1 00 00 00 %02d" % i,
                                                       "reason": "correction"},
        role=("coordinator", "physician", "admin")[i % 3], headers={"If-Match": '"1"'}))
    st = statuses(res)
    t.check(st.count(200) == 1 and st.count(409) == 7,
            "8 concurrent PATCHes with If-Match \"1\": one 200, seven 409", st)
    r = srv.request("GET", "/api/v1/patients/%s" % pid, role="coordinator")
    t.check(r.json.get("version") == 2, "after the race the version is 2", r)

    res = concurrently(8, lambda i: srv.request(
        "POST", "/api/v1/patients", patient("Jumeau", "Paul", "1999-09-09"),
        role="coordinator"))
    st = statuses(res)
    t.check(st.count(201) == 1 and st.count(422) == 7,
            "8 concurrent identical creates: one 201, seven 422 possible_duplicate (H8)", st)
    r = srv.request("GET", "/api/v1/patients?q=Jumeau", role="coordinator")
    t.check(r.json.get("total") == 1, "exactly one Jumeau exists", r)

    r = srv.request("POST", "/api/v1/consultation-requests",
                    {"name": "Race Request", "email": "race@example.org",
                     "condition": "Stroke", "language": "fr", "birth_date": "1980-08-08",
                     "consent": True})
    rid = r.json["id"]
    before = srv.request("GET", "/api/v1/patients?per_page=1", role="coordinator").json["total"]
    res = concurrently(6, lambda i: srv.request(
        "POST", "/api/v1/consultation-requests/%s/convert" % rid,
        {"family_name": "Race", "given_names": "Request", "sex": "male",
         "confirm_duplicate": True}, role=("coordinator", "admin")[i % 2]))
    st = statuses(res)
    t.check(st.count(201) == 1 and st.count(409) == 5,
            "6 concurrent converts of one request: one 201, five 409", st)
    after = srv.request("GET", "/api/v1/patients?per_page=1", role="coordinator").json["total"]
    t.check(after == before + 1, "the concurrent converts created exactly one patient",
            (before, after))
    r = harness.run_cli(srv.binary, ["audit", "verify", "--data", srv.data])
    t.check(r.returncode == 0, "audit chain intact after the races", r.stdout + r.stderr)

    # --- idle and half-sent connections do not starve the others (slowloris)
    import socket
    import time
    socks = []
    try:
        for i in range(150):
            # from another address: one address has its own connection limit
            c = socket.create_connection(("127.0.0.1", srv.port), timeout=5,
                                         source_address=("127.0.0.2", 0))
            if i % 2:
                c.sendall(b"GET /api/v1/patients HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            socks.append(c)
        t0 = time.time()
        try:
            r = srv.request("GET", "/healthz", timeout=5)
            ok = r.status == 200
        except OSError as e:
            ok = False
            r = e
        t.check(ok and time.time() - t0 < 3,
                "with 150 idle or half-sent connections, /healthz still answers", r)
        try:
            r = srv.request("GET", "/api/v1/patients?per_page=1", role="coordinator", timeout=5)
            ok = r.status == 200
        except OSError as e:
            ok, r = False, e
        t.check(ok, "with 150 idle or half-sent connections, the API still answers", r)
    finally:
        for c in socks:
            c.close()


def refused_reads(srv, t):
    """A patient's read fetches the record with the credential's lookup (one round
    trip on PostgreSQL): a refused credential still sees nothing of it, and the
    access log records only the reads answered."""
    import test_access_log as tal
    r = srv.request("POST", "/api/v1/patients", patient("Refusedread"), role="coordinator")
    pid = (r.json or {}).get("id")
    path = "/api/v1/patients/%s" % pid
    seq = tal.last_seq(srv)
    tid, tok = srv.new_token("nurse", label="refused")
    s = srv.session("nurse")
    for who in (("token", tok), s):
        r = srv.request("GET", path, role=who)
        t.check(r.status == 200 and r.json["family_name"] == "Refusedread",
                "%s: the patient reads" % who[0], r)
    srv.request("DELETE", "/api/v1/tokens/%s" % tid, role=("token", tok))
    srv.request("DELETE", "/api/v1/session", role=s)
    for who, what in ((("token", tok), "a revoked token"), (s, "a logged-out session"),
                      (("token", "ab" * (len(tok) // 2)), "an unknown token"),
                      ("analyst", "a role that may not read records")):
        r = srv.request("GET", path, role=who)
        t.check(r.status in (401, 403) and b"Refusedread" not in r.body,
                "%s reads nothing of the patient (%s)" % (what, r.status), r)
    time.sleep(0.3)  # the access log's writer flushes every 50 ms
    logged = [row[2] for row in tal.rows_since(srv, seq, "/api/v1/patients/{id}")]
    t.check(logged == [pid, pid], "the access log has the two reads answered, no other",
            logged)


def throttling(srv, t):
    # --- no user enumeration by timing: an unknown user costs a password check too
    import time
    known, unknown = [], []
    for i, u in enumerate(["nurse1", "nobody-a", "lab1", "nobody-b", "analyst1", "nobody-c"]):
        t0 = time.monotonic()
        r = srv.request("POST", "/api/v1/session", {"username": u, "password": "wrong"})
        (known if i % 2 == 0 else unknown).append(time.monotonic() - t0)
    known.sort()
    unknown.sort()
    t.check(unknown[1] >= 0.5 * known[1],
            "a login of an unknown user takes as long as a wrong password (%.0f vs %.0f ms)" % (
                unknown[1] * 1000, known[1] * 1000))

    # --- login throttling (fresh server: it blocks the address too)
    got = None
    for i in range(1, 41):
        r = srv.request("POST", "/api/v1/session", {"username": "qa1", "password": "wrong%d" % i})
        if r.status == 429:
            got = (i, r)
            break
        if r.status != 401:
            t.fail("failed login %d answers 401" % i, r)
            break
    t.check(got is not None, "repeated failed logins end in 429 (within 40 attempts)")
    if got:
        i, r = got
        ra = r.header("Retry-After")
        t.check(ra is not None and ra.isdigit() and int(ra) > 0,
                "429 after %d failures carries Retry-After (%r)" % (i - 1, ra))
        t.check(harness.is_error_shape(r), "429 has the error object", r)
        r = srv.request("POST", "/api/v1/session", {"username": "qa1",
                                                    "password": harness.PASSWORD})
        t.check(r.status == 429 and not r.headers_all("Set-Cookie"),
                "while blocked, even the right password answers 429 and no session", r)
        r = srv.request("POST", "/api/v1/tokens", {"username": "qa1",
                                                   "password": harness.PASSWORD,
                                                   "label": "bypass"})
        t.check(r.status == 429, "while blocked, POST /api/v1/tokens answers 429 too", r)
        # The throttle's counts are the database's: a second server on the same store
        # and a restarted one go on refusing. A name without an account, so that
        # only the throttle (not the account's lockout) refuses it.
        ghost = {"username": "nobody-throttled", "password": "wrong"}
        blocked = None
        for i in range(1, 11):
            r = srv.request("POST", "/api/v1/session", ghost)
            if r.status == 429:
                blocked = i
                break
        t.check(blocked is not None, "an unknown name is throttled too (within 10 attempts)")
        other = harness.Server(srv.binary, data_dir=srv.data)
        try:
            other.start()
            r = other.request("POST", "/api/v1/session", ghost)
            t.check(r.status == 429, "a second server on the same store throttles it too", r)
        finally:
            other.stop()
        srv.restart()
        r = srv.request("POST", "/api/v1/session", ghost)
        t.check(r.status == 429, "a restarted server remembers the throttle", r)


PROXY = "127.0.0.2"


def tls_proxy(srv, t):
    user = harness.user_of("nurse")
    body = {"username": user, "password": harness.PASSWORD}
    r = srv.request("POST", "/api/v1/session", body, source=PROXY,
                    headers={"X-Forwarded-For": "203.0.113.5"})
    cookies = r.headers_all("Set-Cookie")
    parts = [p.strip() for p in cookies[0].split(";")] if len(cookies) == 1 else []
    t.check(r.status == 200 and parts and parts[0].startswith("__Host-cc_session=") and
            "Secure" in parts and "Path=/" in parts and "HttpOnly" in parts and
            not any(p.lower().startswith("domain=") for p in parts),
            "through the TLS proxy the cookie is __Host-cc_session; Secure; Path=/; no Domain",
            cookies)
    t.check(r.header("Strict-Transport-Security") == "max-age=31536000",
            "through the TLS proxy the login answer has HSTS max-age=31536000", r.headers)
    secret = parts[0].split("=", 1)[1] if parts else ""
    csrf = (r.json or {}).get("csrf", "")
    for label, path in [("/healthz", "/healthz"), ("a page", "/"),
                        ("a 404", "/api/v1/nope")]:
        r = srv.request("GET", path, source=PROXY)
        missing = [h for h, ok in SEC_HEADERS.items()
                   if r.header(h) is None or not ok(r.header(h))]
        t.check(r.header("Strict-Transport-Security") == "max-age=31536000" and not missing,
                "through the TLS proxy %s has HSTS and the security headers" % label, r.headers)
    r = srv.request("GET", "/api/v1/session", source=PROXY,
                    headers={"Cookie": "__Host-cc_session=" + secret})
    t.check(r.status == 200 and (r.json or {}).get("user", {}).get("username") == user,
            "the server accepts the cookie under the name it set (__Host-cc_session)", r)
    r = srv.request("GET", "/api/v1/session", source=PROXY,
                    headers={"Cookie": "cc_session=" + secret})
    t.check(r.status == 401,
            "through the TLS proxy the plain cc_session name is not a session", r)
    r = srv.request("POST", "/api/v1/session", body)
    cookies = r.headers_all("Set-Cookie")
    t.check(r.status == 200 and len(cookies) == 1 and cookies[0].startswith("cc_session=") and
            "secure" not in cookies[0].lower() and
            r.header("Strict-Transport-Security") is None,
            "a direct login (not through the proxy) gets cc_session without Secure or HSTS",
            (cookies, r.headers))
    r = srv.request("DELETE", "/api/v1/session", source=PROXY,
                    headers={"Cookie": "__Host-cc_session=" + secret, "X-CSRF-Token": csrf})
    cookies = r.headers_all("Set-Cookie")
    t.check(r.status == 200 and len(cookies) == 1 and
            cookies[0].startswith("__Host-cc_session=;") and "Secure" in cookies[0],
            "logout through the TLS proxy clears __Host-cc_session (Secure)", cookies)


if __name__ == "__main__":
    sys.exit(main())
