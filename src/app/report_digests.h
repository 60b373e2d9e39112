/*
 * report_digests (app): the values each participant's measures take at
 * baseline and at each visit, and the report digests made of them
 * (core/report_digest, store/report_digests).
 *
 * report_match_values fills a loaded report_data's values and seen for its
 * treated participants (a plan and at least one administration) from the
 * stored measure series, by core/report's matching rules: the report's
 * values whether they come from the tables or from digests.
 *
 * report_digests_make reads the facts of every patient's digest, or of the
 * stale patients' (one row for each stale patient, empty when it has no
 * participant any more), in the caller's transaction; rows by patient id,
 * allocated from the arena. Visit labels: the digests keep up to
 * REPORT_MAX_LABELS of them (the report shows the first REPORT_MAX_TIMEPOINTS
 * met among its participants, by patient, and says when it left some out);
 * a visit of a label beyond those is left out of the digests and its
 * participant's digest says so, which the report says too. report_digests_refresh writes them in
 * its own write transaction: every patient's when the digests were never built, else the stale
 * ones'; nothing when none is stale.
 *
 * Errors: those of db.h; CC_INTERNAL "out_of_memory". Not thread-safe (one
 * connection).
 */
#ifndef CC_APP_REPORT_DIGESTS_H
#define CC_APP_REPORT_DIGESTS_H

#include "core/arena.h"
#include "store/db.h"
#include "store/report_data.h"
#include "store/sql.h"

cc_status report_match_values(db *d, arena *a, bool only_stale, report_data *data, cc_error *err);
cc_status report_digests_make(db *d, arena *a, bool only_stale, sql_patient_bytes **rows, size_t *n,
                              cc_error *err);
cc_status report_digests_refresh(db *d, cc_error *err);

/* Reads every stored digest; when one does not read whole (a damaged row),
 * marks the digests unbuilt so that report_digests_refresh makes them all
 * anew. *damaged: how many. For a server's start: a scan of every digest. */
cc_status report_digests_check(db *d, size_t *damaged, cc_error *err);

#endif
