/*
 * signature: the one password check of the server. Logins, token creation,
 * every electronic signature (the caller's own, or a second person's at the
 * bedside) go through api_password_check, with one throttle: failures count
 * per account and per client address, and either count over its limit
 * refuses further attempts for a while (CC_RATE_LIMITED, field "password",
 * with a Retry-After header) before the password is even checked.
 *
 * api_password_check: CC_OK with *who filled, CC_UNAUTHENTICATED when the
 * name or password is wrong (counted), CC_RATE_LIMITED, or a storage error.
 * The signature helpers below turn a wrong password into the stable error
 * code of their context and require the signer to be the caller.
 * Thread-safe as the server's rate limits are (one request per thread).
 */
#ifndef CC_API_SIGNATURE_H
#define CC_API_SIGNATURE_H

#include "api/request.h"
#include "store/users.h"

cc_status api_password_check(api_request *req, const char *username, const char *password,
                             user_identity *who, cc_error *err);

/* The password half of a login that has a second factor to check
 * (api/login.h): throttled and counted as api_password_check, but a right
 * password does not clear the account's failures; the caller ends with
 * api_credential_passed, or api_credential_failed for a wrong code, so that
 * wrong codes count in the same throttle as wrong passwords. */
cc_status api_first_factor_check(api_request *req, const char *username, const char *password,
                                 user_identity *who, cc_error *err);
void api_credential_failed(api_request *req, const char *username);
void api_credential_passed(api_request *req, const char *username);

/* The caller signs with their own password: CC_INVALID "signature_failed"
 * (field "password") when it does not match. */
cc_status api_check_signature(api_request *req, const char *password, cc_error *err);

/* Same check, answered CC_FORBIDDEN "bad_signature" (laboratory and
 * adverse-event signatures). */
cc_status api_check_signature_forbidden(api_request *req, const char *password, cc_error *err);

#endif
