/*
 * measure_series (store): each patient's observation values as one series
 * row (core/measure_series), and the dictionary of measure names.
 *
 * measure_series_add appends the values of one observation inside the
 * caller's write transaction, so the series commits with its observation or
 * not at all. The series is derived: measure_series_reset + measure_series_put
 * rebuild it (in one write transaction) from the observations, and
 * derived_data records whether it is complete.
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

typedef struct {
    uint32_t id;
    char *instrument, *score;
} measure_name;

/* Appends values (observed on day) to the patient's series; in a write transaction. */
cc_status measure_series_add(db *d, int64_t patient_id, const char *instrument, cc_date day,
                             const measure_value *values, size_t n, cc_error *err);

/* Whether the series reflect every stored observation. */
cc_status measure_series_built(db *d, bool *built, cc_error *err);

/* Rebuild, in one write transaction: reset (empties the series), then one put
 * per patient with every record of that patient, then mark_built. */
cc_status measure_series_reset(db *d, cc_error *err);
cc_status measure_series_put(db *d, int64_t patient_id, const measure_record *records, size_t n,
                             cc_error *err);
cc_status measure_series_mark_built(db *d, cc_error *err);

/* The id of (instrument, score), created when new; in a write transaction. */
cc_status measure_name_id(db *d, const char *instrument, const char *score, uint32_t *id,
                          cc_error *err);

/* Every measure name, by id. */
cc_status measure_names_load(db *d, arena *a, measure_name **names, size_t *n, cc_error *err);

#endif
