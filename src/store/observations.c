#include "observations.h"

#include <string.h>

#include "store/sql.h"

static const char OBSERVATION_IMAGE[] =
    "SELECT id, patient_id, instrument, instrument_version, observed_on, source, answers, scores,"
    " recorded_at FROM observations WHERE id = ?";

cc_status observation_add(db *d, const store_actor *actor, int64_t patient_id,
                          const observation_fields *f, int64_t *id, cc_error *err)
{
    char now[21];
    store_now_text(now);
    cc_status st = db_begin(d, err);
    if (st != CC_OK)
        return st;
    db_stmt *s;
    st = db_prepare(d, "SELECT COUNT(*) FROM patients WHERE id = ?", &s, err);
    if (st == CC_OK) {
        db_bind_int(s, 1, patient_id);
        bool exists = db_step(s, err) == DB_ROW && db_col_int(s, 0) > 0;
        db_done(s);
        if (!exists)
            st = cc_fail(err, CC_NOT_FOUND, "id", "not_found", "no patient with id %lld",
                         (long long)patient_id);
    }
    if (st == CC_OK)
        st = db_prepare(d,
                        "INSERT INTO observations (patient_id, instrument, instrument_version,"
                        " observed_on, source, answers, scores, recorded_at, recorded_by)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        &s, err);
    if (st == CC_OK) {
        db_bind_int(s, 1, patient_id);
        db_bind_text(s, 2, f->instrument);
        db_bind_text(s, 3, f->instrument_version);
        db_bind_text(s, 4, f->observed_on);
        db_bind_text(s, 5, f->source);
        db_bind_text(s, 6, f->answers_json);
        db_bind_text(s, 7, f->scores_json);
        db_bind_text(s, 8, now);
        if (actor->user_id > 0)
            db_bind_int(s, 9, actor->user_id);
        else
            db_bind_null(s, 9);
        db_step_result r = db_step(s, err);
        if (r == DB_ROW)
            *id = db_col_int(s, 0);
        db_done(s);
        if (r != DB_ROW)
            st = r == DB_ERROR ? err->status : CC_INTERNAL;
    }
    if (st == CC_OK)
        st = audit_log_change(d, actor, "create", "observation", *id, OBSERVATION_IMAGE, NULL, NULL, err);
    return sql_finish(d, st, err);
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
    return *items ? CC_OK : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
}
