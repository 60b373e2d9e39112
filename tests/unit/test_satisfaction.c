/* Unit tests of core/satisfaction: the satisfaction and perceived-efficacy
 * table of the outcome report, and the matching of answers to time points.
 *
 * Each row of CASES is a small cohort (one time point) worked out by hand in
 * its comment. Interval references are independent of src/core/stats.c:
 *   [py]  python3 closed form of the Wilson score interval
 *         (p + z^2/2n -/+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n),
 *         z = statistics.NormalDist().inv_cdf(0.975) = 1.9599639845400536;
 *         the same numbers as R 4.x prop.test(x, n, correct = FALSE)$conf.int
 *         (2/4 -> 0.1500390 0.8499610).
 *
 * Reported items (instrument "satisfaction" v2, comments left out):
 *   0 satisfaction "1".."5" -> codes 0..4      (top box 4, 5 -> codes 3, 4)
 *   1 pgic "1".."7" -> codes 0..6              (top box 1, 2 -> codes 0, 1)
 *   2..13 change_motor .. change_sweating, change_development, change_cognition,
 *        change_muscle_strength, change_seizures, change_other: much_worse 0, worse 1, no_change 2,
 *        better 3, much_better 4, not_applicable -> SAT_NOT_APPLICABLE
 *   14 would_recommend yes 0, no 1             (top box yes -> code 0)
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/satisfaction.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define NA SAT_NOT_APPLICABLE
#define SK SAT_NO_ANSWER
#define UR SAT_UNREADABLE

enum { ITEM_SAT = 0, ITEM_PGIC = 1, ITEM_MOTOR = 2, ITEM_RECOMMEND = 14 };

static void near(double got, double want, double tol)
{
    if (fabs(got - want) > tol)
        fail_msg("got %.15g, want %.15g (tol %g)", got, want, tol);
}

/* answers: satisfaction, pgic, 12 domains, would recommend */
static const int8_t VERY_SATISFIED[] = {4,  0,  3,  SK, SK, SK, SK, SK,
                                        SK, SK, SK, SK, SK, SK, 0}; /* 5, 1, better, yes */
static const int8_t SATISFIED_NO[] = {3,  2,  2,  SK, SK, SK, SK, SK,
                                      SK, SK, SK, SK, SK, SK, 1}; /* 4, 3, no change, no */
static const int8_t NEUTRAL[] = {2,  3,  1,  SK, SK, SK, SK, SK,
                                 SK, SK, SK, SK, SK, SK, 0}; /* 3, 4, worse, yes */
static const int8_t DISSATISFIED[] = {1,  4,  0,  SK, SK, SK, SK, SK,
                                      SK, SK, SK, SK, SK, SK, 1}; /* 2, 5, much worse, no */
static const int8_t MOTOR_NA[] = {3,  1,  NA, NA, NA, NA, NA, NA,
                                  NA, NA, NA, NA, NA, NA, 0}; /* 4, 2, all n/a, yes */
static const int8_t SKIPPED[] = {SK, SK, UR, SK, SK, SK, SK, SK,
                                 SK, SK, SK, SK, SK, SK, SK}; /* blank; motor code unknown */
static const int8_t VERY_DISS[] = {0,  6,  4,  SK, SK, SK, SK, SK,
                                   SK, SK, SK, SK, SK, SK, 1}; /* 1, 7, much better, no */

#define R(visit, sched, link, codes)                                                               \
    {                                                                                              \
        STATS_VISIT_##visit, sched, link, codes != NULL, codes                                     \
    }

typedef struct {
    uint64_t x, n;
    stats_defined def;
    double low, high; /* [py] */
} want_prop;

typedef struct {
    const char *name;
    size_t n;
    sat_response r[6];
    /* expected counts */
    uint64_t treated, not_yet_due, due, scheduled, asked, answered, links, unscheduled;
    uint64_t pending, visit_done, missed, withdrawn;
    want_prop response_asked, response_treated;
    /* satisfaction item */
    uint64_t sat_answered, sat_skipped;
    want_prop sat_top, sat_top_asked, sat_top_treated;
    /* change_motor item */
    uint64_t motor_answered, motor_na, motor_unreadable;
    want_prop motor_top;
    /* would recommend */
    want_prop rec_top, rec_top_asked;
} sat_case;

/* The table stays one row of counts per line: clang-format would put each number on its own. */
/* clang-format off */
#define EMPTY {0, 0, STATS_UNDEF_EMPTY, 0, 0}
#define PR(x, n, lo, hi) {x, n, STATS_DEFINED, lo, hi}
#define P00_3 PR(0, 3, 0.0, 0.5614970317550454)
#define P11 PR(1, 1, 0.20654931437723745, 1.0)
#define P22 PR(2, 2, 0.3423802275066532, 1.0)
#define P24 PR(2, 4, 0.15003898915214958, 0.8499610108478504)
#define P44 PR(4, 4, 0.5101091635454027, 1.0)

static const sat_case CASES[] = {
    /* Nobody asked: one not yet due (scheduled), one due whose visit does not
     * name the questionnaire, one visit done without it. asked 0: every
     * "of asked" line is not computable (0/0); of treated 0/3 [py]. */
    {"nobody asked", 3,
     {R(NOT_YET_DUE, true, false, NULL), R(DUE, false, false, NULL), R(ASSESSED, false, false, NULL)},
     /* treated nyd due sched asked answered links unsched; pending done missed withdrawn */
     3, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0,
     EMPTY, P00_3,
     0, 0, EMPTY, EMPTY, P00_3,
     0, 0, 0, EMPTY,
     EMPTY, EMPTY},
    /* All four asked answer: satisfaction 5, 4, 3, 2 -> top box 2/4 [py]
     * (0.15003898915214958, 0.8499610108478504); response 4/4 [py]
     * (0.5101091635454027, 1); motor better, no change, worse, much worse ->
     * top 1/4 [py] (0.0455872608097006, 0.699358157417598); recommend yes,
     * no, yes, no -> 2/4. */
    {"all answered", 4,
     {R(ASSESSED, true, false, VERY_SATISFIED), R(ASSESSED, true, false, SATISFIED_NO),
      R(ASSESSED, true, true, NEUTRAL), R(ASSESSED, true, false, DISSATISFIED)},
     4, 0, 4, 4, 4, 4, 1, 0, 0, 0, 0, 0,
     P44, P44,
     4, 0, P24, P24, P24,
     4, 0, 0, PR(1, 4, 0.0455872608097006, 0.699358157417598),
     P24, P24},
    /* Every domain not applicable for both responders: motor answered 0,
     * n/a 2, its top box not computable; of asked 0/2 [py] (0, 0.6576...).
     * Satisfaction 4 and 4 -> 2/2 [py] (0.3423802275066532, 1). */
    {"all not applicable", 2,
     {R(ASSESSED, true, false, MOTOR_NA), R(DUE, true, true, MOTOR_NA)},
     2, 0, 2, 2, 2, 2, 1, 0, 0, 0, 0, 0,
     P22, P22,
     2, 0, P22, P22, P22,
     0, 2, 0, EMPTY,
     P22, P22},
    /* One patient, very satisfied: 1/1 [py] (0.20654931437723745, 1). */
    {"one patient", 1,
     {R(ASSESSED, true, false, VERY_SATISFIED)},
     1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
     P11, P11,
     1, 0, P11, P11, P11,
     1, 0, 0, P11,
     P11, P11},
    /* Non-responders: 5 treated; P0 (link) satisfaction 5 recommend yes, P1
     * satisfaction 4 recommend no, P2 missed the visit, P3 pending with a
     * link, P4 not yet due. asked 4, answered 2: response 2/4 [py], 2/5 [py]
     * (0.11762077423264794, 0.769275718723987). Satisfied 2/2 answered
     * [py] but 2/4 asked and 2/5 treated; recommend 1/2 [py]
     * (0.09453120573423074, 0.9054687942657693), 1/4 asked [py]. */
    {"non-responders in the sensitivity lines", 5,
     {R(ASSESSED, true, true, VERY_SATISFIED), R(ASSESSED, true, false, SATISFIED_NO),
      R(MISSED, true, false, NULL), R(DUE, true, true, NULL), R(NOT_YET_DUE, true, false, NULL)},
     5, 1, 4, 4, 4, 2, 2, 0, 1, 0, 1, 0,
     P24, PR(2, 5, 0.11762077423264794, 0.769275718723987),
     2, 0, P22, P24, PR(2, 5, 0.11762077423264794, 0.769275718723987),
     2, 0, 0, PR(1, 2, 0.09453120573423074, 0.9054687942657693),
     PR(1, 2, 0.09453120573423074, 0.9054687942657693), PR(1, 4, 0.0455872608097006, 0.699358157417598)},
    /* Skipped, unreadable, unscheduled: P0 answered though its visit did not
     * name the questionnaire (asked because answered), left satisfaction
     * blank, motor code unknown; P1 very dissatisfied, motor much better; P2
     * withdrew. asked 3, answered 2 (2/3 [py]); satisfaction answered 1,
     * skipped 1, top 0/1 [py] (0, 0.7934506856227626), 0/3 asked [py];
     * motor unreadable 1, top 1/1. */
    {"skipped, unreadable, unscheduled", 3,
     {R(ASSESSED, false, false, SKIPPED), R(ASSESSED, true, false, VERY_DISS), R(WITHDRAWN, true, false, NULL)},
     3, 0, 3, 2, 3, 2, 0, 1, 0, 0, 0, 1,
     PR(2, 3, 0.20765960080204782, 0.9385080552796038), PR(2, 3, 0.20765960080204782, 0.9385080552796038),
     1, 1, PR(0, 1, 0.0, 0.7934506856227626), P00_3, P00_3,
     1, 0, 1, P11,
     PR(0, 1, 0.0, 0.7934506856227626), P00_3},
    /* An answer stored while the flow reads not yet due is kept: due 1,
     * asked 1, answered 1 (never dropped). Visit done without the
     * questionnaire: P1 counts as asked, not answered (visit_done). 1/2 [py]
     * (0.09453120573423074, 0.9054687942657693); 0/2 [py] (0, 0.6576197724933468). */
    {"answer before due; visit done without it", 2,
     {R(NOT_YET_DUE, true, false, SATISFIED_NO), R(ASSESSED, true, false, NULL)},
     2, 0, 2, 2, 2, 1, 0, 0, 0, 1, 0, 0,
     PR(1, 2, 0.09453120573423074, 0.9054687942657693), PR(1, 2, 0.09453120573423074, 0.9054687942657693),
     1, 0, P11, PR(1, 2, 0.09453120573423074, 0.9054687942657693),
     PR(1, 2, 0.09453120573423074, 0.9054687942657693),
     1, 0, 0, PR(0, 1, 0.0, 0.7934506856227626),
     PR(0, 1, 0.0, 0.7934506856227626), PR(0, 2, 0.0, 0.6576197724933468)},
};
/* clang-format on */

static void prop_is(const stats_proportion *got, const want_prop *want, const char *what,
                    const char *name)
{
    if (got->x != want->x || got->n != want->n || got->ci.def != want->def)
        fail_msg("%s / %s: got %llu/%llu (%s), want %llu/%llu (%s)", name, what,
                 (unsigned long long)got->x, (unsigned long long)got->n,
                 stats_defined_name(got->ci.def), (unsigned long long)want->x,
                 (unsigned long long)want->n, stats_defined_name(want->def));
    near(got->ci.low, want->low, 1e-12);
    near(got->ci.high, want->high, 1e-12);
    if (want->n)
        near(got->p, (double)want->x / (double)want->n, 1e-15);
    else
        assert_true(got->p == 0);
}

/* The invariants of the header, on every computed point. */
static void invariants(const sat_result *r)
{
    for (size_t t = 0; t < r->n_timepoints; t++) {
        const sat_point *p = &r->point[t];
        assert_true(p->answered <= p->asked && p->asked <= p->due && p->due <= p->treated);
        assert_int_equal(p->not_yet_due + p->due, p->treated);
        uint64_t na = 0;
        for (int v = 0; v < STATS_VISIT_COUNT_; v++)
            na += p->not_answered[v];
        assert_int_equal(na, p->asked - p->answered);
        for (size_t i = 0; i < r->n_items; i++) {
            const sat_item_result *it = &p->item[i];
            assert_int_equal(it->answered_item + it->not_applicable + it->skipped + it->unreadable,
                             p->answered);
            uint64_t sum = 0;
            for (int k = 0; k < satisfaction_option_count(i); k++) {
                sum += it->option[k].x;
                assert_int_equal(it->option[k].n, it->answered_item);
            }
            assert_int_equal(sum, it->answered_item);
            if (it->has_top_box) {
                assert_int_equal(it->top_box_asked.x, it->top_box.x);
                assert_int_equal(it->top_box_treated.n, p->treated);
                assert_int_equal(it->top_box_asked.n, p->asked);
            }
        }
    }
}

static void test_cases(void **state)
{
    (void)state;
    static sat_result r;
    for (size_t c = 0; c < N_OF(CASES); c++) {
        const sat_case *k = &CASES[c];
        sat_patient pts[6];
        for (size_t p = 0; p < k->n; p++)
            pts[p].responses = &k->r[p];
        cc_error err;
        assert_int_equal(satisfaction_compute(pts, k->n, 1, &r, &err), CC_OK);
        invariants(&r);
        const sat_point *p = &r.point[0];
        uint64_t got[] = {p->treated,
                          p->not_yet_due,
                          p->due,
                          p->scheduled,
                          p->asked,
                          p->answered,
                          p->links,
                          p->answered_unscheduled,
                          p->not_answered[STATS_VISIT_DUE],
                          p->not_answered[STATS_VISIT_ASSESSED],
                          p->not_answered[STATS_VISIT_MISSED],
                          p->not_answered[STATS_VISIT_WITHDRAWN]};
        uint64_t want[] = {k->treated, k->not_yet_due, k->due,    k->scheduled,
                           k->asked,   k->answered,    k->links,  k->unscheduled,
                           k->pending, k->visit_done,  k->missed, k->withdrawn};
        for (size_t i = 0; i < N_OF(got); i++)
            if (got[i] != want[i])
                fail_msg("%s: count %zu is %llu, want %llu", k->name, i, (unsigned long long)got[i],
                         (unsigned long long)want[i]);
        prop_is(&p->response_asked, &k->response_asked, "response / asked", k->name);
        prop_is(&p->response_treated, &k->response_treated, "response / treated", k->name);
        const sat_item_result *s = &p->item[ITEM_SAT], *m = &p->item[ITEM_MOTOR],
                              *rec = &p->item[ITEM_RECOMMEND];
        assert_int_equal(s->answered_item, k->sat_answered);
        assert_int_equal(s->skipped, k->sat_skipped);
        prop_is(&s->top_box, &k->sat_top, "satisfied", k->name);
        prop_is(&s->top_box_asked, &k->sat_top_asked, "satisfied / asked", k->name);
        prop_is(&s->top_box_treated, &k->sat_top_treated, "satisfied / treated", k->name);
        assert_int_equal(m->answered_item, k->motor_answered);
        assert_int_equal(m->not_applicable, k->motor_na);
        assert_int_equal(m->unreadable, k->motor_unreadable);
        prop_is(&m->top_box, &k->motor_top, "motor better", k->name);
        prop_is(&rec->top_box, &k->rec_top, "recommend", k->name);
        prop_is(&rec->top_box_asked, &k->rec_top_asked, "recommend / asked", k->name);
    }
}

/* The distribution of options: "all answered" has satisfaction 5, 4, 3, 2:
 * one each of codes 1..4, none of code 0; each 1/4 = 0.25. */
static void test_distribution(void **state)
{
    (void)state;
    static sat_result r;
    const sat_case *k = &CASES[1];
    sat_patient pts[4];
    for (size_t p = 0; p < 4; p++)
        pts[p].responses = &k->r[p];
    cc_error err;
    assert_int_equal(satisfaction_compute(pts, 4, 1, &r, &err), CC_OK);
    const sat_item_result *s = &r.point[0].item[ITEM_SAT];
    static const uint64_t want[] = {0, 1, 1, 1, 1};
    for (int o = 0; o < 5; o++) {
        assert_int_equal(s->option[o].x, want[o]);
        assert_int_equal(s->option[o].n, 4);
        near(s->option[o].p, (double)want[o] / 4, 1e-15);
    }
    /* 1/4 [py] (0.0455872608097006, 0.699358157417598) */
    near(s->option[4].ci.low, 0.0455872608097006, 1e-12);
    near(s->option[4].ci.high, 0.699358157417598, 1e-12);
    /* PGIC: codes 0, 2, 3, 4 -> much or very much improved (codes 0, 1): 1/4 */
    assert_int_equal(r.point[0].item[ITEM_PGIC].top_box.x, 1);
    assert_int_equal(r.point[0].item[ITEM_PGIC].top_box.n, 4);
}

/* Two time points: each counted on its own (the patient order differs). */
static void test_timepoints(void **state)
{
    (void)state;
    static sat_result r;
    static const sat_response A[] = {R(ASSESSED, true, false, VERY_SATISFIED),
                                     R(LOST, true, false, NULL)};
    static const sat_response B[] = {R(MISSED, true, false, NULL),
                                     R(NOT_YET_DUE, true, false, NULL)};
    sat_patient pts[] = {{A}, {B}};
    cc_error err;
    assert_int_equal(satisfaction_compute(pts, 2, 2, &r, &err), CC_OK);
    invariants(&r);
    assert_int_equal(r.n_timepoints, 2);
    assert_int_equal(r.n_items, 15);
    /* t0: A answered, B missed: 1/2 asked */
    assert_int_equal(r.point[0].asked, 2);
    assert_int_equal(r.point[0].answered, 1);
    assert_int_equal(r.point[0].not_answered[STATS_VISIT_MISSED], 1);
    /* t1: A lost (asked, not answered), B not yet due */
    assert_int_equal(r.point[1].due, 1);
    assert_int_equal(r.point[1].asked, 1);
    assert_int_equal(r.point[1].answered, 0);
    assert_int_equal(r.point[1].not_answered[STATS_VISIT_LOST], 1);
    assert_int_equal(r.point[1].response_asked.ci.def, STATS_DEFINED);
    assert_int_equal(r.point[1].item[ITEM_SAT].top_box.ci.def, STATS_UNDEF_EMPTY);
    /* no patient, no time point: nothing, no error */
    assert_int_equal(satisfaction_compute(NULL, 0, 0, &r, &err), CC_OK);
    assert_int_equal(r.n_timepoints, 0);
}

/* The reported items and their codes, from the instrument definition. */
static void test_items(void **state)
{
    (void)state;
    static const struct {
        size_t item;
        const char *text;
        int code;
    } CODES[] = {
        {ITEM_SAT, "1", 0},
        {ITEM_SAT, "5", 4},
        {ITEM_SAT, "6", UR},
        {ITEM_SAT, "not_applicable", UR}, /* no such option */
        {ITEM_SAT, "", SK},
        {ITEM_SAT, NULL, SK},
        {ITEM_PGIC, "7", 6},
        {ITEM_MOTOR, "much_worse", 0},
        {ITEM_MOTOR, "much_better", 4},
        {ITEM_MOTOR, "not_applicable", NA},
        {ITEM_MOTOR, "Better", UR},
        {ITEM_RECOMMEND, "yes", 0},
        {ITEM_RECOMMEND, "no", 1},
        {ITEM_RECOMMEND, "1", UR},
        {99, "1", UR},
    };
    for (size_t i = 0; i < N_OF(CODES); i++)
        if (satisfaction_code(CODES[i].item, CODES[i].text) != CODES[i].code)
            fail_msg("code of item %zu '%s': %d, want %d", CODES[i].item,
                     CODES[i].text ? CODES[i].text : "(null)",
                     satisfaction_code(CODES[i].item, CODES[i].text), CODES[i].code);
    assert_int_equal(satisfaction_item_count(), 15);
    assert_string_equal(satisfaction_item(ITEM_SAT)->id, "satisfaction");
    assert_string_equal(satisfaction_item(ITEM_MOTOR)->id, "change_motor");
    assert_string_equal(satisfaction_item(9)->id, "change_development");
    assert_string_equal(satisfaction_item(10)->id, "change_cognition");
    assert_string_equal(satisfaction_item(11)->id, "change_muscle_strength");
    assert_string_equal(satisfaction_item(12)->id, "change_seizures");
    assert_string_equal(satisfaction_item(13)->id, "change_other");
    assert_string_equal(satisfaction_item(ITEM_RECOMMEND)->id, "would_recommend");
    assert_null(satisfaction_item(15)); /* comments: free text is never reported */
    for (size_t i = 0; i < satisfaction_item_count(); i++)
        assert_int_not_equal(satisfaction_item(i)->kind, INSTR_TEXT);
    assert_int_equal(satisfaction_option_count(ITEM_SAT), 5);
    assert_int_equal(satisfaction_option_count(ITEM_MOTOR), 5); /* not_applicable apart */
    assert_null(satisfaction_option(ITEM_MOTOR, 5));
    assert_string_equal(satisfaction_option(ITEM_MOTOR, 4)->code, "much_better");
    assert_string_equal(satisfaction_top_box(ITEM_SAT)->codes[0], "4");
    assert_string_equal(satisfaction_top_box(5)->codes[1], "much_better");
    assert_string_equal(satisfaction_top_box(ITEM_RECOMMEND)->codes[0], "yes");
}

static void test_bad_input(void **state)
{
    (void)state;
    static sat_result r;
    static const int8_t OUT_OF_RANGE[] = {5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    static const int8_t TOO_LOW[] = {-4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    static const int8_t NA_ON_SATISFACTION[] = {NA, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    static const sat_response BAD[][1] = {
        {{STATS_VISIT_NONE, true, false, false, NULL}},            /* treated: never NONE */
        {{STATS_VISIT_COUNT_, true, false, false, NULL}},          /* not a status */
        {{STATS_VISIT_ASSESSED, true, false, true, NULL}},         /* answered without codes */
        {{STATS_VISIT_ASSESSED, true, false, true, OUT_OF_RANGE}}, /* satisfaction has 5 options */
        {{STATS_VISIT_ASSESSED, true, false, true, TOO_LOW}},
    };
    cc_error err;
    for (size_t i = 0; i < N_OF(BAD); i++) {
        sat_patient p = {BAD[i]};
        assert_int_equal(satisfaction_compute(&p, 1, 1, &r, &err), CC_INVALID);
        assert_string_equal(err.field, "patients");
    }
    /* SAT_NOT_APPLICABLE on an item without that option (satisfaction_code never
     * gives it) is refused, not counted */
    sat_patient na = {
        (const sat_response[]){{STATS_VISIT_ASSESSED, true, false, true, NA_ON_SATISFACTION}}};
    assert_int_equal(satisfaction_compute(&na, 1, 1, &r, &err), CC_INVALID);
    sat_patient none = {NULL};
    assert_int_equal(satisfaction_compute(&none, 1, 1, &r, &err), CC_INVALID);
    assert_int_equal(satisfaction_compute(NULL, 1, 1, &r, &err), CC_INVALID);
    assert_int_equal(satisfaction_compute(NULL, 0, STATS_FLOW_MAX_TIMEPOINTS + 1, &r, &err),
                     CC_INVALID);
    assert_string_equal(err.field, "n_timepoints");
}

/* Matching answers to time points (satisfaction_match): the questionnaire in
 * the visit's window closest to the target; on a tie the later day, then the
 * later record. Day numbers: D = 20000 (2024-10-04); two time points, month 1
 * (window D+20..D+40, target D+30) and month 3 (D+80..D+100, target D+90). */
static void test_match(void **state)
{
    (void)state;
    enum { D = 20000, NONE = -1 };
    static const report_window W[] = {{D + 20, D + 40, D + 30}, {D + 80, D + 100, D + 90}};
    static const report_window NO_VISIT[] = {{REPORT_NO_DAY, REPORT_NO_DAY, REPORT_NO_DAY},
                                             {D + 80, D + 100, D + 90}};
    static const struct {
        const report_window *w;
        cc_date days[4];
        size_t n;
        int want[2]; /* index of the matched day per time point, NONE */
    } rows[] = {
        {W, {0}, 0, {NONE, NONE}},                               /* no questionnaire */
        {W, {D + 30, D + 90}, 2, {0, 1}},                        /* one per visit, on target */
        {W, {D + 25, D + 33}, 2, {1, NONE}},                     /* closest: 3 days beats 5 */
        {W, {D + 27, D + 33}, 2, {1, NONE}},                     /* tie at 3 days: later day */
        {W, {D + 30, D + 30}, 2, {1, NONE}},                     /* same day: later record */
        {W, {D + 19, D + 41, D + 79, D + 101}, 4, {NONE, NONE}}, /* each a day outside */
        {W, {D + 20, D + 100}, 2, {0, 1}},                       /* window bounds included */
        {W, {REPORT_NO_DAY, D + 40}, 2, {1, NONE}},              /* unreadable date: skipped */
        {NO_VISIT, {D + 30, D + 95}, 2, {NONE, 1}},              /* no visit at month 1 */
        {W, {D + 60}, 1, {NONE, NONE}},                          /* between the windows */
    };
    for (size_t i = 0; i < N_OF(rows); i++) {
        size_t chosen[2];
        satisfaction_match(rows[i].w, 2, rows[i].days, rows[i].n, chosen);
        for (size_t t = 0; t < 2; t++) {
            size_t want = rows[i].want[t] == NONE ? SIZE_MAX : (size_t)rows[i].want[t];
            if (chosen[t] != want)
                fail_msg("row %zu time point %zu: chose %zu, want %zu", i, t, chosen[t], want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),      cmocka_unit_test(test_distribution),
        cmocka_unit_test(test_timepoints), cmocka_unit_test(test_items),
        cmocka_unit_test(test_bad_input),  cmocka_unit_test(test_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
