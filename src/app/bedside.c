#include "app/bedside.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "app/medications.h"
#include "app/programmes.h"
#include "app/protocol_json.h"
#include "core/dysreflexia.h"
#include "core/paediatric.h"
#include "core/isbt128.h"
#include "core/plan_state.h"
#include "store/bedside.h"
#include "store/consents.h"
#include "store/lab.h"
#include "store/medications.h"
#include "store/patients.h"
#include "store/plans.h"
#include "store/screenings.h"

/* Every fact of one check; the strings live in the arena or here. */
typedef struct {
    bedside_facts f;
    bedside_unit_row units[BEDSIDE_MAX_UNITS];
    bedside_unit views[BEDSIDE_MAX_UNITS];
    char weight_date[CC_DATE_TEXT];
    plan_state status;
    int n_admins;
    char coag_unit[COAG_TEST_COUNT][16];
} gathered;

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* The planned administration rq->item of plan rq->plan_id, as a prescription. */
static cc_status read_prescription(app_ctx *c, const app_bedside_request *rq, gathered *g,
                                   app_bedside_result *out, cc_error *err)
{
    plan_row row;
    cc_status st = plan_store_get(c->d, c->arena, rq->plan_id, &row, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_NOT_FOUND, "plan_id", "not_found", "no plan with id %lld",
                       (long long)rq->plan_id);
    if (st != CC_OK)
        return st;
    if (!plan_state_parse(row.status, &g->status))
        return cc_fail(err, CC_INTERNAL, "status", "corrupt_plan",
                       "plan %lld has an unknown status", (long long)rq->plan_id);
    protocol *p = arena_alloc(c->arena, sizeof *p);
    plan *pl = arena_alloc(c->arena, sizeof *pl);
    if (!p || !pl)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    if ((st = programme_load(c->d, c->arena, row.protocol_id, row.protocol_version, p, err)) !=
        CC_OK)
        return st;
    json_t *body = json_loads(row.body, 0, NULL), *request = json_loads(row.request, 0, NULL);
    st = body ? plan_from_json(body, p, pl, err)
              : cc_fail(err, CC_INTERNAL, "plan", "corrupt_plan", "the stored plan is unreadable");
    json_decref(body);
    int dose_weight = (int)json_integer_value(json_object_get(request, "weight_g"));
    json_decref(request);
    if (st != CC_OK)
        return st;
    const planned_administration *a = NULL;
    for (int i = 0; i < pl->n_admins; i++)
        if (pl->admins[i].n == rq->item)
            a = &pl->admins[i];
    if (!a)
        return cc_fail(err, CC_NOT_FOUND, "item", "not_found", "plan %lld has no administration %d",
                       (long long)rq->plan_id, rq->item);
    g->n_admins = pl->n_admins;
    bedside_plan_ref(rq->plan_id, rq->item, out->plan_ref, sizeof out->plan_ref);
    snprintf(out->route, sizeof out->route, "%s", protocol_route_name(a->route));
    snprintf(out->product_type, sizeof out->product_type, "%s", protocol_product_name(a->product));
    lower(out->product_type);
    date_format(a->date, out->planned_date);
    out->dose_unit = p->dose.unit == DOSE_MICROLITRES ? "microlitres" : "cells";
    out->dose = a->amount;
    out->dose_min = p->dose.per_admin_min;
    out->dose_max = p->dose.per_admin_max;
    out->patient_id = row.patient_id;
    bedside_facts *f = &g->f;
    /* H15: the treatment consent, read in the same transaction as the rest */
    consent_state consent = CONSENT_NONE;
    if ((st = consent_store_state(c->d, row.patient_id, row.protocol_id, "treatment", &consent,
                                  err)) != CC_OK)
        return st;
    f->consent = consent == CONSENT_CURRENT     ? BEDSIDE_CONSENT_CURRENT
                 : consent == CONSENT_WITHDRAWN ? BEDSIDE_CONSENT_WITHDRAWN
                                                : BEDSIDE_CONSENT_NONE;
    f->plan_ref = out->plan_ref;
    f->plan_active = plan_state_is_active(g->status);
    f->patient_id = row.patient_id;
    f->route = out->route;
    f->product_type = out->product_type;
    f->dose = a->amount;
    f->dose_min = p->dose.per_admin_min;
    f->dose_max = p->dose.per_admin_max;
    f->planned_date = a->date;
    f->window_days = APP_BEDSIDE_WINDOW_DAYS;
    f->dose_weight_g = dose_weight;
    f->spacing_hours = p->spacing_hours[RT_INTRATHECAL];
    f->weight_max_age_days = p->dose.weight_max_age_days;
    return CC_OK;
}

/* H16: the newest platelet count, INR and aPTT among the patient's
 * screenings (by sample date; of two on one day, the newer screening's). */
static cc_status coagulation_results(app_ctx *c, gathered *g, cc_error *err)
{
    screening_row *rows = NULL;
    size_t n = 0;
    cc_status st = screening_store_list(c->d, c->arena, g->f.patient_id, NULL, &rows, &n, err);
    for (size_t i = 0; st == CC_OK && i < n; i++) {
        json_t *body = json_loads(rows[i].body ? rows[i].body : "{}", 0, NULL);
        json_t *results = json_object_get(body, "results");
        for (int t = 0; t < COAG_TEST_COUNT; t++) {
            json_t *r = json_object_get(results, coag_test_code((coag_test)t));
            cc_date day;
            const char *unit = json_string_value(json_object_get(r, "unit"));
            json_t *value = json_object_get(r, "value"), *high = json_object_get(r, "ref_high");
            if (!r || !json_is_number(value) ||
                date_parse(json_string_value(json_object_get(r, "date")), "date", &day, NULL) !=
                    CC_OK)
                continue;
            coag_result *x = &g->f.coag[t];
            if (x->has && day <= x->date)
                continue;
            snprintf(g->coag_unit[t], sizeof g->coag_unit[t], "%s", unit ? unit : "");
            *x = (coag_result){true,
                               json_number_value(value),
                               g->coag_unit[t],
                               json_is_number(high),
                               json_number_value(high),
                               day};
        }
        json_decref(body);
    }
    return st;
}

/* Reads every fact of the check into g, in the caller's transaction. */
static cc_status gather(app_ctx *c, const app_bedside_request *rq, gathered *g,
                        app_bedside_result *out, cc_error *err)
{
    memset(g, 0, sizeof *g);
    memset(out, 0, sizeof *out);
    bedside_facts *f = &g->f;
    patient_record patient;
    cc_status st = read_prescription(c, rq, g, out, err);
    if (st == CC_OK)
        st = patient_get(c->d, c->arena, f->patient_id, true, &patient, err);
    if (st == CC_OK) {
        out->patient_mrn = patient.mrn;
        out->family_name = patient.family_name;
        out->given_names = patient.given_names;
        f->patient_mrn = patient.mrn;
        if (patient.n_weights) {
            f->weight_g = patient.weights[0].grams;
            snprintf(g->weight_date, sizeof g->weight_date, "%s", patient.weights[0].date);
            date_parse(g->weight_date, "weight", &f->weight_date, NULL);
        }
    }
    bool volume = out->dose_unit && strcmp(out->dose_unit, "microlitres") == 0;
    for (size_t i = 0; st == CC_OK && i < rq->n_units; i++) {
        isbt128_din din;
        char data[ISBT128_DATA_TEXT] = "";
        if (isbt128_parse(rq->units[i].din, NULL, &din, NULL) == CC_OK)
            isbt128_format_data(&din, data);
        st = bedside_find_unit(c->d, c->site_id, data, volume, &g->units[i], err);
        g->units[i].u.din_text = rq->units[i].din;
        g->units[i].u.product_text = rq->units[i].product_code;
        g->views[i] = g->units[i].u;
    }
    if (st == CC_OK)
        st = bedside_last_lp(c->d, f->patient_id, &f->last_lp_at, err);
    f->today = rq->today;
    if (st == CC_OK)
        st = coagulation_results(c, g, err);
    if (st == CC_OK)
        st = app_coag_medications(c, g->f.patient_id, g->f.today, &g->f.meds, &g->f.n_meds, err);
    int64_t recorded = 0;
    if (st == CC_OK)
        st = bedside_item_record(c->d, out->plan_ref, &recorded, err);
    f->item_given = recorded != 0;
    f->wristband = rq->wristband;
    f->route_given = rq->route;
    f->units = g->views;
    f->n_units = rq->n_units;
    f->now = rq->started_at;
    f->today = rq->today;
    f->operator_id = c->actor.user_id;
    f->second_verifier_id = rq->second_verifier_id;
    f->override_requested = rq->override_reason != NULL;
    f->override_by_physician = strcmp(c->role, "physician") == 0;
    f->override_reason = rq->override_reason;
    return st;
}

cc_status app_bedside_verify(app_ctx *c, const app_bedside_request *rq, app_bedside_result *out,
                             cc_error *err)
{
    gathered *g = arena_alloc(c->arena, sizeof *g);
    if (!g)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    cc_status st = db_begin_read(c->d, err);
    if (st != CC_OK)
        return st;
    st = gather(c, rq, g, out, err);
    db_rollback(c->d);
    if (st == CC_OK)
        bedside_verify(&g->f, &out->verdict);
    return st;
}

static cc_status refused(app_ctx *c, const bedside_verdict *v, cc_error *err)
{
    const bedside_reason *r = &v->reasons[0];
    return cc_fail(err, CC_CONFLICT, r->field, "bedside_refused", "%s",
                   strcmp(c->language, "fr") == 0 ? r->fr : r->en);
}

/* The record of a verified administration, its units and the plan's move. */
static cc_status record(app_ctx *c, const app_bedside_request *rq, const gathered *g,
                        app_bedside_result *out, cc_error *err)
{
    const bedside_verdict *v = &out->verdict;
    char started[CC_INSTANT_TEXT];
    instant_format(rq->started_at, started);
    administration_new n = {
        .patient_id = g->f.patient_id,
        .plan_id = rq->plan_id,
        .plan_item = rq->item,
        .plan_ref = out->plan_ref,
        .planned_date = out->planned_date,
        .route = out->route,
        .site = rq->site,
        .product_type = out->product_type,
        .dose_unit = out->dose_unit,
        .prescribed = g->f.dose,
        .actual = v->total_amount,
        .weight_g = g->f.weight_g,
        .weight_date = g->weight_date,
        .started_at = started,
        .operator_id = c->actor.user_id,
        .operator_name = c->actor.username,
        .second_id = rq->second_verifier_id,
        .second_name = rq->second_verifier_name ? rq->second_verifier_name : "",
        .override_reason = v->override_used ? rq->override_reason : "",
        .premedication = rq->premedication,
        .notes = rq->notes,
        .operators = rq->operators,
        .units = g->units,
        .n_units = rq->n_units,
    };
    cc_status st =
        administration_create(c->d, &c->actor, &n, rq->today, &out->administration_id, err);
    if (st == CC_OK && g->status == PLAN_APPROVED)
        st = plan_store_advance(c->d, &c->actor, rq->plan_id, PLAN_EV_START, err);
    int64_t given = 0;
    if (st == CC_OK)
        st = bedside_plan_given_count(c->d, rq->plan_id, &given, err);
    if (st == CC_OK && given >= g->n_admins)
        st = plan_store_advance(c->d, &c->actor, rq->plan_id, PLAN_EV_COMPLETE, err);
    return st;
}

cc_status app_bedside_administer(app_ctx *c, const app_bedside_request *rq, app_bedside_result *out,
                                 cc_error *err)
{
    gathered *g = arena_alloc(c->arena, sizeof *g);
    if (!g)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    /* H3: the stored state says expired when it is, before anything is read */
    store_actor system = {0, "system"};
    int64_t expired = 0;
    st = lab_units_expire(c->d, &system, rq->today, &expired, err);
    if (st == CC_OK)
        st = gather(c, rq, g, out, err);
    if (st == CC_OK)
        st = bedside_verify(&g->f, &out->verdict) ? record(c, rq, g, out, err)
                                                  : refused(c, &out->verdict, err);
    return db_tx_end(c->d, st, err);
}

/* The most rostral level recorded (details.level) on the patient's spinal
 * cord injury conditions; "" when none. */
static cc_status sci_level(app_ctx *c, int64_t patient_id, char out[8], cc_error *err)
{
    out[0] = '\0';
    patient_record p;
    cc_status st = patient_get(c->d, c->arena, patient_id, true, &p, err);
    for (size_t i = 0; st == CC_OK && i < p.n_conditions; i++) {
        if (!sci_condition_code(p.conditions[i].icd10))
            continue;
        const char *text = p.conditions[i].details_json;
        json_t *details = json_loads(text ? text : "{}", 0, NULL);
        const char *level = json_string_value(json_object_get(details, "level"));
        if (sci_level_is_valid(level) && (!out[0] || sci_level_higher(level, out) == level))
            snprintf(out, 8, "%s", level);
        json_decref(details);
    }
    return st;
}

/* Autonomic dysreflexia (core/dysreflexia.h): the reading against the
 * patient's baseline, read before the reading is stored. */
static cc_status dysreflexia_finding(app_ctx *c, int64_t patient_id, int64_t administration_id,
                                     int64_t taken_at, const vitals *v, bool *found,
                                     vitals_finding *out, cc_error *err)
{
    *found = false;
    if (!v->has_systolic)
        return CC_OK;
    char level[8];
    cc_status st = sci_level(c, patient_id, level, err);
    if (st != CC_OK || !sci_level_at_or_above_t6(level))
        return st;
    char at[CC_INSTANT_TEXT];
    instant_format(taken_at, at);
    bool has = false;
    int baseline = 0;
    st = vitals_baseline_systolic(c->d, patient_id, administration_id, at, &has, &baseline, err);
    if (st == CC_OK)
        *found = vitals_dysreflexia(level, has, baseline, v, out);
    return st;
}

/* A child's limits by age band on the day of the reading (core/paediatric),
 * read inside the transaction; an adult keeps the site's limits. */
static cc_status child_limits(app_ctx *c, int64_t patient_id, int64_t taken_at,
                              vitals_limits *limits, int *age_months, paed_sex *sex, cc_error *err)
{
    patient_record pt;
    cc_status st = patient_get(c->d, c->arena, patient_id, false, &pt, err);
    cc_date birth;
    cc_error ignored;
    *age_months = -1;
    *sex = PAED_SEX_UNKNOWN;
    if (st != CC_OK || !pt.birth_date ||
        date_parse(pt.birth_date, "birth_date", &birth, &ignored) != CC_OK)
        return st;
    *age_months = paed_age_months(birth, instant_date(taken_at));
    *sex = paed_sex_parse(pt.sex);
    paed_vitals_limits(*age_months, limits);
    return CC_OK;
}

cc_status app_bedside_vitals(app_ctx *c, int64_t administration_id, const char *phase,
                             int64_t taken_at, const vitals *v, json_t **abnormal, int64_t *id,
                             cc_error *err)
{
    *abnormal = NULL;
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    int64_t patient = 0;
    char route[16], status[16];
    vitals_limits limits;
    adverse_rules rules;
    if ((st = administration_head(c->d, administration_id, &patient, route, status, err)) == CC_OK)
        st = bedside_settings_load(c->d, &limits, &rules, err);
    json_t *found_json = json_array();
    char *text = NULL;
    vitals_finding found[VITALS_MAX_FINDINGS + 2];
    bool dysreflexia = false;
    int age_months = -1;
    paed_sex sex = PAED_SEX_UNKNOWN;
    if (st == CC_OK)
        st = child_limits(c, patient, taken_at, &limits, &age_months, &sex, err);
    if (st == CC_OK)
        st = dysreflexia_finding(c, patient, administration_id, taken_at, v, &dysreflexia,
                                 &found[0], err);
    if (st == CC_OK) {
        size_t n = dysreflexia + vitals_abnormal(v, &limits, found + dysreflexia);
        n += paed_hypertension(age_months, sex, v, &found[n]);
        bool fr = strcmp(c->language, "fr") == 0;
        for (size_t i = 0; i < n; i++)
            json_array_append_new(found_json, json_pack("{s:s, s:s, s:s, s:s, s:s}", "code",
                                                        found[i].code, "field", found[i].field,
                                                        "message", fr ? found[i].fr : found[i].en,
                                                        "en", found[i].en, "fr", found[i].fr));
        text = json_dumps(found_json, JSON_COMPACT);
        if (!text)
            st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    }
    char at[CC_INSTANT_TEXT];
    instant_format(taken_at, at);
    if (st == CC_OK)
        st = vitals_store_add(c->d, &c->actor, administration_id, patient, phase, at, v, text, id,
                              err);
    free(text);
    st = db_tx_end(c->d, st, err);
    if (st == CC_OK)
        *abnormal = found_json;
    else
        json_decref(found_json);
    return st;
}

cc_status app_bedside_complete(app_ctx *c, int64_t administration_id, int64_t ended_at,
                               const char *premedication, const char *notes, const char *operators,
                               cc_error *err)
{
    cc_status st = db_tx_begin(c->d, err);
    if (st != CC_OK)
        return st;
    int64_t patient = 0;
    char route[16], status[16];
    obs_task tasks[OBS_MAX_TASKS];
    size_t n = 0;
    vitals_limits limits;
    adverse_rules rules;
    if ((st = administration_head(c->d, administration_id, &patient, route, status, err)) == CC_OK)
        st = bedside_settings_load(c->d, &limits, &rules, err);
    if (st == CC_OK)
        n = obs_plan_generate(route, ended_at, limits.lie_flat_minutes, tasks, OBS_MAX_TASKS);
    char at[CC_INSTANT_TEXT];
    instant_format(ended_at, at);
    if (st == CC_OK)
        st = administration_complete(c->d, &c->actor, administration_id, at, premedication, notes,
                                     operators, tasks, n, err);
    return db_tx_end(c->d, st, err);
}
