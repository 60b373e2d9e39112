#include "app/demo.h"

#include <string.h>

#include "app/laboratory.h"
#include "core/bedside.h"
#include "core/plan_state.h"
#include "store/bedside.h"
#include "store/lab.h"
#include "store/plans.h"

/* The events the recorded administrations move the approved plan through,
 * applied after them as the bedside would: a unit can only be reserved for
 * an item of an active plan. */
static cc_status advance_history(const app_ctx *ctx, const demo_fu_patient *p, int64_t plan_id,
                                 cc_error *err)
{
    cc_status st = CC_OK;
    if (p->n_admins > 0)
        st = plan_store_advance(ctx->d, &ctx->actor, plan_id, PLAN_EV_START, err);
    if (st == CC_OK && p->n_admins > 0 && p->n_admins >= p->n_planned)
        st = plan_store_advance(ctx->d, &ctx->actor, plan_id, PLAN_EV_COMPLETE, err);
    return st;
}

/* The laboratory's use case reserves the unit for the plan item and issues
 * it to the ward, as the lab does before a bedside record. */
static cc_status reserve_and_issue(const app_ctx *ctx, int64_t unit_id, int64_t patient_id,
                                   int64_t plan_id, int plan_item, const char *ward, cc_error *err)
{
    app_ctx c = *ctx;
    lab_unit_row u;
    cc_status st = lab_unit_load(c.d, unit_id, &u, err);
    cc_date today = instant_date(store_now_seconds());
    lab_unit_request reserve = {.event = UNIT_EV_RESERVE,
                                .patient_id = patient_id,
                                .product_type = u.product_type,
                                .plan_id = plan_id,
                                .plan_item = plan_item};
    lab_unit_request issue = {.event = UNIT_EV_ISSUE, .patient_id = patient_id, .ward = ward};
    if (st == CC_OK)
        st = app_lab_unit_act(&c, unit_id, &reserve, today, err);
    if (st == CC_OK)
        st = app_lab_unit_act(&c, unit_id, &issue, today, err);
    return st;
}

/* One given administration, recorded as at the bedside (store
 * administration_create: the record, its unit moved to administered with
 * the lookback link, the audit entry), then completed. Its day is the
 * administration's date, so the unit's checks are those of that day. */
static cc_status record_given(const app_ctx *ctx, const demo_fu_patient *p, size_t i,
                              int64_t plan_id, int64_t operator_id, cc_error *err)
{
    char ref[BEDSIDE_REF_MAX], at[CC_INSTANT_TEXT], ended[CC_INSTANT_TEXT];
    bedside_plan_ref(plan_id, (int)i + 1, ref, sizeof ref);
    cc_date day;
    cc_status st = date_parse(p->admins[i].date, "date", &day, err);
    bedside_unit_row unit = {.u = {.unit_id = p->admins[i].unit_id}};
    if (st == CC_OK && p->admins[i].unit_id)
        st = reserve_and_issue(ctx, p->admins[i].unit_id, p->patient_id, plan_id, (int)i + 1,
                               p->ward, err);
    lab_unit_row row;
    if (st == CC_OK && p->admins[i].unit_id &&
        (st = lab_unit_load(ctx->d, p->admins[i].unit_id, &row, err)) == CC_OK) {
        unit.u.amount = row.u.cells;
        unit.version = row.version;
    }
    instant_format((int64_t)day * 86400 + 9 * 3600, at);
    instant_format((int64_t)day * 86400 + 10 * 3600, ended);
    administration_new n = {.patient_id = p->patient_id,
                            .plan_id = plan_id,
                            .plan_item = (int)i + 1,
                            .plan_ref = ref,
                            .planned_date = p->admins[i].date,
                            .route = p->admins[i].route,
                            .product_type = p->admins[i].product,
                            .dose_unit = p->admins[i].dose_unit,
                            .prescribed = (uint64_t)p->admins[i].amount,
                            .actual = (uint64_t)p->admins[i].amount,
                            .weight_g = p->weight_g,
                            .weight_date = p->screened_on,
                            .started_at = at,
                            .operator_id = operator_id,
                            .operator_name = "demo",
                            .notes = "synthetic demonstration record",
                            .units = &unit,
                            .n_units = p->admins[i].unit_id ? 1 : 0};
    int64_t id = 0;
    if (st == CC_OK)
        st = administration_create(ctx->d, &ctx->actor, &n, day, &id, err);
    if (st == CC_OK)
        st = administration_complete(ctx->d, &ctx->actor, id, ended, "", "", "", NULL, 0, err);
    return st;
}

cc_status app_demo_history(const app_ctx *ctx, const demo_fu_patient *p, cc_error *err)
{
    cc_status st = db_tx_begin(ctx->d, err);
    if (st != CC_OK)
        return st;
    int64_t plan_id = 0, operator_id = 0;
    st = demo_store_followup_patient(ctx->d, p, PLAN_APPROVED, &plan_id, &operator_id, err);
    for (size_t i = 0; st == CC_OK && plan_id && i < p->n_admins; i++)
        st = record_given(ctx, p, i, plan_id, operator_id, err);
    if (st == CC_OK && plan_id && p->next_item > 0 && p->next_unit_id) {
        st = reserve_and_issue(ctx, p->next_unit_id, p->patient_id, plan_id, p->next_item, p->ward,
                               err);
    }
    if (st == CC_OK && plan_id)
        st = advance_history(ctx, p, plan_id, err);
    return db_tx_end(ctx->d, st, err);
}

cc_status app_demo_candidates(const app_ctx *ctx, demo_candidate *out, size_t cap, size_t *n,
                              cc_error *err)
{
    return demo_store_synthetic_patients(ctx->d, out, cap, n, err);
}
