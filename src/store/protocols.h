/*
 * protocols: published protocol versions, stored with their JSON text.
 *
 * A version is immutable once stored: there is no update and no delete;
 * (protocol_id, version) is unique. The shipped versions (protocols_builtin)
 * are seeded when a data directory is created or opened (origin "shipped",
 * published_by "system"; like migrations they come with the binary and
 * write no audit entry; a shipped version whose (id, version) is already
 * stored is left as stored). An admin publishes the next version
 * (latest + 1) with an audit entry in the same transaction.
 *
 * The JSON is validated by the caller (app/protocol_json) before it gets
 * here; this module stores text and its SHA-256.
 * Ownership: rows are allocated from the caller's arena.
 */
#ifndef CC_STORE_PROTOCOLS_H
#define CC_STORE_PROTOCOLS_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/audit.h"
#include "store/db.h"

typedef struct {
    char *protocol_id;
    int version;
    char *body, *sha256, *origin, *published_at, *published_by;
} protocol_row;

cc_status protocol_store_seed(db *d, cc_error *err);

/* CC_CONFLICT "version_conflict" unless version is the latest + 1 (1 for a
 * new protocol id). */
cc_status protocol_store_publish(db *d, const store_actor *actor, const char *protocol_id,
                                 int version, const char *body, cc_error *err);

/* version 0: the latest. CC_NOT_FOUND when absent. */
cc_status protocol_store_get(db *d, arena *a, const char *protocol_id, int version,
                             protocol_row *out, cc_error *err);

/* The latest version of every protocol, by id. */
cc_status protocol_store_list(db *d, arena *a, protocol_row **rows, size_t *n, cc_error *err);

/* Every version number of one protocol, ascending. */
cc_status protocol_store_versions(db *d, arena *a, const char *protocol_id, int **versions,
                                  size_t *n, cc_error *err);

#endif
