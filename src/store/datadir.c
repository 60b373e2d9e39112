#include "datadir.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "store/protocols.h"
#include "store/schema.h"

static cc_status db_path(const char *dir, char out[DATADIR_PATH_MAX], cc_error *err)
{
    int n = snprintf(out, DATADIR_PATH_MAX, "%s/cellclinic.db", dir);
    if (n < 0 || n >= DATADIR_PATH_MAX)
        return cc_fail(err, CC_INVALID, "data", "path_too_long", "--data path is too long");
    return CC_OK;
}

/* Migrates the schema and seeds the shipped protocol versions; on failure
 * the connection is closed and *out is NULL. */
static cc_status bring_up_to_date(db **out, cc_error *err)
{
    cc_status st = schema_migrate(*out, err);
    if (st == CC_OK)
        st = protocol_store_seed(*out, err);
    if (st != CC_OK) {
        db_close(*out);
        *out = NULL;
    }
    return st;
}

cc_status datadir_create(const char *dir, db **out, cc_error *err)
{
    char path[DATADIR_PATH_MAX];
    cc_status st = db_path(dir, path, err);
    if (st != CC_OK)
        return st;
    if (mkdir(dir, 0700) != 0) {
        if (errno == EEXIST)
            return cc_fail(err, CC_CONFLICT, "data", "exists",
                           "%s already exists; init makes a new data directory only", dir);
        return cc_fail(err, CC_STORAGE, "data", "cannot_create", "cannot create %s: %s", dir,
                       strerror(errno));
    }
    if ((st = db_open(path, DB_OPEN_CREATE, out, err)) != CC_OK)
        return st;
    return bring_up_to_date(out, err);
}

cc_status datadir_connect(const char *dir, db **out, cc_error *err)
{
    char path[DATADIR_PATH_MAX];
    cc_status st = db_path(dir, path, err);
    if (st != CC_OK)
        return st;
    struct stat info;
    if (stat(path, &info) != 0)
        return cc_fail(err, CC_NOT_FOUND, "data", "no_database",
                       "%s holds no cellclinic database (run cellclinic init first)", dir);
    return db_open(path, DB_OPEN_EXISTING, out, err);
}

cc_status datadir_open(const char *dir, db **out, cc_error *err)
{
    cc_status st = datadir_connect(dir, out, err);
    return st == CC_OK ? bring_up_to_date(out, err) : st;
}
