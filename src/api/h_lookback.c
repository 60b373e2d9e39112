/* Lookback: from a donor, collection or batch to every unit and recipient;
 * from a patient to every unit and donor. JSON, or CSV with ?format=csv. */
#include <stdio.h>
#include <string.h>

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

/* One CSV section per list: a header row naming the section, then rows. */
static void csv_rows(api_request *req, buf *b, const char *section, json_t *rows,
                     const char *const *cols, size_t n)
{
    lab_csv_field(b, "section", false);
    for (size_t i = 0; i < n; i++)
        lab_csv_field(b, cols[i], i + 1 == n);
    size_t index;
    json_t *row;
    json_array_foreach(rows, index, row)
    {
        lab_csv_field(b, section, false);
        for (size_t i = 0; i < n; i++)
            lab_csv_field(b, text_of(req, row, cols[i]), i + 1 == n);
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

static cc_status lookback(api_request *req, lab_lookback_from from, const char *name, cc_error *err)
{
    int64_t id;
    bool csv;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = lab_wants_csv(req, &csv, err);
    if (st != CC_OK)
        return st;
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    st = lab_lookback_json(req->db, from, id, &b, err);
    if (st == CC_OK)
        st = lab_reply_text(req, 200, b.data, err);
    buf_release(&b);
    if (st != CC_OK || !csv)
        return st;
    static const char *const unit_cols[] = {"id",           "din",          "din_check",
                                            "product_code", "product_type", "state",
                                            "expiry",       "batch_code",   "issued_patient_id"};
    static const char *const recipient_cols[] = {
        "patient_id", "mrn",       "family_name",  "given_names", "unit_id",
        "din",        "din_check", "product_type", "batch_code",  "administered_on"};
    buf out;
    buf_init(&out, LAB_VIEW_MAX);
    csv_rows(req, &out, "unit", json_object_get(req->reply, "units"), unit_cols,
             sizeof unit_cols / sizeof unit_cols[0]);
    csv_rows(req, &out, "recipient", json_object_get(req->reply, "recipients"), recipient_cols,
             sizeof recipient_cols / sizeof recipient_cols[0]);
    st = reply_csv(req, &out, api_printf(req, "lookback-%s-%lld", name, (long long)id), err);
    buf_release(&out);
    return st;
}

cc_status h_lookback_donor(api_request *req, cc_error *err)
{
    return lookback(req, LAB_FROM_DONOR, "donor", err);
}
cc_status h_lookback_collection(api_request *req, cc_error *err)
{
    return lookback(req, LAB_FROM_COLLECTION, "collection", err);
}
cc_status h_lookback_batch(api_request *req, cc_error *err)
{
    return lookback(req, LAB_FROM_BATCH, "batch", err);
}

cc_status h_lookback_patient(api_request *req, cc_error *err)
{
    int64_t id;
    bool csv;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = lab_wants_csv(req, &csv, err);
    if (st != CC_OK)
        return st;
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    st = lab_exposure_json(req->db, id, &b, err);
    if (st == CC_OK)
        st = lab_reply_text(req, 200, b.data, err);
    buf_release(&b);
    if (st != CC_OK || !csv)
        return st;
    static const char *const cols[] = {
        "unit_id",    "din",           "din_check", "product_type", "state",      "administered_on",
        "batch_code", "collection_id", "source",    "donor_id",     "donor_code", "donor_kind"};
    buf out;
    buf_init(&out, LAB_VIEW_MAX);
    csv_rows(req, &out, "exposure", json_object_get(req->reply, "exposures"), cols,
             sizeof cols / sizeof cols[0]);
    st = reply_csv(req, &out, api_printf(req, "exposures-patient-%lld", (long long)id), err);
    buf_release(&out);
    return st;
}
