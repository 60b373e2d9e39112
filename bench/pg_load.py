#!/usr/bin/env python3
"""pg_load: copies generated benchmark rows from a SQLite data file into a
PostgreSQL database that `cellclinic init --database URL` has just made
(test-data tooling for bench/pg.sh, never for a real clinic: no audit entries).

    python3 bench/pg_load.py SQLITE_FILE URL

The tables bench/outcomes_gen.py fills (TABLES) are copied whole when the
database holds none of their rows (COPY ... FROM STDIN in text format through
psql, columns by name, parents before their children); the rest (users, the
audit log and its signed checkpoints) stays as each engine's init wrote it; derived
data (the measure series) is not copied and is marked not built, so the first
report builds it, even when the SQLite file's was built already; then every identity sequence of a copied table
restarts after its largest id, and ANALYZE gives the planner the statistics
that autovacuum would gather later. Prints one line per copied table.
Python standard library and the psql client only.
"""

import sqlite3
import subprocess
import sys
import time

TABLES = ("patients", "patient_conditions", "screenings", "plans", "administrations",
          "followup_visits", "observations", "adverse_events")


def psql(url, sql, stdin=None):
    """Runs sql; rows of the last result as lists of text (unaligned, tab-separated)."""
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-F", "\t",
                        "-d", url, "-c", sql], stdin=stdin, capture_output=stdin is None,
                       text=True, check=False)
    if r.returncode != 0:
        sys.exit("pg_load: psql failed on %s: %s" % (sql[:80], r.stderr or ""))
    return [line.split("\t") for line in (r.stdout or "").splitlines() if line]


def text_field(v):
    """One value in COPY's text format."""
    if v is None:
        return "\\N"
    if isinstance(v, bytes):
        return "\\\\x" + v.hex()
    if isinstance(v, float):
        return repr(v)
    s = str(v)
    return (s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def copy_table(con, url, table, columns):
    cols = ", ".join('"%s"' % c for c in columns)
    p = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c",
                          '\\copy "%s" (%s) FROM pstdin' % (table, cols)],
                         stdin=subprocess.PIPE, text=True)
    rows = 0
    for row in con.execute('SELECT %s FROM "%s"' % (cols, table)):
        p.stdin.write("\t".join(text_field(v) for v in row) + "\n")
        rows += 1
    p.stdin.close()
    if p.wait() != 0:
        sys.exit("pg_load: copying %s failed" % table)
    return rows


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    con = sqlite3.connect(argv[0])
    url = argv[1]
    pg_cols = {}
    for t, c in psql(url, "SELECT table_name, column_name FROM information_schema.columns "
                          "WHERE table_schema = 'public' AND is_generated = 'NEVER' "
                          "ORDER BY ordinal_position"):
        pg_cols.setdefault(t, set()).add(c)
    copied = []
    for t in TABLES:
        if psql(url, 'SELECT 1 FROM "%s" LIMIT 1' % t):
            sys.exit("pg_load: %s already holds rows" % t)
        columns = [r[1] for r in con.execute('PRAGMA table_info("%s")' % t)
                   if r[1] in pg_cols[t]]
        started = time.monotonic()
        n = copy_table(con, url, t, columns)
        print("%s: %d rows in %.1f s" % (t, n, time.monotonic() - started), flush=True)
        copied.append(t)
    psql(url, "UPDATE derived_data SET built = 0")
    if copied:
        names = ", ".join("'%s'" % t for t in copied)
        for t, c in psql(url, "SELECT table_name, column_name FROM information_schema.columns "
                              "WHERE table_schema = 'public' AND is_identity = 'YES' "
                              "AND table_name IN (%s)" % names):
            psql(url, "SELECT setval(pg_get_serial_sequence('\"%s\"', '%s'), "
                      "(SELECT max(\"%s\") FROM \"%s\"))" % (t, c, c, t))
        psql(url, "ANALYZE " + ", ".join('"%s"' % t for t in copied))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
