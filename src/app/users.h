/*
 * app/users: the use cases of user accounts shared by the API and the
 * command line (init, user add).
 *
 * app_user_add checks the username (1 to 64 of [a-z0-9._-]), the role and
 * the password rules, hashes the password, then records the account with its
 * audit entry in one write transaction that decides whether the name is
 * taken (the hashing stays outside the write lock). Errors: CC_INVALID naming the field
 * ("username", "role", "password"), CC_CONFLICT "username_taken", storage errors; nothing is
 * written on any error. Strings are borrowed. Not thread-safe (one ctx each).
 */
#ifndef CC_APP_USERS_H
#define CC_APP_USERS_H

#include <stdint.h>

#include "app/app.h"

cc_status app_user_add(const app_ctx *c, const char *username, const char *role,
                       const char *password, int64_t *id, cc_error *err);

#endif
