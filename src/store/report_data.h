/*
 * report_data: reads what the outcome report needs, in a few
 * sequential passes over the tables so that its cost grows linearly with the
 * data (no per-patient subquery, no large sort in SQL).
 *
 * Cohort: one participant per (patient, protocol) with a screening for the
 * protocol or an approved (approved, in progress, completed) plan of it; the
 * protocol filter keeps one protocol, NULL keeps all. A participant carries:
 * screened (any screening), eligible (the newest screening with a decision
 * decided "eligible"), the first screening's evaluation date, the newest
 * approved plan and its start, the administrations recorded under that plan.
 * Filters: condition keeps patients with a recorded condition whose ICD-10
 * code starts with it; product_type / route keep participants with at least
 * one administration of that product type / by that route under their plan
 * (ASCII case ignored in all three); site_ids keeps the patients of those
 * sites. first_administration is the UTC day of
 * the earliest administration start under the plan (REPORT_NO_DATE: none).
 *
 * Visits: the follow-up visits of the participants' plans, each with its time
 * point (distinct visit labels, ordered by months then label), whether it
 * names the satisfaction questionnaire and whether a link to it was issued,
 * grouped by participant (first_visit, n_visits). Adverse events: those of patients of
 * the cohort, ordered by patient then onset, each with its display term (the
 * recorded text, which may be free text) and its code apart. Measure series are streamed by
 * report_store_series (the bytes are valid during the callback only).
 *
 * Memory: everything from the caller's arena (the arrays read row by row are
 * core/bigvec blocks counted against its cap and freed at its release). The
 * scans are read in batches (db_read_in_batches): on PostgreSQL the client
 * holds a batch of rows, not a table's, beside those arrays.
 * Read-only; the caller holds a
 * read transaction for a consistent snapshot.
 */
#ifndef CC_STORE_REPORT_DATA_H
#define CC_STORE_REPORT_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/date.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/measure_series.h"
#include "store/sql.h"

/* A report shows at most REPORT_MAX_TIMEPOINTS time points; the digests'
 * facts keep up to REPORT_MAX_LABELS visit labels, so that a patient's
 * digest does not depend on which other patients were read with it. */
enum {
    REPORT_NO_DATE = INT32_MIN,
    REPORT_MAX_PROTOCOLS = 64,
    REPORT_MAX_TIMEPOINTS = 16,
    REPORT_MAX_LABELS = 256
};

typedef enum {
    REPORT_VISIT_SCHEDULED,
    REPORT_VISIT_DONE,
    REPORT_VISIT_MISSED,
    REPORT_VISIT_WITHDRAWN,
    REPORT_VISIT_LOST,
    REPORT_VISIT_DIED
} report_visit_status;

typedef struct {
    const char *protocol, *condition, *product_type, *route; /* NULL: no filter */
    /* keep only patients with a current research consent (research_consented,
     * H15's consent records): the report leaves the clinic's care */
    bool research_consent_only;
    /* keep only patients of these sites (n_sites 0: every site) */
    const int64_t *site_ids;
    size_t n_sites;
    /* REPORT_FOR_DIGESTS*: the facts of report digests (report_digests.h)
     * instead of a report: every protocol, no filter, no adverse events,
     * the patients' flags not read; of every patient or of the stale ones */
    enum { REPORT_FOR_REPORT, REPORT_FOR_DIGESTS_ALL, REPORT_FOR_DIGESTS_STALE } purpose;
} report_filter;

typedef struct {
    int64_t patient_id, plan_id; /* plan_id 0: no approved plan */
    const char *protocol;
    bool screened, eligible, synthetic;
    cc_date screened_on, start;   /* REPORT_NO_DATE when none */
    cc_date first_administration; /* day of the earliest start under the plan (UTC) */
    int64_t administrations;
    size_t first_visit, n_visits;
    bool visits_left_out; /* a visit of a time point over the limit */
    /* read from digests: the chosen values and the measures seen in the
     * patient's series (report_data's values and seen) */
    size_t first_value, n_values, first_seen, n_seen;
} report_participant;

/* A measure value chosen for a participant: t 0 the baseline, t >= 1 time
 * point t - 1 (core/report_digest's rules, applied when the digest was made) */
typedef struct {
    uint32_t measure;
    uint16_t t;
    double value;
} report_value;

typedef struct {
    cc_date target, window_start, window_end;
    report_visit_status status;
    uint16_t timepoint; /* index into timepoints */
    /* the visit's instrument list names the satisfaction questionnaire; a
     * link to it was issued for this visit (the satisfaction table) */
    bool asks_satisfaction, satisfaction_link;
} report_visit;

typedef struct {
    char label[32];
    int months;
} report_timepoint;

typedef struct {
    size_t participant; /* the patient's first participant with administrations, else first */
    int64_t patient_id;
    char *term;      /* the recorded text when there is one, else the code */
    char *term_code; /* the code alone (free text never) */
    bool site_term;  /* a term of the site's own dictionary, not the bundled list */
    char *onset;
    int grade;
    bool serious;
} report_event;

typedef struct {
    report_participant *participants; /* ordered by patient id, then protocol */
    size_t n_participants;
    report_visit *visits;
    size_t n_visits;
    report_timepoint timepoints[REPORT_MAX_LABELS]; /* a report uses REPORT_MAX_TIMEPOINTS */
    size_t n_timepoints;
    bool timepoints_truncated;
    report_event *events;
    size_t n_events;
    measure_name *measures;
    size_t n_measures;
    bool any_visit_asks_satisfaction;
    /* read from digests (report_store_load_digests); empty otherwise */
    report_value *values;
    size_t n_values;
    uint32_t *seen;
    size_t n_seen;
    /* patients the other filters kept but research_consent_only left out */
    size_t left_out_no_research_consent;
} report_data;

cc_status report_store_load(db *d, arena *a, const report_filter *f, report_data *out,
                            cc_error *err);

/* The same data read from the report digests (report_digests.h) instead of
 * the clinical tables: the stored digests of the patients not in fresh, and
 * fresh (digests just made, by patient id) for the others; the visits' time
 * points, values and measures seen as the digests say. Filters as
 * report_store_load except product_type and route (the digests do not
 * carry them: CC_INVALID). CC_STORAGE "report_digest_damaged" on a digest
 * that does not read as one (nothing is reported from it). */
cc_status report_store_load_digests(db *d, arena *a, const report_filter *f,
                                    const sql_patient_bytes *fresh, size_t n_fresh,
                                    report_data *out, cc_error *err);

/* The clinic's smallest group shown to an analyst (clinic_settings
 * "report_min_group"; REPORT_MIN_GROUP_DEFAULT while never set). The setter
 * writes the value and its audit entry; the caller holds the write
 * transaction and has checked 1..REPORT_MIN_GROUP_MAX. */
enum { REPORT_MIN_GROUP_DEFAULT = 5, REPORT_MIN_GROUP_MAX = 100 };
cc_status report_store_min_group(db *d, int *out, cc_error *err);
cc_status report_store_set_min_group(db *d, const store_actor *actor, int value, cc_error *err);

/* Calls fn for each patient's measure series, in patient id order (only
 * the stale patients' with only_stale). */
typedef void (*report_series_fn)(void *ctx, int64_t patient_id, const unsigned char *records,
                                 size_t len);
cc_status report_store_series(db *d, bool only_stale, report_series_fn fn, void *ctx,
                              cc_error *err);

#endif
