#include "ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SLOTS = 4096, KEY_MAX = 96 };

typedef struct {
    char key[KEY_MAX];
    int64_t window_start;
    int count;
} slot;

struct ratelimit {
    pthread_mutex_t lock;
    int limit, window;
    slot slots[SLOTS];
};

ratelimit *ratelimit_create(int limit, int window_seconds)
{
    ratelimit *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    pthread_mutex_init(&r->lock, NULL);
    r->limit = limit;
    r->window = window_seconds;
    return r;
}

void ratelimit_free(ratelimit *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static uint32_t hash_key(const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 16777619u;
    return h;
}

/* Linear probing over 8 slots; the oldest of them is reused when none matches. */
static slot *find(ratelimit *r, const char *key, int64_t now, bool create)
{
    uint32_t base = hash_key(key) % SLOTS;
    slot *oldest = NULL;
    for (uint32_t i = 0; i < 8; i++) {
        slot *s = &r->slots[(base + i) % SLOTS];
        if (s->key[0] && strncmp(s->key, key, KEY_MAX - 1) == 0) {
            if (now - s->window_start >= r->window) {
                s->window_start = now;
                s->count = 0;
            }
            return s;
        }
        if (!oldest || s->window_start < oldest->window_start)
            oldest = s;
    }
    if (!create)
        return NULL;
    snprintf(oldest->key, KEY_MAX, "%s", key);
    oldest->window_start = now;
    oldest->count = 0;
    return oldest;
}

int ratelimit_blocked(ratelimit *r, const char *key, int64_t now)
{
    pthread_mutex_lock(&r->lock);
    slot *s = find(r, key, now, false);
    int wait = s && s->count >= r->limit ? (int)(s->window_start + r->window - now) : 0;
    pthread_mutex_unlock(&r->lock);
    return wait > 0 ? wait : (s && s->count >= r->limit ? 1 : 0);
}

void ratelimit_hit(ratelimit *r, const char *key, int64_t now)
{
    pthread_mutex_lock(&r->lock);
    slot *s = find(r, key, now, true);
    s->count++;
    pthread_mutex_unlock(&r->lock);
}

void ratelimit_reset(ratelimit *r, const char *key)
{
    pthread_mutex_lock(&r->lock);
    slot *s = find(r, key, 0, false);
    if (s)
        s->key[0] = '\0';
    pthread_mutex_unlock(&r->lock);
}
