/*
 * coagulation: is the patient's haemostasis known and adequate for a lumbar
 * puncture (DESIGN.md section 6, hazard H16), from the latest platelet
 * count, INR and aPTT and the concomitant medication list.
 *
 * Limits (a lumbar puncture is refused, or needs a physician's signed
 * override, outside them):
 *   platelets >= 50 x 10^9/L: the AABB suggests a platelet transfusion before
 *     an elective lumbar puncture below 50 x 10^9 cells/L (Kaufman RM et al.,
 *     Platelet transfusion: a clinical practice guideline from the AABB. Ann
 *     Intern Med 2015;162(3):205-213, Recommendation 3). Van Veen et al. (Br J
 *     Haematol 2010;148:15-25) call 40 x 10^9/L "safe" for a lumbar puncture
 *     and ask for an individual decision between 20 and 40; the stricter
 *     figure is kept here, and the physician's override is that decision.
 *   INR <= 1.4: the upper limit the ASRA guidelines set for neuraxial
 *     procedures under warfarin, as quoted by Liu SS et al. (Reg Anesth Pain
 *     Med 2011;36:231-235: "an international normalized ratio (INR) of 1.4 is
 *     the upper limit ... for safe removal of an epidural catheter"); the
 *     ASRA guideline itself is Horlocker TT et al., Reg Anesth Pain Med
 *     2018;43:263-309.
 *   aPTT <= the laboratory's upper reference limit: no published guidance
 *     found gives one figure in seconds (reagents differ), so the result must
 *     carry its laboratory's range and be within it; a result without a range
 *     cannot be judged and counts as missing.
 *   Each result at most COAG_MAX_AGE_DAYS (7) old on the day of the
 *   puncture: the project's choice (no published window was found), short
 *   enough that a count from the work-up a month before is not used.
 *   Medication: an anticoagulant or antiplatelet drug that is current (no
 *   stop date, or stopped fewer than COAG_DRUG_CLEAR_DAYS (7) days before
 *   the day) is refused; 7 days is the project's choice, longer than the
 *   72 h ASRA gives for rivaroxaban and apixaban (Horlocker 2018), and a
 *   physician decides the rest by the override. NSAIDs and the other classes
 *   are not refused (ASRA: NSAIDs alone do not add significant risk).
 *
 * Units are the screening catalogue's (core/screening.h): plt "10^9/L",
 * inr "1", aptt "s"; a result in another unit counts as missing.
 * Pure, no allocation, thread-safe.
 */
#ifndef CC_COAGULATION_H
#define CC_COAGULATION_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"

#define COAG_MIN_PLATELETS 50.0 /* 10^9/L */
#define COAG_MAX_INR 1.4
enum { COAG_MAX_AGE_DAYS = 7, COAG_DRUG_CLEAR_DAYS = 7, COAG_MAX_FINDINGS = 8, COAG_TEXT = 240 };

typedef enum { COAG_PLT = 0, COAG_INR, COAG_APTT, COAG_TEST_COUNT } coag_test;

/* Medication classes of the patient's list (a fixed list). */
typedef enum {
    MED_ANTICOAGULANT = 0,
    MED_ANTIPLATELET,
    MED_NSAID,
    MED_ANALGESIC,
    MED_ANTISPASMODIC,
    MED_ANTIEPILEPTIC,
    MED_CORTICOSTEROID,
    MED_IMMUNOSUPPRESSANT,
    MED_ANTIBIOTIC,
    MED_OTHER,
    MED_CLASS_COUNT
} med_class;

typedef struct {
    bool has;
    double value;
    const char *unit;
    bool has_ref_high;
    double ref_high; /* the laboratory's upper reference limit */
    cc_date date;    /* sample date */
} coag_result;

typedef struct {
    const char *name;
    med_class cls;
    cc_date start;
    bool stopped;
    cc_date stop;
} coag_medication;

typedef struct {
    coag_result results[COAG_TEST_COUNT];
    const coag_medication *meds;
    size_t n_meds;
    cc_date today;
    bool check_age; /* bedside: results older than COAG_MAX_AGE_DAYS are refused */
} coag_facts;

typedef enum {
    COAG_MISSING = 0,  /* no usable result */
    COAG_OUT_OF_RANGE, /* below / above the limit */
    COAG_STALE,        /* older than COAG_MAX_AGE_DAYS, or dated after today */
    COAG_DRUG_ACTIVE,  /* an anticoagulant or antiplatelet is current */
} coag_problem;

typedef struct {
    coag_problem problem;
    coag_test test;   /* for the result problems */
    char subject[16]; /* "plt", "inr", "aptt" or "medication" */
    char observed[96];
    char limit[96];
    char en[COAG_TEXT];
    char fr[COAG_TEXT];
} coag_finding;

/* Every problem (at most COAG_MAX_FINDINGS); 0 when the puncture may go. */
size_t coag_check(const coag_facts *f, coag_finding out[COAG_MAX_FINDINGS]);

/* "plt", "inr", "aptt". */
const char *coag_test_code(coag_test t);
/* "anticoagulant", ... "other"; "" out of range. */
const char *med_class_name(med_class c);
bool med_class_parse(const char *name, med_class *out);
/* True when a medication of class cls, started on start and stopped (or not)
 * on stop, still counts as active on day (an anticoagulant or antiplatelet
 * within COAG_DRUG_CLEAR_DAYS of its stop date). */
bool coag_drug_blocks(med_class cls, cc_date start, bool stopped, cc_date stop, cc_date day);

#endif
