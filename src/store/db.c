/* db.h on an engine's functions (db_backend.h): dispatch, and the joinable
 * transaction and after-commit hook that every engine shares. */
#include "db.h"

#include <string.h>

#include "store/db_backend.h"

bool db_location_is_url(const char *location)
{
    return location && (strncmp(location, "postgresql://", 13) == 0 ||
                        strncmp(location, "postgres://", 11) == 0);
}

cc_status db_open(const char *location, db_open_mode mode, db **out, cc_error *err)
{
    if (db_location_is_url(location))
        return db_pg_open(location, mode, out, err);
    return db_sqlite_open(location, mode, out, err);
}

db_dialect db_dialect_of(const db *d)
{
    return d->backend->dialect;
}

void db_close(db *d)
{
    if (d)
        d->backend->close(d);
}

cc_status db_prepare(db *d, const char *sql, db_stmt **out, cc_error *err)
{
    return d->backend->prepare(d, sql, out, err);
}

void db_done(db_stmt *s)
{
    if (s)
        s->owner->backend->done(s);
}

void db_bind_int(db_stmt *s, int idx, int64_t v)
{
    s->owner->backend->bind_int(s, idx, v);
}

void db_bind_double(db_stmt *s, int idx, double v)
{
    s->owner->backend->bind_double(s, idx, v);
}

void db_bind_text(db_stmt *s, int idx, const char *v)
{
    if (v)
        s->owner->backend->bind_text(s, idx, v);
    else
        s->owner->backend->bind_null(s, idx);
}

void db_bind_null(db_stmt *s, int idx)
{
    s->owner->backend->bind_null(s, idx);
}

void db_bind_blob(db_stmt *s, int idx, const void *v, size_t len)
{
    s->owner->backend->bind_blob(s, idx, v ? v : "", len);
}

db_step_result db_step(db_stmt *s, cc_error *err)
{
    return s->owner->backend->step(s, err);
}

cc_status db_run(db_stmt *s, cc_error *err)
{
    db_step_result r = db_step(s, err);
    db_done(s);
    return r == DB_ERROR ? err->status : CC_OK;
}

cc_status db_run_later(db_stmt *s, cc_error *err)
{
    if (!s->owner->backend->run_later)
        return db_run(s, err);
    return s->owner->backend->run_later(s, err);
}

int db_col_count(db_stmt *s)
{
    return s->owner->backend->col_count(s);
}

const char *db_col_name(db_stmt *s, int col)
{
    return s->owner->backend->col_name(s, col);
}

db_col_kind db_col_kind_of(db_stmt *s, int col)
{
    return s->owner->backend->col_kind(s, col);
}

bool db_col_is_null(db_stmt *s, int col)
{
    return s->owner->backend->col_kind(s, col) == DB_COL_NULL;
}

bool db_col_is_int(db_stmt *s, int col)
{
    return s->owner->backend->col_kind(s, col) == DB_COL_INT;
}

bool db_col_is_real(db_stmt *s, int col)
{
    return s->owner->backend->col_kind(s, col) == DB_COL_REAL;
}

bool db_col_is_blob(db_stmt *s, int col)
{
    return s->owner->backend->col_kind(s, col) == DB_COL_BLOB;
}

int64_t db_col_int(db_stmt *s, int col)
{
    return s->owner->backend->col_int(s, col);
}

double db_col_double(db_stmt *s, int col)
{
    return s->owner->backend->col_double(s, col);
}

const char *db_col_text(db_stmt *s, int col)
{
    return s->owner->backend->col_text(s, col);
}

const void *db_col_blob(db_stmt *s, int col, size_t *len)
{
    return s->owner->backend->col_blob(s, col, len);
}

cc_status db_exec(db *d, const char *sql, cc_error *err)
{
    return d->backend->exec(d, sql, err);
}

/* In a batch an action's transaction is a savepoint of the batch's. */
static cc_status action_savepoint(db *d, cc_error *err)
{
    if (d->action_open)
        return cc_fail(err, CC_INTERNAL, NULL, "nested_transaction",
                       "a transaction was begun inside another transaction");
    cc_status st = d->backend->savepoint ? d->backend->savepoint(d, "SAVEPOINT cc_action", err)
                                         : d->backend->exec(d, "SAVEPOINT cc_action", err);
    d->action_open = st == CC_OK;
    return st;
}

cc_status db_begin(db *d, cc_error *err)
{
    if (d->in_batch)
        return action_savepoint(d, err);
    return d->backend->begin(d, err);
}

cc_status db_begin_read(db *d, cc_error *err)
{
    if (d->in_batch)
        return action_savepoint(d, err);
    return d->backend->begin_read(d, err);
}

cc_status db_tx_begin(db *d, cc_error *err)
{
    if (d->tx_depth > 0) {
        d->tx_depth++;
        return CC_OK;
    }
    cc_status st = db_begin(d, err);
    if (st == CC_OK) {
        d->tx_depth = 1;
        d->tx_rollback_only = false;
    }
    return st;
}

cc_status db_tx_end(db *d, cc_status st, cc_error *err)
{
    if (d->tx_depth <= 0)
        return st != CC_OK ? st
                           : cc_fail(err, CC_INTERNAL, NULL, "no_transaction",
                                     "a transaction was ended that was not begun");
    if (--d->tx_depth > 0) {
        if (st != CC_OK)
            d->tx_rollback_only = true;
        return st;
    }
    bool poisoned = d->tx_rollback_only;
    d->tx_rollback_only = false;
    if (st == CC_OK && poisoned)
        st = cc_fail(err, CC_INTERNAL, NULL, "transaction_aborted",
                     "a step of this action failed; nothing was written");
    if (st != CC_OK) {
        db_rollback(d);
        return st;
    }
    return db_commit(d, err);
}

int db_tx_depth(const db *d)
{
    return d->tx_depth;
}

cc_status db_relax_durability(db *d, cc_error *err)
{
    return d->backend->relax_durability(d, err);
}

void db_checkpoint_elsewhere(db *d)
{
    if (d->backend->checkpoint_elsewhere)
        d->backend->checkpoint_elsewhere(d);
}

void db_group_commit_counts(const db *d, uint64_t *commits, uint64_t *syncs)
{
    d->backend->group_commit_counts(d, commits, syncs);
}

void db_hint_bulk_read(db *d)
{
    d->backend->hint_bulk_read(d);
}

cc_status db_commit(db *d, cc_error *err)
{
    d->tx_depth = 0;
    d->tx_rollback_only = false;
    if (d->in_batch) { /* durable with the batch; the hook waits for it too */
        if (!d->action_open)
            return CC_OK;
        cc_status st = d->backend->exec(d, "RELEASE SAVEPOINT cc_action", err);
        if (st != CC_OK) { /* a write sent with it failed (db_run_later): this action alone goes */
            db_rollback(d);
            return st;
        }
        d->action_open = false;
        return CC_OK;
    }
    cc_status st = d->backend->commit(d, err);
    void (*then)(db *, void *) = d->after_commit;
    d->after_commit = NULL;
    if (st == CC_OK && then)
        then(d, d->after_commit_ctx);
    return st;
}

void db_after_commit(db *d, void (*fn)(db *d, void *ctx), void *ctx)
{
    d->after_commit = fn;
    d->after_commit_ctx = ctx;
}

void db_rollback(db *d)
{
    d->tx_depth = 0;
    d->tx_rollback_only = false;
    if (d->in_batch) {
        if (!d->action_open)
            return;
        d->action_open = false;
        cc_error ignored; /* a batch that cannot roll back is lost: db_batch_intact says so */
        if (d->backend->forget_ahead)
            d->backend->forget_ahead(d);
        if (d->backend->exec(d, "ROLLBACK TO SAVEPOINT cc_action", &ignored) == CC_OK)
            d->backend->exec(d, "RELEASE SAVEPOINT cc_action", &ignored);
        else
            d->batch_lost = true;
        return;
    }
    d->after_commit = NULL;
    d->backend->rollback(d);
}

cc_status db_batch_begin(db *d, cc_error *err)
{
    if (d->in_batch || d->backend->in_transaction(d))
        return cc_fail(err, CC_INTERNAL, NULL, "nested_transaction",
                       "a batch was begun inside another transaction");
    d->tx_depth = 0;
    d->tx_rollback_only = false;
    d->after_commit = NULL;
    cc_status st = d->backend->begin(d, err);
    if (st == CC_OK) {
        d->in_batch = true;
        d->action_open = false;
        d->batch_lost = false;
    }
    return st;
}

bool db_batch_intact(db *d)
{
    return d->in_batch && !d->batch_lost && !d->action_open && d->backend->in_transaction(d);
}

cc_status db_batch_commit(db *d, cc_error *err)
{
    if (!db_batch_intact(d)) {
        db_batch_rollback(d);
        return cc_fail(err, CC_STORAGE, NULL, "storage_unavailable",
                       "the batch's transaction was lost; nothing of it was written");
    }
    d->in_batch = false;
    return db_commit(d, err);
}

void db_batch_rollback(db *d)
{
    d->in_batch = d->action_open = d->batch_lost = false;
    db_rollback(d);
}

void db_prefetch(db_stmt *s)
{
    if (s->owner->backend->prefetch)
        s->owner->backend->prefetch(s);
}

void db_read_in_batches(db_stmt *s)
{
    if (s->owner->backend->read_in_batches)
        s->owner->backend->read_in_batches(s);
}

bool db_in_transaction(db *d)
{
    return d->backend->in_transaction(d);
}

cc_status db_backup_to(db *d, const char *path, int32_t mark, cc_error *err)
{
    return d->backend->backup_to(d, path, mark, err);
}

cc_status db_application_id(db *d, int32_t *out, cc_error *err)
{
    return d->backend->application_id(d, out, err);
}

cc_status db_check_integrity(db *d, cc_error *err)
{
    return d->backend->check_integrity(d, err);
}

cc_status db_replica_lag(db *d, bool *replica, double *lag_seconds, cc_error *err)
{
    *replica = false;
    *lag_seconds = 0;
    if (db_dialect_of(d) != DB_POSTGRESQL)
        return CC_OK;
    db_stmt *s;
    cc_status st = db_prepare(d,
                              "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() ="
                              " pg_last_wal_replay_lsn() THEN 0 ELSE COALESCE(EXTRACT(EPOCH FROM"
                              " now() - pg_last_xact_replay_timestamp()), 0) END",
                              &s, err);
    if (st != CC_OK)
        return st;
    db_step_result r = db_step(s, err);
    if (r == DB_ROW) {
        *replica = db_col_int(s, 0) != 0;
        *lag_seconds = *replica ? db_col_double(s, 1) : 0;
    }
    db_done(s);
    return r == DB_ERROR ? err->status : CC_OK;
}
