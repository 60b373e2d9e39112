#!/usr/bin/env python3
"""Runs every tests/cases/NNNN-name file against a real server.

Format: tests/cases/FORMAT.md.  Usage:
    python3 tests/api/test_cases.py --binary build/cellclinic [--only TEXT] [-v]
"""

import datetime
import json
import os
import re
import string
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CASES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cases")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
STEP_RE = re.compile(r"^(%s)\s+(\S+)(.*)$" % "|".join(METHODS))
HEADER_RE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*):\s?(.*)$")
VAR_RE = re.compile(r"\$\{([A-Za-z0-9_:-]+)\}")


class CaseError(Exception):
    pass


class Step:
    def __init__(self, method, path, opts, lineno):
        self.method = method
        self.path = path
        self.who = "none"
        self.statuses = None
        self.saves = []
        self.headers = []
        self.body_lines = []
        self.lineno = lineno
        toks = opts.split()
        i = 0
        while i < len(toks):
            t = toks[i]
            if t == "as" and i + 1 < len(toks):
                self.who = toks[i + 1]
                i += 2
            elif t == "->" and i + 1 < len(toks):
                self.statuses = [int(s) for s in toks[i + 1].split("|")]
                i += 2
            elif t == "save" and i + 1 < len(toks) and "=" in toks[i + 1]:
                name, src = toks[i + 1].split("=", 1)
                self.saves.append((name, src))
                i += 2
            else:
                raise CaseError("line %d: cannot understand %r" % (lineno, t))

    def body(self):
        lines = list(self.body_lines)
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        return "\n".join(lines) if lines else None


class Case:
    def __init__(self, path):
        self.path = path
        self.file = os.path.basename(path)
        self.name = None
        self.fresh = False
        self.setup = []
        self.request = None
        self.status = None
        self.db = None
        self.expect_headers = []
        self.expect_json = None
        self._parse()

    def _parse(self):
        with open(self.path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        section = None
        step = None
        in_body = False
        json_lines = None
        requests = []
        for n, line in enumerate(lines, 1):
            if line.startswith("== "):
                section = line[3:].strip()
                if section not in ("setup", "request", "expect"):
                    raise CaseError("line %d: unknown section %r" % (n, section))
                step = None
                continue
            if section is None:
                if not line.strip() or line.startswith("#"):
                    continue
                m = HEADER_RE.match(line)
                if not m:
                    raise CaseError("line %d: expected 'key: value'" % n)
                k, v = m.group(1), m.group(2).strip()
                if k == "name":
                    self.name = v
                elif k == "server":
                    self.fresh = v == "fresh"
                else:
                    raise CaseError("line %d: unknown key %r" % (n, k))
                continue
            if section in ("setup", "request"):
                m = STEP_RE.match(line)
                if m:
                    step = Step(m.group(1), m.group(2), m.group(3), n)
                    in_body = False
                    (self.setup if section == "setup" else requests).append(step)
                    continue
                if step is None:
                    if not line.strip() or line.startswith("#"):
                        continue
                    raise CaseError("line %d: expected 'METHOD PATH ...'" % n)
                if not in_body:
                    if line.startswith("#"):
                        continue
                    hm = HEADER_RE.match(line)
                    if hm and not line.startswith(("{", "[", '"')):
                        step.headers.append((hm.group(1), hm.group(2)))
                        continue
                    if not line.strip():
                        continue
                    in_body = True
                step.body_lines.append(line)
                continue
            # expect
            if json_lines is not None:
                json_lines.append(line)
                continue
            if not line.strip() or line.startswith("#"):
                continue
            if line.strip() == "json:":
                json_lines = []
                continue
            if line.startswith("status:"):
                self.status = [int(s) for s in line.split(":", 1)[1].strip().split("|")]
            elif line.startswith("db:"):
                self.db = line.split(":", 1)[1].strip()
                if self.db not in ("unchanged", "changed"):
                    raise CaseError("line %d: db must be unchanged or changed" % n)
            elif line.startswith("header "):
                hm = HEADER_RE.match(line[len("header "):])
                if not hm:
                    raise CaseError("line %d: expected 'header NAME: VALUE'" % n)
                self.expect_headers.append((hm.group(1), hm.group(2).strip()))
            else:
                raise CaseError("line %d: unknown expectation %r" % (n, line))
        if json_lines is not None:
            self.expect_json_text = "\n".join(json_lines)
        else:
            self.expect_json_text = None
        if not self.name:
            raise CaseError("no 'name:'")
        if len(requests) != 1:
            raise CaseError("need exactly one step in '== request', found %d" % len(requests))
        self.request = requests[0]
        if not self.status:
            raise CaseError("no 'status:' in '== expect'")


def audit_count(srv):
    try:
        return srv.db_query("SELECT count(*) FROM audit_log")[0][0]
    except Exception:  # no such table: not checked
        return None


def uniq_letters(n):
    out = ""
    for _ in range(5):
        out = string.ascii_lowercase[n % 26] + out
        n //= 26
    return "Q" + out


class Runner:
    def __init__(self, args):
        self.args = args
        self.tally = harness.Tally("cases", verbose=args.verbose)
        self.counter = 0
        self.run_id = os.getpid() % 1000

    def subst_text(self, text, env):
        def rep(m):
            k = m.group(1)
            if k not in env:
                raise CaseError("unknown variable ${%s}" % k)
            return str(env[k])
        return VAR_RE.sub(rep, text)

    def subst_json_text(self, text, env):
        def rep_whole(m):
            k = m.group(1)
            if k not in env:
                raise CaseError("unknown variable ${%s}" % k)
            return json.dumps(env[k])
        text = re.sub(r'"\$\{([A-Za-z0-9_:-]+)\}"', rep_whole, text)

        def rep(m):
            k = m.group(1)
            if k not in env:
                raise CaseError("unknown variable ${%s}" % k)
            v = env[k]
            return json.dumps(str(v))[1:-1]
        return VAR_RE.sub(rep, text)

    def identity(self, srv, who):
        if who == "none":
            return None
        if who in harness.ROLES:
            return who
        kind, _, rest = who.partition(":")
        if kind == "login":
            return srv.session(rest)
        if kind == "login-nocsrf":
            s = srv.session(rest)
            return ("cookie", s[1])
        if kind == "bearer":
            return ("token", rest)
        if kind == "session":
            c, _, x = rest.partition(":")
            return ("session", c, x)
        if kind == "cookie":
            return ("cookie", rest)
        raise CaseError("unknown identity %r" % who)

    def send(self, srv, step, env):
        return self.fire(srv, self.prepare(srv, step, env))

    def fire(self, srv, prepared):
        method, path, body, headers = prepared
        return srv.raw(method, path, body, headers)

    def prepare(self, srv, step, env):
        """Resolves variables and credentials (logging in if needed) without sending."""
        path = self.subst_text(step.path, env)
        who = self.subst_text(step.who, env)
        headers = {}
        body = step.body()
        if body is not None:
            body = self.subst_json_text(body, env)
            headers["Content-Type"] = "application/json"
        for k, v in step.headers:
            headers[k] = self.subst_text(v, env)
        headers.update(srv.auth_headers(self.identity(srv, who)))
        return (step.method, path, body.encode("utf-8") if body is not None else None,
                headers)

    def save(self, step, r, env):
        for name, src in step.saves:
            if src.startswith("header:"):
                v = r.header(src[len("header:"):])
                if v is None:
                    raise CaseError("line %d: no header %s to save" % (step.lineno, src))
                env[name] = v
            elif src.startswith("cookie:"):
                want = src[len("cookie:"):]
                v = None
                for h in r.headers_all("Set-Cookie"):
                    first = h.split(";", 1)[0].strip()
                    if first.startswith(want + "="):
                        v = first[len(want) + 1:]
                if v is None:
                    raise CaseError("line %d: no cookie %s to save" % (step.lineno, want))
                env[name] = v
            else:
                cur = r.json
                for part in src.split("."):
                    if isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
                        cur = cur[int(part)]
                    elif isinstance(cur, dict) and part in cur:
                        cur = cur[part]
                    else:
                        raise CaseError("line %d: nothing at %s in %r" % (step.lineno, src, r))
                env[name] = cur

    def env_for(self, case):
        self.counter += 1
        today = datetime.datetime.now(datetime.timezone.utc).date()
        env = {
            "uniq": uniq_letters(self.run_id * 10000 + self.counter),
            "uniq_lc": uniq_letters(self.run_id * 10000 + self.counter).lower(),
            "password": harness.PASSWORD,
            "today": today.isoformat(),
            "yesterday": (today - datetime.timedelta(days=1)).isoformat(),
            "tomorrow": (today + datetime.timedelta(days=1)).isoformat(),
        }
        for role in harness.ROLES:
            env["user:" + role] = harness.user_of(role)
        return env

    def run_case(self, srv, case):
        env = self.env_for(case)
        for i, step in enumerate(case.setup, 1):
            r = self.send(srv, step, env)
            ok = r.status in step.statuses if step.statuses else 200 <= r.status < 300
            if not ok:
                return "setup step %d (line %d, %s %s) answered %r, wanted %s" % (
                    i, step.lineno, step.method, step.path, r,
                    step.statuses or "2xx")
            self.save(step, r, env)
        prepared = self.prepare(srv, case.request, env)
        before = srv.db_tables() if case.db else None
        audit_before = audit_count(srv)
        r = self.fire(srv, prepared)
        problems = []
        # DESIGN 4: every mutation commits with its audit entry
        if case.request.method in ("POST", "PUT", "PATCH", "DELETE") and \
                200 <= r.status < 300 and audit_before is not None:
            if audit_count(srv) <= audit_before:
                problems.append("a successful %s wrote no audit entry" % case.request.method)
        if r.status not in case.status:
            problems.append("status %d, wanted %s" % (r.status, "|".join(map(str, case.status))))
        if case.db:
            after = srv.db_tables()
            changed = [t for t in harness.db_diff(before, after)
                       if t not in harness.SECURITY_BOOKKEEPING]
            if case.db == "unchanged" and changed:
                problems.append("database changed (tables: %s)" % ", ".join(changed))
            if case.db == "changed" and not changed:
                problems.append("database did not change")
        for name, want in case.expect_headers:
            want = self.subst_text(want, env)
            vals = r.headers_all(name)
            if want == "*absent":
                if vals:
                    problems.append("header %s must be absent, got %r" % (name, vals))
                continue
            if not vals:
                problems.append("header %s missing" % name)
                continue
            if not any(harness.json_match(want, v) is None for v in vals):
                problems.append("header %s: %r does not match %r" % (name, vals, want))
        if case.expect_json_text is not None:
            text = self.subst_json_text(case.expect_json_text, env)
            try:
                expected = json.loads(text)
            except ValueError as e:
                raise CaseError("expected JSON does not parse: %s" % e)
            if r.json is None and r.body.strip() != b"null":
                problems.append("answer is not JSON: %r" % r)
            else:
                m = harness.json_match(expected, r.json)
                if m:
                    problems.append("JSON: " + m)
        if problems:
            return "; ".join(problems) + "\n       answer: %r" % r
        return None

    def run(self, cases):
        shared = None
        try:
            for case in cases:
                if isinstance(case, tuple):
                    self.tally.fail(case[0], "bad case file: %s" % case[1])
                    continue
                label = "%s (%s)" % (case.file, case.name)
                try:
                    if case.fresh:
                        with harness.Server(self.args.binary, verbose=self.args.verbose,
                                            keep=self.args.keep) as srv:
                            err = self.run_case(srv, case)
                    else:
                        if shared is None:
                            shared = harness.Server(self.args.binary,
                                                    verbose=self.args.verbose,
                                                    keep=self.args.keep).__enter__()
                        err = self.run_case(shared, case)
                except CaseError as e:
                    err = "case error: %s" % e
                except harness.CommandError as e:
                    err = "harness: %s" % e
                except OSError as e:
                    err = "connection error: %r" % e
                except Exception as e:  # a crash of the runner is a failure, not an abort
                    err = "runner exception: %s\n%s" % (e, traceback.format_exc())
                if shared is not None and shared.proc is not None and \
                        shared.proc.poll() is not None:
                    err = (err or "") + "\n       server died (exit %s); log:\n%s" % (
                        shared.proc.returncode, shared.log_text())
                    shared.stop()
                    shared.cleanup()
                    shared = None
                self.tally.check(err is None, label, err)
        finally:
            if shared is not None:
                shared.__exit__(None, None, None)
        return self.tally.finish()


def load_cases(only):
    out = []
    for f in sorted(os.listdir(CASES_DIR)):
        if not re.match(r"^\d{4}[a-z]?-", f):
            continue
        if only and only not in f:
            continue
        try:
            out.append(Case(os.path.join(CASES_DIR, f)))
        except (CaseError, ValueError) as e:
            out.append((f, str(e)))
    return out


def main():
    args = harness.parse_args(lambda p: p.add_argument("--only", default=None))
    cases = load_cases(args.only)
    return Runner(args).run(cases)


if __name__ == "__main__":
    sys.exit(main())
