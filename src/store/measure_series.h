/*
 * measure_series (store): each patient's observation values as one series
 * row (core/measure_series), and the dictionary of measure names.
 *
 * measure_series_add appends the values of one observation inside the
 * caller's write transaction, so the series commits with its observation or
 * not at all. The series is derived: measure_series_reset +
 * measure_series_insert rebuild it (in one write transaction) from the
 * observations, and derived_data records whether it is complete.
 *
 * Ownership: loaded names and series are allocated from the caller's arena.
 * Errors: those of db.h; CC_INVALID "measures" for a name over
 * MEASURE_NAME_MAX bytes.
 */
#ifndef CC_STORE_MEASURE_SERIES_H
#define CC_STORE_MEASURE_SERIES_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/measure_series.h"
#include "store/db.h"
#include "store/sql.h"

typedef struct {
    uint32_t id;
    char *instrument, *score;
} measure_name;

/* Appends values (observed on day) to the patient's series; in a write transaction. */
cc_status measure_series_add(db *d, int64_t patient_id, const char *instrument, cc_date day,
                             const measure_value *values, size_t n, cc_error *err);

/* Whether the series reflect every stored observation. */
cc_status measure_series_built(db *d, bool *built, cc_error *err);

/* One patient's whole series, encoded (core/measure_series_encode): len
 * bytes, a whole number of records. The bytes stay the caller's. */
typedef sql_patient_bytes measure_series_row;

/* The rows measure_series_insert writes in one statement. 512 bound values:
 * far under either engine's limit (SQLite 32766 by default, 250000 in
 * Debian's build; PostgreSQL 65535), and enough that the round trips of a
 * rebuild on PostgreSQL (one per statement) cost little beside its reads:
 * 392 statements at 100,000 patients where a statement per patient made
 * 100,000. Larger chunks would save a few more milliseconds for a longer
 * statement text and more bytes bound at once. */
enum { MEASURE_SERIES_CHUNK = 256 };

/* Rebuild, in one write transaction: reset (empties the series), then
 * insert every patient's series, each patient once, then mark_built.
 * measure_series_insert writes n rows in n / MEASURE_SERIES_CHUNK statements
 * of MEASURE_SERIES_CHUNK rows and one statement for each power of two left
 * over (at most 8 more); every statement text is a literal, prepared once
 * per connection. It inserts, it does not replace: a patient who already has
 * a series, or a patient_id of no patient, is CC_CONFLICT. On any error the
 * rows of the statements before it are written: the caller rolls the
 * transaction back (db_tx_end with the error). n = 0 runs nothing. The
 * bytes are copied when bound: rows may be freed or reused on return. */
cc_status measure_series_reset(db *d, cc_error *err);
cc_status measure_series_insert(db *d, const measure_series_row *rows, size_t n, cc_error *err);
cc_status measure_series_mark_built(db *d, cc_error *err);

/* Calls fn for every stored observation, in stored order (by id), with its
 * patient, instrument, day as stored (YYYY-MM-DD) and score document; the
 * texts are valid during the call only. Read in batches (db_read_in_batches):
 * fn may run other statements, as the rebuild does when it meets a new
 * measure name. A status other than CC_OK from fn stops the scan and is
 * returned. In the rebuild's write transaction. */
typedef cc_status (*observation_row_fn)(void *ctx, int64_t patient_id, const char *instrument,
                                        const char *observed_on, const char *scores, cc_error *err);
cc_status measure_series_scan_observations(db *d, observation_row_fn fn, void *ctx, cc_error *err);

/* The id of (instrument, score), created when new; in a write transaction. */
cc_status measure_name_id(db *d, const char *instrument, const char *score, uint32_t *id,
                          cc_error *err);

/* Every measure name, by id. */
cc_status measure_names_load(db *d, arena *a, measure_name **names, size_t *n, cc_error *err);

#endif
