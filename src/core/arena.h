/*
 * arena: a size-capped region allocator, one per request or per command.
 *
 * Everything allocated from an arena is freed at once by arena_release.
 * Cleanups (for resources that are not arena memory: JSON values, prepared
 * statements) run in reverse order of registration at release.
 * An allocation past the cap returns NULL; the arena stays usable. A large
 * allocation (256 KiB and more) gets a block of its own, zeroed by the system
 * (mapped, in huge pages where available, from 4 MiB).
 * Ownership: arena-owned memory must not be freed by anyone else.
 * Not thread-safe: one arena per thread of work.
 */
#ifndef CC_ARENA_H
#define CC_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct arena arena;
typedef void (*arena_cleanup_fn)(void *ptr);

arena *arena_create(size_t cap_bytes);    /* NULL on out of memory */
void arena_release(arena *a);             /* NULL is a no-op */
void *arena_alloc(arena *a, size_t size); /* zeroed, 16-aligned, NULL past cap */
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
int arena_on_release(arena *a, arena_cleanup_fn fn, void *ptr); /* 0 ok, -1 oom */
size_t arena_used(const arena *a);
/* Counts bytes held elsewhere for the arena's work (a bigvec it will free)
 * against its cap: false, and nothing counted, past the cap. */
bool arena_charge(arena *a, size_t bytes);

#endif
