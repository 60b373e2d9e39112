/* Cryopreservation and thaw of units (H14) and each product type's
 * post-thaw settings. Percentages and rates arrive as numbers and are kept
 * in tenths; instants are "YYYY-MM-DDThh:mm:ssZ". */
#include <math.h>
#include <string.h>

#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
#include "app/laboratory.h"
#include "core/text.h"
#include "store/lab.h"

/* A number field given in whole units, as tenths (rounded). */
static cc_status body_tenths(const json_t *body, const char *name, double max, int *out,
                             cc_error *err)
{
    double x;
    cc_status st = lab_body_amount(body, name, max, &x, err);
    *out = (int)lround(x * 10.0);
    return st;
}

static cc_status body_instant(const json_t *body, const char *name, int64_t *out, cc_error *err)
{
    return instant_parse(json_get_string(body, name), name, out, err);
}

/* The path's id and a freezing body. */
static cc_status freezing_body(api_request *req, int64_t *id, lab_freezing_new *n, cc_error *err)
{
    static const json_field fields[] = {{"cryoprotectant", JF_STRING, true, 40},
                                        {"cryoprotectant_percent", JF_NUMBER, true, 0},
                                        {"rate_c_per_min", JF_NUMBER, true, 0},
                                        {"frozen_at", JF_STRING, true, 24},
                                        {NULL, JF_STRING, false, 0}};
    memset(n, 0, sizeof *n);
    cc_status st = api_id_text_body(req, fields, id, err);
    if (st == CC_OK)
        st = text_check_line(json_get_string(req->body, "cryoprotectant"), "cryoprotectant", 40,
                             true, err);
    if (st == CC_OK)
        st = body_tenths(req->body, "cryoprotectant_percent", 100, &n->concentration_tenths, err);
    if (st == CC_OK)
        st = body_tenths(req->body, "rate_c_per_min", 100, &n->rate_tenths, err);
    if (st == CC_OK)
        st = body_instant(req->body, "frozen_at", &n->frozen_at, err);
    n->cryoprotectant = json_get_string(req->body, "cryoprotectant");
    return st;
}

cc_status h_unit_freeze(api_request *req, cc_error *err)
{
    int64_t id, record;
    lab_freezing_new n;
    cc_status st = freezing_body(req, &id, &n, err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    st = app_lab_unit_freeze(&ctx, id, &n, api_today(), &record, err);
    return st == CC_OK ? api_reply_site_view(req, 201, lab_unit_json, id, "unit", err) : st;
}

cc_status h_batch_freeze(api_request *req, cc_error *err)
{
    int64_t id;
    lab_freezing_new n;
    size_t count = 0;
    cc_status st = freezing_body(req, &id, &n, err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    if ((st = app_lab_batch_freeze(&ctx, id, &n, api_today(), &count, err)) != CC_OK)
        return st;
    api_reply(req, 201, json_pack("{s:I}", "frozen", (json_int_t)count));
    return CC_OK;
}

cc_status h_unit_thaw(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"thawed_at", JF_STRING, true, 24},
                                        {"viable_cells", JF_INTEGER, true, 0},
                                        {"viability_percent", JF_NUMBER, true, 0},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id, record;
    lab_thaw_new n = {0};
    cc_status st = api_id_text_body(req, fields, &id, err);
    if (st == CC_OK) {
        n.viable_cells = (int64_t)json_integer_value(json_object_get(req->body, "viable_cells"));
        if (n.viable_cells < 0 || n.viable_cells > (int64_t)1e13)
            st = cc_fail(err, CC_INVALID, "viable_cells", "out_of_range",
                         "viable_cells must be between 0 and 10^13");
    }
    if (st == CC_OK)
        st = body_tenths(req->body, "viability_percent", 100, &n.viability_tenths, err);
    if (st == CC_OK)
        st = body_instant(req->body, "thawed_at", &n.thawed_at, err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    st = app_lab_unit_thaw(&ctx, id, &n, api_today(), &record, err);
    return st == CC_OK ? api_reply_site_view(req, 201, lab_unit_json, id, "unit", err) : st;
}

static cc_status reply_settings(api_request *req, cc_error *err)
{
    buf b;
    buf_init(&b, 1 << 16);
    cc_status st = lab_cryo_settings_json(req->db, &b, err);
    if (st == CC_OK)
        st = lab_reply_text(req, 200, b.data, err);
    buf_release(&b);
    return st;
}

cc_status h_cryo_settings_get(api_request *req, cc_error *err)
{
    return reply_settings(req, err);
}

cc_status h_cryo_settings_set(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"product_type", JF_STRING, true, 16},
                                        {"post_thaw_hours", JF_INTEGER, true, 0},
                                        {"min_viability_percent", JF_NUMBER, true, 0},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = lab_check_body(req->body, fields, err);
    const char *type = json_get_string(req->body, "product_type");
    if (st == CC_OK && !lab_product_type_is_valid(type))
        st = cc_fail(err, CC_INVALID, "product_type", "invalid_value", "unknown product type");
    json_int_t hours = json_integer_value(json_object_get(req->body, "post_thaw_hours"));
    int min = 0;
    if (st == CC_OK)
        st = body_tenths(req->body, "min_viability_percent", 100, &min, err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    /* out of int's range is out of the window's range: core names the field */
    st = app_lab_cryo_settings_set(&ctx, type, hours > 0 && hours < 100000 ? (int)hours : 0, min,
                                   err);
    return st == CC_OK ? reply_settings(req, err) : st;
}
