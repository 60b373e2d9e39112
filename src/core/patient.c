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
    static const char *const allowed[] = {"en", "fr", NULL};
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
        return cc_fail(err, CC_INVALID, field, "out_of_range",
                       "%s must be between 0.5 and 400 kg", field);
    *grams = (int)lround(kg * 1000.0);
    return CC_OK;
}

static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool icd10_is_valid(const char *code)
{
    if (!code)
        return false;
    size_t n = strlen(code);
    if (n < 3 || !is_upper(code[0]) || !is_digit(code[1]) || !(is_digit(code[2]) || is_upper(code[2])))
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

void patient_identity_key(const char *family_name, const char *given_names,
                          const char *birth_date, char *out, size_t cap)
{
    char family[PATIENT_NAME_MAX * 4 + 1], given[PATIENT_NAME_MAX * 4 + 1];
    text_fold(family_name ? family_name : "", family, sizeof family);
    text_fold(given_names ? given_names : "", given, sizeof given);
    snprintf(out, cap, "%s|%s|%s", family, given, birth_date ? birth_date : "");
}
