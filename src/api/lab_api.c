#include "lab_api.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/app_context.h"
#include "api/error_text.h"
#include "api/json_in.h"
#include "app/laboratory.h"
#include "core/csv.h"
#include "core/mrn.h"
#include "core/text.h"
#include "store/lab.h"
#include "store/patients.h"
#include "store/users.h"

cc_status lab_check_body(const json_t *body, const json_field *fields, cc_error *err)
{
    cc_status st = json_check(body, fields, err);
    if (st != CC_OK)
        return st;
    for (const json_field *f = fields; f->name; f++) {
        const char *text = json_get_string(body, f->name);
        bool lines = f->max_bytes > 400;
        if (text && !text_is_clean_utf8(text, strlen(text), lines))
            return cc_fail(err, CC_INVALID, f->name, "invalid_text",
                           lines ? "%s must not contain control characters other than line breaks"
                                 : "%s must be a single line without control characters",
                           f->name);
    }
    return CC_OK;
}

cc_status lab_reply_text(api_request *req, unsigned status, const char *text, cc_error *err)
{
    json_t *v = json_loads(text, 0, NULL);
    if (!v)
        return cc_fail(err, CC_INTERNAL, NULL, "render", "cannot render the record");
    api_reply(req, status, v);
    return CC_OK;
}

cc_status lab_reply_page(api_request *req, const char *items, int64_t page, int64_t per_page,
                         int64_t total, cc_error *err)
{
    json_t *list = json_loads(items, 0, NULL);
    if (!list)
        return cc_fail(err, CC_INTERNAL, NULL, "render", "cannot render the list");
    api_reply(req, 200,
              json_pack("{s:o, s:I, s:I, s:I}", "items", list, "page", (json_int_t)page, "per_page",
                        (json_int_t)per_page, "total", (json_int_t)total));
    return CC_OK;
}

cc_status lab_body_date(const json_t *body, const char *name, bool required, cc_date *out,
                        cc_error *err)
{
    const char *text = json_get_string(body, name);
    if (!text)
        return required ? cc_fail(err, CC_INVALID, name, "required", "%s is required", name)
                        : CC_OK;
    return date_parse(text, name, out, err);
}

cc_status lab_body_past_date(const json_t *body, const char *name, bool required, cc_error *err)
{
    cc_date day = 0;
    cc_status st = lab_body_date(body, name, required, &day, err);
    if (st == CC_OK && json_get_string(body, name) && day > api_today())
        st = cc_fail(err, CC_INVALID, name, "in_future", "%s is in the future", name);
    return st;
}

cc_status lab_body_id(const json_t *body, const char *name, bool required, int64_t *out,
                      cc_error *err)
{
    json_t *v = json_object_get(body, name);
    *out = 0;
    if (!v)
        return required ? cc_fail(err, CC_INVALID, name, "required", "%s is required", name)
                        : CC_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return cc_fail(err, CC_INVALID, name, "invalid_value", "%s must be a positive id", name);
    *out = json_integer_value(v);
    return CC_OK;
}

cc_status lab_body_patient(api_request *req, bool required, int64_t *out, cc_error *err)
{
    bool by_id = json_has(req->body, "patient_id"), by_mrn = json_has(req->body, "patient_mrn");
    *out = 0;
    if (by_id && by_mrn)
        return cc_fail(err, CC_INVALID, "patient_mrn", "ambiguous_patient",
                       "name the patient by patient_id or by patient_mrn, not both");
    if (by_id)
        return lab_body_id(req->body, "patient_id", true, out, err);
    if (!by_mrn)
        return required ? cc_fail(err, CC_INVALID, "patient_id", "required",
                                  "patient_id or patient_mrn is required")
                        : CC_OK;
    const char *mrn = json_string_value(json_object_get(req->body, "patient_mrn"));
    if (!mrn || !mrn_is_valid(mrn))
        return cc_fail(err, CC_INVALID, "patient_mrn", "invalid_value",
                       "patient_mrn is an MRN: 8 digits, the last its check digit");
    return patient_id_by_mrn(req->db, req->who.site_id, mrn, out, err);
}

cc_status lab_body_amount(const json_t *body, const char *name, double max, double *out,
                          cc_error *err)
{
    json_t *v = json_object_get(body, name);
    *out = -1;
    if (!v)
        return CC_OK;
    double x = json_number_value(v);
    if (!json_is_number(v) || !isfinite(x) || x < 0 || x > max)
        return cc_fail(err, CC_INVALID, name, "out_of_range", "%s must be between 0 and %g", name,
                       max);
    *out = x;
    return CC_OK;
}

cc_status lab_query_id(api_request *req, const char *name, int64_t *out, cc_error *err)
{
    const char *v = api_query(req, name);
    *out = 0;
    if (!v)
        return CC_OK;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end || x < 1)
        return cc_fail(err, CC_INVALID, name, "invalid_value", "%s must be a positive id", name);
    *out = x;
    return CC_OK;
}

cc_status lab_require_text(const char *text, const char *field, cc_error *err)
{
    for (const char *p = text; p && *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            return CC_OK;
    return cc_fail(err, CC_INVALID, field, "required", "%s must not be empty", field);
}

cc_status lab_expire_sweep(api_request *req, cc_error *err)
{
    app_ctx ctx = api_app_ctx(req);
    int64_t n;
    return app_lab_expire_due(&ctx, api_today(), &n, err);
}

cc_status lab_wants_csv(api_request *req, bool *csv, cc_error *err)
{
    const char *f = api_query(req, "format");
    *csv = f && strcmp(f, "csv") == 0;
    if (f && !*csv && strcmp(f, "json") != 0)
        return cc_fail(err, CC_INVALID, "format", "invalid_value", "format must be json or csv");
    return CC_OK;
}

void lab_csv_field(buf *b, const char *text, bool last)
{
    csv_field(b, text, CSV_QUOTE_ALWAYS, last);
}

cc_status lab_csv_language(api_request *req, bool csv, const char **lang, cc_error *err)
{
    *lang = csv ? api_query(req, "lang") : NULL;
    if (*lang && !catalogue_has_language(*lang))
        return cc_fail(err, CC_INVALID, "lang", "invalid_value", "lang: no catalogue for it");
    return CC_OK;
}

const char *lab_csv_text(api_request *req, const char *lang, const char *prefix, const char *code)
{
    if (!lang || !prefix || !code[0])
        return code;
    const char *text = catalogue_text(lang, api_printf(req, "%s%s", prefix, code));
    return text ? text : code;
}
