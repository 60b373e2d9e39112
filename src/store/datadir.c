#include "datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/protocols.h"
#include "store/schema.h"
#include "store/sql.h"

cc_status datadir_db_path(const char *dir, char out[DATADIR_PATH_MAX], cc_error *err)
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

/* A PostgreSQL database for init: it must exist (the administrator creates
 * it, as for any PostgreSQL application) and hold no cellclinic schema. */
static cc_status create_in_database(const char *url, db **out, cc_error *err)
{
    cc_status st = db_open(url, DB_OPEN_EXISTING, out, err);
    int64_t tables = 0;
    if (st == CC_OK)
        st = sql_scalar(*out,
                        "SELECT COUNT(*) FROM information_schema.tables"
                        " WHERE table_schema = current_schema()",
                        NULL, 0, &tables, err);
    if (st == CC_OK && tables > 0)
        st = cc_fail(err, CC_CONFLICT, "data", "exists",
                     "the database already holds tables: a new cellclinic database starts empty");
    if (st != CC_OK) {
        db_close(*out);
        *out = NULL;
        return st;
    }
    return bring_up_to_date(out, err);
}

cc_status datadir_create(const char *dir, db **out, cc_error *err)
{
    if (db_location_is_url(dir))
        return create_in_database(dir, out, err);
    char path[DATADIR_PATH_MAX];
    cc_status st = datadir_db_path(dir, path, err);
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
    if (db_location_is_url(dir))
        return db_open(dir, DB_OPEN_EXISTING, out, err);
    char path[DATADIR_PATH_MAX];
    cc_status st = datadir_db_path(dir, path, err);
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

cc_status datadir_lock(const char *dir, datadir_lock_kind kind, int *fd, cc_error *err)
{
    char path[DATADIR_PATH_MAX];
    *fd = -1;
    if (db_location_is_url(dir)) /* PostgreSQL's own locks serve; nothing replaces its files */
        return CC_OK;
    int n = snprintf(path, sizeof path, "%s/cellclinic.lock", dir);
    if (n < 0 || n >= (int)sizeof path)
        return cc_fail(err, CC_INVALID, "data", "path_too_long", "--data path is too long");
    int lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0 && (errno == EACCES || errno == EROFS) && kind == DATADIR_LOCK_SHARED) {
        /* A directory nobody may write to: flock needs no write access, and
         * where the lock file cannot exist no restore can replace the
         * database either. */
        lock = open(path, O_RDONLY | O_CLOEXEC);
        if (lock < 0 && errno == ENOENT)
            return CC_OK;
    }
    if (lock < 0 && errno == ENOENT)
        return cc_fail(err, CC_NOT_FOUND, "data", "no_database",
                       "%s holds no cellclinic database (run cellclinic init first)", dir);
    if (lock < 0)
        return cc_fail(err, CC_STORAGE, "data", "cannot_lock", "cannot open the lock file %s: %s",
                       path, strerror(errno));
    if (flock(lock, (kind == DATADIR_LOCK_EXCLUSIVE ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
        int e = errno;
        close(lock);
        if (e != EWOULDBLOCK)
            return cc_fail(err, CC_STORAGE, "data", "cannot_lock", "cannot lock %s: %s", path,
                           strerror(e));
        return kind == DATADIR_LOCK_EXCLUSIVE
                   ? cc_fail(err, CC_CONFLICT, "data", "data_dir_busy",
                             "%s is in use (a server or a backup holds %s); stop it first", dir,
                             path)
                   : cc_fail(err, CC_CONFLICT, "data", "data_dir_busy",
                             "%s is being restored (a restore holds %s); try again when it "
                             "has finished",
                             dir, path);
    }
    *fd = lock;
    return CC_OK;
}
