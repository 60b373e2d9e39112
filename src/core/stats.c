/* stats: see stats.h for the contract and the methods. */
#include "stats.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* z and the tail of the two-sided 95 % intervals. z = Phi^-1(0.975), printed
 * to 16 digits by python3 statistics.NormalDist().inv_cdf(0.975). */
#define STATS_Z975 1.959963984540054
#define STATS_ALPHA 0.05

#define LN_SQRT_2PI 0.91893853320467274178 /* 0.5 ln(2 pi) */
#define FPMIN (DBL_MIN / DBL_EPSILON)      /* Lentz's "tiny" */
#define CF_EPS (DBL_EPSILON * 0.5)
#define CF_MAXIT 200000
#define SOLVE_MAXIT 400

const char *stats_defined_name(stats_defined d)
{
    switch (d) {
    case STATS_DEFINED: return "defined";
    case STATS_UNDEF_EMPTY: return "empty";
    case STATS_UNDEF_SINGLE: return "single";
    case STATS_UNDEF_NO_SPREAD: return "no_spread";
    }
    return "unknown";
}

/* ------------------------------------------------------------------------ */
/* log-gamma helpers                                                         */

/* lgamma without the global signgam (lgamma_r); x > 0 here, sign always +. */
static double lgam(double x)
{
    int sign;
    return lgamma_r(x, &sign);
}

/* Stirling remainder delta(x) = lnGamma(x) - [(x-0.5) ln x - x + 0.5 ln 2pi],
 * x >= 15 (DLMF 5.11.1, terms to x^-11: truncation < 1e-17 there). */
static double stirling_delta(double x)
{
    double r = 1.0 / x, r2 = r * r;
    return r * (1.0 / 12 +
                r2 * (-1.0 / 360 +
                      r2 * (1.0 / 1260 +
                            r2 * (-1.0 / 1680 + r2 * (1.0 / 1188 + r2 * (-691.0 / 360360))))));
}

/* ln B(a, b) without the cancellation of lgamma(a) + lgamma(b) - lgamma(a+b)
 * when a or b is large (the report's n runs to millions). */
static double log_beta(double a, double b)
{
    double s = a < b ? a : b, l = a < b ? b : a;
    if (l < 15.0)
        return lgam(a) + lgam(b) - lgam(a + b);
    if (s < 15.0)
        return lgam(s) + (l - 0.5) * log1p(-s / (l + s)) - s * log(l + s) + s + stirling_delta(l) -
               stirling_delta(l + s);
    return LN_SQRT_2PI + (a - 0.5) * log(a / (a + b)) + (b - 0.5) * log(b / (a + b)) -
           0.5 * log(a + b) + stirling_delta(a) + stirling_delta(b) - stirling_delta(a + b);
}

/* ln of x^a e^-x / Gamma(a), the prefactor of P(a,x) and Q(a,x). */
static double log_gamma_front(double a, double x)
{
    if (a < 15.0)
        return a * log(x) - x - lgam(a);
    double t = (x - a) / a;
    return a * (log1p(t) - t) + 0.5 * log(a) - LN_SQRT_2PI - stirling_delta(a);
}

/* ------------------------------------------------------------------------ */
/* incomplete beta                                                           */

/* Continued fraction of I_x(a,b) (DLMF 8.17.22), modified Lentz as in NR 3rd
 * ed. betacf. y = 1 - x given exactly by the caller: when x is near 1 the
 * first denominator 1 - (a+b) x / (a+1) is computed as
 * (1 - b + (a+b) y) / (a+1), which keeps the digits 1 - x would lose.
 * Returns false if it did not converge. */
static bool beta_cf(double a, double b, double x, double y, double *out)
{
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = x > 0.5 ? ((1.0 - b) + qab * y) / qap : 1.0 - qab * x / qap;
    if (fabs(d) < FPMIN)
        d = FPMIN;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= CF_MAXIT; m++) {
        double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < FPMIN)
            d = FPMIN;
        c = 1.0 + aa / c;
        if (fabs(c) < FPMIN)
            c = FPMIN;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < FPMIN)
            d = FPMIN;
        c = 1.0 + aa / c;
        if (fabs(c) < FPMIN)
            c = FPMIN;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) <= CF_EPS) {
            *out = h;
            return true;
        }
    }
    return false;
}

/* Both tails: *lower = I_x(a,b), *upper = 1 - I_x(a,b), each computed
 * directly (the small one never as 1 - something). */
static bool beta_tails(double a, double b, double x, double *lower, double *upper)
{
    if (x <= 0.0) {
        *lower = 0.0;
        *upper = 1.0;
        return true;
    }
    if (x >= 1.0) {
        *lower = 1.0;
        *upper = 0.0;
        return true;
    }
    double lfront = a * log(x) + b * log1p(-x) - log_beta(a, b);
    double cf;
    /* The fraction converges fast for x < (a+1)/(a+b+2) (NR 6.4); above, NR
     * uses the symmetry I_x(a,b) = 1 - I_{1-x}(b,a). But when x is small
     * and b large (Clopper-Pearson upper bounds with few events, t with
     * large df), 1 - x rounds away digits of x the result depends on (1e-10
     * relative at n = 1e8). There, for a <= 10, the direct fraction is used
     * above the mean too, when the complement it implies keeps its digits
     * (upper tail >= 1e-3). Measured against the symmetric form it is
     * reliable for a <= 10 and x < 0.01, and not for larger a (1e-4 errors
     * at a = 20), hence the limits. */
    if (x < (a + 1.0) / (a + b + 2.0) || (x < 0.01 && a <= 10.0)) {
        if (!beta_cf(a, b, x, 1.0 - x, &cf))
            return false;
        double lo = exp(lfront) * cf / a;
        if (x < (a + 1.0) / (a + b + 2.0) || 1.0 - lo >= 1e-3) {
            *lower = lo;
            *upper = 1.0 - lo;
            return true;
        }
    }
    if (!beta_cf(b, a, 1.0 - x, x, &cf))
        return false;
    *upper = exp(lfront) * cf / b;
    *lower = 1.0 - *upper;
    return true;
}

/* ------------------------------------------------------------------------ */
/* incomplete gamma                                                          */

static bool gamma_tails(double a, double x, double *lower, double *upper)
{
    if (x <= 0.0) {
        *lower = 0.0;
        *upper = 1.0;
        return true;
    }
    double front = exp(log_gamma_front(a, x));
    if (x < a + 1.0) {
        /* series (DLMF 8.11.4; NR gser) */
        double ap = a, del = 1.0 / a, sum = del;
        for (int n = 0; n < CF_MAXIT; n++) {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if (fabs(del) < fabs(sum) * CF_EPS) {
                *lower = sum * front;
                *upper = 1.0 - *lower;
                return true;
            }
        }
        return false;
    }
    /* continued fraction of Q (DLMF 8.9.2; NR gcf, modified Lentz) */
    double bb = x + 1.0 - a, c = 1.0 / FPMIN, d = 1.0 / bb, h = d;
    for (int i = 1; i <= CF_MAXIT; i++) {
        double an = -i * (i - a);
        bb += 2.0;
        d = an * d + bb;
        if (fabs(d) < FPMIN)
            d = FPMIN;
        c = bb + an / c;
        if (fabs(c) < FPMIN)
            c = FPMIN;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) <= CF_EPS) {
            *upper = front * h;
            *lower = 1.0 - *upper;
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------------------ */
/* safeguarded root finding for the inverses                                 */

typedef enum { DIST_BETA, DIST_GAMMA } dist_kind;

typedef struct {
    dist_kind kind;
    double a, b;  /* b unused for gamma */
    double p, q;  /* target lower tail p and its complement q = 1 - p */
    double lnorm; /* -ln B(a,b) or -lnGamma(a) */
} dist_target;

/* Residual F(x) - p, computed on the smaller tail; its derivative (the
 * density) and the ratio f'/f (for Halley's correction). */
static bool dist_eval(const dist_target *t, double x, double *resid, double *dens, double *dlog)
{
    double lo, up;
    bool ok =
        t->kind == DIST_BETA ? beta_tails(t->a, t->b, x, &lo, &up) : gamma_tails(t->a, x, &lo, &up);
    if (!ok)
        return false;
    *resid = t->p <= 0.5 ? lo - t->p : t->q - up;
    if (t->kind == DIST_BETA) {
        *dens = exp((t->a - 1.0) * log(x) + (t->b - 1.0) * log1p(-x) + t->lnorm);
        *dlog = (t->a - 1.0) / x - (t->b - 1.0) / (1.0 - x);
    } else {
        *dens = exp((t->a - 1.0) * log(x) - x + t->lnorm);
        *dlog = (t->a - 1.0) / x - 1.0;
    }
    return true;
}

/* Halley steps from x0 kept inside the bracket [lo, hi] (F(lo) < p < F(hi)),
 * bisecting (geometrically when the bracket spans decades) whenever a step
 * leaves it. */
static bool dist_solve(const dist_target *t, double lo, double hi, double x0, double *out)
{
    double x = x0;
    if (!(x > lo && x < hi))
        x = lo > 0.0 ? sqrt(lo * hi) : 0.5 * (lo + hi);
    for (int it = 0; it < SOLVE_MAXIT; it++) {
        double r, f, g;
        if (!dist_eval(t, x, &r, &f, &g))
            return false;
        if (r == 0.0)
            break;
        if (r < 0.0)
            lo = x;
        else
            hi = x;
        double next = x;
        bool newton = false;
        if (f > 0.0 && isfinite(f)) {
            double u = r / f;
            double corr = 0.5 * u * g;
            if (corr > 1.0)
                corr = 1.0;
            double step = u / (1.0 - corr);
            if (!isfinite(step))
                step = u;
            next = x - step;
            newton = isfinite(next) && next > lo && next < hi;
            if (newton && fabs(step) <= 4.0 * DBL_EPSILON * fabs(x)) {
                x = next;
                break;
            }
        }
        if (!newton) {
            if (lo > 0.0 && hi / lo > 16.0)
                next = sqrt(lo * hi);
            else if (lo == 0.0 && hi > 1e-300)
                next = hi / 16.0;
            else
                next = 0.5 * (lo + hi);
        }
        x = next;
        if (hi - lo <= 2.0 * DBL_EPSILON * hi)
            break;
    }
    *out = x;
    return true;
}

/* Initial guess for I^-1, NR 3rd ed. invbetai. */
static double beta_guess(double a, double b, double p)
{
    if (a >= 1.0 && b >= 1.0) {
        double pp = p < 0.5 ? p : 1.0 - p;
        double t = sqrt(-2.0 * log(pp));
        double x = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t;
        if (p < 0.5)
            x = -x;
        double al = (x * x - 3.0) / 6.0;
        double h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0));
        double w = (x * sqrt(al + h) / h) - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) *
                                                (al + 5.0 / 6.0 - 2.0 / (3.0 * h));
        return a / (a + b * exp(2.0 * w));
    }
    double lna = log(a / (a + b)), lnb = log(b / (a + b));
    double t = exp(a * lna) / a, u = exp(b * lnb) / b, w = t + u;
    if (p < t / w)
        return pow(a * w * p, 1.0 / a);
    return 1.0 - pow(b * w * (1.0 - p), 1.0 / b);
}

/* I^-1 with the target given on both tails (p + q = 1, each exact). */
static bool beta_inv(double a, double b, double p, double q, double *out)
{
    if (p <= 0.0) {
        *out = 0.0;
        return true;
    }
    if (q <= 0.0) {
        *out = 1.0;
        return true;
    }
    dist_target t = {DIST_BETA, a, b, p, q, -log_beta(a, b)};
    return dist_solve(&t, 0.0, 1.0, beta_guess(a, b, p), out);
}

/* Initial guess for P^-1, NR 3rd ed. invgammp. */
static double gamma_guess(double a, double p)
{
    if (a > 1.0) {
        double pp = p < 0.5 ? p : 1.0 - p;
        double t = sqrt(-2.0 * log(pp));
        double x = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t;
        if (p < 0.5)
            x = -x;
        double g = 1.0 - 1.0 / (9.0 * a) - x / (3.0 * sqrt(a));
        double r = a * g * g * g;
        return r > 1e-3 ? r : 1e-3;
    }
    double t = 1.0 - a * (0.253 + a * 0.12);
    if (p < t)
        return pow(p / t, 1.0 / a);
    return 1.0 - log(1.0 - (p - t) / (1.0 - t));
}

static bool gamma_inv(double a, double p, double q, double *out)
{
    if (p <= 0.0) {
        *out = 0.0;
        return true;
    }
    dist_target t = {DIST_GAMMA, a, 0.0, p, q, -lgam(a)};
    double x0 = gamma_guess(a, p);
    /* bracket: grow hi until the lower tail reaches p */
    double hi = x0 > 1.0 ? 2.0 * x0 : 2.0;
    for (int i = 0; i < 2000; i++) {
        double r, f, g;
        if (!dist_eval(&t, hi, &r, &f, &g))
            return false;
        if (r >= 0.0)
            break;
        hi *= 2.0;
        if (!isfinite(hi))
            return false;
    }
    return dist_solve(&t, 0.0, hi, x0, out);
}

/* ------------------------------------------------------------------------ */
/* public distribution functions                                             */

cc_status stats_beta_inc(double a, double b, double x, double *out, cc_error *err)
{
    if (!(a > 0.0) || !isfinite(a) || !(b > 0.0) || !isfinite(b))
        return cc_fail(err, CC_INVALID, "a", "invalid_parameter", "a and b must be > 0");
    if (!(x >= 0.0 && x <= 1.0))
        return cc_fail(err, CC_INVALID, "x", "invalid_parameter", "x must be in [0, 1]");
    double lo, up;
    if (!beta_tails(a, b, x, &lo, &up))
        return cc_fail(err, CC_INTERNAL, NULL, "no_convergence",
                       "incomplete beta did not converge");
    *out = lo;
    return CC_OK;
}

cc_status stats_beta_inc_inv(double a, double b, double p, double *out, cc_error *err)
{
    if (!(a > 0.0) || !isfinite(a) || !(b > 0.0) || !isfinite(b))
        return cc_fail(err, CC_INVALID, "a", "invalid_parameter", "a and b must be > 0");
    if (!(p >= 0.0 && p <= 1.0))
        return cc_fail(err, CC_INVALID, "p", "invalid_parameter", "p must be in [0, 1]");
    if (!beta_inv(a, b, p, 1.0 - p, out))
        return cc_fail(err, CC_INTERNAL, NULL, "no_convergence",
                       "inverse incomplete beta did not converge");
    return CC_OK;
}

cc_status stats_gamma_p(double a, double x, double *out, cc_error *err)
{
    if (!(a > 0.0) || !isfinite(a))
        return cc_fail(err, CC_INVALID, "a", "invalid_parameter", "a must be > 0");
    if (!(x >= 0.0) || !isfinite(x))
        return cc_fail(err, CC_INVALID, "x", "invalid_parameter", "x must be >= 0");
    double lo, up;
    if (!gamma_tails(a, x, &lo, &up))
        return cc_fail(err, CC_INTERNAL, NULL, "no_convergence",
                       "incomplete gamma did not converge");
    *out = lo;
    return CC_OK;
}

cc_status stats_gamma_p_inv(double a, double p, double *out, cc_error *err)
{
    if (!(a > 0.0) || !isfinite(a))
        return cc_fail(err, CC_INVALID, "a", "invalid_parameter", "a must be > 0");
    if (!(p >= 0.0 && p < 1.0))
        return cc_fail(err, CC_INVALID, "p", "invalid_parameter", "p must be in [0, 1)");
    if (!gamma_inv(a, p, 1.0 - p, out))
        return cc_fail(err, CC_INTERNAL, NULL, "no_convergence",
                       "inverse incomplete gamma did not converge");
    return CC_OK;
}

/* Upper two-sided tail alpha = P(|T| > t) given exactly, t >= 0 returned. */
static bool t_two_sided(double alpha, double df, double *out)
{
    /* P(|T| > t) = I_x(df/2, 1/2), x = df / (df + t^2)
     *            = 1 - I_y(1/2, df/2), y = t^2 / (df + t^2) = 1 - x.
     * Solve for whichever of x, y is below 1/2 so that t loses no digits. */
    double a = 0.5 * df, lo, up;
    if (!beta_tails(a, 0.5, 0.5, &lo, &up))
        return false;
    if (alpha < lo) { /* x < 1/2 */
        double x;
        if (!beta_inv(a, 0.5, alpha, 1.0 - alpha, &x))
            return false;
        *out = sqrt(df * (1.0 - x) / x);
    } else {
        double y;
        if (!beta_inv(0.5, a, 1.0 - alpha, alpha, &y))
            return false;
        *out = sqrt(df * y / (1.0 - y));
    }
    return true;
}

cc_status stats_t_quantile(double p, double df, double *out, cc_error *err)
{
    if (!(p > 0.0 && p < 1.0))
        return cc_fail(err, CC_INVALID, "p", "invalid_parameter", "p must be in (0, 1)");
    if (!(df > 0.0) || !(df <= 1e12))
        return cc_fail(err, CC_INVALID, "df", "invalid_parameter", "df must be in (0, 1e12]");
    if (p == 0.5) {
        *out = 0.0;
        return CC_OK;
    }
    double tail = p < 0.5 ? p : 1.0 - p, t;
    if (!t_two_sided(2.0 * tail, df, &t))
        return cc_fail(err, CC_INTERNAL, NULL, "no_convergence", "t quantile did not converge");
    *out = p < 0.5 ? -t : t;
    return CC_OK;
}

/* t(0.975, df): the multiplier of every t interval here. */
static bool t975(double df, double *out)
{
    return t_two_sided(STATS_ALPHA, df, out);
}

/* ------------------------------------------------------------------------ */
/* descriptives                                                              */

static void swapd(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* After return v[k] holds the k-th smallest of v[lo..hi] (inclusive), with
 * v[lo..k-1] <= v[k] <= v[k+1..hi]. Quickselect with median-of-three pivots
 * (Hoare 1961, "FIND"); falls back to qsort after too many partitions, so the
 * worst case stays O(n log n). */
static void select_kth(double *v, size_t lo, size_t hi, size_t k)
{
    if (k == lo) { /* the minimum: one scan */
        size_t m = lo;
        for (size_t i = lo + 1; i <= hi; i++)
            if (v[i] < v[m])
                m = i;
        swapd(&v[lo], &v[m]);
        return;
    }
    int budget = 8;
    for (size_t s = hi - lo + 1; s > 1; s >>= 1)
        budget += 2;
    while (hi > lo) {
        if (hi - lo < 16 || budget-- == 0) {
            qsort(v + lo, hi - lo + 1, sizeof *v, cmp_double);
            return;
        }
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo])
            swapd(&v[mid], &v[lo]);
        if (v[hi] < v[lo])
            swapd(&v[hi], &v[lo]);
        if (v[hi] < v[mid])
            swapd(&v[hi], &v[mid]);
        double pivot = v[mid];
        size_t i = lo, j = hi;
        for (;;) { /* Hoare partition; sentinels at lo and hi */
            while (v[i] < pivot)
                i++;
            while (pivot < v[j])
                j--;
            if (i >= j)
                break;
            swapd(&v[i], &v[j]);
            i++;
            j--;
        }
        /* v[lo..j] <= pivot <= v[j+1..hi] */
        if (k <= j)
            hi = j;
        else
            lo = j + 1;
    }
}

double stats_quantile_sorted(const double *sorted, size_t n, double p)
{
    assert(sorted != NULL && n >= 1 && p >= 0.0 && p <= 1.0);
    double h = (double)(n - 1) * p;
    size_t k = (size_t)floor(h);
    if (k >= n - 1)
        return sorted[n - 1];
    double frac = h - (double)k;
    return sorted[k] + frac * (sorted[k + 1] - sorted[k]);
}

/* Type 7 quantiles of v at ps[0..m-1] (ascending). Selects only the order
 * statistics needed, in ascending order: after selecting index idx in
 * v[base..n-1], v[idx] is final and v[idx+1..n-1] >= it, so the next
 * selection works on the suffix (base = idx + 1); an index below base was
 * selected before (ks ascend and k and k + 1 are always both selected). */
static void quantiles_select(double *v, size_t n, const double *ps, double *out, size_t m)
{
    size_t base = 0;
    for (size_t q = 0; q < m; q++) {
        double h = (double)(n - 1) * ps[q];
        size_t k = (size_t)floor(h);
        if (k > n - 1)
            k = n - 1;
        for (size_t idx = k; idx <= k + 1 && idx < n; idx++) {
            if (idx >= base) {
                select_kth(v, base, n - 1, idx);
                base = idx + 1;
            }
        }
        double frac = h - (double)k;
        out[q] = (k + 1 < n && frac > 0.0) ? v[k] + frac * (v[k + 1] - v[k]) : v[k];
    }
}

cc_status stats_describe(double *values, size_t n, stats_summary *out, cc_error *err)
{
    *out = (stats_summary){.n = n,
                           .center_def = STATS_UNDEF_EMPTY,
                           .sd_def = STATS_UNDEF_EMPTY,
                           .ci = {.def = STATS_UNDEF_EMPTY}};
    if (n == 0)
        return CC_OK;
    if (values == NULL)
        return cc_fail(err, CC_INVALID, "values", "invalid_values", "values is NULL");

    /* pass 1: check, min, max, compensated sum (Neumaier 1974) */
    double lo = values[0], hi = values[0], sum = 0.0, comp = 0.0;
    for (size_t i = 0; i < n; i++) {
        double x = values[i];
        if (!isfinite(x))
            return cc_fail(err, CC_INVALID, "values", "invalid_values",
                           "value %zu is not a finite number", i);
        if (x < lo)
            lo = x;
        if (x > hi)
            hi = x;
        double t = sum + x;
        comp += fabs(sum) >= fabs(x) ? (sum - t) + x : (x - t) + sum;
        sum = t;
    }
    out->center_def = STATS_DEFINED;
    out->min = lo;
    out->max = hi;
    double dn = (double)n;
    if (lo == hi) { /* all equal: exact, no rounding noise */
        out->mean = out->median = out->q1 = out->q3 = lo;
        out->iqr = 0.0;
        out->sd_def = n >= 2 ? STATS_DEFINED : STATS_UNDEF_SINGLE;
        out->ci.def = n >= 2 ? STATS_UNDEF_NO_SPREAD : STATS_UNDEF_SINGLE;
        return CC_OK;
    }
    double mean = (sum + comp) / dn;
    if (mean < lo) /* rounding can never leave the data's range */
        mean = lo;
    if (mean > hi)
        mean = hi;
    out->mean = mean;

    /* pass 2: corrected two-pass variance (Chan, Golub & LeVeque 1983) */
    double ss = 0.0, sd1 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = values[i] - mean;
        ss += d * d;
        sd1 += d;
    }
    double var = (ss - sd1 * sd1 / dn) / (dn - 1.0); /* n >= 2: lo != hi */
    if (var < 0.0)
        var = 0.0;
    out->sd = sqrt(var);
    out->sd_def = STATS_DEFINED;
    double t;
    if (out->sd > 0.0 && t975(dn - 1.0, &t)) {
        double half = t * out->sd / sqrt(dn);
        out->ci = (stats_interval){STATS_DEFINED, mean - half, mean + half};
    } else {
        out->ci.def = STATS_UNDEF_NO_SPREAD;
        if (out->sd > 0.0)
            return cc_fail(err, CC_INTERNAL, NULL, "no_convergence", "t quantile did not converge");
    }

    static const double ps[3] = {0.25, 0.5, 0.75};
    double q[3];
    quantiles_select(values, n, ps, q, 3);
    out->q1 = q[0];
    out->median = q[1];
    out->q3 = q[2];
    out->iqr = q[2] - q[0];
    return CC_OK;
}

/* ------------------------------------------------------------------------ */
/* paired change                                                             */

cc_status stats_paired_change(const stats_pair *pairs, size_t n, stats_change *out, cc_error *err)
{
    *out = (stats_change){.mean_def = STATS_UNDEF_EMPTY,
                          .sd_def = STATS_UNDEF_EMPTY,
                          .ci = {.def = STATS_UNDEF_EMPTY}};
    if (n > 0 && pairs == NULL)
        return cc_fail(err, CC_INVALID, "pairs", "invalid_values", "pairs is NULL");
    double sum = 0.0, comp = 0.0, dlo = 0.0, dhi = 0.0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const stats_pair *p = &pairs[i];
        if ((p->has_baseline && !isfinite(p->baseline)) ||
            (p->has_follow_up && !isfinite(p->follow_up))) {
            char field[32];
            snprintf(field, sizeof field, "pairs[%zu]", i);
            return cc_fail(err, CC_INVALID, field, "invalid_values",
                           "pair %zu holds a value that is not a finite number", i);
        }
        if (!p->has_baseline && !p->has_follow_up) {
            out->n_missing_both++;
            continue;
        }
        if (!p->has_baseline) {
            out->n_missing_baseline++;
            continue;
        }
        if (!p->has_follow_up) {
            out->n_missing_follow_up++;
            continue;
        }
        double d = p->follow_up - p->baseline;
        if (!isfinite(d))
            return cc_fail(err, CC_INVALID, "pairs", "invalid_values",
                           "difference of pair %zu overflows", i);
        if (m == 0 || d < dlo)
            dlo = d;
        if (m == 0 || d > dhi)
            dhi = d;
        double t = sum + d;
        comp += fabs(sum) >= fabs(d) ? (sum - t) + d : (d - t) + sum;
        sum = t;
        m++;
    }
    out->n_pairs = m;
    if (m == 0)
        return CC_OK;
    out->mean_def = STATS_DEFINED;
    if (dlo == dhi) {
        out->mean_diff = dlo;
        out->sd_def = m >= 2 ? STATS_DEFINED : STATS_UNDEF_SINGLE;
        out->ci.def = m >= 2 ? STATS_UNDEF_NO_SPREAD : STATS_UNDEF_SINGLE;
        return CC_OK;
    }
    double dm = (double)m, mean = (sum + comp) / dm;
    if (mean < dlo)
        mean = dlo;
    if (mean > dhi)
        mean = dhi;
    out->mean_diff = mean;
    double ss = 0.0, s1 = 0.0;
    for (size_t i = 0; i < n; i++) {
        const stats_pair *p = &pairs[i];
        if (!p->has_baseline || !p->has_follow_up)
            continue;
        double d = (p->follow_up - p->baseline) - mean;
        ss += d * d;
        s1 += d;
    }
    double var = (ss - s1 * s1 / dm) / (dm - 1.0);
    out->sd_diff = var > 0.0 ? sqrt(var) : 0.0;
    out->sd_def = STATS_DEFINED;
    double t;
    if (out->sd_diff > 0.0 && t975(dm - 1.0, &t)) {
        double half = t * out->sd_diff / sqrt(dm);
        out->ci = (stats_interval){STATS_DEFINED, mean - half, mean + half};
        return CC_OK;
    }
    out->ci.def = STATS_UNDEF_NO_SPREAD;
    if (out->sd_diff > 0.0)
        return cc_fail(err, CC_INTERNAL, NULL, "no_convergence", "t quantile did not converge");
    return CC_OK;
}

/* ------------------------------------------------------------------------ */
/* proportions and rates                                                     */

static cc_status proportion_start(uint64_t x, uint64_t n, stats_proportion *out, cc_error *err)
{
    *out = (stats_proportion){.x = x, .n = n, .ci = {.def = STATS_UNDEF_EMPTY}};
    if (x > n)
        return cc_fail(err, CC_INVALID, "x", "invalid_count",
                       "%llu events out of %llu is impossible", (unsigned long long)x,
                       (unsigned long long)n);
    if (n > ((uint64_t)1 << 53))
        return cc_fail(err, CC_INVALID, "n", "invalid_count", "n is too large");
    if (n > 0)
        out->p = (double)x / (double)n;
    return CC_OK;
}

static double clamp01(double v)
{
    return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
}

cc_status stats_wilson(uint64_t x, uint64_t n, stats_proportion *out, cc_error *err)
{
    cc_status st = proportion_start(x, n, out, err);
    if (st != CC_OK || n == 0)
        return st;
    double z = STATS_Z975, z2 = z * z, dx = (double)x, dn = (double)n;
    double den = dn + z2;
    double center = (dx + z2 / 2.0) / den;
    double half = z * sqrt(dx * (dn - dx) / dn + z2 / 4.0) / den;
    out->ci.def = STATS_DEFINED;
    out->ci.low = x == 0 ? 0.0 : clamp01(center - half);
    out->ci.high = x == n ? 1.0 : clamp01(center + half);
    return CC_OK;
}

cc_status stats_clopper_pearson(uint64_t x, uint64_t n, stats_proportion *out, cc_error *err)
{
    cc_status st = proportion_start(x, n, out, err);
    if (st != CC_OK || n == 0)
        return st;
    double dx = (double)x, dn = (double)n, lo = 0.0, hi = 1.0;
    bool ok = true;
    if (x > 0)
        ok = beta_inv(dx, dn - dx + 1.0, STATS_ALPHA / 2, 1.0 - STATS_ALPHA / 2, &lo);
    if (ok && x < n)
        ok = beta_inv(dx + 1.0, dn - dx, 1.0 - STATS_ALPHA / 2, STATS_ALPHA / 2, &hi);
    if (!ok)
        return cc_fail(err, CC_INTERNAL, NULL, "no_convergence",
                       "Clopper-Pearson inversion did not converge");
    out->ci = (stats_interval){STATS_DEFINED, clamp01(lo), clamp01(hi)};
    return CC_OK;
}

cc_status stats_rate_poisson(uint64_t events, uint64_t exposure, stats_rate *out, cc_error *err)
{
    *out = (stats_rate){.events = events, .exposure = exposure, .ci = {.def = STATS_UNDEF_EMPTY}};
    if (events > STATS_MAX_EVENTS)
        return cc_fail(err, CC_INVALID, "events", "invalid_count", "more than 1e10 events");
    if (exposure > ((uint64_t)1 << 53))
        return cc_fail(err, CC_INVALID, "exposure", "invalid_count", "exposure is too large");
    if (exposure == 0)
        return CC_OK;
    double k = (double)events, e = (double)exposure, lo = 0.0, hi;
    out->rate = k / e;
    bool ok = true;
    if (events > 0)
        ok = gamma_inv(k, STATS_ALPHA / 2, 1.0 - STATS_ALPHA / 2, &lo);
    if (ok)
        ok = gamma_inv(k + 1.0, 1.0 - STATS_ALPHA / 2, STATS_ALPHA / 2, &hi);
    if (!ok)
        return cc_fail(err, CC_INTERNAL, NULL, "no_convergence",
                       "Poisson interval inversion did not converge");
    out->ci = (stats_interval){STATS_DEFINED, lo / e, hi / e};
    return CC_OK;
}

/* ------------------------------------------------------------------------ */
/* participant flow                                                          */

static cc_status flow_bad(cc_error *err, size_t i, const char *why)
{
    char field[40];
    snprintf(field, sizeof field, "patients[%zu]", i);
    return cc_fail(err, CC_INVALID, field, "flow_inconsistent", "patient %zu: %s", i, why);
}

cc_status stats_flow_count(const stats_flow_patient *patients, size_t n, size_t n_timepoints,
                           stats_flow *out, cc_error *err)
{
    *out = (stats_flow){.n_timepoints = n_timepoints};
    if (n_timepoints > STATS_FLOW_MAX_TIMEPOINTS) {
        out->n_timepoints = 0;
        return cc_fail(err, CC_INVALID, "n_timepoints", "too_many_timepoints",
                       "at most %d time points", STATS_FLOW_MAX_TIMEPOINTS);
    }
    if (n > 0 && patients == NULL)
        return cc_fail(err, CC_INVALID, "patients", "invalid_values", "patients is NULL");
    /* validate everything first, so a failure leaves no partial counts */
    for (size_t i = 0; i < n; i++) {
        const stats_flow_patient *p = &patients[i];
        if ((p->screened && !p->referred) || (p->eligible && !p->screened) ||
            (p->treated && !p->screened))
            return flow_bad(err, i, "a later step without the earlier one");
        if (p->treated && p->visits == NULL && n_timepoints > 0)
            return flow_bad(err, i, "treated without time point statuses");
        bool died = false;
        for (size_t k = 0; k < n_timepoints && p->visits != NULL; k++) {
            stats_visit v = p->visits[k];
            if ((unsigned)v >= STATS_VISIT_COUNT_)
                return flow_bad(err, i, "unknown time point status");
            if (!p->treated && v != STATS_VISIT_NONE)
                return flow_bad(err, i, "a time point status for an untreated patient");
            if (p->treated && v == STATS_VISIT_NONE)
                return flow_bad(err, i, "a treated patient without a time point status");
            if (died && v != STATS_VISIT_DIED)
                return flow_bad(err, i, "a time point status after death");
            died = v == STATS_VISIT_DIED;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const stats_flow_patient *p = &patients[i];
        out->patients++;
        out->referred += p->referred;
        out->screened += p->screened;
        out->eligible += p->eligible;
        out->treated += p->treated;
        out->treated_not_eligible += p->treated && !p->eligible;
        if (!p->treated)
            continue;
        for (size_t k = 0; k < n_timepoints; k++) {
            stats_flow_point *c = &out->point[k];
            switch (p->visits[k]) {
            case STATS_VISIT_NONE:
            case STATS_VISIT_COUNT_: break; /* refused above */
            case STATS_VISIT_NOT_YET_DUE: c->not_yet_due++; break;
            case STATS_VISIT_DUE: c->pending++; break;
            case STATS_VISIT_ASSESSED: c->assessed++; break;
            case STATS_VISIT_MISSED: c->missed++; break;
            case STATS_VISIT_WITHDRAWN: c->withdrawn++; break;
            case STATS_VISIT_LOST: c->lost++; break;
            case STATS_VISIT_DIED: c->died++; break;
            }
        }
    }
    for (size_t k = 0; k < n_timepoints; k++) {
        stats_flow_point *c = &out->point[k];
        c->missing = c->missed + c->withdrawn + c->lost + c->died;
        c->due = c->pending + c->assessed + c->missing;
        assert(c->due + c->not_yet_due == out->treated);
    }
    return CC_OK;
}
