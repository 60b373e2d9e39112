#include "report_satisfaction.h"

#include <string.h>

/* One more row in *rows (arena, doubling); NULL when the arena is full. */
static void *sat_row(arena *a, void **rows, size_t *cap, size_t n, size_t sz)
{
    if (n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        char *fresh = arena_alloc(a, ncap * sz);
        if (!fresh)
            return NULL;
        if (n)
            memcpy(fresh, *rows, n * sz);
        *rows = fresh;
        *cap = ncap;
    }
    return (char *)*rows + n * sz;
}

static cc_status finish(db_stmt *s, db_step_result r, cc_error *err)
{
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    return r == DB_DONE
               ? CC_OK
               : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
}

/* The statement for one protocol (its index) or for every protocol. */
static cc_status prepare(db *d, const char *sql_one, const char *sql_all, const char *protocol,
                         db_stmt **s, cc_error *err)
{
    cc_status st = db_prepare(d, protocol ? sql_one : sql_all, s, err);
    if (st == CC_OK && protocol)
        db_bind_text(*s, 1, protocol);
    return st;
}

#define VISITS                                                                                     \
    "SELECT v.patient_id, v.plan_id, v.label, v.target_date, v.window_start, v.window_end,"        \
    " v.instruments, EXISTS (SELECT 1 FROM questionnaire_links l WHERE l.visit_id = v.id"          \
    " AND l.instrument = 'satisfaction') FROM followup_visits v"

static cc_status load_visits(db *d, arena *a, const char *protocol, sat_data *out, cc_error *err)
{
    db_stmt *s;
    cc_status st = prepare(d, VISITS " WHERE v.protocol_id = ? ORDER BY v.patient_id, v.seq",
                           VISITS " ORDER BY v.patient_id, v.seq", protocol, &s, err);
    if (st != CC_OK)
        return st;
    size_t cap = 0;
    db_step_result r;
    while ((r = db_step(s, err)) == DB_ROW) {
        sat_visit_row *v = sat_row(a, (void **)&out->visits, &cap, out->n_visits, sizeof *v);
        if (!v)
            break;
        v->patient_id = db_col_int(s, 0);
        v->plan_id = db_col_int(s, 1);
        v->label = arena_strdup(a, db_col_text(s, 2));
        v->target_date = arena_strdup(a, db_col_text(s, 3));
        v->window_start = arena_strdup(a, db_col_text(s, 4));
        v->window_end = arena_strdup(a, db_col_text(s, 5));
        v->instruments = arena_strdup(a, db_col_text(s, 6));
        v->link = db_col_int(s, 7) != 0;
        if (!v->label || !v->target_date || !v->window_start || !v->window_end || !v->instruments)
            break;
        out->n_visits++;
    }
    return finish(s, r, err);
}

#define ANSWERS                                                                                    \
    "SELECT o.patient_id, o.observed_on, o.answers FROM observations o"                            \
    " WHERE o.instrument = 'satisfaction' AND o.patient_id IN (SELECT patient_id FROM plans"       \
    " WHERE status IN ('approved', 'in_progress', 'completed')"
#define ANSWERS_ORDER " ORDER BY o.patient_id, o.observed_on, o.id"

static cc_status load_answers(db *d, arena *a, const char *protocol, sat_data *out, cc_error *err)
{
    db_stmt *s;
    cc_status st = prepare(d, ANSWERS " AND protocol_id = ?)" ANSWERS_ORDER,
                           ANSWERS ")" ANSWERS_ORDER, protocol, &s, err);
    if (st != CC_OK)
        return st;
    size_t cap = 0;
    db_step_result r;
    while ((r = db_step(s, err)) == DB_ROW) {
        sat_observation_row *o =
            sat_row(a, (void **)&out->observations, &cap, out->n_observations, sizeof *o);
        if (!o)
            break;
        o->patient_id = db_col_int(s, 0);
        o->observed_on = arena_strdup(a, db_col_text(s, 1));
        o->answers = arena_strdup(a, db_col_text(s, 2));
        if (!o->observed_on || !o->answers)
            break;
        out->n_observations++;
    }
    return finish(s, r, err);
}

cc_status report_satisfaction_load(db *d, arena *a, const char *protocol, sat_data *out,
                                   cc_error *err)
{
    memset(out, 0, sizeof *out);
    cc_status st = load_visits(d, a, protocol, out, err);
    return st == CC_OK ? load_answers(d, a, protocol, out, err) : st;
}
