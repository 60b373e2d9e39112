#include "arena.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { BLOCK_SIZE = 16 * 1024, ALIGN = 16, LARGE = 256 * 1024, HUGE = 2 * 1024 * 1024 };

typedef struct block {
    struct block *next;
    size_t size;
    size_t used;
    size_t mapped; /* bytes of a mapping of its own (0: malloc) */
    _Alignas(16) unsigned char data[];
} block;

typedef struct cleanup {
    struct cleanup *next;
    arena_cleanup_fn fn;
    void *ptr;
} cleanup;

struct arena {
    block *blocks;
    cleanup *cleanups;
    size_t cap;
    size_t used;
};

/* A block of size bytes of zeroed memory. Mapped in whole huge pages where
 * the system has them: a report over a million patients fills hundreds of
 * megabytes, and a fault per 4 KiB page cost more than filling them. */
static block *large_block(size_t size)
{
    size_t bytes = sizeof(block) + size;
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
    size_t mapped = (bytes + HUGE - 1) & ~(size_t)(HUGE - 1);
    if (bytes >= 2 * (size_t)HUGE && mapped >= bytes) { /* smaller: a huge page zeroed for little */
        void *p = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            madvise(p, mapped, MADV_HUGEPAGE); /* advice: without it, small pages */
            block *b = p;
            b->size = b->used = size;
            b->mapped = mapped;
            return b;
        }
    }
#endif
    block *b = calloc(1, bytes);
    if (b)
        b->size = b->used = size;
    return b;
}

static void block_free(block *b)
{
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
    if (b->mapped) {
        munmap(b, b->mapped);
        return;
    }
#endif
    free(b);
}

arena *arena_create(size_t cap_bytes)
{
    arena *a = calloc(1, sizeof *a);
    if (a)
        a->cap = cap_bytes;
    return a;
}

void arena_release(arena *a)
{
    if (!a)
        return;
    for (cleanup *c = a->cleanups; c; c = c->next)
        c->fn(c->ptr);
    block *b = a->blocks;
    while (b) {
        block *next = b->next;
        block_free(b);
        b = next;
    }
    free(a);
}

void *arena_alloc(arena *a, size_t size)
{
    size_t rounded = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (rounded < size || rounded > a->cap - a->used)
        return NULL;
    block *b = a->blocks;
    if (rounded >= LARGE) {
        /* a block of its own, mapped: fresh pages come zeroed from the
         * kernel, so a large array is not written twice (and its untouched
         * pages never become resident); it goes behind the current block */
        block *big = large_block(rounded);
        if (!big)
            return NULL;
        if (b) {
            big->next = b->next;
            b->next = big;
        } else {
            big->next = NULL;
            a->blocks = big;
        }
        a->used += rounded;
        return big->data;
    }
    if (!b || b->size - b->used < rounded) {
        size_t bsize = rounded > BLOCK_SIZE ? rounded : BLOCK_SIZE;
        b = malloc(sizeof *b + bsize);
        if (!b)
            return NULL;
        b->size = bsize;
        b->used = 0;
        b->mapped = 0;
        b->next = a->blocks;
        a->blocks = b;
    }
    void *p = b->data + b->used;
    b->used += rounded;
    a->used += rounded;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *arena_strdup(arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

int arena_on_release(arena *a, arena_cleanup_fn fn, void *ptr)
{
    cleanup *c = arena_alloc(a, sizeof *c);
    if (!c)
        return -1;
    c->fn = fn;
    c->ptr = ptr;
    c->next = a->cleanups;
    a->cleanups = c;
    return 0;
}

size_t arena_used(const arena *a)
{
    return a->used;
}

bool arena_charge(arena *a, size_t bytes)
{
    if (bytes > a->cap - a->used)
        return false;
    a->used += bytes;
    return true;
}
