/*
 * report: the numbers of the outcome report of one cohort (DESIGN.md section 7
 * "Honest reports"). Every figure keeps its denominator.
 *
 * Input: the cohort's patients (referred ... treated flags, the status of
 * each follow-up time point as stats_visit, measure values at baseline and
 * at each time point with presence flags, ISNCSCI AIS grades), the adverse
 * events of treated patients and the number of administrations.
 *
 * Output, all through src/core/stats:
 *   flow        stats_flow_count: referred -> screened -> eligible -> treated
 *               -> due / not yet due -> assessed / pending / missing by reason.
 *   measures    per measure (instrument score) and time point (0 = baseline):
 *               stats_describe of the present values of treated patients,
 *               with `due` (treated patients for whom the time point is due;
 *               at baseline: treated) beside n; for time points >= 1 the
 *               paired change from baseline (stats_paired_change), pairs over
 *               the treated patients due at that time point.
 *   ais         per time point: baseline grade x time-point grade counts
 *               (patients with both), improved by >= 1 grade among pairs with
 *               a baseline grade A-D (E cannot improve) with a Wilson
 *               interval, and the sensitivity line: same numerator over every
 *               treated patient with a baseline A-D grade for whom the time
 *               point is due, the missing counted as not improved.
 *   adverse     patients with >= 1 event / treated, with >= 1 serious event /
 *               treated, per (term, grade) patients / treated, all with
 *               Clopper-Pearson intervals; events per administration with the
 *               exact Poisson interval. Missing data are never imputed.
 *
 * Limits: REPORT_MAX_MEASURES measures, STATS_FLOW_MAX_TIMEPOINTS time
 * points, REPORT_MAX_AE_ROWS (term, grade) rows (CC_INVALID beyond).
 * Memory: nothing allocated; the caller passes scratch arrays of n_patients
 * doubles and n_patients stats_pairs. Input strings are borrowed; the result
 * points to them. Pure, thread-safe (see report_compute_measures).
 */
#ifndef CC_REPORT_H
#define CC_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "stats.h"

enum { REPORT_MAX_MEASURES = 32, REPORT_MAX_AE_ROWS = 128, REPORT_AIS_GRADES = 5 };

/* ---- Cohort and matching rules: which participants a period keeps, which
 * observation is a participant's baseline or time-point value, when a visit
 * is due. The app applies them while it streams the stored observations;
 * they are here so that they are stated, and tested, once. ----
 *
 * REPORT_NO_DAY stands for a date that is not known (no plan, no screening,
 * no visit at that time point, an unreadable date). */
#define REPORT_NO_DAY INT32_MIN
/* Baseline: the newest observation on or before the plan's start, at most
 * this many days before it. */
enum { REPORT_BASELINE_DAYS = 180 };

/* A visit's window [start, end] (inclusive) and its target date; start is
 * REPORT_NO_DAY when the participant has no visit at that time point. */
typedef struct {
    cc_date start, end, target;
} report_window;

/* Cohort membership: a participant belongs to the period [from, to]
 * (inclusive; INT32_MIN / INT32_MAX when open) when its plan starts in it,
 * or, without a plan, when its first screening falls in it. A participant
 * whose date is not known (REPORT_NO_DAY) is never in a period. */
bool report_in_period(bool has_plan, cc_date plan_start, cc_date screened_on, cc_date from,
                      cc_date to);

/* Baseline candidate: true when day is on or before plan_start and at most
 * REPORT_BASELINE_DAYS before it; *distance = plan_start - day (the newest
 * is the closest). False when plan_start or day is REPORT_NO_DAY. */
static inline bool report_baseline_match(cc_date plan_start, cc_date day, int *distance)
{
    if (plan_start == REPORT_NO_DAY || day == REPORT_NO_DAY || day > plan_start ||
        (int64_t)day < (int64_t)plan_start - REPORT_BASELINE_DAYS)
        return false;
    *distance = plan_start - day;
    return true;
}

/* Window membership: true when day lies in the window (bounds included);
 * *distance = |day - target|. False when the window or day is REPORT_NO_DAY. */
static inline bool report_window_match(const report_window *w, cc_date day, int *distance)
{
    if (w->start == REPORT_NO_DAY || day == REPORT_NO_DAY || day < w->start || day > w->end)
        return false;
    int64_t d = (int64_t)day - w->target;
    *distance = (int)(d < 0 ? -d : d);
    return true;
}

/* Whether a candidate replaces the best match so far: closer wins; on a tie
 * the later day wins, and on the same day the later record (the candidate:
 * records are visited in stored order). Start with best_distance INT32_MAX. */
static inline bool report_match_better(int distance, cc_date day, int best_distance,
                                       cc_date best_day)
{
    return distance < best_distance || (distance == best_distance && day >= best_day);
}

/* The status of a visit still scheduled: due once its window has opened
 * (today >= window_start), not yet due before. */
stats_visit report_scheduled_visit(cc_date window_start, cc_date today);

/* Death is final: every time point after one that reads STATS_VISIT_DIED
 * reads died too, whatever its visit row says (stats_flow_count refuses
 * anything else). Rewrites visits[0..n-1] in place. */
void report_death_is_final(stats_visit *visits, size_t n);

typedef struct {
    bool referred, screened, eligible, treated;
    const stats_visit *visits; /* n_timepoints; NULL when not treated */
    /* values[m * (n_timepoints + 1) + t], t = 0 baseline, t >= 1 time point t;
     * present[] the same layout; both NULL when no measure */
    const double *values;
    const bool *present;
    /* AIS grade per t (0..n_timepoints): 'A'..'E', or 0 when missing; NULL: none */
    const char *ais;
} report_patient;

typedef struct {
    size_t patient; /* index into the patients array */
    const char *term;
    int grade; /* 1..5 */
    bool serious;
} report_ae;

/* Measure values by measure instead of by patient: column m holds
 * values[m][i * (n_timepoints + 1) + t] for patient i, present[m] the same
 * layout. A cohort read measure by measure passes its columns as they are
 * (no copy into each patient's rows); the results are the same. */
typedef struct {
    const double *const *values;
    const bool *const *present;
} report_columns;

typedef struct {
    const report_patient *patients;
    size_t n_patients;
    size_t n_timepoints;
    size_t n_measures;
    const report_ae *aes;
    size_t n_aes;
    uint64_t administrations;
    /* NULL: the values are the patients' values/present */
    const report_columns *columns;
} report_input;

typedef struct {
    uint64_t due; /* denominator: treated (t = 0) or due at t */
    stats_summary summary;
    stats_change change; /* t >= 1 */
} report_cell;

typedef struct {
    uint64_t table[REPORT_AIS_GRADES][REPORT_AIS_GRADES]; /* [baseline][time point] */
    uint64_t pairs, missing_follow_up;                    /* baseline present, time point due */
    stats_proportion improved;                            /* among pairs with baseline A-D */
    stats_proportion improved_sensitivity;                /* missing counted as not improved */
} report_ais_point;

typedef struct {
    const char *term;
    int grade;
    uint64_t events;
    stats_proportion patients; /* patients with it / treated */
} report_ae_row;

typedef struct {
    stats_flow flow;
    report_cell cells[REPORT_MAX_MEASURES][STATS_FLOW_MAX_TIMEPOINTS + 1];
    bool has_ais;
    report_ais_point ais[STATS_FLOW_MAX_TIMEPOINTS + 1]; /* index 0 unused */
    uint64_t ae_events, ae_serious_events;
    stats_proportion ae_any, ae_serious; /* patients / treated (Clopper-Pearson) */
    stats_rate ae_per_administration;
    report_ae_row ae_rows[REPORT_MAX_AE_ROWS];
    size_t n_ae_rows;
} report_result;

/* Index of an AIS grade 'A'..'E' (0..4), -1 otherwise. */
int report_ais_index(char grade);

/* Computes the report. CC_INVALID naming the field on inconsistent input
 * (flow rules of stats_flow_count, an AE of an untreated or unknown patient
 * "aes[i]", a grade outside 1..5, events not ordered by patient, a
 * non-finite present value, limits). Linear in patients x measures x time
 * points plus events x (term, grade) rows. */
cc_status report_compute(const report_input *in, double *scratch, stats_pair *pairs,
                         report_result *out, cc_error *err);

/* report_compute in three parts, for a caller that computes the measures'
 * cells on several threads: begin (clears out, checks, the flow; pairs is
 * its scratch), the cells of measures [m_from, m_to) (each range with its
 * own scratch and pairs; ranges that do not overlap write disjoint cells of
 * out), then end (AIS and adverse events), begin first and end last.
 * report_compute is begin, every measure, end. */
cc_status report_compute_begin(const report_input *in, stats_pair *pairs, report_result *out,
                               cc_error *err);
cc_status report_compute_measures(const report_input *in, size_t m_from, size_t m_to,
                                  double *scratch, stats_pair *pairs, report_result *out,
                                  cc_error *err);
cc_status report_compute_end(const report_input *in, report_result *out, cc_error *err);

#endif
