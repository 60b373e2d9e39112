/*
 * report_satisfaction (store): the stored ANSWERS (not scores: a numeric
 * score cannot tell "not applicable" from 0) of every "satisfaction"
 * observation, for the satisfaction table of the outcome report (the
 * table itself is core/satisfaction, the JSON section
 * app/report_satisfaction; the visits come with the rest of the report's data,
 * store/report_data).
 *
 * One query over the index observations_instrument, ordered by patient, date
 * and id; the caller keeps the rows of its cohort. Rows are allocated from the
 * caller's arena; strings are arena copies. Read-only; a caller wanting one
 * snapshot with the rest of the report holds a read transaction.
 */
#ifndef CC_STORE_REPORT_SATISFACTION_H
#define CC_STORE_REPORT_SATISFACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/db.h"

typedef struct {
    int64_t patient_id;
    char *observed_on; /* YYYY-MM-DD */
    char *answers;     /* the stored answers JSON object */
} sat_observation_row;

typedef struct {
    sat_observation_row *observations;
    size_t n_observations;
} sat_data;

cc_status report_satisfaction_load(db *d, arena *a, sat_data *out, cc_error *err);

#endif
