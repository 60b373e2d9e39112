#include "patient.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

static bool one_of(const char *value, const char *const *allowed)
{
    if (!value)
        return false;
    for (; *allowed; allowed++)
        if (strcmp(value, *allowed) == 0)
            return true;
    return false;
}

bool patient_sex_is_valid(const char *sex)
{
    static const char *const allowed[] = {"female", "male", "other", "unknown", NULL};
    return one_of(sex, allowed);
}

bool patient_language_is_valid(const char *language)
{
    static const char *const allowed[] = {"en", "fr", "de", NULL};
    return one_of(language, allowed);
}

cc_status patient_check_birth_date(const char *text, cc_date today, cc_date *out, cc_error *err)
{
    cc_status st = date_parse(text, "birth_date", out, err);
    if (st != CC_OK)
        return st;
    if (*out > today)
        return cc_fail(err, CC_INVALID, "birth_date", "out_of_range",
                       "birth_date cannot be in the future");
    return CC_OK;
}

cc_status patient_check_weight(double kg, const char *field, int *grams, cc_error *err)
{
    if (!isfinite(kg) || kg < 0.5 || kg > 400.0)
        return cc_fail(err, CC_INVALID, field, "out_of_range", "%s must be between 0.5 and 400 kg",
                       field);
    *grams = (int)lround(kg * 1000.0);
    return CC_OK;
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}
static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool icd10_is_valid(const char *code)
{
    if (!code)
        return false;
    size_t n = strlen(code);
    if (n < 3 || !is_upper(code[0]) || !is_digit(code[1]) ||
        !(is_digit(code[2]) || is_upper(code[2])))
        return false;
    if (n == 3)
        return true;
    if (code[3] != '.' || n < 5 || n > 8)
        return false;
    for (size_t i = 4; i < n; i++)
        if (!is_digit(code[i]) && !is_upper(code[i]))
            return false;
    return true;
}

void patient_search_key(const char *family_name, const char *given_names, const char *mrn,
                        const char *birth_date, char *out, size_t cap)
{
    char joined[PATIENT_SEARCH_KEY_MAX * 2];
    snprintf(joined, sizeof joined, "%s %s %s %s", family_name ? family_name : "",
             given_names ? given_names : "", mrn ? mrn : "", birth_date ? birth_date : "");
    text_fold(joined, out, cap);
}

void patient_identity_key(const char *family_name, const char *given_names, const char *birth_date,
                          char *out, size_t cap)
{
    char family[PATIENT_NAME_MAX * 4 + 1], given[PATIENT_NAME_MAX * 4 + 1];
    text_fold(family_name ? family_name : "", family, sizeof family);
    text_fold(given_names ? given_names : "", given, sizeof given);
    snprintf(out, cap, "%s|%s|%s", family, given, birth_date ? birth_date : "");
}

cc_status patient_check_fields(const patient_fields *f, bool complete, cc_date today, cc_error *err)
{
    cc_status st;
    /* A name, when given, may never be blank. */
    if ((st = text_check_line(f->family_name, "family_name", PATIENT_NAME_MAX,
                              complete || f->family_name, err)) ||
        (st = text_check_line(f->given_names, "given_names", PATIENT_NAME_MAX,
                              complete || f->given_names, err)))
        return st;
    if (f->birth_date || complete) {
        cc_date birth;
        if (!f->birth_date)
            return cc_fail(err, CC_INVALID, "birth_date", "required", "birth_date is required");
        if ((st = patient_check_birth_date(f->birth_date, today, &birth, err)))
            return st;
    }
    if ((f->sex || complete) && !patient_sex_is_valid(f->sex))
        return cc_fail(err, CC_INVALID, "sex", "invalid_value",
                       "sex must be one of female, male, other, unknown");
    if ((f->language || complete) && !patient_language_is_valid(f->language))
        return cc_fail(err, CC_INVALID, "language", "invalid_value",
                       "language must be en, fr or de");
    if ((st = text_check_line(f->email, "email", PATIENT_EMAIL_MAX, false, err)) ||
        (st = text_check_line(f->phone, "phone", PATIENT_PHONE_MAX, false, err)) ||
        (st = text_check_line(f->address, "address", PATIENT_ADDRESS_MAX, false, err)))
        return st;
    if (f->email && *f->email && !strchr(f->email, '@'))
        return cc_fail(err, CC_INVALID, "email", "invalid_email", "email must contain '@'");
    return CC_OK;
}

cc_status patient_check_weight_date(const char *date, const char *birth_date, cc_date today,
                                    cc_error *err)
{
    cc_date when, birth;
    cc_status st = date_parse(date, "date", &when, err);
    if (st != CC_OK)
        return st;
    if (when > today)
        return cc_fail(err, CC_INVALID, "date", "out_of_range", "date cannot be in the future");
    if (date_parse(birth_date, "birth_date", &birth, NULL) == CC_OK && when < birth)
        return cc_fail(err, CC_INVALID, "date", "out_of_range", "date is before the birth date");
    return CC_OK;
}

cc_status patient_check_condition(const char *icd10, const char *label, const char *onset_date,
                                  cc_date today, cc_error *err)
{
    if (!icd10_is_valid(icd10))
        return cc_fail(err, CC_INVALID, "icd10", "invalid_icd10",
                       "icd10 must be an ICD-10 code such as S14.1 or G35");
    cc_status st = text_check_line(label, "label", CONDITION_LABEL_MAX, true, err);
    if (st != CC_OK)
        return st;
    if (onset_date) {
        cc_date onset;
        if ((st = date_parse(onset_date, "onset_date", &onset, err)))
            return st;
        if (onset > today)
            return cc_fail(err, CC_INVALID, "onset_date", "out_of_range",
                           "onset_date cannot be in the future");
    }
    return CC_OK;
}

const char *patient_erasure_refusal(const patient_trace_links *links)
{
    return links->units_received > 0 || links->donations > 0 ? "traceability_retention"
                                                             : "erasure_not_available";
}
