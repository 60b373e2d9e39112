/*
 * sqlite_insert_loop: the floor for durable writes on this machine.
 *
 * Inserts one weight row per transaction (autocommit) into a fresh SQLite
 * database with the settings the server uses (journal_mode=WAL,
 * synchronous=FULL) for a fixed number of seconds, from one thread, and
 * prints the rate. bench/run.sh compares the server's POST .../weights rate
 * with it.
 *
 * Usage: sqlite_insert_loop DBFILE SECONDS
 * Output: "inserts: N seconds: S inserts_per_s: R"
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exec_or_die(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "sqlite_insert_loop: %s: %s\n", sql, err ? err : "?");
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: sqlite_insert_loop DBFILE SECONDS\n");
        return 2;
    }
    double seconds = strtod(argv[2], NULL);
    if (!(seconds > 0 && seconds < 3600)) {
        fprintf(stderr, "sqlite_insert_loop: bad SECONDS\n");
        return 2;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
        fprintf(stderr, "sqlite_insert_loop: cannot open %s\n", argv[1]);
        return 1;
    }
    int rc = 1;
    sqlite3_stmt *st = NULL;
    if (exec_or_die(db, "PRAGMA journal_mode=WAL") || exec_or_die(db, "PRAGMA synchronous=FULL") ||
        exec_or_die(db, "CREATE TABLE IF NOT EXISTS weights (id INTEGER PRIMARY KEY, "
                        "patient_id INTEGER NOT NULL, date TEXT NOT NULL, grams INTEGER NOT NULL, "
                        "created_at TEXT NOT NULL)"))
        goto out;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO weights (patient_id, date, grams, created_at) "
                           "VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
                           -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_insert_loop: prepare: %s\n", sqlite3_errmsg(db));
        goto out;
    }
    long n = 0;
    double t0 = now_s(), t = t0;
    while (t - t0 < seconds) {
        sqlite3_bind_int64(st, 1, 1 + n % 10000);
        sqlite3_bind_text(st, 2, "2026-11-01", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, 40000 + (int)(n % 80000));
        if (sqlite3_step(st) != SQLITE_DONE) {
            fprintf(stderr, "sqlite_insert_loop: insert: %s\n", sqlite3_errmsg(db));
            goto out;
        }
        sqlite3_reset(st);
        n++;
        t = now_s();
    }
    printf("inserts: %ld seconds: %.2f inserts_per_s: %.1f\n", n, t - t0, (double)n / (t - t0));
    rc = 0;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
