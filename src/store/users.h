/*
 * users: accounts, login sessions and bearer tokens.
 *
 * Passwords are stored as argon2id hashes (libsodium crypto_pwhash_str).
 * Session and bearer secrets are 32 random bytes, hex encoded, handed to the
 * client once; only their SHA-256 is stored, so a copy of the database gives
 * no working credential. Sessions expire after 30 minutes idle or 12 hours.
 * Every change (user created, login, logout, token created or revoked) writes
 * an audit entry in its transaction.
 */
#ifndef CC_USERS_H
#define CC_USERS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/audit.h"
#include "core/buf.h"
#include "core/password.h"
#include "store/db.h"

enum {
    USER_NAME_MAX = 64,
    USER_PASSWORD_MIN = PASSWORD_MIN_CHARS,
    USER_PASSWORD_MAX = PASSWORD_MAX_BYTES,
    SECRET_HEX = 65,
    SESSION_IDLE_SECONDS = 30 * 60,
    SESSION_ABSOLUTE_SECONDS = 12 * 3600,
};

typedef struct {
    int64_t id;
    char username[USER_NAME_MAX + 1];
    char role[16];
    char language[4];
    int64_t session_id; /* when authenticated by session */
    char csrf[SECRET_HEX];
    bool by_token;
    bool needs_touch; /* the session's last-seen time is due for an update */
} user_identity;

bool user_role_is_valid(const char *role);
/* Username: 1..64 of [a-z0-9._-]. */
cc_status user_check_username(const char *username, cc_error *err);
/* A new password for username (core/password.h: length, not the username,
 * not a common password); field names it in the error. */
cc_status user_check_password(const char *username, const char *password, const char *field,
                              cc_error *err);

cc_status user_create(db *d, const store_actor *actor, const char *username, const char *role,
                      const char *password, int64_t *id, cc_error *err);

/* Checks a password; CC_UNAUTHENTICATED (no detail on which part was wrong). */
cc_status user_authenticate(db *d, const char *username, const char *password, user_identity *who,
                            cc_error *err);

cc_status session_create(db *d, user_identity *who, char secret[SECRET_HEX], cc_error *err);
/* Looks up a session secret; unknown -> CC_UNAUTHENTICATED "not_logged_in",
 * expired -> CC_UNAUTHENTICATED "session_expired" with only who->username
 * set (the account, for the security event). Never writes: when
 * who->needs_touch, call session_touch after the request. */
cc_status session_lookup(db *d, const char *secret, user_identity *who, cc_error *err);
cc_status session_touch(db *d, const user_identity *who, cc_error *err);
cc_status session_delete(db *d, const user_identity *who, cc_error *err);
cc_status user_set_language(db *d, const user_identity *who, const char *language, cc_error *err);

cc_status token_create(db *d, const user_identity *who, const char *label, char secret[SECRET_HEX],
                       int64_t *id, cc_error *err);
/* Unknown -> CC_UNAUTHENTICATED "invalid_token"; revoked ->
 * CC_UNAUTHENTICATED "token_revoked" with only who->username set. */
cc_status token_lookup(db *d, const char *secret, user_identity *who, cc_error *err);
/* Revokes a token of the caller (any token when admin). */
cc_status token_revoke(db *d, const user_identity *who, int64_t token_id, cc_error *err);

/* Pages of the accounts (by username) and of one user's API tokens (newest
 * first) as JSON arrays appended to out, with the total. */
cc_status user_list_json(db *d, int64_t page, int64_t per_page, buf *out, int64_t *total,
                         cc_error *err);
cc_status token_list_json(db *d, int64_t user_id, int64_t page, int64_t per_page, buf *out,
                          int64_t *total, cc_error *err);

#endif
