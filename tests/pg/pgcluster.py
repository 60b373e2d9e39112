#!/usr/bin/env python3
"""pgcluster: throwaway PostgreSQL clusters for the tests (Python 3 stdlib only).

    import pgcluster
    pg = pgcluster.Cluster()                 # initdb + start in a new temp dir
    url = pg.create_database("cc_1")         # postgresql:///cc_1?host=...&port=...&user=postgres
    rows = pg.psql("cc_1", "SELECT 1, NULL")  # [("1", None)]: text, NULL as None
    rows = pg.query("cc_1", "SELECT id FROM t WHERE name = ?", ("x",))  # typed (JSON) rows
    pg.stop()                                # pg_ctl -m fast, temp dir removed

A node lives in BASE/NAME/{data,sock,postgres.log}: its own unix socket
directory (so the port number only names the socket file and two test processes
never collide), no TCP unless tcp=True (then 127.0.0.1 only), trust
authentication for local connections as the "postgres" superuser, fsync on
(the crash and failover tests rely on durability), wal_level replica with
wal_log_hints (pg_rewind works on any node), C.UTF-8 collation (byte order, as
SQLite compares text).

initdb and the server run as the "postgres" system user when we are root
(runuser), never as root; as the current user otherwise. The base directory is
then owned by postgres; root clients reach the sockets anyway.

Several nodes can share one base directory (the failover test: a primary and
its standby made with pg_basebackup -R). Every started node is stopped at exit
(atexit and SIGTERM/SIGHUP handlers), and a watcher process in its own session
stops the nodes with -m immediate and removes the base directory if this
process dies without cleaning up (SIGKILL from a test timeout).

    python3 tests/pg/pgcluster.py --selftest
"""

import atexit
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from urllib.parse import quote

SUPERUSER = "postgres"
_live = []      # started Cluster objects
_bases = {}     # base dir -> (watcher Popen or None, keep)


class PgError(Exception):
    pass


# ------------------------------------------------------------------ binaries
_bindir = None


def bindir():
    """Directory of initdb, pg_ctl, psql...: $CC_PG_BINDIR, `pg_config --bindir`, or
    the newest /usr/lib/postgresql/*/bin (Debian does not put them on PATH)."""
    global _bindir
    if _bindir:
        return _bindir
    cands = []
    if os.environ.get("CC_PG_BINDIR"):
        cands.append(os.environ["CC_PG_BINDIR"])
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                             timeout=10)
        if out.returncode == 0:
            cands.append(out.stdout.strip())
    except OSError:
        pass

    def version(path):
        try:
            return int(path.rstrip("/").split("/")[-2])
        except ValueError:
            return 0

    cands += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    for c in cands:
        if os.access(os.path.join(c, "initdb"), os.X_OK) and \
                os.access(os.path.join(c, "pg_ctl"), os.X_OK):
            _bindir = c
            return c
    raise PgError("no PostgreSQL server binaries (initdb, pg_ctl) found in %s; "
                  "run scripts/install-deps.sh" % (cands or "/usr/lib/postgresql/*/bin"))


def tool(name):
    return os.path.join(bindir(), name)


def _running_as_root():
    return os.geteuid() == 0


def _owner_ids():
    if not _running_as_root():
        return None
    import pwd
    try:
        pw = pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise PgError("we run as root and there is no '%s' system user to run initdb "
                      "(the postgresql package creates it)" % SUPERUSER)
    return pw.pw_uid, pw.pw_gid


def as_owner(cmd):
    """cmd run as the postgres system user when we are root (initdb refuses root)."""
    if _running_as_root():
        _owner_ids()
        return ["runuser", "-u", SUPERUSER, "--"] + list(cmd)
    return list(cmd)


def _run(cmd, cwd, timeout=120, check=True, owner=True, input_text=None):
    full = as_owner(cmd) if owner else list(cmd)
    try:
        r = subprocess.run(full, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                           input=input_text, stdin=None if input_text is not None
                           else subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise PgError("%s: no answer within %ss" % (" ".join(full), timeout)) from e
    if check and r.returncode != 0:
        raise PgError("%s exited with %d:\n%s%s" % (" ".join(full), r.returncode, r.stdout,
                                                     r.stderr))
    return r


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ base dirs
def make_base(keep=False):
    """A new temp directory for nodes, owned by postgres when we are root, watched."""
    base = tempfile.mkdtemp(prefix="cc-pg-")
    ids = _owner_ids()
    if ids:
        os.chown(base, *ids)  # 0700 from mkdtemp: the owner enters, nobody else but root
    watcher = None
    try:
        watcher = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--watch", base]
                                   + (["--keep"] if keep else []),
                                   stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        watcher = None
    _bases[base] = (watcher, keep)
    return base


def remove_base(base):
    """Stops every node of base still running (immediate) and removes the directory."""
    watcher, keep = _bases.pop(base, (None, False))
    _stop_all_in(base)
    if not keep:
        shutil.rmtree(base, ignore_errors=True)
    else:
        sys.stderr.write("pgcluster: kept %s\n" % base)
    if watcher is not None:
        try:
            watcher.stdin.write(b"done\n")
            watcher.stdin.close()
            watcher.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass


def _stop_all_in(base):
    for pid_file in glob.glob(os.path.join(base, "*", "data", "postmaster.pid")):
        data = os.path.dirname(pid_file)
        try:
            _run([tool("pg_ctl"), "-D", data, "-m", "immediate", "-w", "-t", "30", "stop"],
                 cwd=base, check=False, timeout=60)
        except PgError:
            pass


def _watch(base, keep):
    """Runs in its own session: when the test process's end of the pipe closes
    without "done", stops what is left and removes base."""
    data = b""
    try:
        while True:
            chunk = sys.stdin.buffer.read(64)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    if b"done" in data:
        return 0
    _stop_all_in(base)
    if not keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0


# ------------------------------------------------------------------ literals
def literal(v):
    """An SQL literal for a Python value (parameters of query())."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return "'%s'::double precision" % ("NaN" if v != v else
                                              ("Infinity" if v > 0 else "-Infinity"))
        return repr(v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "'\\x%s'::bytea" % bytes(v).hex()
    s = str(v)
    if "\x00" in s:
        raise PgError("PostgreSQL text cannot hold NUL characters")
    return "'" + s.replace("'", "''") + "'"


def bind(sql, params):
    """Replaces each ? outside quotes and comments by the literal of the next parameter
    (the tests write SQLite-style placeholders)."""
    params = list(params)
    if not params:
        return sql
    out = []
    i, n, k = 0, len(sql), 0
    while i < n:
        c = sql[i]
        if c in ("'", '"'):
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i:j + 1])
            i = j + 1
            continue
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(sql[i:j])
            i = j
            continue
        if c == "?":
            if k >= len(params):
                raise PgError("more ? than parameters in %r" % sql)
            out.append(literal(params[k]))
            k += 1
            i += 1
            continue
        out.append(c)
        i += 1
    if k != len(params):
        raise PgError("%d parameters for %d ? in %r" % (len(params), k, sql))
    return "".join(out)


# ------------------------------------------------------------------ cluster
class Cluster:
    """One PostgreSQL node. Cluster() makes its own base directory (removed at
    stop); Cluster(base=B, name=N) puts the node in B/N (B from make_base(), removed
    by remove_base(B)). init=False: the data directory is made by someone else
    (pg_basebackup for a standby)."""

    def __init__(self, base=None, name="node1", port=None, settings=None, tcp=False,
                 init=True, start=True, keep=False, data_checksums=False):
        self.own_base = base is None
        self.base = base or make_base(keep=keep)
        self.name = name
        self.dir = os.path.join(self.base, name)
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.dir, "sock")
        self.log = os.path.join(self.dir, "postgres.log")
        self.port = port or free_port()
        self.tcp = tcp
        self.settings = dict(settings or {})
        self.running = False
        os.makedirs(self.sock, exist_ok=True)
        ids = _owner_ids()
        if ids:
            os.chown(self.dir, *ids)
            os.chown(self.sock, *ids)
        try:
            if init:
                cmd = [tool("initdb"), "-D", self.data, "-U", SUPERUSER, "-A", "trust",
                       "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"]
                if data_checksums:
                    cmd.append("--data-checksums")
                _run(cmd, cwd=self.dir, timeout=300)
                self.configure()
            if start:
                self.start()
        except BaseException:
            if self.own_base:
                remove_base(self.base)
            raise

    # ---------------------------------------------------------------- config
    def base_settings(self):
        s = {
            "listen_addresses": "'127.0.0.1'" if self.tcp else "''",
            "port": str(self.port),
            "unix_socket_directories": "'%s'" % self.sock,
            "fsync": "on",
            "synchronous_commit": "on",
            "full_page_writes": "on",
            "wal_level": "replica",
            "wal_log_hints": "on",
            "max_wal_senders": "10",
            "max_replication_slots": "10",
            "wal_keep_size": "'256MB'",
            "hot_standby": "on",
            "max_connections": "100",
            "shared_buffers": "'32MB'",
            "cluster_name": "'%s'" % self.name,
            "logging_collector": "off",
            "log_line_prefix": "'%m [%p] %q%a '",
        }
        s.update(self.settings)
        return s

    def configure(self):
        """Appends this node's settings to postgresql.conf (later lines win) and
        writes a pg_hba.conf that trusts local connections and replication."""
        conf = os.path.join(self.data, "postgresql.conf")
        with open(conf, "a") as f:
            f.write("\n# pgcluster (tests/pg/pgcluster.py)\n")
            for k, v in self.base_settings().items():
                f.write("%s = %s\n" % (k, v))
        with open(os.path.join(self.data, "pg_hba.conf"), "w") as f:
            f.write("# pgcluster: throwaway test cluster, reachable only by its socket "
                    "directory or 127.0.0.1\n"
                    "local all all trust\n"
                    "local replication all trust\n"
                    "host all all 127.0.0.1/32 trust\n"
                    "host replication all 127.0.0.1/32 trust\n")

    # ---------------------------------------------------------------- life
    def start(self, timeout=120):
        _run([tool("pg_ctl"), "-D", self.data, "-l", self.log, "-w", "-t", str(timeout),
              "start"], cwd=self.dir, timeout=timeout + 30)
        self.running = True
        if self not in _live:
            _live.append(self)

    def stop(self, mode="fast"):
        """Stops the node (pg_ctl -m MODE); a node that owns its base dir removes it."""
        if self.running:
            self.running = False
            _run([tool("pg_ctl"), "-D", self.data, "-m", mode, "-w", "-t", "120", "stop"],
                 cwd=self.dir, timeout=180, check=False)
        if self in _live:
            _live.remove(self)
        if self.own_base and self.base in _bases:
            remove_base(self.base)

    def halt(self, mode="fast"):
        """pg_ctl -m MODE stop, keeping the node's files for a later start() (stop()
        of a node that owns its base dir removes them): the database server goes
        away under its clients ("fast" ends their sessions, as an administrator's
        shutdown does)."""
        if not self.running:
            return
        self.running = False
        _run([tool("pg_ctl"), "-D", self.data, "-m", mode, "-w", "-t", "60", "stop"],
             cwd=self.dir, timeout=90)
        if self in _live:
            _live.remove(self)

    def kill_immediate(self):
        """pg_ctl -m immediate stop: no shutdown checkpoint, as a crash."""
        self.halt("immediate")

    def restart(self):
        _run([tool("pg_ctl"), "-D", self.data, "-l", self.log, "-m", "fast", "-w", "-t",
              "120", "restart"], cwd=self.dir, timeout=180)
        self.running = True

    def reload(self):
        _run([tool("pg_ctl"), "-D", self.data, "reload"], cwd=self.dir, timeout=60)

    def promote(self, timeout=60):
        _run([tool("pg_ctl"), "-D", self.data, "-w", "-t", str(timeout), "promote"],
             cwd=self.dir, timeout=timeout + 30)

    def log_text(self, tail=4000):
        try:
            with open(self.log, "rb") as f:
                return f.read()[-tail:].decode("utf-8", "replace")
        except OSError:
            return ""

    # ---------------------------------------------------------------- urls
    def url(self, dbname="postgres", **params):
        """libpq URI reaching this node by its socket directory."""
        q = {"host": self.sock, "port": str(self.port), "user": SUPERUSER}
        q.update({k: str(v) for k, v in params.items()})
        return "postgresql:///%s?%s" % (quote(dbname, safe=""), "&".join(
            "%s=%s" % (k, quote(v, safe="/,")) for k, v in q.items()))

    def conninfo(self, dbname="postgres"):
        """key=value connection string (pg_rewind --source-server, primary_conninfo)."""
        return "host=%s port=%d user=%s dbname=%s" % (self.sock, self.port, SUPERUSER, dbname)

    # ---------------------------------------------------------------- sql
    def _psql_cmd(self, dbname):
        return [tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.sock,
                "-p", str(self.port), "-U", SUPERUSER, "-d", dbname]

    def psql(self, dbname, sql, params=(), timeout=120):
        """Runs sql (one or more statements) with psql; the rows of the last result as
        tuples of text, NULL as None. ? placeholders take params (quoted here)."""
        import csv
        import io
        null = "\x01NULL\x01"
        cmd = self._psql_cmd(dbname) + ["--csv", "-t", "-P", "null=" + null, "-c",
                                        bind(sql, params)]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            raise PgError("psql %s: no answer within %ss to %s" % (dbname, timeout,
                                                                   sql[:200])) from e
        if r.returncode != 0:
            raise PgError("psql %s: %s" % (dbname, r.stderr.strip()))
        # query() answers in one JSON field, as long as the rows are many
        csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
        rows = []
        for rec in csv.reader(io.StringIO(r.stdout)):
            rows.append(tuple(None if v == null else v for v in rec))
        return rows

    def query(self, dbname, sql, params=(), timeout=120):
        """Rows of one statement as tuples of Python values (through JSON: bigint -> int,
        double -> float, NULL -> None, bytea -> bytes, other types -> their text)."""
        stmt = bind(sql, params).strip().rstrip(";")
        first = stmt.split(None, 1)[0].lower() if stmt else ""
        if first in ("select", "values", "table", "with", "("):
            wrapped = "SELECT coalesce(json_agg(row_to_json(q)), '[]')::text FROM (%s) q" % stmt
        elif first in ("insert", "update", "delete") and " returning " in \
                " " + stmt.lower().replace("\n", " ") + " ":
            wrapped = ("WITH q AS (%s) SELECT coalesce(json_agg(row_to_json(q)), '[]')::text "
                       "FROM q" % stmt)
        else:
            self.psql(dbname, stmt, timeout=timeout)
            return []
        out = self.psql(dbname, wrapped, timeout=timeout)
        # pairs keep every column in order, even two of the same name
        data = json.loads(out[0][0], object_pairs_hook=lambda pairs: pairs)
        rows = [tuple(v for _, v in rec) for rec in data]
        if any(isinstance(v, str) and v.startswith("\\x") for row in rows for v in row):
            types = self._column_types(dbname, stmt, first, timeout)
            if types:
                rows = [tuple(bytes.fromhex(v[2:]) if t == "bytea" and isinstance(v, str) else v
                              for v, t in zip(row, types)) for row in rows]
        return rows

    def _column_types(self, dbname, stmt, first, timeout):
        if first in ("insert", "update", "delete"):
            return []
        r = subprocess.run(self._psql_cmd(dbname) + ["--csv", "-t"], input="%s \\gdesc\n" % stmt,
                           capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise PgError("psql %s: %s" % (dbname, r.stderr.strip()))
        import csv
        import io
        return [rec[1] for rec in csv.reader(io.StringIO(r.stdout)) if len(rec) >= 2]

    def create_database(self, name):
        """CREATE DATABASE name; returns its URL."""
        self.psql("postgres", 'CREATE DATABASE "%s"' % name.replace('"', '""'))
        return self.url(name)

    def drop_database(self, name):
        self.psql("postgres", 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' %
                  name.replace('"', '""'))

    def is_in_recovery(self):
        return self.psql("postgres", "SELECT pg_is_in_recovery()")[0][0] == "t"

    def wait_ready(self, timeout=60, writable=None):
        """Waits until the node accepts connections (and, when writable is given,
        until pg_is_in_recovery() is its opposite)."""
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            try:
                rec = self.is_in_recovery()
                if writable is None or rec != writable:
                    return
            except PgError as e:
                last = e
            time.sleep(0.1)
        raise PgError("%s not ready within %ss (%s); log:\n%s" % (self.name, timeout, last,
                                                                  self.log_text()))

    # ---------------------------------------------------------------- replication
    def make_standby(self, name, settings=None, start=True):
        """A streaming standby of this node in the same base dir: pg_basebackup -R
        (standby.signal + primary_conninfo naming the standby by its cluster_name)."""
        node = Cluster(base=self.base, name=name, settings=settings, tcp=self.tcp,
                       init=False, start=False)
        conninfo = self.conninfo() + " application_name=%s" % name
        _run([tool("pg_basebackup"), "-D", node.data, "-d", conninfo, "-R", "-X", "stream",
              "-c", "fast", "--no-sync"], cwd=node.dir, timeout=600)
        node.configure()
        if start:
            node.start()
        return node

    def rewind_from(self, source, timeout=600):
        """pg_rewind this (stopped, diverged) node onto source's timeline and make it
        source's standby (-R writes standby.signal and primary_conninfo)."""
        if self.running:
            raise PgError("pg_rewind needs %s stopped" % self.name)
        r = _run([tool("pg_rewind"), "--target-pgdata", self.data, "--source-server",
                  source.conninfo() + " application_name=%s" % self.name, "-R",
                  "--no-sync"], cwd=self.dir, timeout=timeout)
        # pg_rewind copied source's configuration files: this node's port and socket again
        self.configure()
        return r

    def replication(self):
        """(application_name, state, sync_state, replay_lag_bytes) per connected standby."""
        return self.psql("postgres", "SELECT application_name, state, sync_state, "
                         "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint "
                         "FROM pg_stat_replication ORDER BY application_name")

    def wait_streaming(self, standby_name, sync=None, timeout=60):
        """Waits until standby_name streams from this node (and has sync_state sync)."""
        deadline = time.time() + timeout
        rows = []
        while time.time() < deadline:
            rows = self.replication()
            for app, state, sync_state, _ in rows:
                if app == standby_name and state == "streaming" and \
                        (sync is None or sync_state == sync):
                    return
            time.sleep(0.1)
        raise PgError("%s does not stream from %s within %ss: %s" % (
            standby_name, self.name, timeout, rows))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def multi_host_url(nodes, dbname, **params):
    """One libpq URI naming several nodes (host=A,B&port=P1,P2): libpq tries them in
    order; with target_session_attrs=read-write it keeps the one that is primary."""
    q = {"host": ",".join(n.sock for n in nodes), "port": ",".join(str(n.port) for n in nodes),
         "user": SUPERUSER}
    q.update({k: str(v) for k, v in params.items()})
    return "postgresql:///%s?%s" % (quote(dbname, safe=""), "&".join(
        "%s=%s" % (k, quote(v, safe="/,")) for k, v in q.items()))


# ------------------------------------------------------------------ exit
def stop_all():
    for c in list(reversed(_live)):
        try:
            c.stop()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass
    for b in list(_bases):
        remove_base(b)


atexit.register(stop_all)


def _on_signal(signum, frame):
    stop_all()
    sys.exit(128 + signum)


for _sig in (signal.SIGTERM, signal.SIGHUP):
    try:
        if signal.getsignal(_sig) in (signal.SIG_DFL, None):
            signal.signal(_sig, _on_signal)
    except (ValueError, OSError):
        pass


# ------------------------------------------------------------------ selftest
def selftest():
    failures = []

    def check(cond, what, detail=""):
        print("%s %s%s" % ("ok  " if cond else "FAIL", what, (": %s" % detail) if not cond
                           else ""))
        if not cond:
            failures.append(what)

    t0 = time.time()
    pg = Cluster()
    check(pg.running, "cluster started in %.1fs" % (time.time() - t0))
    base = pg.base
    if _running_as_root():
        import pwd
        owner = pwd.getpwuid(os.stat(pg.data).st_uid).pw_name
        check(owner == SUPERUSER, "initdb ran as the postgres user, not root", owner)
    settings = dict(pg.psql("postgres", "SELECT name, setting FROM pg_settings WHERE name IN "
                            "('fsync', 'listen_addresses', 'wal_log_hints', 'port', "
                            "'unix_socket_directories', 'lc_collate', 'server_encoding')"))
    check(settings.get("fsync") == "on", "fsync is on", settings)
    check(settings.get("listen_addresses") == "", "no TCP listener", settings)
    check(settings.get("port") == str(pg.port), "its own port", settings)
    check(settings.get("unix_socket_directories") == pg.sock, "socket in its temp dir", settings)
    check(settings.get("server_encoding") == "UTF8", "UTF8 encoding", settings)
    url = pg.create_database("cc_selftest")
    check(url.startswith("postgresql:///cc_selftest?host=/"), "url names the socket dir", url)
    r = subprocess.run([tool("psql"), "-X", "-At", "-d", url, "-c", "SELECT current_database()"],
                       capture_output=True, text=True, timeout=60)
    check(r.stdout.strip() == "cc_selftest", "psql connects with the URL", r.stdout + r.stderr)
    pg.psql("cc_selftest", "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY "
            "PRIMARY KEY, name TEXT, kg DOUBLE PRECISION, b BYTEA)")
    rows = pg.query("cc_selftest", "INSERT INTO t (name, kg, b) VALUES (?, ?, ?), (?, ?, ?) "
                    "RETURNING id", ("O'Brien ? é", 71.5, b"\x00\xff", None, None, None))
    check(rows == [(1,), (2,)], "insert returning through query()", rows)
    rows = pg.query("cc_selftest", "SELECT id, name, kg, b, id FROM t WHERE name = ? OR "
                    "name IS NULL ORDER BY id", ("O'Brien ? é",))
    check(rows == [(1, "O'Brien ? é", 71.5, b"\x00\xff", 1), (2, None, None, None, 2)],
          "typed rows: int, text with quote and ?, double, bytea, NULL, duplicate column",
          rows)
    rows = pg.psql("cc_selftest", "SELECT name, '' FROM t ORDER BY id")
    check(rows == [("O'Brien ? é", ""), (None, "")], "psql() text rows keep NULL apart from ''",
          rows)
    try:
        pg.psql("cc_selftest", "SELECT * FROM no_such_table")
        check(False, "an SQL error raises PgError")
    except PgError as e:
        check("no_such_table" in str(e), "an SQL error raises PgError", e)
    # durability of an acknowledged commit across an immediate stop
    pg.psql("cc_selftest", "INSERT INTO t (name) VALUES ('before crash')")
    pg.kill_immediate()
    pg.start()
    rows = pg.psql("cc_selftest", "SELECT count(*) FROM t WHERE name = 'before crash'")
    check(rows == [("1",)], "a committed row survives pg_ctl -m immediate", rows)
    # a second cluster at the same time: its own port and socket
    other = Cluster()
    check(other.port != pg.port and other.sock != pg.sock, "two clusters side by side")
    other.stop()
    check(not os.path.exists(other.base), "stop() removes the temp dir", other.base)
    # a process killed with SIGKILL leaves nothing behind (the watcher cleans up)
    code = ("import sys, time; sys.path.insert(0, %r); import pgcluster; "
            "c = pgcluster.Cluster(); print(c.base, flush=True); time.sleep(600)"
            % os.path.dirname(os.path.abspath(__file__)))
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    orphan = p.stdout.readline().strip()
    p.kill()
    p.wait()
    deadline = time.time() + 60
    while time.time() < deadline and os.path.exists(orphan):
        time.sleep(0.2)
    check(orphan and not os.path.exists(orphan),
          "a SIGKILLed owner's cluster is stopped and removed by the watcher", orphan)
    pg.stop()
    check(not os.path.exists(base), "stop() removes the temp dir", base)
    print("%d failed" % len(failures))
    return 1 if failures else 0


def main(argv):
    import argparse
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--selftest", action="store_true", help="start, use and stop clusters")
    p.add_argument("--watch", metavar="BASE", help=argparse.SUPPRESS)
    p.add_argument("--keep", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.watch:
        return _watch(args.watch, args.keep)
    if args.selftest:
        return selftest()
    p.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
