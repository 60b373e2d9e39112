/*
 * bigvec: a growable array for row sets of millions of elements (the
 * outcome report's cohort, the measure series rebuild).
 *
 * Grows by doubling; a block of 2 MiB or more is a mapping of its own,
 * grown by mremap (its pages move, nothing is copied) and backed by huge
 * pages where the system has them: filling a few hundred megabytes through
 * 4 KiB page faults cost more than the filling on the machines measured.
 *
 * Memory: the caller owns the struct; bigvec_free releases the elements
 * (or the arena's release, for bigvec_in_arena).
 * Elements are not zeroed. Not thread-safe (one owner).
 */
#ifndef CC_BIGVEC_H
#define CC_BIGVEC_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

typedef struct {
    void *items;
    size_t n, cap, size; /* size: bytes of one element */
    bool mapped;         /* a mapping of its own (large), else malloc */
} bigvec;

void bigvec_init(bigvec *v, size_t size);
/* Room for one more element at the end (n grows by one), NULL when out of
 * memory (the vector is unchanged). */
void *bigvec_push(bigvec *v);
void bigvec_free(bigvec *v);

/* A vector freed when the arena is released, whose growth is counted
 * against the arena's cap (a request's rows stay within its memory):
 * bigvec_in_arena is NULL when out of memory; bigvec_push_charged as
 * bigvec_push, NULL also when the cap is reached. */
bigvec *bigvec_in_arena(arena *a, size_t size);
void *bigvec_push_charged(arena *a, bigvec *v);

#endif
