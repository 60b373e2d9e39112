/* Unit tests of core/report (outcome report numbers and its cohort, baseline
 * and window rules) and core/followup
 * (visit states, H10; resolution rules; lost to follow-up).
 *
 * The cohort fixture is small enough to check by hand; every expected number
 * below is worked out in the comment next to it. Interval references are
 * independent of src/core/stats.c:
 *   [py]  python3 closed form of the Wilson interval, z = 1.959963984540054:
 *         2/3 -> (0.2076596008020477, 0.9385080552796037),
 *         1/2 -> (0.09453120573423074, 0.9054687942657693),
 *         1/1 -> (0.20654931437723745, 1).
 *   [R]   R 4.x binom.test(2, 4)$conf.int = 0.06758599 0.93241401;
 *         binom.test(1, 4)$conf.int = 0.006309463 0.805879550;
 *         poisson.test(3)$conf.int = 0.6186721 8.7672731 (divided by 8
 *         administrations); qt(0.975, 1) = 12.7062047361747.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/followup.h"
#include "core/report.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void near(double got, double want, double tol)
{
    if (fabs(got - want) > tol)
        fail_msg("got %.12g, want %.12g (tol %g)", got, want, tol);
}

/* Two time points, one measure (stride 3: baseline, t1, t2). */
static const stats_visit V2[] = {STATS_VISIT_ASSESSED, STATS_VISIT_ASSESSED};
static const stats_visit V3[] = {STATS_VISIT_ASSESSED, STATS_VISIT_MISSED};
static const stats_visit V4[] = {STATS_VISIT_ASSESSED, STATS_VISIT_NOT_YET_DUE};
static const stats_visit V5[] = {STATS_VISIT_WITHDRAWN, STATS_VISIT_WITHDRAWN};
static const double X2[] = {10, 12, 15}, X3[] = {20, 18, 0}, X4[] = {0, 7, 0}, X5[] = {5, 0, 0};
static const bool P2[] = {1, 1, 1}, P3[] = {1, 1, 0}, P4[] = {0, 1, 0}, P5[] = {1, 0, 0};
static const char A2[] = {'B', 'C', 'D'}, A3[] = {'A', 'A', 0}, A4[] = {'C', 'D', 0},
                  A5[] = {'E', 0, 0};

static const report_patient COHORT[] = {
    {true, false, false, false, NULL, NULL, NULL, NULL}, /* P0 referred only */
    {true, true, false, false, NULL, NULL, NULL, NULL},  /* P1 screened, not eligible */
    {true, true, true, true, V2, X2, P2, A2},
    {true, true, true, true, V3, X3, P3, A3},
    {true, true, true, true, V4, X4, P4, A4},
    {true, true, true, true, V5, X5, P5, A5},
};
static const report_ae AES[] = {
    {2, "headache", 1, false}, {2, "headache", 1, false}, {3, "fever", 2, true}};

static void compute(report_result *r)
{
    double scratch[N_OF(COHORT)];
    stats_pair pairs[N_OF(COHORT)];
    report_input in = {COHORT, N_OF(COHORT), 2, 1, AES, N_OF(AES), 8, NULL};
    cc_error err;
    assert_int_equal(report_compute(&in, scratch, pairs, r, &err), CC_OK);
}

static void test_flow(void **state)
{
    (void)state;
    static report_result r;
    compute(&r);
    /* 6 referred, 5 screened (P1..P5), 4 eligible and treated (P2..P5) */
    assert_int_equal(r.flow.referred, 6);
    assert_int_equal(r.flow.screened, 5);
    assert_int_equal(r.flow.eligible, 4);
    assert_int_equal(r.flow.treated, 4);
    /* t1: all 4 due; P2 P3 P4 assessed, P5 withdrawn */
    assert_int_equal(r.flow.point[0].due, 4);
    assert_int_equal(r.flow.point[0].assessed, 3);
    assert_int_equal(r.flow.point[0].withdrawn, 1);
    /* t2: P4 not yet due; P2 assessed; P3 missed; P5 withdrawn */
    assert_int_equal(r.flow.point[1].not_yet_due, 1);
    assert_int_equal(r.flow.point[1].due, 3);
    assert_int_equal(r.flow.point[1].assessed, 1);
    assert_int_equal(r.flow.point[1].missing, 2);
    assert_int_equal(r.flow.point[1].missed, 1);
}

/* The same cohort given by patient rows and by measure columns gives the
 * same result, to the bit (random cohort: 3 measures, 3 time points). */
static void test_columns_same_as_rows(void **state)
{
    (void)state;
    enum { NP = 500, NT = 3, NM = 3, STRIDE = NT + 1 };
    static report_patient pts[NP];
    static stats_visit visits[NP][NT];
    static double rows[NP][NM * STRIDE], cols[NM][NP * STRIDE];
    static bool rows_present[NP][NM * STRIDE], cols_present[NM][NP * STRIDE];
    static double scratch[NP];
    static stats_pair pairs[NP];
    static report_result by_rows, by_columns;
    uint64_t seed = 99;
    for (size_t i = 0; i < NP; i++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        bool treated = (seed >> 33) % 5 != 0;
        for (size_t t = 0; t < NT; t++)
            visits[i][t] = (stats_visit[]){STATS_VISIT_ASSESSED, STATS_VISIT_MISSED,
                                           STATS_VISIT_DUE}[(seed >> (40 + 2 * t)) % 3];
        for (size_t m = 0; m < NM; m++)
            for (size_t t = 0; t < STRIDE; t++) {
                seed = seed * 6364136223846793005u + 1442695040888963407u;
                bool have = (seed >> 35) % 4 != 0;
                double v = (double)((seed >> 20) % 1000) / 7.0;
                rows[i][m * STRIDE + t] = cols[m][i * STRIDE + t] = have ? v : 0;
                rows_present[i][m * STRIDE + t] = cols_present[m][i * STRIDE + t] = have;
            }
        pts[i] = (report_patient){
            true, true, treated, treated, treated ? visits[i] : NULL, rows[i], rows_present[i],
            NULL};
    }
    cc_error err;
    report_input in = {pts, NP, NT, NM, NULL, 0, 0, NULL};
    assert_int_equal(report_compute(&in, scratch, pairs, &by_rows, &err), CC_OK);
    const double *values[NM] = {cols[0], cols[1], cols[2]};
    const bool *present[NM] = {cols_present[0], cols_present[1], cols_present[2]};
    report_columns columns = {values, present};
    for (size_t i = 0; i < NP; i++)
        pts[i].values = NULL, pts[i].present = NULL;
    in.columns = &columns;
    assert_int_equal(report_compute(&in, scratch, pairs, &by_columns, &err), CC_OK);
    assert_true(by_rows.cells[2][3].summary.n > 100);
    assert_memory_equal(&by_rows, &by_columns, sizeof by_rows);
}

static void test_measures(void **state)
{
    (void)state;
    static report_result r;
    compute(&r);
    /* baseline: due = treated = 4; present 10, 20, 5: mean 35/3, median 10,
     * SD sqrt(((10-35/3)^2 + (20-35/3)^2 + (5-35/3)^2) / 2) = 7.637626158 */
    const report_cell *b = &r.cells[0][0];
    assert_int_equal(b->due, 4);
    assert_int_equal(b->summary.n, 3);
    near(b->summary.mean, 35.0 / 3, 1e-12);
    near(b->summary.median, 10, 1e-12);
    near(b->summary.sd, 7.637626158259733, 1e-9);
    /* t1: due 4; present 12, 18, 7 (n 3); pairs P2 (+2), P3 (-2): mean 0,
     * SD 2*sqrt(2), CI 0 +/- qt(.975,1) * 2 = +/- 25.4124094723;
     * P4 has no baseline, P5 no t1 value */
    const report_cell *c1 = &r.cells[0][1];
    assert_int_equal(c1->due, 4);
    assert_int_equal(c1->summary.n, 3);
    assert_int_equal(c1->change.n_pairs, 2);
    assert_int_equal(c1->change.n_missing_baseline, 1);
    assert_int_equal(c1->change.n_missing_follow_up, 1);
    near(c1->change.mean_diff, 0, 1e-12);
    near(c1->change.sd_diff, 2 * sqrt(2.0), 1e-12);
    near(c1->change.ci.low, -25.4124094723494, 1e-8);
    near(c1->change.ci.high, 25.4124094723494, 1e-8);
    /* t2: due 3 (P2 P3 P5; P4 not yet due); one value 15, one pair (+5):
     * no SD, no interval; 2 missing follow-up values */
    const report_cell *c2 = &r.cells[0][2];
    assert_int_equal(c2->due, 3);
    assert_int_equal(c2->summary.n, 1);
    assert_int_equal(c2->summary.sd_def, STATS_UNDEF_SINGLE);
    assert_int_equal(c2->change.n_pairs, 1);
    assert_int_equal(c2->change.n_missing_follow_up, 2);
    near(c2->change.mean_diff, 5, 1e-12);
    assert_int_not_equal(c2->change.ci.def, STATS_DEFINED);
}

static void test_ais(void **state)
{
    (void)state;
    static report_result r;
    compute(&r);
    assert_true(r.has_ais);
    /* t1: B->C, A->A, C->D (3 pairs), E missing; improved 2 of 3 (E excluded) */
    const report_ais_point *a1 = &r.ais[1];
    assert_int_equal(a1->pairs, 3);
    assert_int_equal(a1->missing_follow_up, 1);
    assert_int_equal(a1->table[1][2], 1);
    assert_int_equal(a1->table[0][0], 1);
    assert_int_equal(a1->table[2][3], 1);
    assert_int_equal(a1->improved.x, 2);
    assert_int_equal(a1->improved.n, 3);
    near(a1->improved.ci.low, 0.2076596008020477, 1e-12);
    near(a1->improved.ci.high, 0.9385080552796037, 1e-12);
    assert_int_equal(a1->improved_sensitivity.n, 3);
    /* t2: due P2 (B->D), P3 (A->missing), P5 (E, excluded): 1 of 1 among pairs;
     * sensitivity 1 of 2 (P3's missing grade counts as not improved) */
    const report_ais_point *a2 = &r.ais[2];
    assert_int_equal(a2->improved.x, 1);
    assert_int_equal(a2->improved.n, 1);
    near(a2->improved.ci.low, 0.20654931437723745, 1e-12);
    near(a2->improved.ci.high, 1, 1e-12);
    assert_int_equal(a2->improved_sensitivity.x, 1);
    assert_int_equal(a2->improved_sensitivity.n, 2);
    near(a2->improved_sensitivity.ci.low, 0.09453120573423074, 1e-12);
    near(a2->improved_sensitivity.ci.high, 0.9054687942657693, 1e-12);
}

static void test_adverse(void **state)
{
    (void)state;
    static report_result r;
    compute(&r);
    /* 3 events, 1 serious; patients with any: P2, P3 = 2/4; serious: P3 = 1/4 */
    assert_int_equal(r.ae_events, 3);
    assert_int_equal(r.ae_serious_events, 1);
    assert_int_equal(r.ae_any.x, 2);
    assert_int_equal(r.ae_any.n, 4);
    near(r.ae_any.ci.low, 0.06758599, 1e-8);
    near(r.ae_any.ci.high, 0.93241401, 1e-8);
    near(r.ae_serious.ci.low, 0.006309463, 1e-9);
    near(r.ae_serious.ci.high, 0.805879550, 1e-9);
    /* rows sorted by term: fever g2 (1 event, 1 patient), headache g1 (2 events, 1 patient) */
    assert_int_equal(r.n_ae_rows, 2);
    assert_string_equal(r.ae_rows[0].term, "fever");
    assert_int_equal(r.ae_rows[1].events, 2);
    assert_int_equal(r.ae_rows[1].patients.x, 1);
    /* 3 events / 8 administrations, exact Poisson */
    near(r.ae_per_administration.rate, 0.375, 1e-12);
    near(r.ae_per_administration.ci.low, 0.6186721 / 8, 1e-7);
    near(r.ae_per_administration.ci.high, 8.7672731 / 8, 1e-7);
}

static void test_edge_cases(void **state)
{
    (void)state;
    static report_result r;
    cc_error err;
    /* empty cohort: everything zero, intervals undefined, never NaN */
    report_input empty = {NULL, 0, 2, 1, NULL, 0, 0, NULL};
    assert_int_equal(report_compute(&empty, NULL, NULL, &r, &err), CC_OK);
    assert_int_equal(r.flow.treated, 0);
    assert_int_equal(r.cells[0][1].summary.n, 0);
    assert_int_equal(r.ae_any.ci.def, STATS_UNDEF_EMPTY);
    assert_int_equal(r.ae_per_administration.ci.def, STATS_UNDEF_EMPTY);
    assert_false(r.has_ais);
    double scratch[N_OF(COHORT)];
    stats_pair pairs[N_OF(COHORT)];
    /* an AE of an untreated patient is refused */
    static const report_ae bad_ae[] = {{1, "fever", 2, false}};
    report_input in = {COHORT, N_OF(COHORT), 2, 1, bad_ae, 1, 8, NULL};
    assert_int_equal(report_compute(&in, scratch, pairs, &r, &err), CC_INVALID);
    static const report_ae bad_grade[] = {{2, "fever", 6, false}};
    in.aes = bad_grade;
    assert_int_equal(report_compute(&in, scratch, pairs, &r, &err), CC_INVALID);
    /* events out of patient order are refused (the count of patients relies on it) */
    static const report_ae unordered[] = {{3, "fever", 2, false}, {2, "fever", 2, false}};
    in.aes = unordered;
    in.n_aes = 2;
    assert_int_equal(report_compute(&in, scratch, pairs, &r, &err), CC_INVALID);
    assert_string_equal(err.field, "aes");
    in.n_aes = 1;
    /* inconsistent flow (treated without a screening) is refused */
    static const report_patient wrong[] = {{true, false, false, true, V2, NULL, NULL, NULL}};
    report_input w = {wrong, 1, 2, 0, NULL, 0, 2, NULL};
    assert_int_equal(report_compute(&w, scratch, pairs, &r, &err), CC_INVALID);
    /* all values equal: SD 0, no t interval */
    static const double same[] = {4, 4, 4};
    static const bool all[] = {1, 1, 1};
    static const report_patient eq[] = {{true, true, true, true, V2, same, all, NULL},
                                        {true, true, true, true, V2, same, all, NULL}};
    report_input e = {eq, 2, 2, 1, NULL, 0, 4, NULL};
    assert_int_equal(report_compute(&e, scratch, pairs, &r, &err), CC_OK);
    assert_int_equal(r.cells[0][1].summary.ci.def, STATS_UNDEF_NO_SPREAD);
    near(r.cells[0][1].change.mean_diff, 0, 0);
    assert_int_equal(r.cells[0][1].change.ci.def, STATS_UNDEF_NO_SPREAD);
    assert_int_equal(r.ae_any.x, 0);
    near(r.ae_any.ci.high, 1 - pow(0.025, 0.5), 1e-12); /* CP upper for 0 of 2 */
}

/* H10: the worklist state of a scheduled visit follows the calendar. */
static void test_followup_states(void **state)
{
    (void)state;
    static const struct {
        followup_status status;
        int ws, we, today;
        followup_state want;
    } rows[] = {
        {FU_SCHEDULED, 100, 120, 50, FU_UPCOMING}, /* more than 14 days before the window */
        {FU_SCHEDULED, 100, 120, 85, FU_UPCOMING}, /* 15 days before */
        {FU_SCHEDULED, 100, 120, 86, FU_DUE},      /* 14 days before */
        {FU_SCHEDULED, 100, 120, 99, FU_DUE},
        {FU_SCHEDULED, 100, 120, 100, FU_IN_WINDOW}, /* window bounds are inclusive */
        {FU_SCHEDULED, 100, 120, 120, FU_IN_WINDOW},
        {FU_SCHEDULED, 100, 120, 121, FU_OVERDUE},  /* H10 */
        {FU_SCHEDULED, 100, 120, 5000, FU_OVERDUE}, /* stays overdue until resolved */
        {FU_DONE, 100, 120, 121, FU_RESOLVED},
        {FU_MISSED, 100, 120, 50, FU_RESOLVED},
        {FU_DIED, 100, 120, 110, FU_RESOLVED},
    };
    for (size_t i = 0; i < N_OF(rows); i++)
        assert_int_equal(followup_state_of(rows[i].status, rows[i].ws, rows[i].we, rows[i].today),
                         rows[i].want);
}

static void test_followup_rules(void **state)
{
    (void)state;
    cc_error err;
    followup_resolution ok = {FU_DONE, false, false, 0, false};
    assert_int_equal(followup_check_resolution(FU_SCHEDULED, &ok, 100, &err), CC_OK);
    assert_int_equal(followup_check_resolution(FU_DONE, &ok, 100, &err), CC_CONFLICT);
    assert_string_equal(err.code, "already_resolved");
    followup_resolution missed = {FU_MISSED, false, false, 0, false};
    assert_int_equal(followup_check_resolution(FU_SCHEDULED, &missed, 100, &err), CC_INVALID);
    assert_string_equal(err.field, "reason");
    followup_resolution died = {FU_DIED, false, true, 101, true};
    assert_int_equal(followup_check_resolution(FU_SCHEDULED, &died, 100, &err), CC_INVALID);
    assert_string_equal(err.field, "died_on");
    died.died_on = 100;
    assert_int_equal(followup_check_resolution(FU_SCHEDULED, &died, 100, &err), CC_OK);
    died.has_cause = false;
    assert_int_equal(followup_check_resolution(FU_SCHEDULED, &died, 100, &err), CC_INVALID);
    assert_string_equal(err.field, "cause");
    followup_resolution done_dead = {FU_DONE, false, true, 90, false};
    assert_int_equal(followup_check_resolution(FU_SCHEDULED, &done_dead, 100, &err), CC_INVALID);
    followup_resolution back = {FU_SCHEDULED, true, false, 0, false};
    assert_int_equal(followup_check_resolution(FU_SCHEDULED, &back, 100, &err), CC_INVALID);
    assert_true(followup_closes_later(FU_DIED) && followup_closes_later(FU_WITHDRAWN));
    assert_false(followup_closes_later(FU_LOST) || followup_closes_later(FU_MISSED));
    assert_true(followup_contact_failed("no_answer") && !followup_contact_failed("reached"));
    assert_false(followup_contact_failed("carrier pigeon"));
    assert_false(followup_lost_after(2, 3));
    assert_true(followup_lost_after(3, 3));
    assert_false(followup_lost_after(5, 0));
    followup_status s;
    assert_true(followup_status_parse("lost", &s) && s == FU_LOST);
    assert_false(followup_status_parse("gone", &s));
}

/* ---- cohort and matching rules (day numbers: S = 20000 is 2024-10-04) ---- */
enum { S = 20000 };
#define NO REPORT_NO_DAY

/* Baseline: newest observation on or before the plan's start, at most 180
 * days before it (the report's definition "baseline"). */
static void test_baseline_rule(void **state)
{
    (void)state;
    static const struct {
        cc_date start, day;
        bool match;
        int distance;
    } rows[] = {
        {S, S, true, 0},         /* on the start day: a baseline */
        {S, S - 1, true, 1},     /* the day before */
        {S, S - 180, true, 180}, /* exactly 180 days before: still in */
        {S, S - 181, false, 0},  /* 181 days before: too old */
        {S, S + 1, false, 0},    /* after the start: a follow-up value, never baseline */
        {NO, S, false, 0},       /* no plan start: no baseline */
        {S, NO, false, 0},       /* unreadable day */
        {INT32_MIN + 1, INT32_MIN + 1, true, 0}, /* extreme dates do not overflow */
    };
    for (size_t i = 0; i < N_OF(rows); i++) {
        int distance = -1;
        bool got = report_baseline_match(rows[i].start, rows[i].day, &distance);
        if (got != rows[i].match || (got && distance != rows[i].distance))
            fail_msg("row %zu: match %d distance %d", i, got, distance);
    }
}

/* Window membership: the visit's window, bounds included; distance to the target. */
static void test_window_rule(void **state)
{
    (void)state;
    static const struct {
        report_window w;
        cc_date day;
        bool match;
        int distance;
    } rows[] = {
        {{S + 80, S + 100, S + 90}, S + 90, true, 0},   /* on the target */
        {{S + 80, S + 100, S + 90}, S + 80, true, 10},  /* first day of the window */
        {{S + 80, S + 100, S + 90}, S + 100, true, 10}, /* last day of the window */
        {{S + 80, S + 100, S + 90}, S + 79, false, 0},  /* a day early */
        {{S + 80, S + 100, S + 90}, S + 101, false, 0}, /* a day late */
        {{S + 80, S + 100, S + 85}, S + 99, true, 14},  /* asymmetric window: |99 - 85| */
        {{NO, NO, NO}, S, false, 0},                    /* no visit at this time point */
        {{S + 80, S + 100, S + 90}, NO, false, 0},      /* unreadable day */
    };
    for (size_t i = 0; i < N_OF(rows); i++) {
        int distance = -1;
        bool got = report_window_match(&rows[i].w, rows[i].day, &distance);
        if (got != rows[i].match || (got && distance != rows[i].distance))
            fail_msg("row %zu: match %d distance %d", i, got, distance);
    }
}

/* The tie rule: closest wins, then the later day, then the later record. */
static void test_match_better(void **state)
{
    (void)state;
    static const struct {
        int distance;
        cc_date day;
        int best_distance;
        cc_date best_day;
        bool better;
    } rows[] = {
        {5, S, INT32_MAX, NO, true}, /* anything beats no match yet */
        {3, S, 4, S + 10, true},     /* closer wins, whatever the day */
        {4, S + 10, 3, S, false},    /* farther loses, even when later */
        {3, S + 3, 3, S - 3, true},  /* same distance, later day wins */
        {3, S - 3, 3, S + 3, false}, /* same distance, earlier day loses */
        {0, S, 0, S, true},          /* same day: the later record wins */
    };
    for (size_t i = 0; i < N_OF(rows); i++)
        if (report_match_better(rows[i].distance, rows[i].day, rows[i].best_distance,
                                rows[i].best_day) != rows[i].better)
            fail_msg("row %zu", i);
}

/* Cohort membership: plan start in [from, to], or the first screening without a plan. */
static void test_period_rule(void **state)
{
    (void)state;
    static const struct {
        bool has_plan;
        cc_date start, screened, from, to;
        bool in;
    } rows[] = {
        {true, S, S - 50, S, S + 30, true},           /* plan starts on from */
        {true, S + 30, S - 50, S, S + 30, true},      /* plan starts on to */
        {true, S + 31, S + 5, S, S + 30, false},      /* plan after the period; the screening
                                                         inside does not count */
        {true, S - 1, S + 5, S, S + 30, false},       /* plan before the period */
        {false, NO, S + 5, S, S + 30, true},          /* no plan: screened in the period */
        {false, NO, S - 5, S, S + 30, false},         /* no plan: screened before */
        {false, NO, NO, INT32_MIN, INT32_MAX, false}, /* no date at all: never in, even open */
        {true, NO, S, INT32_MIN, INT32_MAX, false},   /* a plan without a start date */
        {true, S, NO, INT32_MIN, INT32_MAX, true},    /* open period keeps every dated plan */
    };
    for (size_t i = 0; i < N_OF(rows); i++)
        if (report_in_period(rows[i].has_plan, rows[i].start, rows[i].screened, rows[i].from,
                             rows[i].to) != rows[i].in)
            fail_msg("row %zu", i);
}

/* A scheduled visit is due once its window opens (the report's definition "due"). */
static void test_scheduled_rule(void **state)
{
    (void)state;
    static const struct {
        cc_date window_start, today;
        stats_visit want;
    } rows[] = {
        {S, S - 1, STATS_VISIT_NOT_YET_DUE}, /* the day before the window opens */
        {S, S, STATS_VISIT_DUE},             /* the window opens today */
        {S, S + 400, STATS_VISIT_DUE},       /* long past: due (pending), never dropped */
    };
    for (size_t i = 0; i < N_OF(rows); i++)
        assert_int_equal(report_scheduled_visit(rows[i].window_start, rows[i].today), rows[i].want);
}

/* Death is final: the time points after a death read died. */
static void test_death_rule(void **state)
{
    (void)state;
#define A STATS_VISIT_ASSESSED
#define M STATS_VISIT_MISSED
#define D STATS_VISIT_DIED
#define Y STATS_VISIT_NOT_YET_DUE
    static const struct {
        stats_visit in[4], want[4];
    } rows[] = {
        {{A, M, A, Y}, {A, M, A, Y}}, /* nobody died: unchanged */
        {{A, D, A, Y}, {A, D, D, D}}, /* died at the second: the rest read died */
        {{D, Y, Y, Y}, {D, D, D, D}}, /* died before the first visit */
        {{A, A, A, D}, {A, A, A, D}}, /* died at the last: nothing after it */
    };
    for (size_t i = 0; i < N_OF(rows); i++) {
        stats_visit v[4];
        memcpy(v, rows[i].in, sizeof v);
        report_death_is_final(v, 4);
        for (size_t t = 0; t < 4; t++)
            if (v[t] != rows[i].want[t])
                fail_msg("row %zu time point %zu: %d, want %d", i, t, v[t], rows[i].want[t]);
    }
}
#undef A
#undef M
#undef D
#undef Y

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flow),
        cmocka_unit_test(test_measures),
        cmocka_unit_test(test_columns_same_as_rows),
        cmocka_unit_test(test_ais),
        cmocka_unit_test(test_adverse),
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_followup_states),
        cmocka_unit_test(test_followup_rules),
        cmocka_unit_test(test_baseline_rule),
        cmocka_unit_test(test_window_rule),
        cmocka_unit_test(test_match_better),
        cmocka_unit_test(test_period_rule),
        cmocka_unit_test(test_scheduled_rule),
        cmocka_unit_test(test_death_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
