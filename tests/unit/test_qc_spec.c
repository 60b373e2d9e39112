/* Unit tests of core/qc_spec: verdict of each result against the built-in
 * specifications (boundary rows on every limit), and release readiness.
 * Expected verdicts follow from the published sources cited in qc_spec.h:
 * ISCT minimal criteria (Dominici et al., Cytotherapy 2006;8(4):315-317):
 * plastic adherence; CD73/CD90/CD105 >= 95 %; CD34, CD45, CD14 or CD11b,
 * CD79alpha or CD19, HLA-DR <= 2 %; differentiation to osteoblasts,
 * adipocytes, chondroblasts. Endotoxin <= K/M (USP <85>, Ph. Eur. 2.6.14 /
 * 5.1.10): K 5 EU/kg for every route but intrathecal, 0.2 EU/kg
 * intrathecal (USP's intrathecal 14/V is 0.2 x 70 kg / V). Also viability
 * >= 70 %, sterility and mycoplasma not detected; limits inclusive. */
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

static const qc_dose IT_10ML = {"intrathecal", 10, 70}, ANY_10ML = {NULL, 10, 70},
                     IV_100ML = {"intravenous", 100, 70};

/* K/M per route, USP <85>: K 5 EU/kg except intrathecal 0.2 EU/kg; M the
 * dose per kg; USP's fixed-dose intrathecal form 14/V (0.2 x 70 kg). */
static void test_endotoxin_limit_table(void **state)
{
    (void)state;
    static const struct {
        qc_dose dose;
        double k, limit; /* limit NaN: cannot be computed */
    } rows[] = {
        {{"intravenous", 100, 70}, 5.0, 3.5},
        {{"intravenous", 10, 70}, 5.0, 35},
        {{"intrathecal", 10, 70}, 0.2, 14.0 / 10},
        {{"intrathecal", 5, 70}, 0.2, 14.0 / 5},
        {{"intrathecal", 5, 5}, 0.2, 0.2}, /* a 5 kg child */
        {{NULL, 10, 70}, 0.2, 1.4},        /* route unknown: the strictest */
        {{"local", 2, 70}, 5.0, 175},
        {{"inhalation", 4, 70}, 5.0, 87.5},
        {{"intrathecal", 0, 70}, 0.2, NAN},
        {{"intrathecal", 10, 0}, 0.2, NAN},
        {{"intravenous", NAN, 70}, 5.0, NAN},
        {{"intravenous", -1, 70}, 5.0, NAN},
        {{"intravenous", 10, INFINITY}, 5.0, NAN},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_true(qc_endotoxin_k(rows[i].dose.route) == rows[i].k);
        double got = qc_endotoxin_limit(&rows[i].dose);
        if (isnan(rows[i].limit) ? !isnan(got) : fabs(got - rows[i].limit) > 1e-12)
            fail_msg("row %zu: limit %g, want %g", i, got, rows[i].limit);
    }
    assert_true(isnan(qc_endotoxin_limit(NULL)));
}

static void test_evaluate_table(void **state)
{
    (void)state;
    static const struct {
        const char *product;
        qc_result r;
        qc_verdict want;
        const char *why; /* substring of the explanation */
        const qc_dose *dose;
    } rows[] = {
        {"uc-msc", QUAL("sterility", false), QC_PASS, "not detected", NULL},
        {"uc-msc", QUAL("sterility", true), QC_FAIL, "detected", NULL},
        {"uc-msc", {"sterility", true, false, 0, ""}, QC_PENDING, "pending", NULL},
        {"uc-msc", QUAL("mycoplasma", false), QC_PASS, "", NULL},
        {"uc-msc", QUAL("mycoplasma", true), QC_FAIL, "Mycoplasma: detected", NULL},
        /* endotoxin <= K/M: intrathecal 0.2 x 70 / 10 = 1.4 EU/mL, intravenous
         * 5 x 70 / 100 = 3.5 EU/mL, an unknown route takes the intrathecal K */
        {"uc-msc", NUM("endotoxin", 0, "EU/mL"), QC_PASS, "", &IT_10ML},
        {"uc-msc", NUM("endotoxin", 1.4, "EU/mL"), QC_PASS, "", &IT_10ML}, /* on the limit */
        {"uc-msc", NUM("endotoxin", 1.41, "EU/mL"), QC_FAIL, "above the limit 1.4 EU/mL", &IT_10ML},
        {"uc-msc", NUM("endotoxin", 1.41, "EU/mL"), QC_FAIL, "K 0.2 EU/kg", &ANY_10ML},
        {"uc-msc", NUM("endotoxin", 3.5, "EU/mL"), QC_PASS, "", &IV_100ML},
        {"uc-msc", NUM("endotoxin", 3.51, "EU/mL"), QC_FAIL, "above the limit 3.5 EU/mL",
         &IV_100ML},
        {"uc-msc", NUM("endotoxin", 0.5, "EU/mL"), QC_INVALID, "limit K/M unknown", NULL},
        {"uc-msc", NUM("endotoxin", 0.3, "EU/L"), QC_INVALID, "specification unit", &IT_10ML},
        {"uc-msc", NUM("endotoxin", -0.1, "EU/mL"), QC_INVALID, "not a valid", &IT_10ML},
        /* ISCT: plastic adherence and trilineage differentiation, observed */
        {"uc-msc", QUAL("plastic_adherence", true), QC_PASS, "observed", NULL},
        {"uc-msc", QUAL("plastic_adherence", false), QC_FAIL, "not observed", NULL},
        {"bm-msc", QUAL("diff_osteo", true), QC_PASS, "", NULL},
        {"bm-msc", QUAL("diff_osteo", false), QC_FAIL, "Osteogenic", NULL},
        {"ad-msc", QUAL("diff_adipo", true), QC_PASS, "", NULL},
        {"ad-msc", QUAL("diff_adipo", false), QC_FAIL, "Adipogenic", NULL},
        {"pl-msc", QUAL("diff_chondro", true), QC_PASS, "", NULL},
        {"pl-msc", QUAL("diff_chondro", false), QC_FAIL, "Chondrogenic", NULL},
        /* viability >= 70 % */
        {"uc-msc", NUM("viability", 70, "%"), QC_PASS, "", NULL}, /* on the limit */
        {"uc-msc", NUM("viability", 69.99, "%"), QC_FAIL,
         "Viability 69.99 % is below the minimum 70 %", NULL},
        {"uc-msc", NUM("viability", 100, "%"), QC_PASS, "", NULL},
        {"uc-msc", NUM("viability", 100.01, "%"), QC_INVALID, "not a valid", NULL},
        {"uc-msc", NUM("viability", 0, "%"), QC_FAIL, "", NULL},
        {"uc-msc", NUM("viability", NAN, "%"), QC_INVALID, "", NULL},
        {"uc-msc", NUM("viability", INFINITY, "%"), QC_INVALID, "", NULL},
        {"uc-msc", {"viability", false, false, 80, NULL}, QC_INVALID, "specification unit", NULL},
        /* positive markers >= 95 % */
        {"uc-msc", NUM("cd73", 95, "%"), QC_PASS, "", NULL},
        {"uc-msc", NUM("cd73", 94.9, "%"), QC_FAIL, "CD73+", NULL},
        {"bm-msc", NUM("cd90", 95, "%"), QC_PASS, "", NULL},
        {"bm-msc", NUM("cd90", 94.99, "%"), QC_FAIL, "", NULL},
        {"ad-msc", NUM("cd105", 99.5, "%"), QC_PASS, "", NULL},
        {"ad-msc", NUM("cd105", 90, "%"), QC_FAIL, "", NULL},
        /* negative markers <= 2 % */
        {"pl-msc", NUM("cd34", 2, "%"), QC_PASS, "", NULL},
        {"pl-msc", NUM("cd34", 2.01, "%"), QC_FAIL, "above the maximum 2 %", NULL},
        {"pl-msc", NUM("cd45", 0, "%"), QC_PASS, "", NULL},
        {"pl-msc", NUM("cd45", 2.5, "%"), QC_FAIL, "", NULL},
        {"uc-msc", NUM("hla_dr", 2, "%"), QC_PASS, "", NULL},
        {"uc-msc", NUM("hla_dr", 3, "%"), QC_FAIL, "HLA-DR+", NULL},
        {"uc-msc", NUM("cd14", 2, "%"), QC_PASS, "", NULL},
        {"uc-msc", NUM("cd14", 2.01, "%"), QC_FAIL, "CD14+", NULL},
        {"uc-msc", NUM("cd11b", 2, "%"), QC_PASS, "", NULL},
        {"uc-msc", NUM("cd11b", 2.01, "%"), QC_FAIL, "CD11b+", NULL},
        {"bm-msc", NUM("cd79a", 2, "%"), QC_PASS, "", NULL},
        {"bm-msc", NUM("cd79a", 2.01, "%"), QC_FAIL, "CD79alpha+", NULL},
        {"bm-msc", NUM("cd19", 2, "%"), QC_PASS, "", NULL},
        {"bm-msc", NUM("cd19", 2.01, "%"), QC_FAIL, "CD19+", NULL},
        /* secretome: reported values pass when valid */
        {"secretome", NUM("total_protein", 1.2, "mg/mL"), QC_PASS, "", NULL},
        {"secretome", NUM("total_protein", 0, "mg/mL"), QC_PASS, "", NULL},
        {"secretome", NUM("total_protein", 1.2, "ug/mL"), QC_INVALID, "specification unit", NULL},
        {"secretome", NUM("factor_vegf", 850, "pg/mL"), QC_PASS, "", NULL},
        {"secretome", NUM("factor_il6", -1, "pg/mL"), QC_INVALID, "", NULL},
        {"secretome", NUM("endotoxin", 1.5, "EU/mL"), QC_FAIL, "", &IT_10ML},
        {"secretome", QUAL("sterility", true), QC_FAIL, "", NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const qc_spec_item *item = qc_spec_item_find(spec_of(rows[i].product), rows[i].r.test);
        assert_non_null(item);
        char why[QC_REASON_TEXT] = "";
        qc_verdict v = qc_evaluate_dose(item, &rows[i].r, rows[i].dose, why, sizeof why);
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
    const qc_spec_item item = {"dose_conc", "Concentration", QC_RULE_RANGE, 1,
                               2,           "M/mL",          true,          NULL};
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
    assert_int_equal(spec_of("uc-msc")->n_items, 18);
    assert_string_equal(spec_of("uc-msc")->version, "2026.2");
    /* the ISCT alternatives: CD14 or CD11b, CD79alpha or CD19 */
    const char *pairs[][2] = {{"cd14", "cd11b"}, {"cd79a", "cd19"}};
    for (size_t i = 0; i < 2; i++) {
        const qc_spec_item *a = qc_spec_item_find(spec_of("pl-msc"), pairs[i][0]);
        const qc_spec_item *b = qc_spec_item_find(spec_of("pl-msc"), pairs[i][1]);
        assert_non_null(a);
        assert_non_null(b);
        assert_non_null(a->one_of);
        assert_string_equal(a->one_of, b->one_of);
    }
    assert_string_not_equal(qc_spec_item_find(spec_of("uc-msc"), "cd14")->one_of,
                            qc_spec_item_find(spec_of("uc-msc"), "cd19")->one_of);
    assert_null(qc_spec_item_find(spec_of("uc-msc"), "cd34")->one_of);
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
    QUAL("sterility", false),
    QUAL("mycoplasma", false),
    NUM("endotoxin", 1.4, "EU/mL"),
    NUM("viability", 70, "%"),
    QUAL("plastic_adherence", true),
    NUM("cd73", 95, "%"),
    NUM("cd90", 98.1, "%"),
    NUM("cd105", 96, "%"),
    NUM("cd34", 2, "%"),
    NUM("cd45", 0.4, "%"),
    NUM("cd14", 2, "%"),
    NUM("cd79a", 0.3, "%"),
    NUM("hla_dr", 1.1, "%"),
    QUAL("diff_osteo", true),
    QUAL("diff_adipo", true),
    QUAL("diff_chondro", true),
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
        {"hla-dr missing",
         12,
         -1,
         {0},
         0,
         {0},
         QC_DONOR_ELIGIBLE,
         0,
         1,
         QC_BLOCK_MISSING,
         "hla_dr"},
        /* ISCT "CD14 or CD11b", "CD79alpha or CD19": one of each pair suffices */
        {"cd11b instead of cd14",
         -1,
         10,
         NUM("cd11b", 2, "%"),
         0,
         {0},
         QC_DONOR_ELIGIBLE,
         0,
         0,
         0,
         NULL},
        {"cd19 instead of cd79a",
         -1,
         11,
         NUM("cd19", 1, "%"),
         0,
         {0},
         QC_DONOR_ELIGIBLE,
         0,
         0,
         0,
         NULL},
        {"cd14 and cd11b both passing",
         -1,
         -1,
         {0},
         1,
         NUM("cd11b", 0.1, "%"),
         QC_DONOR_ELIGIBLE,
         0,
         0,
         0,
         NULL},
        {"neither cd14 nor cd11b",
         10,
         -1,
         {0},
         0,
         {0},
         QC_DONOR_ELIGIBLE,
         0,
         1,
         QC_BLOCK_MISSING,
         "cd14"},
        {"neither cd79a nor cd19",
         11,
         -1,
         {0},
         0,
         {0},
         QC_DONOR_ELIGIBLE,
         0,
         1,
         QC_BLOCK_MISSING,
         "cd79a"},
        {"cd14 missing, cd11b failed",
         10,
         -1,
         {0},
         1,
         NUM("cd11b", 2.01, "%"),
         QC_DONOR_ELIGIBLE,
         0,
         1,
         QC_BLOCK_FAILED,
         "cd11b"},
        {"cd79a passes, cd19 failed",
         -1,
         -1,
         {0},
         1,
         NUM("cd19", 5, "%"),
         QC_DONOR_ELIGIBLE,
         0,
         1,
         QC_BLOCK_FAILED,
         "cd19"},
        {"plastic adherence not observed",
         -1,
         4,
         QUAL("plastic_adherence", false),
         0,
         {0},
         QC_DONOR_ELIGIBLE,
         0,
         1,
         QC_BLOCK_FAILED,
         "plastic_adherence"},
        {"chondrogenic differentiation missing",
         15,
         -1,
         {0},
         0,
         {0},
         QC_DONOR_ELIGIBLE,
         0,
         1,
         QC_BLOCK_MISSING,
         "diff_chondro"},
        /* endotoxin against the strictest route and the dose */
        {"endotoxin above the intrathecal limit",
         -1,
         2,
         NUM("endotoxin", 1.41, "EU/mL"),
         0,
         {0},
         QC_DONOR_ELIGIBLE,
         0,
         1,
         QC_BLOCK_FAILED,
         "endotoxin"},
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
        {"failed then passing retest still blocks", -1, 5, NUM("cd73", 90, "%"), 1,
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
         NUM("cd117", 50, "%"),
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
        qc_release_input in = {spec, results, n, rows[i].donor, rows[i].deviations, {NULL, 10, 70}};
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

/* Release with the dose the store gives (lab_release.h): route unknown, so
 * the intrathecal K 0.2 EU/kg, 70 kg, the batch's largest unit volume. */
static void test_release_endotoxin_dose(void **state)
{
    (void)state;
    static const struct {
        double endotoxin, dose_ml;
        bool ready;
        qc_block_kind kind;
    } rows[] = {
        {1.4, 10, true, 0},                 /* 0.2 x 70 / 10 on the limit */
        {1.41, 10, false, QC_BLOCK_FAILED}, /* above it */
        {2.8, 5, true, 0},                  /* 0.2 x 70 / 5 */
        {2.81, 5, false, QC_BLOCK_FAILED},
        {0.14, 100, true, 0}, /* 0.2 x 70 / 100 */
        {0.15, 100, false, QC_BLOCK_FAILED},
        {0.1, 0, false, QC_BLOCK_INVALID}, /* no unit: no dose, no limit */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        qc_result results[N_MSC];
        memcpy(results, msc_pass, sizeof results);
        results[2].value = rows[i].endotoxin;
        qc_release_input in = {
            spec_of("bm-msc"), results, N_MSC,
            QC_DONOR_ELIGIBLE, 0,       {NULL, rows[i].dose_ml, QC_REFERENCE_BODY_KG}};
        qc_block blocks[4];
        size_t n = 0;
        bool ready = qc_release_check(&in, blocks, 4, &n);
        if (ready != rows[i].ready)
            fail_msg("row %zu: ready %d (%s)", i, ready, n ? blocks[0].message : "");
        if (!ready) {
            assert_int_equal(n, 1);
            assert_int_equal(blocks[0].kind, rows[i].kind);
            assert_string_equal(blocks[0].test, "endotoxin");
        }
    }
}

static void test_release_reason_order_and_cap(void **state)
{
    (void)state;
    /* No results at all: 16 missing (one per pair of alternatives), then
     * donor, then deviations. */
    static const char *const missing[] = {
        "sterility",   "mycoplasma", "endotoxin", "viability",  "plastic_adherence",
        "cd73",        "cd90",       "cd105",     "cd34",       "cd45",
        "cd14",        "cd79a",      "hla_dr",    "diff_osteo", "diff_adipo",
        "diff_chondro"};
    qc_release_input in = {spec_of("uc-msc"), NULL, 0, QC_DONOR_INCOMPLETE, 3, {NULL, 10, 70}};
    qc_block blocks[20];
    size_t n = 0;
    assert_false(qc_release_check(&in, blocks, 20, &n));
    assert_int_equal(n, 18);
    for (size_t i = 0; i < 16; i++) {
        assert_int_equal(blocks[i].kind, QC_BLOCK_MISSING);
        assert_string_equal(blocks[i].test, missing[i]);
    }
    assert_string_equal(blocks[0].message, "Sterility: no result");
    assert_string_equal(blocks[10].message,
                        "CD14+ cells or CD11b+ cells: no result (one of them is required)");
    assert_string_equal(blocks[11].message,
                        "CD79alpha+ cells or CD19+ cells: no result (one of them is required)");
    assert_int_equal(blocks[16].kind, QC_BLOCK_DONOR_INCOMPLETE);
    assert_int_equal(blocks[17].kind, QC_BLOCK_DEVIATION_OPEN);
    assert_string_equal(blocks[17].message, "3 deviations are still open");

    /* A small array gets the first reasons; the count is still the total. */
    qc_block two[2];
    assert_false(qc_release_check(&in, two, 2, &n));
    assert_int_equal(n, 18);
    assert_string_equal(two[1].test, "mycoplasma");
    assert_false(qc_release_check(&in, NULL, 0, &n));
    assert_int_equal(n, 18);
    assert_false(qc_release_check(&in, NULL, 5, NULL));

    /* No specification: blocks. */
    qc_release_input none = {NULL, NULL, 0, QC_DONOR_ELIGIBLE, 0, {NULL, 10, 70}};
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
    qc_release_input sec = {spec_of("secretome"), secretome, 8,
                            QC_DONOR_ELIGIBLE,    0,         {NULL, 5, 70}};
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
    assert_string_equal(qc_rule_name(QC_RULE_POSITIVE), "positive");
    assert_string_equal(qc_rule_name(QC_RULE_ENDOTOXIN), "endotoxin");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endotoxin_limit_table),
        cmocka_unit_test(test_evaluate_table),
        cmocka_unit_test(test_range_rule),
        cmocka_unit_test(test_spec_find),
        cmocka_unit_test(test_release_table),
        cmocka_unit_test(test_release_endotoxin_dose),
        cmocka_unit_test(test_release_reason_order_and_cap),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
