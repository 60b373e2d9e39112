/*
 * medications: a patient's concomitant medication list and allergy list
 * (hazard H16: the bedside check reads the medications before a lumbar
 * puncture).
 *
 * A medication is {name, class (core/coagulation med_class name), dose text,
 * start date, stop date or NULL}; stopping one sets its stop date (nothing is
 * deleted). An allergy is {substance, reaction, severity}. Values are checked
 * by the caller (app/medications). Every change writes its audit entry; the
 * _in_tx functions run inside the caller's transaction.
 * Errors: CC_NOT_FOUND field "id" (no patient) or "medication_id" (no such
 * medication of that patient); CC_CONFLICT "already_stopped"; CC_STORAGE.
 * Ownership: rows are allocated from the caller's arena. Not thread-safe
 * (one db per thread).
 */
#ifndef CC_STORE_MEDICATIONS_H
#define CC_STORE_MEDICATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/audit.h"
#include "store/db.h"

typedef struct {
    int64_t id;
    char *name, *cls, *dose, *start_date, *stop_date; /* stop_date NULL: current */
} medication_row;

cc_status medication_add_in_tx(db *d, const store_actor *actor, int64_t patient_id,
                               const char *name, const char *cls, const char *dose,
                               const char *start_date, int64_t *id, cc_error *err);
/* CC_CONFLICT "already_stopped" when it has a stop date. */
cc_status medication_stop_in_tx(db *d, const store_actor *actor, int64_t patient_id,
                                int64_t medication_id, const char *stop_date, cc_error *err);
/* Every medication of the patient, oldest first (at most 500). */
cc_status medication_list(db *d, arena *a, int64_t patient_id, medication_row **rows, size_t *n,
                          cc_error *err);

cc_status allergy_add_in_tx(db *d, const store_actor *actor, int64_t patient_id,
                            const char *substance, const char *reaction, const char *severity,
                            int64_t *id, cc_error *err);

#endif
