#include "lab_rules.h"

#include <stdio.h>
#include <string.h>

static bool in_list(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

static const char *const PRODUCT_TYPES[] = {"uc-msc", "ucb-sc",    "bm-msc", "ad-msc",
                                            "pl-msc", "secretome", NULL};
static const char *const PRODUCT_LABELS[] = {"UC-MSC", "UCB-SC",    "BM-MSC", "AD-MSC",
                                             "PL-MSC", "Secretome", NULL};
static const char *const SOURCES[] = {"cord-blood",  "cord-tissue", "placenta",
                                      "bone-marrow", "adipose",     NULL};
static const char *const STEPS[] = {
    "isolation",        "passage",    "harvest",       "formulation",
    "cryopreservation", "cm-harvest", "concentration", NULL};
static const char *const ELIGIBILITY[] = {"eligible", "ineligible", "incomplete", NULL};

bool lab_product_type_is_valid(const char *s)
{
    return in_list(s, PRODUCT_TYPES);
}
bool lab_source_is_valid(const char *s)
{
    return in_list(s, SOURCES);
}
bool lab_step_is_valid(const char *s)
{
    return in_list(s, STEPS);
}
bool lab_eligibility_is_valid(const char *s)
{
    return in_list(s, ELIGIBILITY);
}

const char *lab_product_type_label(const char *s)
{
    for (size_t i = 0; s && PRODUCT_TYPES[i]; i++)
        if (strcmp(s, PRODUCT_TYPES[i]) == 0)
            return PRODUCT_LABELS[i];
    return s ? s : "";
}

static cc_status check_autologous(const lab_unit *u, int64_t patient_id, cc_error *err)
{
    if (u->owner_patient_id != 0 && patient_id != u->owner_patient_id)
        return cc_fail(err, CC_CONFLICT, "patient_id", "autologous_other_patient",
                       "this autologous unit belongs to another patient; it can never be given "
                       "to anyone else");
    return CC_OK;
}

cc_status lab_check_reserve(const lab_unit *u, const lab_reservation *r, cc_date on, cc_error *err)
{
    if (!u || !r || r->patient_id <= 0)
        return cc_fail(err, CC_INVALID, "patient_id", "required", "a patient is required");
    if (!lab_product_type_is_valid(r->product_type))
        return cc_fail(err, CC_INVALID, "product_type", "invalid_value", "unknown product type");
    if (u->state != UNIT_RELEASED)
        return cc_fail(err, CC_CONFLICT, "unit", "unit_not_released",
                       "unit is %s: only a released unit can be reserved",
                       unit_state_name(u->state));
    if (unit_is_expired(u->expiry, on)) {
        char text[CC_DATE_TEXT];
        date_format(u->expiry, text);
        return cc_fail(err, CC_CONFLICT, "unit", "unit_expired", "unit expired on %s", text);
    }
    if (!u->product_type || strcmp(u->product_type, r->product_type) != 0)
        return cc_fail(err, CC_CONFLICT, "product_type", "product_type_mismatch",
                       "the unit is %s, the administration needs %s",
                       lab_product_type_label(u->product_type),
                       lab_product_type_label(r->product_type));
    cc_status st = check_autologous(u, r->patient_id, err);
    if (st != CC_OK)
        return st;
    if (r->dose_cells > 0) {
        /* cells <= dose * (1 + tol/100), written without overflow for realistic doses */
        uint64_t upper = r->dose_cells + r->dose_cells / 100 * LAB_DOSE_TOLERANCE_PERCENT;
        if (u->cells < r->dose_cells || u->cells > upper)
            return cc_fail(err, CC_CONFLICT, "dose_cells", "dose_mismatch",
                           "the unit holds %llu cells; the dose is %llu cells (up to %d %% more "
                           "allowed)",
                           (unsigned long long)u->cells, (unsigned long long)r->dose_cells,
                           LAB_DOSE_TOLERANCE_PERCENT);
    }
    return CC_OK;
}

cc_status lab_check_issue(const lab_unit *u, int64_t patient_id, cc_date on, cc_error *err)
{
    if (!u)
        return cc_fail(err, CC_INVALID, "unit", "required", "no unit");
    cc_status st = unit_check_issuable(u->state, u->expiry, on, err);
    if (st != CC_OK)
        return st;
    if (patient_id <= 0)
        return cc_fail(err, CC_INVALID, "patient_id", "required",
                       "a unit is issued for one patient");
    if ((st = check_autologous(u, patient_id, err)) != CC_OK)
        return st;
    if (u->state == UNIT_RESERVED && u->reserved_patient_id != patient_id)
        return cc_fail(err, CC_CONFLICT, "patient_id", "patient_mismatch",
                       "the unit is reserved for another patient");
    return CC_OK;
}

cc_status lab_check_administer(const lab_unit *u, int64_t patient_id, cc_date on, cc_error *err)
{
    if (!u)
        return cc_fail(err, CC_INVALID, "unit", "required", "no unit");
    cc_status st = unit_check_administrable(u->state, u->expiry, on, err);
    if (st != CC_OK)
        return st;
    if ((st = check_autologous(u, patient_id, err)) != CC_OK)
        return st;
    if (patient_id <= 0 || u->issued_patient_id != patient_id)
        return cc_fail(err, CC_CONFLICT, "patient_id", "patient_mismatch",
                       "the unit was issued for another patient");
    return CC_OK;
}

cc_status lab_check_batch_open(const char *batch_status, cc_error *err)
{
    if (batch_status && strcmp(batch_status, "in_process") == 0)
        return CC_OK;
    return cc_fail(err, CC_CONFLICT, "status", "batch_closed",
                   "the batch is %s: it takes no more changes",
                   batch_status ? batch_status : "closed");
}

cc_status lab_check_unit_create(const lab_unit_origin *o, cc_error *err)
{
    cc_status st = lab_check_batch_open(o->batch_status, err);
    if (st != CC_OK)
        return st;
    if (!o->code_configured || !o->code_active)
        return cc_fail(err, CC_INVALID, "product_code", "unknown_product_code",
                       "product code %s is not one the site is licensed to use",
                       o->product_code ? o->product_code : "");
    const char *code_type = o->code_product_type ? o->code_product_type : "";
    const char *batch_type = o->batch_product_type ? o->batch_product_type : "";
    if (strcmp(code_type, batch_type) != 0)
        return cc_fail(err, CC_INVALID, "product_code", "product_type_mismatch",
                       "product code %s is for %s, the batch makes %s", o->product_code,
                       lab_product_type_label(code_type), lab_product_type_label(batch_type));
    if (o->division > 0 && o->division_taken)
        return cc_fail(err, CC_CONFLICT, "division", "duplicate",
                       "division %d of this batch exists", o->division);
    return CC_OK;
}

int64_t lab_unit_request_patient(const lab_unit *u, const lab_unit_request *r)
{
    if (r->event == UNIT_EV_RESERVE)
        return r->patient_id;
    if (r->event == UNIT_EV_ISSUE)
        return r->patient_id ? r->patient_id : u->reserved_patient_id;
    return 0;
}

static bool is_blank(const char *text)
{
    for (const char *p = text; p && *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            return false;
    return true;
}

static cc_status patient_on_record(const lab_unit_facts *f, int64_t patient_id, cc_error *err)
{
    if (f->patient_exists)
        return CC_OK;
    return cc_fail(err, CC_NOT_FOUND, "patient_id", "not_found", "no patient with id %lld",
                   (long long)patient_id);
}

/* A reservation for a planned administration: that administration exists, is
 * the patient's, of an active plan, not given yet, and prescribes the
 * unit's product. */
static cc_status plan_item_fits(const lab_unit_request *r, const lab_plan_item_facts *it,
                                cc_error *err)
{
    if (!it->found)
        return cc_fail(err, CC_NOT_FOUND, "plan_item", "not_found",
                       "no such planned administration");
    if (it->patient_id != r->patient_id)
        return cc_fail(err, CC_CONFLICT, "plan_item", "plan_other_patient",
                       "this planned administration is another patient's");
    if (!it->active)
        return cc_fail(err, CC_CONFLICT, "plan_item", "plan_not_active",
                       "the plan is not approved or is closed");
    if (it->given)
        return cc_fail(err, CC_CONFLICT, "plan_item", "item_already_given",
                       "this planned administration is already given");
    if (strcmp(it->product_type, r->product_type ? r->product_type : ""))
        return cc_fail(err, CC_CONFLICT, "product_type", "product_type_mismatch",
                       "the planned administration prescribes %.16s", it->product_type);
    return CC_OK;
}

/* release and restock put a unit back in use: its batch must be released
 * and still pass its release check (H2, H13). */
static cc_status batch_still_releasable(const lab_unit_facts *f, cc_error *err)
{
    const char *status = f->batch_status ? f->batch_status : "";
    if (strcmp(status, "released") != 0)
        return cc_fail(err, CC_CONFLICT, "unit", "batch_not_released",
                       "the unit's batch is %s: only QA's batch release releases its units",
                       status);
    if (!f->batch_passes_release)
        return cc_fail(
            err, CC_CONFLICT, "unit", "release_blocked", "the batch no longer passes release: %s",
            f->release_block && *f->release_block ? f->release_block : "results not examined");
    return CC_OK;
}

cc_status lab_decide_unit_action(const lab_unit *u, const lab_unit_request *r,
                                 const lab_unit_facts *f, cc_date today, lab_unit_change *c,
                                 cc_error *err)
{
    *c = (lab_unit_change){.reserved_patient_id = -1, .issued_patient_id = -1};
    unit_event e = r->event;
    const char *reason = r->reason ? r->reason : "";
    bool needs_reason =
        e == UNIT_EV_HOLD || e == UNIT_EV_DISCARD || e == UNIT_EV_RESTOCK || e == UNIT_EV_RETURN;
    if (needs_reason && is_blank(r->reason))
        return cc_fail(err, CC_INVALID, "reason", "reason_required", "%s needs a reason",
                       unit_event_name(e));
    char expiry[CC_DATE_TEXT];
    date_format(u->expiry, expiry);
    bool expired = unit_state_allows(u->state, UNIT_EV_EXPIRE) && unit_is_expired(u->expiry, today);
    if (expired && e != UNIT_EV_EXPIRE && e != UNIT_EV_DISCARD && e != UNIT_EV_HOLD &&
        e != UNIT_EV_RETURN)
        return cc_fail(err, CC_CONFLICT, "unit", "unit_expired", "unit expired on %s", expiry);
    cc_status st = CC_OK;
    switch (e) {
    case UNIT_EV_RELEASE:
    case UNIT_EV_RESTOCK:
        if (unit_state_allows(u->state, e))
            st = batch_still_releasable(f, err);
        snprintf(c->note, sizeof c->note, "%s", reason);
        break;
    case UNIT_EV_RESERVE: {
        lab_reservation res = {r->patient_id, r->product_type, r->dose_cells};
        if ((st = lab_check_reserve(u, &res, today, err)) == CC_OK)
            st = patient_on_record(f, r->patient_id, err);
        if (st == CC_OK && r->plan_id)
            st = plan_item_fits(r, &f->item, err);
        c->reserved_patient_id = r->patient_id;
        c->reserved_for = r->plan_id ? f->item.ref : "";
        snprintf(c->note, sizeof c->note, "reserved for MRN %.12s%s%.0d", f->patient_mrn,
                 r->plan_id ? ", planned administration " : "", r->plan_item);
        break;
    }
    case UNIT_EV_UNRESERVE:
        c->reserved_patient_id = 0;
        c->reserved_for = "";
        snprintf(c->note, sizeof c->note, "%s", r->reason ? r->reason : "reservation released");
        break;
    case UNIT_EV_ISSUE: {
        int64_t patient = lab_unit_request_patient(u, r);
        if ((st = lab_check_issue(u, patient, today, err)) == CC_OK)
            st = patient_on_record(f, patient, err);
        c->issued_patient_id = patient;
        c->ward = r->ward ? r->ward : "";
        snprintf(c->note, sizeof c->note, "issued to %.100s for MRN %.12s", c->ward,
                 f->patient_mrn);
        break;
    }
    case UNIT_EV_RETURN:
        c->issued_patient_id = 0;
        c->ward = "";
        c->reserved_patient_id = 0;
        c->reserved_for = "";
        snprintf(c->note, sizeof c->note, "%s", reason);
        break;
    case UNIT_EV_ADMINISTER:
        return cc_fail(
            err, CC_INVALID, "event", "bedside_only",
            "administrations are recorded at the bedside (POST /api/v1/administrations)");
    case UNIT_EV_HOLD:
    case UNIT_EV_DISCARD:
    case UNIT_EV_EXPIRE:
        if (e == UNIT_EV_EXPIRE && !unit_is_expired(u->expiry, today))
            st = cc_fail(err, CC_CONFLICT, "unit", "not_expired", "the unit expires on %s", expiry);
        if (e != UNIT_EV_HOLD) {
            c->reserved_patient_id = 0;
            c->reserved_for = "";
        }
        snprintf(c->note, sizeof c->note, "%s", reason);
        break;
    default: return cc_fail(err, CC_INVALID, "event", "invalid_value", "unknown event");
    }
    return st == CC_OK ? unit_state_apply(u->state, e, &c->to, err) : st;
}

cc_status lab_check_qc_result(const char *product_type, const qc_result *r, bool detected_given,
                              bool value_given, const qc_dose *dose, qc_verdict *verdict,
                              bool *quantitative, char why[QC_REASON_TEXT], cc_error *err)
{
    why[0] = '\0';
    *quantitative = false;
    const qc_spec *spec = NULL;
    const qc_spec_item *item = NULL;
    if (qc_spec_find(product_type, &spec, err) != CC_OK)
        return cc_fail(err, CC_CONFLICT, "test", "no_qc_spec",
                       "no QC specification is configured for %s",
                       lab_product_type_label(product_type));
    if (!(item = qc_spec_item_find(spec, r->test)))
        return cc_fail(err, CC_INVALID, "test", "invalid_value",
                       "the %s specification has no test \"%s\"",
                       lab_product_type_label(product_type), r->test ? r->test : "");
    bool qualitative = item->rule == QC_RULE_NEGATIVE || item->rule == QC_RULE_POSITIVE;
    if (!r->pending && qualitative && !detected_given)
        return cc_fail(err, CC_INVALID, "detected", "required",
                       "a final %s result needs detected: true or false", item->name);
    if (!r->pending && !qualitative && !value_given)
        return cc_fail(err, CC_INVALID, "value", "required", "a final %s result needs a value",
                       item->name);
    *verdict = qc_evaluate_dose(item, r, dose, why, QC_REASON_TEXT);
    if (qualitative && !r->pending && r->unit && *r->unit)
        return cc_fail(err, CC_INVALID, "unit", "unexpected", "a qualitative test has no unit");
    *quantitative = !qualitative && !r->pending;
    return CC_OK;
}

bool lab_eligibility_needs_reason(const char *current, const char *decision)
{
    bool is_signed = current && strcmp(current, "incomplete") != 0;
    return is_signed || (decision && strcmp(decision, "ineligible") == 0);
}

bool lab_unit_in_storage(unit_state s)
{
    return s == UNIT_QUARANTINE || s == UNIT_RELEASED || s == UNIT_RESERVED || s == UNIT_RETURNED ||
           s == UNIT_EXPIRED;
}

cc_status lab_check_unit_move(const lab_unit *u, cc_error *err)
{
    if (lab_unit_in_storage(u->state))
        return CC_OK;
    return cc_fail(err, CC_CONFLICT, "unit", "not_in_lab",
                   "the unit is %s: it is not in the lab's storage", unit_state_name(u->state));
}

static cc_status not_after_now(int64_t at, int64_t now, const char *field, cc_error *err)
{
    return at > now ? cc_fail(err, CC_INVALID, field, "in_future", "%s is in the future", field)
                    : CC_OK;
}

static cc_status in_tenths(int value, int low, int high, const char *field, cc_error *err)
{
    if (value >= low && value <= high)
        return CC_OK;
    return cc_fail(err, CC_INVALID, field, "out_of_range", "%s must lie between %d.%d and %d.%d",
                   field, low / 10, low % 10, high / 10, high % 10);
}

cc_status lab_check_freezing(const lab_cryo_facts *u, int concentration_tenths, int rate_tenths,
                             int64_t frozen_at, int64_t now, cc_error *err)
{
    if (u->frozen)
        return cc_fail(err, CC_CONFLICT, "unit", "already_frozen",
                       "this unit already has a freezing record");
    cc_status st = in_tenths(concentration_tenths, 1, 1000, "cryoprotectant_percent", err);
    if (st == CC_OK)
        st = in_tenths(rate_tenths, 1, 1000, "rate_c_per_min", err);
    if (st == CC_OK)
        st = not_after_now(frozen_at, now, "frozen_at", err);
    return st;
}

cc_status lab_check_thaw(const lab_cryo_facts *u, int viability_tenths, int64_t thawed_at,
                         int64_t now, cc_error *err)
{
    if (!u->frozen)
        return cc_fail(err, CC_CONFLICT, "unit", "not_frozen",
                       "this unit has no freezing record: there is nothing to thaw");
    if (u->thawed)
        return cc_fail(err, CC_CONFLICT, "unit", "already_thawed",
                       "this unit already has a thaw record");
    if (u->state == UNIT_ADMINISTERED || u->state == UNIT_DISCARDED || u->state == UNIT_EXPIRED)
        return cc_fail(err, CC_CONFLICT, "unit", "wrong_state", "a unit %s is not thawed for use",
                       unit_state_name(u->state));
    cc_status st = in_tenths(viability_tenths, 0, 1000, "viability_percent", err);
    if (st == CC_OK)
        st = not_after_now(thawed_at, now, "thawed_at", err);
    if (st == CC_OK && thawed_at < u->frozen_at)
        st = cc_fail(err, CC_INVALID, "thawed_at", "before_freezing",
                     "thawed_at is before the unit was frozen");
    return st;
}

cc_status lab_check_cryo_settings(int post_thaw_hours, int min_viability_tenths, cc_error *err)
{
    if (post_thaw_hours < 1 || post_thaw_hours > 168)
        return cc_fail(err, CC_INVALID, "post_thaw_hours", "out_of_range",
                       "post_thaw_hours must lie between 1 and 168");
    return in_tenths(min_viability_tenths, 0, 1000, "min_viability_percent", err);
}
