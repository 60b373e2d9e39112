/*
 * patient: the rules a patient record obeys, independent of storage.
 *
 * Fields and limits (code points for text):
 *   family_name, given_names  required, 1..100
 *   birth_date                required, 1900-01-01 .. today
 *   sex                       "female" | "male" | "other" | "unknown"
 *   language                  "en" | "fr" | "de"
 *   email 0..254, phone 0..40, address 0..400 (optional)
 * Weights: 0.5 .. 400.0 kg, dated not after today and not before birth.
 * Conditions: ICD-10 code "A00" .. "Z99" with optional ".x..." (up to 4
 * characters after the dot), label 1..200, optional onset date.
 *
 * Functions validate values and return CC_INVALID naming the field; they keep
 * no state and allocate nothing. Thread-safe.
 */
#ifndef CC_PATIENT_H
#define CC_PATIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"
#include "status.h"

enum {
    PATIENT_NAME_MAX = 100,
    PATIENT_EMAIL_MAX = 254,
    PATIENT_PHONE_MAX = 40,
    PATIENT_ADDRESS_MAX = 400,
    CONDITION_LABEL_MAX = 200,
    PATIENT_SEARCH_KEY_MAX = 512,
};

/* Demographic fields as text; NULL means "not given". */
typedef struct {
    const char *family_name, *given_names, *birth_date, *sex, *language;
    const char *email, *phone, *address;
} patient_fields;

/* Checks every field that is given; with complete, the required ones
 * (names, birth_date, sex, language) must be given too. */
cc_status patient_check_fields(const patient_fields *f, bool complete, cc_date today,
                               cc_error *err);

/* A weight measurement: date not in the future, not before birth. */
cc_status patient_check_weight_date(const char *date, const char *birth_date, cc_date today,
                                    cc_error *err);

/* A condition: ICD-10 code, label, optional onset date (not in the future). */
cc_status patient_check_condition(const char *icd10, const char *label, const char *onset_date,
                                  cc_date today, cc_error *err);

bool patient_sex_is_valid(const char *sex);
bool patient_language_is_valid(const char *language);
cc_status patient_check_birth_date(const char *text, cc_date today, cc_date *out, cc_error *err);
/* grams: weight in grams (integer, so no float rounding in storage). */
cc_status patient_check_weight(double kg, const char *field, int *grams, cc_error *err);
bool icd10_is_valid(const char *code);

/* Builds the folded search key of a patient: names, MRN and birth date. */
void patient_search_key(const char *family_name, const char *given_names, const char *mrn,
                        const char *birth_date, char *out, size_t cap);

/* Folded "family|given|birth" used to detect likely duplicates (H8). */
void patient_identity_key(const char *family_name, const char *given_names, const char *birth_date,
                          char *out, size_t cap);

/* Erasure requests (GDPR art. 17). The identity of a person who gave or
 * received cells and the donor - unit - recipient links are traceability
 * data: Directive 2004/23/EC art. 8(4) keeps the data "required for full
 * traceability" at least 30 years after clinical use, Commission Directive
 * 2006/86/EC art. 9(2) the data of its Annex VI at least 30 years (21 CFR
 * 1271.270(d): HCT/P records at least 10 years); GDPR art. 17(3)(b) and (c)
 * lift the right to erasure where a legal obligation or public health needs
 * the data. This system erases nothing: every request is refused with one of
 *   "traceability_retention"  the person is linked to a unit (received one,
 *                             or is a donor): kept 30 years;
 *   "erasure_not_available"   no such link: the clinical record is kept and
 *                             the site's data protection officer decides
 *                             outside the system.
 * Counts are of rows that link the person to a unit. */
enum { TRACEABILITY_RETENTION_YEARS = 30 };

typedef struct {
    long long units_received; /* units given to the person */
    long long donations;      /* donor records of the person */
} patient_trace_links;

/* The refusal's code (static string) for a person with these links. */
const char *patient_erasure_refusal(const patient_trace_links *links);

#endif
