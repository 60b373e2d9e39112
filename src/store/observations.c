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
    st =
        sql_require_id(d, "SELECT id FROM patients WHERE id = ?", patient_id, "id", "patient", err);
    if (st == CC_OK)
        st = observation_insert(d, patient_id, actor->user_id, f, id, err);
    if (st == CC_OK)
        st = audit_log_change(d, actor, "create", "observation", *id, OBSERVATION_IMAGE, NULL, NULL,
                              err);
    return db_tx_end(d, st, err);
}

static bool read_observation(arena *a, db_stmt *s, void *item)
{
    observation_record *o = item;
    o->id = db_col_int(s, 0);
    o->patient_id = db_col_int(s, 1);
    char **text[] = {
        &o->instrument, &o->instrument_version, &o->observed_on, &o->source, &o->answers,
        &o->scores,     &o->recorded_at};
    for (int c = 2; c <= 8; c++)
        *text[c - 2] = sql_col_dup(a, s, c);
    return true;
}

cc_status observation_list(db *d, arena *a, int64_t patient_id, const char *instrument,
                           int64_t page, int64_t per_page, observation_record **items, size_t *n,
                           int64_t *total, cc_error *err)
{
    const char *inst = instrument ? instrument : "";
    sql_arg args[] = {SQL_I(patient_id), SQL_S(inst), SQL_S(inst)};
    sql_page_query q = {
        "SELECT COUNT(*) FROM observations WHERE patient_id = ?"
        " AND (instrument = ? OR ? = '')",
        "SELECT id, patient_id, instrument, instrument_version, observed_on, source,"
        " answers, scores, recorded_at FROM observations WHERE patient_id = ?"
        " AND (instrument = ? OR ? = '') ORDER BY observed_on, id LIMIT ? OFFSET ?",
        args,
        SQL_COUNT(args),
        0,
        page,
        per_page};
    return sql_page(d, a, &q, read_observation, sizeof **items, (void **)items, n, total, err);
}
