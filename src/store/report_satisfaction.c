#include "report_satisfaction.h"

#include <string.h>

cc_status report_satisfaction_load(db *d, arena *a, sat_data *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    db_stmt *s;
    cc_status st = db_prepare(d,
                              "SELECT patient_id, observed_on, answers FROM observations"
                              " WHERE instrument = 'satisfaction' ORDER BY patient_id, observed_on,"
                              " id",
                              &s, err);
    if (st != CC_OK)
        return st;
    size_t cap = 0;
    db_step_result r;
    while ((r = db_step(s, err)) == DB_ROW) {
        if (out->n_observations == cap) { /* one more row: the arena grows by doubling */
            size_t ncap = cap ? cap * 2 : 64;
            sat_observation_row *fresh = arena_alloc(a, ncap * sizeof *fresh);
            if (!fresh)
                break;
            if (cap)
                memcpy(fresh, out->observations, cap * sizeof *fresh);
            out->observations = fresh;
            cap = ncap;
        }
        sat_observation_row *o = &out->observations[out->n_observations];
        o->patient_id = db_col_int(s, 0);
        o->observed_on = arena_strdup(a, db_col_text(s, 1));
        o->answers = arena_strdup(a, db_col_text(s, 2));
        if (!o->observed_on || !o->answers)
            break;
        out->n_observations++;
    }
    db_done(s);
    if (r == DB_ERROR)
        return err->status;
    return r == DB_DONE
               ? CC_OK
               : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "report memory exhausted");
}
