/* Bedside administrations: the check before giving (verify), the record
 * with its units, vital signs, completion with the observation tasks, the
 * wristband, the bedside settings.
 *
 * Here: parsing the body, the second verifier's password check (the
 * server's throttle), and rendering. The facts and the decision belong to
 * app/bedside, which reads them inside its transaction. */
#include <stdlib.h>
#include <string.h>

#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
#include "app/bedside.h"
#include "core/bedside.h"
#include "core/vitals.h"
#include "label/label.h"
#include "store/bedside.h"
#include "store/patients.h"
#include "store/users.h"

static const json_field ADMIN_FIELDS[] = {
    {"plan_id", JF_INTEGER, true, 0},
    {"item", JF_INTEGER, true, 0},
    {"wristband", JF_STRING, true, 40},
    {"route", JF_STRING, true, 20},
    {"units", JF_ARRAY, true, 2000},
    {"site", JF_STRING, false, 100},
    {"second_verifier", JF_OBJECT, false, 600},
    {"override_reason", JF_STRING, false, 2000},
    {"premedication", JF_STRING, false, 2000},
    {"notes", JF_STRING, false, 4000},
    {"operators", JF_STRING, false, 400},
    {"started_at", JF_STRING, false, 20},
    {NULL, JF_STRING, false, 0},
};

static cc_status second_verifier(api_request *req, app_bedside_request *rq, cc_error *err)
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
    st = api_password_check(req, json_get_string(sv, "username"), json_get_string(sv, "password"),
                            API_PASSWORD_SIGNATURE, &who, NULL, err);
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
    rq->second_verifier_id = who.id;
    rq->second_verifier_name = api_printf(req, "%s", who.username);
    return CC_OK;
}

/* Parses the body into rq and checks the second verifier's password (no database read). */
static cc_status parse(api_request *req, app_bedside_request *rq, cc_error *err)
{
    memset(rq, 0, sizeof *rq);
    cc_status st = lab_check_body(req->body, ADMIN_FIELDS, err);
    if (st == CC_OK)
        st = lab_body_id(req->body, "plan_id", true, &rq->plan_id, err);
    int64_t item = 0;
    if (st == CC_OK && (st = lab_body_id(req->body, "item", true, &item, err)) == CC_OK &&
        item > 64)
        st = cc_fail(err, CC_INVALID, "item", "out_of_range",
                     "item is an administration number, 1 to 64");
    rq->item = (int)item;
    json_t *units = json_object_get(req->body, "units");
    size_t n = json_array_size(units);
    if (st == CC_OK && (n == 0 || n > BEDSIDE_MAX_UNITS))
        st = cc_fail(err, CC_INVALID, "units", "out_of_range", "scan 1 to %d units",
                     BEDSIDE_MAX_UNITS);
    static const json_field unit_fields[] = {{"din", JF_STRING, true, 32},
                                             {"product_code", JF_STRING, true, 16},
                                             {NULL, JF_STRING, false, 0}};
    for (size_t i = 0; st == CC_OK && i < n; i++) {
        json_t *u = json_array_get(units, i);
        if (!json_is_object(u))
            st = cc_fail(err, CC_INVALID, "units", "invalid_type",
                         "each unit is an object {din, product_code}");
        else if ((st = lab_check_body(u, unit_fields, err)) != CC_OK) {
            char field[96];
            snprintf(field, sizeof field, "units[%zu].%.40s", i, err->field);
            snprintf(err->field, sizeof err->field, "%.60s", field);
        } else {
            rq->units[i] =
                (app_bedside_scan){json_get_string(u, "din"), json_get_string(u, "product_code")};
        }
    }
    rq->n_units = st == CC_OK ? n : 0;
    const char *started = json_get_string(req->body, "started_at");
    rq->started_at = store_now_seconds();
    if (st == CC_OK && started &&
        (st = instant_parse(started, "started_at", &rq->started_at, err)) == CC_OK &&
        (rq->started_at > store_now_seconds() + 300 ||
         rq->started_at < store_now_seconds() - 86400))
        st = cc_fail(err, CC_INVALID, "started_at", "out_of_range",
                     "started_at must be within the last day");
    if (st == CC_OK)
        st = second_verifier(req, rq, err);
    rq->today = api_today();
    rq->wristband = json_get_string(req->body, "wristband");
    rq->route = json_get_string(req->body, "route");
    rq->override_reason = json_get_string(req->body, "override_reason");
    rq->site = json_get_string(req->body, "site");
    rq->premedication = json_get_string(req->body, "premedication");
    rq->notes = json_get_string(req->body, "notes");
    rq->operators = json_get_string(req->body, "operators");
    return st;
}

static json_t *verdict_json(const api_request *req, const bedside_verdict *v)
{
    bool fr = strcmp(req->who.language, "fr") == 0;
    json_t *reasons = json_array();
    for (size_t i = 0; i < v->n && i < BEDSIDE_MAX_REASONS; i++) {
        const bedside_reason *r = &v->reasons[i];
        json_array_append_new(reasons,
                              json_pack("{s:s, s:s, s:s, s:s, s:s}", "code",
                                        bedside_code_name(r->code), "field", r->field, "message",
                                        fr ? r->fr : r->en, "en", r->en, "fr", r->fr));
    }
    return reasons;
}

static json_t *prescription_json(const app_bedside_request *rq, const app_bedside_result *r)
{
    return json_pack("{s:s, s:I, s:i, s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:s}",
                     "plan_ref", r->plan_ref, "plan_id", (json_int_t)rq->plan_id, "item", rq->item,
                     "patient_id", (json_int_t)r->patient_id, "patient_mrn", r->patient_mrn,
                     "family_name", r->family_name, "given_names", r->given_names, "dose",
                     (json_int_t)r->dose, "dose_min", (json_int_t)r->dose_min, "dose_max",
                     (json_int_t)r->dose_max, "dose_unit", r->dose_unit, "route", r->route,
                     "product_type", r->product_type, "planned_date", r->planned_date);
}

/* The bedside check of the body's request (request and result in the
 * arena): only checked, or, administer, recorded as given. */
static cc_status run_bedside(api_request *req, bool administer, app_bedside_request **rq,
                             app_bedside_result **r, cc_error *err)
{
    *rq = arena_alloc(req->arena, sizeof **rq);
    *r = arena_alloc(req->arena, sizeof **r);
    if (!*rq || !*r)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    cc_status st = parse(req, *rq, err);
    app_ctx c = api_app_ctx(req);
    if (st == CC_OK)
        st = administer ? app_bedside_administer(&c, *rq, *r, err)
                        : app_bedside_verify(&c, *rq, *r, err);
    return st;
}

cc_status h_administration_verify(api_request *req, cc_error *err)
{
    app_bedside_request *rq;
    app_bedside_result *r;
    cc_status st = run_bedside(req, false, &rq, &r, err);
    if (st != CC_OK)
        return st;
    const bedside_verdict *v = &r->verdict;
    api_reply(req, 200,
              json_pack("{s:b, s:b, s:I, s:o, s:o}", "go", v->go, "override_used", v->override_used,
                        "total_amount", (json_int_t)v->total_amount, "reasons",
                        verdict_json(req, v), "prescription", prescription_json(rq, r)));
    return CC_OK;
}

static cc_status reply_administration(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    return api_reply_id_view(req, status, administration_json, id, NULL, err);
}

cc_status h_administration_create(api_request *req, cc_error *err)
{
    app_bedside_request *rq;
    app_bedside_result *r;
    cc_status st = run_bedside(req, true, &rq, &r, err);
    if (st == CC_CONFLICT && strcmp(err->code, "bedside_refused") == 0)
        api_reply(req, 409, json_pack("{s:o}", "reasons", verdict_json(req, &r->verdict)));
    if (st != CC_OK)
        return st;
    api_add_header(
        req, "Location",
        api_printf(req, "/api/v1/administrations/%lld", (long long)r->administration_id));
    return reply_administration(req, 201, r->administration_id, err);
}

cc_status h_administration_list(api_request *req, cc_error *err)
{
    api_page p;
    int64_t patient = 0;
    cc_status st = api_page_begin(req, &p, err);
    if (st == CC_OK)
        st = lab_query_id(req, "patient_id", &patient, err);
    if (st == CC_OK)
        st = administration_list_json(req->db, req->who.site_id, patient, p.page, p.per_page,
                                      p.rows, &p.total, err);
    return api_page_reply(req, st, &p, err);
}

cc_status h_administration_get(api_request *req, cc_error *err)
{
    return api_get_record(req, reply_administration, err);
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

/* An optional instant field of the body into *at (left as it is when
 * absent); CC_INVALID "in_future" when more than five minutes ahead of now. */
static cc_status body_instant(api_request *req, const char *name, int64_t *at, cc_error *err)
{
    const char *text = json_get_string(req->body, name);
    cc_status st = text ? instant_parse(text, name, at, err) : CC_OK;
    if (st == CC_OK && text && *at > store_now_seconds() + 300)
        st = cc_fail(err, CC_INVALID, name, "in_future", "%s is in the future", name);
    return st;
}

cc_status h_administration_vitals(api_request *req, cc_error *err)
{
    static const json_field fields[] = {
        {"phase", JF_STRING, true, 10},       {"taken_at", JF_STRING, false, 20},
        {"systolic", JF_INTEGER, false, 0},   {"diastolic", JF_INTEGER, false, 0},
        {"heart_rate", JF_INTEGER, false, 0}, {"spo2", JF_INTEGER, false, 0},
        {"temperature", JF_NUMBER, false, 0}, {"respiratory_rate", JF_INTEGER, false, 0},
        {NULL, JF_STRING, false, 0},
    };
    int64_t id;
    cc_status st = api_id_text_body(req, fields, &id, err);
    const char *phase = json_get_string(req->body, "phase");
    if (st == CC_OK && strcmp(phase, "before") != 0 && strcmp(phase, "during") != 0 &&
        strcmp(phase, "after") != 0)
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
        st = int_field(req->body, "respiratory_rate", &v.respiratory_rate, &v.has_respiratory_rate,
                       err);
    json_t *temp = json_object_get(req->body, "temperature");
    if (st == CC_OK && temp) {
        double c = json_number_value(temp);
        if (!(c >= 25 && c <= 50))
            st = cc_fail(err, CC_INVALID, "temperature", "out_of_range",
                         "temperature is in degrees Celsius, 30 to 45");
        v.has_temperature = true;
        v.temperature_dc = (int)(c * 10 + (c >= 0 ? 0.5 : -0.5));
    }
    if (st == CC_OK)
        st = vitals_check(&v, err);
    int64_t taken_at = store_now_seconds();
    if (st == CC_OK)
        st = body_instant(req, "taken_at", &taken_at, err);
    app_ctx c = api_app_ctx(req);
    json_t *abnormal = NULL;
    int64_t vid = 0;
    if (st == CC_OK)
        st = app_bedside_vitals(&c, id, phase, taken_at, &v, &abnormal, &vid, err);
    if (st != CC_OK)
        return st;
    /* an abnormal sign prompts an adverse-event report; it does not file one.
     * Autonomic dysreflexia is also named on its own: it is an emergency. */
    json_t *dysreflexia = json_null();
    size_t i;
    json_t *f;
    json_array_foreach(abnormal, i, f)
    {
        if (strcmp(json_string_value(json_object_get(f, "code")), "autonomic_dysreflexia") == 0)
            dysreflexia = json_incref(f);
    }
    api_reply(req, 201,
              json_pack("{s:I, s:o, s:b, s:o}", "id", (json_int_t)vid, "abnormal", abnormal,
                        "prompt_adverse_event", json_array_size(abnormal) > 0,
                        "autonomic_dysreflexia", dysreflexia));
    return CC_OK;
}

cc_status h_administration_complete(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"ended_at", JF_STRING, false, 20},
                                        {"premedication", JF_STRING, false, 2000},
                                        {"notes", JF_STRING, false, 4000},
                                        {"operators", JF_STRING, false, 400},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_text_body(req, fields, &id, err);
    int64_t ended_at = store_now_seconds();
    if (st == CC_OK)
        st = body_instant(req, "ended_at", &ended_at, err);
    app_ctx c = api_app_ctx(req);
    if (st == CC_OK)
        st = app_bedside_complete(&c, id, ended_at, json_get_string(req->body, "premedication"),
                                  json_get_string(req->body, "notes"),
                                  json_get_string(req->body, "operators"), err);
    return st == CC_OK ? reply_administration(req, 200, id, err) : st;
}

cc_status h_administration_task_done(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"note", JF_STRING, false, 1000},
                                        {NULL, JF_STRING, false, 0}};
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
    buf *b = NULL;
    if ((st = api_view_buf(req, 16 << 20, &b, err)) == CC_OK)
        st = label_wristband(&w, format, b, err);
    return api_reply_bytes(req, st, format == LABEL_PDF ? "application/pdf" : "image/png", b, err);
}

cc_status h_patient_wristband_pdf(api_request *req, cc_error *err)
{
    return wristband(req, LABEL_PDF, err);
}
cc_status h_patient_wristband_png(api_request *req, cc_error *err)
{
    return wristband(req, LABEL_PNG, err);
}

static json_t *settings_json(const vitals_limits *limits, const adverse_rules *rules)
{
    json_t *o = json_object();
#define PUT(obj, f) json_object_set_new(o, #f, json_integer(obj->f));
    BEDSIDE_SETTINGS(PUT)
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
        BEDSIDE_SETTINGS(FIELD)
#undef FIELD
            {NULL, JF_STRING, false, 0}};
    vitals_limits limits_v, *limits = &limits_v;
    adverse_rules rules_v, *rules = &rules_v;
    cc_status st = json_check(req->body, fields, err);
    if (st == CC_OK)
        st = bedside_settings_load(req->db, limits, rules, err);
    bool has;
    int value;
#define READ(obj, f)                                                                               \
    if (st == CC_OK && (st = int_field(req->body, #f, &value, &has, err)) == CC_OK && has)         \
        obj->f = value;
    BEDSIDE_SETTINGS(READ)
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
