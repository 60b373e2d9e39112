/*
 * signature: the one password check of the server. Logins, token creation,
 * every electronic signature (the caller's own, or a second person's at the
 * bedside) go through api_password_check, with one throttle:
 * - an account whose password failed LOGIN_LOCK_FAILURES times is locked for
 *   a while from every address (store/security.h, kept in the database, so
 *   a restart does not lift it and its owner is told at the next login);
 * - failures also count per username and per client address in memory; the
 *   address count limits only that address, so one client cannot lock out
 *   the clinic.
 * While any of them holds, the attempt is refused (CC_RATE_LIMITED, field
 * "password", with a Retry-After header) before the password is checked.
 * Each failure is noted as a security event ("login_failed" or
 * "signature_failed", and "account_locked" when it locks the account).
 *
 * api_password_check: CC_OK with *who filled, CC_UNAUTHENTICATED when the
 * name or password is wrong (counted), CC_RATE_LIMITED, or a storage error.
 * With notice non-NULL (a login) the failures the owner has not yet been
 * told of are moved into it. The signature helpers below turn a wrong
 * password into the stable error code of their context and require the
 * signer to be the caller. A handler checks the signature before it looks
 * up the record signed, so the answer to a wrong password does not tell
 * whether the record exists. Thread-safe as the server's rate limits are
 * (one request per thread).
 */
#ifndef CC_API_SIGNATURE_H
#define CC_API_SIGNATURE_H

#include "api/request.h"
#include "store/security.h"
#include "store/users.h"

typedef enum { API_PASSWORD_LOGIN, API_PASSWORD_SIGNATURE } api_password_use;

cc_status api_password_check(api_request *req, const char *username, const char *password,
                             api_password_use use, user_identity *who, login_notice *notice,
                             cc_error *err);

/* The password half of a login that has a second factor to check
 * (api/login.h): throttled, locked and counted as api_password_check, but a
 * right password does not yet clear the account's failures; the caller ends
 * with api_credential_passed, or api_credential_failed for a wrong code, so
 * that wrong codes count in the same throttle and lock as wrong passwords.
 * api_credential_failed answers CC_UNAUTHENTICATED once counted (or the
 * storage error that prevented counting). */
cc_status api_first_factor_check(api_request *req, const char *username, const char *password,
                                 api_password_use use, user_identity *who, cc_error *err);
cc_status api_credential_failed(api_request *req, const char *username, api_password_use use,
                                cc_error *err);
cc_status api_credential_passed(api_request *req, const user_identity *who, login_notice *notice,
                                cc_error *err);

/* The caller signs with their own password: CC_INVALID "signature_failed"
 * (field "password") when it does not match. */
cc_status api_check_signature(api_request *req, const char *password, cc_error *err);

/* Same check, answered CC_FORBIDDEN "bad_signature" (laboratory and
 * adverse-event signatures). */
cc_status api_check_signature_forbidden(api_request *req, const char *password, cc_error *err);

#endif
