/* Unit tests of core/paediatric: rows copied from the sources named in
 * core/paediatric.h, at every band boundary: Fleming et al. 2011 (heart rate
 * and respiratory rate 1st and 99th centiles), WHO IMCI fast breathing, the
 * PALS hypotension limits, The Fourth Report tables 3 and 4 (5th height
 * percentile) graded by CTCAE v5.0's paediatric hypertension rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/paediatric.h"

static cc_date day(int y, int m, int d)
{
    cc_date out = 0;
    if (!date_from_ymd(y, m, d, &out))
        fail_msg("bad date %d-%d-%d", y, m, d);
    return out;
}

static void test_age_months(void **state)
{
    (void)state;
    static const struct {
        int by, bm, bd, y, m, d, months;
    } rows[] = {
        {2020, 3, 15, 2020, 3, 15, 0},  {2020, 3, 15, 2020, 4, 14, 0},
        {2020, 3, 15, 2020, 4, 15, 1},  {2020, 1, 31, 2020, 2, 28, 0},  /* 29 Feb comes */
        {2020, 1, 31, 2020, 2, 29, 1},                                  /* last day */
        {2020, 1, 31, 2021, 2, 28, 13}, {2008, 6, 1, 2026, 5, 31, 215}, /* 17 years */
        {2008, 6, 1, 2026, 6, 1, 216},  {2026, 6, 2, 2026, 6, 1, -1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int got = paed_age_months(day(rows[i].by, rows[i].bm, rows[i].bd),
                                  day(rows[i].y, rows[i].m, rows[i].d));
        if (got != rows[i].months)
            fail_msg("row %zu: %d months, want %d", i, got, rows[i].months);
    }
    assert_true(paed_is_child(215));
    assert_false(paed_is_child(216));
    assert_false(paed_is_child(-1));
}

static void test_limits_by_age_band(void **state)
{
    (void)state;
    vitals_limits site;
    vitals_default_limits(&site);
    static const struct {
        int months;
        int hr_low, hr_high; /* Fleming 1st and 99th centiles */
        int rr_low, rr_high; /* Fleming 1st and 99th centiles; under 2 years the
                                upper is WHO's fast breathing less one */
        int sys_low;         /* PALS: abnormal below */
    } rows[] = {
        {0, 107, 181, 25, 59, 60},  {1, 107, 181, 25, 59, 70},  {2, 107, 181, 25, 49, 70},
        {3, 104, 175, 24, 49, 70},  {5, 104, 175, 24, 49, 70},  {6, 98, 168, 23, 49, 70},
        {9, 93, 161, 22, 49, 70},   {11, 93, 161, 22, 49, 70},  {12, 88, 156, 21, 39, 72},
        {17, 88, 156, 21, 39, 72},  {18, 82, 149, 19, 39, 72},  {23, 82, 149, 19, 39, 72},
        {24, 76, 142, 18, 38, 74},  {35, 76, 142, 18, 38, 74},  {36, 70, 136, 17, 33, 76},
        {47, 70, 136, 17, 33, 76},  {48, 65, 131, 17, 29, 78},  {59, 65, 131, 17, 29, 78},
        {60, 65, 131, 17, 29, 80},  {71, 65, 131, 17, 29, 80},  {72, 59, 123, 16, 27, 82},
        {95, 59, 123, 16, 27, 84},  {96, 52, 115, 14, 25, 86},  {119, 52, 115, 14, 25, 88},
        {120, 52, 115, 14, 25, 90}, {143, 52, 115, 14, 25, 90}, {144, 47, 108, 12, 23, 90},
        {179, 47, 108, 12, 23, 90}, {180, 43, 104, 11, 22, 90}, {215, 43, 104, 11, 22, 90},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        vitals_limits l = site;
        paed_vitals_limits(rows[i].months, &l);
        if (l.heart_rate_low != rows[i].hr_low || l.heart_rate_high != rows[i].hr_high ||
            l.respiratory_rate_low != rows[i].rr_low ||
            l.respiratory_rate_high != rows[i].rr_high || l.systolic_low != rows[i].sys_low)
            fail_msg("%d months: hr %d..%d rr %d..%d sys >= %d", rows[i].months, l.heart_rate_low,
                     l.heart_rate_high, l.respiratory_rate_low, l.respiratory_rate_high,
                     l.systolic_low);
        assert_int_equal(vitals_check_limits(&l, NULL), CC_OK);
        /* the limits reach vitals_abnormal: the 99th centile is normal, one more is not */
        vitals_finding f[VITALS_MAX_FINDINGS];
        vitals at = {.has_heart_rate = true, .heart_rate = rows[i].hr_high};
        assert_int_equal(vitals_abnormal(&at, &l, f), 0);
        at.heart_rate++;
        assert_int_equal(vitals_abnormal(&at, &l, f), 1);
        assert_string_equal(f[0].code, "heart_rate_high");
        /* and for breathing: both limits are normal, one beyond is not */
        vitals rr = {.has_respiratory_rate = true, .respiratory_rate = rows[i].rr_high};
        assert_int_equal(vitals_abnormal(&rr, &l, f), 0);
        rr.respiratory_rate++;
        assert_int_equal(vitals_abnormal(&rr, &l, f), 1);
        assert_string_equal(f[0].code, "respiratory_rate_high");
        rr.respiratory_rate = rows[i].rr_low;
        assert_int_equal(vitals_abnormal(&rr, &l, f), 0);
        rr.respiratory_rate--;
        assert_int_equal(vitals_abnormal(&rr, &l, f), 1);
        assert_string_equal(f[0].code, "respiratory_rate_low");
    }
    /* an adult and an unknown age keep the site's limits */
    for (int months = 216; months >= -1; months -= 217) {
        vitals_limits l = site;
        paed_vitals_limits(months, &l);
        assert_memory_equal(&l, &site, sizeof l);
    }
    /* under a year, the site's upper pressure limits stay (no table); from
     * 1 year paed_hypertension judges them */
    vitals_limits infant = site, child = site;
    paed_vitals_limits(11, &infant);
    paed_vitals_limits(12, &child);
    assert_int_equal(infant.systolic_high, site.systolic_high);
    assert_true(child.systolic_high > 250);
}

static void test_hypertension_grade(void **state)
{
    (void)state;
    enum { NONE = -1 };
    static const struct {
        int months;
        paed_sex sex;
        int systolic, diastolic; /* NONE: not measured */
        int grade;
    } rows[] = {
        /* boys 1 year: systolic 90th 94, 95th 98, 99th 105 (+5 = 110) */
        {12, PAED_SEX_MALE, 94, NONE, 0},
        {12, PAED_SEX_MALE, 95, NONE, 1},
        {12, PAED_SEX_MALE, 97, NONE, 1},
        {12, PAED_SEX_MALE, 98, NONE, 2},
        {12, PAED_SEX_MALE, 110, NONE, 2},
        {12, PAED_SEX_MALE, 111, NONE, 3},
        /* girls 1 year: 97, 100, 108 (+5 = 113) */
        {12, PAED_SEX_FEMALE, 97, NONE, 0},
        {12, PAED_SEX_FEMALE, 98, NONE, 1},
        {12, PAED_SEX_FEMALE, 100, NONE, 2},
        {12, PAED_SEX_FEMALE, 113, NONE, 2},
        {12, PAED_SEX_FEMALE, 114, NONE, 3},
        /* unknown sex: the lower of the two (boys' 94/98/105) */
        {12, PAED_SEX_UNKNOWN, 95, NONE, 1},
        {12, PAED_SEX_UNKNOWN, 111, NONE, 3},
        /* boys 1 year diastolic: 49, 54, 61 (+5 = 66) */
        {23, PAED_SEX_MALE, NONE, 49, 0},
        {23, PAED_SEX_MALE, NONE, 50, 1},
        {23, PAED_SEX_MALE, NONE, 54, 2},
        {23, PAED_SEX_MALE, NONE, 67, 3},
        /* 2 years uses the next row: boys 97, 101, 109 */
        {24, PAED_SEX_MALE, 97, NONE, 0},
        {24, PAED_SEX_MALE, 98, NONE, 1},
        /* the worse of systolic and diastolic */
        {24, PAED_SEX_MALE, 90, 60, 2}, /* diastolic 95th 59 */
        /* boys 12 years (not adolescent): 115, 119, 126 */
        {155, PAED_SEX_MALE, 115, NONE, 0},
        {155, PAED_SEX_MALE, 116, NONE, 1},
        /* boys 17 years: 127, 131, 139; adolescent: >= 120/80 grade 1,
         * 130-139 or 80-89 grade 2 even below the 95th percentile */
        {204, PAED_SEX_MALE, 119, NONE, 0},
        {204, PAED_SEX_MALE, 120, NONE, 1},
        {204, PAED_SEX_MALE, 130, NONE, 2},
        {204, PAED_SEX_MALE, 144, NONE, 2},
        {204, PAED_SEX_MALE, 145, NONE, 3},
        /* girls 17 years diastolic: 78, 82, 90 (+5 = 95) */
        {215, PAED_SEX_FEMALE, NONE, 78, 0},
        {215, PAED_SEX_FEMALE, NONE, 79, 1},
        {215, PAED_SEX_FEMALE, NONE, 80, 2},
        {215, PAED_SEX_FEMALE, NONE, 95, 2},
        {215, PAED_SEX_FEMALE, NONE, 96, 3},
        /* no table under 1 year, an adult is graded by the adult rows */
        {11, PAED_SEX_MALE, 150, 100, 0},
        {216, PAED_SEX_MALE, 150, 100, 0},
        {-1, PAED_SEX_MALE, 150, 100, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        vitals v = {.has_systolic = rows[i].systolic != NONE,
                    .systolic = rows[i].systolic,
                    .has_diastolic = rows[i].diastolic != NONE,
                    .diastolic = rows[i].diastolic};
        int got = paed_hypertension_grade(rows[i].months, rows[i].sex, &v);
        if (got != rows[i].grade)
            fail_msg("row %zu: grade %d, want %d", i, got, rows[i].grade);
        vitals_finding f;
        assert_int_equal(paed_hypertension(rows[i].months, rows[i].sex, &v, &f), got > 0);
        if (got > 0) {
            char code[32];
            snprintf(code, sizeof code, "hypertension_grade_%d", got);
            assert_string_equal(f.code, code);
            assert_non_null(strstr(f.fr, "CTCAE v5.0"));
        }
    }
    /* the French message names the reading and the grade */
    vitals v = {.has_systolic = true, .systolic = 111, .has_diastolic = true, .diastolic = 50};
    vitals_finding f;
    assert_true(paed_hypertension(12, PAED_SEX_MALE, &v, &f));
    assert_string_equal(f.fr, "Pression artérielle 111/50 mmHg à 1 an : hypertension de grade 3 "
                              "(CTCAE v5.0, enfant ; 95e percentile 98/54)");
}

static void test_sex_parse(void **state)
{
    (void)state;
    assert_int_equal(paed_sex_parse("male"), PAED_SEX_MALE);
    assert_int_equal(paed_sex_parse("female"), PAED_SEX_FEMALE);
    assert_int_equal(paed_sex_parse("other"), PAED_SEX_UNKNOWN);
    assert_int_equal(paed_sex_parse(NULL), PAED_SEX_UNKNOWN);
}

/* WHO/NMH/NHD/MNM/11.1 (2011), table 1: anaemia below 11.0 g/dL from 6 to
 * 59 months, 11.5 from 5 to 11 years, 12.0 from 12 to 14 years; by sex
 * from 15 years (not applied: the work-up carries no sex). Every age 0-18. */
static void test_haemoglobin_thresholds(void **state)
{
    (void)state;
    for (int age = 0; age <= 18; age++) {
        double want = age < 1 ? 0 : age < 5 ? 11.0 : age < 12 ? 11.5 : age < 15 ? 12.0 : 0;
        double got = 0;
        bool has = paed_haemoglobin_min(age, &got);
        if (has != (want > 0) || (has && got != want))
            fail_msg("age %d: %s %.1f, want %.1f", age, has ? "threshold" : "none", got, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_age_months),
        cmocka_unit_test(test_limits_by_age_band),
        cmocka_unit_test(test_hypertension_grade),
        cmocka_unit_test(test_sex_parse),
        cmocka_unit_test(test_haemoglobin_thresholds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
