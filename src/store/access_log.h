/*
 * access_log: who read which patient's identified data, when, and how.
 *
 * One row per patient per read: a search writes a row for each patient it
 * returned. Rows are written in batches (the server's writer thread writes
 * what its queue holds, api/access_queue.h): a batch is one row of
 * access_batches holding its rows as a JSON array of
 * [seq, at, user_id, username, patient_id, what, route], and in the same
 * transaction its patients' ids (access_batch_patients: one row per batch,
 * the ids sorted, 8 bytes each) and an entry per username with its row
 * count (access_user_batches, keyed by username). "Who saw this patient"
 * scans the ids (8 bytes per read, no JSON) and opens only the batches that
 * hold the patient; "what did this user read" is an index lookup. The view
 * access_log shows the rows as a table, for an inspector with the sqlite3
 * shell. Why so: a table row per read with an index entry per patient and
 * per user cost the writer thread about a fifth of the server's CPU at
 * 30,000 patient reads/s, because entries keyed by patient land all over
 * their index and each commit rewrites most of its pages; appended per
 * batch, only the last page is written (bench/RESULTS.md).
 *
 * The rows live in a database file of their own, DIR/access-log.db (SQLite,
 * WAL), not in cellclinic.db: a commit to the clinical database makes every
 * reading connection drop its page mapping. access_log_open opens (creates,
 * and converts from the row-per-read format of earlier builds) that file.
 * The batches form a hash chain (the audit trail's length-prefixed SHA-256
 * encoding, store/audit.h: seq, first row, count, rows, previous hash), so a
 * deleted, inserted or edited row breaks access_log_verify, which also
 * checks that both indexes list exactly what the rows hold (a read hidden
 * from the per-patient query is found). Rows carry route patterns
 * ("/api/v1/patients/{id}") or command names, never a path as typed.
 *
 * access_log_append writes its entries as one batch in one transaction; the
 * chain end is read inside that write transaction, so concurrent writers
 * (the server's writer thread and a command-line command) serialise on
 * SQLite's lock. Listings are allocated in the caller's buf. Not
 * thread-safe per db.
 */
#ifndef CC_ACCESS_LOG_H
#define CC_ACCESS_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/users.h"

/* What kind of read: record, search, list, export, label, lookback, report. */
typedef struct {
    char at[CC_INSTANT_TEXT]; /* when the data was read (UTC ISO 8601) */
    int64_t user_id;          /* 0: no account (a questionnaire link) */
    char username[USER_NAME_MAX + 1];
    int64_t patient_id;
    const char *what;  /* static text */
    const char *route; /* static text: a route pattern or a command */
} access_entry;

enum { ACCESS_LOG_FILE_MAX = 4096 };

/* DIR/access-log.db; CC_INVALID field "data" when too long. */
cc_status access_log_path(const char *data_dir, char out[ACCESS_LOG_FILE_MAX], cc_error *err);

/* Opens DIR/access-log.db (access_log_open_file: any path), creating its
 * tables when missing and converting the earlier format. */
cc_status access_log_open(const char *data_dir, db **out, cc_error *err);
cc_status access_log_open_file(const char *path, db **out, cc_error *err);

/* The rows d holds in access-log tables, or -1 when it has none (a
 * clinical database, a backup made before backups carried the log). */
cc_status access_log_held(db *d, int64_t *rows, cc_error *err);

/* Creates the access-log tables in to (when missing) and copies every batch
 * and index row of the access-log database file from_file into them, in one
 * transaction. from_file must be in the present format (open it with
 * access_log_open_file first). A backup carries the log this way inside the
 * copy of the clinical database; a restore takes it out the same way. */
cc_status access_log_copy(db *to, const char *from_file, cc_error *err);

/* Drops the access-log tables and view from d (a restored clinical copy). */
cc_status access_log_remove(db *d, cc_error *err);

/* Appends the entries, in order, as one batch of the chain in one
 * transaction on the access-log database. */
cc_status access_log_append(db *d, const access_entry *entries, size_t n, cc_error *err);

/* One page of rows about site_id's patients, newest first, for one patient
 * (by MRN, looked up among site_id's patients in the clinical database main;
 * unknown there, or another site's, is CC_NOT_FOUND field "patient") or one
 * username (exactly one of them; both or neither is CC_INVALID): a JSON
 * array of {at, username, what, route, mrn, family_name, given_names}
 * appended to out; *total counts every matching row. A user's reads of
 * other sites' patients are left out (and then each of the user's batches is
 * read to count them; with no patient at another site, the index's counts
 * serve). access is the access-log database. */
cc_status access_log_page_json(db *main, db *access, int64_t site_id, const char *mrn,
                               const char *username, int64_t page, int64_t per_page, buf *out,
                               int64_t *total, cc_error *err);

/* Recomputes the chain and checks both indexes, in one read snapshot (or
 * the caller's transaction); verdict as for the audit trail,
 * first_broken_seq naming a row (for a batch: its first row). */
cc_status access_log_verify(db *d, audit_verdict *verdict, cc_error *err);

#endif
