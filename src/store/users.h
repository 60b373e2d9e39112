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
#include "core/arena.h"
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
    TOKEN_DAYS_MAX = 90,   /* the default and the longest validity of a token */
    TOKEN_ACTIVE_MAX = 10, /* active (unrevoked, unexpired) tokens per user */
    USER_HASH_MAX = 128,   /* crypto_pwhash_STRBYTES */
};

typedef struct {
    int64_t id;
    char username[USER_NAME_MAX + 1];
    char role[16];
    char language[4];
    int64_t session_id; /* when authenticated by session */
    int64_t site_id;    /* the site the session works in (store/sites.h); 0: none */
    char csrf[SECRET_HEX];
    bool by_token;
    bool read_only;            /* a bearer token of scope "read" */
    bool must_change_password; /* set by an administrator's reset until the user changes it */
    bool needs_touch;          /* the session's last-seen time is due for an update */
    /* The account must enrol a second factor first (store/mfa.h): the
     * session it logs in with only reaches the enrolment routes. */
    bool mfa_enrolment_only;
} user_identity;

/* An account as the lifecycle use cases decide on it. */
typedef struct {
    int64_t id;
    char username[USER_NAME_MAX + 1];
    char role[16];
    bool active;
    bool must_change_password;
} user_account;

bool user_role_is_valid(const char *role);
/* Whether the role may read patients' identities and free text: every role
 * but the analyst (who reads reports and exports de-identified); false for
 * an unknown role. */
bool user_role_reads_identities(const char *role);
/* Username: 1..64 of [a-z0-9._-]. */
cc_status user_check_username(const char *username, cc_error *err);
/* A new password for username (core/password.h: length, not the username,
 * not a common password); field names it in the error. */
cc_status user_check_password(const char *username, const char *password, const char *field,
                              cc_error *err);

/* user_create_at: the account is a member of site_id (user_create: site 1);
 * an admin account also holds the all-sites grant (store/sites.h). */
cc_status user_create(db *d, const store_actor *actor, const char *username, const char *role,
                      const char *password, int64_t *id, cc_error *err);
cc_status user_create_at(db *d, const store_actor *actor, const char *username, const char *role,
                         const char *password, int64_t site_id, int64_t *id, cc_error *err);

/* Checks a password; CC_UNAUTHENTICATED (no detail on which part was wrong). */
cc_status user_authenticate(db *d, const char *username, const char *password, user_identity *who,
                            cc_error *err);

/* Stores who->mfa_enrolment_only with the session. */
cc_status session_create(db *d, user_identity *who, char secret[SECRET_HEX], cc_error *err);
/* Looks up a session secret; unknown -> CC_UNAUTHENTICATED "not_logged_in",
 * expired -> CC_UNAUTHENTICATED "session_expired" with only who->username
 * set (the account, for the security event). Never writes: when
 * who->needs_touch, call session_touch after the request. */
cc_status session_lookup(db *d, const char *secret, user_identity *who, cc_error *err);
cc_status session_touch(db *d, const user_identity *who, cc_error *err);
cc_status session_delete(db *d, const user_identity *who, cc_error *err);
cc_status user_set_language(db *d, const user_identity *who, const char *language, cc_error *err);

/* The argon2id hash of password into hash (CC_INTERNAL when out of memory). Slow on
 * purpose: call it before taking the write lock. */
cc_status user_hash_password(const char *password, char hash[USER_HASH_MAX], cc_error *err);
/* The account by username or id: CC_NOT_FOUND (field "username" or "id") when none. */
cc_status user_find(db *d, const char *username, user_account *out, cc_error *err);
cc_status user_load(db *d, int64_t id, user_account *out, cc_error *err);
/* A page of the accounts by username, from the arena. */
cc_status user_list(db *d, arena *a, int64_t page, int64_t per_page, user_account **items,
                    size_t *n, int64_t *total, cc_error *err);
/* Active administrators other than user id. */
cc_status user_count_other_admins(db *d, int64_t id, int64_t *n, cc_error *err);
/* Audited updates of one account (action "enable"/"disable", "set_role",
 * "reset_password"/"change_password"); hash from user_hash_password. */
cc_status user_write_active(db *d, const store_actor *actor, int64_t id, bool active,
                            cc_error *err);
cc_status user_write_role(db *d, const store_actor *actor, int64_t id, const char *role,
                          cc_error *err);
cc_status user_write_password(db *d, const store_actor *actor, int64_t id, const char *hash,
                              bool must_change, cc_error *err);
/* Ends the user's sessions (all but keep_session; 0 keeps none) and, when
 * tokens, revokes their active tokens; one audit entry "end_sessions" on the
 * user with the counts. */
cc_status user_end_credentials(db *d, const store_actor *actor, int64_t id, int64_t keep_session,
                               bool tokens, cc_error *err);

/* One of a user's live sessions. */
typedef struct {
    int64_t id;
    int64_t created_at, last_seen; /* seconds since the epoch */
} session_info;
/* A page of the user's unexpired sessions, newest first, from the arena. */
cc_status session_list(db *d, arena *a, int64_t user_id, int64_t page, int64_t per_page,
                       session_info **items, size_t *n, int64_t *total, cc_error *err);
/* Ends one session of the caller (CC_NOT_FOUND field "id" when it is not theirs). */
cc_status session_end(db *d, const user_identity *who, int64_t session_id, cc_error *err);

/* A new token valid `days` days (1..TOKEN_DAYS_MAX) with scope "read" or
 * "full"; CC_CONFLICT "too_many_tokens" when the user has TOKEN_ACTIVE_MAX
 * active tokens already. */
cc_status token_create(db *d, const user_identity *who, const char *label, int days,
                       const char *scope, char secret[SECRET_HEX], int64_t *id, cc_error *err);
/* Unknown -> CC_UNAUTHENTICATED "invalid_token"; revoked -> "token_revoked",
 * expired -> "token_expired", both with only who->username set (the
 * account, for the security event). */
cc_status token_lookup(db *d, const char *secret, user_identity *who, cc_error *err);
/* Revokes a token of the caller (any token when admin). */
cc_status token_revoke(db *d, const user_identity *who, int64_t token_id, cc_error *err);

/* Pages of the accounts (by username) and of one user's API tokens (newest
 * first) as JSON arrays appended to out, with the total. An account's
 * mfa_enrolled is 1 when it has a confirmed authenticator (store/mfa.h),
 * 0 otherwise (none, or an enrolment not yet confirmed). */
cc_status user_list_json(db *d, int64_t page, int64_t per_page, buf *out, int64_t *total,
                         cc_error *err);
cc_status token_list_json(db *d, int64_t user_id, int64_t page, int64_t per_page, buf *out,
                          int64_t *total, cc_error *err);

#endif
