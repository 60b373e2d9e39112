/* Sessions, bearer tokens and user accounts. */
#include <stdio.h>
#include <string.h>

#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/signature.h"
#include "api/app_context.h"
#include "app/users.h"
#include "core/date.h"
#include "core/patient.h"

cc_status h_health(api_request *req, cc_error *err)
{
    (void)err;
    api_reply(req, 200, json_pack("{s:s}", "status", "ok"));
    return CC_OK;
}

static json_t *user_json(const user_identity *who)
{
    return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)who->id, "username", who->username,
                     "role", who->role, "language", who->language);
}

static json_t *instant_json(int64_t seconds)
{
    char text[CC_INSTANT_TEXT];
    instant_format(seconds, text);
    return seconds ? json_string(text) : json_null();
}

/* What happened to the account since its owner last logged in. */
static json_t *notice_json(const login_notice *n)
{
    return json_pack("{s:I, s:o, s:o}", "failed_attempts", (json_int_t)n->failed_attempts,
                     "last_failure", instant_json(n->last_failure), "locked_until",
                     instant_json(n->locked_until));
}

static const json_field CREDENTIALS[] = {
    {"username", JF_STRING, true, 64},
    {"password", JF_STRING, true, 256},
    {"label", JF_STRING, false, 100},
    {NULL, JF_STRING, false, 0},
};

/* Checks username and password (api_password_check's throttle); notice may be NULL. */
static cc_status login(api_request *req, user_identity *who, login_notice *notice, cc_error *err)
{
    cc_status st = json_check(req->body, CREDENTIALS, err);
    if (st != CC_OK)
        return st;
    const char *username = json_get_string(req->body, "username");
    const char *password = json_get_string(req->body, "password");
    st = api_password_check(req, username, password, API_PASSWORD_LOGIN, who, notice, err);
    if (st == CC_RATE_LIMITED)
        snprintf(err->field, sizeof err->field, "username");
    return st;
}

cc_status h_session_create(api_request *req, cc_error *err)
{
    if (json_has(req->body, "label"))
        return cc_fail(err, CC_INVALID, "label", "unknown_field", "unknown field label");
    user_identity who;
    login_notice notice;
    cc_status st = login(req, &who, &notice, err);
    char secret[SECRET_HEX];
    if (st == CC_OK)
        st = session_create(req->db, &who, secret, err);
    if (st != CC_OK)
        return st;
    api_add_header(req, "Set-Cookie",
                   api_printf(req, "cc_session=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d",
                              secret, SESSION_ABSOLUTE_SECONDS));
    json_t *reply = json_pack("{s:s, s:o}", "csrf", who.csrf, "user", user_json(&who));
    if (notice.failed_attempts > 0)
        json_object_set_new(reply, "security_notice", notice_json(&notice));
    api_reply(req, 200, reply);
    return CC_OK;
}

cc_status h_session_get(api_request *req, cc_error *err)
{
    (void)err;
    api_reply(req, 200,
              json_pack("{s:s, s:o}", "csrf", req->who.by_token ? "" : req->who.csrf, "user",
                        user_json(&req->who)));
    return CC_OK;
}

cc_status h_session_delete(api_request *req, cc_error *err)
{
    if (req->who.by_token)
        return cc_fail(err, CC_INVALID, "Authorization", "not_a_session",
                       "a bearer token is revoked with DELETE /api/v1/tokens/{id}");
    cc_status st = session_delete(req->db, &req->who, err);
    if (st != CC_OK)
        return st;
    api_add_header(req, "Set-Cookie", "cc_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    api_reply(req, 200, json_pack("{s:b}", "logged_out", 1));
    return CC_OK;
}

cc_status h_session_preferences(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"language", JF_STRING, true, 8},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    const char *language = json_get_string(req->body, "language");
    if (!patient_language_is_valid(language))
        return cc_fail(err, CC_INVALID, "language", "invalid_value", "language must be en or fr");
    if ((st = user_set_language(req->db, &req->who, language, err)) != CC_OK)
        return st;
    snprintf(req->who.language, sizeof req->who.language, "%s", language);
    api_reply(req, 200, json_pack("{s:o}", "user", user_json(&req->who)));
    return CC_OK;
}

cc_status h_token_create(api_request *req, cc_error *err)
{
    user_identity who;
    cc_status st = login(req, &who, NULL, err);
    if (st != CC_OK)
        return st;
    const char *label = json_get_string(req->body, "label");
    if (!label || !*label)
        return cc_fail(err, CC_INVALID, "label", "required", "label is required");
    char secret[SECRET_HEX];
    int64_t id;
    if ((st = token_create(req->db, &who, label, secret, &id, err)) != CC_OK)
        return st;
    api_reply(req, 201,
              json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "token", secret, "label", label));
    return CC_OK;
}

cc_status h_token_list(api_request *req, cc_error *err)
{
    api_page p;
    cc_status st = api_page_begin(req, &p, err);
    if (st == CC_OK)
        st = token_list_json(req->db, req->who.id, p.page, p.per_page, p.rows, &p.total, err);
    return api_page_reply(req, st, &p, err);
}

cc_status h_token_revoke(api_request *req, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = token_revoke(req->db, &req->who, id, err);
    if (st == CC_OK)
        api_reply(req, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1));
    return st;
}

cc_status h_user_list(api_request *req, cc_error *err)
{
    api_page p;
    cc_status st = api_page_begin(req, &p, err);
    if (st == CC_OK)
        st = user_list_json(req->db, p.page, p.per_page, p.rows, &p.total, err);
    return api_page_reply(req, st, &p, err);
}

cc_status h_user_create(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"username", JF_STRING, true, 64},
                                        {"role", JF_STRING, true, 16},
                                        {"password", JF_STRING, true, 256},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    int64_t id;
    app_ctx c = api_app_ctx(req);
    st =
        app_user_add(&c, json_get_string(req->body, "username"), json_get_string(req->body, "role"),
                     json_get_string(req->body, "password"), &id, err);
    if (st != CC_OK)
        return st;
    api_reply(req, 201,
              json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "username",
                        json_get_string(req->body, "username"), "role",
                        json_get_string(req->body, "role")));
    return CC_OK;
}
