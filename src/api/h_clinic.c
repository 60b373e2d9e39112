/* The clinic's own settings: the name and the public base URL of the links
 * patients open, of the site the session works in (the site's record; the
 * answer is the site as GET /sites names it). */
#include "api/app_context.h"
#include "api/handler_steps.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
#include "app/clinic.h"
#include "store/sites.h"

static cc_status reply_site(api_request *req, cc_error *err)
{
    buf b;
    buf_init(&b, 1 << 16);
    cc_status st = site_json(req->db, api_app_ctx(req).site_id, &b, err);
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
    static const json_field fields[] = {{"name", JF_STRING, false, SITE_NAME_MAX * 4},
                                        {"public_base_url", JF_STRING, false, SITE_URL_MAX},
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
    const site_fields f = {.name = name, .public_base_url = url};
    if ((st = app_clinic_site_set(&c, &f, err)) != CC_OK)
        return st;
    return reply_site(req, err);
}
