/* Lookback: from a donor, collection or batch to every unit and recipient;
 * from a patient to every unit and donor. JSON, or CSV with ?format=csv. */
#include <stdio.h>
#include <string.h>

#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/lab_api.h"
#include "store/lab.h"

/* The value of key in o as text for CSV ("" for null). */
static const char *text_of(api_request *req, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        return api_printf(req, "%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return api_printf(req, "%g", json_real_value(v));
    return "";
}

/* The catalogue prefix of a column holding a code, NULL for data. */
static const char *value_prefix(const char *column)
{
    static const struct {
        const char *column, *prefix;
    } coded[] = {{"product_type", "lab.product."},
                 {"state", "lab.state."},
                 {"source", "lab.source."},
                 {"donor_kind", "lab.kind."}};
    for (size_t i = 0; i < sizeof coded / sizeof coded[0]; i++)
        if (strcmp(coded[i].column, column) == 0)
            return coded[i].prefix;
    return NULL;
}

/* One CSV section per list: a header row naming the section, then rows;
 * with lang, the headers, the section and the coded values in that
 * catalogue's words. */
static void csv_rows(api_request *req, buf *b, const char *lang, const char *section, json_t *rows,
                     const char *const *cols, size_t n)
{
    lab_csv_field(b, lab_csv_text(req, lang, "csv.lookback.", "section"), false);
    for (size_t i = 0; i < n; i++)
        lab_csv_field(b, lab_csv_text(req, lang, "csv.lookback.", cols[i]), i + 1 == n);
    const char *section_text = lab_csv_text(req, lang, "csv.lookback.section.", section);
    size_t index;
    json_t *row;
    json_array_foreach(rows, index, row)
    {
        lab_csv_field(b, section_text, false);
        for (size_t i = 0; i < n; i++)
            lab_csv_field(
                b, lab_csv_text(req, lang, value_prefix(cols[i]), text_of(req, row, cols[i])),
                i + 1 == n);
    }
}

static cc_status reply_csv(api_request *req, buf *b, const char *name, cc_error *err)
{
    if (buf_failed(b))
        return cc_fail(err, CC_TOO_LARGE, NULL, "too_large", "the export is too large");
    char *data = arena_strndup(req->arena, b->data, b->len);
    if (!data)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "request memory exhausted");
    api_add_header(req, "Content-Disposition",
                   api_printf(req, "attachment; filename=\"%s.csv\"", name));
    api_reply_raw(req, 200, "text/csv; charset=utf-8", data, b->len);
    return CC_OK;
}

/* One CSV section: a list of the JSON view and the columns it exports. */
typedef struct {
    const char *section, *key;
    const char *const *cols;
    size_t n_cols;
} csv_section;

static const char *const UNIT_COLS[] = {"id",           "din",          "din_check",
                                        "product_code", "product_type", "state",
                                        "expiry",       "batch_code",   "issued_patient_id"};
static const char *const RECIPIENT_COLS[] = {
    "patient_id", "mrn",       "family_name",  "given_names", "unit_id",
    "din",        "din_check", "product_type", "batch_code",  "administered_on"};
static const char *const EXPOSURE_COLS[] = {
    "unit_id",    "din",           "din_check", "product_type", "state",      "administered_on",
    "batch_code", "collection_id", "source",    "donor_id",     "donor_code", "donor_kind"};
static const csv_section LOOKBACK_CSV[] = {{"unit", "units", UNIT_COLS, 9},
                                           {"recipient", "recipients", RECIPIENT_COLS, 10}};
static const csv_section EXPOSURE_CSV[] = {{"exposure", "exposures", EXPOSURE_COLS, 12}};

/* The lookback from the record of path id (patient: a patient's exposures,
 * from is then ignored) as JSON, or as CSV named file-<id>.csv (?lang: in
 * that catalogue's words). */
static cc_status lookback(api_request *req, bool patient, lab_lookback_from from, const char *file,
                          cc_error *err)
{
    int64_t id;
    bool csv;
    const char *lang = NULL;
    buf *view = NULL, *out = NULL;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = lab_wants_csv(req, &csv, err);
    if (st == CC_OK)
        st = lab_csv_language(req, csv, &lang, err);
    if (st == CC_OK)
        st = api_view_buf(req, LAB_VIEW_MAX, &view, err);
    if (st == CC_OK)
        st = patient ? lab_exposure_json(req->db, id, view, err)
                     : lab_lookback_json(req->db, from, id, view, err);
    if (st == CC_OK)
        st = lab_reply_text(req, 200, view->data, err);
    if (st != CC_OK || !csv || (st = api_view_buf(req, LAB_VIEW_MAX, &out, err)) != CC_OK)
        return st;
    /* the CSV replaces the JSON answer the server would read the patients from */
    req->access_what = "export";
    api_access_note_reply(req, "export");
    const csv_section *sections = patient ? EXPOSURE_CSV : LOOKBACK_CSV;
    size_t n = patient ? 1 : 2;
    for (size_t i = 0; i < n; i++)
        csv_rows(req, out, lang, sections[i].section, json_object_get(req->reply, sections[i].key),
                 sections[i].cols, sections[i].n_cols);
    return reply_csv(req, out, api_printf(req, "%s-%lld", file, (long long)id), err);
}

cc_status h_lookback_donor(api_request *req, cc_error *err)
{
    return lookback(req, false, LAB_FROM_DONOR, "lookback-donor", err);
}
cc_status h_lookback_collection(api_request *req, cc_error *err)
{
    return lookback(req, false, LAB_FROM_COLLECTION, "lookback-collection", err);
}
cc_status h_lookback_batch(api_request *req, cc_error *err)
{
    return lookback(req, false, LAB_FROM_BATCH, "lookback-batch", err);
}
cc_status h_lookback_patient(api_request *req, cc_error *err)
{
    return lookback(req, true, LAB_FROM_DONOR, "exposures-patient", err);
}
