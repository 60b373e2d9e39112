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

#include "core/isbt128.h"
#include "core/lab_rules.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const lab_screening ALL_NEGATIVE[] = {
    {"hiv", "negative", 100},      {"hbv", "negative", 100},  {"hcv", "negative", 100},
    {"syphilis", "negative", 100}, {"htlv", "negative", 100}, {"cmv", "positive", 100},
};

static void test_eligibility_table(void **state)
{
    (void)state;
    lab_screening hiv_pos_then_neg[N(ALL_NEGATIVE) + 1];
    memcpy(hiv_pos_then_neg, ALL_NEGATIVE, sizeof ALL_NEGATIVE);
    hiv_pos_then_neg[0].result = "positive";
    hiv_pos_then_neg[0].sampled_on = 90; /* older positive ... */
    hiv_pos_then_neg[N(ALL_NEGATIVE)] =
        (lab_screening){"hiv", "negative", 101}; /* ... newer negative */
    lab_screening newer_positive[N(ALL_NEGATIVE) + 1];
    memcpy(newer_positive, ALL_NEGATIVE, sizeof ALL_NEGATIVE);
    newer_positive[N(ALL_NEGATIVE)] = (lab_screening){"hcv", "positive", 101};
    lab_screening indeterminate[N(ALL_NEGATIVE)];
    memcpy(indeterminate, ALL_NEGATIVE, sizeof ALL_NEGATIVE);
    indeterminate[4].result = "indeterminate";
    const struct {
        const char *decision;
        bool consent;
        const lab_screening *tests;
        size_t n;
        cc_status expect;
        const char *code;
    } rows[] = {
        {"eligible", true, ALL_NEGATIVE, N(ALL_NEGATIVE), CC_OK, ""}, /* CMV positive allowed */
        {"eligible", false, ALL_NEGATIVE, N(ALL_NEGATIVE), CC_CONFLICT,
         "eligibility_not_met"},                                                 /* no consent */
        {"eligible", true, ALL_NEGATIVE, 5, CC_CONFLICT, "eligibility_not_met"}, /* cmv missing */
        {"eligible", true, ALL_NEGATIVE + 1, 5, CC_CONFLICT,
         "eligibility_not_met"},                                              /* hiv missing */
        {"eligible", true, NULL, 0, CC_CONFLICT, "eligibility_not_met"},      /* nothing tested */
        {"eligible", true, hiv_pos_then_neg, N(hiv_pos_then_neg), CC_OK, ""}, /* latest counts */
        {"eligible", true, newer_positive, N(newer_positive), CC_CONFLICT, "eligibility_not_met"},
        {"eligible", true, indeterminate, N(indeterminate), CC_CONFLICT, "eligibility_not_met"},
        {"ineligible", false, NULL, 0, CC_OK, ""}, /* always recordable */
        {"incomplete", false, NULL, 0, CC_OK, ""},
        {"Eligible", true, ALL_NEGATIVE, N(ALL_NEGATIVE), CC_INVALID,
         "invalid_value"}, /* exact words */
        {NULL, true, ALL_NEGATIVE, N(ALL_NEGATIVE), CC_INVALID, "invalid_value"},
    };
    for (size_t i = 0; i < N(rows); i++) {
        cc_error err;
        cc_error_clear(&err);
        cc_status st = lab_check_eligibility(rows[i].decision, rows[i].consent, rows[i].tests,
                                             rows[i].n, &err);
        if (st != rows[i].expect)
            fail_msg("row %zu: got %d (%s)", i, st, err.message);
        assert_string_equal(err.code, rows[i].code);
    }
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
    assert_true(lab_screening_test_is_valid("htlv"));
    assert_false(lab_screening_test_is_valid("hiv1"));
    assert_true(lab_screening_result_is_valid("indeterminate"));
    assert_false(lab_screening_result_is_valid("neg"));
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
    const lab_unit_facts released = {"released", true, "", true};
    const lab_unit_facts blocked = {"released", false, "sterility missing", true};
    const lab_unit_facts in_process = {"in_process", false, "", true};
    const lab_unit_facts no_patient = {"released", true, "", false};
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
        cmocka_unit_test(test_eligibility_table), cmocka_unit_test(test_vocabularies),
        cmocka_unit_test(test_reserve_table),     cmocka_unit_test(test_issue_and_administer_table),
        cmocka_unit_test(test_product_code),      cmocka_unit_test(test_unit_create_table),
        cmocka_unit_test(test_unit_action_table), cmocka_unit_test(test_qc_result_table),
        cmocka_unit_test(test_cryo_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
