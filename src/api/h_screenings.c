/* Screenings: the pre-treatment work-up, its evaluated eligibility, and the
 * physician's signed decision (H6). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/signature.h"
#include "app/screening.h"
#include "core/eligibility.h"
#include "core/text.h"
#include "store/patients.h"
#include "store/screenings.h"

static const char *const TRI[] = {"unknown", "no", "yes"};

static cc_status bad(cc_error *err, const char *field, const char *what)
{
    return cc_fail(err, CC_INVALID, field, "invalid_value", "%s %s", field, what);
}

static cc_status sample_date(const json_t *o, const char *field, cc_date today, cc_date *out,
                             cc_error *err)
{
    if (date_parse(json_get_string(o, "date"), field, out, err) != CC_OK)
        return CC_INVALID;
    if (*out > today)
        return bad(err, field, "is in the future");
    return CC_OK;
}

static cc_status parse_results(const json_t *results, cc_date today, screening *s, cc_error *err)
{
    static const json_field quant[] = {
        {"value", JF_NUMBER, true, 0},    {"unit", JF_STRING, true, 15},
        {"ref_low", JF_NUMBER, false, 0}, {"ref_high", JF_NUMBER, false, 0},
        {"date", JF_STRING, true, 10},    {NULL, JF_STRING, false, 0}};
    static const json_field qual[] = {{"positive", JF_BOOLEAN, true, 0},
                                      {"date", JF_STRING, true, 10},
                                      {NULL, JF_STRING, false, 0}};
    const char *code;
    json_t *v;
    json_object_foreach((json_t *)results, code, v)
    {
        char field[48];
        snprintf(field, sizeof field, "results.%.30s", code);
        const screening_test *t = screening_test_find(code);
        if (!t)
            return cc_fail(err, CC_INVALID, field, "unknown_field", "unknown test '%.30s'", code);
        if (s->n_results >= SCREENING_MAX_RESULTS)
            return cc_fail(err, CC_INVALID, "results", "too_many", "too many results");
        cc_status st = json_check(v, t->qualitative ? qual : quant, err);
        if (st != CC_OK) {
            char inner[sizeof err->field];
            memcpy(inner, err->field, sizeof inner);
            if (snprintf(err->field, sizeof err->field, "%s.%.20s", field, inner) < 0)
                err->field[0] = '\0';
            return st;
        }
        screening_result *r = &s->results[s->n_results++];
        memset(r, 0, sizeof *r);
        snprintf(r->test, sizeof r->test, "%s", code);
        if ((st = sample_date(v, field, today, &r->date, err)) != CC_OK)
            return st;
        if (t->qualitative) {
            r->positive = json_get_bool(v, "positive");
            continue;
        }
        r->value = json_number_value(json_object_get(v, "value"));
        snprintf(r->unit, sizeof r->unit, "%s", json_get_string(v, "unit"));
        if (!text_is_clean_utf8(r->unit, strlen(r->unit), false))
            return bad(err, field, "unit is not clean text");
        r->has_ref = json_has(v, "ref_low") && json_has(v, "ref_high");
        if (json_has(v, "ref_low") != json_has(v, "ref_high"))
            return bad(err, field, "needs both ref_low and ref_high");
        if (r->has_ref) {
            r->ref_low = json_number_value(json_object_get(v, "ref_low"));
            r->ref_high = json_number_value(json_object_get(v, "ref_high"));
            if (r->ref_low > r->ref_high)
                return bad(err, field, "reference range is reversed");
        }
    }
    return CC_OK;
}

static cc_status parse_findings(const json_t *findings, cc_date today, screening *s, cc_error *err)
{
    static const json_field fields[] = {{"state", JF_STRING, true, 10},
                                        {"date", JF_STRING, false, 10},
                                        {NULL, JF_STRING, false, 0}};
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)findings, name, v)
    {
        char field[48];
        snprintf(field, sizeof field, "findings.%.30s", name);
        finding_kind k;
        if (!screening_finding_parse(name, &k))
            return cc_fail(err, CC_INVALID, field, "unknown_field", "unknown finding '%.30s'",
                           name);
        cc_status st = json_check(v, fields, err);
        if (st != CC_OK) {
            snprintf(err->field, sizeof err->field, "%s", field);
            return st;
        }
        const char *state = json_get_string(v, "state");
        if (strcmp(state, "normal") == 0)
            s->findings[k] = FINDING_NORMAL;
        else if (strcmp(state, "abnormal") == 0)
            s->findings[k] = FINDING_ABNORMAL;
        else if (strcmp(state, "not_done") == 0)
            s->findings[k] = FINDING_NOT_DONE;
        else
            return bad(err, field, "state must be normal, abnormal or not_done");
        if (s->findings[k] != FINDING_NOT_DONE &&
            (st = sample_date(v, field, today, &s->finding_dates[k], err)) != CC_OK)
            return st;
    }
    return CC_OK;
}

static cc_status parse_history(const json_t *history, screening *s, cc_error *err)
{
    static const json_field fields[] = {{"cancer_history", JF_STRING, false, 7},
                                        {"pregnancy", JF_STRING, false, 7},
                                        {"active_infection", JF_STRING, false, 7},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(history, fields, err);
    if (st != CC_OK)
        return st;
    tri_state *slots[] = {&s->cancer_history, &s->pregnancy, &s->active_infection};
    for (int i = 0; i < 3; i++) {
        const char *v = json_get_string(history, fields[i].name);
        *slots[i] = TRI_UNKNOWN;
        if (!v)
            continue;
        int k = 0;
        while (k < 3 && strcmp(v, TRI[k]) != 0)
            k++;
        if (k == 3)
            return bad(err, fields[i].name, "must be yes, no or unknown");
        *slots[i] = (tri_state)k;
    }
    return CC_OK;
}

/* The injury the caller gives; without one the use case takes it from the
 * patient's conditions. */
static cc_status parse_injury(const json_t *injury, cc_date today, screening *s, cc_error *err)
{
    static const json_field fields[] = {
        {"date", JF_STRING, true, 10}, {"level", JF_STRING, true, 3}, {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(injury, fields, err);
    if (st != CC_OK || (st = date_parse(json_get_string(injury, "date"), "injury.date",
                                        &s->injury_date, err)) != CC_OK)
        return st;
    if (s->injury_date > today)
        return bad(err, "injury.date", "is in the future");
    if (!app_screening_level_is_valid(json_get_string(injury, "level")))
        return bad(err, "injury.level", "must be a level such as C5, T10, L1 or S2");
    snprintf(s->injury_level, sizeof s->injury_level, "%s", json_get_string(injury, "level"));
    s->has_injury = true;
    return CC_OK;
}

static json_t *parsed_or_null(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    return v ? v : json_null();
}

static json_t *screening_json(const screening_row *r)
{
    json_t *decision = json_null();
    if (r->decision)
        decision = json_pack("{s:s, s:b, s:s, s:s, s:s, s:s}", "decision", r->decision, "override",
                             r->override, "override_reason", r->override_reason, "meaning",
                             r->meaning, "signed_by", r->decided_by ? r->decided_by : "",
                             "signed_at", r->decided_at ? r->decided_at : "");
    json_t *reasons = parsed_or_null(r->reasons);
    bool chronic = false;
    size_t i;
    json_t *v;
    json_array_foreach(reasons, i, v) chronic |=
        strcmp(json_get_string(v, "kind") ? json_get_string(v, "kind") : "", "injury_elapsed") == 0;
    return json_pack("{s:I, s:I, s:s, s:i, s:o, s:s, s:o, s:b, s:o, s:s, s:o, s:s, s:s, s:I}", "id",
                     (json_int_t)r->id, "patient_id", (json_int_t)r->patient_id, "protocol",
                     r->protocol_id, "protocol_version", r->protocol_version, "work_up",
                     parsed_or_null(r->body), "verdict", r->verdict, "reasons", reasons, "chronic",
                     chronic, "oldest_date",
                     r->oldest_date ? json_string(r->oldest_date) : json_null(), "evaluated_on",
                     r->evaluated_on, "decision", decision, "created_at", r->created_at,
                     "created_by", r->created_by, "version", (json_int_t)r->version);
}

static cc_status reply_screening(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    screening_row row;
    cc_status st = screening_store_get(req->db, req->arena, id, &row, err);
    if (st != CC_OK)
        return st;
    api_reply(req, status, screening_json(&row));
    return CC_OK;
}

cc_status h_screening_create(api_request *req, cc_error *err)
{
    static const json_field fields[] = {
        {"patient_id", JF_INTEGER, true, 0},  {"protocol", JF_STRING, true, 31},
        {"results", JF_OBJECT, false, 16384}, {"findings", JF_OBJECT, false, 1024},
        {"history", JF_OBJECT, false, 1024},  {"injury", JF_OBJECT, false, 256},
        {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    cc_date today = api_today();
    screening *s = arena_alloc(req->arena, sizeof *s);
    if (!s)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    memset(s, 0, sizeof *s);
    const json_t *results = json_object_get(req->body, "results");
    const json_t *findings = json_object_get(req->body, "findings");
    const json_t *history = json_object_get(req->body, "history");
    const json_t *injury = json_object_get(req->body, "injury");
    if ((results && (st = parse_results(results, today, s, err)) != CC_OK) ||
        (findings && (st = parse_findings(findings, today, s, err)) != CC_OK) ||
        (history && (st = parse_history(history, s, err)) != CC_OK) ||
        (injury && (st = parse_injury(injury, today, s, err)) != CC_OK))
        return st;
    json_t *work_up = json_deep_copy(req->body);
    if (!work_up)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    arena_on_release(req->arena, (arena_cleanup_fn)json_decref, work_up);
    json_object_del(work_up, "patient_id");
    json_object_del(work_up, "protocol");
    app_ctx c = api_app_ctx(req);
    int64_t id = 0;
    st = app_screening_create(&c, json_integer_value(json_object_get(req->body, "patient_id")),
                              json_get_string(req->body, "protocol"), s, work_up, &id, err);
    return api_reply_created(req, st, "/api/v1/screenings", id, reply_screening, err);
}

cc_status h_screening_get(api_request *req, cc_error *err)
{
    return api_get_record(req, reply_screening, err);
}

cc_status h_patient_screenings(api_request *req, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    patient_record pt;
    if (st == CC_OK)
        st = patient_get(req->db, req->arena, id, false, &pt, err);
    const char *protocol_id = api_query(req, "protocol");
    if (st == CC_OK && protocol_id && !protocol_id_is_valid(protocol_id))
        st = cc_fail(err, CC_INVALID, "protocol", "invalid_value", "protocol is not a protocol id");
    screening_row *rows;
    size_t n;
    int64_t page, per_page, total = 0;
    if (st == CC_OK)
        st = api_paging(req, &page, &per_page, err);
    if (st == CC_OK)
        st = screening_store_page(req->db, req->arena, id, protocol_id, page, per_page, &rows, &n,
                                  &total, err);
    if (st != CC_OK)
        return st;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, screening_json(&rows[i]));
    api_reply(req, 200,
              json_pack("{s:o, s:I, s:I, s:I}", "items", items, "page", (json_int_t)page,
                        "per_page", (json_int_t)per_page, "total", (json_int_t)total));
    return CC_OK;
}

cc_status h_screening_decide(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"decision", JF_STRING, true, 16},
                                        {"password", JF_STRING, true, 256},
                                        {"override_reason", JF_STRING, false, 8000},
                                        {"meaning", JF_STRING, false, 800},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_body(req, fields, &id, err);
    if (st != CC_OK)
        return st;
    eligibility_verdict decision;
    if (!eligibility_verdict_parse(json_get_string(req->body, "decision"), &decision))
        return cc_fail(err, CC_INVALID, "decision", "invalid_value",
                       "decision must be eligible or not_eligible");
    const char *reason = json_get_string(req->body, "override_reason");
    const char *meaning = json_get_string(req->body, "meaning");
    if ((reason && (st = text_check_line(reason, "override_reason", 2000, false, err)) != CC_OK) ||
        (meaning && (st = text_check_line(meaning, "meaning", 200, true, err)) != CC_OK))
        return st;
    app_ctx c = api_app_ctx(req);
    screening_row row;
    bool override;
    if ((st = api_check_signature(req, json_get_string(req->body, "password"), err)) != CC_OK ||
        (st = app_screening_decide_check(&c, id, decision, reason, &row, &override, err)) != CC_OK)
        return st;
    if ((st = app_screening_decide(&c, id, decision, reason, meaning, err)) != CC_OK)
        return st;
    return reply_screening(req, 200, id, err);
}
