/* The clinic group's sites: the caller's sites and the switch of the site a
 * session works in; the administrator's sites and memberships. */
#include <string.h>

#include "api/app_context.h"
#include "api/handlers.h"
#include "api/json_in.h"
#include "api/lab_api.h"
#include "app/sites.h"
#include "store/sites.h"

enum { SITE_VIEW_MAX = 1 << 20, SITES_MAX = 64 };

static cc_status reply_buf(api_request *req, unsigned status, buf *b, cc_status st, cc_error *err)
{
    if (st == CC_OK && buf_failed(b))
        st = cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    if (st == CC_OK)
        st = lab_reply_text(req, status, b->data, err);
    buf_release(b);
    return st;
}

/* {"items": [the caller's sites], "current": the session's site};
 * ?scope=all: every site of the group in items (a shipment's destination). */
cc_status h_site_list(api_request *req, cc_error *err)
{
    const char *scope = api_query(req, "scope");
    if (scope && strcmp(scope, "all") != 0 && strcmp(scope, "mine") != 0)
        return cc_fail(err, CC_INVALID, "scope", "invalid_value", "scope is all or mine");
    bool all = scope && strcmp(scope, "all") == 0;
    buf b;
    buf_init(&b, SITE_VIEW_MAX);
    buf_puts(&b, "{\"items\":");
    cc_status st = all ? site_all_json(req->db, req->who.site_id, &b, err)
                       : site_list_json(req->db, req->who.id, req->who.site_id, &b, err);
    buf_puts(&b, ",\"current\":");
    if (st == CC_OK)
        st = site_json(req->db, req->who.site_id, &b, err);
    if (st == CC_NOT_FOUND) {
        cc_error_clear(err);
        st = CC_OK;
        buf_puts(&b, "null");
    }
    buf_putc(&b, '}');
    return reply_buf(req, 200, &b, st, err);
}

static const json_field SITE_FIELDS[] = {
    {"code", JF_STRING, false, SITE_CODE_MAX * 4},
    {"name", JF_STRING, false, SITE_NAME_MAX * 4},
    {"address", JF_STRING, false, SITE_ADDRESS_MAX * 4},
    {"time_zone", JF_STRING, false, SITE_TZ_MAX},
    {"language", JF_STRING, false, 8},
    {"fin", JF_STRING, false, 8},
    {"public_base_url", JF_STRING, false, 256},
    {"kind", JF_STRING, false, 16},
    {"version", JF_INTEGER, false, 0},
    {NULL, JF_STRING, false, 0},
};

static site_fields fields_of(const json_t *body)
{
    return (site_fields){json_get_string(body, "code"),
                         json_get_string(body, "name"),
                         json_get_string(body, "address"),
                         json_get_string(body, "time_zone"),
                         json_get_string(body, "language"),
                         json_get_string(body, "fin"),
                         json_get_string(body, "public_base_url"),
                         json_get_string(body, "kind")};
}

static cc_status reply_site(api_request *req, unsigned status, int64_t id, cc_error *err)
{
    buf b;
    buf_init(&b, SITE_VIEW_MAX);
    return reply_buf(req, status, &b, site_json(req->db, id, &b, err), err);
}

cc_status h_site_create(api_request *req, cc_error *err)
{
    cc_status st = json_check(req->body, SITE_FIELDS, err);
    if (st == CC_OK && json_has(req->body, "version"))
        st = cc_fail(err, CC_INVALID, "version", "unknown_field", "a new site has no version");
    if (st != CC_OK)
        return st;
    site_fields f = fields_of(req->body);
    app_ctx c = api_app_ctx(req);
    int64_t id = 0;
    if ((st = app_site_create(&c, &f, &id, err)) != CC_OK)
        return st;
    return reply_site(req, 201, id, err);
}

cc_status h_site_update(api_request *req, cc_error *err)
{
    int64_t id, version;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = json_check(req->body, SITE_FIELDS, err);
    if (st == CC_OK)
        st = api_expected_version(req, &version, err);
    if (st != CC_OK)
        return st;
    site_fields f = fields_of(req->body);
    app_ctx c = api_app_ctx(req);
    if ((st = app_site_update(&c, id, version, &f, err)) != CC_OK)
        return st;
    return reply_site(req, 200, id, err);
}

cc_status h_session_site(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"site", JF_STRING, true, SITE_CODE_MAX * 4},
                                        {NULL, JF_STRING, false, 0}};
    cc_status st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    if (req->who.by_token) {
        /* the site named is checked first, so that a wrong one is named as such */
        int64_t id = 0;
        st = site_check_switch(req->db, req->who.id, json_get_string(req->body, "site"), &id, err);
        return st != CC_OK ? st
                           : cc_fail(err, CC_INVALID, "Authorization", "not_a_session",
                                     "a bearer token works in its user's first site");
    }
    app_ctx c = api_app_ctx(req);
    int64_t site_id = 0;
    st = app_session_switch_site(&c, req->who.session_id, json_get_string(req->body, "site"),
                                 &site_id, err);
    if (st != CC_OK)
        return st;
    req->who.site_id = site_id;
    return h_site_list(req, err);
}

cc_status h_user_sites_get(api_request *req, cc_error *err)
{
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st != CC_OK)
        return st;
    buf b;
    buf_init(&b, SITE_VIEW_MAX);
    return reply_buf(req, 200, &b, site_memberships_json(req->db, id, &b, err), err);
}

cc_status h_user_sites_set(api_request *req, cc_error *err)
{
    static const json_field fields[] = {{"sites", JF_ARRAY, true, 0},
                                        {"all_sites", JF_BOOLEAN, false, 0},
                                        {NULL, JF_STRING, false, 0}};
    int64_t id;
    cc_status st = api_param_id(req, 0, &id, err);
    if (st == CC_OK)
        st = json_check(req->body, fields, err);
    if (st != CC_OK)
        return st;
    json_t *list = json_object_get(req->body, "sites");
    size_t n = json_array_size(list);
    if (n > SITES_MAX)
        return cc_fail(err, CC_INVALID, "sites", "too_many", "at most %d sites", SITES_MAX);
    const char *codes[SITES_MAX];
    for (size_t i = 0; i < n; i++) {
        codes[i] = json_string_value(json_array_get(list, i));
        if (!codes[i])
            return cc_fail(err, CC_INVALID, "sites", "invalid_type",
                           "sites is a list of site codes");
    }
    app_ctx c = api_app_ctx(req);
    if ((st = app_user_sites_set(&c, id, codes, n, json_get_bool(req->body, "all_sites"), err)) !=
        CC_OK)
        return st;
    api_reply(req, 200,
              json_pack("{s:I, s:O, s:b}", "id", (json_int_t)id, "sites", list, "all_sites",
                        json_get_bool(req->body, "all_sites")));
    return CC_OK;
}
