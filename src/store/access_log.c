#include "access_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/datadir.h"
#include "store/sql.h"

enum { HASH_HEX = AUDIT_HASH_HEX, ROW_FIELDS = 7 };

/* A row's hash: its fields in order (seq, at, user_id, username,
 * patient_id, what, route), as text. */
static void row_hash(const char *const fields[ROW_FIELDS], char out[HASH_HEX])
{
    audit_chain_hash(fields, ROW_FIELDS, out);
}

/* A batch's link: the previous link's hash, then its rows' hashes in order. */
typedef struct {
    size_t n, cap;
    char (*hashes)[HASH_HEX];
    const char **fields;
} batch_hash;

static bool batch_add(batch_hash *b, const char *const fields[ROW_FIELDS])
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        char(*h)[HASH_HEX] = realloc(b->hashes, cap * sizeof *h);
        if (!h)
            return false;
        b->hashes = h;
        b->cap = cap;
    }
    row_hash(fields, b->hashes[b->n++]);
    return true;
}

static bool batch_finish(batch_hash *b, const char *prev, char out[HASH_HEX])
{
    const char **all = malloc((b->n + 1) * sizeof *all);
    if (!all)
        return false;
    all[0] = prev;
    for (size_t i = 0; i < b->n; i++)
        all[i + 1] = b->hashes[i];
    audit_chain_hash(all, b->n + 1, out);
    free(all);
    return true;
}

static void batch_release(batch_hash *b)
{
    free(b->hashes);
    *b = (batch_hash){0};
}

static cc_status append_one(db *d, int64_t seq, const access_entry *e, batch_hash *b, cc_error *err)
{
    char seq_text[24], user[24], patient[24];
    snprintf(seq_text, sizeof seq_text, "%lld", (long long)seq);
    snprintf(user, sizeof user, "%lld", (long long)e->user_id);
    snprintf(patient, sizeof patient, "%lld", (long long)e->patient_id);
    const char *fields[ROW_FIELDS] = {seq_text, e->at,   user,    e->username,
                                      patient,  e->what, e->route};
    if (!batch_add(b, fields))
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    sql_arg args[] = {SQL_I(seq),           SQL_S(e->at),   SQL_ID(e->user_id), SQL_S(e->username),
                      SQL_I(e->patient_id), SQL_S(e->what), SQL_S(e->route)};
    return sql_run(d,
                   "INSERT INTO access_log (seq, at, user_id, username, patient_id, what, route)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)",
                   args, SQL_COUNT(args), NULL, err);
}

cc_status access_log_open(const char *data_dir, db **out, cc_error *err)
{
    char path[ACCESS_LOG_FILE_MAX];
    int len = snprintf(path, sizeof path, "%s/access-log.db", data_dir);
    if (len < 0 || (size_t)len >= sizeof path)
        return cc_fail(err, CC_INVALID, "data", "path_too_long",
                       "the data directory path is too long");
    cc_status st = db_open(path, DB_OPEN_CREATE, out, err);
    /* synchronous=NORMAL (WAL): a commit is in the file when the writer
     * returns, so a crash of the process keeps it; a power cut may undo the
     * last commits before a checkpoint. The same bound as the writer's
     * queue (api/access_queue.h), for no fsync per batch. One chain link
     * per batch (access_chain) instead of two hashes per row: the rows stay
     * small. */
    if (st == CC_OK)
        st = db_exec(*out,
                     "PRAGMA synchronous=NORMAL;"
                     "CREATE TABLE IF NOT EXISTS access_log ("
                     "  seq INTEGER PRIMARY KEY,"
                     "  at TEXT NOT NULL,"
                     "  user_id INTEGER,"
                     "  username TEXT NOT NULL,"
                     "  patient_id INTEGER NOT NULL,"
                     "  what TEXT NOT NULL,"
                     "  route TEXT NOT NULL);"
                     "CREATE INDEX IF NOT EXISTS access_log_patient ON access_log(patient_id);"
                     "CREATE INDEX IF NOT EXISTS access_log_username ON access_log(username);"
                     "CREATE TABLE IF NOT EXISTS access_chain ("
                     "  last_seq INTEGER PRIMARY KEY,"
                     "  first_seq INTEGER NOT NULL,"
                     "  prev_hash TEXT NOT NULL,"
                     "  hash TEXT NOT NULL);",
                     err);
    if (st != CC_OK && *out) {
        db_close(*out);
        *out = NULL;
    }
    return st;
}

cc_status access_log_append(db *d, const access_entry *entries, size_t n, cc_error *err)
{
    if (n == 0)
        return CC_OK;
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int64_t last = 0;
    char prev[HASH_HEX], hash[HASH_HEX];
    st =
        audit_chain_end(d, "SELECT last_seq, hash FROM access_chain ORDER BY last_seq DESC LIMIT 1",
                        &last, prev, err);
    batch_hash b = {0};
    for (size_t i = 0; st == CC_OK && i < n; i++)
        st = append_one(d, last + 1 + (int64_t)i, &entries[i], &b, err);
    if (st == CC_OK && !batch_finish(&b, prev, hash))
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    batch_release(&b);
    sql_arg link[] = {SQL_I(last + (int64_t)n), SQL_I(last + 1), SQL_S(prev), SQL_S(hash)};
    if (st == CC_OK)
        st = sql_run(d,
                     "INSERT INTO access_chain (last_seq, first_seq, prev_hash, hash)"
                     " VALUES (?, ?, ?, ?)",
                     link, SQL_COUNT(link), NULL, err);
    return db_tx_end(d, st, err);
}

#define PAGE_FILTER " WHERE (patient_id = ? OR ? = 0) AND (username = ? OR ? = '')"

/* Renders the page's rows, each with its patient's MRN and names read from
 * the clinical database (the access log keeps only the patient's id). */
typedef struct {
    db *main;
    buf *out;
    size_t rows;
    cc_status st;
    cc_error *err;
} page_render;

static cc_status render_row(void *ctx, db_stmt *s, cc_error *err)
{
    (void)err;
    page_render *r = ctx;
    buf_puts(r->out, r->rows++ ? ",{" : "{");
    static const char *const KEYS[] = {"at", "username", "what", "route"};
    for (int c = 0; c < 4; c++) {
        buf_printf(r->out, "%s\"%s\":", c ? "," : "", KEYS[c]);
        buf_json_string(r->out, db_col_text(s, c));
    }
    /* main is another connection: running a statement there is safe here */
    buf row;
    buf_init(&row, 1 << 16);
    r->st =
        sql_rows_json(r->main, "SELECT mrn, family_name, given_names FROM patients WHERE id = ?",
                      (sql_arg[]){SQL_I(db_col_int(s, 4))}, 1, true, &row, r->err);
    if (r->st == CC_OK && row.len > 2 && row.data[0] == '{') {
        buf_putc(r->out, ',');
        buf_append(r->out, row.data + 1, row.len - 1);
    } else
        buf_puts(r->out, ",\"mrn\":null,\"family_name\":null,\"given_names\":null}");
    buf_release(&row);
    return r->st;
}

cc_status access_log_page_json(db *main, db *access, const char *mrn, const char *username,
                               int64_t page, int64_t per_page, buf *out, int64_t *total,
                               cc_error *err)
{
    int64_t patient_id = 0;
    if (mrn) {
        cc_status st = sql_scalar(main, "SELECT id FROM patients WHERE mrn = ?",
                                  (sql_arg[]){SQL_S(mrn)}, 1, &patient_id, err);
        if (st != CC_OK)
            return st;
        if (patient_id == 0)
            return cc_fail(err, CC_NOT_FOUND, "patient", "not_found", "no patient with that MRN");
    }
    if (page < 1 || per_page < 1)
        return cc_fail(err, CC_INVALID, page < 1 ? "page" : "per_page", "invalid_value",
                       "page and per_page start at 1");
    const char *u = username ? username : "";
    sql_arg args[] = {SQL_I(patient_id), SQL_I(patient_id), SQL_S(u),
                      SQL_S(u),          SQL_I(per_page),   SQL_I((page - 1) * per_page)};
    cc_status st =
        sql_scalar(access, "SELECT COUNT(*) FROM access_log" PAGE_FILTER, args, 4, total, err);
    page_render r = {main, out, 0, CC_OK, err};
    buf_putc(out, '[');
    if (st == CC_OK)
        st = sql_each(access,
                      "SELECT at, username, what, route, patient_id FROM access_log" PAGE_FILTER
                      " ORDER BY seq DESC LIMIT ? OFFSET ?",
                      args, SQL_COUNT(args), render_row, &r, NULL, err);
    buf_putc(out, ']');
    return st;
}

/* Verification walks the links in order and, inside each, its rows. */
typedef struct {
    audit_verdict *v;
    int64_t next_seq; /* the row expected next */
    batch_hash rows;
    bool broken_row;
} link_walk;

static void broken(audit_verdict *v, int64_t seq, const char *problem)
{
    if (v->first_broken_seq)
        return;
    v->first_broken_seq = seq;
    snprintf(v->problem, sizeof v->problem, "%s", problem);
}

static cc_status check_row(void *ctx, db_stmt *s, cc_error *err)
{
    link_walk *w = ctx;
    const char *fields[ROW_FIELDS];
    for (int i = 0; i < ROW_FIELDS; i++)
        fields[i] = db_col_text(s, i);
    if (db_col_int(s, 0) != w->next_seq) {
        broken(w->v, w->next_seq, "a row is missing");
        w->broken_row = true;
        return CC_OK;
    }
    w->next_seq++;
    return batch_add(&w->rows, fields)
               ? CC_OK
               : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
}

typedef struct {
    int64_t first, last;
    char prev[HASH_HEX], hash[HASH_HEX];
} chain_link;

enum { LINKS_PER_READ = 1024 };

typedef struct {
    chain_link links[LINKS_PER_READ];
    size_t n;
} link_page;

static cc_status read_link(void *ctx, db_stmt *s, cc_error *err)
{
    (void)err;
    link_page *p = ctx;
    chain_link *l = &p->links[p->n++];
    l->first = db_col_int(s, 0);
    l->last = db_col_int(s, 1);
    snprintf(l->prev, sizeof l->prev, "%s", db_col_text(s, 2));
    snprintf(l->hash, sizeof l->hash, "%s", db_col_text(s, 3));
    return CC_OK;
}

/* One link: its rows are there, in order, and hash to it. */
static cc_status check_link(db *d, link_walk *w, const chain_link *l, const char *expected_prev,
                            cc_error *err)
{
    if (l->first != w->next_seq || l->last < l->first) {
        broken(w->v, w->next_seq, "rows are missing between two links of the chain");
        return CC_OK;
    }
    if (strcmp(l->prev, expected_prev) != 0) {
        broken(w->v, l->first, "previous hash does not match the link before it");
        return CC_OK;
    }
    w->rows.n = 0;
    sql_arg range[] = {SQL_I(l->first), SQL_I(l->last)};
    cc_status st = sql_each(d,
                            "SELECT CAST(seq AS TEXT), at, CAST(COALESCE(user_id, 0) AS TEXT),"
                            " username, CAST(patient_id AS TEXT), what, route FROM access_log"
                            " WHERE seq BETWEEN ? AND ? ORDER BY seq",
                            range, 2, check_row, w, NULL, err);
    if (st != CC_OK || w->broken_row)
        return st;
    char computed[HASH_HEX];
    if (w->next_seq != l->last + 1)
        broken(w->v, w->next_seq, "a row is missing");
    else if (!batch_finish(&w->rows, l->prev, computed))
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    else if (strcmp(computed, l->hash) != 0)
        broken(w->v, l->first, "content does not match its hash (a row of this link was edited)");
    return CC_OK;
}

static cc_status verify_links(db *d, audit_verdict *v, cc_error *err)
{
    link_page *page = malloc(sizeof *page);
    if (!page)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    char expected_prev[HASH_HEX];
    snprintf(expected_prev, sizeof expected_prev, "%s", AUDIT_GENESIS);
    link_walk w = {v, 1, {0}, false};
    cc_status st = CC_OK;
    do {
        page->n = 0;
        sql_arg after[] = {SQL_I(w.next_seq - 1), SQL_I(LINKS_PER_READ)};
        st = sql_each(d,
                      "SELECT first_seq, last_seq, prev_hash, hash FROM access_chain"
                      " WHERE last_seq > ? ORDER BY last_seq LIMIT ?",
                      after, 2, read_link, page, NULL, err);
        for (size_t i = 0; st == CC_OK && !v->first_broken_seq && i < page->n; i++) {
            st = check_link(d, &w, &page->links[i], expected_prev, err);
            if (st == CC_OK && !v->first_broken_seq) {
                memcpy(expected_prev, page->links[i].hash, HASH_HEX);
                v->entries = page->links[i].last;
            }
        }
    } while (st == CC_OK && !v->first_broken_seq && page->n == LINKS_PER_READ);
    free(page);
    batch_release(&w.rows);
    if (st == CC_OK && !v->first_broken_seq) {
        int64_t beyond = 0;
        st = sql_scalar(d, "SELECT COUNT(*) FROM access_log WHERE seq > ?",
                        (sql_arg[]){SQL_I(v->entries)}, 1, &beyond, err);
        if (st == CC_OK && beyond)
            broken(v, v->entries + 1, "rows outside the chain");
    }
    return st;
}

cc_status access_log_verify(db *d, audit_verdict *v, cc_error *err)
{
    memset(v, 0, sizeof *v);
    return verify_links(d, v, err);
}
