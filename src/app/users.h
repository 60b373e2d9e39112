/*
 * app/users: the use cases of user accounts shared by the API and the
 * command line (init, user add, list, disable, enable, reset-password).
 *
 * app_user_add checks the username (1 to 64 of [a-z0-9._-]), the role and
 * the password rules, hashes the password, then records the account with its
 * audit entry in one write transaction that decides whether the name is
 * taken (the hashing stays outside the write lock). Errors: CC_INVALID naming the field
 * ("username", "role", "password"), CC_CONFLICT "username_taken", storage errors; nothing is
 * written on any error.
 *
 * The lifecycle use cases act on an account by id, each in one write
 * transaction that reads the account (CC_NOT_FOUND field "id") and writes
 * every change with its audit entry:
 * - disabling ends every session and revokes every token of the account at
 *   once; an administrator cannot disable their own account, and the last
 *   active administrator can be neither disabled nor given another role
 *   (CC_CONFLICT "own_account", "last_admin"). Enabling or disabling an
 *   account already so, or giving the role it has, is CC_CONFLICT
 *   "already_active", "already_disabled", "same_role".
 * - an administrator's password reset ends every session and token and
 *   makes the user change the password at next login; the user's own change
 *   (the current password checked by the caller, through the throttled
 *   check) clears that, and ends the user's other sessions (tokens stay).
 *   A new password follows the password rules (CC_INVALID naming field) and
 *   must differ from the current one ("same_password").
 * - ending a user's sessions ends all of them and revokes all their tokens.
 * Strings are borrowed. Not thread-safe (one ctx each).
 */
#ifndef CC_APP_USERS_H
#define CC_APP_USERS_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"

cc_status app_user_add(const app_ctx *c, const char *username, const char *role,
                       const char *password, int64_t *id, cc_error *err);

cc_status app_user_set_active(const app_ctx *c, int64_t id, bool active, cc_error *err);
cc_status app_user_set_role(const app_ctx *c, int64_t id, const char *role, cc_error *err);
/* field names the option or JSON member the password came from. */
cc_status app_user_reset_password(const app_ctx *c, int64_t id, const char *password,
                                  const char *field, cc_error *err);
cc_status app_user_end_sessions(const app_ctx *c, int64_t id, cc_error *err);
/* Whether username may take password as new password instead of current
 * (the rules of user_check_password, and not the current one): checked
 * before the current password is, so a refused new one costs no attempt. */
cc_status app_user_new_password_acceptable(const char *username, const char *current,
                                           const char *password, cc_error *err);
/* The user id changes their own password; keep_session (0: none) stays open. */
cc_status app_user_change_password(const app_ctx *c, int64_t id, int64_t keep_session,
                                   const char *current, const char *password, cc_error *err);

#endif
