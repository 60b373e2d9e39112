#include "report_data.h"

#include <string.h>

static char *dup_or_null(arena *a, db_stmt *s, int col)
{
    return db_col_is_null(s, col) ? NULL : arena_strdup(a, db_col_text(s, col));
}

/* Grows *rows (arena) to hold one more element of size sz. */
static void *grow(arena *a, void **rows, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return (char *)*rows + n * sz;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *fresh = arena_alloc(a, ncap * sz);
    if (!fresh)
        return NULL;
    if (n)
        memcpy(fresh, *rows, n * sz);
    *rows = fresh;
    *cap = ncap;
    return (char *)fresh + n * sz;
}

#define PLAN_OF                                                                                    \
    "(SELECT MAX(id) FROM plans WHERE patient_id = p.id AND protocol_id = ?1"                      \
    " AND status IN ('approved', 'in_progress', 'completed'))"

static cc_status load_patients(db *d, arena *a, const char *protocol, report_data *out,
                               cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(
        d,
        "SELECT p.id, EXISTS (SELECT 1 FROM screenings WHERE patient_id = p.id AND protocol_id = "
        "?1),"
        " (SELECT decision FROM screenings WHERE patient_id = p.id AND protocol_id = ?1 AND "
        "decision"
        " IS NOT NULL ORDER BY id DESC LIMIT 1),"
        " (SELECT MIN(evaluated_on) FROM screenings WHERE patient_id = p.id AND protocol_id = ?1),"
        " " PLAN_OF ", (SELECT start_date FROM plans WHERE id = " PLAN_OF "), p.synthetic"
        " FROM patients p WHERE p.id IN (SELECT patient_id FROM screenings WHERE protocol_id = ?1)"
        " OR p.id IN (SELECT patient_id FROM plans WHERE protocol_id = ?1 AND status IN"
        " ('approved', 'in_progress', 'completed')) ORDER BY p.id",
        &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, protocol);
    size_t cap = 0;
    db_step_result r;
    while ((r = db_step(s, err)) == DB_ROW) {
        report_patient_row *p = grow(a, (void **)&out->patients, &cap, out->n_patients, sizeof *p);
        if (!p)
            break;
        p->id = db_col_int(s, 0);
        p->screened = db_col_int(s, 1) != 0;
        p->eligible = strcmp(db_col_text(s, 2), "eligible") == 0;
        p->screened_on = dup_or_null(a, s, 3);
        p->plan_id = db_col_is_null(s, 4) ? 0 : db_col_int(s, 4);
        p->start_date = dup_or_null(a, s, 5);
        p->synthetic = db_col_int(s, 6) != 0;
        out->n_patients++;
    }
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    return r == DB_DONE
               ? CC_OK
               : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
}

static cc_status load_visits(db *d, arena *a, const char *protocol, report_data *out, cc_error *err)
{
    db_stmt *s;
    cc_status st = db_prepare(
        d,
        "SELECT patient_id, plan_id, months, label, status, target_date, window_start,"
        " window_end FROM followup_visits WHERE protocol_id = ? ORDER BY patient_id, seq",
        &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, protocol);
    size_t cap = 0;
    db_step_result r;
    while ((r = db_step(s, err)) == DB_ROW) {
        report_visit_row *v = grow(a, (void **)&out->visits, &cap, out->n_visits, sizeof *v);
        if (!v)
            break;
        v->patient_id = db_col_int(s, 0);
        v->plan_id = db_col_int(s, 1);
        v->months = (int)db_col_int(s, 2);
        v->label = arena_strdup(a, db_col_text(s, 3));
        v->status = arena_strdup(a, db_col_text(s, 4));
        v->target_date = arena_strdup(a, db_col_text(s, 5));
        v->window_start = arena_strdup(a, db_col_text(s, 6));
        v->window_end = arena_strdup(a, db_col_text(s, 7));
        out->n_visits++;
    }
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    return r == DB_DONE
               ? CC_OK
               : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
}

static cc_status load_observations(db *d, arena *a, const char *protocol, report_data *out,
                                   cc_error *err)
{
    db_stmt *s;
    cc_status st =
        db_prepare(d,
                   "SELECT o.patient_id, o.instrument, o.observed_on, o.scores FROM observations o"
                   " WHERE o.patient_id IN (SELECT patient_id FROM plans WHERE protocol_id = ? AND"
                   " status IN ('approved', 'in_progress', 'completed'))"
                   " ORDER BY o.patient_id, o.observed_on, o.id",
                   &s, err);
    if (st != CC_OK)
        return st;
    db_bind_text(s, 1, protocol);
    size_t cap = 0;
    db_step_result r;
    while ((r = db_step(s, err)) == DB_ROW) {
        report_observation_row *o =
            grow(a, (void **)&out->observations, &cap, out->n_observations, sizeof *o);
        if (!o)
            break;
        o->patient_id = db_col_int(s, 0);
        o->instrument = arena_strdup(a, db_col_text(s, 1));
        o->observed_on = arena_strdup(a, db_col_text(s, 2));
        o->scores = arena_strdup(a, db_col_text(s, 3));
        out->n_observations++;
    }
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    return r == DB_DONE
               ? CC_OK
               : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
}

/* Issue 5's administrations (per plan) and adverse events. */
static cc_status load_bedside(db *d, arena *a, report_data *out, cc_error *err)
{
    db_stmt *s;
    out->administrations_source = "administrations";
    cc_status st =
        db_prepare(d,
                   "SELECT patient_id, plan_id, COUNT(*) FROM administrations GROUP BY patient_id,"
                   " plan_id ORDER BY patient_id",
                   &s, err);
    if (st != CC_OK)
        return st;
    db_step_result r;
    size_t i = 0; /* patients are ordered by id: one forward pass */
    while ((r = db_step(s, err)) == DB_ROW) {
        int64_t patient = db_col_int(s, 0), plan = db_col_int(s, 1);
        while (i < out->n_patients && out->patients[i].id < patient)
            i++;
        if (i < out->n_patients && out->patients[i].id == patient &&
            out->patients[i].plan_id == plan)
            out->patients[i].administrations = db_col_int(s, 2);
    }
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    if ((st = db_prepare(
             d,
             "SELECT patient_id, term_code, term_text, grade, serious, onset_at FROM adverse_events"
             " ORDER BY patient_id, onset_at, id",
             &s, err)) != CC_OK)
        return st;
    out->ae_available = true;
    size_t cap = 0;
    while ((r = db_step(s, err)) == DB_ROW) {
        report_ae_row_data *e = grow(a, (void **)&out->aes, &cap, out->n_aes, sizeof *e);
        if (!e)
            break;
        e->patient_id = db_col_int(s, 0);
        const char *text = db_col_text(s, 2);
        e->term = arena_strdup(a, *text ? text : db_col_text(s, 1));
        e->grade = (int)db_col_int(s, 3);
        e->serious = db_col_int(s, 4) != 0;
        e->onset = arena_strdup(a, db_col_text(s, 5));
        out->n_aes++;
    }
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    return r == DB_DONE
               ? CC_OK
               : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
}

cc_status report_store_load(db *d, arena *a, const char *protocol, report_data *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    cc_status st = load_patients(d, a, protocol, out, err);
    if (st == CC_OK)
        st = load_visits(d, a, protocol, out, err);
    if (st == CC_OK)
        st = load_observations(d, a, protocol, out, err);
    if (st == CC_OK)
        st = load_bedside(d, a, out, err);
    return st;
}
