/*
 * app/followup: the follow-up use cases that belong to a plan.
 *
 * app_followup_sync_plan turns the follow-up schedule stored in an approved
 * plan's body into visit rows (missing visits inserted, scheduled ones
 * re-dated, resolved ones untouched: store/followup). It opens the write
 * transaction, or joins the caller's (the plan approval generates the visits
 * in its own transaction, so an approved plan never lacks them), reads the
 * plan inside it, and writes every visit with its audit entry.
 *
 * Errors: CC_NOT_FOUND "id" without the plan; CC_CONFLICT "wrong_state" when
 * the plan is not approved; CC_INTERNAL "corrupt_plan" when the stored
 * schedule is unreadable. Memory comes from the context's arena. Not
 * thread-safe (one app_ctx per thread).
 */
#ifndef CC_APP_FOLLOWUP_H
#define CC_APP_FOLLOWUP_H

#include <stdint.h>

#include "app/app.h"

cc_status app_followup_sync_plan(app_ctx *c, int64_t plan_id, int *created, int *redated,
                                 cc_error *err);

#endif
