/*
 * ratelimit: counts events per key (a username, an address) in fixed
 * windows, in memory. Used for login throttling and the public form.
 * A full table forgets its oldest window first; a forgotten key starts
 * again at zero, which errs towards letting a person in. Thread-safe.
 */
#ifndef CC_RATELIMIT_H
#define CC_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ratelimit ratelimit;

ratelimit *ratelimit_create(int limit, int window_seconds);
void ratelimit_free(ratelimit *r);
/* Seconds to wait when key has reached the limit in its window, else 0. */
int ratelimit_blocked(ratelimit *r, const char *key, int64_t now);
/* Records one event for key. */
void ratelimit_hit(ratelimit *r, const char *key, int64_t now);
void ratelimit_reset(ratelimit *r, const char *key);

#endif
