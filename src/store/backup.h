/*
 * backup: backup files of a data directory, and restoring one into it.
 *
 * How the copy is made, and why. The database runs in WAL mode and a server
 * writes to it from another process. SQLite's online backup API copying N
 * pages per step starts over whenever another connection writes between two
 * steps, so under steady load it may never finish. The copy is therefore
 * made with sqlite3_backup_step(-1): all pages in one step, inside one read
 * transaction, i.e. one snapshot; in WAL mode that reader blocks no writer
 * (the WAL grows meanwhile and is checkpointed after). VACUUM INTO would
 * also work from one snapshot, but it rebuilds every table and index, which
 * costs far more CPU on a large database than copying pages.
 *
 * backup_write: takes the data directory's lock shared (a restore cannot
 * replace the database under it), creates TO.partial-PID new with mode 0600
 * (O_EXCL) in TO's directory, signs an audit checkpoint "backup" of the
 * chain head (store/audit_checkpoint.h; the key DIR/audit-signing.key, made
 * when missing, or the audit_key file), so the copy carries a signed
 * checkpoint of its own trail, copies into TO.partial-PID, marks the copy as
 * a backup (application id BACKUP_MARK), adds the access log's tables to the
 * copy (store/access_log.h access_log_copy; DIR/access-log.db is another
 * file, copied a moment after the clinical snapshot), checks it (backup_verify_copy,
 * trusting DIR/audit-signing.pub), fsyncs it, renames it to TO only if TO
 * does not exist, and fsyncs the directory. A backup killed at any moment
 * leaves no file named TO; a leftover TO.partial-PID is never accepted by
 * restore (refused by its name, and an unfinished copy lacks the mark or
 * fails the check). With a key, the plaintext copy is staged in the data
 * directory itself (DIR/cellclinic.db.backup-PID, 0600) and only the sealed
 * stream (backup_crypt.h) is written next to TO.
 *
 * backup_restore: refuses a file named like an unfinished backup; takes the
 * data directory's lock exclusive (CC_CONFLICT "data_dir_busy" while a
 * server or a backup runs on DIR; DIR is created 0700 when missing);
 * decrypts or copies the backup to DIR/cellclinic.db.restore-PID; checks it
 * there (backup_verify_copy, trusting public_keys, else DIR/audit-signing.pub);
 * loads DIR's signing key (made when missing); takes the access log's
 * tables out of the copy, into a new DIR/access-log.db when DIR has no
 * access log with rows (else DIR's own is kept: it continues the backup's
 * and holds the reads since); only then moves the current
 * database aside, together with its WAL and rollback journal (so that it
 * keeps every committed transaction), to
 * DIR/cellclinic.db.before-restore-YYYYMMDDTHHMMSSZ, and the checkpoint log
 * to DIR/audit-checkpoints.log.before-restore-YYYYMMDDTHHMMSSZ (it covers
 * entries the restored trail does not have), removes the old shared memory
 * index, renames the checked copy to DIR/cellclinic.db and fsyncs DIR. Then
 * the public keys that signed the backup's checkpoints are added to
 * DIR/audit-signing.pub, the checkpoint log is written anew from the
 * restored database's audit_checkpoints rows, the database gets an audit
 * entry "restore" naming the file it came from, and a checkpoint "restore"
 * is signed: `audit verify` on DIR passes. Any refusal of the backup is
 * CC_INVALID with field "from" (or the option at fault: the key option,
 * "public-key") and a message saying why; nothing in DIR is changed then.
 *
 * backup_verify_copy is the one place that decides whether a database file
 * is a sound backup: integrity check, a cellclinic schema no newer than
 * this program, the audit chain, the access log's chain and indexes when
 * the copy carries one, and the signed checkpoints the copy
 * records (audit_check_recorded): every one well-formed, signed by a
 * trusted key with a signature that holds, and covered by the chain (entry
 * ENTRIES exists and hashes to HEAD). Both backup and restore call it.
 * A copy that records no checkpoint is refused unless allow_no_checkpoint:
 * without one, nothing but the copy itself vouches for its trail, and a
 * trail cut short (its newest entries deleted) or rewritten and re-hashed is
 * as consistent as the real one; backups made before checkpoints were
 * recorded are restored only by an explicit decision (restore
 * --no-checkpoint). A backup whose newest checkpoints were deleted together
 * with the entries they covered still passes on an older checkpoint: the
 * checkpoint restore reports (number, entries, time) is to be compared with
 * the one backup reported.
 *
 * Not thread-safe (a command-line operation of one process).
 */
#ifndef CC_BACKUP_H
#define CC_BACKUP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/checkpoint.h"
#include "store/audit_checkpoint.h"
#include "store/backup_crypt.h"
#include "store/datadir.h"
#include "store/db.h"

/* "CCBK": the application id of a finished backup copy. */
enum { BACKUP_MARK = 0x4343424B };

/* What a sound copy proved. */
typedef struct {
    int64_t audit_entries; /* entries of the verified audit chain */
    int64_t checkpoints;   /* signed checkpoints recorded and verified */
    checkpoint newest;     /* the newest of them (seq 0: none) */
    int64_t access_rows;   /* rows of the access log it carries, checked; -1: none */
} backup_checked;

/* What the copy's checkpoints are checked against. */
typedef struct {
    const char *public_keys;  /* file of trusted public keys; NULL: none */
    bool allow_no_checkpoint; /* a copy recording no checkpoint passes */
} backup_trust;

typedef struct {
    const backup_key *key; /* NULL: a plain backup */
    const char *audit_key; /* signing key file; NULL: DIR/audit-signing.key, made when missing */
} backup_options;

typedef struct {
    int64_t bytes; /* size of the backup file */
    backup_checked checked;
    bool key_created; /* the signing key was made (at key_path) */
    char key_path[AUDIT_PATH_MAX];
} backup_report;

typedef struct {
    const backup_key *key;   /* NULL: the backup must be a plain one */
    const char *public_keys; /* trusted keys file; NULL: DIR/audit-signing.pub */
    const char *audit_key;   /* signing key file; NULL: DIR/audit-signing.key, made when missing */
    bool no_checkpoint;      /* accept a backup recording no signed checkpoint */
} restore_options;

typedef struct {
    char previous[DATADIR_PATH_MAX];     /* where the replaced database went; "" when none */
    char previous_log[DATADIR_PATH_MAX]; /* where the old checkpoint log went; "" when none */
    backup_checked checked;
    checkpoint restored;        /* the checkpoint signed after the restore */
    int64_t access_from_backup; /* rows of the backup's access log; -1: it has none */
    int64_t access_kept;        /* rows of DIR's own access log, kept; 0: none (the backup's
                                   was placed) */
    bool key_created;           /* the signing key was made (at key_path) */
    char key_path[AUDIT_PATH_MAX];
} restore_report;

cc_status backup_write(const char *data_dir, const char *to, const backup_options *options,
                       backup_report *out, cc_error *err);

cc_status backup_restore(const char *from, const char *data_dir, const restore_options *options,
                         restore_report *out, cc_error *err);

/* CC_INVALID naming the first problem found in the open copy (field
 * "public-key" when it records checkpoints and no trusted key is given). */
cc_status backup_verify_copy(db *copy, const backup_trust *trust, backup_checked *out,
                             cc_error *err);

#endif
