/*
 * datadir_fixture: a fresh data directory under /tmp for the unit tests
 * that need the store, made in a cmocka setup and removed with everything
 * in it in the teardown. The fixture is calloc'd and owned by the test run;
 * datadir_fixture_remove frees it. Not thread-safe (one test at a time).
 */
#ifndef CC_TEST_DATADIR_FIXTURE_H
#define CC_TEST_DATADIR_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/datadir.h"

typedef struct {
    char dir[64];
    db *d;
} datadir_fixture;

/* NULL when the directory or its database cannot be made. */
static inline datadir_fixture *datadir_fixture_make(const char *name)
{
    datadir_fixture *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    snprintf(f->dir, sizeof f->dir, "/tmp/cc-%s-XXXXXX", name);
    cc_error err;
    /* datadir_create makes the directory itself: mkdtemp only reserves a name */
    if (!mkdtemp(f->dir) || rmdir(f->dir) != 0 || datadir_create(f->dir, &f->d, &err) != CC_OK) {
        free(f);
        return NULL;
    }
    return f;
}

/* 0 when the directory and everything in it are gone. */
static inline int datadir_fixture_remove(datadir_fixture *f)
{
    db_close(f->d);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

#endif
