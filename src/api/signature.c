#include "api/signature.h"

static int64_t larger(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* Counts a wrong password against the name, the address and the account. */
static cc_status count_failure(api_request *req, const char *username, api_password_use use,
                               int64_t now, cc_error *err)
{
    ratelimit_hit(req->limits->login_by_user, req->db, username, now);
    ratelimit_hit(req->limits->login_by_addr, req->db, req->remote_addr, now);
    bool known;
    int64_t locked_until;
    cc_error stored;
    cc_status st = login_failure_record(req->db, username, now, &known, &locked_until, &stored);
    if (st != CC_OK) {
        *err = stored;
        return st;
    }
    /* A name without an account may be a password typed in the wrong box:
     * it is not kept. */
    const char *account = known ? username : NULL;
    api_note_security_event(req, use == API_PASSWORD_LOGIN ? "login_failed" : "signature_failed",
                            account);
    if (locked_until)
        api_note_security_event(req, "account_locked", account);
    return CC_UNAUTHENTICATED;
}

cc_status api_first_factor_check(api_request *req, const char *username, const char *password,
                                 api_password_use use, user_identity *who, cc_error *err)
{
    int64_t now = store_now_seconds();
    int64_t wait =
        larger(ratelimit_blocked(req->limits->login_by_user, req->db, username, now),
               ratelimit_blocked(req->limits->login_by_addr, req->db, req->remote_addr, now));
    int64_t locked = 0;
    cc_status st = login_lock_remaining(req->db, username, now, &locked, err);
    if (st != CC_OK)
        return st;
    wait = larger(wait, locked);
    if (wait > 0) {
        api_add_header(req, "Retry-After", api_printf(req, "%lld", (long long)wait));
        return cc_fail(err, CC_RATE_LIMITED, "password", "too_many_attempts",
                       "too many failed attempts; try again in %lld seconds", (long long)wait);
    }
    st = password ? user_authenticate(req->db, username, password, who, err)
                  : cc_fail(err, CC_UNAUTHENTICATED, "password", "bad_credentials",
                            "wrong username or password");
    if (st == CC_UNAUTHENTICATED)
        return api_credential_failed(req, username, use, err);
    return st;
}

cc_status api_credential_failed(api_request *req, const char *username, api_password_use use,
                                cc_error *err)
{
    cc_error counted;
    cc_status st = count_failure(req, username, use, store_now_seconds(), &counted);
    if (st != CC_UNAUTHENTICATED)
        *err = counted;
    return st;
}

cc_status api_credential_passed(api_request *req, const user_identity *who, login_notice *notice,
                                cc_error *err)
{
    ratelimit_reset(req->limits->login_by_user, req->db, who->username);
    return login_success_record(req->db, who->id, notice, err);
}

cc_status api_password_check(api_request *req, const char *username, const char *password,
                             api_password_use use, user_identity *who, login_notice *notice,
                             cc_error *err)
{
    cc_status st = api_first_factor_check(req, username, password, use, who, err);
    if (st == CC_OK)
        st = api_credential_passed(req, who, notice, err);
    return st;
}

static cc_status own_signature(api_request *req, const char *password, cc_error *err)
{
    user_identity again;
    cc_status st = api_password_check(req, req->who.username, password, API_PASSWORD_SIGNATURE,
                                      &again, NULL, err);
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
