/*
 * report_json: the outcome report of one protocol as JSON and CSV,
 * shared by GET /api/v1/reports/outcomes and `cellclinic report outcomes`.
 *
 * Loads the cohort (store/report_data), keeps the participants of the period
 * (core/report's report_in_period), builds the core/report input (time
 * points from the protocol's follow-up visits, ordered by months; baseline
 * and time-point values chosen by core/report's matching rules), computes,
 * and renders every number with its denominator (app/report_numbers), with
 * the satisfaction section of app/report_satisfaction. A patient is treated
 * when at least one administration is recorded under the plan. A
 * de-identified report keeps only patients with a current research consent
 * and says how many it left out for that reason ("research_consent":
 * {"required", "left_out"}).
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
#include "app/app.h"
#include "store/db.h"
#include "store/sites.h"

#define REPORT_ALL_PROTOCOLS "all"

typedef struct {
    const char *protocol;  /* a protocol id, or REPORT_ALL_PROTOCOLS */
    const char *from, *to; /* YYYY-MM-DD or NULL */
    cc_date today;
    /* filters (NULL: none): ICD-10 code prefix; administered product type; route */
    const char *condition, *product_type, *route;
    /* for a reader who may not read identities (an analyst): adverse-event
     * terms by code only (a term of the bundled list's "other, specify"
     * reads "other", a site-defined term REPORT_SITE_TERM: never their
     * texts), and the serious-event list with a per-report pseudonym and
     * the day from the first administration instead of the patient id and
     * the onset date (see report_serious_list) */
    bool deidentified;
    /* groups smaller than this are not shown (report_privacy); <= 1: all shown */
    int min_group;
    /* the sites pooled (store/sites.h site_pool; n_sites 0: every site);
     * the report names them under "source": {"sites": [{"code","name"}]} */
    const site_ref *sites;
    size_t n_sites;
} report_query;

/* The term of every site-defined adverse event in a de-identified report. */
#define REPORT_SITE_TERM "site_term"

/* Sets q's privacy for its reader: one who may not read identities gets
 * the de-identified report with the groups under max(the clinic's setting,
 * asked) suppressed; any other reader the identified report, with groups
 * under `asked` suppressed when asked (0: none). asked is 0 or
 * 1..REPORT_MIN_GROUP_MAX (the caller checks). */
cc_status report_query_privacy(db *d, bool reads_identities, int asked, report_query *q,
                               cc_error *err);

/* The clinic's setting (1..REPORT_MIN_GROUP_MAX, else CC_INVALID naming
 * "min_group"), with its audit entry, in its own write transaction. */
cc_status app_report_set_min_group(const app_ctx *c, int64_t value, cc_error *err);

/* Checks the query (protocol known or "all", dates valid, from <= to,
 * filters well-formed): CC_INVALID naming the field. */
cc_status report_query_check(db *d, arena *a, const report_query *q, cc_error *err);
bool report_query_all(const report_query *q);

cc_status report_outcomes_json(db *d, arena *a, const report_query *q, json_t **out, cc_error *err);

/* Flattens the report's tables into one CSV (a "table" column names each);
 * a report with small groups left out starts with the row "suppression"
 * (score: the note, n: the threshold), and its hidden cells are empty. */
void report_outcomes_csv(const json_t *report, buf *out);

#endif
