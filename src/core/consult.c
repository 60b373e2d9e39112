#include "consult.h"

#include <string.h>

#include "dysreflexia.h"
#include "patient.h"
#include "text.h"

/* ISO 3166-1 alpha-2, officially assigned codes (Debian iso-codes). */
static const char COUNTRIES[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW";

const char *const consult_diagnoses[] = {"sci",
                                         "spina_bifida",
                                         "als",
                                         "multiple_sclerosis",
                                         "parkinson",
                                         "stroke",
                                         "rheumatoid_arthritis",
                                         "crohn",
                                         "lupus",
                                         "heart_failure",
                                         "copd",
                                         "pulmonary_fibrosis",
                                         "knee_osteoarthritis",
                                         "other",
                                         NULL};

static const struct {
    const char *diagnosis, *icd10, *label;
} CONDITIONS[] = {
    {"spina_bifida", "Q05.9", "Spina bifida"},
    {"als", "G12.2", "Amyotrophic lateral sclerosis"},
    {"multiple_sclerosis", "G35", "Multiple sclerosis"},
    {"parkinson", "G20", "Parkinson's disease"},
    {"stroke", "I69.3", "Sequelae of cerebral infarction"},
    {"rheumatoid_arthritis", "M06.9", "Rheumatoid arthritis"},
    {"crohn", "K50.9", "Crohn's disease"},
    {"lupus", "M32.9", "Systemic lupus erythematosus"},
    {"heart_failure", "I50.9", "Heart failure"},
    {"copd", "J44.9", "Chronic obstructive pulmonary disease"},
    {"pulmonary_fibrosis", "J84.1", "Pulmonary fibrosis"},
    {"knee_osteoarthritis", "M17.9", "Osteoarthritis of the knee"},
};

static bool is_country(const char *code)
{
    if (!code || strlen(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' ||
        code[1] > 'Z')
        return false;
    for (const char *p = COUNTRIES; *p; p += p[2] ? 3 : 2)
        if (p[0] == code[0] && p[1] == code[1])
            return true;
    return false;
}

static bool is_diagnosis(const char *d)
{
    for (size_t i = 0; d && consult_diagnoses[i]; i++)
        if (strcmp(d, consult_diagnoses[i]) == 0)
            return true;
    return false;
}

bool consult_condition(const char *diagnosis, const char *injury_level, const char **icd10,
                       const char **label)
{
    if (diagnosis && strcmp(diagnosis, "sci") == 0) {
        char region = sci_level_is_valid(injury_level) ? injury_level[0] : '?';
        *icd10 = region == 'C'   ? "S14.1"
                 : region == 'T' ? "S24.1"
                 : region == '?' ? "T91.3"
                                 : "S34.1";
        *label = region == 'C'   ? "Cervical spinal cord injury"
                 : region == 'T' ? "Thoracic spinal cord injury"
                 : region == '?' ? "Sequelae of spinal cord injury"
                                 : "Lumbar and sacral spinal cord injury";
        return true;
    }
    for (size_t i = 0; diagnosis && i < sizeof CONDITIONS / sizeof CONDITIONS[0]; i++)
        if (strcmp(diagnosis, CONDITIONS[i].diagnosis) == 0) {
            *icd10 = CONDITIONS[i].icd10;
            *label = CONDITIONS[i].label;
            return true;
        }
    return false;
}

/* The structured description: country, diagnosis, and for a spinal cord
 * injury its level and date (not before birth). */
static cc_status check_structured(const consult_fields *f, cc_date today, cc_error *err)
{
    if (f->country && !is_country(f->country))
        return cc_fail(err, CC_INVALID, "country", "invalid_value",
                       "country must be an ISO 3166-1 alpha-2 code");
    if (f->diagnosis && !is_diagnosis(f->diagnosis))
        return cc_fail(err, CC_INVALID, "diagnosis", "invalid_value",
                       "diagnosis must be one of the listed diagnoses");
    bool sci = f->diagnosis && strcmp(f->diagnosis, "sci") == 0;
    if (f->injury_level && !sci)
        return cc_fail(err, CC_INVALID, "injury_level", "not_applicable",
                       "injury_level is given only for a spinal cord injury");
    if (f->injury_date && !sci)
        return cc_fail(err, CC_INVALID, "injury_date", "not_applicable",
                       "injury_date is given only for a spinal cord injury");
    if (f->injury_level && !sci_level_is_valid(f->injury_level))
        return cc_fail(err, CC_INVALID, "injury_level", "invalid_value",
                       "injury_level must be a level from C1 to S5");
    if (f->injury_date) {
        cc_date injury, birth;
        cc_status st = date_parse(f->injury_date, "injury_date", &injury, err);
        if (st != CC_OK)
            return st;
        if (injury > today)
            return cc_fail(err, CC_INVALID, "injury_date", "out_of_range",
                           "injury_date cannot be in the future");
        if (f->birth_date && date_parse(f->birth_date, "birth_date", &birth, err) == CC_OK &&
            injury < birth)
            return cc_fail(err, CC_INVALID, "injury_date", "out_of_range",
                           "injury_date cannot be before birth_date");
    }
    return CC_OK;
}

cc_status consult_check(const consult_fields *f, cc_date today, cc_error *err)
{
    cc_status st;
    if ((st = text_check_line(f->name, "name", CONSULT_NAME_MAX, true, err)) ||
        (st = text_check_line(f->email, "email", PATIENT_EMAIL_MAX, false, err)) ||
        (st = text_check_line(f->phone, "phone", PATIENT_PHONE_MAX, false, err)) ||
        (st = text_check_line(f->condition, "condition", CONSULT_NAME_MAX,
                              !f->diagnosis || strcmp(f->diagnosis, "other") == 0, err)))
        return st;
    bool has_email = f->email && *f->email, has_phone = f->phone && *f->phone;
    if (!has_email && !has_phone)
        return cc_fail(err, CC_INVALID, "email", "required",
                       "give an email address or a phone number");
    if (has_email && !strchr(f->email, '@'))
        return cc_fail(err, CC_INVALID, "email", "invalid_email", "email must contain '@'");
    if (f->message) {
        if (!text_is_clean_utf8(f->message, strlen(f->message), true))
            return cc_fail(err, CC_INVALID, "message", "invalid_text",
                           "message must be UTF-8 text without control characters");
        if (text_codepoints(f->message) > CONSULT_MESSAGE_MAX)
            return cc_fail(err, CC_INVALID, "message", "too_long",
                           "message is longer than %d characters", CONSULT_MESSAGE_MAX);
    }
    if (!patient_language_is_valid(f->language))
        return cc_fail(err, CC_INVALID, "language", "invalid_value",
                       "language must be en, fr or de");
    if (f->birth_date) {
        cc_date birth;
        if ((st = patient_check_birth_date(f->birth_date, today, &birth, err)))
            return st;
    }
    if ((st = check_structured(f, today, err)) != CC_OK)
        return st;
    if (!f->consent)
        return cc_fail(err, CC_INVALID, "consent", "consent_required",
                       "consent to be contacted is required");
    return CC_OK;
}

cc_status consult_check_reason(const char *reason, cc_error *err)
{
    if (!reason)
        return cc_fail(err, CC_INVALID, "reason", "required", "reason is required");
    if (!text_is_clean_utf8(reason, strlen(reason), true))
        return cc_fail(err, CC_INVALID, "reason", "invalid_text", "reason must be UTF-8 text");
    if (text_codepoints(reason) > CONSULT_REASON_MAX)
        return cc_fail(err, CC_INVALID, "reason", "too_long", "reason is longer than %d characters",
                       CONSULT_REASON_MAX);
    if (strspn(reason, " \t\r\n") == strlen(reason))
        return cc_fail(err, CC_INVALID, "reason", "required", "reason must not be blank");
    return CC_OK;
}

cc_status consult_check_open(const char *status, cc_error *err)
{
    if (!status || strcmp(status, "new") != 0)
        return cc_fail(err, CC_CONFLICT, "status", "not_open", "this request is already %s",
                       status ? status : "closed");
    return CC_OK;
}
