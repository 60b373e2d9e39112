/*
 * report_digests (store): each patient's part of the outcome report
 * (core/report_digest) in one row, and the patients whose digest is stale.
 *
 * The schema's triggers mark a patient stale in the transaction that
 * changes one of their screenings, plans, administrations, follow-up visits,
 * questionnaire links or measure series, so a digest is never trusted after
 * its facts changed: the report reads the digests of the patients not
 * marked and computes the marked ones afresh in the same snapshot.
 * report_digests_refresh's caller (app) writes the new digests of the marked
 * patients and clears the marks in one write transaction.
 *
 * Ownership: ids are allocated from the caller's arena; the bytes passed to
 * the scan's callback are valid during the call only. Errors: those of db.h.
 */
#ifndef CC_STORE_REPORT_DIGESTS_H
#define CC_STORE_REPORT_DIGESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/db.h"
#include "store/sql.h"

/* Whether every patient has a digest (the first build completed). */
cc_status report_digests_built(db *d, bool *built, cc_error *err);

/* The patients marked stale, ascending. */
cc_status report_digests_stale(db *d, arena *a, int64_t **ids, size_t *n, cc_error *err);

/* In a write transaction. replace: deletes the digests of the patients
 * marked stale (or every digest when all), writes rows (each patient once,
 * none with a digest left) and clears the marks; mark_built records that
 * every patient has one. */
cc_status report_digests_replace(db *d, bool all, const sql_patient_bytes *rows, size_t n,
                                 cc_error *err);
cc_status report_digests_mark_built(db *d, cc_error *err);
/* Records that the digests must be made anew, every one (a damaged row). */
cc_status report_digests_unbuild(db *d, cc_error *err);

/* Calls fn for every digest in patient id order; a status other than CC_OK
 * from fn stops the scan and is returned. */
typedef cc_status (*report_digest_fn)(void *ctx, int64_t patient_id, const unsigned char *bytes,
                                      size_t len, cc_error *err);
cc_status report_digests_scan(db *d, report_digest_fn fn, void *ctx, cc_error *err);

#endif
