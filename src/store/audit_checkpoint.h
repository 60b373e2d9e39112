/*
 * audit_checkpoint: signed checkpoints of the audit chain head.
 *
 * A checkpoint (core/checkpoint.h) signs "the trail held N entries and entry
 * N hashed to H" with an Ed25519 key (libsodium) kept outside the database:
 * DIR/audit-signing.key (mode 0600, made by `cellclinic init` or at the first
 * `serve` of an older data directory) or a file given with --audit-key. The
 * public keys that may sign are listed in DIR/audit-signing.pub (one hex key
 * a line; a new key is appended, older ones stay so older checkpoints still
 * verify). Each checkpoint is appended to DIR/audit-checkpoints.log (opened
 * O_APPEND, locked with flock against other processes, fsynced) and recorded,
 * signature included, in the audit_checkpoints table: a missing or cut log is
 * noticed, a backup carries the signed checkpoints of its own trail, and a
 * restore writes the log again from the rows (audit_checkpoint_log_rebuild).
 *
 * Checkpoints are written after commits only (they must cover committed
 * entries): explicitly with audit_checkpoint_write (init, serve start and
 * stop, backup, restore), and
 * automatically every N entries once audit_checkpoints_auto is on: audit_append
 * calls audit_checkpoint_note_append, which schedules a write after the commit
 * (db_after_commit) when the chain reaches the next multiple.
 *
 * Thread safety: an audit_signer is read-only once loaded; the automatic
 * checkpointer is process-wide and locked. Secret key bytes are wiped by
 * audit_signer_wipe.
 */
#ifndef CC_AUDIT_CHECKPOINT_H
#define CC_AUDIT_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/checkpoint.h"
#include "store/db.h"

#define AUDIT_KEY_FILE "audit-signing.key"
#define AUDIT_PUBLIC_KEY_FILE "audit-signing.pub"
#define AUDIT_CHECKPOINT_FILE "audit-checkpoints.log"

enum { AUDIT_SECRET_KEY_BYTES = 64, AUDIT_PUBLIC_KEY_BYTES = 32, AUDIT_PATH_MAX = 4096 };

typedef struct {
    char dir[AUDIT_PATH_MAX];      /* the data directory the checkpoints go to */
    char key_path[AUDIT_PATH_MAX]; /* where the secret key was read from */
    unsigned char secret[AUDIT_SECRET_KEY_BYTES];
    char public_hex[CHECKPOINT_KEY_HEX];
} audit_signer;

/* Loads the signing key of data directory dir from key_path (NULL: the data
 * directory's DIR/audit-signing.key). A missing file is created (random key,
 * mode 0600) when create is true, and *created says so; otherwise it is
 * CC_NOT_FOUND. A key file readable or writable by group or others is refused
 * (CC_INVALID), as is a file that does not hold one key. The key's public
 * half is appended to DIR/audit-signing.pub when not listed there yet.
 * When dir is a PostgreSQL URI the key has no default place: key_path is
 * required (CC_NOT_FOUND "audit_key_needed" without it) and the public keys
 * and checkpoint log go to the key file's directory (out->dir). */
cc_status audit_signer_load(const char *dir, const char *key_path, bool create, audit_signer *out,
                            bool *created, cc_error *err);
void audit_signer_wipe(audit_signer *s);

/* path = dir + "/" + name; CC_INVALID when it does not fit. */
cc_status audit_datadir_file(const char *dir, const char *name, char out[AUDIT_PATH_MAX],
                             cc_error *err);

/* Signs the chain's committed head and appends the checkpoint (reason, e.g.
 * "backup", is kept in the database). When the last checkpoint already
 * covers the same head with the same key nothing is written and *written
 * (may be NULL) is false. *out (may be NULL) receives the checkpoint that
 * covers the head. Must not be called inside a transaction. */
cc_status audit_checkpoint_write(db *d, const audit_signer *s, const char *reason, checkpoint *out,
                                 bool *written, cc_error *err);

/* The trusted public keys: the hex lines of a keys file (DIR/audit-signing.pub
 * or a copy kept elsewhere); other lines are skipped, keys beyond
 * AUDIT_TRUSTED_KEYS_MAX ignored. False when the file cannot be read (errno
 * says why). */
enum { AUDIT_TRUSTED_KEYS_MAX = 64 };
typedef struct {
    unsigned char key[AUDIT_TRUSTED_KEYS_MAX][AUDIT_PUBLIC_KEY_BYTES];
    char hex[AUDIT_TRUSTED_KEYS_MAX][CHECKPOINT_KEY_HEX];
    int n;
} audit_trusted_keys;

bool audit_trusted_keys_read(const char *path, audit_trusted_keys *out);

typedef enum {
    AUDIT_SIGNATURE_HOLDS = 0,
    AUDIT_SIGNATURE_UNTRUSTED_KEY, /* signed by a key not in the trusted list */
    AUDIT_SIGNATURE_FORGED,        /* the signature does not match the fields */
} audit_signature_check;

/* Checks a checkpoint's signature over its fields (checkpoint_message). */
audit_signature_check audit_checkpoint_verify(const checkpoint *c, const audit_trusted_keys *t);

/* Appends a public key (hex) to DIR/audit-signing.pub unless it is listed. */
cc_status audit_publish_key(const char *dir, const char *public_hex, cc_error *err);

/* Calls fn with each row of the audit_checkpoints table, in seq order. A row
 * that does not hold a well-formed checkpoint comes with problem set (what
 * is wrong) and only c->seq filled; problem is NULL otherwise. A database
 * without the table has no rows. fn's error stops the walk. */
typedef cc_status (*audit_checkpoint_row_fn)(void *ctx, const checkpoint *c, const char *problem,
                                             cc_error *err);
cc_status audit_checkpoint_rows(db *d, audit_checkpoint_row_fn fn, void *ctx, cc_error *err);

/* Writes DIR/audit-checkpoints.log anew from the audit_checkpoints rows (a
 * restored database): under a temporary name, fsynced, then linked into
 * place. CC_CONFLICT when the log exists (move it aside first); CC_INVALID
 * when a row holds no well-formed checkpoint. Signatures are not checked
 * here (the caller has). */
cc_status audit_checkpoint_log_rebuild(db *d, const char *dir, cc_error *err);

/* Turns automatic checkpoints on for this process: one at least every
 * `every` entries (signer copied; NULL turns them off). d reads the last
 * checkpoint recorded. Failures of an automatic write go to stderr and it
 * is tried again at the next commit that appends an entry. */
cc_status audit_checkpoints_auto(db *d, const audit_signer *s, int64_t every, cc_error *err);

/* Called by audit_append with the sequence number it wrote. */
void audit_checkpoint_note_append(db *d, int64_t seq);

#endif
