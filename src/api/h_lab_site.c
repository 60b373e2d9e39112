/* Laboratory site configuration: the FIN and the licensed product codes. */
#include <string.h>

#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
#include "app/laboratory.h"
#include "store/lab.h"

static cc_status reply_site(api_request *req, unsigned status, cc_error *err)
{
    buf b;
    buf_init(&b, 1 << 20);
    cc_status st = lab_site_json(req->db, &b, err);
    if (st == CC_OK)
        st = lab_reply_text(req, status, b.data, err);
    buf_release(&b);
    return st;
}

cc_status h_lab_site_get(api_request *req, cc_error *err)
{
    return reply_site(req, 200, err);
}

cc_status h_lab_site_set(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"fin", JF_STRING, false, 5},
                                        {"facility_name", JF_STRING, false, 480},
                                        {"facility_address", JF_STRING, false, 1200},
                                        {"label_language", JF_STRING, false, 2},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = lab_check_body(req->body, fields, err);
    if (st != CC_OK)
        return st;
    app_lab_site_fields f = {json_get_string(req->body, "fin"),
                             json_get_string(req->body, "facility_name"),
                             json_get_string(req->body, "facility_address"),
                             json_get_string(req->body, "label_language")};
    if (!f.fin && !f.facility_name && !f.facility_address && !f.label_language)
        return cc_fail(err, CC_INVALID, "fin", "required",
                       "nothing to change: give fin or a facility field");
    app_ctx ctx = api_app_ctx(req);
    if ((st = app_lab_site_set(&ctx, &f, err)) != CC_OK)
        return st;
    return reply_site(req, 200, err);
}

cc_status h_lab_product_code_add(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"code", JF_STRING, true, 5},
                                        {"product_type", JF_STRING, true, 16},
                                        {"description", JF_STRING, false, 400},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = lab_check_body(req->body, fields, err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    int64_t id;
    st = app_lab_product_code_add(&ctx, json_get_string(req->body, "code"),
                                  json_get_string(req->body, "product_type"),
                                  json_get_string(req->body, "description"), &id, err);
    return st == CC_OK ? reply_site(req, 201, err) : st;
}

cc_status h_lab_product_code_update(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"active", JF_BOOLEAN, true, 0},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_text_body(req, fields, &id, err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    st = app_lab_product_code_set_active(&ctx, id, json_get_bool(req->body, "active"), err);
    return st == CC_OK ? reply_site(req, 200, err) : st;
}
