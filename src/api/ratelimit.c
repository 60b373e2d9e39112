#include "ratelimit.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/rate_limits.h"

enum { KIND_MAX = 32 };

struct ratelimit {
    char kind[KIND_MAX];
    int limit, window;
};

ratelimit *ratelimit_create(const char *kind, int limit, int window_seconds)
{
    ratelimit *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    snprintf(r->kind, sizeof r->kind, "%s", kind);
    r->limit = limit;
    r->window = window_seconds;
    return r;
}

void ratelimit_free(ratelimit *r)
{
    free(r);
}

int ratelimit_blocked(const ratelimit *r, db *d, const char *key, int64_t now)
{
    int wait = 0;
    cc_error ignored;
    return rate_limit_wait(d, r->kind, key, r->limit, r->window, now, &wait, &ignored) == CC_OK
               ? wait
               : 0;
}

void ratelimit_hit(const ratelimit *r, db *d, const char *key, int64_t now)
{
    cc_error ignored;
    rate_limit_hit(d, r->kind, key, r->window, now, &ignored);
}

void ratelimit_reset(const ratelimit *r, db *d, const char *key)
{
    cc_error ignored;
    rate_limit_reset(d, r->kind, key, &ignored);
}
