#include "sql.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void bind_all(db_stmt *s, const sql_arg *args, int n)
{
    for (int i = 0; i < n; i++) {
        switch (args[i].kind) {
        case SQL_INT: db_bind_int(s, i + 1, args[i].i); break;
        case SQL_REAL: db_bind_double(s, i + 1, args[i].d); break;
        case SQL_TEXT: db_bind_text(s, i + 1, args[i].s); break;
        case SQL_NULL: db_bind_null(s, i + 1); break;
        case SQL_BLOB: db_bind_blob(s, i + 1, args[i].s, (size_t)args[i].i); break;
        }
    }
}

static cc_status out_of_memory(cc_error *err)
{
    return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
}

/* The one step loop: at most limit rows go to fn. */
static cc_status query(db *d, const char *sql, const sql_arg *args, int n, size_t limit,
                       sql_row_fn fn, void *ctx, size_t *rows, cc_error *err)
{
    size_t count = 0;
    if (rows)
        *rows = 0;
    db_stmt *s;
    cc_status st = db_prepare(d, sql, &s, err);
    if (st != CC_OK)
        return st;
    bind_all(s, args, n);
    db_step_result r = DB_DONE;
    while (count < limit && (r = db_step(s, err)) == DB_ROW) {
        if ((st = fn(ctx, s, err)) != CC_OK)
            break;
        count++;
    }
    db_done(s);
    if (rows)
        *rows = count;
    if (st != CC_OK)
        return st;
    return r == DB_ERROR ? err->status : CC_OK;
}

static cc_status not_found(cc_error *err)
{
    return cc_fail(err, CC_NOT_FOUND, NULL, "not_found", "no such record");
}

cc_status sql_each(db *d, const char *sql, const sql_arg *args, int n, sql_row_fn fn, void *ctx,
                   size_t *rows, cc_error *err)
{
    return query(d, sql, args, n, SIZE_MAX, fn, ctx, rows, err);
}

cc_status sql_first(db *d, const char *sql, const sql_arg *args, int n, sql_row_fn fn, void *ctx,
                    cc_error *err)
{
    size_t rows;
    cc_status st = query(d, sql, args, n, 1, fn, ctx, &rows, err);
    return st == CC_OK && rows == 0 ? not_found(err) : st;
}

static cc_status ignore_row(void *ctx, db_stmt *row, cc_error *err)
{
    (void)ctx, (void)row, (void)err;
    return CC_OK;
}

cc_status sql_require_id(db *d, const char *sql, int64_t id, const char *field, const char *what,
                         cc_error *err)
{
    cc_status st = sql_first(d, sql, (sql_arg[]){SQL_I(id)}, 1, ignore_row, NULL, err);
    if (st == CC_NOT_FOUND)
        st = cc_fail(err, CC_NOT_FOUND, field, "not_found", "no %s with id %lld", what,
                     (long long)id);
    return st;
}

static cc_status read_int(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    if (!db_col_is_null(row, 0))
        *(int64_t *)ctx = db_col_int(row, 0);
    return CC_OK;
}

cc_status sql_run(db *d, const char *sql, const sql_arg *args, int n, int64_t *id, cc_error *err)
{
    if (id)
        return sql_first(d, sql, args, n, read_int, id, err);
    db_stmt *s;
    cc_status st = db_prepare(d, sql, &s, err);
    if (st != CC_OK)
        return st;
    bind_all(s, args, n);
    return db_run(s, err);
}

cc_status sql_run_later(db *d, const char *sql, const sql_arg *args, int n, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d, sql, &s, err);
    if (st != CC_OK)
        return st;
    bind_all(s, args, n);
    return db_run_later(s, err);
}

cc_status sql_scalar(db *d, const char *sql, const sql_arg *args, int n, int64_t *out,
                     cc_error *err)
{
    *out = 0;
    return query(d, sql, args, n, 1, read_int, out, NULL, err);
}

typedef struct {
    arena *a;
    sql_map_fn map;
    char *items;
    size_t size, n;
} fill_ctx;

static cc_status fill_row(void *ctx, db_stmt *row, cc_error *err)
{
    fill_ctx *f = ctx;
    if (!f->map(f->a, row, f->items + f->n * f->size))
        return out_of_memory(err);
    f->n++;
    return CC_OK;
}

cc_status sql_fill(db *d, arena *a, const char *sql, const sql_arg *args, int n, sql_map_fn map,
                   size_t item_size, size_t cap, void **items, size_t *count, cc_error *err)
{
    *count = 0;
    *items = arena_alloc(a, (cap ? cap : 1) * item_size);
    if (!*items)
        return out_of_memory(err);
    fill_ctx f = {a, map, *items, item_size, 0};
    cc_status st = query(d, sql, args, n, cap, fill_row, &f, NULL, err);
    *count = f.n;
    return st;
}

typedef struct {
    fill_ctx fill;
    size_t cap;
} collect_ctx;

static cc_status collect_row(void *ctx, db_stmt *row, cc_error *err)
{
    collect_ctx *c = ctx;
    if (c->fill.n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        char *fresh = arena_alloc(c->fill.a, cap * c->fill.size);
        if (!fresh)
            return out_of_memory(err);
        if (c->cap)
            memcpy(fresh, c->fill.items, c->cap * c->fill.size);
        c->fill.items = fresh;
        c->cap = cap;
    }
    return fill_row(&c->fill, row, err);
}

cc_status sql_collect(db *d, arena *a, const char *sql, const sql_arg *args, int n, sql_map_fn map,
                      size_t item_size, void **items, size_t *count, cc_error *err)
{
    collect_ctx c = {{a, map, NULL, item_size, 0}, 0};
    cc_status st = query(d, sql, args, n, SIZE_MAX, collect_row, &c, NULL, err);
    *items = c.fill.items;
    *count = c.fill.n;
    return st;
}

cc_status sql_fill_one(db *d, arena *a, const char *sql, const sql_arg *args, int n, sql_map_fn map,
                       void *item, cc_error *err)
{
    fill_ctx f = {a, map, item, 0, 0};
    return sql_first(d, sql, args, n, fill_row, &f, err);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* A row's keys, each `"name":` as JSON writes it, and whether the column
 * holds JSON text to inline (its name ends in _json, which the key drops):
 * made once for all the rows of a query. */
enum { ROW_KEYS_MAX = 64, ROW_KEYS_TEXT = 2048 };
typedef struct {
    int n;
    bool inline_json[ROW_KEYS_MAX];
    size_t end[ROW_KEYS_MAX]; /* each key ends there in text */
    char text[ROW_KEYS_TEXT];
} row_keys;

/* Writes `"name":` (a name ending in _json without that ending); true for
 * such a name, whose column holds JSON text to inline. */
static bool put_key(buf *out, const char *name)
{
    bool inline_json = ends_with(name, "_json");
    if (inline_json) {
        buf_putc(out, '"');
        buf_append(out, name, strlen(name) - 5);
        buf_putc(out, '"');
    } else {
        buf_json_string(out, name);
    }
    buf_putc(out, ':');
    return inline_json;
}

/* false when the keys do not fit: the row is then written key by key */
static bool row_keys_make(db_stmt *s, row_keys *k)
{
    buf keys;
    buf_init(&keys, ROW_KEYS_TEXT - 1);
    k->n = db_col_count(s);
    if (k->n > ROW_KEYS_MAX)
        return false;
    for (int c = 0; c < k->n; c++) {
        k->inline_json[c] = put_key(&keys, db_col_name(s, c));
        k->end[c] = keys.len;
    }
    bool fits = !buf_failed(&keys);
    if (fits)
        memcpy(k->text, keys.data, keys.len);
    buf_release(&keys);
    return fits;
}

static void put_value(db_stmt *s, int c, bool inline_json, buf *out)
{
    db_col_kind kind = db_col_kind_of(s, c);
    if (kind == DB_COL_NULL)
        buf_puts(out, "null");
    else if (inline_json)
        buf_puts(out, db_col_text(s, c));
    else if (kind == DB_COL_INT)
        buf_put_int(out, db_col_int(s, c));
    else if (kind == DB_COL_REAL)
        buf_put_g15(out, db_col_double(s, c));
    else
        buf_json_string(out, db_col_text(s, c));
}

static void row_object_keyed(db_stmt *s, const row_keys *k, buf *out)
{
    buf_putc(out, '{');
    for (int c = 0; c < k->n; c++) {
        if (c > 0)
            buf_putc(out, ',');
        size_t start = c > 0 ? k->end[c - 1] : 0;
        buf_append(out, k->text + start, k->end[c] - start);
        put_value(s, c, k->inline_json[c], out);
    }
    buf_putc(out, '}');
}

void sql_row_object(db_stmt *s, int first, buf *out)
{
    buf_putc(out, '{');
    for (int c = first; c < db_col_count(s); c++) {
        if (c > first)
            buf_putc(out, ',');
        put_value(s, c, put_key(out, db_col_name(s, c)), out);
    }
    buf_putc(out, '}');
}

typedef struct {
    buf *out;
    size_t rows;
    bool keyed; /* keys made from the first row */
    row_keys keys;
} json_ctx;

static cc_status json_row(void *ctx, db_stmt *row, cc_error *err)
{
    (void)err;
    json_ctx *j = ctx;
    if (j->rows++)
        buf_putc(j->out, ',');
    if (j->rows == 1)
        j->keyed = row_keys_make(row, &j->keys);
    if (j->keyed)
        row_object_keyed(row, &j->keys, j->out);
    else
        sql_row_object(row, 0, j->out);
    return CC_OK;
}

static cc_status rows_json(db *d, const char *sql, const sql_arg *args, int n, bool single,
                           buf *out, size_t *found, cc_error *err)
{
    json_ctx j; /* the keys are made from the first row: not zeroed here */
    j.out = out;
    j.rows = 0;
    j.keyed = false;
    if (!single)
        buf_putc(out, '[');
    cc_status st = query(d, sql, args, n, single ? 1 : SIZE_MAX, json_row, &j, found, err);
    if (single && *found == 0)
        buf_puts(out, "null");
    if (!single)
        buf_putc(out, ']');
    if (st != CC_OK)
        return st;
    if (buf_failed(out))
        return cc_fail(err, CC_TOO_LARGE, NULL, "too_large",
                       "the answer is too large; narrow it down");
    return CC_OK;
}

cc_status sql_prefetch(db *d, const char *sql, const sql_arg *args, int n, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(d, sql, &s, err);
    if (st == CC_OK) {
        bind_all(s, args, n);
        db_prefetch(s);
    }
    return st;
}

cc_status sql_scan(db *d, const char *sql, const sql_arg *args, int n, db_stmt **s, cc_error *err)
{
    cc_status st = db_prepare(d, sql, s, err);
    if (st != CC_OK)
        return st;
    bind_all(*s, args, n);
    db_read_in_batches(*s);
    return CC_OK;
}

cc_status sql_insert_patient_bytes(db *d, const char *const *shapes, int n_shapes,
                                   const sql_patient_bytes *rows, size_t n, cc_error *err)
{
    sql_arg args[2 << (SQL_PAIRS_SHAPES_MAX - 1)];
    if (n_shapes < 1 || n_shapes > SQL_PAIRS_SHAPES_MAX)
        return cc_fail(err, CC_INTERNAL, NULL, "internal", "statement shapes out of range");
    cc_status st = CC_OK;
    size_t done = 0;
    for (int k = n_shapes - 1; st == CC_OK && k >= 0; k--) {
        size_t size = (size_t)1 << k;
        for (; st == CC_OK && n - done >= size; done += size) {
            for (size_t i = 0; i < size; i++) {
                args[2 * i] = SQL_I(rows[done + i].patient_id);
                args[2 * i + 1] = SQL_B(rows[done + i].bytes, rows[done + i].len);
            }
            st = sql_run(d, shapes[k], args, (int)(2 * size), NULL, err);
        }
    }
    return st;
}

cc_status sql_lists_prefetch(db *d, const sql_json_list *lists, size_t n_lists, const sql_arg *args,
                             int n, cc_error *err)
{
    cc_status st = CC_OK;
    for (size_t i = 0; i < n_lists && st == CC_OK; i++)
        st = sql_prefetch(d, lists[i].sql, args, n, err);
    return st;
}

cc_status sql_lists_json(db *d, const sql_json_list *lists, size_t n_lists, const sql_arg *args,
                         int n, buf *out, cc_error *err)
{
    cc_status st = n_lists > 1 ? sql_lists_prefetch(d, lists, n_lists, args, n, err) : CC_OK;
    for (size_t i = 0; i < n_lists && st == CC_OK; i++) {
        buf_putc(out, ',');
        buf_json_string(out, lists[i].name);
        buf_putc(out, ':');
        st = sql_rows_json(d, lists[i].sql, args, n, false, out, err);
    }
    return st;
}

cc_status sql_record_view(db *d, int64_t id, const char *name, const char *row_sql,
                          const sql_json_list *lists, size_t n_lists, buf *out, cc_error *err)
{
    sql_arg a[] = {SQL_I(id)};
    return sql_record_view_args(d, id, name, row_sql, a, 1, lists, n_lists, out, err);
}

cc_status sql_record_view_args(db *d, int64_t id, const char *name, const char *row_sql,
                               const sql_arg *row_args, int n_row, const sql_json_list *lists,
                               size_t n_lists, buf *out, cc_error *err)
{
    sql_arg a[] = {SQL_I(id)};
    buf_putc(out, '{');
    buf_json_string(out, name);
    buf_putc(out, ':');
    cc_status st = sql_lists_prefetch(d, lists, n_lists, a, 1, err);
    if (st == CC_OK)
        st = sql_row_json(d, row_sql, row_args, n_row, name, out, err);
    if (st == CC_OK)
        st = sql_lists_json(d, lists, n_lists, a, 1, out, err);
    buf_putc(out, '}');
    return st;
}

char *sql_col_dup(arena *a, db_stmt *s, int col)
{
    return db_col_is_null(s, col) ? NULL : arena_strdup(a, db_col_text(s, col));
}

cc_status sql_rows_json(db *d, const char *sql, const sql_arg *args, int n, bool single, buf *out,
                        cc_error *err)
{
    size_t found;
    return rows_json(d, sql, args, n, single, out, &found, err);
}

cc_status sql_row_json(db *d, const char *sql, const sql_arg *args, int n, const char *what,
                       buf *out, cc_error *err)
{
    size_t mark = out->len;
    size_t found = 0;
    cc_status st = rows_json(d, sql, args, n, true, out, &found, err);
    if (st == CC_OK && !found) {
        buf_truncate(out, mark);
        return cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no %s with that id", what);
    }
    return st;
}

enum { PAGE_MAX_ARGS = 64 };

/* The total, and the page's arguments: the query's, then LIMIT and OFFSET. */
static cc_status page_start(db *d, const sql_page_query *q, sql_arg *args, int64_t *total,
                            cc_error *err)
{
    *total = 0;
    if (q->n < 0 || q->n > PAGE_MAX_ARGS - 2)
        return cc_fail(err, CC_INTERNAL, NULL, "too_many_arguments",
                       "a list query has too many arguments");
    size_t len = strlen(q->sql), tail = strlen("LIMIT ? OFFSET ?");
    if (len < tail || strcmp(q->sql + len - tail, "LIMIT ? OFFSET ?") != 0)
        return cc_fail(err, CC_INTERNAL, NULL, "page_query",
                       "a list query must end in LIMIT ? OFFSET ?");
    if (q->page < 1)
        return cc_fail(err, CC_INVALID, "page", "invalid_page", "page counts from 1");
    if (q->per_page < 1)
        return cc_fail(err, CC_INVALID, "per_page", "invalid_per_page",
                       "per_page must be at least 1");
    for (int i = 0; i < q->n; i++)
        args[i] = q->args[i];
    args[q->n] = SQL_I(q->per_page);
    /* a page past any possible row starts at the largest offset: it is empty */
    args[q->n + 1] =
        SQL_I(q->page - 1 > INT64_MAX / q->per_page ? INT64_MAX : (q->page - 1) * q->per_page);
    return sql_scalar(d, q->count_sql, q->args, q->n_count > 0 ? q->n_count : q->n, total, err);
}

cc_status sql_page(db *d, arena *a, const sql_page_query *q, sql_map_fn map, size_t item_size,
                   void **items, size_t *count, int64_t *total, cc_error *err)
{
    sql_arg args[PAGE_MAX_ARGS];
    *count = 0;
    *items = NULL;
    cc_status st = page_start(d, q, args, total, err);
    return st != CC_OK ? st
                       : sql_fill(d, a, q->sql, args, q->n + 2, map, item_size, (size_t)q->per_page,
                                  items, count, err);
}

cc_status sql_page_json(db *d, const sql_page_query *q, buf *out, int64_t *total, cc_error *err)
{
    sql_arg args[PAGE_MAX_ARGS];
    cc_status st = page_start(d, q, args, total, err);
    return st != CC_OK ? st : sql_rows_json(d, q->sql, args, q->n + 2, false, out, err);
}

cc_status sql_table_exists(db *d, const char *name, bool *out, cc_error *err)
{
    int64_t n = 0;
    cc_status st = sql_scalar(d,
                              db_dialect_of(d) == DB_POSTGRESQL
                                  ? "SELECT COUNT(*) FROM information_schema.tables"
                                    " WHERE table_schema = current_schema() AND table_name = ?"
                                  : "SELECT COUNT(*) FROM sqlite_master"
                                    " WHERE type IN ('table', 'view') AND name = ?",
                              (sql_arg[]){SQL_S(name)}, 1, &n, err);
    *out = st == CC_OK && n > 0;
    return st;
}

static cc_status keep_first_text(void *ctx, db_stmt *row, cc_error *err)
{
    sql_text_list *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **grown = realloc(l->items, cap * sizeof *grown);
        if (!grown)
            return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->n] = strdup(db_col_text(row, 0));
    return l->items[l->n++] ? CC_OK
                            : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
}

cc_status sql_first_column_texts(db *d, const char *sql, const sql_arg *args, int n,
                                 sql_text_list *out, cc_error *err)
{
    *out = (sql_text_list){0};
    return sql_each(d, sql, args, n, keep_first_text, out, NULL, err);
}

void sql_text_list_free(sql_text_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    *l = (sql_text_list){0};
}
