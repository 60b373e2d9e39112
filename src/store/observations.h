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
#include "store/audit.h"
#include "store/db.h"

typedef struct {
    int64_t id, patient_id;
    char *instrument, *instrument_version, *observed_on, *source, *answers, *scores, *recorded_at;
} observation_record;

typedef struct {
    const char *instrument, *instrument_version, *observed_on, *source;
    const char *answers_json, *scores_json;
} observation_fields;

cc_status observation_add(db *d, const store_actor *actor, int64_t patient_id,
                          const observation_fields *f, int64_t *id, cc_error *err);

/* A patient's observations, oldest first (instrument NULL: all). */
cc_status observation_list(db *d, arena *a, int64_t patient_id, const char *instrument,
                           int64_t page, int64_t per_page, observation_record **items, size_t *n,
                           int64_t *total, cc_error *err);

#endif
