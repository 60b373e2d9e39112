/*
 * access_log: who read which patient's identified data, when, and how.
 *
 * One row per patient per read: a search writes a row for each patient it
 * returned, so "who saw this patient" is one index lookup.
 *
 * The rows live in a database file of their own, DIR/access-log.db (SQLite,
 * WAL), not in cellclinic.db: a commit to the clinical database makes every
 * reading connection drop its page mapping, so logging reads there would
 * make each read pay for the reads before it. access_log_open opens (and
 * creates, with its tables) that file. The rows form a hash chain of their
 * own (the audit trail's length-prefixed SHA-256 encoding, store/audit.h),
 * one link per append (access_chain: the previous link's hash, then each
 * row's hash; rows stay small), so a deleted, inserted or edited row breaks
 * access_log_verify (an edit is named by its batch's first row). Rows carry route patterns
 * ("/api/v1/patients/{id}") or command names, never a path as typed: secrets in URLs stay out.
 *
 * access_log_append writes its entries in one transaction; the chain end is
 * read inside that write transaction, so concurrent writers (the server's
 * writer thread and a command-line command) serialise on SQLite's lock.
 * Listings are allocated in the caller's buf. Not thread-safe per db.
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

/* Opens DIR/access-log.db, creating it and its table when missing. */
cc_status access_log_open(const char *data_dir, db **out, cc_error *err);

/* Appends the entries, in order, to the chain in one transaction on the
 * access-log database. */
cc_status access_log_append(db *d, const access_entry *entries, size_t n, cc_error *err);

/* One page of rows, newest first, for one patient (by MRN, looked up in the
 * clinical database main; unknown is CC_NOT_FOUND field "patient") or one
 * username (either may be NULL, not both): a JSON array of {at, username,
 * what, route, mrn, family_name, given_names} appended to out; *total counts
 * every matching row. access is the access-log database. */
cc_status access_log_page_json(db *main, db *access, const char *mrn, const char *username,
                               int64_t page, int64_t per_page, buf *out, int64_t *total,
                               cc_error *err);

/* Recomputes the chain; verdict as for the audit trail. */
cc_status access_log_verify(db *d, audit_verdict *verdict, cc_error *err);

#endif
