/*
 * observation_measures: the numeric values of a stored score document, as the
 * measure_value list that store/measure_series keeps per patient, and the
 * rebuild of every series from the stored observations.
 *
 * Values: for ISNCSCI the four totals (uems, lems, light_touch, pin_prick)
 * and the AIS grade (MEASURE_AIS_SCORE, 0..4 for A..E); for every other
 * instrument each number of its "scores" object, by key. Non-numeric and
 * not-applicable scores give no value (never a zero).
 *
 * observation_measures_ensure rebuilds the series in one write transaction
 * when derived_data says they are incomplete (after the migration that made
 * them, or when forced); it is called before serving and before a report.
 * Errors: those of the store.
 */
#ifndef CC_OBSERVATION_MEASURES_H
#define CC_OBSERVATION_MEASURES_H

#include <jansson.h>
#include <stdbool.h>

#include "core/measure_series.h"
#include "store/db.h"

enum { OBSERVATION_MEASURES_MAX = 64 };

size_t observation_measures(const char *instrument, const json_t *scores, measure_value *out,
                            size_t cap);

/* The same from the stored JSON text (0 values when it does not parse):
 * core/score_scan reads a plain document itself, jansson any other. */
size_t observation_measures_text(const char *instrument, const char *scores_json,
                                 measure_value *out, size_t cap);

cc_status observation_measures_ensure(db *d, bool force, cc_error *err);

#endif
