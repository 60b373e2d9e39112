/*
 * report_satisfaction (store): what the satisfaction table of the outcome
 * report needs (issue 7; the table itself is core/satisfaction, the JSON
 * section api/report_satisfaction): the protocol's follow-up visits with
 * their instrument list and whether a "satisfaction" questionnaire link was
 * issued for each, and the stored ANSWERS (not scores: a numeric score cannot
 * tell "not applicable" from 0) of every "satisfaction" observation of the
 * patients with an approved plan of the protocol.
 *
 * protocol NULL reads every protocol (the report's "all").
 *
 * Two queries: followup_visits of the protocol (ordered by patient, seq), and
 * ONE query over observations WHERE instrument = 'satisfaction' (ordered by
 * patient, date, id; served by the index observations_patient through the
 * patient list). Rows are allocated from the caller's arena; strings are
 * arena copies. Read-only; a caller wanting one snapshot with the rest of the
 * report holds a read transaction.
 */
#ifndef CC_STORE_REPORT_SATISFACTION_H
#define CC_STORE_REPORT_SATISFACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/db.h"

typedef struct {
    int64_t patient_id, plan_id;
    char *label, *target_date, *window_start, *window_end;
    char *instruments; /* the visit's JSON list of instrument ids, as stored */
    bool link;         /* a questionnaire link for "satisfaction" was issued */
} sat_visit_row;

typedef struct {
    int64_t patient_id;
    char *observed_on; /* YYYY-MM-DD */
    char *answers;     /* the stored answers JSON object */
} sat_observation_row;

typedef struct {
    sat_visit_row *visits;
    size_t n_visits;
    sat_observation_row *observations;
    size_t n_observations;
} sat_data;

cc_status report_satisfaction_load(db *d, arena *a, const char *protocol, sat_data *out,
                                   cc_error *err);

#endif
