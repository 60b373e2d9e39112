/* Unit tests of core/bedside (H1, H2, H3, H4, H5, H7, H12, H14, H16 at the bedside),
 * core/vitals (limits, observation tasks) and core/adverse (terms, grades,
 * seriousness, deadlines H9). Each row's expectation comes from the rule
 * text in the header it tests; the base case is a valid intravenous
 * administration, and each row changes one fact and expects exactly the
 * refusal codes listed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/adverse.h"
#include "core/bedside.h"
#include "core/dysreflexia.h"
#include "core/isbt128.h"
#include "core/mrn.h"
#include "core/vitals.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

enum { TODAY = 20000, NOW = 20000 * 86400 + 10 * 3600, PATIENT = 7, OTHER = 8 };

typedef struct {
    bedside_facts f;
    bedside_unit u[BEDSIDE_MAX_UNITS + 1];
    char mrn[MRN_TEXT], other_mrn[MRN_TEXT];
    char keyed[BEDSIDE_MAX_UNITS + 1][ISBT128_KEYED_TEXT];
    coag_medication med[2];
} scene;

/* A valid intravenous administration of one issued, reserved unit. */
static void base(scene *s)
{
    memset(s, 0, sizeof *s);
    mrn_format(PATIENT, s->mrn);
    mrn_format(OTHER, s->other_mrn);
    for (int i = 0; i <= BEDSIDE_MAX_UNITS; i++) {
        isbt128_din din;
        assert_int_equal(isbt128_make("W1234", 26, (uint32_t)(i + 1), NULL, &din, NULL), CC_OK);
        isbt128_format_keyed(&din, s->keyed[i]);
        bedside_unit *u = &s->u[i];
        u->din_text = s->keyed[i];
        u->product_text = "=<S12340A0";
        u->found = true;
        u->unit_id = i + 1;
        isbt128_format_data(&din, u->din_data);
        snprintf(u->product_code, sizeof u->product_code, "S1234");
        u->division = 1;
        u->state = UNIT_ISSUED;
        u->expiry = TODAY + 10;
        u->product_type = "uc-msc";
        u->amount = 100000000;
        u->reserved_patient_id = PATIENT;
        u->issued_patient_id = PATIENT;
        u->reserved_for = "plan:3:1";
    }
    s->f = (bedside_facts){.plan_ref = "plan:3:1",
                           .plan_active = true,
                           .patient_id = PATIENT,
                           .patient_mrn = s->mrn,
                           .route = "intravenous",
                           .product_type = "uc-msc",
                           .dose = 100000000,
                           .dose_min = 50000000,
                           .dose_max = 200000000,
                           .planned_date = TODAY,
                           .window_days = 1,
                           .dose_weight_g = 70000,
                           .wristband = s->mrn,
                           .route_given = "intravenous",
                           .units = s->u,
                           .n_units = 1,
                           .weight_g = 70000,
                           .weight_date = TODAY - 3,
                           .consent = BEDSIDE_CONSENT_CURRENT,
                           .now = NOW,
                           .today = TODAY,
                           .operator_id = 1};
    /* H16: a normal work-up two days old (core/coagulation's limits) */
    s->f.coag[COAG_PLT] = (coag_result){true, 240, "10^9/L", false, 0, TODAY - 2};
    s->f.coag[COAG_INR] = (coag_result){true, 1.0, "1", false, 0, TODAY - 2};
    s->f.coag[COAG_APTT] = (coag_result){true, 30, "s", true, 38, TODAY - 2};
}

/* One medication on the list (H16), started 100 days ago. */
static void on_drug(scene *s, med_class cls, bool stopped, int stopped_days_ago)
{
    s->med[0] = (coag_medication){"Apixaban", cls, TODAY - 100, stopped, TODAY - stopped_days_ago};
    s->f.meds = s->med;
    s->f.n_meds = 1;
}

static void intrathecal(scene *s)
{
    s->f.route = s->f.route_given = "intrathecal";
    s->f.second_verifier_id = 2;
    s->f.last_lp_at = NOW - 96 * 3600;
}

/* The verdict has exactly these codes (in any order), each with a field and
 * both sentences. */
static void expect_codes(const scene *s, const bedside_code *codes, size_t n, const char *what)
{
    bedside_verdict v;
    bool go = bedside_verify(&s->f, &v);
    if (v.n != n) {
        for (size_t i = 0; i < v.n; i++)
            fprintf(stderr, "  %s: got %s (%s)\n", what, bedside_code_name(v.reasons[i].code),
                    v.reasons[i].en);
        fail_msg("%s: %zu reasons, expected %zu", what, v.n, n);
    }
    assert_true(go == (n == 0));
    for (size_t i = 0; i < n; i++)
        if (!bedside_has(&v, codes[i]))
            fail_msg("%s: missing %s", what, bedside_code_name(codes[i]));
    for (size_t i = 0; i < v.n; i++) {
        assert_true(v.reasons[i].field[0] != '\0');
        assert_true(strlen(v.reasons[i].en) > 10);
        assert_true(strlen(v.reasons[i].fr) > 10);
        assert_null(strstr(v.reasons[i].en, "%s"));
        assert_null(strstr(v.reasons[i].fr, "%d"));
    }
}

typedef void (*mutate)(scene *s);
#define ROW(name, body)                                                                            \
    static void name(scene *s)                                                                     \
    {                                                                                              \
        body;                                                                                      \
    }

ROW(m_none, (void)s)
ROW(m_wristband_bad_check, s->f.wristband = "00000019")
ROW(m_wristband_letters, s->f.wristband = "ABC")
ROW(m_wristband_null, s->f.wristband = NULL)
ROW(m_wrong_patient, s->f.wristband = s->other_mrn)
ROW(m_no_unit, s->f.n_units = 0)
ROW(m_too_many, s->f.n_units = BEDSIDE_MAX_UNITS + 1)
ROW(m_din_bad_check, s->keyed[0][13] = s->keyed[0][13] == 'A' ? 'B' : 'A')
ROW(m_din_garbage, s->u[0].din_text = "hello")
ROW(m_duplicate, s->f.n_units = 2; s->u[0].amount = 50000000; s->u[1] = s->u[0])
ROW(m_unknown, s->u[0].found = false)
ROW(m_product_unreadable, s->u[0].product_text = "X")
ROW(m_product_other_code, s->u[0].product_text = "=<S99990A0")
ROW(m_product_other_division, s->u[0].product_text = "=<S12340B0")
ROW(m_product_typed_pdc, s->u[0].product_text = "s1234")
ROW(m_quarantine, s->u[0].state = UNIT_QUARANTINE)
ROW(m_returned, s->u[0].state = UNIT_RETURNED)
ROW(m_released, s->u[0].state = UNIT_RELEASED)
ROW(m_reserved, s->u[0].state = UNIT_RESERVED)
ROW(m_discarded, s->u[0].state = UNIT_DISCARDED)
ROW(m_administered, s->u[0].state = UNIT_ADMINISTERED)
ROW(m_expired_state, s->u[0].state = UNIT_EXPIRED; s->u[0].expiry = TODAY - 1)
ROW(m_expired_date, s->u[0].expiry = TODAY - 1)
ROW(m_expires_today, s->u[0].expiry = TODAY)
ROW(m_not_reserved, s->u[0].reserved_patient_id = 0; s->u[0].reserved_for = "")
ROW(m_other_patient, s->u[0].reserved_patient_id = OTHER; s->u[0].issued_patient_id = OTHER)
ROW(m_other_item, s->u[0].reserved_for = "plan:3:2")
ROW(m_autologous_other, s->u[0].owner_patient_id = OTHER)
ROW(m_autologous_own, s->u[0].owner_patient_id = PATIENT)
ROW(m_product_type, s->u[0].product_type = "bm-msc")
ROW(m_route, s->f.route_given = "intrathecal")
ROW(m_dose_low, s->u[0].amount = 99999999)
ROW(m_dose_high_edge, s->u[0].amount = 110000000)
ROW(m_dose_high, s->u[0].amount = 110000001)
ROW(m_two_units_sum, s->f.n_units = 2; s->u[0].amount = 60000000; s->u[1].amount = 45000000)
ROW(m_protocol_bounds, s->f.dose_max = 100000000; s->u[0].amount = 105000000)
ROW(m_weight_missing, s->f.weight_g = 0)
ROW(m_weight_30_days, s->f.weight_date = TODAY - 30)
ROW(m_weight_31_days, s->f.weight_date = TODAY - 31)
ROW(m_weight_changed, s->f.weight_g = 77001)
ROW(m_weight_changed_edge, s->f.weight_g = 77000)
ROW(m_not_due, s->f.planned_date = TODAY + 1)
ROW(m_late_in_window, s->f.planned_date = TODAY - 1)
ROW(m_overdue, s->f.planned_date = TODAY - 2)
ROW(m_item_given, s->f.item_given = true)
ROW(m_plan_inactive, s->f.plan_active = false)
ROW(m_consent_withdrawn, s->f.consent = BEDSIDE_CONSENT_WITHDRAWN)
ROW(m_consent_missing, s->f.consent = BEDSIDE_CONSENT_NONE)
ROW(m_it_ok, intrathecal(s))
ROW(m_it_72h, intrathecal(s); s->f.last_lp_at = NOW - 72 * 3600)
ROW(m_it_too_soon, intrathecal(s); s->f.last_lp_at = NOW - 72 * 3600 + 1)
ROW(m_it_first_lp, intrathecal(s); s->f.last_lp_at = 0)
ROW(m_it_protocol_spacing, intrathecal(s); s->f.spacing_hours = 120)
ROW(m_it_no_second, intrathecal(s); s->f.second_verifier_id = 0)
ROW(m_it_same_person, intrathecal(s); s->f.second_verifier_id = 1)
ROW(m_iv_no_second, s->f.second_verifier_id = 0)
/* H16: lumbar puncture and coagulation */
ROW(m_it_plt_49, intrathecal(s); s->f.coag[COAG_PLT].value = 49)
ROW(m_it_plt_50, intrathecal(s); s->f.coag[COAG_PLT].value = 50)
ROW(m_it_inr_141, intrathecal(s); s->f.coag[COAG_INR].value = 1.41)
ROW(m_it_inr_14, intrathecal(s); s->f.coag[COAG_INR].value = 1.4)
ROW(m_it_aptt_high, intrathecal(s); s->f.coag[COAG_APTT].value = 38.1)
ROW(m_it_aptt_missing, intrathecal(s); s->f.coag[COAG_APTT].has = false)
ROW(m_it_coag_7_days, intrathecal(s); s->f.coag[COAG_PLT].date = TODAY - 7)
ROW(m_it_coag_8_days, intrathecal(s); s->f.coag[COAG_PLT].date = TODAY - 8)
ROW(m_it_anticoagulant, intrathecal(s); on_drug(s, MED_ANTICOAGULANT, false, 0))
ROW(m_it_antiplatelet_6d, intrathecal(s); on_drug(s, MED_ANTIPLATELET, true, 6))
ROW(m_it_antiplatelet_7d, intrathecal(s); on_drug(s, MED_ANTIPLATELET, true, 7))
ROW(m_it_nsaid, intrathecal(s); on_drug(s, MED_NSAID, false, 0))
ROW(m_iv_anticoagulant, on_drug(s, MED_ANTICOAGULANT, false, 0))
ROW(m_it_soon_and_anticoagulant, intrathecal(s); s->f.last_lp_at = NOW - 24 * 3600;
    on_drug(s, MED_ANTICOAGULANT, false, 0))
/* H14: frozen units, thawed 30 minutes before NOW unless the row says otherwise */
static void thawed(scene *s, int64_t ago, int viability)
{
    s->u[0].frozen = true;
    s->u[0].thawed = true;
    s->u[0].thawed_at = NOW - ago;
    s->u[0].viability_tenths = viability;
    s->u[0].post_thaw_hours = 0;
    s->u[0].min_viability_tenths = -1;
}
ROW(m_frozen_not_thawed, thawed(s, 0, 0); s->u[0].thawed = false)
ROW(m_thawed_ok, thawed(s, 30 * 60, 900))
ROW(m_thaw_window_end, thawed(s, BEDSIDE_POST_THAW_HOURS * 3600, 900))
ROW(m_thaw_window_plus_minute, thawed(s, BEDSIDE_POST_THAW_HOURS * 3600 + 60, 900))
ROW(m_thaw_window_plus_second, thawed(s, BEDSIDE_POST_THAW_HOURS * 3600 + 1, 900))
ROW(m_thaw_product_window_end, thawed(s, 6 * 3600, 900); s->u[0].post_thaw_hours = 6)
ROW(m_thaw_product_window_past, thawed(s, 6 * 3600 + 60, 900); s->u[0].post_thaw_hours = 6)
ROW(m_viability_at_min, thawed(s, 30 * 60, BEDSIDE_MIN_VIABILITY_TENTHS))
ROW(m_viability_below, thawed(s, 30 * 60, BEDSIDE_MIN_VIABILITY_TENTHS - 1))
ROW(m_viability_product_min, thawed(s, 30 * 60, 799); s->u[0].min_viability_tenths = 800)
ROW(m_viability_no_min, thawed(s, 30 * 60, 0); s->u[0].min_viability_tenths = 0)
ROW(m_thaw_late_and_low, thawed(s, 3 * 3600, 500))
ROW(m_fresh_unit, s->u[0].frozen = false; s->u[0].thawed = false)
/* endotoxin: the batch's result (EU/mL) x the unit's volume, per kg of the
 * patient's real weight, against K (USP <85>: 5 EU/kg, 0.2 intrathecal) */
static void endotoxin(scene *s, double eu_ml, double volume_ml, int weight_g)
{
    s->u[0].has_endotoxin = true;
    s->u[0].endotoxin_eu_ml = eu_ml;
    s->u[0].volume_ml = volume_ml;
    s->f.weight_g = s->f.dose_weight_g = weight_g;
}
ROW(m_endotoxin_iv_at_k, endotoxin(s, 35, 10, 70000))
ROW(m_endotoxin_iv_over_k, endotoxin(s, 35.01, 10, 70000))
ROW(m_endotoxin_it_adult, intrathecal(s); endotoxin(s, 0.25, 4, 70000))
ROW(m_endotoxin_it_child, intrathecal(s); endotoxin(s, 0.25, 4, 2000))
ROW(m_endotoxin_it_child_low, intrathecal(s); endotoxin(s, 0.05, 4, 2000))
ROW(m_endotoxin_unknown, endotoxin(s, 0, 4, 2000); s->u[0].has_endotoxin = false)
ROW(m_everything_wrong, s->f.wristband = s->other_mrn; s->u[0].state = UNIT_QUARANTINE;
    s->u[0].expiry = TODAY - 1; s->f.weight_date = TODAY - 40)

static void test_each_refusal(void **state)
{
    (void)state;
    const struct {
        mutate m;
        bedside_code codes[4];
        size_t n;
        const char *why;
    } rows[] = {
        {m_none, {0}, 0, "base case: everything right"},
        {m_wristband_bad_check, {BS_WRISTBAND_UNREADABLE}, 1, "Luhn digit wrong (H1)"},
        {m_wristband_letters, {BS_WRISTBAND_UNREADABLE}, 1, "not digits"},
        {m_wristband_null, {BS_WRISTBAND_UNREADABLE}, 1, "nothing scanned"},
        {m_wrong_patient, {BS_WRONG_PATIENT}, 1, "valid wristband of another patient (H1)"},
        {m_no_unit, {BS_NO_UNIT}, 1, "no unit"},
        {m_too_many, {BS_TOO_MANY_UNITS}, 1, "five units"},
        {m_din_bad_check, {BS_DIN_UNREADABLE}, 1, "MOD 37-2 check character wrong (H1)"},
        {m_din_garbage, {BS_DIN_UNREADABLE}, 1, "not a DIN"},
        {m_duplicate,
         {BS_DUPLICATE_UNIT},
         1,
         "same bag twice (H12); no dose check on unknown units"},
        {m_unknown, {BS_UNIT_UNKNOWN}, 1, "valid DIN, no such unit (H1)"},
        {m_product_unreadable, {BS_PRODUCT_CODE_UNREADABLE}, 1, "product code garbage"},
        {m_product_other_code, {BS_PRODUCT_CODE_MISMATCH}, 1, "another product's code"},
        {m_product_other_division, {BS_PRODUCT_CODE_MISMATCH}, 1, "another division of the batch"},
        {m_product_typed_pdc, {0}, 0, "typed PDC, lowercase folded, no division"},
        {m_quarantine, {BS_UNIT_NOT_RELEASED}, 1, "quarantine (H2)"},
        {m_returned, {BS_UNIT_NOT_RELEASED}, 1, "returned, not restocked (H2)"},
        {m_released, {BS_UNIT_NOT_ISSUED}, 1, "still in the lab"},
        {m_reserved, {BS_UNIT_NOT_ISSUED}, 1, "reserved, not issued"},
        {m_discarded, {BS_UNIT_DISCARDED}, 1, "discarded"},
        {m_administered, {BS_UNIT_ALREADY_ADMINISTERED}, 1, "given before (H12)"},
        {m_expired_state, {BS_UNIT_EXPIRED}, 1, "swept to expired (H3)"},
        {m_expired_date, {BS_UNIT_EXPIRED}, 1, "issued, expiry day passed (H3)"},
        {m_expires_today, {0}, 0, "usable through its expiry day"},
        {m_not_reserved, {BS_UNIT_NOT_RESERVED}, 1, "issued off the shelf (H1)"},
        {m_other_patient, {BS_UNIT_OTHER_PATIENT}, 1, "another patient's unit (H1)"},
        {m_other_item, {BS_UNIT_OTHER_ITEM}, 1, "the patient's unit for another day (H1)"},
        {m_autologous_other,
         {BS_AUTOLOGOUS_OTHER_PATIENT},
         1,
         "autologous unit of another patient (H7)"},
        {m_autologous_own, {0}, 0, "own autologous unit"},
        {m_product_type, {BS_PRODUCT_TYPE_MISMATCH}, 1, "wrong product (H4)"},
        {m_route, {BS_ROUTE_MISMATCH, BS_SECOND_CHECK_REQUIRED}, 2, "wrong route (H4)"},
        {m_dose_low, {BS_DOSE_BELOW_PRESCRIPTION}, 1, "one cell short (H4)"},
        {m_dose_high_edge, {0}, 0, "exactly +10 %"},
        {m_dose_high, {BS_DOSE_ABOVE_PRESCRIPTION}, 1, "one cell over +10 % (H4)"},
        {m_two_units_sum, {0}, 0, "two units add up to 105 %"},
        {m_protocol_bounds,
         {BS_DOSE_OUTSIDE_PROTOCOL},
         1,
         "within +10 % but above the protocol (H4)"},
        {m_weight_missing, {BS_WEIGHT_MISSING}, 1, "never weighed (H4)"},
        {m_consent_withdrawn, {BS_CONSENT_WITHDRAWN}, 1, "treatment consent withdrawn (H15)"},
        {m_consent_missing, {BS_CONSENT_MISSING}, 1, "no treatment consent signed (H15)"},
        {m_weight_30_days, {0}, 0, "30 days is still recent"},
        {m_weight_31_days, {BS_WEIGHT_STALE}, 1, "31 days is stale (H4)"},
        {m_weight_changed, {BS_WEIGHT_CHANGED}, 1, "weight moved more than 10 % (H4)"},
        {m_weight_changed_edge, {0}, 0, "weight moved exactly 10 %"},
        {m_not_due, {BS_NOT_DUE}, 1, "tomorrow's administration"},
        {m_late_in_window, {0}, 0, "one day late, inside the window"},
        {m_overdue, {BS_OVERDUE}, 1, "two days late"},
        {m_item_given, {BS_ITEM_ALREADY_GIVEN}, 1, "the planned administration is recorded (H12)"},
        {m_plan_inactive, {BS_PLAN_NOT_ACTIVE}, 1, "cancelled plan"},
        {m_it_ok, {0}, 0, "intrathecal 96 h after the last LP, second check"},
        {m_it_72h, {0}, 0, "exactly 72 h"},
        {m_it_too_soon, {BS_LP_TOO_SOON}, 1, "one second short of 72 h (H5)"},
        {m_it_first_lp, {0}, 0, "first lumbar puncture"},
        {m_it_protocol_spacing, {BS_LP_TOO_SOON}, 1, "protocol asks 120 h (H5)"},
        {m_it_no_second, {BS_SECOND_CHECK_REQUIRED}, 1, "intrathecal alone"},
        {m_it_same_person, {BS_SECOND_CHECK_SAME_PERSON}, 1, "operator checks themself"},
        {m_iv_no_second, {0}, 0, "intravenous needs no second check"},
        {m_it_plt_49, {BS_COAGULATION_OUT_OF_RANGE}, 1, "platelets 49 x 10^9/L (H16)"},
        {m_it_plt_50, {0}, 0, "platelets 50 x 10^9/L, the limit"},
        {m_it_inr_141, {BS_COAGULATION_OUT_OF_RANGE}, 1, "INR 1.41 (H16)"},
        {m_it_inr_14, {0}, 0, "INR 1.4, the limit"},
        {m_it_aptt_high, {BS_COAGULATION_OUT_OF_RANGE}, 1, "aPTT above the lab's limit (H16)"},
        {m_it_aptt_missing, {BS_COAGULATION_MISSING}, 1, "no aPTT (H16)"},
        {m_it_coag_7_days, {0}, 0, "platelets 7 days old"},
        {m_it_coag_8_days, {BS_COAGULATION_STALE}, 1, "platelets 8 days old (H16)"},
        {m_it_anticoagulant, {BS_ANTICOAGULANT_ACTIVE}, 1, "current anticoagulant (H16)"},
        {m_it_antiplatelet_6d,
         {BS_ANTICOAGULANT_ACTIVE},
         1,
         "antiplatelet stopped 6 days ago (H16)"},
        {m_it_antiplatelet_7d, {0}, 0, "antiplatelet stopped 7 days ago"},
        {m_it_nsaid, {0}, 0, "an NSAID is not refused"},
        {m_iv_anticoagulant, {0}, 0, "intravenous under an anticoagulant"},
        {m_it_soon_and_anticoagulant,
         {BS_LP_TOO_SOON, BS_ANTICOAGULANT_ACTIVE},
         2,
         "too soon and anticoagulated: both reported"},
        {m_frozen_not_thawed, {BS_UNIT_NOT_THAWED}, 1, "frozen, no thaw recorded (H14)"},
        {m_thawed_ok, {0}, 0, "thawed 30 min ago, 90 % viable"},
        {m_thaw_window_end, {0}, 0, "exactly at the end of the 2-hour window"},
        {m_thaw_window_plus_minute, {BS_UNIT_THAW_EXPIRED}, 1, "1 minute past the window (H14)"},
        {m_thaw_window_plus_second, {BS_UNIT_THAW_EXPIRED}, 1, "1 second past the window (H14)"},
        {m_thaw_product_window_end, {0}, 0, "the product type's 6-hour window, at its end"},
        {m_thaw_product_window_past,
         {BS_UNIT_THAW_EXPIRED},
         1,
         "the product type's 6-hour window, 1 minute past (H14)"},
        {m_viability_at_min, {0}, 0, "viability exactly 70.0 %"},
        {m_viability_below, {BS_UNIT_VIABILITY_LOW}, 1, "viability 69.9 % (H14)"},
        {m_viability_product_min,
         {BS_UNIT_VIABILITY_LOW},
         1,
         "the product type's minimum 80.0 %, 79.9 % (H14)"},
        {m_viability_no_min, {0}, 0, "a product type without a minimum (secretome)"},
        {m_thaw_late_and_low,
         {BS_UNIT_THAW_EXPIRED, BS_UNIT_VIABILITY_LOW},
         2,
         "late and not viable: both reported"},
        {m_fresh_unit, {0}, 0, "a unit never frozen has no thaw to check"},
        {m_endotoxin_iv_at_k, {0}, 0, "350 EU for 70 kg intravenous: exactly 5 EU/kg"},
        {m_endotoxin_iv_over_k, {BS_ENDOTOXIN_OVER_LIMIT}, 1, "350.1 EU for 70 kg: above 5 EU/kg"},
        {m_endotoxin_it_adult, {0}, 0, "1 EU intrathecal for 70 kg: 0.014 EU/kg"},
        {m_endotoxin_it_child,
         {BS_ENDOTOXIN_OVER_LIMIT},
         1,
         "the same unit for a 2 kg child: 0.5 EU/kg, above 0.2 intrathecal"},
        {m_endotoxin_it_child_low, {0}, 0, "0.2 EU intrathecal for 2 kg: 0.1 EU/kg"},
        {m_endotoxin_unknown, {0}, 0, "no endotoxin result: not counted"},
        {m_everything_wrong,
         {BS_WRONG_PATIENT, BS_UNIT_NOT_RELEASED, BS_UNIT_EXPIRED, BS_WEIGHT_STALE},
         4,
         "every reason is reported, not only the first"},
    };
    for (size_t i = 0; i < N(rows); i++) {
        scene s;
        base(&s);
        rows[i].m(&s);
        expect_codes(&s, rows[i].codes, rows[i].n, rows[i].why);
    }
}

/* Every unit state, expired or not: the codes follow the header's table. */
static void test_every_state(void **state)
{
    (void)state;
    for (int st = 0; st < UNIT_STATE_COUNT; st++)
        for (int expired = 0; expired < 2; expired++) {
            scene s;
            base(&s);
            s.u[0].state = (unit_state)st;
            s.u[0].expiry = expired ? TODAY - 1 : TODAY + 1;
            bedside_code want[2];
            size_t n = 0;
            switch ((unit_state)st) {
            case UNIT_QUARANTINE:
            case UNIT_RETURNED: want[n++] = BS_UNIT_NOT_RELEASED; break;
            case UNIT_RELEASED:
            case UNIT_RESERVED: want[n++] = BS_UNIT_NOT_ISSUED; break;
            case UNIT_DISCARDED: want[n++] = BS_UNIT_DISCARDED; break;
            case UNIT_ADMINISTERED: want[n++] = BS_UNIT_ALREADY_ADMINISTERED; break;
            default: break;
            }
            if (expired || st == UNIT_EXPIRED)
                want[n++] = BS_UNIT_EXPIRED;
            char what[64];
            snprintf(what, sizeof what, "state %s expired %d", unit_state_name((unit_state)st),
                     expired);
            expect_codes(&s, want, n, what);
        }
}

/* The override of the lumbar-puncture spacing: all 16 combinations of
 * (spacing broken, asked, by a physician, with a reason). Only a physician
 * with a reason lifts lp_too_soon; nothing else is ever lifted. */
static void test_override_matrix(void **state)
{
    (void)state;
    /* bits: spacing broken (H5), anticoagulant on the list (H16), override
     * asked, by a physician, with a reason */
    for (int m = 0; m < 32; m++) {
        bool soon = m & 1, asked = m & 2, physician = m & 4, reason = m & 8, drug = m & 16;
        scene s;
        base(&s);
        intrathecal(&s);
        if (soon)
            s.f.last_lp_at = NOW - 24 * 3600;
        if (drug)
            on_drug(&s, MED_ANTICOAGULANT, false, 0);
        s.f.override_requested = asked;
        s.f.override_by_physician = physician;
        s.f.override_reason = reason ? "CSF leak treated; neurologist agrees" : "   ";
        bedside_code want[5];
        size_t n = 0;
        if (asked && !physician)
            want[n++] = BS_OVERRIDE_NOT_ALLOWED;
        if (asked && !reason)
            want[n++] = BS_OVERRIDE_REASON_MISSING;
        if (asked && !soon && !drug)
            want[n++] = BS_OVERRIDE_NOT_NEEDED;
        bool lifted = (soon || drug) && asked && physician && reason;
        if (soon && !lifted)
            want[n++] = BS_LP_TOO_SOON;
        if (drug && !lifted)
            want[n++] = BS_ANTICOAGULANT_ACTIVE;
        char what[48];
        snprintf(what, sizeof what, "override combination %d", m);
        expect_codes(&s, want, n, what);
        bedside_verdict v;
        bedside_verify(&s.f, &v);
        assert_true(v.override_used == lifted);
    }
    /* the override never lifts anything else: an autologous unit of another patient (H7) */
    scene s;
    base(&s);
    intrathecal(&s);
    s.f.last_lp_at = NOW - 24 * 3600;
    s.f.override_requested = s.f.override_by_physician = true;
    s.f.override_reason = "urgent";
    s.u[0].owner_patient_id = OTHER;
    bedside_code want[] = {BS_AUTOLOGOUS_OTHER_PATIENT};
    expect_codes(&s, want, 1, "override does not lift H7");
}

static void test_product_parse_and_names(void **state)
{
    (void)state;
    const struct {
        const char *text;
        bool ok;
        const char *pdc;
        int division;
    } rows[] = {
        {"=<S12340A0", true, "S1234", 1},
        {"=<S1234000", true, "S1234", 0},
        {"=<S12340Z0", true, "S1234", 26},
        {"S1234", true, "S1234", -1},
        {"s1234", true, "S1234", -1},
        {"=<S12340A1", false, "", 0},
        {"=<S1234#00", false, "", 0},
        {"=<11234000", false, "", 0},
        {"S123", false, "", 0},
        {"", false, "", 0},
        {NULL, false, "", 0},
        {"=<S12340A0X", false, "", 0},
    };
    for (size_t i = 0; i < N(rows); i++) {
        char pdc[6] = "";
        int division = 99;
        bool ok = bedside_parse_product(rows[i].text, pdc, &division);
        assert_int_equal(ok, rows[i].ok);
        if (ok) {
            assert_string_equal(pdc, rows[i].pdc);
            assert_int_equal(division, rows[i].division);
        }
    }
    for (int c = 0; c < BS_CODE_COUNT; c++)
        assert_string_not_equal(bedside_code_name((bedside_code)c), "?");
    assert_string_equal(bedside_code_name(BS_CODE_COUNT), "?");
    char ref[BEDSIDE_REF_MAX];
    bedside_plan_ref(12, 3, ref, sizeof ref);
    assert_string_equal(ref, "plan:12:3");
}

static void test_vitals(void **state)
{
    (void)state;
    vitals_limits l;
    vitals_default_limits(&l);
    assert_int_equal(vitals_check_limits(&l, NULL), CC_OK);
    vitals_limits bad = l;
    bad.fever_dc = bad.temperature_low_dc;
    assert_int_equal(vitals_check_limits(&bad, NULL), CC_INVALID);
    const struct {
        vitals v;
        cc_status valid;
        const char *codes; /* space-separated abnormal codes */
    } rows[] = {
        {{.has_temperature = true, .temperature_dc = 368}, CC_OK, ""},
        {{.has_temperature = true, .temperature_dc = 379}, CC_OK, ""},
        {{.has_temperature = true, .temperature_dc = 380},
         CC_OK,
         "temperature_high"}, /* CTCAE fever grade 1 */
        {{.has_temperature = true, .temperature_dc = 349}, CC_OK, "temperature_low"},
        {{.has_temperature = true, .temperature_dc = 299}, CC_INVALID, ""},
        {{.has_temperature = true, .temperature_dc = 451}, CC_INVALID, ""},
        {{.has_systolic = true, .systolic = 90, .has_diastolic = true, .diastolic = 50}, CC_OK, ""},
        {{.has_systolic = true, .systolic = 89, .has_diastolic = true, .diastolic = 49},
         CC_OK,
         "systolic_low diastolic_low"},
        {{.has_systolic = true, .systolic = 181}, CC_OK, "systolic_high"},
        {{.has_systolic = true, .systolic = 120, .has_diastolic = true, .diastolic = 120},
         CC_INVALID,
         ""},
        {{.has_heart_rate = true, .heart_rate = 121}, CC_OK, "heart_rate_high"},
        {{.has_heart_rate = true, .heart_rate = 49}, CC_OK, "heart_rate_low"},
        {{.has_heart_rate = true, .heart_rate = 19}, CC_INVALID, ""},
        {{.has_spo2 = true, .spo2 = 92}, CC_OK, ""},
        {{.has_spo2 = true, .spo2 = 91}, CC_OK, "spo2_low"},
        {{.has_spo2 = true, .spo2 = 101}, CC_INVALID, ""},
        {{.has_respiratory_rate = true, .respiratory_rate = 25}, CC_OK, "respiratory_rate_high"},
        {{.has_respiratory_rate = true, .respiratory_rate = 9}, CC_OK, "respiratory_rate_low"},
        {{.has_respiratory_rate = true, .respiratory_rate = 3}, CC_INVALID, ""},
        {{0}, CC_INVALID, ""}, /* nothing measured */
    };
    for (size_t i = 0; i < N(rows); i++) {
        cc_error err;
        assert_int_equal(vitals_check(&rows[i].v, &err), rows[i].valid);
        if (rows[i].valid != CC_OK)
            continue;
        vitals_finding f[VITALS_MAX_FINDINGS];
        size_t n = vitals_abnormal(&rows[i].v, &l, f);
        char got[200] = "";
        size_t len = 0;
        for (size_t k = 0; k < n; k++) {
            len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", k ? " " : "", f[k].code);
            assert_true(strlen(f[k].en) > 5 && strlen(f[k].fr) > 5);
        }
        assert_string_equal(got, rows[i].codes);
    }
}

static void test_observation_tasks(void **state)
{
    (void)state;
    obs_task t[OBS_MAX_TASKS];
    const int64_t end = 1000000;
    size_t n = obs_plan_generate("intravenous", end, 0, t, N(t));
    const int iv_minutes[] = {15,  30,  45,  60,
                              120, 180, 240, 300}; /* 4 in the first hour, then hourly for 4 h */
    assert_int_equal(n, N(iv_minutes));
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(t[i].kind, OBS_VITALS);
        assert_int_equal(t[i].due_at, end + iv_minutes[i] * 60);
    }
    /* After a lumbar puncture: the vital signs above, a neurological check at
     * 1, 2, 6 and 24 h, headache checks at 2, 6 and 24 h, site checks at 2
     * and 24 h; no lying flat unless the site chose it (bed rest does not
     * prevent post-dural puncture headache: Cochrane CD009199, 2016). */
    const struct {
        obs_kind kind;
        int minutes;
    } lp[] = {
        {OBS_VITALS, 15},           {OBS_VITALS, 30},          {OBS_VITALS, 45},
        {OBS_VITALS, 60},           {OBS_NEURO_CHECK, 60},     {OBS_VITALS, 120},
        {OBS_NEURO_CHECK, 120},     {OBS_HEADACHE_CHECK, 120}, {OBS_SITE_CHECK, 120},
        {OBS_VITALS, 180},          {OBS_VITALS, 240},         {OBS_VITALS, 300},
        {OBS_NEURO_CHECK, 360},     {OBS_HEADACHE_CHECK, 360}, {OBS_NEURO_CHECK, 1440},
        {OBS_HEADACHE_CHECK, 1440}, {OBS_SITE_CHECK, 1440},
    };
    n = obs_plan_generate("intrathecal", end, 0, t, N(t));
    assert_int_equal(n, N(lp));
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(t[i].kind, lp[i].kind);
        assert_int_equal(t[i].due_at, end + lp[i].minutes * 60);
    }
    /* A site that keeps bed rest: one lie-flat task, due when it ends. */
    n = obs_plan_generate("intrathecal", end, 90, t, N(t));
    assert_int_equal(n, N(lp) + 1);
    size_t flat = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            assert_true(t[i - 1].due_at <= t[i].due_at);
        if (t[i].kind == OBS_LIE_FLAT) {
            flat++;
            assert_int_equal(t[i].due_at, end + 90 * 60);
        }
    }
    assert_int_equal(flat, 1);
    /* Not after an intravenous administration, whatever the setting. */
    assert_int_equal(obs_plan_generate("intravenous", end, 90, t, N(t)), N(iv_minutes));
    assert_int_equal(obs_plan_generate("intrathecal", end, 0, t, 3), 3); /* capped */
    vitals_limits l;
    vitals_default_limits(&l);
    assert_int_equal(l.lie_flat_minutes, 0);
    const struct {
        int minutes;
        cc_status want;
    } flat_rows[] = {{0, CC_OK}, {60, CC_OK}, {1440, CC_OK}, {-1, CC_INVALID}, {1441, CC_INVALID}};
    for (size_t i = 0; i < N(flat_rows); i++) {
        l.lie_flat_minutes = flat_rows[i].minutes;
        cc_error e = {0};
        assert_int_equal(vitals_check_limits(&l, &e), flat_rows[i].want);
        if (flat_rows[i].want != CC_OK)
            assert_string_equal(e.field, "lie_flat_minutes");
    }
    obs_kind k;
    for (int i = 0; i < OBS_KIND_COUNT; i++) {
        assert_true(obs_kind_parse(obs_kind_name((obs_kind)i), &k));
        assert_int_equal(k, i);
    }
    assert_false(obs_kind_parse("Vitals", &k));
}

/* Autonomic dysreflexia: "an increase in SBP > 20 mmHg above baseline"
 * (International standards to document remaining autonomic function after
 * SCI, Alexander 2009 / Krassioukov 2012; "20 to 40 mmHg above baseline",
 * Consortium for Spinal Cord Medicine 2001), in injuries at T6 or above,
 * whatever the absolute value; the clinic's rule counts 20 itself. */
static void test_dysreflexia(void **state)
{
    (void)state;
    const struct {
        const char *level;
        bool has_baseline;
        int baseline, systolic;
        bool has_systolic, alert;
    } rows[] = {
        {"C5", true, 110, 130, true, true},   /* rise 20: the threshold itself */
        {"C5", true, 110, 129, true, false},  /* rise 19 */
        {"C5", true, 95, 125, true, true},    /* 125 mmHg: normal for the ward, a crisis here */
        {"C1", true, 100, 120, true, true},   /* highest level */
        {"C8", true, 100, 121, true, true},   /* last cervical */
        {"T1", true, 100, 140, true, true},   /* first thoracic */
        {"T6", true, 100, 120, true, true},   /* T6 is included */
        {"T7", true, 100, 160, true, false},  /* below T6: no alert, whatever the rise */
        {"T12", true, 100, 160, true, false}, /* thoracolumbar */
        {"L2", true, 100, 160, true, false},  /* lumbar */
        {"S1", true, 100, 160, true, false},  /* sacral */
        {"C5", true, 120, 100, true, false},  /* a fall */
        {"C5", false, 0, 200, true, false},   /* no baseline: no comparison */
        {"C5", true, 100, 0, false, false},   /* no systolic in the reading */
        {"C9", true, 100, 160, true, false},  /* not a level */
        {"T13", true, 100, 160, true, false}, /* not a level */
        {"c5", true, 100, 160, true, false},  /* the worksheet's capitals only */
        {"", true, 100, 160, true, false},    /* no level recorded */
        {NULL, true, 100, 160, true, false},  /* no spinal cord injury */
    };
    for (size_t i = 0; i < N(rows); i++) {
        vitals v = {.has_systolic = rows[i].has_systolic, .systolic = rows[i].systolic};
        vitals_finding f;
        memset(&f, 0, sizeof f);
        bool alert =
            vitals_dysreflexia(rows[i].level, rows[i].has_baseline, rows[i].baseline, &v, &f);
        if (alert != rows[i].alert)
            fail_msg("row %zu (%s %d -> %d)", i, rows[i].level ? rows[i].level : "NULL",
                     rows[i].baseline, rows[i].systolic);
        if (!alert)
            continue;
        assert_string_equal(f.code, "autonomic_dysreflexia");
        assert_string_equal(f.field, "systolic");
        char rise[16];
        snprintf(rise, sizeof rise, "%d above", rows[i].systolic - rows[i].baseline);
        assert_non_null(strstr(f.en, rise));
        assert_non_null(strstr(f.en, rows[i].level));
        assert_non_null(strstr(f.fr, "Dysréflexie autonome"));
    }
    /* The ICD-10 codes of a cord injury the SCI protocol lists. */
    const struct {
        const char *code;
        bool sci;
    } codes[] = {{"S14.1", true},  {"S14.10", true}, {"S24.1", true}, {"S34.1", true},
                 {"T91.3", true},  {"G82", true},    {"G82.2", true}, {"G821", true},
                 {"S14.2", false}, {"G83", false},   {"G8", false},   {"T91", false},
                 {"", false},      {NULL, false}};
    for (size_t i = 0; i < N(codes); i++)
        if (sci_condition_code(codes[i].code) != codes[i].sci)
            fail_msg("code %s", codes[i].code ? codes[i].code : "NULL");
    /* The more rostral of two levels. */
    assert_string_equal(sci_level_higher("T4", "C5"), "C5");
    assert_string_equal(sci_level_higher("C8", "T1"), "C8");
    assert_string_equal(sci_level_higher("T12", "L1"), "T12");
    assert_string_equal(sci_level_higher("X1", "T2"), "T2");
    assert_string_equal(sci_level_higher("T2", "bad"), "T2");
    assert_true(sci_level_is_valid("S5"));
    assert_false(sci_level_is_valid("S6"));
    assert_false(sci_level_is_valid("C0"));
}

static void test_terms(void **state)
{
    (void)state;
    const char *required[] = {"fever",
                              "chills",
                              "allergic_reaction",
                              "anaphylaxis",
                              "infusion_related_reaction",
                              "headache",
                              "post_lp_headache",
                              "back_pain",
                              "injection_site_reaction",
                              "nausea",
                              "vomiting",
                              "fatigue",
                              "infection",
                              "meningitis",
                              "thromboembolic_event",
                              "hypotension",
                              "hypertension",
                              "dyspnea",
                              "seizure",
                              "csf_leakage",
                              "arachnoiditis",
                              "urinary_tract_infection",
                              "other"};
    assert_int_equal(adverse_term_count(), N(required));
    for (size_t i = 0; i < N(required); i++) {
        const adverse_term *t = adverse_term_find(required[i]);
        assert_non_null(t);
        int defined = 0;
        for (int g = 0; g < 5; g++) {
            assert_true((t->grades_en[g] == NULL) ==
                        (t->grades_fr[g] == NULL)); /* both languages */
            defined += t->grades_en[g] != NULL;
            assert_int_equal(adverse_check_grade(t, g + 1, NULL),
                             t->grades_en[g] ? CC_OK : CC_INVALID);
        }
        assert_true(defined >= 3);
        assert_int_equal(adverse_check_grade(t, 0, NULL), CC_INVALID);
        assert_int_equal(adverse_check_grade(t, 6, NULL), CC_INVALID);
    }
    /* CTCAE v5.0: Headache has no grade 4 or 5; Anaphylaxis starts at grade 3; Fever grade 1
     * is 38.0-39.0 */
    assert_int_equal(adverse_check_grade(adverse_term_find("headache"), 4, NULL), CC_INVALID);
    assert_int_equal(adverse_check_grade(adverse_term_find("anaphylaxis"), 2, NULL), CC_INVALID);
    assert_non_null(strstr(adverse_term_find("fever")->grades_en[0], "38.0"));
    /* Hypertension carries CTCAE v5.0's paediatric rows (core/paediatric grades by them) */
    assert_non_null(
        strstr(adverse_term_find("hypertension")->grades_en[0],
               "Pediatric: Systolic/diastolic BP >90th percentile but <95th percentile"));
    assert_non_null(strstr(adverse_term_find("hypertension")->grades_en[2],
                           "Systolic and/or diastolic >5 mmHg above the 99th percentile"));
    assert_non_null(strstr(adverse_term_find("hypertension")->grades_fr[1], "95e percentile"));
    assert_true(adverse_term_find("other")->needs_text);
    assert_null(adverse_term_find("Fever"));
    assert_null(adverse_term_find(NULL));
    unsigned bit = 0;
    const char *criteria[] = {"death",      "life_threatening",   "hospitalisation",
                              "disability", "congenital_anomaly", "medically_important"};
    for (size_t i = 0; i < N(criteria); i++) {
        assert_true(adverse_seriousness_parse(criteria[i], &bit));
        assert_string_equal(adverse_seriousness_name(bit), criteria[i]);
    }
    assert_false(adverse_seriousness_parse("hospitalization", &bit));
    assert_null(adverse_seriousness_name(AE_DEATH | AE_DISABILITY));
    const struct {
        const char *r;
        bool valid, related;
    } rel[] = {{"unrelated", true, false}, {"unlikely", true, false}, {"possible", true, true},
               {"probable", true, true},   {"definite", true, true},  {"likely", false, false},
               {NULL, false, false}};
    for (size_t i = 0; i < N(rel); i++) {
        assert_int_equal(adverse_relatedness_is_valid(rel[i].r), rel[i].valid);
        assert_int_equal(adverse_is_related(rel[i].r), rel[i].related);
    }
    assert_true(adverse_outcome_is_valid("recovered_with_sequelae"));
    assert_false(adverse_outcome_is_valid("dead"));
    assert_true(adverse_action_is_valid("interrupted"));
    assert_true(adverse_expectedness_is_valid("unexpected"));
}

/* CTCAE v5.0 (NCI, 2017-11-27), one row per grade as printed in the NCI's
 * term table: Cerebrospinal fluid leakage and Arachnoiditis (Nervous system
 * disorders), Urinary tract infection and Meningitis (Infections and
 * infestations, "-" at grade 1; Meningitis also at grade 2). NULL: CTCAE
 * gives no grade. */
static void test_intrathecal_terms(void **state)
{
    (void)state;
    const char *life = "Life-threatening consequences; urgent intervention indicated";
    const struct {
        const char *code, *name, *soc;
        int grade;
        const char *text;
    } rows[] = {
        {"csf_leakage", "Cerebrospinal fluid leakage", "Nervous system disorders", 1,
         "Post-craniotomy: asymptomatic; Post-lumbar puncture: transient headache; postural care "
         "indicated"},
        {"csf_leakage", "Cerebrospinal fluid leakage", "Nervous system disorders", 2,
         "Post-craniotomy: moderate symptoms; medical intervention indicated; Post-lumbar "
         "puncture: persistent moderate symptoms; blood patch indicated"},
        {"csf_leakage", "Cerebrospinal fluid leakage", "Nervous system disorders", 3,
         "Severe symptoms; medical intervention indicated"},
        {"csf_leakage", "Cerebrospinal fluid leakage", "Nervous system disorders", 4, life},
        {"csf_leakage", "Cerebrospinal fluid leakage", "Nervous system disorders", 5, "Death"},
        {"arachnoiditis", "Arachnoiditis", "Nervous system disorders", 1, "Mild symptoms"},
        {"arachnoiditis", "Arachnoiditis", "Nervous system disorders", 2,
         "Moderate symptoms; limiting instrumental ADL"},
        {"arachnoiditis", "Arachnoiditis", "Nervous system disorders", 3,
         "Severe symptoms; limiting self care ADL"},
        {"arachnoiditis", "Arachnoiditis", "Nervous system disorders", 4, life},
        {"arachnoiditis", "Arachnoiditis", "Nervous system disorders", 5, "Death"},
        {"urinary_tract_infection", "Urinary tract infection", "Infections and infestations", 1,
         NULL},
        {"urinary_tract_infection", "Urinary tract infection", "Infections and infestations", 2,
         "Localized; oral intervention indicated (e.g., antibiotic, antifungal, or antiviral)"},
        {"urinary_tract_infection", "Urinary tract infection", "Infections and infestations", 3,
         "IV antibiotic, antifungal, or antiviral intervention indicated; invasive intervention "
         "indicated"},
        {"urinary_tract_infection", "Urinary tract infection", "Infections and infestations", 4,
         life},
        {"urinary_tract_infection", "Urinary tract infection", "Infections and infestations", 5,
         "Death"},
        {"meningitis", "Meningitis", "Infections and infestations", 1, NULL},
        {"meningitis", "Meningitis", "Infections and infestations", 2, NULL},
        {"meningitis", "Meningitis", "Infections and infestations", 3,
         "IV antibiotic, antifungal, or antiviral intervention indicated; invasive intervention "
         "indicated; focal neurologic deficit"},
        {"meningitis", "Meningitis", "Infections and infestations", 4, life},
        {"meningitis", "Meningitis", "Infections and infestations", 5, "Death"},
    };
    for (size_t i = 0; i < N(rows); i++) {
        const adverse_term *t = adverse_term_find(rows[i].code);
        assert_non_null(t);
        assert_string_equal(t->name_en, rows[i].name);
        assert_string_equal(t->soc_en, rows[i].soc);
        assert_false(t->needs_text);
        const char *en = t->grades_en[rows[i].grade - 1], *fr = t->grades_fr[rows[i].grade - 1];
        if (!rows[i].text) {
            assert_null(en);
            assert_null(fr);
            assert_int_equal(adverse_check_grade(t, rows[i].grade, NULL), CC_INVALID);
            continue;
        }
        assert_non_null(en);
        assert_string_equal(en, rows[i].text);
        assert_non_null(fr);
        assert_string_not_equal(fr, en); /* translated, not copied */
        assert_int_equal(adverse_check_grade(t, rows[i].grade, NULL), CC_OK);
    }
}

/* ICH E2A III.A.2 and the 24-hour initial report: every combination of
 * seriousness criterion, expectedness and relatedness. */
static void test_deadlines(void **state)
{
    (void)state;
    adverse_rules r;
    adverse_default_rules(&r);
    assert_int_equal(adverse_check_rules(&r, NULL), CC_OK);
    const int64_t aware = 1700000000, day = 86400;
    const char *rels[] = {"unrelated", "unlikely", "possible", "probable", "definite"};
    for (unsigned ser = 0; ser <= AE_SERIOUSNESS_ALL; ser++)
        for (int unexpected = 0; unexpected < 2; unexpected++)
            for (size_t rp = 0; rp < N(rels); rp++)
                for (size_t rq = 0; rq < N(rels); rq++) {
                    adverse_facts f = {ser, unexpected, rels[rp], rels[rq], aware};
                    adverse_deadline d[ADVERSE_DEADLINES_MAX];
                    size_t n = adverse_deadlines(&f, &r, d);
                    if (!ser) {
                        assert_int_equal(n, 0);
                        continue;
                    }
                    assert_true(n >= 1);
                    assert_int_equal(d[0].kind, AE_REPORT_INITIAL);
                    assert_int_equal(d[0].due_at, aware + 24 * 3600);
                    /* the two biovigilance reports come last (test_biovigilance) */
                    size_t bv = rp >= 2 ? 2 : 0;
                    assert_int_equal(adverse_is_biovigilance(&f), bv == 2);
                    n -= bv;
                    bool related = rp >= 2 || rq >= 2;
                    if (!unexpected || !related) {
                        assert_int_equal(n, 1);
                    } else if (ser & (AE_DEATH | AE_LIFE_THREATENING)) {
                        assert_int_equal(n, 3);
                        assert_int_equal(d[1].kind, AE_REPORT_EXPEDITED);
                        assert_int_equal(d[1].due_at, aware + 7 * day);
                        assert_int_equal(d[2].kind, AE_REPORT_FOLLOWUP);
                        assert_int_equal(d[2].due_at, aware + 15 * day);
                    } else {
                        assert_int_equal(n, 2);
                        assert_int_equal(d[1].due_at, aware + 15 * day);
                    }
                }
    const int64_t due = aware + 24 * 3600;
    const struct {
        int64_t reported, now;
        adverse_deadline_status want;
    } st[] = {
        {0, aware, AE_DL_DUE_SOON},          /* 24 h left: due soon */
        {0, due, AE_DL_DUE_SOON},            /* the due instant itself is not overdue */
        {0, due + 1, AE_DL_OVERDUE},         /* one second later: overdue (H9) */
        {due, due + 100, AE_DL_DONE},        /* sent at the last second */
        {due + 1, due + 100, AE_DL_LATE},    /* sent late */
        {0, due - 25 * 3600, AE_DL_PENDING}, /* more than 24 h left */
    };
    for (size_t i = 0; i < N(st); i++)
        assert_int_equal(adverse_deadline_state(due, st[i].reported, st[i].now, &r), st[i].want);
    adverse_rules custom = r;
    custom.fatal_days = 0;
    assert_int_equal(adverse_check_rules(&custom, NULL), CC_INVALID);
    custom = r;
    custom.initial_hours = 12;
    adverse_facts f = {AE_HOSPITALISATION, false, "unrelated", "unrelated", aware};
    adverse_deadline d[ADVERSE_DEADLINES_MAX];
    assert_int_equal(adverse_deadlines(&f, &custom, d), 1);
    assert_int_equal(d[0].due_at, aware + 12 * 3600);
    adverse_report_kind k;
    assert_true(adverse_report_kind_parse("followup", &k) && k == AE_REPORT_FOLLOWUP);
    assert_string_equal(adverse_deadline_status_name(AE_DL_OVERDUE), "overdue");
}

/* Biovigilance of tissues and cells, one row per case:
 *   Directive 2004/23/EC art. 11(1): a serious adverse reaction "which may be
 *     linked to the quality and safety of tissues and cells" is reported;
 *   art. 11(3) and Commission Directive 2006/86/EC Annex III: the rapid
 *     notification (Part A, "without delay": 24 h by default) and the
 *     conclusions of the investigation (Part B: 90 days by default, the
 *     site's setting: the Directive gives no time);
 *   art. 3 of 2004/23/EC, "serious adverse reaction": fatal, life-threatening,
 *     disabling, incapacitating, or results in or prolongs hospitalisation
 *     or morbidity (here: any ICH E2A seriousness criterion). */
static void test_biovigilance(void **state)
{
    (void)state;
    adverse_rules r;
    adverse_default_rules(&r);
    assert_int_equal(r.bv_notify_hours, 24);
    assert_int_equal(r.bv_conclusion_days, 90);
    const int64_t aware = 1700000000, hour = 3600, day = 86400;
    const struct {
        const char *clause;
        unsigned seriousness;
        const char *product, *procedure;
        int notify_hours, conclusion_days; /* rules; 0: the defaults */
        bool owed;
        int64_t notify_due, conclusion_due;
    } rows[] = {
        {"11(1) reaction to the cells: hospitalisation, possible", AE_HOSPITALISATION, "possible",
         "unrelated", 0, 0, true, aware + 24 * hour, aware + 90 * day},
        {"11(1) probable", AE_DISABILITY, "probable", "unrelated", 0, 0, true, aware + 24 * hour,
         aware + 90 * day},
        {"11(1) definite, fatal", AE_DEATH, "definite", "definite", 0, 0, true, aware + 24 * hour,
         aware + 90 * day},
        {"11(1) unlikely: not linked to the cells", AE_LIFE_THREATENING, "unlikely", "possible", 0,
         0, false, 0, 0},
        {"11(1) the procedure alone is not the cells", AE_HOSPITALISATION, "unrelated", "definite",
         0, 0, false, 0, 0},
        {"art. 3 not serious: nothing owed", 0, "definite", "definite", 0, 0, false, 0, 0},
        {"Annex III A/B: the site's deadlines", AE_MEDICALLY_IMPORTANT, "possible", "unrelated", 12,
         30, true, aware + 12 * hour, aware + 30 * day},
    };
    for (size_t i = 0; i < N(rows); i++) {
        adverse_rules rr = r;
        if (rows[i].notify_hours)
            rr.bv_notify_hours = rows[i].notify_hours;
        if (rows[i].conclusion_days)
            rr.bv_conclusion_days = rows[i].conclusion_days;
        assert_int_equal(adverse_check_rules(&rr, NULL), CC_OK);
        adverse_facts f = {rows[i].seriousness, false, rows[i].product, rows[i].procedure, aware};
        adverse_deadline d[ADVERSE_DEADLINES_MAX];
        size_t n = adverse_deadlines(&f, &rr, d);
        int64_t notify = 0, conclusion = 0;
        for (size_t k = 0; k < n; k++) {
            if (d[k].kind == AE_REPORT_BV_NOTIFICATION)
                notify = d[k].due_at;
            if (d[k].kind == AE_REPORT_BV_CONCLUSION)
                conclusion = d[k].due_at;
        }
        if (adverse_is_biovigilance(&f) != rows[i].owed || notify != rows[i].notify_due ||
            conclusion != rows[i].conclusion_due)
            fail_msg("row %zu (%s): owed %d notify %lld conclusion %lld", i, rows[i].clause,
                     adverse_is_biovigilance(&f), (long long)notify, (long long)conclusion);
    }
    /* all five at once: serious, unexpected, fatal, related to the cells */
    adverse_facts all = {AE_DEATH, true, "definite", "unrelated", aware};
    adverse_deadline d[ADVERSE_DEADLINES_MAX];
    assert_int_equal(adverse_deadlines(&all, &r, d), ADVERSE_DEADLINES_MAX);
    adverse_report_kind k;
    assert_true(adverse_report_kind_parse("biovigilance_notification", &k) &&
                k == AE_REPORT_BV_NOTIFICATION);
    assert_string_equal(adverse_report_kind_name(AE_REPORT_BV_CONCLUSION),
                        "biovigilance_conclusion");
    adverse_rules bad = r;
    bad.bv_notify_hours = 0;
    assert_int_equal(adverse_check_rules(&bad, NULL), CC_INVALID);
    bad = r;
    bad.bv_conclusion_days = 366;
    assert_int_equal(adverse_check_rules(&bad, NULL), CC_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_refusal),    cmocka_unit_test(test_every_state),
        cmocka_unit_test(test_override_matrix), cmocka_unit_test(test_product_parse_and_names),
        cmocka_unit_test(test_vitals),          cmocka_unit_test(test_observation_tasks),
        cmocka_unit_test(test_terms),           cmocka_unit_test(test_intrathecal_terms),
        cmocka_unit_test(test_dysreflexia),     cmocka_unit_test(test_deadlines),
        cmocka_unit_test(test_biovigilance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
