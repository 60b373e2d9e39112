/*
 * consults: public consultation requests and their triage.
 *
 * Values are validated by core/consult first. Converting creates the patient
 * and closes the request in one transaction with both audit entries.
 * Ownership: records are allocated from the caller's arena.
 */
#ifndef CC_CONSULTS_H
#define CC_CONSULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/consult.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/patients.h"

typedef struct {
    int64_t id;
    char *name, *email, *phone, *birth_date, *condition, *message, *language, *status;
    char *decline_reason, *created_at, *updated_at;
    char *country, *diagnosis, *injury_level; /* "" when not given */
    char *injury_date;                        /* NULL when not given */
    bool consent;                             /* to be contacted */
    int64_t patient_id;                       /* 0 when none */
    bool synthetic;
    int64_t version;
} consult_record;

cc_status consult_create(db *d, const store_actor *actor, const consult_fields *f, bool synthetic,
                         int64_t *id, cc_error *err);
cc_status consult_get(db *d, arena *a, int64_t id, consult_record *out, cc_error *err);
/* status NULL: all. Newest first. */
cc_status consult_list(db *d, arena *a, const char *status, int64_t page, int64_t per_page,
                       consult_record **items, size_t *n, int64_t *total, cc_error *err);
cc_status consult_decline(db *d, const store_actor *actor, int64_t id, const char *reason,
                          cc_error *err);
/* The patient condition a converted request carries (validated). */
typedef struct {
    const char *icd10, *label, *onset_date, *details_json; /* onset_date may be NULL */
} consult_condition_row;

/* Creates the patient from f (already merged with the request's values and
 * validated), with condition when not NULL, and marks the request
 * converted (its patient_id links the patient back to it). */
cc_status consult_convert(db *d, const store_actor *actor, int64_t id, int64_t site_id,
                          const patient_fields *f, const consult_condition_row *condition,
                          bool confirm_duplicate, int64_t *patient_id, patient_matches *dup,
                          cc_error *err);

#endif
