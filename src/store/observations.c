#include "observations.h"

#include <string.h>

#include "store/measure_series.h"
#include "store/sql.h"

static const char OBSERVATION_IMAGE[] =
    "SELECT id, patient_id, instrument, instrument_version, observed_on, source, answers, scores,"
    " recorded_at FROM observations WHERE id = ?";

cc_status observation_insert(db *d, int64_t patient_id, int64_t recorded_by,
                             const observation_fields *f, int64_t *id, cc_error *err)
{
    char now[21];
    store_now_text(now);
    cc_date day = 0;
    cc_status st = date_parse(f->observed_on, "date", &day, err);
    if (st != CC_OK)
        return st;
    sql_arg args[] = {SQL_I(patient_id),     SQL_S(f->instrument), SQL_S(f->instrument_version),
                      SQL_S(f->observed_on), SQL_S(f->source),     SQL_S(f->answers_json),
                      SQL_S(f->scores_json), SQL_S(now),           SQL_ID(recorded_by)};
    st = sql_run(d,
                 "INSERT INTO observations (patient_id, instrument, instrument_version,"
                 " observed_on, source, answers, scores, recorded_at, recorded_by)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                 args, SQL_COUNT(args), id, err);
    if (st == CC_OK)
        st = measure_series_add(d, patient_id, f->instrument, day, f->measures, f->n_measures, err);
    return st;
}

cc_status observation_add(db *d, const store_actor *actor, int64_t patient_id,
                          const observation_fields *f, int64_t *id, cc_error *err)
{
    cc_status st = db_tx_begin(d, err);
    if (st != CC_OK)
        return st;
    int64_t exists = 0;
    sql_arg one[] = {SQL_I(patient_id)};
    st = sql_scalar(d, "SELECT COUNT(*) FROM patients WHERE id = ?", one, 1, &exists, err);
    if (st == CC_OK && !exists)
        st = cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no patient with id %lld",
                     (long long)patient_id);
    if (st == CC_OK)
        st = observation_insert(d, patient_id, actor->user_id, f, id, err);
    if (st == CC_OK)
        st = audit_log_change(d, actor, "create", "observation", *id, OBSERVATION_IMAGE, NULL, NULL,
                              err);
    return db_tx_end(d, st, err);
}

cc_status observation_list(db *d, arena *a, int64_t patient_id, const char *instrument,
                           int64_t page, int64_t per_page, observation_record **items, size_t *n,
                           int64_t *total, cc_error *err)
{
    const char *inst = instrument ? instrument : "";
    *n = 0;
    db_stmt *s;
    cc_status st = db_prepare(d,
                              "SELECT COUNT(*) FROM observations WHERE patient_id = ?"
                              " AND (instrument = ? OR ? = '')",
                              &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, patient_id);
    db_bind_text(s, 2, inst);
    db_bind_text(s, 3, inst);
    if (db_step(s, err) == DB_ROW)
        *total = db_col_int(s, 0);
    db_done(s);
    st = db_prepare(d,
                    "SELECT id, patient_id, instrument, instrument_version, observed_on, source,"
                    " answers, scores, recorded_at FROM observations WHERE patient_id = ?"
                    " AND (instrument = ? OR ? = '') ORDER BY observed_on, id LIMIT ? OFFSET ?",
                    &s, err);
    if (st != CC_OK)
        return st;
    db_bind_int(s, 1, patient_id);
    db_bind_text(s, 2, inst);
    db_bind_text(s, 3, inst);
    db_bind_int(s, 4, per_page);
    db_bind_int(s, 5, (page - 1) * per_page);
    *items = arena_alloc(a, (size_t)per_page * sizeof **items);
    db_step_result r = DB_DONE;
    while (*items && (r = db_step(s, err)) == DB_ROW) {
        observation_record *o = &(*items)[(*n)++];
        o->id = db_col_int(s, 0);
        o->patient_id = db_col_int(s, 1);
        o->instrument = sql_col_dup(a, s, 2);
        o->instrument_version = sql_col_dup(a, s, 3);
        o->observed_on = sql_col_dup(a, s, 4);
        o->source = sql_col_dup(a, s, 5);
        o->answers = sql_col_dup(a, s, 6);
        o->scores = sql_col_dup(a, s, 7);
        o->recorded_at = sql_col_dup(a, s, 8);
    }
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    return *items ? CC_OK
                  : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
}
