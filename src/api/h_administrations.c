/* Bedside administrations (issue 5): the check before giving (verify, and
 * again on create), the record with its units, vital signs, completion with
 * the observation tasks, the wristband, the bedside settings.
 *
 * The facts core needs are gathered here: the planned administration from
 * the stored plan and its pinned protocol version (issue 3), the patient's
 * MRN and newest weight, the units found by the scanned DINs, the last
 * lumbar puncture, and the second verifier's password check. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
#include "app/programmes.h"
#include "app/protocol_json.h"
#include "core/bedside.h"
#include "core/vitals.h"
#include "label/label.h"
#include "store/bedside.h"
#include "store/patients.h"
#include "store/plans.h"
#include "store/users.h"

enum { BEDSIDE_WINDOW_DAYS = 1 };

static const json_field ADMIN_FIELDS[] = {
    {"plan_id", JF_INTEGER, true, 0},       {"item", JF_INTEGER, true, 0},
    {"wristband", JF_STRING, true, 40},     {"route", JF_STRING, true, 20},
    {"units", JF_ARRAY, true, 2000},        {"site", JF_STRING, false, 100},
    {"second_verifier", JF_OBJECT, false, 600}, {"override_reason", JF_STRING, false, 2000},
    {"premedication", JF_STRING, false, 2000}, {"notes", JF_STRING, false, 4000},
    {"operators", JF_STRING, false, 400},   {"started_at", JF_STRING, false, 20},
    {NULL, JF_STRING, false, 0},
};

/* Everything gathered for one check; strings live in the arena or here. */
typedef struct {
    bedside_facts f;
    bedside_unit_row units[BEDSIDE_MAX_UNITS];
    bedside_unit views[BEDSIDE_MAX_UNITS];
    char plan_ref[BEDSIDE_REF_MAX], product[16], route[16], planned[CC_DATE_TEXT], weight_date[CC_DATE_TEXT];
    bool volume;
    int64_t plan_id;
    int item;
    char second_name[USER_NAME_MAX + 1];
    patient_record patient;
} gathered;

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* The planned administration `item` of plan `plan_id`, as a prescription. */
static cc_status load_prescription(api_request *req, gathered *g, cc_error *err)
{
    plan_row row;
    cc_status st = plan_store_get(req->db, req->arena, g->plan_id, &row, err);
    if (st == CC_NOT_FOUND)
        return cc_fail(err, CC_NOT_FOUND, "plan_id", "not_found", "no plan with id %lld", (long long)g->plan_id);
    if (st != CC_OK)
        return st;
    protocol *p = arena_alloc(req->arena, sizeof *p);
    plan *pl = arena_alloc(req->arena, sizeof *pl);
    if (!p || !pl)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    if ((st = programme_load(req->db, req->arena, row.protocol_id, row.protocol_version, p, err)) != CC_OK)
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
        if (pl->admins[i].n == g->item)
            a = &pl->admins[i];
    if (!a)
        return cc_fail(err, CC_NOT_FOUND, "item", "not_found", "plan %lld has no administration %d",
                       (long long)g->plan_id, g->item);
    bedside_plan_ref(g->plan_id, g->item, g->plan_ref, sizeof g->plan_ref);
    snprintf(g->route, sizeof g->route, "%s", protocol_route_name(a->route));
    snprintf(g->product, sizeof g->product, "%s", protocol_product_name(a->product));
    lower(g->product);
    date_format(a->date, g->planned);
    g->volume = p->dose.unit == DOSE_MICROLITRES;
    bedside_facts *f = &g->f;
    f->plan_ref = g->plan_ref;
    f->plan_active = strcmp(row.status, "approved") == 0 || strcmp(row.status, "in_progress") == 0;
    f->patient_id = row.patient_id;
    f->route = g->route;
    f->product_type = g->product;
    f->dose = a->amount;
    f->dose_min = p->dose.per_admin_min;
    f->dose_max = p->dose.per_admin_max;
    f->planned_date = a->date;
    f->window_days = BEDSIDE_WINDOW_DAYS;
    f->dose_weight_g = dose_weight;
    f->spacing_hours = p->spacing_hours[RT_INTRATHECAL];
    f->weight_max_age_days = p->dose.weight_max_age_days;
    return CC_OK;
}

static cc_status second_verifier(api_request *req, gathered *g, cc_error *err)
{
    static const json_field fields[] = {{"username", JF_STRING, true, 64},
                                        {"password", JF_STRING, true, 256},
                                        {NULL, JF_STRING, false, 0}};
    json_t *sv = json_object_get(req->body, "second_verifier");
    if (!sv)
        return CC_OK;
    cc_status st = json_check(sv, fields, err);
    if (st != CC_OK) {
        char field[96];
        snprintf(field, sizeof field, "second_verifier.%.40s", err->field);
        snprintf(err->field, sizeof err->field, "%.60s", field);
        return st;
    }
    user_identity who;
    st = api_password_check(req, json_get_string(sv, "username"), json_get_string(sv, "password"), &who, err);
    if (st == CC_RATE_LIMITED)
        snprintf(err->field, sizeof err->field, "second_verifier");
    if (st == CC_UNAUTHENTICATED)
        return cc_fail(err, CC_FORBIDDEN, "second_verifier", "bad_second_signature",
                       "the second verifier's name or password is wrong");
    if (st != CC_OK)
        return st;
    if (strcmp(who.role, "physician") != 0 && strcmp(who.role, "nurse") != 0)
        return cc_fail(err, CC_FORBIDDEN, "second_verifier", "second_verifier_role",
                       "the second verification is made by a physician or a nurse");
    g->f.second_verifier_id = who.id;
    snprintf(g->second_name, sizeof g->second_name, "%s", who.username);
    return CC_OK;
}

/* Reads the body and the database into g (no write). */
static cc_status gather(api_request *req, gathered *g, cc_error *err)
{
    memset(g, 0, sizeof *g);
    cc_status st = lab_check_body(req->body, ADMIN_FIELDS, err);
    if (st == CC_OK)
        st = lab_body_id(req->body, "plan_id", true, &g->plan_id, err);
    int64_t item = 0;
    if (st == CC_OK && (st = lab_body_id(req->body, "item", true, &item, err)) == CC_OK && item > 64)
        st = cc_fail(err, CC_INVALID, "item", "out_of_range", "item is an administration number, 1 to 64");
    g->item = (int)item;
    json_t *units = json_object_get(req->body, "units");
    size_t n = json_array_size(units);
    if (st == CC_OK && (n == 0 || n > BEDSIDE_MAX_UNITS))
        st = cc_fail(err, CC_INVALID, "units", "out_of_range", "scan 1 to %d units", BEDSIDE_MAX_UNITS);
    static const json_field unit_fields[] = {{"din", JF_STRING, true, 32},
                                             {"product_code", JF_STRING, true, 16},
                                             {NULL, JF_STRING, false, 0}};
    for (size_t i = 0; st == CC_OK && i < n; i++) {
        json_t *u = json_array_get(units, i);
        if (!json_is_object(u))
            st = cc_fail(err, CC_INVALID, "units", "invalid_type", "each unit is an object {din, product_code}");
        else if ((st = lab_check_body(u, unit_fields, err)) != CC_OK) {
            char field[96];
            snprintf(field, sizeof field, "units[%zu].%.40s", i, err->field);
            snprintf(err->field, sizeof err->field, "%.60s", field);
        }
    }
    const char *started = json_get_string(req->body, "started_at");
    int64_t started_at = store_now_seconds();
    if (st == CC_OK && started && (st = instant_parse(started, "started_at", &started_at, err)) == CC_OK &&
        (started_at > store_now_seconds() + 300 || started_at < store_now_seconds() - 86400))
        st = cc_fail(err, CC_INVALID, "started_at", "out_of_range", "started_at must be within the last day");
    const char *override = json_get_string(req->body, "override_reason");
    if (st == CC_OK)
        st = second_verifier(req, g, err);
    if (st == CC_OK)
        st = load_prescription(req, g, err);
    if (st == CC_OK)
        st = patient_get(req->db, req->arena, g->f.patient_id, true, &g->patient, err);
    bedside_facts *f = &g->f;
    if (st == CC_OK) {
        f->patient_mrn = g->patient.mrn;
        if (g->patient.n_weights) {
            f->weight_g = g->patient.weights[0].grams;
            snprintf(g->weight_date, sizeof g->weight_date, "%s", g->patient.weights[0].date);
            date_parse(g->weight_date, "weight", &f->weight_date, NULL);
        }
        st = lab_expire_sweep(req, err); /* H3: the stored state says expired when it is */
    }
    for (size_t i = 0; st == CC_OK && i < n; i++) {
        json_t *u = json_array_get(units, i);
        g->units[i].u.din_text = json_get_string(u, "din");
        isbt128_din din;
        char data[ISBT128_DATA_TEXT] = "";
        if (isbt128_parse(json_get_string(u, "din"), NULL, &din, NULL) == CC_OK)
            isbt128_format_data(&din, data);
        st = bedside_find_unit(req->db, data, g->volume, &g->units[i], err);
        g->units[i].u.din_text = json_get_string(u, "din");
        g->units[i].u.product_text = json_get_string(u, "product_code");
        g->views[i] = g->units[i].u;
    }
    if (st == CC_OK)
        st = bedside_last_lp(req->db, f->patient_id, &f->last_lp_at, err);
    int64_t recorded = 0;
    if (st == CC_OK)
        st = bedside_item_record(req->db, g->plan_ref, &recorded, err);
    f->item_given = recorded != 0;
    f->wristband = json_get_string(req->body, "wristband");
    f->route_given = json_get_string(req->body, "route");
    f->units = g->views;
    f->n_units = n;
    f->now = started_at;
    f->today = api_today();
    f->operator_id = req->who.id;
    f->override_requested = override != NULL;
    f->override_by_physician = strcmp(req->who.role, "physician") == 0;
    f->override_reason = override;
    return st;
}

static json_t *verdict_json(const api_request *req, const bedside_verdict *v)
{
    bool fr = strcmp(req->who.language, "fr") == 0;
    json_t *reasons = json_array();
    for (size_t i = 0; i < v->n && i < BEDSIDE_MAX_REASONS; i++) {
        const bedside_reason *r = &v->reasons[i];
        json_array_append_new(reasons, json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", bedside_code_name(r->code),
                                                 "field", r->field, "message", fr ? r->fr : r->en, "en", r->en,
                                                 "fr", r->fr));
    }
    return reasons;
}

static json_t *prescription_json(const gathered *g)
{
    return json_pack("{s:s, s:I, s:i, s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:s}", "plan_ref",
                     g->plan_ref, "plan_id", (json_int_t)g->plan_id, "item", g->item, "patient_id",
                     (json_int_t)g->f.patient_id, "patient_mrn", g->patient.mrn, "family_name",
                     g->patient.family_name, "given_names", g->patient.given_names, "dose",
                     (json_int_t)g->f.dose, "dose_min", (json_int_t)g->f.dose_min, "dose_max",
                     (json_int_t)g->f.dose_max, "dose_unit", g->volume ? "microlitres" : "cells", "route",
                     g->route, "product_type", g->product, "planned_date", g->planned);
}

cc_status h_administration_verify(api_request *req, cc_error *err)
{
    gathered *g = arena_alloc(req->arena, sizeof *g);
    if (!g)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    cc_status st = gather(req, g, err);
    if (st != CC_OK)
        return st;
    bedside_verdict *v = arena_alloc(req->arena, sizeof *v);
    if (!v)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    bedside_verify(&g->f, v);
    api_reply(req, 200, json_pack("{s:b, s:b, s:I, s:o, s:o}", "go", v->go, "override_used", v->override_used,
                                  "total_amount", (json_int_t)v->total_amount, "reasons", verdict_json(req, v),
                                  "prescription", prescription_json(g)));
    return CC_OK;
}

static cc_status reply_administration(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    cc_status st = administration_json(req->db, id, &b, err);
    if (st == CC_OK)
        st = lab_reply_text(req, status, b.data, err);
    buf_release(&b);
    return st;
}

cc_status h_administration_create(api_request *req, cc_error *err)
{
    gathered *g = arena_alloc(req->arena, sizeof *g);
    bedside_verdict *v = arena_alloc(req->arena, sizeof *v);
    if (!g || !v)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    cc_status st = gather(req, g, err);
    if (st != CC_OK)
        return st;
    if (!bedside_verify(&g->f, v)) {
        bool fr = strcmp(req->who.language, "fr") == 0;
        api_reply(req, 409, json_pack("{s:o}", "reasons", verdict_json(req, v)));
        return cc_fail(err, CC_CONFLICT, v->reasons[0].field, "bedside_refused", "%s",
                       fr ? v->reasons[0].fr : v->reasons[0].en);
    }
    char started[CC_INSTANT_TEXT];
    instant_format(g->f.now, started);
    administration_new n = {
        .patient_id = g->f.patient_id,
        .plan_id = g->plan_id,
        .plan_item = g->item,
        .plan_ref = g->plan_ref,
        .planned_date = g->planned,
        .route = g->route,
        .site = json_get_string(req->body, "site"),
        .product_type = g->product,
        .dose_unit = g->volume ? "microlitres" : "cells",
        .prescribed = g->f.dose,
        .actual = v->total_amount,
        .weight_g = g->f.weight_g,
        .weight_date = g->weight_date,
        .started_at = started,
        .operator_id = req->who.id,
        .operator_name = req->who.username,
        .second_id = g->f.second_verifier_id,
        .second_name = g->second_name,
        .override_reason = v->override_used ? g->f.override_reason : "",
        .premedication = json_get_string(req->body, "premedication"),
        .notes = json_get_string(req->body, "notes"),
        .operators = json_get_string(req->body, "operators"),
        .units = g->units,
        .n_units = g->f.n_units,
    };
    store_actor actor = api_actor(req);
    int64_t id;
    st = administration_create(req->db, &actor, &n, api_today(), &id, err);
    if (st != CC_OK)
        return st;
    api_add_header(req, "Location", api_printf(req, "/api/v1/administrations/%lld", (long long)id));
    return reply_administration(req, 201, id, err);
}

cc_status h_administration_list(api_request *req, cc_error *err)
{
    int64_t page, per_page, patient = 0;
    cc_status st = api_paging(req, &page, &per_page, err);
    if (st == CC_OK)
        st = lab_query_id(req, "patient_id", &patient, err);
    if (st != CC_OK)
        return st;
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    int64_t total = 0;
    st = administration_list_json(req->db, patient, page, per_page, &b, &total, err);
    if (st == CC_OK)
        st = lab_reply_page(req, b.data, page, per_page, total, err);
    buf_release(&b);
    return st;
}

cc_status h_administration_get(api_request *req, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    return st == CC_OK ? reply_administration(req, 200, id, err) : st;
}

/* An integer field within [lo, hi]; *has false when absent. */
static cc_status int_field(const json_t *body, const char *name, int *out, bool *has, cc_error *err)
{
    json_t *v = json_object_get(body, name);
    *has = v != NULL;
    if (!v)
        return CC_OK;
    json_int_t x = json_integer_value(v);
    if (x < -100000 || x > 100000)
        return cc_fail(err, CC_INVALID, name, "out_of_range", "%s is out of range", name);
    *out = (int)x;
    return CC_OK;
}

cc_status h_administration_vitals(api_request *req, cc_error *err)
{
    static const json_field fields[] = {
        {"phase", JF_STRING, true, 10},          {"taken_at", JF_STRING, false, 20},
        {"systolic", JF_INTEGER, false, 0},      {"diastolic", JF_INTEGER, false, 0},
        {"heart_rate", JF_INTEGER, false, 0},    {"spo2", JF_INTEGER, false, 0},
        {"temperature", JF_NUMBER, false, 0},    {"respiratory_rate", JF_INTEGER, false, 0},
        {NULL, JF_STRING, false, 0},
    };
    int64_t id, patient = 0;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = lab_check_body(req->body, fields, err);
    const char *phase = json_get_string(req->body, "phase");
    if (st == CC_OK && strcmp(phase, "before") != 0 && strcmp(phase, "during") != 0 && strcmp(phase, "after") != 0)
        st = cc_fail(err, CC_INVALID, "phase", "invalid_value", "phase is before, during or after");
    vitals v = {0};
    if (st == CC_OK)
        st = int_field(req->body, "systolic", &v.systolic, &v.has_systolic, err);
    if (st == CC_OK)
        st = int_field(req->body, "diastolic", &v.diastolic, &v.has_diastolic, err);
    if (st == CC_OK)
        st = int_field(req->body, "heart_rate", &v.heart_rate, &v.has_heart_rate, err);
    if (st == CC_OK)
        st = int_field(req->body, "spo2", &v.spo2, &v.has_spo2, err);
    if (st == CC_OK)
        st = int_field(req->body, "respiratory_rate", &v.respiratory_rate, &v.has_respiratory_rate, err);
    json_t *temp = json_object_get(req->body, "temperature");
    if (st == CC_OK && temp) {
        double c = json_number_value(temp);
        if (!(c >= 25 && c <= 50))
            st = cc_fail(err, CC_INVALID, "temperature", "out_of_range", "temperature is in degrees Celsius, 30 to 45");
        v.has_temperature = true;
        v.temperature_dc = (int)(c * 10 + (c >= 0 ? 0.5 : -0.5));
    }
    if (st == CC_OK)
        st = vitals_check(&v, err);
    const char *taken = json_get_string(req->body, "taken_at");
    int64_t taken_at = store_now_seconds();
    if (st == CC_OK && taken && (st = instant_parse(taken, "taken_at", &taken_at, err)) == CC_OK &&
        taken_at > store_now_seconds() + 300)
        st = cc_fail(err, CC_INVALID, "taken_at", "in_future", "taken_at is in the future");
    char route[16], status[16];
    if (st == CC_OK)
        st = administration_head(req->db, id, &patient, route, status, err);
    vitals_limits limits;
    adverse_rules rules;
    if (st == CC_OK)
        st = bedside_settings_load(req->db, &limits, &rules, err);
    if (st != CC_OK)
        return st;
    vitals_finding found[VITALS_MAX_FINDINGS];
    size_t n = vitals_abnormal(&v, &limits, found);
    bool fr = strcmp(req->who.language, "fr") == 0;
    json_t *abnormal = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(abnormal, json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", found[i].code, "field",
                                                  found[i].field, "message", fr ? found[i].fr : found[i].en, "en",
                                                  found[i].en, "fr", found[i].fr));
    char *text = json_dumps(abnormal, JSON_COMPACT);
    char at[CC_INSTANT_TEXT];
    instant_format(taken_at, at);
    store_actor actor = api_actor(req);
    int64_t vid = 0;
    st = text ? vitals_store_add(req->db, &actor, id, patient, phase, at, &v, text, &vid, err)
              : cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    free(text);
    if (st != CC_OK) {
        json_decref(abnormal);
        return st;
    }
    /* an abnormal sign prompts an adverse-event report; it does not file one */
    api_reply(req, 201, json_pack("{s:I, s:o, s:b}", "id", (json_int_t)vid, "abnormal", abnormal,
                                  "prompt_adverse_event", n > 0));
    return CC_OK;
}

cc_status h_administration_complete(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"ended_at", JF_STRING, false, 20},   {"premedication", JF_STRING, false, 2000},
                                        {"notes", JF_STRING, false, 4000},    {"operators", JF_STRING, false, 400},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id, patient;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = lab_check_body(req->body, fields, err);
    const char *ended = json_get_string(req->body, "ended_at");
    int64_t ended_at = store_now_seconds();
    if (st == CC_OK && ended && (st = instant_parse(ended, "ended_at", &ended_at, err)) == CC_OK &&
        ended_at > store_now_seconds() + 300)
        st = cc_fail(err, CC_INVALID, "ended_at", "in_future", "ended_at is in the future");
    char route[16], status[16];
    if (st == CC_OK)
        st = administration_head(req->db, id, &patient, route, status, err);
    if (st != CC_OK)
        return st;
    obs_task tasks[OBS_MAX_TASKS];
    size_t n = obs_plan_generate(route, ended_at, tasks, OBS_MAX_TASKS);
    char at[CC_INSTANT_TEXT];
    instant_format(ended_at, at);
    store_actor actor = api_actor(req);
    st = administration_complete(req->db, &actor, id, at, json_get_string(req->body, "premedication"),
                                 json_get_string(req->body, "notes"), json_get_string(req->body, "operators"), tasks,
                                 n, err);
    return st == CC_OK ? reply_administration(req, 200, id, err) : st;
}

cc_status h_administration_task_done(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"note", JF_STRING, false, 1000}, {NULL, JF_STRING, false, 0}};
    int64_t id, task;
    cc_status st = lab_check_body(req->body, fields, err); /* the body first: 400 before 404 */
    if (st == CC_OK)
        st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = api_param_id(req, 1, &task, err);
    if (st != CC_OK)
        return st;
    store_actor actor = api_actor(req);
    st = observation_task_done(req->db, &actor, id, task, json_get_string(req->body, "note"), err);
    return st == CC_OK ? reply_administration(req, 200, id, err) : st;
}

static cc_status wristband(api_request *req, label_format format, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    patient_record p;
    if (st == CC_OK)
        st = patient_get(req->db, req->arena, id, false, &p, err);
    if (st != CC_OK)
        return st;
    wristband_data w = {p.mrn, p.family_name, p.given_names, p.birth_date};
    buf b;
    buf_init(&b, 16 << 20);
    st = label_wristband(&w, format, &b, err);
    char *bytes = st == CC_OK ? arena_alloc(req->arena, b.len ? b.len : 1) : NULL;
    if (st == CC_OK && !bytes)
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    if (st == CC_OK) {
        memcpy(bytes, b.data, b.len);
        api_reply_raw(req, 200, format == LABEL_PDF ? "application/pdf" : "image/png", bytes, b.len);
    }
    buf_release(&b);
    return st;
}

cc_status h_patient_wristband_pdf(api_request *req, cc_error *err) { return wristband(req, LABEL_PDF, err); }
cc_status h_patient_wristband_png(api_request *req, cc_error *err) { return wristband(req, LABEL_PNG, err); }

#define SETTING_NAMES(X)                                                                             \
    X(limits, systolic_low) X(limits, systolic_high) X(limits, diastolic_low) X(limits, diastolic_high) \
    X(limits, heart_rate_low) X(limits, heart_rate_high) X(limits, spo2_low)                        \
    X(limits, temperature_low_dc) X(limits, fever_dc) X(limits, respiratory_rate_low)               \
    X(limits, respiratory_rate_high) X(rules, initial_hours) X(rules, fatal_days)                   \
    X(rules, followup_days) X(rules, other_days) X(rules, due_soon_hours)

static json_t *settings_json(const vitals_limits *limits, const adverse_rules *rules)
{
    json_t *o = json_object();
#define PUT(obj, f) json_object_set_new(o, #f, json_integer(obj->f));
    SETTING_NAMES(PUT)
#undef PUT
    return o;
}

cc_status h_bedside_settings_get(api_request *req, cc_error *err)
{
    vitals_limits limits;
    adverse_rules rules;
    cc_status st = bedside_settings_load(req->db, &limits, &rules, err);
    if (st == CC_OK)
        api_reply(req, 200, settings_json(&limits, &rules));
    return st;
}

cc_status h_bedside_settings_set(api_request *req, cc_error *err)
{
    static const json_field fields[] = {
#define FIELD(obj, f) {#f, JF_INTEGER, false, 0},
        SETTING_NAMES(FIELD)
#undef FIELD
        {NULL, JF_STRING, false, 0}};
    vitals_limits limits_v, *limits = &limits_v;
    adverse_rules rules_v, *rules = &rules_v;
    cc_status st = json_check(req->body, fields, err);
    if (st == CC_OK)
        st = bedside_settings_load(req->db, limits, rules, err);
    bool has;
    int value;
#define READ(obj, f)                                                                                 \
    if (st == CC_OK && (st = int_field(req->body, #f, &value, &has, err)) == CC_OK && has)           \
        obj->f = value;
    SETTING_NAMES(READ)
#undef READ
    if (st == CC_OK)
        st = vitals_check_limits(limits, err);
    if (st == CC_OK)
        st = adverse_check_rules(rules, err);
    store_actor actor = api_actor(req);
    if (st == CC_OK)
        st = bedside_settings_save(req->db, &actor, limits, rules, err);
    if (st == CC_OK)
        api_reply(req, 200, settings_json(limits, rules));
    return st;
}
