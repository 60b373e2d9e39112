/* Donor-testing panels: per donor kind, which markers eligibility needs and
 * the sample window around a collection (core/donor_testing.h). A lab
 * setting until sites exist; then per site. */
#include <jansson.h>
#include <string.h>

#include "api/app_context.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
#include "app/laboratory.h"
#include "core/donor_testing.h"
#include "store/lab.h"

static const char *const KINDS[] = {"allogeneic", "autologous"};

static json_t *panel_json(const char *kind, const donor_panel *p)
{
    donor_panel def;
    donor_panel_default(kind, &def);
    json_t *markers = json_array();
    for (size_t i = 0; i < DONOR_MARKERS; i++)
        json_array_append_new(markers, json_pack("{s:s, s:s, s:s}", "marker", donor_marker_code(i),
                                                 "need", donor_need_name(p->need[i]), "default",
                                                 donor_need_name(def.need[i])));
    return json_pack("{s:s, s:i, s:i, s:i, s:i, s:o}", "kind", kind, "days_before", p->days_before,
                     "days_after", p->days_after, "default_days_before", def.days_before,
                     "default_days_after", def.days_after, "markers", markers);
}

static cc_status reply_panels(api_request *req, cc_error *err)
{
    json_t *panels = json_array();
    for (size_t k = 0; k < sizeof KINDS / sizeof KINDS[0]; k++) {
        donor_panel p;
        cc_status st = lab_donor_panel_load(req->db, KINDS[k], &p, err);
        if (st != CC_OK) {
            json_decref(panels);
            return st;
        }
        json_array_append_new(panels, panel_json(KINDS[k], &p));
    }
    api_reply(req, 200, json_pack("{s:o}", "panels", panels));
    return CC_OK;
}

cc_status h_donor_panels_get(api_request *req, cc_error *err)
{
    return reply_panels(req, err);
}

/* {"kind", "markers": {"<code>": "negative" | "result" | "none", ...},
 * "days_before", "days_after"}: markers not named keep their value; the
 * days are required. */
cc_status h_donor_panels_set(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"kind", JF_STRING, true, 16},
                                        {"markers", JF_OBJECT, false, 0},
                                        {"days_before", JF_INTEGER, true, 0},
                                        {"days_after", JF_INTEGER, true, 0},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = lab_check_body(req->body, fields, err);
    if (st != CC_OK)
        return st;
    const char *kind = json_get_string(req->body, "kind");
    if (!donor_kind_is_valid(kind))
        return cc_fail(err, CC_INVALID, "kind", "invalid_value",
                       "kind must be allogeneic or autologous");
    donor_panel p;
    if ((st = lab_donor_panel_load(req->db, kind, &p, err)) != CC_OK)
        return st;
    const char *code;
    json_t *need;
    json_object_foreach(json_object_get(req->body, "markers"), code, need)
    {
        int i = donor_marker_index(code);
        if (i < 0)
            return cc_fail(err, CC_INVALID, "markers", "invalid_value", "unknown marker %.40s",
                           code);
        if (!donor_need_parse(json_string_value(need), &p.need[i]))
            return cc_fail(err, CC_INVALID, "markers", "invalid_value",
                           "%s: need must be negative, result or none", code);
    }
    json_int_t before = json_integer_value(json_object_get(req->body, "days_before"));
    json_int_t after = json_integer_value(json_object_get(req->body, "days_after"));
    /* out of int's range is out of the window's range: core names the field */
    p.days_before = before >= 0 && before < 1000 ? (int)before : -1;
    p.days_after = after >= 0 && after < 1000 ? (int)after : -1;
    app_ctx ctx = api_app_ctx(req);
    st = app_lab_donor_panel_set(&ctx, kind, &p, err);
    return st == CC_OK ? reply_panels(req, err) : st;
}
