#include "api/signature.h"

void api_credential_failed(api_request *req, const char *username)
{
    int64_t now = store_now_seconds();
    ratelimit_hit(req->limits->login_by_user, username, now);
    ratelimit_hit(req->limits->login_by_addr, req->remote_addr, now);
}

void api_credential_passed(api_request *req, const char *username)
{
    ratelimit_reset(req->limits->login_by_user, username);
}

cc_status api_password_check(api_request *req, const char *username, const char *password,
                             user_identity *who, cc_error *err)
{
    cc_status st = api_first_factor_check(req, username, password, who, err);
    if (st == CC_OK)
        api_credential_passed(req, username);
    return st;
}

cc_status api_first_factor_check(api_request *req, const char *username, const char *password,
                                 user_identity *who, cc_error *err)
{
    int64_t now = store_now_seconds();
    int wait = ratelimit_blocked(req->limits->login_by_user, username, now);
    int wait_addr = ratelimit_blocked(req->limits->login_by_addr, req->remote_addr, now);
    if (wait_addr > wait)
        wait = wait_addr;
    if (wait > 0) {
        api_add_header(req, "Retry-After", api_printf(req, "%d", wait));
        return cc_fail(err, CC_RATE_LIMITED, "password", "too_many_attempts",
                       "too many failed attempts; try again in %d seconds", wait);
    }
    cc_status st = password ? user_authenticate(req->db, username, password, who, err)
                            : cc_fail(err, CC_UNAUTHENTICATED, "password", "bad_credentials",
                                      "wrong username or password");
    if (st == CC_UNAUTHENTICATED)
        api_credential_failed(req, username);
    return st;
}

static cc_status own_signature(api_request *req, const char *password, cc_error *err)
{
    user_identity again;
    cc_status st = api_password_check(req, req->who.username, password, &again, err);
    if (st == CC_OK && again.id != req->who.id)
        st = CC_UNAUTHENTICATED;
    return st;
}

/* own_signature, a wrong password answered as refused with code and message. */
static cc_status signature_refused_as(api_request *req, const char *password, cc_status refused,
                                      const char *code, const char *message, cc_error *err)
{
    cc_status st = own_signature(req, password, err);
    return st == CC_UNAUTHENTICATED ? cc_fail(err, refused, "password", code, "%s", message) : st;
}

cc_status api_check_signature(api_request *req, const char *password, cc_error *err)
{
    return signature_refused_as(req, password, CC_INVALID, "signature_failed",
                                "the password does not match: the signature was not applied", err);
}

cc_status api_check_signature_forbidden(api_request *req, const char *password, cc_error *err)
{
    return signature_refused_as(req, password, CC_FORBIDDEN, "bad_signature",
                                "electronic signature refused: type your own password", err);
}
