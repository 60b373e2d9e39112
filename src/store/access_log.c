#include "access_log.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql.h"

enum { HASH_HEX = AUDIT_HASH_HEX, BATCH_MAX_BYTES = 256 << 20 };

/* The columns of a row inside a batch's JSON array. */
enum { COL_SEQ, COL_AT, COL_USER_ID, COL_USERNAME, COL_PATIENT, COL_WHAT, COL_ROUTE, ROW_COLS };

#define ROW_COLUMNS                                                                                \
    "CAST(json_extract(r.value, '$[0]') AS INTEGER) AS seq,"                                       \
    " json_extract(r.value, '$[1]') AS at, json_extract(r.value, '$[2]') AS user_id,"              \
    " json_extract(r.value, '$[3]') AS username, json_extract(r.value, '$[4]') AS patient_id,"     \
    " json_extract(r.value, '$[5]') AS what, json_extract(r.value, '$[6]') AS route"

/* The tables (PostgreSQL has no WITHOUT ROWID: db_pg drops the words). */
#define TABLES                                                                                     \
    "CREATE TABLE IF NOT EXISTS access_batches ("                                                  \
    "  seq INTEGER PRIMARY KEY,"                                                                   \
    "  first_row INTEGER NOT NULL,"                                                                \
    "  n INTEGER NOT NULL,"                                                                        \
    "  rows_json TEXT NOT NULL,"                                                                   \
    "  prev_hash TEXT NOT NULL,"                                                                   \
    "  hash TEXT NOT NULL);"                                                                       \
    "CREATE TABLE IF NOT EXISTS access_batch_patients ("                                           \
    "  batch INTEGER PRIMARY KEY, ids BLOB NOT NULL);"                                             \
    "CREATE TABLE IF NOT EXISTS access_user_batches ("                                             \
    "  username TEXT NOT NULL, batch INTEGER NOT NULL, n INTEGER NOT NULL,"                        \
    "  PRIMARY KEY (username, batch)) WITHOUT ROWID;"
static const char SCHEMA[] = TABLES "CREATE VIEW IF NOT EXISTS access_log AS SELECT " ROW_COLUMNS
                                    " FROM access_batches b, json_each(b.rows_json) r;";
/* The same view in PostgreSQL's JSON functions. */
static const char SCHEMA_POSTGRESQL[] =
    TABLES "CREATE OR REPLACE VIEW access_log AS SELECT (r.value->>0)::BIGINT AS seq,"
           " r.value->>1 AS at, (r.value->>2)::BIGINT AS user_id, r.value->>3 AS username,"
           " (r.value->>4)::BIGINT AS patient_id, r.value->>5 AS what, r.value->>6 AS route"
           " FROM access_batches b, json_array_elements(b.rows_json::json) AS r(value);";

static cc_status create_schema(db *d, cc_error *err)
{
    return db_exec(d, db_dialect_of(d) == DB_POSTGRESQL ? SCHEMA_POSTGRESQL : SCHEMA, err);
}

/* ---- writing ---- */

/* A batch's link: seq, first row, count, rows, previous hash. */
static void batch_hash(int64_t seq, int64_t first_row, int64_t n, const char *rows_json,
                       const char *prev, char out[HASH_HEX])
{
    char seq_text[24], first_text[24], n_text[24];
    snprintf(seq_text, sizeof seq_text, "%lld", (long long)seq);
    snprintf(first_text, sizeof first_text, "%lld", (long long)first_row);
    snprintf(n_text, sizeof n_text, "%lld", (long long)n);
    const char *fields[] = {seq_text, first_text, n_text, rows_json, prev};
    audit_chain_hash(fields, 5, out);
}

static void render_rows(const access_entry *entries, size_t n, int64_t first_row, buf *out)
{
    buf_putc(out, '[');
    for (size_t i = 0; i < n; i++) {
        const access_entry *e = &entries[i];
        buf_printf(out, "%s[%lld,", i ? "," : "", (long long)(first_row + (int64_t)i));
        buf_json_string(out, e->at);
        if (e->user_id > 0)
            buf_printf(out, ",%lld,", (long long)e->user_id);
        else
            buf_puts(out, ",null,");
        buf_json_string(out, e->username);
        buf_printf(out, ",%lld,", (long long)e->patient_id);
        buf_json_string(out, e->what);
        buf_putc(out, ',');
        buf_json_string(out, e->route);
        buf_putc(out, ']');
    }
    buf_putc(out, ']');
}

static int by_int(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* What a batch indexes: its patients' ids, sorted, as 8-byte little-endian
 * integers (one per row), and its distinct usernames with their row counts. */
typedef struct {
    unsigned char *ids; /* 8 * n bytes */
    size_t n;
    const char **names; /* distinct, sorted; point into the entries */
    int64_t *name_rows;
    size_t n_names;
} batch_keys;

static void batch_keys_release(batch_keys *k)
{
    free(k->ids);
    free(k->names);
    free(k->name_rows);
    *k = (batch_keys){0};
}

static int64_t id_at(const unsigned char *ids, size_t i)
{
    uint64_t v = 0;
    for (int b = 7; b >= 0; b--)
        v = v << 8 | ids[i * 8 + (size_t)b];
    return (int64_t)v;
}

static bool batch_keys_make(const access_entry *entries, size_t n, batch_keys *k)
{
    *k = (batch_keys){0};
    int64_t *sorted = malloc((n ? n : 1) * sizeof *sorted);
    k->ids = malloc(n ? n * 8 : 1);
    k->names = malloc((n ? n : 1) * sizeof *k->names);
    k->name_rows = malloc((n ? n : 1) * sizeof *k->name_rows);
    if (!sorted || !k->ids || !k->names || !k->name_rows) {
        free(sorted);
        batch_keys_release(k);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        sorted[i] = entries[i].patient_id;
        k->names[i] = entries[i].username;
    }
    qsort(sorted, n, sizeof *sorted, by_int);
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            k->ids[i * 8 + (size_t)b] = (unsigned char)((uint64_t)sorted[i] >> (8 * b));
    k->n = n;
    free(sorted);
    qsort(k->names, n, sizeof *k->names, by_text);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && strcmp(k->names[j], k->names[i]) == 0; j++)
            ;
        k->names[k->n_names] = k->names[i];
        k->name_rows[k->n_names++] = (int64_t)(j - i);
    }
    return true;
}

/* How many of a batch's rows are about the patient (binary search). */
static int64_t rows_of_patient(const unsigned char *ids, size_t n, int64_t patient)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (id_at(ids, mid) < patient)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t first = lo;
    while (lo < n && id_at(ids, lo) == patient)
        lo++;
    return (int64_t)(lo - first);
}

/* The batch's patient ids in one row (appended in batch order: no page but
 * the last is written) and an entry per username (a handful per batch). */
static cc_status index_batch(db *d, int64_t batch, const batch_keys *k, cc_error *err)
{
    sql_arg ids[] = {SQL_I(batch), SQL_B(k->ids, k->n * 8)};
    cc_status st = sql_run(d, "INSERT INTO access_batch_patients (batch, ids) VALUES (?, ?)", ids,
                           2, NULL, err);
    for (size_t i = 0; st == CC_OK && i < k->n_names; i++) {
        sql_arg args[] = {SQL_S(k->names[i]), SQL_I(batch), SQL_I(k->name_rows[i])};
        st = sql_run(d, "INSERT INTO access_user_batches (username, batch, n) VALUES (?, ?, ?)",
                     args, 3, NULL, err);
    }
    return st;
}

/* The chain's end: the last batch's number, its rows' end and its hash. */
typedef struct {
    int64_t batch, rows;
    char hash[HASH_HEX];
} chain_end;

static cc_status read_end(void *ctx, db_stmt *s, cc_error *err)
{
    (void)err;
    chain_end *e = ctx;
    e->batch = db_col_int(s, 0);
    e->rows = db_col_int(s, 1);
    snprintf(e->hash, sizeof e->hash, "%s", db_col_text(s, 2));
    return CC_OK;
}

static cc_status append_batch(db *d, const char *rows_json, int64_t n, chain_end *end,
                              cc_error *err)
{
    int64_t seq = end->batch + 1, first = end->rows + 1;
    char hash[HASH_HEX];
    batch_hash(seq, first, n, rows_json, end->hash, hash);
    sql_arg args[] = {SQL_I(seq),       SQL_I(first),     SQL_I(n),
                      SQL_S(rows_json), SQL_S(end->hash), SQL_S(hash)};
    cc_status st = sql_run(d,
                           "INSERT INTO access_batches (seq, first_row, n, rows_json, prev_hash,"
                           " hash) VALUES (?, ?, ?, ?, ?, ?)",
                           args, SQL_COUNT(args), NULL, err);
    if (st == CC_OK) {
        end->batch = seq;
        end->rows += n;
        memcpy(end->hash, hash, HASH_HEX);
    }
    return st;
}

static cc_status read_chain_end(db *d, chain_end *end, cc_error *err)
{
    *end = (chain_end){0};
    snprintf(end->hash, sizeof end->hash, "%s", AUDIT_GENESIS);
    cc_status st = sql_first(d,
                             "SELECT seq, first_row + n - 1, hash FROM access_batches"
                             " ORDER BY seq DESC LIMIT 1",
                             NULL, 0, read_end, end, err);
    return st == CC_NOT_FOUND ? CC_OK : st;
}

/* Appends the entries as the next batch and indexes it, inside the
 * caller's transaction; end moves to the new batch. */
static cc_status append_entries(db *d, const access_entry *entries, size_t n, chain_end *end,
                                cc_error *err)
{
    buf rows;
    buf_init(&rows, BATCH_MAX_BYTES);
    render_rows(entries, n, end->rows + 1, &rows);
    batch_keys k = {0};
    cc_status st = CC_OK;
    if (buf_failed(&rows) || !batch_keys_make(entries, n, &k))
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    if (st == CC_OK)
        st = append_batch(d, rows.data, (int64_t)n, end, err);
    if (st == CC_OK)
        st = index_batch(d, end->batch, &k, err);
    batch_keys_release(&k);
    buf_release(&rows);
    return st;
}

cc_status access_log_append(db *d, const access_entry *entries, size_t n, cc_error *err)
{
    if (n == 0)
        return CC_OK;
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    chain_end end;
    st = read_chain_end(d, &end, err);
    if (st == CC_OK)
        st = append_entries(d, entries, n, &end, err);
    return db_tx_end(d, st, err);
}

/* A batch's JSON rows as entries (text copied, what and route pointing into
 * rows); false when a row is not a full row. */
static bool entries_from_json(json_t *rows, access_entry *out)
{
    size_t k;
    json_t *row;
    json_array_foreach(rows, k, row)
    {
        const char *at = json_string_value(json_array_get(row, COL_AT));
        const char *name = json_string_value(json_array_get(row, COL_USERNAME));
        access_entry *e = &out[k];
        if (!json_is_array(row) || json_array_size(row) != ROW_COLS || !at || !name ||
            !json_is_integer(json_array_get(row, COL_SEQ)) ||
            !json_is_integer(json_array_get(row, COL_PATIENT)))
            return false;
        snprintf(e->at, sizeof e->at, "%s", at);
        snprintf(e->username, sizeof e->username, "%s", name);
        e->user_id = json_integer_value(json_array_get(row, COL_USER_ID));
        e->patient_id = json_integer_value(json_array_get(row, COL_PATIENT));
        e->what = json_string_value(json_array_get(row, COL_WHAT));
        e->route = json_string_value(json_array_get(row, COL_ROUTE));
        if (!e->what || !e->route)
            return false;
    }
    return true;
}

/* ---- the format of earlier builds: a table row per read ---- */

/* Rewrites each link of the old chain as a batch of the new one (the rows'
 * content unchanged, chained anew, indexed), in one transaction. The old
 * chain is not re-verified here: verify it with the build that wrote it
 * before upgrading. */
static cc_status convert_link(db *d, const char *rows_json, chain_end *end, cc_error *err)
{
    json_t *rows = json_loads(rows_json, 0, NULL);
    size_t n = json_array_size(rows);
    access_entry *entries = calloc(n ? n : 1, sizeof *entries);
    cc_status st = CC_OK;
    if (!entries)
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    else if (!entries_from_json(rows, entries))
        st = cc_fail(err, CC_INTERNAL, NULL, "access_log_damaged",
                     "a row of the earlier access log cannot be read");
    else if (n)
        st = append_entries(d, entries, n, end, err);
    free(entries);
    json_decref(rows);
    return st;
}

static cc_status convert_old_format(db *d, cc_error *err)
{
    sql_text_list links = {0};
    chain_end end = {0, 0, {0}};
    snprintf(end.hash, sizeof end.hash, "%s", AUDIT_GENESIS);
    cc_status st = db_exec(d, "ALTER TABLE access_log RENAME TO access_log_old;", err);
    if (st == CC_OK)
        st = db_exec(d, SCHEMA, err);
    if (st == CC_OK)
        st =
            sql_first_column_texts(d,
                                   "SELECT json_group_array(json_array(seq, at, user_id, username,"
                                   " patient_id, what, route)) FROM (SELECT l.*, c.last_seq AS link"
                                   " FROM access_log_old l JOIN access_chain c"
                                   " ON l.seq BETWEEN c.first_seq AND c.last_seq ORDER BY l.seq)"
                                   " GROUP BY link ORDER BY link",
                                   NULL, 0, &links, err);
    for (size_t i = 0; st == CC_OK && i < links.n; i++)
        st = convert_link(d, links.items[i], &end, err);
    if (st == CC_OK)
        st = db_exec(d, "DROP TABLE access_log_old; DROP TABLE access_chain;", err);
    sql_text_list_free(&links);
    return st;
}

static cc_status create_or_convert(db *d, cc_error *err)
{
    bool old = false;
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    st = sql_table_exists(d, "access_chain", &old, err);
    if (st == CC_OK)
        st = old ? convert_old_format(d, err) : create_schema(d, err);
    return db_tx_end(d, st, err);
}

cc_status access_log_path(const char *data_dir, char out[ACCESS_LOG_FILE_MAX], cc_error *err)
{
    int len = snprintf(out, ACCESS_LOG_FILE_MAX, "%s/access-log.db", data_dir);
    if (len < 0 || (size_t)len >= ACCESS_LOG_FILE_MAX)
        return cc_fail(err, CC_INVALID, "data", "path_too_long",
                       "the data directory path is too long");
    return CC_OK;
}

cc_status access_log_open_file(const char *path, db **out, cc_error *err)
{
    cc_status st = db_open(path, DB_OPEN_CREATE, out, err);
    /* synchronous=NORMAL (WAL): a commit is in the file when the writer
     * returns, so a crash of the process keeps it; a power cut may undo the
     * last commits before a checkpoint. The same bound as the writer's
     * queue (api/access_queue.h), for no fsync per batch. */
    if (st == CC_OK)
        st = db_relax_durability(*out, err);
    if (st == CC_OK)
        st = create_or_convert(*out, err);
    if (st != CC_OK && *out) {
        db_close(*out);
        *out = NULL;
    }
    return st;
}

cc_status access_log_open(const char *data_dir, db **out, cc_error *err)
{
    if (db_location_is_url(data_dir)) /* its tables beside the clinic's, in one database */
        return access_log_open_file(data_dir, out, err);
    char path[ACCESS_LOG_FILE_MAX];
    cc_status st = access_log_path(data_dir, path, err);
    return st == CC_OK ? access_log_open_file(path, out, err) : st;
}

cc_status access_log_held(db *d, int64_t *rows, cc_error *err)
{
    bool present = false;
    *rows = -1;
    cc_status st = sql_table_exists(d, "access_batches", &present, err);
    if (st == CC_OK && present)
        st = sql_scalar(d, "SELECT COALESCE(SUM(n), 0) FROM access_batches", NULL, 0, rows, err);
    return st;
}

cc_status access_log_copy(db *to, const char *from_file, cc_error *err)
{
    cc_status st = db_exec(to, SCHEMA, err);
    if (st == CC_OK)
        st = sql_run(to, "ATTACH ? AS access_source", (sql_arg[]){SQL_S(from_file)}, 1, NULL, err);
    if (st != CC_OK)
        return st;
    if ((st = db_tx_begin(to, err)) == CC_OK)
        st = db_tx_end(to,
                       db_exec(to,
                               "INSERT INTO main.access_batches"
                               " SELECT * FROM access_source.access_batches;"
                               "INSERT INTO main.access_batch_patients"
                               " SELECT * FROM access_source.access_batch_patients;"
                               "INSERT INTO main.access_user_batches"
                               " SELECT * FROM access_source.access_user_batches;",
                               err),
                       err);
    cc_error ignored;
    db_exec(to, "DETACH access_source;", &ignored);
    return st;
}

cc_status access_log_remove(db *d, cc_error *err)
{
    return db_exec(d,
                   "DROP VIEW IF EXISTS access_log; DROP TABLE IF EXISTS access_batches;"
                   " DROP TABLE IF EXISTS access_batch_patients;"
                   " DROP TABLE IF EXISTS access_user_batches;",
                   err);
}

/* ---- reading one page ---- */

/* The batches that hold the rows asked for, newest first, with their
 * counts. */
typedef struct {
    int64_t *batches, *counts;
    size_t n, cap;
} batch_list;

static cc_status batch_list_add(batch_list *l, int64_t batch, int64_t count, cc_error *err)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        int64_t *b = realloc(l->batches, cap * sizeof *b);
        if (b)
            l->batches = b;
        int64_t *c = b ? realloc(l->counts, cap * sizeof *c) : NULL;
        if (!c)
            return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
        l->counts = c;
        l->cap = cap;
    }
    l->batches[l->n] = batch;
    l->counts[l->n++] = count;
    return CC_OK;
}

static cc_status read_batch_ref(void *ctx, db_stmt *s, cc_error *err)
{
    return batch_list_add(ctx, db_col_int(s, 0), db_col_int(s, 1), err);
}

static cc_status read_text(void *ctx, db_stmt *s, cc_error *err)
{
    char **out = ctx;
    *out = strdup(db_col_text(s, 0));
    return *out ? CC_OK : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
}

/* A batch's rows, parsed; NULL with err set when unreadable. */
static json_t *load_batch(db *access, int64_t batch, cc_error *err)
{
    char *text = NULL;
    cc_status st = sql_first(access, "SELECT rows_json FROM access_batches WHERE seq = ?",
                             (sql_arg[]){SQL_I(batch)}, 1, read_text, &text, err);
    json_t *rows = st == CC_OK ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (st == CC_OK && !json_is_array(rows)) {
        json_decref(rows);
        cc_fail(err, CC_INTERNAL, NULL, "access_log_damaged",
                "a batch of the access log cannot be read; run cellclinic audit verify");
        return NULL;
    }
    return rows;
}

/* Patient ids, ascending. */
typedef struct {
    int64_t *ids;
    size_t n, cap;
} id_set;

static cc_status read_id(void *ctx, db_stmt *s, cc_error *err)
{
    id_set *set = ctx;
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 256;
        int64_t *ids = realloc(set->ids, cap * sizeof *ids);
        if (!ids)
            return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
        set->ids = ids;
        set->cap = cap;
    }
    set->ids[set->n++] = db_col_int(s, 0);
    return CC_OK;
}

static bool id_set_has(const id_set *set, int64_t id)
{
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set->ids[mid] == id)
            return true;
        if (set->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

typedef struct {
    db *main;
    int64_t patient_id;    /* 0: any */
    const char *username;  /* NULL: any */
    const id_set *foreign; /* other sites' patients: their rows are left out */
    buf *out;
    size_t shown;
} page_render;

static bool row_matches(const page_render *r, json_t *row)
{
    int64_t patient = json_integer_value(json_array_get(row, COL_PATIENT));
    if ((r->patient_id && patient != r->patient_id) || id_set_has(r->foreign, patient))
        return false;
    const char *name = json_string_value(json_array_get(row, COL_USERNAME));
    return !r->username || (name && strcmp(r->username, name) == 0);
}

/* A user's count per batch (the index's) includes reads of other sites'
 * patients: when there are any such patients, each batch's matching rows
 * are counted from the batch itself, and batches without any are dropped. */
static cc_status recount(db *access, const page_render *r, batch_list *l, cc_error *err)
{
    if (r->foreign->n == 0)
        return CC_OK;
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++) {
        json_t *rows = load_batch(access, l->batches[i], err);
        if (!rows)
            return err->status;
        int64_t n = 0;
        size_t k;
        json_t *row;
        json_array_foreach(rows, k, row) n += row_matches(r, row);
        json_decref(rows);
        if (n) {
            l->batches[kept] = l->batches[i];
            l->counts[kept++] = n;
        }
    }
    l->n = kept;
    return CC_OK;
}

/* One row with its patient's MRN and names from the clinical database (the
 * access log keeps only the patient's id). */
static cc_status render_row(page_render *r, json_t *row, cc_error *err)
{
    buf_puts(r->out, r->shown++ ? ",{" : "{");
    static const struct {
        const char *key;
        int col;
    } KEYS[] = {
        {"at", COL_AT}, {"username", COL_USERNAME}, {"what", COL_WHAT}, {"route", COL_ROUTE}};
    for (size_t c = 0; c < sizeof KEYS / sizeof KEYS[0]; c++) {
        buf_printf(r->out, "%s\"%s\":", c ? "," : "", KEYS[c].key);
        buf_json_string(r->out, json_string_value(json_array_get(row, KEYS[c].col)));
    }
    buf patient;
    buf_init(&patient, 1 << 16);
    sql_arg id[] = {SQL_I(json_integer_value(json_array_get(row, COL_PATIENT)))};
    cc_status st =
        sql_rows_json(r->main, "SELECT mrn, family_name, given_names FROM patients WHERE id = ?",
                      id, 1, true, &patient, err);
    if (st == CC_OK && patient.len > 2 && patient.data[0] == '{') {
        buf_putc(r->out, ',');
        buf_append(r->out, patient.data + 1, patient.len - 1);
    } else
        buf_puts(r->out, ",\"mrn\":null,\"family_name\":null,\"given_names\":null}");
    buf_release(&patient);
    return st;
}

/* Renders rows skip .. skip + limit - 1 of the matching rows, newest first. */
static cc_status render_page(db *access, page_render *r, const batch_list *l, int64_t skip,
                             int64_t limit, cc_error *err)
{
    cc_status st = CC_OK;
    for (size_t i = 0; st == CC_OK && i < l->n && limit > 0; i++) {
        if (skip >= l->counts[i]) {
            skip -= l->counts[i];
            continue;
        }
        json_t *rows = load_batch(access, l->batches[i], err);
        if (!rows)
            return err->status;
        for (size_t k = json_array_size(rows); st == CC_OK && k-- > 0 && limit > 0;) {
            json_t *row = json_array_get(rows, k);
            if (!row_matches(r, row))
                continue;
            if (skip > 0)
                skip--;
            else {
                st = render_row(r, row, err);
                limit--;
            }
        }
        json_decref(rows);
    }
    return st;
}

/* A batch holding rows about the patient (every batch's ids are read: a
 * scan of 8 bytes per row, the price of writing no page but the last). */
typedef struct {
    batch_list *list;
    int64_t patient_id;
} patient_scan;

static cc_status read_patient_batch(void *ctx, db_stmt *s, cc_error *err)
{
    patient_scan *p = ctx;
    size_t len = 0;
    const unsigned char *ids = db_col_blob(s, 1, &len);
    int64_t n = ids ? rows_of_patient(ids, len / 8, p->patient_id) : 0;
    return n ? batch_list_add(p->list, db_col_int(s, 0), n, err) : CC_OK;
}

cc_status access_log_page_json(db *main, db *access, int64_t site_id, const char *mrn,
                               const char *username, int64_t page, int64_t per_page, buf *out,
                               int64_t *total, cc_error *err)
{
    int64_t patient_id = 0;
    if (mrn) {
        cc_status st = sql_scalar(main, "SELECT id FROM patients WHERE mrn = ? AND site_id = ?",
                                  (sql_arg[]){SQL_S(mrn), SQL_I(site_id)}, 2, &patient_id, err);
        if (st != CC_OK)
            return st;
        if (patient_id == 0)
            return cc_fail(err, CC_NOT_FOUND, "patient", "not_found", "no patient with that MRN");
    }
    if (page < 1 || per_page < 1)
        return cc_fail(err, CC_INVALID, page < 1 ? "page" : "per_page", "invalid_value",
                       "page and per_page start at 1");
    if (!mrn == !username)
        return cc_fail(err, CC_INVALID, mrn ? "username" : "patient", "invalid_value",
                       "give either patient (an MRN) or username, not both");
    id_set foreign = {0};
    page_render r = {main, patient_id, patient_id ? NULL : username, &foreign, out, 0};
    batch_list l = {0};
    patient_scan scan = {&l, patient_id};
    cc_status st =
        patient_id
            ? sql_each(access, "SELECT batch, ids FROM access_batch_patients ORDER BY batch DESC",
                       NULL, 0, read_patient_batch, &scan, NULL, err)
            : sql_each(main, "SELECT id FROM patients WHERE site_id <> ? ORDER BY id",
                       (sql_arg[]){SQL_I(site_id)}, 1, read_id, &foreign, NULL, err);
    if (st == CC_OK && !patient_id)
        st = sql_each(access,
                      "SELECT batch, n FROM access_user_batches WHERE username = ?"
                      " ORDER BY batch DESC",
                      (sql_arg[]){SQL_S(username)}, 1, read_batch_ref, &l, NULL, err);
    if (st == CC_OK)
        st = recount(access, &r, &l, err);
    *total = 0;
    for (size_t i = 0; i < l.n; i++)
        *total += l.counts[i];
    buf_putc(out, '[');
    if (st == CC_OK)
        st = render_page(access, &r, &l, (page - 1) * per_page, per_page, err);
    buf_putc(out, ']');
    free(l.batches);
    free(l.counts);
    free(foreign.ids);
    return st;
}

/* ---- verification ---- */

static void broken(audit_verdict *v, int64_t row, const char *problem)
{
    if (v->first_broken_seq)
        return;
    v->first_broken_seq = row;
    snprintf(v->problem, sizeof v->problem, "%s", problem);
}

typedef struct {
    int64_t seq, first_row, n;
    char *rows_json;
    char prev[HASH_HEX], hash[HASH_HEX];
} stored_batch;

static cc_status read_batch(void *ctx, db_stmt *s, cc_error *err)
{
    stored_batch *b = ctx;
    b->seq = db_col_int(s, 0);
    b->first_row = db_col_int(s, 1);
    b->n = db_col_int(s, 2);
    snprintf(b->prev, sizeof b->prev, "%s", db_col_text(s, 4));
    snprintf(b->hash, sizeof b->hash, "%s", db_col_text(s, 5));
    b->rows_json = strdup(db_col_text(s, 3));
    return b->rows_json ? CC_OK : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
}

/* What verification carries from one batch to the next. */
typedef struct {
    audit_verdict *v;
    int64_t next_row;
    char prev[HASH_HEX];
    int64_t user_entries; /* index entries the rows call for */
} chain_walk;

/* The rows are full rows, consecutive from the batch's first row; false
 * (and the verdict set) when not. */
static bool rows_in_order(chain_walk *w, const stored_batch *b, json_t *rows, access_entry *entries)
{
    if (!json_is_array(rows)) {
        broken(w->v, b->first_row, "content is not a list of rows");
        return false;
    }
    if (!entries_from_json(rows, entries)) {
        broken(w->v, b->first_row, "content is not a list of full rows");
        return false;
    }
    for (size_t k = 0; k < json_array_size(rows); k++) {
        int64_t expected = b->first_row + (int64_t)k;
        if (json_integer_value(json_array_get(json_array_get(rows, k), COL_SEQ)) != expected) {
            broken(w->v, expected, "a row is missing");
            return false;
        }
    }
    if ((int64_t)json_array_size(rows) != b->n) {
        broken(w->v, b->first_row + (int64_t)json_array_size(rows), "a row is missing");
        return false;
    }
    return true;
}

typedef struct {
    unsigned char *ids;
    size_t len;
    bool found;
} stored_ids;

static cc_status read_ids(void *ctx, db_stmt *s, cc_error *err)
{
    stored_ids *out = ctx;
    const void *blob = db_col_blob(s, 0, &out->len);
    out->found = true;
    out->ids = malloc(out->len ? out->len : 1);
    if (!out->ids)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    if (out->len)
        memcpy(out->ids, blob, out->len);
    return CC_OK;
}

static cc_status read_count(void *ctx, db_stmt *s, cc_error *err)
{
    (void)err;
    *(int64_t *)ctx = db_col_int(s, 0);
    return CC_OK;
}

/* The batch's stored patient ids and user entries are what its rows give. */
static cc_status indexes_agree(db *d, chain_walk *w, const stored_batch *b,
                               const access_entry *entries, size_t n, bool *agree, cc_error *err)
{
    batch_keys k;
    if (!batch_keys_make(entries, n, &k))
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    stored_ids stored = {0};
    cc_status st = sql_first(d, "SELECT ids FROM access_batch_patients WHERE batch = ?",
                             (sql_arg[]){SQL_I(b->seq)}, 1, read_ids, &stored, err);
    if (st == CC_NOT_FOUND)
        st = CC_OK;
    *agree = stored.found && stored.len == k.n * 8 && memcmp(stored.ids, k.ids, stored.len) == 0;
    for (size_t i = 0; st == CC_OK && *agree && i < k.n_names; i++) {
        int64_t count = -1; /* no entry */
        sql_arg args[] = {SQL_S(k.names[i]), SQL_I(b->seq)};
        st = sql_first(d, "SELECT n FROM access_user_batches WHERE username = ? AND batch = ?",
                       args, 2, read_count, &count, err);
        if (st == CC_NOT_FOUND)
            st = CC_OK;
        *agree = count == k.name_rows[i];
    }
    w->user_entries += (int64_t)k.n_names;
    free(stored.ids);
    batch_keys_release(&k);
    return st;
}

/* One batch: linked to the one before, its rows complete and in order,
 * hashing to its link, and indexed. */
static cc_status check_batch(db *d, chain_walk *w, const stored_batch *b, cc_error *err)
{
    if (strcmp(b->prev, w->prev) != 0) {
        broken(w->v, b->first_row, "previous hash does not match the batch before it");
        return CC_OK;
    }
    if (b->first_row != w->next_row) {
        broken(w->v, w->next_row, "rows are missing between two batches of the chain");
        return CC_OK;
    }
    json_t *rows = json_loads(b->rows_json, 0, NULL);
    size_t n = json_array_size(rows);
    access_entry *entries = calloc(n ? n : 1, sizeof *entries);
    if (!entries) {
        json_decref(rows);
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    }
    char computed[HASH_HEX];
    batch_hash(b->seq, b->first_row, b->n, b->rows_json, b->prev, computed);
    bool agree = true;
    cc_status st = CC_OK;
    if (!rows_in_order(w, b, rows, entries))
        ;
    else if (strcmp(computed, b->hash) != 0)
        broken(w->v, b->first_row,
               "content does not match its hash (a row of this batch was edited)");
    else if ((st = indexes_agree(d, w, b, entries, n, &agree, err)) == CC_OK && !agree)
        broken(w->v, b->first_row, "the per-patient or per-user index does not match this batch");
    free(entries);
    json_decref(rows);
    if (st == CC_OK && !w->v->first_broken_seq) {
        w->next_row += b->n;
        memcpy(w->prev, b->hash, HASH_HEX);
        w->v->entries = w->next_row - 1;
    }
    return st;
}

/* Nothing beyond the chain: no batch past its end, no index entry that no
 * row calls for. */
static cc_status check_nothing_else(db *d, chain_walk *w, int64_t last_batch, cc_error *err)
{
    int64_t beyond = 0, patients = 0, users = 0;
    cc_status st = sql_scalar(d, "SELECT COUNT(*) FROM access_batches WHERE seq > ?",
                              (sql_arg[]){SQL_I(last_batch)}, 1, &beyond, err);
    if (st == CC_OK)
        st = sql_scalar(d, "SELECT COUNT(*) FROM access_batch_patients", NULL, 0, &patients, err);
    if (st == CC_OK)
        st = sql_scalar(d, "SELECT COUNT(*) FROM access_user_batches", NULL, 0, &users, err);
    if (st != CC_OK)
        return st;
    if (beyond)
        broken(w->v, w->next_row, "rows outside the chain");
    else if (patients != last_batch || users != w->user_entries)
        broken(w->v, w->next_row, "the per-patient or per-user index lists reads no row holds");
    return CC_OK;
}

static cc_status walk_chain(db *d, audit_verdict *v, cc_error *err)
{
    chain_walk w = {v, 1, {0}, 0};
    snprintf(w.prev, sizeof w.prev, "%s", AUDIT_GENESIS);
    int64_t batch = 0;
    for (;;) {
        stored_batch b = {0};
        cc_status st = sql_first(d,
                                 "SELECT seq, first_row, n, rows_json, prev_hash, hash"
                                 " FROM access_batches WHERE seq = ?",
                                 (sql_arg[]){SQL_I(batch + 1)}, 1, read_batch, &b, err);
        if (st == CC_NOT_FOUND)
            break;
        if (st == CC_OK)
            st = check_batch(d, &w, &b, err);
        free(b.rows_json);
        if (st != CC_OK || v->first_broken_seq)
            return st;
        batch++;
    }
    return check_nothing_else(d, &w, batch, err);
}

/* In one read snapshot: a server goes on appending batches while the chain
 * is walked, and a batch appended after the walk's end would otherwise read
 * as a row outside the chain. */
cc_status access_log_verify(db *d, audit_verdict *v, cc_error *err)
{
    memset(v, 0, sizeof *v);
    if (db_in_transaction(d))
        return walk_chain(d, v, err);
    cc_status st = db_begin_read(d, err);
    if (st != CC_OK)
        return st;
    st = walk_chain(d, v, err);
    db_rollback(d);
    return st;
}
