/*
 * audit_integrity: the audit trail checked against what it cannot rewrite
 * alone: its signed checkpoints (store/audit_checkpoint.h) and the current
 * rows of the tables it describes.
 *
 * audit_check_checkpoints reads DIR/audit-checkpoints.log, checks every
 * line's Ed25519 signature against the trusted public keys (the lines of
 * DIR/audit-signing.pub, or of public_keys when given: a copy kept away from
 * the data directory), compares the log with the audit_checkpoints table,
 * and compares the newest checkpoint with the chain: fewer entries than it
 * covers is truncation; a different hash at a covered entry, in a chain that
 * is otherwise consistent, is a rewrite (every later hash recomputed). No
 * checkpoint at all (no log line, no row) is "none yet" only in a directory
 * without public keys (no DIR/audit-signing.pub, no public_keys given): a
 * directory with a key has signed one, so there it is a bad log.
 *
 * audit_check_recorded checks the checkpoints a database records in its own
 * rows against its chain: what a backup copy proves without the log.
 *
 * audit_check_rows compares each row of the audited tables with the newest
 * "after" image its audit entries recorded: a column that differs, a row
 * with no entry, or a row that is gone is reported through fn (table, id,
 * what). The tables and their entities are listed in audit_integrity.c and
 * in docs/security.md.
 *
 * All only read; err is for storage errors. Not thread-safe on one db.
 */
#ifndef CC_AUDIT_INTEGRITY_H
#define CC_AUDIT_INTEGRITY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/checkpoint.h"
#include "store/audit.h"

typedef enum {
    AUDIT_CHECKPOINTS_OK = 0,
    AUDIT_CHECKPOINTS_NONE,      /* no key and no checkpoint yet (an older directory) */
    AUDIT_CHECKPOINTS_TRUNCATED, /* the chain is shorter than a checkpoint covers */
    AUDIT_CHECKPOINTS_REWRITTEN, /* a covered entry's hash differs from the signed one */
    AUDIT_CHECKPOINTS_BAD_LOG,   /* log missing, unreadable, malformed, badly signed or cut */
} audit_checkpoint_finding;

typedef struct {
    audit_checkpoint_finding finding;
    int64_t checkpoints; /* lines of the log that verified */
    int64_t recorded;    /* checkpoints the database records */
    checkpoint last;     /* the newest verified checkpoint (checkpoints > 0) */
    char message[512];   /* the finding in words ("" when OK) */
} audit_checkpoint_verdict;

/* chain: the result of audit_verify on the same database. */
cc_status audit_check_checkpoints(db *d, const char *dir, const char *public_keys,
                                  const audit_verdict *chain, audit_checkpoint_verdict *v,
                                  cc_error *err);

/* The signed checkpoints a database carries in its audit_checkpoints rows
 * (a backup copy, which has no log beside it). */
typedef struct {
    int64_t rows;      /* rows read (up to the first problem) */
    checkpoint newest; /* the newest row that holds (seq 0: none) */
    char problem[512]; /* the first row that does not hold, in words; "" when all hold */
} audit_recorded_verdict;

/* Checks every checkpoint row of d, in order: well-formed, signed by a key
 * listed in the file public_keys (NULL: none is trusted) with a signature
 * that holds over its fields, and covering the chain of d: entry `entries`
 * exists and hashes to `head`. rows 0 and problem "" when d records no
 * checkpoint. CC_INVALID (field "public-key") when public_keys cannot be
 * read; other errors are storage errors. */
cc_status audit_check_recorded(db *d, const char *public_keys, audit_recorded_verdict *v,
                               cc_error *err);

typedef void (*audit_row_problem_fn)(void *ctx, const char *table, int64_t id, const char *problem);

/* *tables receives the number of tables compared, *problems the number of
 * reports made. */
cc_status audit_check_rows(db *d, audit_row_problem_fn fn, void *ctx, int *tables,
                           int64_t *problems, cc_error *err);

#endif
