/* Unit tests of core/lab_rules (donor eligibility H13, reservation and issue
 * H2/H3/H7/H12) and of the ISBT 128 product-code helpers. Each table row's
 * expectation comes from the rule text in lab_rules.h / isbt128.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/donor_testing.h"
#include "core/isbt128.h"
#include "core/lab_rules.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

enum { COLLECTED = 20000 }; /* the collection date of every row below */

/* One eligibility case: the full panel sampled on the collection date, then
 * one marker dropped or changed, and optionally one more result. */
typedef struct {
    const char *source; /* the clause the expectation comes from */
    const char *kind;
    int days_before, days_after; /* -1: the kind's default window */
    bool consent, collected;
    const char *drop;                   /* marker without any result */
    const char *change, *change_result; /* marker whose result moves */
    int change_offset;                  /* its sample: COLLECTED + offset */
    const char *extra, *extra_result;   /* one more result */
    int extra_offset;
    cc_status expect;
    const char *code, *field;
} elig_row;

static cc_status run_row(const elig_row *r, const char *decision, cc_error *err)
{
    donor_result results[DONOR_MARKERS + 1];
    size_t n = 0;
    for (size_t i = 0; i < DONOR_MARKERS; i++) {
        const char *m = donor_marker_code(i);
        if (r->drop && strcmp(r->drop, m) == 0)
            continue;
        bool cmv = strcmp(m, "cmv") == 0; /* a positive CMV is recorded, not excluding */
        results[n] = (donor_result){m, cmv ? "positive" : "negative", COLLECTED};
        if (r->change && strcmp(r->change, m) == 0) {
            if (r->change_result)
                results[n].result = r->change_result;
            results[n].sampled_on = COLLECTED + r->change_offset;
        }
        n++;
    }
    if (r->extra)
        results[n++] = (donor_result){r->extra, r->extra_result, COLLECTED + r->extra_offset};
    donor_panel panel;
    donor_panel_default(r->kind, &panel);
    if (r->days_before >= 0)
        panel.days_before = r->days_before;
    if (r->days_after >= 0)
        panel.days_after = r->days_after;
    cc_date on = COLLECTED;
    donor_facts f = {&panel, r->consent, results, n, &on, r->collected ? 1 : 0};
    return donor_check_eligibility(decision, &f, err);
}

#define ALLO "allogeneic", -1, -1, true, true
#define AUTO "autologous", -1, -1, true, true
#define OK CC_OK, "", ""
#define MISSING(m) CC_CONFLICT, "marker_missing", m
#define NOT_NEG(m) CC_CONFLICT, "marker_not_negative", m
#define OUTSIDE(m) CC_CONFLICT, "marker_outside_window", m

static void test_eligibility_table(void **state)
{
    (void)state;
    static const elig_row rows[] = {
        {"2006/17/EC Annex II 1.1; 21 CFR 1271.85(a),(b)", ALLO, NULL, NULL, NULL, 0, NULL, NULL, 0,
         OK},
        /* every marker of the allogeneic default is needed */
        {"Annex II 1.1 HBsAg", ALLO, "hbsag", NULL, NULL, 0, NULL, NULL, 0, MISSING("hbsag")},
        {"Annex II 1.1 anti-HBc", ALLO, "anti-hbc", NULL, NULL, 0, NULL, NULL, 0,
         MISSING("anti-hbc")},
        {"Annex II 1.1 anti-HCV-Ab", ALLO, "anti-hcv", NULL, NULL, 0, NULL, NULL, 0,
         MISSING("anti-hcv")},
        {"Annex II 1.1 anti-HIV-1,2", ALLO, "anti-hiv-1-2", NULL, NULL, 0, NULL, NULL, 0,
         MISSING("anti-hiv-1-2")},
        {"Annex II 1.1 and 1.4 syphilis", ALLO, "syphilis", NULL, NULL, 0, NULL, NULL, 0,
         MISSING("syphilis")},
        {"1271.85(b)(1) HTLV-I/II, viable leukocyte-rich cells", ALLO, "htlv-1-2", NULL, NULL, 0,
         NULL, NULL, 0, MISSING("htlv-1-2")},
        {"1271.85(a) HIV-1 with NAT (FDA guidance)", ALLO, "nat-hiv", NULL, NULL, 0, NULL, NULL, 0,
         MISSING("nat-hiv")},
        {"1271.85(a) HCV with NAT (FDA guidance)", ALLO, "nat-hcv", NULL, NULL, 0, NULL, NULL, 0,
         MISSING("nat-hcv")},
        {"1271.85(a) HBV with NAT (FDA guidance)", ALLO, "nat-hbv", NULL, NULL, 0, NULL, NULL, 0,
         MISSING("nat-hbv")},
        {"1271.85(b)(2) CMV, viable leukocyte-rich cells", ALLO, "cmv", NULL, NULL, 0, NULL, NULL,
         0, MISSING("cmv")},
        /* results */
        {"Annex II 1.1: a reactive HBsAg excludes", ALLO, NULL, "hbsag", "positive", 0, NULL, NULL,
         0, NOT_NEG("hbsag")},
        {"Annex II 1.3: anti-HBc reactive needs a risk assessment, not a signature", ALLO, NULL,
         "anti-hbc", "indeterminate", 0, NULL, NULL, 0, NOT_NEG("anti-hbc")},
        {"1271.85(b)(2): a reactive CMV does not exclude (procedure)", ALLO, NULL, "cmv",
         "positive", 0, NULL, NULL, 0, OK},
        {"the latest result in the window counts: older positive, newer negative", ALLO, NULL,
         "nat-hcv", "positive", 0, "nat-hcv", "negative", 1, OK},
        {"the latest result counts: a newer positive after the window", ALLO, NULL, NULL, NULL, 0,
         "anti-hcv", "positive", 30, NOT_NEG("anti-hcv")},
        /* window, allogeneic default 0 before / 7 after (Annex II 2.5, inside 1271.80(b)) */
        {"Annex II 2.5: at the time of donation", ALLO, NULL, "syphilis", NULL, 0, NULL, NULL, 0,
         OK},
        {"Annex II 2.5: within seven days post donation (day 7)", ALLO, NULL, "syphilis", NULL, 7,
         NULL, NULL, 0, OK},
        {"Annex II 2.5: day 8 after is outside", ALLO, NULL, "syphilis", NULL, 8, NULL, NULL, 0,
         OUTSIDE("syphilis")},
        {"Annex II 2.5 without a 180-day retest: the day before is outside", ALLO, NULL, "anti-hbc",
         NULL, -1, NULL, NULL, 0, OUTSIDE("anti-hbc")},
        {"an earlier in-window negative does not cover a later positive in the window", ALLO, NULL,
         NULL, NULL, 0, "hbsag", "positive", 3, NOT_NEG("hbsag")},
        /* configured windows at the sources' bounds */
        {"1271.80(b): up to 7 days before recovery (day -7)", "allogeneic", 7, 7, true, true, NULL,
         "nat-hiv", NULL, -7, NULL, NULL, 0, OK},
        {"1271.80(b): day -8 is outside", "allogeneic", 7, 7, true, true, NULL, "nat-hiv", NULL, -8,
         NULL, NULL, 0, OUTSIDE("nat-hiv")},
        {"1271.80(b)(1); Annex II 2.5 with repeat testing: 30 days before", "allogeneic", 30, 7,
         true, true, NULL, "anti-hiv-1-2", NULL, -30, NULL, NULL, 0, OK},
        {"1271.80(b)(1): day -31 is outside", "allogeneic", 30, 7, true, true, NULL, "anti-hiv-1-2",
         NULL, -31, NULL, NULL, 0, OUTSIDE("anti-hiv-1-2")},
        {"a result outside the window and no collection yet: judged on results", "allogeneic", -1,
         -1, true, false, NULL, "anti-hiv-1-2", NULL, -100, NULL, NULL, 0, OK},
        /* autologous default: Annex I 2.1.1, the Annex II 1.1 minimum set */
        {"Annex I 2.1.1: autologous, the minimum set only", AUTO, "htlv-1-2", NULL, NULL, 0, "cmv",
         NULL, 0, OK},
        {"Annex I 2.1.1: autologous without NAT", AUTO, "nat-hiv", NULL, NULL, 0, NULL, NULL, 0,
         OK},
        {"Annex I 2.1.1: autologous without CMV", AUTO, "cmv", NULL, NULL, 0, NULL, NULL, 0, OK},
        {"Annex I 2.1.1: autologous still needs HBsAg", AUTO, "hbsag", NULL, NULL, 0, NULL, NULL, 0,
         MISSING("hbsag")},
        {"Annex I 2.1.1: autologous still needs anti-HBc", AUTO, "anti-hbc", NULL, NULL, 0, NULL,
         NULL, 0, MISSING("anti-hbc")},
        {"Annex II 2.5 window applies to autologous: day 8", AUTO, NULL, "anti-hcv", NULL, 8, NULL,
         NULL, 0, OUTSIDE("anti-hcv")},
        /* consent comes first */
        {"consent recorded", "allogeneic", -1, -1, false, true, NULL, NULL, NULL, 0, NULL, NULL, 0,
         CC_CONFLICT, "eligibility_not_met", "decision"},
    };
    for (size_t i = 0; i < N(rows); i++) {
        cc_error err;
        cc_error_clear(&err);
        cc_status st = run_row(&rows[i], "eligible", &err);
        if (st != rows[i].expect || strcmp(err.code, rows[i].code) != 0 ||
            strcmp(err.field, rows[i].field) != 0)
            fail_msg("row %zu (%s): got %d %s %s (%s)", i, rows[i].source, st, err.code, err.field,
                     err.message);
    }
    /* ineligible and incomplete are always recordable; decisions are exact words */
    elig_row nothing = {"",   "allogeneic", -1, -1,   false, true, "hbsag",
                        NULL, NULL,         0,  NULL, NULL,  0,    OK};
    cc_error err;
    assert_int_equal(run_row(&nothing, "ineligible", &err), CC_OK);
    assert_int_equal(run_row(&nothing, "incomplete", &err), CC_OK);
    assert_int_equal(run_row(&nothing, "Eligible", &err), CC_INVALID);
    assert_string_equal(err.field, "decision");
    assert_int_equal(run_row(&nothing, NULL, &err), CC_INVALID);
}

static void test_donor_panels(void **state)
{
    (void)state;
    donor_panel p, q;
    donor_panel_default("allogeneic", &p);
    assert_int_equal(p.days_before, 0);
    assert_int_equal(p.days_after, 7);
    assert_int_equal(p.need[donor_marker_index("cmv")], DONOR_NEED_RESULT);
    donor_panel_default("autologous", &p);
    assert_int_equal(p.need[donor_marker_index("nat-hbv")], DONOR_NEED_NONE);
    assert_int_equal(p.need[donor_marker_index("anti-hbc")], DONOR_NEED_NEGATIVE);
    /* stored form round trip */
    p.days_before = 30;
    p.need[donor_marker_index("htlv-1-2")] = DONOR_NEED_RESULT;
    char text[DONOR_PANEL_TEXT];
    donor_panel_format(&p, text);
    assert_true(donor_panel_parse("autologous", text, &q));
    assert_memory_equal(&p, &q, sizeof p);
    assert_false(donor_panel_parse("autologous", "hbsag=maybe;0;7", &q));
    assert_false(donor_panel_parse("autologous", "hiv=negative;0;7", &q));
    assert_false(donor_panel_parse("autologous", "hbsag=negative;0", &q));
    /* window bounds from the sources: 30 before (1271.80(b)(1)), 7 after (1271.80(b)) */
    cc_error err;
    p.days_before = 31;
    assert_int_equal(donor_panel_check(&p, &err), CC_INVALID);
    assert_string_equal(err.field, "days_before");
    p.days_before = 30;
    p.days_after = 8;
    assert_int_equal(donor_panel_check(&p, &err), CC_INVALID);
    assert_string_equal(err.field, "days_after");
    p.days_after = 7;
    assert_int_equal(donor_panel_check(&p, &err), CC_OK);
    /* vocabulary: the old codes are no markers */
    assert_int_equal(donor_marker_index("hiv"), -1);
    assert_int_equal(donor_marker_index("anti-hiv-1-2"), 3);
    assert_null(donor_marker_code(DONOR_MARKERS));
    assert_string_equal(donor_marker_label("htlv-1-2"), "anti-HTLV-I/II");
    assert_true(donor_result_is_valid("indeterminate"));
    assert_false(donor_result_is_valid("neg"));
}

static void test_vocabularies(void **state)
{
    (void)state;
    assert_true(lab_product_type_is_valid("uc-msc"));
    assert_true(lab_product_type_is_valid("secretome"));
    assert_false(lab_product_type_is_valid("UC-MSC"));
    assert_false(lab_product_type_is_valid(NULL));
    assert_string_equal(lab_product_type_label("ucb-sc"), "UCB-SC");
    assert_true(lab_source_is_valid("cord-tissue"));
    assert_false(lab_source_is_valid("blood"));
    assert_true(lab_step_is_valid("cm-harvest"));
    assert_false(lab_step_is_valid(""));
}

enum { TODAY = 20000, P1 = 1, P2 = 2 };

static void test_reserve_table(void **state)
{
    (void)state;
    const lab_unit allo = {UNIT_RELEASED, TODAY, "uc-msc", 100000000u, 0, 0, 0};
    const lab_unit auto1 = {UNIT_RELEASED, TODAY, "bm-msc", 100000000u, P1, 0, 0};
    const struct {
        lab_unit u;
        lab_reservation r;
        cc_date on;
        cc_status expect;
        const char *code;
    } rows[] = {
        {allo, {P1, "uc-msc", 0}, TODAY, CC_OK, ""},
        {allo, {P2, "uc-msc", 100000000u}, TODAY, CC_OK, ""},                    /* exact dose */
        {allo, {P2, "uc-msc", 91000000u}, TODAY, CC_OK, ""},                     /* within +10 % */
        {allo, {P2, "uc-msc", 90000000u}, TODAY, CC_CONFLICT, "dose_mismatch"},  /* +11.1 % */
        {allo, {P2, "uc-msc", 100000001u}, TODAY, CC_CONFLICT, "dose_mismatch"}, /* short */
        {allo, {P1, "bm-msc", 0}, TODAY, CC_CONFLICT, "product_type_mismatch"},
        {allo, {P1, "uc-msc", 0}, TODAY + 1, CC_CONFLICT, "unit_expired"}, /* H3 */
        {allo, {0, "uc-msc", 0}, TODAY, CC_INVALID, "required"},
        {allo, {P1, "nope", 0}, TODAY, CC_INVALID, "invalid_value"},
        {auto1, {P1, "bm-msc", 0}, TODAY, CC_OK, ""},
        {auto1, {P2, "bm-msc", 0}, TODAY, CC_CONFLICT, "autologous_other_patient"}, /* H7 */
        {{UNIT_QUARANTINE, TODAY, "uc-msc", 1, 0, 0, 0},
         {P1, "uc-msc", 0},
         TODAY,
         CC_CONFLICT,
         "unit_not_released"}, /* H2 */
        {{UNIT_RESERVED, TODAY, "uc-msc", 1, 0, P1, 0},
         {P1, "uc-msc", 0},
         TODAY,
         CC_CONFLICT,
         "unit_not_released"},
    };
    for (size_t i = 0; i < N(rows); i++) {
        cc_error err;
        cc_error_clear(&err);
        cc_status st = lab_check_reserve(&rows[i].u, &rows[i].r, rows[i].on, &err);
        if (st != rows[i].expect)
            fail_msg("row %zu: got %d (%s)", i, st, err.message);
        assert_string_equal(err.code, rows[i].code);
    }
}

static void test_issue_and_administer_table(void **state)
{
    (void)state;
    const struct {
        lab_unit u;
        int64_t patient;
        cc_date on;
        bool administer;
        cc_status expect;
        const char *code;
    } rows[] = {
        {{UNIT_RELEASED, TODAY, "uc-msc", 1, 0, 0, 0}, P1, TODAY, false, CC_OK, ""},
        {{UNIT_RESERVED, TODAY, "uc-msc", 1, 0, P1, 0}, P1, TODAY, false, CC_OK, ""},
        {{UNIT_RESERVED, TODAY, "uc-msc", 1, 0, P1, 0},
         P2,
         TODAY,
         false,
         CC_CONFLICT,
         "patient_mismatch"},
        {{UNIT_RELEASED, TODAY, "bm-msc", 1, P1, 0, 0},
         P2,
         TODAY,
         false,
         CC_CONFLICT,
         "autologous_other_patient"}, /* H7 */
        {{UNIT_RELEASED, TODAY, "uc-msc", 1, 0, 0, 0}, 0, TODAY, false, CC_INVALID, "required"},
        {{UNIT_RELEASED, TODAY, "uc-msc", 1, 0, 0, 0},
         P1,
         TODAY + 1,
         false,
         CC_CONFLICT,
         "unit_expired"},
        {{UNIT_QUARANTINE, TODAY, "uc-msc", 1, 0, 0, 0},
         P1,
         TODAY,
         false,
         CC_CONFLICT,
         "unit_not_released"},
        {{UNIT_ISSUED, TODAY, "uc-msc", 1, 0, 0, P1},
         P1,
         TODAY,
         false,
         CC_CONFLICT,
         "unit_not_released"}, /* H12 */
        {{UNIT_ADMINISTERED, TODAY, "uc-msc", 1, 0, 0, P1},
         P1,
         TODAY,
         false,
         CC_CONFLICT,
         "unit_already_administered"},
        {{UNIT_ISSUED, TODAY, "uc-msc", 1, 0, 0, P1}, P1, TODAY, true, CC_OK, ""},
        {{UNIT_ISSUED, TODAY, "uc-msc", 1, 0, 0, P1},
         P2,
         TODAY,
         true,
         CC_CONFLICT,
         "patient_mismatch"},
        {{UNIT_ISSUED, TODAY, "bm-msc", 1, P1, 0, P2},
         P2,
         TODAY,
         true,
         CC_CONFLICT,
         "autologous_other_patient"},
        {{UNIT_ISSUED, TODAY, "uc-msc", 1, 0, 0, P1},
         P1,
         TODAY + 1,
         true,
         CC_CONFLICT,
         "unit_expired"},
        {{UNIT_ADMINISTERED, TODAY, "uc-msc", 1, 0, 0, P1},
         P1,
         TODAY,
         true,
         CC_CONFLICT,
         "unit_already_administered"},
        {{UNIT_RELEASED, TODAY, "uc-msc", 1, 0, 0, 0},
         P1,
         TODAY,
         true,
         CC_CONFLICT,
         "unit_not_issued"},
    };
    for (size_t i = 0; i < N(rows); i++) {
        cc_error err;
        cc_error_clear(&err);
        cc_status st = rows[i].administer
                           ? lab_check_administer(&rows[i].u, rows[i].patient, rows[i].on, &err)
                           : lab_check_issue(&rows[i].u, rows[i].patient, rows[i].on, &err);
        if (st != rows[i].expect)
            fail_msg("row %zu: got %d (%s)", i, st, err.message);
        assert_string_equal(err.code, rows[i].code);
    }
}

static void test_product_code(void **state)
{
    (void)state;
    const struct {
        const char *pdc;
        char type;
        int division;
        const char *expect; /* NULL: refused */
    } rows[] = {
        {"S1234", '0', 0, "=<S1234000"}, /* "=<" + PDC + t + "00" undivided */
        {"S1234", '0', 1, "=<S12340A0"}, /* first division A0 */
        {"E0001", 'V', 26, "=<E0001VZ0"}, {"S1234", '0', 27, NULL},
        {"S1234", '0', -1, NULL},         {"s1234", '0', 0, NULL}, /* uppercase only */
        {"S123", '0', 0, NULL},           {"S12345", '0', 0, NULL},
        {"11234", '0', 0, NULL},         /* first character is a letter */
        {"S12A4", '1', 0, "=<S12A4100"}, /* letters or digits after the first */
        {"S1234", 'v', 0, NULL},
    };
    for (size_t i = 0; i < N(rows); i++) {
        char out[ISBT128_PRODUCT_SCAN_TEXT];
        cc_error err;
        cc_status st = isbt128_product_scan(rows[i].pdc, rows[i].type, rows[i].division, out, &err);
        if (rows[i].expect) {
            if (st != CC_OK)
                fail_msg("row %zu refused: %s", i, err.message);
            assert_string_equal(out, rows[i].expect);
        } else if (st == CC_OK) {
            fail_msg("row %zu accepted", i);
        }
    }
}

/* Unit creation: the batch must still be in process, the ISBT 128 product
 * description code must be one the site is licensed for (configured and
 * active, isbt128.h data structure 003) and describe the batch's product
 * type, and a division (1..26) is used once per batch. */
static void test_unit_create_table(void **state)
{
    (void)state;
    const struct {
        lab_unit_origin o;
        cc_status expect;
        const char *code, *field;
    } rows[] = {
        /* a licensed code of the batch's type, undivided: accepted */
        {{"in_process", "uc-msc", "S1234", true, true, "uc-msc", 0, false}, CC_OK, "", ""},
        /* division 0 is "undivided" ("00"): never a duplicate */
        {{"in_process", "uc-msc", "S1234", true, true, "uc-msc", 0, true}, CC_OK, "", ""},
        /* division 26 (Z0), the last one, free: accepted */
        {{"in_process", "uc-msc", "S1234", true, true, "uc-msc", 26, false}, CC_OK, "", ""},
        /* released and rejected batches are final: no new unit */
        {{"released", "uc-msc", "S1234", true, true, "uc-msc", 0, false},
         CC_CONFLICT,
         "batch_closed",
         "status"},
        {{"rejected", "uc-msc", "S1234", true, true, "uc-msc", 0, false},
         CC_CONFLICT,
         "batch_closed",
         "status"},
        /* the closed batch is named before any code problem */
        {{"released", "uc-msc", "S7777", false, false, "", 0, false},
         CC_CONFLICT,
         "batch_closed",
         "status"},
        /* a code the site never configured: not licensed here */
        {{"in_process", "uc-msc", "S7777", false, false, "", 0, false},
         CC_INVALID,
         "unknown_product_code",
         "product_code"},
        /* a configured code the site withdrew: not licensed any more */
        {{"in_process", "uc-msc", "S1234", true, false, "uc-msc", 0, false},
         CC_INVALID,
         "unknown_product_code",
         "product_code"},
        /* a licensed code of another product: the label would describe another product */
        {{"in_process", "uc-msc", "S2000", true, true, "secretome", 0, false},
         CC_INVALID,
         "product_type_mismatch",
         "product_code"},
        /* a division already used in the batch: two units would share one identity */
        {{"in_process", "uc-msc", "S1234", true, true, "uc-msc", 3, true},
         CC_CONFLICT,
         "duplicate",
         "division"},
    };
    for (size_t i = 0; i < N(rows); i++) {
        cc_error err = {0};
        cc_status st = lab_check_unit_create(&rows[i].o, &err);
        if (st != rows[i].expect)
            fail_msg("row %zu: status %d, expected %d (%s)", i, st, rows[i].expect, err.message);
        if (st != CC_OK) {
            assert_string_equal(err.code, rows[i].code);
            assert_string_equal(err.field, rows[i].field);
        }
    }
    cc_error err = {0};
    assert_int_equal(lab_check_batch_open("in_process", &err), CC_OK);
    assert_int_equal(lab_check_batch_open(NULL, &err), CC_CONFLICT); /* unknown state: closed */
}

/* The laboratory's actions on one unit (lab_decide_unit_action, the order
 * of lab_rules.h). Day 100 is today; the unit expires on day 200 unless a
 * row says otherwise; patient 7 is on record. */
static void test_unit_action_table(void **state)
{
    (void)state;
    enum { NOW = 100, LATER = 200, PAST = 99 };
    const lab_unit_facts released = {.batch_status = "released",
                                     .batch_passes_release = true,
                                     .release_block = "",
                                     .patient_exists = true};
    const lab_unit_facts blocked = {
        .batch_status = "released", .release_block = "sterility missing", .patient_exists = true};
    const lab_unit_facts in_process = {
        .batch_status = "in_process", .release_block = "", .patient_exists = true};
    const lab_unit_facts no_patient = {
        .batch_status = "released", .batch_passes_release = true, .release_block = ""};
    /* the planned administration 2 of plan 3, patient 7's, uc-msc */
#define ITEM(found_, patient_, active_, given_, product_)                                          \
    {                                                                                              \
        .batch_status = "released", .batch_passes_release = true, .release_block = "",             \
        .patient_exists = true, .item = {                                                          \
            .found = found_,                                                                       \
            .patient_id = patient_,                                                                \
            .active = active_,                                                                     \
            .given = given_,                                                                       \
            .product_type = product_,                                                              \
            .ref = "plan:3:2"                                                                      \
        }                                                                                          \
    }
    const lab_unit_facts item_ok = ITEM(true, 7, true, false, "uc-msc");
    const lab_unit_facts item_missing = ITEM(false, 0, false, false, "");
    const lab_unit_facts item_other = ITEM(true, 8, true, false, "uc-msc");
    const lab_unit_facts item_closed = ITEM(true, 7, false, false, "uc-msc");
    const lab_unit_facts item_given = ITEM(true, 7, true, true, "uc-msc");
    const lab_unit_facts item_bm = ITEM(true, 7, true, false, "bm-msc");
#undef ITEM
#define PLANNED                                                                                    \
    {                                                                                              \
        .event = UNIT_EV_RESERVE, .patient_id = 7, .product_type = "uc-msc", .plan_id = 3,         \
        .plan_item = 2                                                                             \
    }
    const struct {
        unit_state from;
        cc_date expiry;
        int64_t reserved;
        lab_unit_request r;
        const lab_unit_facts *f;
        cc_status expect;
        const char *code;
        unit_state to;
    } rows[] = {
        /* hold, discard, restock and return need a reason */
        {UNIT_RELEASED,
         LATER,
         0,
         {.event = UNIT_EV_HOLD, .reason = "  "},
         &released,
         CC_INVALID,
         "reason_required",
         0},
        {UNIT_RELEASED,
         LATER,
         0,
         {.event = UNIT_EV_HOLD, .reason = "late QC"},
         &released,
         CC_OK,
         "",
         UNIT_QUARANTINE},
        /* H3: an expired unit in the lab is issued to no one, but may be discarded or expired */
        {UNIT_RELEASED,
         PAST,
         0,
         {.event = UNIT_EV_ISSUE, .patient_id = 7, .ward = "W"},
         &released,
         CC_CONFLICT,
         "unit_expired",
         0},
        {UNIT_RELEASED,
         PAST,
         0,
         {.event = UNIT_EV_DISCARD, .reason = "expired"},
         &released,
         CC_OK,
         "",
         UNIT_DISCARDED},
        {UNIT_RELEASED, PAST, 0, {.event = UNIT_EV_EXPIRE}, &released, CC_OK, "", UNIT_EXPIRED},
        /* H3: usable through its expiry day */
        {UNIT_RELEASED,
         NOW,
         0,
         {.event = UNIT_EV_EXPIRE},
         &released,
         CC_CONFLICT,
         "not_expired",
         0},
        /* H2, H13: a held unit goes back only when its batch is released and still passes */
        {UNIT_QUARANTINE,
         LATER,
         0,
         {.event = UNIT_EV_RELEASE},
         &in_process,
         CC_CONFLICT,
         "batch_not_released",
         0},
        {UNIT_QUARANTINE,
         LATER,
         0,
         {.event = UNIT_EV_RELEASE},
         &blocked,
         CC_CONFLICT,
         "release_blocked",
         0},
        {UNIT_QUARANTINE,
         LATER,
         0,
         {.event = UNIT_EV_RELEASE},
         &released,
         CC_OK,
         "",
         UNIT_RELEASED},
        /* a wrong state is named as such, before the batch */
        {UNIT_ISSUED,
         LATER,
         0,
         {.event = UNIT_EV_RELEASE},
         &in_process,
         CC_CONFLICT,
         "invalid_transition",
         0},
        /* reservation and issue name a patient on record */
        {UNIT_RELEASED,
         LATER,
         0,
         {.event = UNIT_EV_RESERVE, .patient_id = 7, .product_type = "uc-msc"},
         &no_patient,
         CC_NOT_FOUND,
         "not_found",
         0},
        {UNIT_RELEASED,
         LATER,
         0,
         {.event = UNIT_EV_RESERVE, .patient_id = 7, .product_type = "uc-msc"},
         &released,
         CC_OK,
         "",
         UNIT_RESERVED},
        /* reserved for a planned administration: the patient's, of an
         * active plan, not given, of the unit's product */
        {UNIT_RELEASED, LATER, 0, PLANNED, &item_ok, CC_OK, "", UNIT_RESERVED},
        {UNIT_RELEASED, LATER, 0, PLANNED, &item_missing, CC_NOT_FOUND, "not_found", 0},
        {UNIT_RELEASED, LATER, 0, PLANNED, &item_other, CC_CONFLICT, "plan_other_patient", 0},
        {UNIT_RELEASED, LATER, 0, PLANNED, &item_closed, CC_CONFLICT, "plan_not_active", 0},
        {UNIT_RELEASED, LATER, 0, PLANNED, &item_given, CC_CONFLICT, "item_already_given", 0},
        {UNIT_RELEASED, LATER, 0, PLANNED, &item_bm, CC_CONFLICT, "product_type_mismatch", 0},
        /* issue without a patient goes to the reserved one */
        {UNIT_RESERVED,
         LATER,
         7,
         {.event = UNIT_EV_ISSUE, .ward = "W"},
         &released,
         CC_OK,
         "",
         UNIT_ISSUED},
        /* H12: issued once */
        {UNIT_ISSUED,
         LATER,
         7,
         {.event = UNIT_EV_ISSUE, .patient_id = 7, .ward = "W"},
         &released,
         CC_CONFLICT,
         "unit_not_released",
         0},
        /* only the bedside administers */
        {UNIT_ISSUED,
         LATER,
         7,
         {.event = UNIT_EV_ADMINISTER, .patient_id = 7},
         &released,
         CC_INVALID,
         "bedside_only",
         0},
        /* return clears issue and reservation */
        {UNIT_ISSUED,
         LATER,
         7,
         {.event = UNIT_EV_RETURN, .reason = "not given"},
         &released,
         CC_OK,
         "",
         UNIT_RETURNED},
    };
#undef PLANNED
    for (size_t i = 0; i < N(rows); i++) {
        lab_unit u = {rows[i].from,
                      rows[i].expiry,
                      "uc-msc",
                      100000000,
                      0,
                      rows[i].reserved,
                      rows[i].from == UNIT_ISSUED ? 7 : 0};
        lab_unit_change c;
        cc_error err = {0};
        cc_status st = lab_decide_unit_action(&u, &rows[i].r, rows[i].f, NOW, &c, &err);
        if (st != rows[i].expect)
            fail_msg("row %zu: status %d, expected %d (%s)", i, st, rows[i].expect, err.message);
        if (st != CC_OK)
            assert_string_equal(err.code, rows[i].code);
        else
            assert_int_equal(c.to, rows[i].to);
        if (st == CC_OK && rows[i].r.event == UNIT_EV_ISSUE)
            assert_int_equal(c.issued_patient_id, 7);
        if (st == CC_OK && rows[i].r.event == UNIT_EV_RETURN)
            assert_true(c.issued_patient_id == 0 && c.reserved_patient_id == 0);
        if (st == CC_OK && rows[i].r.event == UNIT_EV_HOLD)
            assert_int_equal(c.reserved_patient_id, -1); /* a hold keeps the reservation */
        /* the reservation records the planned administration the bedside compares */
        if (st == CC_OK && rows[i].r.event == UNIT_EV_RESERVE)
            assert_string_equal(c.reserved_for, rows[i].r.plan_id ? "plan:3:2" : "");
    }
    /* storage moves: only units in the lab's storage; issued, administered
     * and discarded units have left it */
    for (int s = 0; s < UNIT_STATE_COUNT; s++) {
        lab_unit u = {(unit_state)s, LATER, "uc-msc", 1, 0, 0, 0};
        cc_error err = {0};
        bool stored = s != UNIT_ISSUED && s != UNIT_ADMINISTERED && s != UNIT_DISCARDED;
        assert_int_equal(lab_check_unit_move(&u, &err), stored ? CC_OK : CC_CONFLICT);
        assert_true(lab_unit_in_storage((unit_state)s) == stored);
    }
}

/* A QC result against the batch's specification (lab_check_qc_result, the
 * rules of lab_rules.h; uc-msc: sterility qualitative, viability >= 70 %,
 * plastic adherence and differentiation qualitative "observed" (ISCT 2006),
 * endotoxin <= K/M: 0.2 EU/kg x 70 kg / 10 mL = 1.4 EU/mL intrathecal). */
static void test_qc_result_table(void **state)
{
    (void)state;
    static const qc_dose it10 = {"intrathecal", 10, 70};
    const struct {
        const char *product_type;
        qc_result r;
        bool detected_given, value_given;
        cc_status expect;
        const char *code, *field;
        qc_verdict verdict;
        bool quantitative;
        const qc_dose *dose;
    } rows[] = {
        /* ISCT qualitative criteria: observed passes, not observed fails, never a value */
        {"uc-msc",
         {.test = "plastic_adherence", .detected = true},
         true,
         false,
         CC_OK,
         "",
         "",
         QC_PASS,
         false,
         NULL},
        {"bm-msc",
         {.test = "diff_chondro", .detected = false},
         true,
         false,
         CC_OK,
         "",
         "",
         QC_FAIL,
         false,
         NULL},
        {"ad-msc",
         {.test = "diff_osteo"},
         false,
         false,
         CC_INVALID,
         "required",
         "detected",
         0,
         false,
         NULL},
        {"uc-msc",
         {.test = "diff_adipo", .detected = true, .unit = "%"},
         true,
         false,
         CC_INVALID,
         "unexpected",
         "unit",
         0,
         false,
         NULL},
        /* endotoxin against the dose given: on the limit, above it, and no dose */
        {"uc-msc",
         {.test = "endotoxin", .value = 1.4, .unit = "EU/mL"},
         false,
         true,
         CC_OK,
         "",
         "",
         QC_PASS,
         true,
         &it10},
        {"uc-msc",
         {.test = "endotoxin", .value = 1.41, .unit = "EU/mL"},
         false,
         true,
         CC_OK,
         "",
         "",
         QC_FAIL,
         true,
         &it10},
        {"secretome",
         {.test = "endotoxin", .value = 0.1, .unit = "EU/mL"},
         false,
         true,
         CC_OK,
         "",
         "",
         QC_INVALID,
         true,
         NULL},
        /* no specification for the product type */
        {"none",
         {.test = "sterility"},
         true,
         false,
         CC_CONFLICT,
         "no_qc_spec",
         "test",
         0,
         false,
         NULL},
        /* a test the specification does not list */
        {"uc-msc",
         {.test = "bogus"},
         true,
         false,
         CC_INVALID,
         "invalid_value",
         "test",
         0,
         false,
         NULL},
        /* a final qualitative result without detected is never a pass */
        {"uc-msc",
         {.test = "sterility"},
         false,
         false,
         CC_INVALID,
         "required",
         "detected",
         0,
         false,
         NULL},
        /* a final quantitative result without value is never a pass */
        {"uc-msc",
         {.test = "viability", .unit = "%"},
         false,
         false,
         CC_INVALID,
         "required",
         "value",
         0,
         false,
         NULL},
        /* a qualitative test has no unit */
        {"uc-msc",
         {.test = "sterility", .unit = "%"},
         true,
         false,
         CC_INVALID,
         "unexpected",
         "unit",
         0,
         false,
         NULL},
        /* pending: nothing to give yet, nothing stored as a value */
        {"uc-msc",
         {.test = "viability", .pending = true, NULL},
         false,
         false,
         CC_OK,
         "",
         "",
         QC_PENDING,
         false,
         NULL},
        {"uc-msc",
         {.test = "sterility", .detected = false},
         true,
         false,
         CC_OK,
         "",
         "",
         QC_PASS,
         false,
         NULL},
        {"uc-msc",
         {.test = "sterility", .detected = true},
         true,
         false,
         CC_OK,
         "",
         "",
         QC_FAIL,
         false,
         NULL},
        {"uc-msc",
         {.test = "viability", .value = 92, .unit = "%"},
         false,
         true,
         CC_OK,
         "",
         "",
         QC_PASS,
         true,
         NULL},
        {"uc-msc",
         {.test = "viability", .value = 60, .unit = "%"},
         false,
         true,
         CC_OK,
         "",
         "",
         QC_FAIL,
         true,
         NULL},
    };
    for (size_t i = 0; i < N(rows); i++) {
        qc_verdict v = QC_INVALID;
        bool quantitative = true;
        char why[QC_REASON_TEXT];
        cc_error err = {0};
        cc_status st =
            lab_check_qc_result(rows[i].product_type, &rows[i].r, rows[i].detected_given,
                                rows[i].value_given, rows[i].dose, &v, &quantitative, why, &err);
        if (st != rows[i].expect)
            fail_msg("row %zu: status %d, expected %d (%s)", i, st, rows[i].expect, err.message);
        if (st != CC_OK) {
            assert_string_equal(err.code, rows[i].code);
            assert_string_equal(err.field, rows[i].field);
            continue;
        }
        if (v != rows[i].verdict || quantitative != rows[i].quantitative)
            fail_msg("row %zu: verdict %d quantitative %d", i, v, quantitative);
    }
    /* a signed determination changes only with a reason, and "ineligible" always needs one */
    assert_false(lab_eligibility_needs_reason("incomplete", "eligible"));
    assert_false(lab_eligibility_needs_reason("incomplete", "incomplete"));
    assert_true(lab_eligibility_needs_reason("incomplete", "ineligible"));
    assert_true(lab_eligibility_needs_reason("eligible", "incomplete"));
    assert_true(lab_eligibility_needs_reason("ineligible", "eligible"));
}

/* H14: freezing and thaw records, rows from the rule text in lab_rules.h. */
static void test_cryo_table(void **state)
{
    (void)state;
    enum { NOW = 2000000000, FROZE = NOW - 30 * 86400 };
    const lab_cryo_facts fresh = {false, false, 0, UNIT_RELEASED},
                         frozen = {true, false, FROZE, UNIT_ISSUED},
                         thawed = {true, true, FROZE, UNIT_ISSUED},
                         given = {true, false, FROZE, UNIT_ADMINISTERED},
                         binned = {true, false, FROZE, UNIT_DISCARDED},
                         old = {true, false, FROZE, UNIT_EXPIRED};
    const struct {
        bool thaw;
        const lab_cryo_facts *u;
        int percent, rate;
        int64_t at;
        cc_status expect;
        const char *code, *field;
    } rows[] = {
        {false, &fresh, 100, 10, NOW - 86400, CC_OK, "", ""},
        {false, &fresh, 1, 1, NOW, CC_OK, "", ""}, /* lowest values, frozen now */
        {false, &fresh, 1000, 1000, NOW, CC_OK, "", ""},
        {false, &frozen, 100, 10, NOW, CC_CONFLICT, "already_frozen", "unit"},
        {false, &fresh, 0, 10, NOW, CC_INVALID, "out_of_range", "cryoprotectant_percent"},
        {false, &fresh, 1001, 10, NOW, CC_INVALID, "out_of_range", "cryoprotectant_percent"},
        {false, &fresh, 100, 0, NOW, CC_INVALID, "out_of_range", "rate_c_per_min"},
        {false, &fresh, 100, 1001, NOW, CC_INVALID, "out_of_range", "rate_c_per_min"},
        {false, &fresh, 100, 10, NOW + 1, CC_INVALID, "in_future", "frozen_at"},
        /* thaw: percent is the viability, rate unused */
        {true, &frozen, 900, 0, NOW, CC_OK, "", ""},
        {true, &frozen, 0, 0, FROZE, CC_OK, "", ""}, /* 0 % recorded as measured */
        {true, &frozen, 1000, 0, NOW, CC_OK, "", ""},
        {true, &fresh, 900, 0, NOW, CC_CONFLICT, "not_frozen", "unit"},
        {true, &thawed, 900, 0, NOW, CC_CONFLICT, "already_thawed", "unit"},
        {true, &given, 900, 0, NOW, CC_CONFLICT, "wrong_state", "unit"},
        {true, &binned, 900, 0, NOW, CC_CONFLICT, "wrong_state", "unit"},
        {true, &old, 900, 0, NOW, CC_CONFLICT, "wrong_state", "unit"},
        {true, &frozen, -1, 0, NOW, CC_INVALID, "out_of_range", "viability_percent"},
        {true, &frozen, 1001, 0, NOW, CC_INVALID, "out_of_range", "viability_percent"},
        {true, &frozen, 900, 0, NOW + 1, CC_INVALID, "in_future", "thawed_at"},
        {true, &frozen, 900, 0, FROZE - 1, CC_INVALID, "before_freezing", "thawed_at"},
    };
    for (size_t i = 0; i < N(rows); i++) {
        cc_error e = {0};
        cc_status st =
            rows[i].thaw
                ? lab_check_thaw(rows[i].u, rows[i].percent, rows[i].at, NOW, &e)
                : lab_check_freezing(rows[i].u, rows[i].percent, rows[i].rate, rows[i].at, NOW, &e);
        if (st != rows[i].expect || strcmp(e.code, rows[i].code) != 0 ||
            strcmp(e.field, rows[i].field) != 0)
            fail_msg("row %zu: got %d %s %s", i, st, e.code, e.field);
    }
    const struct {
        int hours, min;
        const char *field;
    } settings[] = {
        {1, 0, ""},
        {168, 1000, ""},
        {2, 700, ""},
        {0, 700, "post_thaw_hours"},
        {169, 700, "post_thaw_hours"},
        {2, -1, "min_viability_percent"},
        {2, 1001, "min_viability_percent"},
    };
    for (size_t i = 0; i < N(settings); i++) {
        cc_error e = {0};
        cc_status st = lab_check_cryo_settings(settings[i].hours, settings[i].min, &e);
        assert_int_equal(st, *settings[i].field ? CC_INVALID : CC_OK);
        assert_string_equal(e.field, settings[i].field);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eligibility_table),
        cmocka_unit_test(test_donor_panels),
        cmocka_unit_test(test_vocabularies),
        cmocka_unit_test(test_reserve_table),
        cmocka_unit_test(test_issue_and_administer_table),
        cmocka_unit_test(test_product_code),
        cmocka_unit_test(test_unit_create_table),
        cmocka_unit_test(test_unit_action_table),
        cmocka_unit_test(test_qc_result_table),
        cmocka_unit_test(test_cryo_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
