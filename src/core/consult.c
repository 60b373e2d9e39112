#include "consult.h"

#include <string.h>

#include "patient.h"
#include "text.h"

cc_status consult_check(const consult_fields *f, cc_date today, cc_error *err)
{
    cc_status st;
    if ((st = text_check_line(f->name, "name", CONSULT_NAME_MAX, true, err)) ||
        (st = text_check_line(f->email, "email", PATIENT_EMAIL_MAX, false, err)) ||
        (st = text_check_line(f->phone, "phone", PATIENT_PHONE_MAX, false, err)) ||
        (st = text_check_line(f->condition, "condition", CONSULT_NAME_MAX, true, err)))
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
        return cc_fail(err, CC_INVALID, "language", "invalid_value", "language must be en or fr");
    if (f->birth_date) {
        cc_date birth;
        if ((st = patient_check_birth_date(f->birth_date, today, &birth, err)))
            return st;
    }
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
