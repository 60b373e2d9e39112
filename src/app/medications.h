/*
 * app/medications: record a patient's concomitant medications (add, stop)
 * and allergies (hazard H16: the bedside check reads the medication list
 * before a lumbar puncture).
 *
 * Values: name 1..200 characters; class one of core/coagulation's
 * med_class names ("anticoagulant", "antiplatelet", "nsaid", ... "other");
 * dose free text up to 200; start_date a date not after today; a stop date
 * not before the start and not after today. Allergy: substance 1..200,
 * reaction up to 400, severity "mild", "moderate", "severe" or "unknown".
 * Each call checks the values, then writes with its audit entry in one
 * transaction.
 * Errors: CC_INVALID naming the field; CC_NOT_FOUND "id" (patient) or
 * "medication_id"; CC_CONFLICT "already_stopped"; storage errors. Nothing is
 * written on any error. Strings are borrowed. Not thread-safe.
 */
#ifndef CC_APP_MEDICATIONS_H
#define CC_APP_MEDICATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/coagulation.h"

cc_status app_medication_add(const app_ctx *c, int64_t patient_id, const char *name,
                             const char *cls, const char *dose, const char *start_date, int64_t *id,
                             cc_error *err);
cc_status app_medication_stop(const app_ctx *c, int64_t patient_id, int64_t medication_id,
                              const char *stop_date, cc_error *err);
cc_status app_allergy_add(const app_ctx *c, int64_t patient_id, const char *substance,
                          const char *reaction, const char *severity, int64_t *id, cc_error *err);

/* The patient's medication list as core/coagulation reads it, read in the
 * caller's transaction (the decision that uses it is taken there too). A
 * stored row that does not parse counts as a current anticoagulant, so it
 * is never lost; start dates that do not parse count from today. The rows
 * live in c->arena. */
cc_status app_coag_medications(const app_ctx *c, int64_t patient_id, cc_date today,
                               const coag_medication **meds, size_t *n, cc_error *err);

#endif
