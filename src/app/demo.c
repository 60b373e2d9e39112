#include "app/demo.h"

#include "core/plan_state.h"

/* The status the recorded administrations would have moved the approved plan to. */
static cc_status history_status(const demo_fu_patient *p, plan_state *status, cc_error *err)
{
    *status = PLAN_APPROVED;
    cc_status st = CC_OK;
    if (p->n_admins > 0)
        st = plan_state_apply(*status, PLAN_EV_START, status, err);
    if (st == CC_OK && p->n_admins > 0 && p->n_admins >= p->n_planned)
        st = plan_state_apply(*status, PLAN_EV_COMPLETE, status, err);
    return st;
}

cc_status app_demo_history(const app_ctx *ctx, const demo_fu_patient *p, cc_error *err)
{
    plan_state status = PLAN_APPROVED;
    cc_status st = p->not_eligible ? CC_OK : history_status(p, &status, err);
    if (st != CC_OK || (st = db_tx_begin(ctx->d, err)) != CC_OK)
        return st;
    st = demo_store_followup_patient(ctx->d, p, status, err);
    return db_tx_end(ctx->d, st, err);
}

cc_status app_demo_candidates(const app_ctx *ctx, demo_candidate *out, size_t cap, size_t *n,
                              cc_error *err)
{
    return demo_store_synthetic_patients(ctx->d, out, cap, n, err);
}
