#include "report_digests.h"

#define INSERT_ROWS(rows) "INSERT INTO report_digests (patient_id, digest) VALUES " rows

static const char *const INSERT_SQL[] = {
    INSERT_ROWS(SQL_PAIRS_1),  INSERT_ROWS(SQL_PAIRS_2),   INSERT_ROWS(SQL_PAIRS_4),
    INSERT_ROWS(SQL_PAIRS_8),  INSERT_ROWS(SQL_PAIRS_16),  INSERT_ROWS(SQL_PAIRS_32),
    INSERT_ROWS(SQL_PAIRS_64), INSERT_ROWS(SQL_PAIRS_128), INSERT_ROWS(SQL_PAIRS_256),
};

cc_status report_digests_built(db *d, bool *built, cc_error *err)
{
    int64_t v = 0;
    cc_status st = sql_scalar(d, "SELECT built FROM derived_data WHERE name = 'report_digests'",
                              NULL, 0, &v, err);
    *built = v != 0;
    return st;
}

static bool read_id(arena *a, db_stmt *s, void *item)
{
    (void)a;
    *(int64_t *)item = db_col_int(s, 0);
    return true;
}

cc_status report_digests_stale(db *d, arena *a, int64_t **ids, size_t *n, cc_error *err)
{
    int64_t count = 0;
    *n = 0;
    *ids = NULL;
    cc_status st = sql_scalar(d, "SELECT COUNT(*) FROM report_digest_stale", NULL, 0, &count, err);
    if (st != CC_OK || count == 0)
        return st;
    return sql_fill(d, a, "SELECT patient_id FROM report_digest_stale ORDER BY patient_id", NULL, 0,
                    read_id, sizeof **ids, (size_t)count, (void **)ids, n, err);
}

cc_status report_digests_replace(db *d, bool all, const sql_patient_bytes *rows, size_t n,
                                 cc_error *err)
{
    cc_status st = sql_run(d,
                           all ? "DELETE FROM report_digests"
                               : "DELETE FROM report_digests WHERE patient_id IN"
                                 " (SELECT patient_id FROM report_digest_stale)",
                           NULL, 0, NULL, err);
    if (st == CC_OK)
        st = sql_insert_patient_bytes(d, INSERT_SQL, sizeof INSERT_SQL / sizeof INSERT_SQL[0], rows,
                                      n, err);
    if (st == CC_OK)
        st = sql_run(d, "DELETE FROM report_digest_stale", NULL, 0, NULL, err);
    return st;
}

cc_status report_digests_mark_built(db *d, cc_error *err)
{
    return sql_run(d, "UPDATE derived_data SET built = 1 WHERE name = 'report_digests'", NULL, 0,
                   NULL, err);
}

cc_status report_digests_unbuild(db *d, cc_error *err)
{
    return sql_run(d, "UPDATE derived_data SET built = 0 WHERE name = 'report_digests'", NULL, 0,
                   NULL, err);
}

cc_status report_digests_scan(db *d, report_digest_fn fn, void *ctx, cc_error *err)
{
    db_stmt *s;
    cc_status st = sql_scan(d, "SELECT patient_id, digest FROM report_digests ORDER BY patient_id",
                            NULL, 0, &s, err);
    if (st != CC_OK)
        return st;
    db_step_result r = DB_DONE;
    while (st == CC_OK && (r = db_step(s, err)) == DB_ROW) {
        size_t len;
        const unsigned char *bytes = db_col_blob(s, 1, &len);
        st = fn(ctx, db_col_int(s, 0), bytes, len, err);
    }
    if (st == CC_OK && r == DB_ERROR)
        st = err->status;
    db_done(s);
    return st;
}
