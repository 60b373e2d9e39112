/* Multi-factor login: the second factor of a login, enrolment of an
 * authenticator, an administrator's reset, and the per-role requirement. */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json_in.h"
#include "api/login.h"
#include "api/signature.h"
#include "render/qr.h"
#include "store/clock.h"
#include "store/mfa.h"

static const char ISSUER[] = "cellclinic";

cc_status api_login(api_request *req, const char *username, const char *password,
                    user_identity *who, login_notice *notice, cc_error *err)
{
    if (notice)
        memset(notice, 0, sizeof *notice);
    cc_status st = api_first_factor_check(req, username, password, API_PASSWORD_LOGIN, who, err);
    if (st != CC_OK)
        return st;
    mfa_state state;
    if ((st = mfa_state_of(req->db, who->id, who->role, &state, err)) != CC_OK)
        return st;
    const char *totp = json_get_string(req->body, "totp");
    const char *recovery = json_get_string(req->body, "recovery_code");
    if (totp && !*totp)
        totp = NULL;
    if (recovery && !*recovery)
        recovery = NULL;
    if (state.enrolled) {
        if (!totp && !recovery)
            return cc_fail(err, CC_UNAUTHENTICATED, "totp", "mfa_required",
                           "this account logs in with a code from its authenticator: send "
                           "totp (or recovery_code) with the password");
        st = mfa_verify_login(req->db, who, store_now_seconds(), totp, recovery, err);
        if (st == CC_UNAUTHENTICATED) {
            cc_error wrong = *err;
            st = api_credential_failed(req, username, API_PASSWORD_LOGIN, err);
            if (st == CC_UNAUTHENTICATED)
                *err = wrong;
        }
        if (st != CC_OK)
            return st;
    }
    who->mfa_enrolment_only = !state.enrolled && state.required;
    return api_credential_passed(req, who, notice, err);
}

static json_t *state_json(const mfa_state *s)
{
    return json_pack("{s:b, s:b, s:b, s:I}", "enrolled", s->enrolled, "pending", s->pending,
                     "required", s->required, "recovery_codes_left", (json_int_t)s->recovery_left);
}

cc_status h_mfa_get(api_request *req, cc_error *err)
{
    mfa_state s;
    cc_status st = mfa_state_of(req->db, req->who.id, req->who.role, &s, err);
    if (st == CC_OK)
        api_reply(req, 200, state_json(&s));
    return st;
}

cc_status h_mfa_enrol(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"password", JF_STRING, true, 256},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(req->body, fields, err);
    if (st == CC_OK)
        st = api_check_signature(req, json_get_string(req->body, "password"), err);
    char secret[TOTP_SECRET_BASE32];
    if (st == CC_OK)
        st = mfa_enrol_begin(req->db, &req->who, secret, err);
    if (st != CC_OK)
        return st;
    char uri[TOTP_URI_MAX];
    if (!totp_uri(ISSUER, req->who.username, secret, uri, sizeof uri))
        return cc_fail(err, CC_INTERNAL, "", "uri_too_long", "the enrolment URI does not fit");
    buf qr;
    buf_init(&qr, 1 << 20);
    st = qr_svg(uri, 4, &qr, err);
    if (st == CC_OK)
        api_reply(req, 200,
                  json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "secret", secret, "otpauth_uri", uri,
                            "qr_svg", qr.data, "algorithm", "SHA1", "digits", TOTP_DIGITS, "period",
                            TOTP_STEP_SECONDS));
    buf_release(&qr);
    return st;
}

cc_status h_mfa_confirm(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"code", JF_STRING, true, 16}, {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(req->body, fields, err);
    char codes[MFA_RECOVERY_CODES][MFA_RECOVERY_CODE_TEXT];
    if (st == CC_OK)
        st = mfa_enrol_confirm(req->db, &req->who, store_now_seconds(),
                               json_get_string(req->body, "code"), codes, err);
    if (st != CC_OK)
        return st;
    json_t *list = json_array();
    for (int i = 0; i < MFA_RECOVERY_CODES; i++)
        json_array_append_new(list, json_string(codes[i]));
    req->who.mfa_enrolment_only = false;
    api_reply(req, 200, json_pack("{s:b, s:o}", "enrolled", 1, "recovery_codes", list));
    return CC_OK;
}

cc_status h_mfa_reset(api_request *req, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    store_actor actor = api_actor(req);
    if (st == CC_OK)
        st = mfa_reset(req->db, &actor, id, err);
    if (st == CC_OK)
        api_reply(req, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "mfa_reset", 1));
    return st;
}

static const char *const ROLES[] = {"admin", "analyst",   "coordinator", "lab",
                                    "nurse", "physician", "qa"};

static cc_status policy_reply(api_request *req, cc_error *err)
{
    json_t *roles = json_object();
    for (size_t i = 0; i < sizeof ROLES / sizeof ROLES[0]; i++) {
        bool required = false;
        cc_status st = mfa_role_required(req->db, ROLES[i], &required, err);
        if (st != CC_OK) {
            json_decref(roles);
            return st;
        }
        json_object_set_new(roles, ROLES[i], json_boolean(required));
    }
    api_reply(req, 200, json_pack("{s:o}", "required", roles));
    return CC_OK;
}

cc_status h_mfa_policy_get(api_request *req, cc_error *err)
{
    return policy_reply(req, err);
}

cc_status h_mfa_policy_set(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"role", JF_STRING, true, 16},
                                        {"required", JF_BOOLEAN, true, 0},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(req->body, fields, err);
    store_actor actor = api_actor(req);
    if (st == CC_OK)
        st = mfa_set_role_required(req->db, &actor, json_get_string(req->body, "role"),
                                   json_get_bool(req->body, "required"), err);
    return st == CC_OK ? policy_reply(req, err) : st;
}
