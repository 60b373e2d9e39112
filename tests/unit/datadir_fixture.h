/*
 * datadir_fixture: a fresh store for the unit tests that need one, made in a
 * cmocka setup and removed with everything in it in the teardown.
 *
 * On SQLite (the default) the store is a data directory under /tmp. With
 * CC_TEST_PG_ADMIN set (a libpq URI of a maintenance database on a throwaway
 * cluster, as tests/pg/with_cluster.py gives it) it is a PostgreSQL database
 * of its own on that cluster, created here and dropped in the teardown; dir
 * is then a scratch directory (for the files a test keeps beside the store,
 * such as an audit signing key). `where` is what datadir_create and
 * datadir_open take: dir, or the database's URI.
 *
 * The fixture is calloc'd and owned by the test run; datadir_fixture_remove
 * frees it. Not thread-safe (one test at a time).
 */
#ifndef CC_TEST_DATADIR_FIXTURE_H
#define CC_TEST_DATADIR_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/datadir.h"

typedef struct {
    char dir[64];      /* the data directory (SQLite), or a scratch directory */
    char where[1024];  /* the store's location: dir, or the database's URI */
    char database[64]; /* PostgreSQL: the database made for this test */
    db *d;
} datadir_fixture;

/* The maintenance database's URI, NULL when the tests run on SQLite. */
static inline const char *pg_admin(void)
{
    const char *url = getenv("CC_TEST_PG_ADMIN");
    return url && *url ? url : NULL;
}

/* Runs one statement on the cluster's maintenance database; 0 when it ran. */
static inline int pg_admin_exec(const char *sql)
{
    db *admin;
    cc_error err;
    if (db_open(pg_admin(), DB_OPEN_EXISTING, &admin, &err) != CC_OK)
        return -1;
    cc_status st = db_exec(admin, sql, &err);
    db_close(admin);
    return st == CC_OK ? 0 : -1;
}

/* The URI of database name on the same cluster as the admin URI (its path
 * replaced). */
static inline void pg_url(const char *name, char *out, size_t cap)
{
    const char *admin = pg_admin(), *path = strstr(admin, ":///");
    const char *query = strchr(admin, '?');
    snprintf(out, cap, "%.*s:///%s%s", (int)(path - admin), admin, name, query ? query : "");
}

/* 0 when the directory and everything in it (and the database) are gone. */
static inline int datadir_fixture_remove(datadir_fixture *f)
{
    if (f->d)
        db_close(f->d);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    if (f->database[0]) {
        snprintf(cmd, sizeof cmd, "DROP DATABASE %s", f->database);
        rc |= pg_admin_exec(cmd);
    }
    free(f);
    return rc == 0 ? 0 : -1;
}

/* NULL when the directory, the database or the store cannot be made. */
static inline datadir_fixture *datadir_fixture_make(const char *name)
{
    static int made;
    datadir_fixture *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    snprintf(f->dir, sizeof f->dir, "/tmp/cc-%s-XXXXXX", name);
    if (!mkdtemp(f->dir)) {
        free(f);
        return NULL;
    }
    snprintf(f->where, sizeof f->where, "%s", f->dir);
    if (pg_admin()) {
        char sql[128];
        snprintf(f->database, sizeof f->database, "cc_unit_%d_%d", (int)getpid(), ++made);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", f->database);
        if (pg_admin_exec(sql) != 0) {
            f->database[0] = '\0';
            datadir_fixture_remove(f);
            return NULL;
        }
        pg_url(f->database, f->where, sizeof f->where);
    } else {
        rmdir(f->dir); /* mkdtemp only reserves a name: datadir_create makes it */
    }
    cc_error err;
    if (datadir_create(f->where, &f->d, &err) != CC_OK) {
        f->d = NULL;
        datadir_fixture_remove(f);
        return NULL;
    }
    return f;
}

#endif
