/* The clinic's own settings: its name and the public base URL of the links
 * patients open. */
#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
#include "app/clinic.h"
#include "store/clinic_site.h"

static cc_status reply_site(api_request *req, cc_error *err)
{
    buf b;
    buf_init(&b, 1 << 16);
    cc_status st = clinic_site_json(req->db, &b, err);
    if (st == CC_OK)
        st = lab_reply_text(req, 200, b.data, err);
    buf_release(&b);
    return st;
}

cc_status h_clinic_site_get(api_request *req, cc_error *err)
{
    return reply_site(req, err);
}

cc_status h_clinic_site_set(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"name", JF_STRING, false, CLINIC_NAME_MAX},
                                        {"public_base_url", JF_STRING, false, CLINIC_URL_MAX},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    const char *name = json_get_string(req->body, "name");
    const char *url = json_get_string(req->body, "public_base_url");
    if (!name && !url)
        return cc_fail(err, CC_INVALID, "name", "required",
                       "nothing to change: give name or public_base_url");
    app_ctx c = api_app_ctx(req);
    if ((st = app_clinic_site_set(&c, name, url, err)) != CC_OK)
        return st;
    return reply_site(req, err);
}
