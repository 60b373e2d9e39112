#include "store/store_copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "store/access_log.h"
#include "store/audit.h"
#include "store/datadir.h"
#include "store/sql.h"

/* Table names are the schema's own words; quoting them keeps any other
 * text from being read as SQL. */
static bool plain_name(const char *name)
{
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return *name != '\0';
}

/* INSERT INTO table (c1, ...) VALUES (?, ...) for the columns of select. */
static void insert_sql(const char *table, db_stmt *select, buf *out)
{
    int n = db_col_count(select);
    buf_printf(out, "INSERT INTO \"%s\" (", table);
    for (int c = 0; c < n; c++)
        buf_printf(out, "%s\"%s\"", c ? ", " : "", db_col_name(select, c));
    buf_puts(out, ") VALUES (");
    for (int c = 0; c < n; c++)
        buf_puts(out, c ? ", ?" : "?");
    buf_putc(out, ')');
}

static void bind_like(db_stmt *insert, int idx, db_stmt *row, int col)
{
    size_t len;
    if (db_col_is_null(row, col)) {
        db_bind_null(insert, idx);
    } else if (db_col_is_int(row, col)) {
        db_bind_int(insert, idx, db_col_int(row, col));
    } else if (db_col_is_real(row, col)) {
        db_bind_double(insert, idx, db_col_double(row, col));
    } else if (db_col_is_blob(row, col)) {
        const void *bytes = db_col_blob(row, col, &len);
        db_bind_blob(insert, idx, bytes, len);
    } else {
        db_bind_text(insert, idx, db_col_text(row, col));
    }
}

static cc_status copy_table(db *from, db *to, const char *table, int64_t *rows, cc_error *err)
{
    char select_sql[160];
    /* in the order the rows were made, so that a row referring to another
     * of its table comes after it; a table without rowid in key order */
    snprintf(select_sql, sizeof select_sql, "SELECT * FROM \"%s\" ORDER BY rowid", table);
    db_stmt *select;
    cc_error ignored;
    cc_status st = db_prepare(from, select_sql, &select, &ignored);
    if (st != CC_OK) {
        snprintf(select_sql, sizeof select_sql, "SELECT * FROM \"%s\" ORDER BY 1", table);
        st = db_prepare(from, select_sql, &select, err);
    }
    if (st != CC_OK)
        return st;
    buf sql;
    buf_init(&sql, 1 << 16);
    insert_sql(table, select, &sql);
    db_stmt *insert = NULL;
    st = buf_failed(&sql) ? cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory")
                          : db_prepare(to, sql.data, &insert, err);
    db_step_result r;
    while (st == CC_OK && (r = db_step(select, err)) == DB_ROW) {
        for (int c = 0; c < db_col_count(select); c++)
            bind_like(insert, c + 1, select, c);
        if ((st = db_run(insert, err)) == CC_OK)
            (*rows)++;
    }
    if (st == CC_OK && r == DB_ERROR)
        st = err->status;
    db_done(select);
    buf_release(&sql);
    return st;
}

/* An identity column goes on after the largest id copied. */
static cc_status continue_identity(db *to, const char *table, cc_error *err)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT setval(pg_get_serial_sequence('\"%s\"', 'id'), COALESCE(MAX(id), 0) + 1,"
             " false) FROM \"%s\" WHERE pg_get_serial_sequence('\"%s\"', 'id') IS NOT NULL",
             table, table, table);
    bool has_id = false;
    cc_status st = CC_OK;
    db_stmt *s;
    char probe[200];
    snprintf(probe, sizeof probe,
             "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema ="
             " current_schema() AND table_name = '%s' AND column_name = 'id'"
             " AND is_identity = 'YES'",
             table);
    if ((st = db_prepare(to, probe, &s, err)) != CC_OK)
        return st;
    if (db_step(s, err) == DB_ROW)
        has_id = db_col_int(s, 0) > 0;
    db_done(s);
    return has_id ? db_exec(to, sql, err) : st;
}

/* The report digests and their stale marks are not copied: the copy's
 * inserts mark patients as they go (the schema's triggers), and the target
 * builds its digests at its first report. */
static bool report_digest_table(const char *table)
{
    return strcmp(table, "report_digests") == 0 || strcmp(table, "report_digest_stale") == 0;
}

cc_status store_copy_tables(db *from, db *to, int64_t *rows, cc_error *err)
{
    *rows = 0;
    sql_text_list tables = {0};
    cc_status st =
        sql_first_column_texts(from,
                               "SELECT name FROM sqlite_master WHERE type = 'table'"
                               " AND name NOT LIKE 'sqlite~_%' ESCAPE '~' ORDER BY rowid",
                               NULL, 0, &tables, err);
    for (size_t i = 0; st == CC_OK && i < tables.n; i++) {
        bool present = false;
        if (!plain_name(tables.items[i]))
            st = cc_fail(err, CC_INVALID, "from", "schema_differs",
                         "the source has a table named %s, which no cellclinic schema has",
                         tables.items[i]);
        else if ((st = sql_table_exists(to, tables.items[i], &present, err)) == CC_OK && !present)
            st = cc_fail(err, CC_INVALID, "from", "schema_differs",
                         "the target has no table %s: the two schemas differ", tables.items[i]);
    }
    if (st == CC_OK)
        st = db_tx_begin(to, err);
    if (st != CC_OK) {
        sql_text_list_free(&tables);
        return st;
    }
    for (size_t i = 0; st == CC_OK && i < tables.n; i++) {
        char sql[160]; /* TRUNCATE: the guards against DELETE are for the rows of a clinic */
        snprintf(sql, sizeof sql, "TRUNCATE \"%s\" CASCADE", tables.items[i]);
        st = db_exec(to, sql, err);
    }
    for (size_t i = 0; st == CC_OK && i < tables.n; i++)
        if (!report_digest_table(tables.items[i]))
            st = copy_table(from, to, tables.items[i], rows, err);
    for (size_t i = 0; st == CC_OK && i < tables.n; i++)
        st = continue_identity(to, tables.items[i], err);
    if (st == CC_OK) /* the target's first report makes them anew */
        st = db_exec(to,
                     "DELETE FROM report_digest_stale;"
                     " UPDATE derived_data SET built = 0 WHERE name = 'report_digests'",
                     err);
    st = db_tx_end(to, st, err);
    sql_text_list_free(&tables);
    return st;
}

/* The audit chain and the access log chain of a database, verified. */
static cc_status verify_chains(db *d, db *log, int64_t *entries, int64_t *access_entries,
                               const char *which, cc_error *err)
{
    audit_verdict audit, access;
    cc_status st = audit_verify(d, &audit, err);
    if (st == CC_OK)
        st = access_log_verify(log, &access, err);
    if (st != CC_OK)
        return st;
    if (audit.first_broken_seq || access.first_broken_seq)
        return cc_fail(err, which[0] == 's' ? CC_CONFLICT : CC_STORAGE, NULL,
                       which[0] == 's' ? "chain_broken" : "copy_differs",
                       "the %s's %s chain does not verify: %s", which,
                       audit.first_broken_seq ? "audit" : "access log",
                       audit.first_broken_seq ? audit.problem : access.problem);
    *entries = audit.entries;
    *access_entries = access.entries;
    return CC_OK;
}

cc_status store_migrate(const char *from_dir, const char *to_url, store_migration *out,
                        cc_error *err)
{
    memset(out, 0, sizeof *out);
    if (db_location_is_url(from_dir) || !db_location_is_url(to_url))
        return cc_fail(err, CC_INVALID, "to", "bad_direction",
                       "migrate-store copies a data directory into a PostgreSQL database");
    int lock = -1;
    db *from = NULL, *to = NULL, *from_log = NULL, *to_log = NULL;
    int64_t to_entries = 0, to_access = 0;
    cc_status st = datadir_lock(from_dir, DATADIR_LOCK_EXCLUSIVE, &lock, err);
    if (st == CC_OK)
        st = datadir_open(from_dir, &from, err);
    if (st == CC_OK)
        st = access_log_open(from_dir, &from_log, err);
    if (st == CC_OK)
        st =
            verify_chains(from, from_log, &out->audit_entries, &out->access_entries, "source", err);
    if (st == CC_OK)
        st = datadir_create(to_url, &to, err);
    if (st == CC_OK)
        st = access_log_open(to_url, &to_log, err);
    if (st == CC_OK)
        st = store_copy_tables(from, to, &out->rows, err);
    if (st == CC_OK)
        st = store_copy_tables(from_log, to_log, &out->access_rows, err);
    if (st == CC_OK)
        st = verify_chains(to, to_log, &to_entries, &to_access, "target", err);
    if (st == CC_OK && (to_entries != out->audit_entries || to_access != out->access_entries))
        st = cc_fail(err, CC_STORAGE, NULL, "copy_differs",
                     "the target's chains hold %lld and %lld entries, the source's %lld and %lld",
                     (long long)to_entries, (long long)to_access, (long long)out->audit_entries,
                     (long long)out->access_entries);
    db_close(to_log);
    db_close(to);
    db_close(from_log);
    db_close(from);
    if (lock >= 0)
        close(lock);
    return st;
}
