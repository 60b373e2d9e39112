/* Shipping a unit from one site to another and receiving it there. */
#include <math.h>

#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
#include "app/laboratory.h"
#include "core/shipping.h"
#include "store/lab.h"

static cc_status reply_unit(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    return api_reply_site_view(req, status, lab_unit_json, id, "unit", err);
}

cc_status h_unit_ship(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"to_site", JF_STRING, true, 32},
                                        {"note", JF_STRING, false, 1000},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_text_body(req, fields, &id, err);
    if (st != CC_OK)
        return st;
    app_ctx ctx = api_app_ctx(req);
    st = app_lab_unit_ship(&ctx, id, json_get_string(req->body, "to_site"),
                           json_get_string(req->body, "note"), err);
    return st == CC_OK ? reply_unit(req, 201, id, err) : st;
}

cc_status h_unit_receive(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"temperature_c", JF_NUMBER, true, 0},
                                        {"note", JF_STRING, false, 1000},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_id_text_body(req, fields, &id, err);
    if (st != CC_OK)
        return st;
    double c = json_number_value(json_object_get(req->body, "temperature_c"));
    if (!isfinite(c) || c * 10 < SHIP_TEMPERATURE_MIN_DC || c * 10 > SHIP_TEMPERATURE_MAX_DC)
        return cc_fail(err, CC_INVALID, "temperature_c", "out_of_range",
                       "the temperature on arrival is in degrees Celsius, -273 to 100");
    app_ctx ctx = api_app_ctx(req);
    bool quarantined = false;
    st = app_lab_unit_receive(&ctx, id, (int)lround(c * 10), json_get_string(req->body, "note"),
                              &quarantined, err);
    if (st != CC_OK)
        return st;
    if ((st = reply_unit(req, 200, id, err)) == CC_OK)
        json_object_set_new(req->reply, "quarantined", json_boolean(quarantined));
    return st;
}
