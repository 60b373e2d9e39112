/* Unit tests of core/qc_spec: verdict of each result against the built-in
 * specifications (boundary rows on every limit), and release readiness.
 * Expected verdicts follow from the limits written in qc_spec.h: viability
 * >= 70 %, CD73/CD90/CD105 >= 95 %, CD34/CD45/HLA-DR <= 2 %, endotoxin
 * <= 0.5 EU/mL, sterility and mycoplasma not detected, limits inclusive. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/qc_spec.h"

#define QUAL(t, det)                                                                               \
    {                                                                                              \
        t, false, det, 0, ""                                                                       \
    }
#define NUM(t, v, u)                                                                               \
    {                                                                                              \
        t, false, false, v, u                                                                      \
    }

static const qc_spec *spec_of(const char *type)
{
    const qc_spec *s = NULL;
    assert_int_equal(qc_spec_find(type, &s, NULL), CC_OK);
    assert_non_null(s);
    return s;
}

static void test_evaluate_table(void **state)
{
    (void)state;
    static const struct {
        const char *product;
        qc_result r;
        qc_verdict want;
        const char *why; /* substring of the explanation */
    } rows[] = {
        {"uc-msc", QUAL("sterility", false), QC_PASS, "not detected"},
        {"uc-msc", QUAL("sterility", true), QC_FAIL, "detected"},
        {"uc-msc", {"sterility", true, false, 0, ""}, QC_PENDING, "pending"},
        {"uc-msc", QUAL("mycoplasma", false), QC_PASS, ""},
        {"uc-msc", QUAL("mycoplasma", true), QC_FAIL, "Mycoplasma: detected"},
        /* endotoxin <= 0.5 EU/mL */
        {"uc-msc", NUM("endotoxin", 0, "EU/mL"), QC_PASS, ""},
        {"uc-msc", NUM("endotoxin", 0.5, "EU/mL"), QC_PASS, ""}, /* on the limit */
        {"uc-msc", NUM("endotoxin", 0.51, "EU/mL"), QC_FAIL, "above the maximum 0.5 EU/mL"},
        {"uc-msc", NUM("endotoxin", 0.3, "EU/L"), QC_INVALID, "specification unit"},
        {"uc-msc", NUM("endotoxin", -0.1, "EU/mL"), QC_INVALID, "not a valid"},
        /* viability >= 70 % */
        {"uc-msc", NUM("viability", 70, "%"), QC_PASS, ""}, /* on the limit */
        {"uc-msc", NUM("viability", 69.99, "%"), QC_FAIL,
         "Viability 69.99 % is below the minimum 70 %"},
        {"uc-msc", NUM("viability", 100, "%"), QC_PASS, ""},
        {"uc-msc", NUM("viability", 100.01, "%"), QC_INVALID, "not a valid"},
        {"uc-msc", NUM("viability", 0, "%"), QC_FAIL, ""},
        {"uc-msc", NUM("viability", NAN, "%"), QC_INVALID, ""},
        {"uc-msc", NUM("viability", INFINITY, "%"), QC_INVALID, ""},
        {"uc-msc", {"viability", false, false, 80, NULL}, QC_INVALID, "specification unit"},
        /* positive markers >= 95 % */
        {"uc-msc", NUM("cd73", 95, "%"), QC_PASS, ""},
        {"uc-msc", NUM("cd73", 94.9, "%"), QC_FAIL, "CD73+"},
        {"bm-msc", NUM("cd90", 95, "%"), QC_PASS, ""},
        {"bm-msc", NUM("cd90", 94.99, "%"), QC_FAIL, ""},
        {"ad-msc", NUM("cd105", 99.5, "%"), QC_PASS, ""},
        {"ad-msc", NUM("cd105", 90, "%"), QC_FAIL, ""},
        /* negative markers <= 2 % */
        {"pl-msc", NUM("cd34", 2, "%"), QC_PASS, ""},
        {"pl-msc", NUM("cd34", 2.01, "%"), QC_FAIL, "above the maximum 2 %"},
        {"pl-msc", NUM("cd45", 0, "%"), QC_PASS, ""},
        {"pl-msc", NUM("cd45", 2.5, "%"), QC_FAIL, ""},
        {"uc-msc", NUM("hla_dr", 2, "%"), QC_PASS, ""},
        {"uc-msc", NUM("hla_dr", 3, "%"), QC_FAIL, "HLA-DR+"},
        /* secretome: reported values pass when valid */
        {"secretome", NUM("total_protein", 1.2, "mg/mL"), QC_PASS, ""},
        {"secretome", NUM("total_protein", 0, "mg/mL"), QC_PASS, ""},
        {"secretome", NUM("total_protein", 1.2, "ug/mL"), QC_INVALID, "specification unit"},
        {"secretome", NUM("factor_vegf", 850, "pg/mL"), QC_PASS, ""},
        {"secretome", NUM("factor_il6", -1, "pg/mL"), QC_INVALID, ""},
        {"secretome", NUM("endotoxin", 0.6, "EU/mL"), QC_FAIL, ""},
        {"secretome", QUAL("sterility", true), QC_FAIL, ""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const qc_spec_item *item = qc_spec_item_find(spec_of(rows[i].product), rows[i].r.test);
        assert_non_null(item);
        char why[QC_REASON_TEXT] = "";
        qc_verdict v = qc_evaluate(item, &rows[i].r, why, sizeof why);
        if (v != rows[i].want)
            fail_msg("row %zu (%s %s): %s, want %s (%s)", i, rows[i].product, rows[i].r.test,
                     qc_verdict_name(v), qc_verdict_name(rows[i].want), why);
        if (!strstr(why, rows[i].why))
            fail_msg("row %zu: \"%s\" lacks \"%s\"", i, why, rows[i].why);
    }
    assert_int_equal(qc_evaluate(NULL, NULL, NULL, 0), QC_INVALID);
}

/* A test-local RANGE item (no built-in uses one yet). */
static void test_range_rule(void **state)
{
    (void)state;
    const qc_spec_item item = {"dose_conc", "Concentration", QC_RULE_RANGE, 1, 2, "M/mL", true};
    static const struct {
        double v;
        qc_verdict want;
    } rows[] = {{0.99, QC_FAIL}, {1, QC_PASS}, {1.5, QC_PASS}, {2, QC_PASS}, {2.01, QC_FAIL}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        qc_result r = NUM("dose_conc", rows[i].v, "M/mL");
        assert_int_equal(qc_evaluate(&item, &r, NULL, 0), rows[i].want);
    }
}

static void test_spec_find(void **state)
{
    (void)state;
    const char *types[] = {"uc-msc", "pl-msc", "bm-msc", "ad-msc", "secretome"};
    for (size_t i = 0; i < 5; i++) {
        const qc_spec *s = spec_of(types[i]);
        assert_string_equal(s->product_type, types[i]);
        for (size_t j = 0; j < s->n_items; j++)
            assert_true(s->items[j].required);
    }
    assert_int_equal(spec_of("uc-msc")->n_items, 10);
    assert_int_equal(spec_of("secretome")->n_items, 8);
    const qc_spec *s = NULL;
    cc_error err;
    assert_int_equal(qc_spec_find("ucb-sc", &s, &err), CC_NOT_FOUND);
    assert_string_equal(err.field, "product_type");
    assert_null(s);
    assert_int_equal(qc_spec_find(NULL, &s, NULL), CC_NOT_FOUND);
    assert_null(qc_spec_item_find(spec_of("uc-msc"), "total_protein"));
    assert_null(qc_spec_item_find(NULL, "cd73"));
}

/* A complete passing result set for an MSC unit. */
static const qc_result msc_pass[] = {
    QUAL("sterility", false),  QUAL("mycoplasma", false), NUM("endotoxin", 0.5, "EU/mL"),
    NUM("viability", 70, "%"), NUM("cd73", 95, "%"),      NUM("cd90", 98.1, "%"),
    NUM("cd105", 96, "%"),     NUM("cd34", 2, "%"),       NUM("cd45", 0.4, "%"),
    NUM("hla_dr", 1.1, "%"),
};
enum { N_MSC = sizeof msc_pass / sizeof msc_pass[0] };

static void test_release_table(void **state)
{
    (void)state;
    static const struct {
        const char *label;
        int drop;    /* index of msc_pass left out, -1 none */
        int replace; /* index replaced by `with`, -1 none */
        qc_result with;
        int add_extra; /* append a second result (retest) `extra` */
        qc_result extra;
        qc_donor donor;
        unsigned deviations;
        size_t n;            /* expected number of reasons */
        qc_block_kind first; /* kind of the first reason when n > 0 */
        const char *test;    /* test of the first reason, NULL for donor/deviation */
    } rows[] = {
        {"all pass", -1, -1, {0}, 0, {0}, QC_DONOR_ELIGIBLE, 0, 0, 0, NULL},
        {"sterility missing",
         0,
         -1,
         {0},
         0,
         {0},
         QC_DONOR_ELIGIBLE,
         0,
         1,
         QC_BLOCK_MISSING,
         "sterility"},
        {"hla-dr missing", 9, -1, {0}, 0, {0}, QC_DONOR_ELIGIBLE, 0, 1, QC_BLOCK_MISSING, "hla_dr"},
        {"sterility pending",
         -1,
         0,
         {"sterility", true, false, 0, ""},
         0,
         {0},
         QC_DONOR_ELIGIBLE,
         0,
         1,
         QC_BLOCK_PENDING,
         "sterility"},
        {"viability 69.9",
         -1,
         3,
         NUM("viability", 69.9, "%"),
         0,
         {0},
         QC_DONOR_ELIGIBLE,
         0,
         1,
         QC_BLOCK_FAILED,
         "viability"},
        {"endotoxin wrong unit",
         -1,
         2,
         NUM("endotoxin", 0.1, "EU/L"),
         0,
         {0},
         QC_DONOR_ELIGIBLE,
         0,
         1,
         QC_BLOCK_INVALID,
         "endotoxin"},
        {"failed then passing retest still blocks", -1, 4, NUM("cd73", 90, "%"), 1,
         NUM("cd73", 97, "%"), QC_DONOR_ELIGIBLE, 0, 1, QC_BLOCK_FAILED, "cd73"},
        {"passing retest of a passing test",
         -1,
         -1,
         {0},
         1,
         NUM("cd73", 97, "%"),
         QC_DONOR_ELIGIBLE,
         0,
         0,
         0,
         NULL},
        {"extra test not in spec is ignored",
         -1,
         -1,
         {0},
         1,
         NUM("cd14", 50, "%"),
         QC_DONOR_ELIGIBLE,
         0,
         0,
         0,
         NULL},
        {"donor incomplete (H13)",
         -1,
         -1,
         {0},
         0,
         {0},
         QC_DONOR_INCOMPLETE,
         0,
         1,
         QC_BLOCK_DONOR_INCOMPLETE,
         NULL},
        {"donor ineligible",
         -1,
         -1,
         {0},
         0,
         {0},
         QC_DONOR_INELIGIBLE,
         0,
         1,
         QC_BLOCK_DONOR_INELIGIBLE,
         NULL},
        {"open deviation",
         -1,
         -1,
         {0},
         0,
         {0},
         QC_DONOR_ELIGIBLE,
         1,
         1,
         QC_BLOCK_DEVIATION_OPEN,
         NULL},
        {"everything at once",
         0,
         3,
         NUM("viability", 10, "%"),
         0,
         {0},
         QC_DONOR_INCOMPLETE,
         2,
         4,
         QC_BLOCK_MISSING,
         "sterility"},
    };
    const qc_spec *spec = spec_of("uc-msc");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        qc_result results[N_MSC + 1];
        size_t n = 0;
        for (int j = 0; j < N_MSC; j++) {
            if (j == rows[i].drop)
                continue;
            results[n++] = j == rows[i].replace ? rows[i].with : msc_pass[j];
        }
        if (rows[i].add_extra)
            results[n++] = rows[i].extra;
        qc_release_input in = {spec, results, n, rows[i].donor, rows[i].deviations};
        qc_block blocks[8];
        size_t nb = 99;
        bool ready = qc_release_check(&in, blocks, 8, &nb);
        if (nb != rows[i].n)
            fail_msg("%s: %zu reasons, want %zu (first: %s)", rows[i].label, nb, rows[i].n,
                     nb ? blocks[0].message : "");
        assert_int_equal(ready, rows[i].n == 0);
        if (nb > 0) {
            assert_int_equal(blocks[0].kind, rows[i].first);
            if (rows[i].test)
                assert_string_equal(blocks[0].test, rows[i].test);
            else
                assert_null(blocks[0].test);
            for (size_t k = 0; k < nb; k++)
                assert_true(blocks[k].message[0] != '\0');
        }
    }
}

static void test_release_reason_order_and_cap(void **state)
{
    (void)state;
    /* No results at all: 10 missing, then donor, then deviations. */
    qc_release_input in = {spec_of("uc-msc"), NULL, 0, QC_DONOR_INCOMPLETE, 3};
    qc_block blocks[12];
    size_t n = 0;
    assert_false(qc_release_check(&in, blocks, 12, &n));
    assert_int_equal(n, 12);
    for (size_t i = 0; i < 10; i++) {
        assert_int_equal(blocks[i].kind, QC_BLOCK_MISSING);
        assert_string_equal(blocks[i].test, spec_of("uc-msc")->items[i].test);
    }
    assert_string_equal(blocks[0].message, "Sterility: no result");
    assert_int_equal(blocks[10].kind, QC_BLOCK_DONOR_INCOMPLETE);
    assert_int_equal(blocks[11].kind, QC_BLOCK_DEVIATION_OPEN);
    assert_string_equal(blocks[11].message, "3 deviations are still open");

    /* A small array gets the first reasons; the count is still the total. */
    qc_block two[2];
    assert_false(qc_release_check(&in, two, 2, &n));
    assert_int_equal(n, 12);
    assert_string_equal(two[1].test, "mycoplasma");
    assert_false(qc_release_check(&in, NULL, 0, &n));
    assert_int_equal(n, 12);
    assert_false(qc_release_check(&in, NULL, 5, NULL));

    /* No specification: blocks. */
    qc_release_input none = {NULL, NULL, 0, QC_DONOR_ELIGIBLE, 0};
    assert_false(qc_release_check(&none, blocks, 12, &n));
    assert_int_equal(n, 1);
    assert_int_equal(blocks[0].kind, QC_BLOCK_NO_SPEC);
    assert_false(qc_release_check(NULL, blocks, 12, &n));
    assert_int_equal(n, 1);

    /* A complete secretome result set passes. */
    const qc_result secretome[] = {
        QUAL("sterility", false),           QUAL("mycoplasma", false),
        NUM("endotoxin", 0.2, "EU/mL"),     NUM("total_protein", 1.4, "mg/mL"),
        NUM("factor_vegf", 900, "pg/mL"),   NUM("factor_hgf", 3000, "pg/mL"),
        NUM("factor_tgfb1", 1200, "pg/mL"), NUM("factor_il6", 450, "pg/mL"),
    };
    qc_release_input sec = {spec_of("secretome"), secretome, 8, QC_DONOR_ELIGIBLE, 0};
    assert_true(qc_release_check(&sec, blocks, 12, &n));
    assert_int_equal(n, 0);
    sec.n_results = 7; /* IL-6 missing */
    assert_false(qc_release_check(&sec, blocks, 12, &n));
    assert_int_equal(n, 1);
    assert_string_equal(blocks[0].test, "factor_il6");
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(qc_verdict_name(QC_PASS), "pass");
    assert_string_equal(qc_verdict_name(QC_INVALID), "invalid");
    assert_string_equal(qc_block_kind_name(QC_BLOCK_DONOR_INCOMPLETE), "donor_incomplete");
    assert_string_equal(qc_block_kind_name(QC_BLOCK_NO_SPEC), "no_spec");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evaluate_table),
        cmocka_unit_test(test_range_rule),
        cmocka_unit_test(test_spec_find),
        cmocka_unit_test(test_release_table),
        cmocka_unit_test(test_release_reason_order_and_cap),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
