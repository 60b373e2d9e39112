/* Manufacturing batches: steps, deviations, QC sheet, QA release or
 * rejection (electronic signature), and the units made from them. */
#include <math.h>
#include <string.h>

#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
#include "core/lab_rules.h"
#include "core/qc_spec.h"
#include "app/laboratory.h"
#include "store/lab.h"
#include "store/lab_release.h"

static json_t *readiness_json(const lab_readiness *r)
{
    json_t *blocks = json_array();
    size_t n = r->n_blocks < LAB_MAX_BLOCKS ? r->n_blocks : LAB_MAX_BLOCKS;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            blocks,
            json_pack("{s:s, s:o, s:s}", "kind", qc_block_kind_name(r->blocks[i].kind), "test",
                      r->blocks[i].test ? json_string(r->blocks[i].test) : json_null(), "message",
                      r->blocks[i].message));
    json_t *o = json_pack("{s:b, s:I, s:o}", "ready", r->ready, "count", (json_int_t)r->n_blocks,
                          "blocks", blocks);
    /* the endotoxin limit and its basis: the strictest route, since a batch has none */
    json_object_set_new(
        o, "endotoxin",
        json_pack("{s:o, s:f, s:f, s:f, s:o}", "limit",
                  isnan(r->endotoxin_limit) ? json_null() : json_real(r->endotoxin_limit), "k",
                  qc_endotoxin_k(r->dose.route), "dose_ml", r->dose.dose_ml, "body_kg",
                  r->dose.body_kg, "route",
                  r->dose.route ? json_string(r->dose.route) : json_null()));
    return o;
}

static json_t *spec_json(const char *product_type)
{
    const qc_spec *spec;
    if (qc_spec_find(product_type, &spec, NULL) != CC_OK)
        return json_null();
    json_t *items = json_array();
    for (size_t i = 0; i < spec->n_items; i++) {
        const qc_spec_item *it = &spec->items[i];
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s, s:b}", "test", it->test, "name", it->name, "rule",
                      qc_rule_name(it->rule), "unit", it->unit, "required", it->required);
        if (it->rule == QC_RULE_MIN || it->rule == QC_RULE_RANGE)
            json_object_set_new(o, "low", json_real(it->low));
        if (it->rule == QC_RULE_MAX || it->rule == QC_RULE_RANGE)
            json_object_set_new(o, "high", json_real(it->high));
        if (it->one_of)
            json_object_set_new(o, "one_of", json_string(it->one_of));
        json_array_append_new(items, o);
    }
    return json_pack("{s:s, s:s, s:o}", "product_type", spec->product_type, "version",
                     spec->version, "items", items);
}

static cc_status reply_batch(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    lab_readiness ready;
    cc_status st = api_reply_id_view(req, status, lab_batch_json, id, NULL, err);
    if (st == CC_OK)
        st = lab_batch_readiness(req->db, id, &ready, err);
    if (st != CC_OK)
        return st;
    json_t *batch = json_object_get(req->reply, "batch");
    json_object_set_new(req->reply, "readiness", readiness_json(&ready));
    json_object_set_new(req->reply, "spec",
                        spec_json(json_string_value(json_object_get(batch, "product_type"))));
    api_etag(req, json_integer_value(json_object_get(batch, "version")));
    return CC_OK;
}

cc_status h_batch_list(api_request *req, cc_error *err)
{
    api_page p;
    cc_status st = api_page_begin(req, &p, err);
    const char *status = api_query(req, "status"), *q = api_query(req, "q");
    if (st == CC_OK && q && strlen(q) > 40)
        st = cc_fail(err, CC_INVALID, "q", "too_long", "q is longer than 40 bytes");
    if (st == CC_OK && status && strcmp(status, "in_process") != 0 &&
        strcmp(status, "released") != 0 && strcmp(status, "rejected") != 0)
        st = cc_fail(err, CC_INVALID, "status", "invalid_value",
                     "status must be in_process, released or rejected");
    if (st == CC_OK)
        st = lab_batch_list_json(req->db, req->who.site_id, status, q, p.page, p.per_page, p.rows,
                                 &p.total, err);
    return api_page_reply(req, st, &p, err);
}

enum { MAX_COLLECTIONS = 32 };

cc_status h_batch_create(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"product_type", JF_STRING, true, 16},
                                        {"collection_ids", JF_ARRAY, true, 1024},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = lab_check_body(req->body, fields, err);
    if (st != CC_OK)
        return st;
    json_t *list = json_object_get(req->body, "collection_ids");
    size_t n = json_array_size(list);
    if (n == 0 || n > MAX_COLLECTIONS)
        return cc_fail(err, CC_INVALID, "collection_ids", "invalid_value",
                       "give 1 to %d collection ids", MAX_COLLECTIONS);
    int64_t ids[MAX_COLLECTIONS];
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(list, i);
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return cc_fail(err, CC_INVALID, "collection_ids", "invalid_value",
                           "collection_ids must be positive ids");
        ids[i] = json_integer_value(v);
    }
    app_ctx ctx = api_app_ctx(req);
    int64_t id = 0;
    st = app_lab_batch_create(&ctx, json_get_string(req->body, "product_type"), ids, n, &id, err);
    return api_reply_created(req, st, "/api/v1/batches", id, reply_batch, err);
}

cc_status h_batch_get(api_request *req, cc_error *err)
{
    return api_get_record(req, reply_batch, err);
}

/* An instant "YYYY-MM-DDThh:mm:ssZ", not in the future. */
static cc_status check_instant(const char *text, const char *field, cc_error *err)
{
    cc_date day;
    int h, m, s;
    char tail;
    if (!text || strlen(text) != 20 || text[10] != 'T' || text[19] != 'Z' ||
        sscanf(text + 11, "%2d:%2d:%2d%c", &h, &m, &s, &tail) != 4 || h > 23 || m > 59 || s > 59 ||
        h < 0 || m < 0 || s < 0)
        return cc_fail(err, CC_INVALID, field, "invalid_instant", "%s must be YYYY-MM-DDThh:mm:ssZ",
                       field);
    char date[CC_DATE_TEXT];
    memcpy(date, text, 10);
    date[10] = '\0';
    cc_status st = date_parse(date, field, &day, err);
    if (st == CC_OK && day > api_today())
        st = cc_fail(err, CC_INVALID, field, "in_future", "%s is in the future", field);
    return st;
}

cc_status h_batch_add_step(api_request *req, cc_error *err)
{
    static const json_field fields[] = {
        {"step", JF_STRING, true, 20},        {"performed_at", JF_STRING, true, 20},
        {"operator", JF_STRING, true, 100},   {"passage", JF_INTEGER, false, 0},
        {"cell_count", JF_INTEGER, false, 0}, {"notes", JF_STRING, false, 2000},
        {NULL, JF_STRING, false, 0}};
    int64_t id, step_id;
    cc_status st = api_id_text_body(req, fields, &id, err);
    lab_step_fields f = {json_get_string(req->body, "step"),
                         json_get_string(req->body, "performed_at"),
                         json_get_string(req->body, "operator"),
                         json_get_string(req->body, "notes"),
                         -1,
                         -1};
    if (st == CC_OK)
        st = check_instant(f.performed_at, "performed_at", err);
    if (st == CC_OK)
        st = lab_require_text(f.operator_name, "operator", err);
    if (st == CC_OK && json_has(req->body, "passage")) {
        f.passage = json_integer_value(json_object_get(req->body, "passage"));
        if (f.passage < 0 || f.passage > 50)
            st = cc_fail(err, CC_INVALID, "passage", "out_of_range", "passage must be 0 to 50");
    }
    if (st == CC_OK && json_has(req->body, "cell_count")) {
        f.cell_count = json_integer_value(json_object_get(req->body, "cell_count"));
        if (f.cell_count < 0 || f.cell_count > 10000000000000LL)
            st = cc_fail(err, CC_INVALID, "cell_count", "out_of_range",
                         "cell_count must be 0 to 1e13");
    }
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    st = app_lab_batch_add_step(&ctx, id, &f, &step_id, err);
    return st == CC_OK ? reply_batch(req, 201, id, err) : st;
}

cc_status h_batch_open_deviation(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"description", JF_STRING, true, 4000},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id, dev_id;
    cc_status st = api_id_text_body(req, fields, &id, err);
    if (st == CC_OK)
        st = lab_require_text(json_get_string(req->body, "description"), "description", err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    st = app_lab_batch_open_deviation(&ctx, id, json_get_string(req->body, "description"), &dev_id,
                                      err);
    return st == CC_OK ? reply_batch(req, 201, id, err) : st;
}

cc_status h_batch_close_deviation(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"disposition", JF_STRING, true, 4000},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id, dev_id;
    /* The body first, like every other route: bad input is named even when
     * the record does not exist. */
    cc_status st = lab_check_body(req->body, fields, err);
    if (st == CC_OK)
        st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = api_param_id(req, 1, &dev_id, err);
    if (st == CC_OK)
        st = lab_require_text(json_get_string(req->body, "disposition"), "disposition", err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    st = app_lab_batch_close_deviation(&ctx, id, dev_id, json_get_string(req->body, "disposition"),
                                       err);
    return st == CC_OK ? reply_batch(req, 200, id, err) : st;
}

cc_status h_batch_add_qc(api_request *req, cc_error *err)
{
    static const json_field fields[] = {
        {"test", JF_STRING, true, 32},      {"pending", JF_BOOLEAN, false, 0},
        {"detected", JF_BOOLEAN, false, 0}, {"value", JF_NUMBER, false, 0},
        {"unit", JF_STRING, false, 16},     {"method", JF_STRING, false, 200},
        {"tested_on", JF_STRING, true, 10}, {NULL, JF_STRING, false, 0}};
    int64_t id, qc_id;
    cc_status st = api_id_text_body(req, fields, &id, err);
    if (st == CC_OK)
        st = lab_body_past_date(req->body, "tested_on", true, err);
    if (st != CC_OK)
        return st;
    qc_result r = {json_get_string(req->body, "test"), json_get_bool(req->body, "pending"),
                   json_get_bool(req->body, "detected"),
                   json_number_value(json_object_get(req->body, "value")),
                   json_get_string(req->body, "unit")};
    if (!r.unit)
        r.unit = "";
    app_ctx ctx = api_app_ctx(req);
    qc_verdict verdict;
    st = app_lab_batch_add_qc(&ctx, id, &r, json_has(req->body, "detected"),
                              json_has(req->body, "value"), json_get_string(req->body, "method"),
                              json_get_string(req->body, "tested_on"), &qc_id, &verdict, err);
    return st == CC_OK ? reply_batch(req, 201, id, err) : st;
}

cc_status h_batch_release(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"password", JF_STRING, true, 256},
                                        {"meaning", JF_STRING, false, 400},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_signed(req, api_id_text_body(req, fields, &id, err), err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    lab_readiness ready;
    const char *meaning = json_get_string(req->body, "meaning");
    st =
        app_lab_batch_release(&ctx, id, meaning ? meaning : "I release this batch for clinical use",
                              api_today(), &ready, err);
    if (st == CC_CONFLICT && strcmp(err->code, "release_blocked") == 0)
        api_reply(req, 409, json_pack("{s:o}", "readiness", readiness_json(&ready)));
    return st == CC_OK ? reply_batch(req, 200, id, err) : st;
}

cc_status h_batch_reject(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"password", JF_STRING, true, 256},
                                        {"reason", JF_STRING, true, 2000},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_text_body(req, fields, &id, err);
    if (st == CC_OK)
        st = lab_require_text(json_get_string(req->body, "reason"), "reason", err);
    if ((st = api_signed(req, st, err)) != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    st = app_lab_batch_reject(&ctx, id, json_get_string(req->body, "reason"), api_today(), err);
    return st == CC_OK ? reply_batch(req, 200, id, err) : st;
}

cc_status h_batch_add_unit(api_request *req, cc_error *err)
{
    static const json_field fields[] = {
        {"product_code", JF_STRING, true, 5}, {"division", JF_INTEGER, false, 0},
        {"cells", JF_INTEGER, true, 0},       {"viability", JF_NUMBER, false, 0},
        {"volume_ml", JF_NUMBER, true, 0},    {"expiry", JF_STRING, true, 10},
        {"storage", JF_STRING, false, 190},   {"freezer", JF_STRING, false, 40},
        {"rack", JF_STRING, false, 40},       {"box", JF_STRING, false, 40},
        {"position", JF_STRING, false, 40},   {NULL, JF_STRING, false, 0}};
    int64_t id, unit_id;
    cc_date expiry;
    cc_status st = api_id_text_body(req, fields, &id, err);
    lab_unit_fields f = {0};
    f.product_code = json_get_string(req->body, "product_code");
    json_int_t cells = json_integer_value(json_object_get(req->body, "cells"));
    json_int_t division = json_integer_value(json_object_get(req->body, "division"));
    if (st == CC_OK && (division < 0 || division > ISBT128_MAX_DIVISION))
        st = cc_fail(err, CC_INVALID, "division", "out_of_range", "division must be 0 to %d",
                     ISBT128_MAX_DIVISION);
    if (st == CC_OK && (cells < 1 || cells > 10000000000000LL))
        st = cc_fail(err, CC_INVALID, "cells", "out_of_range", "cells must be 1 to 1e13");
    if (st == CC_OK)
        st = lab_body_amount(req->body, "viability", 100, &f.viability, err);
    if (st == CC_OK)
        st = lab_body_amount(req->body, "volume_ml", 10000, &f.volume_ml, err);
    if (st == CC_OK && f.volume_ml <= 0)
        st = cc_fail(err, CC_INVALID, "volume_ml", "out_of_range", "volume_ml must be more than 0");
    if (st == CC_OK && (st = lab_body_date(req->body, "expiry", true, &expiry, err)) == CC_OK &&
        expiry < api_today())
        st = cc_fail(err, CC_INVALID, "expiry", "in_past", "expiry is in the past");
    const char *loc[4] = {json_get_string(req->body, "freezer"), json_get_string(req->body, "rack"),
                          json_get_string(req->body, "box"),
                          json_get_string(req->body, "position")};
    int given = 0;
    for (int i = 0; i < 4; i++)
        given += loc[i] && *loc[i];
    if (st == CC_OK && given != 0 && given != 4)
        st = cc_fail(err, CC_INVALID, "position", "incomplete_location",
                     "a storage location is freezer, rack, box and position together");
    if (st != CC_OK)
        return st;
    int year, month, day;
    date_to_ymd(api_today(), &year, &month, &day);
    f.division = (int)division;
    f.cells = (uint64_t)cells;
    f.expiry = json_get_string(req->body, "expiry");
    f.storage = json_get_string(req->body, "storage");
    f.freezer = given ? loc[0] : "";
    f.rack = given ? loc[1] : "";
    f.box = given ? loc[2] : "";
    f.position = given ? loc[3] : "";
    f.year = year % 100;
    app_ctx ctx = api_app_ctx(req);
    if ((st = app_lab_unit_create(&ctx, id, &f, &unit_id, err)) != CC_OK)
        return st;
    api_add_header(req, "Location", api_printf(req, "/api/v1/units/%lld", (long long)unit_id));
    return api_reply_site_view(req, 201, lab_unit_json, unit_id, NULL, err);
}
