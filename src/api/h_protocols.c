/* Protocol versions: list, one version with its JSON, publish the next version (admin). */
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "app/programmes.h"
#include "app/protocol_json.h"
#include "core/screening.h"
#include "store/protocols.h"

static json_t *version_json(api_request *req, const protocol_row *row, bool with_body,
                            cc_error *err)
{
    protocol p;
    if (programme_load(req->db, req->arena, row->protocol_id, row->version, &p, err) != CC_OK)
        return NULL;
    json_t *o = protocol_summary_json(&p);
    json_object_set_new(o, "origin", json_string(row->origin));
    json_object_set_new(o, "sha256", json_string(row->sha256));
    json_object_set_new(o, "published_at", json_string(row->published_at));
    json_object_set_new(o, "published_by", json_string(row->published_by));
    if (with_body) {
        json_t *body = json_loads(row->body, 0, NULL);
        json_object_set_new(o, "body", body ? body : json_null());
    }
    return o;
}

cc_status h_protocol_list(api_request *req, cc_error *err)
{
    protocol_row *rows;
    size_t n;
    cc_status st = protocol_store_list(req->db, req->arena, &rows, &n, err);
    if (st != CC_OK)
        return st;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = version_json(req, &rows[i], false, err);
        if (!o) {
            json_decref(items);
            return err->status;
        }
        json_array_append_new(items, o);
    }
    api_reply(req, 200, json_pack("{s:o}", "items", items));
    return CC_OK;
}

cc_status h_protocol_get(api_request *req, cc_error *err)
{
    const char *id = req->params[0];
    int64_t version = 0;
    const char *v = api_query(req, "version");
    if (v) {
        char *end;
        version = strtoll(v, &end, 10);
        if (end == v || *end || version < 1 || version > 100000)
            return cc_fail(err, CC_INVALID, "version", "invalid_value",
                           "version must be 1..100000");
    }
    if (!protocol_id_is_valid(id))
        return cc_fail(err, CC_NOT_FOUND, "protocol", "not_found", "no such protocol");
    protocol_row row;
    int *versions;
    size_t n;
    cc_status st = protocol_store_get(req->db, req->arena, id, (int)version, &row, err);
    if (st == CC_OK)
        st = protocol_store_versions(req->db, req->arena, id, &versions, &n, err);
    if (st != CC_OK)
        return st;
    json_t *o = version_json(req, &row, true, err);
    if (!o)
        return err->status;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_integer(versions[i]));
    json_object_set_new(o, "versions", list);
    api_reply(req, 200, o);
    return CC_OK;
}

cc_status h_protocol_publish(api_request *req, cc_error *err)
{
    protocol p;
    cc_status st = protocol_from_json(req->body, &p, err);
    if (st != CC_OK)
        return st;
    char *text = json_dumps(req->body, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text)
        return cc_fail(err, CC_INTERNAL, NULL, "out_of_memory", "out of memory");
    arena_on_release(req->arena, free, text);
    store_actor actor = api_actor(req);
    if ((st = protocol_store_publish(req->db, &actor, p.id, p.version, text, err)) != CC_OK)
        return st;
    protocol_row row;
    if ((st = protocol_store_get(req->db, req->arena, p.id, p.version, &row, err)) != CC_OK)
        return st;
    json_t *o = version_json(req, &row, true, err);
    if (!o)
        return err->status;
    api_add_header(req, "Location",
                   api_printf(req, "/api/v1/protocols/%s?version=%d", p.id, p.version));
    api_reply(req, 201, o);
    return CC_OK;
}

cc_status h_screening_tests(api_request *req, cc_error *err)
{
    (void)err;
    json_t *items = json_array();
    for (const screening_test *t = screening_catalogue(); t->code; t++)
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:b}", "code",
                                               t->code, "loinc", t->loinc, "unit", t->unit, "label",
                                               "en", t->label_en, "fr", t->label_fr, "qualitative",
                                               t->qualitative));
    api_reply(req, 200, json_pack("{s:o}", "items", items));
    return CC_OK;
}
