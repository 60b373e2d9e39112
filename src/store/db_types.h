/*
 * db_types: the types db.h shares with the backends that implement it
 * (db_backend.h), so that a backend never includes db.h and db.c never
 * depends on a backend's definitions. Types only: no functions, no state.
 */
#ifndef CC_DB_TYPES_H
#define CC_DB_TYPES_H

typedef struct db db;
typedef struct db_stmt db_stmt;

typedef enum { DB_ROW = 1, DB_DONE = 0, DB_ERROR = -1 } db_step_result;

/* What a column of the current row holds. */
typedef enum { DB_COL_NULL, DB_COL_INT, DB_COL_REAL, DB_COL_TEXT, DB_COL_BLOB } db_col_kind;

typedef enum {
    DB_OPEN_EXISTING = 0, /* fail if the file does not exist */
    DB_OPEN_CREATE = 1,
    DB_OPEN_READONLY = 2,
} db_open_mode;

/* The SQL dialect behind a connection: for the few places where the two
 * engines cannot share one statement (file copies, engine checks). */
typedef enum { DB_SQLITE = 0, DB_POSTGRESQL = 1 } db_dialect;

/* The error code of a transaction the database aborted for another's sake
 * (db.h). */
#define DB_TRANSACTION_ABORTED "transaction_conflict"

#endif
