/*
 * ratelimit: the server's throttles (login attempts per name and per
 * address, the public request form per address): a kind, a limit and a
 * window; the counts live in the database (store/rate_limits.h), so that
 * every server process on one database counts together and a restart
 * forgets nothing. A count that cannot be read or written is let through
 * (errs towards letting a person in; the account lockout of
 * store/security.h still holds). A ratelimit is read-only after creation:
 * thread-safe; the db is the calling thread's connection.
 */
#ifndef CC_RATELIMIT_H
#define CC_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct db db; /* store/db.h: the calling thread's connection */

typedef struct ratelimit ratelimit;

/* kind: a short name the counts are kept under ("login_user"); copied. */
ratelimit *ratelimit_create(const char *kind, int limit, int window_seconds);
void ratelimit_free(ratelimit *r);
/* Seconds to wait when key has reached the limit in its window, else 0. */
int ratelimit_blocked(const ratelimit *r, db *d, const char *key, int64_t now);
/* Records one event for key. */
void ratelimit_hit(const ratelimit *r, db *d, const char *key, int64_t now);
void ratelimit_reset(const ratelimit *r, db *d, const char *key);

#endif
