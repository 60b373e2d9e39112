/*
 * security: account lockout and the security events.
 *
 * Lockout: failed password checks of an account are counted in the
 * database (table login_failures), so a lock and what its owner has not yet
 * been told survive a restart. LOGIN_LOCK_FAILURES failures within
 * LOGIN_FAILURE_WINDOW seconds lock the account for LOGIN_LOCK_SECONDS,
 * from whatever address they came; a correct password starts the count
 * again. The failures and locks since the owner's last login are handed to
 * the next successful login once (login_notice), then forgotten. Only
 * existing accounts are counted; a name without an account leaves no row.
 * Each lock writes an audit entry ("lock", entity "user") in the
 * transaction that sets it; the count itself is bookkeeping, recorded as
 * security events by the caller.
 *
 * Security events: what a security officer reviews (failed logins and
 * signatures, lockouts, CSRF refusals, a session or token used after its
 * expiry or revocation): when, kind, the account's username when one is
 * known, the client address and the route pattern. Never a password, token,
 * or the path as sent (it may carry a secret). Admin and qa read them.
 *
 * Times are Unix seconds. Errors: storage errors; CC_INVALID for a bad page.
 * Strings are borrowed. Not thread-safe (one db per thread).
 */
#ifndef CC_STORE_SECURITY_H
#define CC_STORE_SECURITY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/db.h"

enum {
    LOGIN_LOCK_FAILURES = 5,
    LOGIN_FAILURE_WINDOW = 15 * 60,
    LOGIN_LOCK_SECONDS = 15 * 60,
};

/* Failures since the owner last logged in: count 0 when nothing to tell. */
typedef struct {
    int64_t failed_attempts;
    int64_t last_failure; /* seconds, 0 when none */
    int64_t locked_until; /* the latest lock's end, 0 when none */
} login_notice;

/* Seconds username's account stays locked after now; 0 when it is not
 * locked or there is no such account. */
cc_status login_lock_remaining(db *d, const char *username, int64_t now, int64_t *wait,
                               cc_error *err);

/* Counts one failed password check against username's account. *known
 * tells whether the account exists; *locked_until is the end of the lock
 * this failure set, 0 when it set none. */
cc_status login_failure_record(db *d, const char *username, int64_t now, bool *known,
                               int64_t *locked_until, cc_error *err);

/* A correct password of user_id: the count of consecutive failures starts
 * again. With notice non-NULL (a login) what the owner has not been told is
 * moved into it and cleared. */
cc_status login_success_record(db *d, int64_t user_id, login_notice *notice, cc_error *err);

typedef struct {
    const char *kind;     /* "login_failed", "signature_failed", "account_locked", ... */
    const char *username; /* an existing account, or NULL */
    const char *address;
    const char *route; /* the route pattern, never the path as sent */
} security_event;

cc_status security_event_add(db *d, const security_event *ev, cc_error *err);

/* A page of events, newest first, optionally of one username and one kind
 * (NULL: all), as a JSON array appended to out, with the total. */
cc_status security_event_list_json(db *d, const char *username, const char *kind, int64_t page,
                                   int64_t per_page, buf *out, int64_t *total, cc_error *err);

#endif
