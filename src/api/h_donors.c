/* Donors: anonymous or autologous, consent, screening tests, eligibility. */
#include <stdlib.h>
#include <string.h>

#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
#include "core/lab_rules.h"
#include "app/laboratory.h"
#include "store/lab.h"

static cc_status reply_donor(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    return api_reply_id_view(req, status, lab_donor_json, id, "donor", err);
}

cc_status h_donor_list(api_request *req, cc_error *err)
{
    api_page p;
    cc_status st = api_page_begin(req, &p, err);
    const char *q = api_query(req, "q");
    if (st == CC_OK && q && strlen(q) > 40)
        st = cc_fail(err, CC_INVALID, "q", "too_long", "q is longer than 40 bytes");
    if (st == CC_OK)
        st = lab_donor_list_json(req->db, req->who.site_id, q, p.page, p.per_page, p.rows, &p.total,
                                 err);
    return api_page_reply(req, st, &p, err);
}

/* A donor code is 1..20 of A-Z, 0-9 and '-'; anonymous: no names. */
static cc_status check_code(const char *code, cc_error *err)
{
    size_t n = code ? strlen(code) : 0;
    if (code && (n == 0 || n > 20 || strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != n))
        return cc_fail(err, CC_INVALID, "code", "invalid_value",
                       "a donor code is 1 to 20 characters A-Z, 0-9 or '-'");
    return CC_OK;
}

cc_status h_donor_create(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"code", JF_STRING, false, 20},
                                        {"kind", JF_STRING, true, 12},
                                        {"patient_id", JF_INTEGER, false, 0},
                                        {"consent_date", JF_STRING, false, 10},
                                        {"consent_reference", JF_STRING, false, 200},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = lab_check_body(req->body, fields, err);
    lab_donor_fields f = {json_get_string(req->body, "code"),
                          json_get_string(req->body, "kind"),
                          0,
                          json_get_string(req->body, "consent_date"),
                          json_get_string(req->body, "consent_reference"),
                          false,
                          req->who.site_id};
    if (st == CC_OK)
        st = check_code(f.code, err);
    if (st == CC_OK)
        st = lab_body_id(req->body, "patient_id", false, &f.patient_id, err);
    if (st == CC_OK)
        st = lab_body_past_date(req->body, "consent_date", false, err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    int64_t id = 0;
    st = app_lab_donor_create(&ctx, &f, &id, err);
    return api_reply_created(req, st, "/api/v1/donors", id, reply_donor, err);
}

cc_status h_donor_get(api_request *req, cc_error *err)
{
    return api_get_record(req, reply_donor, err);
}

cc_status h_donor_update(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"consent_date", JF_STRING, true, 10},
                                        {"consent_reference", JF_STRING, false, 200},
                                        {"reason", JF_STRING, false, 1000},
                                        {"version", JF_INTEGER, false, 0},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id, version = 0;
    cc_status st = api_id_text_body(req, fields, &id, err);
    if (st == CC_OK)
        st = lab_body_past_date(req->body, "consent_date", true, err);
    if (st == CC_OK)
        st = api_expected_version(req, &version, err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    st = app_lab_donor_set_consent(&ctx, id, version, json_get_string(req->body, "consent_date"),
                                   json_get_string(req->body, "consent_reference"),
                                   json_get_string(req->body, "reason"), err);
    return st == CC_OK ? reply_donor(req, 200, id, err) : st;
}

cc_status h_donor_add_test(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"test", JF_STRING, true, 16},
                                        {"result", JF_STRING, true, 16},
                                        {"sampled_on", JF_STRING, true, 10},
                                        {"reason", JF_STRING, false, 1000},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id, test_id;
    cc_status st = api_id_text_body(req, fields, &id, err);
    if (st == CC_OK)
        st = lab_body_past_date(req->body, "sampled_on", true, err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    st = app_lab_donor_add_test(&ctx, id, json_get_string(req->body, "test"),
                                json_get_string(req->body, "result"),
                                json_get_string(req->body, "sampled_on"),
                                json_get_string(req->body, "reason"), &test_id, err);
    return st == CC_OK ? reply_donor(req, 201, id, err) : st;
}

cc_status h_donor_eligibility(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"decision", JF_STRING, true, 16},
                                        {"reason", JF_STRING, false, 1000},
                                        {"password", JF_STRING, true, 256},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_signed(req, api_id_text_body(req, fields, &id, err), err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    st = app_lab_donor_decide(&ctx, id, json_get_string(req->body, "decision"),
                              json_get_string(req->body, "reason"), err);
    return st == CC_OK ? reply_donor(req, 200, id, err) : st;
}
