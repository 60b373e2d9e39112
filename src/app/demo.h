/*
 * app/demo: the demonstration generator's use cases (`cellclinic demo`).
 *
 * app_demo_history writes one synthetic patient's past treatment in one
 * write transaction: a decided screening, the plan, its administrations,
 * follow-up visits with their resolutions, observations and adverse events
 * (or a screening signed "not eligible" alone), each row with its audit
 * entry (actor "demo").
 *
 * Why a history is backfilled through a demonstration-only store path
 * (store/demo_followup) rather than through the clinical use cases: those
 * refuse backdated actions by design (an administration must have started
 * within the last day, a visit is resolved when it happens), so months of
 * past care cannot go through app_bedside_administer and its siblings. The
 * store path is therefore narrow: it refuses any patient not marked
 * synthetic (CC_INVALID "patient_id" "not_synthetic"), so its rows are
 * reachable only through a synthetic patient and every page showing them
 * says so.
 *
 * The plan's status is decided here through core/plan_state, as the
 * administrations recorded would have moved it: approved when none is
 * recorded, in_progress when some are, completed when all of the plan's
 * administrations (n_planned) are.
 *
 * app_demo_candidates reads the newest synthetic patients without a plan or
 * a screening (at most cap), newest first.
 *
 * Errors: the store's (CC_INVALID for a patient not synthetic or a data
 * directory without a user), rolled back whole. Strings in p are borrowed.
 * Not thread-safe: one app_ctx (one db) per thread.
 */
#ifndef CC_APP_DEMO_H
#define CC_APP_DEMO_H

#include <stddef.h>

#include "app/app.h"
#include "store/demo_followup.h"

cc_status app_demo_history(const app_ctx *ctx, const demo_fu_patient *p, cc_error *err);

cc_status app_demo_candidates(const app_ctx *ctx, demo_candidate *out, size_t cap, size_t *n,
                              cc_error *err);

#endif
