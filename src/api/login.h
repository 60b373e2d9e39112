/*
 * login: the credentials of a login (a session or a bearer token): the
 * password, then, when the account has an authenticator (store/mfa.h), a
 * TOTP code ("totp") or a recovery code ("recovery_code") from the same
 * JSON body.
 *
 * A right password without a code answers CC_UNAUTHENTICATED "mfa_required"
 * (field "totp"), counted as nothing: it is the first step of a two-step
 * form. A wrong code is counted in the password throttle (api/signature.h).
 * An account whose role must have an authenticator and has none logs in
 * with who->mfa_enrolment_only set: its session reaches only the enrolment
 * routes until it confirms one. notice (may be NULL) receives what the
 * owner has not yet been told of failed attempts and locks (api/signature.h).
 */
#ifndef CC_API_LOGIN_H
#define CC_API_LOGIN_H

#include "api/request.h"
#include "store/security.h"
#include "store/users.h"

cc_status api_login(api_request *req, const char *username, const char *password,
                    user_identity *who, login_notice *notice, cc_error *err);

#endif
