/*
 * db_backend: what a storage engine provides to db.c, which implements
 * db.h on top of it. One table of functions per engine (db_sqlite.c,
 * db_pg.c); db.c holds what the engines share (the joinable transaction of
 * an action, the hook after a commit) so that each engine implements only
 * its own work. A backend never calls db.h's functions (db.c calls it).
 *
 * Every connection begins with struct db and every statement with struct
 * db_stmt; the engines extend them. Thread safety and ownership are db.h's.
 */
#ifndef CC_DB_BACKEND_H
#define CC_DB_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "store/db_types.h"

typedef struct db_backend {
    db_dialect dialect;
    void (*close)(db *d);
    cc_status (*prepare)(db *d, const char *sql, db_stmt **out, cc_error *err);
    void (*done)(db_stmt *s);
    void (*bind_int)(db_stmt *s, int idx, int64_t v);
    void (*bind_double)(db_stmt *s, int idx, double v);
    void (*bind_text)(db_stmt *s, int idx, const char *v);
    void (*bind_null)(db_stmt *s, int idx);
    void (*bind_blob)(db_stmt *s, int idx, const void *v, size_t len);
    db_step_result (*step)(db_stmt *s, cc_error *err);
    int (*col_count)(db_stmt *s);
    const char *(*col_name)(db_stmt *s, int col);
    db_col_kind (*col_kind)(db_stmt *s, int col);
    int64_t (*col_int)(db_stmt *s, int col);
    double (*col_double)(db_stmt *s, int col);
    const char *(*col_text)(db_stmt *s, int col);
    const void *(*col_blob)(db_stmt *s, int col, size_t *len);
    cc_status (*exec)(db *d, const char *sql, cc_error *err);
    cc_status (*begin)(db *d, cc_error *err);
    cc_status (*begin_read)(db *d, cc_error *err);
    cc_status (*commit)(db *d, cc_error *err);
    void (*rollback)(db *d);
    bool (*in_transaction)(db *d);
    void (*prefetch)(db_stmt *s);        /* may be NULL: a hint the engine ignores */
    void (*read_in_batches)(db_stmt *s); /* may be NULL: a hint the engine ignores */
    /* may be NULL: drops what was read ahead (prefetch) when a savepoint of a
     * batch is rolled back, since the transaction goes on without its writes */
    void (*forget_ahead)(db *d);
    /* may be NULL (step and done): db_run_later */
    cc_status (*run_later)(db_stmt *s, cc_error *err);
    /* may be NULL (exec): begins a batch's savepoint, sql a literal; the
     * engine may send it with the next statement */
    cc_status (*savepoint)(db *d, const char *sql, cc_error *err);
    cc_status (*relax_durability)(db *d, cc_error *err);
    void (*checkpoint_elsewhere)(db *d); /* may be NULL: the engine checkpoints itself */
    void (*group_commit_counts)(const db *d, uint64_t *commits, uint64_t *syncs);
    void (*hint_bulk_read)(db *d);
    cc_status (*backup_to)(db *d, const char *path, int32_t mark, cc_error *err);
    cc_status (*application_id)(db *d, int32_t *out, cc_error *err);
    cc_status (*check_integrity)(db *d, cc_error *err);
} db_backend;

struct db {
    const db_backend *backend;
    int tx_depth;          /* joinable transaction nesting (db_tx_begin) */
    bool tx_rollback_only; /* an inner db_tx_end failed */
    void (*after_commit)(db *d, void *ctx);
    void *after_commit_ctx;
    bool in_batch;    /* db_batch_begin: actions are savepoints of one transaction */
    bool action_open; /* in a batch: the savepoint of the current action is open */
    bool batch_lost;  /* in a batch: a savepoint could not be rolled back */
};

struct db_stmt {
    db *owner;
};

/* Opens a connection of each engine; the contract is db_open's. */
cc_status db_sqlite_open(const char *path, db_open_mode mode, db **out, cc_error *err);
cc_status db_pg_open(const char *url, db_open_mode mode, db **out, cc_error *err);

#endif
