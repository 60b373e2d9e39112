/* Collections: tissue or blood taken from a donor. */
#include <string.h>

#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
#include "app/laboratory.h"
#include "store/lab.h"

static cc_status reply_collection(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    return api_reply_id_view(req, status, lab_collection_json, id, NULL, err);
}

cc_status h_collection_list(api_request *req, cc_error *err)
{
    api_page p;
    int64_t donor_id;
    cc_status st = api_page_begin(req, &p, err);
    if (st == CC_OK)
        st = lab_query_id(req, "donor_id", &donor_id, err);
    const char *q = api_query(req, "q");
    if (st == CC_OK && q && strlen(q) > 40)
        st = cc_fail(err, CC_INVALID, "q", "too_long", "q is longer than 40 bytes");
    if (st == CC_OK)
        st = lab_collection_list_json(req->db, req->who.site_id, donor_id, q, p.page, p.per_page,
                                      p.rows, &p.total, err);
    return api_page_reply(req, st, &p, err);
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
    cc_status st = lab_check_body(req->body, fields, err);
    if (st == CC_OK)
        st = lab_body_id(req->body, "donor_id", true, &f.donor_id, err);
    if (st == CC_OK)
        st = lab_body_past_date(req->body, "collected_on", true, err);
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
    int64_t id = 0;
    st = app_lab_collection_create(&ctx, &f, &id, err);
    return api_reply_created(req, st, "/api/v1/collections", id, reply_collection, err);
}

cc_status h_collection_get(api_request *req, cc_error *err)
{
    return api_get_record(req, reply_collection, err);
}
