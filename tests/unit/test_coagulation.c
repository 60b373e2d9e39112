/* Unit tests of core/coagulation (H16): the limits at their boundaries, as
 * core/coagulation.h cites them: platelets >= 50 x 10^9/L (AABB, Kaufman et
 * al. 2015, Recommendation 3), INR <= 1.4 (ASRA, as quoted by Liu et al.
 * 2011), aPTT within the laboratory's upper limit, results at most 7 days
 * old at the bedside, and anticoagulant or antiplatelet drugs stopped at
 * least 7 days before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/coagulation.h"

enum { TODAY = 20000 };

static coag_facts normal(void)
{
    coag_facts f;
    memset(&f, 0, sizeof f);
    f.results[COAG_PLT] = (coag_result){true, 240, "10^9/L", false, 0, TODAY - 2};
    f.results[COAG_INR] = (coag_result){true, 1.0, "1", false, 0, TODAY - 2};
    f.results[COAG_APTT] = (coag_result){true, 30, "s", true, 38, TODAY - 2};
    f.today = TODAY;
    f.check_age = true;
    return f;
}

typedef struct {
    const char *name;
    coag_test test; /* COAG_TEST_COUNT: no change to a result */
    double value;
    int age_days;
    bool drop; /* the result is missing */
    const char *unit;
    bool check_age;
    size_t expect_n;
    coag_problem expect;
} row;

static void test_result_table(void **state)
{
    (void)state;
    static const row rows[] = {
        {"normal work-up", COAG_TEST_COUNT, 0, 2, false, NULL, true, 0, 0},
        {"platelets 50 (at the limit)", COAG_PLT, 50, 2, false, NULL, true, 0, 0},
        {"platelets 49.9", COAG_PLT, 49.9, 2, false, NULL, true, 1, COAG_OUT_OF_RANGE},
        {"platelets 20", COAG_PLT, 20, 2, false, NULL, true, 1, COAG_OUT_OF_RANGE},
        {"INR 1.4 (at the limit)", COAG_INR, 1.4, 2, false, NULL, true, 0, 0},
        {"INR 1.41", COAG_INR, 1.41, 2, false, NULL, true, 1, COAG_OUT_OF_RANGE},
        {"INR 2.5 (warfarin)", COAG_INR, 2.5, 2, false, NULL, true, 1, COAG_OUT_OF_RANGE},
        {"aPTT 38 s at the laboratory's upper limit", COAG_APTT, 38, 2, false, NULL, true, 0, 0},
        {"aPTT 38.1 s", COAG_APTT, 38.1, 2, false, NULL, true, 1, COAG_OUT_OF_RANGE},
        {"platelets missing", COAG_PLT, 0, 2, true, NULL, true, 1, COAG_MISSING},
        {"INR missing", COAG_INR, 0, 2, true, NULL, true, 1, COAG_MISSING},
        {"aPTT missing", COAG_APTT, 0, 2, true, NULL, true, 1, COAG_MISSING},
        {"platelets in another unit", COAG_PLT, 240, 2, false, "/uL", true, 1, COAG_MISSING},
        {"platelets 7 days old", COAG_PLT, 240, 7, false, NULL, true, 0, 0},
        {"platelets 8 days old", COAG_PLT, 240, 8, false, NULL, true, 1, COAG_STALE},
        {"INR dated tomorrow", COAG_INR, 1.0, -1, false, NULL, true, 1, COAG_STALE},
        {"8 days old at screening (age not checked)", COAG_PLT, 240, 8, false, NULL, false, 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const row *r = &rows[i];
        coag_facts f = normal();
        f.check_age = r->check_age;
        if (r->test < COAG_TEST_COUNT) {
            coag_result *x = &f.results[r->test];
            x->value = r->value;
            x->date = TODAY - r->age_days;
            x->has = !r->drop;
            if (r->unit)
                x->unit = r->unit;
        }
        coag_finding out[COAG_MAX_FINDINGS];
        size_t n = coag_check(&f, out);
        if (n != r->expect_n || (n && (out[0].problem != r->expect || out[0].test != r->test)))
            fail_msg("%s: %zu findings (first %d)", r->name, n, n ? (int)out[0].problem : -1);
        if (n && (!out[0].en[0] || !out[0].fr[0]))
            fail_msg("%s: a sentence is empty", r->name);
    }
}

static void test_aptt_without_range_is_missing(void **state)
{
    (void)state;
    coag_facts f = normal();
    f.results[COAG_APTT].has_ref_high = false;
    coag_finding out[COAG_MAX_FINDINGS];
    assert_int_equal(coag_check(&f, out), 1);
    assert_int_equal(out[0].problem, COAG_MISSING);
    assert_string_equal(out[0].subject, "aptt");
}

static void test_medication_table(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        med_class cls;
        int start_days_ago;
        bool stopped;
        int stopped_days_ago;
        bool blocks;
    } rows[] = {
        {"warfarin current", MED_ANTICOAGULANT, 100, false, 0, true},
        {"clopidogrel current", MED_ANTIPLATELET, 100, false, 0, true},
        {"apixaban stopped 6 days ago", MED_ANTICOAGULANT, 100, true, 6, true},
        {"apixaban stopped 7 days ago", MED_ANTICOAGULANT, 100, true, 7, false},
        {"aspirin stopped today", MED_ANTIPLATELET, 100, true, 0, true},
        {"anticoagulant starting tomorrow", MED_ANTICOAGULANT, -1, false, 0, false},
        {"ibuprofen (NSAID) current", MED_NSAID, 10, false, 0, false},
        {"baclofen current", MED_ANTISPASMODIC, 10, false, 0, false},
        {"other current", MED_OTHER, 10, false, 0, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        coag_facts f = normal();
        coag_medication m = {rows[i].name, rows[i].cls, TODAY - rows[i].start_days_ago,
                             rows[i].stopped, TODAY - rows[i].stopped_days_ago};
        f.meds = &m;
        f.n_meds = 1;
        coag_finding out[COAG_MAX_FINDINGS];
        size_t n = coag_check(&f, out);
        if ((n == 1) != rows[i].blocks || (n && out[0].problem != COAG_DRUG_ACTIVE))
            fail_msg("%s: %zu findings", rows[i].name, n);
        if (n && strstr(out[0].fr, rows[i].name) == NULL)
            fail_msg("%s: the French sentence does not name the drug", rows[i].name);
    }
}

static void test_classes_round_trip(void **state)
{
    (void)state;
    for (int c = 0; c < MED_CLASS_COUNT; c++) {
        med_class back;
        assert_true(med_class_parse(med_class_name((med_class)c), &back));
        assert_int_equal(back, c);
    }
    med_class x;
    assert_false(med_class_parse("Anticoagulant", &x));
    assert_false(med_class_parse(NULL, &x));
    assert_string_equal(med_class_name(MED_CLASS_COUNT), "");
}

static void test_french_decimal_comma(void **state)
{
    (void)state;
    coag_facts f = normal();
    f.results[COAG_INR].value = 1.6;
    coag_finding out[COAG_MAX_FINDINGS];
    assert_int_equal(coag_check(&f, out), 1);
    assert_non_null(strstr(out[0].fr, "1,6"));
    assert_non_null(strstr(out[0].fr, "1,4"));
    assert_non_null(strstr(out[0].en, "1.6"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_result_table),
        cmocka_unit_test(test_aptt_without_range_is_missing),
        cmocka_unit_test(test_medication_table),
        cmocka_unit_test(test_classes_round_trip),
        cmocka_unit_test(test_french_decimal_comma),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
