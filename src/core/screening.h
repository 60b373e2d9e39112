/*
 * screening: the pre-treatment work-up of one patient for one programme
 * (DESIGN.md section 3 "Screening"), and the catalogue of tests it knows.
 *
 * Laboratory results carry a value, a unit, the laboratory's reference range
 * and the date of the sample. Qualitative tests (infectious markers) carry
 * positive / negative instead of a value. Findings (ECG, echocardiography,
 * organ function) are normal / abnormal / not done, with a date. History
 * items (cancer, pregnancy, active infection) are yes / no / unknown.
 *
 * Catalogue (code, LOINC, unit the rules use):
 *   hb          718-7    g/dL     haemoglobin
 *   wbc         6690-2   10^9/L   leukocytes
 *   plt         777-3    10^9/L   platelets
 *   creatinine  2160-0   mg/dL    creatinine
 *   alt         1742-6   U/L      alanine aminotransferase
 *   ast         1920-8   U/L      aspartate aminotransferase
 *   bilirubin   1975-2   mg/dL    total bilirubin
 *   inr         6301-6   1        prothrombin time INR
 *   aptt        14979-9  s        activated partial thromboplastin time
 *   hiv         31201-7  -        HIV 1+2 antibodies (qualitative)
 *   hbv         5196-1   -        hepatitis B surface antigen (qualitative)
 *   hcv         16128-1  -        hepatitis C antibodies (qualitative)
 *   syphilis    20507-0  -        reagin antibodies, RPR (qualitative)
 * Findings: ecg, echocardiography, organ_function. History: cancer_history,
 * pregnancy, active_infection. SCI: injury_date and injury_level.
 *
 * Units are compared exactly (no conversion): a result in another unit than
 * the rule's makes the rule "needs review", never a silent pass.
 * Pure data and lookups; thread-safe.
 */
#ifndef CC_SCREENING_H
#define CC_SCREENING_H

#include <stdbool.h>
#include <stddef.h>

#include "coagulation.h"
#include "date.h"

enum { SCREENING_MAX_RESULTS = 32, SCREENING_MAX_CONDITIONS = 8 };

typedef struct {
    const char *code, *loinc, *unit, *label_en, *label_fr;
    bool qualitative;
} screening_test;

typedef enum { TRI_UNKNOWN = 0, TRI_NO, TRI_YES } tri_state;
typedef enum { FINDING_NOT_DONE = 0, FINDING_NORMAL, FINDING_ABNORMAL } finding_state;
typedef enum { FINDING_ECG = 0, FINDING_ECHO, FINDING_ORGAN, FINDING_COUNT } finding_kind;

typedef struct {
    char test[16]; /* catalogue code */
    bool positive; /* qualitative tests */
    double value;  /* quantitative tests */
    char unit[16];
    bool has_ref;
    double ref_low, ref_high; /* the laboratory's reference range */
    cc_date date;             /* sample date */
} screening_result;

typedef struct {
    screening_result results[SCREENING_MAX_RESULTS];
    size_t n_results;
    finding_state findings[FINDING_COUNT];
    cc_date finding_dates[FINDING_COUNT];
    tri_state cancer_history, pregnancy, active_infection;
    bool has_injury;
    cc_date injury_date;
    char injury_level[8];                         /* "C5", "T10", "L1" ... */
    char conditions[SCREENING_MAX_CONDITIONS][8]; /* the patient's ICD-10 codes */
    size_t n_conditions;
    int age_years; /* -1 when unknown */
    /* the patient's medication list when the work-up is judged (H16: a
     * current anticoagulant or antiplatelet excludes a lumbar puncture);
     * owned by the caller, not part of the stored work-up */
    const coag_medication *meds;
    size_t n_meds;
} screening;

const screening_test *screening_test_find(const char *code);
/* The whole catalogue, terminated by a NULL code. */
const screening_test *screening_catalogue(void);
const char *
screening_finding_name(finding_kind k); /* "ecg", "echocardiography", "organ_function" */
bool screening_finding_parse(const char *name, finding_kind *out);
/* Subjects of the history rules. */
bool screening_history_is_known(const char *name);
const char *screening_tri_name(tri_state t);               /* "unknown", "no", "yes" */
const char *screening_finding_state_name(finding_state f); /* "not_done", "normal", "abnormal" */
/* The result for a test code, or NULL. */
const screening_result *screening_result_find(const screening *s, const char *code);

#endif
