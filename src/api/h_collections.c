/* Collections: tissue or blood taken from a donor. */
#include <string.h>

#include "api/app_context.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
#include "app/laboratory.h"
#include "store/lab.h"

static cc_status reply_collection(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    cc_status st = lab_collection_json(req->db, id, &b, err);
    if (st == CC_OK)
        st = lab_reply_text(req, status, b.data, err);
    buf_release(&b);
    return st;
}

cc_status h_collection_list(api_request *req, cc_error *err)
{
    int64_t page, per_page, total = 0, donor_id;
    cc_status st = api_paging(req, &page, &per_page, err);
    if (st == CC_OK)
        st = lab_query_id(req, "donor_id", &donor_id, err);
    if (st != CC_OK)
        return st;
    buf b;
    buf_init(&b, LAB_VIEW_MAX);
    st = lab_collection_list_json(req->db, donor_id, page, per_page, &b, &total, err);
    if (st == CC_OK)
        st = lab_reply_page(req, b.data, page, per_page, total, err);
    buf_release(&b);
    return st;
}

cc_status h_collection_create(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"donor_id", JF_INTEGER, true, 0},
                                        {"source", JF_STRING, true, 16},
                                        {"collected_on", JF_STRING, true, 10},
                                        {"volume_ml", JF_NUMBER, false, 0},
                                        {"mass_g", JF_NUMBER, false, 0},
                                        {"site", JF_STRING, false, 200},
                                        {NULL, JF_STRING, false, 0}};
    lab_collection_fields f = {0};
    cc_date on;
    cc_status st = lab_check_body(req->body, fields, err);
    if (st == CC_OK)
        st = lab_body_id(req->body, "donor_id", true, &f.donor_id, err);
    if (st == CC_OK && (st = lab_body_date(req->body, "collected_on", true, &on, err)) == CC_OK &&
        on > api_today())
        st = cc_fail(err, CC_INVALID, "collected_on", "in_future", "collected_on is in the future");
    if (st == CC_OK)
        st = lab_body_amount(req->body, "volume_ml", 100000, &f.volume_ml, err);
    if (st == CC_OK)
        st = lab_body_amount(req->body, "mass_g", 100000, &f.mass_g, err);
    if (st == CC_OK && f.volume_ml < 0 && f.mass_g < 0)
        st = cc_fail(err, CC_INVALID, "volume_ml", "required", "give volume_ml or mass_g");
    if (st != CC_OK)
        return st;
    f.source = json_get_string(req->body, "source");
    f.collected_on = json_get_string(req->body, "collected_on");
    f.site = json_get_string(req->body, "site");
    app_ctx ctx = api_app_ctx(req);
    int64_t id;
    if ((st = app_lab_collection_create(&ctx, &f, &id, err)) != CC_OK)
        return st;
    api_add_header(req, "Location", api_printf(req, "/api/v1/collections/%lld", (long long)id));
    return reply_collection(req, 201, id, err);
}

cc_status h_collection_get(api_request *req, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    return st == CC_OK ? reply_collection(req, 200, id, err) : st;
}
