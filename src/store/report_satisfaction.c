#include "report_satisfaction.h"

#include <string.h>

#include "store/sql.h"

static bool read_observation(arena *a, db_stmt *s, void *item)
{
    sat_observation_row *o = item;
    o->patient_id = db_col_int(s, 0);
    o->observed_on = arena_strdup(a, db_col_text(s, 1));
    o->answers = arena_strdup(a, db_col_text(s, 2));
    return o->observed_on && o->answers;
}

cc_status report_satisfaction_load(db *d, arena *a, sat_data *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    return sql_collect(d, a,
                       "SELECT patient_id, observed_on, answers FROM observations"
                       " WHERE instrument = 'satisfaction' ORDER BY patient_id, observed_on, id",
                       NULL, 0, read_observation, sizeof *out->observations,
                       (void **)&out->observations, &out->n_observations, err);
}
