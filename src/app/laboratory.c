#include "app/laboratory.h"

#include <ctype.h>
#include <string.h>

#include <jansson.h>

#include "core/donor_testing.h"
#include "core/bedside.h"
#include "core/lab_rules.h"
#include "core/plan_state.h"
#include "store/audit.h"
#include "store/bedside.h"
#include "store/plans.h"
#include "store/sites.h"

cc_status app_lab_expire_due(app_ctx *ctx, cc_date today, int64_t *n, cc_error *err)
{
    /* the calendar expires units, not the user whose action found them */
    store_actor system = {0, "system"};
    *n = 0;
    cc_status st = db_tx_begin(ctx->d, err);
    if (st == CC_OK)
        st = lab_units_expire(ctx->d, &system, today, n, err);
    return db_tx_end(ctx->d, st, err);
}

/* Begins a use case that moves units: the due expiries are recorded first,
 * inside its transaction. */
static cc_status begin_moving_units(app_ctx *ctx, cc_date today, int64_t *swept, cc_error *err)
{
    *swept = 0;
    cc_status st = db_tx_begin(ctx->d, err);
    if (st != CC_OK)
        return st;
    st = app_lab_expire_due(ctx, today, swept, err);
    return st == CC_OK ? CC_OK : db_tx_end(ctx->d, st, err);
}

/* Ends it. After the action too: a unit it brought back into the lab
 * (returned, restocked) past its expiry is expired now. A refusal rolled
 * the expiries back with the action, but they hold whatever the action:
 * record them again on their own (outermost transaction only; a failure
 * there is left to the next sweep). */
static cc_status end_moving_units(app_ctx *ctx, cc_date today, int64_t swept, cc_status st,
                                  cc_error *err)
{
    int64_t after = 0;
    if (st == CC_OK)
        st = app_lab_expire_due(ctx, today, &after, err);
    st = db_tx_end(ctx->d, st, err);
    if (st != CC_OK && swept > 0 && db_tx_depth(ctx->d) == 0) {
        cc_error ignored;
        int64_t n;
        (void)app_lab_expire_due(ctx, today, &n, &ignored);
    }
    return st;
}

/* QA's decision on a batch in process: its release (only when ready, H2,
 * H13) or its rejection; its quarantined units follow (released or
 * discarded). */
static cc_status decide_batch(app_ctx *ctx, int64_t batch_id, bool release, const char *reason,
                              cc_date today, lab_readiness *ready, cc_error *err)
{
    int64_t swept;
    cc_status st = begin_moving_units(ctx, today, &swept, err);
    if (st != CC_OK)
        return st;
    lab_batch_facts b;
    st = lab_batch_load(ctx->d, batch_id, &b, err);
    if (st == CC_OK)
        st = lab_check_batch_open(b.status, err);
    if (st == CC_OK && release)
        st = lab_batch_readiness(ctx->d, batch_id, ready, err);
    if (st == CC_OK && release && !ready->ready)
        st = cc_fail(err, CC_CONFLICT, "batch", "release_blocked",
                     "the batch cannot be released: %zu reason%s (first: %s)", ready->n_blocks,
                     ready->n_blocks == 1 ? "" : "s",
                     ready->n_blocks ? ready->blocks[0].message : "results not examined");
    if (st == CC_OK)
        st = lab_batch_record_decision(ctx->d, &ctx->actor, batch_id,
                                       release ? "released" : "rejected", reason, err);
    if (st == CC_OK)
        st = lab_units_batch_event(ctx->d, &ctx->actor, batch_id, UNIT_QUARANTINE,
                                   release ? UNIT_EV_RELEASE : UNIT_EV_DISCARD,
                                   release ? "batch released by QA" : reason, err);
    return end_moving_units(ctx, today, swept, st, err);
}

cc_status app_lab_batch_release(app_ctx *ctx, int64_t batch_id, const char *meaning, cc_date today,
                                lab_readiness *out, cc_error *err)
{
    memset(out, 0, sizeof *out);
    return decide_batch(ctx, batch_id, true, meaning, today, out, err);
}

cc_status app_lab_batch_reject(app_ctx *ctx, int64_t batch_id, const char *reason, cc_date today,
                               cc_error *err)
{
    cc_status st = audit_require_reason(true, reason, err);
    return st == CC_OK ? decide_batch(ctx, batch_id, false, reason, today, NULL, err) : st;
}

cc_status app_lab_batch_add_qc(app_ctx *ctx, int64_t batch_id, const qc_result *r,
                               bool detected_given, bool value_given, const char *method,
                               const char *tested_on, int64_t *id, qc_verdict *verdict,
                               cc_error *err)
{
    cc_status st = db_tx_begin(ctx->d, err);
    if (st != CC_OK)
        return st;
    lab_batch_facts b;
    char why[QC_REASON_TEXT];
    bool quantitative = false;
    qc_dose dose;
    st = lab_batch_load(ctx->d, batch_id, &b, err);
    if (st == CC_OK)
        st = lab_check_batch_open(b.status, err);
    if (st == CC_OK)
        st = lab_batch_dose(ctx->d, batch_id, &dose, err);
    if (st == CC_OK)
        st = lab_check_qc_result(b.product_type, r, detected_given, value_given, &dose, verdict,
                                 &quantitative, why, err);
    if (st == CC_OK)
        st = lab_qc_insert(ctx->d, &ctx->actor, batch_id, r, quantitative, *verdict, why, method,
                           tested_on, id, err);
    return db_tx_end(ctx->d, st, err);
}

cc_status app_lab_unit_create(app_ctx *ctx, int64_t batch_id, const lab_unit_fields *f, int64_t *id,
                              cc_error *err)
{
    cc_status st = db_tx_begin(ctx->d, err);
    if (st != CC_OK)
        return st;
    char fin[ISBT128_FIN_LEN + 1];
    lab_unit_origin_facts facts;
    st = lab_site_fin(ctx->d, fin, err);
    if (st == CC_OK)
        st = lab_unit_origin_load(ctx->d, batch_id, f->product_code, f->division, &facts, err);
    if (st == CC_OK) {
        lab_unit_origin o = {
            facts.batch_status, facts.batch_product_type, f->product_code, facts.code_configured,
            facts.code_active,  facts.code_product_type,  f->division,     facts.division_taken};
        st = lab_check_unit_create(&o, err);
    }
    if (st == CC_OK)
        st = lab_unit_insert(ctx->d, &ctx->actor, batch_id, facts.batch_product_type,
                             facts.owner_patient_id, fin, f, id, err);
    return db_tx_end(ctx->d, st, err);
}

/* The facts core decides a unit action on, read inside the transaction. */
/* The planned administration a reservation names (lab_plan_item_facts), in
 * the caller's transaction. */
static cc_status plan_item_facts(app_ctx *ctx, const lab_unit_request *r, lab_plan_item_facts *it,
                                 cc_error *err)
{
    *it = (lab_plan_item_facts){0};
    arena *own = ctx->arena ? NULL : arena_create(1 << 20);
    arena *a = ctx->arena ? ctx->arena : own;
    if (!a)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    plan_row row;
    cc_status st = plan_store_get(ctx->d, a, r->plan_id, &row, err);
    if (st == CC_OK) {
        plan_state state;
        it->patient_id = row.patient_id;
        it->active = plan_state_parse(row.status, &state) && plan_state_is_active(state);
        json_t *body = json_loads(row.body ? row.body : "{}", 0, NULL);
        size_t k;
        json_t *adm;
        json_array_foreach(json_object_get(body, "administrations"), k, adm)
        {
            if (json_integer_value(json_object_get(adm, "n")) != r->plan_item)
                continue;
            const char *product = json_string_value(json_object_get(adm, "product"));
            snprintf(it->product_type, sizeof it->product_type, "%s", product ? product : "");
            for (char *c = it->product_type; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            bedside_plan_ref(r->plan_id, r->plan_item, it->ref, sizeof it->ref);
            it->found = true;
        }
        json_decref(body);
    }
    arena_release(own);
    if (st == CC_NOT_FOUND)
        return CC_OK;
    int64_t given = 0;
    if (st == CC_OK && it->found)
        st = bedside_item_record(ctx->d, it->ref, &given, err);
    it->given = given != 0;
    return st;
}

static cc_status unit_facts(app_ctx *ctx, const lab_unit_row *u, const lab_unit_request *r,
                            lab_readiness *ready, lab_unit_facts *f, cc_error *err)
{
    *f = (lab_unit_facts){.batch_status = u->batch_status, .release_block = ""};
    cc_status st = CC_OK;
    if (r->event == UNIT_EV_RELEASE || r->event == UNIT_EV_RESTOCK) {
        st = lab_batch_readiness(ctx->d, u->batch_id, ready, err);
        f->batch_passes_release = st == CC_OK && ready->ready;
        if (st == CC_OK && ready->n_blocks)
            f->release_block = ready->blocks[0].message;
    }
    int64_t patient = lab_unit_request_patient(&u->u, r);
    if (st == CC_OK && patient > 0)
        st = lab_patient_exists(ctx->d, patient, &f->patient_exists, err);
    if (st == CC_OK && f->patient_exists)
        st = lab_patient_mrn(ctx->d, patient, f->patient_mrn, sizeof f->patient_mrn, err);
    if (st == CC_OK && r->event == UNIT_EV_RESERVE && r->plan_id)
        st = plan_item_facts(ctx, r, &f->item, err);
    return st;
}

cc_status app_lab_unit_act(app_ctx *ctx, int64_t unit_id, const lab_unit_request *r, cc_date today,
                           cc_error *err)
{
    int64_t swept;
    cc_status st = begin_moving_units(ctx, today, &swept, err);
    if (st != CC_OK)
        return st;
    lab_unit_row u;
    lab_readiness ready;
    lab_unit_facts facts;
    lab_unit_change change;
    st = lab_unit_load(ctx->d, unit_id, &u, err);
    if (st == CC_OK)
        st = unit_facts(ctx, &u, r, &ready, &facts, err);
    if (st == CC_OK)
        st = lab_decide_unit_action(&u.u, r, &facts, today, &change, err);
    if (st == CC_OK)
        st = lab_unit_record_action(ctx->d, &ctx->actor, &u, r->event, &change, r->reason, err);
    return end_moving_units(ctx, today, swept, st, err);
}

cc_status app_lab_unit_move(app_ctx *ctx, int64_t unit_id, const char *freezer, const char *rack,
                            const char *box, const char *position, const char *note, cc_date today,
                            cc_error *err)
{
    int64_t swept;
    cc_status st = begin_moving_units(ctx, today, &swept, err);
    if (st != CC_OK)
        return st;
    lab_unit_row u;
    st = lab_unit_load(ctx->d, unit_id, &u, err);
    if (st == CC_OK)
        st = lab_check_unit_move(&u.u, err);
    if (st == CC_OK)
        st = lab_unit_record_move(ctx->d, &ctx->actor, &u, freezer, rack, box, position, note, err);
    return end_moving_units(ctx, today, swept, st, err);
}

/* The unit's state and its cryopreservation facts, in the caller's transaction. */
static cc_status cryo_facts(app_ctx *ctx, int64_t unit_id, lab_cryo_facts *f, cc_error *err)
{
    lab_unit_row u;
    cc_status st = lab_unit_load(ctx->d, unit_id, &u, err);
    if (st == CC_OK)
        st = lab_unit_cryo_load(ctx->d, unit_id, f, err);
    f->state = u.u.state;
    return st;
}

/* One freezing record (thaw NULL) or one thaw record (freeze NULL). */
static cc_status cryo_record(app_ctx *ctx, int64_t unit_id, const lab_freezing_new *freeze,
                             const lab_thaw_new *thaw, cc_date today, int64_t *id, cc_error *err)
{
    int64_t swept;
    cc_status st = begin_moving_units(ctx, today, &swept, err);
    if (st != CC_OK)
        return st;
    lab_cryo_facts f;
    st = cryo_facts(ctx, unit_id, &f, err);
    if (st == CC_OK)
        st = freeze ? lab_check_freezing(&f, freeze->concentration_tenths, freeze->rate_tenths,
                                         freeze->frozen_at, store_now_seconds(), err)
                    : lab_check_thaw(&f, thaw->viability_tenths, thaw->thawed_at,
                                     store_now_seconds(), err);
    if (st == CC_OK)
        st = freeze ? lab_unit_record_freezing(ctx->d, &ctx->actor, unit_id, freeze, id, err)
                    : lab_unit_record_thaw(ctx->d, &ctx->actor, unit_id, thaw, id, err);
    return end_moving_units(ctx, today, swept, st, err);
}

cc_status app_lab_unit_freeze(app_ctx *ctx, int64_t unit_id, const lab_freezing_new *n,
                              cc_date today, int64_t *id, cc_error *err)
{
    return cryo_record(ctx, unit_id, n, NULL, today, id, err);
}

enum { BATCH_FREEZE_MAX = 1000 };

cc_status app_lab_batch_freeze(app_ctx *ctx, int64_t batch_id, const lab_freezing_new *f,
                               cc_date today, size_t *n, cc_error *err)
{
    *n = 0;
    int64_t swept, *ids = arena_alloc(ctx->arena, BATCH_FREEZE_MAX * sizeof *ids);
    if (!ids)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    cc_status st = begin_moving_units(ctx, today, &swept, err);
    if (st != CC_OK)
        return st;
    lab_batch_facts b;
    lab_cryo_facts fresh = {0};
    size_t count = 0;
    st = lab_batch_load(ctx->d, batch_id, &b, err);
    if (st == CC_OK)
        st = lab_check_freezing(&fresh, f->concentration_tenths, f->rate_tenths, f->frozen_at,
                                store_now_seconds(), err);
    if (st == CC_OK)
        st = lab_batch_units_to_freeze(ctx->d, batch_id, ids, BATCH_FREEZE_MAX, &count, err);
    if (st == CC_OK && count == 0)
        st = cc_fail(err, CC_CONFLICT, "batch", "nothing_to_freeze",
                     "every unit of this batch is frozen already or no longer in use");
    int64_t record;
    for (size_t i = 0; st == CC_OK && i < count; i++)
        st = lab_unit_record_freezing(ctx->d, &ctx->actor, ids[i], f, &record, err);
    if (st == CC_OK)
        *n = count;
    return end_moving_units(ctx, today, swept, st, err);
}

cc_status app_lab_unit_thaw(app_ctx *ctx, int64_t unit_id, const lab_thaw_new *n, cc_date today,
                            int64_t *id, cc_error *err)
{
    return cryo_record(ctx, unit_id, NULL, n, today, id, err);
}

cc_status app_lab_cryo_settings_set(app_ctx *ctx, const char *product, int post_thaw_hours,
                                    int min_viability_tenths, cc_error *err)
{
    cc_status st = lab_check_cryo_settings(post_thaw_hours, min_viability_tenths, err);
    return st == CC_OK ? lab_cryo_settings_set(ctx->d, &ctx->actor, product, post_thaw_hours,
                                               min_viability_tenths, err)
                       : st;
}

cc_status app_lab_donor_decide(app_ctx *ctx, int64_t donor_id, const char *decision,
                               const char *reason, cc_error *err)
{
    if (!lab_eligibility_is_valid(decision))
        return cc_fail(err, CC_INVALID, "decision", "invalid_value",
                       "decision must be eligible, ineligible or incomplete");
    cc_status st = db_tx_begin(ctx->d, err);
    if (st != CC_OK)
        return st;
    lab_donor_screening facts;
    st = lab_donor_screening_load(ctx->d, donor_id, &facts, err);
    if (st == CC_OK)
        st = audit_require_reason(lab_eligibility_needs_reason(facts.eligibility, decision), reason,
                                  err);
    donor_facts f = {&facts.panel,  facts.consent,      facts.tests,
                     facts.n_tests, facts.collected_on, facts.n_collections};
    if (st == CC_OK)
        st = donor_check_eligibility(decision, &f, err);
    if (st == CC_OK)
        st = lab_donor_record_decision(ctx->d, &ctx->actor, donor_id, decision, reason, err);
    return db_tx_end(ctx->d, st, err);
}

cc_status app_lab_donor_panel_set(app_ctx *ctx, const char *kind, const donor_panel *p,
                                  cc_error *err)
{
    if (!donor_kind_is_valid(kind))
        return cc_fail(err, CC_INVALID, "kind", "invalid_value",
                       "kind must be allogeneic or autologous");
    cc_status st = donor_panel_check(p, err);
    return st == CC_OK ? lab_donor_panel_set(ctx->d, &ctx->actor, kind, p, err) : st;
}

/* Each of these is one store write, which is its own write transaction
 * (joined when the caller has one open): nothing else is read or decided. */
cc_status app_lab_site_set_fin(app_ctx *ctx, const char *fin, cc_error *err)
{
    return lab_site_set_fin(ctx->d, &ctx->actor, fin, err);
}

cc_status app_lab_site_set(app_ctx *ctx, const app_lab_site_fields *f, cc_error *err)
{
    cc_status st = db_tx_begin(ctx->d, err);
    if (st == CC_OK && f->fin)
        st = lab_site_set_fin(ctx->d, &ctx->actor, f->fin, err);
    if (st == CC_OK && (f->facility_name || f->facility_address || f->label_language))
        st = lab_site_set_facility(ctx->d, &ctx->actor, f->facility_name, f->facility_address,
                                   f->label_language, err);
    return db_tx_end(ctx->d, st, err);
}

cc_status app_lab_din_allocate(app_ctx *ctx, const char *fin, int year, isbt128_din *out,
                               cc_error *err)
{
    return lab_din_allocate(ctx->d, &ctx->actor, fin, year, out, err);
}

cc_status app_lab_product_code_add(app_ctx *ctx, const char *code, const char *product,
                                   const char *description, int64_t *id, cc_error *err)
{
    return lab_product_code_add(ctx->d, &ctx->actor, code, product, description, id, err);
}

cc_status app_lab_product_code_set_active(app_ctx *ctx, int64_t id, bool active, cc_error *err)
{
    return lab_product_code_set_active(ctx->d, &ctx->actor, id, active, err);
}

cc_status app_lab_donor_create(app_ctx *ctx, const lab_donor_fields *f, int64_t *id, cc_error *err)
{
    lab_donor_fields in_site = *f;
    in_site.site_id = ctx->site_id;
    return lab_donor_create(ctx->d, &ctx->actor, &in_site, id, err);
}

cc_status app_lab_donor_set_consent(app_ctx *ctx, int64_t id, int64_t version,
                                    const char *consent_date, const char *consent_reference,
                                    const char *reason, cc_error *err)
{
    return lab_donor_set_consent(ctx->d, &ctx->actor, id, version, consent_date, consent_reference,
                                 reason, err);
}

cc_status app_lab_donor_add_test(app_ctx *ctx, int64_t donor_id, const char *test,
                                 const char *result, const char *sampled_on, const char *reason,
                                 int64_t *id, cc_error *err)
{
    return lab_donor_add_test(ctx->d, &ctx->actor, donor_id, test, result, sampled_on, reason, id,
                              err);
}

cc_status app_lab_collection_create(app_ctx *ctx, const lab_collection_fields *f, int64_t *id,
                                    cc_error *err)
{
    cc_status st = db_tx_begin(ctx->d, err);
    if (st != CC_OK)
        return st;
    st = lab_collection_create(ctx->d, &ctx->actor, f, id, err);
    lab_donor_screening facts;
    if (st == CC_OK)
        st = lab_donor_screening_load(ctx->d, f->donor_id, &facts, err);
    if (st == CC_OK && strcmp(facts.eligibility, "eligible") == 0) {
        donor_facts df = {&facts.panel,  facts.consent,      facts.tests,
                          facts.n_tests, facts.collected_on, facts.n_collections};
        cc_error why = {0};
        if (donor_check_eligibility("eligible", &df, &why) != CC_OK)
            st = lab_donor_reopen(ctx->d, &ctx->actor, f->donor_id, why.message, err);
    }
    return db_tx_end(ctx->d, st, err);
}

cc_status app_lab_batch_create(app_ctx *ctx, const char *product, const int64_t *collection_ids,
                               size_t n, int64_t *id, cc_error *err)
{
    return lab_batch_create(ctx->d, &ctx->actor, product, collection_ids, n, id, err);
}

cc_status app_lab_batch_add_step(app_ctx *ctx, int64_t batch_id, const lab_step_fields *f,
                                 int64_t *id, cc_error *err)
{
    return lab_batch_add_step(ctx->d, &ctx->actor, batch_id, f, id, err);
}

cc_status app_lab_batch_open_deviation(app_ctx *ctx, int64_t batch_id, const char *description,
                                       int64_t *id, cc_error *err)
{
    return lab_batch_open_deviation(ctx->d, &ctx->actor, batch_id, description, id, err);
}

cc_status app_lab_batch_close_deviation(app_ctx *ctx, int64_t batch_id, int64_t deviation_id,
                                        const char *disposition, cc_error *err)
{
    return lab_batch_close_deviation(ctx->d, &ctx->actor, batch_id, deviation_id, disposition, err);
}

cc_status app_lab_unit_note_event(app_ctx *ctx, int64_t unit_id, const char *event,
                                  const char *note, cc_error *err)
{
    return lab_unit_note_event(ctx->d, &ctx->actor, unit_id, event, note, err);
}

cc_status app_lab_unit_ship(app_ctx *ctx, int64_t unit_id, const char *to_site, const char *note,
                            cc_error *err)
{
    cc_status st = db_tx_begin(ctx->d, err);
    int64_t to = 0;
    if (st == CC_OK)
        st = site_id_by_code(ctx->d, to_site, "to_site", &to, err);
    if (st == CC_NOT_FOUND)
        st = cc_fail(err, CC_INVALID, "to_site", "invalid_value", "no site with that code");
    if (st == CC_OK)
        st = lab_unit_ship(ctx->d, &ctx->actor, unit_id, ctx->site_id, to, note, err);
    return db_tx_end(ctx->d, st, err);
}

cc_status app_lab_unit_receive(app_ctx *ctx, int64_t unit_id, int temperature_dc, const char *note,
                               bool *quarantined, cc_error *err)
{
    return lab_unit_receive(ctx->d, &ctx->actor, unit_id, ctx->site_id, temperature_dc, note,
                            quarantined, err);
}
