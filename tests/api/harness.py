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
(same binary and roles) copy its result (CREATE DATABASE ... TEMPLATE;
CC_TEST_PG_TEMPLATE=0 runs the commands every time). Every command the
harness runs (srv.cli, run_cli) gets `--database URL` where a test wrote
`--data srv.data`; db_checksum(), db_tables(), db_query() and db_exec() use
that database through psql (same ? placeholders). srv.db_path is None on
PostgreSQL: a test that opens the SQLite file itself is SQLite-only. A Server
built on a data_dir the test made itself stays on SQLite.
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
_pg_templates = {}
# The access log (who read which patient): on SQLite a second file, access-log.db,
# which db_tables() never reads; on PostgreSQL the same database, left out of
# db_tables() there so both stores compare the same tables.
ACCESS_LOG_TABLES = ("access_batches", "access_batch_patients", "access_user_batches")

_live_servers = []
# Sanitizer or crash reports found in server logs; Tally.finish() fails on them.
server_reports = []
REPORT_MARKERS = (b"ERROR: AddressSanitizer", b"ERROR: LeakSanitizer", b"runtime error:",
                  b"AddressSanitizer:DEADLYSIGNAL", b"Segmentation fault", b"Assertion `")


def _kill_all():
    for s in list(_live_servers):
        s.stop()


def pg_cluster(keep=False):
    """The test process's PostgreSQL cluster, started on first use."""
    global _pg
    if _pg is None:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
        import pgcluster
        # servers stop before the cluster at exit (atexit runs the last registered first)
        atexit.register(_kill_all)
        _pg = pgcluster.Cluster(name="api", keep=keep)
    return _pg


def store_argv(args):
    """args with `--data DIR` replaced by `--database URL` when DIR is the data dir of
    a Server on PostgreSQL."""
    args = list(args)
    if not _pg_locations:
        return args
    out = []
    i = 0
    while i < len(args):
        if args[i] == "--data" and i + 1 < len(args) and args[i + 1] in _pg_locations:
            out += ["--database", _pg_locations[args[i + 1]][0]]
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
        if STORE == "pg" and data_dir is None:
            name = "cc_%d_%d" % (os.getpid(), next(_pg_counter))
            _pg_locations[self.data] = (pg_cluster(keep).create_database(name), name)
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
        name = self._pg_dbname()
        key = (self.binary, tuple(self.roles))
        if name and key in _pg_templates:
            # the same init, mfa and user commands already ran for this binary and
            # these roles in this process: a copy of their result
            pg = pg_cluster()
            pg.drop_database(name)
            pg.psql("postgres", 'CREATE DATABASE "%s" TEMPLATE "%s"' % (name, _pg_templates[key]))
            for role in self.roles:
                self.passwords[user_of(role)] = PASSWORD
            return
        self._setup_commands()
        if name and PG_TEMPLATES:
            tpl = "cc_template_%d" % len(_pg_templates)
            pg_cluster().psql("postgres", 'CREATE DATABASE "%s" TEMPLATE "%s"' % (tpl, name))
            _pg_templates[key] = tpl

    def _setup_commands(self):
        pw_file = os.path.join(self.tmp, "admin.pw")
        with open(pw_file, "w") as f:
            f.write(PASSWORD + "\n")
        self.passwords[ADMIN_USER] = PASSWORD
        r = self.cli("init", *self.store_args(), "--admin-password-file", pw_file)
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
        loc = _pg_locations.pop(self.data, None)
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
        name = self._pg_dbname()
        if name:
            return pg_table_hashes(pg_cluster(), name)
        return db_table_hashes(self.db_path)

    def db_checksum(self, exclude=()):
        """SHA-256 over the content of every table (rows in a fixed order)."""
        return checksum_of(self.db_tables(), exclude)

    def db_exec(self, sql, params=()):
        """Runs one writing statement (? placeholders) behind the server's back, as a
        test arranging a situation does, on either store. Returns the first column of
        the first row the statement returns (INSERT ... RETURNING id), else, on SQLite,
        the last inserted rowid."""
        name = self._pg_dbname()
        if name:
            rows = pg_cluster().query(name, sql, params)
            return rows[0][0] if rows and rows[0] else None
        con = sqlite3.connect(self.db_path, timeout=30)
        try:
            cur = con.execute(sql, params)
            rows = cur.fetchall()
            con.commit()
            return rows[0][0] if rows and rows[0] else cur.lastrowid
        finally:
            con.close()

    def db_query(self, sql, params=()):
        """Rows of sql (? placeholders) as a list of tuples, on either store."""
        name = self._pg_dbname()
        if name:
            return pg_cluster().query(name, sql, params)
        con = db_connect_ro(self.db_path)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()


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


def pg_table_hashes(cluster, dbname):
    """{table: sha256 hex} for every table of a PostgreSQL database (schema public
    tables by their bare names) but the access log's, as db_table_hashes gives for
    SQLite."""
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
