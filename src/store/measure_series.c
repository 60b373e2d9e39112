#include "measure_series.h"

#include <stdlib.h>
#include <string.h>

#include "store/sql.h"

cc_status measure_name_id(db *d, const char *instrument, const char *score, uint32_t *id,
                          cc_error *err)
{
    if (strlen(instrument) > MEASURE_NAME_MAX || strlen(score) > MEASURE_NAME_MAX)
        return cc_fail(err, CC_INVALID, "measures", "too_long",
                       "measure names are at most %d bytes", MEASURE_NAME_MAX);
    sql_arg args[] = {SQL_S(instrument), SQL_S(score)};
    int64_t found = 0;
    cc_status st = sql_scalar(d, "SELECT id FROM measure_names WHERE instrument = ? AND score = ?",
                              args, SQL_COUNT(args), &found, err);
    if (st == CC_OK && found == 0)
        st = sql_run(d, "INSERT INTO measure_names (instrument, score) VALUES (?, ?) RETURNING id",
                     args, SQL_COUNT(args), &found, err);
    *id = (uint32_t)found;
    return st;
}

/* Replaces the patient's series with old (old_len bytes) followed by n records. */
static cc_status write_series(db *d, int64_t patient_id, const void *old, size_t old_len,
                              const measure_record *records, size_t n, cc_error *err)
{
    size_t len = old_len + n * MEASURE_RECORD_BYTES;
    unsigned char *bytes = malloc(len ? len : 1);
    if (!bytes)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    if (old_len)
        memcpy(bytes, old, old_len);
    measure_series_encode(records, n, bytes + old_len);
    sql_arg args[] = {SQL_I(patient_id), SQL_B(bytes, len)};
    cc_status st = sql_run(d,
                           "INSERT INTO measure_series (patient_id, records) VALUES (?, ?)"
                           " ON CONFLICT (patient_id) DO UPDATE SET records = excluded.records",
                           args, SQL_COUNT(args), NULL, err);
    free(bytes);
    return st;
}

typedef struct {
    void *bytes;
    size_t len;
} series_bytes;

/* The old bytes live in the statement: copy them before it is reset. */
static cc_status copy_series(void *ctx, db_stmt *row, cc_error *err)
{
    series_bytes *b = ctx;
    const void *old = db_col_blob(row, 0, &b->len);
    if (b->len && !(b->bytes = malloc(b->len)))
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    if (b->len)
        memcpy(b->bytes, old, b->len);
    return CC_OK;
}

cc_status measure_series_add(db *d, int64_t patient_id, const char *instrument, cc_date day,
                             const measure_value *values, size_t n, cc_error *err)
{
    if (n == 0)
        return CC_OK;
    measure_record *records = calloc(n, sizeof *records);
    if (!records)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    cc_status st = CC_OK;
    for (size_t i = 0; st == CC_OK && i < n; i++) {
        records[i].day = day;
        records[i].value = values[i].value;
        st = measure_name_id(d, instrument, values[i].score, &records[i].measure, err);
    }
    series_bytes old = {NULL, 0};
    if (st == CC_OK)
        st = sql_each(d, "SELECT records FROM measure_series WHERE patient_id = ?",
                      (sql_arg[]){SQL_I(patient_id)}, 1, copy_series, &old, NULL, err);
    if (st == CC_OK)
        st = write_series(d, patient_id, old.bytes, old.len, records, n, err);
    free(old.bytes);
    free(records);
    return st;
}

cc_status measure_series_scan_observations(db *d, observation_row_fn fn, void *ctx, cc_error *err)
{
    /* stored order: a sequential scan (in patient order it went through the
     * index and a row lookup per observation, three times the cost) */
    db_stmt *s;
    cc_status st = sql_scan(
        d, "SELECT patient_id, instrument, observed_on, scores FROM observations ORDER BY id", NULL,
        0, &s, err);
    if (st != CC_OK)
        return st;
    db_step_result r = DB_DONE;
    while (st == CC_OK && (r = db_step(s, err)) == DB_ROW)
        st =
            fn(ctx, db_col_int(s, 0), db_col_text(s, 1), db_col_text(s, 2), db_col_text(s, 3), err);
    if (st == CC_OK && r == DB_ERROR)
        st = err->status;
    db_done(s);
    return st;
}

cc_status measure_series_built(db *d, bool *built, cc_error *err)
{
    int64_t v = 0;
    cc_status st = sql_scalar(d, "SELECT built FROM derived_data WHERE name = 'measure_series'",
                              NULL, 0, &v, err);
    *built = v != 0;
    return st;
}

cc_status measure_series_reset(db *d, cc_error *err)
{
    return sql_run(d, "DELETE FROM measure_series", NULL, 0, NULL, err);
}

/* The statement of 2^k rows, for k = 0 .. INSERT_SHAPES - 1: literals, so
 * that db_prepare caches each (it keys on the text's address). */
#define INSERT_ROWS(rows) "INSERT INTO measure_series (patient_id, records) VALUES " rows

static const char *const INSERT_SQL[] = {
    INSERT_ROWS(SQL_PAIRS_1),  INSERT_ROWS(SQL_PAIRS_2),   INSERT_ROWS(SQL_PAIRS_4),
    INSERT_ROWS(SQL_PAIRS_8),  INSERT_ROWS(SQL_PAIRS_16),  INSERT_ROWS(SQL_PAIRS_32),
    INSERT_ROWS(SQL_PAIRS_64), INSERT_ROWS(SQL_PAIRS_128), INSERT_ROWS(SQL_PAIRS_256),
};
enum { INSERT_SHAPES = sizeof INSERT_SQL / sizeof INSERT_SQL[0] };
_Static_assert((size_t)1 << (INSERT_SHAPES - 1) == MEASURE_SERIES_CHUNK,
               "the largest statement writes one chunk");

cc_status measure_series_insert(db *d, const measure_series_row *rows, size_t n, cc_error *err)
{
    return sql_insert_patient_bytes(d, INSERT_SQL, INSERT_SHAPES, rows, n, err);
}

cc_status measure_series_mark_built(db *d, cc_error *err)
{
    return sql_run(d, "UPDATE derived_data SET built = 1 WHERE name = 'measure_series'", NULL, 0,
                   NULL, err);
}

static bool read_name(arena *a, db_stmt *s, void *item)
{
    measure_name *m = item;
    m->id = (uint32_t)db_col_int(s, 0);
    m->instrument = sql_col_dup(a, s, 1);
    m->score = sql_col_dup(a, s, 2);
    return true;
}

cc_status measure_names_load(db *d, arena *a, measure_name **names, size_t *n, cc_error *err)
{
    int64_t count = 0;
    *n = 0;
    cc_status st = sql_scalar(d, "SELECT COUNT(*) FROM measure_names", NULL, 0, &count, err);
    if (st != CC_OK)
        return st;
    return sql_fill(d, a, "SELECT id, instrument, score FROM measure_names ORDER BY id", NULL, 0,
                    read_name, sizeof **names, (size_t)count, (void **)names, n, err);
}
