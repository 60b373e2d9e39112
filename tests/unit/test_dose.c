/* Unit tests of core/dose (H4): a table of boundary rows on the shipped
 * protocols, then a property test over random rules, weights and counts.
 * Expected values follow from the SCI protocol: course = 5 million cells per kg,
 * bounded to 120-400 million, split evenly, whole million cells per
 * administration; plausible weights 10-250 kg and weights at most 30 days
 * old (sci.v1.json "sources"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/dose.h"
#include "programmes_fixture.h"

#define M UINT64_C(1000000)

/* "id" is the latest shipped version, "id@N" version N. */
static void load_named(const char *name, protocol *p)
{
    char id[32];
    int version = 0;
    snprintf(id, sizeof id, "%s", name);
    char *at = strchr(id, '@');
    if (at) {
        version = atoi(at + 1);
        *at = '\0';
    }
    load_protocol_version(id, version, p);
}

static void test_dose_table(void **state)
{
    (void)state;
    static const struct {
        const char *protocol;
        int grams, weight_age_days, age, count;
        cc_status want;
        const char *code; /* error code when failing */
        uint64_t per_admin, total;
        int bounded; /* -1 low, +1 high, 0 none */
    } rows[] = {
        /* sci: 24 kg x 5M = 120M exactly: the lower bound, not raised */
        {"sci", 24000, 0, -1, 6, CC_OK, "", 20 * M, 120 * M, 0},
        {"sci", 23999, 0, -1, 6, CC_OK, "", 20 * M, 120 * M, -1}, /* 119.995M raised */
        {"sci", 80000, 0, -1, 8, CC_OK, "", 50 * M, 400 * M, 0},  /* 400M exactly */
        {"sci", 80001, 0, -1, 8, CC_OK, "", 50 * M, 400 * M, +1}, /* 400.005M lowered */
        {"sci", 150000, 0, -1, 8, CC_OK, "", 50 * M, 400 * M, +1},
        {"sci", 10000, 0, -1, 6, CC_OK, "", 20 * M, 120 * M, -1}, /* minimum weight */
        /* 250 kg: 1250M bounded to 400M; 400M / 6 = 66.67 -> 67M = 402M > 400M -> 66M */
        {"sci", 250000, 0, -1, 6, CC_OK, "", 66 * M, 396 * M, +1},
        {"sci", 9999, 0, -1, 6, CC_INVALID, "implausible_weight", 0, 0, 0},
        {"sci", 250001, 0, -1, 6, CC_INVALID, "implausible_weight", 0, 0, 0},
        /* 120M / 7 = 17.14 -> 17M would give 119M < 120M: raised to 18M */
        {"sci", 24000, 0, -1, 7, CC_OK, "", 18 * M, 126 * M, 0},
        /* 400M / 7 = 57.14 -> 57M (399M) */
        {"sci", 100000, 0, -1, 7, CC_OK, "", 57 * M, 399 * M, +1},
        /* 350M / 8 = 43.75 -> 44M (352M); 350M / 6 = 58.33 -> 58M */
        {"sci", 70000, 0, -1, 8, CC_OK, "", 44 * M, 352 * M, 0},
        {"sci", 70000, 0, -1, 6, CC_OK, "", 58 * M, 348 * M, 0},
        /* 250M / 7 = 35.71 -> 36M */
        {"sci", 50000, 0, -1, 7, CC_OK, "", 36 * M, 252 * M, 0},
        /* half a million rounds up: 52.5 kg -> 262.5M / 7 = 37.5 -> 38M */
        {"sci", 52500, 0, -1, 7, CC_OK, "", 38 * M, 266 * M, 0},
        /* weight age: 30 days ok, 31 stale (H4), tomorrow refused */
        {"sci", 70000, 30, -1, 8, CC_OK, "", 44 * M, 352 * M, 0},
        {"sci", 70000, 31, -1, 8, CC_INVALID, "stale_weight", 0, 0, 0},
        {"sci", 70000, -1, -1, 8, CC_INVALID, "future_weight", 0, 0, 0},
        {"sci", 70000, 0, -1, 0, CC_INVALID, "invalid_value", 0, 0, 0},
        {"sci", 70000, 0, -1, 17, CC_INVALID, "invalid_value", 0, 0, 0},
        /* spina bifida version 1 (kept loadable): age required; same bounds
         * as sci; 2 kg minimum; the course floor still raises small children */
        {"spina-bifida@1", 12000, 0, -1, 6, CC_INVALID, "required", 0, 0, 0},
        {"spina-bifida@1", 12000, 0, 3, 6, CC_OK, "", 20 * M, 120 * M, -1},
        {"spina-bifida@1", 2000, 0, 0, 8, CC_OK, "", 15 * M, 120 * M, -1},
        {"spina-bifida@1", 1999, 0, 0, 8, CC_INVALID, "implausible_weight", 0, 0, 0},
        /* msc: 2M/kg, 50-300M */
        {"msc", 70000, 0, -1, 3, CC_OK, "", 47 * M, 141 * M, 0},
        {"msc", 20000, 0, -1, 1, CC_OK, "", 50 * M, 50 * M, -1},
        {"msc", 200000, 0, -1, 4, CC_OK, "", 75 * M, 300 * M, +1},
        /* secretome: fixed 5 mL per administration, course 5-30 mL */
        {"secretome", 70000, 0, -1, 3, CC_OK, "", 5000, 15000, 0},
        {"secretome", 70000, 0, -1, 6, CC_OK, "", 5000, 30000, 0},
        {"als", 60000, 0, -1, 3, CC_OK, "", 40 * M, 120 * M, 0},
    };
    cc_date today = ymd("2026-11-22");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        protocol p;
        load_named(rows[i].protocol, &p);
        dose_input in = {rows[i].grams, today - rows[i].weight_age_days, rows[i].age, today};
        dose_result r;
        cc_error err;
        cc_status st = dose_compute(&p.dose, rows[i].count, &in, &r, &err);
        if (st != rows[i].want)
            fail_msg("row %zu: status %d, want %d (%s)", i, st, rows[i].want, err.message);
        if (st != CC_OK) {
            assert_string_equal(err.code, rows[i].code);
            continue;
        }
        if (r.per_admin != rows[i].per_admin || r.total != rows[i].total)
            fail_msg("row %zu: per %llu total %llu", i, (unsigned long long)r.per_admin,
                     (unsigned long long)r.total);
        assert_int_equal(r.bounded_low, rows[i].bounded < 0);
        assert_int_equal(r.bounded_high, rows[i].bounded > 0);
        assert_true(dose_within_bounds(&p.dose, rows[i].count, r.per_admin, rows[i].grams));
    }
}

/* Children on spina-bifida version 2 (its "sources"): 5 million cells/kg is
 * also the per-kg maximum, which binds before the 120 million course floor;
 * whole millions per administration never push the course above 5 million
 * per kg; below 18 years the physician confirms the dose. */
static void test_dose_children(void **state)
{
    (void)state;
    static const struct {
        int grams, age, count;
        uint64_t per_admin, total, per_kg_given;
        bool per_kg_binds, confirm;
    } rows[] = {
        /* 2 kg: 10M course, 10M / 8 = 1.25 -> 1M each (4M/kg), not 120M (60M/kg) */
        {2000, 0, 8, 1 * M, 8 * M, 4 * M, true, true},
        {2000, 0, 6, 1 * M, 6 * M, 3 * M, true, true}, /* 10M / 6 = 1.67 -> 2M = 12M > 10M */
        /* 5 kg: 25M / 8 = 3.125 -> 3M (24M, 4.8M/kg), not 120M (24M/kg) */
        {5000, 1, 8, 3 * M, 24 * M, 4800000, true, true},
        {5000, 1, 6, 4 * M, 24 * M, 4800000, true, true},
        /* 10 kg: 50M / 8 = 6.25 -> 6M */
        {10000, 3, 8, 6 * M, 48 * M, 4800000, true, true},
        /* 20 kg: 100M / 8 = 12.5 would round to 13M (104M > 100M): 12M */
        {20000, 6, 8, 12 * M, 96 * M, 4800000, true, true},
        /* 23.999 kg: the floor just gives way; 24 kg reaches it exactly */
        {23999, 7, 8, 14 * M, 112 * M, 4666861, true, true},
        {24000, 7, 8, 15 * M, 120 * M, 5 * M, false, true},
        /* 17 years needs the confirmation, 18 does not */
        {60000, 17, 8, 37 * M, 296 * M, 4933333, false, true},
        {60000, 18, 8, 37 * M, 296 * M, 4933333, false, false},
        /* 70 kg: 350M / 8 = 43.75 would round to 44M (352M > 350M): 43M */
        {70000, 30, 8, 43 * M, 344 * M, 4914285, false, false},
        {120000, 30, 8, 50 * M, 400 * M, 3333333, false, false}, /* course maximum */
    };
    protocol p;
    load_protocol("spina-bifida", &p);
    assert_int_equal(p.version, 2);
    cc_date today = ymd("2026-11-22");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        dose_input in = {rows[i].grams, today, rows[i].age, today};
        dose_result r;
        cc_error err;
        if (dose_compute(&p.dose, rows[i].count, &in, &r, &err) != CC_OK)
            fail_msg("row %zu: %s", i, err.message);
        if (r.per_admin != rows[i].per_admin || r.total != rows[i].total ||
            r.per_kg_given != rows[i].per_kg_given)
            fail_msg("row %zu: per %llu total %llu per kg %llu", i, (unsigned long long)r.per_admin,
                     (unsigned long long)r.total, (unsigned long long)r.per_kg_given);
        assert_int_equal(r.bounded_per_kg, rows[i].per_kg_binds);
        assert_int_equal(r.needs_confirmation, rows[i].confirm);
        assert_true(dose_within_bounds(&p.dose, rows[i].count, r.per_admin, rows[i].grams));
        /* the stored plan is re-checked against the weight: one more step exceeds 5M/kg */
        assert_false(dose_within_bounds(&p.dose, rows[i].count, r.per_admin + M, rows[i].grams));
    }
    /* version 1 still gives a 2 kg child the 120M floor */
    protocol v1;
    load_protocol_version("spina-bifida", 1, &v1);
    assert_true(dose_within_bounds(&v1.dose, 8, 15 * M, 2000));
    assert_false(dose_within_bounds(&p.dose, 8, 15 * M, 2000));
    assert_false(dose_needs_confirmation(&v1.dose, 3));
    assert_true(dose_needs_confirmation(&p.dose, -1));
}

static void test_dose_infeasible_count(void **state)
{
    (void)state;
    protocol p;
    load_protocol("sci", &p);
    p.dose.course_min = 120 * M;
    p.dose.course_max = 121 * M; /* 7 x 18M = 126M > 121M, 7 x 17M = 119M < 120M */
    dose_input in = {70000, 0, -1, 0};
    dose_result r;
    cc_error err;
    assert_int_equal(dose_compute(&p.dose, 7, &in, &r, &err), CC_INVALID);
    assert_string_equal(err.code, "dose_infeasible");
    assert_int_equal(dose_compute(&p.dose, 6, &in, &r, &err), CC_OK); /* 6 x 20M = 120M */
    assert_int_equal(r.total, 120 * M);
}

static void test_dose_within_bounds_rejects(void **state)
{
    (void)state;
    protocol p;
    load_protocol("sci", &p);
    assert_true(dose_within_bounds(&p.dose, 8, 50 * M, 80000));
    assert_false(dose_within_bounds(&p.dose, 8, 51 * M, 80000));     /* 408M > 400M */
    assert_false(dose_within_bounds(&p.dose, 6, 19 * M, 80000));     /* 114M < 120M */
    assert_false(dose_within_bounds(&p.dose, 6, 20 * M + 1, 80000)); /* not whole millions */
    assert_false(dose_within_bounds(&p.dose, 0, 20 * M, 80000));
    assert_false(dose_within_bounds(&p.dose, 6, 0, 80000));
}

/* Property: for random rules, weights, ages and counts, a result always
 * satisfies every bound and is the nearest multiple to course / count unless
 * a bound moved it. */
static void test_dose_properties(void **state)
{
    (void)state;
    uint64_t seed = 0x5eed1234abcdULL;
    int ok = 0, refused = 0, capped = 0;
    for (int i = 0; i < 20000; i++) {
        dose_rule d = {0};
        d.unit = DOSE_CELLS;
        d.rounding = (uint64_t)rng_int(&seed, 1, 4) * M / (uint64_t)rng_int(&seed, 1, 4);
        d.per_kg = (uint64_t)rng_int(&seed, 1, 20) * M;
        d.course_min = d.rounding * (uint64_t)rng_int(&seed, 1, 300);
        d.course_max = d.course_min + d.rounding * (uint64_t)rng_int(&seed, 0, 500);
        if (rng_int(&seed, 0, 3) == 0) {
            d.per_admin_min = d.rounding * (uint64_t)rng_int(&seed, 0, 40);
            d.per_admin_max = d.per_admin_min + d.rounding * (uint64_t)rng_int(&seed, 0, 100);
        }
        if (rng_int(&seed, 0, 1))
            d.per_kg_max = d.per_kg + (uint64_t)rng_int(&seed, 0, 3) * M;
        d.weight_min_g = 500;
        d.weight_max_g = 400000;
        d.weight_max_age_days = 30;
        d.age_max_years = 130;
        int count = rng_int(&seed, 1, PROTOCOL_MAX_ADMINISTRATIONS);
        dose_input in = {rng_int(&seed, 500, 400000), 100 - rng_int(&seed, 0, 30), -1, 100};
        dose_result r;
        cc_error err;
        cc_status st = dose_compute(&d, count, &in, &r, &err);
        if (st != CC_OK) {
            assert_string_equal(err.code, "dose_infeasible");
            refused++;
            continue;
        }
        ok++;
        assert_true(dose_within_bounds(&d, count, r.per_admin, in.weight_g));
        assert_int_equal(r.total, r.per_admin * (uint64_t)count);
        /* per kg never exceeds the maximum, whatever the course floor */
        if (d.per_kg_max && r.total * 1000 > d.per_kg_max * (uint64_t)in.weight_g)
            fail_msg("case %d: %llu for %d g exceeds %llu per kg", i, (unsigned long long)r.total,
                     in.weight_g, (unsigned long long)d.per_kg_max);
        if (d.per_kg_max)
            capped++;
        uint64_t cap = d.per_kg_max ? d.per_kg_max * (uint64_t)in.weight_g / 1000 : UINT64_MAX;
        uint64_t lo = cap < d.course_min ? 0 : d.course_min;
        uint64_t hi = cap < d.course_max ? cap : d.course_max;
        uint64_t course = r.course_raw < lo ? lo : r.course_raw > hi ? hi : r.course_raw;
        /* unless a bound moved it, per_admin is within half a step of course / count */
        uint64_t ideal2 = 2 * course / (uint64_t)count; /* twice the ideal, floor */
        uint64_t per2 = 2 * r.per_admin;
        uint64_t diff = per2 > ideal2 ? per2 - ideal2 : ideal2 - per2;
        bool moved = r.per_admin * (uint64_t)count - d.rounding * (uint64_t)count < lo ||
                     r.per_admin * (uint64_t)count + d.rounding * (uint64_t)count > hi ||
                     r.per_admin - d.rounding < d.per_admin_min ||
                     (d.per_admin_max && r.per_admin + d.rounding > d.per_admin_max);
        if (!moved && diff > d.rounding + 2)
            fail_msg("case %d: per %llu far from course %llu / %d", i,
                     (unsigned long long)r.per_admin, (unsigned long long)course, count);
    }
    assert_true(ok > 10000);
    assert_true(capped > 4000);
    printf("dose properties: %d computed, %d refused as infeasible\n", ok, refused);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dose_table),
        cmocka_unit_test(test_dose_children),
        cmocka_unit_test(test_dose_infeasible_count),
        cmocka_unit_test(test_dose_within_bounds_rejects),
        cmocka_unit_test(test_dose_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
