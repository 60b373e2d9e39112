#include "sql.h"

#include <string.h>

static void bind_all(db_stmt *s, const sql_arg *args, int n)
{
    for (int i = 0; i < n; i++) {
        switch (args[i].kind) {
        case SQL_INT: db_bind_int(s, i + 1, args[i].i); break;
        case SQL_REAL: db_bind_double(s, i + 1, args[i].d); break;
        case SQL_TEXT: db_bind_text(s, i + 1, args[i].s); break;
        case SQL_NULL: db_bind_null(s, i + 1); break;
        }
    }
}

cc_status sql_run(db *d, const char *sql, const sql_arg *args, int n, int64_t *id, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d, sql, &s, err);
    if (st != CC_OK)
        return st;
    bind_all(s, args, n);
    if (!id)
        return db_run(s, err);
    db_step_result r = db_step(s, err);
    if (r == DB_ROW)
        *id = db_col_int(s, 0);
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if (r == DB_DONE)
        return cc_fail(err, CC_NOT_FOUND, NULL, "not_found", "no such record");
    return CC_OK;
}

cc_status sql_scalar(db *d, const char *sql, const sql_arg *args, int n, int64_t *out, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d, sql, &s, err);
    if (st != CC_OK)
        return st;
    bind_all(s, args, n);
    *out = 0;
    db_step_result r = db_step(s, err);
    if (r == DB_ROW && !db_col_is_null(s, 0))
        *out = db_col_int(s, 0);
    db_done(s);
    return r == DB_ERROR ? err->status : CC_OK;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void row_json(db_stmt *s, buf *out)
{
    buf_putc(out, '{');
    for (int c = 0; c < db_col_count(s); c++) {
        const char *name = db_col_name(s, c);
        if (c)
            buf_putc(out, ',');
        bool inline_json = ends_with(name, "_json");
        if (inline_json) {
            buf_putc(out, '"');
            buf_append(out, name, strlen(name) - 5);
            buf_putc(out, '"');
        } else {
            buf_json_string(out, name);
        }
        buf_putc(out, ':');
        if (db_col_is_null(s, c))
            buf_puts(out, "null");
        else if (inline_json)
            buf_puts(out, db_col_text(s, c));
        else if (db_col_is_int(s, c))
            buf_printf(out, "%lld", (long long)db_col_int(s, c));
        else if (db_col_is_real(s, c))
            buf_printf(out, "%.15g", db_col_double(s, c));
        else
            buf_json_string(out, db_col_text(s, c));
    }
    buf_putc(out, '}');
}

static cc_status rows_json(db *d, const char *sql, const sql_arg *args, int n, bool single, buf *out,
                           int *found, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d, sql, &s, err);
    if (st != CC_OK)
        return st;
    bind_all(s, args, n);
    db_step_result r;
    int rows = 0;
    if (!single)
        buf_putc(out, '[');
    while ((r = db_step(s, err)) == DB_ROW) {
        if (rows++)
            buf_putc(out, ',');
        row_json(s, out);
        if (single)
            break;
    }
    db_done(s);
    *found = rows;
    if (single && rows == 0)
        buf_puts(out, "null");
    if (!single)
        buf_putc(out, ']');
    if (r == DB_ERROR)
        return err->status;
    if (buf_failed(out))
        return cc_fail(err, CC_TOO_LARGE, NULL, "too_large", "the answer is too large; narrow it down");
    return CC_OK;
}

char *sql_col_dup(arena *a, db_stmt *s, int col)
{
    return db_col_is_null(s, col) ? NULL : arena_strdup(a, db_col_text(s, col));
}

cc_status sql_rows_json(db *d, const char *sql, const sql_arg *args, int n, bool single, buf *out,
                        cc_error *err)
{
    int found;
    return rows_json(d, sql, args, n, single, out, &found, err);
}

cc_status sql_row_json(db *d, const char *sql, const sql_arg *args, int n, const char *what, buf *out,
                       cc_error *err)
{
    size_t mark = out->len;
    int found = 0;
    cc_status st = rows_json(d, sql, args, n, true, out, &found, err);
    if (st == CC_OK && !found) {
        buf_truncate(out, mark);
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no %s with that id", what);
    }
    return st;
}
