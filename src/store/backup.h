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
 * replace the database under it), copies into TO.partial-PID created new
 * with mode 0600 (O_EXCL) in TO's directory, marks the copy as a backup
 * (application id BACKUP_MARK), checks it (backup_verify_copy), fsyncs it,
 * renames it to TO only if TO does not exist, and fsyncs the directory. A
 * backup killed at any moment leaves no file named TO; a leftover
 * TO.partial-PID is never accepted by restore (refused by its name, and an
 * unfinished copy lacks the mark or fails the check). With a key, the
 * plaintext copy is staged in the data directory itself
 * (DIR/cellclinic.db.backup-PID, 0600) and only the sealed stream
 * (backup_crypt.h) is written next to TO.
 *
 * backup_restore: refuses a file named like an unfinished backup; takes the
 * data directory's lock exclusive (CC_CONFLICT "data_dir_busy" while a
 * server or a backup runs on DIR; DIR is created 0700 when missing);
 * decrypts or copies the backup to DIR/cellclinic.db.restore-PID; checks it
 * there; only then moves the current database aside, together with its WAL
 * and rollback journal (so that it keeps every committed transaction), to
 * DIR/cellclinic.db.before-restore-YYYYMMDDTHHMMSSZ, removes the old shared
 * memory index, renames the checked copy to DIR/cellclinic.db and fsyncs
 * DIR. The restored database then gets an audit entry "restore" naming the
 * file it came from. Any refusal of the backup is CC_INVALID with field
 * "from" (or the key option) and a message saying why; nothing in DIR is
 * changed then.
 *
 * backup_verify_copy is the one place that decides whether a database file
 * is a sound backup: integrity check, a cellclinic schema no newer than
 * this program, the audit chain. Both backup and restore call it, so a
 * further check of the audit trail (a signed checkpoint) added there
 * applies to both.
 *
 * Not thread-safe (a command-line operation of one process).
 */
#ifndef CC_BACKUP_H
#define CC_BACKUP_H

#include <stdint.h>

#include "store/backup_crypt.h"
#include "store/datadir.h"
#include "store/db.h"

/* "CCBK": the application id of a finished backup copy. */
enum { BACKUP_MARK = 0x4343424B };

typedef struct {
    int64_t bytes;         /* size of the backup file */
    int64_t audit_entries; /* entries of the verified audit chain */
} backup_report;

typedef struct {
    char previous[DATADIR_PATH_MAX]; /* where the replaced database went; "" when none */
    int64_t audit_entries;
} restore_report;

/* key NULL: a plain backup. */
cc_status backup_write(const char *data_dir, const char *to, const backup_key *key,
                       backup_report *out, cc_error *err);

/* key NULL: the backup must be a plain one. */
cc_status backup_restore(const char *from, const char *data_dir, const backup_key *key,
                         restore_report *out, cc_error *err);

/* CC_INVALID naming the first problem found in the open copy. */
cc_status backup_verify_copy(db *copy, int64_t *audit_entries, cc_error *err);

#endif
