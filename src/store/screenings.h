/*
 * screenings: pre-treatment work-ups, their evaluated eligibility, and the
 * physician's signed decision (hazard H6).
 *
 * A screening stores the work-up as JSON text (as checked by the API), the
 * protocol version its rules came from, the verdict and reasons computed by
 * core/eligibility, and the oldest sample date (for staleness at approval).
 * The decision is recorded once (decision NULL until then; deciding again is
 * CC_CONFLICT "already_decided": a new work-up is a new screening) with the
 * signer, the time, the meaning of the signature, and, when the computed
 * verdict excluded the patient, the override flag and its written reason.
 * Each change writes its audit entry in the same transaction; the decision's
 * entry (action "sign") carries the meaning as its reason.
 * Ownership: rows are allocated from the caller's arena.
 */
#ifndef CC_STORE_SCREENINGS_H
#define CC_STORE_SCREENINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/audit.h"
#include "store/db.h"

typedef struct {
    int64_t id, patient_id;
    char *protocol_id;
    int protocol_version;
    char *body, *verdict, *reasons, *oldest_date, *evaluated_on;
    char *decision; /* NULL until decided */
    bool override;
    char *override_reason, *meaning, *decided_by, *decided_at, *created_at, *created_by;
    int64_t version;
} screening_row;

typedef struct {
    int64_t patient_id;
    const char *protocol_id;
    int protocol_version;
    const char *body, *verdict, *reasons;
    const char *oldest_date; /* NULL when no dated result */
    const char *evaluated_on;
} screening_new;

cc_status screening_store_create(db *d, const store_actor *actor, const screening_new *n,
                                 int64_t *id, cc_error *err);
cc_status screening_store_get(db *d, arena *a, int64_t id, screening_row *out, cc_error *err);
/* One page of screening_store_list's rows (no cap) and their *total. */
cc_status screening_store_page(db *d, arena *a, int64_t patient_id, const char *protocol_id,
                               int64_t page, int64_t per_page, screening_row **rows, size_t *n,
                               int64_t *total, cc_error *err);
/* Newest first; protocol_id NULL: all programmes. */
cc_status screening_store_list(db *d, arena *a, int64_t patient_id, const char *protocol_id,
                               screening_row **rows, size_t *n, cc_error *err);
/* The newest decided screening of a patient for a programme; CC_NOT_FOUND when none. */
cc_status screening_store_latest_decided(db *d, arena *a, int64_t patient_id,
                                         const char *protocol_id, screening_row *out,
                                         cc_error *err);
cc_status screening_store_decide(db *d, const store_actor *actor, int64_t id, const char *decision,
                                 bool override, const char *override_reason, const char *meaning,
                                 cc_error *err);

#endif
