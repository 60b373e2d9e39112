#include "condition.h"

#include <stddef.h>
#include <string.h>

#include "text.h"

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

condition_kind condition_kind_of(const char *icd10)
{
    if (!icd10)
        return CONDITION_OTHER;
    if (starts(icd10, "S14") || starts(icd10, "S24") || starts(icd10, "S34") ||
        starts(icd10, "T09.3") || starts(icd10, "T91.3") || starts(icd10, "G82"))
        return CONDITION_SCI;
    if (starts(icd10, "Q05") || starts(icd10, "Q76.0"))
        return CONDITION_SPINA_BIFIDA;
    if (starts(icd10, "G35"))
        return CONDITION_MS;
    if (starts(icd10, "G12.2"))
        return CONDITION_ALS;
    return CONDITION_OTHER;
}

bool condition_level_is_valid(const char *text)
{
    static const struct {
        char region;
        int last;
    } REGIONS[] = {{'C', 8}, {'T', 12}, {'L', 5}, {'S', 5}};
    size_t n = text ? strlen(text) : 0;
    if (n < 2 || n > 3 || text[1] < '1' || text[1] > '9' ||
        (n == 3 && (text[2] < '0' || text[2] > '9')))
        return false;
    int number = n == 2 ? text[1] - '0' : (text[1] - '0') * 10 + text[2] - '0';
    for (size_t i = 0; i < sizeof REGIONS / sizeof REGIONS[0]; i++)
        if (text[0] == REGIONS[i].region)
            return number <= REGIONS[i].last;
    return false;
}

static bool one_of(const char *text, const char *const *values)
{
    for (size_t i = 0; values[i]; i++)
        if (strcmp(text, values[i]) == 0)
            return true;
    return false;
}

static cc_status refuse_details(cc_error *err, const char *code, const char *message)
{
    return cc_fail(err, CC_INVALID, "details", code, "%s", message);
}

cc_status condition_check_detail(condition_kind kind, const char *key, bool is_number,
                                 const char *text, double number, cc_error *err)
{
    static const char *const AIS[] = {"A", "B", "C", "D", "E", NULL};
    static const char *const SB_TYPES[] = {"myelomeningocele", "meningocele",
                                           "lipomyelomeningocele", "occulta", NULL};
    static const char *const MS_COURSES[] = {"relapsing_remitting", "secondary_progressive",
                                             "primary_progressive", NULL};
    static const char *const ALS_ONSETS[] = {"bulbar", "limb", "respiratory", NULL};
    if (strcmp(key, "note") == 0)
        return is_number ? refuse_details(err, "invalid_value", "details.note is text")
                         : text_check_line(text, "details", CONDITION_NOTE_MAX, false, err);
    bool level =
        strcmp(key, "level") == 0 && (kind == CONDITION_SCI || kind == CONDITION_SPINA_BIFIDA);
    if (strcmp(key, "edss_at_diagnosis") == 0 && kind == CONDITION_MS) {
        if (!is_number || !(number >= 0 && number <= 10) || (double)(int)(number * 2) != number * 2)
            return refuse_details(err, "out_of_range",
                                  "details.edss_at_diagnosis is 0 to 10 by steps of 0.5");
        return CC_OK;
    }
    const char *const *values = NULL;
    if (kind == CONDITION_SCI && strcmp(key, "ais") == 0)
        values = AIS;
    else if (kind == CONDITION_SPINA_BIFIDA && strcmp(key, "type") == 0)
        values = SB_TYPES;
    else if (kind == CONDITION_MS && strcmp(key, "course") == 0)
        values = MS_COURSES;
    else if (kind == CONDITION_ALS && strcmp(key, "onset_region") == 0)
        values = ALS_ONSETS;
    if (!level && !values)
        return refuse_details(err, "unknown_field",
                              "this detail does not belong to a condition of that kind");
    if (is_number || !text)
        return refuse_details(err, "invalid_value", "this detail is text");
    if (level ? !condition_level_is_valid(text) : !one_of(text, values))
        return refuse_details(
            err, "invalid_value",
            level ? "details.level is a neurological level C1..C8, T1..T12, L1..L5, S1..S5"
                  : "this detail's value is not one of its values");
    return CC_OK;
}
