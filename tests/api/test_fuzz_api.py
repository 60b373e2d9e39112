#!/usr/bin/env python3
"""Seeded random inputs against the running server: bodies and credentials.

For every mutating endpoint of test_bad_input.ENDPOINTS, --per-endpoint
random mutations of a valid body (values of random types, random keys, deep
nesting, huge numbers, control characters, byte-level corruption of the JSON
text, duplicate keys). Then random Authorization / Cookie / If-Match headers
on every route. Each answer must be below 500 (or 503 never, the disk is
fine), the server must stay alive, and a 4xx must carry the error object and
leave the database unchanged. A failing input is printed with the seed.

    python3 tests/api/test_fuzz_api.py --binary build/cellclinic [--seed S] [--per-endpoint N]
"""

import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_bad_input as tbi  # noqa: E402
import test_routes  # noqa: E402

MAX_REPORTS = 8


def rand_string(rng):
    kind = rng.randrange(8)
    if kind == 0:
        return ""
    if kind == 1:
        return "".join(chr(rng.randrange(0, 32)) for _ in range(rng.randrange(1, 6)))
    if kind == 2:
        return "".join(chr(rng.randrange(0x80, 0x3000)) for _ in range(rng.randrange(1, 40)))
    if kind == 3:
        return "x" * rng.choice([99, 100, 101, 199, 200, 201, 254, 255, 400, 401, 1000,
                                 1001, 4000, 4001, 20000])
    if kind == 4:
        return rng.choice(["2026-02-29", "2024-02-29", "1900-01-01", "1899-12-31", "9999-12-31",
                           "0000-00-00", "2026-11-22T00:00:00Z", "S14.1", "Z99.9999", "A00",
                           "fr", "en", "female", "admin", "NaN", "-0", "1e309", "null", "true",
                           "\ud7ff", "\ue000", "\U0001f600", "\u00e9\u0301", "'; DROP TABLE x;--",
                           "%s%n%x", "${jndi:x}", "<script>alert(1)</script>", "../../etc/passwd"])
    if kind == 5:
        return "".join(chr(rng.randrange(0x20, 0x7f)) for _ in range(rng.randrange(1, 60)))
    if kind == 6:
        return "\U0001f600" * rng.randrange(1, 120)
    return "a" + "\u0301" * rng.randrange(1, 300)  # combining marks


def rand_value(rng, depth=0):
    kind = rng.randrange(10 if depth < 3 else 7)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 1, 2**31 - 1, 2**31, 2**53 + 1, -2**63, 2**63, 2**64,
                           10**30, rng.randrange(-10**6, 10**6)])
    if kind == 3:
        return rng.choice([0.0, -0.0, 0.5, 0.4999, 400.0, 400.0001, 1e-300, 1e300, 61.5,
                           rng.uniform(-1e6, 1e6)])
    if kind in (4, 5, 6):
        return rand_string(rng)
    if kind in (7, 8):
        return [rand_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    return {rand_string(rng)[:20]: rand_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))}


def mutate(rng, ep, base):
    """Returns bytes: a mutated body."""
    b = dict(base)
    names = list(ep.fields) or ["x"]
    op = rng.randrange(7)
    if op <= 2:
        for _ in range(rng.randrange(1, 3)):
            b[rng.choice(names)] = rand_value(rng)
    elif op == 3:
        if b:
            b.pop(rng.choice(list(b)))
        b[rand_string(rng)[:30] or ""] = rand_value(rng)
    elif op == 4:
        v = rand_value(rng)
        for _ in range(rng.randrange(1, 400)):
            v = [v] if rng.random() < 0.5 else {"k": v}
        b[rng.choice(names)] = v
    text = json.dumps(b, ensure_ascii=rng.random() < 0.5).encode("utf-8")
    if op == 5:
        t = bytearray(text)
        for _ in range(rng.randrange(1, 6)):
            if not t:
                break
            i = rng.randrange(len(t))
            what = rng.randrange(3)
            if what == 0:
                t[i] = rng.randrange(256)
            elif what == 1:
                del t[i]
            else:
                t.insert(i, rng.randrange(256))
        text = bytes(t)
    elif op == 6 and b:
        k = rng.choice(list(b))
        text = text[:-1] + b', ' + json.dumps(k).encode() + b': ' + \
            json.dumps(rand_value(rng)).encode() + b'}'
    return text


class Fuzz:
    def __init__(self, srv, t, seed):
        self.srv = srv
        self.t = t
        self.seed = seed
        self.reports = 0
        self.kinds = {}

    def report(self, what, detail, signature=None):
        """Prints the first failure of each kind; counts them all."""
        self.reports += 1
        sig = signature or what
        self.kinds[sig] = self.kinds.get(sig, 0) + 1
        if self.kinds[sig] == 1 and len(self.kinds) <= MAX_REPORTS:
            self.t.fail(what, detail)
        else:
            self.t.failed += 1

    def summary(self):
        for sig, n in sorted(self.kinds.items(), key=lambda kv: -kv[1]):
            print("  %5d x %s" % (n, sig))

    def alive(self, what):
        if self.srv.proc is not None and self.srv.proc.poll() is None:
            return True
        self.report("server died after %s" % what, self.srv.log_text()[-800:],
                    signature="server died (%s)" % what.split(" with ")[0].split(" #")[0])
        self.srv.proc = None
        self.srv.start()
        return False


def bodies(fz, run, per_endpoint):
    rng = random.Random(fz.seed)
    for ep in tbi.ENDPOINTS:
        ok = 0
        for i in range(per_endpoint):
            body = mutate(rng, ep, ep.valid(10**6 + i))
            what = "%s #%d (seed %d)" % (ep.name, i, fz.seed)
            try:
                r, changed = run.send(ep, body)
            except (OSError, harness.CommandError) as e:
                fz.alive(what)
                fz.report("%s: connection error" % what, "%r\nsent: %r" % (e, body[:300]))
                continue
            if ep.path == "/api/v1/session/password" and r.status == 200:
                # a random body may be a valid change: later logins need the new password
                fz.srv.passwords[harness.user_of(ep.role)] = json.loads(body)["new_password"]
            problems = []
            if r.status >= 500 or r.status == 0:
                problems.append("status %d" % r.status)
            if r.status >= 400 and not harness.is_error_shape(r):
                problems.append("no error object")
            if r.status >= 400 and changed:
                problems.append("database changed (%s)" % ", ".join(changed))
            if not fz.alive(what):
                problems.append("server died")
            if problems:
                fz.report(what, "%s\nsent: %r\nanswer: %r" % ("; ".join(problems), body[:300], r),
                          signature="bodies: %s -> %d %s" % ("; ".join(problems), r.status,
                                                              r.body[:40]))
            else:
                ok += 1
        fz.t.check(ok == per_endpoint, "%s: %d random bodies handled" % (ep.name, per_endpoint),
                   "%d of %d" % (ok, per_endpoint))
        if CREDENTIAL_FIELDS & set(ep.fields) or ep.path == "/api/v1/mfa/policy":
            reset_login_state(fz.srv)


# Fields that carry the caller's password: random values fail the check, and
# five failures lock the account and throttle its name (both kept in the
# database) for 15 minutes, which would refuse the next endpoint's token.
CREDENTIAL_FIELDS = {"password", "current_password"}


def reset_login_state(srv):
    """Lockout and the second factor are tested elsewhere
    (test_account_security.py, test_mfa.py): here each endpoint starts with no
    failed password counted and with the harness's password-only logins (a
    random valid body of PUT /mfa/policy may have required an authenticator)."""
    srv.stop()
    srv.db_exec("DELETE FROM login_failures")
    srv.db_exec("DELETE FROM rate_limits")
    r = srv.cli("mfa", "require", "--data", srv.data, "--role", ",".join(harness.ROLES),
                "--required", "no")
    if r.returncode != 0:
        raise harness.CommandError("cellclinic mfa require failed: %s" % r.stderr)
    srv.start()


def headers(fz, per_route):
    rng = random.Random(fz.seed + 1)
    srv = fz.srv
    rows = test_routes.parse_api_md()
    real = srv.token("nurse")

    def cred():
        k = rng.randrange(9)
        if k == 0:
            return {"Authorization": "Bearer " + "".join(rng.choice("0123456789abcdef")
                                                        for _ in range(len(real)))}
        if k == 1:
            return {"Authorization": "Bearer " + real[:rng.randrange(len(real))]}
        if k == 2:
            return {"Authorization": rng.choice(["Bearer", "Bearer ", "Basic YTpi", "bearer " + real,
                                                 "Bearer  " + real, "Bearer " + real + " x",
                                                 "Bearer " + "z" * 5000])}
        if k == 3:
            return {"Cookie": "cc_session=" + "".join(rng.choice("0123456789abcdef")
                                                      for _ in range(rng.choice([0, 10, 43, 64,
                                                                                 128])))}
        if k == 4:
            return {"Cookie": rng.choice(["cc_session", "cc_session=;", "a=b; cc_session=x; "
                                          "cc_session=y", "cc_session=" + "%" * 100])}
        if k == 5:
            return {"If-Match": rng.choice(['"', '""', '"-1"', '"99999999999999999999"', "*",
                                            'W/"1"', '"1", "2"', "1"])}
        if k == 6:
            return {"X-CSRF-Token": rand_string(rng)[:100].encode("utf-8", "replace")
                    .decode("latin-1", "replace")}
        if k == 7:
            return {"Authorization": "Bearer " + real}
        return {}
    for method, path, roles in rows:
        ok = 0
        for i in range(per_route):
            p = path.replace("{id}", str(rng.choice([1, 2, 999999])))
            h = cred()
            body = b"{}" if method in ("POST", "PATCH", "PUT") else None
            if body is not None:
                h["Content-Type"] = "application/json"
            what = "%s %s with %r (seed %d)" % (method, path, {k: v[:80] for k, v in h.items()},
                                                fz.seed)
            try:
                r = srv.raw(method, p, body, h)
            except (OSError, UnicodeEncodeError, ValueError) as e:
                if isinstance(e, (UnicodeEncodeError, ValueError)):  # http.client refuses it
                    ok += 1
                    continue
                fz.alive(what)
                fz.report(what + ": connection error", repr(e),
                          signature="headers: connection error on %s %s" % (method, path))
                continue
            if r.status >= 500 or not fz.alive(what):
                fz.report(what, r, signature="headers: %d on %s %s" % (r.status, method, path))
            else:
                ok += 1
        fz.t.check(ok == per_route, "%s %s: %d random credential headers handled" % (
            method, path, per_route), "%d of %d" % (ok, per_route))


def main():
    def extra(p):
        p.add_argument("--seed", type=int, default=None,
                       help="default: a fixed seed, so CTest runs are reproducible; "
                            "pass other seeds to explore")
        p.add_argument("--per-endpoint", type=int, default=150)
    args = harness.parse_args(extra)
    seed = 20261122 if args.seed is None else args.seed
    print("fuzz seed %d" % seed)
    t = harness.Tally("fuzz", verbose=args.verbose)
    try:
        with harness.Server(args.binary, keep=args.keep) as srv:
            fz = Fuzz(srv, t, seed)
            run = tbi.Run(srv, t, args.verbose)
            run.fixtures()
            bodies(fz, run, args.per_endpoint)
            headers(fz, max(10, args.per_endpoint // 5))
            if fz.kinds:
                print("failures by kind:")
                fz.summary()
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
