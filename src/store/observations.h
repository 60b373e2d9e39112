/*
 * observations: outcome observations of a patient: the raw answers and the
 * scores computed from them, with the instrument and its version, so that a
 * later re-scoring can be checked against what was recorded. Append-only;
 * each insert writes its audit entry in the same transaction.
 * Ownership: records are allocated from the caller's arena.
 */
#ifndef CC_OBSERVATIONS_H
#define CC_OBSERVATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/measure_series.h"
#include "store/audit.h"
#include "store/db.h"

typedef struct {
    int64_t id, patient_id;
    char *instrument, *instrument_version, *observed_on, *source, *answers, *scores, *recorded_at;
} observation_record;

typedef struct {
    const char *instrument, *instrument_version, *observed_on, *source;
    const char *answers_json, *scores_json;
    /* the numeric values of the scores (core/measure_series), appended to the
     * patient's series in the same transaction */
    const measure_value *measures;
    size_t n_measures;
} observation_fields;

/* Inserts the observation and appends its measures to the patient's series,
 * inside the caller's write transaction; no audit entry (the caller writes
 * it). recorded_by 0: no user (a patient's link, demonstration data). */
cc_status observation_insert(db *d, int64_t patient_id, int64_t recorded_by,
                             const observation_fields *f, int64_t *id, cc_error *err);

cc_status observation_add(db *d, const store_actor *actor, int64_t patient_id,
                          const observation_fields *f, int64_t *id, cc_error *err);

/* A patient's observations, oldest first (instrument NULL: all). */
cc_status observation_list(db *d, arena *a, int64_t patient_id, const char *instrument,
                           int64_t page, int64_t per_page, observation_record **items, size_t *n,
                           int64_t *total, cc_error *err);

#endif
