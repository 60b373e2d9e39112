/*
 * report_json: the outcome report of one protocol (issue 7) as JSON and CSV,
 * shared by GET /api/v1/reports/outcomes and `cellclinic report outcomes`.
 *
 * Loads the cohort (store/report_data), keeps the patients whose approved
 * plan starts in [from, to] (or, without a plan, whose first screening falls
 * in it), builds the core/report input (time points from the protocol's
 * follow-up visits, ordered by months; baseline = the newest observation on
 * or before the plan's start and at most 180 days before it; a time point's
 * value = the observation in the visit's window closest to its target date),
 * computes, and renders every number with its denominator. A patient is
 * treated when at least one administration is recorded under the plan.
 *
 * Ownership: *out is a new jansson reference; the CSV goes into the caller's
 * buf. The caller holds a read transaction.
 */
#ifndef CC_REPORT_JSON_H
#define CC_REPORT_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/stats.h"
#include "store/db.h"

#define REPORT_ALL_PROTOCOLS "all"

typedef struct {
    const char *protocol;  /* a protocol id, or REPORT_ALL_PROTOCOLS */
    const char *from, *to; /* YYYY-MM-DD or NULL */
    cc_date today;
    /* filters (NULL: none): ICD-10 code prefix; administered product type; route */
    const char *condition, *product_type, *route;
} report_query;

/* Checks the query (protocol known or "all", dates valid, from <= to,
 * filters well-formed): CC_INVALID naming the field. */
cc_status report_query_check(db *d, arena *a, const report_query *q, cc_error *err);
bool report_query_all(const report_query *q);

cc_status report_outcomes_json(db *d, arena *a, const report_query *q, json_t **out, cc_error *err);

/* A proportion as the report writes it: {"x","n","p","ci":{"low","high"}}, p
 * and the interval rounded to 6 decimals, null with "not_computable" when
 * undefined. A new jansson reference. */
json_t *report_json_proportion(const stats_proportion *p);

/* Flattens the report's tables into one CSV (a "table" column names each). */
void report_outcomes_csv(const json_t *report, buf *out);

/* One CSV cell (quoted when needed, formula-like text neutralised), then ","
 * or CRLF when last; and the same for a JSON scalar (null: empty). For the
 * report sections that write their own rows (app/report_satisfaction). */
void report_csv_cell(buf *b, const char *text, bool last);
void report_csv_json(buf *b, const json_t *v, bool last);

#endif
