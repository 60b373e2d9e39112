/*
 * db: the thin SQL layer every store module uses.
 *
 * Callers write SQL in the subset SQLite and PostgreSQL share, with `?`
 * placeholders numbered from 1 (a PostgreSQL backend rewrites them to $n),
 * `INSERT ... RETURNING id` for generated keys, and no SQLite-only syntax.
 * This file is the interface; db.c implements it on an engine's functions
 * (db_backend.h): db_sqlite.c for a file path, db_pg.c (libpq) for a
 * PostgreSQL URI. Callers never need to know which one they use; where the
 * engines differ, the difference is stated here.
 *
 * Connections: one per thread; a db is not thread-safe. db_open applies
 * WAL, synchronous=FULL, foreign keys, a busy timeout, and runs nothing else;
 * write transactions share the sync of the log with concurrent writers of
 * the process (group commit, below).
 *
 * Statements: db_prepare returns a statement owned by the connection (cached
 * by SQL text pointer, so pass string literals); call db_done when finished
 * (it resets, it does not free). Text returned by db_col_text is valid until
 * the next step or db_done.
 *
 * err must not be NULL in store functions.
 *
 * Errors: storage problems (disk full, read-only, I/O, locked for too long)
 * become CC_STORAGE; constraint violations CC_CONFLICT; misuse CC_INTERNAL.
 * A transaction the database aborted for another's sake (PostgreSQL's
 * serialization failure or deadlock) is CC_STORAGE with the code
 * DB_TRANSACTION_ABORTED: it wrote nothing and may be run again.
 */
#ifndef CC_DB_H
#define CC_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "store/db_types.h"

/* The location of a database: a file path (SQLite) or a libpq connection
 * URI, "postgresql://..." or "postgres://..." (PostgreSQL). */
bool db_location_is_url(const char *location);
db_dialect db_dialect_of(const db *d);

/* Opens location: a SQLite file (mode as named) or a PostgreSQL database
 * (the database must exist; DB_OPEN_READONLY makes every transaction read
 * only). On PostgreSQL a write transaction takes one transaction-scoped
 * advisory lock, so that writers of every process and machine run one at a
 * time as SQLite's do: an action's decision reads the facts it writes on. */
cc_status db_open(const char *location, db_open_mode mode, db **out, cc_error *err);
void db_close(db *d);

cc_status db_prepare(db *d, const char *sql, db_stmt **out, cc_error *err);
void db_done(db_stmt *s);

void db_bind_int(db_stmt *s, int idx, int64_t v);
void db_bind_double(db_stmt *s, int idx, double v);
void db_bind_text(db_stmt *s, int idx, const char *v); /* NULL binds NULL; copied */
void db_bind_null(db_stmt *s, int idx);
void db_bind_blob(db_stmt *s, int idx, const void *v, size_t len); /* copied */

db_step_result db_step(db_stmt *s, cc_error *err);
/* Steps a statement that returns no row (or whose rows are ignored) and
 * calls db_done: the usual way to run an INSERT/UPDATE/DELETE. */
cc_status db_run(db_stmt *s, cc_error *err);

int db_col_count(db_stmt *s);
const char *db_col_name(db_stmt *s, int col);
/* one call where a value's rendering depends on its kind */
db_col_kind db_col_kind_of(db_stmt *s, int col);
bool db_col_is_null(db_stmt *s, int col);
bool db_col_is_int(db_stmt *s, int col);
bool db_col_is_real(db_stmt *s, int col);
bool db_col_is_blob(db_stmt *s, int col);
int64_t db_col_int(db_stmt *s, int col);
double db_col_double(db_stmt *s, int col);
const char *db_col_text(db_stmt *s, int col); /* "" for NULL */
/* The bytes of a BLOB column (valid until the next step); *len 0 for NULL. */
const void *db_col_blob(db_stmt *s, int col, size_t *len);

/* A hint that s, bound, will be stepped soon in this transaction: an
 * engine on a server (PostgreSQL) may send it with the next statement
 * stepped on the connection, so that several reads cost one round trip.
 * It then runs no later than that statement, and its step returns the rows
 * read then: use it for reads that the writes between do not change (reads
 * of one snapshot). Binding other values or db_done cancels it; so does
 * the transaction's end. Outside a transaction, and on SQLite, it does
 * nothing. */
void db_prefetch(db_stmt *s);

/* A hint that the SELECT s reads many rows (a table scan for a report or a
 * rebuild): an engine on a server (PostgreSQL) may then deliver its rows in
 * batches when it is stepped inside a transaction, so that memory stays a
 * batch whatever the table's size and the server reads the next batch while
 * the caller handles this one. The caller may run other statements between
 * steps. Stays with s (a cached statement) for the connection's life.
 * Outside a transaction, and on SQLite, the rows come as they always do. */
void db_read_in_batches(db_stmt *s);

/* Runs a write whose result the caller does not read (no row, no id) and
 * is done with s, as db_run does; but an engine on a server (PostgreSQL)
 * may send it with the next statement, or with the end of the action's
 * transaction, rather than wait for it alone. A failure of the write is
 * then that statement's failure, or the end's: db_commit (a batch's
 * action: its savepoint's release) fails and rolls the action back, so
 * nothing of it stays. Use it for the last writes of an action, whose
 * failure nothing after them needs to tell apart. Outside a transaction,
 * and on SQLite, it runs now. */
cc_status db_run_later(db_stmt *s, cc_error *err);

/* Executes SQL without parameters or results (may hold several statements). */
cc_status db_exec(db *d, const char *sql, cc_error *err);

/* Write transaction: takes the write lock before anything runs in it (on
 * PostgreSQL in one round trip with its first statement), so two writers
 * never deadlock halfway. Commit durably (returns once the commit is on disk,
 * group commit below) or roll back. */
cc_status db_begin(db *d, cc_error *err);
cc_status db_commit(db *d, cc_error *err);
/* Read transaction: every statement until db_commit/db_rollback sees one
 * snapshot, and the locks are taken once rather than per statement. A write
 * inside it is an error: use it only around code that only reads. */
cc_status db_begin_read(db *d, cc_error *err);
/* The write transaction of one action, joinable: the outermost
 * db_tx_begin begins it (as db_begin) and its db_tx_end commits when st is
 * CC_OK or rolls back; calls in between (a store mutation inside an app use
 * case) join it and their db_tx_end only passes st on. An inner end with an
 * error marks the transaction so that the outermost end rolls back and
 * fails even if the error was swallowed on the way out. db_tx_begin inside
 * a read transaction is CC_INTERNAL "nested_transaction". */
cc_status db_tx_begin(db *d, cc_error *err);
cc_status db_tx_end(db *d, cc_status st, cc_error *err);
/* Batch (the server's commit queue): the actions of several requests in
 * one write transaction and one durable commit. Between db_batch_begin and
 * db_batch_commit an action's transaction (db_begin, db_begin_read,
 * db_tx_begin) is a savepoint of the batch's: its commit releases the
 * savepoint (durable only with the batch), its rollback undoes that action
 * alone, and a statement outside any action runs in the batch's
 * transaction. db_after_commit's hook runs after the batch commits.
 * db_batch_intact says whether the batch can still commit: false once the
 * engine rolled the whole transaction back (SQLite on a full disk or an I/O
 * error, a lost PostgreSQL connection) or an action's savepoint could not be
 * rolled back; db_batch_commit then rolls back and fails with CC_STORAGE.
 * Nothing of a batch is durable until db_batch_commit returns CC_OK. */
cc_status db_batch_begin(db *d, cc_error *err);
bool db_batch_intact(db *d);
cc_status db_batch_commit(db *d, cc_error *err);
void db_batch_rollback(db *d);
/* Depth of the joinable transaction (0: none); for assertions in tests. */
int db_tx_depth(const db *d);
/* Group commit: a write transaction (db_begin ... db_commit) returns from
 * its commit only once it is on disk, but concurrent writers of one process
 * share the sync of the write-ahead log. For tests and benchmarks: the
 * commits that waited for a shared sync and the syncs made for them on this
 * connection's database file since this process opened it (both 0 when the
 * connection syncs each commit alone). Thread-safe. */
void db_group_commit_counts(const db *d, uint64_t *commits, uint64_t *syncs);
/* This connection's commits return without waiting for the disk
 * (synchronous=NORMAL, no group commit): a commit survives a crash of the
 * process, a power cut may undo the last ones before a checkpoint. Only for
 * data whose loss on a power cut is bounded and documented (the access log). */
cc_status db_relax_durability(db *d, cc_error *err);
/* This connection's commits leave copying the log into the database file
 * (SQLite's checkpoint) to a thread of the process, which holds a
 * connection of its own only while it copies, so that no commit waits for
 * it: for the writers of a server, whose commits are many and small. Not
 * for bulk builds: the log grows while the thread copies, and a build of a
 * million rows ran slower so. Nothing on PostgreSQL, which checkpoints
 * itself. */
void db_checkpoint_elsewhere(db *d);
/* This connection is about to scan large tables once (a report from the
 * command line): read the file through the page mapping instead of a copy
 * per page (SQLite: mmap_size). A hint: errors are ignored. */
void db_hint_bulk_read(db *d);
void db_rollback(db *d);
bool db_in_transaction(db *d);
/* Runs fn(d, ctx) once after the current write transaction commits, outside
 * any transaction and after the write lock is released; never when it rolls
 * back. For work that must only see committed state (a signed checkpoint of
 * the audit chain). One action per connection: a second call before the
 * commit replaces the first. */
void db_after_commit(db *d, void (*fn)(db *d, void *ctx), void *ctx);

/* Consistent online copy of the whole database into path, an existing
 * empty file (the caller creates it with the mode it wants). The pages are
 * copied in one step inside one read snapshot, so writers on other
 * connections go on meanwhile (WAL) and never make it start over. The copy
 * is a self-contained database (rollback journal, nothing beside it) whose
 * application id is mark. It is not synced: the caller fsyncs it. */
cc_status db_backup_to(db *d, const char *path, int32_t mark, cc_error *err);

/* The application id of the database (PRAGMA application_id). */
cc_status db_application_id(db *d, int32_t *out, cc_error *err);

/* Whether the database is a replica that replays another's log
 * (PostgreSQL hot standby), and how far its data lag behind: 0 when it has
 * replayed all it received, else the seconds since the last transaction it
 * replayed. A SQLite file is never a replica. */
cc_status db_replica_lag(db *d, bool *replica, double *lag_seconds, cc_error *err);

/* Integrity check; CC_OK when the engine reports none. */
cc_status db_check_integrity(db *d, cc_error *err);

#endif
