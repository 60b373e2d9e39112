/*
 * sql: the small helpers every store module uses on top of db.h: run one
 * statement with an array of arguments, read a scalar, render result rows as
 * JSON text (column name -> value). Transactions: db_tx_begin/db_tx_end (db.h).
 *
 * Arguments: SQL_I (integer), SQL_D (real), SQL_S (text; NULL binds NULL),
 * SQL_N (NULL), SQL_ID (an id > 0, else NULL).
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
    enum { SQL_INT, SQL_REAL, SQL_TEXT, SQL_NULL } kind;
    int64_t i;
    double d;
    const char *s;
} sql_arg;

#define SQL_I(v) ((sql_arg){SQL_INT, (int64_t)(v), 0, NULL})
#define SQL_D(v) ((sql_arg){SQL_REAL, 0, (v), NULL})
#define SQL_S(v) ((sql_arg){SQL_TEXT, 0, 0, (v)})
#define SQL_N ((sql_arg){SQL_NULL, 0, 0, NULL})
#define SQL_ID(v) ((v) > 0 ? SQL_I(v) : SQL_N)
#define SQL_COUNT(args) ((int)(sizeof(args) / sizeof((args)[0])))

/* Runs sql. When id is not NULL the statement must return one row whose
 * first column is stored in *id (INSERT ... RETURNING id); no row is CC_NOT_FOUND. */
cc_status sql_run(db *d, const char *sql, const sql_arg *args, int n, int64_t *id, cc_error *err);

/* First column of the first row as an integer (0 and CC_OK when no row). */
cc_status sql_scalar(db *d, const char *sql, const sql_arg *args, int n, int64_t *out, cc_error *err);

/* Rows as a JSON array (single false) or the first row as an object, "null"
 * when none (single true), appended to out. */
cc_status sql_rows_json(db *d, const char *sql, const sql_arg *args, int n, bool single, buf *out,
                        cc_error *err);

/* The first row as a JSON object appended to out; CC_NOT_FOUND (field
 * "id", "no <what> with that id") and nothing appended when there is none. */
cc_status sql_row_json(db *d, const char *sql, const sql_arg *args, int n, const char *what, buf *out,
                       cc_error *err);

/* Column col of the current row copied into the arena; NULL for SQL NULL. */
char *sql_col_dup(arena *a, db_stmt *s, int col);

#endif
