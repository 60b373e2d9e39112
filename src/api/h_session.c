/* Sessions, bearer tokens and user accounts. */
#include <stdio.h>
#include <string.h>

#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/login.h"
#include "api/signature.h"
#include "api/app_context.h"
#include "app/users.h"
#include "core/date.h"
#include "core/patient.h"
#include "store/sites.h"

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

/* The answer of a login and of GET /session: must_change_password tells the
 * client that the session may only change its password or log out. */
static json_t *session_json(const user_identity *who, const char *csrf)
{
    return json_pack("{s:s, s:o, s:b, s:b}", "csrf", csrf, "user", user_json(who),
                     "must_change_password", who->must_change_password, "mfa_enrolment_required",
                     who->mfa_enrolment_only);
}

/* "site": the site the session works in ({"code", "name", ...}), null when
 * the user is a member of none. */
static cc_status add_site(api_request *req, json_t *reply, int64_t site_id, cc_error *err)
{
    buf b;
    buf_init(&b, 1 << 16);
    cc_status st = site_json(req->db, site_id, &b, err);
    json_t *site = st == CC_OK ? json_loads(b.data, 0, NULL) : NULL;
    buf_release(&b);
    if (st == CC_NOT_FOUND) {
        cc_error_clear(err);
        st = CC_OK;
    }
    if (st == CC_OK)
        json_object_set_new(reply, "site", site ? site : json_null());
    return st;
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
    {"username", JF_STRING, true, 64},       {"password", JF_STRING, true, 256},
    {"label", JF_STRING, false, 100},        {"expires_in_days", JF_INTEGER, false, 0},
    {"scope", JF_STRING, false, 8},          {"totp", JF_STRING, false, 16},
    {"recovery_code", JF_STRING, false, 32}, {NULL, JF_STRING, false, 0},
};

/* Checks username and password (api_password_check's throttle); notice may be NULL. */
static cc_status login(api_request *req, user_identity *who, login_notice *notice, cc_error *err)
{
    cc_status st = json_check(req->body, CREDENTIALS, err);
    if (st != CC_OK)
        return st;
    const char *username = json_get_string(req->body, "username");
    const char *password = json_get_string(req->body, "password");
    st = api_login(req, username, password, who, notice, err);
    if (st == CC_RATE_LIMITED)
        snprintf(err->field, sizeof err->field, "username");
    return st;
}

cc_status h_session_create(api_request *req, cc_error *err)
{
    for (const char *const *only = (const char *const[]){"label", "expires_in_days", "scope", NULL};
         *only; only++)
        if (json_has(req->body, *only))
            return cc_fail(err, CC_INVALID, *only, "unknown_field", "unknown field %s", *only);
    user_identity who;
    login_notice notice;
    cc_status st = login(req, &who, &notice, err);
    char secret[SECRET_HEX];
    if (st == CC_OK)
        st = session_create(req->db, &who, secret, err);
    if (st != CC_OK)
        return st;
    api_add_header(req, "Set-Cookie",
                   api_printf(req, "%s=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d%s",
                              api_session_cookie_name(req), secret, SESSION_ABSOLUTE_SECONDS,
                              req->over_tls ? "; Secure" : ""));
    json_t *reply = session_json(&who, who.csrf);
    if ((st = add_site(req, reply, who.site_id, err)) != CC_OK) {
        json_decref(reply);
        return st;
    }
    if (notice.failed_attempts > 0)
        json_object_set_new(reply, "security_notice", notice_json(&notice));
    api_reply(req, 200, reply);
    return CC_OK;
}

cc_status h_session_get(api_request *req, cc_error *err)
{
    json_t *reply = session_json(&req->who, req->who.by_token ? "" : req->who.csrf);
    cc_status st = add_site(req, reply, req->who.site_id, err);
    if (st != CC_OK) {
        json_decref(reply);
        return st;
    }
    api_reply(req, 200, reply);
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
    api_add_header(req, "Set-Cookie",
                   api_printf(req, "%s=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0%s",
                              api_session_cookie_name(req), req->over_tls ? "; Secure" : ""));
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
    /* the staff pages are in English and French (German: patient pages only) */
    if (!language || (strcmp(language, "en") != 0 && strcmp(language, "fr") != 0))
        return cc_fail(err, CC_INVALID, "language", "invalid_value", "language must be en or fr");
    if ((st = user_set_language(req->db, &req->who, language, err)) != CC_OK)
        return st;
    snprintf(req->who.language, sizeof req->who.language, "%s", language);
    api_reply(req, 200, json_pack("{s:o}", "user", user_json(&req->who)));
    return CC_OK;
}

/* expires_in_days (1 to TOKEN_DAYS_MAX, default the most) and scope ("read"
 * or "full", default full) of a new token. */
static cc_status token_terms(const json_t *body, int *days, const char **scope, cc_error *err)
{
    *days = TOKEN_DAYS_MAX;
    *scope = "full";
    if (json_has(body, "expires_in_days")) {
        json_int_t n = json_integer_value(json_object_get(body, "expires_in_days"));
        if (n < 1 || n > TOKEN_DAYS_MAX)
            return cc_fail(err, CC_INVALID, "expires_in_days", "invalid_value",
                           "expires_in_days must be 1 to %d", TOKEN_DAYS_MAX);
        *days = (int)n;
    }
    if (json_has(body, "scope")) {
        *scope = json_get_string(body, "scope");
        if (strcmp(*scope, "read") != 0 && strcmp(*scope, "full") != 0)
            return cc_fail(err, CC_INVALID, "scope", "invalid_value", "scope must be read or full");
    }
    return CC_OK;
}

cc_status h_token_create(api_request *req, cc_error *err)
{
    /* The request is checked whole before the password is, so a malformed
     * one costs no attempt. */
    int days;
    const char *scope;
    cc_status st = json_check(req->body, CREDENTIALS, err);
    const char *label = json_get_string(req->body, "label");
    if (st == CC_OK && (!label || !*label))
        st = cc_fail(err, CC_INVALID, "label", "required", "label is required");
    if (st == CC_OK)
        st = token_terms(req->body, &days, &scope, err);
    user_identity who;
    if (st == CC_OK)
        st = login(req, &who, NULL, err);
    if (st == CC_OK && who.must_change_password)
        st = cc_fail(err, CC_FORBIDDEN, "password", "password_change_required",
                     "change your password before you create a token");
    if (st == CC_OK && who.mfa_enrolment_only)
        st = cc_fail(err, CC_FORBIDDEN, "", "mfa_enrolment_required",
                     "enrol an authenticator before creating API tokens");
    if (st != CC_OK)
        return st;
    char secret[SECRET_HEX];
    int64_t id;
    if ((st = token_create(req->db, &who, label, days, scope, secret, &id, err)) != CC_OK)
        return st;
    api_reply(req, 201,
              json_pack("{s:I, s:s, s:s, s:s, s:i}", "id", (json_int_t)id, "token", secret, "label",
                        label, "scope", scope, "expires_in_days", days));
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
