/*
 * score_scan: the numeric values of a stored score document, read straight
 * from its JSON text without building a document tree. Rebuilding the
 * measure series reads millions of these small documents; a tree per
 * document (jansson) cost more than everything else of the rebuild.
 *
 * Hand-written rather than a general parser because it answers only for the
 * plain documents the clinic writes (ASCII strings without escapes, numbers,
 * objects, arrays, true/false/null, nesting up to SCORE_SCAN_DEPTH, no key
 * repeated in an object it reads) and says "unsure" for anything else, so
 * that the caller asks jansson: whatever it answers is what
 * app/observation_measures gets from the jansson tree of the same text
 * (tests/unit/test_measure_series.c compares the two on generated and
 * hand-made documents).
 *
 * Values, as app/observation_measures.h states them: for "isncsci" the AIS
 * grade (MEASURE_AIS_SCORE, 0..4) then the four totals (strings read with
 * strtod, "ND" gives none); for any other instrument each number of the
 * "scores" object (or of the document when it has no "scores" object), in
 * document order, except MEASURE_AIS_SCORE. Non-finite values and names
 * longer than MEASURE_NAME_MAX are skipped; at most cap values.
 *
 * Pure, thread-safe, no allocation.
 */
#ifndef CC_SCORE_SCAN_H
#define CC_SCORE_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "measure_series.h"

enum { SCORE_SCAN_DEPTH = 16 };

/* Sets *n to the number of values written to out and returns true, or
 * returns false (out unspecified) when the text is not a plain document. */
bool score_scan(const char *instrument, const char *json, measure_value *out, size_t cap,
                size_t *n);

#endif
