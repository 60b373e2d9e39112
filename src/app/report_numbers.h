/*
 * report_numbers: how the outcome report writes one number, interval or
 * proportion in JSON, and one cell in CSV. The leaf that the report's
 * sections share (app/report_json for the report, app/report_satisfaction for
 * its satisfaction section), so that every section rounds and quotes alike.
 *
 * JSON: every function returns a new jansson reference (NULL only when
 * jansson runs out of memory). CSV: appends to the caller's buf. Pure
 * functions of their arguments, thread-safe.
 */
#ifndef CC_APP_REPORT_NUMBERS_H
#define CC_APP_REPORT_NUMBERS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/buf.h"
#include "core/stats.h"

/* v rounded to decimals places; null when v is not finite. */
json_t *report_json_number(double v, int decimals);

/* {"low","high"} rounded to 6 decimals, or {"low":null,"high":null,
 * "not_computable":REASON} when the interval is undefined. */
json_t *report_json_interval(const stats_interval *ci);

/* A proportion: {"x","n","p","ci"}, p and the interval rounded to 6
 * decimals, p null when n = 0. */
json_t *report_json_proportion(const stats_proportion *p);

/* One CSV cell, then "," or CRLF when last. Quoted when it holds a comma, a
 * quote or a line break, or starts with a formula character (= + - @); a
 * formula-like start is neutralised with a leading "'", except a negative
 * number. */
void report_csv_cell(buf *b, const char *text, bool last);
/* A JSON scalar as one cell: string as is, integer, real with 10 significant
 * digits; anything else (null) an empty cell. */
void report_csv_json(buf *b, const json_t *v, bool last);

/* One row of the report's 20 CSV columns (table, instrument, score,
 * timepoint, due, n, missing, mean, sd, ci_low, ci_high, median, q1, q3,
 * pairs, mean_change, change_ci_low, change_ci_high, x, p) for a proportion
 * p ({"x","n","p","ci"}): n, ci_low, ci_high, x and p from it, the rest
 * empty. timepoint and due are JSON scalars (NULL: empty cell). */
void report_csv_proportion(buf *b, const char *table, const char *instrument, const char *score,
                           const json_t *timepoint, const json_t *due, const json_t *p);

#endif
