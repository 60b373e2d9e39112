#include "access_log.h"

#include <stdio.h>
#include <string.h>

#include "store/datadir.h"
#include "store/sql.h"

enum { HASH_HEX = AUDIT_HASH_HEX, ROW_FIELDS = 8 };

/* The row's fields in hashing order: seq, at, user_id, username,
 * patient_id, what, route, previous hash. */
static void row_hash(const char *const fields[ROW_FIELDS], char out[HASH_HEX])
{
    audit_chain_hash(fields, ROW_FIELDS, out);
}

typedef struct {
    int64_t seq;
    char hash[HASH_HEX];
} chain_head;

static cc_status append_one(db *d, chain_head *head, const access_entry *e, cc_error *err)
{
    char seq[24], user[24], patient[24], hash[HASH_HEX];
    snprintf(seq, sizeof seq, "%lld", (long long)(head->seq + 1));
    snprintf(user, sizeof user, "%lld", (long long)e->user_id);
    snprintf(patient, sizeof patient, "%lld", (long long)e->patient_id);
    const char *fields[ROW_FIELDS] = {seq,     e->at,   user,     e->username,
                                      patient, e->what, e->route, head->hash};
    row_hash(fields, hash);
    sql_arg args[] = {SQL_I(head->seq + 1), SQL_S(e->at),         SQL_ID(e->user_id),
                      SQL_S(e->username),   SQL_I(e->patient_id), SQL_S(e->what),
                      SQL_S(e->route),      SQL_S(head->hash),    SQL_S(hash)};
    cc_status st = sql_run(d,
                           "INSERT INTO access_log (seq, at, user_id, username, patient_id, what,"
                           " route, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           args, SQL_COUNT(args), NULL, err);
    if (st == CC_OK) {
        head->seq++;
        memcpy(head->hash, hash, sizeof hash);
    }
    return st;
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
     * queue (api/access_queue.h), for no fsync per batch. */
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
                     "  route TEXT NOT NULL,"
                     "  prev_hash TEXT NOT NULL,"
                     "  hash TEXT NOT NULL);"
                     "CREATE INDEX IF NOT EXISTS access_log_patient ON access_log(patient_id, seq);"
                     "CREATE INDEX IF NOT EXISTS access_log_username ON access_log(username, seq);",
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
    chain_head head;
    st = audit_chain_end(d, "SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1", &head.seq,
                         head.hash, err);
    for (size_t i = 0; st == CC_OK && i < n; i++)
        st = append_one(d, &head, &entries[i], err);
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

typedef struct {
    audit_verdict *v;
    char expected_prev[HASH_HEX];
} chain_walk;

static cc_status check_row(void *ctx, db_stmt *s, cc_error *err)
{
    (void)err;
    chain_walk *w = ctx;
    if (w->v->first_broken_seq)
        return CC_OK;
    int64_t seq = db_col_int(s, 0);
    const char *fields[ROW_FIELDS];
    for (int i = 0; i < ROW_FIELDS; i++)
        fields[i] = db_col_text(s, i);
    char hash[HASH_HEX];
    const char *problem = NULL;
    if (seq != w->v->entries + 1)
        problem = "sequence number out of order (a row is missing)";
    else if (strcmp(fields[7], w->expected_prev) != 0)
        problem = "previous hash does not match the row before it";
    else {
        row_hash(fields, hash);
        if (strcmp(hash, db_col_text(s, 8)) != 0)
            problem = "content does not match its hash";
    }
    if (problem) {
        w->v->first_broken_seq = seq;
        snprintf(w->v->problem, sizeof w->v->problem, "%s", problem);
        return CC_OK;
    }
    snprintf(w->expected_prev, sizeof w->expected_prev, "%s", db_col_text(s, 8));
    w->v->entries++;
    return CC_OK;
}

cc_status access_log_verify(db *d, audit_verdict *v, cc_error *err)
{
    memset(v, 0, sizeof *v);
    chain_walk w = {v, ""};
    snprintf(w.expected_prev, sizeof w.expected_prev, "%s", AUDIT_GENESIS);
    /* CAST keeps the text the hash was computed over (integers as written). */
    return sql_each(d,
                    "SELECT seq, at, CAST(COALESCE(user_id, 0) AS TEXT), username,"
                    " CAST(patient_id AS TEXT), what, route, prev_hash, hash"
                    " FROM access_log ORDER BY seq",
                    NULL, 0, check_row, &w, NULL, err);
}
