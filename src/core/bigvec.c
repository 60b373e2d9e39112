#include "bigvec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { FIRST = 1024, HUGE_PAGE = 2 * 1024 * 1024 };

void bigvec_init(bigvec *v, size_t size)
{
    *v = (bigvec){NULL, 0, 0, size, false};
}

#if defined(MAP_ANONYMOUS) && defined(MREMAP_MAYMOVE) && defined(MADV_HUGEPAGE)
/* A block of 2 MiB or more: its own mapping, grown by mremap (the pages
 * move, nothing is copied) and backed by huge pages where the system has
 * them (advice only). */
static void *grow_mapped(bigvec *v, size_t bytes)
{
    void *p;
    if (v->mapped) {
        p = mremap(v->items, v->cap * v->size, bytes, MREMAP_MAYMOVE);
    } else {
        p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED && v->n)
            memcpy(p, v->items, v->n * v->size);
    }
    if (p == MAP_FAILED)
        return NULL;
    madvise(p, bytes, MADV_HUGEPAGE);
    if (!v->mapped)
        free(v->items);
    v->mapped = true;
    return p;
}
#endif

void *bigvec_push(bigvec *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : FIRST;
        if (cap < v->cap || cap > SIZE_MAX / v->size)
            return NULL;
        void *fresh;
#if defined(MAP_ANONYMOUS) && defined(MREMAP_MAYMOVE) && defined(MADV_HUGEPAGE)
        if (cap * v->size >= HUGE_PAGE)
            fresh = grow_mapped(v, cap * v->size);
        else
#endif
            fresh = realloc(v->items, cap * v->size);
        if (!fresh)
            return NULL;
        v->items = fresh;
        v->cap = cap;
    }
    return (char *)v->items + v->n++ * v->size;
}

void bigvec_free(bigvec *v)
{
#if defined(MAP_ANONYMOUS) && defined(MREMAP_MAYMOVE) && defined(MADV_HUGEPAGE)
    if (v->mapped)
        munmap(v->items, v->cap * v->size);
    else
#endif
        free(v->items);
    *v = (bigvec){NULL, 0, 0, v->size, false};
}

static void free_in_arena(void *v)
{
    bigvec_free(v);
}

bigvec *bigvec_in_arena(arena *a, size_t size)
{
    bigvec *v = arena_alloc(a, sizeof *v);
    if (!v || arena_on_release(a, free_in_arena, v) != 0)
        return NULL;
    bigvec_init(v, size);
    return v;
}

void *bigvec_push_charged(arena *a, bigvec *v)
{
    size_t before = v->cap;
    void *slot = bigvec_push(v);
    if (slot && v->cap != before && !arena_charge(a, (v->cap - before) * v->size)) {
        v->n--;
        return NULL;
    }
    return slot;
}
