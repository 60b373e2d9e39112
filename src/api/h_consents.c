/* Consent documents (list, read, store a new version) and a patient's
 * consents (list, record with the witness's signature or from paper,
 * withdraw). The rules live in app/consents; the witness's password goes
 * through the one signature control (api/signature.h). */
#include <string.h>

#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "app/consents.h"

enum { CONSENT_VIEW_MAX = 1 << 22 };

static cc_status reply_view(api_request *req, unsigned status, cc_status st, const buf *b)
{
    if (st == CC_OK)
        api_reply_json_text(req, status, b->data, b->len);
    return st;
}

cc_status h_consent_document_list(api_request *req, cc_error *err)
{
    const char *latest = api_query(req, "latest");
    if (latest && strcmp(latest, "0") != 0 && strcmp(latest, "1") != 0)
        return cc_fail(err, CC_INVALID, "latest", "invalid_value", "latest must be 0 or 1");
    buf *b;
    cc_status st = api_view_buf(req, CONSENT_VIEW_MAX, &b, err);
    if (st == CC_OK) {
        buf_append(b, "{\"items\":", 9);
        st = consent_store_documents_json(req->db, api_query(req, "protocol"),
                                          api_query(req, "kind"), api_query(req, "language"),
                                          latest && strcmp(latest, "1") == 0, b, err);
        buf_append(b, "}", 1);
    }
    return reply_view(req, 200, st, b);
}

static cc_status reply_document(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    return api_reply_id_view(req, status, consent_store_document_json, id, NULL, err);
}

cc_status h_consent_document_get(api_request *req, cc_error *err)
{
    return api_get_record(req, reply_document, err);
}

cc_status h_consent_document_create(api_request *req, cc_error *err)
{
    static const json_field fields[] = {
        {"protocol", JF_STRING, true, 64}, {"kind", JF_STRING, true, 32},
        {"language", JF_STRING, true, 8},  {"title", JF_STRING, true, 800},
        {"text", JF_STRING, true, 60000},  {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    consent_document_new n = {
        .protocol_id = json_get_string(req->body, "protocol"),
        .kind = json_get_string(req->body, "kind"),
        .language = json_get_string(req->body, "language"),
        .title = json_get_string(req->body, "title"),
        .body = json_get_string(req->body, "text"),
    };
    app_ctx c = api_app_ctx(req);
    int64_t id = 0;
    int version = 0;
    st = app_consent_add_document(&c, &n, &id, &version, err);
    return api_reply_created(req, st, "/api/v1/consent-documents", id, reply_document, err);
}

static cc_status reply_patient_consents(api_request *req, unsigned status, int64_t patient_id,
                                        cc_error *err)
{
    buf *b;
    cc_status st = api_view_buf(req, CONSENT_VIEW_MAX, &b, err);
    if (st == CC_OK) {
        buf_append(b, "{\"items\":", 9);
        st = consent_store_patient_json(req->db, patient_id, b, err);
        buf_append(b, "}", 1);
    }
    return reply_view(req, status, st, b);
}

cc_status h_patient_consent_list(api_request *req, cc_error *err)
{
    return api_get_record(req, reply_patient_consents, err);
}

static cc_status reply_consent(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    return api_reply_id_view(req, status, consent_store_consent_json, id, NULL, err);
}

cc_status h_patient_consent_create(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"document_id", JF_INTEGER, true, 0},
                                        {"signer", JF_STRING, true, 16},
                                        {"signer_name", JF_STRING, true, 800},
                                        {"signer_relation", JF_STRING, false, 800},
                                        {"mode", JF_STRING, true, 16},
                                        {"password", JF_STRING, false, 256},
                                        {"paper_date", JF_STRING, false, 10},
                                        {"paper_reference", JF_STRING, false, 800},
                                        {NULL, JF_STRING, false, 0}};
    int64_t patient_id;
    cc_status st = api_id_body(req, fields, &patient_id, err);
    if (st != CC_OK)
        return st;
    const char *mode = json_get_string(req->body, "mode");
    bool tablet = mode && strcmp(mode, "tablet") == 0;
    /* On the tablet the staff member witnesses with their own password; a
     * paper copy was witnessed on paper, and no password is asked. */
    if (!tablet && json_has(req->body, "password"))
        return cc_fail(err, CC_INVALID, "password", "invalid_value",
                       "password is for a consent signed on the tablet only");
    if (tablet && !json_has(req->body, "password"))
        return cc_fail(err, CC_INVALID, "password", "required",
                       "the witness's password is required for a consent signed on the tablet");
    app_consent_new n = {
        .patient_id = patient_id,
        .document_id = (int64_t)json_integer_value(json_object_get(req->body, "document_id")),
        .signer = json_get_string(req->body, "signer"),
        .signer_name = json_get_string(req->body, "signer_name"),
        .signer_relation = json_get_string(req->body, "signer_relation"),
        .mode = mode,
        .paper_date = json_get_string(req->body, "paper_date"),
        .paper_reference = json_get_string(req->body, "paper_reference"),
    };
    if (tablet &&
        (st = api_check_signature(req, json_get_string(req->body, "password"), err)) != CC_OK)
        return st;
    app_ctx c = api_app_ctx(req);
    int64_t id = 0;
    st = app_consent_record(&c, &n, api_today(), &id, err);
    if (st == CC_OK)
        api_add_header(req, "Location",
                       api_printf(req, "/api/v1/patients/%lld/consents/%lld", (long long)patient_id,
                                  (long long)id));
    return st == CC_OK ? reply_consent(req, 201, id, err) : st;
}

cc_status h_patient_consent_withdraw(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"reason", JF_STRING, true, 4000},
                                        {NULL, JF_STRING, false, 0}};
    int64_t patient_id, id;
    cc_status st = api_id_body(req, fields, &patient_id, err);
    if (st == CC_OK)
        st = api_param_id(req, 1, &id, err);
    if (st != CC_OK)
        return st;
    app_ctx c = api_app_ctx(req);
    st = app_consent_withdraw(&c, patient_id, id, json_get_string(req->body, "reason"), err);
    return st == CC_OK ? reply_consent(req, 200, id, err) : st;
}
