/* Unit tests of core/stats: descriptives, paired change, proportions, rates,
 * t quantiles, incomplete beta/gamma and the participant flow.
 *
 * Reference values come from computations independent of src/core/stats.c:
 *   [py]    tests/unit/stats_reference.py (python3 3.11 standard library only):
 *           statistics.mean/stdev/quantiles(method="inclusive") for the
 *           descriptives; t quantiles by Newton on a Simpson-integrated t CDF
 *           whose constant comes from the exact Gamma-ratio recurrence;
 *           Clopper-Pearson by bisection on exact binomial tail sums
 *           (math.comb); Poisson by bisection on Poisson tail sums; Wilson by
 *           its closed form with NormalDist().inv_cdf(0.975). The script
 *           prints the rows below (it takes about 3 minutes).
 *   [tab]   published tables, 3 decimals: Student t two-sided 5 % critical
 *           values (e.g. Fisher & Yates, Statistical Tables, Table III).
 *   [N98]   Newcombe RG, Stat Med 1998;17:857-872, Table I, methods 3 (Wilson)
 *           and 5 (exact), 4 decimals: 81/263, 15/148, 0/20, 1/29.
 *   [cf]    closed forms evaluated here with libm (not stats.c): t(df=1) =
 *           tan(pi (p - 1/2)); t(df=2) = (2p-1) sqrt(2 / (4p(1-p))); CP upper
 *           for x=0 = 1 - 0.025^(1/n), lower for x=n = 0.025^(1/n); Poisson
 *           upper for k=0 = -ln 0.025; I_x(a,1) = x^a; I_x(1,b) = 1-(1-x)^b;
 *           I_x(a,b) = P(Bin(a+b-1, x) >= a) for integer a, b; P(1,x) =
 *           1 - e^-x; P(1/2, x) = erf(sqrt x).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/stats.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* |got - want| <= rel * max(1, |want|): relative, absolute near 0. */
static void near(double got, double want, double rel, const char *what, size_t row)
{
    double scale = fabs(want) > 1.0 ? fabs(want) : 1.0;
    if (!(fabs(got - want) <= rel * scale)) {
        print_error("%s (row %zu): got %.17g, want %.17g\n", what, row, got, want);
        fail();
    }
}

/* Relative everywhere (for small probabilities and rates). */
static void near_rel(double got, double want, double rel, const char *what, size_t row)
{
    if (!(fabs(got - want) <= rel * fabs(want)) && !(got == want)) {
        print_error("%s (row %zu): got %.17g, want %.17g\n", what, row, got, want);
        fail();
    }
}

/* Same 64-bit LCG as lcg_values() in stats_reference.py (Knuth MMIX). */
static void lcg_fill(double *v, size_t n)
{
    uint64_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        v[i] = (double)((s >> 33) % 100000) / 100.0;
    }
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---------------------------------------------------------------------- */
/* descriptives                                                            */

static const double d_classic[] = {2, 4, 4, 4, 5, 5, 7, 9};
static const double d_scores[] = {50, 62, 38, 71, 55, 49, 66, 58, 44};
static const double d_two[] = {1, 3};
static const double d_four[] = {1, 2, 3, 4};
static const double d_mixed[] = {-3.5, 10.25, 0, 2.75, -1, 8, 8, 4.5, 6, -2.25, 3};
static const double d_offset[] = {1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4};
static const double d_ties[] = {3, 1, 3, 3, 2, 3, 3};

static void test_describe_table(void **state)
{
    (void)state;
    /* [py] every row: statistics.mean, stdev, quantiles(n=4, inclusive), and
     * mean -/+ t(0.975, n-1) sd / sqrt(n) with the [py] t quantile. */
    static const struct {
        const char *name;
        const double *data; /* NULL: lcg_fill */
        size_t n;
        double mean, sd, lo, hi, q1, med, q3;
    } rows[] = {
        {"d_classic", d_classic, 8, 5.0, 2.138089935299395, 3.212512081763788, 6.787487918236212,
         4.0, 4.5, 5.5},
        {"d_scores", d_scores, 9, 54.77777777777778, 10.639287779003087, 46.59969723977503,
         62.955858315780524, 49.0, 55.0, 62.0},
        /* n = 2: df = 1, the widest t */
        {"d_two", d_two, 2, 2.0, 1.4142135623730951, -10.706204736174671, 14.706204736174671, 1.5,
         2.0, 2.5},
        /* type 7 interpolates: Q1 = 1.75, Q3 = 3.25 (type 6 would give 1.25, 3.75) */
        {"d_four", d_four, 4, 2.5, 1.2909944487358056, 0.4457397432394825, 4.554260256760518, 1.75,
         2.5, 3.25},
        {"d_mixed", d_mixed, 11, 3.25, 4.560701700396552, 0.18607890753162115, 6.313921092468378,
         -0.5, 3.0, 7.0},
        /* large offset: a one-pass sum of squares would lose every digit */
        {"d_offset", d_offset, 4, 1000000002.5, 1.2909944487358056, 1000000000.4457397,
         1000000004.5542603, 1000000001.75, 1000000002.5, 1000000003.25},
        {"d_ties", d_ties, 7, 2.5714285714285716, 0.7867957924694432, 1.8437638279686834,
         3.29909331488846, 2.5, 3.0, 3.0},
        {"lcg1001", NULL, 1001, 485.594035964036, 291.12567853642645, 467.5373714901174,
         503.6507004379546, 230.56, 475.35, 735.54},
    };
    for (size_t i = 0; i < N_OF(rows); i++) {
        double *v = malloc(rows[i].n * sizeof *v);
        assert_non_null(v);
        if (rows[i].data)
            memcpy(v, rows[i].data, rows[i].n * sizeof *v);
        else
            lcg_fill(v, rows[i].n);
        stats_summary s;
        assert_int_equal(stats_describe(v, rows[i].n, &s, NULL), CC_OK);
        assert_int_equal(s.n, rows[i].n);
        assert_int_equal(s.center_def, STATS_DEFINED);
        assert_int_equal(s.sd_def, STATS_DEFINED);
        assert_int_equal(s.ci.def, STATS_DEFINED);
        near(s.mean, rows[i].mean, 1e-14, "mean", i);
        near(s.sd, rows[i].sd, 1e-13, "sd", i);
        near(s.ci.low, rows[i].lo, 1e-13, "ci low", i);
        near(s.ci.high, rows[i].hi, 1e-13, "ci high", i);
        near(s.q1, rows[i].q1, 1e-14, "q1", i);
        near(s.median, rows[i].med, 1e-14, "median", i);
        near(s.q3, rows[i].q3, 1e-14, "q3", i);
        near(s.iqr, rows[i].q3 - rows[i].q1, 1e-14, "iqr", i);
        qsort(v, rows[i].n, sizeof *v, cmp_d);
        assert_true(s.min == v[0] && s.max == v[rows[i].n - 1]);
        free(v);
    }
}

static void test_describe_edges(void **state)
{
    (void)state;
    stats_summary s;
    /* n = 0: nothing defined, every number 0, no NaN */
    assert_int_equal(stats_describe(NULL, 0, &s, NULL), CC_OK);
    assert_int_equal(s.center_def, STATS_UNDEF_EMPTY);
    assert_int_equal(s.sd_def, STATS_UNDEF_EMPTY);
    assert_int_equal(s.ci.def, STATS_UNDEF_EMPTY);
    assert_true(s.mean == 0.0 && s.sd == 0.0 && s.ci.low == 0.0 && s.ci.high == 0.0);

    /* n = 1: centre defined, SD and CI not */
    double one[] = {42.5};
    assert_int_equal(stats_describe(one, 1, &s, NULL), CC_OK);
    assert_int_equal(s.center_def, STATS_DEFINED);
    assert_int_equal(s.sd_def, STATS_UNDEF_SINGLE);
    assert_int_equal(s.ci.def, STATS_UNDEF_SINGLE);
    assert_true(s.mean == 42.5 && s.median == 42.5 && s.q1 == 42.5 && s.q3 == 42.5);
    assert_true(s.min == 42.5 && s.max == 42.5 && s.iqr == 0.0 && s.sd == 0.0);
    assert_false(isnan(s.ci.low) || isnan(s.ci.high));

    /* all equal: 7.1 five times; the mean is 7.1 exactly (a sum / n would
     * give 7.1000000000000005), SD 0, CI flagged */
    double eq[] = {7.1, 7.1, 7.1, 7.1, 7.1};
    assert_int_equal(stats_describe(eq, 5, &s, NULL), CC_OK);
    assert_true(s.mean == 7.1 && s.sd == 0.0 && s.median == 7.1 && s.iqr == 0.0);
    assert_int_equal(s.sd_def, STATS_DEFINED);
    assert_int_equal(s.ci.def, STATS_UNDEF_NO_SPREAD);
    assert_true(s.ci.low == 0.0 && s.ci.high == 0.0);

    /* bad input */
    static const double bad[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < N_OF(bad); i++) {
        double v[] = {1.0, bad[i], 3.0};
        cc_error err;
        cc_error_clear(&err);
        assert_int_equal(stats_describe(v, 3, &s, &err), CC_INVALID);
        assert_string_equal(err.field, "values");
    }
    assert_int_equal(stats_describe(NULL, 3, &s, NULL), CC_INVALID);
    assert_string_equal(stats_defined_name(STATS_UNDEF_NO_SPREAD), "no_spread");
    assert_string_equal(stats_defined_name(STATS_DEFINED), "defined");
}

static void test_quantile_type7(void **state)
{
    (void)state;
    /* [py] statistics.quantiles(data, n=10 or 8, method="inclusive"), which
     * is R's type 7; the ends p = 0 and 1 are min and max by definition. */
    static const double four[] = {1, 2, 3, 4};
    static const double two[] = {10, 20};
    static const double five[] = {1, 3, 5, 7, 9};
    static const struct {
        const double *sorted;
        size_t n;
        double p, want;
    } rows[] = {
        {four, 4, 0.0, 1.0},   {four, 4, 0.1, 1.3},
        {four, 4, 0.3, 1.9},   {four, 4, 0.5, 2.5},
        {four, 4, 0.9, 3.7},   {four, 4, 1.0, 4.0},
        {two, 2, 0.1, 11.0},   {two, 2, 0.9, 19.0},
        {five, 5, 0.125, 2.0}, {five, 5, 0.375, 4.0},
        {five, 5, 0.875, 8.0}, {four, 1, 0.75, 1.0}, /* n = 1: every quantile is the value */
    };
    for (size_t i = 0; i < N_OF(rows); i++)
        near(stats_quantile_sorted(rows[i].sorted, rows[i].n, rows[i].p), rows[i].want, 1e-14,
             "quantile", i);
}

/* Property: the selection inside stats_describe gives the same quartiles as
 * the type 7 formula on a fully sorted copy, for sizes 1..400 and inputs
 * with many ties, sorted, reversed and constant runs. */
static void test_selection_matches_sort(void **state)
{
    (void)state;
    uint64_t s = 99;
    for (size_t n = 1; n <= 400; n++) {
        for (int shape = 0; shape < 4; shape++) {
            double *v = malloc(n * sizeof *v), *c = malloc(n * sizeof *c);
            assert_true(v && c);
            for (size_t i = 0; i < n; i++) {
                s = s * 6364136223846793005ULL + 1442695040888963407ULL;
                double r = (double)(s >> 40);
                v[i] = shape == 0   ? r
                       : shape == 1 ? (double)((s >> 40) % 5)
                       : shape == 2 ? (double)i
                                    : (double)(n - i) / 3.0;
            }
            memcpy(c, v, n * sizeof *v);
            qsort(c, n, sizeof *c, cmp_d);
            stats_summary sm;
            assert_int_equal(stats_describe(v, n, &sm, NULL), CC_OK);
            assert_true(sm.q1 == stats_quantile_sorted(c, n, 0.25));
            assert_true(sm.median == stats_quantile_sorted(c, n, 0.5));
            assert_true(sm.q3 == stats_quantile_sorted(c, n, 0.75));
            assert_true(sm.min == c[0] && sm.max == c[n - 1]);
            /* the array was only permuted */
            qsort(v, n, sizeof *v, cmp_d);
            assert_memory_equal(v, c, n * sizeof *v);
            free(v);
            free(c);
        }
    }
}

/* ---------------------------------------------------------------------- */
/* paired change                                                           */

static void test_paired_change(void **state)
{
    (void)state;
    /* seven complete pairs (d_pairs in stats_reference.py) plus four
     * incomplete ones; [py]: differences 4 -1 7 5 0 6 7, mean 4.0,
     * stdev 3.265986323710904, CI 0.9794664344511008 .. 7.020533565548899 */
    const stats_pair pairs[] = {
        {40, 44, true, true},   {52, 51, true, true},   {33, 40, true, true},
        {61, 66, true, true},   {47, 47, true, true},   {55, 61, true, true},
        {38, 45, true, true},   {NAN, 50, false, true}, /* baseline missing: the value is ignored */
        {45, NAN, true, false}, {30, 0, true, false},   {0, 0, false, false},
    };
    stats_change c;
    assert_int_equal(stats_paired_change(pairs, N_OF(pairs), &c, NULL), CC_OK);
    assert_int_equal(c.n_pairs, 7);
    assert_int_equal(c.n_missing_baseline, 1);
    assert_int_equal(c.n_missing_follow_up, 2);
    assert_int_equal(c.n_missing_both, 1);
    assert_int_equal(c.n_pairs + c.n_missing_baseline + c.n_missing_follow_up + c.n_missing_both,
                     N_OF(pairs));
    assert_int_equal(c.ci.def, STATS_DEFINED);
    near(c.mean_diff, 4.0, 1e-14, "mean diff", 0);
    near(c.sd_diff, 3.265986323710904, 1e-13, "sd diff", 0);
    near(c.ci.low, 0.9794664344511008, 1e-13, "ci low", 0);
    near(c.ci.high, 7.020533565548899, 1e-13, "ci high", 0);

    /* one pair: mean, nothing else */
    assert_int_equal(stats_paired_change(pairs, 1, &c, NULL), CC_OK);
    assert_int_equal(c.mean_def, STATS_DEFINED);
    assert_true(c.mean_diff == 4.0);
    assert_int_equal(c.sd_def, STATS_UNDEF_SINGLE);
    assert_int_equal(c.ci.def, STATS_UNDEF_SINGLE);

    /* no complete pair */
    assert_int_equal(stats_paired_change(pairs + 7, 4, &c, NULL), CC_OK);
    assert_int_equal(c.n_pairs, 0);
    assert_int_equal(c.mean_def, STATS_UNDEF_EMPTY);
    assert_int_equal(c.ci.def, STATS_UNDEF_EMPTY);

    /* every difference equal (+2): no spread, exact mean */
    const stats_pair flat[] = {{3, 5, true, true}, {10, 12, true, true}, {0, 2, true, true}};
    assert_int_equal(stats_paired_change(flat, 3, &c, NULL), CC_OK);
    assert_true(c.mean_diff == 2.0 && c.sd_diff == 0.0);
    assert_int_equal(c.ci.def, STATS_UNDEF_NO_SPREAD);

    /* a present value that is not finite */
    const stats_pair bad[] = {{1, 2, true, true}, {INFINITY, 2, true, true}};
    cc_error err;
    cc_error_clear(&err);
    assert_int_equal(stats_paired_change(bad, 2, &c, &err), CC_INVALID);
    assert_string_equal(err.field, "pairs[1]");
    assert_int_equal(stats_paired_change(NULL, 0, &c, NULL), CC_OK);
    assert_int_equal(stats_paired_change(NULL, 1, &c, NULL), CC_INVALID);
}

/* ---------------------------------------------------------------------- */
/* t quantiles                                                             */

static void test_t_quantile_table(void **state)
{
    (void)state;
    /* [py] t(0.975, df), with the [tab] 3-decimal value as a second check */
    static const struct {
        double df, want, table;
    } rows[] = {
        {1, 12.706204736174673, 12.706}, /* df = 1: Cauchy */
        {2, 4.302652729749456, 4.303},
        {3, 3.182446305283703, 3.182},
        {4, 2.7764451051977885, 2.776},
        {5, 2.5705818356363186, 2.571},
        {6, 2.4469118511449697, 2.447},
        {7, 2.364624251592787, 2.365},
        {9, 2.262157162798204, 2.262},
        {10, 2.2281388519862744, 2.228},
        {14, 2.1447866879178026, 2.145},
        {19, 2.093024054408308, 2.093},
        {29, 2.0452296421327048, 2.045},
        {30, 2.042272456301235, 2.042},
        {49, 2.0095752371292392, 2.010},
        {99, 1.9842169515864192, 1.984},
        {100, 1.983971518523553, 1.984},
        {999, 1.9623414611334495, 1.962},
        {10000, 1.9602012398906123, 1.960},
        /* df >= 1e5: [py] Cornish-Fisher (A&S 26.7.5) to df^-4; tends to z */
        {1000000, 1.9599663568141064, 1.960},
        {1000000000, 1.9599639869123249, 1.960},
        {1000000000000, 1.959963984542426, 1.960},
    };
    for (size_t i = 0; i < N_OF(rows); i++) {
        double t;
        assert_int_equal(stats_t_quantile(0.975, rows[i].df, &t, NULL), CC_OK);
        near(t, rows[i].want, 1e-13, "t975", i);
        near(t, rows[i].table, 5e-4, "t975 table", i);
        double tl;
        assert_int_equal(stats_t_quantile(0.025, rows[i].df, &tl, NULL), CC_OK);
        near(tl, -t, 1e-14, "symmetry", i); /* 0.975 is not exactly 1 - 0.025 */
    }
    /* [py] other levels */
    static const struct {
        double p, df, want;
    } other[] = {
        {0.995, 1, 63.656741162871036},  {0.995, 5, 4.032142983555228},
        {0.995, 30, 2.7499956535672045}, {0.9, 1, 3.077683537175251},
        {0.9, 5, 1.4758840488244818},    {0.9, 30, 1.3104150253913955},
    };
    for (size_t i = 0; i < N_OF(other); i++) {
        double t;
        assert_int_equal(stats_t_quantile(other[i].p, other[i].df, &t, NULL), CC_OK);
        near(t, other[i].want, 1e-12, "t other", i);
    }
}

static void test_t_quantile_closed_forms(void **state)
{
    (void)state;
    /* [cf] df = 1 and df = 2 over a grid of p, both tails */
    for (int i = 1; i < 200; i++) {
        double p = i / 200.0, t1, t2;
        if (i == 100)
            continue;
        assert_int_equal(stats_t_quantile(p, 1, &t1, NULL), CC_OK);
        near(t1, tan(M_PI * (p - 0.5)), 1e-12, "t df=1", (size_t)i);
        assert_int_equal(stats_t_quantile(p, 2, &t2, NULL), CC_OK);
        near(t2, (2 * p - 1) * sqrt(2.0 / (4 * p * (1 - p))), 1e-12, "t df=2", (size_t)i);
    }
    /* far tail of df = 1 */
    double t;
    assert_int_equal(stats_t_quantile(1e-10, 1, &t, NULL), CC_OK);
    near_rel(t, -1.0 / tan(M_PI * 1e-10), 1e-10, "t df=1 tail", 0);
    /* monotone: t(0.975, df) decreases with df and stays above z */
    double prev = INFINITY;
    for (double df = 1; df <= 3000; df += df < 50 ? 1 : 37) {
        assert_int_equal(stats_t_quantile(0.975, df, &t, NULL), CC_OK);
        assert_true(t < prev && t > 1.959963984540054);
        prev = t;
    }
    /* non-integer df lies between its neighbours */
    double a, b, c;
    assert_int_equal(stats_t_quantile(0.975, 2, &a, NULL), CC_OK);
    assert_int_equal(stats_t_quantile(0.975, 2.5, &b, NULL), CC_OK);
    assert_int_equal(stats_t_quantile(0.975, 3, &c, NULL), CC_OK);
    assert_true(a > b && b > c);
    assert_int_equal(stats_t_quantile(0.5, 7, &t, NULL), CC_OK);
    assert_true(t == 0.0);
    /* bad input */
    static const double bad_p[] = {0.0, 1.0, -0.1, 1.5, NAN};
    for (size_t i = 0; i < N_OF(bad_p); i++)
        assert_int_equal(stats_t_quantile(bad_p[i], 5, &t, NULL), CC_INVALID);
    static const double bad_df[] = {0.0, -1.0, NAN, INFINITY, 1e13};
    for (size_t i = 0; i < N_OF(bad_df); i++)
        assert_int_equal(stats_t_quantile(0.975, bad_df[i], &t, NULL), CC_INVALID);
}

/* ---------------------------------------------------------------------- */
/* proportions                                                             */

static void test_proportion_table(void **state)
{
    (void)state;
    /* [py] x, n, Wilson low/high, Clopper-Pearson low/high */
    static const struct {
        uint64_t x, n;
        double wl, wh, cl, ch;
    } rows[] = {
        {0, 1, 0.0, 0.7934506856227626, 0.0, 0.9750000000000001}, /* n = 1 */
        {1, 1, 0.20654931437723745, 1.0, 0.024999999999999994, 1.0},
        {0, 10, 0.0, 0.27753279986288915, 0.0, 0.30849710781876083}, /* 0 of n */
        {10, 10, 0.7224672001371107, 1.0, 0.6915028921812392, 1.0},  /* n of n */
        {1, 10, 0.017876213095072924, 0.40415002679523837, 0.0025285785444617848,
         0.44501611702819543},
        {5, 10, 0.23659309051256405, 0.763406909487436, 0.18708602844739858, 0.8129139715526015},
        {81, 263, 0.2552885198782742, 0.36620957698280004, 0.25273674558527126, 0.3676219226013513},
        {15, 148, 0.06238639953073628, 0.16048724172330803, 0.05784401008344854,
         0.16165049034947904},
        {0, 20, 0.0, 0.16112515805281932, 0.0, 0.1684334709830853},
        {1, 29, 0.006113214292762653, 0.17175521879320285, 0.0008726468835799218,
         0.17764429548872296},
        {3, 100, 0.010254524024038918, 0.08451936429052759, 0.006229971538306393,
         0.08517605297428002},
        {76, 120, 0.54422424085507, 0.7141706480999425, 0.5405001010775285, 0.7194175923349626},
        {999, 1000, 0.9943574414020421, 0.9998234536293739, 0.9944410757201734, 0.9999746825125087},
        {7, 5000, 0.0006783326019524564, 0.0028872197776585074, 0.0005630520242895754,
         0.00288239435280333},
        /* few events in a large n: [py] sums the short lower binomial tail */
        {0, 1000000, 0.0, 3.841444063944939e-06, 0.0, 3.688872650206489e-06},
        {2, 1000000, 5.484723095960568e-07, 7.292956388572628e-06, 2.42209370316003e-07,
         7.224668794380317e-06},
        {7, 5000000, 6.781729279906835e-07, 2.8901160946610726e-06, 5.628727896148587e-07,
         2.884532931244109e-06},
        {1, 100000000, 1.7652455515325482e-09, 5.6649340411436416e-08, 2.531780798108488e-10,
         5.571643263581066e-08},
        {9, 10000000, 4.735074857988852e-07, 1.7106375572402032e-06, 4.1153738967130166e-07,
         1.7084796545055702e-06},
        {30, 10000000, 2.101509800099798e-06, 4.282633629527206e-06, 2.024088288604993e-06,
         4.282683792807799e-06},
    };
    for (size_t i = 0; i < N_OF(rows); i++) {
        stats_proportion w, cp;
        assert_int_equal(stats_wilson(rows[i].x, rows[i].n, &w, NULL), CC_OK);
        assert_int_equal(stats_clopper_pearson(rows[i].x, rows[i].n, &cp, NULL), CC_OK);
        assert_int_equal(w.ci.def, STATS_DEFINED);
        assert_int_equal(cp.ci.def, STATS_DEFINED);
        near_rel(w.p, (double)rows[i].x / (double)rows[i].n, 1e-15, "p", i);
        near_rel(w.ci.low, rows[i].wl, 1e-12, "wilson low", i);
        near_rel(w.ci.high, rows[i].wh, 1e-13, "wilson high", i);
        /* stats.h: about 1e-13 relative up to n = 1e5, 1e-10 up to 1e8 */
        double tol = rows[i].n > 100000 ? 1e-10 : 1e-12;
        near_rel(cp.ci.low, rows[i].cl, tol, "cp low", i);
        near_rel(cp.ci.high, rows[i].ch, tol, "cp high", i);
        /* the exact interval contains the estimate */
        assert_true(cp.ci.low <= cp.p && cp.p <= cp.ci.high);
        assert_true(w.ci.low <= w.p && w.p <= w.ci.high);
    }
    /* edges are exact: lower bound 0 for x = 0, upper bound 1 for x = n */
    stats_proportion r;
    assert_int_equal(stats_clopper_pearson(0, 37, &r, NULL), CC_OK);
    assert_true(r.ci.low == 0.0);
    assert_int_equal(stats_clopper_pearson(37, 37, &r, NULL), CC_OK);
    assert_true(r.ci.high == 1.0);
    assert_int_equal(stats_wilson(0, 37, &r, NULL), CC_OK);
    assert_true(r.ci.low == 0.0);
    assert_int_equal(stats_wilson(37, 37, &r, NULL), CC_OK);
    assert_true(r.ci.high == 1.0);
}

static void test_proportion_published(void **state)
{
    (void)state;
    /* [N98] Table I, 4 decimals */
    static const struct {
        uint64_t x, n;
        double wl, wh, cl, ch;
    } rows[] = {
        {81, 263, 0.2553, 0.3662, 0.2527, 0.3676},
        {15, 148, 0.0624, 0.1605, 0.0578, 0.1617},
        {0, 20, 0.0000, 0.1611, 0.0000, 0.1684},
        {1, 29, 0.0061, 0.1718, 0.0009, 0.1776},
    };
    for (size_t i = 0; i < N_OF(rows); i++) {
        stats_proportion w, cp;
        assert_int_equal(stats_wilson(rows[i].x, rows[i].n, &w, NULL), CC_OK);
        assert_int_equal(stats_clopper_pearson(rows[i].x, rows[i].n, &cp, NULL), CC_OK);
        assert_true(fabs(w.ci.low - rows[i].wl) <= 0.00005);
        assert_true(fabs(w.ci.high - rows[i].wh) <= 0.00005);
        assert_true(fabs(cp.ci.low - rows[i].cl) <= 0.00005);
        assert_true(fabs(cp.ci.high - rows[i].ch) <= 0.00005);
    }
}

static void test_proportion_edges(void **state)
{
    (void)state;
    /* [cf] 0 of n and n of n for n = 1..2000 */
    for (uint64_t n = 1; n <= 2000; n += n < 50 ? 1 : 97) {
        stats_proportion r;
        double edge = pow(0.025, 1.0 / (double)n);
        assert_int_equal(stats_clopper_pearson(0, n, &r, NULL), CC_OK);
        assert_true(r.ci.low == 0.0);
        near_rel(r.ci.high, 1.0 - edge, 1e-11, "cp 0 of n", (size_t)n);
        assert_int_equal(stats_clopper_pearson(n, n, &r, NULL), CC_OK);
        assert_true(r.ci.high == 1.0);
        near_rel(r.ci.low, edge, 1e-12, "cp n of n", (size_t)n);
        /* Wilson and exact agree on the point estimate and nest sensibly */
        stats_proportion w;
        assert_int_equal(stats_wilson(n / 3, n, &w, NULL), CC_OK);
        assert_int_equal(stats_clopper_pearson(n / 3, n, &r, NULL), CC_OK);
        assert_true(w.ci.low >= 0.0 && w.ci.high <= 1.0 && r.ci.low >= 0.0 && r.ci.high <= 1.0);
        assert_true(r.ci.low <= w.ci.low + 1e-12 && w.ci.high <= r.ci.high + 1e-12);
    }
    /* n = 0: undefined, not NaN */
    stats_proportion r;
    assert_int_equal(stats_wilson(0, 0, &r, NULL), CC_OK);
    assert_int_equal(r.ci.def, STATS_UNDEF_EMPTY);
    assert_true(r.p == 0.0 && r.ci.low == 0.0 && r.ci.high == 0.0);
    assert_int_equal(stats_clopper_pearson(0, 0, &r, NULL), CC_OK);
    assert_int_equal(r.ci.def, STATS_UNDEF_EMPTY);
    /* x > n */
    cc_error err;
    cc_error_clear(&err);
    assert_int_equal(stats_wilson(3, 2, &r, &err), CC_INVALID);
    assert_string_equal(err.field, "x");
    assert_int_equal(stats_clopper_pearson(3, 2, &r, NULL), CC_INVALID);
}

/* ---------------------------------------------------------------------- */
/* rates                                                                   */

static void test_rate_poisson(void **state)
{
    (void)state;
    /* [py] events, administrations, exact Poisson low/high per administration */
    static const struct {
        uint64_t k, e;
        double lo, hi;
    } rows[] = {
        {0, 1, 0.0, 3.688879454113936}, /* [cf] -ln 0.025 */
        {0, 50, 0.0, 0.07377758908227872},
        {1, 1, 0.025317807984289883, 5.571643390938899},
        {2, 10, 0.024220927854396484, 0.7224687667723961},
        {5, 120, 0.01352905325098684, 0.09723610066102226},
        {12, 340, 0.01823698561388887, 0.061651720729932226},
        {30, 30, 0.6746958007140307, 1.4275621798269222},
        {100, 2500, 0.032545596500369256, 0.04865071751697054},
        {250, 100, 2.199679956309371, 2.829877050423162}, /* more events than doses */
    };
    for (size_t i = 0; i < N_OF(rows); i++) {
        stats_rate r;
        assert_int_equal(stats_rate_poisson(rows[i].k, rows[i].e, &r, NULL), CC_OK);
        assert_int_equal(r.ci.def, STATS_DEFINED);
        near_rel(r.rate, (double)rows[i].k / (double)rows[i].e, 1e-15, "rate", i);
        near_rel(r.ci.low, rows[i].lo, 1e-11, "poisson low", i);
        near_rel(r.ci.high, rows[i].hi, 1e-11, "poisson high", i);
        assert_true(r.ci.low <= r.rate && r.rate <= r.ci.high);
    }
    stats_rate r;
    assert_int_equal(stats_rate_poisson(0, 1000, &r, NULL), CC_OK);
    assert_true(r.ci.low == 0.0);
    near_rel(r.ci.high, -log(0.025) / 1000.0, 1e-13, "poisson 0 events", 0); /* [cf] */
    assert_int_equal(stats_rate_poisson(STATS_MAX_EVENTS + 1, 1, &r, NULL), CC_INVALID);
    assert_int_equal(stats_rate_poisson(3, 0, &r, NULL), CC_OK);
    assert_int_equal(r.ci.def, STATS_UNDEF_EMPTY);
    assert_true(r.rate == 0.0 && r.ci.high == 0.0);
}

/* ---------------------------------------------------------------------- */
/* incomplete beta and gamma                                               */

/* P(Bin(m, x) >= a), summed directly here: [cf] I_x(a, m - a + 1). */
static double binom_tail(int a, int m, double x)
{
    double s = 0.0;
    for (int k = a; k <= m; k++) {
        double c = 1.0;
        for (int j = 1; j <= k; j++)
            c = c * (m - k + j) / j;
        s += c * pow(x, k) * pow(1.0 - x, m - k);
    }
    return s;
}

static void test_beta_gamma_identities(void **state)
{
    (void)state;
    static const double xs[] = {1e-6, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99};
    for (size_t i = 0; i < N_OF(xs); i++) {
        double x = xs[i], got;
        static const double as[] = {0.5, 1.0, 2.5, 10.0, 300.0};
        for (size_t j = 0; j < N_OF(as); j++) {
            assert_int_equal(stats_beta_inc(as[j], 1.0, x, &got, NULL), CC_OK);
            near_rel(got, pow(x, as[j]), 1e-12, "I(a,1)", i);
            assert_int_equal(stats_beta_inc(1.0, as[j], x, &got, NULL), CC_OK);
            near(got, -expm1(as[j] * log1p(-x)), 1e-13, "I(1,b)", i);
        }
        for (int a = 1; a <= 12; a += 3)
            for (int b = 1; b <= 12; b += 2) {
                assert_int_equal(stats_beta_inc(a, b, x, &got, NULL), CC_OK);
                near(got, binom_tail(a, a + b - 1, x), 1e-12, "I binomial", i);
            }
        static const double gx[] = {1e-8, 0.1, 1.0, 2.5, 10.0, 40.0};
        assert_int_equal(stats_gamma_p(1.0, gx[i % N_OF(gx)], &got, NULL), CC_OK);
        near(got, -expm1(-gx[i % N_OF(gx)]), 1e-14, "P(1,x)", i);
        assert_int_equal(stats_gamma_p(0.5, gx[i % N_OF(gx)], &got, NULL), CC_OK);
        near(got, erf(sqrt(gx[i % N_OF(gx)])), 1e-13, "P(1/2,x)", i);
    }
    /* round trips: I(I^-1(p)) = p and P(P^-1(p)) = p */
    static const double ps[] = {1e-12, 1e-5, 0.025, 0.3, 0.5, 0.8, 0.975, 0.999999};
    static const double ab[][2] = {{0.5, 0.5}, {0.5, 20}, {3, 0.5},   {1, 1},
                                   {2, 9},     {40, 60},  {5e4, 0.5}, {1, 1e5}};
    for (size_t i = 0; i < N_OF(ps); i++) {
        for (size_t j = 0; j < N_OF(ab); j++) {
            double x, back;
            assert_int_equal(stats_beta_inc_inv(ab[j][0], ab[j][1], ps[i], &x, NULL), CC_OK);
            assert_int_equal(stats_beta_inc(ab[j][0], ab[j][1], x, &back, NULL), CC_OK);
            if (fabs(back - ps[i]) > 1e-9 * ps[i]) {
                /* x near 1: then p must lie between I at x's neighbours (x is
                 * the best double; 1 - x has few digits) */
                double below, above;
                assert_int_equal(
                    stats_beta_inc(ab[j][0], ab[j][1], nextafter(x, 0.0), &below, NULL), CC_OK);
                assert_int_equal(
                    stats_beta_inc(ab[j][0], ab[j][1], nextafter(x, 1.0), &above, NULL), CC_OK);
                assert_true(x > 0.999 && below <= ps[i] && ps[i] <= above);
            }
        }
        static const double ga[] = {0.3, 1.0, 4.0, 77.0, 1e4};
        for (size_t j = 0; j < N_OF(ga); j++) {
            double x, back;
            assert_int_equal(stats_gamma_p_inv(ga[j], ps[i], &x, NULL), CC_OK);
            assert_int_equal(stats_gamma_p(ga[j], x, &back, NULL), CC_OK);
            near_rel(back, ps[i], 1e-9, "gamma round trip", i * 100 + j);
        }
    }
    double out;
    assert_int_equal(stats_beta_inc(0.0, 1.0, 0.5, &out, NULL), CC_INVALID);
    assert_int_equal(stats_beta_inc(1.0, 1.0, 1.5, &out, NULL), CC_INVALID);
    assert_int_equal(stats_beta_inc_inv(1.0, 1.0, -0.1, &out, NULL), CC_INVALID);
    assert_int_equal(stats_gamma_p(-1.0, 1.0, &out, NULL), CC_INVALID);
    assert_int_equal(stats_gamma_p_inv(1.0, 1.0, &out, NULL), CC_INVALID);
}

/* ---------------------------------------------------------------------- */
/* participant flow                                                        */

#define NYD STATS_VISIT_NOT_YET_DUE
#define DUE STATS_VISIT_DUE
#define ASS STATS_VISIT_ASSESSED
#define MIS STATS_VISIT_MISSED
#define WDR STATS_VISIT_WITHDRAWN
#define LST STATS_VISIT_LOST
#define DIE STATS_VISIT_DIED
#define NON STATS_VISIT_NONE

static void test_flow_table(void **state)
{
    (void)state;
    /* Three time points (3, 6, 12 months); counts worked out by hand. */
    static const stats_visit v1[] = {ASS, ASS, ASS}, v2[] = {ASS, MIS, DUE}, v3[] = {ASS, DIE, DIE},
                             v4[] = {WDR, WDR, LST}, v5[] = {ASS, NYD, NYD}, v6[] = {LST, ASS, NYD};
    const stats_flow_patient p[] = {
        {true, false, false, false, NULL}, /* referred only */
        {true, true, false, false, NULL},  /* screened, ineligible */
        {true, true, true, false, NULL},   /* eligible, not (yet) treated */
        {true, true, true, true, v1},
        {true, true, true, true, v2},
        {true, true, true, true, v3},
        {true, true, true, true, v4},
        {true, true, true, true, v5},
        {true, true, false, true, v6}, /* treated under an override */
    };
    stats_flow f;
    assert_int_equal(stats_flow_count(p, N_OF(p), 3, &f, NULL), CC_OK);
    assert_int_equal(f.patients, 9);
    assert_int_equal(f.referred, 9);
    assert_int_equal(f.screened, 8);
    assert_int_equal(f.eligible, 6);
    assert_int_equal(f.treated, 6);
    assert_int_equal(f.treated_not_eligible, 1);
    static const struct {
        uint64_t nyd, due, pending, assessed, missing, missed, withdrawn, lost, died;
    } want[] = {
        {0, 6, 0, 4, 2, 0, 1, 1, 0}, /* 3 m */
        {1, 5, 0, 2, 3, 1, 1, 0, 1}, /* 6 m */
        {2, 4, 1, 1, 2, 0, 0, 1, 1}, /* 12 m */
    };
    for (size_t k = 0; k < N_OF(want); k++) {
        const stats_flow_point *c = &f.point[k];
        assert_int_equal(c->not_yet_due, want[k].nyd);
        assert_int_equal(c->due, want[k].due);
        assert_int_equal(c->pending, want[k].pending);
        assert_int_equal(c->assessed, want[k].assessed);
        assert_int_equal(c->missing, want[k].missing);
        assert_int_equal(c->missed, want[k].missed);
        assert_int_equal(c->withdrawn, want[k].withdrawn);
        assert_int_equal(c->lost, want[k].lost);
        assert_int_equal(c->died, want[k].died);
    }
    /* no patients: all zero */
    assert_int_equal(stats_flow_count(NULL, 0, 3, &f, NULL), CC_OK);
    assert_int_equal(f.treated, 0);
    assert_int_equal(f.point[2].due, 0);
}

static void test_flow_rejects_inconsistent(void **state)
{
    (void)state;
    static const stats_visit ok[] = {ASS, ASS}, none[] = {NON, NON}, gap[] = {ASS, NON},
                             undead[] = {DIE, ASS}, bogus[] = {ASS, (stats_visit)42};
    static const struct {
        stats_flow_patient p;
        const char *why;
    } rows[] = {
        {{false, true, false, false, NULL}, "screened without referral"},
        {{true, false, true, false, NULL}, "eligible without screening"},
        {{true, false, false, true, ok}, "treated without screening"},
        {{true, true, true, false, ok}, "visits for an untreated patient"},
        {{true, true, true, true, NULL}, "treated without visits"},
        {{true, true, true, true, none}, "treated with NONE"},
        {{true, true, true, true, gap}, "treated with a NONE gap"},
        {{true, true, true, true, undead}, "assessed after death"},
        {{true, true, true, true, bogus}, "unknown status"},
    };
    for (size_t i = 0; i < N_OF(rows); i++) {
        stats_flow_patient list[2] = {{true, true, true, true, ok}, rows[i].p};
        stats_flow f;
        cc_error err;
        cc_error_clear(&err);
        if (stats_flow_count(list, 2, 2, &f, &err) != CC_INVALID) {
            print_error("row %zu (%s) accepted\n", i, rows[i].why);
            fail();
        }
        assert_string_equal(err.field, "patients[1]");
        assert_string_equal(err.code, "flow_inconsistent");
    }
    stats_flow f;
    assert_int_equal(stats_flow_count(NULL, 0, STATS_FLOW_MAX_TIMEPOINTS + 1, &f, NULL),
                     CC_INVALID);
    /* an untreated patient may carry an all-NONE array */
    const stats_flow_patient fine[] = {{true, true, false, false, none}};
    assert_int_equal(stats_flow_count(fine, 1, 2, &f, NULL), CC_OK);
}

/* Property: over random consistent cohorts, at every time point the
 * categories add up to the treated count, due = pending + assessed +
 * missing, and the funnel never widens. */
static void test_flow_property(void **state)
{
    (void)state;
    enum { MAXP = 300, TP = 6 };
    static stats_visit visits[MAXP][TP];
    static stats_flow_patient pts[MAXP];
    uint64_t s = 2026;
    for (int round = 0; round < 300; round++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t n = (size_t)(s >> 33) % MAXP;
        size_t tp = 1 + (size_t)(s >> 50) % TP;
        for (size_t i = 0; i < n; i++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned r = (unsigned)(s >> 32);
            stats_flow_patient *p = &pts[i];
            p->referred = true;
            p->screened = r % 10 < 8;
            p->eligible = p->screened && (r / 10) % 10 < 7;
            p->treated = p->screened && ((r / 100) % 10 < (p->eligible ? 9u : 1u));
            p->visits = p->treated ? visits[i] : NULL;
            bool dead = false;
            for (size_t k = 0; k < tp; k++) {
                s = s * 6364136223846793005ULL + 1442695040888963407ULL;
                stats_visit v = (stats_visit)(1 + (s >> 40) % 7); /* NYD..DIED */
                visits[i][k] = dead ? DIE : v;
                dead = visits[i][k] == DIE;
            }
        }
        stats_flow f;
        assert_int_equal(stats_flow_count(pts, n, tp, &f, NULL), CC_OK);
        assert_true(f.referred >= f.screened && f.screened >= f.treated);
        assert_true(f.eligible + f.treated_not_eligible >= f.treated);
        assert_int_equal(f.patients, n);
        for (size_t k = 0; k < tp; k++) {
            const stats_flow_point *c = &f.point[k];
            assert_int_equal(c->not_yet_due + c->pending + c->assessed + c->missed + c->withdrawn +
                                 c->lost + c->died,
                             f.treated);
            assert_int_equal(c->not_yet_due + c->due, f.treated);
            assert_int_equal(c->due, c->pending + c->assessed + c->missing);
            assert_int_equal(c->missing, c->missed + c->withdrawn + c->lost + c->died);
            if (k > 0)
                assert_true(c->died >= f.point[k - 1].died); /* death is final */
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_describe_table),
        cmocka_unit_test(test_describe_edges),
        cmocka_unit_test(test_quantile_type7),
        cmocka_unit_test(test_selection_matches_sort),
        cmocka_unit_test(test_paired_change),
        cmocka_unit_test(test_t_quantile_table),
        cmocka_unit_test(test_t_quantile_closed_forms),
        cmocka_unit_test(test_proportion_table),
        cmocka_unit_test(test_proportion_published),
        cmocka_unit_test(test_proportion_edges),
        cmocka_unit_test(test_rate_poisson),
        cmocka_unit_test(test_beta_gamma_identities),
        cmocka_unit_test(test_flow_table),
        cmocka_unit_test(test_flow_rejects_inconsistent),
        cmocka_unit_test(test_flow_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
