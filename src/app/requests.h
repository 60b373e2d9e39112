/*
 * app/requests: consultation requests from the public form, and their
 * triage by the coordinators: convert into a patient, or decline.
 *
 * Converting reads the request, checks it is still open, builds the
 * patient's fields (the coordinator's values, else the request's own: the
 * name split at its last space into given names and family name, sex
 * "unknown"), creates the patient (duplicate warning, H8) with the
 * condition the request's diagnosis stands for (core/consult: ICD-10 code,
 * the visitor's words as label, a spinal cord injury's date as onset and
 * its level as details) and closes the request, linking it to the patient,
 * all in ONE write transaction: of two coordinators converting the
 * same request at once exactly one creates a patient, the other gets
 * CC_CONFLICT (the request is no longer new).
 *
 * Errors: CC_INVALID naming the field, CC_NOT_FOUND, CC_CONFLICT
 * ("possible_duplicate" with dup filled, or the request's state), storage
 * errors; nothing is written on any error. Memory: strings borrowed for the
 * call; derived names live in the ctx's arena. Not thread-safe (one ctx each).
 */
#ifndef CC_APP_REQUESTS_H
#define CC_APP_REQUESTS_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "core/consult.h"
#include "store/patients.h"

/* The public form: values checked by core/consult, stored as "new". */
cc_status app_request_create(const app_ctx *c, const consult_fields *f, int64_t *id, cc_error *err);

/* What the coordinator gives when converting; NULL: take the request's value. */
typedef struct {
    const char *family_name, *given_names, *birth_date, *sex, *language;
    bool confirm_duplicate;
} app_request_conversion;

cc_status app_request_convert(const app_ctx *c, int64_t id, const app_request_conversion *in,
                              int64_t *patient_id, patient_matches *dup, cc_error *err);

cc_status app_request_decline(const app_ctx *c, int64_t id, const char *reason, cc_error *err);

#endif
