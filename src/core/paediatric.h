/*
 * paediatric: the vital-sign limits of a child by age band, and the CTCAE
 * v5.0 paediatric grade of a raised blood pressure. Chosen by the child's
 * age on the day of the reading; an adult (18 years or more) or a patient of
 * unknown age keeps the site's limits.
 *
 * Sources (each table row below is copied from its source):
 *   heart rate: 1st and 99th centiles by age band, Fleming S et al. Normal
 *     ranges of heart rate and respiratory rate in children from birth to
 *     18 years of age: a systematic review of observational studies. Lancet
 *     2011;377:1011-18, doi:10.1016/S0140-6736(10)62226-X, table 2 (checked
 *     against a reproduction of that table, not the journal's own copy). A
 *     value below the 1st or above the 99th centile of its band is abnormal.
 *   respiratory rate: 1st and 99th centiles by the same age bands from
 *     Fleming et al. 2011, copied from a reproduction, not from the paper:
 *     the table "[FLEMING] Web Table 4, respiratory rate, breaths/min, age
 *     band, 1st centile, 99th centile" in the comment of
 *     PPG_Signal_Processing/include/filter_bands.h of the public repository
 *     Prajnaana-Technologies/PrajnaanaOpen (commit 4db24b77), which names its
 *     source as Web Table 4 of the web appendix to the author manuscript
 *     (PubMed Central PMC3789232); the manuscript's own table could not be
 *     read when this was written. Checked against the authors' published
 *     centile curves (github.com/OxPrimaryCareStats/HRandBRPaedCentiles,
 *     "standalone app/resprates.js", 1st and 99th centiles month by month):
 *     read at the middle of each band (between two months, halfway, as that
 *     app interpolates) and rounded half up, they give 25 of the 26 numbers;
 *     the 26th, the 1st centile at 2-3 years, is 17.3 at 30 months against
 *     18 in the table. The table's 18 is kept (it flags one rate more).
 *     A value below the 1st or above the 99th centile of its band is
 *     abnormal; these replace the site's limits, as the heart rate does.
 *     Under 2 years WHO IMCI fast breathing is stricter than the 99th
 *     centile (60/min or more under 2 months, 50 or more from 2 to 11
 *     months, 40 or more from 12 to 59 months, against 66 to 46) and is kept
 *     there: the upper limit is the lower of the two, so from 2 years the
 *     centile decides (38 at 2-3 years, under WHO's 39).
 *   low systolic pressure: the hypotension limits of the AHA Pediatric
 *     Advanced Life Support course: below 60 mmHg in a term neonate (0-28
 *     days), 70 from 1 month to 1 year, 70 + 2 x age in years from 1 to 10
 *     years, 90 from 10 years. No source gives a paediatric lower diastolic
 *     limit: a child's diastolic pressure is not judged low.
 *   high pressure: the 90th, 95th and 99th percentiles of systolic and
 *     diastolic pressure for age 1 to 17 years and sex in The Fourth Report
 *     on the Diagnosis, Evaluation, and Treatment of High Blood Pressure in
 *     Children and Adolescents (NHBPEP Working Group, Pediatrics
 *     2004;114:555-76, tables 3 and 4), at the 5th height percentile: the
 *     clinic records no height, and the lowest column is the one that never
 *     misses a raised pressure (the AAP 2017 guideline's screening table,
 *     Flynn JT et al., Pediatrics 2017;140:e20171904, table 6, rests on the
 *     same choice). A patient of unknown sex gets the lower of the boys' and
 *     girls' values. Under 1 year the Fourth Report has no table: not graded.
 *   grade: CTCAE v5.0 "Hypertension" (NCI, 2017), paediatric rows:
 *     grade 1 "Pediatric: Systolic/diastolic BP >90th percentile but <95th
 *       percentile; Adolescent: BP >=120/80 even if <95th percentile";
 *     grade 2 "Pediatric and adolescent: ... systolic and/or diastolic BP
 *       between the 95th percentile and 5 mmHg above the 99th percentile;
 *       Adolescent: Systolic between 130-139 or diastolic between 80-89 even
 *       if <95th percentile";
 *     grade 3 "Pediatric and adolescent: Systolic and/or diastolic >5 mmHg
 *       above the 99th percentile".
 *     CTCAE does not define "adolescent": 13 to 17 years, as the AAP 2017
 *     guideline's adult-style thresholds from 13 years. Grade 4 (life-
 *     threatening consequences) is a clinical judgement, never computed.
 *   laboratory limits (core/eligibility, range rules): no table of
 *     paediatric reference intervals (such as CALIPER, Colantonio DA et al.,
 *     Clin Chem 2012;58:854-68) could be checked against its publication
 *     when this was written, and such intervals depend on the laboratory's
 *     method. A protocol's limits are adult ones (an adult creatinine limit
 *     of 1.5 mg/dL is several times a small child's normal value), so for a
 *     child (0 to 17 years) a laboratory value is judged against the
 *     reference range the laboratory reports with it for the child's age;
 *     without one, haemoglobin from 1 to 14 years is judged against WHO's
 *     anaemia threshold for the age (paed_haemoglobin_min) and any other
 *     value is reviewed by the physician.
 *
 * Pure, no allocation, thread-safe. Messages in English and French.
 */
#ifndef CC_PAEDIATRIC_H
#define CC_PAEDIATRIC_H

#include <stdbool.h>

#include "date.h"
#include "vitals.h"

enum { PAED_ADULT_MONTHS = 18 * 12 };

typedef enum { PAED_SEX_UNKNOWN = 0, PAED_SEX_MALE, PAED_SEX_FEMALE } paed_sex;

/* "male" and "female"; anything else (NULL, "other", "unknown") is unknown. */
paed_sex paed_sex_parse(const char *text);

/* Whole months of age on `on` (a month is complete on the same day of the
 * month, or on the last day of a shorter month); -1 when born after `on`. */
int paed_age_months(cc_date birth, cc_date on);

/* True for 0 <= age_months < PAED_ADULT_MONTHS. */
bool paed_is_child(int age_months);

/* The haemoglobin below which a child is anaemic, in g/dL, for an age in
 * whole years (WHO, Haemoglobin concentrations for the diagnosis of anaemia
 * and assessment of severity, WHO/NMH/NHD/MNM/11.1, 2011, table 1: 11.0
 * from 6 to 59 months, 11.5 from 5 to 11 years, 12.0 from 12 to 14 years).
 * False at 0 years (the band starts at 6 months) and from 15 years, where
 * WHO's thresholds differ by sex (12.0 women, 13.0 men), which the work-up
 * does not carry. */
bool paed_haemoglobin_min(int age_years, double *g_per_dl);

/* Replaces the site's heart-rate, respiratory-rate and blood-pressure limits
 * in *l with the child's (sources above); leaves them for an adult or an
 * unknown age. The systolic and diastolic upper limits are lifted out of
 * reach for a child of 1 year or more: paed_hypertension judges them. */
void paed_vitals_limits(int age_months, vitals_limits *l);

/* The CTCAE v5.0 paediatric hypertension grade (0: none, 1..3) of a reading
 * for a child aged 1 to 17 years; 0 for any other age. */
int paed_hypertension_grade(int age_months, paed_sex sex, const vitals *v);

/* Writes the graded finding (code "hypertension_grade_N", field "systolic"
 * or "diastolic") and returns true when the grade is 1 or more. */
bool paed_hypertension(int age_months, paed_sex sex, const vitals *v, vitals_finding *out);

#endif
