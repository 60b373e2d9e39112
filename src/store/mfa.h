/*
 * mfa: the second login factor of an account, a TOTP authenticator (RFC
 * 6238, core/totp.h) with single-use recovery codes, and which roles must
 * have one.
 *
 * Storage. The TOTP secret is kept as it is (base32 text) in mfa_totp: the
 * server must compute the same HMAC as the authenticator, so it cannot keep
 * only a hash, and a key to encrypt it would live in the same data directory
 * as the database. A copy of the database (or of a backup) therefore holds
 * the secrets: such a copy must be protected like the password file it also
 * is (backups encrypted, data directory 0700). The password hashes in the
 * same copy are what keeps it from being a working login. Recovery codes
 * are stored only as SHA-256 of the account id and the code, so the copy
 * gives no usable code (the codes carry 50 random bits and logins are
 * throttled).
 *
 * Every change writes an audit entry in the same transaction; no image
 * contains a secret or a code. Errors: CC_INVALID with the field named,
 * CC_CONFLICT for the wrong state, CC_UNAUTHENTICATED for a wrong code,
 * storage errors. Thread-safe per connection, as the store is.
 */
#ifndef CC_MFA_H
#define CC_MFA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/totp.h"
#include "store/audit.h"
#include "store/users.h"

enum {
    MFA_RECOVERY_CODES = 10,
    MFA_RECOVERY_CODE_TEXT = 12, /* "xxxxx-xxxxx" and its NUL */
};

/* HMAC-SHA1 (nettle) in the shape core/totp.h takes. */
void mfa_hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
                   uint8_t mac[TOTP_SHA1_BYTES]);

typedef struct {
    bool enrolled;         /* a confirmed authenticator */
    bool pending;          /* enrolment begun, not yet confirmed */
    bool required;         /* the account's role must have one */
    int64_t recovery_left; /* unused recovery codes */
} mfa_state;

cc_status mfa_state_of(db *d, int64_t user_id, const char *role, mfa_state *out, cc_error *err);

/* Whether role must log in with a second factor (clinic_settings
 * "mfa_required.<role>"; an unknown role is not required). */
cc_status mfa_role_required(db *d, const char *role, bool *required, cc_error *err);
cc_status mfa_set_role_required(db *d, const store_actor *actor, const char *role, bool required,
                                cc_error *err);

/* Starts (or restarts) enrolment with a new random secret, returned as
 * base32. CC_CONFLICT "mfa_already_enrolled" when one is confirmed. */
cc_status mfa_enrol_begin(db *d, const user_identity *who, char secret[TOTP_SECRET_BASE32],
                          cc_error *err);

/* Confirms the pending secret with a current code (field "code"): the
 * authenticator is active from then on, the account's sessions are no
 * longer restricted to enrolment, and MFA_RECOVERY_CODES new codes are
 * returned (the only time they are shown). CC_CONFLICT "mfa_not_pending"
 * when no enrolment was begun; CC_INVALID "wrong_code" for a wrong code. */
cc_status mfa_enrol_confirm(db *d, const user_identity *who, int64_t now, const char *code,
                            char codes[MFA_RECOVERY_CODES][MFA_RECOVERY_CODE_TEXT], cc_error *err);

/* The second factor of a login: a TOTP code or else a recovery code (one of
 * the two non-NULL). The code's step, or the recovery code, is used up.
 * CC_UNAUTHENTICATED "mfa_code_wrong" or "mfa_code_reused" (field "totp" or
 * "recovery_code"). */
cc_status mfa_verify_login(db *d, const user_identity *who, int64_t now, const char *totp,
                           const char *recovery_code, cc_error *err);

/* Removes an account's authenticator and recovery codes (the account enrols
 * again at next login when its role requires it). CC_NOT_FOUND when there
 * is no such user. */
cc_status mfa_reset(db *d, const store_actor *actor, int64_t user_id, cc_error *err);

/* The id of an account by name; CC_NOT_FOUND (field "username") when none. */
cc_status mfa_user_id(db *d, const char *username, int64_t *id, cc_error *err);

#endif
