/* SQLite engine of db.h (db_backend.h): a database file in WAL mode. */
#include "store/db_backend.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    STMT_CACHE = 192,
    BUSY_TIMEOUT_MS = 10000,
    GROUP_COMMIT_FILES = 16,
    CHECKPOINT_PAGES = 1000 /* SQLite's own automatic checkpoint's threshold */
};

/* Group commit. A write transaction commits without waiting for the disk
 * (synchronous=NORMAL for that commit only), lets the next writer in, and
 * then waits until one fsync of the write-ahead log covers its commit: the
 * first writer that finds no sync under way syncs the log for every commit
 * made so far, the others wait for it, so concurrent writers share one
 * fsync. The caller hears of its commit only once it is durable, as with
 * synchronous=FULL. Writes outside db_begin (autocommit statements) keep
 * synchronous=FULL. One record per database file of the process; SQLite
 * keeps a transaction on its connection, so the writers' transactions stay
 * their own (one per action, as DESIGN.md asks) and only the sync is shared.
 *
 * Checkpoints. SQLite's automatic checkpoint runs inside the COMMIT that
 * finds the log over CHECKPOINT_PAGES, while this process's other writers
 * wait on process_write_lock (and a server's batch of writes waits whole).
 * A connection that leaves them to the group (db_checkpoint_elsewhere)
 * wakes a thread of the group's instead, which runs the same passive
 * checkpoint on a connection of its own: writers go on meanwhile, as
 * SQLite's WAL design allows. */
typedef struct {
    char path[PATH_MAX]; /* the database file, resolved; "" while unused */
    int users;           /* connections to it; the record is free again at 0 */
    pthread_mutex_t mu;
    pthread_cond_t synced_cv;
    uint64_t committed; /* commits made without a sync of their own */
    uint64_t synced;    /* every commit up to this number is on disk */
    uint64_t syncs;     /* the syncs made */
    bool syncing;       /* a writer is syncing the log for the others */
    pthread_cond_t checkpoint_cv;
    bool checkpoint_wanted; /* a commit found the log over CHECKPOINT_PAGES */
    bool stopping;          /* the last connection left: the checkpointer ends */
    bool has_checkpointer;
    pthread_t checkpointer;
} group_commit;

static group_commit group_commits[GROUP_COMMIT_FILES];
static pthread_mutex_t group_commits_mu = PTHREAD_MUTEX_INITIALIZER;

/* One passive checkpoint of path's database on a connection opened for it:
 * holding none between checkpoints leaves the file to whoever needs it
 * alone (a change of journal mode, the last connection's cleanup). */
static void checkpoint_once(const char *path)
{
    sqlite3 *handle = NULL;
    if (sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) ==
        SQLITE_OK) {
        sqlite3_busy_timeout(handle, BUSY_TIMEOUT_MS);
        /* a connection knows the file is in WAL mode once it has read it;
         * until then a checkpoint is a no-op that reports success */
        sqlite3_exec(handle, "PRAGMA schema_version", NULL, NULL, NULL);
        /* passive: copies what no reader still needs, never waits for one;
         * a failure leaves the log to the next attempt */
        sqlite3_wal_checkpoint_v2(handle, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    }
    sqlite3_close(handle);
}

static void *run_checkpoints(void *arg)
{
    group_commit *g = arg;
    pthread_mutex_lock(&g->mu);
    while (!g->stopping) {
        if (!g->checkpoint_wanted) {
            pthread_cond_wait(&g->checkpoint_cv, &g->mu);
            continue;
        }
        g->checkpoint_wanted = false;
        pthread_mutex_unlock(&g->mu);
        checkpoint_once(g->path);
        pthread_mutex_lock(&g->mu);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

/* Called by SQLite after each commit of a connection that leaves its
 * checkpoints to the group (in place of its automatic checkpoint). The
 * thread starts at the first checkpoint wanted; when it cannot, the commit
 * checkpoints as SQLite's own hook does. */
static int on_log_grown(void *arg, sqlite3 *handle, const char *schema, int pages)
{
    group_commit *g = arg;
    if (pages < CHECKPOINT_PAGES)
        return SQLITE_OK;
    pthread_mutex_lock(&g->mu);
    if (!g->has_checkpointer && !g->stopping)
        g->has_checkpointer = pthread_create(&g->checkpointer, NULL, run_checkpoints, g) == 0;
    bool inline_checkpoint = !g->has_checkpointer;
    if (g->has_checkpointer && !g->checkpoint_wanted) {
        g->checkpoint_wanted = true;
        pthread_cond_signal(&g->checkpoint_cv);
    }
    pthread_mutex_unlock(&g->mu);
    if (inline_checkpoint)
        sqlite3_wal_checkpoint_v2(handle, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

/* The record of path's database for one more connection; NULL when the
 * file cannot be named or GROUP_COMMIT_FILES databases are open at once
 * (the connection then commits with synchronous=FULL). */
static group_commit *group_commit_join(const char *path)
{
    char real[PATH_MAX];
    if (!realpath(path, real))
        return NULL;
    group_commit *found = NULL, *unused = NULL;
    pthread_mutex_lock(&group_commits_mu);
    for (int i = 0; i < GROUP_COMMIT_FILES && !found; i++) {
        group_commit *g = &group_commits[i];
        if (g->users > 0 && strcmp(g->path, real) == 0)
            found = g;
        else if (g->users == 0 && !unused)
            unused = g;
    }
    if (!found && unused) {
        /* no connection uses it: nobody holds its mutex or waits on it */
        *unused = (group_commit){.mu = PTHREAD_MUTEX_INITIALIZER,
                                 .synced_cv = PTHREAD_COND_INITIALIZER,
                                 .checkpoint_cv = PTHREAD_COND_INITIALIZER};
        snprintf(unused->path, sizeof unused->path, "%s", real);
        found = unused;
    }
    if (found)
        found->users++;
    pthread_mutex_unlock(&group_commits_mu);
    return found;
}

static void group_commit_leave(group_commit *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&group_commits_mu);
    if (--g->users == 0) {
        pthread_mutex_lock(&g->mu);
        g->stopping = true; /* no thread starts from here */
        bool started = g->has_checkpointer;
        pthread_cond_signal(&g->checkpoint_cv);
        pthread_mutex_unlock(&g->mu);
        if (started)
            pthread_join(g->checkpointer, NULL);
        g->has_checkpointer = false;
    }
    pthread_mutex_unlock(&group_commits_mu);
}

typedef struct sq_db sq_db;

typedef struct {
    struct db_stmt base;
    sqlite3_stmt *stmt;
    const char *sql; /* cache key: the caller's literal */
    uint64_t used;   /* the connection's tick at the last prepare: eviction takes the oldest */
} sq_stmt;

struct sq_db {
    struct db base;
    sqlite3 *handle;
    group_commit *group; /* NULL: every commit syncs alone */
    bool holds_write_lock;
    uint64_t tick; /* counts prepares, to age cached statements */
    /* Entries live at stable addresses (a caller holds a db_stmt pointer
     * while it steps); the array of pointers is ordered oldest first. */
    sq_stmt *cache[STMT_CACHE];
    int cached;
};

static sq_db *sq(db *d)
{
    return (sq_db *)d;
}

static sq_stmt *sqs(db_stmt *s)
{
    return (sq_stmt *)s;
}

static const db_backend sqlite_backend;

static cc_status map_error(sq_db *d, int rc, cc_error *err)
{
    const char *msg = d && d->handle ? sqlite3_errmsg(d->handle) : sqlite3_errstr(rc);
    switch (rc & 0xFF) {
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PERM:
    case SQLITE_NOMEM:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return cc_fail(err, CC_STORAGE, NULL, "storage_unavailable",
                       "the database cannot be written or read: %s", msg);
    case SQLITE_CONSTRAINT:
        return cc_fail(err, CC_CONFLICT, NULL, "constraint", "constraint violated: %s", msg);
    default: return cc_fail(err, CC_INTERNAL, NULL, "database_error", "database error: %s", msg);
    }
}

static cc_status exec_pragma(sq_db *d, const char *sql, cc_error *err)
{
    int rc = sqlite3_exec(d->handle, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? CC_OK : map_error(d, rc, err);
}

/* Process-wide settings, before SQLite initialises: every connection is
 * used by one thread only, so memory statistics (a global mutex taken on
 * every allocation) buy nothing but contention. */
static void configure_once(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
}

static void sq_close(db *base);

cc_status db_sqlite_open(const char *path, db_open_mode mode, db **out, cc_error *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_once);
    *out = NULL;
    sq_db *d = calloc(1, sizeof *d);
    if (!d)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    d->base.backend = &sqlite_backend;
    int flags = SQLITE_OPEN_NOMUTEX;
    if (mode == DB_OPEN_READONLY)
        flags |= SQLITE_OPEN_READONLY;
    else
        flags |= SQLITE_OPEN_READWRITE | (mode == DB_OPEN_CREATE ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &d->handle, flags, NULL);
    cc_status st = CC_OK;
    if (rc != SQLITE_OK) {
        st = cc_fail(err, CC_STORAGE, NULL, "storage_unavailable", "cannot open database %s: %s",
                     path, d->handle ? sqlite3_errmsg(d->handle) : sqlite3_errstr(rc));
        goto out;
    }
    sqlite3_busy_timeout(d->handle, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(d->handle, 1);
    if (mode != DB_OPEN_READONLY)
        st = exec_pragma(d, "PRAGMA journal_mode=WAL", err);
    if (st == CC_OK)
        st = exec_pragma(d,
                         "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                         " PRAGMA mmap_size=268435456; PRAGMA cache_size=-8192;",
                         err);
    if (st == CC_OK && mode != DB_OPEN_READONLY)
        d->group = group_commit_join(path);
out:
    if (st != CC_OK) {
        sq_close(&d->base);
        return st;
    }
    *out = &d->base;
    return CC_OK;
}

static void sq_rollback(db *base);

static void sq_close(db *base)
{
    sq_db *d = sq(base);
    sq_rollback(base);
    for (int i = 0; i < d->cached; i++) {
        sqlite3_finalize(d->cache[i]->stmt);
        free(d->cache[i]);
    }
    sqlite3_close(d->handle);
    group_commit_leave(d->group);
    free(d);
}

/* Frees the least recently prepared statement that is not being stepped,
 * so that a statement a caller is iterating is never finalized under it.
 * Hits only stamp their entry (no reordering), so the hot statements,
 * cached first, stay at the front of the lookup. */
static bool evict_oldest_idle(sq_db *d)
{
    int oldest = -1;
    for (int i = 0; i < d->cached; i++)
        if (!sqlite3_stmt_busy(d->cache[i]->stmt) &&
            (oldest < 0 || d->cache[i]->used < d->cache[oldest]->used))
            oldest = i;
    if (oldest < 0)
        return false;
    sqlite3_finalize(d->cache[oldest]->stmt);
    free(d->cache[oldest]);
    memmove(&d->cache[oldest], &d->cache[oldest + 1],
            sizeof d->cache[0] * (size_t)(d->cached - oldest - 1));
    d->cached--;
    return true;
}

static cc_status sq_prepare(db *base, const char *sql, db_stmt **out, cc_error *err)
{
    sq_db *d = sq(base);
    d->tick++;
    for (int i = 0; i < d->cached; i++) {
        /* The pointer is the fast key; the text comparison guards against a
         * caller reusing a buffer for different SQL. */
        if (d->cache[i]->sql == sql && strcmp(sqlite3_sql(d->cache[i]->stmt), sql) == 0) {
            d->cache[i]->used = d->tick;
            *out = &d->cache[i]->base;
            return CC_OK;
        }
    }
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v3(d->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
    if (rc != SQLITE_OK)
        return map_error(d, rc, err);
    if (d->cached == STMT_CACHE && !evict_oldest_idle(d)) {
        sqlite3_finalize(stmt);
        return cc_fail(err, CC_INTERNAL, NULL, "statement_cache_full",
                       "every cached statement is in use");
    }
    sq_stmt *slot = malloc(sizeof *slot);
    if (!slot) {
        sqlite3_finalize(stmt);
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    }
    d->cache[d->cached++] = slot;
    slot->stmt = stmt;
    slot->sql = sql;
    slot->base.owner = base;
    slot->used = d->tick;
    *out = &slot->base;
    return CC_OK;
}

static void sq_done(db_stmt *s)
{
    sqlite3_reset(sqs(s)->stmt);
    sqlite3_clear_bindings(sqs(s)->stmt);
}

static void sq_bind_int(db_stmt *s, int idx, int64_t v)
{
    sqlite3_bind_int64(sqs(s)->stmt, idx, v);
}

static void sq_bind_double(db_stmt *s, int idx, double v)
{
    sqlite3_bind_double(sqs(s)->stmt, idx, v);
}

static void sq_bind_null(db_stmt *s, int idx)
{
    sqlite3_bind_null(sqs(s)->stmt, idx);
}

static void sq_bind_text(db_stmt *s, int idx, const char *v)
{
    sqlite3_bind_text(sqs(s)->stmt, idx, v, -1, SQLITE_TRANSIENT);
}

static void sq_bind_blob(db_stmt *s, int idx, const void *v, size_t len)
{
    sqlite3_bind_blob64(sqs(s)->stmt, idx, v, (sqlite3_uint64)len, SQLITE_TRANSIENT);
}

static db_step_result sq_step(db_stmt *s, cc_error *err)
{
    int rc = sqlite3_step(sqs(s)->stmt);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    map_error(sq(s->owner), rc, err);
    return DB_ERROR;
}

static int sq_col_count(db_stmt *s)
{
    return sqlite3_column_count(sqs(s)->stmt);
}

static const char *sq_col_name(db_stmt *s, int col)
{
    return sqlite3_column_name(sqs(s)->stmt, col);
}

static db_col_kind sq_col_kind(db_stmt *s, int col)
{
    switch (sqlite3_column_type(sqs(s)->stmt, col)) {
    case SQLITE_NULL: return DB_COL_NULL;
    case SQLITE_INTEGER: return DB_COL_INT;
    case SQLITE_FLOAT: return DB_COL_REAL;
    case SQLITE_BLOB: return DB_COL_BLOB;
    default: return DB_COL_TEXT;
    }
}

static int64_t sq_col_int(db_stmt *s, int col)
{
    return sqlite3_column_int64(sqs(s)->stmt, col);
}

static double sq_col_double(db_stmt *s, int col)
{
    return sqlite3_column_double(sqs(s)->stmt, col);
}

static const char *sq_col_text(db_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(sqs(s)->stmt, col);
    return t ? (const char *)t : "";
}

static const void *sq_col_blob(db_stmt *s, int col, size_t *len)
{
    const void *b = sqlite3_column_blob(sqs(s)->stmt, col);
    *len = b ? (size_t)sqlite3_column_bytes(sqs(s)->stmt, col) : 0;
    return b;
}

static void sq_hint_bulk_read(db *d)
{
    sqlite3_exec(sq(d)->handle, "PRAGMA mmap_size = 68719476736", NULL, NULL, NULL);
}

static cc_status run_cached(sq_db *d, const char *sql, cc_error *err);

/* A batch's savepoints come and go once an action (db.c's literals):
 * cached, as the transaction control is; any other text is parsed anew. */
static bool is_savepoint_control(const char *sql)
{
    return strncmp(sql, "SAVEPOINT ", 10) == 0 || strncmp(sql, "RELEASE SAVEPOINT ", 18) == 0 ||
           strncmp(sql, "ROLLBACK TO SAVEPOINT ", 22) == 0;
}

static cc_status sq_exec(db *d, const char *sql, cc_error *err)
{
    if (is_savepoint_control(sql) && !strchr(sql, ';'))
        return run_cached(sq(d), sql, err);
    return exec_pragma(sq(d), sql, err);
}

/* Transaction control runs on every request: cached statements, not sqlite3_exec's
 * parse-each-time. */
static cc_status run_cached(sq_db *d, const char *sql, cc_error *err)
{
    db_stmt *s;
    cc_status st = sq_prepare(&d->base, sql, &s, err);
    if (st != CC_OK)
        return st;
    st = sq_step(s, err) == DB_ERROR ? err->status : CC_OK;
    sq_done(s);
    return st;
}

/* Writers of this process queue on a mutex before they ask SQLite for its
 * write lock: a waiting thread is woken the moment the lock is free, where
 * SQLite's busy handler would sleep and poll (milliseconds each time, and
 * seconds of tail latency under load). Other processes still meet the busy
 * timeout. */
static pthread_mutex_t process_write_lock = PTHREAD_MUTEX_INITIALIZER;

static void release_write_lock(sq_db *d)
{
    if (d->holds_write_lock) {
        d->holds_write_lock = false;
        pthread_mutex_unlock(&process_write_lock);
    }
}

static bool sq_in_transaction(db *d)
{
    return !sqlite3_get_autocommit(sq(d)->handle);
}

static cc_status sq_begin(db *base, cc_error *err)
{
    sq_db *d = sq(base);
    if (d->holds_write_lock || sq_in_transaction(base))
        return cc_fail(err, CC_INTERNAL, NULL, "nested_transaction",
                       "a write transaction was begun inside another transaction");
    pthread_mutex_lock(&process_write_lock);
    d->holds_write_lock = true;
    cc_status st = d->group ? run_cached(d, "PRAGMA synchronous=NORMAL", err) : CC_OK;
    if (st == CC_OK)
        st = run_cached(d, "BEGIN IMMEDIATE", err);
    if (st != CC_OK)
        sq_rollback(base);
    return st;
}

static cc_status sq_begin_read(db *d, cc_error *err)
{
    return run_cached(sq(d), "BEGIN", err);
}

/* The log of this connection synced to disk (SQLite's own sync of the
 * file, as its commits do with synchronous=FULL). */
static int sync_log(sq_db *d)
{
    sqlite3_file *log = NULL;
    int rc = sqlite3_file_control(d->handle, "main", SQLITE_FCNTL_JOURNAL_POINTER, &log);
    if (rc != SQLITE_OK)
        return rc;
    if (log && log->pMethods)
        return log->pMethods->xSync(log, SQLITE_SYNC_NORMAL);
    /* no log open on this connection (not expected after a commit): the
     * log file by its name (fsync on any descriptor syncs the file) */
    char path[PATH_MAX];
    const char *file = sqlite3_db_filename(d->handle, "main");
    if (!file || snprintf(path, sizeof path, "%s-wal", file) >= (int)sizeof path)
        return SQLITE_IOERR_FSYNC;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return SQLITE_IOERR_FSYNC;
    rc = fsync(fd) == 0 ? SQLITE_OK : SQLITE_IOERR_FSYNC;
    close(fd);
    return rc;
}

/* Waits until commit number mine is on disk, syncing the log for every
 * commit so far when no other writer is doing it. */
static cc_status wait_durable(sq_db *d, uint64_t mine, cc_error *err)
{
    group_commit *g = d->group;
    int rc = SQLITE_OK;
    pthread_mutex_lock(&g->mu);
    while (g->synced < mine && rc == SQLITE_OK) {
        if (g->syncing) {
            pthread_cond_wait(&g->synced_cv, &g->mu);
            continue;
        }
        g->syncing = true;
        uint64_t upto = g->committed;
        pthread_mutex_unlock(&g->mu);
        rc = sync_log(d);
        pthread_mutex_lock(&g->mu);
        g->syncing = false;
        g->syncs++;
        if (rc == SQLITE_OK && upto > g->synced)
            g->synced = upto;
        pthread_cond_broadcast(&g->synced_cv);
    }
    pthread_mutex_unlock(&g->mu);
    return rc == SQLITE_OK ? CC_OK : map_error(d, rc, err);
}

static cc_status sq_relax_durability(db *base, cc_error *err)
{
    sq_db *d = sq(base);
    group_commit_leave(d->group);
    d->group = NULL;
    sqlite3_wal_autocheckpoint(d->handle, CHECKPOINT_PAGES);
    return exec_pragma(d, "PRAGMA synchronous=NORMAL", err);
}

static void sq_checkpoint_elsewhere(db *base)
{
    sq_db *d = sq(base);
    if (d->group) /* without one, SQLite's own */
        sqlite3_wal_hook(d->handle, on_log_grown, d->group);
}

static void sq_group_commit_counts(const db *base, uint64_t *commits, uint64_t *syncs)
{
    const sq_db *d = (const sq_db *)base;
    *commits = *syncs = 0;
    if (!d->group)
        return;
    pthread_mutex_lock(&d->group->mu);
    *commits = d->group->committed;
    *syncs = d->group->syncs;
    pthread_mutex_unlock(&d->group->mu);
}

static cc_status sq_commit(db *base, cc_error *err)
{
    sq_db *d = sq(base);
    cc_status st = run_cached(d, "COMMIT", err);
    if (st != CC_OK)
        sq_rollback(base);
    uint64_t mine = 0;
    if (d->group) {
        cc_error ignored; /* back to a sync per commit for statements outside db_begin */
        run_cached(d, "PRAGMA synchronous=FULL", &ignored);
        if (st == CC_OK) {
            pthread_mutex_lock(&d->group->mu);
            mine = ++d->group->committed;
            pthread_mutex_unlock(&d->group->mu);
        }
    }
    release_write_lock(d);
    if (mine)
        st = wait_durable(d, mine, err);
    return st;
}

static void sq_rollback(db *base)
{
    sq_db *d = sq(base);
    cc_error ignored;
    if (!sqlite3_get_autocommit(d->handle)) {
        if (run_cached(d, "ROLLBACK", &ignored) != CC_OK)
            sqlite3_exec(d->handle, "ROLLBACK", NULL, NULL, NULL);
    }
    if (d->group && d->holds_write_lock)
        run_cached(d, "PRAGMA synchronous=FULL", &ignored);
    release_write_lock(d);
}

static cc_status sq_backup_to(db *d, const char *path, int32_t mark, cc_error *err)
{
    sqlite3 *target = NULL;
    int rc = sqlite3_open_v2(path, &target, SQLITE_OPEN_READWRITE, NULL);
    cc_status st = CC_OK;
    if (rc != SQLITE_OK) {
        st = cc_fail(err, CC_STORAGE, "to", "storage_unavailable", "cannot open %s: %s", path,
                     target ? sqlite3_errmsg(target) : sqlite3_errstr(rc));
        goto out;
    }
    /* An unfinished copy is thrown away whole, so it needs no journal and
     * no sync of its own until the end. */
    sqlite3_exec(target, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF", NULL, NULL, NULL);
    sqlite3_backup *bk = sqlite3_backup_init(target, "main", sq(d)->handle, "main");
    if (!bk) {
        st = cc_fail(err, CC_STORAGE, "to", "backup_failed", "backup failed: %s",
                     sqlite3_errmsg(target));
        goto out;
    }
    /* -1: every page in one step, under one read lock of the source, which
     * in WAL mode blocks no writer. Steps of N pages would let a writer on
     * another connection restart the copy between steps, and under steady
     * load it might never finish. */
    do {
        rc = sqlite3_backup_step(bk, -1);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(bk);
    if (rc != SQLITE_DONE) {
        st = cc_fail(err, CC_STORAGE, "to", "backup_failed", "backup failed: %s",
                     sqlite3_errstr(rc));
        goto out;
    }
    /* The copied header says WAL; the file is to stand alone. */
    char sql[80];
    snprintf(sql, sizeof sql, "PRAGMA journal_mode=DELETE; PRAGMA application_id=%ld", (long)mark);
    rc = sqlite3_exec(target, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        st = cc_fail(err, CC_STORAGE, "to", "backup_failed", "backup failed: %s",
                     sqlite3_errmsg(target));
out:
    if (sqlite3_close(target) != SQLITE_OK && st == CC_OK)
        st =
            cc_fail(err, CC_STORAGE, "to", "backup_failed", "backup failed: cannot close %s", path);
    return st;
}

/* The first row's first column of a pragma as an integer or text. */
static cc_status pragma_row(sq_db *d, const char *sql, db_stmt **s, cc_error *err)
{
    cc_status st = sq_prepare(&d->base, sql, s, err);
    if (st != CC_OK)
        return st;
    db_step_result r = sq_step(*s, err);
    if (r == DB_ROW)
        return CC_OK;
    sq_done(*s);
    return r == DB_DONE
               ? cc_fail(err, CC_STORAGE, NULL, "no_application_id", "the database has no header")
               : err->status;
}

static cc_status sq_application_id(db *d, int32_t *out, cc_error *err)
{
    db_stmt *s;
    cc_status st = pragma_row(sq(d), "PRAGMA application_id", &s, err);
    if (st != CC_OK)
        return st;
    *out = (int32_t)sq_col_int(s, 0);
    sq_done(s);
    return CC_OK;
}

static cc_status sq_check_integrity(db *d, cc_error *err)
{
    db_stmt *s;
    cc_status st = pragma_row(sq(d), "PRAGMA integrity_check", &s, err);
    if (st != CC_OK)
        return CC_STORAGE;
    if (strcmp(sq_col_text(s, 0), "ok") != 0)
        st = cc_fail(err, CC_STORAGE, NULL, "integrity", "integrity check: %s", sq_col_text(s, 0));
    sq_done(s);
    return st;
}

static const db_backend sqlite_backend = {
    .dialect = DB_SQLITE,
    .close = sq_close,
    .prepare = sq_prepare,
    .done = sq_done,
    .bind_int = sq_bind_int,
    .bind_double = sq_bind_double,
    .bind_text = sq_bind_text,
    .bind_null = sq_bind_null,
    .bind_blob = sq_bind_blob,
    .step = sq_step,
    .col_count = sq_col_count,
    .col_name = sq_col_name,
    .col_kind = sq_col_kind,
    .col_int = sq_col_int,
    .col_double = sq_col_double,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .exec = sq_exec,
    .begin = sq_begin,
    .begin_read = sq_begin_read,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .in_transaction = sq_in_transaction,
    .relax_durability = sq_relax_durability,
    .group_commit_counts = sq_group_commit_counts,
    .checkpoint_elsewhere = sq_checkpoint_elsewhere,
    .hint_bulk_read = sq_hint_bulk_read,
    .backup_to = sq_backup_to,
    .application_id = sq_application_id,
    .check_integrity = sq_check_integrity,
};
