/*
 * app/screening: record a pre-treatment work-up with its evaluated
 * eligibility, and the physician's signed decision on it (H6).
 *
 * Create: inside the write transaction the use case reads the programme's
 * latest protocol version (CC_INVALID "unknown_protocol" when there is none)
 * and the patient (age, conditions; CC_INVALID "unknown_patient" when
 * absent), completes the work-up with the injury taken from the condition
 * that falls under the protocol's indications when the caller gave none,
 * asks core/eligibility for the verdict and reasons, and stores the
 * screening, with the protocol version its rules came from, and its audit
 * entry.
 *
 * Decide: the caller has checked the signer's password (the signature stays
 * with the interface and its throttle); inside the transaction the use case
 * reads the screening, asks core whether the decision is allowed on the
 * computed verdict (override needs a reason), refuses a second decision
 * (CC_CONFLICT "already_decided") and records the signed decision.
 *
 * Errors: CC_INVALID naming the field, CC_NOT_FOUND, CC_CONFLICT, storage
 * errors; nothing written on any error. Memory: JSON texts built here live
 * in the ctx's arena. Not thread-safe (one ctx each).
 */
#ifndef CC_APP_SCREENING_H
#define CC_APP_SCREENING_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "core/eligibility.h"
#include "core/protocol.h"
#include "core/screening.h"
#include "store/screenings.h"

/* A neurological level such as C5, T10, L1 or S2. */
bool app_screening_level_is_valid(const char *level);

/* s holds the parsed results, findings, history and (has_injury) the
 * injury the caller gave; the use case fills age, conditions and, when
 * absent, the injury from the patient's record. work_up is the request's
 * work-up (borrowed, not changed): what is stored, with the injury source
 * and the age added. */
cc_status app_screening_create(const app_ctx *c, int64_t patient_id, const char *protocol_id,
                               screening *s, const json_t *work_up, int64_t *id, cc_error *err);

/* Whether the decision may be signed on the screening as stored now
 * (CC_NOT_FOUND, the override rule, CC_CONFLICT "already_decided"): the
 * caller asks after it has checked the signer's password (a wrong password
 * must not tell whether the screening exists), before the decision;
 * app_screening_decide asks again inside its transaction. row and *override
 * receive what was read. */
cc_status app_screening_decide_check(const app_ctx *c, int64_t id, eligibility_verdict decision,
                                     const char *override_reason, screening_row *row,
                                     bool *override, cc_error *err);

/* meaning NULL: the standard text naming the signer, the decision and the
 * programme. override_reason NULL: none. */
cc_status app_screening_decide(const app_ctx *c, int64_t id, eligibility_verdict decision,
                               const char *override_reason, const char *meaning, cc_error *err);

#endif
