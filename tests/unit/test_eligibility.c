/* Unit tests of core/eligibility (H6) on the shipped SCI and MSC rules: a
 * complete normal work-up is eligible, then one change per row. Expected
 * outcomes come from the programme rules (cancer history, a positive infectious marker
 * and pregnancy exclude; results older than 30 days are stale; values
 * outside configured limits need review; an SCI injury over 1 year ago is
 * flagged chronic) and the limits written in sci.v1.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/eligibility.h"
#include "programmes_fixture.h"

static const char *TODAY = "2026-11-22";

static void put(screening *s, const char *test, double value, const char *unit, int age_days)
{
    screening_result *r = &s->results[s->n_results++];
    memset(r, 0, sizeof *r);
    snprintf(r->test, sizeof r->test, "%s", test);
    r->value = value;
    snprintf(r->unit, sizeof r->unit, "%s", unit);
    r->date = ymd(TODAY) - age_days;
}

static screening normal_sci(void)
{
    screening s;
    memset(&s, 0, sizeof s);
    put(&s, "hb", 13.5, "g/dL", 5);
    put(&s, "wbc", 6.2, "10^9/L", 5);
    put(&s, "plt", 250, "10^9/L", 5);
    put(&s, "creatinine", 0.9, "mg/dL", 5);
    put(&s, "alt", 25, "U/L", 5);
    put(&s, "ast", 22, "U/L", 5);
    put(&s, "inr", 1.0, "1", 5);
    put(&s, "aptt", 30, "s", 5);
    s.results[s.n_results - 1].has_ref = true;
    s.results[s.n_results - 1].ref_low = 25;
    s.results[s.n_results - 1].ref_high = 38;
    put(&s, "hiv", 0, "", 5);
    put(&s, "hbv", 0, "", 5);
    put(&s, "hcv", 0, "", 5);
    put(&s, "syphilis", 0, "", 5);
    s.findings[FINDING_ECG] = FINDING_NORMAL;
    s.finding_dates[FINDING_ECG] = ymd(TODAY) - 3;
    s.cancer_history = s.pregnancy = s.active_infection = TRI_NO;
    s.has_injury = true;
    s.injury_date = ymd(TODAY) - 90;
    snprintf(s.injury_level, sizeof s.injury_level, "C5");
    snprintf(s.conditions[0], sizeof s.conditions[0], "S14.1");
    s.n_conditions = 1;
    s.age_years = 34;
    return s;
}

static screening_result *result(screening *s, const char *test)
{
    return (screening_result *)screening_result_find(s, test);
}

typedef void (*mutate_fn)(screening *s);
static void m_none(screening *s)
{
    (void)s;
}
static void m_cancer(screening *s)
{
    s->cancer_history = TRI_YES;
}
static void m_cancer_unknown(screening *s)
{
    s->cancer_history = TRI_UNKNOWN;
}
static void m_pregnant(screening *s)
{
    s->pregnancy = TRI_YES;
}
static void m_infection(screening *s)
{
    s->active_infection = TRI_YES;
}
static void m_hiv(screening *s)
{
    result(s, "hiv")->positive = true;
}
static void m_hcv(screening *s)
{
    result(s, "hcv")->positive = true;
}
static void m_syphilis_missing(screening *s)
{
    s->n_results--;
}
static void m_stale_31(screening *s)
{
    result(s, "hb")->date = ymd(TODAY) - 31;
}
static void m_stale_30(screening *s)
{
    result(s, "hb")->date = ymd(TODAY) - 30;
}
static void m_future(screening *s)
{
    result(s, "hb")->date = ymd(TODAY) + 1;
}
static void m_ecg_old(screening *s)
{
    s->finding_dates[FINDING_ECG] = ymd(TODAY) - 45;
}
static void m_hb_low(screening *s)
{
    result(s, "hb")->value = 9.9;
}
static void m_hb_at_min(screening *s)
{
    result(s, "hb")->value = 10;
}
static void m_hb_at_max(screening *s)
{
    result(s, "hb")->value = 18;
}
static void m_hb_unit(screening *s)
{
    snprintf(result(s, "hb")->unit, 16, "g/L");
    result(s, "hb")->value = 135;
}
static void m_creat_high(screening *s)
{
    result(s, "creatinine")->value = 1.51;
}
static void m_hb_missing(screening *s)
{
    s->results[0] = s->results[--s->n_results];
}
static void m_ecg_abnormal(screening *s)
{
    s->findings[FINDING_ECG] = FINDING_ABNORMAL;
}
static void m_ecg_missing(screening *s)
{
    s->findings[FINDING_ECG] = FINDING_NOT_DONE;
}
static void m_chronic(screening *s)
{
    s->injury_date = ymd(TODAY) - 366;
}
static void m_one_year(screening *s)
{
    s->injury_date = ymd(TODAY) - 365;
}
static void m_no_injury(screening *s)
{
    s->has_injury = false;
}
static void m_no_level(screening *s)
{
    s->injury_level[0] = '\0';
}
static void m_other_condition(screening *s)
{
    snprintf(s->conditions[0], 8, "G35");
}
static void m_sequelae(screening *s)
{
    snprintf(s->conditions[0], 8, "T91.3");
}
static void m_s14(screening *s)
{
    snprintf(s->conditions[0], 8, "S14");
} /* S14 is not S14.1 */
static void m_bilirubin_out_of_lab_range(screening *s)
{
    put(s, "bilirubin", 1.6, "mg/dL", 2);
    screening_result *r = result(s, "bilirubin");
    r->has_ref = true;
    r->ref_low = 0.1;
    r->ref_high = 1.2;
}
/* H16 (core/coagulation.h): the SCI protocol gives cells intrathecally */
static void m_plt_49(screening *s)
{
    result(s, "plt")->value = 49;
}
static void m_plt_50(screening *s)
{
    result(s, "plt")->value = 50;
}
static void m_inr_1_41(screening *s)
{
    result(s, "inr")->value = 1.41;
}
static void m_inr_1_4(screening *s)
{
    result(s, "inr")->value = 1.4;
}
static void m_aptt_high(screening *s)
{
    result(s, "aptt")->value = 38.5;
}
static void m_aptt_no_range(screening *s)
{
    result(s, "aptt")->has_ref = false;
}
static void m_inr_missing(screening *s)
{
    snprintf(result(s, "inr")->test, 16, "bilirubin");
}
/* H16: the patient's medication list (core/coagulation: an anticoagulant or
 * antiplatelet counts until 7 days after it was stopped, ASRA 2018; NSAIDs
 * alone do not) */
static coag_medication meds[1];
static void with_drug(screening *s, med_class cls, bool stopped, int stopped_days_ago)
{
    meds[0] =
        (coag_medication){"Apixaban", cls, ymd(TODAY) - 60, stopped, ymd(TODAY) - stopped_days_ago};
    s->meds = meds;
    s->n_meds = 1;
}
static void m_anticoagulant(screening *s)
{
    with_drug(s, MED_ANTICOAGULANT, false, 0);
}
static void m_antiplatelet(screening *s)
{
    with_drug(s, MED_ANTIPLATELET, false, 0);
}
static void m_anticoagulant_stopped_6(screening *s)
{
    with_drug(s, MED_ANTICOAGULANT, true, 6);
}
static void m_anticoagulant_stopped_7(screening *s)
{
    with_drug(s, MED_ANTICOAGULANT, true, 7);
}
static void m_nsaid(screening *s)
{
    with_drug(s, MED_NSAID, false, 0);
}
static void m_cancer_and_review(screening *s)
{
    s->cancer_history = TRI_YES;
    result(s, "hb")->value = 9;
}

static void test_eligibility_table(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        mutate_fn mutate;
        eligibility_verdict want;
        const char *rule;     /* a reason that must be present, or "" */
        const char *observed; /* its observed value (prefix) */
        bool chronic;
    } rows[] = {
        {"complete normal work-up", m_none, ELIG_ELIGIBLE, "", "", false},
        {"cancer history excludes", m_cancer, ELIG_NOT_ELIGIBLE, "cancer-history", "yes", false},
        {"cancer history unknown: review", m_cancer_unknown, ELIG_NEEDS_REVIEW, "cancer-history",
         "unknown", false},
        {"pregnancy excludes", m_pregnant, ELIG_NOT_ELIGIBLE, "pregnancy", "yes", false},
        {"active infection excludes", m_infection, ELIG_NOT_ELIGIBLE, "active-infection", "yes",
         false},
        {"HIV positive excludes", m_hiv, ELIG_NOT_ELIGIBLE, "hiv", "positive", false},
        {"HCV positive excludes", m_hcv, ELIG_NOT_ELIGIBLE, "hcv", "positive", false},
        {"syphilis missing: review", m_syphilis_missing, ELIG_NEEDS_REVIEW, "syphilis", "missing",
         false},
        {"result 31 days old is stale", m_stale_31, ELIG_NEEDS_REVIEW, "results-current", "sampled",
         false},
        {"result 30 days old is current", m_stale_30, ELIG_ELIGIBLE, "", "", false},
        {"result dated tomorrow: review", m_future, ELIG_NEEDS_REVIEW, "results-current", "sampled",
         false},
        {"ECG 45 days old is stale", m_ecg_old, ELIG_NEEDS_REVIEW, "results-current", "done",
         false},
        {"haemoglobin 9.9 below 10: review", m_hb_low, ELIG_NEEDS_REVIEW, "haemoglobin", "9.9 g/dL",
         false},
        {"haemoglobin 10 on the limit", m_hb_at_min, ELIG_ELIGIBLE, "", "", false},
        {"haemoglobin 18 on the limit", m_hb_at_max, ELIG_ELIGIBLE, "", "", false},
        {"haemoglobin in g/L: no conversion, review", m_hb_unit, ELIG_NEEDS_REVIEW, "haemoglobin",
         "135 g/L", false},
        {"creatinine 1.51 above 1.5: review", m_creat_high, ELIG_NEEDS_REVIEW, "creatinine", "1.51",
         false},
        {"haemoglobin missing: review", m_hb_missing, ELIG_NEEDS_REVIEW, "haemoglobin", "missing",
         false},
        {"abnormal ECG: review", m_ecg_abnormal, ELIG_NEEDS_REVIEW, "ecg", "abnormal", false},
        {"ECG not done: review", m_ecg_missing, ELIG_NEEDS_REVIEW, "ecg", "not done", false},
        {"injury 366 days ago: chronic flag, still eligible", m_chronic, ELIG_ELIGIBLE, "chronic",
         "injury", true},
        {"injury 365 days ago: not chronic", m_one_year, ELIG_ELIGIBLE, "", "", false},
        {"no injury date: review", m_no_injury, ELIG_NEEDS_REVIEW, "injury-recorded",
         "no injury date", false},
        {"no injury level: review", m_no_level, ELIG_NEEDS_REVIEW, "injury-recorded", "no level",
         false},
        {"condition outside the indications: review", m_other_condition, ELIG_NEEDS_REVIEW,
         "indication", "G35", false},
        {"T91.3 sequelae is an indication", m_sequelae, ELIG_ELIGIBLE, "", "", false},
        {"S14 does not fall under S14.1", m_s14, ELIG_NEEDS_REVIEW, "indication", "S14", false},
        {"bilirubin outside the lab's range without a rule: flag only",
         m_bilirubin_out_of_lab_range, ELIG_ELIGIBLE, "reference-range", "1.6 mg/dL", false},
        {"H16 platelets 49 exclude before a lumbar puncture", m_plt_49, ELIG_NOT_ELIGIBLE,
         "intrathecal-coagulation", "49 10^9/L", false},
        {"H16 platelets 50 on the limit", m_plt_50, ELIG_NEEDS_REVIEW, "platelets", "50", false},
        {"H16 INR 1.41 excludes", m_inr_1_41, ELIG_NOT_ELIGIBLE, "intrathecal-coagulation",
         "1.41 1", false},
        {"H16 INR 1.4 on the limit", m_inr_1_4, ELIG_ELIGIBLE, "", "", false},
        {"H16 INR missing excludes", m_inr_missing, ELIG_NOT_ELIGIBLE, "intrathecal-coagulation",
         "missing", false},
        {"H16 aPTT above the lab's upper limit excludes", m_aptt_high, ELIG_NOT_ELIGIBLE,
         "intrathecal-coagulation", "38.5 s", false},
        {"H16 aPTT without the lab's range excludes", m_aptt_no_range, ELIG_NOT_ELIGIBLE,
         "intrathecal-coagulation", "missing", false},
        {"H16 a current anticoagulant excludes", m_anticoagulant, ELIG_NOT_ELIGIBLE,
         "intrathecal-coagulation", "Apixaban (anticoagulant)", false},
        {"H16 a current antiplatelet excludes", m_antiplatelet, ELIG_NOT_ELIGIBLE,
         "intrathecal-coagulation", "Apixaban (antiplatelet)", false},
        {"H16 anticoagulant stopped 6 days ago excludes", m_anticoagulant_stopped_6,
         ELIG_NOT_ELIGIBLE, "intrathecal-coagulation", "Apixaban", false},
        {"H16 anticoagulant stopped 7 days ago: eligible", m_anticoagulant_stopped_7, ELIG_ELIGIBLE,
         "", "", false},
        {"H16 an NSAID alone does not exclude", m_nsaid, ELIG_ELIGIBLE, "", "", false},
        {"exclusion wins over review", m_cancer_and_review, ELIG_NOT_ELIGIBLE, "haemoglobin",
         "9 g/dL", false},
    };
    protocol p;
    load_protocol("sci", &p);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        screening s = normal_sci();
        rows[i].mutate(&s);
        eligibility_result r;
        eligibility_evaluate(&p, &s, ymd(TODAY), &r);
        if (r.verdict != rows[i].want) {
            for (size_t k = 0; k < r.n_reasons; k++)
                printf("  reason %s %s %s\n", r.reasons[k].rule, r.reasons[k].observed,
                       r.reasons[k].limit);
            fail_msg("%s: verdict %s", rows[i].name, eligibility_verdict_name(r.verdict));
        }
        assert_int_equal(r.chronic, rows[i].chronic);
        if (!rows[i].rule[0]) {
            if (r.n_reasons)
                fail_msg("%s: unexpected reason %s", rows[i].name, r.reasons[0].rule);
            continue;
        }
        bool found = false;
        for (size_t k = 0; k < r.n_reasons; k++)
            if (strcmp(r.reasons[k].rule, rows[i].rule) == 0 &&
                strncmp(r.reasons[k].observed, rows[i].observed, strlen(rows[i].observed)) == 0)
                found = true;
        if (!found)
            fail_msg("%s: no reason %s observed %s", rows[i].name, rows[i].rule, rows[i].observed);
    }
}

/* A child of 3 in spina-bifida: range rules use the laboratory's range for
 * the age (core/paediatric.h), never the protocol's adult limits. */
static void test_child_laboratory_ranges(void **state)
{
    (void)state;
    protocol p;
    load_protocol("spina-bifida", &p);
    static const struct {
        int age;
        const char *test;
        double value, low, high; /* low > high: no range given */
        eligibility_verdict want;
        const char *limit; /* the reason's limit (prefix), or "" for none */
    } rows[] = {
        /* within the adult limit (<= 1.5 mg/dL), far above a child's range */
        {3, "creatinine", 0.9, 0.2, 0.5, ELIG_NEEDS_REVIEW, "child of 3 years: laboratory range"},
        {3, "creatinine", 0.5, 0.2, 0.5, ELIG_ELIGIBLE, ""},
        /* above the adult minimum of 10 g/dL, below the child's range */
        {3, "hb", 10.5, 11, 14, ELIG_NEEDS_REVIEW, "child of 3 years: laboratory range 11..14"},
        {3, "hb", 11, 11, 14, ELIG_ELIGIBLE, ""},
        /* no range for the child: review, whatever the value */
        {3, "creatinine", 0.3, 1, 0, ELIG_NEEDS_REVIEW, "child of 3 years: the laboratory's range"},
        /* haemoglobin without a range: WHO/NMH/NHD/MNM/11.1 table 1 thresholds */
        {3, "hb", 11, 1, 0, ELIG_ELIGIBLE, ""},
        {3, "hb", 10.9, 1, 0, ELIG_NEEDS_REVIEW,
         "child of 3 years: WHO anaemia threshold >= 11 g/dL"},
        {4, "hb", 10.9, 1, 0, ELIG_NEEDS_REVIEW, "child of 4 years: WHO anaemia threshold >= 11"},
        {5, "hb", 11.4, 1, 0, ELIG_NEEDS_REVIEW,
         "child of 5 years: WHO anaemia threshold >= 11.5 g/dL"},
        {5, "hb", 11.5, 1, 0, ELIG_ELIGIBLE, ""},
        {11, "hb", 11.4, 1, 0, ELIG_NEEDS_REVIEW, "child of 11 years: WHO"},
        {12, "hb", 11.9, 1, 0, ELIG_NEEDS_REVIEW,
         "child of 12 years: WHO anaemia threshold >= 12 g/dL"},
        {14, "hb", 12, 1, 0, ELIG_ELIGIBLE, ""},
        /* outside WHO's sex-independent bands: the laboratory's range or review */
        {0, "hb", 14, 1, 0, ELIG_NEEDS_REVIEW, "child of 0 years: the laboratory's range"},
        {15, "hb", 14, 1, 0, ELIG_NEEDS_REVIEW, "child of 15 years: the laboratory's range"},
        /* 17 is still a child; 18 is judged by the protocol's limits */
        {17, "creatinine", 0.9, 0.5, 0.8, ELIG_NEEDS_REVIEW, "child of 17 years"},
        {18, "creatinine", 0.9, 0.5, 0.8, ELIG_ELIGIBLE, ""},
        {18, "creatinine", 1.51, 0.5, 0.8, ELIG_NEEDS_REVIEW, "<= 1.5 mg/dL"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        screening s = normal_sci();
        s.has_injury = false;
        snprintf(s.conditions[0], sizeof s.conditions[0], "Q05");
        s.age_years = rows[i].age;
        /* every other result carries a range it lies within */
        for (size_t k = 0; k < s.n_results; k++) {
            s.results[k].has_ref = true;
            s.results[k].ref_low = 0;
            s.results[k].ref_high = 1000;
        }
        screening_result *res = result(&s, rows[i].test);
        res->value = rows[i].value;
        res->has_ref = rows[i].low <= rows[i].high;
        res->ref_low = rows[i].low;
        res->ref_high = rows[i].high;
        eligibility_result r;
        eligibility_evaluate(&p, &s, ymd(TODAY), &r);
        if (r.verdict != rows[i].want)
            fail_msg("row %zu: verdict %s (%zu reasons, first %s %s)", i,
                     eligibility_verdict_name(r.verdict), r.n_reasons,
                     r.n_reasons ? r.reasons[0].rule : "", r.n_reasons ? r.reasons[0].limit : "");
        if (!rows[i].limit[0]) {
            assert_int_equal(r.n_reasons, 0);
            continue;
        }
        assert_int_equal(r.n_reasons, 1);
        if (strncmp(r.reasons[0].limit, rows[i].limit, strlen(rows[i].limit)) != 0)
            fail_msg("row %zu: limit '%s'", i, r.reasons[0].limit);
    }
}

static void test_msc_work_up_needs_echo_and_organ_function(void **state)
{
    (void)state;
    protocol p;
    load_protocol("msc", &p);
    screening s = normal_sci();
    snprintf(s.conditions[0], 8, "G35");
    eligibility_result r;
    eligibility_evaluate(&p, &s, ymd(TODAY), &r);
    assert_int_equal(r.verdict, ELIG_NEEDS_REVIEW); /* echo and organ function not done */
    s.findings[FINDING_ECHO] = s.findings[FINDING_ORGAN] = FINDING_NORMAL;
    s.finding_dates[FINDING_ECHO] = s.finding_dates[FINDING_ORGAN] = ymd(TODAY) - 2;
    eligibility_evaluate(&p, &s, ymd(TODAY), &r);
    assert_int_equal(r.verdict, ELIG_ELIGIBLE);
    assert_int_equal(r.oldest_date, ymd(TODAY) - 5);
    /* every shipped protocol excludes a history of cancer */
    static const char *const ids[] = {"sci", "spina-bifida", "msc", "secretome", "als"};
    for (int i = 0; i < 5; i++) {
        load_protocol(ids[i], &p);
        s.cancer_history = TRI_YES;
        eligibility_evaluate(&p, &s, ymd(TODAY), &r);
        assert_int_equal(r.verdict, ELIG_NOT_ELIGIBLE);
    }
}

static void test_staleness_and_names(void **state)
{
    (void)state;
    assert_false(eligibility_is_stale(100, 130, 30));
    assert_true(eligibility_is_stale(100, 131, 30));
    eligibility_verdict v;
    for (int i = 0; i < 3; i++) {
        assert_true(
            eligibility_verdict_parse(eligibility_verdict_name((eligibility_verdict)i), &v));
        assert_int_equal(v, i);
    }
    assert_false(eligibility_verdict_parse("maybe", &v));
    assert_true(eligibility_code_matches("J84.10", "J84.1"));
    assert_true(eligibility_code_matches("S14.1", "S14"));
    assert_false(eligibility_code_matches("S140", "S14"));
    assert_false(eligibility_code_matches("S14", "S14.1"));
    /* LOINC codes of the catalogue */
    assert_string_equal(screening_test_find("hb")->loinc, "718-7");
    assert_null(screening_test_find("nope"));
}

/* Property: random screenings never crash, and the verdict is exactly the
 * worst outcome among the reasons. */
static void test_verdict_is_worst_reason(void **state)
{
    (void)state;
    protocol p;
    load_protocol("sci", &p);
    uint64_t seed = 7;
    for (int i = 0; i < 5000; i++) {
        screening s = normal_sci();
        for (size_t k = 0; k < s.n_results; k++) {
            if (rng_int(&seed, 0, 5) == 0)
                s.results[k].value *= rng_int(&seed, 0, 30) / 10.0;
            if (rng_int(&seed, 0, 8) == 0)
                s.results[k].positive = true;
            s.results[k].date = ymd(TODAY) - rng_int(&seed, -2, 40);
        }
        s.cancer_history = (tri_state)rng_int(&seed, 0, 2);
        s.pregnancy = (tri_state)rng_int(&seed, 0, 2);
        s.findings[FINDING_ECG] = (finding_state)rng_int(&seed, 0, 2);
        s.injury_date = ymd(TODAY) - rng_int(&seed, 0, 800);
        eligibility_result r;
        eligibility_evaluate(&p, &s, ymd(TODAY), &r);
        eligibility_verdict worst = ELIG_ELIGIBLE;
        for (size_t k = 0; k < r.n_reasons; k++) {
            if (r.reasons[k].outcome == OUTCOME_EXCLUDE)
                worst = ELIG_NOT_ELIGIBLE;
            else if (r.reasons[k].outcome == OUTCOME_REVIEW && worst == ELIG_ELIGIBLE)
                worst = ELIG_NEEDS_REVIEW;
        }
        assert_int_equal(r.verdict, worst);
        if (s.cancer_history == TRI_YES || s.pregnancy == TRI_YES)
            assert_int_equal(r.verdict, ELIG_NOT_ELIGIBLE);
    }
}

/* H6: deciding and approving. */
static void test_decision_and_approval(void **state)
{
    (void)state;
    bool override;
    cc_error err;
    static const struct {
        eligibility_verdict computed, decision;
        const char *reason;
        cc_status want;
        bool override;
    } decisions[] = {
        {ELIG_ELIGIBLE, ELIG_ELIGIBLE, NULL, CC_OK, false},
        {ELIG_NEEDS_REVIEW, ELIG_ELIGIBLE, NULL, CC_OK, false}, /* the review itself */
        {ELIG_NOT_ELIGIBLE, ELIG_NOT_ELIGIBLE, NULL, CC_OK, false},
        {ELIG_ELIGIBLE, ELIG_NOT_ELIGIBLE, NULL, CC_OK, false},      /* the physician may refuse */
        {ELIG_NOT_ELIGIBLE, ELIG_ELIGIBLE, NULL, CC_INVALID, false}, /* override needs a reason */
        {ELIG_NOT_ELIGIBLE, ELIG_ELIGIBLE, "   too short  ", CC_INVALID, false},
        {ELIG_NOT_ELIGIBLE, ELIG_ELIGIBLE, "cured 2015, oncologist letter", CC_OK, true},
        {ELIG_ELIGIBLE, ELIG_NEEDS_REVIEW, NULL, CC_INVALID, false}, /* not a decision */
    };
    for (size_t i = 0; i < sizeof decisions / sizeof decisions[0]; i++) {
        cc_status st = eligibility_check_decision(decisions[i].computed, decisions[i].decision,
                                                  decisions[i].reason, &override, &err);
        if (st != decisions[i].want)
            fail_msg("decision row %zu: %d", i, st);
        if (st == CC_OK)
            assert_int_equal(override, decisions[i].override);
    }
    cc_date today = ymd(TODAY);
    static const struct {
        eligibility_facts f;
        int oldest_age;
        const char *code; /* "" when approval is allowed */
    } approvals[] = {
        {{false, ELIG_ELIGIBLE, ELIG_ELIGIBLE, false, true, 0}, 5, "eligibility_missing"},
        {{true, ELIG_NOT_ELIGIBLE, ELIG_ELIGIBLE, false, true, 0}, 5, "not_eligible"},
        {{true, ELIG_ELIGIBLE, ELIG_NOT_ELIGIBLE, false, true, 0}, 5, "override_required"},
        {{true, ELIG_ELIGIBLE, ELIG_NOT_ELIGIBLE, true, true, 0}, 5, ""},
        {{true, ELIG_ELIGIBLE, ELIG_ELIGIBLE, false, true, 0}, 30, ""},
        {{true, ELIG_ELIGIBLE, ELIG_ELIGIBLE, false, true, 0}, 31, "eligibility_stale"},
        {{true, ELIG_ELIGIBLE, ELIG_ELIGIBLE, false, false, 0}, 0, "eligibility_stale"},
        {{true, ELIG_ELIGIBLE, ELIG_NEEDS_REVIEW, false, true, 0}, 1, ""},
    };
    for (size_t i = 0; i < sizeof approvals / sizeof approvals[0]; i++) {
        eligibility_facts f = approvals[i].f;
        f.oldest_date = today - approvals[i].oldest_age;
        cc_status st = eligibility_check_approval(&f, today, 30, &err);
        if (!approvals[i].code[0]) {
            assert_int_equal(st, CC_OK);
        } else {
            assert_int_equal(st, CC_CONFLICT);
            assert_string_equal(err.code, approvals[i].code);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eligibility_table),
        cmocka_unit_test(test_child_laboratory_ranges),
        cmocka_unit_test(test_msc_work_up_needs_echo_and_organ_function),
        cmocka_unit_test(test_staleness_and_names),
        cmocka_unit_test(test_verdict_is_worst_reason),
        cmocka_unit_test(test_decision_and_approval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
