/*
 * stats: the numbers of the outcome report (DESIGN.md section 7
 * "Honest reports"): descriptives with t-based intervals, paired change from
 * baseline, proportions with Wilson and exact Clopper-Pearson intervals, rates
 * per administration with exact Poisson intervals, and the participant-flow
 * counts. Every interval is two-sided 95 %.
 *
 * Definitions (the report's footnotes quote them):
 *   SD        sample standard deviation, divisor n - 1.
 *   CI mean   mean +/- t(0.975, n - 1) * SD / sqrt(n)   (Student t).
 *   Quantiles "type 7" of Hyndman & Fan (1996), R's default, Python's
 *             statistics.quantiles(method="inclusive"): with the values
 *             sorted x[0] <= ... <= x[n-1] and h = (n - 1) p,
 *             Q(p) = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
 *             Median = Q(0.5), quartiles Q(0.25) and Q(0.75), IQR = Q3 - Q1.
 *   Change    difference follow_up - baseline per patient; only pairs with
 *             both values count; mean difference with its t-based CI.
 *   Wilson    score interval without continuity correction (Wilson 1927;
 *             Newcombe 1998 method 3), z = 1.959963984540054.
 *   Clopper-  exact binomial interval (Clopper & Pearson 1934):
 *   Pearson   low = B^-1(0.025; x, n - x + 1), 0 when x = 0;
 *             high = B^-1(0.975; x + 1, n - x), 1 when x = n;
 *             B^-1 the inverse regularized incomplete beta function.
 *   Rate      events / administrations with the exact Poisson (Garwood
 *             1936) interval: the number of events is taken as Poisson with
 *             mean rate * administrations (a patient may have several events
 *             per administration, so a binomial model does not fit):
 *             low = G^-1(0.025; k) / N, 0 when k = 0;
 *             high = G^-1(0.975; k + 1) / N;
 *             G^-1 the inverse regularized lower incomplete gamma function
 *             (equivalently chi2 quantiles / 2).
 *   t         Student t quantiles from the inverse incomplete beta:
 *             P(|T| > t) = I_{df/(df+t^2)}(df/2, 1/2).
 *
 * Numerical method: the regularized incomplete beta I_x(a,b) is evaluated by
 * its continued fraction (DLMF 8.17.22; Numerical Recipes 3rd ed. section 6.4,
 * modified Lentz), the regularized incomplete gamma P(a,x) by its series
 * (DLMF 8.11.4) or by the continued fraction of Q(a,x) (DLMF 8.9.2; NR 6.2).
 * Inverses start from the NR initial guesses (invbetai, invgammp) and refine
 * by Halley steps kept inside a bisection bracket. ln B and ln Gamma of large
 * arguments use Stirling's series with log1p, not differences of lgamma.
 * Accuracy, checked in tests/unit/test_stats.c against independent values:
 * t quantiles 1e-13 relative for every df; Wilson 1e-12; Clopper-Pearson
 * and Poisson 1e-12 for n up to 1e5, 1e-10 up to n = 1e8.
 *
 * Undefined results are never NaN: a result that cannot be computed carries a
 * stats_defined reason other than STATS_DEFINED and its numeric fields are 0.
 * A caller must check the reason before printing the number ("not computable:
 * one value").
 *
 * Bad input: non-finite values, x > n, probabilities outside (0,1), df <= 0,
 * NULL pointers with a non-zero count yield CC_INVALID naming the field.
 * Missing data are the caller's business: arrays hold observed values only
 * (the paired change takes explicit presence flags and counts the rest).
 *
 * Ownership: all arrays are borrowed; stats_describe reorders its array in
 * place (it selects order statistics without a full sort) and allocates
 * nothing. Pure (libc + libm), no globals: thread-safe (lgamma_r, not lgamma).
 */
#ifndef CC_STATS_H
#define CC_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Why a result is or is not defined. */
typedef enum {
    STATS_DEFINED = 0,
    STATS_UNDEF_EMPTY,    /* no observation (n = 0, or a denominator of 0) */
    STATS_UNDEF_SINGLE,   /* one observation: no SD, no interval */
    STATS_UNDEF_NO_SPREAD /* all values equal (SD = 0): no t interval */
} stats_defined;

/* Short lowercase name ("defined", "empty", "single", "no_spread"). */
const char *stats_defined_name(stats_defined d);

/* A two-sided 95 % interval; low <= high, both 0 when undefined. */
typedef struct {
    stats_defined def;
    double low, high;
} stats_interval;

/* ---- descriptives ---- */

typedef struct {
    size_t n;
    stats_defined center_def; /* mean, median, quartiles, min, max: n >= 1 */
    stats_defined sd_def;     /* SD: n >= 2 */
    double mean, sd, median, q1, q3, iqr, min, max;
    stats_interval ci; /* of the mean: n >= 2 and SD > 0 */
} stats_summary;

/* Describes values[0..n-1]. Reorders values (partial selection). All-equal
 * values give mean = min exactly, SD = 0, and ci.def = STATS_UNDEF_NO_SPREAD.
 * CC_INVALID ("values") on a non-finite value or values == NULL with n > 0. */
cc_status stats_describe(double *values, size_t n, stats_summary *out, cc_error *err);

/* Type 7 quantile of sorted[0..n-1] (ascending, n >= 1), 0 <= p <= 1.
 * Exposed for tests and charts; no checks beyond asserts. */
double stats_quantile_sorted(const double *sorted, size_t n, double p);

/* ---- paired change from baseline ---- */

typedef struct {
    double baseline, follow_up;
    bool has_baseline, has_follow_up;
} stats_pair;

typedef struct {
    size_t n_pairs;             /* both values present: the analysed pairs */
    size_t n_missing_baseline;  /* follow-up present, baseline missing */
    size_t n_missing_follow_up; /* baseline present, follow-up missing */
    size_t n_missing_both;
    stats_defined mean_def; /* n_pairs >= 1 */
    stats_defined sd_def;   /* n_pairs >= 2 */
    double mean_diff, sd_diff;
    stats_interval ci; /* t-based; n_pairs >= 2 and SD > 0 */
} stats_change;

/* Change follow_up - baseline over pairs[0..n-1]; present values must be
 * finite (CC_INVALID "pairs[i]"). n_pairs + the three missing counts = n. */
cc_status stats_paired_change(const stats_pair *pairs, size_t n, stats_change *out, cc_error *err);

/* ---- proportions and rates ---- */

typedef struct {
    uint64_t x, n;
    double p;          /* x / n; 0 when n = 0 */
    stats_interval ci; /* STATS_UNDEF_EMPTY when n = 0 */
} stats_proportion;

/* x of n with the Wilson score interval. CC_INVALID ("x") when x > n. */
cc_status stats_wilson(uint64_t x, uint64_t n, stats_proportion *out, cc_error *err);

/* x of n with the exact Clopper-Pearson interval. CC_INVALID when x > n;
 * CC_INTERNAL if the numerical inversion fails (never seen in tests). */
cc_status stats_clopper_pearson(uint64_t x, uint64_t n, stats_proportion *out, cc_error *err);

typedef struct {
    uint64_t events, exposure; /* exposure: administrations */
    double rate;               /* events / exposure; 0 when exposure = 0 */
    stats_interval ci;         /* exact Poisson; STATS_UNDEF_EMPTY when exposure = 0 */
} stats_rate;

#define STATS_MAX_EVENTS 10000000000ULL /* the gamma series needs O(sqrt(k)) terms */

/* Events per administration with the exact Poisson interval. CC_INVALID
 * ("events") above STATS_MAX_EVENTS, ("exposure") above 2^53. */
cc_status stats_rate_poisson(uint64_t events, uint64_t exposure, stats_rate *out, cc_error *err);

/* ---- distributions (exposed for the tests and for other modules) ---- */

/* Student t quantile: the t with P(T <= t) = p, for 0 < p < 1 and df > 0
 * (non-integer df allowed; df up to 1e12). */
cc_status stats_t_quantile(double p, double df, double *out, cc_error *err);

/* Regularized incomplete beta I_x(a, b), a > 0, b > 0, 0 <= x <= 1. */
cc_status stats_beta_inc(double a, double b, double x, double *out, cc_error *err);

/* Its inverse: the x with I_x(a, b) = p, 0 <= p <= 1. */
cc_status stats_beta_inc_inv(double a, double b, double p, double *out, cc_error *err);

/* Regularized lower incomplete gamma P(a, x), a > 0, x >= 0. */
cc_status stats_gamma_p(double a, double x, double *out, cc_error *err);

/* Its inverse: the x with P(a, x) = p, 0 <= p < 1. */
cc_status stats_gamma_p_inv(double a, double p, double *out, cc_error *err);

/* ---- participant flow ---- */

/* A patient's status at one follow-up time point. */
typedef enum {
    STATS_VISIT_NONE = 0,    /* not treated: the time point does not apply */
    STATS_VISIT_NOT_YET_DUE, /* treated, the time point is still in the future */
    STATS_VISIT_DUE,         /* due (in window or overdue), not yet resolved */
    STATS_VISIT_ASSESSED,
    STATS_VISIT_MISSED,
    STATS_VISIT_WITHDRAWN,
    STATS_VISIT_LOST, /* lost to follow-up */
    STATS_VISIT_DIED,
    STATS_VISIT_COUNT_
} stats_visit;

enum { STATS_FLOW_MAX_TIMEPOINTS = 16 };

typedef struct {
    bool referred, screened, eligible, treated;
    const stats_visit *visits; /* borrowed, n_timepoints entries; NULL allowed
                                  when not treated (all STATS_VISIT_NONE) */
} stats_flow_patient;

/* Counts at one time point. Invariants (property-tested):
 *   not_yet_due + due = treated;
 *   due = pending + assessed + missing;
 *   missing = missed + withdrawn + lost + died. */
typedef struct {
    uint64_t not_yet_due, due, pending, assessed, missing;
    uint64_t missed, withdrawn, lost, died;
} stats_flow_point;

typedef struct {
    uint64_t patients, referred, screened, eligible, treated;
    uint64_t treated_not_eligible; /* treated under a signed override (H6) */
    size_t n_timepoints;
    stats_flow_point point[STATS_FLOW_MAX_TIMEPOINTS];
} stats_flow;

/* Counts the flow table. Each record must be consistent, else CC_INVALID
 * with field "patients[i]" and code "flow_inconsistent":
 *   eligible or treated => screened => referred;
 *   not treated => every time point NONE (or visits NULL);
 *   treated => no time point NONE, visits non-NULL;
 *   died is final: after DIED every later time point is DIED.
 * n_timepoints <= STATS_FLOW_MAX_TIMEPOINTS (CC_INVALID "n_timepoints"). */
cc_status stats_flow_count(const stats_flow_patient *patients, size_t n, size_t n_timepoints,
                           stats_flow *out, cc_error *err);

#endif
