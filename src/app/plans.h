/*
 * app/plans: the use cases of a treatment plan: draft, approve, cancel.
 *
 * Each opens the write transaction, reads inside it every fact it decides
 * on, asks core, writes through store/plans (whose status changes all go
 * through core/plan_state) with the audit entry, and commits; on refusal it
 * rolls back and returns core's reason in err.
 *
 * app_plan_approve reads, in one transaction: the plan (it must be a draft),
 * the newest signed eligibility decision (H6, at most 30 days old), the
 * patient's current treatment consent for the programme (H15,
 * app/consents), the patient's newest weight (H4: not stale, and the one the doses rest on),
 * the dose bounds and the stored plan against the spacing rules and today's
 * calendar (H5); then approves, books the slots and generates the follow-up
 * visits (app/followup) in the same transaction. A weight recorded by
 * another client either commits before the approval's transaction (the
 * approval sees it and refuses "weight_changed") or after it (the approval
 * stands on the weight it read): never a mixture. The physician's signature
 * is checked by the caller before the call; the actor is the signer.
 *
 * Errors (err carries field and code): CC_NOT_FOUND "id"; CC_CONFLICT
 * "wrong_state", "eligibility_*", "consent_missing"/"consent_withdrawn",
 * "weight_stale"/"weight_changed",
 * "dose_out_of_range", a spacing or "capacity_taken" refusal; CC_INVALID
 * "weight_missing", "dose_reason"; CC_STORAGE. Memory comes from the context's arena. Not
 * thread-safe (one app_ctx per thread).
 */
#ifndef CC_APP_PLANS_H
#define CC_APP_PLANS_H

#include <stdint.h>

#include "app/app.h"
#include "store/patients.h"
#include "store/plans.h"

/* The patient's newest weight; CC_INVALID "weight_missing" when none (H4). */
cc_status app_newest_weight(const patient_record *pt, int *grams, cc_date *date, cc_error *err);

/* Stores a draft computed from weight_g: refused with CC_CONFLICT
 * "weight_changed" when the patient's newest weight, read inside the
 * transaction, is no longer that one. */
cc_status app_plan_create(app_ctx *c, const plan_new *n, int weight_g, int64_t *id, cc_error *err);

/* meaning NULL: the standard sentence naming the signer, plan and protocol.
 * A patient younger than the dose rule's confirm_below_age_years (a child;
 * age on the plan's earliest day, from the birth date read in the
 * transaction) needs dose_reason: without it CC_INVALID "dose_reason"
 * "required"; with it the signed meaning (plan and audit entry) names the
 * dose per kg, the age and the reason. dose_reason is ignored for an adult.
 * *followup_visits: the visits created. */
cc_status app_plan_approve(app_ctx *c, int64_t id, const char *meaning, const char *dose_reason,
                           cc_date today, int *followup_visits, cc_error *err);

cc_status app_plan_cancel(app_ctx *c, int64_t id, const char *reason, cc_error *err);

/* Moving an approved plan (or one in progress): app_plan_move_item puts
 * planned administration `item` on `date`; app_plan_shift moves `item` (0:
 * the first one not given) and every later one by `days`. Inside one write
 * transaction they read the plan, its pinned protocol version, the
 * administrations already given (they never move; spacing counts from the
 * day they were given) and the clinic calendar without the plan's own
 * slots; core/planner decides (its move_* codes name the blocking rule);
 * then the plan's dates and body are written (each moved administration
 * keeps its first planned date as "original_date"), its slots booked
 * again, the scheduled follow-up visits re-dated (app/followup) and one
 * audit entry with the reason written. A refusal writes nothing.
 * reason is required (CC_INVALID "reason" "required"); *redated receives
 * the visits re-dated. Errors also: CC_NOT_FOUND "id", CC_CONFLICT
 * "wrong_state". */
typedef struct {
    int64_t id;
    int item;
    cc_date date; /* app_plan_move_item */
    int days;     /* app_plan_shift */
    const char *reason;
    cc_date today;
} app_plan_move;

cc_status app_plan_move_item(app_ctx *c, const app_plan_move *m, int *redated, cc_error *err);
cc_status app_plan_shift(app_ctx *c, const app_plan_move *m, int *redated, cc_error *err);

#endif
