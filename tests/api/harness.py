"""harness: run a real cellclinic server for the API tests.

Python 3 standard library only. A test file does:

    import harness
    args = harness.parse_args()              # --binary PATH [--verbose] [--keep]
    with harness.Server(args.binary) as srv:  # fresh data dir, one user per role
        r = srv.request("GET", "/healthz")
        r = srv.request("POST", "/api/v1/patients", {"...": 1}, role="coordinator")
        before = srv.db_checksum()
        ...
    t = harness.Tally("patients")
    t.check(r.status == 201, "create answers 201", r)
    sys.exit(t.finish())                      # prints "N passed, M failed"

Identities: every role in ROLES gets a user "<role>1" created with
`cellclinic user add`; the admin is "admin" made by `cellclinic init`.
`srv.token(role)` returns a bearer token (cached), `srv.session(role)` a fresh
cookie session (cookie, csrf).  `role=None` sends no credentials.

The server is always killed at the end (context manager, atexit and signal
handlers), and its temporary data directory removed unless --keep.

Store: CC_TEST_STORE=sqlite (the default) gives each Server a data directory;
CC_TEST_STORE=pg starts one throwaway PostgreSQL cluster per test process
(tests/pg/pgcluster.py, on first use) and gives each Server a fresh database
in it: the first setup() runs init, mfa require and user add, later ones
(same binary and roles) copy its result (CREATE DATABASE ... TEMPLATE, and the
key files of its data dir; CC_TEST_PG_TEMPLATE=0 runs the commands every time).
CC_TEST_PG_STANDBY=1 adds a synchronous streaming standby to that cluster and
gives the servers a two-host URL (target_session_attrs=read-write): a test may
then call pg_fail_over() (the primary killed, the standby promoted) and check
through the API and the commands that nothing acknowledged was lost.
Every command the harness runs (srv.cli, run_cli) gets `--database URL` where a
test wrote `--data srv.data` (init and serve also `--audit-key
srv.data/audit-signing.key`, audit verify `--checkpoints srv.data`, so the
signing key, its public half and the checkpoint log are in srv.data on either
store), and db_checksum(), db_tables() and db_query() read that database
through a psql session (db_query takes the same ? placeholders). srv.db_path is
None on PostgreSQL: tests reach the database only through the store-neutral
helpers: db_query, db_exec and db_script (tampering behind the server's back),
db_columns, db_drop_trigger, db_dump (every row as text), db_raw_bytes (what is
on disk), db_write_lock, and for stores other than a Server's the location_*
functions (location_new for a store `init` fills, location_copy of a stopped
server's, location_missing, location_query/exec, ...). A Server built on a
data_dir the test made itself stays on SQLite, unless location_new or
location_copy made it. The SQL the tests write is the subset both engines read
the same way.
"""

import argparse
import atexit
import hashlib
import itertools
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

ROLES = ["admin", "coordinator", "physician", "nurse", "lab", "qa", "analyst"]
PASSWORD = "Tr1cky-Passw0rd-for-tests"
ADMIN_USER = "admin"
# Tables a refused request may still write: the security events (a failed
# password, a CSRF refusal) and the count of an account's failed passwords.
# "Nothing changed" checks leave them out.
SECURITY_BOOKKEEPING = ("security_events", "login_failures", "rate_limits")

STORE = os.environ.get("CC_TEST_STORE", "sqlite")
if STORE not in ("sqlite", "pg"):
    raise SystemExit("CC_TEST_STORE must be sqlite or pg, not %r" % STORE)
_pg = None
_pg_counter = itertools.count(1)
# data dir path (as the tests pass it) -> (database URL, database name), Servers on PostgreSQL
_pg_locations = {}
# (binary, roles) -> name of a database holding what setup() made; CC_TEST_PG_TEMPLATE=0
# runs init, mfa and user add for every server instead of copying the first one's result
PG_TEMPLATES = os.environ.get("CC_TEST_PG_TEMPLATE", "1") != "0"
PG_STANDBY = os.environ.get("CC_TEST_PG_STANDBY", "0") == "1"
_pg_standby = None
_pg_templates = {}

_live_servers = []
# Sanitizer or crash reports found in server logs; Tally.finish() fails on them.
server_reports = []
REPORT_MARKERS = (b"ERROR: AddressSanitizer", b"ERROR: LeakSanitizer", b"runtime error:",
                  b"AddressSanitizer:DEADLYSIGNAL", b"Segmentation fault", b"Assertion `")


def _kill_all():
    for s in list(_live_servers):
        s.stop()


def _session_ended_class():
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
    import pgcluster

    class SessionEnded(pgcluster.PgError):
        pass
    return SessionEnded


_SessionEnded = _session_ended_class()


class _PsqlSession:
    """One psql process kept open on one database: the tests' reads and writes go
    through it, one statement at a time (autocommit), instead of starting psql for
    each (a db_checksum() per request in the "nothing changed" checks)."""

    NULL = "\x01NULL\x01"

    def __init__(self, cluster, dbname):
        import pgcluster
        self.pgcluster = pgcluster
        self.dbname = dbname
        cmd = cluster._psql_cmd(dbname) + ["-v", "ON_ERROR_STOP=0", "--csv", "-t", "-P",
                                           "null=" + self.NULL]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.err = []
        self.buf = b""
        self.counter = itertools.count(1)
        import threading
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.proc.stderr:
            self.err.append(line.decode("utf-8", "replace"))

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()

    def run(self, sql, timeout=120):
        """Rows of one statement as tuples of text (NULL as None); PgError on an error."""
        import csv
        import io
        import select
        n = next(self.counter)
        ok, bad = ("__cc_ok_%d__" % n).encode(), ("__cc_fail_%d__" % n).encode()
        del self.err[:]
        text = "%s\n;\n\\if :ERROR\n\\echo %s\n\\else\n\\echo %s\n\\endif\n" % (
            sql.strip().rstrip(";"), bad.decode(), ok.decode())
        try:
            self.proc.stdin.write(text.encode("utf-8"))
            self.proc.stdin.flush()
        except OSError as e:
            raise _SessionEnded("psql %s: the session ended (%s)" % (self.dbname, e))
        deadline = time.time() + timeout
        fd = self.proc.stdout.fileno()
        lines = []
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                if line in (ok, bad):
                    break
                lines.append(line)
            else:
                left = deadline - time.time()
                if left <= 0 or not select.select([fd], [], [], left)[0]:
                    self.proc.kill()
                    raise self.pgcluster.PgError("psql %s: no answer within %ss" % (
                        self.dbname, timeout))
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise _SessionEnded("psql %s: the session ended: %s" % (
                        self.dbname, "".join(self.err).strip()))
                self.buf += chunk
                continue
            break
        if line == bad:
            for _ in range(200):  # psql wrote the error before the marker
                if self.err:
                    break
                time.sleep(0.01)
            text = "".join(self.err).strip()
            if any(m in text for m in ("server closed the connection unexpectedly",
                                       "no connection to the server",
                                       "terminating connection due to")):
                raise _SessionEnded("psql %s: %s" % (self.dbname, text))
            raise self.pgcluster.PgError("psql %s: %s" % (self.dbname, text))
        out = b"\n".join(lines).decode("utf-8")
        csv.field_size_limit(max(csv.field_size_limit(), len(out) + 1))  # query()'s JSON
        return [tuple(None if v == self.NULL else v for v in rec)
                for rec in csv.reader(io.StringIO(out))]


class _PgWriteLock:
    def __init__(self, cluster, dbname):
        self.sess = _PsqlSession(cluster, dbname)
        tables = [r[0] for r in self.sess.run(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
            " WHERE schemaname = 'public'")]
        self.sess.run("BEGIN")
        self.sess.run("LOCK TABLE %s IN EXCLUSIVE MODE" % ", ".join(tables))

    def rollback(self):
        self.sess.run("ROLLBACK")

    def close(self):
        self.sess.close()


_sessions = {}  # database name -> _PsqlSession


def _session_close(dbname):
    sess = _sessions.pop(dbname, None)
    if sess:
        sess.close()


def _close_sessions():
    for name in list(_sessions):
        _session_close(name)


def pg_cluster(keep=False):
    """The test process's PostgreSQL cluster, started on first use. Its psql() runs
    one statement in a psql session kept open per database (psql_script() starts a
    psql of its own: several statements, one transaction)."""
    global _pg
    if _pg is None:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
        import pgcluster
        # servers stop before the cluster at exit (atexit runs the last registered first)
        atexit.register(_kill_all)
        cluster = pgcluster.Cluster(name="api", keep=keep)
        atexit.register(_close_sessions)
        cluster.psql_script = cluster.psql
        if PG_STANDBY:
            _add_standby(cluster, pgcluster)

        def psql(dbname, sql, params=(), timeout=120):
            for attempt in (1, 2):
                sess = _sessions.get(dbname)
                if sess is None or sess.proc.poll() is not None:
                    sess = _sessions[dbname] = _PsqlSession(cluster, dbname)
                try:
                    return sess.run(pgcluster.bind(sql, params), timeout)
                except _SessionEnded:
                    # the server went away since the last statement (a test restarts
                    # or kills the cluster): psql found out and ended before it ran
                    # this one; a new session runs it
                    _session_close(dbname)
                    if attempt == 2:
                        raise

        def drop_database(name):
            _session_close(name)
            psql("postgres", 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name.replace('"', '""'))

        cluster.psql = psql
        cluster.drop_database = drop_database
        _pg = cluster
    return _pg


def _add_standby(primary, pgcluster):
    global _pg_standby
    standby = primary.make_standby("standby")
    primary.wait_streaming("standby")
    # synchronous: a commit is acknowledged once the standby has it
    primary.psql("postgres", "ALTER SYSTEM SET synchronous_standby_names = 'standby'")
    primary.reload()
    primary.wait_streaming("standby", sync="sync")
    primary.url = lambda dbname="postgres", **params: pgcluster.multi_host_url(
        [primary, standby], dbname, target_session_attrs="read-write", **params)
    _pg_standby = standby


def pg_has_standby():
    return _pg_standby is not None


def pg_fail_over():
    """Kills the primary (pg_ctl -m immediate) and promotes the standby; the servers'
    two-host URLs reach it from their next connection. The harness's own psql
    sessions went with the primary: check through the API and the commands."""
    pg_cluster().kill_immediate()
    _pg_standby.promote()
    _pg_standby.wait_ready(writable=True)


# Commands that take --audit-key FILE on PostgreSQL (their key, public key and
# checkpoint log beside FILE; `audit verify` reads those with --checkpoints DIR);
# on SQLite the data directory holds them.
KEYED_COMMANDS = ("init", "serve")


def store_argv(args):
    """args with `--data DIR` replaced by `--database URL` when DIR is the data dir of
    a Server on PostgreSQL."""
    args = list(args)
    if not _pg_locations:
        return args
    out = []
    i = 0
    keyed = bool(args) and args[0] in KEYED_COMMANDS and "--audit-key" not in args \
        and "--help" not in args
    verify = args[:2] == ["audit", "verify"] and "--checkpoints" not in args \
        and "--help" not in args
    while i < len(args):
        if args[i] == "--data" and i + 1 < len(args) and args[i + 1] in _pg_locations:
            out += ["--database", _pg_locations[args[i + 1]][0]]
            # the signing key, its public half and the checkpoint log in the
            # location's directory, where SQLite keeps them
            if keyed:
                out += ["--audit-key", os.path.join(args[i + 1], "audit-signing.key")]
            if verify:
                out += ["--checkpoints", args[i + 1]]
            i += 2
            continue
        if verify and args[i] == "--database" and i + 1 < len(args):
            # srv.store_args(): the same location named by its URL
            dirs = [d for d, loc in _pg_locations.items() if loc[0] == args[i + 1]]
            out += args[i:i + 2] + (["--checkpoints", dirs[0]] if dirs else [])
            i += 2
            continue
        out.append(args[i])
        i += 1
    return out


atexit.register(_kill_all)


def _on_signal(signum, frame):
    _kill_all()
    sys.exit(128 + signum)


for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    try:
        signal.signal(_sig, _on_signal)
    except (ValueError, OSError):
        pass


def parse_args(extra=None):
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True, help="path to the cellclinic program")
    p.add_argument("--verbose", "-v", action="store_true")
    p.add_argument("--keep", action="store_true", help="keep the temporary data dirs")
    if extra:
        extra(p)
    return p.parse_args()


def read_http_answer(sock, pending=b""):
    """(status, body, rest) of one HTTP answer read from a raw socket (keep-alive
    tests); status None when the connection closed first. pending: bytes
    already read on it; rest: bytes read past the answer."""
    data = pending
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b"", b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b"", b""
        body += chunk
    return status, body[:length], body[length:]


def raw_connect(srv, timeout=60):
    """A keep-alive socket to srv, for tests that order answers themselves
    (timeout: a safety net for a hung server, not a measure)."""
    return socket.create_connection(("127.0.0.1", srv.port), timeout=timeout)


def send_raw_request(sock, method, path, token, body=None, headers=()):
    """Writes one request with a bearer token (and a JSON body) on sock."""
    data = json.dumps(body).encode() if body is not None else b""
    head = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n" % (
        method, path, token)
    for name, value in headers:
        head += "%s: %s\r\n" % (name, value)
    if body is not None:
        head += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(data)
    sock.sendall(head.encode() + b"\r\n" + data)


def read_json_answer(sock):
    """(status, parsed JSON body) of one answer on sock; (None, None) when closed."""
    status, body, _ = read_http_answer(sock)
    return status, json.loads(body) if body else None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def user_of(role):
    return ADMIN_USER if role == "admin" else role + "1"


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body
        self._json = None
        self._json_done = False

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def headers_all(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    @property
    def json(self):
        if not self._json_done:
            self._json_done = True
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self._json = None
        return self._json

    def error(self):
        """The {"code","message","field"} object of an error answer, or None."""
        j = self.json
        if isinstance(j, dict) and isinstance(j.get("error"), dict):
            return j["error"]
        return None

    def __repr__(self):
        text = self.body[:600].decode("utf-8", "replace")
        return "HTTP %s %s" % (self.status, text)


class CommandError(Exception):
    pass


def run_cli(binary, args, timeout=120, input_text=None):
    """Runs `cellclinic ARGS`; returns CompletedProcess (text)."""
    return subprocess.run([binary] + store_argv(args), capture_output=True, text=True,
                          timeout=timeout, input=input_text)


# Roles that must log in with an authenticator in a new data directory.
MFA_DEFAULT_ROLES = "admin,physician,qa"


class Server:
    def __init__(self, binary, verbose=False, keep=False, threads=None, roles=ROLES,
                 data_dir=None, serve_args=()):
        self.binary = os.path.abspath(binary)
        self.verbose = verbose
        self.keep = keep
        self.threads = threads
        self.serve_args = list(serve_args)
        self.roles = roles
        self.proc = None
        self.port = None
        self._tokens = {}
        self._token_ids = {}
        self.tmp = tempfile.mkdtemp(prefix="cc-apitest-")
        self.data = data_dir or os.path.join(self.tmp, "data")
        self.db_path = os.path.join(self.data, "cellclinic.db")
        self._own_database = False
        if STORE == "pg" and data_dir is None:
            name = "cc_%d_%d" % (os.getpid(), next(_pg_counter))
            _pg_locations[self.data] = (pg_cluster(keep).create_database(name), name)
            self._own_database = True
        if self.data in _pg_locations:
            self.db_path = None
        self.log_path = os.path.join(self.tmp, "server.log")
        self._log = None
        self.passwords = {}

    # ---------------------------------------------------------------- store
    @property
    def database_url(self):
        """The PostgreSQL URL of this server's database, None on SQLite."""
        loc = _pg_locations.get(self.data)
        return loc[0] if loc else None

    def store_args(self):
        """["--database", URL] on PostgreSQL, else ["--data", DIR]."""
        url = self.database_url
        return ["--database", url] if url else ["--data", self.data]

    def key_args(self):
        """What init and serve take besides the location so that the audit signing
        key, its public half and the checkpoint log are in self.data on either store:
        SQLite keeps them in its data directory, PostgreSQL beside --audit-key FILE."""
        if self.database_url:
            return ["--audit-key", os.path.join(self.data, "audit-signing.key")]
        return []

    # ---------------------------------------------------------------- life
    def __enter__(self):
        try:
            self.setup()
            self.start()
        except BaseException:
            self.stop()
            self.cleanup()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        self.cleanup()
        return False

    def cli(self, *args, timeout=120):
        r = run_cli(self.binary, args, timeout=timeout)
        if self.verbose:
            sys.stderr.write("$ cellclinic %s -> %d\n%s%s" % (" ".join(store_argv(args)),
                                                              r.returncode,
                                                              r.stdout, r.stderr))
        return r

    def setup(self):
        name = self._pg_dbname() if self._own_database else None
        key = (self.binary, tuple(self.roles))
        if name and key in _pg_templates:
            # the same init, mfa and user commands already ran for this binary and
            # these roles in this process: a copy of their result, the database and
            # the signing key files init made beside it (its checkpoints are signed
            # with that key, their log is the copy's)
            tpl, files = _pg_templates[key]
            pg = pg_cluster()
            pg.drop_database(name)
            pg.psql("postgres", 'CREATE DATABASE "%s" TEMPLATE "%s"' % (name, tpl))
            shutil.rmtree(self.data, ignore_errors=True)
            shutil.copytree(files, self.data)
            for role in self.roles:
                self.passwords[user_of(role)] = PASSWORD
            return
        self._setup_commands()
        if name and PG_TEMPLATES:
            tpl = "cc_template_%d" % len(_pg_templates)
            _session_close(name)  # a template has no other session
            pg_cluster().psql("postgres", 'CREATE DATABASE "%s" TEMPLATE "%s"' % (tpl, name))
            files = os.path.join(tempfile.mkdtemp(prefix="cc-pgtemplate-"), "data")
            shutil.copytree(self.data, files)
            atexit.register(shutil.rmtree, os.path.dirname(files), True)
            _pg_templates[key] = (tpl, files)

    def _setup_commands(self):
        pw_file = os.path.join(self.tmp, "admin.pw")
        with open(pw_file, "w") as f:
            f.write(PASSWORD + "\n")
        self.passwords[ADMIN_USER] = PASSWORD
        if self.database_url:
            os.makedirs(self.data, exist_ok=True)
        r = self.cli("init", *self.store_args(), *self.key_args(), "--admin-password-file",
                     pw_file)
        if r.returncode != 0:
            raise CommandError("cellclinic init failed (%d): %s%s" % (r.returncode, r.stdout,
                                                                        r.stderr))
        # The API tests log in with passwords only; tests/api/test_mfa.py turns the
        # requirement back on where it tests it.
        r = self.cli("mfa", "require", *self.store_args(), "--role", MFA_DEFAULT_ROLES,
                     "--required", "no")
        if r.returncode != 0:
            raise CommandError("cellclinic mfa require failed (%d): %s%s" % (
                r.returncode, r.stdout, r.stderr))
        for role in self.roles:
            if role == "admin":
                continue
            pf = os.path.join(self.tmp, role + ".pw")
            with open(pf, "w") as f:
                f.write(PASSWORD + "\n")
            r = self.cli("user", "add", *self.store_args(), "--username", user_of(role),
                         "--role", role, "--password-file", pf)
            if r.returncode != 0:
                raise CommandError("cellclinic user add %s failed (%d): %s%s" % (
                    role, r.returncode, r.stdout, r.stderr))
            self.passwords[user_of(role)] = PASSWORD

    def start(self, timeout=20):
        self.port = free_port()
        self._log = open(self.log_path, "ab")
        cmd = [self.binary, "serve"] + self.store_args() + ["--listen",
                                                            "127.0.0.1:%d" % self.port]
        if "--audit-key" not in self.serve_args:
            cmd += self.key_args()
        if self.threads:
            cmd += ["--threads", str(self.threads)]
        cmd += self.serve_args
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        _live_servers.append(self)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise CommandError("server exited with %s; log:\n%s" % (
                    self.proc.returncode, self.log_text()))
            try:
                r = self.request("GET", "/healthz", timeout=2)
                if r.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise CommandError("server did not answer /healthz within %ss; log:\n%s" % (
            timeout, self.log_text()))

    def scan_log(self):
        """Records sanitizer reports and crashes found in the server log (once)."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(getattr(self, "_scanned", 0))
                data = f.read()
                self._scanned = f.tell()
        except OSError:
            return
        for m in REPORT_MARKERS:
            i = data.find(m)
            if i >= 0:
                server_reports.append("%s: %s" % (
                    self.log_path, data[max(0, i - 200):i + 3000].decode("utf-8", "replace")))
                break

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-4000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=10):
        p = self.proc
        if p is None:
            return None
        self.proc = None
        if self in _live_servers:
            _live_servers.remove(self)
        rc = p.poll()
        if rc is not None and rc != 0:
            server_reports.append("%s: the server exited by itself with %s (%s) before it was "
                                  "stopped; last log lines:\n%s" % (
                                      self.log_path, rc,
                                      "signal %d" % -rc if rc < 0 else "exit status",
                                      self.log_text()[-1500:]))
        if rc is None:
            try:
                p.send_signal(sig)
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if self._log:
            self._log.close()
            self._log = None
        self.scan_log()
        self._tokens.clear()
        self._token_ids.clear()
        return p.returncode

    def kill(self):
        """SIGKILL, as a crash would."""
        return self.stop(sig=signal.SIGKILL)

    def restart(self):
        self.stop()
        self.start()

    def cleanup(self):
        if self.keep:
            sys.stderr.write("kept data in %s%s\n" % (
                self.tmp, " and %s" % self.database_url if self.database_url else ""))
            return
        # a location the test made (location_copy) stays the test's
        loc = _pg_locations.pop(self.data, None) if self._own_database else None
        if loc and _pg is not None and _pg.running:
            try:
                _pg.drop_database(loc[1])
            except Exception as e:  # noqa: BLE001 - the cluster goes at exit anyway
                sys.stderr.write("cannot drop %s: %s\n" % (loc[1], e))
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ------------------------------------------------------------- requests
    def raw(self, method, path, body=None, headers=None, timeout=30, source=None):
        """Sends bytes as they are; body may be bytes, str or None. source: the local
        address to connect from (any of 127.0.0.0/8), default 127.0.0.1."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(source, 0) if source else None)
        try:
            h = dict(headers or {})
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
            r = Response(resp.status, resp.getheaders(), data)
        finally:
            conn.close()
        if self.verbose:
            sys.stderr.write("%s %s -> %s\n" % (method, path, r))
        return r

    def auth_headers(self, role):
        """role: None, a role name, ("token", TOKEN), ("session", cookie, csrf),
        ("cookie", cookie) (session cookie without the CSRF header)."""
        if role is None:
            return {}
        if isinstance(role, tuple):
            kind = role[0]
            if kind == "token":
                return {"Authorization": "Bearer " + role[1]}
            if kind == "session":
                return {"Cookie": "cc_session=" + role[1], "X-CSRF-Token": role[2]}
            if kind == "cookie":
                return {"Cookie": "cc_session=" + role[1]}
            raise ValueError(role)
        return {"Authorization": "Bearer " + self.token(role)}

    def request(self, method, path, body=None, role=None, headers=None, timeout=30,
                source=None):
        """JSON request. body: a JSON-able value (dumped), bytes/str (sent as is) or None."""
        h = {}
        data = None
        if body is not None:
            if isinstance(body, (bytes, str)):
                data = body
            else:
                data = json.dumps(body)
            h["Content-Type"] = "application/json"
        h.update(self.auth_headers(role))
        if headers:
            h.update(headers)
        return self.raw(method, path, data, h, timeout=timeout, source=source)

    # ------------------------------------------------------------- identity
    def new_token(self, role, label="test"):
        """Creates a bearer token; returns (id, token)."""
        user = user_of(role)
        r = self.request("POST", "/api/v1/tokens",
                         {"username": user, "password": self.passwords[user], "label": label})
        if r.status not in (200, 201) or not isinstance(r.json, dict) or "token" not in r.json:
            raise CommandError("cannot create a token for %s: %r" % (role, r))
        return r.json.get("id"), r.json["token"]

    def token(self, role):
        if role not in self._tokens:
            tid, tok = self.new_token(role)
            self._tokens[role] = tok
            self._token_ids[role] = tid
        return self._tokens[role]

    def token_id(self, role):
        self.token(role)
        return self._token_ids[role]

    def session(self, role):
        """Logs in with a password; returns ("session", cookie, csrf)."""
        user = user_of(role)
        r = self.request("POST", "/api/v1/session",
                         {"username": user, "password": self.passwords[user]})
        if r.status not in (200, 201):
            raise CommandError("cannot log in as %s: %r" % (role, r))
        cookie = None
        for v in r.headers_all("Set-Cookie"):
            first = v.split(";", 1)[0].strip()
            if first.startswith("cc_session="):
                cookie = first[len("cc_session="):]
        csrf = (r.json or {}).get("csrf")
        if not cookie or not csrf:
            raise CommandError("login as %s gave no cc_session cookie or csrf: %r %r" % (
                role, r.headers, r))
        return ("session", cookie, csrf)

    # ------------------------------------------------------------- consent
    def consent_document(self, protocol, kind="treatment", language="fr"):
        """The id of the newest consent document of protocol, kind and
        language, stored first (as the administrator) when there is none."""
        r = self.request("GET", "/api/v1/consent-documents?protocol=%s&kind=%s&language=%s&latest=1"
                         % (protocol, kind, language), role="coordinator")
        if r.status != 200:
            raise CommandError("consent documents: %r" % r)
        if r.json["items"]:
            return r.json["items"][0]["id"]
        r = self.request("POST", "/api/v1/consent-documents",
                         {"protocol": protocol, "kind": kind, "language": language,
                          "title": "Consentement (%s, %s)" % (protocol, kind),
                          "text": "Je consens (%s, %s) : texte de test." % (protocol, kind)},
                         role="admin")
        if r.status != 201:
            raise CommandError("consent document: %r" % r)
        return r.json["id"]

    def record_consent(self, patient_id, protocol, kind="treatment", role="coordinator"):
        """Records a consent the patient signed on paper today (H15: a plan is
        approved only with a current treatment consent; exports keep only
        patients with a research consent). Returns the consent's id."""
        doc = self.consent_document(protocol, kind)
        r = self.request("POST", "/api/v1/patients/%d/consents" % patient_id,
                         {"document_id": doc, "signer": "patient", "signer_name": "Le patient",
                          "mode": "paper", "paper_date": time.strftime("%Y-%m-%d", time.gmtime()),
                          "paper_reference": "dossier %d" % patient_id}, role=role)
        if r.status != 201:
            raise CommandError("record consent: %r" % r)
        return r.json["id"]

    # -------------------------------------------------------------- clinic
    def set_clinic_site(self, name="Clinique du Lac", url="https://clinique.example.org/soins/"):
        """The administrator sets the clinic's name and public base URL
        (patient questionnaire links are refused until it is set)."""
        r = self.request("PUT", "/api/v1/clinic-site", {"name": name, "public_base_url": url},
                         role="admin")
        if r.status != 200:
            raise CommandError("clinic site: %r" % r)
        return r.json

    # ------------------------------------------------------------ database
    def _pg_dbname(self):
        loc = _pg_locations.get(self.data)
        return loc[1] if loc else None

    def db_tables(self):
        return location_tables(self.data)

    def db_checksum(self, exclude=()):
        """SHA-256 over the content of every table (rows in a fixed order)."""
        return checksum_of(self.db_tables(), exclude)

    def db_query(self, sql, params=()):
        """Rows of sql (? placeholders) as a list of tuples, on either store."""
        return location_query(self.data, sql, params)

    def db_exec(self, sql, params=()):
        """Runs one writing statement (? placeholders) on either store, committed at
        once, as someone with direct access to the database would: tests that tamper
        with rows behind the server's back use it. Returns the rows of a RETURNING
        clause (or of a query), else []."""
        return location_exec(self.data, sql, params)

    def db_script(self, sql):
        """Runs several statements (no parameters) in one transaction on either store."""
        location_script(self.data, sql)

    def db_columns(self, table):
        """The column names of table, in order."""
        return location_columns(self.data, table)

    def db_write_lock(self):
        """Takes the database's write lock as another process would and returns the
        holder (rollback() then close() let it go): SQLite, BEGIN IMMEDIATE; PostgreSQL,
        every table of the clinic locked IN EXCLUSIVE MODE in an open transaction
        (reads go on, every write waits), in a psql session of its own."""
        if not self.on_pg:
            con = sqlite3.connect(self.db_path, isolation_level=None, timeout=60)
            con.execute("BEGIN IMMEDIATE")
            return con
        return _PgWriteLock(pg_cluster(), self._pg_dbname())

    def db_drop_trigger(self, name, table):
        """Drops a guard trigger (e.g. the traceability rows' refusal of DELETE), as
        whoever holds the database would before surgery on it."""
        location_drop_trigger(self.data, name, table)

    def db_dump(self):
        """Every row of every database of the store as SQL text (SQLite: the clinic's
        file and the access log's; PostgreSQL: pg_dump of the one database), for
        tests that prove a secret is stored nowhere."""
        return location_dump(self.data)

    def db_raw_bytes(self):
        """The bytes the store keeps on disk for this server's data, for tests that
        prove a secret is never written in clear: SQLite, the database file with
        its journal; PostgreSQL, after a CHECKPOINT, the files of the database and
        the cluster's write-ahead log (deleted rows and old row versions included,
        as in SQLite's free pages)."""
        return location_raw_bytes(self.data)

    @property
    def on_pg(self):
        """True when this server's store is PostgreSQL."""
        return self._pg_dbname() is not None


# ------------------------------------------------------- locations (either store)
# A location is a data directory path as the tests pass it to --data: on PostgreSQL
# it also names a database (_pg_locations), and the directory holds only the audit
# signing key, its public half and the checkpoint log.

def location_is_pg(data):
    return data in _pg_locations


class DatabaseError(Exception):
    """A statement the database refused (sqlite3.Error or psql's error), on either
    store; str() holds the database's message."""


def _pg_run(fn, *a):
    import pgcluster  # on sys.path once pg_cluster() ran
    try:
        return fn(*a)
    except pgcluster.PgError as e:
        raise DatabaseError(str(e)) from e


def _location_statement(data, sql, params, commit):
    loc = _pg_locations.get(data)
    if loc:
        return _pg_run(pg_cluster().query, loc[1], sql, params)
    path = os.path.join(data, "cellclinic.db")
    try:
        con = sqlite3.connect(path, timeout=30) if commit else db_connect_ro(path)
        try:
            if commit:
                con.execute("PRAGMA busy_timeout=30000")
            rows = con.execute(sql, params).fetchall()
            if commit:
                con.commit()
            return rows
        finally:
            con.close()
    except sqlite3.Error as e:
        raise DatabaseError(str(e)) from e


def location_query(data, sql, params=()):
    """Rows of sql (? placeholders) as a list of tuples, read-only on SQLite."""
    return _location_statement(data, sql, params, commit=False)


def location_exec(data, sql, params=()):
    """One writing statement, committed (see Server.db_exec)."""
    return _location_statement(data, sql, params, commit=True)


def location_script(data, sql):
    """Several statements without parameters, in one transaction."""
    loc = _pg_locations.get(data)
    if loc:
        _pg_run(pg_cluster().psql_script, loc[1], sql)
        return
    try:
        con = sqlite3.connect(os.path.join(data, "cellclinic.db"), timeout=30)
        try:
            con.execute("PRAGMA busy_timeout=30000")
            con.executescript("BEGIN;" + sql + ";COMMIT;")
        finally:
            con.close()
    except sqlite3.Error as e:
        raise DatabaseError(str(e)) from e


def location_columns(data, table):
    if data in _pg_locations:
        sql = ("SELECT column_name FROM information_schema.columns WHERE table_schema ="
               " 'public' AND table_name = ? ORDER BY ordinal_position")
    else:
        sql = "SELECT name FROM pragma_table_info(?) ORDER BY cid"
    return [r[0] for r in location_query(data, sql, (table,))]


def location_drop_trigger(data, name, table):
    if data in _pg_locations:
        location_exec(data, 'DROP TRIGGER "%s" ON "%s"' % (name, table))
    else:
        location_exec(data, 'DROP TRIGGER "%s"' % name)


def location_dump(data):
    loc = _pg_locations.get(data)
    if loc:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
        import pgcluster
        c = pg_cluster()
        r = subprocess.run([pgcluster.tool("pg_dump"), "-h", c.sock, "-p", str(c.port), "-U",
                            pgcluster.SUPERUSER, "--data-only", loc[1]],
                           capture_output=True, text=True, timeout=300,
                           stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise CommandError("pg_dump %s: %s" % (loc[1], r.stderr.strip()))
        return r.stdout
    out = []
    for name in ("cellclinic.db", "access-log.db"):
        path = os.path.join(data, name)
        if os.path.exists(path):
            con = sqlite3.connect(path, timeout=30)
            try:
                out.append("\n".join(con.iterdump()))
            finally:
                con.close()
    return "\n".join(out)


def location_raw_bytes(data):
    import glob
    loc = _pg_locations.get(data)
    if loc:
        c = pg_cluster()
        _pg_run(c.psql, loc[1], "CHECKPOINT")
        oid = _pg_run(c.psql, loc[1], "SELECT oid FROM pg_database WHERE datname ="
                      " current_database()")[0][0]
        files = glob.glob(os.path.join(c.data, "base", oid, "*")) + \
            glob.glob(os.path.join(c.data, "pg_wal", "0*"))
    else:
        files = glob.glob(os.path.join(data, "cellclinic.db*"))
    out = []
    for f in sorted(files):
        try:
            with open(f, "rb") as fh:
                out.append(fh.read())
        except FileNotFoundError:  # a WAL segment recycled meanwhile
            pass
    return b"".join(out)


def location_load_sqlite(data, sqlite_file, tables):
    """Copies every row of tables from a SQLite database file (with the clinic's
    schema: a scratch data dir a bench generator filled) into the location's
    PostgreSQL database, in one transaction, then moves each identity column past
    the ids copied. For test data made by tools that write SQLite."""
    loc = _pg_locations[data]
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
    import pgcluster
    con = sqlite3.connect(sqlite_file)
    script = os.path.join(tempfile.mkdtemp(prefix="cc-load-"), "load.sql")
    try:
        with open(script, "w") as f:
            f.write("BEGIN;\n")
            for table in tables:
                cur = con.execute('SELECT * FROM "%s"' % table)
                cols = ", ".join('"%s"' % d[0] for d in cur.description)
                rows = cur.fetchall()
                for i in range(0, len(rows), 500):
                    f.write('INSERT INTO "%s" (%s) VALUES %s;\n' % (table, cols, ",".join(
                        "(%s)" % ",".join(pgcluster.literal(v) for v in row)
                        for row in rows[i:i + 500])))
                f.write("SELECT setval(s, (SELECT COALESCE(MAX(id), 0) + 1 FROM \"%s\"), false)"
                        " FROM pg_get_serial_sequence('%s', 'id') s WHERE s IS NOT NULL;\n"
                        % (table, table))
            f.write("COMMIT;\n")
        c = pg_cluster()
        r = subprocess.run(c._psql_cmd(loc[1]) + ["-f", script], capture_output=True, text=True,
                           timeout=600, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise DatabaseError("psql %s: %s" % (loc[1], r.stderr.strip()[-2000:]))
    finally:
        con.close()
        shutil.rmtree(os.path.dirname(script), ignore_errors=True)


def location_tables(data):
    """{table: sha256 hex} (see db_table_hashes) of the location's database."""
    loc = _pg_locations.get(data)
    if loc:
        return pg_table_hashes(pg_cluster(), loc[1])
    return db_table_hashes(os.path.join(data, "cellclinic.db"))


def location_new(data):
    """Makes data the location of a new, empty store for `cellclinic init --data
    data` to fill: on SQLite nothing (init makes the directory); on PostgreSQL
    (CC_TEST_STORE=pg) an empty database and the directory for its key files.
    Returns data."""
    if STORE == "pg":
        name = "cc_%d_%d" % (os.getpid(), next(_pg_counter))
        _pg_locations[data] = (pg_cluster().create_database(name), name)
        os.makedirs(data, exist_ok=True)
    return data


def location_missing(data):
    """Makes data stand for a store that does not exist: on SQLite a directory
    that is not there (the caller's path), on PostgreSQL a database never created
    (location_exists tells whether a command made it). Returns data."""
    if STORE == "pg":
        name = "cc_%d_%d_missing" % (os.getpid(), next(_pg_counter))
        _pg_locations[data] = (pg_cluster().url(name), name)
    return data


def location_exists(data):
    """Whether the store of data exists at all (SQLite: the directory; PostgreSQL:
    the database)."""
    loc = _pg_locations.get(data)
    if loc:
        return bool(_pg_run(pg_cluster().psql, "postgres",
                            "SELECT 1 FROM pg_database WHERE datname = ?", (loc[1],)))
    return os.path.exists(data)


def location_initialized(data):
    """Whether `cellclinic init` made a clinic's store at data (SQLite: the database
    file; PostgreSQL: the schema's tables in the database)."""
    loc = _pg_locations.get(data)
    if loc:
        return _pg_run(pg_cluster().psql, loc[1],
                       "SELECT to_regclass('public.users') IS NOT NULL")[0][0] == "t"
    return os.path.isfile(os.path.join(data, "cellclinic.db"))


def location_checksum(data, exclude=()):
    """db_checksum of the location's database."""
    return checksum_of(location_tables(data), exclude)


def location_copy(data, dst):
    """A copy of a stopped server's location at dst: the directory copied, and on
    PostgreSQL a new database made from the location's (CREATE DATABASE ...
    TEMPLATE). Returns dst; remove it with drop_location."""
    shutil.copytree(data, dst)
    loc = _pg_locations.get(data)
    if loc:
        name = "cc_%d_%d" % (os.getpid(), next(_pg_counter))
        _session_close(loc[1])  # a template has no other session
        pg_cluster().psql("postgres", 'CREATE DATABASE "%s" TEMPLATE "%s"' % (name, loc[1]))
        _pg_locations[dst] = (pg_cluster().url(name), name)
    return dst


def location_drop(data):
    """Forgets a location made by location_copy: its database dropped, its
    directory removed."""
    loc = _pg_locations.pop(data, None)
    if loc and _pg is not None and _pg.running:
        _pg.drop_database(loc[1])
    shutil.rmtree(data, ignore_errors=True)


def db_connect_ro(path):
    from urllib.parse import quote
    con = sqlite3.connect("file:%s?mode=ro" % quote(os.path.abspath(path)), uri=True,
                          timeout=30)
    con.execute("PRAGMA busy_timeout=30000")
    return con


def _sortkey(row):
    # None < numbers < text < blobs, like SQLite, and never compares across types.
    out = []
    for v in row:
        if v is None:
            out.append((0, 0))
        elif isinstance(v, (int, float)):
            out.append((1, v))
        elif isinstance(v, str):
            out.append((2, v))
        else:
            out.append((3, bytes(v)))
    return out


def db_table_hashes(path):
    """{table: sha256 hex} for every table, rows sorted on all their columns."""
    con = db_connect_ro(path)
    try:
        con.execute("BEGIN")  # one consistent snapshot
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        out = {}
        for name in names:
            h = hashlib.sha256()
            cur = con.execute('SELECT * FROM "%s"' % name.replace('"', '""'))
            cols = [d[0] for d in cur.description]
            h.update(repr(cols).encode())
            rows = cur.fetchall()
            rows.sort(key=_sortkey)
            for row in rows:
                h.update(repr(tuple(v if not isinstance(v, memoryview) else bytes(v)
                                    for v in row)).encode("utf-8"))
                h.update(b"\n")
            out[name] = h.hexdigest()
        con.execute("COMMIT")
        return out
    finally:
        con.close()


# One statement, so one snapshot: per table, its column names and types and its rows
# as text, sorted (the test clusters collate in C.UTF-8: byte order), hashed by the server.
PG_TABLE_HASHES_SQL = r"""
SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END,
       (xpath('/row/h/text()', query_to_xml(format(
         'SELECT encode(sha256(convert_to(%L || E''\n'' || coalesce(string_agg(t::text, '
         'E''\n'' ORDER BY t::text), ''''), ''UTF8'')), ''hex'') AS h FROM %I.%I t',
         (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', '
                            ORDER BY a.attnum)
            FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
             AND NOT a.attisdropped),
         n.nspname, c.relname), false, true, '')))[1]::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_%'
 ORDER BY 1
"""


# The access log's tables: on SQLite a file of their own (access-log.db, written by
# a background writer after the reads it records), on PostgreSQL in the clinic's
# database. db_tables() covers the clinic's database as SQLite has it, so leaves
# them out on PostgreSQL too; tests read the access log with db_query.
ACCESS_LOG_TABLES = ("access_batches", "access_batch_patients", "access_user_batches")


def pg_table_hashes(cluster, dbname):
    """{table: sha256 hex} for every table of a PostgreSQL database (schema public
    tables by their bare names) but the access log's, as db_table_hashes gives for
    SQLite's cellclinic.db."""
    return {name: h for name, h in cluster.psql(dbname, PG_TABLE_HASHES_SQL)
            if name not in ACCESS_LOG_TABLES}


def checksum_of(hashes, exclude=()):
    h = hashlib.sha256()
    for name in sorted(hashes):
        if name in exclude:
            continue
        h.update(name.encode() + b"=" + hashes[name].encode() + b"\n")
    return h.hexdigest()


def db_checksum(path, exclude=()):
    """db_checksum of the SQLite file at path."""
    return checksum_of(db_table_hashes(path), exclude)


def db_diff(before, after):
    """Names of the tables whose hashes differ between two db_table_hashes()."""
    names = set(before) | set(after)
    return sorted(n for n in names if before.get(n) != after.get(n))


class Tally:
    """Counts checks; finish() prints "N passed, M failed" and returns the exit code."""

    def __init__(self, name, verbose=False):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.failures = []
        self.verbose = verbose

    def check(self, cond, what, detail=None):
        if cond:
            self.passed += 1
            if self.verbose:
                print("ok   %s" % what)
        else:
            self.failed += 1
            msg = "FAIL %s" % what
            if detail is not None:
                msg += "\n       " + str(detail)[:1500].replace("\n", "\n       ")
            print(msg)
            self.failures.append(what)
        sys.stdout.flush()
        return cond

    def fail(self, what, detail=None):
        return self.check(False, what, detail)

    def finish(self):
        _kill_all()
        for rep in server_reports:
            self.fail("server log has a sanitizer or crash report", rep)
        del server_reports[:]
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.stdout.flush()
        return 1 if self.failed or self.passed == 0 else 0


# ------------------------------------------------------------------ matching
def json_match(expected, actual, path="$"):
    """Subset match with wildcards (see tests/cases/FORMAT.md).
    Returns None when it matches, else a message naming the first mismatch."""
    import re
    if isinstance(expected, str):
        if expected == "*":
            return None
        if expected == "*str":
            return None if isinstance(actual, str) and actual else \
                "%s: expected a non-empty string, got %r" % (path, actual)
        if expected == "*int":
            return None if isinstance(actual, int) and not isinstance(actual, bool) else \
                "%s: expected an integer, got %r" % (path, actual)
        if expected == "*num":
            return None if isinstance(actual, (int, float)) and not isinstance(actual, bool) \
                else "%s: expected a number, got %r" % (path, actual)
        if expected == "*bool":
            return None if isinstance(actual, bool) else \
                "%s: expected a boolean, got %r" % (path, actual)
        if expected == "*list":
            return None if isinstance(actual, list) else "%s: expected a list, got %r" % (
                path, actual)
        if expected == "*obj":
            return None if isinstance(actual, dict) else "%s: expected an object, got %r" % (
                path, actual)
        if expected.startswith("~"):
            if isinstance(actual, str) and re.search(expected[1:], actual):
                return None
            return "%s: expected a string matching /%s/, got %r" % (path, expected[1:], actual)
        return None if expected == actual else "%s: expected %r, got %r" % (
            path, expected, actual)
    if isinstance(expected, bool) or expected is None:
        return None if actual is expected else "%s: expected %r, got %r" % (
            path, expected, actual)
    if isinstance(expected, (int, float)):
        if isinstance(actual, (int, float)) and not isinstance(actual, bool) \
                and actual == expected:
            return None
        return "%s: expected %r, got %r" % (path, expected, actual)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return "%s: expected an object, got %r" % (path, actual)
        for k, v in expected.items():
            if v == "*absent":
                if k in actual:
                    return "%s.%s: must be absent, got %r" % (path, k, actual[k])
                continue
            if k not in actual:
                return "%s.%s: missing (have %s)" % (path, k, sorted(actual))
            m = json_match(v, actual[k], "%s.%s" % (path, k))
            if m:
                return m
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return "%s: expected a list, got %r" % (path, actual)
        if expected and expected[0] == "*none":
            for e in expected[1:]:
                for j, a in enumerate(actual):
                    if json_match(e, a) is None:
                        return "%s[%d]: must not match %r, got %r" % (path, j, e, a)
            return None
        if expected and expected[0] == "*contains":
            used = set()
            for i, e in enumerate(expected[1:]):
                found = False
                for j, a in enumerate(actual):
                    if j not in used and json_match(e, a) is None:
                        used.add(j)
                        found = True
                        break
                if not found:
                    return "%s: no element matches %r (have %d elements: %s)" % (
                        path, e, len(actual), json.dumps(actual)[:600])
            return None
        open_end = bool(expected) and expected[-1] == "..."
        items = expected[:-1] if open_end else expected
        if len(actual) < len(items) or (not open_end and len(actual) != len(items)):
            return "%s: expected %d elements%s, got %d" % (
                path, len(items), " or more" if open_end else "", len(actual))
        for i, e in enumerate(items):
            m = json_match(e, actual[i], "%s[%d]" % (path, i))
            if m:
                return m
        return None
    return "%s: unsupported expectation %r" % (path, expected)


def is_error_shape(r):
    """True when the body is {"error":{"code":str,"message":str,"field":str}}."""
    e = r.error()
    return (isinstance(e, dict) and isinstance(e.get("code"), str) and e.get("code")
            and isinstance(e.get("message"), str) and isinstance(e.get("field"), str))
