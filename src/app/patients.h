/*
 * app/patients: the use cases of a patient record: create (with the
 * duplicate warning, H8), change demographics, add a weight, add a condition.
 *
 * Each use case checks the values with core/patient, then opens the write
 * transaction and reads what it decides on inside it: the duplicate lookup
 * (same folded names and birth date) runs after db_tx_begin, so of two
 * clients creating the same person at once the second always sees the first
 * and gets CC_CONFLICT "possible_duplicate" unless it confirmed.
 *
 * Errors: CC_INVALID naming the field (values), CC_NOT_FOUND (no such
 * patient), CC_CONFLICT "possible_duplicate" (dup filled) or
 * "version_conflict", storage errors. Nothing is written on any error.
 * Memory: strings are borrowed for the call. Not thread-safe (one ctx each).
 */
#ifndef CC_APP_PATIENTS_H
#define CC_APP_PATIENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "core/patient.h"
#include "store/patients.h"

typedef struct {
    patient_fields fields; /* complete: names, birth_date, sex, language */
    bool has_weight;
    double weight_kg;       /* recorded as today's weight when has_weight */
    bool confirm_duplicate; /* create even when the same person seems to exist */
} app_patient_new;

cc_status app_patient_create(const app_ctx *c, const app_patient_new *n, int64_t *id,
                             patient_matches *dup, cc_error *err);

/* Applies the given fields (NULL: unchanged) when the record is still at
 * expected_version. A change of demographics needs a reason (CC_INVALID,
 * field "reason", when blank); it is stored in the audit entry. */
cc_status app_patient_update(const app_ctx *c, int64_t id, int64_t expected_version,
                             const patient_fields *f, const char *reason, cc_error *err);

/* A dated weight: *grams receives the stored value. */
cc_status app_patient_add_weight(const app_ctx *c, int64_t id, const char *date, double kg,
                                 int64_t *weight_id, int *grams, cc_error *err);

/* details_json: a JSON object as text, or NULL for none. */
cc_status app_patient_add_condition(const app_ctx *c, int64_t id, const char *icd10,
                                    const char *label, const char *onset_date,
                                    const char *details_json, int64_t *condition_id, cc_error *err);

/* An erasure request for the patient (reason: the requester's words,
 * required, CC_INVALID "reason" when blank): inside the write transaction,
 * reads the patient's links to units, decides the refusal with core
 * (patient_erasure_refusal: nothing is ever erased) and records the request
 * and its refusal in the audit trail. CC_OK means recorded: *refusal is the
 * refusal's code, *links what it rests on. CC_NOT_FOUND: no such patient. */
cc_status app_patient_erasure_request(const app_ctx *c, int64_t id, const char *reason,
                                      const char **refusal, patient_trace_links *links,
                                      cc_error *err);

#endif
