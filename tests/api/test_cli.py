#!/usr/bin/env python3
"""The command line: help, usage errors, init, audit verify, demo, serve (backup and
restore: test_backup.py).

    python3 tests/api/test_cli.py --binary build/cellclinic [-v]
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

HELP = [["--help"], ["init", "--help"], ["serve", "--help"], ["user", "--help"],
        ["user", "add", "--help"], ["user", "list", "--help"], ["user", "disable", "--help"],
        ["user", "enable", "--help"], ["user", "reset-password", "--help"], ["audit", "--help"],
        ["audit", "verify", "--help"], ["backup", "--help"], ["demo", "--help"], ["routes", "--help"],
        ["mfa", "--help"], ["mfa", "require", "--help"], ["mfa", "reset", "--help"]]


def cli(binary, args, timeout=120):
    try:
        return harness.run_cli(binary, args, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, -999, "", "timed out")


def one_line(text):
    lines = [x for x in text.strip().split("\n") if x.strip()]
    return len(lines) == 1


def patient_count(data):
    if not harness.location_initialized(data):
        return None
    return harness.location_query(data, "SELECT count(*) FROM patients")[0][0]


def main():
    args = harness.parse_args()
    b = os.path.abspath(args.binary)
    t = harness.Tally("cli", verbose=args.verbose)
    tmp = tempfile.mkdtemp(prefix="cc-clitest-")
    try:
        run_all(b, t, tmp, args)
    except harness.CommandError as e:
        t.fail("harness", e)
    finally:
        harness._kill_all()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return t.finish()


def usage_error(t, b, argv, option, what):
    r = cli(b, argv)
    msg = r.stderr + r.stdout
    t.check(r.returncode == 2 and option in msg and one_line(r.stderr),
            "%s: exit 2 and a one-line message naming %s" % (what, option),
            "argv %s -> exit %s, stderr %r, stdout %r" % (argv, r.returncode, r.stderr[:300],
                                                          r.stdout[:200]))


def run_all(b, t, tmp, args):
    pw = os.path.join(tmp, "pw")
    with open(pw, "w") as f:
        f.write(harness.PASSWORD + "\n")

    # --- help
    for argv in HELP:
        r = cli(b, argv)
        t.check(r.returncode == 0 and (r.stdout.strip() or r.stderr.strip()),
                "cellclinic %s exits 0 with text" % " ".join(argv),
                "exit %s, stderr %r" % (r.returncode, r.stderr[:300]))
    r = cli(b, ["routes"])
    t.check(r.returncode == 0, "cellclinic routes exits 0", r.stderr[:300])
    try:
        json.loads(r.stdout)
        t.check(True, "cellclinic routes prints JSON")
    except ValueError:
        t.fail("cellclinic routes prints JSON", r.stdout[:300])

    # --- usage errors
    d0 = harness.location_missing(os.path.join(tmp, "usage"))
    usage_error(t, b, ["frobnicate"], "frobnicate", "unknown command")
    usage_error(t, b, ["init", "--data", d0, "--bogus"], "--bogus", "init unknown option")
    usage_error(t, b, ["init", "--data"], "--data", "init missing value")
    usage_error(t, b, ["init"], "--data", "init without --data")
    usage_error(t, b, ["init", "--data", d0, "--admin-password-file"], "--admin-password-file",
                "init missing password file value")
    usage_error(t, b, ["init", "--data", d0, "--admin-password-file",
                       os.path.join(tmp, "no-such-file")], "--admin-password-file",
                "init unreadable password file")
    t.check(not harness.location_exists(d0), "failed init leaves no database behind")
    usage_error(t, b, ["serve", "--data", d0, "--bogus"], "--bogus", "serve unknown option")
    usage_error(t, b, ["serve", "--data", d0, "--threads", "abc"], "--threads",
                "serve bad --threads")
    usage_error(t, b, ["serve", "--data", d0, "--threads", "0"], "--threads",
                "serve --threads 0")
    usage_error(t, b, ["serve", "--data", d0, "--threads", "-3"], "--threads",
                "serve negative --threads")
    usage_error(t, b, ["serve", "--data", d0, "--listen", "nonsense"], "--listen",
                "serve bad --listen")
    usage_error(t, b, ["serve", "--data", d0, "--listen", "127.0.0.1:99999"], "--listen",
                "serve port out of range")
    usage_error(t, b, ["serve", "--data", d0, "--listen"], "--listen", "serve missing value")
    usage_error(t, b, ["user", "add", "--data", d0, "--username", "x", "--role", "superuser",
                       "--password-file", pw], "--role", "user add bad role")
    usage_error(t, b, ["user", "add", "--data", d0, "--username", "x", "--role", "nurse"],
                "--password-file", "user add without --password-file")
    usage_error(t, b, ["user", "add", "--data", d0, "--username"], "--username",
                "user add missing value")
    usage_error(t, b, ["user", "add", "--data", d0, "--username", "x", "--role", "nurse",
                       "--password-file", pw, "--bogus"], "--bogus", "user add unknown option")
    usage_error(t, b, ["user", "frobnicate", "--data", d0], "frobnicate",
                "user unknown subcommand")
    usage_error(t, b, ["user", "list"], "--data", "user list without --data")
    usage_error(t, b, ["user", "list", "--data", d0, "--username", "x"], "--username",
                "user list takes no --username")
    for sub in ("disable", "enable"):
        usage_error(t, b, ["user", sub, "--data", d0], "--username",
                    "user %s without --username" % sub)
        usage_error(t, b, ["user", sub, "--username", "x"], "--data",
                    "user %s without --data" % sub)
        usage_error(t, b, ["user", sub, "--data", d0, "--username", "Bad Name"], "--username",
                    "user %s bad --username" % sub)
        usage_error(t, b, ["user", sub, "--data", d0, "--username", "x", "--bogus"], "--bogus",
                    "user %s unknown option" % sub)
        usage_error(t, b, ["user", sub, "--data", d0, "--username", "x", "--password-file", pw],
                    "--password-file", "user %s takes no --password-file" % sub)
    usage_error(t, b, ["user", "reset-password", "--data", d0, "--username", "x"],
                "--password-file", "user reset-password without --password-file")
    usage_error(t, b, ["user", "reset-password", "--data", d0, "--username", "x",
                       "--password-file", os.path.join(tmp, "no-such-file")],
                "--password-file", "user reset-password unreadable password file")
    short = os.path.join(tmp, "short-pw")
    with open(short, "w") as f:
        f.write("short\n")
    usage_error(t, b, ["user", "reset-password", "--data", d0, "--username", "x",
                       "--password-file", short],
                "--password-file", "user reset-password weak password")
    usage_error(t, b, ["audit", "verify", "--bogus"], "--bogus", "audit verify unknown option")
    usage_error(t, b, ["audit", "verify"], "--data", "audit verify without --data")
    usage_error(t, b, ["backup", "--data", d0], "--to", "backup without --to")
    usage_error(t, b, ["backup", "--data", d0, "--to"], "--to", "backup missing value")
    usage_error(t, b, ["demo", "--data", d0, "--patients", "abc"], "--patients",
                "demo bad --patients")
    usage_error(t, b, ["demo", "--data", d0, "--patients", "-5"], "--patients",
                "demo negative --patients")
    usage_error(t, b, ["demo", "--data", d0, "--seed", "x1"], "--seed", "demo bad --seed")
    usage_error(t, b, ["routes", "--bogus"], "--bogus", "routes unknown option")

    # --- init
    d1 = harness.location_new(os.path.join(tmp, "d1"))
    r = cli(b, ["init", "--data", d1, "--admin-password-file", pw])
    t.check(r.returncode == 0 and harness.location_initialized(d1),
            "init creates the database (DIR/cellclinic.db, or the schema in the empty"
            " PostgreSQL database)", r.stderr)
    if r.returncode != 0:
        return
    before = harness.location_checksum(d1)
    r = cli(b, ["init", "--data", d1, "--admin-password-file", pw])
    t.check(r.returncode != 0 and r.returncode in (1, 2), "init refuses an existing data dir",
            "exit %s %r" % (r.returncode, r.stderr))
    t.check(harness.location_checksum(d1) == before,
            "init on an existing data dir changes nothing")
    d2 = harness.location_new(os.path.join(tmp, "d2"))
    if harness.location_is_pg(d2):
        # a database that holds something else: a table of another application
        harness.location_exec(d2, "CREATE TABLE keep (x INTEGER)")
    else:
        os.makedirs(d2)
        with open(os.path.join(d2, "keep.txt"), "w") as f:
            f.write("x")
    r = cli(b, ["init", "--data", d2, "--admin-password-file", pw])
    t.check(r.returncode != 0 and not harness.location_initialized(d2),
            "init refuses an existing (non-empty) directory or database",
            "exit %s %r" % (r.returncode, r.stderr))
    d3 = harness.location_new(os.path.join(tmp, "d3"))
    r = cli(b, ["init", "--data", d3])
    t.check(r.returncode == 0, "init without --admin-password-file works (prints a password)",
            r.stderr)

    # --- user add
    r = cli(b, ["user", "add", "--data", d1, "--username", "nurse9", "--role", "nurse",
                "--password-file", pw])
    t.check(r.returncode == 0, "user add works", r.stderr)
    r = cli(b, ["user", "add", "--data", d1, "--username", "nurse9", "--role", "nurse",
                "--password-file", pw])
    t.check(r.returncode == 1, "user add of an existing user name fails with exit 1",
            "exit %s %r" % (r.returncode, r.stderr))
    usage_error(t, b, ["user", "add", "--data", d1, "--username", "nurse8", "--role", "nurse",
                       "--password-file", os.path.join(tmp, "no-such-file")],
                "--password-file", "user add unreadable password file")
    # --- user list, disable, enable, reset-password (with a server: tests/api/test_accounts.py)
    r = cli(b, ["user", "list", "--data", d1])
    t.check(r.returncode == 0 and any(x.split()[:3] == ["nurse9", "nurse", "active"]
                                      for x in r.stdout.splitlines()),
            "user list shows nurse9, its role and status", r.stdout + r.stderr)
    r = cli(b, ["user", "disable", "--data", d1, "--username", "nurse9"])
    t.check(r.returncode == 0, "user disable works", r.stderr)
    r = cli(b, ["user", "disable", "--data", d1, "--username", "nurse9"])
    t.check(r.returncode == 1 and "already disabled" in r.stderr,
            "user disable of a disabled account fails with exit 1", (r.returncode, r.stderr))
    r = cli(b, ["user", "list", "--data", d1])
    t.check(any(x.split()[:3] == ["nurse9", "nurse", "disabled"] for x in r.stdout.splitlines()),
            "user list shows nurse9 disabled", r.stdout)
    r = cli(b, ["user", "enable", "--data", d1, "--username", "nurse9"])
    t.check(r.returncode == 0, "user enable works", r.stderr)
    r = cli(b, ["user", "enable", "--data", d1, "--username", "nobody"])
    t.check(r.returncode == 1 and "nobody" in r.stderr,
            "user enable of an unknown name fails with exit 1 naming it", (r.returncode, r.stderr))
    r = cli(b, ["user", "reset-password", "--data", d1, "--username", "nurse9",
                "--password-file", pw])
    t.check(r.returncode == 0, "user reset-password works", r.stderr)
    r = cli(b, ["user", "list", "--data", d1])
    t.check(any(x.split()[:3] == ["nurse9", "nurse", "active,"] and "must change password" in x
                for x in r.stdout.splitlines()),
            "user list shows that nurse9 must change the password", r.stdout)

    # --- a server with some activity, then audit verify / backup
    with harness.Server(b, keep=args.keep) as srv:
        ids = []
        for i in range(30):
            r = srv.request("POST", "/api/v1/patients",
                            {"family_name": "Cli%03d" % i, "given_names": "Test",
                             "birth_date": "1980-01-%02d" % (i % 28 + 1), "sex": "other",
                             "language": "en"}, role="coordinator")
            if r.status == 201:
                ids.append(r.json["id"])
        t.check(len(ids) == 30, "30 patients created for the CLI tests", len(ids))
        if ids:
            r = srv.request("GET", "/api/v1/patients/%s" % ids[0], role="coordinator")
            srv.request("PATCH", "/api/v1/patients/%s" % ids[0], {"phone": "1", "reason": "correction"},
                        role="coordinator", headers={"If-Match": r.header("ETag") or '"1"'})

        # backup and restore under load: tests/api/test_backup.py
        srv.stop()

        # audit verify on the intact chain
        n_audit = srv.db_query("SELECT count(*) FROM audit_log")[0][0]
        r = cli(b, ["audit", "verify", "--data", srv.data])
        t.check(r.returncode == 0 and re.search(r"audit chain intact: %d entries" % n_audit,
                                                r.stdout),
                "audit verify: exit 0 and 'audit chain intact: %d entries'" % n_audit,
                "exit %s stdout %r stderr %r" % (r.returncode, r.stdout, r.stderr))

        # tamper with entries behind the program's back, one column at a time
        cols = srv.db_columns("audit_log")
        seqs = [x[0] for x in srv.db_query("SELECT seq FROM audit_log ORDER BY seq")]
        tamper_cols = [c for c in ("after_json", "after", "before_json", "before", "username",
                                   "user", "at", "action", "entity", "entity_id", "reason",
                                   "prev_hash") if c in cols]
        t.check(len(tamper_cols) >= 5, "audit_log has the documented columns", cols)
        for i, col in enumerate(tamper_cols):
            # a row where the column holds something (before images are null on creates)
            rows = srv.db_query('SELECT seq, "%s" FROM audit_log WHERE "%s" IS NOT NULL '
                                'ORDER BY seq' % (col, col))
            if not rows:
                continue
            target, saved = rows[(len(rows) * (i + 1)) // (len(tamper_cols) + 2)]
            text = saved if isinstance(saved, str) else str(saved)
            if "Cli" in text:
                new = text.replace("Cli", "Clx", 1)
            elif text and text[-1].isdigit():
                new = text[:-1] + str((int(text[-1]) + 1) % 10)
            else:
                new = text + "x"
            srv.db_exec('UPDATE audit_log SET "%s"=? WHERE seq=?' % col, (new, target))
            r = cli(b, ["audit", "verify", "--data", srv.data])
            out = r.stdout + r.stderr
            t.check(r.returncode == 1 and re.search(r"(?<!\d)%d(?!\d)" % target, out),
                    "audit verify: column %s of seq %d edited behind the program's back "
                    "gives exit 1 naming seq %d" % (col, target, target),
                    "exit %s output %r" % (r.returncode, out[:500]))
            srv.db_exec('UPDATE audit_log SET "%s"=? WHERE seq=?' % col, (saved, target))
        r = cli(b, ["audit", "verify", "--data", srv.data])
        t.check(r.returncode == 0, "audit verify: intact again after restoring the rows",
                r.stdout + r.stderr)
        # an edit that also rewrites the row's own hash: the next link breaks
        target = seqs[len(seqs) // 2]
        row = srv.db_query("SELECT hash FROM audit_log WHERE seq=?", (target,))[0]
        srv.db_exec("UPDATE audit_log SET hash=? WHERE seq=?", ("0" * len(row[0]), target))
        r = cli(b, ["audit", "verify", "--data", srv.data])
        out = r.stdout + r.stderr
        t.check(r.returncode == 1 and re.search(r"(?<!\d)(%d|%d)(?!\d)" % (target, target + 1),
                                                out),
                "audit verify: a rewritten hash (seq %d) gives exit 1 naming it or the next" %
                target, "exit %s output %r" % (r.returncode, out[:500]))
        srv.db_exec("UPDATE audit_log SET hash=? WHERE seq=?", (row[0], target))
        victim = seqs[len(seqs) // 3]
        srv.db_exec("DELETE FROM audit_log WHERE seq=?", (victim,))
        r = cli(b, ["audit", "verify", "--data", srv.data])
        t.check(r.returncode == 1, "audit verify: a deleted entry (seq %d) gives exit 1" % victim,
                "exit %s output %r" % (r.returncode, (r.stdout + r.stderr)[:500]))

    # --- demo
    d4 = harness.location_new(os.path.join(tmp, "d4"))
    cli(b, ["init", "--data", d4, "--admin-password-file", pw])
    r = cli(b, ["demo", "--data", d4, "--patients", "25", "--seed", "7"], timeout=300)
    n = patient_count(d4)
    t.check(r.returncode == 0 and n == 25, "demo --patients 25 creates 25 patients",
            "exit %s count %s %r" % (r.returncode, n, r.stderr[:300]))
    d5 = harness.location_new(os.path.join(tmp, "d5"))
    cli(b, ["init", "--data", d5, "--admin-password-file", pw])
    cli(b, ["demo", "--data", d5, "--patients", "25", "--seed", "7"], timeout=300)
    try:
        q = "SELECT family_name, given_names, birth_date FROM patients ORDER BY 1,2,3"
        a = harness.location_query(d4, q)
        c = harness.location_query(d5, q)
        t.check(a == c and len(a) == 25, "demo with the same --seed makes the same patients")
    except harness.DatabaseError as e:
        t.fail("demo with the same --seed makes the same patients", e)
    r = cli(b, ["audit", "verify", "--data", d4])
    t.check(r.returncode == 0, "audit verify passes after demo", r.stdout + r.stderr)
    # the admin below logs in with a password only
    cli(b, ["mfa", "require", "--data", d4, "--role", harness.MFA_DEFAULT_ROLES, "--required", "no"])
    srv = harness.Server(b, keep=args.keep, data_dir=d4)
    srv.passwords[harness.ADMIN_USER] = harness.PASSWORD
    try:
        srv.start()
        r = srv.request("GET", "/api/v1/patients?per_page=200", role="admin")
        items = (r.json or {}).get("items", [])
        t.check(r.status == 200 and len(items) == 25 and
                all(p.get("synthetic") is True for p in items),
                "demo patients are served and marked synthetic",
                r)
        # --- graceful stop
        t0 = time.time()
        rc = srv.stop(sig=signal.SIGTERM)
        t.check(rc == 0 and time.time() - t0 < 5, "SIGTERM stops the server with exit 0",
                "exit %s after %.1fs" % (rc, time.time() - t0))
        srv.start()
        rc = srv.stop(sig=signal.SIGINT)
        t.check(rc == 0, "SIGINT stops the server with exit 0", "exit %s" % rc)
        r = cli(b, ["audit", "verify", "--data", d4])
        t.check(r.returncode == 0, "audit intact after graceful stops", r.stdout + r.stderr)
    finally:
        srv.stop()
        srv.cleanup()

    # --- serve --threads 1 still answers concurrent clients; a port in use fails cleanly
    srv = harness.Server(b, keep=args.keep, threads=1)
    try:
        srv.setup()
        srv.start()
        results = []

        def get():
            try:
                results.append(srv.request("GET", "/healthz", timeout=10).status)
            except OSError as e:
                results.append(repr(e))
        ths = [threading.Thread(target=get) for _ in range(16)]
        for th in ths:
            th.start()
        for th in ths:
            th.join()
        t.check(results == [200] * 16, "serve --threads 1 answers 16 concurrent clients", results)
        r = cli(b, ["serve", "--data", srv.data, "--listen", "127.0.0.1:%d" % srv.port],
                timeout=15)
        t.check(r.returncode == 1 and r.stderr.strip(),
                "a second server on a port in use exits 1 with a message",
                "exit %s %r" % (r.returncode, r.stderr[:300]))
        t.check(srv.request("GET", "/healthz").status == 200,
                "the first server is unaffected by the second")
    except harness.CommandError as e:
        t.fail("serve --threads 1", e)
    finally:
        srv.stop()
        srv.cleanup()

    # --- commands on a data dir that does not exist fail, never claim success
    missing = harness.location_missing(os.path.join(tmp, "missing"))
    for argv in (["audit", "verify", "--data", missing],
                 ["demo", "--data", missing, "--patients", "3"],
                 ["backup", "--data", missing, "--to", os.path.join(tmp, "m.db")],
                 ["user", "add", "--data", missing, "--username", "x", "--role", "nurse",
                  "--password-file", pw]):
        r = cli(b, argv)
        t.check(r.returncode in (1, 2) and r.stderr.strip() and not os.path.exists(missing)
                and not harness.location_exists(missing),
                "%s on a missing data dir fails (exit 1 or 2, a message) and creates nothing"
                % " ".join(argv[:2]), "exit %s %r %r" % (r.returncode, r.stdout[:200],
                                                        r.stderr[:200]))
    r = cli(b, ["audit", "verify", "--data", missing])
    t.check("intact" not in r.stdout, "audit verify on a missing data dir does not say intact",
            r.stdout)
    if harness.location_is_pg(d4):
        print("skip (SQLite only): backup into a missing directory; backup refuses a"
              " PostgreSQL database by design (pg_dump or pgBackRest back it up)")
    else:
        r = cli(b, ["backup", "--data", d4, "--to",
                    os.path.join(tmp, "no", "such", "dir", "b.db")])
        t.check(r.returncode == 1 and r.stderr.strip(),
                "backup into a directory that does not exist exits 1 with a message",
                "exit %s %r" % (r.returncode, r.stderr[:200]))

    # --- serve on a data dir that does not exist
    r = cli(b, ["serve", "--data", missing, "--listen",
                "127.0.0.1:%d" % harness.free_port()], timeout=10)
    t.check(r.returncode in (1, 2), "serve on a missing data dir exits 1 or 2 at once",
            "exit %s %r" % (r.returncode, r.stderr[:200]))


if __name__ == "__main__":
    sys.exit(main())
