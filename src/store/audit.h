/*
 * audit: the append-only, hash-chained audit trail (hazard H11).
 *
 * Every mutation writes one entry inside the same transaction as the change
 * (the caller holds the transaction; audit_append refuses to run outside one).
 * Entry hash = SHA-256 over the length-prefixed fields of the entry and the
 * previous entry's hash, hex encoded; the first entry's previous hash is 64
 * zeros. audit_verify recomputes the chain in sequence order.
 *
 * Each entry also records the site its record belongs to (audit_sites.h),
 * outside the hashed content: the chain and its verification are the same
 * with or without it.
 *
 * Row images: audit_row_json renders one row of a SELECT (by id) as a JSON
 * object, column name -> value, so before/after images are exactly what is
 * stored. Ownership: the caller's buf receives the text.
 *
 * The one way a store module writes a change with its entry: audit_mutate
 * (the whole skeleton: transaction, before image, change, after image,
 * entry), audit_create/audit_update for its usual cases with the module's
 * audit_entity, or audit_log_change after a change the skeleton does not
 * fit. audit_append is for entries whose images are not a table row.
 */
#ifndef CC_AUDIT_H
#define CC_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "store/clock.h" /* entries are stamped with store_now_text; its users stamp theirs */
#include "store/db.h"
#include "store/sql.h"

typedef struct {
    int64_t user_id;      /* 0: no user (public form, system) */
    const char *username; /* "public", "system" or the user's name */
} store_actor;

typedef struct {
    const char *action; /* "create", "update", "decline", ... */
    const char *entity; /* "patient", "user", ... */
    int64_t entity_id;
    const char *before; /* JSON object text or NULL */
    const char *after;  /* JSON object text or NULL */
    const char *reason; /* "" or NULL when none */
} audit_change;

cc_status audit_append(db *d, const store_actor *actor, const audit_change *change, cc_error *err);

/* Renders the first row of sql (one `?` bound to id) into out as a JSON
 * object, or "null" when there is no row. */
cc_status audit_row_json(db *d, const char *sql, int64_t id, buf *out, cc_error *err);

/* Appends an audit entry whose after-image is image_sql's row for id
 * (image_sql has one `?` for the id; before may be NULL): the usual last
 * step of a store mutation. */
cc_status audit_log_change(db *d, const store_actor *actor, const char *action, const char *entity,
                           int64_t id, const char *image_sql, const char *before,
                           const char *reason, cc_error *err);

/* One mutation of one row with its audit entry. */
typedef struct {
    const char *action;     /* "create", "update", ... */
    const char *entity;     /* the audit entity: "patient", ... */
    int64_t id;             /* the row changed; 0: change_sql creates it and ends in RETURNING id */
    int64_t *created_id;    /* a create: receives the new id (may be NULL) */
    const char *image_sql;  /* SELECT ... WHERE id = ?: the before and after images */
    const char *change_sql; /* the INSERT or UPDATE */
    const sql_arg *args;    /* change_sql's arguments */
    int n;
    const char *reason; /* NULL or "" when none */
    /* Optional: more writes after change_sql and before the after image
     * (child rows of a create); its error aborts the mutation. */
    cc_status (*then)(db *d, int64_t id, void *ctx, cc_error *err);
    void *ctx;
} audit_mutation;

/* The mutation skeleton: db_tx_begin (joining the caller's transaction if
 * any), the before image of an existing row (none: CC_NOT_FOUND "no <entity>
 * with that id"), change_sql, then, one audit entry with both images,
 * db_tx_end. On any error nothing of it is written and the status is
 * returned (an enclosing transaction is marked to roll back). */
cc_status audit_mutate(db *d, const store_actor *actor, const audit_mutation *m, cc_error *err);

/* An audited table: the entity name its entries carry and the SELECT (one
 * `?` for the id) whose row is its before and after image. */
typedef struct {
    const char *entity;
    const char *image_sql;
} audit_entity;

/* audit_mutate creating a row: insert_sql ends in RETURNING id, *id (may be
 * NULL) receives it; the entry has no before image. */
cc_status audit_create(db *d, const store_actor *actor, const audit_entity *e,
                       const char *insert_sql, const sql_arg *args, int n, const char *reason,
                       int64_t *id, cc_error *err);

/* audit_mutate changing row id with update_sql under the entry's action; an
 * id below 1 is CC_NOT_FOUND like a missing row. */
cc_status audit_update(db *d, const store_actor *actor, const audit_entity *e, const char *action,
                       int64_t id, const char *update_sql, const sql_arg *args, int n,
                       const char *reason, cc_error *err);

/* A change to a record that has been signed or released needs a reason. */
cc_status audit_require_reason(bool record_is_locked, const char *reason, cc_error *err);

typedef struct {
    int64_t entries;
    int64_t first_broken_seq; /* 0 when intact */
    char problem[160];
} audit_verdict;

typedef struct {
    int64_t seq, user_id;
    char *at, *username, *action, *entity, *entity_id, *before, *after, *reason, *prev_hash, *hash;
} audit_record;

/* Entries for one entity (entity NULL: all; entity_id 0: every id), newest
 * first, of site_id: the entries about its records and the group-wide ones
 * (store/audit_sites.h; site_id 0: every entry). Records are allocated from
 * the arena. */
cc_status audit_list(db *d, arena *a, int64_t site_id, const char *entity, int64_t entity_id,
                     int64_t page, int64_t per_page, audit_record **items, size_t *n,
                     int64_t *total, cc_error *err);

cc_status audit_verify(db *d, audit_verdict *verdict, cc_error *err);

/* The chain's primitives, for another chain of the same kind (the access
 * log, store/access_log.h). audit_chain_hash: SHA-256 over the fields
 * length-prefixed as the trail's entries are, hex. audit_chain_end: the
 * sequence number and hash of sql's first row (SELECT seq, hash ... ORDER BY
 * seq DESC LIMIT 1); 0 and AUDIT_GENESIS when there is none. */
enum { AUDIT_HASH_HEX = 65 };
extern const char AUDIT_GENESIS[AUDIT_HASH_HEX];
void audit_chain_hash(const char *const *fields, size_t n, char out[AUDIT_HASH_HEX]);
cc_status audit_chain_end(db *d, const char *sql, int64_t *seq, char hash[AUDIT_HASH_HEX],
                          cc_error *err);

#endif
