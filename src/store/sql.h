/*
 * sql: the small helpers every store module uses on top of db.h: run one
 * statement with an array of arguments, read a scalar, map result rows to
 * structs or to a callback, read one page of a list with its total, render
 * result rows as JSON text (column name -> value). A store module writes SQL
 * and a row reader; it never writes a prepare/bind/step/done loop itself.
 * Transactions: db_tx_begin/db_tx_end (db.h); a mutation with its audit
 * entry: audit_mutate (audit.h).
 *
 * Arguments: SQL_I (integer), SQL_D (real), SQL_S (text; NULL binds NULL),
 * SQL_N (NULL), SQL_ID (an id > 0, else NULL), SQL_B (bytes and length; the
 * bytes are copied when bound).
 * JSON: integers as numbers, reals with %.15g (15 significant digits: every
 * measurement we store has fewer), text as strings, NULL as null;
 * a column whose name ends in "_json" holds JSON text and is inlined as is
 * under the name without the suffix.
 * Ownership: out buffers belong to the caller. Not thread-safe (one db each).
 */
#ifndef CC_SQL_H
#define CC_SQL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "store/db.h"

typedef struct {
    enum { SQL_INT, SQL_REAL, SQL_TEXT, SQL_NULL, SQL_BLOB } kind;
    int64_t i; /* SQL_BLOB: the length */
    double d;
    const char *s;
} sql_arg;

#define SQL_I(v) ((sql_arg){SQL_INT, (int64_t)(v), 0, NULL})
#define SQL_D(v) ((sql_arg){SQL_REAL, 0, (v), NULL})
#define SQL_S(v) ((sql_arg){SQL_TEXT, 0, 0, (v)})
#define SQL_N ((sql_arg){SQL_NULL, 0, 0, NULL})
#define SQL_B(p, len) ((sql_arg){SQL_BLOB, (int64_t)(len), 0, (const char *)(p)})
#define SQL_ID(v) ((v) > 0 ? SQL_I(v) : SQL_N)
#define SQL_COUNT(args) ((int)(sizeof(args) / sizeof((args)[0])))

/* Runs sql. When id is not NULL the statement must return one row whose
 * first column is stored in *id (INSERT ... RETURNING id); no row is CC_NOT_FOUND. */
cc_status sql_run(db *d, const char *sql, const sql_arg *args, int n, int64_t *id, cc_error *err);

/* Runs sql, a write whose result is not read, with db_run_later: on
 * PostgreSQL it may go with the next statement or the action's end, whose
 * failure is then its own. */
cc_status sql_run_later(db *d, const char *sql, const sql_arg *args, int n, cc_error *err);

/* First column of the first row as an integer (0 and CC_OK when no row). */
cc_status sql_scalar(db *d, const char *sql, const sql_arg *args, int n, int64_t *out,
                     cc_error *err);
/* Whether a table (or view) of that name exists in the database's schema,
 * asked in the engine's own catalogue. */
cc_status sql_table_exists(db *d, const char *name, bool *out, cc_error *err);

/* Rows as a JSON array (single false) or the first row as an object, "null"
 * when none (single true), appended to out. */
cc_status sql_rows_json(db *d, const char *sql, const sql_arg *args, int n, bool single, buf *out,
                        cc_error *err);

/* The first row as a JSON object appended to out; CC_NOT_FOUND (field
 * "id", "no <what> with that id") and nothing appended when there is none. */
cc_status sql_row_json(db *d, const char *sql, const sql_arg *args, int n, const char *what,
                       buf *out, cc_error *err);

/* The current row as a JSON object (as sql_rows_json) appended to out, from
 * column first on: the columns before it are the caller's, read by a row
 * function (sql_first) that renders the rest only when it keeps the row. */
void sql_row_object(db_stmt *s, int first, buf *out);

/* Prepares sql with args bound and asks the engine to send it with the
 * next statement (db_prefetch): a later call here with the same sql and
 * args reads its rows. Inside a read snapshot, so that the reads of a view
 * cost PostgreSQL one round trip; a hint, nothing on SQLite. */
cc_status sql_prefetch(db *d, const char *sql, const sql_arg *args, int n, cc_error *err);

/* Prepares sql, a SELECT that reads many rows (a report's or a rebuild's
 * scan), with args bound, to be read in batches (db_read_in_batches): the
 * caller steps *s and ends with db_done. */
cc_status sql_scan(db *d, const char *sql, const sql_arg *args, int n, db_stmt **s, cc_error *err);

/* Rows of (patient id, bytes) written by statements of 2^k rows each,
 * for derived tables rebuilt in bulk (a statement per row would cost
 * PostgreSQL a round trip each). shapes[k] (k < n_shapes <= 9) is the
 * literal INSERT of 2^k "(?, ?)" rows, prepared once per connection:
 * SQL_PAIRS_256 and the smaller ones spell them. Whole chunks of the
 * largest go first, then one statement per power of two left over. On an
 * error the statements before it are written: the caller rolls back. */
typedef struct {
    int64_t patient_id;
    const unsigned char *bytes;
    size_t len;
} sql_patient_bytes;
cc_status sql_insert_patient_bytes(db *d, const char *const *shapes, int n_shapes,
                                   const sql_patient_bytes *rows, size_t n, cc_error *err);
#define SQL_PAIRS_1 "(?, ?)"
#define SQL_PAIRS_2 SQL_PAIRS_1 ", " SQL_PAIRS_1
#define SQL_PAIRS_4 SQL_PAIRS_2 ", " SQL_PAIRS_2
#define SQL_PAIRS_8 SQL_PAIRS_4 ", " SQL_PAIRS_4
#define SQL_PAIRS_16 SQL_PAIRS_8 ", " SQL_PAIRS_8
#define SQL_PAIRS_32 SQL_PAIRS_16 ", " SQL_PAIRS_16
#define SQL_PAIRS_64 SQL_PAIRS_32 ", " SQL_PAIRS_32
#define SQL_PAIRS_128 SQL_PAIRS_64 ", " SQL_PAIRS_64
#define SQL_PAIRS_256 SQL_PAIRS_128 ", " SQL_PAIRS_128
enum { SQL_PAIRS_SHAPES_MAX = 9 };

/* One list inside a record's JSON object: "name": and the rows of sql. */
typedef struct {
    const char *name;
    const char *sql;
} sql_json_list;

/* Appends ,"name":[...] for each list (rows as sql_rows_json), every sql
 * bound to the same arguments: the lists that follow a record's fields.
 * Stops at the first error. sql_lists_prefetch sends them ahead
 * (sql_prefetch); sql_lists_json does so itself. */
cc_status sql_lists_json(db *d, const sql_json_list *lists, size_t n_lists, const sql_arg *args,
                         int n, buf *out, cc_error *err);
cc_status sql_lists_prefetch(db *d, const sql_json_list *lists, size_t n_lists, const sql_arg *args,
                             int n, cc_error *err);

/* A record's view {"<name>": {row}, "<list>": [...], ...}: the row of
 * row_sql for id (CC_NOT_FOUND, field "id": "no <name> with that id") and
 * its lists, every list's sql bound to the same id. */
cc_status sql_record_view(db *d, int64_t id, const char *name, const char *row_sql,
                          const sql_json_list *lists, size_t n_lists, buf *out, cc_error *err);
/* The same with the row's own arguments (row_args: those of row_sql, the
 * id among them); the lists are still bound to the id alone. */
cc_status sql_record_view_args(db *d, int64_t id, const char *name, const char *row_sql,
                               const sql_arg *row_args, int n_row, const sql_json_list *lists,
                               size_t n_lists, buf *out, cc_error *err);

/* Column col of the current row copied into the arena; NULL for SQL NULL. */
char *sql_col_dup(arena *a, db_stmt *s, int col);

/* sql selects a row by the one id; none is CC_NOT_FOUND (field, "no <what>
 * with id <id>"). The usual check that a referenced record exists. */
cc_status sql_require_id(db *d, const char *sql, int64_t id, const char *field, const char *what,
                         cc_error *err);

/* ---- row mappers ---- */

/* Called once per result row; the row's text is valid only during the call.
 * Anything but CC_OK stops the query and is returned (fill err first). It
 * must not run statements on the same db: preparing one may evict or move
 * the running statement in the connection's cache (db.h). */
typedef cc_status (*sql_row_fn)(void *ctx, db_stmt *row, cc_error *err);

/* Runs sql and calls fn for each row, in order. *rows (may be NULL) gets the
 * number of rows passed to fn. Storage errors: their status. */
cc_status sql_each(db *d, const char *sql, const sql_arg *args, int n, sql_row_fn fn, void *ctx,
                   size_t *rows, cc_error *err);

/* The first column of every row as text, in order: items[i] is malloc'd, as
 * is items; free both with sql_text_list_free (also after an error). */
typedef struct {
    char **items;
    size_t n, cap;
} sql_text_list;
cc_status sql_first_column_texts(db *d, const char *sql, const sql_arg *args, int n,
                                 sql_text_list *out, cc_error *err);
void sql_text_list_free(sql_text_list *l);

/* Calls fn for the first row only; no row is CC_NOT_FOUND (err says "no such
 * record": callers that name the record fail again with their own text). */
cc_status sql_first(db *d, const char *sql, const sql_arg *args, int n, sql_row_fn fn, void *ctx,
                    cc_error *err);

/* Fills one struct (item) from the current row, copying text into a; false
 * when the arena is exhausted. */
typedef bool (*sql_map_fn)(arena *a, db_stmt *row, void *item);

/* Allocates room for at most cap items of item_size bytes in a, fills them
 * from the rows of sql through map (rows past cap are not read), and sets
 * *items and *count. An exhausted arena is CC_INTERNAL "out_of_memory". */
cc_status sql_fill(db *d, arena *a, const char *sql, const sql_arg *args, int n, sql_map_fn map,
                   size_t item_size, size_t cap, void **items, size_t *count, cc_error *err);

/* As sql_fill for every row: the array grows in a by doubling (64 first),
 * so a costs at most twice the rows' size. */
cc_status sql_collect(db *d, arena *a, const char *sql, const sql_arg *args, int n, sql_map_fn map,
                      size_t item_size, void **items, size_t *count, cc_error *err);

/* The first row mapped into item; no row is CC_NOT_FOUND as in sql_first. */
cc_status sql_fill_one(db *d, arena *a, const char *sql, const sql_arg *args, int n, sql_map_fn map,
                       void *item, cc_error *err);

/* ---- pages of a list ---- */

/* One page of a list. count_sql is "SELECT COUNT(*) ..." over the first
 * n_count arguments (0: all n); sql selects the rows with the n arguments
 * and ends in "LIMIT ? OFFSET ?" (bound here from page and per_page; a query
 * without that ending is CC_INTERNAL "page_query"). page
 * counts from 1 and per_page must be at least 1 (else CC_INVALID); a page
 * past the end is empty, with the total still set. */
typedef struct {
    const char *count_sql;
    const char *sql;
    const sql_arg *args;
    int n, n_count;
    int64_t page, per_page;
} sql_page_query;

/* The total and the page mapped into per_page items allocated from a, in
 * one call; any error (of either query) is returned. */
cc_status sql_page(db *d, arena *a, const sql_page_query *q, sql_map_fn map, size_t item_size,
                   void **items, size_t *count, int64_t *total, cc_error *err);

/* The total and the page as a JSON array appended to out. */
cc_status sql_page_json(db *d, const sql_page_query *q, buf *out, int64_t *total, cc_error *err);

#endif
