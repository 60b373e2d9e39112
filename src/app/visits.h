/*
 * app/visits: what happens at a follow-up visit once it exists: resolving it
 * (done, missed, withdrawn, lost, died; H10), recording a contact attempt,
 * and recording an outcome observation for a patient.
 *
 * Resolve: the values are checked, then inside the write transaction the
 * visit's current status is read and core/followup decides whether the
 * resolution is allowed (CC_CONFLICT "already_resolved" when it was resolved
 * meanwhile); withdrawn and died also close the plan's later visits.
 * Contact: a failed attempt counts towards the lost-to-follow-up threshold;
 * reaching it resolves the visit as lost in the same transaction.
 * Observation: the caller has scored the answers; the use case checks the
 * date (not in the future) and the source, and stores answers, scores and
 * measures with the audit entry.
 *
 * Errors: CC_INVALID naming the field, CC_NOT_FOUND, CC_CONFLICT, storage
 * errors; nothing written on any error. Strings are borrowed for the call.
 * Not thread-safe (one ctx each).
 */
#ifndef CC_APP_VISITS_H
#define CC_APP_VISITS_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "store/observations.h"

/* status: "done", "missed", "withdrawn", "lost" or "died"; reason, died_on
 * (YYYY-MM-DD) and cause NULL or "" when not given. *closed counts the later
 * visits closed with it. */
cc_status app_visit_resolve(const app_ctx *c, int64_t id, const char *status, const char *reason,
                            const char *died_on, const char *cause, int *closed, cc_error *err);

/* channel: phone, email, sms, letter or in_person; outcome: reached,
 * no_answer, wrong_number, message_left or refused; note NULL or "" when none. */
cc_status app_visit_contact(const app_ctx *c, int64_t id, const char *channel, const char *outcome,
                            const char *note, bool *became_lost, cc_error *err);

/* An observation's date ("YYYY-MM-DD", not after today) and source
 * ("clinician" or "patient"): callers check them before scoring the answers
 * so that these errors come first; app_observation_create checks again. */
cc_status app_observation_check(const char *date, const char *source, cc_error *err);

/* f->observed_on and f->source as app_observation_check accepts them. */
cc_status app_observation_create(const app_ctx *c, int64_t patient_id, const observation_fields *f,
                                 int64_t *id, cc_error *err);

#endif
