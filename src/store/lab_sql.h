/*
 * lab_sql: small helpers shared by the laboratory store modules (lab_*.c):
 * run one statement with an array of arguments, render result rows as JSON
 * text (the same column -> value images as audit_row_json), and write one
 * audit entry whose after-image is a row.
 *
 * Arguments: LA_INT, LA_REAL, LA_TEXT (NULL text binds NULL), LA_NULL.
 * JSON: integers as numbers, reals with %.17g, text as strings, NULL as null;
 * a column whose name ends in "_json" holds JSON text and is inlined as is.
 * Ownership: out buffers belong to the caller. Not thread-safe (one db each).
 */
#ifndef CC_LAB_SQL_H
#define CC_LAB_SQL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/audit.h"
#include "core/unit_state.h"
#include "store/db.h"

typedef struct {
    enum { LA_INT, LA_REAL, LA_TEXT, LA_NULL } kind;
    int64_t i;
    double d;
    const char *s;
} lab_arg;

#define LA_I(v) ((lab_arg){LA_INT, (int64_t)(v), 0, NULL})
#define LA_D(v) ((lab_arg){LA_REAL, 0, (v), NULL})
#define LA_S(v) ((lab_arg){LA_TEXT, 0, 0, (v)})
#define LA_N ((lab_arg){LA_NULL, 0, 0, NULL})
/* id > 0 binds the id, otherwise NULL */
#define LA_ID(v) ((v) > 0 ? LA_I(v) : LA_N)

/* Runs sql. When id is not NULL the statement must return one row whose
 * first column is stored in *id (INSERT ... RETURNING id); no row is CC_NOT_FOUND. */
cc_status lab_run(db *d, const char *sql, const lab_arg *args, int n, int64_t *id, cc_error *err);

/* First column of the first row as an integer (0 and CC_OK when no row). */
cc_status lab_scalar(db *d, const char *sql, const lab_arg *args, int n, int64_t *out, cc_error *err);

/* Rows as a JSON array (single false) or the first row as an object, "null"
 * when none (single true), appended to out. */
cc_status lab_rows_json(db *d, const char *sql, const lab_arg *args, int n, bool single, buf *out,
                        cc_error *err);

/* Appends an audit entry whose after-image is image_sql's row for id
 * (before may be NULL). */
cc_status lab_audit(db *d, const store_actor *actor, const char *action, const char *entity,
                    int64_t id, const char *image_sql, const char *before, const char *reason,
                    cc_error *err);

/* Commits when st is CC_OK, rolls back otherwise; returns the final status. */
cc_status lab_finish(db *d, cc_status st, cc_error *err);

/* Inside the caller's transaction: applies event to every unit of a batch
 * that is in state from (through unit_state_apply), with custody events and
 * audit entries; note is recorded on each (lab_units.c). */
cc_status lab_units_batch_event(db *d, const store_actor *actor, int64_t batch_id, unit_state from,
                                unit_event event, const char *note, cc_error *err);

#endif
